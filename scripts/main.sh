#!/usr/bin/env bash
# The main job, on embedded defaults: builds wwmon, starts the daemon on the shipped example
# config (config/wwmon.toml) with the default SQLite store of this user, lets the bundled
# example trainer write a short series of checkpoints into a watched folder, and shows what the
# daemon recorded: the summary history (⟨alpha⟩ and ⟨alpha_weighted⟩), the latest per-layer
# table and the alerts. The daemon is stopped (SIGTERM) at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
swift build -c release --static-swift-stdlib --product wwmon >&2
swift build -c release --static-swift-stdlib --product wwmon-example-trainer >&2
BIN="$(swift build -c release --static-swift-stdlib --show-bin-path)"
WWMON="$BIN/wwmon"

STATE="${XDG_STATE_HOME:-$HOME/.local/state}/wwmon"
mkdir -p "$STATE"
export WWMON_DB="${WWMON_DB:-$STATE/wwmon.db}"
DEMO=/tmp/wwmon-demo/experiments
RUN="demo-$(date +%Y%m%d-%H%M%S)"
STEPS=6
mkdir -p "$DEMO"

echo "== wwmon daemon --config config/wwmon.toml   (store: $WWMON_DB)"
LOG="$STATE/demo-daemon.log"
"$WWMON" daemon --config config/wwmon.toml --db "$WWMON_DB" 2>"$LOG" &
DAEMON=$!
trap 'kill -TERM $DAEMON 2>/dev/null; wait $DAEMON 2>/dev/null || true' EXIT
sleep 2

echo "== wwmon-example-trainer writes $STEPS checkpoints into $DEMO/$RUN"
"$BIN/wwmon-example-trainer" "$DEMO/$RUN" --steps "$STEPS" --interval 2 | sed 's/^/   trainer | /'

echo "== waiting for the daemon to record them"
for _ in $(seq 1 120); do
  n=$("$WWMON" checkpoints "$RUN" --csv 2>/dev/null | tail -n +2 | wc -l || echo 0)
  [[ "$n" -ge "$STEPS" ]] && break
  sleep 0.5
done

echo; echo "== wwmon history $RUN --summary"
"$WWMON" history "$RUN" --summary
echo; echo "== wwmon layers $RUN"
"$WWMON" layers "$RUN"
echo; echo "== wwmon alerts $RUN   (exit 3: alerts are firing)"
"$WWMON" alerts "$RUN" || true
echo; echo "== the daemon's log ($LOG), last lines"
tail -n 5 "$LOG" | cut -c1-200
