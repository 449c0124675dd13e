"""analyze(): input -> sections -> parse -> normalize -> cluster -> rank -> Report.

The only module that knows the order of the stages.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence

from .cluster import RawCluster, cluster_goroutines, cluster_records
from .errors import NoDumpError, SourceError
from .families import SimilarityWork, assign_families
from .holders import find_holders
from .inputs import Input, expand_inputs, short_names
from .model import Crash, Dump, DumpFormat, Frame, Snapshot
from .normalize import Normalizer, detect_goroot
from .objects import ObjectFindings, find_objects
from .parse import parse_text
from .progress import Progress
from .rank import rank_clusters
from .reading import ReadOptions, read_all, read_dump
from .record import dataclass, replace
from .report import FleetSource, Moment, Report, Trend
from .report_build import FleetParts, build_report, goroutine_total
from .series import (
    LOG_CLOCK,
    MIN_POINTS,
    ORDER_GIVEN,
    PROFILE_CLOCK,
    Tracker,
    Trends,
    growth_per_minute,
    put_in_order,
    verdict,
)
from .source import (
    DEFAULT_CONCURRENCY,
    DEFAULT_MAX_BYTES,
    DEFAULT_TIMEOUT,
    SourceInfo,
)

TYPE_CHECKING = False  # typing's own costs every run ~4 ms to import; type checkers read this as True
if TYPE_CHECKING:
    from typing import BinaryIO

    from .compare import PreviousMatch
    from .fleet import Merged


def analyze(
    source: str = "-",
    *,
    progress: Progress | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int | None = DEFAULT_MAX_BYTES,
) -> Report:
    """Read a dump from a path, URL or "-" (stdin) and return its ranked report.

    Raises errors.SourceError when the input cannot be read and NoDumpError when it holds
    no dump. `timeout` bounds the whole fetch of a URL; `max_bytes` what is read (and what
    gzip decompresses to).
    """
    return analyze_inputs([source], progress=progress, timeout=timeout, max_bytes=max_bytes)


def analyze_inputs(
    inputs: Sequence[str],
    *,
    progress: Progress | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    stdin: BinaryIO | None = None,
    max_bytes: int | None = DEFAULT_MAX_BYTES,
    fleet: bool = False,
    concurrency: int = DEFAULT_CONCURRENCY,
    jobs: int = 1,
    while_reading: Callable[[], object] | None = None,
) -> Report:
    """Read several inputs (files, URLs, "-", @lists, directories, archives).

    Without `fleet` they are successive dumps of one process, put in the order they were
    taken: the last is reported, compared with the one before (`gtriage before.txt
    after.txt`), and with three or more each cluster gets its trend. With `fleet` they are
    dumps of several processes taken at one time, read `concurrency` at a time: their
    clusters are merged, with each source's share; a source that fails is reported.
    `jobs` > 1: a big plain file is parsed by that many processes (parallel.py), into the
    same report. `while_reading` (the TUI's import on a thread) is called once, as the
    first input is read: once its worker processes run, when it is read in parallel (a
    fork copies only its own thread, and what another holds stays held in the child)."""
    items = expand_inputs(inputs)
    opts = ReadOptions(timeout, max_bytes, stdin, jobs)
    if fleet:
        if while_reading is not None:
            while_reading()
        return fleet_report(items, opts, concurrency)
    read: list[tuple[Input, SourceInfo, Dump]] = []
    for i, item in enumerate(items):
        info, dump = read_dump(item, opts, progress, while_reading if i == 0 else None)
        read.append((item, info, dump))
    if any(s.log_source for _, _, dump in read for s in dump.snapshots):
        from .collector import paused

        with paused():  # as the report below
            fleet_of = sources_fleet(read)
        if fleet_of is not None:
            return fleet_of
    dumps: list[Dump] = []
    moments: list[Moment] = []
    snapshots: list[Snapshot] = []
    for item, info, dump in read:
        dumps.append(dump)
        # The dumps' own times where every dump of the input has one (a log's timestamps, a
        # binary profile's time), else the source's.
        logged = all(s.taken_at is not None for s in dump.snapshots)
        for s in dump.snapshots:
            snapshots.append(s)
            if logged:
                clock = PROFILE_CLOCK if s.format is DumpFormat.PPROF else LOG_CLOCK
                moments.append(Moment(item.name, s.taken_at, clock, goroutine_total(s)))
            else:
                moments.append(Moment(item.name, info.taken_at, info.clock or ORDER_GIVEN, goroutine_total(s)))
    order, moments, ordered_by = put_in_order(moments)
    merged = _joined(" + ".join(inputs), [snapshots[i] for i in order], dumps)
    from .collector import paused

    with paused():
        return report_from_dump(merged, moments, ordered_by)


def analyze_text(text: str, source: str = "-") -> Report:
    """The report of a dump held in a string (tests, notebooks): as a file's would be."""
    dump = parse_text(text, source)
    fleet = sources_fleet([(Input(source), SourceInfo(source, len(text)), dump)])
    return fleet if fleet is not None else report_from_dump(dump)


def no_dump_message(dump: Dump) -> str:
    if dump.binary_lines and dump.binary_lines * 4 >= dump.lines:
        return (
            f"{dump.source}: no goroutine dump found: the input is binary, and no pprof goroutine "
            "profile (fetch /debug/pprof/goroutine?debug=2 for the text)"
        )
    return f"{dump.source}: no goroutine dump found"


def _primary(dump: Dump) -> Snapshot | None:
    """The dump the report is about: the last one that holds goroutines or records."""
    for snap in reversed(dump.snapshots):
        if snap.goroutines or snap.records or snap.profile_total is not None or snap.races_seen:
            return snap
    return dump.snapshots[-1] if dump.snapshots else None


def _raw_clusters(snap: Snapshot, norm: Normalizer) -> list[RawCluster]:
    if snap.format.counts_only:
        return cluster_records(snap.records, norm)
    return cluster_goroutines(snap.goroutines, norm)


def _normalizer(snaps: Iterable[Snapshot]) -> Normalizer:
    def frames() -> Iterator[Frame]:
        for s in snaps:
            for g in s.goroutines:
                yield from g.stack.frames
            # A binary profile's records share a tuple per distinct stack: each once.
            for frames in {id(r.frames): r.frames for r in s.records}.values():
                yield from frames
    return Normalizer(detect_goroot(frames()))


def report_from_dump(dump: Dump, moments: Sequence[Moment] | None = None, ordered_by: str | None = None) -> Report:
    """The report on the dump's last snapshot that holds goroutines, compared with the one
    before it; with three or more, each cluster's trend over all of them. `moments`, one a
    snapshot, say when each was taken (oldest first); without them, the order given."""
    snap = _primary(dump)
    if snap is None or (
        # A crash's first lines alone ("panic: ..." in a log, a README) are no dump.
        not snap.goroutines and not snap.records and not snap.races_seen
        and snap.profile_total is None and not snap.headers_seen
    ):
        raise NoDumpError(no_dump_message(dump))
    idx = next(i for i, s in enumerate(dump.snapshots) if s is snap)  # equal copies may exist
    earlier = [i for i, s in enumerate(dump.snapshots[:idx]) if s.goroutines or s.records]
    # GOROOT as the reported dump shows it: an earlier dump may come from another machine or
    # Go release (/usr/local/go and a -trimpath build), and its GOROOT would make this one's
    # runtime frames look like the program's own code. Without an earlier dump, any
    # snapshot of the input may say.
    norm = _normalizer([snap])
    if norm.goroot is None and not earlier:
        norm = _normalizer(dump.snapshots)
    raw = _raw_clusters(snap, norm)
    work = SimilarityWork()
    families = assign_families(raw, work)
    comparison = None
    if earlier:
        from .compare import match_previous  # fleet.py and compare.py load only when used

        comparison = match_previous(raw, _own_clusters(dump.snapshots[earlier[-1]]), work)
    trends = None
    if len(earlier) + 1 >= MIN_POINTS:
        points = [*earlier, idx]
        when = list(moments) if moments is not None else [Moment(dump.source, None, ORDER_GIVEN)] * len(dump.snapshots)
        trends = follow([dump.snapshots[i] for i in points[:-1]], raw, [when[i] for i in points], work)
    previous = comparison.matches if comparison is not None else None
    objects = find_objects(raw, snap.format)
    total = goroutine_total(snap)
    ranked = rank_clusters(raw, total=total, crash=snap.crash, previous=previous,
                           trends=trends.of if trends is not None else None, objects=objects.of)
    return build_report(
        dump, snap, ranked, norm, families=families, limits=work.limits(), comparison=comparison,
        trends=trends, ordered_by=ordered_by or ORDER_GIVEN, objects=objects, holders=find_holders(raw, objects), total=total,
    )


def _own_clusters(snap: Snapshot) -> list[RawCluster]:
    """A snapshot's clusters, with its own GOROOT."""
    return _raw_clusters(snap, _normalizer([snap]))


def follow(earlier: Sequence[Snapshot], raw: Sequence[RawCluster], moments: Sequence[Moment], work: SimilarityWork) -> Trends:
    """Every cluster of the last dump (`raw`), and every cluster gone before it, over the series."""
    tracker = Tracker()
    for s, m in zip(earlier, moments, strict=False):
        tracker.add(_own_clusters(s), m, work)
    ids = tracker.add(raw, moments[-1], work)
    return Trends(tracker, ids)


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
        return _joined(source, self.snaps, self.dumps)


def _joined(source: str, snapshots: Sequence[Snapshot], dumps: Sequence[Dump]) -> Dump:
    """One Dump of `snapshots` taken from `dumps` (several inputs read as one)."""
    return Dump(
        source,
        tuple(snapshots),
        sum(d.lines for d in dumps),
        sum(d.binary_lines for d in dumps),
        tuple(sorted({c for d in dumps for c in d.carriers})),
        next((d.cut for d in dumps if d.cut), None),
    )


def _gather(items: Sequence[Input], reads: Sequence[tuple[SourceInfo, Dump] | str]) -> _Gathered:
    return _gathered(short_names(items), [item.name for item in items], reads)


def _gathered(names: Sequence[str], inputs: Sequence[str], reads: Sequence[tuple[SourceInfo, Dump] | str]) -> _Gathered:
    """The sources `names` (as given: `inputs`) from what reading each gave."""
    g = _Gathered([], [], [], [], [], [])
    for name, given, res in zip(names, inputs, reads, strict=True):
        snap = _primary(res[1]) if not isinstance(res, str) else None
        if isinstance(res, str) or snap is None or not (snap.goroutines or snap.records):
            why = res if isinstance(res, str) else no_dump_message(res[1])
            g.sources.append(FleetSource(name, given, None, why, dumps=0))
            continue
        g.dumps.append(res[1])
        g.infos.append(res[0])
        g.snaps.append(snap)
        g.raws.append(_own_clusters(snap))
        g.names.append(name)
        g.sources.append(FleetSource(name, given, goroutine_total(snap), crash=snap.crash))
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
        whole = _joined(" + ".join(i.name for i, _, _ in read), [s for d in dumps_read for s in d.snapshots], dumps_read)
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
    return [Moment(name, s.taken_at if timed else None, LOG_CLOCK if timed else ORDER_GIVEN, goroutine_total(s)) for s in snaps]


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
    parts = FleetParts(
        tuple(g.sources), tuple(g.names), merged.per_source, sum(goroutine_total(s) for s in g.snaps), merged.members,
        trends_of,
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
        whole, fleet_snap, ranked, _normalizer(g.snaps),
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
            g.sources[i], dumps=len(counts), trend=Trend(counts, verdict(counts), growth_per_minute(counts, ser.moments))
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


def _crashes(merged: Merged | None, g: _Gathered) -> tuple[Crash | None, Callable[[RawCluster], Crash | None] | None]:
    """The report's crash and, in a fleet (`merged`), the crash each cluster holds. A fleet's
    is its first crashed source's (each source's is in its FleetSource), and a cluster is
    ranked by the crash whose goroutine it holds in its own source: ids repeat across them."""
    if merged is None:
        return g.snaps[0].crash, None
    from .fleet import crashes_held

    held = crashes_held(merged, [s.crash for s in g.snaps])
    return next((s.crash for s in g.snaps if s.crash is not None), None), lambda c: held.get(id(c))


def _poll_time(g: _Gathered, now: float) -> tuple[float, str]:
    """When one poll's dump was taken: a single binary profile's own time, else a URL's
    HTTP Date, else the time of the poll (a fleet's sources are one moment: the poll's)."""
    if len(g.snaps) == 1 and g.snaps[0].format is DumpFormat.PPROF and g.snaps[0].taken_at is not None:
        return g.snaps[0].taken_at, PROFILE_CLOCK
    info = g.infos[0]
    if info.clock == "HTTP Date" and info.taken_at is not None:
        return info.taken_at, "HTTP Date"
    return now, "time fetched"


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
    parts = FleetParts(tuple(g.sources), tuple(g.names), merged.per_source, total, merged.members) if merged is not None else None
    snap = Snapshot(g.snaps[0].format, truncated=any(s.truncated for s in g.snaps), crash=crash) if fleet else g.snaps[0]
    return build_report(
        g.whole(" + ".join(i.name for i in items)), snap, ranked, _normalizer(g.snaps), families=families,
        limits=work.limits(), comparison=Comparison(before, []) if before is not None else None,
        trends=trends, ordered_by="time of each poll", fleet=parts,
        objects=objects, holders=find_holders(raw, objects) if merged is None else None,
    )
