#!/usr/bin/env bash
# Reuse of frozen layers: a 20-checkpoint fine-tuning run with 90% of its layers frozen, recorded
# by the daemon, against the same run with every layer changing.   bench/finetune-reuse.sh
source "$(dirname "$0")/release-env.sh"
exec "$PY" bench/finetune_reuse.py --wwmon "$WWMON" "$@"
