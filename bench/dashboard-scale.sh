#!/usr/bin/env bash
# Dashboard scale benchmark (issue 12): run page of 5,000 checkpoints × 200 layers (time and
# weight), /metrics over 100 runs, stored-spectra bytes per checkpoint (BERT-like, LLM pair).
# Release build; filling the databases takes a few minutes the first time (kept in $TMPDIR).
#   bash bench/dashboard-scale.sh [--checkpoints N] [--layers L] [--runs R] [--skip-spectra]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
swift build -c release --static-swift-stdlib --product dashboard-scale >&2
bin="$(swift build -c release --static-swift-stdlib --show-bin-path)"
exec "$bin/dashboard-scale" "$@"
