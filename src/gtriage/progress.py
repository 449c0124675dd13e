"""How far reading an input has come: the callback type the reader calls, and the
one-line bar the command line draws with it (the TUI draws its own)."""

from __future__ import annotations

import sys

# collections.abc's Callable where it is defined: collections.abc would import collections
# (~7M instructions) for this one alias, which modules import at run time.
from _collections_abc import Callable

from .contexts import suppress

TYPE_CHECKING = False  # typing's own costs every run ~4 ms to import; type checkers read this as True
if TYPE_CHECKING:
    from typing import Any

# (bytes read so far, the input's size when known: a file's, a Content-Length)
Progress = Callable[[int, int | None], None]


class ProgressBar:
    """A one-line progress bar on stderr, for big inputs on a terminal only."""

    MIN_BYTES = 8 << 20

    def __init__(self, name: str) -> None:
        self.name = name
        self.shown = False
        self.last = -1
        self._timer: Any = None  # threading.Timer of hint_after
        self._lock: Any = None
        self._over = False

    def hint_after(self, seconds: float, text: str) -> None:
        """Say `text` on the bar's line if reading still goes on `seconds` from now (a pipe
        that stays open: `kubectl logs -f | gtriage` shows nothing until it ends)."""
        import threading  # only for a pipe on stdin: not every run pays for it

        lock = threading.Lock()

        def say() -> None:
            with lock:
                if self._over or self.shown:
                    return
                with suppress(OSError, ValueError, AttributeError):
                    sys.stderr.write(f"\rgtriage: {text}")
                    sys.stderr.flush()
                self.shown = True

        self._lock = lock
        self._timer = threading.Timer(seconds, say)
        self._timer.daemon = True
        self._timer.start()

    def __call__(self, done: int, total: int | None) -> None:
        if done < self.MIN_BYTES:
            return
        mb = done >> 20
        if mb == self.last:
            return
        self.last = mb
        if total:
            pct = min(100, 100 * done // total)
            bar = "#" * (pct // 4) + "-" * (25 - pct // 4)
            msg = f"\rgtriage: reading [{bar}] {pct:3d}% {mb} MiB"
        else:
            msg = f"\rgtriage: reading {mb} MiB"
        with suppress(OSError, ValueError, AttributeError):  # a progress bar is not worth failing for
            sys.stderr.write(msg)
            sys.stderr.flush()
        self.shown = True

    def done(self) -> None:
        """Clear the bar (once), before anything else is said on stderr."""
        if self._timer is not None:
            with self._lock:
                self._over = True
            self._timer.cancel()
        if self.shown:
            self.shown = False
            with suppress(OSError, ValueError, AttributeError):
                sys.stderr.write("\r\x1b[K")
                sys.stderr.flush()
