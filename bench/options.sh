#!/usr/bin/env bash
# Cost of WeightWatcher's options (issue 13): each `wwmon analyze` option on the BERT-base-like
# set relative to the default analysis, and the Conv2D operator spectrum (--conv operator) against
# pooled mode as the input size N grows.   bench/options.sh [--repeat 3]
source "$(dirname "$0")/release-env.sh"
"$PY" bench/gen_data.py bench/data bert >&2       # once; reused while its recipe is unchanged
exec "$PY" bench/options_bench.py --wwmon "$WWMON" "$@"
