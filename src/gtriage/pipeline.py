"""analyze(): input -> sections -> parse -> normalize -> cluster -> rank -> Report.

The only module that knows the order of the stages.
"""

from __future__ import annotations

from .dump_report import joined, report_from_dump
from .inputs import Input, expand_inputs
from .left_at_exit import leave
from .model import Dump, Snapshot
from .parse import parse_text
from .progress import Progress
from .reading import ReadOptions, read_dump
from .report import ORDER_GIVEN, Moment, Report
from .report_build import goroutine_total
from .series import put_in_order, snapshot_clock, snapshot_moment
from .source import (
    DEFAULT_CONCURRENCY,
    DEFAULT_MAX_BYTES,
    DEFAULT_TIMEOUT,
    SourceInfo,
)

TYPE_CHECKING = False  # typing's own costs every run ~4 ms to import; type checkers read this as True
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import BinaryIO


def analyze(
    source: str = "-",
    *,
    progress: Progress | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int | None = DEFAULT_MAX_BYTES,
) -> Report:
    """Read a dump from a path, URL or "-" (stdin) and return its ranked report.

    Raises errors.SourceError when the input cannot be read and NoDumpError when it holds
    no dump. `timeout` bounds the whole fetch of a URL; `max_bytes` what is read (and what
    gzip decompresses to).
    """
    return analyze_inputs([source], progress=progress, timeout=timeout, max_bytes=max_bytes)


def analyze_inputs(
    inputs: Sequence[str],
    *,
    progress: Progress | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    stdin: BinaryIO | None = None,
    max_bytes: int | None = DEFAULT_MAX_BYTES,
    fleet: bool = False,
    concurrency: int = DEFAULT_CONCURRENCY,
    jobs: int = 1,
    while_reading: Callable[[], object] | None = None,
) -> Report:
    """Read several inputs (files, URLs, "-", @lists, directories, archives).

    Without `fleet` they are successive dumps of one process, put in the order they were
    taken: the last is reported, compared with the one before (`gtriage before.txt
    after.txt`), and with three or more each cluster gets its trend. With `fleet` they are
    dumps of several processes taken at one time, read `concurrency` at a time: their
    clusters are merged, with each source's share; a source that fails is reported.
    `jobs` > 1: a big plain file is parsed by that many processes (parallel.py), into the
    same report. `while_reading` (the TUI's import on a thread) is called once, as the
    first input is read: once its worker processes run, when it is read in parallel (a
    fork copies only its own thread, and what another holds stays held in the child)."""
    items = expand_inputs(inputs)
    opts = ReadOptions(timeout, max_bytes, stdin, jobs)
    if fleet:
        if while_reading is not None:
            while_reading()
        from .fleet_reports import fleet_report  # several processes' reports load only when asked for

        return fleet_report(items, opts, concurrency)
    read: list[tuple[Input, SourceInfo, Dump]] = []
    for i, item in enumerate(items):
        info, dump = read_dump(item, opts, progress, while_reading if i == 0 else None)
        read.append((item, info, dump))
    if any(s.log_source for _, _, dump in read for s in dump.snapshots):
        from .collector import paused
        from .fleet_reports import sources_fleet

        with paused():  # as the report below
            fleet_of = sources_fleet(read)
        if fleet_of is not None:
            return fleet_of
    dumps: list[Dump] = []
    moments: list[Moment] = []
    snapshots: list[Snapshot] = []
    for item, info, dump in read:
        dumps.append(dump)
        # The dumps' own times where every dump of the input has one (a log's timestamps, a
        # binary profile's time), else the source's.
        logged = all(s.taken_at is not None for s in dump.snapshots)
        for s in dump.snapshots:
            snapshots.append(s)
            taken, clock = (s.taken_at, snapshot_clock(s)) if logged else (info.taken_at, info.clock or ORDER_GIVEN)
            moments.append(snapshot_moment(item.name, s, taken, clock, goroutine_total(s)))
    order, moments, ordered_by = put_in_order(moments)
    merged = joined(" + ".join(inputs), [snapshots[i] for i in order], dumps)
    from .collector import paused

    with paused():
        report = report_from_dump(merged, moments, ordered_by)
    leave(read)  # the dumps: what the report does not hold of them is not freed where the run ends at once
    return report


def analyze_text(text: str, source: str = "-") -> Report:
    """The report of a dump held in a string (tests, notebooks): as a file's would be."""
    dump = parse_text(text, source)
    from .fleet_reports import sources_fleet

    fleet = sources_fleet([(Input(source), SourceInfo(source, len(text)), dump)])
    return fleet if fleet is not None else report_from_dump(dump)
