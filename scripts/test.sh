#!/usr/bin/env bash
# The test suite: installs what it needs, builds in debug, runs every XCTest and Swift Testing test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh --browser
# The real pretrained-model check (all-MiniLM-L6-v2, .bin vs .safetensors) needs torch to write
# the .bin; it runs where the bench venv exists (bash bench/setup-venv.sh, ~5 GB) and says
# "skipped" elsewhere.
VENV="${WWMON_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/wwmon/venv}"
MINILM=Tests/Fixtures/generated/minilm
if [[ -f "$VENV/.complete" && ! -f "$MINILM/pytorch_model.bin" ]]; then
  "$VENV/bin/python" scripts/gen_fixtures.py --minilm "$MINILM" >/dev/null || echo "MiniLM fixture not generated" >&2
fi
swift build --build-tests
swift test --skip-build "$@"
