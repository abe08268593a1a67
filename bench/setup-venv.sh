#!/usr/bin/env bash
# Creates (once) the Python venv the benchmark and the fixture generators use:
# WeightWatcher 0.7.7 (the baseline and the reference) and torch (its analyze() needs it;
# the default PyPI wheel runs on CPU). Idempotent: a finished venv is reused.
set -euo pipefail
VENV="${WWMON_VENV:-$(cd "$(dirname "$0")" && pwd)/.venv}"
if [[ -f "$VENV/.complete" ]]; then echo "$VENV"; exit 0; fi
python3 -m venv "$VENV" >&2
"$VENV/bin/pip" install -q --upgrade pip >&2
"$VENV/bin/pip" install -q "weightwatcher==0.7.7" torch safetensors numpy >&2
touch "$VENV/.complete"
echo "$VENV"
