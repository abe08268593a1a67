#!/usr/bin/env bash
# Torch reader speed: `wwmon analyze` on a torch.save .pt of the BERT-base-like set vs the same
# weights in safetensors.   bench/torch-vs-safetensors.sh [--repeat 5]
source "$(dirname "$0")/release-env.sh"
"$PY" bench/gen_data.py bench/data bert >&2       # once; reused while its recipe is unchanged
exec "$PY" bench/torch_vs_safetensors.py --wwmon "$WWMON" "$@"
