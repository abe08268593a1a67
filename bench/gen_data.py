"""Benchmark inputs: two model folders of float32 safetensors, made with numpy from fixed seeds.

  bert/model.safetensors  BERT-base-like encoder: 12 x {query, key, value, attention.output.dense
                          (768x768), intermediate.dense (3072x768), output.dense (768x3072)}, plus
                          the biases and LayerNorm vectors a real checkpoint has (1-D: not analyzed).
  llm/model.safetensors   one LLM block's two largest shapes: q_proj 4096x4096, up_proj 11008x4096.

Each weight is heavy-tailed on purpose so the power-law fit has real work to do: a Gaussian matrix
whose columns are scaled by Pareto-distributed factors (a heavy-tailed ESD), plus a few rank-1
spikes (outliers above the bulk). Usage: python gen_data.py OUTDIR [bert|llm ...]. A folder is
rebuilt only when its recipe changed. Beside each folder: <set>.recipe (the recipe it was made
with) and <set>.shapes.json (the analyzed 2-D shapes, for the LAPACK floor); nothing else goes
into the model folders, so both tools see exactly the checkpoint.
"""

import json
import os
import sys
from pathlib import Path

import numpy as np
from safetensors.numpy import save_file

RECIPE = "v1: gaussian * pareto column scales + rank-1 spikes, f32, seed 20240"
SEED = 20240


def heavy_tailed(rng, rows, cols, tail_index, spikes):
    """rows x cols float32: N(0,1)/sqrt(cols) with columns scaled by sqrt(Pareto(tail_index)),
    plus `spikes` rank-1 terms of strength 3..6 times the bulk's spectral edge."""
    w = rng.standard_normal((rows, cols), dtype=np.float32)
    scale = np.sqrt(1.0 + rng.pareto(tail_index, size=cols)).astype(np.float32)
    w *= scale[None, :] / np.float32(np.sqrt(cols))
    edge = 1.0 + np.sqrt(rows / cols) if rows >= cols else 1.0 + np.sqrt(cols / rows)
    for _ in range(spikes):
        u = rng.standard_normal(rows).astype(np.float32)
        v = rng.standard_normal(cols).astype(np.float32)
        u /= np.linalg.norm(u)
        v /= np.linalg.norm(v)
        s = np.float32(edge * rng.uniform(3.0, 6.0))
        w += (s * u)[:, None] * v[None, :]
    return w


def bert_tensors():
    tensors = {}
    h, ff = 768, 3072
    for i in range(12):
        p = f"encoder.layer.{i}."
        shapes = {
            "attention.self.query": (h, h), "attention.self.key": (h, h),
            "attention.self.value": (h, h), "attention.output.dense": (h, h),
            "intermediate.dense": (ff, h), "output.dense": (h, ff),
        }
        for j, (name, (r, c)) in enumerate(shapes.items()):
            rng = np.random.default_rng([SEED, i, j])
            tensors[p + name + ".weight"] = heavy_tailed(rng, r, c, tail_index=2.0 + 0.25 * j, spikes=2 + j % 3)
            tensors[p + name + ".bias"] = (0.02 * rng.standard_normal(r)).astype(np.float32)
        for ln in ("attention.output.LayerNorm", "output.LayerNorm"):
            tensors[p + ln + ".weight"] = np.ones(h, dtype=np.float32)
            tensors[p + ln + ".bias"] = np.zeros(h, dtype=np.float32)
    return tensors


def llm_tensors():
    p = "model.layers.0."
    return {
        p + "self_attn.q_proj.weight": heavy_tailed(np.random.default_rng([SEED, 100]), 4096, 4096, 2.5, 4),
        p + "mlp.up_proj.weight": heavy_tailed(np.random.default_rng([SEED, 101]), 11008, 4096, 3.0, 6),
    }


SETS = {"bert": bert_tensors, "llm": llm_tensors}


def build(out: Path, name: str) -> None:
    folder = out / name
    stamp = out / f"{name}.recipe"
    if stamp.exists() and stamp.read_text() == RECIPE and (folder / "model.safetensors").exists():
        print(f"{folder}: cached", file=sys.stderr)
        return
    folder.mkdir(parents=True, exist_ok=True)
    tensors = SETS[name]()
    tmp = folder / "model.safetensors.tmp"
    save_file(tensors, str(tmp))
    os.replace(tmp, folder / "model.safetensors")
    # Shapes for the LAPACK floor, in file order: the analyzed 2-D *.weight tensors.
    shapes = [list(t.shape) for k, t in sorted(tensors.items()) if k.endswith(".weight") and t.ndim == 2]
    (out / f"{name}.shapes.json").write_text(json.dumps(shapes))
    stamp.write_text(RECIPE)
    print(f"{folder}: wrote {len(tensors)} tensors", file=sys.stderr)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: gen_data.py OUTDIR [bert|llm ...]")
    out = Path(sys.argv[1])
    for name in sys.argv[2:] or list(SETS):
        if name not in SETS:
            sys.exit(f"gen_data.py: unknown set {name!r} (known: {', '.join(SETS)})")
        build(out, name)
