"""What the figures were measured on: CPU, memory, Python, kernel, commit."""

from __future__ import annotations

import contextlib
import os
import platform
import subprocess
from typing import Any

from gtbench.config import MIB, ROOT


def machine() -> dict[str, Any]:
    cpu = "?"
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = "?"
    with contextlib.suppress(OSError, ValueError), open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem = f"{int(line.split()[1]) / MIB:.0f} GiB"
                break
    commit = "?"
    with contextlib.suppress(OSError, subprocess.TimeoutExpired):
        res = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True, text=True, timeout=30, check=False,
        )
        commit = res.stdout.strip() or "?"
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory": mem,
        "python": platform.python_version(),
        "kernel": platform.release(),
        "commit": commit,
    }
