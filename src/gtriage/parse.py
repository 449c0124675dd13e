"""Turn sections into snapshots: the driver that hands each section to the module that
reads its kind, and opens a new snapshot where the section reader says a dump starts.

Sections come from sections.py. Each kind has its reader: goroutine_section.py (through
the fast path, fast_path.py), crash_sections.py, record_sections.py, race_section.py.
snapshot_builder.py keeps the accounting: every goroutine header becomes a goroutine or an
unparsed header, and every line the grammar rejects is counted with its line number.
"""

from __future__ import annotations

import io

from .call_cache import partial
from .crash_sections import read_preamble, read_regs, read_runtime_stack
from .fast_path import ShapeMemo
from .goroutine_section import read_goroutine
from .model import Dump, Snapshot
from .race_section import read_race
from .record import replace
from .record_sections import read_profile, read_record
from .sections import Kind, Section, SectionStats, split_sections
from .snapshot_builder import SnapshotBuilder, rehome_dumpers

TYPE_CHECKING = False  # typing's own costs every run ~4 ms to import; type checkers read this as True
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator
    from typing import TextIO

    from .streams import LineMap

    Handler = Callable[[Section, SnapshotBuilder], None]


class SectionReader:
    """Reads the sections of one input into snapshots; keeps the fast path's memo for that
    input. `memo=False`: every text goes to the grammar (the reference the tests compare
    the fast path with)."""

    def __init__(self, *, memo: bool = True) -> None:
        self.memo = ShapeMemo(enabled=memo)
        # The line map of each snapshot's stream, in the order they were yielded.
        self.origins: list[LineMap | None] = []
        self.handlers: dict[Kind, Handler] = {
            # partial, not a lambda: one Python frame less for every goroutine.
            Kind.GOROUTINE: partial(read_goroutine, memo=self.memo),
            Kind.PREAMBLE: read_preamble,
            Kind.RUNTIME_STACK: read_runtime_stack,
            Kind.REGS: read_regs,
            Kind.RECORD: partial(read_record, memo=self.memo),
            Kind.PROFILE: read_profile,
            Kind.RACE: read_race,
            Kind.JUNK: _junk,
        }

    def parse(self, sections: Iterable[Section]) -> Iterator[Snapshot]:
        snap: SnapshotBuilder | None = None
        handlers = self.handlers
        for sec in sections:
            if sec.kind is Kind.DUMP:
                if snap is not None:
                    self.origins.append(snap.origin)
                    yield snap.build()
                snap = SnapshotBuilder(first_line=sec.line, last_line=sec.line, origin=sec.origin)
                continue
            if snap is None:  # sections always open with DUMP; be safe anyway
                snap = SnapshotBuilder(first_line=sec.line)
            snap.last_section = sec
            handlers[sec.kind](sec, snap)
        if snap is not None:
            self.origins.append(snap.origin)
            yield snap.build()


def _junk(sec: Section, snap: SnapshotBuilder) -> None:
    for i, text in enumerate(sec.lines):
        snap.issue(sec.line + i, text, "not part of any goroutine")


def parse_lines(lines: TextIO | Iterable[str], source: str = "-", *, memo: bool = True) -> Dump:
    """Parse every dump in a text stream (read in blocks) or an iterable of lines."""
    stats = SectionStats()
    reader = SectionReader(memo=memo)
    built = tuple(reader.parse(split_sections(lines, stats)))
    # Each dump's log source and process, from its stream's line map once the input is read:
    # the input's own stream learns its source only when another source shows up, maybe
    # after a dump of its own.
    built = tuple(
        replace(s, log_source=o.source, process=o.process)
        if o is not None and (o.source != s.log_source or o.process != s.process)
        else s
        for s, o in zip(built, reader.origins, strict=True)
    )
    snaps = rehome_dumpers(built)
    processes = stats.processes
    if processes is not None and processes.lines:
        # After rehoming: before it, a dump's range still held the next one's first goroutine.
        snaps = tuple(
            replace(s, process=p) if not s.process and (p := processes.at(s.first_line, s.last_line)) else s
            for s in snaps
        )
    clock = stats.clock
    if clock is not None and clock.lines:
        snaps = tuple(
            replace(s, taken_at=at, year_unknown=at is not None and clock.yearless,
                    zone_unknown=at is not None and clock.zoneless)
            for s in snaps
            for at in (clock.at(s.first_line, s.last_line),)
        )
    return Dump(
        source=source,
        snapshots=snaps,
        lines=stats.lines,
        binary_lines=stats.binary_lines,
        carriers=tuple(sorted(stats.carriers)),
    )


def parse_text(text: str, source: str = "-", *, memo: bool = True) -> Dump:
    return parse_lines(io.StringIO(text), source, memo=memo)
