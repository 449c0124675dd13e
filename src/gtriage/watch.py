"""--watch: poll one endpoint (or a fleet of them) and follow every cluster over time.

A Watch keeps a Tracker (a few integers per cluster per poll), never the dumps: memory stays
flat over hours. A poll that fails is said and retried at the next interval, never fatal.
"""

from __future__ import annotations

import time

from .errors import INPUT_ERRORS
from .fleet_reports import poll_report
from .inputs import Input, expand_inputs
from .reading import ReadOptions, read_all
from .record import dataclass, field
from .report import Report
from .series import Tracker
from .source import DEFAULT_CONCURRENCY, DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT

TYPE_CHECKING = False  # typing's own costs every run ~4 ms to import; type checkers read this as True
if TYPE_CHECKING:
    from collections.abc import Sequence


@dataclass(frozen=True, slots=True)
class Poll:
    """One poll: when, its report (None when nothing could be read) and what failed."""

    number: int  # 1-based
    at: float  # seconds since the epoch, when the poll started
    report: Report | None
    errors: tuple[str, ...]  # one line each: the poll's error, or each failed source's


@dataclass(slots=True)
class Watch:
    inputs: Sequence[str]
    timeout: float = DEFAULT_TIMEOUT
    max_bytes: int | None = DEFAULT_MAX_BYTES
    concurrency: int = DEFAULT_CONCURRENCY
    tracker: Tracker = field(default_factory=Tracker)
    items: list[Input] = field(default_factory=list)
    polls: int = 0
    last: Report | None = None  # the last report read, for the summary

    def __post_init__(self) -> None:
        self.items = expand_inputs(self.inputs)

    def poll(self) -> Poll:
        """Read every source once; never raises for what the sources did."""
        self.polls += 1
        now = time.time()
        reads = read_all(self.items, ReadOptions(self.timeout, self.max_bytes, None), self.concurrency)
        try:
            report = poll_report(self.items, reads, self.tracker, now)
        except INPUT_ERRORS as e:
            return Poll(self.polls, now, None, (str(e),))
        self.last = report
        failed = tuple(f"{s.name} not read: {s.error}" for s in report.fleet or () if s.error is not None)
        return Poll(self.polls, now, report, failed)

    def report(self) -> Report:
        """For the TUI: the next poll's report, or its error raised (the TUI shows it and
        keeps the last report)."""
        p = self.poll()
        if p.report is None:
            from .errors import SourceError

            raise SourceError(p.errors[0] if p.errors else "nothing could be read")
        return p.report
