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

# The dashboard on what was just recorded, left running for you to browse. The daemon (which
# served it too, [http] in config/wwmon.toml) stops first, and so does a dashboard left by an
# earlier run of this script (its pid in $STATE/dashboard.pid): same port.
kill -TERM $DAEMON 2>/dev/null || true; wait $DAEMON 2>/dev/null || true; trap - EXIT
PIDFILE="$STATE/dashboard.pid"
if [[ -f "$PIDFILE" ]]; then
  old=$(cat "$PIDFILE")
  if [[ -r /proc/$old/cmdline ]] && tr '\0' ' ' </proc/"$old"/cmdline | grep -q "wwmon serve"; then kill "$old" 2>/dev/null || true; sleep 0.5; fi
fi
LISTEN="${WWMON_LISTEN:-127.0.0.1:9108}"
DLOG="$STATE/dashboard.log"
setsid nohup "$WWMON" serve --listen "$LISTEN" --db "$WWMON_DB" >"$DLOG" 2>&1 < /dev/null &
echo $! > "$PIDFILE"
for _ in $(seq 1 100); do grep -q "http://" "$DLOG" 2>/dev/null && break; sleep 0.1; done
URL=$(grep -o "http://[^ ]*" "$DLOG" | head -1)
if [[ -z "$URL" ]]; then echo "dashboard did not start:"; cat "$DLOG"; exit 1; fi
echo; echo "== dashboard: ${URL}run?run=$RUN"
echo "   (wwmon serve, pid $(cat "$PIDFILE"); stop it with: kill $(cat "$PIDFILE"))"
