"""The report's objects built from the ranked clusters of a dump: the one place that
turns the pipeline's working types (RawCluster, Ranked, Access) into the public Report."""

from __future__ import annotations

from _operator import attrgetter

from .cluster import GOROUTINE_ID, RawCluster, by_stack, exact_groups, group_ids
from .frame_info import FrameInfo
from .goroutine_index import index_of
from .holders import HolderFound, held_text, holder_text
from .model import Access, Dump, Goroutine, Snapshot
from .normalize import Normalizer
from .objects import ObjectFindings
from .panic_origin import logged_panic, logged_panics_by_stack, logged_stacks, logged_why
from .rank import Ranked, change, state_reason
from .record import dataclass, replace
from .report import (
    AccessInfo,
    Cluster,
    FleetSource,
    GoneCluster,
    Holder,
    LabelCount,
    Limit,
    LoggedPanicInfo,
    RaceInfo,
    Report,
    SnapshotInfo,
    SourceCount,
    SubGroup,
    Trend,
)
from .series import Trends, ended_its_process

TYPE_CHECKING = False  # typing's own costs every run ~4 ms to import; type checkers read this as True
if TYPE_CHECKING:
    from .compare import Comparison, PreviousMatch

UNPARSED_SAMPLES = 20
_LINE = attrgetter("line")


def goroutine_total(snap: Snapshot) -> int:
    """Goroutines in a snapshot: a count profile's own total (else its records' counts), or
    the distinct ids of a traceback."""
    if snap.format.counts_only:
        return snap.profile_total if snap.profile_total is not None else sum(r.count for r in snap.records)
    index = index_of(snap)
    if index is not None:
        return index.total
    if snap.logged_panics:  # an id may have logged several stacks, each counted (by_stack)
        return sum(map(len, by_stack(snap.goroutines, logged_stacks(snap)).values()))
    ids = set(map(GOROUTINE_ID, snap.goroutines))
    ids.discard(0)  # system stacks; ids are printed digits, none is negative
    return len(ids)


def build_report(
    dump: Dump,
    snap: Snapshot,
    ranked: list[Ranked],
    norm: Normalizer,
    *,
    families: int,
    limits: tuple[Limit, ...],
    comparison: Comparison | None,
    trends: Trends | None = None,
    ordered_by: str | None = None,
    fleet: FleetParts | None = None,
    objects: ObjectFindings | None = None,
    holders: dict[int, tuple[HolderFound, ...]] | None = None,
    total: int | None = None,
) -> Report:
    """The report on `snap`, the dump's primary snapshot, compared with the one before it
    when `comparison` is given, with each cluster's trend over a series (`trends`) or its
    sources in a fleet; with what its sync and channel waits wait on (`objects`) and who
    may hold the locks (`holders`, by id of the waiting cluster). `total`: the snapshot's
    goroutine_total when the caller has it (a set of every id: ~30 ms on 300k goroutines)."""
    previous = comparison.matches if comparison is not None else None
    locks = _Locks(ranked, objects, holders or {})
    logged = logged_panics_by_stack(snap) if snap.logged_panics and fleet is None else None
    clusters = tuple(
        locks.add(_cluster(i, r, previous, trends.of(r.cluster) if trends is not None else None, fleet, logged), r)
        for i, r in enumerate(ranked, 1)
    )
    all_races = [r for s in dump.snapshots for r in s.races]
    unparsed = sum(s.unparsed_lines for s in dump.snapshots)
    samples = tuple(i for s in dump.snapshots for i in s.issues)[:UNPARSED_SAMPLES]
    primary = total if total is not None else goroutine_total(snap)
    return Report(
        source=dump.source,
        goroutines=fleet.total if fleet is not None else primary,
        unparsed_lines=unparsed,
        unparsed_samples=samples,
        unparsed_headers=sum(s.unparsed_headers for s in dump.snapshots),
        crash=snap.crash,
        races=tuple(RaceInfo(_access(r.access, norm), _access(r.previous, norm)) for r in all_races),
        clusters=clusters,
        format=snap.format.value,
        truncated=snap.truncated,
        snapshots=tuple(
            SnapshotInfo(
                i,
                s.format.value,
                s.first_line,
                s.last_line,
                primary if s is snap else goroutine_total(s),
                s.truncated,
                s.log_source,
                s.process,
                ended_its_process(s),
            )
            for i, s in enumerate(dump.snapshots)
        ),
        families=families,
        input_lines=dump.lines,
        goroot=norm.goroot,
        limits=limits,
        carriers=dump.carriers,
        gone=fleet.gone if fleet is not None and fleet.gone is not None else _gone(comparison, trends),
        series=tuple(trends.tracker.moments) if trends is not None else None,
        ordered_by=ordered_by if trends is not None or comparison is not None else None,
        fleet=fleet.sources if fleet is not None else None,
        input_cut=dump.cut,
        crash_logged=_crash_logged(snap, fleet),
    )


def _crash_logged(snap: Snapshot, fleet: FleetParts | None) -> str | None:
    """Report.crash_logged: in a fleet, of the source whose crash the report shows."""
    if fleet is None:
        return logged_panic(snap)
    return next((s.crash_logged for s in fleet.sources if s.crash is snap.crash and s.crash is not None), None)


@dataclass(frozen=True, slots=True)
class FleetParts:
    """What a fleet adds to the report: its sources, and each merged cluster's counts."""

    sources: tuple[FleetSource, ...]
    names: tuple[str, ...]  # of the sources that were read, in the order of `per_source`
    per_source: dict[int, list[int]]  # id(merged cluster) -> goroutines per source
    total: int
    members: dict[int, list[list[Goroutine]]] | None = None  # fleet.Merged.members
    # id(merged cluster) -> its trend in each source, where a log held several dumps of it
    trends: dict[int, list[Trend | None]] | None = None
    # id(merged cluster) -> the sources followed whose last dump no longer holds it
    gone_from: dict[int, tuple[SourceCount, ...]] | None = None
    # Clusters that no source's last dump holds, seen in an earlier one (None: no source followed)
    gone: tuple[GoneCluster, ...] | None = None
    # Each source's panics logged with its goroutines' stacks, by (goroutine id, stack object
    # id: panic_origin.logged_panics_by_stack), in the order of `per_source` (None for a
    # source without any; the whole None when none has any)
    logged: list[dict[tuple[int, int], list[LoggedPanicInfo]] | None] | None = None


class _Locks:
    """Objects and holders put on the report's clusters, where ranks are known: the holder
    goes first in its waiters' `why` (with its cluster's rank), and its own cluster says
    whom it may keep waiting."""

    def __init__(
        self, ranked: list[Ranked], objects: ObjectFindings | None, holders: dict[int, tuple[HolderFound, ...]]
    ) -> None:
        self.objects = objects
        self.holders = holders
        self.rank = {id(r.cluster): i for i, r in enumerate(ranked, 1)}
        self.held: dict[int, list[str]] = {}  # id(holder's cluster) -> its why lines
        for r in ranked:
            o = objects.of(r.cluster) if objects is not None else None
            for h in holders.get(id(r.cluster), ()):
                if o is not None:
                    text = held_text(o.kind, o.groups[0].address, self.rank[id(r.cluster)], r.cluster.count)
                    lines = self.held.setdefault(id(h.cluster), [])
                    if text not in lines:
                        lines.append(text)

    def add(self, c: Cluster, r: Ranked) -> Cluster:
        o = self.objects.of(r.cluster) if self.objects is not None else None
        found = self.holders.get(id(r.cluster), ())
        why = list(c.why)
        if found and o is not None:
            why.insert(0, holder_text(found[0], self.rank[id(found[0].cluster)], o.kind, r.cluster, len(found) - 1))
        why.extend(self.held.get(id(r.cluster), ()))
        if o is None and not found and len(why) == len(c.why):
            return c
        held = tuple(Holder(h.goroutine.id, self.rank[id(h.cluster)], h.goroutine.state, h.frame, h.link) for h in found)
        return replace(c, objects=o, holders=held, why=tuple(why))


def _gone(comparison: Comparison | None, trends: Trends | None) -> tuple[GoneCluster, ...] | None:
    """Over a series, every cluster seen in it but not in its last dump, with its trend;
    else the previous dump's clusters that nothing matched."""
    if trends is not None:
        return tuple(GoneCluster(n, k.state, k.blocked_at, t) for k, n, t in trends.gone())
    if comparison is None:
        return None
    return tuple(GoneCluster(g.count, g.state, g.blocked_at) for g in comparison.gone)




def _cluster(
    rank: int,
    r: Ranked,
    previous: dict[int, PreviousMatch] | None,
    trend: Trend | None,
    fleet: FleetParts | None,
    logged: dict[tuple[int, int], list[LoggedPanicInfo]] | None = None,
) -> Cluster:
    c = r.cluster
    match = previous.get(id(c)) if previous is not None else None
    status, delta = change(c.count, match.count if match is not None else None) if previous is not None else (None, None)
    st = c.stats()
    rep = c.representative
    if fleet is not None:
        panics = _fleet_panics(fleet, c)
    else:
        panics = tuple(sorted((p for g in st.goroutines for p in logged.get((g.id, id(g.stack)), ())), key=_LINE)) if logged else ()
    stacks = []
    for grp in sorted(c.groups, key=lambda g: -g.count):
        distinct, largest = exact_groups(grp) if grp.goroutines else (1, grp.count)
        stacks.append(
            SubGroup(
                count=grp.count,
                frames=grp.frames,
                created_by=grp.created_by,
                exact_groups=distinct,
                largest_exact=largest,
                goroutine_ids=group_ids(grp),
            )
        )
    why = tuple(r.why)
    if panics:
        if len({(p.source, p.goroutine) for p in panics}) == len(st.goroutines):
            # Every goroutine's stack was taken as a panic was recovered: "[running]" is how
            # debug.Stack prints the goroutine that takes it, not a goroutine found running.
            why = tuple(w for w in why if w != state_reason(c.state))
        why = (logged_why(panics), *why)
    return Cluster(
        rank=rank,
        count=c.count,
        state=c.state,
        leaked=st.leaked,
        minutes_min=st.minutes_min,
        minutes_max=st.minutes_max,
        locked_to_thread=st.locked,
        blocked_at=c.blocked_at,
        created_by=_main_creator(c),
        goroutine_ids=st.ids,
        labels=tuple(LabelCount(lbl, n) for lbl, n in sorted(c.labels.items(), key=lambda kv: (-kv[1], kv[0]))),
        frames=rep.frames,
        why=why,
        stacks=tuple(stacks),
        score=r.score,
        family=c.family,
        healthy=r.healthy,
        crashed=r.crashed,
        previous_count=match.count if match is not None else None,
        goroutines=st.goroutines,
        delta=delta,
        status=status,
        matched_approximately=match.approximate if match is not None else None,
        trend=trend,
        sources=_by_source(fleet, c) if fleet is not None else None,
        gone_from=fleet.gone_from.get(id(c), ()) if fleet is not None and fleet.gone_from is not None else None,
        logged_panics=panics,
        panicked=c.panicked,
    )


def _fleet_panics(fleet: FleetParts, c: RawCluster) -> tuple[LoggedPanicInfo, ...]:
    """A merged cluster's logged panics, source by source (an id means a goroutine only
    within its source), each source's in input order."""
    if fleet.logged is None or fleet.members is None:
        return ()
    out: list[LoggedPanicInfo] = []
    for logged, gs in zip(fleet.logged, fleet.members[id(c)], strict=True):
        if logged:
            out.extend(sorted((p for g in gs for p in logged.get((g.id, id(g.stack)), ())), key=_LINE))
    return tuple(out)


def _by_source(fleet: FleetParts, c: RawCluster) -> tuple[SourceCount, ...]:
    from .fleet import by_source  # a fleet's: a single dump's report does not load fleet.py

    return by_source(
        fleet.per_source[id(c)], fleet.names, fleet.members[id(c)] if fleet.members is not None else None,
        fleet.trends.get(id(c)) if fleet.trends is not None else None,
    )


def _main_creator(c: RawCluster) -> FrameInfo | None:
    counts: dict[FrameInfo, int] = {}
    for grp in c.groups:
        if grp.created_by is not None:
            counts[grp.created_by] = counts.get(grp.created_by, 0) + grp.count
    if not counts:
        return None
    return max(counts.items(), key=lambda kv: kv[1])[0]


def _access(a: Access, norm: Normalizer) -> AccessInfo:
    return AccessInfo(
        op=a.op,
        address=a.address,
        goroutine=a.goroutine,
        main_goroutine=a.main_goroutine,
        frames=tuple(norm.info(f) for f in a.frames),
        created_at=tuple(norm.info(f) for f in a.created_at) if a.created_at is not None else None,
    )
