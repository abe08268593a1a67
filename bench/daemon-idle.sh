#!/usr/bin/env bash
# Idle daemon cost: CPU time, wake-ups and RSS of a real `wwmon daemon` watching 10 idle runs on
# local disk for 60 s, against the same daemon polling them.   bench/daemon-idle.sh [--seconds S]
source "$(dirname "$0")/release-env.sh"
exec "$PY" bench/daemon_idle.py --wwmon "$WWMON" "$@"
