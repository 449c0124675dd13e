"""The real command's first screen: ``gtriage FILE`` run in a pseudo-terminal as a person
runs it, timed from its launch until the cluster list is on the terminal (its status line
says the sort order), then quit with ``q``. Nothing of the benchmark runs in that process:
no harness imports, no headless driver."""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import termios
import time
from collections.abc import Sequence

from gtbench.children import started
from tools.processes import no_core

SIZE = (160, 48)  # columns, rows: the size the headless TUI timing uses
_ESCAPES = re.compile(rb"\x1b(?:\[[0-9;?<>=]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[()][0-9A-Za-z]|[=>78])")
_DRAWN = b"sort: rank"  # on the cluster list's status line, never on the loading view


def first_screen_s(cmd: Sequence[str], env: dict[str, str], timeout: float) -> float | None:
    """Seconds from launching `cmd` to its first cluster list on the terminal; None when
    it never showed one within `timeout` (the process is then killed)."""
    leader, follower = os.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", SIZE[1], SIZE[0], 0, 0))
    t0 = time.perf_counter()
    p = subprocess.Popen(
        list(cmd), stdin=follower, stdout=follower, stderr=follower, env={**env, "TERM": "xterm-256color"},
        preexec_fn=no_core, start_new_session=True,
    )  # fmt: skip
    started.append(p)
    os.close(follower)
    seen, shown = b"", None
    try:
        deadline = t0 + timeout
        while shown is None and time.perf_counter() < deadline:
            ready, _, _ = select.select([leader], [], [], 0.05)
            if not ready:
                if p.poll() is not None:
                    break
                continue
            try:
                chunk = os.read(leader, 1 << 16)
            except OSError:
                break
            seen = (seen + chunk)[-(1 << 16):]
            if _DRAWN in _ESCAPES.sub(b"", seen):
                shown = time.perf_counter() - t0
        _quit(p, leader)
    finally:
        os.close(leader)
        started.remove(p)
    return shown


def _quit(p: subprocess.Popen[bytes], leader: int) -> None:
    """`q`, as a person quits; killed if it does not end within a few seconds."""
    if p.poll() is None:
        with contextlib.suppress(OSError):
            os.write(leader, b"q")
    end = time.perf_counter() + 10
    while p.poll() is None and time.perf_counter() < end:
        try:
            if select.select([leader], [], [], 0.05)[0]:
                os.read(leader, 1 << 16)  # keep the terminal drained so that it can exit
        except OSError:
            break
    if p.poll() is None:
        os.killpg(p.pid, signal.SIGKILL)
        p.wait(timeout=10)
