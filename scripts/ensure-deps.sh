#!/usr/bin/env bash
# Installs the Debian packages wwmon builds and tests against, if any is missing.
# Used by scripts/main.sh and scripts/test.sh (the README's two commands).
set -euo pipefail
# zlib1g-dev: stored spectra are zlib-compressed (compress-nio links libz).
# --browser adds Debian's Chromium for the dashboard's browser test (scripts/test.sh).
PKGS=(libsqlite3-dev liblapacke-dev libopenblas-dev systemd zlib1g-dev)
[[ "${1:-}" == "--browser" ]] && PKGS+=(chromium)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  echo "installing: ${missing[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
