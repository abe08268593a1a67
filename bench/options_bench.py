"""Cost of WeightWatcher's options (issue 13), measured as a user runs them: the whole
`wwmon analyze X --format json` process (release build), each run after a quiet-machine wait
(quiet.py), median of --repeat runs, ratios against the default
analysis measured in the same session.

1. BERT-base-like set (gen_data.py: 72 matrices): default, --fix-fingers clip_xmax, --mp-fit,
   --randomize, --mp-fit --randomize, --layers 'attention' (the 48 attention matrices of 72).
2. Conv2D, --conv operator --input-size N (N = 8, 16, 32, 64) against --conv pooled, on a
   ResNet-like stack of 3x3 convolutions (64->64, 128->128, 256->256; numpy, fixed seed,
   bench/data/conv/model.safetensors): the operator ESD has N^2 * min(c_in, c_out) values per layer
   against 9 * min(c_in, c_out) pooled.

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
    d = data / "conv"
    f = d / "model.safetensors"
    if f.exists():
        return d
    from safetensors.numpy import save_file
    d.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(64)
    t = {f"layer{i}.conv.weight": (rng.standard_normal((c, c, 3, 3)) / np.sqrt(9 * c)).astype(np.float32)
         for i, c in enumerate([64, 128, 256])}
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
    a = ap.parse_args()
    data = Path(a.data)
    results = {"bert": {}, "conv": {}}

    bert = data / "bert"
    base = None
    print(f"\nBERT-base-like set ({bert}), median of {a.repeat}:")
    print(f"| option | wwmon s | vs default |\n|---|---|---|")
    for name, extra in BERT_OPTIONS:
        t = measure(a.wwmon, bert, extra, a.repeat)
        base = base or t
        results["bert"][name] = t
        print(f"| {name} | {t:.2f} | {t / base:.2f}x |", flush=True)

    conv = conv_model(data)
    print(f"\nConv2D 3x3 stack 64/128/256 channels ({conv}), median of {a.repeat}:")
    print("| mode | wwmon s | vs pooled | evals per layer (c = 64/128/256) |\n|---|---|---|---|")
    pooled = measure(a.wwmon, conv, ["--conv", "pooled"], a.repeat)
    results["conv"]["pooled"] = pooled
    print(f"| pooled | {pooled:.2f} | 1.00x | 9c |", flush=True)
    for n in SIZES:
        t = measure(a.wwmon, conv, ["--conv", "operator", "--input-size", str(n)], a.repeat)
        results["conv"][f"operator N={n}"] = t
        print(f"| operator N={n} | {t:.2f} | {t / pooled:.1f}x | {n * n}c |", flush=True)

    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps(results, indent=1) + "\n")
    log(f"wrote {a.out}")


if __name__ == "__main__":
    main()
