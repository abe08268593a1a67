#!/usr/bin/env bash
# The sweep experiment of issue 14 (README, "Ranking a sweep: what it showed here"):
# starts `wwmon daemon` on a fresh store watching three roots (one per depth, tagged by the
# config), trains 3 depths x 5 optimiser settings of MLPs on scikit-learn's digits into them
# (scripts/rank/train_digits.py), waits until every checkpoint is recorded, attaches held-out
# test accuracy/loss to each checkpoint with `wwmon note`, tags runs with their
# hyper-parameters (`wwmon tag`), and runs `wwmon rank`. Outputs, kept small, go to
# docs/rank/: rank.txt (the table), rank.json, rank.csv and three scatter plots.
#
#   bash scripts/rank/sweep.sh            # WWMON=path/to/wwmon to use a given binary
set -euo pipefail
cd "$(dirname "$0")/../.."
PY="$(bash scripts/rank/setup-venv.sh)"
if [[ -z "${WWMON:-}" ]]; then
    swift build --product wwmon >&2
    WWMON="$(swift build --show-bin-path)/wwmon"
fi
WORK="$(mktemp -d /tmp/wwmon-sweep.XXXXXX)"
OUT=docs/rank
mkdir -p "$OUT" "$WORK/runs/depth2" "$WORK/runs/depth3" "$WORK/runs/depth4"
export WWMON_DB="$WORK/wwmon.db"
{
  for d in 2 3 4; do
    printf '[[watch]]\npath = "%s/runs/depth%s"\nruns_in_subdirectories = true\nsettle_seconds = 1\ntags = { depth = %s }\n\n' "$WORK" "$d" "$d"
  done
} > "$WORK/wwmon.toml"

"$WWMON" daemon --config "$WORK/wwmon.toml" --db "$WWMON_DB" 2>"$WORK/daemon.log" &
DAEMON=$!
trap 'kill -TERM $DAEMON 2>/dev/null; wait $DAEMON 2>/dev/null || true' EXIT

echo "== training 15 runs into $WORK/runs (the daemon records them as they arrive)"
OPENBLAS_NUM_THREADS=1 "$PY" scripts/rank/train_digits.py "$WORK/runs" | sed 's/^/   /'

echo "== waiting until every checkpoint is recorded"
expected=$("$PY" -c "import json,sys; print(sum(len(r['checkpoints']) for r in json.load(open(sys.argv[1]))))" "$WORK/runs/results.json")
for _ in $(seq 1 600); do
  # `runs` exits 3 while alerts fire (small nets do trip the alpha range): only its output counts here.
  n=$({ "$WWMON" runs --csv 2>/dev/null || true; } | tail -n +2 | awk -F, '{s += $3} END {print s + 0}')
  [[ "$n" -ge "$expected" ]] && break
  sleep 1
done
echo "   $n of $expected checkpoints recorded"
[[ "$n" -ge "$expected" ]] || { tail -n 20 "$WORK/daemon.log"; exit 1; }

echo "== wwmon note (held-out test accuracy and loss at every checkpoint), wwmon tag (hyper-parameters)"
"$PY" - "$WORK/runs/results.json" "$WWMON" <<'PYEOF'
import json, subprocess, sys
results, wwmon = json.load(open(sys.argv[1])), sys.argv[2]
for r in results:
    for c in r["checkpoints"]:
        subprocess.run([wwmon, "note", r["run"], "--step", str(c["step"]),
                        f"test_accuracy={c['test_accuracy']!r}", f"test_loss={c['test_loss']!r}",
                        f"train_accuracy={c['train_accuracy']!r}"], check=True, stdout=subprocess.DEVNULL)
    subprocess.run([wwmon, "tag", r["run"], f"lr={r['lr']:g}", f"batch={r['batch']}",
                    f"weight_decay={r['weight_decay']:g}"], check=True)
PYEOF

echo "== wwmon rank --target test_accuracy"
"$WWMON" rank --target test_accuracy | tee "$OUT/rank.txt"
"$WWMON" rank --target test_accuracy --json > "$OUT/rank.json"
"$WWMON" rank --target test_accuracy --csv > "$OUT/rank.csv"
for m in alpha alpha_weighted log_spectral_norm; do
  "$WWMON" rank --target test_accuracy --svg "$OUT/$m-vs-test_accuracy.svg" --svg-metric "$m" > /dev/null
done
"$WWMON" rank --target test_accuracy --group-by depth > "$OUT/rank-by-depth-tag.txt"
# A second look without runs that diverged (final test accuracy at chance level, < 0.5).
converged=$("$PY" -c "import json,sys; print(' '.join(r['run'] for r in json.load(open(sys.argv[1])) if r['checkpoints'][-1]['test_accuracy'] >= 0.5))" "$WORK/runs/results.json")
# shellcheck disable=SC2086  # one word per run name
"$WWMON" rank $converged --target test_accuracy > "$OUT/rank-converged.txt"
cp "$WORK/runs/results.json" "$OUT/results.json"
echo "== outputs in $OUT (work files in $WORK)"
