#!/usr/bin/env python3
"""Trains a grid of small MLPs on scikit-learn's digits (8x8 images, 10 classes; the data ship
inside the scikit-learn wheel, so no download) and writes each run's checkpoints as
safetensors while `wwmon daemon` watches the folder. Nothing here was tuned to make
WeightWatcher's metrics look good: the grid was fixed before the first run.

Grid: 3 depths (2, 3, 4 hidden layers of width 256) x 5 optimiser settings (learning rate,
batch size, weight decay), plain SGD with momentum 0.9, 60 epochs, a checkpoint every 10 epochs
(step = optimiser steps so far, in the safetensors metadata). Held-out test accuracy and loss at
every checkpoint go to results.json, for `wwmon note`.

    python train_digits.py OUT_DIR            # OUT_DIR/depth{2,3,4}/<run>/checkpoint-<step>.safetensors
"""
import json
import os
import sys
import time

import numpy as np
import sklearn
from safetensors.numpy import save_file
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

assert np.__version__ == "2.4.6" and sklearn.__version__ == "1.9.1", (np.__version__, sklearn.__version__)

WIDTH = 256
EPOCHS = 60
EVERY = 10
DEPTHS = [2, 3, 4]
SETTINGS = [  # (learning rate, batch size, weight decay)
    (0.003, 128, 0.0),
    (0.01, 64, 1e-4),
    (0.03, 32, 0.0),
    (0.1, 16, 1e-4),
    (0.1, 128, 1e-3),
]


def init(depth, rng):
    sizes = [64] + [WIDTH] * depth + [10]
    # He initialisation, torch's Linear layout: weight (out, in).
    return [(rng.normal(0, np.sqrt(2 / i), size=(o, i)).astype(np.float32), np.zeros(o, np.float32))
            for i, o in zip(sizes[:-1], sizes[1:])]


def forward(params, x):
    acts = [x]
    for k, (w, b) in enumerate(params):
        z = acts[-1] @ w.T + b
        acts.append(np.maximum(z, 0) if k < len(params) - 1 else z)
    return acts


def loss_and_grads(params, x, y):
    acts = forward(params, x)
    logits = acts[-1]
    logits = logits - logits.max(axis=1, keepdims=True)
    p = np.exp(logits); p /= p.sum(axis=1, keepdims=True)
    n = len(y)
    loss = -np.log(p[np.arange(n), y] + 1e-12).mean()
    d = p; d[np.arange(n), y] -= 1; d /= n
    grads = []
    for k in range(len(params) - 1, -1, -1):
        w, _ = params[k]
        grads.append((d.T @ acts[k], d.sum(axis=0)))
        if k > 0:
            d = (d @ w) * (acts[k] > 0)
    return loss, grads[::-1]


def evaluate(params, x, y):
    logits = forward(params, x)[-1]
    logits = logits - logits.max(axis=1, keepdims=True)
    logp = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    return float((logits.argmax(axis=1) == y).mean()), float(-logp[np.arange(len(y)), y].mean())


def save(params, path, step, epoch):
    tensors = {}
    for k, (w, b) in enumerate(params):
        tensors[f"layers.{k}.weight"] = np.ascontiguousarray(w)
        tensors[f"layers.{k}.bias"] = np.ascontiguousarray(b)
    # Written beside, then renamed: the daemon sees whole files only (as torch/HF savers do).
    tmp = path + ".tmp"
    save_file(tensors, tmp, metadata={"format": "pt", "step": str(step), "epoch": str(epoch)})
    os.replace(tmp, path)


def main(out):
    data = load_digits()
    x = (data.data / 16.0).astype(np.float32)
    x_train, x_test, y_train, y_test = train_test_split(x, data.target, test_size=0.25, random_state=0,
                                                        stratify=data.target)
    results = []
    for depth in DEPTHS:
        for lr, batch, wd in SETTINGS:
            run = f"d{depth}-lr{lr:g}-b{batch}-wd{wd:g}"
            run_dir = os.path.join(out, f"depth{depth}", run)
            os.makedirs(run_dir, exist_ok=True)
            rng = np.random.default_rng(1234)  # the same seed for every run: only the grid differs
            params = init(depth, rng)
            velocity = [(np.zeros_like(w), np.zeros_like(b)) for w, b in params]
            step, started = 0, time.time()
            points = []
            for epoch in range(1, EPOCHS + 1):
                order = rng.permutation(len(y_train))
                for i in range(0, len(order), batch):
                    idx = order[i:i + batch]
                    _, grads = loss_and_grads(params, x_train[idx], y_train[idx])
                    for k, ((w, b), (gw, gb), (vw, vb)) in enumerate(zip(params, grads, velocity)):
                        vw *= 0.9; vw += gw + wd * w
                        vb *= 0.9; vb += gb
                        w -= lr * vw; b -= lr * vb
                    step += 1
                if epoch % EVERY == 0:
                    acc, loss = evaluate(params, x_test, y_test)
                    train_acc, _ = evaluate(params, x_train, y_train)
                    save(params, os.path.join(run_dir, f"checkpoint-{step}.safetensors"), step, epoch)
                    points.append({"step": step, "epoch": epoch, "test_accuracy": acc, "test_loss": loss,
                                   "train_accuracy": train_acc})
            results.append({"run": run, "depth": depth, "lr": lr, "batch": batch, "weight_decay": wd,
                            "checkpoints": points})
            print(f"{run}: test accuracy {points[-1]['test_accuracy']:.4f} "
                  f"({time.time() - started:.1f} s, {len(points)} checkpoints)", flush=True)
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump(results, f, indent=1)


if __name__ == "__main__":
    main(sys.argv[1])
