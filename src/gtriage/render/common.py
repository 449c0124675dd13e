"""Words every renderer uses the same way (so text, Markdown and the TUI agree)."""

from __future__ import annotations

from gtriage.frame_info import FrameInfo, Origin
from gtriage.record import NamedTuple
from gtriage.report import (
    Cluster,
    FleetSource,
    GoneCluster,
    Report,
    SourceCount,
    SourceText,
    Trend,
    last_process_start,
    trends_text,
)

TYPE_CHECKING = False  # typing's own costs every run ~4 ms to import; type checkers read this as True
if TYPE_CHECKING:
    from collections.abc import Callable


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


# debug=1 and pprof's binary profile (debug=0) record no goroutine states.
NO_STATE = "(no state in the profile)"


def state_text(c: Cluster) -> str:
    return c.state or NO_STATE


def where_word(c: Cluster) -> str:
    """What a cluster's blocked_at is: where its goroutines wait, or, for stacks taken as the
    program handled a panic it recovered, where the panic was raised (Cluster.panicked)."""
    return "panicked" if c.panicked else "blocked"


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
    return f"{num(g.count)} × {g.state or NO_STATE} at {frame_text(g.blocked_at, goroot)}"


# Gone clusters listed by text and Markdown, largest first; JSON has them all.
GONE_SHOWN = 20


def gone_title(gone: tuple[GoneCluster, ...]) -> str:
    n = sum(g.count for g in gone)
    if any(g.sources is not None for g in gone):
        return f"gone from every source: {plural(len(gone), 'cluster')}, {plural(n, 'goroutine')} when last seen"
    if any(g.trend is not None for g in gone):
        return f"gone during the series: {plural(len(gone), 'cluster')}, {plural(n, 'goroutine')} when last seen"
    return f"gone since the previous dump: {plural(len(gone), 'cluster')}, {plural(n, 'goroutine')}"


_BARS = "\u2581\u2582\u2583\u2584\u2585\u2586\u2587\u2588"
SPARK_POINTS = 24  # a sparkline shows this many of the last counts


def sparkline(counts: tuple[int, ...], width: int = SPARK_POINTS) -> str:
    """"▁▃▅▆█": the last `width` counts against the largest of them (0 is the lowest bar,
    any goroutine at all one above it)."""
    shown = counts[-width:]
    top = max(shown, default=0)
    if top <= 0:
        return _BARS[0] * len(shown)
    return "".join(_BARS[0] if n <= 0 else _BARS[max(1, round(n / top * 7))] for n in shown)


def verdict_text(t: Trend) -> str:
    """"grows steadily", "grows steadily since the restart"; "" without a verdict."""
    return f"{t.verdict}{t.since_text()}" if t.verdict else ""


def trend_text(t: Trend) -> str:
    """"0 → 10 → 20 → 30 → 40  ▁▃▅▆█  grows steadily, +40 a minute"; after a restart
    "40 → 80 ‖ 10 → 20 → 30  ▃▆▁▂▃  grows steadily since the restart, +20 a minute"."""
    words = verdict_text(t)
    rate = t.rate_text()
    if rate is not None and t.growth_per_minute and t.verdict != "steady":
        words = f"{words}, {rate}" if words else rate
    return f"{t.counts_text()}  {sparkline(t.counts)}  {words}".rstrip()


def source_line_text(src: SourceText) -> str:
    """"120 │ reply := <-ch  (/src/app/main.go)", or why the line is not shown."""
    if src.text is None:
        return f"not shown: {src.note}"
    return f"{src.line} │ {src.text.strip()}  ({src.path})"


def sources_read(report: Report) -> int:
    """The sources of a fleet that could be read (the denominator of "on 2 of 3 sources")."""
    return sum(1 for s in report.fleet or () if s.goroutines is not None)


def sources_text(shares: tuple[SourceCount, ...], sources: int, shown: int = 3) -> str:
    """"on 2 of 3 sources: pod-a 90, pod-b 24"."""
    parts = ", ".join(f"{s.source} {num(s.count)}" for s in shares[:shown])
    more = f", {num(len(shares) - shown)} more" if len(shares) > shown else ""
    return f"on {num(len(shares))} of {num(sources)} sources: {parts}{more}"


def fleet_lines(fleet: tuple[FleetSource, ...]) -> list[str]:
    """"fleet of 3 sources, 2 read: pod-a 130 goroutines, pod-b 64" and one line per failure."""
    ok = [s for s in fleet if s.goroutines is not None]
    read = ", ".join(f"{s.name} {plural(s.goroutines or 0, 'goroutine')}" for s in ok[:8])
    more = f", {num(len(ok) - 8)} more" if len(ok) > 8 else ""
    out = [f"fleet of {plural(len(fleet), 'source')}, {num(len(ok))} read: {read}{more}"]
    out.extend(f"{s.name} not read: {s.error}" for s in fleet if s.goroutines is None)
    return out


def fleet_trend_lines(fleet: tuple[FleetSource, ...], shown: int = 8) -> list[str]:
    """"web-a/app  9 → 23 → 43 → 57  ▁▃▆█  grows steadily, +52 a minute": the goroutines of
    each source over the dumps a log held of it, for those with two or more."""
    followed = [s for s in fleet if s.trend is not None]
    out = [f"{s.name}  {trend_text(s.trend)}" for s in followed[:shown] if s.trend is not None]
    if len(followed) > shown:
        out.append(f"{num(len(followed) - shown)} more sources followed")
    return out


def fleet_trend_summary(fleet: tuple[FleetSource, ...]) -> str | None:
    """"over time: grows steadily on 3 of 3 sources followed · fastest +144 a minute on
    web-…-xk2lp/app": one line for a screen's status (what matters first at 80 columns);
    None when no source was followed."""
    followed = [s for s in fleet if s.trend is not None]
    if not followed:
        return None
    words: dict[str, int] = {}
    for s in followed:
        assert s.trend is not None
        words[s.trend.word()] = words.get(s.trend.word(), 0) + 1
    said = "; ".join(f"{w} on {num(n)}" for w, n in sorted(words.items(), key=lambda kv: (-kv[1], kv[0])))
    line = f"over time: {said} of {plural(len(followed), 'source')} followed"
    rated = [s for s in followed if s.trend is not None and s.trend.growth_per_minute]
    if rated:
        top = max(rated, key=lambda s: s.trend.growth_per_minute if s.trend and s.trend.growth_per_minute else 0.0)
        assert top.trend is not None
        if (top.trend.growth_per_minute or 0) > 0:
            line += f" · fastest {top.trend.rate_text()} on {top.name}"
    return line


def cluster_trends_text(c: Cluster) -> str | None:
    """A fleet's cluster over each source's dumps (report.trends_text); None when no source
    holding it was followed."""
    return trends_text(c.sources) if c.sources is not None else None


def gone_shares_text(shares: tuple[SourceCount, ...], shown: int = 3) -> str:
    """"pod-x (6 when last seen: 0 → 6 → 6 → 0), pod-y (…), 2 more": the sources of a fleet
    whose earlier dumps held a cluster and whose last holds none of it."""
    named = [
        f"{s.source} ({num(s.count)} when last seen{f': {s.trend.counts_text(5)}' if s.trend is not None else ''})"
        for s in shares[:shown]
    ]
    more = len(shares) - shown
    return ", ".join(named) + (f", {more:,} more" if more > 0 else "")


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


def summary_line(r: Report) -> str:
    kind = {
        "traceback": "traceback", "debug1": "debug=1 profile", "race": "race report",
        "pprof": "pprof profile (debug=0)",
    }.get(r.format, r.format)
    shown = len(r.clusters)
    total = r.clusters_before_filters
    # "3 of 25 clusters shown" once a filter left some out, so a --top 3 report cannot be
    # mistaken for a dump of 3 clusters.
    clusters = plural(shown, "cluster") if total is None or total == shown else f"{num(shown)} of {plural(total, 'cluster')} shown"
    parts = [plural(r.goroutines, "goroutine"), clusters, kind]
    logged = sum(len(c.logged_panics) for c in r.clusters)
    if logged:
        # Each a stack logged with its panic: more than the goroutines where one logged again.
        parts.append(f"{plural(logged, 'panic')} the program recovered and logged")
    if r.fleet is not None:
        pass  # fleet_lines say which sources
    elif r.series is not None:
        parts.append("the last of the series reported")
    elif len(r.snapshots) > 1:
        parts.append(f"{len(r.snapshots)} dumps in the input, the last one reported")
    if r.fleet is None and (processes := processes_line(r)):
        parts.append(processes)
    if r.carriers:
        parts.append("read from " + ", ".join(r.carriers))
    return ", ".join(parts)


def processes_line(r: Report) -> str:
    """The processes the dumps of one log were written by, when the log names them and
    they are several (a service restarted between its dumps: each count is a new
    process's), and a restart right before the reported dump: its comparison with the dump
    before is then with another process's goroutines; "" otherwise."""
    seen = list(dict.fromkeys(s.process for s in r.snapshots if s.process))
    shown = ", ".join(seen[:4]) + (f", … {len(seen) - 4} more" if len(seen) > 4 else "")
    line = f"written by {len(seen)} processes ({shown})" if len(seen) >= 2 else ""
    dumps = [s for s in r.snapshots if s.goroutines]
    if len(dumps) < 2:
        return line
    before, last = dumps[-2], dumps[-1]
    if not last_process_start([before.process, last.process], [before.ends_process, last.ends_process]):
        return line
    why = " (the one before ended its process)" if before.ends_process else ""
    # First: at 80 columns the processes' names are what is cut off.
    head = f"restarted before the last dump{why}: compared with another process's"
    return f"{head}, {line}" if line else head


def health_lines(r: Report) -> list[str]:
    """What the reader must know before trusting the numbers."""
    out: list[str] = []
    if r.input_cut:
        out.append(r.input_cut)
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
