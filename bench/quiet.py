"""Measuring on a shared machine: wait for it to be quiet, and record how busy *other*
processes were while we measured.

foreign load (cores) = (busy CPU time of the whole machine, from /proc/stat)
                       - (CPU time of this process and its reaped children, from getrusage)
                       ------------------------------------------------------------------
                                             wall time
"""

import os
import resource
import sys
import time

HZ = os.sysconf("SC_CLK_TCK")
QUIET_CORES = 0.1       # start a measurement only when others use less than this ...
QUIET_WINDOW_S = 1.0    # ... over this long
CONTENDED_CORES = 0.2   # a measurement with more foreign load than this is "contended"
# How long to wait for quiet before measuring anyway (the result is then flagged, not hidden).
QUIET_TIMEOUT_S = float(os.environ.get("WWMON_BENCH_QUIET_TIMEOUT", "90"))


def _machine_s() -> tuple[float, float]:
    """(busy, steal) CPU seconds of the whole machine since boot. Steal is time the hypervisor
    gave our vCPUs to someone else: not foreign load inside this machine, but reported."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    user, nice, system, idle, iowait, irq, softirq = v[:7]
    steal = v[7] if len(v) > 7 else 0
    return (user + nice + system + irq + softirq) / HZ, steal / HZ


def _own_cpu_s() -> float:
    s = resource.getrusage(resource.RUSAGE_SELF)
    c = resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime


class Meter:
    """`with Meter() as m: work()` -> m.wall_s, m.foreign_cores, m.steal_cores.
    Children must be reaped inside."""

    def __enter__(self):
        (self._b0, self._s0), self._o0, self._t0 = _machine_s(), _own_cpu_s(), time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.wall_s = time.perf_counter() - self._t0
        busy, steal = _machine_s()
        foreign = (busy - self._b0) - (_own_cpu_s() - self._o0)
        # /proc/stat ticks at 1/HZ: clamp the rounding noise of short runs at zero.
        self.foreign_cores = max(0.0, foreign / self.wall_s) if self.wall_s > 0 else 0.0
        self.steal_cores = (steal - self._s0) / self.wall_s if self.wall_s > 0 else 0.0
        return False


def wait_quiet(timeout_s: float | None = None, log=sys.stderr) -> dict:
    """Block until others use < QUIET_CORES over QUIET_WINDOW_S, or timeout_s passed.
    Returns {"waited_s", "foreign_before", "quiet"}."""
    timeout_s = QUIET_TIMEOUT_S if timeout_s is None else timeout_s
    t0 = time.perf_counter()
    announced = False
    while True:
        with Meter() as m:
            time.sleep(QUIET_WINDOW_S)
        waited = time.perf_counter() - t0
        if m.foreign_cores < QUIET_CORES:
            return {"waited_s": round(waited, 1), "foreign_before": round(m.foreign_cores, 3), "quiet": True}
        if waited >= timeout_s:
            print(f"  machine still busy after {waited:.0f} s ({m.foreign_cores:.2f} cores used by "
                  f"others); measuring anyway", file=log, flush=True)
            return {"waited_s": round(waited, 1), "foreign_before": round(m.foreign_cores, 3), "quiet": False}
        if not announced:
            print(f"  waiting for a quiet machine (others use {m.foreign_cores:.2f} cores) ...",
                  file=log, flush=True)
            announced = True


def measured(run, label: str, log=sys.stderr) -> dict:
    """Wait for quiet, run `run()` under a Meter, and re-run once if it was contended; of two
    contended attempts the less contended one counts.
    Returns {"result", "wall_s", "foreign_cores", "steal_cores", "contended", "rerun", "waits"}."""
    waits, attempts = [], []
    for attempt in range(2):
        waits.append(wait_quiet(log=log))
        with Meter() as m:
            result = run()
        contended = m.foreign_cores > CONTENDED_CORES
        print(f"  {label}: {m.wall_s:.3f} s, others used {m.foreign_cores:.2f} cores"
              + (f", steal {m.steal_cores:.2f}" if m.steal_cores >= 0.01 else "")
              + (" (contended)" if contended else ""), file=log, flush=True)
        attempts.append({"result": result, "wall_s": m.wall_s, "foreign_cores": m.foreign_cores,
                         "steal_cores": m.steal_cores, "contended": contended, "rerun": attempt == 1})
        if not contended:
            break
        if attempt == 0:
            print(f"  {label}: re-running once because it was contended", file=log, flush=True)
    best = min(attempts, key=lambda a: a["foreign_cores"])
    return {**best, "rerun": len(attempts) == 2, "waits": waits}
