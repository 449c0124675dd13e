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

from .cluster import RawCluster
from .frame_info import FrameInfo
from .model import Goroutine
from .objects import ObjectFindings
from .record import dataclass
from .regex_cache import escape, uncached
from .shapes import HEX_WORD
from .wait_reads import LOCKS, ValueReader

TYPE_CHECKING = False  # typing's own costs every run ~4 ms to import; type checkers read this as True
if TYPE_CHECKING:
    import re
    from collections.abc import Sequence

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
    waiting: frozenset[int]  # goroutines of any cluster waiting for this lock
    texts: tuple[str, ...]  # `addresses` as the dump prints them


def find_holders(clusters: Sequence[RawCluster], objects: ObjectFindings) -> dict[int, tuple[HolderFound, ...]]:
    """id(cluster) -> the goroutines that may hold the one lock it waits on, likeliest first.

    O(goroutines + argument text), however many locks: a goroutine is looked at only for
    the locks whose function its stack shape has, or whose address its texts hold (found
    by one scan of its hex words)."""
    value = ValueReader()
    waiting = _waiting(clusters, objects)
    locks = [lk for c in clusters if (lk := _lock(c, objects, value, waiting)) is not None]
    if not locks:
        return {}
    by_func: dict[str, list[_Lock]] = {}
    by_text: dict[str, list[_Lock]] = {}
    for lk in locks:
        by_func.setdefault(lk.at.func, []).append(lk)
        for t in lk.texts:
            by_text.setdefault(t, []).append(lk)
    # A few addresses are found fastest by one search for any of them; many by looking up
    # each hex word of the text (a regular expression of thousands of alternatives is slow).
    # That search is the dump's own pattern, compiled by re: in a small dump, importing re
    # would cost more than looking up every hex word.
    if len(by_text) > _ALTERNATIVES or sum(len(grp.goroutines) for c in clusters for grp in c.groups) < _SEARCH_FROM:
        words = HEX_WORD
    else:
        words = uncached("|".join(map(escape, by_text)))
    found: dict[int, list[HolderFound]] = {id(lk.waiters): [] for lk in locks}
    for c in clusters:
        for grp in c.groups:
            program = [i for i, f in enumerate(grp.frames) if f.is_program_code]
            if not program:
                continue
            # A cluster's own goroutines wait for its lock: never its holders.
            named = {id(lk): lk for i in program for lk in by_func.get(grp.frames[i].func, ()) if lk.waiters is not c}
            kept: dict[int, list[str]] = {}  # id(stack) -> words of the texts it keeps itself
            for g in grp.goroutines:
                hits = [lk for t in _words(g, program, words, kept) for lk in by_text.get(t, ()) if lk.waiters is not c]
                if not hits and not named:
                    continue
                near = {**named, **{id(lk): lk for lk in hits}} if hits else named
                for lk in near.values():
                    if g.id in lk.waiting:
                        continue
                    hit = _link(g, grp.frames, program, lk, value)
                    if hit is not None:
                        found[id(lk.waiters)].append(HolderFound(g, c, hit[0], hit[1]))
    return {
        k: tuple(sorted(v, key=lambda h: (_STRENGTH[h.link], h.goroutine.id))) for k, v in found.items() if v
    }


_ALTERNATIVES = 64
# Goroutines from which one search for a few addresses is worth importing re (~5 ms): looking
# up every hex word of a goroutine's argument texts costs ~12 us on the bench dumps, the
# search ~1 us.
_SEARCH_FROM = 1000


def _words(g: Goroutine, program: list[int], words: re.Pattern[str], kept: dict[int, list[str]]) -> list[str]:
    """What `words` finds in g's argument texts: its own values, and those its stack keeps
    itself (frames with slot < 0: no hex word, or a stack parsed unmasked), which goroutines
    sharing the stack share."""
    own = kept.get(id(g.stack))
    if own is None:
        own = kept[id(g.stack)] = [
            w for i in program if (f := g.stack.frames[i]).slot < 0 for w in words.findall(f.args)
        ]
    found = words.findall(g.values)
    return [*found, *own] if own else found


def _lock(c: RawCluster, objects: ObjectFindings, value: ValueReader, waiting: dict[int, set[int]]) -> _Lock | None:
    o = objects.of(c)
    if o is None or o.kind not in LOCKS or o.distinct != 1 or not c.blocked_at.is_program_code:
        return None
    group = o.groups[0]
    addresses = {int(group.address, 16)}
    receiver = _shared_receiver(c, value)
    if receiver is not None:
        addresses.add(receiver)
    texts = tuple(f"{a:#x}" for a in sorted(addresses))
    ids = frozenset(i for a in addresses for i in waiting.get(a, ()))
    return _Lock(c, o.kind, c.blocked_at, frozenset(addresses), receiver, ids, texts)


def _shared_receiver(c: RawCluster, value: ValueReader) -> int | None:
    """The first argument every waiter prints exactly where they wait, if they share one."""
    shared: int | None = None
    for grp in c.groups:
        if c.blocked_at not in grp.frames:
            return None
        at = grp.frames.index(c.blocked_at)
        for g in grp.goroutines:
            v = value(g.frame_args(g.stack.frames[at]))
            if not isinstance(v, int) or (shared is not None and v != shared):
                return None
            shared = v
    return shared


def _waiting(clusters: Sequence[RawCluster], objects: ObjectFindings) -> dict[int, set[int]]:
    """Address -> the goroutines waiting for the lock there, in any cluster (at another
    line, say): waiters, not holders."""
    out: dict[int, set[int]] = {}
    for c in clusters:
        o = objects.of(c)
        for og in o.groups if o is not None else ():
            if og.kind in LOCKS:
                out.setdefault(int(og.address, 16), set()).update(og.goroutine_ids)
    return out


def _link(
    g: Goroutine, frames: Sequence[FrameInfo], program: list[int], lk: _Lock, value: ValueReader
) -> tuple[FrameInfo, str] | None:
    """g's topmost program frame that links it to the lock, and how."""
    at = lk.at
    for i in program:
        f = frames[i]
        same_place = f.func == at.func and f.file == at.file
        if same_place and f.line == at.line:
            continue  # where the waiters wait: not past the Lock call
        v = value(g.frame_args(g.stack.frames[i]))
        number = v if isinstance(v, int) else None
        if same_place and lk.receiver is not None and number is not None and number != lk.receiver:
            continue  # the same method of another instance
        by_argument = number is not None and number in lk.addresses
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
    return f"{f.file.replace(chr(92), '/').rsplit('/', 1)[-1]}:{f.line}"
