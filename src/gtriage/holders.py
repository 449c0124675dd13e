"""Who may hold it: for a cluster waiting on one mutex or RWMutex, the goroutines that may
hold that lock. Inference from the stacks, never proof (a dump shows no lock owners):

- a goroutine inside the waiters' function at another line (it got past the Lock call the
  others wait at, or a caller of it took the lock), unless that frame's receiver or first
  argument is printed exactly and differs from the waiters' (another instance);
- a goroutine with a frame of the program whose first argument is the lock's address or
  the receiver every waiter shares (another method of the same struct, the writer in
  `(*Catalog).Reload` while readers wait in `(*Catalog).Lookup`).

Either way not a goroutine that itself waits for that lock, and not one of the waiters. A
lock taken by a goroutine that has since returned has no holder in the dump, and none is
named.

One pass over the program frames of the dump's goroutines, only when some cluster waits on
one lock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

from .cluster import RawCluster
from .frame_info import FrameInfo
from .model import Goroutine
from .objects import LOCKS, ObjectFindings, first_value

FUNCTION = "function"
ARGUMENT = "argument"
BOTH = "both"
_STRENGTH = {BOTH: 0, FUNCTION: 1, ARGUMENT: 2}


@dataclass(frozen=True, slots=True)
class HolderFound:
    goroutine: Goroutine
    cluster: RawCluster  # the cluster it is in
    frame: FrameInfo
    link: str


@dataclass(frozen=True, slots=True)
class _Lock:
    """What links a goroutine to the lock one cluster waits on."""

    waiters: RawCluster
    kind: str
    at: FrameInfo  # where the waiters wait in the program's code
    addresses: frozenset[int]  # the lock's, and the receiver all waiters share
    receiver: int | None  # the first argument all waiters print exactly at `at`, if one


def find_holders(clusters: Sequence[RawCluster], objects: ObjectFindings) -> dict[int, tuple[HolderFound, ...]]:
    """id(cluster) -> the goroutines that may hold the one lock it waits on, likeliest first."""
    locks = [lk for c in clusters if (lk := _lock(c, objects)) is not None]
    if not locks:
        return {}
    found: dict[int, list[HolderFound]] = {id(lk.waiters): [] for lk in locks}
    for c in clusters:
        for grp in c.groups:
            program = [i for i, f in enumerate(grp.frames) if f.is_program_code]
            if not program:
                continue
            for g in grp.goroutines:
                for lk in locks:
                    if c is lk.waiters or _waits_for(g, lk, objects):
                        continue
                    hit = _link(g, grp.frames, program, lk)
                    if hit is not None:
                        found[id(lk.waiters)].append(HolderFound(g, c, hit[0], hit[1]))
    return {
        k: tuple(sorted(v, key=lambda h: (_STRENGTH[h.link], h.goroutine.id))) for k, v in found.items() if v
    }


def _lock(c: RawCluster, objects: ObjectFindings) -> _Lock | None:
    o = objects.of(c)
    if o is None or o.kind not in LOCKS or len(o.groups) != 1 or not c.blocked_at.is_program_code:
        return None
    group = o.groups[0]
    addresses = {int(group.address, 16)}
    receivers = set()
    for grp in c.groups:
        at = grp.frames.index(c.blocked_at) if c.blocked_at in grp.frames else -1
        for g in grp.goroutines:
            v = first_value(g.frame_args(g.stack.frames[at])) if at >= 0 else None
            receivers.add(v if isinstance(v, int) else None)
    receiver = next(iter(receivers)) if len(receivers) == 1 else None
    if receiver is not None:
        addresses.add(receiver)
    return _Lock(c, o.kind, c.blocked_at, frozenset(addresses), receiver)


def _waits_for(g: Goroutine, lk: _Lock, objects: ObjectFindings) -> bool:
    """g waits for this very lock (at another line, say): a waiter, not a holder."""
    t = objects.told.get(g.id)
    return t is not None and t.kind in LOCKS and t.address in lk.addresses


def _link(g: Goroutine, frames: Sequence[FrameInfo], program: list[int], lk: _Lock) -> tuple[FrameInfo, str] | None:
    """g's topmost program frame that links it to the lock, and how."""
    at = lk.at
    for i in program:
        f = frames[i]
        same_place = f.func == at.func and f.file == at.file
        if same_place and f.line == at.line:
            continue  # where the waiters wait: not past the Lock call
        v = first_value(g.frame_args(g.stack.frames[i]))
        value = v if isinstance(v, int) else None
        if same_place and lk.receiver is not None and value is not None and value != lk.receiver:
            continue  # the same method of another instance
        by_argument = value is not None and value in lk.addresses
        if same_place or by_argument:
            return f, BOTH if same_place and by_argument else FUNCTION if same_place else ARGUMENT
    return None


def holder_text(h: HolderFound, rank: int, kind: str, waiters: RawCluster, more: int) -> str:
    """The waiters' first `why`: "goroutine 7 may hold this mutex: it is in
    main.(*Store).Get at store.go:30 (chan receive, cluster #8) while 37 wait at
    store.go:23; inferred from the stacks: ..."."""
    how = {
        BOTH: "the same function at another line, the same receiver",
        FUNCTION: "the same function at another line",
        ARGUMENT: "its frame's receiver or first argument is the lock's address or the waiters' receiver",
    }[h.link]
    state = f"{h.goroutine.state}, " if h.goroutine.state else ""
    n = waiters.count
    also = f"; {more:,} more goroutine{'s' if more != 1 else ''} may too" if more else ""
    return (
        f"goroutine {h.goroutine.id} may hold this {kind}: it is in {h.frame.func} at {_short(h.frame)} "
        f"({state}cluster #{rank}) while {n:,} wait at {_short(waiters.blocked_at)}; inferred from the "
        f"stacks: {how}{also}"
    )


def held_text(kind: str, address: str, waiters_rank: int, count: int) -> str:
    """The holder's cluster's `why`: which waiters it may keep waiting."""
    return (
        f"may hold the {kind} ({address}) that {count:,} goroutine{'s' if count != 1 else ''} "
        f"of cluster #{waiters_rank} wait for (inferred from the stacks)"
    )


def _short(f: FrameInfo) -> str:
    return f"{PurePosixPath(f.file.replace(chr(92), '/')).name}:{f.line}"
