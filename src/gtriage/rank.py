"""Order clusters by where to look first, and say why in words."""

from __future__ import annotations

import math

from .cluster import RawCluster
from .frame_info import Origin
from .model import Crash
from .object_words import object_factor, objects_text
from .record import dataclass
from .report import Objects, Trend, trends_text

TYPE_CHECKING = False  # typing's own costs every run ~4 ms to import; type checkers read this as True
if TYPE_CHECKING:
    from collections.abc import Callable

    from .compare import PreviousMatch
    from .fleet import Spread

# Wait reasons that, in the program's own code, are how leaks look (runtime2.go's
# isChanWait / isSyncWait / isMutexWait families, nil channels, select {}, and Go 1.19's
# "semacquire" for all sync waits). Synctest's "(durable)" forms count too.
CHAN = "chan receive", "chan send", "select"
NIL_CHAN = "chan receive (nil chan)", "chan send (nil chan)"
FOREVER = ("select (no cases)",)
SYNC = (
    "sync.Mutex.Lock",
    "sync.RWMutex.RLock",
    "sync.RWMutex.Lock",
    "sync.WaitGroup.Wait",
    "sync.Cond.Wait",
    "semacquire",
)
LEAK_STATES = frozenset(
    s2 for s in (*CHAN, *NIL_CHAN, *FOREVER, *SYNC) for s2 in (s, f"{s} (durable)")
)
RUNNING = frozenset({"running", "runnable", "syscall", "preempted", "copystack"})

# Background goroutines that live for the whole process and are healthy by design.
_HEALTHY_FUNCS = (
    "os/signal.signal_recv",
    "os/signal.loop",
    "net.(*TCPListener).accept",
    "net.(*TCPListener).Accept",
    "net.(*UnixListener).accept",
    "net.(*netFD).accept",
    "internal/poll.(*FD).Accept",
)

# Growth since the previous dump: a leak is a cluster that keeps growing, so of two clusters
# of one size the one that grew (or is new) ranks above the one that shrank.
GROWTH_FACTOR = {"new": 1.25, "grew": 1.25, "steady": 1.0, "shrank": 0.8}

# Over a series, a cluster that grows at every dump is the leak to look at first; one that
# grew and stopped, or came and went, is load.
TREND_FACTOR = {"grows steadily": 1.6, "grew in the last interval": 1.1, "transient": 0.8, "shrinks": 0.8}

# In a fleet, a cluster's weight goes from SPREAD_MIN (on one source of many) to
# 2 - SPREAD_MIN (on every source): spread tells a fleet-wide leak from one sick pod.
SPREAD_MIN = 0.75

CRASH_BONUS = 1e12
BLAME_BONUS = 1e9
LEAKED_BONUS = 1e6


@dataclass(slots=True)
class Ranked:
    cluster: RawCluster
    score: float
    why: list[str]
    healthy: bool
    crashed: bool


def is_healthy(c: RawCluster) -> bool:
    """Runtime/stdlib background goroutines and listeners waiting for connections."""
    frames = c.representative.frames
    if any(f.func in _HEALTHY_FUNCS for f in frames):
        return True
    return c.blocked_at.origin in (Origin.RUNTIME, Origin.STDLIB) and not any(
        f.is_program_code for f in frames
    )


def rank_clusters(
    clusters: list[RawCluster],
    *,
    total: int,
    crash: Crash | None,
    previous: dict[int, PreviousMatch] | None = None,
    trends: Callable[[RawCluster], Trend | None] | None = None,
    spread: Callable[[RawCluster], Spread] | None = None,
    objects: Callable[[RawCluster], Objects | None] | None = None,
    crash_of: Callable[[RawCluster], Crash | None] | None = None,
) -> list[Ranked]:
    """Score every cluster; most important first. Deterministic for equal scores.

    `previous`: when the input held an earlier dump, each cluster's match in it (a cluster
    without one is new); None when there is no earlier dump. `trends`: over a series of
    three or more dumps, each cluster's trend (its verdict weighs like growth does).
    `spread`: in a fleet, the sources that hold each cluster and how many were read (a
    cluster on every pod weighs more than one of the same size on one). `objects`: what each
    cluster of sync or channel waits waits on (one stuck object weighs a little more than one
    object each: objects.SHARED_FACTOR). `crash_of`: in a fleet, the crash whose goroutine
    each cluster holds (goroutine ids repeat from source to source); else `crash` is looked
    for by its goroutine's id."""
    deadlock = crash is not None and crash.fatal_error is not None and "deadlock" in crash.fatal_error
    if spread is not None:
        # A fleet's: a single dump's run does not load fleet.py.
        from .fleet import spread_text

    out = []
    for c in clusters:
        sp = spread(c) if spread is not None else None
        r = _rank_one(c, total, crash_of(c) if crash_of is not None else crash, deadlock, previous,
                      trends(c) if trends else None, sp, objects(c) if objects is not None else None)
        if sp is not None:
            r.score *= SPREAD_MIN + (1 - SPREAD_MIN) * 2 * len(sp.shares) / max(sp.sources, 1)
            r.why.append(spread_text(c.count, sp.shares, sp.sources))
            # Followed over each source's dumps: the most worrying source's trend weighs (a
            # leak on one pod of three is a leak).
            words = [s.trend.word() for s in sp.shares if s.trend is not None]
            if words:
                r.score *= max(TREND_FACTOR.get(w, GROWTH_FACTOR.get(w, 1.0)) for w in words)
                r.why.append(trends_text(sp.shares) or "")
        out.append(r)
    out.sort(key=lambda r: (-r.score, -r.cluster.count, r.cluster.blocked_at.location, r.cluster.state))
    return out


def _rank_one(
    c: RawCluster,
    total: int,
    crash: Crash | None,
    deadlock: bool,
    previous: dict[int, PreviousMatch] | None,
    trend: Trend | None,
    spread: Spread | None = None,
    objects: Objects | None = None,
) -> Ranked:
    healthy = is_healthy(c)
    st = c.stats()
    crashed = crash is not None and crash.goroutine is not None and crash.goroutine in st.ids
    why: list[str] = []
    score = 0.0
    if crashed and crash is not None:
        score += CRASH_BONUS
        why.append(_crash_reason(crash))
    if deadlock and not healthy and c.state not in RUNNING:
        score += BLAME_BONUS
        why.append("blocked when the runtime found every goroutine asleep (deadlock)")
    if st.leaked:
        score += LEAKED_BONUS * st.leaked
        why.append(f"{st.leaked:,} marked (leaked) by the Go runtime's leak detector: proven leaks")
    own_code = c.blocked_at.is_program_code
    if healthy:
        base = 1.0
    elif c.state in LEAK_STATES and own_code:
        base = 100.0
    elif own_code:
        base = 30.0
    else:
        base = 10.0
    growth = 1.0
    match = previous.get(id(c)) if previous is not None else None
    if previous is not None:
        status, _delta = change(c.count, match.count if match is not None else None)
        growth = GROWTH_FACTOR[status]
    if trend is not None and trend.verdict is not None:
        growth *= TREND_FACTOR.get(trend.verdict, 1.0)
    if objects is not None:
        growth *= object_factor(objects)
    lo, hi = st.minutes_min, st.minutes_max
    # max(): a damaged ?debug=1 record may say "0 @" (the runtime prints no stack it saw
    # on no goroutine); its cluster is kept as it is, with 0 goroutines.
    score += base * (1 + math.log2(max(c.count, 1))) * (1 + math.log2(1 + hi) / 4) * growth
    why.extend(_size_and_wait(c.count, total, lo, hi))
    if healthy:
        why.append(_healthy_reason(c))
    elif c.state in LEAK_STATES and own_code:
        why.append(f"{_describe_state(c.state)} in the program's own code: looks like a leak")
    elif own_code and c.state:
        why.append(state_reason(c.state))
    said = objects_text(objects) if objects is not None else None
    if said:
        why.append(said)
    fan = _fan_out(c, spread)
    if fan:
        why.append(fan)
    if trend is not None and trend.verdict is not None:
        why.append(trend_reason(trend))
    if previous is not None and not (trend is not None and match is not None and match.count == c.count):
        why.append(_change_reason(c.count, match))  # a trend already says "steady"
    return Ranked(c, score, why, healthy, crashed)


def state_reason(state: str) -> str:
    """Why a cluster not waiting on anything the runtime names is worth a look: "running in
    the program's own code"."""
    return f"{state} in the program's own code"


def _crash_reason(crash: Crash) -> str:
    if crash.panics:
        last = crash.panics[-1].message
        return f"the goroutine that panicked: {last.splitlines()[0] if last else ''}"
    if crash.fatal_error:
        return f"the goroutine that threw: fatal error: {crash.fatal_error}"
    return f"the goroutine that received {crash.signal}"


def _size_and_wait(count: int, total: int, lo: int, hi: int) -> list[str]:
    share = f" ({share_text(count, total)} of all)" if total else ""
    out = [f"{count:,} goroutine{'s' if count != 1 else ''}{share}"]
    if hi:
        out.append(f"waiting {lo:,}-{hi:,} minutes" if lo != hi else f"waiting {hi:,} minute{'s' if hi != 1 else ''}")
    return out


def change(count: int, before: int | None) -> tuple[str, int]:
    """Status and delta of a cluster of `count` goroutines that had `before` in the previous
    dump (None: no match there): new (+count), grew, shrank or steady."""
    if before is None:
        return "new", count
    delta = count - before
    return ("grew" if delta > 0 else "shrank" if delta < 0 else "steady"), delta


def _change_reason(count: int, match: PreviousMatch | None) -> str:
    if match is None:
        return "new: not in the previous dump"
    status, delta = change(count, match.count)
    if status == "steady":
        text = f"steady: {count:,} in the previous dump too"
    else:
        sign = "+" if delta > 0 else "\u2212"
        text = f"{status} by {sign}{abs(delta):,} since the previous dump (from {match.count:,} to {count:,})"
    if match.approximate is not None:
        text += f"; matched approximately to {match.approximate}"
    return text


def trend_reason(t: Trend) -> str:
    """"grows steadily over 5 dumps: 0 → 10 → 20 → 30 → 40 (+40 a minute)"; after a
    restart "grows steadily over the 3 dumps since the restart: 40 ‖ 0 → 10 → 20 (...)"."""
    rate = t.rate_text()
    shown = f" ({rate})" if rate is not None and t.growth_per_minute and t.verdict != "steady" else ""
    over = f"the {len(t.current)} dumps since the restart" if t.since else f"{len(t.counts)} dumps"
    return f"{t.verdict} over {over}: {t.counts_text()}{shown}"


def share_text(part: int, total: int) -> str:
    """A percentage that never rounds a cluster away: "<1%" for 3 of 10,000 (not "0%"),
    ">99%" for 9,999 of 10,000 (not "100%", which would say there is nothing else)."""
    pct = 100 * part / total
    if 0 < pct < 1:
        return "<1%"
    if 99 < pct < 100:
        return ">99%"
    return f"{pct:.0f}%"


def _describe_state(state: str) -> str:
    base = state.removesuffix(" (durable)")
    if base in NIL_CHAN:
        return f"{base}: a nil channel blocks forever"
    if base in FOREVER:
        return "select {} blocks forever"
    if base == "semacquire":
        return "semacquire (a sync.Mutex, RWMutex or WaitGroup wait)"
    return f"blocked on {base}"


def _healthy_reason(c: RawCluster) -> str:
    funcs = {f.func for f in c.representative.frames}
    if funcs & {"os/signal.signal_recv", "os/signal.loop"}:
        return "signal handling: healthy background goroutine"
    if c.state == "IO wait" and any("ccept" in f for f in funcs):
        return "a listener waiting for connections: usually healthy"
    return "runtime/standard-library background goroutine: usually healthy"


def _fan_out(c: RawCluster, spread: Spread | None) -> str | None:
    # In a fleet goroutine ids repeat from source to source: a parent is one source's.
    if spread is not None:
        top = spread.top_parent
        parent, n, on = top if top is not None else (0, 0, "")
        on = f" on {on}"
    else:
        parent, n = c.stats().top_parent or (0, 0)
        on = ""
    if n < 10:
        return None
    creator = c.representative.created_by
    where = f", in {creator.func}" if creator is not None else ""
    return f"fan-out: {n:,} started by one goroutine (goroutine {parent}{on}{where})"
