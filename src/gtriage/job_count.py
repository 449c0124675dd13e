"""How many processes read an input (--jobs): the usable cores, and the size below which a
file is read by one. Kept apart from parallel.py so that deciding costs no import of it."""

from __future__ import annotations

import os

# Below this a second process costs more than it saves: forking, a memo of its own to
# fill (every shape parsed again), sending the goroutines back. Measured in one process on
# 2 cores: the 30 MB bench dump (10k goroutines) parsed in 0.61 s with 2 processes against
# 0.73 s with one; the fixed cost is tens of milliseconds, so a few MB gain nothing.
MIN_PARALLEL_BYTES = 8 << 20


def usable_cores() -> int:
    """The cores this process may run on (taskset, cgroup cpusets), else all of them."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def big_enough(spec: str) -> bool:
    """Whether `spec` may be a plain local file worth reading in parallel (parallel.py
    decides the rest: gzip, --max-size, and what the chunks read as)."""
    if spec == "-" or "://" in spec:
        return False
    try:
        return os.path.getsize(spec) >= MIN_PARALLEL_BYTES
    except OSError:
        return False
