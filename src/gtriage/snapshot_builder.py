"""A snapshot while it is read: its goroutines, records, crash and races so far, and the
count of what the grammar rejected (kept with input line numbers, the first
MAX_KEPT_ISSUES of them)."""

from __future__ import annotations

from .lazy_re import lazy
from .model import Crash, DumpFormat, Goroutine, LoggedPanic, ParseIssue, Race, Record, Snapshot
from .record import dataclass, field, replace
from .section import Section
from .shapes import MAX_DIGITS
from .streams import LineMap

TYPE_CHECKING = False  # typing's own costs every run ~4 ms to import; type checkers read this as True
if TYPE_CHECKING:
    from collections.abc import Sequence

MAX_KEPT_ISSUES = 200  # per snapshot; the count goes on past it
# A run of digits no number the runtime prints is as long as (the grammar rejects it).
_LONG_NUMBER = lazy(rf"(?<![0-9A-Za-z])[0-9]{{{MAX_DIGITS + 1}}}")


@dataclass
class SnapshotBuilder:
    """One snapshot while its sections are read, and the accounting: every header becomes a
    goroutine or an unparsed header, every rejected line an issue with its input line."""

    first_line: int
    goroutines: list[Goroutine] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)
    races: list[Race] = field(default_factory=list)
    issues: list[ParseIssue] = field(default_factory=list)
    unparsed_lines: int = 0
    headers_seen: int = 0
    unparsed_headers: int = 0
    repeated_headers: int = 0
    races_seen: int = 0
    profile_total: int | None = None
    crash: Crash | None = None
    crash_goroutine_pending: bool = False
    truncated: bool = False
    last_line: int = 0
    last_section: Section | None = None  # its end is the snapshot's last line
    # Stream line -> input line, when a carrier changed the lines (JSON logs, one-line dumps).
    origin: LineMap | None = None
    stackless: tuple[int, str] | None = None  # the last goroutine's header had no stack
    logged_panics: list[LoggedPanic] = field(default_factory=list)

    def at(self, line: int) -> int:
        """The input line of a stream line."""
        return line if self.origin is None else self.origin(line)

    def issue(self, line: int, text: str, reason: str) -> None:
        if _LONG_NUMBER.search(text) is not None:
            reason += f" (a number longer than {MAX_DIGITS} digits)"
        self.unparsed_lines += 1
        if len(self.issues) < MAX_KEPT_ISSUES:
            self.issues.append(ParseIssue(self.at(line), text[:500], reason))

    def build(self) -> Snapshot:
        if self.stackless is not None:
            self.issue(*self.stackless, "goroutine header with no stack under it")
            self.stackless = None
        sec = self.last_section
        if sec is not None:
            extra = sec.body.count("\n") if sec.body is not None else len(sec.lines) - 1
            self.last_line = sec.line + max(extra, 0)
        self.first_line, self.last_line = self.at(self.first_line), self.at(self.last_line)
        if self.profile_total is not None or self.records:
            fmt = DumpFormat.DEBUG1
        elif self.races_seen and not self.goroutines and self.crash is None:
            fmt = DumpFormat.RACE
        else:
            fmt = DumpFormat.TRACEBACK
        crash = self.crash
        return Snapshot(
            format=fmt,
            goroutines=tuple(self.goroutines),
            records=tuple(self.records),
            profile_total=self.profile_total,
            crash=crash,
            races=tuple(self.races),
            issues=tuple(self.issues),
            unparsed_lines=self.unparsed_lines,
            headers_seen=self.headers_seen,
            unparsed_headers=self.unparsed_headers,
            repeated_headers=self.repeated_headers,
            races_seen=self.races_seen,
            truncated=self.truncated,
            first_line=self.first_line,
            last_line=self.last_line,
            logged_panics=tuple(self.logged_panics),
        )


def _same_writer(g: Goroutine, writer: Goroutine) -> bool:
    """Whether g is [running] where `writer`, a dump's first goroutine, printed that dump:
    the same call of runtime.Stack(buf, true) (pprof's writeGoroutineStacks for debug=2, a
    watchdog's or a debug handler's own). The world is stopped while a dump is printed, and
    any other goroutine [running] then prints no frames ("running on other thread")."""
    if g.state != "running" or writer.state != "running":
        return False
    a, b = g.stack.frames, writer.stack.frames
    return bool(a) and bool(b) and (a[0].func, a[0].file, a[0].line) == (b[0].func, b[0].file, b[0].line)


def rehome_dumpers(snaps: Sequence[Snapshot]) -> tuple[Snapshot, ...]:
    """Dumps written one after another (a log of periodic debug=2 dumps, or of a watchdog's
    runtime.Stack dumps) are told apart by goroutine ids seen again, which the next dump's
    first goroutine, the one printing it, does not have when a new goroutine prints each
    dump: the line reader leaves it at the end of the dump before. Give it back to its own
    dump, where the runtime printed it first."""
    out = list(snaps)
    for i in range(len(out) - 1):
        a, b = out[i], out[i + 1]
        if a.log_source != b.log_source or a.process != b.process or not (
            len(a.goroutines) > 1 and b.goroutines and _same_writer(a.goroutines[-1], a.goroutines[0])
        ):
            continue
        if _same_writer(b.goroutines[0], a.goroutines[0]):
            continue  # b has its own: leave them
        g = a.goroutines[-1]
        out[i] = replace(a, goroutines=a.goroutines[:-1], headers_seen=a.headers_seen - 1, last_line=max(a.first_line, g.line - 1))
        out[i + 1] = replace(b, goroutines=(g, *b.goroutines), headers_seen=b.headers_seen + 1, first_line=g.line)
    return tuple(out)
