"""The cyclic garbage collector while a report is built on a parsed dump.

The parsed dump (hundreds of thousands of goroutines, their stacks and frames) lives until
the report is done and makes no cycles; yet the report's own allocations (a tuple per
goroutine in objects.py, lists of every goroutine of a cluster) set off collections: on
the 300k bench dump, three full ones that went over all of the dump (~0.23 s together)
and ~450 young ones (~0.15 s: a young list of 300k goroutines is gone over whole), out of
the ~1.9 s left to one process once the file is read with --jobs 2. Building the report
makes no cycles either: what garbage it leaves is collected later, as any other.
"""

from __future__ import annotations

import gc

from .contexts import contextmanager

TYPE_CHECKING = False  # typing's own costs every run ~4 ms to import; type checkers read this as True
if TYPE_CHECKING:
    from collections.abc import Iterator


@contextmanager
def paused() -> Iterator[None]:
    """No collection during the block. After it, the collector is on or off as it was, and
    what exists joins the oldest generation, as if collected all along: left in the
    youngest, what the block made would be gone over at the first allocation after it
    (~0.04 s on the 300k dump's report). When the caller had frozen objects itself, that
    move is not done: it takes gc.freeze and gc.unfreeze, all or nothing, and the
    caller's must stay frozen."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if not gc.get_freeze_count():
            gc.freeze()
            gc.unfreeze()
        if collecting:
            gc.enable()
