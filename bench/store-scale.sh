#!/usr/bin/env bash
# Store scale benchmark (issue 4): 5,000 checkpoints × 200 layers (1M layer rows) recorded through
# HistoryStore, then `wwmon history` timed as a cold process. Release build; takes a few minutes.
#   bash bench/store-scale.sh [--checkpoints N] [--layers L] [--db PATH]
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --static-swift-stdlib --product wwmon
swift build -c release --static-swift-stdlib --product store-scale
bin="$(swift build -c release --static-swift-stdlib --show-bin-path)"
exec "$bin/store-scale" --wwmon "$bin/wwmon" "$@"
