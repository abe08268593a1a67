#!/usr/bin/env python3
"""Reference outputs of WeightWatcher 0.7.7 with non-default options (issue 13), on small
weight files made to exercise each option.

Run with the shared venv (bench/setup-venv.sh: weightwatcher==0.7.7, torch, numpy, safetensors):
    ~/.cache/wwmon/venv/bin/python scripts/gen_ww_options.py

Writes Tests/Fixtures/options/ (committed, small):
  fingers/model.safetensors   float32 layers: Gaussian bulks with a few large outlying
                              eigenvalues ("fingers"), heavy-tailed (Student-t) layers, a plain
                              Gaussian, a tiny (7-wide) and a thin conv layer, chosen (seeded) so
                              that clip_xmax clips some layers and leaves others
  expected/<case>.ww.json     WW's analyze(model=<folder>, **kwargs) rows and get_summary(),
                              with the exact call, for each case in CASES
  randomize/model.safetensors small layers for randomize=True: one with a few outsized
                              weights (correlation traps), a wide (out < in) one, a square
                              one (Q = 1, quarter circle), a pooled conv with < 100 and one with
                              ≥ 100 components (5 shuffles vs 1)
  expected/randomize_<layer_id>.ww.json  one layer's WW row with randomize=True, and the
                              permutations WW's np.random.shuffle applied, in call order
                              (uint16 little-endian, base64), which the test replays
  expected/randomize_seeds.ww.json       the random columns of two layers over 40 seeds
                              (np.random.seed(k)), for the distribution-level test
Numbers the tests compare: every column of the rows, 1e-6 relative; ints and strings exact.
"""
import json
import math
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
import torch
import weightwatcher as ww
from safetensors.torch import save_file

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "Tests" / "Fixtures" / "options"

# kwargs passed to analyze(); the Swift tests map each to wwmon's options by name.
CASES = {
    "default": {},
    "clip_xmax": {"fix_fingers": "clip_xmax"},
    "mp_fit": {"mp_fit": True},
    "pool_false_mp_fit": {"pool": False, "mp_fit": True},
    "min_evals_40": {"min_evals": 40},
    "max_evals_50": {"max_evals": 50},
    "layer_ids_keep": {"layers": [1, 3, 5]},
    "layer_ids_drop": {"layers": [-2, -4]},
    "layer_names": {"layers": ["spiked_b", "student_a"]},
}


def fingers_model(rng):
    """Weights with the traits each option needs."""
    def spiked(n, m, spikes):
        w = rng.standard_normal((n, m)) / math.sqrt(n)
        for s in spikes:   # rank-one outliers well above the bulk: fingers in the ESD tail
            u = rng.standard_normal(n); v = rng.standard_normal(m)
            w += s * np.outer(u / np.linalg.norm(u), v / np.linalg.norm(v))
        return w
    def fingered(n, m, k, alpha, mult):
        # A Gaussian (MP) bulk whose top k eigenvalues are replaced by the quantiles of a
        # power law with this alpha, starting mult × above the bulk edge: WW's fit takes that
        # short steep tail (a large alpha), and clipping its top moves the fit back down.
        u, s, vt = np.linalg.svd(rng.standard_normal((n, m)) / math.sqrt(n), full_matrices=False)
        lam = s[::-1] ** 2
        q = (np.arange(k) + 0.5) / k
        lam[-k:] = mult * lam[-1] * (1 - q) ** (-1 / (alpha - 1))
        return (u * np.sqrt(lam[::-1])) @ vt
    layers = {
        "finger_a.weight": fingered(120, 60, 8, 8.0, 2.0),
        "finger_b.weight": fingered(100, 70, 12, 5.0, 1.2),
        "finger_c.weight": fingered(90, 64, 16, 12.0, 3.0),
        "spiked_a.weight": spiked(120, 60, [6.0, 9.0]),
        "spiked_b.weight": spiked(96, 64, [4.0, 5.0, 14.0]),
        "student_a.weight": rng.standard_t(2.5, (128, 48)) / 12,
        "student_b.weight": rng.standard_t(3.0, (80, 80)) / 9,
        "gauss.weight": rng.standard_normal((100, 50)) / 10,
        "narrow.weight": rng.standard_normal((64, 7)),
        "conv.weight": rng.standard_normal((16, 8, 3, 3)) / 6,
        "spiked_c.weight": spiked(150, 40, [3.0, 3.2, 12.0, 30.0]),
    }
    return {k: torch.from_numpy(np.ascontiguousarray(v).astype(np.float32)) for k, v in layers.items()}


def randomize_model(rng):
    trap = rng.standard_normal((60, 30)) / math.sqrt(60)
    for (i, j, v) in [(3, 7, 4.0), (40, 11, -3.5), (10, 20, 3.0)]:
        trap[i, j] = v   # outsized weights: spikes of the shuffled ESD (num_traps > 0)
    layers = {
        "trap.weight": trap,
        "wide.weight": rng.standard_normal((24, 40)) / 5,
        "square.weight": rng.standard_normal((32, 32)) / 6,
        "conv_small.weight": rng.standard_normal((12, 6, 3, 3)) / 5,
        "conv_big.weight": rng.standard_normal((16, 12, 3, 3)) / 5,
    }
    return {k: torch.from_numpy(np.ascontiguousarray(v).astype(np.float32)) for k, v in layers.items()}


class RecordShuffles:
    """np.random.shuffle as WW calls it, drawing the same permutation from the same global
    generator (x[:] = x[permutation(n)] consumes exactly what shuffle(x) does) and keeping it."""
    def __init__(self):
        self.perms = []
        self.orig = np.random.shuffle

    def __enter__(self):
        def shuffle(x):
            p = np.random.permutation(len(x))
            x[:] = x[p]
            self.perms.append(p)
        np.random.shuffle = shuffle
        return self

    def __exit__(self, *a):
        np.random.shuffle = self.orig


def gen_randomize(rng):
    import base64
    d = OUT / "randomize"
    if d.exists():
        shutil.rmtree(d)
    d.mkdir(parents=True)
    save_file(randomize_model(rng), str(d / "model.safetensors"))
    ids = sorted(ww.WeightWatcher().analyze(model=str(d))["layer_id"].tolist())
    for lid in ids:
        np.random.seed(100 + lid)
        with RecordShuffles() as rec:
            details = ww.WeightWatcher().analyze(model=str(d), randomize=True, layers=[lid])
        assert all(len(p) < 65536 for p in rec.perms)
        write_json(OUT / "expected" / f"randomize_{lid}.ww.json", {
            "case": f"randomize_{lid}", "kwargs": {"randomize": True, "layers": [lid]},
            "call": "np.random.seed(100 + id); ww.WeightWatcher().analyze(model=<folder>, randomize=True, layers=[id])",
            "weightwatcher_version": ww.__version__, "columns": list(details.columns),
            "layers": [{c: _py(r[c]) for c in details.columns} for _, r in details.iterrows()],
            "permutations": [base64.b64encode(p.astype("<u2").tobytes()).decode() for p in rec.perms]})
    cols = ["rand_distance", "max_rand_eval", "ww_softrank", "ww_maxdist", "rand_sigma_mp", "num_traps"]
    runs = {}
    for k in range(40):
        np.random.seed(k)
        det = ww.WeightWatcher().analyze(model=str(d), randomize=True, layers=[ids[0], ids[2]])
        for _, r in det.iterrows():
            for c in cols:
                runs.setdefault(r["name"], {}).setdefault(c, []).append(_py(r[c]))
    write_json(OUT / "expected" / "randomize_seeds.ww.json", {
        "call": "for k in range(40): np.random.seed(k); analyze(model=<folder>, randomize=True, layers=[...])",
        "weightwatcher_version": ww.__version__, "layers": runs})


def _py(x):
    if isinstance(x, (np.bool_, bool)):
        return bool(x)
    if isinstance(x, np.integer):
        return int(x)
    if isinstance(x, (np.floating, float)):
        x = float(x)
        return x if math.isfinite(x) else None
    return x


def write_json(path: Path, obj) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as f:
        json.dump(obj, f, indent=1, allow_nan=False)
        f.write("\n")


def run_case(folder: Path, name: str, kwargs: dict) -> None:
    details = ww.WeightWatcher().analyze(model=str(folder), **kwargs)
    summary = ww.WeightWatcher().get_summary(details) if len(details) else {}
    write_json(OUT / "expected" / f"{name}.ww.json", {
        "case": name, "kwargs": kwargs, "call": f"ww.WeightWatcher().analyze(model=<folder>, **{kwargs!r})",
        "weightwatcher_version": ww.__version__, "columns": list(details.columns),
        "layers": [{c: _py(r[c]) for c in details.columns} for _, r in details.iterrows()],
        "summary": {k: _py(v) for k, v in summary.items()}})


def main():
    rng = np.random.default_rng(1307)
    d = OUT / "fingers"
    if d.exists():
        shutil.rmtree(d)
    d.mkdir(parents=True)
    save_file(fingers_model(rng), str(d / "model.safetensors"))
    for name, kwargs in CASES.items():
        run_case(d, name, kwargs)
    gen_randomize(np.random.default_rng(2718))
    clip = json.load(open(OUT / "expected" / "clip_xmax.ww.json"))
    fingers = [r["num_fingers"] for r in clip["layers"]]
    print("num_fingers per layer:", fingers)
    assert any(f > 0 for f in fingers) and any(f == 0 for f in fingers), "need layers with and without fingers"


if __name__ == "__main__":
    main()
