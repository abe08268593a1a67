#!/usr/bin/env python3
"""Runs tiny CPU trainings with the real frameworks and records the file-write sequence each one
makes in its output folder, for the issue-9 tests (replay into a watched folder of a running
daemon; reader-level checks in Tests/CheckpointTests/FrameworkRunTests.swift).

Pinned versions (scripts/requirements-frameworks.txt; the shared venv bench/setup-venv.sh builds
has exactly these):  torch 2.15.0, transformers 5.24.0, lightning 2.6.6, accelerate 1.15.0,
safetensors 0.8.0, numpy 2.4.6. The script refuses to record with other versions.

    ~/.cache/wwmon/venv/bin/python scripts/gen_framework_runs.py [--only CASE ...]

How a case is recorded: the training runs in a child process (this script with --train CASE)
writing into an empty temporary folder (the "watched root"); this process watches that folder
recursively with inotify (ctypes, no extra package) and records, in order:
  mkdir / rmdir           IN_CREATE / IN_DELETE of a folder
  write                   IN_CLOSE_WRITE of a file; its bytes are read at once (the file is
                          opened while the event is fresh, before a rotation can delete it) and
                          stored once under blobs/<sha256>
  rename                  IN_MOVED_FROM + IN_MOVED_TO (same cookie); moves in or out of the
                          root become write/mkdir or delete/rmdir. A file renamed before its
                          first close (safetensors writes .tmpXXXX, renames it, then closes it)
                          gets a write under its old name first, with the bytes it holds then
  symlink                 IN_CREATE of a symbolic link (target as written by the framework)
  delete                  IN_DELETE of a file or link
A folder created before its watch was in place is listed right after the watch is added and what
it already holds is recorded then (a later IN_CLOSE_WRITE of a listed file replaces that record).

Output per case (the daemon helper's replay test codes against exactly this):
  Tests/Fixtures/frameworks/<case>/sequence.json
  Tests/Fixtures/frameworks/blobs/<sha256>
sequence.json: {"case", "framework", "run_dir": ".", "expected": {...}, "events": [...]}
  expected.steps           every step the framework saved at (all runs, sorted, from the
                           framework's own state, not from wwmon)
  expected.steps_by_run    run folder (relative to the root) -> its steps
  expected.vanished_steps  steps whose checkpoint the framework deleted during the run
  expected.runs            run folders relative to the root ("." = the root itself)
  expected.training_keys   training metrics a reader must attach to every checkpoint of the case
  expected.checkpoints     [{path, run, step, epoch, step_source, ready_event}]: each saved
                           checkpoint, what the reader must say of it once events[0...ready_event]
                           have been replayed (the checkpoint is then whole)
  expected.aliases         [{path, of}]: files that hold the same weights as a checkpoint
                           (last.ckpt, its link, a final save_model()) and are no new point
  expected.not_checkpoints files the framework writes beside the weights that hold no weights
  events                   [{"t", "op", "path", ...}]; t = seconds from the first event
"""
import argparse
import ctypes
import ctypes.util
import hashlib
import json
import os
import select
import shutil
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "Tests" / "Fixtures" / "frameworks"
BLOBS = OUT / "blobs"

CASES = ["hf-trainer", "hf-final-save", "hf-rotate", "lightning-last", "lightning-last-link",
         "lightning-two-fits", "accelerate-state", "research-dict", "torch-loop"]

# ---------------------------------------------------------------- the trainings (child side)


def tiny_bert():
    from transformers import BertConfig, BertForSequenceClassification
    cfg = BertConfig(vocab_size=64, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                     intermediate_size=16, max_position_embeddings=16, type_vocab_size=1, num_labels=2)
    return BertForSequenceClassification(cfg)


class TokenData:
    """A tiny random classification set (a torch-style Dataset of dicts)."""

    def __init__(self, n, seed):
        import torch
        g = torch.Generator().manual_seed(seed)
        self.ids = torch.randint(0, 64, (n, 8), generator=g)
        self.labels = (self.ids.sum(1) % 2).long()

    def __len__(self):
        return len(self.ids)

    def __getitem__(self, i):
        import torch
        return {"input_ids": self.ids[i], "attention_mask": torch.ones(8, dtype=torch.long), "labels": self.labels[i]}


def hf_args(root, **kw):
    from transformers import TrainingArguments
    base = dict(output_dir=root, per_device_train_batch_size=4, per_device_eval_batch_size=8,
                learning_rate=1e-3, logging_steps=5, report_to="none", use_cpu=True, seed=3,
                save_strategy="steps", dataloader_num_workers=0, disable_tqdm=True)
    base.update(kw)
    return TrainingArguments(**base)


def hf_result(trainer, root):
    """Steps the Trainer saved at, from its own state files (trainer_state.json of each folder)."""
    ckpts = []
    for d in sorted(Path(root).glob("checkpoint-*"), key=lambda p: int(p.name.split("-")[1])):
        st = json.loads((d / "trainer_state.json").read_text())
        ckpts.append({"path": d.name, "run": ".", "step": st["global_step"], "epoch": st["epoch"], "step_source": "framework"})
    return ckpts


def train_hf(case, root):
    import torch
    from transformers import Trainer, TrainerCallback
    torch.manual_seed(1)
    saved = []

    class Saves(TrainerCallback):
        # The Trainer's own record of each save: global_step and epoch when on_save fires.
        def on_save(self, args, state, control, **kw):
            saved.append({"path": f"checkpoint-{state.global_step}", "run": ".", "step": state.global_step,
                          "epoch": state.epoch, "step_source": "framework"})

    if case == "hf-trainer":
        args = hf_args(root, max_steps=15, save_steps=5, eval_strategy="steps", eval_steps=5)
    elif case == "hf-final-save":
        args = hf_args(root, max_steps=10, save_steps=5, eval_strategy="steps", eval_steps=5)
    else:  # hf-rotate: a save at every step, only the newest kept
        args = hf_args(root, max_steps=12, save_steps=1, save_total_limit=1, logging_steps=1,
                       eval_strategy="steps", eval_steps=1)
    trainer = Trainer(model=tiny_bert(), args=args, train_dataset=TokenData(64, 1), eval_dataset=TokenData(16, 2),
                      callbacks=[Saves()])
    trainer.train()
    result = {"checkpoints": saved, "runs": ["."], "training_keys": ["eval_loss", "grad_norm", "learning_rate", "loss"],
              "aliases": [], "not_checkpoints": []}
    if case == "hf-final-save":
        trainer.save_model()  # output_dir/model.safetensors + config.json + training_args.bin
        result["aliases"] = [{"path": "model.safetensors", "of": saved[-1]["path"]}]
        result["not_checkpoints"] = ["training_args.bin"]
        result["notes"] = ("trainer.save_model() at the end writes output_dir/model.safetensors (the same weights as the "
                           "last checkpoint-N: an alias, no new point; no trainer_state.json beside it, and the root's "
                           "folder name must not give it a step) and output_dir/training_args.bin (no weights).")
    elif case == "hf-rotate":
        result["notes"] = ("save_total_limit=1 with a save every step: each new checkpoint-N is followed by the deletion "
                           "of the previous one; vanished_steps are the framework's deletions (whether a daemon can "
                           "analyse one before it goes depends on settle_seconds vs these gaps).")
    else:
        result["notes"] = "eval at every save, so each checkpoint's trainer_state.json log_history holds eval_loss at its step."
    result["not_checkpoints"] += ["checkpoint-N/optimizer.pt", "checkpoint-N/scheduler.pt", "checkpoint-N/rng_state.pth",
                                  "checkpoint-N/training_args.bin"]
    return result


def lightning_module():
    import lightning as L
    import torch
    import torch.nn as nn

    class Tiny(L.LightningModule):
        def __init__(self):
            super().__init__()
            self.net = nn.Sequential(nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 4))

        def training_step(self, batch, _):
            x, y = batch
            loss = nn.functional.cross_entropy(self.net(x), y)
            self.log("train_loss", loss)
            return loss

        def validation_step(self, batch, _):
            x, y = batch
            self.log("val_loss", nn.functional.cross_entropy(self.net(x), y))

        def configure_optimizers(self):
            return torch.optim.AdamW(self.parameters(), lr=1e-2)

    return Tiny()


def lightning_data(seed):
    import torch
    from torch.utils.data import DataLoader, TensorDataset
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(32, 16, generator=g)
    y = torch.randint(0, 4, (32,), generator=g)
    return DataLoader(TensorDataset(x, y), batch_size=8), DataLoader(TensorDataset(x[:8], y[:8]), batch_size=8)


def train_lightning(case, root):
    import lightning as L
    import torch
    from lightning.pytorch.callbacks import Callback, ModelCheckpoint
    from lightning.pytorch.loggers import CSVLogger
    torch.manual_seed(2)
    checkpoints, aliases, runs = [], [], []
    save_last = "link" if case == "lightning-last-link" else True
    fits = [3, 2] if case == "lightning-two-fits" else [3]

    for epochs in fits:
        logger = CSVLogger(save_dir=root, name="lightning_logs")
        run = f"lightning_logs/version_{logger.version}"
        runs.append(run)

        class Saves(Callback):
            # Lightning's own record of each save: trainer.global_step / current_epoch at save time.
            def on_save_checkpoint(self, trainer, module, checkpoint):
                checkpoints.append({"run": run, "step": checkpoint["global_step"], "epoch": checkpoint["epoch"],
                                    "step_source": "framework"})

        mc = ModelCheckpoint(monitor="val_loss", save_top_k=-1, save_last=save_last, every_n_epochs=1)
        trainer = L.Trainer(max_epochs=epochs, accelerator="cpu", devices=1, default_root_dir=root, logger=logger,
                            callbacks=[mc, Saves()], enable_progress_bar=False, enable_model_summary=False,
                            log_every_n_steps=1, num_sanity_val_steps=0)
        train, val = lightning_data(len(runs))
        trainer.fit(lightning_module(), train, val)
        # The ckpt file of each save, by step (epoch=E-step=S.ckpt); last.ckpt is the newest again.
        ckdir = Path(root) / run / "checkpoints"
        for c in checkpoints:
            if c["run"] == run and "path" not in c:
                c["path"] = f"{run}/checkpoints/epoch={c['epoch']}-step={c['step']}.ckpt"
        newest = max((c for c in checkpoints if c["run"] == run), key=lambda c: c["step"])
        aliases.append({"path": f"{run}/checkpoints/last.ckpt", "of": newest["path"]})
        assert (ckdir / "last.ckpt").exists()
    # Each on_save fires once per file written (the epoch=..ckpt, then last.ckpt): keep one per step.
    seen, unique = set(), []
    for c in checkpoints:
        if (c["run"], c["step"]) not in seen:
            seen.add((c["run"], c["step"]))
            unique.append(c)
    notes = {"lightning-last": "save_last=True rewrites last.ckpt (a copy of the newest epoch=..ckpt) at every save.",
             "lightning-last-link": "save_last='link' makes last.ckpt a symlink to the newest epoch=..ckpt, replaced at every save.",
             "lightning-two-fits": "two Trainer.fit() into one default_root_dir: lightning_logs/version_0 and version_1 are two runs with overlapping steps."}[case]
    return {"checkpoints": unique, "runs": runs, "training_keys": ["val_loss"], "aliases": aliases,
            "not_checkpoints": [], "notes": notes}


def train_accelerate(case, root):
    import torch
    import torch.nn as nn
    from accelerate import Accelerator
    from accelerate.utils import ProjectConfiguration
    torch.manual_seed(4)
    acc = Accelerator(cpu=True, project_config=ProjectConfiguration(project_dir=root, automatic_checkpoint_naming=True))
    model = nn.Sequential(nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 4))
    opt = torch.optim.AdamW(model.parameters(), lr=1e-2)
    sched = torch.optim.lr_scheduler.LinearLR(opt, start_factor=1.0, end_factor=0.1, total_iters=40)
    model, opt, sched = acc.prepare(model, opt, sched)
    x, y = torch.randn(8, 16), torch.randint(0, 4, (8,))
    checkpoints = []
    for step in range(1, 31):
        loss = nn.functional.cross_entropy(model(x), y)
        acc.backward(loss)
        opt.step()
        sched.step()
        opt.zero_grad()
        if step % 10 == 0:
            k = len(checkpoints)
            acc.save_state()  # -> checkpoints/checkpoint_<k>
            checkpoints.append({"path": f"checkpoints/checkpoint_{k}", "run": ".", "step": step, "epoch": None,
                                "step_source": "optimizer"})
    return {"checkpoints": checkpoints, "runs": ["."], "training_keys": [], "aliases": [],
            "not_checkpoints": ["checkpoints/checkpoint_K/optimizer.bin", "checkpoints/checkpoint_K/scheduler.bin",
                                "checkpoints/checkpoint_K/random_states_0.pkl"],
            "notes": "save_state() with automatic_checkpoint_naming: checkpoint_K counts saves (0, 1, 2); the step is "
                     "the AdamW state's step counter in optimizer.bin (10, 20, 30)."}


def train_research(case, root):
    import argparse as ap
    import torch
    import torch.nn as nn
    torch.manual_seed(5)
    model = nn.Sequential(nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 4))
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9) if case == "torch-loop" else \
        torch.optim.Adam(model.parameters(), lr=1e-2)
    args = ap.Namespace(arch="mlp", lr=1e-2, epochs=4, batch_size=8, layers=[16, 16], resume="")
    g = torch.Generator().manual_seed(6)
    x, y = torch.randn(40, 16, generator=g), torch.randint(0, 4, (40,), generator=g)
    checkpoints, step, best_acc1 = [], 0, torch.tensor(0.0)
    for epoch in range(1, 5):
        for i in range(0, 40, 8):
            loss = nn.functional.cross_entropy(model(x[i:i + 8]), y[i:i + 8])
            opt.zero_grad()
            loss.backward()
            opt.step()
            step += 1
        with torch.no_grad():
            acc1 = (model(x).argmax(1) == y).float().mean() * 100
        best_acc1 = torch.maximum(best_acc1, acc1)
        if case == "research-dict":
            # The ImageNet-example / timm way: everything needed to resume, one file per epoch.
            path = f"ckpt_{epoch}.pt"
            torch.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": epoch, "args": args,
                        "best_acc1": best_acc1, "loss": float(loss)}, os.path.join(root, path))
            checkpoints.append({"path": path, "run": ".", "step": step, "epoch": epoch, "step_source": "optimizer"})
        else:
            path = f"model_step_{step}.pt"
            torch.save(model.state_dict(), os.path.join(root, path))
            checkpoints.append({"path": path, "run": ".", "step": step, "epoch": None, "step_source": "name"})
    if case == "research-dict":
        return {"checkpoints": checkpoints, "runs": ["."], "training_keys": ["best_acc1", "loss"], "aliases": [],
                "not_checkpoints": [],
                "notes": "torch.save({model, optimizer, epoch, args: argparse.Namespace, best_acc1: 0-dim tensor, loss}) "
                         "as ckpt_{epoch}.pt: the step is Adam's step counter (5 per epoch), the epoch the 'epoch' key; "
                         "the name's number is the epoch, not the step."}
    return {"checkpoints": checkpoints, "runs": ["."], "training_keys": [], "aliases": [], "not_checkpoints": [],
            "notes": "plain torch.save(model.state_dict()) per epoch as model_step_<global step>.pt: only the name carries the step."}


def train(case, root, result_path):
    if case.startswith("hf-"):
        result = train_hf(case, root)
    elif case.startswith("lightning-"):
        result = train_lightning(case, root)
    elif case == "accelerate-state":
        result = train_accelerate(case, root)
    else:
        result = train_research(case, root)
    Path(result_path).write_text(json.dumps(result))


# ---------------------------------------------------------------- the recorder (parent side)

IN_CLOSE_WRITE, IN_MOVED_FROM, IN_MOVED_TO, IN_CREATE, IN_DELETE = 0x8, 0x40, 0x80, 0x100, 0x200
IN_Q_OVERFLOW, IN_IGNORED, IN_ISDIR = 0x4000, 0x8000, 0x40000000
MASK = IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_CREATE | IN_DELETE


class Recorder:
    def __init__(self, root):
        self.root = root
        self.libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        self.fd = self.libc.inotify_init1(os.O_CLOEXEC | os.O_NONBLOCK)
        if self.fd < 0:
            raise OSError(ctypes.get_errno(), "inotify_init1")
        self.dirs = {}          # wd -> folder relative to root ("" = root)
        self.known_dirs = set()
        self.events = []
        self.t0 = None
        self.moved = {}         # cookie -> (relpath, is_dir)
        self.listed = {}        # relpath -> index of the event recorded when its folder was listed
        self.lost = []
        self.written = set()    # files whose bytes have been recorded under their current name
        self.watch("")

    def now(self):
        t = time.monotonic()
        if self.t0 is None:
            self.t0 = t
        return round(t - self.t0, 4)

    def abs(self, rel):
        return os.path.join(self.root, rel) if rel else self.root

    def emit(self, op, path, **kw):
        ev = {"t": self.now(), "op": op, "path": path}
        ev.update(kw)
        self.events.append(ev)
        return len(self.events) - 1

    def watch(self, rel):
        wd = self.libc.inotify_add_watch(self.fd, self.abs(rel).encode(), MASK)
        if wd < 0:
            return  # removed before the watch was in place; its IN_DELETE follows
        self.dirs[wd] = rel
        self.known_dirs.add(rel)
        # What the folder already holds (created before the watch existed).
        try:
            names = sorted(os.listdir(self.abs(rel)))
        except FileNotFoundError:
            return
        for name in names:
            child = os.path.join(rel, name) if rel else name
            full = self.abs(child)
            if os.path.islink(full):
                self.symlink(child)
            elif os.path.isdir(full):
                if child not in self.known_dirs:
                    self.emit("mkdir", child)
                    self.watch(child)
            elif os.path.isfile(full):
                i = self.write(child)
                if i is not None:
                    self.listed[child] = i

    def symlink(self, rel):
        try:
            target = os.readlink(self.abs(rel))
        except OSError:
            return
        self.emit("symlink", rel, target=target)

    def write(self, rel, source=None):
        try:
            with open(self.abs(source or rel), "rb") as f:
                data = f.read()
        except (FileNotFoundError, IsADirectoryError):
            self.lost.append(rel)
            return None
        sha = hashlib.sha256(data).hexdigest()
        blob = BLOBS / sha
        if not blob.exists():
            blob.write_bytes(data)
        self.written.add(rel)
        return self.emit("write", rel, blob=sha)

    def flush_moves(self):
        for _, (rel, is_dir) in self.moved.items():
            self.emit("rmdir" if is_dir else "delete", rel)
        self.moved.clear()

    def pump(self, timeout):
        r, _, _ = select.select([self.fd], [], [], timeout)
        if not r:
            return False
        try:
            buf = os.read(self.fd, 1 << 20)
        except BlockingIOError:
            return False
        off = 0
        while off < len(buf):
            wd, mask, cookie, length = struct.unpack_from("iIII", buf, off)
            name = buf[off + 16: off + 16 + length].split(b"\0", 1)[0].decode()
            off += 16 + length
            self.handle(wd, mask, cookie, name)
        return True

    def handle(self, wd, mask, cookie, name):
        if mask & IN_Q_OVERFLOW:
            raise RuntimeError("inotify queue overflow: the recording is incomplete")
        if mask & IN_IGNORED:
            self.dirs.pop(wd, None)
            return
        if wd not in self.dirs:
            return
        parent = self.dirs[wd]
        rel = os.path.join(parent, name) if parent else name
        is_dir = bool(mask & IN_ISDIR)
        if not (mask & IN_MOVED_TO):
            self.flush_moves()
        if mask & IN_CREATE:
            if os.path.islink(self.abs(rel)):
                self.symlink(rel)
            elif is_dir and rel not in self.known_dirs:
                self.emit("mkdir", rel)
                self.watch(rel)
        elif mask & IN_CLOSE_WRITE:
            i = self.listed.pop(rel, None)
            if i is not None:
                # Listed while still being written: this close is the whole file; drop the early copy.
                self.events[i] = None
            self.write(rel)
        elif mask & IN_MOVED_FROM:
            self.moved[cookie] = (rel, is_dir)
        elif mask & IN_MOVED_TO:
            src = self.moved.pop(cookie, None)
            if src is not None:
                if not src[1] and src[0] not in self.written and not os.path.islink(self.abs(rel)):
                    # Renamed before its first close (safetensors writes a .tmp, renames it, then
                    # closes it): the bytes it holds at the rename are written under the old name.
                    self.write(src[0], source=rel)
                self.emit("rename", src[0], to=rel)
                self.written.discard(src[0])
                self.written.add(rel)
                if src[1]:
                    self.rename_dirs(src[0], rel)
            elif is_dir:
                self.emit("mkdir", rel)
                self.watch(rel)
            elif os.path.islink(self.abs(rel)):
                self.symlink(rel)
            else:
                self.write(rel)
        elif mask & IN_DELETE:
            self.emit("rmdir" if is_dir else "delete", rel)
            self.written.discard(rel)
            if is_dir:
                self.known_dirs.discard(rel)

    def rename_dirs(self, old, new):
        for wd, rel in list(self.dirs.items()):
            if rel == old or rel.startswith(old + "/"):
                self.dirs[wd] = new + rel[len(old):]
        self.known_dirs = {new + d[len(old):] if d == old or d.startswith(old + "/") else d for d in self.known_dirs}

    def finish(self):
        self.flush_moves()
        return [e for e in self.events if e is not None]


def ready_event(events, path):
    """Index of the last event that writes into the checkpoint at `path` before anything of it is
    deleted (file, or folder and what is under it, followed through renames)."""
    last = None
    names = {path}
    for i, e in enumerate(events):
        p = e["path"]
        hit = any(p == n or p.startswith(n + "/") for n in names)
        if e["op"] == "rename" and any(e["to"] == n or e["to"].startswith(n + "/") for n in names):
            last = i
            continue
        if not hit:
            continue
        if e["op"] in ("delete", "rmdir"):
            break
        if e["op"] in ("write", "mkdir", "symlink"):
            last = i
    return last


def record(case, python):
    work = Path(tempfile.mkdtemp(prefix=f"wwmon-{case}-"))
    root = work / "root"
    root.mkdir()
    result_path = work / "result.json"
    rec = Recorder(str(root))
    env = dict(os.environ, OMP_NUM_THREADS="1", TOKENIZERS_PARALLELISM="false", PYTHONHASHSEED="0",
               CUDA_VISIBLE_DEVICES="", TRANSFORMERS_VERBOSITY="error")
    child = subprocess.Popen([python, __file__, "--train", case, "--root", str(root), "--result", str(result_path)],
                             env=env, cwd=str(work), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    while child.poll() is None:
        rec.pump(0.05)
    while rec.pump(0.5):
        pass
    err = child.stderr.read().decode(errors="replace")
    if child.returncode != 0:
        raise RuntimeError(f"{case}: training failed ({child.returncode}):\n{err[-3000:]}")
    events = rec.finish()
    if rec.lost:
        raise RuntimeError(f"{case}: files gone before their bytes could be read: {rec.lost}")
    result = json.loads(result_path.read_text())
    for c in result["checkpoints"]:
        c["ready_event"] = ready_event(events, c["path"])
        if c["ready_event"] is None:
            raise RuntimeError(f"{case}: no write recorded for {c['path']}")
    gone = [c["step"] for c in result["checkpoints"] if not (root / c["path"]).exists()]
    by_run = {}
    for c in result["checkpoints"]:
        by_run.setdefault(c["run"], []).append(c["step"])
    import torch
    versions = {"hf": "transformers", "lightning": "lightning", "accelerate": "accelerate"}
    mod = versions.get(case.split("-")[0])
    fw = f"{mod} {__import__(mod).__version__}, torch {torch.__version__}" if mod else f"torch {torch.__version__}"
    doc = {"case": case, "framework": fw, "run_dir": ".",
           "expected": {"steps": sorted(s for c in result["checkpoints"] for s in [c["step"]]),
                        "steps_by_run": by_run, "vanished_steps": sorted(gone), "runs": result["runs"],
                        "training_keys": result["training_keys"], "notes": result.get("notes", ""),
                        "checkpoints": result["checkpoints"], "aliases": result["aliases"],
                        "not_checkpoints": result["not_checkpoints"]},
           "events": events}
    d = OUT / case
    d.mkdir(parents=True, exist_ok=True)
    (d / "sequence.json").write_text(json.dumps(doc, indent=1) + "\n")
    shutil.rmtree(work)
    return len(events)


def check_pins():
    from importlib.metadata import version
    for line in (ROOT / "scripts" / "requirements-frameworks.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, want = line.strip().split("==")
            have = version(name).split("+")[0]
            if have != want:
                sys.exit(f"{name} {have} is installed, the recordings are pinned to {want} "
                         f"(pip install -r scripts/requirements-frameworks.txt into a venv of your own)")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", nargs="*", choices=CASES)
    ap.add_argument("--train", choices=CASES, help=argparse.SUPPRESS)
    ap.add_argument("--root", help=argparse.SUPPRESS)
    ap.add_argument("--result", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.train:
        train(a.train, a.root, a.result)
        return
    check_pins()
    BLOBS.mkdir(parents=True, exist_ok=True)
    for case in a.only or CASES:
        n = record(case, sys.executable)
        print(f"{case}: {n} events", flush=True)
    # Blobs no sequence refers to any more (an older recording) are removed after a full run.
    used = set()
    for seq in OUT.glob("*/sequence.json"):
        used |= {e["blob"] for e in json.loads(seq.read_text())["events"] if "blob" in e}
    for b in BLOBS.iterdir():
        if b.name not in used and not a.only:
            b.unlink()
    total = sum(b.stat().st_size for b in BLOBS.iterdir())
    print(f"blobs: {len(used)} files, {total} bytes", flush=True)


if __name__ == "__main__":
    main()
