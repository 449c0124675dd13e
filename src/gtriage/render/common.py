"""Words every renderer uses the same way (so text, Markdown and the TUI agree)."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from gtriage.frame_info import FrameInfo, Origin
from gtriage.model import Crash
from gtriage.report import AccessInfo, Cluster, GoneCluster, RaceInfo, Report


def num(n: int) -> str:
    """A count as people read it: 1,234,567 (ids and line numbers stay bare, to grep for)."""
    return f"{n:,}"


def plural(n: int, word: str) -> str:
    """"1 goroutine", "10,560 goroutines"."""
    return f"{num(n)} {word}{'' if n == 1 else 's'}"


def minutes_text(c: Cluster) -> str:
    if c.minutes_max == 0:
        return ""
    if c.minutes_min == c.minutes_max:
        return f"{num(c.minutes_max)} min"
    return f"{num(c.minutes_min)}-{num(c.minutes_max)} min"


def state_text(c: Cluster) -> str:
    return c.state or "(no state in debug=1)"


MINUS = "\u2212"


def change_text(c: Cluster) -> str | None:
    """The cluster against the previous dump: "new", "grew +10", "shrank \u221210",
    "steady"; "≈" after it when it was matched approximately. None without a previous dump."""
    if c.status is None:
        return None
    if c.status in ("grew", "shrank") and c.delta is not None:
        text = f"{c.status} {'+' if c.delta > 0 else MINUS}{num(abs(c.delta))}"
    else:
        text = c.status
    return text + (" ≈" if c.matched_approximately is not None else "")


def gone_text(g: GoneCluster, goroot: str | None) -> str:
    """A cluster of the previous dump that nothing matched: "37 x sync.Mutex.Lock at ..."."""
    return f"{num(g.count)} × {g.state or '(no state in debug=1)'} at {frame_text(g.blocked_at, goroot)}"


# Gone clusters listed by text and Markdown, largest first; JSON has them all.
GONE_SHOWN = 20


def gone_title(gone: tuple[GoneCluster, ...]) -> str:
    n = sum(g.count for g in gone)
    return f"gone since the previous dump: {plural(len(gone), 'cluster')}, {plural(n, 'goroutine')}"


def gone_more(gone: tuple[GoneCluster, ...]) -> str | None:
    """"… 5 more (12 goroutines)" past the GONE_SHOWN largest; None when all are shown."""
    rest = gone[GONE_SHOWN:]
    if not rest:
        return None
    return f"… {num(len(rest))} more ({plural(sum(g.count for g in rest), 'goroutine')})"


def short_path(file: str, goroot: str | None) -> str:
    """GOROOT and module-cache prefixes spelled as $GOROOT and $GOMODCACHE."""
    if goroot and file.startswith(goroot):
        return "$GOROOT/" + file[len(goroot) :]
    i = file.find("/pkg/mod/")
    if i >= 0:
        return "$GOMODCACHE/" + file[i + 9 :]
    return file


def location(f: FrameInfo, goroot: str | None) -> str:
    return f"{short_path(f.file, goroot)}:{f.line}"


def frame_text(f: FrameInfo, goroot: str | None = None) -> str:
    return f"{f.func} {location(f, goroot)}" if f.file else f.func


def crash_lines(crash: Crash) -> list[str]:
    """The crash as the runtime said it, one item per panic / error / signal."""
    out: list[str] = []
    for p in crash.panics:
        tag = " [recovered, repanicked]" if p.repanicked else " [recovered]" if p.recovered else ""
        out.append(f"panic: {p.message}{tag}")
    if crash.fatal_error:
        out.append(f"fatal error: {crash.fatal_error}")
    if crash.signal:
        out.append(f"signal: {crash.signal}")
    if crash.goroutine is not None:
        out.append(f"in goroutine {crash.goroutine}")
    return out


def summary_line(r: Report) -> str:
    kind = {"traceback": "traceback", "debug1": "debug=1 profile", "race": "race report"}.get(r.format, r.format)
    shown = len(r.clusters)
    total = r.clusters_before_filters
    # "3 of 25 clusters shown" once a filter left some out, so a --top 3 report cannot be
    # mistaken for a dump of 3 clusters.
    clusters = plural(shown, "cluster") if total is None or total == shown else f"{num(shown)} of {plural(total, 'cluster')} shown"
    parts = [plural(r.goroutines, "goroutine"), clusters, kind]
    if len(r.snapshots) > 1:
        parts.append(f"{len(r.snapshots)} dumps in the input, the last one reported")
    if r.carriers:
        parts.append("read from " + ", ".join(r.carriers))
    return ", ".join(parts)


def health_lines(r: Report) -> list[str]:
    """What the reader must know before trusting the numbers."""
    out: list[str] = []
    if r.truncated:
        out.append(
            f"the dump is cut off (debug=2 stops at 64 MiB): {plural(r.goroutines, 'goroutine')} {'was' if r.goroutines == 1 else 'were'} read before the cut"
        )
    if r.unparsed_lines:
        where = ", ".join(f"line {i.line}" for i in r.unparsed_samples[:5])
        out.append(f"{plural(r.unparsed_lines, 'line')} inside the dump could not be parsed ({where})")
    out.extend(f"limit reached: {lim.message}" for lim in r.limits)
    return out


def folded(frames: tuple[FrameInfo, ...]) -> list[tuple[FrameInfo | None, int]]:
    """Frames with runs of runtime frames folded: (frame, 0) or (None, how many folded)."""
    out: list[tuple[FrameInfo | None, int]] = []
    run = 0
    for f in frames:
        if f.origin is Origin.RUNTIME:
            run += 1
            continue
        if run:
            out.append((None, run))
            run = 0
        out.append((f, 0))
    if run:
        out.append((None, run))
    return out


class StackRow(NamedTuple):
    """One line of a stack as reports show it."""

    frame: FrameInfo | None  # None: a run of runtime frames folded away
    span: int  # frames it stands for: the runtime frames folded, or calls of one frame in a row


def stack_rows(frames: tuple[FrameInfo, ...]) -> list[StackRow]:
    """Runtime frames folded, and a frame repeated in a row (a deep recursion of one call)
    as one row with its count: a stack of 120 identical calls reads as one line, not 120."""
    out: list[StackRow] = []
    for f, n in folded(frames):
        if f is not None and out and out[-1].frame == f:
            out[-1] = StackRow(f, out[-1].span + 1)
        else:
            out.append(StackRow(f, n or 1))
    return out


def repeat_text(row: StackRow) -> str:
    """The suffix of a recursion's row (times sign and count); "" for a frame called once."""
    return f"  × {num(row.span)}" if row.frame is not None and row.span > 1 else ""


def family_text(c: Cluster, shown: tuple[Cluster, ...]) -> str:
    """What `[family N]` means, with the other clusters of the family that are shown."""
    others = [f"#{o.rank}" for o in shown if o.family == c.family and o is not c]
    text = (
        f"{c.family}: clusters with near-identical stacks (the same functions at other lines, "
        "or another recursion depth) share this number"
    )
    return text + (f"; also {', '.join(others)}" if others else "")


def _same(text: str) -> str:
    return text


def cluster_title(c: Cluster, escape: Callable[[str], str] = _same) -> str:
    """Rank, count, state (escaped for the output: it is dump text) and minutes, as every
    output titles a cluster ("#3  200 TIMES chan receive, 90 minutes", TIMES the sign)."""
    mins = minutes_text(c)
    return f"#{c.rank}  {num(c.count)} × {escape(state_text(c))}" + (f", {mins}" if mins else "")


def race_accesses(race: RaceInfo) -> list[tuple[AccessInfo, str]]:
    """Both accesses of a data race, newest first, each with who made it."""
    return [
        (a, "main goroutine" if a.main_goroutine else f"goroutine {a.goroutine}")
        for a in (race.access, race.previous)
    ]


def race_line(race: RaceInfo) -> str:
    """A data race in one line: both accesses, by whom and where."""
    return "; ".join(
        f"{a.op} by {who} at {frame_text(a.frames[0]) if a.frames else '?'}" for a, who in race_accesses(race)
    )
