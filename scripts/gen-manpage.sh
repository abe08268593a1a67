#!/usr/bin/env bash
# Regenerates docs/wwmon.1 (installed by scripts/install.sh) from the CLI's own help, with
# swift-argument-parser's generate-manual plugin. Run it after changing a command, option or help
# text; Tests/CLITests/CLIConventionsTests.swift fails when the page lacks a command or option.
#   bash scripts/gen-manpage.sh          # debug build (what `swift build` made); CONFIGURATION=release
set -euo pipefail
cd "$(dirname "$0")/.."
# The date of the last commit, so regenerating an unchanged CLI gives the same file.
date="$(git log -1 --format=%cs 2>/dev/null || date -u +%F)"
swift package plugin generate-manual --configuration "${CONFIGURATION:-debug}" --date "$date" \
    --authors "the wwmon authors" >/dev/null
page="$(find .build/plugins -path '*GenerateManual*' -name wwmon.1 -newer Package.swift | head -1)"
[ -n "$page" ] || { echo "gen-manpage.sh: the plugin wrote no wwmon.1" >&2; exit 1; }
mkdir -p docs
cp "$page" docs/wwmon.1
echo "docs/wwmon.1: $(wc -l < docs/wwmon.1) lines"
