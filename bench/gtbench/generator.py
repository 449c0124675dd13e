"""The generator (bench/gen) as a running process: started, ready on loopback, stopped."""

from __future__ import annotations

import os
import queue
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gtbench.children import started
from tools.processes import Lines, start_piped, stop


@dataclass
class Generator:
    proc: subprocess.Popen[str]
    addr: str  # 127.0.0.1:PORT
    lines: list[str] = field(default_factory=list)


def _start_timeout(n: int) -> float:
    return 120.0 + n / 1000.0  # generous: 300k goroutines start in ~10-30 s on 2 cores


def start_generator(binary: Path, n: int, *, stderr: Any = subprocess.DEVNULL, sigquit: bool = False) -> Generator:
    env = dict(os.environ)
    env.pop("GOTRACEBACK", None)
    if sigquit:
        env["GOTRACEBACK"] = "all"
    piped = start_piped([str(binary), "-n", str(n)], env=env, stderr=stderr, new_session=True)
    started.append(piped.proc)
    gen = Generator(piped.proc, "")
    _wait_ready(gen, piped.lines, n)
    return gen


def _wait_ready(gen: Generator, lines: Lines, n: int) -> None:
    """Read the generator's lines until READY, taking its address from LISTEN."""
    deadline = time.monotonic() + _start_timeout(n)
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise RuntimeError(f"generator -n {n}: no READY within {_start_timeout(n):.0f} s")
        try:
            line = lines.get(timeout=left)
        except queue.Empty:
            continue
        if line is None:
            raise RuntimeError(f"generator -n {n} exited early (status {gen.proc.wait(timeout=30)})")
        gen.lines.append(line)
        if line.startswith("LISTEN "):
            gen.addr = line.split()[1]
            host = gen.addr.rsplit(":", 1)[0]
            if host != "127.0.0.1":
                raise RuntimeError(f"generator listens on {gen.addr}, not loopback")
        elif line == "READY":
            if not gen.addr:
                raise RuntimeError("generator said READY before LISTEN")
            return


def stop_generator(gen: Generator) -> None:
    stop(gen.proc, 60)
