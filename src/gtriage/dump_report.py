"""The report on one input's dumps: the snapshot reported, its clusters (with the GOROOT it
shows), compared with the dump before it and followed over a series. pipeline.py and
fleet_reports.py build their reports with these pieces."""

from __future__ import annotations

from .cluster import RawCluster, cluster_goroutines, cluster_records
from .errors import NoDumpError
from .families import SimilarityWork, assign_families
from .goroutine_index import index_of
from .holders import find_holders
from .model import Dump, Frame, Snapshot
from .normalize import Normalizer, detect_goroot
from .objects import find_objects
from .panic_origin import logged_stacks, printed_stack
from .rank import rank_clusters
from .report import ORDER_GIVEN, Moment, Report
from .report_build import build_report, goroutine_total
from .series import MIN_POINTS, Tracker, Trends, snapshot_moment

TYPE_CHECKING = False  # typing's own costs every run ~4 ms to import; type checkers read this as True
if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence


def no_dump_message(dump: Dump) -> str:
    if dump.binary_lines and dump.binary_lines * 4 >= dump.lines:
        return (
            f"{dump.source}: no goroutine dump found: the input is binary, and no pprof goroutine "
            "profile (fetch /debug/pprof/goroutine?debug=2 for the text)"
        )
    return f"{dump.source}: no goroutine dump found"


def primary(dump: Dump) -> Snapshot | None:
    """The dump the report is about: the last one that holds goroutines or records."""
    for snap in reversed(dump.snapshots):
        if snap.goroutines or snap.records or snap.profile_total is not None or snap.races_seen:
            return snap
    return dump.snapshots[-1] if dump.snapshots else None


def raw_clusters(snap: Snapshot, norm: Normalizer) -> list[RawCluster]:
    if snap.format.counts_only:
        return cluster_records(snap.records, norm)
    index = index_of(snap)
    parts = index.parts if index is not None else None
    return cluster_goroutines(snap.goroutines, norm, parts, logged_stacks(snap), printed_stack(snap))


def normalizer(snaps: Iterable[Snapshot]) -> Normalizer:
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
    snap = primary(dump)
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
    norm = normalizer([snap])
    if norm.goroot is None and not earlier:
        norm = normalizer(dump.snapshots)
    raw = raw_clusters(snap, norm)
    work = SimilarityWork()
    families = assign_families(raw, work)
    comparison = None
    # Compared with the dump before even when another process wrote it (before a fix and
    # after it are two processes); the header says so (render/common.processes_line).
    if earlier:
        from .compare import match_previous  # fleet.py and compare.py load only when used

        comparison = match_previous(raw, own_clusters(dump.snapshots[earlier[-1]]), work)
    trends = None
    if len(earlier) + 1 >= MIN_POINTS:
        points = [*earlier, idx]
        when = list(moments) if moments is not None else [snapshot_moment(dump.source, s, None, ORDER_GIVEN) for s in dump.snapshots]
        trends = follow([dump.snapshots[i] for i in points[:-1]], raw, [when[i] for i in points], work)
    previous = comparison.matches if comparison is not None else None
    # A parallel read's parts hold their answers, read with the first chunk's GOROOT.
    index = index_of(snap)
    objects = find_objects(raw, snap.format, prepared=index is not None and index.goroot == norm.goroot)
    total = goroutine_total(snap)
    ranked = rank_clusters(raw, total=total, crash=snap.crash, previous=previous,
                           trends=trends.of if trends is not None else None, objects=objects.of)
    return build_report(
        dump, snap, ranked, norm, families=families, limits=work.limits(), comparison=comparison,
        trends=trends, ordered_by=ordered_by or ORDER_GIVEN, objects=objects, holders=find_holders(raw, objects), total=total,
    )


def own_clusters(snap: Snapshot) -> list[RawCluster]:
    """A snapshot's clusters, with its own GOROOT."""
    return raw_clusters(snap, normalizer([snap]))


def follow(earlier: Sequence[Snapshot], raw: Sequence[RawCluster], moments: Sequence[Moment], work: SimilarityWork) -> Trends:
    """Every cluster of the last dump (`raw`), and every cluster gone before it, over the series."""
    tracker = Tracker()
    for s, m in zip(earlier, moments, strict=False):
        tracker.add(own_clusters(s), m, work)
    ids = tracker.add(raw, moments[-1], work)
    return Trends(tracker, ids)



def joined(source: str, snapshots: Sequence[Snapshot], dumps: Sequence[Dump]) -> Dump:
    """One Dump of `snapshots` taken from `dumps` (several inputs read as one)."""
    return Dump(
        source,
        tuple(snapshots),
        sum(d.lines for d in dumps),
        sum(d.binary_lines for d in dumps),
        tuple(sorted({c for d in dumps for c in d.carriers})),
        next((d.cut for d in dumps if d.cut), None),
    )
