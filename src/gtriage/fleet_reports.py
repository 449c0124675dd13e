"""Reports on several processes: a fleet read at one time (--fleet), the sources that
dumped into one log (each followed over its own dumps), one poll of --watch. Each source is
clustered on its own (dump_report.py), then merged (fleet.py)."""

from __future__ import annotations

from .cluster import RawCluster
from .dump_report import follow, joined, no_dump_message, normalizer, own_clusters, primary
from .errors import NoDumpError, SourceError
from .families import SimilarityWork, assign_families
from .holders import find_holders
from .inputs import Input, short_names
from .model import Crash, Dump, DumpFormat, Snapshot
from .objects import ObjectFindings, find_objects
from .panic_origin import logged_panic, logged_panics_by_stack
from .rank import rank_clusters
from .reading import ReadOptions, read_all
from .record import dataclass, replace
from .report import (
    ORDER_GIVEN,
    PROFILE_CLOCK,
    FleetSource,
    GoneCluster,
    LoggedPanicInfo,
    Moment,
    Report,
    SourceCount,
    Trend,
)
from .report_build import FleetParts, build_report, goroutine_total
from .series import Tracker, Trends, put_in_order, snapshot_clock, snapshot_moment, trend_of
from .source import SourceInfo

TYPE_CHECKING = False  # typing's own costs every run ~4 ms to import; type checkers read this as True
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from .fleet import Merged


def fleet_report(items: Sequence[Input], opts: ReadOptions, concurrency: int) -> Report:
    """Dumps of several processes taken at one time, as one report with each source's share."""
    return fleet_from_reads(items, read_all(items, opts, concurrency))


@dataclass(slots=True)
class _Gathered:
    """The sources of one moment that could be read, their clusters, and every source's fate."""

    sources: list[FleetSource]
    raws: list[list[RawCluster]]
    names: list[str]
    snaps: list[Snapshot]
    dumps: list[Dump]
    infos: list[SourceInfo]

    def whole(self, source: str) -> Dump:
        return joined(source, self.snaps, self.dumps)


def _gather(items: Sequence[Input], reads: Sequence[tuple[SourceInfo, Dump] | str]) -> _Gathered:
    return _gathered(short_names(items), [item.name for item in items], reads)


def _gathered(names: Sequence[str], inputs: Sequence[str], reads: Sequence[tuple[SourceInfo, Dump] | str]) -> _Gathered:
    """The sources `names` (as given: `inputs`) from what reading each gave."""
    g = _Gathered([], [], [], [], [], [])
    for name, given, res in zip(names, inputs, reads, strict=True):
        snap = primary(res[1]) if not isinstance(res, str) else None
        if isinstance(res, str) or snap is None or not (snap.goroutines or snap.records):
            why = res if isinstance(res, str) else no_dump_message(res[1])
            g.sources.append(FleetSource(name, given, None, why, dumps=0))
            continue
        g.dumps.append(res[1])
        g.infos.append(res[0])
        g.snaps.append(snap)
        g.raws.append(own_clusters(snap))
        g.names.append(name)
        g.sources.append(FleetSource(name, given, goroutine_total(snap), crash=snap.crash, crash_logged=logged_panic(snap)))
    return g


def fleet_from_reads(items: Sequence[Input], reads: Sequence[tuple[SourceInfo, Dump] | str]) -> Report:
    """--fleet: each input a source, reported as its last dump; one that holds several
    (a pod's log of several SIGQUITs, `kubectl logs pod > pod.log` each) is followed over
    them, in the order its input holds them."""
    g = _gather(items, reads)
    series = [_own_series(d, last) for d, last in zip(g.dumps, g.snaps, strict=True)]
    followed = series if any(s.earlier for s in series) else None
    return _fleet(g, g.whole(" + ".join(i.name for i in items)), followed)


def _own_series(dump: Dump, last: Snapshot) -> _SourceSeries:
    """The dumps of one input up to `last` (its reported one), as its series."""
    held = [s for s in dump.snapshots if s.goroutines or s.records]
    upto = next((i for i, s in enumerate(held) if s is last), len(held) - 1)
    return _series_of(dump.source, held[: upto + 1])


def sources_fleet(read: Sequence[tuple[Input, SourceInfo, Dump]]) -> Report | None:
    """The report of logs that hold the dumps of several sources, told apart by their
    lines' prefixes (pods in `kubectl logs -l ... --prefix`, log_sources.py): a fleet of
    those sources, each as its last dump, and where a source dumped more than once, each
    cluster followed over that source's dumps; None when the dumps name fewer than two.
    Several inputs (`gtriage 10h.log 11h.log`) are one log: a source's dumps in any of
    them are its series, never another source's."""
    of: dict[str, list[tuple[Input, SourceInfo, Snapshot]]] = {}
    for item, info, dump in read:
        for s in dump.snapshots:
            if s.log_source and (s.goroutines or s.records):
                own = of.pop(s.log_source, [])  # the sources in the order their last dumps come
                own.append((item, info, s))
                of[s.log_source] = own
    if len(of) < 2:
        return None
    reads: list[tuple[SourceInfo, Dump]] = []
    inputs: list[str] = []
    series: list[_SourceSeries] = []
    carriers = tuple(sorted({c for _, _, d in read for c in d.carriers}))
    for name, dumps in of.items():
        # A log's times order a source's dumps where every one has one, else the order read.
        order, _, _ = put_in_order(_moments(name, [s for _, _, s in dumps]))
        item, info, last = dumps[order[-1]]
        reads.append((info, Dump(item.name, (last,), carriers=carriers)))
        inputs.append(f"{item.name}: {name}")
        series.append(_series_of(name, [dumps[i][2] for i in order]))
    if len(read) == 1:
        whole = read[0][2]
    else:
        dumps_read = [d for _, _, d in read]
        whole = joined(" + ".join(i.name for i, _, _ in read), [s for d in dumps_read for s in d.snapshots], dumps_read)
    return _fleet(_gathered(list(of), inputs, reads), whole, series)


@dataclass(slots=True)
class _SourceSeries:
    """A source's dumps before its last, oldest first, and the moments of all of them."""

    earlier: list[Snapshot]
    moments: list[Moment]


def _series_of(name: str, snaps: Sequence[Snapshot]) -> _SourceSeries:
    """The series of one source's dumps, oldest first."""
    return _SourceSeries(list(snaps[:-1]), _moments(name, snaps))


def _moments(name: str, snaps: Sequence[Snapshot]) -> list[Moment]:
    """When one source's dumps were taken: by the log's times where every one has a time
    (a rate a minute), else in order only."""
    timed = all(s.taken_at is not None for s in snaps)
    return [
        snapshot_moment(name, s, s.taken_at if timed else None, snapshot_clock(s) if timed else ORDER_GIVEN, goroutine_total(s))
        for s in snaps
    ]


def _fleet(g: _Gathered, whole: Dump, series: Sequence[_SourceSeries] | None = None) -> Report:
    """The fleet of the sources gathered in `g`; `series`, one a source read (in g's order),
    follows each cluster over the dumps a log held of its source."""
    if not g.raws:
        first = g.sources[0].error if g.sources else "no inputs"
        raise NoDumpError(f"no source of the fleet could be read: {first}")
    from .fleet import merge_sources, spread_of

    merged = merge_sources(g.raws)
    work = SimilarityWork()
    followed = _followed(g, series, work) if series is not None else None
    trends_of = _source_trends(merged, followed) if followed is not None else None
    gone_from, gone = _gone(merged, followed, g.names) if followed is not None else (None, None)
    parts = FleetParts(
        tuple(g.sources), tuple(g.names), merged.per_source, sum(goroutine_total(s) for s in g.snaps), merged.members,
        trends_of, gone_from, gone, _logged(g),
    )
    families = assign_families(merged.clusters, work)
    objects = _fleet_objects(merged, g)
    crash, crash_of = _crashes(merged, g)
    ranked = rank_clusters(
        merged.clusters, total=parts.total, crash=crash,
        spread=lambda c: spread_of(merged, c, g.names, trends_of.get(id(c)) if trends_of is not None else None),
        objects=objects.of, crash_of=crash_of,
    )
    fleet_snap = Snapshot(g.snaps[0].format, truncated=any(s.truncated for s in g.snaps), crash=crash)
    return build_report(
        whole, fleet_snap, ranked, normalizer(g.snaps),
        families=families, limits=work.limits(), comparison=None, fleet=parts, objects=objects,
    )


def _followed(g: _Gathered, series: Sequence[_SourceSeries], work: SimilarityWork) -> list[Trends | None]:
    """Each source's clusters followed over its dumps (None for a source with one dump);
    its FleetSource in `g` gets how many it had and its goroutines in each."""
    out: list[Trends | None] = []
    read = [i for i, s in enumerate(g.sources) if s.goroutines is not None]
    for k, (raw, ser) in enumerate(zip(g.raws, series, strict=True)):
        if not ser.earlier:
            out.append(None)
            continue
        out.append(follow(ser.earlier, raw, ser.moments, work))
        counts = tuple(m.goroutines for m in ser.moments)
        i = read[k]
        g.sources[i] = replace(
            g.sources[i], dumps=len(counts), trend=trend_of(counts, ser.moments)
        )
    return out


def _source_trends(merged: Merged, followed: Sequence[Trends | None]) -> dict[int, list[Trend | None]]:
    """id(merged cluster) -> its trend in each source (None where that source was not
    followed, or holds none of it)."""
    out: dict[int, list[Trend | None]] = {}
    for m in merged.clusters:
        per: list[Trend | None] = [None] * len(followed)
        for s, c in merged.parts[id(m)]:
            t = followed[s]
            if t is not None:
                per[s] = t.of(c)
        out[id(m)] = per
    return out


def _gone(
    merged: Merged, followed: Sequence[Trends | None], names: Sequence[str]
) -> tuple[dict[int, tuple[SourceCount, ...]], tuple[GoneCluster, ...]]:
    """What the followed sources' earlier dumps held and their last ones do not: by id of a
    merged cluster, the sources it left while others still hold it; and the clusters no
    source holds any more, each with the sources that held it. Each source's count is the
    one when last seen there, with its trend; the most first."""
    from .fleet import merge_key  # loaded with the fleet's merge (_fleet)

    by_key: dict[tuple[str, str, int, str], list[tuple[RawCluster, SourceCount]]] = {}
    for s, trends in enumerate(followed):
        for k, last, trend in trends.gone() if trends is not None else ():
            by_key.setdefault(merge_key(k), []).append((k, SourceCount(names[s], last, trend=trend)))
    present = {merge_key(m): m for m in merged.clusters}
    gone_from: dict[int, tuple[SourceCount, ...]] = {}
    gone: list[GoneCluster] = []
    for key, found in by_key.items():
        shares = tuple(sorted((share for _, share in found), key=lambda share: -share.count))
        m = present.get(key)
        if m is not None:
            gone_from[id(m)] = shares
        else:
            k = found[0][0]
            gone.append(GoneCluster(sum(share.count for share in shares), k.state, k.blocked_at, sources=shares))
    return gone_from, tuple(sorted(gone, key=lambda c: -c.count))


def _crashes(merged: Merged | None, g: _Gathered) -> tuple[Crash | None, Callable[[RawCluster], Crash | None] | None]:
    """The report's crash and, in a fleet (`merged`), the crash each cluster holds. A fleet's
    is its first crashed source's (each source's is in its FleetSource), one whose panic
    the program recovered and printed only when no source crashed; a cluster is ranked by
    the crash (not such a panic) whose goroutine it holds in its own source: ids repeat
    across them."""
    if merged is None:
        return g.snaps[0].crash, None
    from .fleet import crashes_held

    # A panic a program recovered and printed is no crash to rank first: its goroutine is
    # ranked as any other (the report still says it, fleet_crash_lines).
    real = [s.crash if logged_panic(s) is None else None for s in g.snaps]
    held = crashes_held(merged, real)
    shown = next((c for c in real if c is not None), next((s.crash for s in g.snaps if s.crash is not None), None))
    return shown, lambda c: held.get(id(c))


def _poll_time(g: _Gathered, now: float) -> tuple[float, str]:
    """When one poll's dump was taken: a single binary profile's own time, else a URL's
    HTTP Date, else the time of the poll (a fleet's sources are one moment: the poll's)."""
    if len(g.snaps) == 1 and g.snaps[0].format is DumpFormat.PPROF and g.snaps[0].taken_at is not None:
        return g.snaps[0].taken_at, PROFILE_CLOCK
    info = g.infos[0]
    if info.clock == "HTTP Date" and info.taken_at is not None:
        return info.taken_at, "HTTP Date"
    return now, "time fetched"


def _logged(g: _Gathered) -> list[dict[tuple[int, int], list[LoggedPanicInfo]] | None] | None:
    """Each source's panics logged with its stacks (FleetParts.logged)."""
    if not any(s.logged_panics for s in g.snaps):
        return None
    return [logged_panics_by_stack(s, name) if s.logged_panics else None for s, name in zip(g.snaps, g.names, strict=True)]


def _fleet_objects(merged: Merged, g: _Gathered) -> ObjectFindings:
    """What each merged cluster's sync and channel waits wait on, read in each source on its
    own (an address names an object only within one process). Who may hold a lock is not
    looked for across a fleet: a holder and its waiters must be in one process."""
    from .fleet import fleet_objects

    return fleet_objects(merged, [find_objects(raw, s.format) for raw, s in zip(g.raws, g.snaps, strict=True)], g.names)


def poll_report(
    items: Sequence[Input], reads: Sequence[tuple[SourceInfo, Dump] | str], tracker: Tracker, now: float
) -> Report:
    """One poll of --watch: the dumps just read (one source, or a fleet of several) added to
    `tracker`, and reported with every cluster's trend since the first poll. Raises
    NoDumpError (or SourceError for one source) when nothing could be read: the tracker is
    left as it was."""
    g = _gather(items, reads)
    if not g.raws:
        first = g.sources[0].error if g.sources else "no inputs"
        if len(items) == 1:
            raise SourceError(first or "no dump")
        raise NoDumpError(f"no source could be read: {first}")
    from .compare import Comparison, PreviousMatch
    from .fleet import merge_sources, spread_of

    fleet = len(items) > 1
    merged = merge_sources(g.raws) if fleet else None
    raw = merged.clusters if merged is not None else g.raws[0]
    total = sum(goroutine_total(s) for s in g.snaps)
    taken, clock = _poll_time(g, now)
    work = SimilarityWork()
    families = assign_families(raw, work)
    ids = tracker.add(raw, Moment(" + ".join(g.names), taken, clock or "time fetched", total), work)
    before: dict[int, PreviousMatch] | None = None
    if len(tracker.moments) >= 2:
        before = {}
        for c in raw:
            t = tracker.tracks[ids[id(c)]]
            if t.counts[-2]:
                before[id(c)] = PreviousMatch(t.counts[-2], t.key.blocked_at, t.key.state)
    trends = Trends(tracker, ids) if len(tracker.moments) >= 2 else None
    objects = find_objects(raw, g.snaps[0].format) if merged is None else _fleet_objects(merged, g)
    crash, crash_of = _crashes(merged, g)
    ranked = rank_clusters(
        raw, total=total, crash=crash, previous=before,
        trends=trends.of if trends is not None else None,
        spread=(lambda c: spread_of(merged, c, g.names)) if merged is not None else None,
        objects=objects.of if objects is not None else None, crash_of=crash_of,
    )
    parts = (
        FleetParts(tuple(g.sources), tuple(g.names), merged.per_source, total, merged.members, logged=_logged(g))
        if merged is not None
        else None
    )
    snap = Snapshot(g.snaps[0].format, truncated=any(s.truncated for s in g.snaps), crash=crash) if fleet else g.snaps[0]
    return build_report(
        g.whole(" + ".join(i.name for i in items)), snap, ranked, normalizer(g.snaps), families=families,
        limits=work.limits(), comparison=Comparison(before, []) if before is not None else None,
        trends=trends, ordered_by="time of each poll", fleet=parts,
        objects=objects, holders=find_holders(raw, objects) if merged is None else None,
    )
