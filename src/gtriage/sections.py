"""Find the dumps inside text and cut them into sections for the grammar.

This is the one place that decides where a section starts and ends, and where a dump (a
snapshot) starts: by the first characters of a line, one line (and at most two lines of
look-ahead) at a time. What a section says is the grammar's business (parse.py); what
carried the text (JSON logs, line prefixes) is carriers.py's. The fast path below takes
whole goroutine blocks without reading their lines, and only ever takes a block that the
line reader would have cut the same way.

The rules, in the order the line reader applies them:
- A dump starts at a goroutine header, a crash's first line (`panic: `, `fatal error: `,
  `[signal `, `SIGQUIT: quit`, ...), `goroutine profile: total N` or a race report.
- A new dump starts only where the runtime starts one: a goroutine id seen before in this
  dump (but goroutine 0, the threads' system stacks, and the header just before it: a line
  printed twice), a `panic: ` or `fatal error: ` after goroutines, a debug=1 profile header
  after goroutines or records, a goroutine header after debug=1 records.
- Text that belongs to no section (log lines, prose, markdown headings) is skipped; it ends
  the open section but not the dump. A dump made only of a crash's first lines ends there.
- A line that fits no section but is followed (within two lines) by a stack location is
  damage, not foreign text: it stays in its goroutine, or, with no goroutine open, is
  counted with the stack lines after it as lines of no goroutine.
"""

from __future__ import annotations

import enum
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import repeat
from typing import TextIO

from .carriers import read_streams
from .streams import CarrierStats, LineMap, Readable, Stream


class Kind(enum.Enum):
    DUMP = "dump"  # a new snapshot starts; no lines
    GOROUTINE = "goroutine"  # header line, then its stack lines
    RUNTIME_STACK = "runtime stack"  # "runtime stack:" then the system stack of a throw
    PREAMBLE = "preamble"  # panic / fatal error / signal / SIGQUIT lines
    PROFILE = "profile"  # "goroutine profile: total N"
    RECORD = "record"  # one ?debug=1 record
    RACE = "race"  # one race report, without its "=====" fences
    REGS = "regs"  # a register dump
    JUNK = "junk"  # a line inside a dump that fits no section


# For the per-goroutine path: reading an enum member costs ~0.1 us on Python 3.11.
_GOROUTINE = Kind.GOROUTINE
_PREAMBLE = Kind.PREAMBLE


@dataclass(slots=True)
class Section:
    kind: Kind
    line: int  # 1-based input line of lines[0]
    lines: list[str] = field(default_factory=list)
    # The input ended inside this section without a final newline (a cut-off dump).
    cut: bool = False
    # GOROUTINE sections taken as whole blocks: the stack lines as one text (lines[0] is
    # the header and the only item of `lines` then), and that text cut at CALL_END when
    # it is made of call lines over their locations (_call_pairs).
    body: str | None = None
    calls: list[str] | None = None
    # DUMP sections: where the lines of this dump's stream came from in the input.
    origin: LineMap | None = None
    # GOROUTINE sections: the same id as the goroutine just before (a line printed twice),
    # or as an earlier one of the same dump (not a new dump: the next header was new).
    repeated: bool = False
    id_seen: bool = False


# ?debug=1 record start: "3 @ 0x47c70e 0x410f8b".
_RECORD_START = re.compile(r"[0-9]+ @( 0x[0-9a-fA-F]+)*$")
# Register dump line: "rax    0x1", "r8     0x0", "rflags 0x246", "lr      0x10045c".
_REG_LINE = re.compile(r"[a-z][a-z0-9]* +0x[0-9a-fA-F]+$")
_SIGNAL_LINE = re.compile(r"SIG[A-Z0-9]+: ")
_SPACES = re.compile(r" {2,}|(?<=^#) ")
# A frame's location once its indentation is gone (tabs pasted as nothing or as spaces):
# "/x/m.go:12 +0x1d", "example.com/m/m.go:12" (-trimpath), with fp=/sp=/pc= at traceback
# level 2. A path has a "/" and its file an extension; log text ("addr=127.0.0.1:8080",
# 'at="x.go:3"') has "=" or quotes.
_LOCATION = re.compile(
    r"[^\s\"=][^\n\"=]*[/\\][^\n\"=]*\.[A-Za-z][A-Za-z0-9_]*:[0-9]+(?: \+0x[0-9a-fA-F]+)?"
    r"(?: fp=0x[0-9a-fA-F]+ sp=0x[0-9a-fA-F]+)?(?: pc=0x[0-9a-fA-F]+)?"
)

_PREAMBLE_STARTS = (
    "panic: ",
    "fatal error: ",
    "[signal ",
    "unexpected fault address ",
    "PC=0x",
    "*** Test killed",
    "runtime: ",
)
_RACE_FENCE = "=================="
# Longest line a goroutine's stack may hold (Go prints at most ~10 argument words a frame).
MAX_STACK_LINE = 1 << 16
_STACK_LINE_STARTS = ("created by ", "...", "[originating from goroutine ", "non-Go function")
# Where a call's argument list ends and its location starts. The grammar's ARGS hold no
# parentheses, so the text between a call line's last "(" and this is its arguments.
CALL_END = ")\n\t"


def _is_header(line: str) -> bool:
    return line.startswith("goroutine ") and "0" <= line[10:11] <= "9"


def header_id(line: str) -> int | None:
    """The id of a goroutine header line, when its digits are ASCII and few enough."""
    sp = line.find(" ", 10)
    digits = line[10:sp] if sp > 0 else line[10:]
    if not 0 < len(digits) <= 20 or not digits.isascii() or not digits.isdigit():
        return None
    return int(digits)


def _starts_preamble(line: str) -> bool:
    return line.startswith(_PREAMBLE_STARTS) or (
        line.startswith("SIG") and _SIGNAL_LINE.match(line) is not None
    )


def _starts_dump(line: str) -> bool:
    """Lines that start a dump wherever they stand."""
    return (
        _is_header(line)
        or (_starts_preamble(line) and not line.startswith(("runtime: ", "PC=0x")))
        or line.startswith("goroutine profile: total ")
        or line == "WARNING: DATA RACE"
        or line == _RACE_FENCE
    )


def _starts_section(line: str) -> bool:
    """Lines that end a goroutine's stack: the start of another section of the dump."""
    return (
        _is_header(line)
        or _starts_preamble(line)
        or line.startswith("goroutine profile: total ")
        or line == "WARNING: DATA RACE"
        or line == _RACE_FENCE
    )


def _is_stack_line(line: str) -> bool:
    """Lines a goroutine's stack is made of, besides tab-indented locations."""
    return line.endswith(")") or line.startswith(_STACK_LINE_STARTS)


def _is_location(line: str | None) -> bool:
    if line is None:
        return False
    if line[:1] == "\t":
        return True
    bare = line.lstrip(" ")
    return not bare.endswith(")") and _LOCATION.fullmatch(bare) is not None


def _location_follows(nxt: str | None, nxt2: str | None) -> bool:
    """Whether a line that fits nowhere is damage inside a stack: a location follows it."""
    return _is_location(nxt) or (nxt is not None and nxt.strip() != "" and _is_location(nxt2))


@dataclass(slots=True)
class SectionStats:
    """Filled in when the input is exhausted."""

    lines: int = 0
    binary_lines: int = 0
    carriers: set[str] = field(default_factory=set)


class _LineReader:
    """The line-by-line reading of one stream of dump text, resumable a line at a time.

    Most goroutines of a big dump never come here: split_sections hands whole clean
    goroutine blocks over without looking at their lines (see _clean_stack).
    """

    def __init__(self, origin: LineMap | None) -> None:
        self.origin = origin
        self.open = False  # a dump is open
        self.content = False  # it holds more than a crash's first lines
        self.debug1 = False  # it is a ?debug=1 profile
        self.records = False  # it holds debug=1 records
        self.ids: set[int] = set()  # goroutine ids seen in it
        self.last_id: int | None = None
        self.first_id: int | None = None  # of the dump's first goroutine
        self.cur: Section | None = None  # the open section
        self.held: int | None = None  # index in `out` of a goroutine held back
        self.closed: Kind | None = None  # the kind of the section closed last
        self.after_blank = False
        self.out: list[Section] = []
        self.binary_lines = 0  # outside any dump, not text (invalid UTF-8 or NUL bytes)

    def _new_dump(self, n: int) -> None:
        self._close()
        self.held = None
        self.open, self.content, self.debug1, self.records = True, False, False, False
        self.ids = set()
        self.last_id = self.first_id = None
        self.out.append(Section(Kind.DUMP, n, origin=self.origin))

    def _close(self) -> None:
        if self.cur is not None:
            self.closed = self.cur.kind
            self.out.append(_close(self.cur))
            self.cur = None

    def _open(self, sec: Section) -> None:
        self._close()
        self.cur = sec

    def _goroutine(self, header: str, n: int) -> Section:
        """A goroutine header: in this dump, or the first of a new one.

        The runtime starts every dump afresh, so ids repeat only in a new dump, but one
        damaged digit repeats an id too. A new dump therefore starts at a repeated id only
        when it is the dump's first id again, or when the next header repeats one as well
        (until then the goroutine is held back). The same header right under itself is a
        line printed twice.
        """
        gid = header_id(header)
        cur = self.cur
        adjacent = cur is not None and cur.kind is Kind.GOROUTINE and gid == self.last_id
        self._close()
        if not self.open or self.records:
            self._new_dump(n)
        repeated = bool(gid) and gid in self.ids
        sec = Section(Kind.GOROUTINE, n, repeated=repeated and adjacent, id_seen=repeated and not adjacent)
        held = self.held
        if held is None and repeated and not adjacent:
            if gid == self.first_id:
                # The dump starts over, as the runtime prints every dump: a new one.
                self._new_dump(n)
                repeated = sec.id_seen = False
            else:
                self.held = len(self.out)
        elif held is not None:
            self.held = None
            while held < len(self.out) - 1 and self.out[held].kind is not Kind.GOROUTINE:
                held += 1  # a line too long for a stack was counted before its goroutine ended
            if repeated and not adjacent and held < len(self.out):
                # Two repeated ids in a row: the new dump started at the first.
                first = self.out[held]
                first.id_seen = False
                self.out.insert(held, Section(Kind.DUMP, first.line, origin=self.origin))
                self.first_id = header_id(first.lines[0])
                self.ids = {i for i in (self.first_id, gid) if i is not None}
                self.debug1 = self.records = False
                sec.id_seen = repeated = False
        if self.first_id is None:
            self.first_id = gid
        if gid is not None:
            self.ids.add(gid)
        self.last_id = gid
        self.content = True
        return sec

    def ready(self) -> list[Section]:
        """The sections read so far, less a goroutine held back (see _goroutine)."""
        out = self.out
        if self.held is None:
            self.out = []
            return out
        keep = self.held
        self.held = 0
        self.out = out[keep:]
        return out[:keep]

    def feed(self, text: str, n: int, nxt: str | None = None, nxt2: str | None = None) -> None:
        """One line (without its newline), 1-based stream line `n`, and the one or two lines
        after it in its block (None past a blank line); sections go to `out`."""
        if not text.strip():
            # A blank line ends every section but a race report and a preamble (panic
            # values may hold blank lines).
            cur = self.cur
            if cur is not None:
                if cur.kind is Kind.PREAMBLE or cur.kind is Kind.RACE:
                    cur.lines.append("")
                else:
                    self._close()
            self.after_blank = True
            return
        prev_blank, self.after_blank = self.after_blank, False
        cur = self.cur
        kind = cur.kind if cur is not None else None

        if kind is Kind.RACE:
            assert cur is not None
            if text == _RACE_FENCE:
                while cur.lines and not cur.lines[-1]:
                    cur.lines.pop()
                self._close()
                self.after_blank = True  # the closing fence ends the report like a blank line
            else:
                cur.lines.append(text)
            return

        if _is_header(text):
            sec = self._goroutine(text, n)
            sec.lines.append(text)
            self._open(sec)
            return

        if kind is Kind.GOROUTINE or kind is Kind.RUNTIME_STACK or kind is Kind.JUNK:
            assert cur is not None
            if self._stack_line(cur, text, n, nxt, nxt2):
                return
            cur = None
            kind = None

        if kind is Kind.RECORD:
            assert cur is not None
            if text.startswith("#"):
                cur.lines.append(_retab_record_line(text))
                return
            self._close()

        if kind is Kind.REGS:
            assert cur is not None
            if _REG_LINE.match(text):
                cur.lines.append(text)
                return
            self._close()

        if self._section_start(text, n, kind, prev_blank, nxt):
            return

        if kind is Kind.PREAMBLE:
            assert self.cur is not None
            if not prev_blank or not self.content:
                if prev_blank and not text.startswith("\t") and len(self.cur.lines) > 20:
                    # A long "panic value" that goes on after a blank line: a panic line
                    # in a log, and this is the log going on.
                    self._foreign(text)
                    return
                # Continuation of a multi-line panic value ("\t" indented from Go 1.23).
                self.cur.lines.append(_retab_leading(text))
                return
            self._close()

        if not self.open:
            if "\ufffd" in text or "\x00" in text:
                self.binary_lines += 1
            return
        if _location_follows(nxt, nxt2) and not _is_location(text):
            # A stack whose header is damaged beyond recognition: count its lines.
            self._open(Section(Kind.JUNK, n, [text]))
            return
        self._foreign(text)

    def _foreign(self, text: str) -> None:
        """Text that is not the dump's (a log line, prose): skipped. A dump that so far
        holds only a crash's first lines was a panic line in a log: it ends."""
        self._close()
        if not self.content:
            self.open = False

    def _stack_line(self, cur: Section, text: str, n: int, nxt: str | None, nxt2: str | None) -> bool:
        """Add a line to an open goroutine (or damaged stack); False when it ends it."""
        if len(text) > MAX_STACK_LINE:
            # No frame is this long; keep the grammar away from it and count it.
            self.out.append(Section(Kind.JUNK, n, [text[:200] + "…"]))
            return True
        first = text[:1]
        if first == "\t":
            cur.lines.append(text)
            return True
        if first == " ":
            # Pasted with spaces for tabs, or indented: calls keep their text, the rest
            # is a location.
            bare = text.lstrip(" ")
            cur.lines.append(bare if _is_stack_line(bare) and not _is_location(bare) else "\t" + bare)
            return True
        if cur.kind is not Kind.JUNK and _REG_LINE.match(text):
            # GOTRACEBACK=crash: a thread's registers right under its system stack.
            self._open(Section(Kind.REGS, n, [text]))
            return True
        if _starts_section(text):
            self._close()
            return False
        if _is_stack_line(text):
            cur.lines.append(text)
            return True
        last = cur.lines[-1]
        if len(cur.lines) > 1 and last[:1] != "\t" and _LOCATION.fullmatch(text):
            cur.lines.append("\t" + text)  # a location pasted without its tab
            return True
        if _location_follows(nxt, nxt2):
            cur.lines.append(text)  # damage: the grammar will reject it, and it is counted
            return True
        self._foreign(text)
        return True

    def _section_start(self, text: str, n: int, kind: Kind | None, prev_blank: bool, nxt: str | None) -> bool:
        """Open the section this line starts, if it starts one here."""
        if not self.debug1 and nxt is not None and nxt[:1] == "#" and _RECORD_START.match(text):
            # A debug=1 record without its "goroutine profile: total" line (cut off, or
            # pasted without it): the profile starts here.
            if not self.open or self.content:
                self._new_dump(n)
            self.content = self.debug1 = True
        if text == _RACE_FENCE or text == "WARNING: DATA RACE":
            if not self.open:
                self._new_dump(n)
            self.content = True
            self._open(Section(Kind.RACE, n, [] if text == _RACE_FENCE else [text]))
            return True
        if text.startswith("goroutine profile: total "):
            if not self.open or self.content:
                self._new_dump(n)
            self.content = self.debug1 = True
            self._open(Section(Kind.PROFILE, n, [text]))
            self._close()
            return True
        if not self.open and not _starts_dump(text):
            return False
        if self.debug1 and _RECORD_START.match(text):
            self.records = True
            self._open(Section(Kind.RECORD, n, [text]))
            return True
        if text == "runtime stack:":
            self._open(Section(Kind.RUNTIME_STACK, n, [text]))
            return True
        if prev_blank and _REG_LINE.match(text):
            self._open(Section(Kind.REGS, n, [text]))
            return True
        if _starts_preamble(text) or text == "-----":
            if kind is Kind.PREAMBLE:
                assert self.cur is not None
                self.cur.lines.append(text)
                return True
            if not self.open or (
                self.content
                and (
                    text.startswith(("panic: ", "fatal error: "))
                    or (_SIGNAL_LINE.match(text) and self.closed is not Kind.REGS)
                )
            ):
                # A crash's first line; after goroutines, a second crash or SIGQUIT: a new
                # dump (GOTRACEBACK=crash prints a signal line per thread, after its
                # registers and "-----").
                self._new_dump(n)
            self._open(Section(Kind.PREAMBLE, n, [text]))
            return True
        return False

    def take_goroutine(self, header: str, body: str, n: int, calls: list[str] | None) -> None:
        """A whole goroutine block known to be clean, after a blank line inside a dump, and
        the blank line after it: nothing is open, so that line only marks the gap."""
        sec = self._goroutine(header, n)
        sec.lines.append(header)
        sec.body = body
        sec.calls = calls
        self.out.append(sec)
        self.after_blank = True

    def accepts_blocks(self) -> bool:
        """Whether the next clean goroutine block can skip the line-by-line reading."""
        cur = self.cur
        return self.open and not self.records and (cur is None or cur.kind is _PREAMBLE)

    def finish(self, ended_with_newline: bool) -> None:
        if self.cur is not None:
            self.cur.cut = not ended_with_newline
            self._close()
        self.held = None


# A goroutine block whose every line is a stack line: a tab-indented location, a call
# ending in ")", "created by", an elision marker, an ancestor header, a cgo frame. (Measured:
# this regex takes 8 us on a 2.9 KB block; seven str.count calls took 16 us.)
_CLEAN_STACK = re.compile(
    r"(?:[\t][^\n]*|[^\n]*\)|created by [^\n]*|\.\.\.[^\n]*|\[originating from goroutine [^\n]*"
    r"|non-Go function[^\n]*)(?:\n(?:[\t][^\n]*|[^\n]*\)|created by [^\n]*|\.\.\.[^\n]*"
    r"|\[originating from goroutine [^\n]*|non-Go function[^\n]*))*"
)
# Longer blocks go line by line, where a line over MAX_STACK_LINE is counted apart.
MAX_FAST_BLOCK = MAX_STACK_LINE
# Lines inside a block that the line reader reads otherwise although _CLEAN_STACK takes them
# for calls (they end in ")"): section starts ("panic: boom(x)", "goroutine 7 [x] (y)"), and
# indented lines (the line reader takes their indentation off). Other section starts end in
# no ")", so _CLEAN_STACK refuses them anyway.
_STARTS = (" ", "goroutine ", "panic: ", "fatal error: ", "runtime: ", "[signal ", "unexpected fault address ",
           "PC=0x", "*** Test killed", "SIG")  # fmt: skip
_STARTS_AFTER_NL = tuple("\n" + m for m in _STARTS)
_STARTS_IN_BODY = re.compile("\n(?:" + "|".join(re.escape(m) for m in _STARTS) + ")")


def _starts_inside_blocks(text: str) -> bool:
    """Whether a text may hold such a line inside a block, in a few passes over the whole
    text (a regex over each block cost ~10 us a goroutine): goroutine headers right after
    a blank line are block starts, any other start may be inside a block."""
    if text.count("\ngoroutine ") != text.count("\n\ngoroutine "):
        return True
    return any(m in text for m in _STARTS_AFTER_NL if m != "\ngoroutine ")


def _starts_in_body(body: str) -> bool:
    return body.startswith(_STARTS) or _STARTS_IN_BODY.search(body) is not None


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


def _whole_stack(body: str, clean: dict[str, int], checked: bool) -> tuple[int, list[str] | None] | None:
    """The newlines of a clean stack text and its cut at CALL_END when it is made of call
    pairs; None when its lines must be read one by one. `clean`: texts found clean so far;
    `checked`: the text around it holds no line the line reader reads otherwise."""
    newlines = clean.get(body)
    if newlines is not None:
        return newlines, None  # the very same text again (a leak's copies): no cut needed
    if not checked and _starts_in_body(body):
        return None  # a line the line reader would start a section at
    cut = body.split(CALL_END)
    newlines = body.count("\n")
    # Odd but clean texts (ancestors, say) still go whole, without their cut: the parser
    # cuts them itself.
    calls = cut if _call_pairs(newlines, cut) else None
    if calls is None and _CLEAN_STACK.fullmatch(body, 0, len(body) - 1) is None:
        return None
    if len(clean) < MAX_CLEAN_BODIES and " fp=" not in body:
        clean[body] = newlines  # level-2 texts (fp= on every frame) never repeat
    return newlines, calls


_BLANK, _END, _MORE = 1, 0, 2  # what follows a block: a blank line, nothing, more lines


def _blocks(chunks: Iterator[str]) -> Iterator[tuple[str, int, bool]]:
    """Blank-line-separated blocks of a text stream, each with what follows it, and whether
    the text it came from holds no line the fast path must not take (_starts_inside_blocks).

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
        checked = not _starts_inside_blocks(buf)
        parts = buf.split("\n\n")
        rest = parts.pop()
        for part in parts:
            yield part, _BLANK, checked
        if len(rest) > CHUNK:
            cut = rest.rfind("\n")
            if cut > 0:
                yield rest[:cut], _MORE, False
                rest = rest[cut + 1 :]
    yield rest, _END, False


CHUNK = 1 << 20


def split_sections(source: TextIO | Iterable[str], stats: SectionStats | None = None) -> Iterator[Section]:
    """Yield the sections of every dump in `source` (a text stream, or text lines).

    A `Kind.DUMP` section marks the start of each dump. Text outside any dump is skipped.
    carriers.py first turns the input into streams of plain text (the input itself, and
    what JSON logs carried); each is read on its own.
    """
    readable: Readable = source if isinstance(source, Readable) else io.StringIO("".join(source))
    cstats = CarrierStats()
    binary = 0
    for stream in read_streams(readable, cstats):
        reader = _LineReader(stream.line_map)
        yield from _stream_sections(stream, reader)
        binary += reader.binary_lines
    if stats is not None:
        stats.lines = cstats.lines
        stats.binary_lines = binary
        stats.carriers = cstats.carriers


def _stream_sections(stream: Stream, m: _LineReader) -> Iterator[Section]:
    """The sections of one stream. Its blank-line-separated blocks go to the line reader,
    but clean goroutine blocks inside a dump, which are taken whole (the common case)."""
    n = 1  # line number of the block's first line
    header_start = "goroutine "
    last_ended = True
    clean: dict[str, int] = {}  # clean stack texts seen -> their newlines
    for block, after, checked in _blocks(stream.chunks):
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
            whole = _whole_stack(body, clean, checked)
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
            last = len(lines) - 1
            for i, line in enumerate(lines):
                m.feed(
                    line,
                    n + i,
                    lines[i + 1] if i < last else None,
                    lines[i + 2] if i + 1 < last else None,
                )
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


def _close(sec: Section) -> Section:
    if sec.kind is Kind.PREAMBLE:
        while sec.lines and not sec.lines[-1]:
            sec.lines.pop()
    return sec


def _retab_leading(text: str) -> str:
    """A nested panic pasted with spaces for its tab. Other lines keep their spaces: a
    panic value's own indentation is part of the value (Go before 1.23 adds none)."""
    if text[:1] == " " and text.lstrip(" ").startswith("panic: "):
        return "\t" + text.lstrip(" ")
    return text


def _retab_record_line(text: str) -> str:
    """debug=1 frame lines are tab-separated; a paste may have turned tabs into spaces."""
    if "\t" in text or text.startswith("# labels:"):
        return text
    return _SPACES.sub("\t", text)
