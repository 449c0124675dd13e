"""A fleet: dumps taken at one time from several processes (pods), read as one.

Each source is clustered on its own (goroutine ids repeat from process to process), then
clusters at the same place in the same state are merged, and so are their stacks, by the
keys cluster_goroutines groups with: the merged clusters are what clustering all the
goroutines together would give, with the count each source contributed.
"""

from __future__ import annotations

from collections import Counter

from .cluster import GOROUTINE_ID, RawCluster, StackGroup
from .frame_info import FrameInfo
from .model import Crash, Goroutine
from .objects import MAX_GROUPS, ObjectFindings
from .record import dataclass, replace
from .report import Objects, SourceCount, Trend
from .wait_reads import EXACT

TYPE_CHECKING = False  # typing's own costs every run ~4 ms to import; type checkers read this as True
if TYPE_CHECKING:
    from collections.abc import Sequence


@dataclass(slots=True)
class Merged:
    clusters: list[RawCluster]
    # id(merged cluster) -> goroutines per source, in the sources' order (0 where absent)
    per_source: dict[int, list[int]]
    # id(merged cluster) -> (goroutine id, how many it started, source index): the parent
    # that started the most of it in one source (ids repeat across sources)
    top_parent: dict[int, tuple[int, int, int]]
    # id(merged cluster) -> its goroutines per source, in the sources' order
    members: dict[int, list[list[Goroutine]]]
    # id(merged cluster) -> (source index, that source's cluster) of each cluster merged in
    parts: dict[int, list[tuple[int, RawCluster]]]


@dataclass(frozen=True, slots=True)
class Spread:
    """A merged cluster across the fleet, as ranking weighs and words it."""

    shares: tuple[SourceCount, ...]  # with their trends where a log held several dumps of a source
    sources: int  # sources read
    top_parent: tuple[int, int, str] | None  # (goroutine id, how many it started, source)


def merge_key(c: RawCluster) -> tuple[str, str, int, str]:
    """What one source's cluster shares with the others' it is merged with: the same place
    and state (the keys cluster_goroutines groups with)."""
    top = c.blocked_at
    return top.func, top.file, top.line, c.state


def merge_sources(per_source: Sequence[Sequence[RawCluster]]) -> Merged:
    """One list of clusters from the clusters of every source, in the sources' order."""
    n = len(per_source)
    clusters: dict[tuple[str, str, int, str], RawCluster] = {}
    groups: dict[tuple[tuple[str, str, int, str], tuple[FrameInfo, ...], FrameInfo | None], StackGroup] = {}
    counts: dict[int, list[int]] = {}
    parents: dict[int, tuple[int, int, int]] = {}
    members: dict[int, list[list[Goroutine]]] = {}
    parts: dict[int, list[tuple[int, RawCluster]]] = {}
    for s, raw in enumerate(per_source):
        for c in raw:
            key = merge_key(c)
            m = clusters.get(key)
            if m is None:
                m = clusters[key] = RawCluster(c.state, c.blocked_at)
                counts[id(m)] = [0] * n
                members[id(m)] = [[] for _ in range(n)]
                parts[id(m)] = []
            m.panicked = m.panicked or c.panicked
            own = members[id(m)][s]
            parts[id(m)].append((s, c))
            counts[id(m)][s] += c.count
            for lbl, had in c.labels.items():
                m.labels[lbl] = m.labels.get(lbl, 0) + had
            parent = c.stats().top_parent
            if parent is not None and parent[1] > parents.get(id(m), (0, 0, 0))[1]:
                parents[id(m)] = (parent[0], parent[1], s)
            for g in c.groups:
                gk = (key, g.frames, g.created_by)
                into = groups.get(gk)
                if into is None:
                    into = groups[gk] = StackGroup(g.frames, g.created_by)
                    m.groups.append(into)
                into.goroutines.extend(g.goroutines)
                into.count += g.count
                own.extend(g.goroutines)
    return Merged(list(clusters.values()), counts, parents, members, parts)


def fleet_objects(merged: Merged, findings: Sequence[ObjectFindings], names: Sequence[str]) -> ObjectFindings:
    """Each merged cluster's objects from its sources' own (objects.find_objects over each
    source's clusters): an address names an object only within one process, so each group
    keeps its source, and no two sources' groups are ever one."""
    out = ObjectFindings()
    for m in merged.clusters:
        per = [(names[s], o) for s, c in merged.parts[id(m)] if (o := findings[s].of(c)) is not None]
        if per:
            out.add(m, combined(per))
    return out


def combined(per: Sequence[tuple[str, Objects]]) -> Objects:
    """One Objects of the sources' own, each group named by its source: the kind most of
    the goroutines wait on, the largest groups first (MAX_GROUPS of them), and the reason
    of the source that leaves the most untold."""
    kinds: Counter[str] = Counter()
    for _name, o in per:
        kinds[o.kind] += o.told + o.untold
    groups = sorted(
        (replace(g, source=name) for name, o in per for g in o.groups),
        key=lambda g: (-g.count, g.basis != EXACT, g.source, g.address),
    )
    untold = [(o.untold, -i, o.reason) for i, (_name, o) in enumerate(per) if o.untold]
    return Objects(
        kind=kinds.most_common(1)[0][0],
        groups=tuple(groups[:MAX_GROUPS]),
        distinct=sum(o.distinct for _n, o in per),
        told=sum(o.told for _n, o in per),
        untold=sum(o.untold for _n, o in per),
        reason=max(untold)[2] if untold else None,
        sources=sum(1 for _n, o in per if o.told),
    )


def by_source(
    counts: Sequence[int],
    names: Sequence[str],
    members: Sequence[Sequence[Goroutine]] | None = None,
    trends: Sequence[Trend | None] | None = None,
) -> tuple[SourceCount, ...]:
    """The sources that hold some of a cluster, most first (then in the sources' order);
    with their goroutines when `members` (Merged.members of the cluster) is given, and
    the cluster's trend in each source a log held several dumps of (`trends`)."""
    have = [(n, i) for i, n in enumerate(counts) if n]
    have.sort(key=lambda p: (-p[0], p[1]))
    return tuple(
        SourceCount(
            names[i], n,
            tuple(sorted(map(GOROUTINE_ID, members[i]))) if members is not None else (),
            tuple(members[i]) if members is not None else (),
            trends[i] if trends is not None else None,
        )
        for n, i in have
    )  # fmt: skip


def crashes_held(merged: Merged, crashes: Sequence[Crash | None]) -> dict[int, Crash]:
    """id(merged cluster) -> the crash (one a source, in the sources' order) whose goroutine
    it holds; the first source's when it holds several."""
    out: dict[int, Crash] = {}
    for s, crash in enumerate(crashes):
        if crash is None or crash.goroutine is None:
            continue
        for c in merged.clusters:
            per = merged.members.get(id(c))
            if per is not None and any(g.id == crash.goroutine for g in per[s]):
                out.setdefault(id(c), crash)
                break
    return out


def spread_of(merged: Merged, c: RawCluster, names: Sequence[str], trends: Sequence[Trend | None] | None = None) -> Spread:
    top = merged.top_parent.get(id(c))
    parent = (top[0], top[1], names[top[2]]) if top is not None else None
    return Spread(by_source(merged.per_source[id(c)], names, trends=trends), len(names), parent)


def spread_text(count: int, shares: Sequence[SourceCount], sources: int, shown: int = 3) -> str:
    """"12,000 goroutines on 3 of 40 sources (pod-a 9,100, pod-b 2,400, pod-c 500)"."""
    parts = ", ".join(f"{s.source} {s.count:,}" for s in shares[:shown])
    more = f", {len(shares) - shown} more" if len(shares) > shown else ""
    noun = "goroutine" if count == 1 else "goroutines"
    return f"{count:,} {noun} on {len(shares)} of {sources} sources ({parts}{more})"

