"""Completion-to-analysis latency of the daemon (issue 5, Proof: "latency from a checkpoint's
completion to its analysis start (target: settle time + < 1 s)").

A real `wwmon daemon -v` watches one run folder on local disk with settle_seconds = S. A writer
(this script) then drops N safetensors checkpoints, spaced apart so none waits behind another's
analysis, alternating the two ways trainers write: in place (written in chunks over ~0.5 s, then
fsync + close) and renamed in (a `.tmp-` file written, then renamed to its final name). The
completion time is taken by the writer right after its last close / the rename.

Analysis start: the daemon's debug line `analysis start PATH unix_time=...` (StorePipeline.analyze,
microsecond wall clock); cross-checked with the store (analyzed_at - duration, which is the
analysis start plus the short gap between analysis end and the record). Latency - S is the
daemon's own overhead over the settle time it was told to wait.

usage: daemon_latency.py --wwmon BIN [--settle 2] [--count 5] [--out bench/out/daemon-latency.json]
"""

import argparse
import json
import os
import re
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
from safetensors.numpy import save

from daemon_harness import Daemon, log, store_rows, wait_recorded, write_config

START = re.compile(r"analysis start (\S+) unix_time=([0-9.]+)")


def write_in_place(path: Path, data: bytes, chunks: int = 8, span_s: float = 0.5) -> float:
    with open(path, "wb") as f:
        step = -(-len(data) // chunks)
        for i in range(0, len(data), step):
            if i:
                time.sleep(span_s / chunks)   # a trainer streaming its tensors out
            f.write(data[i:i + step])
            f.flush()
        os.fsync(f.fileno())
    return time.time()


def write_renamed(path: Path, data: bytes) -> float:
    tmp = path.with_name(".tmp-" + path.name)
    with open(tmp, "wb") as f:
        f.write(data)
        os.fsync(f.fileno())
    os.rename(tmp, path)
    return time.time()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--wwmon", required=True)
    ap.add_argument("--settle", type=float, default=2.0)
    ap.add_argument("--count", type=int, default=5)
    ap.add_argument("--out", default="bench/out/daemon-latency.json")
    a = ap.parse_args()
    S = a.settle
    rng = np.random.default_rng(7)
    with tempfile.TemporaryDirectory(prefix="wwmon-latency-") as tmp:
        top = Path(tmp)
        run = top / "experiments" / "latency-run"
        run.mkdir(parents=True)
        db, cfg = top / "wwmon.db", top / "wwmon.toml"
        write_config(cfg, db, [{"path": str(run), "settle_seconds": S, "mode": "auto"}])
        d = Daemon(a.wwmon, cfg, top / "daemon.log")
        try:
            deadline = time.time() + 60
            while not any("ready:" in l for l in d.log_lines()):
                if time.time() > deadline or not d.alive():
                    raise SystemExit(f"daemon not ready: {d.logfile}\n" + "\n".join(d.log_lines()))
                time.sleep(0.1)
            done = {}
            for k in range(a.count):
                tensors = {f"layer{i}.weight": rng.standard_normal((512, 384)).astype(np.float32)
                           for i in range(4)}
                data = save(tensors)
                path = run / f"step-{(k + 1) * 100}.safetensors"
                how = "in place" if k % 2 == 0 else "renamed in"
                t = write_in_place(path, data) if k % 2 == 0 else write_renamed(path, data)
                done[str(path)] = (how, t)
                log(f"  wrote {path.name} ({how}, {len(data) / 2**20:.1f} MiB)")
                wait_recorded(d, db, k + 1, timeout=60)
                time.sleep(1.0)           # spaced apart: the next one starts on an idle daemon
            lines = d.log_lines()
        finally:
            d.stop()
        starts = {m.group(1): float(m.group(2)) for m in map(START.search, lines) if m}
        stored = {p: (at, dur) for p, at, dur in
                  store_rows(db, "SELECT path, analyzed_at, duration FROM checkpoints")}
    rows = []
    for path, (how, t_done) in done.items():
        if path not in starts:
            raise SystemExit(f"no 'analysis start' line for {path} in the daemon's log")
        at, dur = stored[path]
        rows.append({"checkpoint": Path(path).name, "written": how,
                     "latency_s": starts[path] - t_done, "margin_s": starts[path] - t_done - S,
                     "store_latency_s": (at - dur) - t_done, "analysis_s": dur})
    out = Path(a.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"settle_seconds": S, "checkpoints": rows}, indent=2) + "\n")

    print(f"\nCompletion -> analysis start, settle_seconds = {S:g} (inotify, local disk)")
    print("| checkpoint | written | latency s | margin over settle s | store: analyzed_at - duration - completion s | analysis s |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['checkpoint']} | {r['written']} | {r['latency_s']:.3f} | {r['margin_s']:+.3f} | "
              f"{r['store_latency_s']:.3f} | {r['analysis_s']:.3f} |")
    margins = [r["margin_s"] for r in rows]
    worst = max(margins)
    print(f"\nmargin over settle: median {statistics.median(margins):+.3f} s, worst {worst:+.3f} s; "
          f"target settle + < 1 s: {'met' if worst < 1.0 else 'MISS'}")


if __name__ == "__main__":
    main()
