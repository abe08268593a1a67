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
# Serially: the process tests (Tests/CLITests) wait with blocking sleeps, which on 2 cores can
# starve the cooperative thread pool that in-process async tests (SchedulerTests) need, and a
# starved test times out. Serial runs of the whole suite take about 5 minutes on 2 quiet cores.
swift test --skip-build --no-parallel "$@"
