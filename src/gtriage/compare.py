"""Clusters of a newer dump matched with those of an earlier one: by identity first (what
the cluster is, whatever the paths, module versions and Go release), approximately only
with evidence (the same function, a moved line or a renamed file), never two different
functions of the program."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict, deque

from .cluster import RawCluster, signature_of
from .families import FAMILY_SIMILARITY, PAIR_COST, SIMILARITY_BUDGET, SimilarityWork
from .frame_info import FrameInfo, Origin
from .record import dataclass

TYPE_CHECKING = False  # typing's own costs every run ~4 ms to import; type checkers read this as True
if TYPE_CHECKING:
    from collections.abc import Sequence

# An approximate match needs the same function, in the same state, blocked at most this many
# lines from where it was (an edit above it moved it), or in a renamed file.
MOVED_LINES = 100


@dataclass(frozen=True, slots=True)
class PreviousMatch:
    """The cluster of the previous dump that a cluster of the newer one is."""

    count: int
    blocked_at: FrameInfo
    state: str
    # None when matched by identity; else what it was matched to and why, in words
    # ("main.poll at poll.go:30 (chan receive): the line moved from 30 to 31; stacks 97% alike").
    approximate: str | None = None
    index: int = -1  # of the matched cluster in the previous dump's list


@dataclass(slots=True)
class Comparison:
    """Clusters of a newer dump matched with those of the previous one."""

    matches: dict[int, PreviousMatch]  # id(cluster of the newer dump) -> its match
    gone: list[RawCluster]  # clusters of the previous dump that nothing matched, largest first


def _file_name(file: str) -> str:
    """The file's name without its folders: paths differ between machines, -trimpath and
    module versions (…/x@v1.2.3/f.go), the name does not."""
    return file.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]


def identity(c: RawCluster, *, line: bool = True) -> tuple[str, str, int, str]:
    """What a cluster is across dumps: blocked-at function, file name, line and state (sync
    waits spelled as in every Go release). The line always counts in the program's own code;
    elsewhere (runtime, standard library, modules) it changes with the Go release or module
    version and counts only with `line` (where two clusters would otherwise be one)."""
    f = c.blocked_at
    # Not FrameInfo.is_program_code: a module's lines move with its version, like Go's.
    own = f.origin is Origin.MAIN
    return (f.func, _file_name(f.file), f.line if own or line else 0, same_state(c.state))


# Go 1.19 says "semacquire" for every sync wait that Go 1.20+ names (sync.Mutex.Lock, ...).
_SYNC_STATES = frozenset({
    "semacquire", "sync.Mutex.Lock", "sync.RWMutex.RLock", "sync.RWMutex.Lock",
    "sync.WaitGroup.Wait", "sync.Cond.Wait",
})


def same_state(state: str) -> str:
    """A wait reason as every Go release spells it: the sync waits as Go 1.19's "semacquire"."""
    base = state.removesuffix(" (durable)")
    if base in _SYNC_STATES:
        return "semacquire" + state[len(base):]
    return state


def _keys(clusters: Sequence[RawCluster]) -> list[tuple[str, str, int, str]]:
    """identity without the line for code other than the program's own where that still
    tells the dump's clusters apart, with it where two would share one."""
    loose = Counter(identity(c, line=False) for c in clusters)
    return [identity(c, line=loose[identity(c, line=False)] > 1) for c in clusters]


def match_previous(
    current: Sequence[RawCluster], previous: Sequence[RawCluster], work: SimilarityWork | None = None
) -> Comparison:
    """Match every cluster of `current` with one of an earlier dump, at most one each.

    By identity first (`identity`: paths, module versions and Go releases do not count).
    What is left is matched approximately only with the same function in the same state:
    blocked at a nearby line of the same file name (MOVED_LINES) with stacks at least
    FAMILY_SIMILARITY alike (rapidfuzz), else in a file of another name with the very same
    stack's functions. Two different functions are never one cluster. Comparisons are
    bounded by SIMILARITY_BUDGET, as in assign_families.
    """
    work = work if work is not None else SimilarityWork()
    out, used = _match_by_identity(current, previous)
    left = _Unmatched(previous, used, work)
    for i, c in enumerate(sorted(current, key=lambda c: -c.count)):  # i: clusters compared
        if work.previous_compared is not None:
            break  # the budget is spent: the rest stay matched by identity only
        if id(c) in out:
            continue
        found = left.find(c, i)
        if found is None:
            continue
        score, j = found
        p = previous[j]
        used.add(j)
        out[id(c)] = PreviousMatch(p.count, p.blocked_at, p.state, _how(c.blocked_at, p, score), j)
    gone = sorted((p for j, p in enumerate(previous) if j not in used), key=lambda p: -p.count)
    return Comparison(out, gone)


def _match_by_identity(
    current: Sequence[RawCluster], previous: Sequence[RawCluster]
) -> tuple[dict[int, PreviousMatch], set[int]]:
    """The matches by identity, and the indices of the previous clusters they took."""
    out: dict[int, PreviousMatch] = {}
    used: set[int] = set()
    cur_keys = _keys(current)
    # A key two clusters of either dump share (a file name in two folders) is no identity.
    cur_n = Counter(cur_keys)
    by_key: dict[tuple[str, str, int, str], list[int]] = defaultdict(list)
    for j, k in enumerate(_keys(previous)):
        by_key[k].append(j)
    for c, k in zip(current, cur_keys, strict=True):
        js = by_key.get(k, [])
        if len(js) == 1 and cur_n[k] == 1:
            p = previous[js[0]]
            out[id(c)] = PreviousMatch(p.count, p.blocked_at, p.state, index=js[0])
            used.add(js[0])
    return out, used


class _Unmatched:
    """The previous dump's clusters left after identity, looked up for approximate matches:
    a moved line among the lines of the same function, state and file name (sorted, within
    MOVED_LINES either side, compared with rapidfuzz); a renamed file by the very same
    stack's functions. `used` is shared with the caller; the budget is spent as it goes."""

    def __init__(self, previous: Sequence[RawCluster], used: set[int], work: SimilarityWork) -> None:
        self.previous = previous
        self.used = used
        self.work = work
        self.budget = SIMILARITY_BUDGET
        from rapidfuzz import fuzz  # imported where used: 40 ms off every start

        self.ratio = fuzz.ratio
        self.moved: dict[tuple[str, str, str], list[tuple[int, int]]] = defaultdict(list)
        self.renamed: dict[tuple[str, str, str], deque[int]] = defaultdict(deque)
        self.sigs: dict[int, str] = {}
        for j, p in enumerate(previous):
            if j in used:
                continue
            sig, cut = signature_of(p.representative.frames)
            work.cut += cut
            self.sigs[j] = sig
            f, state = p.blocked_at, same_state(p.state)
            self.moved[(f.func, state, _file_name(f.file))].append((f.line, j))
            self.renamed[(f.func, state, sig)].append(j)
        for lines in self.moved.values():
            lines.sort()

    def find(self, c: RawCluster, i: int) -> tuple[float, int] | None:
        """The best approximate match of `c` (its score and index), or None; `i` is how
        many clusters were compared before it (recorded when the budget runs out)."""
        sig, cut = signature_of(c.representative.frames)
        self.work.cut += cut
        return self._moved_line(c, sig, i) or self._renamed_file(c, sig, i)

    def _moved_line(self, c: RawCluster, sig: str, i: int) -> tuple[float, int] | None:
        f = c.blocked_at
        best: tuple[float, int, int] | None = None  # (score, -distance, -j)
        lines = self.moved.get((f.func, same_state(c.state), _file_name(f.file)), [])
        lo = bisect_left(lines, (f.line - MOVED_LINES, -1))
        hi = bisect_right(lines, (f.line + MOVED_LINES, len(self.previous)))
        for line, j in lines[lo:hi]:
            if j in self.used:
                continue
            # Every pair costs (a hostile dump may hold thousands of one function's clusters).
            cost = len(sig) * len(self.sigs[j]) + PAIR_COST
            if cost > self.budget:
                self.work.previous_compared = i
                break
            self.budget -= cost
            score = self.ratio(sig, self.sigs[j])
            cand = (score, -abs(line - f.line), -j)
            if score >= FAMILY_SIMILARITY and (best is None or cand > best):
                best = cand
        return (best[0], -best[2]) if best is not None else None

    def _renamed_file(self, c: RawCluster, sig: str, i: int) -> tuple[float, int] | None:
        f = c.blocked_at
        name = _file_name(f.file)
        same = self.renamed.get((f.func, same_state(c.state), sig), deque())
        while same and same[0] in self.used:
            same.popleft()
        for j in same:
            if self.budget < PAIR_COST:
                self.work.previous_compared = i
                return None
            self.budget -= PAIR_COST
            if j not in self.used and _file_name(self.previous[j].blocked_at.file) != name:
                return 100.0, j  # not the same file at a far line: a rename
        return None


def _how(now: FrameInfo, before: RawCluster, score: float) -> str:
    """What an approximate match was matched to, and why: "main.poll at poll.go:30 (chan
    receive): the line moved from 30 to 31; stacks 97% alike"."""
    b = before.blocked_at
    alike = f"stacks {score:.0f}% alike"
    what = f"{b.func} at {_file_name(b.file)}:{b.line} ({before.state or 'no state'})"
    if _file_name(now.file) != _file_name(b.file):
        return f"{what}: the file was renamed from {_file_name(b.file)}; {alike}"
    if now.line != b.line:
        return f"{what}: the line moved from {b.line} to {now.line}; {alike}"
    return f"{what}: the same place in another folder; {alike}"
