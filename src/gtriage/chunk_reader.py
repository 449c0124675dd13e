"""Parse one byte range of a big dump file, and say whether it read as it would have in one
pass over the whole file (parallel.py merges only such chunks).

The first chunk is read from the file's start exactly as parse_lines reads a file; what is
checked is the state it leaves at the cut. A later chunk is read by a line reader resumed
inside the dump (LineReader.resume_in_dump) with a memo of its own; it is clean when it
holds only goroutines of that one dump, and nothing in it depends on text before the cut.
What the chunks cannot see of each other (goroutine ids repeated across a cut, stacks
shared between them) parallel.py checks when merging.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from .carriers import TextStream
from .file_chunks import open_range
from .line_reader import LineReader
from .model import Goroutine, Labels, ParseIssue, Snapshot, Stack
from .parse import SectionReader
from .section import Kind, Section
from .sections import stream_sections
from .snapshot_builder import SnapshotBuilder
from .streams import CarrierStats, Stream

STOP_EVERY = 4096  # sections between two looks at whether the run is called off

# A goroutine as a worker sends it: Goroutine's fields in order, the stack as an index
# into Chunk.stacks (so that each distinct stack is sent once).
GoroutineRow = tuple[
    int, str, int, int, int, bool, bool, bool, int | None, Labels, int | None, int | None, tuple[int, ...], str, bool
]


class NotClean(Exception):
    """The chunk does not read as in one pass; the reason is the message."""


@dataclass(slots=True)
class FirstChunk:
    """The file's first chunk: the dumps it closed, the one open at the cut (still being
    built: the later chunks' goroutines join it), and what the cut must agree with."""

    done: list[Snapshot]
    open_dump: SnapshotBuilder
    ids: set[int]
    lines: int
    binary_lines: int


@dataclass(slots=True)
class Chunk:
    """A later chunk, as a worker sends it back (line numbers count from its first line)."""

    lines: int
    ids: set[int]
    stacks: list[Stack]
    goroutines: list[GoroutineRow]
    issues: list[ParseIssue]
    unparsed_lines: int
    headers_seen: int
    unparsed_headers: int
    repeated_headers: int
    truncated: bool
    last_line: int
    notes: list[str] = field(default_factory=list)


def _text_stream(path: str, start: int, end: int, on_read: Callable[[int], None] | None) -> tuple[
    TextStream, CarrierStats, Stream
]:
    stats = CarrierStats()
    text = TextStream(open_range(path, start, end, on_read), stats)
    return text, stats, Stream("-", text.chunks(), text.line_map)


def _plain(text: TextStream, stats: CarrierStats) -> None:
    """A chunk whose text a carrier changed reads otherwise when cut (a prefix learned
    before the cut is stripped after it, a JSON log's stream spans the cut)."""
    if text.mapping or stats.carriers or text.prefixes.shapes or text.json.streams or not text.at_line_start:
        raise NotClean("a carrier (JSON log, prefixes, escaped text) was read")


def _drive(
    sections: Iterable[Section], reader: SectionReader, *, first: bool, stop: Callable[[], bool] | None
) -> tuple[list[Snapshot], SnapshotBuilder | None]:
    """SectionReader.parse, with the last dump left open and the chunk's rules applied."""
    done: list[Snapshot] = []
    snap: SnapshotBuilder | None = None
    handlers = reader.handlers
    count = 0
    for sec in sections:
        count += 1
        if stop is not None and count % STOP_EVERY == 0 and stop():
            raise NotClean("called off")
        kind = sec.kind
        if sec.id_seen:
            # A repeated id: whether a new dump starts depends on headers on both sides.
            raise NotClean("a goroutine id repeated in the dump")
        if kind is Kind.DUMP:
            if not first:
                raise NotClean("a new dump starts")
            if snap is not None:
                done.append(snap.build())
            snap = SnapshotBuilder(first_line=sec.line, last_line=sec.line, origin=sec.origin)
            continue
        if not first and kind is not Kind.GOROUTINE and kind is not Kind.JUNK:
            raise NotClean(f"a {kind.value} section")
        if snap is None:
            snap = SnapshotBuilder(first_line=sec.line)
        snap.last_section = sec
        handlers[kind](sec, snap)
    return done, snap


def read_first(
    path: str, end: int, first_id: int, on_read: Callable[[int], None] | None, stop: Callable[[], bool]
) -> FirstChunk:
    """Bytes 0..end, read as parse_lines reads a file. Raises NotClean."""
    text, stats, stream = _text_stream(path, 0, end, on_read)
    lines = LineReader(stream.line_map)
    done, snap = _drive(stream_sections(stream, lines), SectionReader(), first=True, stop=stop)
    _plain(text, stats)
    if snap is None or not (lines.open and lines.content) or lines.debug1 or lines.records:
        raise NotClean("no dump of goroutines is open at the cut")
    if lines.closed is not Kind.GOROUTINE or lines.first_id != first_id:
        raise NotClean("the dump open at the cut is not the file's first")
    if snap.stackless is not None or snap.crash_goroutine_pending:
        raise NotClean("the last goroutine before the cut waits for the next header")
    return FirstChunk(done, snap, lines.ids, stats.lines, lines.binary_lines)


def read_later(path: str, start: int, end: int, first_id: int, last: bool) -> Chunk:
    """Bytes start..end, read from a cut inside the dump. Raises NotClean."""
    text, stats, stream = _text_stream(path, start, end, None)
    lines = LineReader(stream.line_map)
    lines.resume_in_dump(first_id)
    _, snap = _drive(stream_sections(stream, lines), SectionReader(), first=False, stop=None)
    _plain(text, stats)
    if snap is None:
        raise NotClean("no goroutine after the cut")
    if not last and snap.stackless is not None:
        raise NotClean("the last goroutine before the cut waits for the next header")
    built = snap.build()
    stacks, rows = encode_goroutines(built.goroutines)
    return Chunk(
        lines=stats.lines,
        ids=lines.ids,
        stacks=stacks,
        goroutines=rows,
        issues=list(built.issues),
        unparsed_lines=built.unparsed_lines,
        headers_seen=built.headers_seen,
        unparsed_headers=built.unparsed_headers,
        repeated_headers=built.repeated_headers,
        truncated=built.truncated,
        last_line=built.last_line,
    )


def encode_goroutines(goroutines: Iterable[Goroutine]) -> tuple[list[Stack], list[GoroutineRow]]:
    """Goroutines as rows, each distinct stack object once. Raises NotClean when two of them
    are equal: one pass keeps such stacks apart (clusters group by the stack object), and
    a merge across chunks could not tell which to join."""
    index: dict[int, int] = {}
    stacks: list[Stack] = []
    rows: list[GoroutineRow] = []
    for g in goroutines:
        i = index.get(id(g.stack))
        if i is None:
            i = index[id(g.stack)] = len(stacks)
            stacks.append(g.stack)
        rows.append((
            g.id, g.state, i, g.line, g.minutes, g.locked, g.scan, g.leaked, g.bubble, g.labels,
            g.thread, g.parent_id, g.ancestor_ids, g.values, g.partial,
        ))  # fmt: skip
    if len(set(stacks)) != len(stacks):
        raise NotClean("equal stacks that are not one object")
    return stacks, rows
