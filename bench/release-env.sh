# Sourced by the daemon and reader benchmarks (daemon-idle.sh, daemon-latency.sh,
# finetune-reuse.sh, torch-vs-safetensors.sh): repository root, the cached venv, and a release
# build of wwmon. Sets ROOT, VENV, PY, WWMON.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="$(bash bench/setup-venv.sh)"     # honours WWMON_VENV; prints the venv path
PY="$VENV/bin/python"
echo "building wwmon (release) ..." >&2
swift build -c release --static-swift-stdlib --product wwmon >&2
WWMON="$(swift build -c release --static-swift-stdlib --show-bin-path)/wwmon"
