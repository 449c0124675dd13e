"""When the dumps of a series were taken (Moment, and the clocks that tell it), a
cluster's counts over them (Trend), and where the last process's dumps start: the report's
part over time, read by the stages that follow a series and by the renderers."""

from __future__ import annotations

from .record import dataclass

TYPE_CHECKING = False  # typing's own costs every run ~4 ms to import; type checkers read this as True
if TYPE_CHECKING:
    from collections.abc import Sequence

_ARROW = " \u2192 "
_RESTART = " \u2016 "  # between two dumps of different processes


@dataclass(frozen=True, slots=True)
class Trend:
    """A cluster's counts over a series of dumps (three or more)."""

    counts: tuple[int, ...]  # one per dump of the series, oldest first (0: not in that dump)
    # "grows steadily" | "grows then plateaus" | "new in the last dump" | "grew in the last
    # interval" | "steady" | "shrinks" | "transient" | "fluctuates"; None with too few dumps
    # (of the last process's, after a restart)
    verdict: str | None
    growth_per_minute: float | None  # first dump to last (of the last process's); None when their times are unknown
    # The first dump the verdict and the growth count from: after a restart (the input names
    # the process that wrote each dump, and the last dump's is another than an earlier
    # one's), the first the last dump's process wrote; 0 otherwise. Counts before it were
    # another process's goroutines: they reset at the restart.
    since: int = 0

    @property
    def current(self) -> tuple[int, ...]:
        """The counts the verdict is of: the last process's dumps."""
        return self.counts[self.since :]

    def counts_text(self, most: int = 8) -> str:
        """"0 → 10 → 20 → 30 → 40"; past `most` counts, the first and last few; a restart
        before a dump is "‖" ("10 → 20 ‖ 5 → 15"), also inside the counts left out."""
        c = [f"{n:,}" for n in self.counts]
        b = self.since
        if len(c) <= most:
            return c[0] + "".join((_RESTART if i == b else _ARROW) + c[i] for i in range(1, len(c)))
        half = max(most // 2 - 1, 1)
        tail = len(c) - half  # the first count shown after "…"
        head = c[0] + "".join((_RESTART if i == b else _ARROW) + c[i] for i in range(1, half))
        after = c[tail] + "".join((_RESTART if i == b else _ARROW) + c[i] for i in range(tail + 1, len(c)))
        return f"{head}{_RESTART if b == half else _ARROW}\u2026{_RESTART if half < b <= tail else _ARROW}{after}"

    def word(self) -> str:
        """The trend in a word: its verdict over three or more dumps; over two, what the
        second says of the first ("grew", "shrank", "steady", "new": none in the first).
        After a restart, of the last process's dumps only ("restarted": one dump since;
        "none since the restart")."""
        if self.verdict is not None:
            return self.verdict
        counts = self.current
        if self.since and not any(counts):
            return "none since the restart"
        if len(counts) < 2:
            return "restarted"
        first, last = counts[0], counts[-1]
        return "new" if not first else "grew" if last > first else "shrank" if last < first else "steady"

    def since_text(self) -> str:
        """"" or " since the restart": what a verdict or a growth is of."""
        return " since the restart" if self.since else ""

    def rate_text(self) -> str | None:
        """"+40 a minute", "+0.5 a minute", "\u22123 a minute"; None when the times are unknown."""
        rate = self.growth_per_minute
        if rate is None:
            return None
        sign = "+" if rate >= 0 else "\u2212"
        r = abs(rate)
        text = f"{r:,.0f}" if r >= 10 or r == int(r) else f"{r:.1f}" if r >= 0.1 else f"{r:.2g}"
        return f"{sign}{text} a minute"


# What tells when a dump was taken (Moment.clock), in the words the reports print.
FILE_CLOCK = "file modification time"
LOG_CLOCK = "log timestamps"
PROFILE_CLOCK = "profile time"  # a binary profile's own time_nanos
ORDER_GIVEN = "order given"
# The clock of a log that prints no year (journalctl, syslog): its times order that log's
# dumps and give its growth a minute; they tell no date, and another input's do not compare.
LOG_CLOCK_NO_YEAR = "log timestamps (no year)"
# The clock of a log that prints dates and times without their zone: the same, but times of
# several such inputs compare (read alike, as if UTC), and their dates are known.
LOG_CLOCK_NO_ZONE = "log timestamps (no zone)"
UNZONED_CLOCKS = (LOG_CLOCK_NO_YEAR, LOG_CLOCK_NO_ZONE)  # times shown as their log prints them


@dataclass(frozen=True, slots=True)
class Moment:
    """When one dump of a series was taken, and what says so."""

    source: str  # the input it came from, as given
    # Seconds since the epoch; None when nothing tells. With LOG_CLOCK_NO_YEAR, seconds
    # from a year of the log's own; with LOG_CLOCK_NO_ZONE, its local time read as if UTC
    # (only differences hold).
    taken_at: float | None
    # "log timestamps" | "log timestamps (no year)" | "log timestamps (no zone)" | "profile
    # time" | "HTTP Date" | "time fetched" | "file modification time" | "order given"
    clock: str
    goroutines: int = 0
    process: str = ""  # the process that wrote it, where the input names it ("leakrate[2098]")
    ends_process: bool = False  # the runtime printed it as its process died (series.ended_its_process)


def since_restart(moments: Sequence[Moment]) -> int:
    """last_process_start of a series' moments."""
    return last_process_start([m.process for m in moments], [m.ends_process for m in moments])


def last_process_start(processes: Sequence[str], ended: Sequence[bool] = ()) -> int:
    """The index of the first of a series' dumps (oldest first) that the last dump's
    process wrote: after the last dump of another process (`processes`: the process that
    wrote each, where the input names it; "" splits nothing), and after the last dump
    before the last that its process died printing (`ended`, ended_its_process); 0 when
    neither tells of a restart."""
    start = max((i + 1 for i, e in enumerate(ended[: len(processes) - 1]) if e), default=0)
    if not processes or not processes[-1]:
        return start
    last = processes[-1]
    for i in range(len(processes) - 1, start - 1, -1):
        if processes[i] and processes[i] != last:
            return i + 1
    return start
