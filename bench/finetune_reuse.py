"""Work proportional to what changed (issue 5, Scheduling: "a 20-checkpoint fine-tuning run where
90% of layers are frozen costing ~10% of full analyses").

Two runs of 20 safetensors checkpoints, 40 layers of 768x768 float32 each (heavy-tailed, as in
gen_data.py), written before the daemon starts:
  * frozen:   36 layers byte-identical in every checkpoint, 4 (the "head") change every time;
  * baseline: the same shapes, every layer changes in every checkpoint (nothing can be reused).
Each run gets its own store and its own real `wwmon daemon`, which records the 20 checkpoints in
its catch-up scan (newest first). Cost = the sum of the store's per-checkpoint analysis durations
(reading, hashing, spectra, fits; what StorePipeline.analyze times); the daemon's CPU time and the
wall time to the last record are printed too.

Correctness of reuse: for a checkpoint of the frozen run analysed with 36 reused layers,
`wwmon layers RUN --step S --json` (the stored rows) must equal `wwmon analyze FILE --format json`
(everything recomputed from the file) column by column.

usage: finetune_reuse.py --wwmon BIN [--out bench/out/finetune-reuse.json]
"""

import argparse
import json
import math
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
from safetensors.numpy import save_file

import quiet
from daemon_harness import Daemon, log, store_rows, wait_recorded, write_config

CHECKPOINTS, LAYERS, CHANGING, SIZE = 20, 40, 4, 768


def heavy_tailed(rng, n):
    """Gaussian entries, columns scaled by sqrt(1 + Pareto): a non-trivial power-law fit."""
    w = rng.standard_normal((n, n), dtype=np.float32)
    w *= np.sqrt(1.0 + rng.pareto(2.5, size=n)).astype(np.float32)
    return w / np.float32(math.sqrt(n))


def write_runs(top: Path) -> dict[str, Path]:
    rng = np.random.default_rng(20)
    base = [heavy_tailed(rng, SIZE) for _ in range(LAYERS)]
    runs = {"frozen": top / "ft-frozen", "baseline": top / "ft-full"}
    for d in runs.values():
        d.mkdir(parents=True)
    for k in range(1, CHECKPOINTS + 1):
        # Fine-tuning: the head (last CHANGING layers) moves a little every checkpoint.
        head = {i: base[i] + np.float32(0.02 * k) * heavy_tailed(rng, SIZE)
                for i in range(LAYERS - CHANGING, LAYERS)}
        frozen = {f"layers.{i}.weight": head.get(i, base[i]) for i in range(LAYERS)}
        save_file(frozen, runs["frozen"] / f"step-{k * 100}.safetensors")
        full = {f"layers.{i}.weight": head[i] if i in head
                else base[i] + np.float32(0.02 * k) * heavy_tailed(rng, SIZE) for i in range(LAYERS)}
        save_file(full, runs["baseline"] / f"step-{k * 100}.safetensors")
    return runs


def run_daemon(wwmon: str, top: Path, name: str, run_dir: Path) -> dict:
    work = top / f"daemon-{name}"
    work.mkdir()
    db, cfg = work / "wwmon.db", work / "wwmon.toml"
    write_config(cfg, db, [{"path": str(run_dir), "settle_seconds": 1, "mode": "auto"}])
    q = quiet.wait_quiet()
    busy0, _ = quiet._machine_s()
    d = Daemon(wwmon, cfg, work / "daemon.log", verbose=False)
    try:
        t_last = wait_recorded(d, db, CHECKPOINTS, timeout=1800)
        cpu = d.cpu_s()
        busy1, _ = quiet._machine_s()
        _, hwm = d.memory_kib()
    finally:
        d.stop()
    wall = t_last - d.t_start
    rows = store_rows(db, "SELECT step, duration, status FROM checkpoints ORDER BY analyzed_at")
    bad = [r for r in rows if r[2] != "ok"]
    if bad:
        raise SystemExit(f"{name}: checkpoints recorded with errors: {bad}; log {work / 'daemon.log'}")
    durations = [r[1] for r in rows]
    return {"run": name, "db": str(db), "analysis_s": sum(durations), "first_s": durations[0],
            "rest_median_s": statistics.median(durations[1:]), "order": [r[0] for r in rows],
            "durations": durations, "daemon_cpu_s": cpu, "wall_to_last_record_s": wall,
            "vm_hwm_mib": hwm / 1024, "quiet_wait": q,
            "foreign_cores": max(0.0, (busy1 - busy0) - cpu) / wall}


def check_reuse(wwmon: str, db: str, run: str, run_dir: Path, step: int) -> dict:
    stored = json.loads(subprocess.run([wwmon, "layers", run, "--step", str(step), "--json", "--db", db],
                                       check=True, capture_output=True, text=True).stdout)
    fresh = json.loads(subprocess.run([wwmon, "analyze", str(run_dir / f"step-{step}.safetensors"),
                                       "--format", "json"], check=True, capture_output=True, text=True).stdout)
    # `layers --json` prints the same object as `analyze --format json` ({"layers", "summary", ...}).
    stored_summary, fresh_summary = stored.get("summary"), fresh.get("summary")
    stored, fresh_layers = stored["layers"], fresh["layers"]
    by_name = {l["longname"]: l for l in fresh_layers}
    compared = differing = 0
    diffs = []
    for s in stored:
        f = by_name.get(s["longname"])
        if f is None:
            diffs.append(f"{s['longname']}: only in the store")
            continue
        for k, v in s.items():
            if k not in f:
                continue           # columns one output has and the other lacks (ids, paths)
            compared += 1
            if f[k] != v:
                differing += 1
                diffs.append(f"{s['longname']}.{k}: stored {v!r}, recomputed {f[k]!r}")
    if stored_summary != fresh_summary:
        diffs.append(f"summary: stored {stored_summary}, recomputed {fresh_summary}")
    if len(stored) != len(fresh_layers):
        diffs.append(f"{len(stored)} stored layers, {len(fresh_layers)} recomputed")
    return {"step": step, "layers": len(stored), "values_compared": compared,
            "values_differing": differing, "diffs": diffs[:10]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--wwmon", required=True)
    ap.add_argument("--out", default="bench/out/finetune-reuse.json")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="wwmon-finetune-") as tmp:
        top = Path(tmp)
        log(f"writing 2 x {CHECKPOINTS} checkpoints of {LAYERS} x {SIZE}x{SIZE} f32 ...")
        runs = write_runs(top / "runs")
        results = {}
        for name in ("frozen", "baseline"):
            log(f"{name}: daemon catch-up of {CHECKPOINTS} checkpoints ...")
            results[name] = run_daemon(a.wwmon, top, name, runs[name])
            log(f"  {results[name]['analysis_s']:.2f} s of analysis")
        # A checkpoint analysed with reuse: any but the first analysed (the catch-up takes the newest first).
        reused_step = results["frozen"]["order"][len(results["frozen"]["order"]) // 2]
        check = check_reuse(a.wwmon, results["frozen"]["db"], "ft-frozen", runs["frozen"], reused_step)
    out = Path(a.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"results": results, "reuse_check": check}, indent=2) + "\n")

    fz, bl = results["frozen"], results["baseline"]
    print(f"\nFine-tuning run: {CHECKPOINTS} checkpoints x {LAYERS} layers {SIZE}x{SIZE} f32; frozen run: "
          f"{LAYERS - CHANGING} layers identical in every checkpoint, {CHANGING} change; baseline: all change")
    print("| run | analysis s (sum of store durations) | first checkpoint s | median of the other 19 s | daemon CPU s | wall to last record s | VmHWM | others' load |")
    print("|---|---|---|---|---|---|---|---|")
    for r in (fz, bl):
        print(f"| {r['run']} | {r['analysis_s']:.2f} | {r['first_s']:.3f} | {r['rest_median_s']:.3f} | "
              f"{r['daemon_cpu_s']:.2f} | {r['wall_to_last_record_s']:.2f} | {r['vm_hwm_mib']:.0f} MiB | "
              f"{r['foreign_cores']:.2f} cores |")
    print(f"\nfrozen / baseline: analysis time {fz['analysis_s'] / bl['analysis_s']:.1%} (target ~10%), "
          f"per reused checkpoint {fz['rest_median_s'] / bl['rest_median_s']:.1%}, "
          f"daemon CPU {fz['daemon_cpu_s'] / bl['daemon_cpu_s']:.1%}")
    ok = check["values_differing"] == 0 and not check["diffs"]
    print(f"reused rows = recomputed rows (step {check['step']}: {check['layers']} layers, "
          f"{check['values_compared']} values compared): {'yes' if ok else 'NO'}")
    for line in check["diffs"]:
        print("  " + line)
    if not ok:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
