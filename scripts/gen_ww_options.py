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
    clip = json.load(open(OUT / "expected" / "clip_xmax.ww.json"))
    fingers = [r["num_fingers"] for r in clip["layers"]]
    print("num_fingers per layer:", fingers)
    assert any(f > 0 for f in fingers) and any(f == 0 for f in fingers), "need layers with and without fingers"


if __name__ == "__main__":
    main()
