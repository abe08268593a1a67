"""Times WeightWatcher 0.7.7's analyze() on a safetensors model folder (run in the bench venv).

Usage: python ww_run.py FOLDER OUT.json [--repeat R]
Each repetition builds a fresh ww.WeightWatcher() and times only analyze(model=FOLDER) (WW reads
the folder's model*.safetensors inside analyze()), after waiting for a quiet machine; a contended
repetition is re-run once (quiet.py). OUT.json gets the per-repetition timings and the first
repetition's per-layer table and summary (non-finite numbers as null).
"""

import argparse
import json
import math
import statistics
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import quiet  # noqa: E402


def plain(x):
    """numpy/pandas scalar -> JSON value; NaN/inf -> None (the wwmon JSON contract does the same)."""
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, np.integer):
        return int(x)
    if isinstance(x, (float, np.floating)):
        x = float(x)
        return x if math.isfinite(x) else None
    if x is None or isinstance(x, (int, str)):
        return x
    return str(x)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("folder")
    ap.add_argument("out")
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()

    import weightwatcher as ww

    runs, details, summary = [], None, None
    for rep in range(a.repeat):
        watcher = ww.WeightWatcher()
        m = quiet.measured(lambda: watcher.analyze(model=a.folder), f"WeightWatcher {ww.__version__} run {rep + 1}")
        runs.append({k: m[k] for k in ("wall_s", "foreign_cores", "steal_cores", "contended", "rerun", "waits")})
        if details is None:
            df = m["result"]
            details = [{c: plain(row[c]) for c in df.columns} for _, row in df.iterrows()]
            summary = {k: plain(v) for k, v in watcher.get_summary().items()}
    Path(a.out).write_text(json.dumps({
        "weightwatcher_version": ww.__version__,
        "runs": runs,
        "median_s": statistics.median(r["wall_s"] for r in runs),
        "layers": details,
        "summary": summary,
    }, indent=1, allow_nan=False))


if __name__ == "__main__":
    main()
