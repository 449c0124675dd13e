"""Child processes of the repository's scripts: started without core dumps, their stdout
read line by line into a queue, killed by their own pid and waited for with a timeout.

This module lives in ``tools/`` at the repository root, next to ``bench/`` and
``samples/``: ``bench/run.py`` and ``samples/capture.py`` put the root on ``sys.path``
(it is not installed) and import it as ``tools.processes``; ``samples/carriers.py`` gets
:func:`no_core` through ``capture``. Python 3.11, standard library only.
"""

from __future__ import annotations

import contextlib
import queue
import resource
import subprocess
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any

# A queue of a process's stdout lines (without their "\n"); None once the process closed it.
Lines = queue.Queue[str | None]


def no_core() -> None:
    """preexec_fn: no core dumps from a process we kill or SIGQUIT."""
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


@dataclass
class Piped:
    """A started process and the queue its stdout lines arrive in."""

    proc: subprocess.Popen[str]
    lines: Lines


def pump_lines(stream: IO[str]) -> Lines:
    """Read stream line by line in a daemon thread; each line (``\\n`` stripped) goes into the
    queue returned, then None at the end."""
    lines: Lines = queue.Queue()

    def pump() -> None:
        for line in stream:
            lines.put(line.rstrip("\n"))
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    return lines


def start_piped(
    cmd: Sequence[str], *, env: Mapping[str, str], stderr: Any, new_session: bool = False
) -> Piped:
    """Start cmd without core dumps, stdin empty, stdout (text) read line by line into a queue.

    ``stderr`` is what :class:`subprocess.Popen` takes (a file, ``DEVNULL``); ``new_session``
    starts the process in a session (and process group) of its own.
    """
    proc = subprocess.Popen(
        list(cmd),
        stdout=subprocess.PIPE,
        stderr=stderr,
        stdin=subprocess.DEVNULL,
        env=env,
        text=True,
        preexec_fn=no_core,
        start_new_session=new_session,
    )
    assert proc.stdout is not None  # stdout=PIPE
    return Piped(proc, pump_lines(proc.stdout))


def stop(proc: subprocess.Popen[Any], timeout: float) -> None:
    """Kill proc (by its pid) if it still runs, then wait for it at most timeout seconds."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=timeout)


def run(cmd: Sequence[str], *, timeout: float, **kwargs: Any) -> subprocess.CompletedProcess[Any]:
    """:func:`subprocess.run` of cmd without core dumps; kwargs are subprocess.run's."""
    return subprocess.run(list(cmd), timeout=timeout, preexec_fn=no_core, **kwargs)
