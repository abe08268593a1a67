#!/usr/bin/env bash
# The main job on embedded defaults: builds wwmon (release) and analyses the shipped example
# checkpoint, printing WeightWatcher's per-layer table and summary.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
swift build -c release --product wwmon
.build/release/wwmon analyze examples/tiny-cnn/model.safetensors "$@"
