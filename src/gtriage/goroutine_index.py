"""The report's passes over every goroutine of a big file read in parallel (parallel.py),
done chunk by chunk as the chunks come in, while the other processes still parse: which
goroutines share a stack object and state, how many print each set of argument values,
and what their waits tell of the objects they wait on. The report then adds up a few
hundred parts (cluster.Part) instead of going over every goroutine once the last chunk is
read, alone: 0.3 s of the 300k bench dump's ~2.8 s with two processes, now shared by both.

The parts are made with the report's own functions (cluster.by_stack, cluster.tally,
objects.part_answers) and taken in file order, so the report is the one a single pass
makes: the parallel tests compare the JSON byte for byte. What depends on GOROOT (which
frames are the program's, so where a wait shows its object) is made with the GOROOT of
the first chunk, always read first, and used only when the report's GOROOT is that one.
"""

from __future__ import annotations

from _operator import attrgetter

from .cluster import GOROUTINE_ID, Part, PartKey, by_stack, part_stats, tally
from .normalize import Normalizer, detect_goroot
from .objects import part_answers
from .record import dataclass
from .wait_reads import ValueReader, wait_plan

TYPE_CHECKING = False  # typing's own costs every run ~4 ms to import; type checkers read this as True
if TYPE_CHECKING:
    from collections.abc import Sequence

    from .frame_info import FrameInfo
    from .model import Goroutine, Snapshot
    from .wait_reads import WaitPlan

_VALUES = attrgetter("values")


@dataclass(frozen=True, slots=True)
class GoroutineIndex:
    """A snapshot's goroutines already grouped: cluster.cluster_goroutines' `parts`."""

    parts: dict[PartKey, list[Part]]
    goroot: str | None  # the one the parts' answers were read with
    total: int  # goroutines in the parts: the distinct ids, 0 left out (goroutine_total)


class Indexed(tuple["Goroutine", ...]):
    """A snapshot's goroutines that carry their index. The tuple itself carries it: a
    snapshot whose goroutines are another tuple (a filtered copy, one parse's own) has
    none, and the report goes over its goroutines."""

    grouped: GoroutineIndex  # not "index": that is tuple's own method


def index_of(snap: Snapshot) -> GoroutineIndex | None:
    goroutines = snap.goroutines
    return goroutines.grouped if isinstance(goroutines, Indexed) else None


def indexed(goroutines: tuple[Goroutine, ...], index: GoroutineIndex) -> Indexed:
    out = Indexed(goroutines)
    out.grouped = index
    return out


class Indexer:
    """The parts of a dump read in `chunks` chunks, each chunk's made when it comes in, in
    any order. The chunks' goroutines must not repeat an id (parallel.py reads such a file
    in one process) and keep their stacks: each distinct stack one object."""

    def __init__(self, first: Sequence[Goroutine], chunks: int) -> None:
        # GOROOT as the report finds it (dump_report.normalizer) when the first chunk shows it:
        # the first frame in file order that tells.
        self.goroot = detect_goroot(f for g in first for f in g.stack.frames)
        self.norm = Normalizer(self.goroot)
        self.value = ValueReader()
        self.plans: dict[PartKey, tuple[WaitPlan, tuple[FrameInfo, ...]] | None] = {}
        self.chunks: list[dict[PartKey, Part] | None] = [None] * chunks
        self.add(0, first)

    def add(self, k: int, goroutines: Sequence[Goroutine]) -> None:
        """Chunk k's parts."""
        made: dict[PartKey, Part] = {}
        for key, members in by_stack(goroutines).items():
            labels = tally(g.labels for g in members if g.labels)
            answers = None
            plan = self._plan(key, members[0])
            if plan is not None:
                answers = part_answers(members, plan[0], plan[1], self.value)
            made[key] = Part(members, labels, tally(map(_VALUES, members)), answers, part_stats(members), list(map(GOROUTINE_ID, members)))
        self.chunks[k] = made

    def _plan(self, key: PartKey, g: Goroutine) -> tuple[WaitPlan, tuple[FrameInfo, ...]] | None:
        if key in self.plans:
            return self.plans[key]
        frames = tuple(map(self.norm.info, g.stack.frames))
        plan = wait_plan(frames, key[1])
        found = self.plans[key] = (plan, frames) if plan is not None else None
        return found

    def index(self) -> GoroutineIndex:
        """Every chunk's parts, key by key in file order (each chunk must have come in)."""
        parts: dict[PartKey, list[Part]] = {}
        total = 0
        for made in self.chunks:
            assert made is not None
            for key, part in made.items():
                own = parts.get(key)
                if own is None:
                    parts[key] = [part]
                else:
                    own.append(part)
                total += len(part.goroutines)
        return GoroutineIndex(parts, self.goroot, total)
