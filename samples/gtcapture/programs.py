"""A sample program as a running process: started, read until READY, asked over loopback HTTP."""

from __future__ import annotations

import contextlib
import queue
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from gtcapture.config import TIMEOUT_EXIT, TIMEOUT_HTTP
from tools.processes import Lines, start_piped, stop


@contextlib.contextmanager
def running(cmd: list[str], env: dict[str, str], stderr_path: Path) -> Iterator[tuple[subprocess.Popen[str], Lines]]:
    """Start ``cmd`` with stdout piped line by line into a queue; kill it on exit."""
    with open(stderr_path, "wb") as err:
        piped = start_piped(cmd, env=env, stderr=err)
    try:
        yield piped.proc, piped.lines
    finally:
        stop(piped.proc, TIMEOUT_EXIT)


def read_until_ready(lines: Lines, timeout: float) -> list[str]:
    got: list[str] = []
    deadline = time.monotonic() + timeout
    while True:
        try:
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
        except queue.Empty:
            raise TimeoutError("program did not print READY in time") from None
        if line is None:
            raise RuntimeError("program exited before READY:\n" + "\n".join(got))
        got.append(line)
        if line == "READY":
            return got


def http_get(addr: str, path: str) -> str:
    if not addr.startswith("127.0.0.1:"):
        raise ValueError(f"refusing non-loopback address {addr}")
    with urllib.request.urlopen(f"http://{addr}{path}", timeout=TIMEOUT_HTTP) as resp:
        data: bytes = resp.read()  # urlopen's answer is typed Any
    return data.decode("utf-8", "replace")
