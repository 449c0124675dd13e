"""Group goroutines into clusters, and relate near-identical clusters with rapidfuzz.

A cluster is the goroutines that wait at the same place in the program's own code
(`blocked_at`) in the same state. Grouping is O(n) in goroutines: goroutines are first
bucketed by their shared Stack object (one per distinct stack shape), and only the distinct
stacks are normalized. Similarity (families, matching across dumps) runs over distinct
cluster signatures, never over goroutine pairs.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from .model import Goroutine, Labels, Record, Stack
from .normalize import FrameInfo, FuncName, Normalizer, Origin

# Clusters whose stack signatures are at least this similar (0-100) form a family.
FAMILY_SIMILARITY = 90.0
# Families are computed among the largest clusters only; beyond this the tail is noise.
FAMILY_LIMIT = 2000

# blocked_at of a goroutine printed without frames ("running on other thread").
NO_FRAME = FrameInfo("(no frames)", "", 0, Origin.UNKNOWN, None, None, FuncName("", "", "(no frames)", "", False))


@dataclass(slots=True)
class StackGroup:
    """Goroutines (or debug=1 records) sharing one value-insensitive stack."""

    frames: tuple[FrameInfo, ...]
    created_by: FrameInfo | None
    goroutines: list[Goroutine] = field(default_factory=list)
    count: int = 0  # goroutines; for debug=1 the records' counts


@dataclass(frozen=True, slots=True)
class ClusterStats:
    goroutines: tuple[Goroutine, ...]  # by id
    ids: tuple[int, ...]
    minutes_min: int
    minutes_max: int
    leaked: int  # marked "(leaked)" by the runtime
    locked: int  # locked to a thread
    top_parent: tuple[int, int] | None  # (goroutine id, how many it started), the most


@dataclass(slots=True)
class RawCluster:
    state: str
    blocked_at: FrameInfo
    groups: list[StackGroup] = field(default_factory=list)
    labels: Counter[Labels] = field(default_factory=Counter)
    family: int | None = None
    _stats: ClusterStats | None = None

    @property
    def count(self) -> int:
        return sum(g.count for g in self.groups)

    @property
    def representative(self) -> StackGroup:
        return max(self.groups, key=lambda g: g.count)

    def goroutines(self) -> list[Goroutine]:
        out = [g for grp in self.groups for g in grp.goroutines]
        out.sort(key=lambda g: g.id)
        return out

    def stats(self) -> ClusterStats:
        """What ranking and the report need from the goroutines: one pass, computed once."""
        if self._stats is None:
            gs = self.goroutines()
            minutes = [g.minutes for g in gs] or [0]
            parents: Counter[int] = Counter(g.parent_id for g in gs if g.parent_id is not None)
            self._stats = ClusterStats(
                goroutines=tuple(gs),
                ids=tuple(g.id for g in gs),
                minutes_min=min(minutes),
                minutes_max=max(minutes),
                leaked=sum(1 for g in gs if g.leaked),
                locked=sum(1 for g in gs if g.locked),
                top_parent=parents.most_common(1)[0] if parents else None,
            )
        return self._stats

    def signature(self) -> str:
        """Function names of the representative stack: what families compare."""
        return "\n".join(f.func for f in self.representative.frames)


def blocked_at(frames: Sequence[FrameInfo]) -> FrameInfo:
    """The topmost frame of the program's own code (or a module's); else the topmost
    non-runtime frame; else the top frame."""
    for f in frames:
        if f.origin in (Origin.MAIN, Origin.MODULE, Origin.CGO):
            return f
    for f in frames:
        if f.origin is not Origin.RUNTIME:
            return f
    return frames[0] if frames else NO_FRAME


def cluster_goroutines(goroutines: Sequence[Goroutine], norm: Normalizer) -> list[RawCluster]:
    """Clusters of goroutines, in no particular order. goroutine 0 (system stacks) and
    repeated ids (GOTRACEBACK=crash prints some twice) are left out."""
    by_stack: dict[tuple[int, str], list[Goroutine]] = defaultdict(list)
    seen: set[int] = set()
    for g in goroutines:
        if g.id == 0 or g.id in seen:
            continue
        seen.add(g.id)
        by_stack[(id(g.stack), g.state)].append(g)

    clusters: dict[tuple[str, str, int, str], RawCluster] = {}
    groups: dict[tuple[tuple[FrameInfo, ...], FrameInfo | None, str], StackGroup] = {}
    infos: dict[int, tuple[tuple[FrameInfo, ...], FrameInfo | None]] = {}
    for (sid, state), members in by_stack.items():
        stack: Stack = members[0].stack
        got = infos.get(sid)
        if got is None:
            frames = tuple(norm.info(f) for f in stack.frames)
            creator = norm.info(stack.created_by) if stack.created_by is not None else None
            got = infos[sid] = (frames, creator)
        frames, creator = got
        top = blocked_at(frames)
        ckey = (top.func, top.file, top.line, state)
        cl = clusters.get(ckey)
        if cl is None:
            cl = clusters[ckey] = RawCluster(state, top)
        gkey = (frames, creator, state)
        grp = groups.get(gkey)
        if grp is None:
            grp = groups[gkey] = StackGroup(frames, creator)
            cl.groups.append(grp)
        grp.goroutines.extend(members)
        grp.count += len(members)
        for g in members:
            if g.labels:
                cl.labels[g.labels] += 1
    return list(clusters.values())


def cluster_records(records: Sequence[Record], norm: Normalizer) -> list[RawCluster]:
    """Clusters of a ?debug=1 profile: records with the same blocked_at merge; their label
    lines become the labels breakdown. The profile prints no state."""
    clusters: dict[tuple[str, str, int], RawCluster] = {}
    groups: dict[tuple[FrameInfo, ...], StackGroup] = {}
    for r in records:
        frames = tuple(norm.info(f) for f in r.frames)
        top = blocked_at(frames)
        ckey = (top.func, top.file, top.line)
        cl = clusters.get(ckey)
        if cl is None:
            cl = clusters[ckey] = RawCluster("", top)
        grp = groups.get(frames)
        if grp is None:
            grp = groups[frames] = StackGroup(frames, None)
            cl.groups.append(grp)
        grp.count += r.count
        if r.labels:
            cl.labels[r.labels] += r.count
    return list(clusters.values())


def exact_groups(group: StackGroup) -> Counter[str]:
    """How many goroutines of a stack group share each set of argument values (a
    goroutine's `values` holds exactly its argument words)."""
    return Counter(g.values for g in group.goroutines)


def assign_families(clusters: Sequence[RawCluster]) -> int:
    """Give clusters with near-identical stacks (same state) a shared family number.

    Returns how many families have two or more clusters. O(k^2) in distinct clusters k,
    capped at FAMILY_LIMIT of the largest; each comparison runs in rapidfuzz's C code.
    """
    from rapidfuzz import fuzz, process  # imported where used: 40 ms off every start

    ordered = sorted(clusters, key=lambda c: -c.count)[:FAMILY_LIMIT]
    sigs = [c.signature() for c in ordered]
    parent = list(range(len(ordered)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, sig in enumerate(sigs):
        if not sig:
            continue
        for _choice, score, j in process.extract(
            sig, sigs, scorer=fuzz.ratio, score_cutoff=FAMILY_SIMILARITY, limit=None
        ):
            if j != i and ordered[j].state == ordered[i].state and score >= FAMILY_SIMILARITY:
                parent[find(j)] = find(i)
    members: dict[int, list[RawCluster]] = defaultdict(list)
    for i, c in enumerate(ordered):
        members[find(i)].append(c)
    fam = 0
    for group in sorted(members.values(), key=lambda g: -sum(c.count for c in g)):
        if len(group) < 2:
            continue
        fam += 1
        for c in group:
            c.family = fam
    return fam


def match_previous(current: Sequence[RawCluster], previous: Sequence[RawCluster]) -> dict[int, int]:
    """Map id(cluster) of `current` to the count of its match in an earlier dump: the same
    blocked_at and state, else the most similar signature with the same state."""
    from rapidfuzz import fuzz, process

    exact = {(c.blocked_at.location, c.blocked_at.func, c.state): c.count for c in previous}
    prev_sigs = [p.signature() for p in previous]
    out: dict[int, int] = {}
    for c in current:
        key = (c.blocked_at.location, c.blocked_at.func, c.state)
        if key in exact:
            out[id(c)] = exact[key]
            continue
        best = process.extractOne(c.signature(), prev_sigs, scorer=fuzz.ratio, score_cutoff=FAMILY_SIMILARITY)
        if best is not None and previous[best[2]].state == c.state:
            out[id(c)] = previous[best[2]].count
    return out
