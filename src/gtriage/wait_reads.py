"""Where a wait shows the object it waits on, and what one goroutine's arguments say of it.

The runtime prints argument values, and a few frames of a wait carry the awaited object's
address as their first argument: `lockSlow(m)`, `semacquire1(&m.sema)`,
`notifyListWait(&c.notify)`, `chanrecv(c)` (samples/README.md, "Locks", says which Go
release prints which, at which traceback level). Only values printed exactly count: the
runtime marks with "?" a value it is not sure of, and there it is often not the object.
Where no such frame tells, the first argument of the program's own frame where the
goroutines wait (a receiver, the channel passed in) is used, and the words say it is
inferred. Otherwise the dump does not tell, and why is said; nothing is guessed.

The frames to read are chosen once per stack shape (wait_plan, reads_for); objects.py
groups the goroutines by what they tell.
"""

from __future__ import annotations

from .frame_info import FrameInfo
from .lazy_re import lazy
from .model import ARGS_SEP, Stack
from .record import NamedTuple, dataclass

TYPE_CHECKING = False  # typing's own costs every run ~4 ms to import; type checkers read this as True
if TYPE_CHECKING:
    from collections.abc import Sequence

MUTEX = "mutex"
RWMUTEX = "RWMutex"
WAITGROUP = "WaitGroup"
COND = "Cond"
CHANNEL = "channel"
LOCKS = (MUTEX, RWMUTEX)


EXACT = "exact"
ARGUMENT = "argument"

# Why the dump does not tell.
MARKED = "the frames that would show it print the value with `?` (not reliable)"
INLINED = "the calls that would show it are inlined and print no arguments"
NOT_PRINTED = (
    "no frame that this Go release prints at this traceback level shows it "
    "(GOTRACEBACK=system dumps show the runtime frames that do)"
)

# Wait reasons of a wait on one object (and Go 1.19's "semacquire" for the sync ones). A
# nil channel is no object; a select waits on several.
_STATE_KINDS = {
    "chan receive": CHANNEL,
    "chan send": CHANNEL,
    "sync.Mutex.Lock": MUTEX,
    "sync.RWMutex.RLock": RWMUTEX,
    "sync.RWMutex.Lock": RWMUTEX,
    "sync.WaitGroup.Wait": WAITGROUP,
    "sync.Cond.Wait": COND,
    "semacquire": "",  # the frames say which
}

# Functions of a wait whose first argument is the object (offset 0) or a field of it.
# lockSlow is where every release prints a mutex exactly; Lock, RLock and Wait are inlined
# ("...") or marked ("?") in the captures, and count when a build prints them exactly.
# notifyListWait gets &c.notify, 0x10 into a Cond (after the Locker interface); chanrecv
# and chansend get the channel (GOTRACEBACK=system only: runtime frames).
_WITNESSES: dict[str, tuple[str, int]] = {
    "sync.(*Mutex).lockSlow": (MUTEX, 0),  # Go 1.19-1.23
    "internal/sync.(*Mutex).lockSlow": (MUTEX, 0),  # Go 1.24+
    "sync.(*Mutex).Lock": (MUTEX, 0),
    "internal/sync.(*Mutex).Lock": (MUTEX, 0),
    "sync.(*RWMutex).RLock": (RWMUTEX, 0),
    "sync.(*RWMutex).Lock": (RWMUTEX, 0),
    "sync.(*WaitGroup).Wait": (WAITGROUP, 0),  # exact from Go 1.25
    "sync.(*Cond).Wait": (COND, 0),
    "sync.runtime_notifyListWait": (COND, 0x10),
    "runtime.chanrecv": (CHANNEL, 0),
    "runtime.chansend": (CHANNEL, 0),
}
# semacquire1 gets a semaphore's address: a field of the object at an offset that depends on
# the sync call under it (amd64 and other 64-bit layouts; a wrong offset would shift every
# address of a kind alike and never merge or split a group): &m.sema, &rw.readerSem,
# &rw.writerSem, the WaitGroup's sema. An RWMutex's Lock first locks rw.w, its first field:
# lockSlow under RWMutex.Lock is the RWMutex at the same address.
SEMACQUIRE = "runtime.semacquire1"
_SEMA_FIELDS: dict[str, tuple[str, int]] = {
    "sync.(*Mutex).lockSlow": (MUTEX, 4),
    "internal/sync.(*Mutex).lockSlow": (MUTEX, 4),
    "sync.(*RWMutex).RLock": (RWMUTEX, 0xC),
    "sync.(*RWMutex).Lock": (RWMUTEX, 8),
    "sync.(*WaitGroup).Wait": (WAITGROUP, 8),
}
# Frames that say which kind of object a wait is on, whatever their arguments show.
_KIND_FRAMES: dict[str, str] = {
    **{f: k for f, (k, _) in _WITNESSES.items()},
    "runtime.chanrecv1": CHANNEL,
    "runtime.chanrecv2": CHANNEL,
    "runtime.chansend1": CHANNEL,
}

_HEX = lazy(r"0x[0-9a-f]+")
_LOWEST = 0x1000


def first_value(args: str) -> int | str:
    """The first argument of a frame's argument text as an address, or why it is none:
    MARKED ("0xc000010120?"), INLINED ("..."), NOT_PRINTED (no arguments, a struct, nil, a
    number too small to be an address)."""
    if args == "...":
        return INLINED
    comma = args.find(",")
    first = (args if comma < 0 else args[:comma]).strip()
    if first.endswith("?"):
        return MARKED
    if not first.startswith("0x") or not _HEX.fullmatch(first):
        return NOT_PRINTED
    value = int(first, 16)
    # nil, a small integer or a flag: no object lives in the first page (never mapped).
    return value if value >= _LOWEST else NOT_PRINTED


@dataclass(frozen=True, slots=True)
class WaitPlan:
    """Where one stack shape's goroutines show their object: frame indices to read, best
    first, with the kind and offset each gives; and the program's frame to fall back on."""

    kind: str
    witnesses: tuple[tuple[int, str, int], ...]  # (frame index, kind, offset)
    argument: int | None  # index of the blocked-at frame when it is the program's own code


class Told(NamedTuple):
    """What one goroutine's stack says it waits on (a tuple: one is made per goroutine)."""

    basis: str
    address: int
    kind: str
    via: str


def wait_plan(frames: Sequence[FrameInfo], state: str) -> WaitPlan | None:
    """How to read a stack shape's object, or None when it waits on no single object."""
    base = state.removesuffix(" (durable)")
    if base and base not in _STATE_KINDS:
        return None
    at = next((i for i, f in enumerate(frames) if f.is_program_code), len(frames))
    wait = frames[:at]  # the frames of the wait itself, above the program's code
    kinds = [_KIND_FRAMES[f.func] for f in wait if f.func in _KIND_FRAMES]
    kind = kinds[0] if kinds else _STATE_KINDS.get(base, "")
    if kind == MUTEX and RWMUTEX in kinds:
        kind = RWMUTEX  # RWMutex.Lock waiting for rw.w
    if not kind:
        return None
    found: list[tuple[int, int, str, int]] = []  # (priority, index, kind, offset)
    for i, f in enumerate(wait):
        if f.func in _WITNESSES:
            of, off = _WITNESSES[f.func]
        elif f.func == SEMACQUIRE:
            # The semaphore belongs to the first sync call under it.
            under = next((_SEMA_FIELDS[g.func] for g in wait[i + 1 :] if g.func in _SEMA_FIELDS), None)
            if under is None:
                continue
            of, off = under
        else:
            continue
        # Another kind's frame names another object: a Cond's Wait while it locks c.L
        # again, say, is no witness of the mutex.
        if _same_object(of, kind):
            found.append((1 if off else 0, i, kind, off))
    # The object as a receiver first, then a field of it: both agree, the receiver needs no
    # offset.
    found.sort()
    argument = at if at < len(frames) else None
    return WaitPlan(kind, tuple((i, k, off) for _p, i, k, off in found), argument)


def _same_object(witness: str, kind: str) -> bool:
    """A frame of `witness`'s kind tells the object of a `kind` wait: the same kind, or the
    mutex an RWMutex's Lock takes first, its first field (same address)."""
    return witness == kind or (witness == MUTEX and kind == RWMUTEX)


class ValueReader(dict[str, int | str]):
    """first_value of argument texts, remembered: the goroutines waiting on one object print
    one text for it (37 lockSlow calls, one mutex). Bounded: a leak of a million channels
    prints a million texts, each read once anyway. `reader[text]` is a plain dict look-up
    for a text seen before (objects.py reads ~110,000 texts in the 300k bench dump)."""

    SIZE = 4096

    def __missing__(self, args: str) -> int | str:
        v = first_value(args)
        if len(self) < self.SIZE:
            self[args] = v
        return v

    def __call__(self, args: str) -> int | str:
        return self[args]


class Reads(NamedTuple):
    """A plan laid on one stack: where each goroutine of the stack prints the texts to read.
    Each is (slot, the frame's own args, kind, offset, via); a slot of -1 or past the
    goroutine's texts reads the frame's own args, as Goroutine.frame_args does."""

    witnesses: tuple[tuple[int, str, str, int, str], ...]
    argument: tuple[int, str, str, int, str] | None
    reach: int  # splits of a goroutine's values that reach every slot read


# A Told made without its class's Python-level __new__ (one is made per goroutine read).
_told = tuple.__new__


def reads_for(plan: WaitPlan, frames: Sequence[FrameInfo], stack: Stack) -> Reads:
    raw = stack.frames

    def one(i: int, kind: str, off: int) -> tuple[int, str, str, int, str]:
        return (raw[i].slot, raw[i].args, kind, off, frames[i].func)

    witnesses = tuple(one(i, kind, off) for i, kind, off in plan.witnesses)
    argument = one(plan.argument, plan.kind, 0) if plan.argument is not None else None
    slots = [w[0] for w in witnesses] + ([argument[0]] if argument is not None else [])
    return Reads(witnesses, argument, max(slots, default=-1) + 1)


def read_object(values: str, reads: Reads, value: ValueReader) -> tuple[Told | None, str]:
    """What a goroutine's stack says it waits on (None: it does not tell), from its
    argument texts (`values`), and why the wait's own frames did not tell (when they did
    not)."""
    return read_texts(texts_read(values, reads), reads, value)


def texts_read(values: str, reads: Reads) -> list[str]:
    """The argument texts of a goroutine (its Goroutine.values) that `reads` may read: the
    first `reads.reach`, or all when it prints fewer. Its answer follows from them alone."""
    # One split reaches every slot read: the goroutines of the bench dumps print ~28
    # texts, the slots read are the top few (split in C, not found one by one).
    return values.split(ARGS_SEP, reads.reach)[: reads.reach] if reads.reach else []


def read_texts(texts: Sequence[str], reads: Reads, value: ValueReader) -> tuple[Told | None, str]:
    n = len(texts)
    get = value.get
    why = NOT_PRINTED
    for slot, args, kind, off, via in reads.witnesses:
        text = texts[slot] if 0 <= slot < n else args
        v = get(text)
        if v is None:
            v = value[text]
        if isinstance(v, int):
            return _told(Told, (EXACT, v - off, kind, via)), why
        why = _worse(why, v)
    if reads.argument is not None:
        slot, args, kind, _off, via = reads.argument
        text = texts[slot] if 0 <= slot < n else args
        v = get(text)
        if v is None:
            v = value[text]
        if isinstance(v, int):
            return _told(Told, (ARGUMENT, v, kind, via)), why
        return None, _worse(why, v)
    return None, why


def _worse(why: str, other: str) -> str:
    """The reason to give: a `?` says most (the value was there, not to be trusted), an
    inlined call next."""
    order = (MARKED, INLINED, NOT_PRINTED)
    return min(why, other, key=order.index)
