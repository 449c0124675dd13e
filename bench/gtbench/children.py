"""The processes the runner started and may still run: every one is killed at the end."""

from __future__ import annotations

import subprocess
from typing import Any

from tools.processes import stop

started: list[subprocess.Popen[Any]] = []


def kill_started() -> None:
    """Kill every process this script started and that still runs, by its own pid."""
    for p in started:
        if p.poll() is None:
            stop(p, 30)
    started.clear()
