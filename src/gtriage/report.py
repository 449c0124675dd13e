"""The report: the one input of every renderer (text, Markdown, JSON, TUI).

Field names follow the public JSON contract (`gtriage/1`); the JSON renderer is a plain
walk over these objects.
"""

from __future__ import annotations

from .frame_info import FrameInfo
from .model import Crash, Goroutine, Labels, ParseIssue
from .record import dataclass

# Over time (timeline.py): imported here too, where the report's readers look for them.
from .timeline import FILE_CLOCK as FILE_CLOCK
from .timeline import LOG_CLOCK as LOG_CLOCK
from .timeline import LOG_CLOCK_NO_YEAR as LOG_CLOCK_NO_YEAR
from .timeline import LOG_CLOCK_NO_ZONE as LOG_CLOCK_NO_ZONE
from .timeline import ORDER_GIVEN as ORDER_GIVEN
from .timeline import PROFILE_CLOCK as PROFILE_CLOCK
from .timeline import UNZONED_CLOCKS as UNZONED_CLOCKS
from .timeline import Moment as Moment
from .timeline import Trend as Trend
from .timeline import last_process_start as last_process_start
from .timeline import since_restart as since_restart

SCHEMA = "gtriage/1"


@dataclass(frozen=True, slots=True)
class LabelCount:
    labels: Labels
    count: int


@dataclass(frozen=True, slots=True)
class SubGroup:
    """Goroutines of a cluster with one stack shape (value-insensitive), and how many of
    them also share their argument values exactly."""

    count: int
    frames: tuple[FrameInfo, ...]
    created_by: FrameInfo | None
    exact_groups: int  # distinct argument-value sets among them
    largest_exact: int  # goroutines in the biggest of those sets
    goroutine_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class ObjectGroup:
    """Goroutines of a cluster that wait on one object, as the dump's argument values show."""

    # "exact": a runtime or sync frame printed the object's address (or a field's at a known
    # offset, taken off) without "?"; "argument": only the program's own frame where they
    # wait printed the same first argument (a receiver, the channel passed in): inferred.
    basis: str
    # The object's address (exact), or the argument value they share (argument), as "0x..."
    address: str
    kind: str  # "mutex" | "RWMutex" | "WaitGroup" | "Cond" | "channel"
    via: str  # the function whose argument told
    count: int
    goroutine_ids: tuple[int, ...]
    # In a fleet, the source whose process printed the address (an address names an object
    # only within one process); None for one dump.
    source: str | None = None

    @property
    def where(self) -> str:
        """The address, and in a fleet the process that printed it: "0xc000010120 in pod-a"."""
        return self.address if self.source is None else f"{self.address} in {self.source}"


# The kinds of object a wait is on, and how the words count them.
OBJECT_PLURALS = {"mutex": "mutexes", "RWMutex": "RWMutexes", "WaitGroup": "WaitGroups", "Cond": "Conds", "channel": "channels"}


@dataclass(frozen=True, slots=True)
class Objects:
    """What a cluster of sync or channel waits waits on: its goroutines grouped by object
    where the dump prints it exactly, and how many it does not tell about, and why."""

    kind: str  # of most of its goroutines
    # Largest first; the largest objects.MAX_GROUPS only (a leak of a million channels is a
    # million groups of one), `distinct` counts them all.
    groups: tuple[ObjectGroup, ...]
    distinct: int  # objects the dump tells apart
    told: int  # goroutines it tells about
    untold: int  # goroutines (debug=1: the whole count) the dump does not tell about
    reason: str | None  # why it does not tell, when untold
    # In a fleet, the sources whose goroutines it tells about; 0 for one dump.
    sources: int = 0

    @property
    def shared(self) -> bool:
        """Two or more goroutines, every one the dump tells about on one object; in a fleet,
        on one object a process (the same stuck thing in each)."""
        return self.distinct == max(self.sources, 1) and self.told > self.distinct

    @property
    def one_per_source(self) -> bool:
        """In a fleet of two or more sources that tell, one object in each of them."""
        return self.sources > 1 and self.distinct == self.sources


@dataclass(frozen=True, slots=True)
class Holder:
    """A goroutine that may hold the lock a cluster waits on: inference from the stacks."""

    goroutine: int
    cluster: int  # rank of the cluster it is in
    state: str
    frame: FrameInfo  # its frame that links it to the lock
    # "function": in the waiters' function at another line; "argument": a frame with the
    # lock's address or the waiters' shared receiver as first argument; "both".
    link: str


@dataclass(frozen=True, slots=True)
class SourceCount:
    """Goroutines of a cluster in one source of a fleet."""

    source: str
    count: int
    # Their ids, ascending (ids repeat from process to process: an id means something only
    # with its source); () for ?debug=1, which prints none.
    goroutine_ids: tuple[int, ...] = ()
    goroutines: tuple[Goroutine, ...] = ()  # for --goroutines and the TUI; not in JSON
    # A log that holds two or more dumps of this source: the cluster's count in each of
    # them, oldest first (its last is `count`); None otherwise.
    trend: Trend | None = None


# Verdicts named in this order, most worrying first: series.py's over three or more dumps,
# and what two dumps say (rank.change's words).
_WORRY = (
    "grows steadily", "grew in the last interval", "new in the last dump", "new", "grew", "grows then plateaus",
    "fluctuates", "transient", "steady", "shrank", "shrinks",
)  # fmt: skip


def trends_text(shares: tuple[SourceCount, ...], shown: int = 3) -> str | None:
    """"grows steadily on pod-a (0 → 30 → 60 → 90, +120 a minute), pod-b (…); steady on
    pod-c (5 → 5 → 5 → 5)": a cluster over the dumps a log held of each source that has
    it; None when no source was followed."""
    by_word: dict[str, list[SourceCount]] = {}
    for s in shares:
        if s.trend is not None:
            by_word.setdefault(s.trend.word(), []).append(s)
    if not by_word:
        return None
    parts = []
    for word in sorted(by_word, key=lambda w: _WORRY.index(w) if w in _WORRY else len(_WORRY)):
        named = []
        for s in by_word[word][:shown]:
            assert s.trend is not None
            rate = s.trend.rate_text() if s.trend.growth_per_minute else None
            named.append(f"{s.source} ({s.trend.counts_text(5)}{f', {rate}' if rate else ''})")
        more = len(by_word[word]) - shown
        parts.append(f"{word} on {', '.join(named)}{f', {more:,} more' if more > 0 else ''}")
    return "; ".join(parts)


@dataclass(frozen=True, slots=True)
class FleetSource:
    """One source of a fleet: what it held, or why it could not be read."""

    name: str  # short: "pod-a", "10.0.0.5:6060"
    input: str  # as given
    goroutines: int | None  # None when it failed
    error: str | None = None
    crash: Crash | None = None  # its dump's crash (panic, fatal error, signal), if any
    # Inferred: why its panic is one the program recovered and printed itself (as
    # Report.crash_logged); None otherwise.
    crash_logged: str | None = None
    dumps: int = 1  # of it the input held (a log of pods that each dumped several times); 0 when it failed
    # With two or more dumps: its goroutines in each of them, oldest first; None otherwise.
    trend: Trend | None = None


@dataclass(frozen=True, slots=True)
class SourceText:
    """The blocking line as the program's source at hand has it (--source DIR)."""

    path: str | None  # the local file read; None when none was found
    line: int
    text: str | None  # the line; None when it could not be read (see note)
    around: tuple[tuple[int, str], ...]  # (line number, text) a few lines either side
    note: str  # how the file was found, or why it was not read, in words


@dataclass(frozen=True, slots=True)
class LoggedPanicInfo:
    """A panic the program recovered and logged, with the stack of one of a cluster's
    goroutines: what the log line before that stack says."""

    goroutine: int
    line: int  # input line of the log line
    logged_by: str  # "net/http" ("http: panic serving"), "echo" ("[PANIC RECOVER]"), "negroni" ("[negroni] PANIC: "), or "log" (a log call's "panic: ")
    message: str  # the panic value's first line, as logged
    source: str | None = None  # in a fleet, the source whose log held it; None for one dump


@dataclass(frozen=True, slots=True)
class Cluster:
    rank: int
    count: int
    state: str
    leaked: int
    minutes_min: int
    minutes_max: int
    locked_to_thread: int
    blocked_at: FrameInfo
    created_by: FrameInfo | None
    goroutine_ids: tuple[int, ...]
    labels: tuple[LabelCount, ...]
    frames: tuple[FrameInfo, ...]  # representative stack, top first
    why: tuple[str, ...]
    stacks: tuple[SubGroup, ...]
    score: float
    family: int | None  # clusters with near-identical stacks share a family number
    healthy: bool  # a runtime/stdlib background goroutine, not a suspect
    crashed: bool  # holds the goroutine that panicked or threw
    previous_count: int | None  # count of the matching cluster in the previous dump
    goroutines: tuple[Goroutine, ...]  # for the TUI's per-goroutine view; not in JSON
    # Against the previous dump (None when the input held none): count - previous_count
    # (the whole count for a new cluster), and "new" | "grew" | "shrank" | "steady".
    delta: int | None = None
    status: str | None = None
    # The previous dump's cluster was matched approximately (same function, moved line or
    # renamed file): what it was and why, in words; None for an exact match or none.
    matched_approximately: str | None = None
    trend: Trend | None = None  # over a series of three or more dumps
    sources: tuple[SourceCount, ...] | None = None  # in a fleet: the sources holding it, most first
    # In a fleet whose log held several dumps of its sources: the sources whose earlier dumps
    # held it and whose last holds none, its count when last seen there and its trend (a
    # fixed or restarted pod); None elsewhere.
    gone_from: tuple[SourceCount, ...] | None = None
    source: SourceText | None = None  # the blocking line's source, when a source tree was given
    # Sync and channel waits: their goroutines by awaited object; None for other clusters.
    objects: Objects | None = None
    # Waiting on one mutex or RWMutex: goroutines that may hold it (inferred), likeliest first.
    holders: tuple[Holder, ...] = ()
    # Its goroutines' stacks a program logged as it recovered a panic, in input order.
    logged_panics: tuple[LoggedPanicInfo, ...] = ()
    # Its stacks were taken as the program handled a panic it recovered (logged with it, or
    # a traceback it printed itself): blocked_at is where the panic was raised
    # (stack_points.panicked_at), not where a goroutine waits.
    panicked: bool = False


@dataclass(frozen=True, slots=True)
class GoneCluster:
    """A cluster of an earlier dump that no cluster of the last one matched."""

    count: int  # when last seen (in a fleet: in each source, added up)
    state: str
    blocked_at: FrameInfo
    trend: Trend | None = None
    # In a fleet followed over time: each source that held it, its count when last seen there
    # and its trend; None otherwise.
    sources: tuple[SourceCount, ...] | None = None


@dataclass(frozen=True, slots=True)
class AccessInfo:
    op: str
    address: str
    goroutine: int | None
    main_goroutine: bool
    frames: tuple[FrameInfo, ...]
    created_at: tuple[FrameInfo, ...] | None


@dataclass(frozen=True, slots=True)
class RaceInfo:
    access: AccessInfo
    previous: AccessInfo


@dataclass(frozen=True, slots=True)
class Limit:
    """A bound on work that the input reached: that part of the report was computed on
    less than all of it (every cluster is still there; what relates them may be missing).
    Bounds keep the time near-linear in the input whatever a dump holds."""

    name: str  # stable identifier, e.g. "family_clusters"
    limit: int  # the bound, in the unit the message says
    message: str  # what was left out, in words


@dataclass(frozen=True, slots=True)
class SnapshotInfo:
    """One dump of the input; the report's clusters come from the last one."""

    index: int
    format: str
    first_line: int
    last_line: int
    goroutines: int
    truncated: bool
    log_source: str = ""  # the log source that printed it, in a log of several ("" else)
    process: str = ""  # the process that wrote it, where the log names it (journald's "ident[pid]"; "" else)
    ends_process: bool = False  # printed as its process died: a later dump is another process's


@dataclass(frozen=True, slots=True)
class Report:
    source: str
    goroutines: int
    unparsed_lines: int
    unparsed_samples: tuple[ParseIssue, ...]
    unparsed_headers: int
    crash: Crash | None  # the model's own record: nothing to interpret in it
    races: tuple[RaceInfo, ...]
    clusters: tuple[Cluster, ...]
    format: str  # of the reported snapshot: traceback | debug1 | race
    truncated: bool
    snapshots: tuple[SnapshotInfo, ...]
    families: int
    input_lines: int
    goroot: str | None  # as the dump shows it; renderers shorten paths with it
    limits: tuple[Limit, ...] = ()  # bounds on work that this input reached
    # Clusters in the dump before apply_filters narrowed `clusters` ("3 of 25 clusters
    # shown"); None when no filter was applied. Text and Markdown say it; JSON has no field.
    clusters_before_filters: int | None = None
    # Clusters of the previous dump (gtriage before.txt after.txt) with no match in the
    # reported one, largest first; None when the input held no previous dump.
    gone: tuple[GoneCluster, ...] | None = None
    # What the dumps came inside, when not plain text: "docker json-file", "go test -json",
    # "JSON log", "one-line dump" (line prefixes are stripped, not named).
    carriers: tuple[str, ...] = ()
    # A series of three or more dumps, oldest first, and what put them in order ("file
    # modification time", "order given", ...); None for fewer dumps.
    series: tuple[Moment, ...] | None = None
    ordered_by: str | None = None
    # A fleet (--fleet): every source, read or failed; None otherwise.
    fleet: tuple[FleetSource, ...] | None = None
    # Why the input was read short of its end, in words (Ctrl-C on a stdin still open, as
    # `kubectl logs -f | gtriage` is); None when every input was read to its end.
    input_cut: str | None = None
    # Inferred from the panicking goroutine's stack (panic_origin.py): why `crash`, a panic,
    # is one the program recovered and printed itself, not the runtime's as the process
    # died; None for the runtime's, or no panic.
    crash_logged: str | None = None
