"""What a cluster's objects say in its `why`, and what they weigh in the rank (objects.py
finds them; in a fleet, fleet.py names each group's source)."""

from __future__ import annotations

from .report import OBJECT_PLURALS, ObjectGroup, Objects
from .wait_reads import ARGUMENT

# A cluster whose goroutines all wait on one object is one stuck thing that a single fix
# (the holder, the missing send) frees; one object each is a per-goroutine leak, ranked as
# its size and wait say. The factor is modest, like growth since the previous dump. In a
# fleet, one object in each process is the same stuck thing in each.
SHARED_FACTOR = 1.25
SHOWN = 3  # groups or sources named in the words; the rest are counted


def object_factor(o: Objects) -> float:
    return SHARED_FACTOR if o.shared else 1.0


def _via_text(group: ObjectGroup) -> str:
    what = "receiver" if ")." in group.via else "first argument"
    return f"inferred from {group.via}'s {what}"


def objects_text(o: Objects) -> str | None:
    """`why`'s words: "all 37 wait on one mutex (0xa40968)", "12 goroutines wait on 12
    different channels (one each)", "all 74 wait on one mutex in each of their 2 sources",
    or that the dump does not tell and why."""
    told, k = o.told, o.distinct
    plural = OBJECT_PLURALS[o.kind]
    if not told:
        who = "it waits" if o.untold == 1 else "they wait"
        return f"the dump does not tell which {o.kind} {who} on: {o.reason}"
    first = o.groups[0]
    via = next((_via_text(g) for g in o.groups if g.basis == ARGUMENT), None)
    inferred = f"; {via}" if via else ""
    who = f"all {told:,}" if not o.untold else f"{told:,} of {told + o.untold:,}"
    if o.one_per_source:
        shown = ", ".join(f"{g.source} {g.count:,}" for g in o.groups[:SHOWN])
        more = f", {k - SHOWN:,} more" if k > SHOWN else ""
        text = (f"{who} wait on one {o.kind} in each of their {k:,} sources ({shown}{more}{inferred}): "
                "the same stuck object in each process, not one each")
    elif k == 1:
        if told == 1 and not o.untold:
            return None  # one goroutine on one object says nothing
        text = f"{who} wait on one {o.kind} ({first.where}{inferred}): one stuck object, not one each"
    elif k == told:
        where = f" in {o.sources:,} sources" if o.sources > 1 else ""
        text = (f"{told:,} goroutines wait on {k:,} different {plural}{where} (one each{inferred}): "
                "a per-goroutine leak, not one stuck object")
    else:
        shown = ", ".join(f"{g.count:,} on {g.where}" for g in o.groups[:SHOWN])
        more = f", {k - SHOWN:,} more" if k > SHOWN else ""
        text = f"{told:,} goroutines wait on {k:,} {plural}{f' ({via})' if via else ''}: {shown}{more}"
    if o.untold:
        text += f"; the dump does not tell for {o.untold:,} ({o.reason})"
    return text
