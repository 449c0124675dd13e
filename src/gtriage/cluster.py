"""Group goroutines into clusters, and relate near-identical clusters with rapidfuzz.

A cluster is the goroutines that wait at the same place in the program's own code
(`blocked_at`) in the same state. Grouping is O(n) in goroutines: goroutines are first
bucketed by their shared Stack object (one per distinct stack shape), and only the distinct
stacks are normalized. Similarity (families, matching across dumps) runs over distinct
cluster signatures, never over goroutine pairs.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from .frame_info import FrameInfo, FuncName, Origin
from .model import Frame, Goroutine, Labels, Record, Stack
from .normalize import Normalizer
from .report import Limit

# Clusters whose stack signatures are at least this similar (0-100) form a family.
FAMILY_SIMILARITY = 90.0
# Families are computed among the largest clusters only; beyond this the tail is noise.
FAMILY_LIMIT = 2000

# rapidfuzz compares two signatures in time proportional to the product of their lengths,
# and similarity compares clusters pairwise, so a dump of huge names or of thousands of
# distinct stacks took minutes (50 names of 60 KB: 132 s). Every factor is bounded here;
# bounds that an input reached are reported (SimilarityWork.limits).
# A function name counts with this many characters at most, a signature with this many: the
# runtime prints names of tens of characters and at most 100 frames a stack.
SIGNATURE_FUNC_CHARS = 256
SIGNATURE_CHARS = 4096
# Comparison work allowed for families, and again for matching the previous dump: character
# pairs (the product of two signatures' lengths; rapidfuzz's bit-parallel LCS spends 25 ps
# on each for signatures of real dumps, up to 100 ps for random text) plus PAIR_COST for
# each pair (its fixed cost, 0.1-0.4 us). 0.5 s for real signatures, 2 s at worst.
SIMILARITY_BUDGET = 20_000_000_000
PAIR_COST = 4_000
# Work allowed for comparing signatures by their characters' counts first
# (_Signatures._could_match): characters counted, plus PREFILTER_PAIR for each pair (a loop
# over the characters of one: a few microseconds). ~50 ms at most; past it every pair in the
# window goes to rapidfuzz as it is.
PREFILTER_WORK = 1_000_000
PREFILTER_PAIR = 256

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
    by_stack: dict[tuple[int, str], list[Goroutine]] = defaultdict(list)
    seen: set[int] = set()
    for g in goroutines:
        if g.id == 0 or g.id in seen:
            continue
        seen.add(g.id)
        by_stack[(id(g.stack), g.state)].append(g)

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
            frames = tuple(norm.info(f) for f in stack.frames)
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
                cl.labels[g.labels] += 1
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
            cl.labels[r.labels] += r.count
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


def exact_groups(group: StackGroup) -> Counter[str]:
    """How many goroutines of a stack group share each set of argument values (a
    goroutine's `values` holds exactly its argument words)."""
    return Counter(g.values for g in group.goroutines)


@dataclass(slots=True)
class SimilarityWork:
    """What the bounds on similarity left out of one report, said as report Limits."""

    clusters: int = 0  # clusters of the dump, when more than FAMILY_LIMIT
    cut: int = 0  # signatures cut to SIGNATURE_CHARS / SIGNATURE_FUNC_CHARS
    families_compared: int | None = None  # clusters compared before the budget ran out
    previous_compared: int | None = None  # the same, matching the previous dump

    def limits(self) -> tuple[Limit, ...]:
        out: list[Limit] = []
        if self.clusters > FAMILY_LIMIT:
            out.append(Limit(
                "family_clusters",
                FAMILY_LIMIT,
                f"families were looked for among the {FAMILY_LIMIT:,} largest of {self.clusters:,} clusters",
            ))
        if self.families_compared is not None:
            out.append(Limit(
                "family_comparisons",
                SIMILARITY_BUDGET,
                f"families: the comparison budget ran out after the {self.families_compared:,} largest "
                "clusters; the smaller ones joined a family only when their stack's functions were identical",
            ))
        if self.previous_compared is not None:
            out.append(Limit(
                "previous_comparisons",
                SIMILARITY_BUDGET,
                f"matching the previous dump: the comparison budget ran out after {self.previous_compared:,} "
                "clusters; the others were matched only by where they are blocked",
            ))
        if self.cut:
            out.append(Limit(
                "signature_chars",
                SIGNATURE_CHARS,
                f"{self.cut:,} stack signatures were compared cut to {SIGNATURE_CHARS:,} characters "
                f"({SIGNATURE_FUNC_CHARS} a function name)",
            ))
        return tuple(out)


class _Signatures:
    """Signatures by state, each state's sorted by length, compared under a work budget.

    fuzz.ratio is 200 * LCS / (len(a) + len(b)), so a similarity of S needs the shorter
    signature to be at least S / (200 - S) of the longer (9/11 at 90): only that window of
    lengths is compared, and nothing is lost by it.
    """

    def __init__(self, budget: int, items: Sequence[tuple[str, str, int]] = ()) -> None:
        """`items`: (state, signature, owner) known from the start, sorted once."""
        self.budget = budget
        self.exhausted = False
        self.prefilter = PREFILTER_WORK  # what _could_match may still do
        self._char_counts: dict[str, Counter[str]] = {}
        # state -> (lengths, signatures, owners), sorted by length
        self._by_state: dict[str, tuple[list[int], list[str], list[int]]] = {}
        for state, sig, owner in sorted(items, key=lambda it: len(it[1])):
            lens, sigs, owners = self._by_state.setdefault(state, ([], [], []))
            lens.append(len(sig))
            sigs.append(sig)
            owners.append(owner)

    def add(self, state: str, sig: str, owner: int) -> None:
        lens, sigs, owners = self._by_state.setdefault(state, ([], [], []))
        at = bisect_right(lens, len(sig))
        lens.insert(at, len(sig))
        sigs.insert(at, sig)
        owners.insert(at, owner)

    def similar(self, state: str, sig: str) -> list[tuple[float, int]] | None:
        """(score, owner) of every signature of the state at least FAMILY_SIMILARITY
        similar; None once the budget is spent."""
        if self.exhausted:
            return None
        bucket = self._by_state.get(state)
        if bucket is None:
            return []
        lens, sigs, owners = bucket
        n, s = len(sig), FAMILY_SIMILARITY
        # Rounded outwards: a window too wide costs time, never a match.
        lo = bisect_left(lens, int(n * s / (200 - s)))
        hi = bisect_right(lens, int(n * (200 - s) / s) + 1)
        if lo >= hi:
            return []
        cost = n * sum(lens[lo:hi]) + PAIR_COST * (hi - lo)
        if cost > self.budget:
            self.exhausted = True
            return None
        self.budget -= cost
        keep = self._could_match(sig, sigs, lo, hi)
        if not keep:
            return []
        from rapidfuzz import fuzz, process  # imported where used: 12-40 ms off a run

        found = process.extract(sig, [sigs[k] for k in keep], scorer=fuzz.ratio, score_cutoff=s, limit=None)
        return [(score, owners[keep[k]]) for _choice, score, k in found]

    def _could_match(self, sig: str, sigs: list[str], lo: int, hi: int) -> list[int]:
        """The indices in [lo, hi) of the signatures that may be FAMILY_SIMILARITY similar
        to sig. The LCS of two texts holds each character at most as often as the text that
        holds it less, so 200 * that sum / (len(a) + len(b)) bounds fuzz.ratio: a pair under
        the similarity by it is not one. Most dumps have no family, and then rapidfuzz is
        never imported. This Python work is bounded (PREFILTER_WORK); past it, the pairs go
        to rapidfuzz as they are."""
        if self.prefilter <= 0:
            return list(range(lo, hi))
        counts = self._counts(sig)
        n, s = len(sig), FAMILY_SIMILARITY
        keep: list[int] = []
        for k in range(lo, hi):
            if self.prefilter <= 0:
                keep.extend(range(k, hi))
                break
            self.prefilter -= PREFILTER_PAIR
            if 200 * _common_chars(counts, self._counts(sigs[k])) >= s * (n + len(sigs[k])):
                keep.append(k)
        return keep

    def _counts(self, sig: str) -> Counter[str]:
        c = self._char_counts.get(sig)
        if c is None:
            self.prefilter -= len(sig)
            c = self._char_counts[sig] = Counter(sig)
        return c


def _common_chars(a: Counter[str], b: Counter[str]) -> int:
    """How many characters two texts have in common, each counted as often as the text that
    holds it less does: a bound on the length of their longest common subsequence."""
    if len(a) > len(b):
        a, b = b, a
    return sum(min(k, b[ch]) for ch, k in a.items())


def assign_families(clusters: Sequence[RawCluster], work: SimilarityWork | None = None) -> int:
    """Give clusters with near-identical stacks (same state) a shared family number.

    Returns how many families have two or more clusters. Clusters whose signatures are
    identical join without a comparison; the others are compared largest first, each with
    the signatures of its state and of a length that could match, until the comparison
    budget is spent. `work` records which bounds were reached.
    """
    work = work if work is not None else SimilarityWork()
    ordered = sorted(clusters, key=lambda c: -c.count)
    if len(ordered) > FAMILY_LIMIT:
        work.clusters = len(ordered)
        ordered = ordered[:FAMILY_LIMIT]
    parent = list(range(len(ordered)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    index = _Signatures(SIMILARITY_BUDGET)
    first: dict[tuple[str, str], int] = {}
    for i, c in enumerate(ordered):
        sig, cut = signature_of(c.representative.frames)
        work.cut += cut
        if not sig:
            continue
        same = first.setdefault((c.state, sig), i)
        if same != i:
            parent[find(i)] = find(same)  # compared as one: the first found every match
            continue
        found = index.similar(c.state, sig)
        if found is None:
            if work.families_compared is None:
                work.families_compared = i
            continue
        for _score, j in found:
            parent[find(j)] = find(i)
        index.add(c.state, sig, i)
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
