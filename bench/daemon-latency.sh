#!/usr/bin/env bash
# Latency from a checkpoint's completion to the daemon's analysis start, with settle_seconds = S.
#   bench/daemon-latency.sh [--settle 2] [--count 5]
source "$(dirname "$0")/release-env.sh"
exec "$PY" bench/daemon_latency.py --wwmon "$WWMON" "$@"
