"""Find the dumps inside text and cut them into sections for the grammar.

Every stream of plain text (carriers.py) is cut into blank-line-separated blocks. The line
reader (line_reader.py) reads them a line at a time and alone decides where sections and
dumps start; a clean goroutine block inside a dump is taken whole without that pass (the
common case), and only when the line reader would have cut it the same way. So is a clean
goroutine followed by the next one's header with no blank line between (journald keeps no
empty line), and one whose locations lost their tab to blanks where the line reader would
give it back. What a section says is the grammar's business (parse.py).
"""

from __future__ import annotations

import io
from itertools import pairwise, repeat

from .call_split import CALL_END, MAX_LIKES, Like, cut_calls, split_like
from .carriers import read_streams
from .lazy_re import lazy
from .line_kinds import MAX_STACK_LINE
from .line_reader import LineReader
from .log_clock import LogClock
from .log_processes import ProcessLines
from .record import dataclass, field
from .regex_cache import compiled, escape
from .section import CallSplit, Kind, Section
from .streams import CHUNK, CarrierStats, Stream

TYPE_CHECKING = False  # typing's own costs every run ~4 ms to import; type checkers read this as True
if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from typing import TextIO

    from .streams import Readable

__all__ = ["Kind", "Section", "SectionStats", "split_sections"]


@dataclass(slots=True)
class SectionStats:
    """Filled in when the input is exhausted."""

    lines: int = 0
    binary_lines: int = 0
    carriers: set[str] = field(default_factory=set)
    clock: LogClock | None = None
    processes: ProcessLines | None = None

# A goroutine block whose every line is a stack line: a tab-indented location, a call
# ending in ")", "created by", an elision marker, an ancestor header, a cgo frame. (Measured:
# this regex takes 8 us on a 2.9 KB block; seven str.count calls took 16 us.) Each line is
# matched one way only (an atomic group of alternatives that each take the whole line):
# a line that starts with a tab and ends in ")" matched two ways, and a block of such lines
# before one that is no stack line was tried every way, 2^n (a log indented by a tab hung).
_STACK_LINE = (
    r"(?>[\t][^\n]*+|[^\n]*+(?<=\))|created by [^\n]*+|\.\.\.[^\n]*+|\[originating from goroutine [^\n]*+"
    r"|non-Go function[^\n]*+)"
)
_CLEAN_STACK = lazy(_STACK_LINE + r"(?:\n" + _STACK_LINE + r")*+")
# Longer blocks go line by line, where a line over MAX_STACK_LINE is counted apart.
MAX_FAST_BLOCK = MAX_STACK_LINE
# Lines inside a block that the line reader reads otherwise although _CLEAN_STACK takes them
# for calls (they end in ")"): section starts ("panic: boom(x)", "goroutine 7 [x] (y)"), and
# indented lines (the line reader takes their indentation off). Other section starts end in
# no ")", so _CLEAN_STACK refuses them anyway.
_STARTS = (" ", "goroutine ", "panic: ", "fatal error: ", "runtime: ", "[signal ", "unexpected fault address ",
           "PC=0x", "*** Test killed", "SIG")  # fmt: skip
_STARTS_IN_BODY = lazy("\n(?:" + "|".join(escape(m) for m in _STARTS) + ")")


def _starts_in_body(body: str) -> bool:
    return body.startswith(_STARTS) or _STARTS_IN_BODY.search(body) is not None


def _calls_start_sections(body: str, calls: list[str]) -> bool:
    """_starts_in_body for a text cut into call pairs. A call over its location is a call
    whatever it starts with (line_reader.py reads it so too), but for a header: so only the
    first call's indentation, headers (one substring search), and the last piece's lines are
    left to look at: no regex over the whole text (~10 us a goroutine). (A paste that
    indents calls indents the first one too.)"""
    return calls[0].startswith((" ", "goroutine ")) or "\ngoroutine " in body or _starts_in_body(calls[-1])


def _call_pairs(newlines: int, calls: list[str]) -> bool:
    """Whether a stack text (ending in a newline, holding `newlines`), cut at CALL_END into
    `calls`, is made of call lines over their locations, then a last piece of stack lines.

    Each cut is a line ending in ")" over a tab-indented one. When the first piece is one
    line and every piece between cuts holds exactly one newline (each holds one, and they
    hold as many as there are pieces), every line up to the last piece is such a line, and
    only the last piece (a location, then maybe "created by ...") is left for the regex.
    Cheaper than the regex over every line, and the parser uses the cut. True implies
    _CLEAN_STACK matches; and then each piece's last "(" opens the arguments of its call.
    """
    n = len(calls)
    if n < 2 or "\n" in calls[0]:
        return False
    tail = calls[-1]
    if newlines != 2 * n - 3 + tail.count("\n") or not all(map(str.__contains__, calls[1:-1], repeat("\n"))):
        return False
    i = tail.find("\n") + 1
    return i == len(tail) or _CLEAN_STACK.fullmatch(tail, i, len(tail) - 1) is not None


MAX_CLEAN_BODIES = 1 << 13  # stack texts remembered as clean (the parser keeps as many)
MAX_CLEAN_KEYS = 1 << 14  # the same for their split_calls keys (the parser keeps as many)
def _whole_stack(
    body: str, clean: dict[str, int], keys: dict[str, int], likes: dict[tuple[int, str], Like]
) -> tuple[int, CallSplit | None] | None:
    """The newlines of a clean stack text and its cut at its arguments when it is made of
    call pairs; None when its lines must be read one by one: a line is no stack line, or
    the line reader would read it otherwise (_STARTS). `clean`: texts found clean so far;
    `keys`: the split_calls keys of the call-pair texts among them; `likes`: the last
    flat text cut, by its number of pieces and last piece (call_split.split_like)."""
    newlines = clean.get(body)
    if newlines is not None:
        return newlines, None  # the very same text again (a leak's copies): no cut needed
    cut = body.split(CALL_END)
    like_key = (len(cut), cut[-1])
    like = likes.get(like_key)
    split = split_like(cut, like) if like is not None else None
    if split is None:
        split, heads = cut_calls(cut)
        if split.flat and not split.level2 and (like is not None or len(likes) < MAX_LIKES):
            likes[like_key] = (cut, split, heads)
    # Flat arguments and no fp=/sp= words: what a key may stand for (split_like's are so).
    keyed = split.flat and not split.level2
    if keyed:
        # A text with the key of a clean one, and arguments on their own lines, is clean
        # too: the checks below read the lines' starts and ends, which its key holds (but
        # for the first call's start, when its head is empty: such keys are not kept), and
        # the creator's number, which lies inside its line.
        newlines = keys.get(split.key)
        if newlines is not None:
            if len(clean) < MAX_CLEAN_BODIES:
                clean[body] = newlines
            return newlines, split
    newlines = body.count("\n")
    if _call_pairs(newlines, cut):
        if _calls_start_sections(body, cut):
            return None
        if keyed and not split.key.startswith("()\n\t") and len(keys) < MAX_CLEAN_KEYS:
            keys[split.key] = newlines
    elif _starts_in_body(body) or _CLEAN_STACK.fullmatch(body, 0, len(body) - 1) is None:
        return None
    # Odd but clean texts (ancestors, say) go whole too; their keys are not kept.
    if len(clean) < MAX_CLEAN_BODIES and not split.level2:
        clean[body] = newlines  # level-2 texts (fp= on every frame) never repeat
    return newlines, split


Memos = tuple[dict[str, int], dict[str, int], dict[tuple[int, str], Like]]  # _whole_stack's


def _retabbed(body: str, memos: Memos) -> tuple[str, tuple[int, CallSplit | None] | None]:
    """A goroutine's body that _whole_stack refused, with the locations indented with blanks
    for their tab (journalctl prints a tab as 8, a terminal copy as many as reach the next
    stop) given their tab back as the line reader gives it line by line (_stack_line): the
    body to take, and _whole_stack's answer for it (None: the body goes line by line).
    Called only once the body failed as it is: a search of every body for blanks cost 2% of
    the 1k dump's instructions."""
    if "\n " in body:
        spaced = _SPACED_LOCATION.sub("\n\t", body)
        # A line still indented is a call (the line reader takes its blanks off), which
        # _whole_stack does not look for past the first call.
        if spaced != body and "\n " not in spaced:
            return spaced, _whole_stack(spaced, *memos)
    return body, None


def _feed(m: LineReader, lines: list[str], n: int, start: int, end: int) -> None:
    """Lines start..end of a block (its first line is stream line n) to the line reader,
    each with the one or two after it in the block."""
    last = len(lines) - 1
    for i in range(start, end):
        m.feed(lines[i], n + i, lines[i + 1] if i < last else None, lines[i + 2] if i + 1 < last else None)


# Goroutine headers at a line's start, as line_kinds.is_header takes them: the block's
# first line, then each after a line break (searched for from the break: "^" with
# MULTILINE was tried at every character, ~0.1 s of a 10k dump's journal).
_HEADER_START = lazy(r"goroutine [0-9]")
_HEADER_AFTER_BREAK = lazy(r"\ngoroutine [0-9]")


def _feed_goroutines(m: LineReader, lines: list[str], n: int, block: str, memos: Memos) -> Iterator[Section]:
    """A block that holds goroutines with no blank line between them (journald keeps no
    empty line): each one whose next line is the next one's header is taken whole when it is
    clean, as a blank-separated block is; the rest goes line by line. The line reader reads
    a goroutine so followed exactly as one followed by a blank line: the header closes it
    (LineReader._goroutine), and a header is a header whatever came before it."""
    # Each header's line in the block, and its offset.
    heads: list[tuple[int, int]] = [(0, 0)] if _HEADER_START.match(block) else []
    at, line = 0, 0
    for h in _HEADER_AFTER_BREAK.finditer(block):
        line += block.count("\n", at, h.start() + 1)
        at = h.start() + 1
        heads.append((line, at))
    fed = 0  # lines before this one went to the line reader, or were taken whole
    for (j, start), (k, end) in pairwise(heads):
        if k - j < 2 or end - start >= MAX_FAST_BLOCK:
            continue
        body = block[block.index("\n", start) + 1 : end]  # the lines between, each with its line break
        whole = _whole_stack(body, *memos)
        if whole is None:
            body, whole = _retabbed(body, memos)
        if whole is None:
            continue
        _feed(m, lines, n, fed, j)
        fed = j
        if not m.accepts_blocks(after_header=True):
            continue
        m.take_goroutine(lines[j], body, n + j, whole[1], at_header=True)
        fed = k
        yield from m.ready()
    _feed(m, lines, n, fed, len(lines))


# The blanks before a line the line reader gives a tab in their place (_stack_line): one
# that is no stack line (no ")" at its end, none of the stack lines' starts). Other lines
# keep their blanks, and their block goes line by line.
_SPACED_LOCATION = lazy(
    r"\n +(?=\S)(?!created by |\.\.\.|\[originating from goroutine |non-Go function)(?=[^\n]*(?<!\))\n)"
)

_BLANK, _END, _MORE = 1, 0, 2  # what follows a block: a blank line, nothing, more lines


def _blocks(chunks: Iterator[str]) -> Iterator[tuple[str, int]]:
    """Blank-line-separated blocks of a text stream, each with what follows it.

    A block never holds an empty line; runs of blank lines give empty blocks. Text that
    goes on for more than a chunk without a blank line (a log) comes in pieces of whole
    lines (_MORE), so that no text is joined onto a growing rest: linear time, bounded
    memory.
    """
    rest = ""
    for chunk in chunks:
        if not chunk:
            continue
        buf = rest + chunk if rest else chunk
        parts = _BLANK_LINE.split(buf)
        rest = parts.pop()
        for part in parts:
            yield part, _BLANK
        if len(rest) > CHUNK:
            cut = rest.rfind("\n")
            if cut > 0:
                yield rest[:cut], _MORE
                rest = rest[cut + 1 :]
    yield rest, _END


# The same cut as str.split("\n\n"), about 20% faster on dump text (a line break every
# ~40 characters keeps str's two-character search from skipping far).
_BLANK_LINE = compiled("\n\n")


def split_sections(source: TextIO | Iterable[str], stats: SectionStats | None = None) -> Iterator[Section]:
    """Yield the sections of every dump in `source` (a text stream, or text lines).

    A `Kind.DUMP` section marks the start of each dump. Text outside any dump is skipped.
    carriers.py first turns the input into streams of plain text (the input itself, and
    what JSON logs carried); each is read on its own.
    """
    # Any object with read() is a stream (as the Readable protocol says), io's or not.
    readable: Readable = source if hasattr(source, "read") else io.StringIO("".join(source))  # type: ignore[assignment]
    cstats = CarrierStats()
    binary = 0
    for stream in read_streams(readable, cstats):
        reader = LineReader(stream.line_map)
        yield from stream_sections(stream, reader)
        binary += reader.binary_lines
    if stats is not None:
        stats.lines = cstats.lines
        stats.binary_lines = binary
        stats.carriers = cstats.carriers
        stats.clock = cstats.clock
        stats.processes = cstats.processes


def new_memos() -> Memos:
    """_whole_stack's memos, empty: clean stack texts seen -> their newlines, their
    split_calls keys -> the same, and the last flat text cut by its shape (split_like)."""
    return {}, {}, {}


def stream_sections(stream: Stream, m: LineReader, memos: Memos | None = None) -> Iterator[Section]:
    """The sections of one stream. Its blank-line-separated blocks go to the line reader,
    but clean goroutine blocks inside a dump, which are taken whole (the common case).
    `memos` (new_memos): what earlier streams of the same input taught, when the input
    is read in parts (parallel.py's chunks); each fact in them is of a text alone."""
    n = 1  # line number of the block's first line
    header_start = "goroutine "
    last_ended = True
    clean, keys, likes = memos if memos is not None else new_memos()
    for block, after in _blocks(stream.chunks):
        blank_after = after == _BLANK
        nl = block.find("\n")
        if (
            blank_after  # the last block goes line by line: it may be cut off
            and nl > 10
            and block.startswith(header_start)
            and "0" <= block[10:11] <= "9"
            and len(block) < MAX_FAST_BLOCK
            and m.accepts_blocks()
        ):
            body = block[nl + 1 :] + "\n"
            whole = _whole_stack(body, clean, keys, likes)
            if whole is None:
                body, whole = _retabbed(body, (clean, keys, likes))
            if whole is not None:
                newlines, calls = whole
                m.take_goroutine(block[:nl], body, n, calls)
                n += newlines + 2
                yield from m.ready()
                continue
        lines = block.split("\n")
        count = len(lines) - 1
        if after == _END and block.endswith("\n"):
            lines.pop()  # the input's final newline
            count -= 1
        if after != _END or block:
            if "\ngoroutine " in block:
                yield from _feed_goroutines(m, lines, n, block, (clean, keys, likes))
            else:
                _feed(m, lines, n, 0, len(lines))
        if after == _END:
            last_ended = block == "" or block.endswith("\n")
            n += count + 1
        elif blank_after:
            m.feed("", n + count + 1)
            n += count + 2
        else:
            n += count + 1  # the line break the piece was cut at
        if m.out:
            yield from m.ready()
    m.finish(last_ended)
    yield from m.ready()
