"""Clusters followed across a series of dumps: each cluster's count at every dump, its growth
per minute and a verdict (grows steadily, grows then plateaus, transient, ...).

A Tracker takes one dump's clusters at a time, so `--watch` can follow a live endpoint for
hours: it keeps a few integers per cluster and a slim copy of the cluster's blocked-at frame
and representative stack to match the next dump with, never the dumps themselves.
"""

from __future__ import annotations

from itertools import pairwise

from .cluster import RawCluster, StackGroup
from .families import SimilarityWork
from .model import DumpFormat, Snapshot
from .panic_origin import runtime_panic
from .record import dataclass, field, replace
from .report import (
    FILE_CLOCK,
    LOG_CLOCK,
    LOG_CLOCK_NO_YEAR,
    LOG_CLOCK_NO_ZONE,
    ORDER_GIVEN,
    PROFILE_CLOCK,
    Moment,
    Trend,
    since_restart,
)

TYPE_CHECKING = False  # typing's own costs every run ~4 ms to import; type checkers read this as True
if TYPE_CHECKING:
    from collections.abc import Sequence

# Verdicts, in words the reports print as they are.
STEADY = "steady"
GROWS_STEADILY = "grows steadily"
PLATEAU = "grows then plateaus"
NEW = "new in the last dump"
LATE_RISE = "grew in the last interval"
SHRINKS = "shrinks"
TRANSIENT = "transient"
FLUCTUATES = "fluctuates"

# A series needs this many dumps for a verdict: two are a comparison (new / grew / shrank).
MIN_POINTS = 3
# --watch keeps at most this many points per cluster (30 s polls: 3.5 days); the oldest go.
MAX_POINTS = 10_000


@dataclass(slots=True)
class Track:
    """One cluster followed over the series: its count at every dump (0 where absent)."""

    counts: list[int]
    key: RawCluster  # slim: blocked-at frame, state and representative stack, no goroutines


@dataclass(slots=True)
class Tracker:
    """Per-cluster counts over successive dumps, added oldest first."""

    moments: list[Moment] = field(default_factory=list)
    tracks: list[Track] = field(default_factory=list)
    max_points: int = MAX_POINTS

    def add(self, clusters: Sequence[RawCluster], moment: Moment, work: SimilarityWork | None = None) -> dict[int, int]:
        """Add one dump's clusters; returns id(cluster) -> its track's index in `tracks`.

        Matched against every cluster seen so far (also those gone since), so one that
        comes back continues its own track."""
        n = len(self.moments)
        keys = [t.key for t in self.tracks]
        from .compare import match_previous  # a dump that has no earlier one does not load compare.py

        matches = match_previous(clusters, keys, work).matches if keys else {}
        out: dict[int, int] = {}
        seen: set[int] = set()
        for c in clusters:
            m = matches.get(id(c))
            if m is not None and m.index >= 0:
                i = m.index
            else:
                i = len(self.tracks)
                self.tracks.append(Track([0] * n, _slim(c)))
            t = self.tracks[i]
            t.counts.append(c.count)
            t.key = _slim(c)
            out[id(c)] = i
            seen.add(i)
        for i, t in enumerate(self.tracks):
            if i not in seen:
                t.counts.append(0)
        self.moments.append(moment)
        if len(self.moments) > self.max_points:
            del self.moments[0]
            for t in self.tracks:
                del t.counts[0]
            self.tracks = [t for t in self.tracks if any(t.counts)]
        return out

    def trend(self, i: int) -> Trend:
        return trend_of(tuple(self.tracks[i].counts), self.moments)

    def gone(self, current: dict[int, int]) -> list[int]:
        """Tracks with goroutines earlier in the series but none in the last dump, largest
        peak first."""
        taken = set(current.values())
        left = [i for i, t in enumerate(self.tracks) if i not in taken and any(t.counts)]
        return sorted(left, key=lambda i: -max(self.tracks[i].counts))


def trend_of(counts: tuple[int, ...], moments: Sequence[Moment]) -> Trend:
    """The trend of counts taken at `moments` (one each, oldest first). After a restart the
    counts before it were another process's goroutines: the verdict and the growth are of
    the dumps since (none when it had no goroutine since: nothing to say of it now)."""
    since = since_restart(moments)
    current = counts[since:]
    told = current if not since or any(current) else ()
    return Trend(counts, verdict(told), growth_per_minute(told, moments), since)


def ended_its_process(s: Snapshot) -> bool:
    """Whether the runtime printed this dump as its process died: a fatal signal's
    ("SIGQUIT: quit", "[signal SIGSEGV: ...]"), a fatal error's ("fatal error: runtime:
    out of memory", a deadlock) or a panic's. Every later dump is another process's. A
    panic the program recovered and printed itself does not end it (panic_origin.py); nor
    does one whose panicking goroutine the dump does not hold: not to be told."""
    crash = s.crash
    if crash is None:
        return False
    if crash.signal is not None or crash.fatal_error is not None:
        return True
    return runtime_panic(s)


def _slim(c: RawCluster) -> RawCluster:
    rep = c.representative
    return RawCluster(c.state, c.blocked_at, [StackGroup(rep.frames, rep.created_by, count=c.count)])


def verdict(counts: Sequence[int]) -> str | None:
    """What the counts of a cluster over MIN_POINTS or more dumps show, oldest first."""
    if len(counts) < MIN_POINTS:
        return None
    steps = list(pairwise(counts))
    rises = sum(1 for a, b in steps if b > a)
    falls = sum(1 for a, b in steps if b < a)
    if not rises and not falls:
        return STEADY
    if not falls:
        if not any(counts[:-1]):
            return NEW
        if counts[-1] == counts[-2]:
            return PLATEAU
        return GROWS_STEADILY if rises >= 2 else LATE_RISE
    if not rises:
        return SHRINKS
    if max(counts) > counts[0] and counts[-1] <= counts[0]:
        return TRANSIENT
    return FLUCTUATES


def growth_per_minute(counts: Sequence[int], moments: Sequence[Moment]) -> float | None:
    """Goroutines gained a minute from the first dump to the last; None when either time is
    unknown or they are the same instant."""
    if len(counts) < 2 or len(moments) < len(counts):
        return None
    first, last = moments[-len(counts)], moments[-1]
    if first.taken_at is None or last.taken_at is None or last.taken_at <= first.taken_at:
        return None
    return (counts[-1] - counts[0]) * 60.0 / (last.taken_at - first.taken_at)


# File modification times closer than this are the time files were copied (cp, git
# checkout, unzip without times), not when the dumps were taken: they order nothing.
FILE_TIMES_APART = 1.0


def snapshot_moment(source: str, s: Snapshot, taken_at: float | None, clock: str, goroutines: int = 0) -> Moment:
    """The Moment of dump `s` of input `source`, with the process that wrote it, as far as
    the input tells (its name, and whether the dump was its last)."""
    return Moment(source, taken_at, clock, goroutines, s.process, ended_its_process(s))


def snapshot_clock(s: Snapshot) -> str:
    """What tells the time of a dump that has one of its own."""
    if s.format is DumpFormat.PPROF:
        return PROFILE_CLOCK
    if s.year_unknown:
        return LOG_CLOCK_NO_YEAR
    return LOG_CLOCK_NO_ZONE if s.zone_unknown else LOG_CLOCK


def put_in_order(moments: Sequence[Moment]) -> tuple[list[int], list[Moment], str]:
    """The dumps of a series oldest first: their indices in that order, their moments (with
    the time dropped where it orders nothing) and what ordered them, in words."""
    n = len(moments)
    given = list(range(n))
    why = _untold(moments)
    if why is not None:
        return given, [replace(m, taken_at=None, clock=ORDER_GIVEN) for m in moments], f"{ORDER_GIVEN} ({why})"
    order = sorted(given, key=lambda i: moments[i].taken_at or 0.0)  # stable: a file's dumps keep their order
    clocks = sorted({m.clock for m in moments})
    return order, [moments[i] for i in order], ", ".join(clocks)


def _untold(moments: Sequence[Moment]) -> str | None:
    """Why the moments' times cannot order them, or None when they can."""
    if any(m.taken_at is None for m in moments):
        return "stdin tells no time" if any(m.source == "-" for m in moments) else "no time known for every dump"
    if len({m.taken_at for m in moments}) == 1 and len(moments) > 1:
        return "one time for every dump"
    yearless = {m.source for m in moments if m.clock == LOG_CLOCK_NO_YEAR}
    if yearless and (len(yearless) > 1 or len({m.clock for m in moments}) > 1):
        return "log timestamps without a year in several inputs"
    clocks = {m.clock for m in moments}
    if LOG_CLOCK_NO_ZONE in clocks and len(clocks) > 1:
        return "log timestamps without a zone beside other clocks"
    files = {m.source: m.taken_at for m in moments if m.clock == FILE_CLOCK}
    times = sorted(t for t in files.values() if t is not None)
    if len(times) > 1 and any(b - a < FILE_TIMES_APART for a, b in pairwise(times)):
        return f"file modification times less than {FILE_TIMES_APART:g} s apart: copied files?"
    return None


@dataclass(slots=True)
class Trends:
    """A series followed to its last dump: the trend of each of its clusters."""

    tracker: Tracker
    ids: dict[int, int]  # id(cluster of the last dump) -> its track

    def of(self, c: RawCluster) -> Trend | None:
        i = self.ids.get(id(c))
        return self.tracker.trend(i) if i is not None else None

    def gone(self) -> list[tuple[RawCluster, int, Trend]]:
        """Clusters seen in the series but not in its last dump: their last key, their
        count when last seen, and their trend; largest peak first."""
        out = []
        for i in self.tracker.gone(self.ids):
            t = self.tracker.tracks[i]
            last = next(n for n in reversed(t.counts) if n)
            out.append((t.key, last, self.tracker.trend(i)))
        return out
