"""Find the dumps inside arbitrary text and cut them into sections for the grammar.

This is the only place that knows about the wrappers dumps arrive in (log prefixes, docker
JSON lines, spaces pasted for tabs, indentation). It decides where a section starts and
ends by looking at the first characters of a line; what a section says is the grammar's
business (parse.py). One pass, one line at a time, O(1) work per line outside the rare
cases (a line outside any dump is tried against the prefix patterns).
"""

from __future__ import annotations

import enum
import io
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import repeat
from typing import Protocol, TextIO, runtime_checkable


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


# Log prefixes, each anchored at the start of the line. Why each exists:
# kubectl logs --timestamps and most structured loggers (RFC 3339, optional fraction/zone).
_RFC3339 = re.compile(
    r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)? "
    r"(?:(?:stdout|stderr) [FP] )?"  # CRI (containerd) log files add "stderr F "
)
# journalctl short format: "Nov 25 10:00:00 host unit[123]: "
_JOURNALD = re.compile(r"[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \S+ [^\s:]+(?:\[\d+\])?: ")
# klog / glog: "I1125 10:00:00.000000   12345 file.go:12] "
_KLOG = re.compile(r"[IWEF]\d{4} \d\d:\d\d:\d\d\.\d+ +\d+ [^\s\]]+\] ")
_PREFIXES = (_RFC3339, _JOURNALD, _KLOG)

# ?debug=1 record start: "3 @ 0x47c70e 0x410f8b".
_RECORD_START = re.compile(r"\d+ @( 0x[0-9a-fA-F]+)*$")
# Register dump line: "rax    0x1", "r8     0x0", "rflags 0x246", "lr      0x10045c".
_REG_LINE = re.compile(r"[a-z][a-z0-9]* +0x[0-9a-fA-F]+$")
_SIGNAL_LINE = re.compile(r"SIG[A-Z0-9]+: ")
_SPACES = re.compile(r" {2,}|(?<=^#) ")

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
    return line.startswith("goroutine ") and line[10:11].isdigit()


def _starts_preamble(line: str) -> bool:
    return line.startswith(_PREAMBLE_STARTS) or (
        line.startswith("SIG") and _SIGNAL_LINE.match(line) is not None
    )


def _starts_dump(line: str) -> bool:
    return (
        _is_header(line)
        or _starts_preamble(line)
        or line.startswith("goroutine profile: total ")
        or line == "WARNING: DATA RACE"
        or line == _RACE_FENCE
    )


def _continues_dump(line: str) -> bool:
    """Whether a line after a blank line inside a dump starts another of its sections."""
    return (
        _starts_dump(line)
        or line == "-----"
        or line == "runtime stack:"
        or _RECORD_START.match(line) is not None
        or _REG_LINE.match(line) is not None
    )


def _is_stack_line(line: str) -> bool:
    """Lines a goroutine's stack is made of, besides tab-indented locations."""
    return line.endswith(")") or line.startswith(_STACK_LINE_STARTS)


def _stack_ended(line: str, cur: Section | None) -> bool:
    """A line right under a complete call (its location printed) that no stack holds:
    the goroutine, and with it the dump, ended without a blank line (go test's "FAIL",
    log lines written right after a traceback)."""
    return (
        cur is not None
        and cur.kind is Kind.GOROUTINE
        and len(cur.lines) > 1
        and cur.lines[-1][:1] == "\t"
        and line[:1] not in ("\t", " ", "")
        and not _is_stack_line(line)
    )


def _ends_dump(line: str, cur: Section | None, seen_goroutine: bool) -> bool:
    """Whether a line that follows a blank line (or a finished stack) is past the dump."""
    if _continues_dump(line):
        return False
    if cur is None or cur.kind is Kind.GOROUTINE:
        return True
    if cur.kind is Kind.PREAMBLE and not seen_goroutine:
        # Still inside a panic value, unless it is long: then it was a panic line in a log.
        return not line.startswith("\t") and len(cur.lines) > 20
    return cur.kind is not Kind.RACE


def _unwrap_docker(line: str) -> str | None:
    """The "log" field of a docker json-file line, without its newline."""
    if not line.startswith('{"log":'):
        return None
    try:
        obj = json.loads(line)
    except ValueError:
        return None
    log = obj.get("log") if isinstance(obj, dict) else None
    return log.rstrip("\r\n") if isinstance(log, str) else None


class _Unwrapper:
    """Strips the wrapper of the current dump from each line.

    Outside a dump every known wrapper is tried (the dump start tells which one is in use);
    inside a dump only that wrapper is stripped, so the common case costs one `match`.
    """

    __slots__ = ("active", "docker", "indent", "prefix")

    def __init__(self) -> None:
        self.prefix: re.Pattern[str] | None = None
        self.docker = False
        self.indent = ""
        self.active = False  # anything to strip at all

    def reset(self) -> None:
        self.prefix = None
        self.docker = False
        self.indent = ""
        self.active = False

    def strip(self, line: str) -> str:
        if self.docker:
            inner = _unwrap_docker(line)
            if inner is not None:
                line = inner
        elif self.prefix is not None:
            m = self.prefix.match(line)
            if m is not None:
                line = line[m.end() :]
        if self.indent and line.startswith(self.indent):
            line = line[len(self.indent) :]
        return line

    def find_dump_start(self, line: str) -> str | None:
        """If this line (outside a dump) starts one, choose the wrapper and return it bare."""
        candidates: list[tuple[re.Pattern[str] | None, bool, str]] = [(None, False, line)]
        inner = _unwrap_docker(line)
        if inner is not None:
            candidates.append((None, True, inner))
        for pat in _PREFIXES:
            m = pat.match(line)
            if m is not None:
                candidates.append((pat, False, line[m.end() :]))
        for prefix, docker, text in candidates:
            bare = text.lstrip(" \t")
            if _starts_dump(bare) and not bare.startswith(("runtime: ", "PC=0x")):
                self.prefix, self.docker = prefix, docker
                self.indent = text[: len(text) - len(bare)]
                self.active = prefix is not None or docker or bool(self.indent)
                return bare
        return None


@dataclass(slots=True)
class SectionStats:
    """Filled in when the input is exhausted."""

    lines: int = 0
    binary_lines: int = 0


class _Machine:
    """The line-by-line reading of dump text, resumable one line at a time.

    Most goroutines of a big dump never come here: split_sections hands whole clean
    goroutine blocks over without looking at their lines (see _clean_stack).
    """

    def __init__(self) -> None:
        self.unwrap = _Unwrapper()
        self.in_dump = False
        self.cur: Section | None = None  # the open section
        self.seen_goroutine = False  # in this dump
        self.after_blank = False
        self.out: list[Section] = []
        self.binary_lines = 0  # outside any dump, not text (invalid UTF-8 or NUL bytes)

    def feed(self, text: str, n: int) -> None:
        """One line (without its newline), 1-based line number `n`; sections go to `out`."""
        out = self.out
        if self.in_dump:
            orig = text
            text = self.unwrap.strip(text)
            if (self.after_blank or _stack_ended(text, self.cur)) and text.strip() and _ends_dump(text, self.cur, self.seen_goroutine):
                # Text after a blank line that starts no section: the dump is over, and
                # this line may start the next one.
                if self.cur is not None:
                    out.append(_close(self.cur))
                    self.cur = None
                self.in_dump = False
                self.unwrap.reset()
                text = orig
        if not self.in_dump:
            bare = self.unwrap.find_dump_start(text)
            if bare is None:
                if "\ufffd" in text or "\x00" in text:
                    self.binary_lines += 1
                return
            self.in_dump, self.seen_goroutine, self.after_blank = True, False, False
            out.append(Section(Kind.DUMP, n))
            text = bare

        kind = self.cur.kind if self.cur is not None else None

        if not text.strip():
            # A blank line ends every section but a race report and a preamble (panic
            # values may hold blank lines).
            if self.cur is not None:
                if kind is Kind.PREAMBLE or kind is Kind.RACE:
                    self.cur.lines.append("")
                else:
                    out.append(self.cur)
                    self.cur = None
            self.after_blank = True
            return
        prev_blank, self.after_blank = self.after_blank, False

        if kind is Kind.RACE:
            if text == _RACE_FENCE:
                assert self.cur is not None
                while self.cur.lines and not self.cur.lines[-1]:
                    self.cur.lines.pop()
                out.append(self.cur)
                self.cur = None
                self.after_blank = True  # the closing fence ends the report like a blank line
            else:
                assert self.cur is not None
                self.cur.lines.append(text)
            return

        if _is_header(text):
            if self.cur is not None:
                out.append(_close(self.cur))
            self.cur = Section(Kind.GOROUTINE, n, [text])
            self.seen_goroutine = True
            return

        if kind is Kind.GOROUTINE or kind is Kind.RUNTIME_STACK:
            assert self.cur is not None
            if len(text) > MAX_STACK_LINE:
                # No frame is this long; keep the grammar away from it and count it.
                out.append(Section(Kind.JUNK, n, [text[:200] + "…"]))
                return
            first = text[:1]
            if first == "\t":
                self.cur.lines.append(text)
                return
            if first == " ":
                # Pasted with spaces for tabs: every indented line of a stack is a location.
                self.cur.lines.append("\t" + text.lstrip(" "))
                return
            if _REG_LINE.match(text):
                # GOTRACEBACK=crash: a thread's registers right under its system stack.
                out.append(self.cur)
                self.cur = Section(Kind.REGS, n, [text])
                return
            if not _starts_dump(text):
                self.cur.lines.append(text)
                return
            out.append(self.cur)
            self.cur = None

        if kind is Kind.RECORD:
            assert self.cur is not None
            if text.startswith("#"):
                self.cur.lines.append(_retab_record_line(text))
                return
            out.append(self.cur)
            self.cur = None

        if kind is Kind.REGS:
            assert self.cur is not None
            if _REG_LINE.match(text):
                self.cur.lines.append(text)
                return
            out.append(self.cur)
            self.cur = None

        if text == _RACE_FENCE or text == "WARNING: DATA RACE":
            if self.cur is not None:
                out.append(_close(self.cur))
            self.cur = Section(Kind.RACE, n, [] if text == _RACE_FENCE else [text])
            return

        if text.startswith("goroutine profile: total "):
            if self.cur is not None:
                out.append(_close(self.cur))
                self.cur = None
            if self.seen_goroutine:
                out.append(Section(Kind.DUMP, n))
            out.append(Section(Kind.PROFILE, n, [text]))
            self.seen_goroutine = True
            return

        if _RECORD_START.match(text):
            if self.cur is not None:
                out.append(_close(self.cur))
            self.cur = Section(Kind.RECORD, n, [text])
            return

        if text == "runtime stack:":
            if self.cur is not None:
                out.append(_close(self.cur))
            self.cur = Section(Kind.RUNTIME_STACK, n, [text])
            return

        if prev_blank and _REG_LINE.match(text):
            if self.cur is not None:
                out.append(_close(self.cur))
            self.cur = Section(Kind.REGS, n, [text])
            return

        if _starts_preamble(text) or text == "-----":
            if kind is Kind.PREAMBLE:
                assert self.cur is not None
                self.cur.lines.append(text)
            else:
                if self.cur is not None:
                    out.append(_close(self.cur))
                if self.seen_goroutine and text.startswith(("panic: ", "fatal error: ")):
                    # A second crash after goroutines: a new dump.
                    self.seen_goroutine = False
                    out.append(Section(Kind.DUMP, n))
                self.cur = Section(Kind.PREAMBLE, n, [text])
            return

        if kind is Kind.PREAMBLE:
            assert self.cur is not None
            if not prev_blank or not self.seen_goroutine:
                # Continuation of a multi-line panic value ("\t" indented from Go 1.23).
                self.cur.lines.append(_retab_leading(text))
                return
            out.append(_close(self.cur))
            self.cur = None

        # Inside a dump, fitting nowhere: count it, never drop it silently.
        if self.cur is not None:
            out.append(_close(self.cur))
            self.cur = None
        out.append(Section(Kind.JUNK, n, [text]))

    def take_goroutine(self, header: str, body: str, n: int, calls: list[str] | None) -> None:
        """A whole goroutine block known to be clean, after a blank line inside a dump, and
        the blank line after it: nothing is open, so that line only marks the gap."""
        if self.cur is not None:
            self.out.append(_close(self.cur))
        self.out.append(Section(_GOROUTINE, n, [header], body=body, calls=calls))
        self.cur = None
        self.seen_goroutine = True
        self.after_blank = True

    def accepts_blocks(self) -> bool:
        """Whether the next clean goroutine block can skip the line-by-line reading."""
        cur = self.cur
        return self.in_dump and not self.unwrap.active and (cur is None or cur.kind is _PREAMBLE)

    def finish(self, ended_with_newline: bool) -> None:
        if self.cur is not None:
            self.cur.cut = not ended_with_newline
            self.out.append(_close(self.cur))
            self.cur = None


# A goroutine block whose every line is a stack line: a tab-indented location, a call
# ending in ")", "created by", an elision marker, an ancestor header, a cgo frame. (Measured:
# this regex takes 8 us on a 2.9 KB block; seven str.count calls took 16 us.)
_CLEAN_STACK = re.compile(
    r"(?:[\t][^\n]*|[^\n]*\)|created by [^\n]*|\.\.\.[^\n]*|\[originating from goroutine [^\n]*"
    r"|non-Go function[^\n]*)(?:\n(?:[\t][^\n]*|[^\n]*\)|created by [^\n]*|\.\.\.[^\n]*"
    r"|\[originating from goroutine [^\n]*|non-Go function[^\n]*))*"
)
MAX_FAST_BLOCK = 1 << 20


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


def _whole_stack(body: str, clean: dict[str, int]) -> tuple[int, list[str] | None] | None:
    """The newlines of a clean stack text and its cut at CALL_END when it is made of call
    pairs; None when its lines must be read one by one. `clean`: texts found clean so far."""
    newlines = clean.get(body)
    if newlines is not None:
        return newlines, None  # the very same text again (a leak's copies): no cut needed
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


CHUNK = 1 << 20


@runtime_checkable
class _Readable(Protocol):
    def read(self, size: int = -1, /) -> str: ...


def _blocks(stream: _Readable) -> Iterator[tuple[str, bool]]:
    """Blank-line-separated blocks of a text stream: (block, followed by a blank line).

    A block never holds an empty line; runs of blank lines give empty blocks.
    """
    rest = ""
    while True:
        chunk = stream.read(CHUNK)
        if not chunk:
            break
        buf = rest + chunk if rest else chunk
        parts = buf.split("\n\n")
        rest = parts.pop()
        for part in parts:
            yield part, True
    yield rest, False


def split_sections(source: TextIO | Iterable[str], stats: SectionStats | None = None) -> Iterator[Section]:
    """Yield the sections of every dump in `source` (a text stream, or text lines).

    A `Kind.DUMP` section marks the start of each dump. Lines outside any dump are skipped.
    Streams are read in blocks separated by blank lines; a goroutine block whose lines are
    all stack lines becomes a section without a line-by-line pass (the common case).
    """
    stream: _Readable = source if isinstance(source, _Readable) else io.StringIO("".join(source))
    m = _Machine()
    out = m.out
    n = 1  # line number of the block's first line
    header_start = "goroutine "
    last_ended = True
    clean: dict[str, int] = {}  # clean stack texts seen -> their newlines
    for block, blank_after in _blocks(stream):
        nl = block.find("\n")
        if (
            blank_after  # the last block goes line by line: it may be cut off
            and nl > 10
            and block.startswith(header_start)
            and block[10:11].isdigit()
            and len(block) < MAX_FAST_BLOCK
            and m.accepts_blocks()
        ):
            body = block[nl + 1 :] + "\n"
            whole = _whole_stack(body, clean)
            if whole is not None:
                newlines, calls = whole
                m.take_goroutine(block[:nl], body, n, calls)
                n += newlines + 2
                yield from out
                out.clear()
                continue
        lines = block.split("\n")
        count = len(lines) - 1
        if not blank_after and block.endswith("\n"):
            lines.pop()  # the input's final newline
            count -= 1
        if blank_after or block:
            for i, line in enumerate(lines):
                m.feed(line[:-1] if line.endswith("\r") else line, n + i)
        if not blank_after:
            last_ended = block == "" or block.endswith("\n")
        if blank_after:
            m.feed("", n + count + 1)
            n += count + 2
        else:
            n += count + 1
        if out:
            yield from out
            out.clear()
    m.finish(last_ended)
    yield from out
    if stats is not None:
        stats.lines = n - 1
        stats.binary_lines = m.binary_lines


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
