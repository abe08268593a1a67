#!/usr/bin/env python3
"""Writes examples/tiny-cnn/model.safetensors: a small CNN-plus-MLP state dict (numpy only,
fixed seed) whose layers span WeightWatcher's regimes: a random-like (under-trained) layer,
heavy-tailed layers, a conv kernel, a norm scale and biases (skipped). Used by the README's
main-job command and by tests."""
import json, struct
from pathlib import Path
import numpy as np

rng = np.random.default_rng(2026)

def heavy(rows, cols, tail):
    # Gaussian bulk plus a Pareto-tailed component: alpha moves with `tail`.
    w = rng.standard_normal((rows, cols)) * 0.02
    w += 0.01 * np.sign(rng.standard_normal((rows, cols))) * (rng.pareto(tail, (rows, cols)))
    return w.astype(np.float32)

tensors = {
    "features.0.weight": (rng.standard_normal((32, 3, 3, 3)) * 0.2).astype(np.float32),
    "features.0.bias": np.zeros(32, np.float32),
    "features.3.weight": (rng.standard_normal((64, 32, 3, 3)) * 0.05).astype(np.float32),
    "features.3.bias": np.zeros(64, np.float32),
    "norm.weight": np.ones(64, np.float32),
    "classifier.0.weight": heavy(192, 384, 2.0),
    "classifier.0.bias": np.zeros(192, np.float32),
    "classifier.2.weight": heavy(128, 192, 3.0),
    "classifier.4.weight": (rng.standard_normal((10, 128)) * 0.05).astype(np.float32),
    "embed.weight": (rng.standard_normal((300, 64)) * 0.1).astype(np.float32),
}

header, blobs, off = {"__metadata__": {"format": "pt"}}, [], 0
for name in sorted(tensors):
    b = np.ascontiguousarray(tensors[name]).astype("<f4").tobytes()
    header[name] = {"dtype": "F32", "shape": list(tensors[name].shape), "data_offsets": [off, off + len(b)]}
    blobs.append(b); off += len(b)
h = json.dumps(header, separators=(",", ":")).encode()
h += b" " * (-len(h) % 8)
out = Path(__file__).resolve().parent.parent / "examples" / "tiny-cnn" / "model.safetensors"
out.parent.mkdir(parents=True, exist_ok=True)
out.write_bytes(struct.pack("<Q", len(h)) + h + b"".join(blobs))
print(out, out.stat().st_size)
