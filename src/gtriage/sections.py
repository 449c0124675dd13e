"""Find the dumps inside arbitrary text and cut them into sections for the grammar.

This is the only place that knows about the wrappers dumps arrive in (log prefixes, docker
JSON lines, spaces pasted for tabs, indentation). It decides where a section starts and
ends by looking at the first characters of a line; what a section says is the grammar's
business (parse.py). One pass, one line at a time, O(1) work per line outside the rare
cases (a line outside any dump is tried against the prefix patterns).
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field


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


@dataclass(slots=True)
class Section:
    kind: Kind
    line: int  # 1-based input line of lines[0]
    lines: list[str] = field(default_factory=list)
    # The input ended inside this section without a final newline (a cut-off dump).
    cut: bool = False


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

    __slots__ = ("docker", "indent", "prefix")

    def __init__(self) -> None:
        self.prefix: re.Pattern[str] | None = None
        self.docker = False
        self.indent = ""

    def reset(self) -> None:
        self.prefix = None
        self.docker = False
        self.indent = ""

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
                return bare
        return None


def split_sections(lines: Iterable[str]) -> Iterator[Section]:
    """Yield the sections of every dump in `lines` (text lines, newline kept or not).

    A `Kind.DUMP` section marks the start of each dump. Lines outside any dump are skipped.
    """
    unwrap = _Unwrapper()
    in_dump = False
    cur: Section | None = None  # the open section
    seen_goroutine = False  # in this dump
    after_blank = False
    last_raw = "\n"
    n = 0
    for n, raw in enumerate(lines, 1):
        last_raw = raw
        text = raw.rstrip("\n")
        if text.endswith("\r"):
            text = text[:-1]
        if in_dump:
            orig = text
            text = unwrap.strip(text)
            if (after_blank or _stack_ended(text, cur)) and text.strip() and _ends_dump(text, cur, seen_goroutine):
                # Text after a blank line that starts no section: the dump is over, and
                # this line may start the next one.
                if cur is not None:
                    yield _close(cur)
                    cur = None
                in_dump = False
                unwrap.reset()
                text = orig
        if not in_dump:
            bare = unwrap.find_dump_start(text)
            if bare is None:
                continue
            in_dump, seen_goroutine, after_blank = True, False, False
            yield Section(Kind.DUMP, n)
            text = bare

        kind = cur.kind if cur is not None else None

        if not text.strip():
            # A blank line ends every section but a race report and a preamble (panic
            # values may hold blank lines).
            if cur is not None:
                if kind is Kind.PREAMBLE or kind is Kind.RACE:
                    cur.lines.append("")
                else:
                    yield cur
                    cur = None
            after_blank = True
            continue
        prev_blank, after_blank = after_blank, False

        if kind is Kind.RACE:
            if text == _RACE_FENCE:
                assert cur is not None
                while cur.lines and not cur.lines[-1]:
                    cur.lines.pop()
                yield cur
                cur = None
                after_blank = True  # the closing fence ends the report like a blank line
            else:
                assert cur is not None
                cur.lines.append(text)
            continue

        if _is_header(text):
            if cur is not None:
                yield _close(cur)
            cur = Section(Kind.GOROUTINE, n, [text])
            seen_goroutine = True
            continue

        if kind is Kind.GOROUTINE or kind is Kind.RUNTIME_STACK:
            assert cur is not None
            if len(text) > MAX_STACK_LINE:
                # No frame is this long; keep the grammar away from it and count it.
                yield Section(Kind.JUNK, n, [text[:200] + "…"])
                continue
            first = text[:1]
            if first == "\t":
                cur.lines.append(text)
                continue
            if first == " ":
                # Pasted with spaces for tabs: every indented line of a stack is a location.
                cur.lines.append("\t" + text.lstrip(" "))
                continue
            if _REG_LINE.match(text):
                # GOTRACEBACK=crash: a thread's registers right under its system stack.
                yield cur
                cur = Section(Kind.REGS, n, [text])
                continue
            if not _starts_dump(text):
                cur.lines.append(text)
                continue
            yield cur
            cur = None

        if kind is Kind.RECORD:
            assert cur is not None
            if text.startswith("#"):
                cur.lines.append(_retab_record_line(text))
                continue
            yield cur
            cur = None

        if kind is Kind.REGS:
            assert cur is not None
            if _REG_LINE.match(text):
                cur.lines.append(text)
                continue
            yield cur
            cur = None

        if text == _RACE_FENCE or text == "WARNING: DATA RACE":
            if cur is not None:
                yield _close(cur)
            cur = Section(Kind.RACE, n, [] if text == _RACE_FENCE else [text])
            continue

        if text.startswith("goroutine profile: total "):
            if cur is not None:
                yield _close(cur)
                cur = None
            if seen_goroutine:
                yield Section(Kind.DUMP, n)
            yield Section(Kind.PROFILE, n, [text])
            seen_goroutine = True
            continue

        if _RECORD_START.match(text):
            if cur is not None:
                yield _close(cur)
            cur = Section(Kind.RECORD, n, [text])
            continue

        if text == "runtime stack:":
            if cur is not None:
                yield _close(cur)
            cur = Section(Kind.RUNTIME_STACK, n, [text])
            continue

        if prev_blank and _REG_LINE.match(text):
            if cur is not None:
                yield _close(cur)
            cur = Section(Kind.REGS, n, [text])
            continue

        if _starts_preamble(text) or text == "-----":
            if kind is Kind.PREAMBLE:
                assert cur is not None
                cur.lines.append(text)
            else:
                if cur is not None:
                    yield _close(cur)
                if seen_goroutine and text.startswith(("panic: ", "fatal error: ")):
                    # A second crash after goroutines: a new dump.
                    seen_goroutine = False
                    yield Section(Kind.DUMP, n)
                cur = Section(Kind.PREAMBLE, n, [text])
            continue

        if kind is Kind.PREAMBLE:
            assert cur is not None
            if not prev_blank or not seen_goroutine:
                # Continuation of a multi-line panic value ("\t" indented from Go 1.23).
                cur.lines.append(_retab_leading(text))
                continue
            yield _close(cur)
            cur = None

        # Inside a dump, fitting nowhere: count it, never drop it silently.
        if cur is not None:
            yield _close(cur)
            cur = None
        yield Section(Kind.JUNK, n, [text])

    if cur is not None:
        cur.cut = not last_raw.endswith("\n")
        yield _close(cur)


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
