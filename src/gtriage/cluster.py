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
from itertools import chain

from .frame_info import FrameInfo
from .model import Frame, Goroutine, Labels, Record, Stack
from .normalize import Normalizer
from .record import dataclass, field
from .stack_points import blocked_at, panicked_at

TYPE_CHECKING = False  # typing's own costs every run ~4 ms to import; type checkers read this as True
if TYPE_CHECKING:
    from collections.abc import Collection, Iterable, Sequence
    from typing import Any, TypeVar

    from .objects import Answers

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


@dataclass(slots=True)
class Part:
    """Goroutines of one stack object in one state, in file order, and what was already
    counted of them: a big file read in parallel has its parts made chunk by chunk as the
    chunks come in (goroutine_index.py); None where nothing was."""

    goroutines: list[Goroutine]
    labels: dict[Labels, int] | None = None  # label set -> goroutines
    values: dict[str, int] | None = None  # argument-value set -> goroutines (exact_groups)
    answers: Answers | None = None  # what their waits tell (objects.part_answers)
    stats: PartStats | None = None
    ids: list[int] | None = None  # of `goroutines`, in their order


# (stack object id, state): what goroutines are grouped by before any frame is looked at.
PartKey = tuple[int, str]


@dataclass(slots=True)
class StackGroup:
    """Goroutines (or debug=1 records) sharing one value-insensitive stack."""

    frames: tuple[FrameInfo, ...]
    created_by: FrameInfo | None
    goroutines: list[Goroutine] = field(default_factory=list)
    count: int = 0  # goroutines; for debug=1 the records' counts
    parts: list[Part] = field(default_factory=list)  # of `goroutines`, in their order (none for debug=1)


@dataclass(frozen=True, slots=True)
class ClusterStats:
    goroutines: tuple[Goroutine, ...]  # by id
    ids: tuple[int, ...]
    minutes_min: int
    minutes_max: int
    leaked: int  # marked "(leaked)" by the runtime
    locked: int  # locked to a thread
    top_parent: tuple[int, int] | None  # (goroutine id, how many it started), the most


@dataclass(frozen=True, slots=True)
class PartStats:
    """ClusterStats' counts over some goroutines."""

    minutes_min: int
    minutes_max: int
    leaked: int
    locked: int
    parents: dict[int | None, int]  # parent id -> goroutines it started, in the goroutines' order
    joined: bool = False  # of several parts: `parents` is in their order, not the ids'


def part_stats(gs: Sequence[Goroutine]) -> PartStats:
    minutes = list(map(_MINUTES, gs)) or [0]
    return PartStats(min(minutes), max(minutes), sum(map(_LEAKED, gs)), sum(map(_LOCKED, gs)), tally(map(_PARENT, gs)))


def _joined(stats: Sequence[PartStats | None]) -> PartStats:
    parents: dict[int | None, int] = {}
    lo = hi = leaked = locked = 0
    for i, st in enumerate(stats):
        assert st is not None
        lo = st.minutes_min if i == 0 else min(lo, st.minutes_min)
        hi = max(hi, st.minutes_max)
        leaked += st.leaked
        locked += st.locked
        for parent, n in st.parents.items():
            parents[parent] = parents.get(parent, 0) + n
    return PartStats(lo, hi, leaked, locked, parents, joined=True)


@dataclass(slots=True)
class RawCluster:
    state: str
    blocked_at: FrameInfo
    groups: list[StackGroup] = field(default_factory=list)
    labels: dict[Labels, int] = field(default_factory=dict)  # label set -> goroutines
    family: int | None = None
    # Placed where a recovered panic was raised (stack_points.panicked_at): its stacks were
    # taken as the program handled it, and blocked_at is no wait.
    panicked: bool = False
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
        """What ranking and the report need from the goroutines: one pass, computed once
        (from the parts' own where every part has them)."""
        if self._stats is None:
            gs = self.goroutines()
            known = [p.stats for grp in self.groups for p in grp.parts]
            # From the parts only where they hold every goroutine: a group made by merging
            # others (a fleet's) has none.
            covered = all(grp.parts for grp in self.groups) and None not in known
            whole = _joined(known) if known and covered else None
            if whole is None:
                whole = part_stats(gs)
            parents = dict(whole.parents)
            parents.pop(None, None)
            top = most_common(parents) if parents else None
            if top is not None and list(parents.values()).count(top[1]) > 1 and whole.joined:
                # A tie goes to the parent met first in id order, as when counted over gs.
                parents = tally(map(_PARENT, gs))
                parents.pop(None, None)
                top = most_common(parents)
            self._stats = ClusterStats(
                goroutines=tuple(gs),
                ids=tuple(map(GOROUTINE_ID, gs)),
                minutes_min=whole.minutes_min,
                minutes_max=whole.minutes_max,
                leaked=whole.leaked,
                locked=whole.locked,
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


def by_stack(goroutines: Iterable[Goroutine], logged: Collection[tuple[int, int]] = ()) -> dict[PartKey, list[Goroutine]]:
    """Goroutines by stack object and state, each key in the order it first came, its
    goroutines in theirs. goroutine 0 (system stacks) and repeated ids (GOTRACEBACK=crash
    prints some twice) are left out; but for a stack a program logged with a panic it
    recovered, `logged` holding its (id, line), under an id seen only with other stacks so
    far: the goroutine of a connection logs each request's panic, in whichever handler."""
    keyed: dict[PartKey, list[Goroutine]] = {}
    seen: set[int] = set()
    kept: set[tuple[int, PartKey]] = set()  # (id, key) of each goroutine kept, when `logged` is given
    for g in goroutines:
        if g.id == 0:
            continue
        key = (id(g.stack), g.state)
        if g.id not in seen:
            seen.add(g.id)
        elif not logged or (g.id, g.line) not in logged or (g.id, key) in kept:
            continue  # a repeat, or a logged stack its id has logged before
        if logged:
            kept.add((g.id, key))
        members = keyed.get(key)
        if members is None:
            keyed[key] = [g]  # not setdefault: it would make a list for every goroutine
        else:
            members.append(g)
    return keyed


def cluster_goroutines(
    goroutines: Sequence[Goroutine],
    norm: Normalizer,
    parts: dict[PartKey, list[Part]] | None = None,
    logged: Collection[tuple[int, int]] = (),
    printed: Collection[tuple[int, int]] = (),
) -> list[RawCluster]:
    """Clusters of goroutines, in no particular order (see by_stack for those left out, and
    `logged`). A stack logged with a recovered panic, or `printed` (a traceback the program
    printed itself after recovering), by (id, line), is placed where it panicked
    (panicked_at). `parts`: the goroutines already grouped, key by key in the order
    by_stack would give, each key's parts in file order (goroutine_index.py)."""
    if parts is None:
        parts = {key: [Part(members)] for key, members in by_stack(goroutines, logged).items()}

    clusters: dict[tuple[str, str, int, str], RawCluster] = {}
    groups: dict[tuple[tuple[int, ...], int, str], StackGroup] = {}
    # Stack groups are keyed by the identities of their FrameInfos: `norm` makes one per
    # (function, file, line), and the rest of a FrameInfo follows from those, so equal
    # frames are the same object. Hashing the frozen dataclasses themselves (seven fields,
    # one of them another dataclass) cost more than the rest of the grouping.
    infos: dict[int, tuple[tuple[FrameInfo, ...], FrameInfo | None, tuple[int, ...], int]] = {}
    for (sid, state), own in parts.items():
        stack: Stack = own[0].goroutines[0].stack
        known = infos.get(sid)
        if known is None:
            frames = tuple(map(norm.info, stack.frames))  # map: no generator frame for every stack
            creator = norm.info(stack.created_by) if stack.created_by is not None else None
            known = infos[sid] = (frames, creator, tuple(map(id, frames)), id(creator))
        frames, creator, frame_ids, creator_id = known
        raised = None
        if (logged or printed) and any((g.id, g.line) in logged or (g.id, g.line) in printed for p in own for g in p.goroutines):
            # A stack the program logged with a panic it recovered: clustered where the
            # panic was raised, not in the recovering function all its panics share.
            raised = panicked_at(frames)
        top = raised or blocked_at(frames)
        ckey = (top.func, top.file, top.line, state)
        cl = clusters.get(ckey)
        if cl is None:
            cl = clusters[ckey] = RawCluster(state, top)
        cl.panicked = cl.panicked or raised is not None
        gkey = (frame_ids, creator_id, state)
        grp = groups.get(gkey)
        if grp is None:
            grp = groups[gkey] = StackGroup(frames, creator)
            cl.groups.append(grp)
        labels = cl.labels
        for part in own:
            members = part.goroutines
            grp.goroutines.extend(members)
            grp.count += len(members)
            if part.labels is None:
                for g in members:
                    if g.labels:
                        labels[g.labels] = labels.get(g.labels, 0) + 1
            else:
                for lbl, n in part.labels.items():
                    labels[lbl] = labels.get(lbl, 0) + n
        grp.parts.extend(own)
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


def group_ids(group: StackGroup) -> tuple[int, ...]:
    """The ids of a stack group's goroutines, ascending."""
    known = [p.ids for p in group.parts if p.ids is not None]
    if known and len(known) == len(group.parts):
        return tuple(sorted(chain.from_iterable(known)))  # ints: no attribute read a goroutine
    return tuple(sorted(map(GOROUTINE_ID, group.goroutines)))


def exact_groups(group: StackGroup) -> tuple[int, int]:
    """How many distinct sets of argument values the goroutines of a stack group print, and
    how many goroutines share the most common one (a goroutine's `values` holds exactly its
    argument words). From the parts' own counts where every part has them."""
    tallies = [p.values for p in group.parts if p.values is not None]
    if not tallies or len(tallies) < len(group.parts):
        whole = tally(map(_VALUES, group.goroutines))
        return len(whole), max(whole.values(), default=0)
    if len(tallies) == 1:
        return len(tallies[0]), max(tallies[0].values(), default=0)
    distinct = set().union(*tallies)  # the values' hashes were taken when they were counted
    if len(distinct) == sum(map(len, tallies)):  # no set in two parts
        return len(distinct), max(max(t.values(), default=0) for t in tallies)
    merged: dict[str, int] = {}
    for t in tallies:
        for v, n in t.items():
            merged[v] = merged.get(v, 0) + n
    return len(merged), max(merged.values())


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
