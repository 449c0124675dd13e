"""The parsed dump: frozen values holding what the runtime printed, and nothing interpreted.

Goroutines of one leaking dump are mostly copies of each other, so the parts that repeat
(frames, whole stacks) are shared objects, and each goroutine keeps only what differs: its
header values and the argument texts of its calls (`Goroutine.values`); `Goroutine.frame_args`
gives a frame's arguments as that goroutine printed them.
"""

from __future__ import annotations

from .enums import StrEnum
from .record import dataclass, field

HEX_PLACEHOLDER = "0x0"  # what every hex word of a stack shape reads as
ARGS_SEP = "\n"  # between the argument texts in Goroutine.values: no argument holds one


class DumpFormat(StrEnum):
    """Which kind of text a snapshot came from."""

    TRACEBACK = "traceback"  # ?debug=2, SIGQUIT, panic / fatal error tracebacks
    DEBUG1 = "debug1"  # ?debug=1 count profile
    RACE = "race"  # race-detector reports only
    PPROF = "pprof"  # pprof's binary goroutine profile (debug=0): debug=1's records in protobuf

    @property
    def counts_only(self) -> bool:
        """A count profile (debug=1, debug=0): records of stacks and counts, no goroutines."""
        return self is DumpFormat.DEBUG1 or self is DumpFormat.PPROF


@dataclass(frozen=True, slots=True)
class Frame:
    """One call as printed: `func(args)` then `\\tfile:line`."""

    func: str
    # Argument text with every hex word replaced by HEX_PLACEHOLDER; the real text lives on the
    # goroutine. "..." for inlined frames, "" for frames printed without arguments.
    args: str
    file: str
    line: int
    # Index of this frame's argument text in Goroutine.values; -1 when `args` is the real
    # text (no hex words in it, a stack parsed from its unmasked text, a creator, a debug=1
    # or race frame). -1 by default: a frame made without a slot never reads another's.
    slot: int = -1

    @property
    def inlined(self) -> bool:
        return self.args == "..."

    @property
    def location(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True, slots=True)
class Ancestor:
    """A `[originating from goroutine N]:` block (GODEBUG=tracebackancestors)."""

    frames: tuple[Frame, ...]
    created_by: Frame | None
    elided: bool


@dataclass(frozen=True, slots=True)
class Stack:
    """Everything below a goroutine header; shared by every goroutine printed alike."""

    frames: tuple[Frame, ...]
    created_by: Frame | None = None
    # Frames the runtime left out: N for "...N frames elided...", -1 for "...additional
    # frames elided...", 0 when nothing was elided.
    elided: int = 0
    elided_at: int = 0  # index in frames where the elision marker stood
    ancestors: tuple[Ancestor, ...] = ()
    other_thread: bool = False  # "goroutine running on other thread; stack unavailable"
    cgo: bool = False  # a "non-Go function" line


Labels = tuple[tuple[str, str], ...]


# Not frozen, unlike the rest of the model: it is built once per goroutine on the parser's
# hot path, and a frozen dataclass's __init__ costs 3.3 us against 1.0 us (measured with 15
# fields, CPython 3.11). Nothing mutates it after parsing.
@dataclass(slots=True)
class Goroutine:
    id: int
    state: str  # status or wait reason as printed, without flags, minutes and labels
    stack: Stack
    line: int  # 1-based input line of the header
    minutes: int = 0
    locked: bool = False
    scan: bool = False
    leaked: bool = False  # Go 1.27 "(leaked)"
    bubble: int | None = None  # synctest bubble
    labels: Labels = ()
    thread: int | None = None  # m=N; None when not printed or m=nil
    parent_id: int | None = None  # "created by ... in goroutine N"
    ancestor_ids: tuple[int, ...] = ()
    # The argument texts of the frames with a slot, in slot order, joined by ARGS_SEP.
    values: str = ""
    partial: bool = False  # some lines of its stack could not be parsed or were cut off

    # Hashable like the frozen model (equal goroutines share id and line), so frozen
    # objects that hold goroutines, such as report.Cluster, stay hashable too.
    def __hash__(self) -> int:
        return hash((self.id, self.line))

    def frame_args(self, frame: Frame) -> str:
        """The frame's argument text as this goroutine printed it (frame.args when it has
        fewer texts than the frame's slot)."""
        slot = frame.slot
        if slot < 0:
            return frame.args
        # Found, not split: a goroutine of the bench dumps prints ~28 argument texts, the
        # frames asked for are the top few (objects.py: splitting them all took ~0.15 s of
        # the 300k dump's report).
        values = self.values
        start = 0
        for _ in range(slot):
            start = values.find(ARGS_SEP, start) + 1
            if not start:
                return frame.args
        end = values.find(ARGS_SEP, start)
        return values[start:] if end < 0 else values[start:end]


@dataclass(frozen=True, slots=True)
class Record:
    """One ?debug=1 record: N goroutines with the same stack (and labels)."""

    count: int
    frames: tuple[Frame, ...]
    labels: Labels
    line: int


@dataclass(frozen=True, slots=True)
class Panic:
    message: str
    recovered: bool = False
    repanicked: bool = False


@dataclass(frozen=True, slots=True)
class Crash:
    panics: tuple[Panic, ...] = ()
    fatal_error: str | None = None
    signal: str | None = None  # "SIGSEGV: segmentation violation code=..." or "SIGQUIT: quit"
    fault_address: str | None = None
    goroutine: int | None = None  # the goroutine that panicked or threw
    line: int = 0


@dataclass(frozen=True, slots=True)
class Access:
    op: str  # "read" | "write" (atomic accesses keep their word: "atomic write")
    address: str
    goroutine: int | None  # None for the main goroutine
    main_goroutine: bool
    frames: tuple[Frame, ...]
    created_at: tuple[Frame, ...] | None = None


@dataclass(frozen=True, slots=True)
class Race:
    access: Access
    previous: Access
    line: int


@dataclass(frozen=True, slots=True)
class ParseIssue:
    """A line inside a dump that the grammar did not accept."""

    line: int
    text: str
    reason: str


@dataclass(frozen=True, slots=True)
class LoggedPanic:
    """A panic the program recovered and logged: the log text printed right before the
    stack it took (net/http's "http: panic serving ...: <value>", a log call's "panic:
    <value>"; a value of several lines with them), as printed."""

    goroutine: int  # the id the stack's header printed
    line: int  # input line of the log line (the first, when the value goes on over more)
    text: str
    # Input line of that header (its Goroutine's line): a connection's goroutine serves
    # request after request, so one id may log several stacks, each its own.
    header: int


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One dump found in the input."""

    format: DumpFormat
    goroutines: tuple[Goroutine, ...] = ()
    records: tuple[Record, ...] = ()
    profile_total: int | None = None
    crash: Crash | None = None
    races: tuple[Race, ...] = ()
    issues: tuple[ParseIssue, ...] = ()
    unparsed_lines: int = 0
    # Goroutine headers sections saw: parsed + unparsed + repeated headers.
    headers_seen: int = 0
    unparsed_headers: int = 0
    repeated_headers: int = 0  # a header printed twice in a row: its goroutine counted once
    races_seen: int = 0  # race reports found, read or not
    truncated: bool = False  # the input ended inside a goroutine
    first_line: int = 0
    last_line: int = 0
    # When it was written, from the timestamps of the log lines around it (seconds since
    # the epoch); None in a plain dump.
    taken_at: float | None = None
    # The log printed its times without a year (journalctl, syslog): taken_at counts from a
    # year of its own, and only its difference to another dump's of the same log holds.
    year_unknown: bool = False
    # The log printed its times with their date but not their zone: taken_at reads them as
    # if UTC, and only differences to other such times hold.
    zone_unknown: bool = False
    # The log source that printed it, when the input is a log of several sources that
    # were told apart (log_sources.py: "web-7d4b9c8f5-xk2lp/app" of kubectl --prefix);
    # "" otherwise.
    log_source: str = ""
    # The process that wrote it, where the log names each line's process (journald's
    # entries: "crashzoo[2098]"); "" otherwise. Dumps of one service by several processes
    # are a service restarted between them, not one process followed.
    process: str = ""
    # Stacks a program logged as it recovered a panic, with the log line before each.
    logged_panics: tuple[LoggedPanic, ...] = ()


@dataclass(frozen=True, slots=True)
class Dump:
    """Everything parsed from one input."""

    source: str
    snapshots: tuple[Snapshot, ...] = field(default_factory=tuple)
    lines: int = 0
    binary_lines: int = 0  # lines outside any dump that were not text
    carriers: tuple[str, ...] = ()  # what the dumps came inside ("docker json-file", ...)
    # Why the input was read short of its end, in words (Ctrl-C on a stdin still open); None
    # when it was read to its end.
    cut: str | None = None
