"""How far reading an input has come: the callback type the reader calls, and the
one-line bar the command line draws with it (the TUI draws its own)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from contextlib import suppress

# (bytes read so far, the input's size when known: a file's, a Content-Length)
Progress = Callable[[int, int | None], None]


class ProgressBar:
    """A one-line progress bar on stderr, for big inputs on a terminal only."""

    MIN_BYTES = 8 << 20

    def __init__(self, name: str) -> None:
        self.name = name
        self.shown = False
        self.last = -1

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
        if self.shown:
            self.shown = False
            with suppress(OSError, ValueError, AttributeError):
                sys.stderr.write("\r\x1b[K")
                sys.stderr.flush()
