"""Benchmark driver (called by bench/run.sh): WeightWatcher 0.7.7 vs `wwmon analyze` vs the bare
LAPACK floor, on the models made by gen_data.py, all measured in this one run.

For each model set it
  1. times the LAPACK floor (`lapack-floor`: dsyrk + dsyevd of the same shapes in float64,
     2 OpenBLAS threads, fastest kernels for this CPU, summed over layers, median of R),
  2. times `wwmon analyze FOLDER --format json` as a whole process (wall time, peak RSS via wait4),
     median of R,
  3. times WeightWatcher's analyze(model=FOLDER) (ww_run.py in the venv), median of R,
  4. checks every column of every layer and the summary agree,
and prints one table. Every measurement waits for a quiet machine first and records the CPU other
processes used meanwhile; a contended one is re-run once (quiet.py). Exit status 1 when the
numbers disagree or a tool fails; missed speed targets are reported, not fatal.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import quiet

HERE = Path(__file__).resolve().parent

# The `--format json` layer contract of issue 2 (WeightWatcher's column names).
INT_COLS = ["layer_id", "N", "M", "rf", "num_evals", "rank_loss", "weak_rank_loss", "num_pl_spikes", "matrix_rank"]
STR_COLS = ["name", "longname", "layer_type", "status", "warning"]
FLOAT_COLS = ["Q", "sv_max", "sv_min", "lambda_max", "alpha", "xmin", "xmax", "D", "sigma", "norm", "log_norm",
              "spectral_norm", "log_spectral_norm", "alpha_weighted", "log_alpha_norm", "stable_rank", "entropy"]
SUMMARY_COLS = ["log_norm", "alpha", "alpha_weighted", "log_alpha_norm", "log_spectral_norm", "stable_rank"]
REL_TOL, ABS_TOL = 1e-6, 1e-9

# OpenBLAS 0.3.21 core types worth trying on an x86-64 CPU with AVX2 / AVX-512.
CORE_CANDIDATES = ["Haswell", "Zen", "SkylakeX", "Cooperlake"]

TARGETS = {"bert": {"speedup": 4.0}, "llm": {"speedup": 3.0}}
FLOOR_RATIO_TARGET = 1.25
MIB = 1 << 20


def log(msg=""):
    print(msg, file=sys.stderr, flush=True)


def run_child(cmd, env=None, stdout_path=None, stderr_path=None):
    """Run cmd to completion; return (returncode, stdout bytes, peak RSS bytes of it and its
    reaped descendants — wait4's ru_maxrss is in KiB on Linux, and survives a self re-exec)."""
    out = open(stdout_path, "wb") if stdout_path else subprocess.PIPE
    err = open(stderr_path, "wb") if stderr_path else subprocess.DEVNULL
    p = subprocess.Popen(cmd, env=env, stdout=out, stderr=err)
    data = p.stdout.read() if out is subprocess.PIPE else b""
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    if stdout_path:
        out.close()
        data = Path(stdout_path).read_bytes()
    if stderr_path:
        err.close()
    return p.returncode, data, ru.ru_maxrss * 1024


# ----------------------------------------------------------------------------------------------
# OpenBLAS kernels for the floor
# ----------------------------------------------------------------------------------------------

def pick_coretype(floor_bin: Path, n: int, out: Path) -> dict:
    """dgemm n×n with the library's own choice and each candidate core type; the fastest that is
    correct and really loaded (corename echoes it) wins. An OPENBLAS_CORETYPE already in the
    environment is respected and not second-guessed."""
    env_value = os.environ.get("OPENBLAS_CORETYPE")
    rows = []
    for core in [None] + CORE_CANDIDATES:
        env = dict(os.environ)
        env.pop("OPENBLAS_CORETYPE", None)
        if core:
            env["OPENBLAS_CORETYPE"] = core
        m = quiet.measured(lambda: run_child([str(floor_bin), "--threads", "2", "--repeat", "3", "--gemm", str(n)],
                                             env=env), f"dgemm with OPENBLAS_CORETYPE={core or '(unset)'}")
        rc, data, _ = m["result"]
        if rc != 0:
            log(f"  lapack-floor --gemm failed with OPENBLAS_CORETYPE={core}")
            continue
        r = json.loads(data)
        r["requested"] = core
        r["foreign_cores"], r["contended"] = m["foreign_cores"], m["contended"]
        rows.append(r)
        log(f"  dgemm {n}: OPENBLAS_CORETYPE={core or '(unset)':<10} -> core {r['corename']:<11} "
            f"{r['gflops']:7.1f} GFLOP/s, max rel err {r['max_rel_err']:.1e}, others used {m['foreign_cores']:.2f} cores")
    (out / "coretypes.json").write_text(json.dumps(rows, indent=1))
    default = next((r["corename"] for r in rows if r["requested"] is None), "?")
    usable = [r for r in rows if r["correct"] and (r["requested"] is None or r["corename"].lower() == r["requested"].lower())]
    # A contended dgemm says little about the kernel: rank the clean ones when there are any.
    usable = [r for r in usable if not r["contended"]] or usable
    best = max(usable, key=lambda r: r["gflops"]) if usable else None
    if env_value:
        chosen = env_value
    elif best is None or best["requested"] is None:
        chosen = None
    else:
        chosen = best["requested"]
    return {"default_core": default, "best": best and (best["requested"] or best["corename"]),
            "best_gflops": best and best["gflops"], "floor_coretype": chosen, "env_value": env_value, "rows": rows}


# ----------------------------------------------------------------------------------------------
# Comparing the numbers
# ----------------------------------------------------------------------------------------------

def close(a, b) -> bool:
    d = abs(a - b)
    return d <= ABS_TOL or d <= REL_TOL * max(abs(a), abs(b))


def compare(ww: dict, mon: dict) -> list[str]:
    """Every contract column of every WW layer, matched by longname, and the summary means."""
    bad = []
    mine = {}
    for l in mon.get("layers", []):
        mine[l.get("longname")] = l
    theirs = {l["longname"]: l for l in ww["layers"]}
    for name in sorted(set(mine) - set(theirs), key=str):
        bad.append(f"{name}: analyzed by wwmon, not by WeightWatcher")
    for name, w in theirs.items():
        m = mine.get(name)
        if m is None:
            bad.append(f"{name}: analyzed by WeightWatcher, missing from wwmon")
            continue
        for col in INT_COLS + STR_COLS + FLOAT_COLS:
            if col not in w:
                continue
            if col not in m:
                bad.append(f"{name}.{col}: column missing from wwmon")
                continue
            a, b = w[col], m[col]
            if a is None or b is None:
                ok = a is None and b is None
            elif col in STR_COLS:
                ok = a == b
            elif col in INT_COLS:
                ok = isinstance(b, (int, float)) and float(a) == float(b) and float(b).is_integer()
            else:
                ok = isinstance(b, (int, float)) and close(float(a), float(b))
            if not ok:
                bad.append(f"{name}.{col}: WeightWatcher {a!r}, wwmon {b!r}")
    ms = mon.get("summary", {})
    for col in SUMMARY_COLS:
        a, b = ww["summary"].get(col), ms.get(col)
        if a is None and b is None:
            continue
        if a is None or not isinstance(b, (int, float)) or not close(float(a), float(b)):
            bad.append(f"summary.{col}: WeightWatcher {a!r}, wwmon {b!r}")
    return bad


# ----------------------------------------------------------------------------------------------
# One model set
# ----------------------------------------------------------------------------------------------

def shape_args(shapes) -> list[str]:
    counts = {}
    for r, c in shapes:
        counts[(r, c)] = counts.get((r, c), 0) + 1
    return [f"{r}x{c}*{n}" for (r, c), n in counts.items()]


def bench_set(name, a, cores, out: Path) -> dict:
    folder = a.data / name
    shapes = json.loads((a.data / f"{name}.shapes.json").read_text())
    largest_f64 = max(r * c for r, c in shapes) * 8
    log(f"\n== {name}: {folder} ({len(shapes)} matrices, largest {largest_f64 / MIB:.0f} MiB as float64)")
    res = {"name": name, "layers": len(shapes), "largest_f64_bytes": largest_f64}

    # 1. LAPACK floor; one process per repetition so each gets its own quiet wait.
    env = dict(os.environ)
    if cores["floor_coretype"]:
        env["OPENBLAS_CORETYPE"] = cores["floor_coretype"]
    floor_runs = []
    for rep in range(a.repeat):
        def floor():
            rc, data, _ = run_child([str(a.bin / "lapack-floor"), "--threads", "2", "--repeat", "1"]
                                    + shape_args(shapes), env=env)
            if rc != 0:
                raise SystemExit(f"lapack-floor failed (exit {rc})")
            return json.loads(data)
        m = quiet.measured(floor, f"LAPACK floor run {rep + 1}")
        r = m["result"]
        if not r["correct"]:
            raise SystemExit(f"lapack-floor: wrong results with core {r['corename']}: {r}")
        floor_runs.append({"seconds": r["median"], "corename": r["corename"], "foreign_cores": m["foreign_cores"],
                           "steal_cores": m["steal_cores"],
                           "contended": m["contended"], "rerun": m["rerun"]})
    res["floor"] = floor_runs
    res["floor_s"] = statistics.median(r["seconds"] for r in floor_runs)

    # 2. wwmon, the whole process as a user runs it, environment untouched.
    mon_runs, mon_json = [], None
    for rep in range(a.repeat):
        stdout_path, stderr_path = out / f"wwmon-{name}.json", out / f"wwmon-{name}.log"
        cmd = [str(a.bin / "wwmon"), "analyze", str(folder), "--format", "json", "-v"]   # -v: kernel line on stderr
        m = quiet.measured(lambda: run_child(cmd, stdout_path=stdout_path, stderr_path=stderr_path),
                           f"wwmon run {rep + 1}")
        rc, data, rss = m["result"]
        if rc != 0:
            log(f"wwmon failed (exit {rc}); its messages:\n{Path(stderr_path).read_text(errors='replace')[-3000:]}")
            res["error"] = f"wwmon exit {rc}"
            return res
        mon_runs.append({"seconds": m["wall_s"], "peak_rss": rss, "foreign_cores": m["foreign_cores"],
                         "steal_cores": m["steal_cores"],
                         "contended": m["contended"], "rerun": m["rerun"]})
        if mon_json is None:
            try:
                mon_json = json.loads(data)
            except json.JSONDecodeError as e:
                res["error"] = f"wwmon printed invalid JSON ({e}); see {stdout_path}"
                return res
    res["wwmon"] = mon_runs
    res["wwmon_s"] = statistics.median(r["seconds"] for r in mon_runs)
    res["wwmon_rss"] = max(r["peak_rss"] for r in mon_runs)
    res["wwmon_log_tail"] = Path(out / f"wwmon-{name}.log").read_text(errors="replace").splitlines()[-5:]

    # 3. WeightWatcher in the venv (times analyze() only; waits/re-runs itself).
    ww_out = out / f"ww-{name}.json"
    rc, _, _ = run_child([a.python, str(HERE / "ww_run.py"), str(folder), str(ww_out), "--repeat", str(a.repeat)],
                         stderr_path=out / f"ww-{name}.log", stdout_path=out / f"ww-{name}.stdout")
    if rc != 0:
        log(f"WeightWatcher run failed (exit {rc}); see {out / f'ww-{name}.log'}")
        res["error"] = f"WeightWatcher exit {rc}"
        return res
    ww = json.loads(ww_out.read_text())
    for line in (out / f"ww-{name}.log").read_text(errors="replace").splitlines():
        if line.startswith("  "):
            log(line)
    res["ww"] = ww["runs"]
    res["ww_s"] = ww["median_s"]

    # 4. Agreement.
    res["mismatches"] = compare(ww, mon_json)
    res["compared_layers"] = len(ww["layers"])
    return res


# ----------------------------------------------------------------------------------------------

def flag(runs) -> str:
    """'*' if any repetition was still contended after its re-run."""
    return "*" if any(r["contended"] for r in runs) else ""


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", type=Path, required=True, help="swift build -c release --show-bin-path")
    ap.add_argument("--data", type=Path, default=HERE / "data")
    ap.add_argument("--out", type=Path, default=HERE / "out")
    ap.add_argument("--python", default=sys.executable, help="python of the WeightWatcher venv")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="BERT-like set only")
    ap.add_argument("--reprint", action="store_true", help="print the last run's table again (no measuring)")
    a = ap.parse_args()
    if a.reprint:
        last = json.loads((a.out / "results.json").read_text())
        sys.exit(1 if report(last["cores"], last["results"], last.get("repeat", a.repeat), a.out) else 0)
    a.out.mkdir(parents=True, exist_ok=True)
    sets = ["bert"] if a.quick else ["bert", "llm"]

    log(f"CPU: {cpu_name()}, {os.cpu_count()} cores; OPENBLAS_CORETYPE in environment: "
        f"{os.environ.get('OPENBLAS_CORETYPE') or '(unset)'}")
    log("Choosing OpenBLAS kernels for the floor (dgemm):")
    cores = pick_coretype(a.bin / "lapack-floor", 2048 if a.quick else 4096, a.out)
    log(f"  library default: {cores['default_core']}; fastest: {cores['best']} "
        f"({cores['best_gflops'] and round(cores['best_gflops'], 1)} GFLOP/s); floor runs with "
        f"OPENBLAS_CORETYPE={cores['floor_coretype'] or '(unset)'}")

    results = [bench_set(s, a, cores, a.out) for s in sets]
    (a.out / "results.json").write_text(json.dumps({"cores": cores, "results": results, "repeat": a.repeat},
                                                   indent=1))
    sys.exit(1 if report(cores, results, a.repeat, a.out) else 0)


def report(cores, results, repeat, out: Path) -> bool:
    """Prints the table and notes; returns whether anything failed or disagreed."""
    failed = False
    print()
    hdr = (f"{'model':<6} {'layers':>6} {'WW s':>8} {'wwmon s':>8} {'floor s':>8} {'wwmon/floor':>12} "
           f"{'WW/wwmon':>9} {'peak RSS MiB':>13} {'RSS limit':>10} {'agree':>6}")
    print(hdr)
    print("-" * len(hdr))
    for r in results:
        if "error" in r:
            print(f"{r['name']:<6} ERROR: {r['error']}")
            failed = True
            continue
        ratio = r["wwmon_s"] / r["floor_s"]
        speedup = r["ww_s"] / r["wwmon_s"]
        limit = 3 * r["largest_f64_bytes"] + 50 * MIB
        ok = not r["mismatches"]
        failed |= not ok
        t = TARGETS[r["name"]]
        print(f"{r['name']:<6} {r['layers']:>6} {r['ww_s']:>7.2f}{flag(r['ww']):1} {r['wwmon_s']:>7.2f}{flag(r['wwmon']):1} "
              f"{r['floor_s']:>7.2f}{flag(r['floor']):1} "
              f"{ratio:>7.2f} {'ok' if ratio <= FLOOR_RATIO_TARGET else 'MISS':>4} "
              f"{speedup:>5.2f}x {'ok' if speedup >= t['speedup'] else 'MISS':>2} "
              f"{r['wwmon_rss'] / MIB:>8.0f} {'ok' if r['wwmon_rss'] <= limit else 'MISS':>4} "
              f"{limit / MIB:>9.0f} {'yes' if ok else 'NO':>6}")
    print(f"\ntargets: wwmon/floor <= {FLOOR_RATIO_TARGET}; WW/wwmon >= 4 (bert), >= 3 (llm); "
          f"peak RSS <= 3 x largest layer as float64 + 50 MiB. Times: median of {repeat}; "
          f"'*' = still contended (> {quiet.CONTENDED_CORES} cores used by others) after one re-run.")
    print(f"floor kernels: OPENBLAS_CORETYPE={cores['floor_coretype'] or '(unset)'} "
          f"(library default here: {cores['default_core']}); wwmon ran with the environment as is.")
    for r in results:
        if "error" in r:
            continue
        loads = ", ".join(f"{k} " + "/".join(f"{x['foreign_cores']:.2f}" for x in r[k]) for k in ("floor", "wwmon", "ww"))
        print(f"{r['name']}: others' CPU use during each run (cores): {loads}")
        steal = max(x.get("steal_cores", 0) for k in ("floor", "wwmon", "ww") for x in r[k])
        if steal >= 0.05:
            print(f"{r['name']}: the hypervisor stole up to {steal:.2f} cores during a run (vCPU steal time)")
        for line in r["wwmon_log_tail"]:
            print(f"{r['name']}: wwmon said: {line}")
        if r["mismatches"]:
            print(f"{r['name']}: {len(r['mismatches'])} disagreements with WeightWatcher "
                  f"({r['compared_layers']} layers compared):")
            for line in r["mismatches"][:40]:
                print(f"  {line}")
            if len(r["mismatches"]) > 40:
                print(f"  ... {len(r['mismatches']) - 40} more in {out / 'results.json'}")
        else:
            print(f"{r['name']}: all {r['compared_layers']} layers and the summary agree "
                  f"(rel {REL_TOL:g}, abs {ABS_TOL:g}; ints and strings exact)")
    print(f"details: {out / 'results.json'}")
    return failed


def cpu_name() -> str:
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "?"


if __name__ == "__main__":
    main()
