"""One object or many: the goroutines of a sync or channel wait grouped by what they wait on
(wait_reads.py says where a wait shows it, and why the dump may not tell).

One pass over the goroutines of the clusters in a sync or channel wait state; the frames
to read are chosen once per stack shape.
"""

from __future__ import annotations

from _operator import attrgetter, itemgetter, methodcaller

from .cluster import GOROUTINE_ID, RawCluster, StackGroup, most_common
from .model import ARGS_SEP, DumpFormat
from .report import ObjectGroup, Objects
from .wait_reads import (
    ARGUMENT,
    EXACT,
    Told,
    ValueReader,
    WaitPlan,
    read_texts,
    reads_for,
    texts_read,
    wait_plan,
)

TYPE_CHECKING = False  # typing's own costs every run ~4 ms to import; type checkers read this as True
if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from .frame_info import FrameInfo
    from .model import Goroutine
    from .wait_reads import Reads

# Object groups a cluster lists, largest first: a per-request leak of a million channels
# would be a million groups of one; the count of them all is kept.
MAX_GROUPS = 1000

# Why the dump does not tell, where it prints no arguments at all.
DEBUG1 = "?debug=1 prints no arguments"
PPROF = "pprof's binary profile records no arguments"

_VALUES = attrgetter("values")


class ObjectFindings:
    """Each cluster's Objects, by id of the cluster."""

    def __init__(self) -> None:
        self._objects: dict[int, Objects] = {}

    def of(self, c: RawCluster) -> Objects | None:
        return self._objects.get(id(c))

    def add(self, c: RawCluster, objects: Objects) -> None:
        self._objects[id(c)] = objects


def find_objects(clusters: Sequence[RawCluster], fmt: DumpFormat, *, prepared: bool = False) -> ObjectFindings:
    """The objects of every cluster that waits on a sync object or a channel. `prepared`:
    the clusters' parts hold their answers already, read with this GOROOT's plans
    (goroutine_index.py)."""
    out = ObjectFindings()
    value = ValueReader()
    for c in clusters:
        plans = [(grp, wait_plan(grp.frames, c.state)) for grp in c.groups]
        if all(p is None for _g, p in plans):
            continue
        if fmt.counts_only:
            counted: dict[str, int] = {}
            for grp, p in plans:
                if p is not None:
                    counted[p.kind] = counted.get(p.kind, 0) + grp.count
            reason = DEBUG1 if fmt is DumpFormat.DEBUG1 else PPROF
            out.add(c, Objects(most_common(counted)[0], (), 0, 0, c.count, reason))
            continue
        out.add(c, _cluster_objects(plans, value, prepared))
    return out


# What the goroutines of a stack group tell: (what, why the wait's own frames did not
# tell) -> their ids, each key in the order of the first goroutine that told it.
Answers = dict[tuple[Told | None, str], list[int]]


def stack_answers(goroutines: Sequence[Goroutine], plan: WaitPlan, frames: Sequence[FrameInfo], value: ValueReader) -> Answers:
    """What each of `goroutines` (of one stack shape, whose normalized frames are `frames`;
    of one stack object in one state for part_answers) tells of the object it waits on."""
    # What a goroutine tells follows from its stack and the few argument texts its plan
    # reads (texts_read) alone: the goroutines that print the same ones (37 waiters on one
    # mutex, whatever their other arguments) are read once, and each goroutine is then one
    # append to the ids of its answer. Keyed by the whole values instead, nearly every
    # goroutine of the 300k bench dump was read on its own.
    answers: Answers = {}
    ids_of: dict[tuple[object, ...], list[int]] = {}
    reads: dict[int, Reads] = {}
    for g in goroutines:
        stack = id(g.stack)
        r = reads.get(stack)
        if r is None:
            r = reads[stack] = reads_for(plan, frames, g.stack)
        texts = texts_read(g.values, r)
        key = (stack, *texts)
        ids = ids_of.get(key)
        if ids is None:
            ids = ids_of[key] = answers.setdefault(read_texts(texts, r, value), [])
        ids.append(g.id)
    return answers


def part_answers(goroutines: Sequence[Goroutine], plan: WaitPlan, frames: Sequence[FrameInfo], value: ValueReader) -> Answers:
    """stack_answers of goroutines that share one stack object (a cluster.Part's)."""
    answers: Answers = {}
    if not goroutines:
        return answers
    r = reads_for(plan, frames, goroutines[0].stack)
    reach = r.reach
    # The texts read of every goroutine (texts_read), by functions that run in C: a
    # Python loop of them cost twice this on the 300k bench dump.
    keys: Iterable[tuple[str, ...]] = (
        map(tuple, map(itemgetter(slice(0, reach)), map(methodcaller("split", ARGS_SEP, reach), map(_VALUES, goroutines))))
        if reach
        else [()] * len(goroutines)
    )
    ids_of: dict[tuple[str, ...], list[int]] = {}
    get = ids_of.get
    for key, gid in zip(keys, map(GOROUTINE_ID, goroutines), strict=True):
        ids = get(key)
        if ids is None:
            ids = ids_of[key] = answers.setdefault(read_texts(key, r, value), [])
        ids.append(gid)
    return answers


def _cluster_objects(plans: list[tuple[StackGroup, WaitPlan | None]], value: ValueReader, prepared: bool) -> Objects:
    groups: dict[Told, list[int]] = {}  # (basis, address, kind, via) -> goroutine ids
    inferred: dict[tuple[Told, str], list[int]] = {}  # told by argument only, with why not exactly
    reasons: dict[str, int] = {}  # why the dump does not tell -> goroutines
    kinds: dict[str, int] = {}
    for grp, plan in plans:
        if plan is None:
            continue
        kinds[plan.kind] = kinds.get(plan.kind, 0) + grp.count
        told = [p.answers for p in grp.parts if p.answers is not None] if prepared else []
        if not told or len(told) < len(grp.parts):
            told = (
                [part_answers(p.goroutines, plan, grp.frames, value) for p in grp.parts]
                if grp.parts
                else [stack_answers(grp.goroutines, plan, grp.frames, value)]
            )
        # Each dict keeps its keys in the order of the first goroutine that told them, as
        # the answers do, which settles ties below.
        for answers in told:
            for (t, why), ids in answers.items():
                if t is None:
                    reasons[why] = reasons.get(why, 0) + len(ids)
                elif t.basis == ARGUMENT:
                    inferred.setdefault((t, why), []).extend(ids)
                else:
                    groups.setdefault(t, []).extend(ids)
    # An argument value and an address are not comparable: where the wait's own frames
    # tell for some goroutines, the others are untold rather than grouped by argument.
    exact = bool(groups)
    for (t, why), ids in inferred.items():
        if exact:
            reasons[why] = reasons.get(why, 0) + len(ids)
        else:
            groups.setdefault(t, []).extend(ids)
    merged = sorted(_merged(groups).items(), key=lambda kv: (-len(kv[1]), kv[0].basis != EXACT, kv[0].address))
    made = tuple(
        ObjectGroup(t.basis, f"{t.address:#x}", t.kind, t.via, len(ids), tuple(sorted(ids)))
        for t, ids in merged[:MAX_GROUPS]
    )
    told_count = sum(len(ids) for _t, ids in merged)
    untold = sum(reasons.values())
    reason = most_common(reasons)[0] if untold else None
    return Objects(most_common(kinds)[0], made, len(merged), told_count, untold, reason)


def _merged(groups: dict[Told, list[int]]) -> dict[Told, list[int]]:
    """One group per object, whichever frame told for each goroutine (lockSlow for most,
    semacquire1 where lockSlow printed "?"): keyed by the first frame seen."""
    out: dict[tuple[str, int, str], tuple[Told, list[int]]] = {}
    for t, ids in groups.items():
        key = (t.basis, t.address, t.kind)
        if key in out:
            out[key][1].extend(ids)
        else:
            out[key] = (t, list(ids))
    return dict(out.values())
