"""Shared pieces of the daemon benchmarks (daemon_idle.py, daemon_latency.py, finetune_reuse.py):
a real `wwmon daemon` process on a temporary config, the store read with sqlite3, and the
process's own counters from /proc. Standard library plus numpy/safetensors (the bench venv)."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

HZ = os.sysconf("SC_CLK_TCK")


def log(msg=""):
    print(msg, file=sys.stderr, flush=True)


def toml_str(s: str) -> str:
    return json.dumps(s)   # a JSON string is a valid TOML basic string


def write_config(path: Path, db: Path, watches: list[dict], analysis: dict | None = None,
                 rescan_s: float = 600) -> None:
    """A daemon config: one [[watch]] per dict (keys as in config/wwmon.toml)."""
    lines = ["[store]", f"path = {toml_str(str(db))}", "", "[daemon]",
             f"rescan_interval_seconds = {rescan_s}", ""]
    if analysis:
        lines.append("[analysis]")
        lines += [f"{k} = {json.dumps(v)}" for k, v in analysis.items()]
        lines.append("")
    for w in watches:
        lines.append("[[watch]]")
        for k, v in w.items():
            lines.append(f"{k} = {toml_str(v) if isinstance(v, str) else json.dumps(v)}")
        lines.append("")
    path.write_text("\n".join(lines))


class Daemon:
    """`wwmon daemon --config CFG -v`, stderr to a log file. Not under systemd: the notify and
    journal variables are removed so no watchdog timer runs (it would be a wake-up of its own)."""

    def __init__(self, wwmon: str, config: Path, logfile: Path, verbose: bool = True):
        env = {k: v for k, v in os.environ.items()
               if k not in ("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "JOURNAL_STREAM")}
        self.logfile = logfile
        self._err = open(logfile, "wb")
        cmd = [wwmon, "daemon", "--config", str(config)] + (["-v"] if verbose else [])
        self.t_start = time.time()
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=self._err, env=env)
        self.pid = self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self, timeout: float = 20) -> int:
        if self.alive():
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._err.close()
        return self.proc.returncode

    def log_lines(self) -> list[str]:
        return self.logfile.read_text(errors="replace").splitlines()

    # /proc counters (the whole process: every thread)
    def cpu_s(self) -> float:
        with open(f"/proc/{self.pid}/stat") as f:
            rest = f.read().rsplit(")", 1)[1].split()
        return (int(rest[11]) + int(rest[12])) / HZ     # utime, stime (fields 14, 15)

    def status(self) -> dict:
        out = {}
        with open(f"/proc/{self.pid}/status") as f:
            for line in f:
                k, _, v = line.partition(":")
                out[k] = v.strip()
        return out

    def memory_kib(self) -> tuple[int, int]:
        s = self.status()
        return int(s["VmRSS"].split()[0]), int(s["VmHWM"].split()[0])

    def thread_switches(self) -> dict[str, tuple[int, int, str]]:
        return thread_switches(self.pid)


def thread_switches(pid: int) -> dict[str, tuple[int, int, str]]:
    """tid -> (voluntary, involuntary context switches, thread name) of each live thread. A
    thread that sleeps and is woken counts one voluntary switch per wake-up."""
    out = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            v = nv = 0
            name = ""
            with open(f"/proc/{pid}/task/{tid}/status") as f:
                for line in f:
                    if line.startswith("Name:"):
                        name = line.split(":", 1)[1].strip()
                    elif line.startswith("voluntary_ctxt_switches"):
                        v = int(line.split()[1])
                    elif line.startswith("nonvoluntary_ctxt_switches"):
                        nv = int(line.split()[1])
            out[tid] = (v, nv, name)
        except FileNotFoundError:
            pass
    return out


def switches_delta(before: dict, after: dict) -> tuple[int, int, int, dict]:
    """(voluntary, involuntary, threads, voluntary by thread name) over the interval; a thread
    born in it counts from 0."""
    v = nv = 0
    by_name: dict[str, int] = {}
    for tid, (a, b, name) in after.items():
        a0, b0, _ = before.get(tid, (0, 0, name))
        v += a - a0
        nv += b - b0
        if a - a0:
            key = f"{name}[{tid}]"
            by_name[key] = by_name.get(key, 0) + a - a0
    return v, nv, len(after), by_name


def store_rows(db: Path, sql: str, args=()) -> list:
    if not db.exists():
        return []
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    try:
        return con.execute(sql, args).fetchall()
    except sqlite3.OperationalError:
        return []          # schema not created yet
    finally:
        con.close()


def wait_recorded(daemon: Daemon, db: Path, n: int, timeout: float) -> float:
    """Block until the store holds n checkpoint rows; returns the time.time() it saw them."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if not daemon.alive():
            raise SystemExit(f"the daemon exited ({daemon.proc.returncode}); log: {daemon.logfile}")
        rows = store_rows(db, "SELECT count(*) FROM checkpoints")
        if rows and rows[0][0] >= n:
            return time.time()
        time.sleep(0.1)
    raise SystemExit(f"timed out: fewer than {n} checkpoints recorded after {timeout:.0f} s; "
                     f"log: {daemon.logfile}")


def save_safetensors(tensors: dict, path: Path) -> bytes:
    """Real safetensors bytes written by the safetensors package (not hand-made)."""
    from safetensors.numpy import save
    data = save(tensors)
    path.write_bytes(data)
    return data
