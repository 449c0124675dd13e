"""Timing whole processes: wall time and peak RSS of one run, the median of several, runs of
several commands interleaved."""

from __future__ import annotations

import contextlib
import os
import signal
import statistics
import subprocess
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from gtbench.children import started
from tools.processes import no_core

# The environment of every timed child: PYTHONPATH points at the snapshot of gtriage measured
# (set by cli.main; None: this process's own environment).
CHILD_ENV: dict[str, str] | None = None


@dataclass
class Run:
    wall: float
    maxrss_kib: int
    rc: int
    timed_out: bool = False
    stdout: str = ""
    stderr_tail: str = ""


def run_process(cmd: Sequence[str], timeout: float, *, keep_stdout: bool = False) -> Run:
    """Run cmd, wall time and peak RSS (os.wait4's ru_maxrss), killed after timeout."""
    with tempfile.TemporaryFile() as err, tempfile.TemporaryFile() as out:
        stdout: Any = out if keep_stdout else subprocess.DEVNULL
        t0 = time.perf_counter()
        p = subprocess.Popen(
            list(cmd), stdout=stdout, stderr=err, stdin=subprocess.DEVNULL, preexec_fn=no_core, env=CHILD_ENV
        )
        started.append(p)
        timed_out = threading.Event()

        def kill() -> None:
            timed_out.set()
            with contextlib.suppress(ProcessLookupError):
                os.kill(p.pid, signal.SIGKILL)

        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            _, status, usage = os.wait4(p.pid, 0)
        finally:
            timer.cancel()
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        started.remove(p)
        err.seek(0)
        tail = err.read()[-2000:].decode("utf-8", "replace")
        text = ""
        if keep_stdout:
            out.seek(0)
            text = out.read(1 << 16).decode("utf-8", "replace")
    return Run(wall, usage.ru_maxrss, p.returncode, timed_out.is_set(), text, tail)


@dataclass
class Measure:
    """The median of several runs of one command."""

    what: str
    runs: list[Run]

    @property
    def ok(self) -> bool:
        return bool(self.runs) and all(r.rc == 0 and not r.timed_out for r in self.runs)

    @property
    def wall(self) -> float:
        return statistics.median(r.wall for r in self.runs)

    @property
    def rss_mib(self) -> float:
        return max(r.maxrss_kib for r in self.runs) / 1024

    def summary(self) -> dict[str, Any]:
        return {
            "what": self.what,
            "ok": self.ok,
            "wall_s": round(self.wall, 4) if self.runs else None,
            "walls_s": [round(r.wall, 4) for r in self.runs],
            "peak_rss_mib": round(self.rss_mib, 1) if self.runs else None,
            "rc": [r.rc for r in self.runs],
            "timed_out": any(r.timed_out for r in self.runs),
            "stderr_tail": next((r.stderr_tail for r in self.runs if r.rc != 0 or r.timed_out), ""),
        }


def measure(what: str, cmd: Sequence[str], repeat: int, timeout: float, *, keep_stdout: bool = False) -> Measure:
    runs: list[Run] = []
    for _ in range(repeat):
        r = run_process(cmd, timeout, keep_stdout=keep_stdout)
        runs.append(r)
        if r.timed_out or r.rc != 0:
            break  # one failure says enough; don't spend another timeout on it
    return Measure(what, runs)


def measure_interleaved(cmds: dict[str, tuple[list[str], float, bool]], repeat: int) -> dict[str, Measure]:
    """Run each command `repeat` times, round-robin (floor, floor, gtriage, floor, ...), so a
    change of the machine's load during the run touches the floors and gtriage alike.
    cmds: name -> (argv, timeout, keep_stdout). A command that fails is not run again."""
    runs: dict[str, list[Run]] = {name: [] for name in cmds}
    failed: set[str] = set()
    for _ in range(repeat):
        for name, (cmd, timeout, keep) in cmds.items():
            if name in failed:
                continue
            r = run_process(cmd, timeout, keep_stdout=keep)
            runs[name].append(r)
            if r.timed_out or r.rc != 0:
                failed.add(name)
    return {name: Measure(name, rs) for name, rs in runs.items()}


def ratio(a: Measure, b: Measure) -> float | None:
    """a's median wall time over b's; None unless both ran fine."""
    if not (a.ok and b.ok) or b.wall <= 0:
        return None
    return a.wall / b.wall
