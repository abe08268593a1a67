"""Torch reader speed (issue 3, Speed: "a torch .pt of the BERT-base-like set is analyzed within
1.1x of the time of the same weights in safetensors"; memory must stay per-layer).

The BERT-base-like set (gen_data.py, bench/data/bert/model.safetensors) is converted once by the
venv's torch into one `torch.save` state dict (bench/data/bert.pt, the default zip format). Then
`wwmon analyze X --format json` (release) is timed as a whole process on the .pt and on the
safetensors folder, alternately, --repeat times each, each run after a quiet-machine wait
(quiet.py; a contended run is re-run once); the medians are compared. Peak RSS is ru_maxrss from
wait4. The two JSON reports must hold identical layer rows and summary.

usage: torch_vs_safetensors.py --wwmon BIN [--data bench/data] [--repeat 5] [--out bench/out/torch-vs-safetensors.json]
"""

import argparse
import json
import os
import statistics
from pathlib import Path

import quiet
from daemon_harness import log


def convert(st_file: Path, pt: Path) -> None:
    stamp = pt.with_suffix(".pt.source")
    src = f"{st_file.stat().st_size}:{st_file.stat().st_mtime_ns}"
    if pt.exists() and stamp.exists() and stamp.read_text() == src:
        return
    import torch
    from safetensors.torch import load_file
    log(f"converting {st_file} -> {pt} with torch {torch.__version__} ...")
    torch.save(load_file(str(st_file)), pt)
    stamp.write_text(src)


def timed(cmd: list[str]) -> dict:
    """Run cmd to completion: its stdout and its own peak RSS in bytes (ru_maxrss from wait4 on
    its pid, not RUSAGE_CHILDREN, which is a max over every child this script reaped)."""
    r, w = os.pipe()
    pid = os.posix_spawn(cmd[0], cmd, os.environ,
                         file_actions=[(os.POSIX_SPAWN_DUP2, w, 1), (os.POSIX_SPAWN_CLOSE, r)])
    os.close(w)
    chunks = []
    with os.fdopen(r, "rb") as f:
        while chunk := f.read(1 << 20):
            chunks.append(chunk)
    _, status, ru = os.wait4(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(cmd)} failed with status {os.waitstatus_to_exitcode(status)}")
    return {"stdout": b"".join(chunks), "peak_rss": ru.ru_maxrss * 1024}


def comparable(report: dict) -> dict:
    return {k: v for k, v in report.items() if k in ("layers", "summary")}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--wwmon", required=True)
    ap.add_argument("--data", default="bench/data")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--out", default="bench/out/torch-vs-safetensors.json")
    a = ap.parse_args()
    data = Path(a.data)
    st_dir, pt = data / "bert", data / "bert.pt"
    convert(st_dir / "model.safetensors", pt)
    inputs = {"safetensors": st_dir, "torch .pt": pt}
    runs = {k: [] for k in inputs}
    reports = {}
    for i in range(a.repeat):
        for name, path in inputs.items():
            m = quiet.measured(lambda: timed([a.wwmon, "analyze", str(path), "--format", "json"]),
                               f"{name} #{i + 1}")
            res = m.pop("result")
            reports[name] = json.loads(res["stdout"])
            runs[name].append({"wall_s": m["wall_s"], "peak_rss": res["peak_rss"],
                               "foreign_cores": m["foreign_cores"], "contended": m["contended"]})
    st, tp = (comparable(reports[k]) for k in inputs)
    same = st == tp
    med = {k: statistics.median(r["wall_s"] for r in v) for k, v in runs.items()}
    rss = {k: max(r["peak_rss"] for r in v) for k, v in runs.items()}
    out = Path(a.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"runs": runs, "median_s": med, "identical": same,
                               "sizes": {"safetensors": (st_dir / "model.safetensors").stat().st_size,
                                         "torch .pt": pt.stat().st_size}}, indent=2) + "\n")

    n_layers = len(st.get("layers", []))
    print(f"\n`wwmon analyze --format json`, BERT-base-like set ({n_layers} layers), median of {a.repeat}, alternating")
    print("| input | size | median s | all runs s | peak RSS | others' load (max) |")
    print("|---|---|---|---|---|---|")
    for name, path in inputs.items():
        f = path / "model.safetensors" if path.is_dir() else path
        times = ", ".join(f"{r['wall_s']:.2f}" + ("*" if r["contended"] else "") for r in runs[name])
        print(f"| {name} | {f.stat().st_size / 2**20:.0f} MiB | {med[name]:.3f} | {times} | "
              f"{rss[name] / 2**20:.0f} MiB | {max(r['foreign_cores'] for r in runs[name]):.2f} cores |")
    ratio = med["torch .pt"] / med["safetensors"]
    print(f"\n.pt / safetensors: {ratio:.3f}x (target <= 1.1x: {'met' if ratio <= 1.1 else 'MISS'}); "
          f"peak RSS {rss['torch .pt'] / 2**20:.0f} vs {rss['safetensors'] / 2**20:.0f} MiB")
    print(f"layer rows and summary identical: {'yes' if same else 'NO'}")
    if not same:
        for i, (x, y) in enumerate(zip(st.get("layers", []), tp.get("layers", []))):
            if x != y:
                print("  first differing layer:", {k: (x.get(k), y.get(k)) for k in x if x.get(k) != y.get(k)})
                break
        raise SystemExit(1)


if __name__ == "__main__":
    main()
