"""Group goroutines into clusters (families of near-identical ones: families.py).

A cluster is the goroutines that wait at the same place in the program's own code
(`blocked_at`) in the same state. Grouping is O(n) in goroutines: goroutines are first
bucketed by their shared Stack object (one per distinct stack shape), and only the distinct
stacks are normalized. A cluster's signature (its stack's function names, bounded) is what
similarity compares (families.py, compare.py), never goroutine pairs.
"""

from __future__ import annotations

# operator's C functions where they are defined: operator.py, which only re-exports them,
# costs a run ~1.7M instructions to import.
from _operator import attrgetter, itemgetter

from .frame_info import FrameInfo, FuncName, Origin
from .model import Frame, Goroutine, Labels, Record, Stack
from .normalize import Normalizer
from .record import dataclass, field

TYPE_CHECKING = False  # typing's own costs every run ~4 ms to import; type checkers read this as True
if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from typing import Any, TypeVar

    _K = TypeVar("_K")

# rapidfuzz compares two signatures in time proportional to the product of their lengths,
# and similarity compares clusters pairwise, so a dump of huge names or of thousands of
# distinct stacks took minutes (50 names of 60 KB: 132 s). Every factor is bounded here;
# bounds that an input reached are reported (SimilarityWork.limits).
# A function name counts with this many characters at most, a signature with this many: the
# runtime prints names of tens of characters and at most 100 frames a stack.
SIGNATURE_FUNC_CHARS = 256
SIGNATURE_CHARS = 4096


# Fields read of every goroutine of a cluster: attrgetter runs in C where a generator or a
# lambda runs a Python frame per goroutine (~0.2 s of the 300k dump's report).
GOROUTINE_ID = attrgetter("id")
try:
    from _collections import _count_elements  # type: ignore[import-not-found]
except ImportError:  # another interpreter: what the C function does

    def _count_elements(counts: dict[Any, int], keys: Iterable[Any]) -> None:
        get = counts.get
        for k in keys:
            counts[k] = get(k, 0) + 1


_VALUES = attrgetter("values")
_SECOND = itemgetter(1)
_MINUTES = attrgetter("minutes")
_PARENT = attrgetter("parent_id")
_LEAKED = attrgetter("leaked")
_LOCKED = attrgetter("locked")

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
    labels: dict[Labels, int] = field(default_factory=dict)  # label set -> goroutines
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
        out.sort(key=GOROUTINE_ID)
        return out

    def stats(self) -> ClusterStats:
        """What ranking and the report need from the goroutines: one pass, computed once."""
        if self._stats is None:
            gs = self.goroutines()
            minutes = list(map(_MINUTES, gs)) or [0]
            parents = tally(map(_PARENT, gs))
            parents.pop(None, None)
            top = most_common(parents) if parents else None
            self._stats = ClusterStats(
                goroutines=tuple(gs),
                ids=tuple(map(GOROUTINE_ID, gs)),
                minutes_min=min(minutes),
                minutes_max=max(minutes),
                leaked=sum(map(_LEAKED, gs)),
                locked=sum(map(_LOCKED, gs)),
                top_parent=(top[0], top[1]) if top is not None and top[0] is not None else None,
            )
        return self._stats

    def signature(self) -> str:
        """Function names of the representative stack: what families compare."""
        return signature_of(self.representative.frames)[0]


def signature_of(frames: Sequence[FrameInfo]) -> tuple[str, bool]:
    """The function names of a stack, one a line, each cut to SIGNATURE_FUNC_CHARS and the
    whole to SIGNATURE_CHARS; and whether anything was cut. Frames past the cut are never
    looked at (a hostile stack may hold 100,000)."""
    parts: list[str] = []
    cut = False
    size = -1
    for f in frames:
        name = f.func[:SIGNATURE_FUNC_CHARS]
        cut = cut or len(name) < len(f.func)
        parts.append(name)
        size += len(name) + 1
        if size > SIGNATURE_CHARS:
            break
    sig = "\n".join(parts)
    if len(sig) > SIGNATURE_CHARS:
        return sig[:SIGNATURE_CHARS], True
    return sig, cut


def blocked_at(frames: Sequence[FrameInfo]) -> FrameInfo:
    """The topmost frame of the program's own code (or a module's); else the topmost
    non-runtime frame; else the top frame."""
    for f in frames:
        if f.is_program_code:
            return f
    for f in frames:
        if f.origin is not Origin.RUNTIME:
            return f
    return frames[0] if frames else NO_FRAME


def cluster_goroutines(goroutines: Sequence[Goroutine], norm: Normalizer) -> list[RawCluster]:
    """Clusters of goroutines, in no particular order. goroutine 0 (system stacks) and
    repeated ids (GOTRACEBACK=crash prints some twice) are left out."""
    by_stack: dict[tuple[int, str], list[Goroutine]] = {}
    seen: set[int] = set()
    for g in goroutines:
        if g.id == 0 or g.id in seen:
            continue
        seen.add(g.id)
        key = (id(g.stack), g.state)
        members = by_stack.get(key)
        if members is None:
            by_stack[key] = [g]  # not setdefault: it would make a list for every goroutine
        else:
            members.append(g)

    clusters: dict[tuple[str, str, int, str], RawCluster] = {}
    groups: dict[tuple[tuple[int, ...], int, str], StackGroup] = {}
    # Stack groups are keyed by the identities of their FrameInfos: `norm` makes one per
    # (function, file, line), and the rest of a FrameInfo follows from those, so equal
    # frames are the same object. Hashing the frozen dataclasses themselves (seven fields,
    # one of them another dataclass) cost more than the rest of the grouping.
    infos: dict[int, tuple[tuple[FrameInfo, ...], FrameInfo | None, tuple[int, ...], int]] = {}
    for (sid, state), members in by_stack.items():
        stack: Stack = members[0].stack
        known = infos.get(sid)
        if known is None:
            frames = tuple(map(norm.info, stack.frames))  # map: no generator frame for every stack
            creator = norm.info(stack.created_by) if stack.created_by is not None else None
            known = infos[sid] = (frames, creator, tuple(map(id, frames)), id(creator))
        frames, creator, frame_ids, creator_id = known
        top = blocked_at(frames)
        ckey = (top.func, top.file, top.line, state)
        cl = clusters.get(ckey)
        if cl is None:
            cl = clusters[ckey] = RawCluster(state, top)
        gkey = (frame_ids, creator_id, state)
        grp = groups.get(gkey)
        if grp is None:
            grp = groups[gkey] = StackGroup(frames, creator)
            cl.groups.append(grp)
        grp.goroutines.extend(members)
        grp.count += len(members)
        for g in members:
            if g.labels:
                cl.labels[g.labels] = cl.labels.get(g.labels, 0) + 1
    return list(clusters.values())


def cluster_records(records: Sequence[Record], norm: Normalizer) -> list[RawCluster]:
    """Clusters of a ?debug=1 profile: records with the same blocked_at merge; their label
    lines become the labels breakdown. The profile prints no state."""
    clusters: dict[tuple[str, str, int], RawCluster] = {}
    groups: dict[tuple[FrameInfo, ...], StackGroup] = {}
    # A binary profile's records share one frames tuple per distinct stack (pprof_profile.py):
    # each tuple is looked at once, so a profile of many samples (one per label set) on a few
    # deep stacks costs its distinct stacks, not records x depth. The records keep the
    # tuples alive, so their ids stay theirs.
    seen: dict[int, tuple[RawCluster, StackGroup]] = {}
    for r in records:
        known = seen.get(id(r.frames))
        if known is None:
            known = seen[id(r.frames)] = _record_group(r.frames, norm, clusters, groups)
        cl, grp = known
        grp.count += r.count
        if r.labels:
            cl.labels[r.labels] = cl.labels.get(r.labels, 0) + r.count
    return list(clusters.values())


def _record_group(
    raw: tuple[Frame, ...],
    norm: Normalizer,
    clusters: dict[tuple[str, str, int], RawCluster],
    groups: dict[tuple[FrameInfo, ...], StackGroup],
) -> tuple[RawCluster, StackGroup]:
    """The cluster and stack group of a record's frames, made when new."""
    frames = tuple(norm.info(f) for f in raw)
    top = blocked_at(frames)
    ckey = (top.func, top.file, top.line)
    cl = clusters.get(ckey)
    if cl is None:
        cl = clusters[ckey] = RawCluster("", top)
    grp = groups.get(frames)
    if grp is None:
        grp = groups[frames] = StackGroup(frames, None)
        cl.groups.append(grp)
    return cl, grp


def exact_groups(group: StackGroup) -> dict[str, int]:
    """How many goroutines of a stack group share each set of argument values (a
    goroutine's `values` holds exactly its argument words)."""
    return tally(map(_VALUES, group.goroutines))


def tally(keys: Iterable[_K]) -> dict[_K, int]:
    """How many times each key comes, in the order each first came: collections.Counter's
    count, by the C function Counter counts with, without importing collections (~7M
    instructions a run)."""
    counts: dict[_K, int] = {}
    _count_elements(counts, keys)
    return counts


def most_common(counts: dict[_K, int]) -> tuple[_K, int]:
    """The key of the highest count, the first come among equals, and its count (what
    Counter.most_common(1)[0] gives)."""
    return max(counts.items(), key=_SECOND)
