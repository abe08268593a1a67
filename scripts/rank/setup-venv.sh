#!/usr/bin/env bash
# The pinned Python environment of scripts/rank/ (reference statistics and the sweep
# experiment): numpy, scipy, scikit-learn (its digits data set ships inside the wheel) and
# safetensors (the checkpoints' writer). Idempotent; prints the venv's python.
set -euo pipefail
VENV="${WWMON_RANK_VENV:-$HOME/.cache/wwmon/venv-rank}"
if [[ ! -f "$VENV/.complete" ]]; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q numpy==2.4.6 scipy==1.17.1 scikit-learn==1.9.1 safetensors==0.8.0 >&2
    touch "$VENV/.complete"
fi
echo "$VENV/bin/python"
