"""Cost of WeightWatcher's options (issue 13), measured as a user runs them: the whole
`wwmon analyze X --format json` process (release build), each run after a quiet-machine wait
(quiet.py), median of --repeat runs, ratios against the default
analysis measured in the same session.

1. BERT-base-like set (gen_data.py: 72 matrices): default, --fix-fingers clip_xmax, --mp-fit,
   --randomize, --mp-fit --randomize, --layers 'attention' (the 48 attention matrices of 72).
2. Conv2D, --conv operator --input-size N (N = 8, 16, 32, 64) against --conv pooled, on one
   ResNet-like 3x3 convolution, 64 -> 64 channels (numpy, fixed seed,
   bench/data/conv64/model.safetensors): the operator ESD has N^2 * 64 values against 9 * 64 pooled.
   --conv-only skips part 1.

usage: options_bench.py --wwmon BIN [--data bench/data] [--repeat 3] [--out bench/out/options.json]
"""

import argparse
import json
import os
import statistics
import time
from pathlib import Path

import numpy as np

import quiet
from daemon_harness import log

BERT_OPTIONS = [
    ("default", []),
    ("fix_fingers clip_xmax", ["--fix-fingers", "clip_xmax"]),
    ("mp_fit", ["--mp-fit"]),
    ("randomize", ["--randomize"]),
    ("mp_fit + randomize", ["--mp-fit", "--randomize"]),
    ("layers 'attention'", ["--layers", "attention"]),
]
SIZES = [8, 16, 32, 64]


def conv_model(data: Path) -> Path:
    d = data / "conv64"
    f = d / "model.safetensors"
    if f.exists():
        return d
    from safetensors.numpy import save_file
    d.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(64)
    t = {"layer1.conv.weight": (rng.standard_normal((64, 64, 3, 3)) / np.sqrt(9 * 64)).astype(np.float32)}
    save_file(t, str(f))
    return d


def run(cmd):
    """Wall time of the process, after a quiet-machine wait."""
    quiet.wait_quiet()
    t0 = time.perf_counter()
    r = os.spawnv(os.P_WAIT, cmd[0], cmd)
    dt = time.perf_counter() - t0
    if r != 0:
        raise SystemExit(f"{' '.join(cmd)} failed with status {r}")
    return dt


def measure(wwmon, path, extra, repeat):
    null = os.open(os.devnull, os.O_WRONLY)
    saved = os.dup(1)
    os.dup2(null, 1)
    try:
        times = [run([wwmon, "analyze", str(path), "--format", "json", *extra]) for _ in range(repeat)]
    finally:
        os.dup2(saved, 1)
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--wwmon", required=True)
    ap.add_argument("--data", default="bench/data")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out", default="bench/out/options.json")
    ap.add_argument("--conv-only", action="store_true")
    a = ap.parse_args()
    data = Path(a.data)
    results = {"bert": {}, "conv": {}}

    bert = data / "bert"
    base = None
    if not a.conv_only:
        bert_part(a, bert, results)
    conv_part(a, data, results)
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps(results, indent=1) + "\n")
    log(f"wrote {a.out}")


def bert_part(a, bert, results):
    base = None
    print(f"\nBERT-base-like set ({bert}), median of {a.repeat}:")
    print(f"| option | wwmon s | vs default |\n|---|---|---|")
    for name, extra in BERT_OPTIONS:
        t = measure(a.wwmon, bert, extra, a.repeat)
        base = base or t
        results["bert"][name] = t
        print(f"| {name} | {t:.2f} | {t / base:.2f}x |", flush=True)


def conv_part(a, data, results):
    conv = conv_model(data)
    print(f"\nConv2D 3x3, 64 -> 64 channels ({conv}), median of {a.repeat}:")
    print("| mode | wwmon s | vs pooled | eigenvalues |\n|---|---|---|---|")
    pooled = measure(a.wwmon, conv, ["--conv", "pooled"], a.repeat)
    results["conv"]["pooled"] = pooled
    print(f"| pooled | {pooled:.2f} | 1.00x | {9 * 64} |", flush=True)
    for n in SIZES:
        t = measure(a.wwmon, conv, ["--conv", "operator", "--input-size", str(n)], a.repeat)
        results["conv"][f"operator N={n}"] = t
        print(f"| operator N={n} | {t:.2f} | {t / pooled:.1f}x | {n * n * 64} |", flush=True)


if __name__ == "__main__":
    main()
