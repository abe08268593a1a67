#!/usr/bin/env python3
"""Writes the tiny hostile checkpoints of the reliability tests (issue 10) with real torch.

Run with the venv python (bench/setup-venv.sh; torch pinned there):
    ~/.cache/wwmon/venv/bin/python scripts/gen_reliability_fixtures.py

Writes Tests/Fixtures/reliability/ (committed, each well under 1 KB):
  stride0_huge.pt   one float32 element expanded to a 50000 x 15000 view (stride 0): a
                    1.6 KB file whose "fc.weight" asks for 6 GB as float64 (planned:
                    within WeightWatcher's max_N and max_evals)
  stride0_wide.pt   the same trick at 2000 x 500: small enough to analyse, and must be fast
                    (stride-0 gathers once walked the view once per output chunk)
"""
import pathlib
import torch

OUT = pathlib.Path(__file__).resolve().parent.parent / "Tests" / "Fixtures" / "reliability"
OUT.mkdir(parents=True, exist_ok=True)
assert torch.__version__.startswith("2."), torch.__version__

def save(shape, name):
    one = torch.ones(1, dtype=torch.float32)
    torch.save({"fc.weight": one.expand(*shape)}, OUT / name)

save((50000, 15000), "stride0_huge.pt")
save((2000, 500), "stride0_wide.pt")
for p in sorted(OUT.glob("*.pt")):
    print(p.name, p.stat().st_size)
