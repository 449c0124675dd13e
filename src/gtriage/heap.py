"""glibc's malloc, set once an input is known to be big: keep freed memory for reuse.

Reading a big dump allocates and frees a 1 MiB text chunk after another (and its bytes).
By default glibc serves such blocks by mmap until its adaptive threshold has risen past
them, and gives the free top of the heap back to the kernel whenever it passes the trim
threshold: each new chunk then lands on fresh pages, and every 4 KiB of them costs a page
fault and the kernel zeroing it. Measured on the 100k bench dump (299 MB) cut in 128
ranges, as parallel.py reads it: reading and decoding took 0.14-0.17 s, 0.03 s with the
thresholds below (the same bytes read from one file start to end: 0.03 s either way). The
300k run's page faults: 128k -> 84k by one process, 161-189k -> 113k by two; its CPU time
moved by less than its runs differ (1-3%).

Small inputs never get here: ctypes' import alone is ~1.3 ms.
"""

from __future__ import annotations

# mallopt's parameters (malloc.h).
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
# Blocks below this come from the heap: above every chunk a reader allocates (its largest
# is a few MiB), and glibc's own ceiling for the adaptive threshold (32 MiB on 64 bits).
MMAP_THRESHOLD = 32 << 20
# The free top of the heap kept rather than given back: what parsing frees is allocated
# again within the next chunk.
TRIM_THRESHOLD = 256 << 20
BIG_INPUT = 8 << 20  # bytes read, or a file's size, from which an input counts as big

_done = False


def keep_freed_memory() -> bool:
    """Set the thresholds, once a process (a fork inherits them): whether this call set
    them. Anything but glibc (no mallopt, or one that refuses) keeps its own behaviour."""
    global _done
    if _done:
        return False
    _done = True
    try:
        import ctypes

        mallopt = ctypes.CDLL(None).mallopt
        return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))
    except (ImportError, OSError, AttributeError, TypeError):
        return False
