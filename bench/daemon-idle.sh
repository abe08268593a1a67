#!/usr/bin/env bash
# Idle daemon cost: CPU time, wake-ups and RSS of a real `wwmon daemon` watching 10 idle runs on
# local disk for 60 s, against the same daemon polling them.   bench/daemon-idle.sh [--seconds S]
source "$(dirname "$0")/release-env.sh"
mkdir -p bench/out
swiftc -O -parse-as-library bench/idle_floor.swift -o bench/out/idle-floor >&2
exec "$PY" bench/daemon_idle.py --wwmon "$WWMON" --floor bench/out/idle-floor "$@"
