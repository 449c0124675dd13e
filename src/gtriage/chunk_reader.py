"""Parse one byte range of a big dump file, and say whether it read as it would have in one
pass over the whole file (parallel.py merges only such chunks).

The first chunk is read from the file's start exactly as parse_lines reads a file; what is
checked is the state it leaves at the cut. A later chunk is read by a line reader resumed
inside the dump (_resumed_in_dump); it is clean when it holds only goroutines of
that one dump, and nothing in it depends on text before the cut. What the chunks cannot
see of each other (goroutine ids repeated across a cut, stacks shared between them)
parallel.py checks when merging.

A process reads many chunks (parallel.py hands them out from a queue) with one
ChunkParser: one memo for all of them, so that a stack shape is parsed once a process as
one pass parses it once a file, and equal stacks are one object across its chunks as in
one pass.
"""

from __future__ import annotations

from .carriers import TextStream
from .file_chunks import open_range
from .line_reader import LineReader
from .model import Ancestor, Frame, Goroutine, Labels, ParseIssue, Snapshot, Stack
from .parse import SectionReader
from .record import dataclass
from .section import Kind, Section
from .sections import new_memos, stream_sections
from .snapshot_builder import SnapshotBuilder
from .streams import CarrierStats, Stream

TYPE_CHECKING = False  # typing's own costs every run ~4 ms to import; type checkers read this as True
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

# Sections between two looks at whether the run is called off (a flag every process
# shares; a carrier found so far): 64 sections are ~3 ms of parsing. The parent takes in
# the workers' chunks between its own, not at these looks (parallel._Parent.halted); a
# worker's answer waits in its pipe meanwhile, written by a thread of its own
# (forked.Sender) while the worker goes on.
STOP_EVERY = 64

# A goroutine as a worker sends it: Goroutine's fields in order, the stack as an index
# into the stacks that worker has sent so far (so that each distinct stack is sent once).
GoroutineRow = tuple[
    int, str, int, int, int, bool, bool, bool, int | None, Labels, int | None, int | None, tuple[int, ...], str, bool
]
# A stack as a worker sends it: Stack's and its frames' fields in order.
PlainFrame = tuple[str, str, str, int, int]
PlainStack = tuple[
    tuple[PlainFrame, ...],
    PlainFrame | None,
    int,
    int,
    tuple[tuple[tuple[PlainFrame, ...], PlainFrame | None, bool], ...],
    bool,
    bool,
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
    # The open dump's distinct stacks, each its own key: a copy of a dict keeps the keys'
    # hashes, where a stack's is taken over all its frames again each time (~15 µs; the
    # merge's first look at them took 31 ms of the 300k bench dump's parent, 11 of the 10k's).
    stacks: dict[Stack, Stack]


@dataclass(slots=True)
class Later:
    """What a later chunk adds to the open dump. Line numbers (of goroutines, issues and
    last_line) count from the chunk's first line until the merge moves them."""

    lines: int
    ids: set[int]
    goroutines: list[Goroutine]
    issues: list[ParseIssue]
    unparsed_lines: int
    headers_seen: int
    unparsed_headers: int
    repeated_headers: int
    truncated: bool
    last_line: int
    # The chunk's distinct stack objects, when this process read it (the merge makes each
    # the equal stack it already keeps, if any); empty when decoded from a worker's rows.
    stacks: list[Stack]


# A later chunk as a worker sends it, in marshal's plain types (marshal is built in, where
# pickle's import costs a run ~4.5 ms of its ~150 on the 10k bench dump): Later's fields,
# its goroutines as rows, and the stacks first seen by that worker in this chunk (they
# extend the list that the rows' stack indices point into), each as _plain_stack makes it.
Chunk = tuple[
    int,  # lines
    set[int],  # ids
    list[PlainStack],  # stacks
    list[GoroutineRow],
    list[tuple[int, str, str]],  # issues
    int,  # unparsed_lines
    int,  # headers_seen
    int,  # unparsed_headers
    int,  # repeated_headers
    bool,  # truncated
    int,  # last_line
]
CHUNK_FIELDS = 11


def _text_stream(path: str, start: int, end: int, on_read: Callable[[int], None] | None) -> tuple[
    TextStream, CarrierStats, Stream
]:
    stats = CarrierStats()
    text = TextStream(open_range(path, start, end, on_read), stats)
    return text, stats, Stream("-", text.chunks(), text.line_map)


def _changed(text: TextStream, stats: CarrierStats) -> bool:
    """Whether a carrier changed the text so far. A chunk whose text a carrier changed
    reads otherwise when cut (a prefix learned before the cut is stripped after it, a JSON
    log's stream spans the cut). Once true it stays true: looked at while reading too."""
    return bool(text.mapping or stats.carriers or text.prefixes.shapes or text.json.streams)


def _plain(text: TextStream, stats: CarrierStats) -> None:
    if _changed(text, stats) or not text.at_line_start:
        raise NotClean("a carrier (JSON log, prefixes, escaped text) was read")


def _resumed_in_dump(lines: LineReader, first_id: int) -> LineReader:
    """The line reader as it is at a cut inside a dump: a dump of goroutines is open, its
    first goroutine was `first_id`, and a goroutine section ended at the blank line before.
    The ids seen before the cut are not known here: the merge checks them."""
    lines.open = lines.content = True
    lines.first_id = first_id
    lines.closed = Kind.GOROUTINE
    lines.after_blank = True
    return lines


def _drive(
    sections: Iterable[Section],
    reader: SectionReader,
    *,
    first: bool,
    stop: Callable[[], bool] | None,
    text: TextStream,
    stats: CarrierStats,
    last: bool = False,
) -> tuple[list[Snapshot], SnapshotBuilder | None]:
    """SectionReader.parse, with the last dump left open and the chunk's rules applied. The
    file's last chunk may end in a thread's registers (a SIGQUIT or GOTRACEBACK=crash
    traceback): a register section only counts the lines it cannot read, as in one pass."""
    done: list[Snapshot] = []
    snap: SnapshotBuilder | None = None
    handlers = reader.handlers
    count = 0
    for sec in sections:
        count += 1
        if count % STOP_EVERY == 0:
            if stop is not None and stop():
                raise NotClean("called off")
            if _changed(text, stats):
                # Found early, so that an input read by one process after all (a log with
                # prefixes) has not been read whole first.
                raise NotClean("a carrier (JSON log, prefixes, escaped text) was read")
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
        if not first and kind is not Kind.GOROUTINE and kind is not Kind.JUNK and not (last and kind is Kind.REGS):
            raise NotClean(f"a {kind.value} section")
        if snap is None:
            snap = SnapshotBuilder(first_line=sec.line)
        snap.last_section = sec
        handlers[kind](sec, snap)
    return done, snap


class ChunkParser:
    """The chunks one process reads, with one memo, and the stacks it made: equal stacks
    must be one object, as one pass makes them (see distinct_stacks)."""

    def __init__(self) -> None:
        self.reader = SectionReader()
        # The section splitter's memos too: each chunk starting with empty ones cut the
        # first goroutines of every shape again (the 300k dump with 2 jobs: 2.88 s, 2.73 s
        # with the memos kept; paired runs).
        self.memos = new_memos()
        self.stacks: dict[Stack, Stack] = {}
        self.seen: set[int] = set()  # the ids of those stacks (each kept alive by them)

    def read_first(
        self, path: str, end: int, first_id: int, on_read: Callable[[int], None] | None, stop: Callable[[], bool]
    ) -> FirstChunk:
        """Bytes 0..end, read as parse_lines reads a file. Raises NotClean. A parser's first
        read: the stacks it keeps are then the open dump's."""
        assert not self.stacks, "read_first is a parser's first read"
        text, stats, stream = _text_stream(path, 0, end, on_read)
        lines = LineReader(stream.line_map)
        done, snap = _drive(stream_sections(stream, lines, self.memos), self.reader, first=True, stop=stop, text=text, stats=stats)
        _plain(text, stats)
        if snap is None or not (lines.open and lines.content) or lines.debug1 or lines.records:
            raise NotClean("no dump of goroutines is open at the cut")
        if lines.closed is not Kind.GOROUTINE or lines.first_id != first_id:
            raise NotClean("the dump open at the cut is not the file's first")
        if snap.stackless is not None or snap.crash_goroutine_pending:
            raise NotClean("the last goroutine before the cut waits for the next header")
        self.distinct_stacks(snap.goroutines)
        return FirstChunk(done, snap, lines.ids, stats.lines, lines.binary_lines, dict(self.stacks))

    def read_later(
        self,
        path: str,
        start: int,
        end: int,
        first_id: int,
        last: bool,
        stop: Callable[[], bool] | None = None,
        on_read: Callable[[int], None] | None = None,
    ) -> Later:
        """Bytes start..end, read from a cut inside the dump. Raises NotClean."""
        text, stats, stream = _text_stream(path, start, end, on_read)
        lines = _resumed_in_dump(LineReader(stream.line_map), first_id)
        _, snap = _drive(
            stream_sections(stream, lines, self.memos), self.reader, first=False, stop=stop, text=text, stats=stats, last=last
        )
        _plain(text, stats)
        if snap is None:
            raise NotClean("no goroutine after the cut")
        if snap.logged_panics:
            raise NotClean("a panic the program logged")  # not sent as rows
        if not last and snap.stackless is not None:
            raise NotClean("the last goroutine before the cut waits for the next header")
        built = snap.build()
        return Later(
            lines=stats.lines,
            ids=lines.ids,
            goroutines=snap.goroutines,  # the builder's list: no copy of the tuple built
            issues=list(built.issues),
            unparsed_lines=built.unparsed_lines,
            headers_seen=built.headers_seen,
            unparsed_headers=built.unparsed_headers,
            repeated_headers=built.repeated_headers,
            truncated=built.truncated,
            last_line=built.last_line,
            stacks=list(self.distinct_stacks(snap.goroutines).values()),
        )

    def distinct_stacks(self, goroutines: Iterable[Goroutine]) -> dict[int, Stack]:
        """The goroutines' stacks, each object once (by id). Raises NotClean when two
        stacks of this process are equal but not one object: one pass keeps such stacks
        apart (clusters group by the stack object), and a merge across chunks could not
        tell which to join."""
        by_id = {id(g.stack): g.stack for g in goroutines}
        mine, seen = self.stacks, self.seen
        for i, s in by_id.items():
            if i in seen:
                continue  # this very object is kept: not hashed again (over all its frames)
            if mine.setdefault(s, s) is not s:
                raise NotClean("equal stacks that are not one object")
            seen.add(i)
        return by_id


class Encoder:
    """A worker's chunks as rows; each distinct stack is sent with the first chunk that
    holds it, and by its index after that."""

    def __init__(self) -> None:
        self.index: dict[int, int] = {}  # id(stack) -> its index in the stacks sent

    def encode(self, c: Later) -> Chunk:
        index = self.index
        new: list[PlainStack] = []
        rows: list[GoroutineRow] = []
        append = rows.append
        # Equal argument texts as one object: marshal writes an object it has written
        # already as a reference to it, and ~40% of a chunk's goroutines of the 300k bench
        # dump print the texts of another (222 MB to send became 136 MB).
        texts: dict[str, str] = {}
        same = texts.setdefault
        for g in c.goroutines:
            stack = g.stack
            i = index.get(id(stack))
            if i is None:
                i = index[id(stack)] = len(index)
                new.append(_plain_stack(stack))
            append((
                g.id, g.state, i, g.line, g.minutes, g.locked, g.scan, g.leaked, g.bubble, g.labels,
                g.thread, g.parent_id, g.ancestor_ids, same(g.values, g.values), g.partial,
            ))  # fmt: skip
        return (
            c.lines, c.ids, new, rows, [(i.line, i.text, i.reason) for i in c.issues], c.unparsed_lines,
            c.headers_seen, c.unparsed_headers, c.repeated_headers, c.truncated, c.last_line,
        )  # fmt: skip


def _plain_frame(f: Frame) -> PlainFrame:
    return (f.func, f.args, f.file, f.line, f.slot)


def _plain_creator(f: Frame | None) -> PlainFrame | None:
    return None if f is None else _plain_frame(f)


def _plain_stack(s: Stack) -> PlainStack:
    ancestors = tuple((tuple(map(_plain_frame, a.frames)), _plain_creator(a.created_by), a.elided) for a in s.ancestors)
    return (
        tuple(map(_plain_frame, s.frames)), _plain_creator(s.created_by), s.elided, s.elided_at, ancestors,
        s.other_thread, s.cgo,
    )  # fmt: skip


def stack_of(plain: PlainStack, frames: dict[PlainFrame, Frame]) -> Stack:
    """A stack as _plain_stack sent it; `frames` keeps each distinct frame one object, as
    one pass shares them."""

    def frame(f: PlainFrame) -> Frame:
        made = frames.get(f)
        if made is None:
            made = frames[f] = Frame(*f)
        return made

    def creator(f: PlainFrame | None) -> Frame | None:
        return None if f is None else frame(f)

    calls, created_by, elided, elided_at, ancestors, other_thread, cgo = plain
    return Stack(
        tuple(map(frame, calls)), creator(created_by), elided, elided_at,
        tuple(Ancestor(tuple(map(frame, fs)), creator(by), e) for fs, by, e in ancestors), other_thread, cgo,
    )  # fmt: skip


def decode(c: Chunk, stacks: list[Stack]) -> Later:
    """A worker's chunk as goroutines again; `stacks` is the list of that worker's stacks
    so far, each the object the merge keeps for it, which c's stacks (already made and put
    in the same form by the caller) extended."""
    (lines, ids, _stacks, rows, issues, unparsed_lines, headers_seen, unparsed_headers, repeated_headers,
     truncated, last_line) = c  # fmt: skip
    gs = [
        Goroutine(gid, state, stacks[si], line, minutes, locked, scan, leaked, bubble, labels,
                  thread, parent, ancestors, values, partial)
        for gid, state, si, line, minutes, locked, scan, leaked, bubble, labels, thread, parent, ancestors, values, partial
        in rows
    ]  # fmt: skip
    return Later(
        lines, ids, gs, [ParseIssue(*i) for i in issues], unparsed_lines, headers_seen, unparsed_headers,
        repeated_headers, truncated, last_line, [],
    )  # fmt: skip
