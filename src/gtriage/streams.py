"""Streams of plain dump text, and the map from their lines back to the input's.

A carrier (carriers.py) may turn one input line into many stream lines (an escaped
one-line dump) or leave input lines out of a stream (JSON log lines carried elsewhere);
the line map keeps every line number a report shows pointing into the input.
"""

from __future__ import annotations

import bisect

from .log_clock import LogClock
from .log_processes import ProcessLines
from .record import dataclass, field

# Characters of text handled at a time. Each chunk is looked at by several passes (line
# counts, carriers, blank-line splits, stacks), so one that stays in a core's cache (1 MiB
# of L2 on the bench machine) is read from there by all but the first: the 300k dump
# took 4.6 s with 256 Ki against 4.8 s with 1 Mi, 64 Ki cost more per chunk again.
CHUNK = 1 << 18


TYPE_CHECKING = False  # typing's own costs every run ~4 ms to import; type checkers read this as True
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Protocol

    class Readable(Protocol):
        def read(self, size: int = -1, /) -> str: ...


class LineMap:
    """Stream line -> input line, for streams whose lines are not the input's one for one.

    Runs of stream lines: each starts at a stream line, maps it to an input line, and
    either advances with the input (step 1) or stays on that input line (step 0: a line
    that held several, such as a one-line dump). No run at all: every line is itself.
    Lookups are a bisection.
    """

    __slots__ = ("_next", "_origins", "_starts", "_steps", "_want", "process", "source")

    def __init__(self, source: str = "") -> None:
        # The log source whose lines these are, once the input is known to hold several or
        # its prefix names it (log_sources.py); the dumps read from them are named by it.
        self.source = source
        # The process that wrote them, where the log names it (journald's "ident[pid]").
        self.process = ""
        self._starts: list[int] = []
        self._origins: list[int] = []
        self._steps: list[int] = []
        self._next = 1  # the next stream line to be mapped
        self._want = -1  # the input line that would continue the last step-1 run

    def same(self, origin: int, count: int) -> None:
        """The next `count` stream lines are input lines origin, origin + 1, ..."""
        if count <= 0:
            return
        if origin != self._want:
            self._starts.append(self._next)
            self._origins.append(origin)
            self._steps.append(1)
        self._next += count
        self._want = origin + count

    def add(self, origin: int, count: int) -> None:
        """The next `count` stream lines all come from input line `origin`."""
        if count == 1:
            self.same(origin, 1)
        elif count > 1:
            self._starts.append(self._next)
            self._origins.append(origin)
            self._steps.append(0)
            self._next += count
            self._want = -1

    def __call__(self, line: int) -> int:
        i = bisect.bisect_right(self._starts, line) - 1
        if i < 0:
            return line
        return self._origins[i] + self._steps[i] * (line - self._starts[i])


@dataclass(slots=True)
class Stream:
    """Plain text for sections.py, in pieces that each end at a line end (but the last)."""

    name: str
    chunks: Iterator[str]
    line_map: LineMap | None = None


@dataclass(slots=True)
class CarrierStats:
    """What the carriers saw; filled in as the input is read."""

    lines: int = 0  # input lines
    carriers: set[str] = field(default_factory=set)  # names of the carriers found
    clock: LogClock = field(default_factory=LogClock)  # log timestamps by input line
    processes: ProcessLines = field(default_factory=ProcessLines)  # the processes a prefix names
