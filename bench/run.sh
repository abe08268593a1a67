#!/usr/bin/env bash
# The benchmark, one command:   bench/run.sh [--quick] [--repeat R]
# WeightWatcher 0.7.7 vs `wwmon analyze` vs the bare LAPACK floor on a BERT-base-like model and an
# LLM-block pair (--quick: BERT-like only). Installs what it needs on first use (apt packages, a
# cached venv with weightwatcher==0.7.7 + torch, ~5 GB), builds in release, generates the inputs
# once (bench/data/), measures, checks the numbers agree, prints the table. See bench/README.md.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"

# System packages: the LAPACK/BLAS and SQLite the build links, and python3-venv for the venv.
need=()
for p in libsqlite3-dev liblapacke-dev libopenblas-dev python3-venv; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if ((${#need[@]})); then
  echo "installing apt packages: ${need[*]}" >&2
  SUDO=""; [[ $(id -u) -eq 0 ]] || SUDO="sudo"
  $SUDO apt-get update -q >&2
  $SUDO apt-get install -y -q "${need[@]}" >&2
fi

VENV="$(bash bench/setup-venv.sh)"     # honours WWMON_VENV; prints the venv path

echo "building wwmon and lapack-floor (release) ..." >&2
swift build -c release --static-swift-stdlib --product wwmon >&2
swift build -c release --static-swift-stdlib --product lapack-floor >&2
BIN="$(swift build -c release --static-swift-stdlib --show-bin-path)"

SETS=(bert llm)
for a in "$@"; do [[ "$a" == "--quick" ]] && SETS=(bert); done
"$VENV/bin/python" bench/gen_data.py bench/data "${SETS[@]}"

exec "$VENV/bin/python" bench/bench.py --bin "$BIN" --python "$VENV/bin/python" "$@"
