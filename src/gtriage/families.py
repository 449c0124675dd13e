"""Families: clusters whose stacks are near-identical (the same functions at other lines,
another recursion depth), found with rapidfuzz over distinct cluster signatures, never
goroutine pairs, within bounds of work that a report states when an input reaches them.
The bounds (SimilarityWork, the budget) are shared with matching across dumps (compare.py).
"""

from __future__ import annotations

import sys
from bisect import bisect_left, bisect_right

from .cluster import SIGNATURE_CHARS, SIGNATURE_FUNC_CHARS, RawCluster, signature_of
from .record import dataclass
from .report import Limit

TYPE_CHECKING = False  # typing's own costs every run ~4 ms to import; type checkers read this as True
if TYPE_CHECKING:
    from collections.abc import Sequence

# Clusters whose stack signatures are at least this similar (0-100) form a family.
FAMILY_SIMILARITY = 90.0
# Families are computed among the largest clusters only; beyond this the tail is noise.
FAMILY_LIMIT = 2000

# The signatures' size bounds are in cluster.py (SIGNATURE_CHARS, SIGNATURE_FUNC_CHARS).
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
# Candidates' characters up to which a signature is compared in Python (lcs_length) rather
# than by rapidfuzz, while rapidfuzz is not loaded: its import costs 12-40 ms, and a dump
# with a family or two has a pair or two to compare (the 10k bench dump: one). The Python
# LCS costs ~0.3 us a character of the candidates for signatures of ~1,000 characters.
PYTHON_LCS_CHARS = 16_384


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
        self._char_counts: dict[str, dict[str, int]] = {}
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

    def similar(self, state: str, sig: str) -> list[int] | None:
        """The owner of every signature of the state at least FAMILY_SIMILARITY similar
        (fuzz.ratio); None once the budget is spent."""
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
        if "rapidfuzz.process" not in sys.modules and sum(lens[k] for k in keep) <= PYTHON_LCS_CHARS:
            return [owners[k] for k in keep if similar_enough(sig, sigs[k])]
        from rapidfuzz import fuzz, process  # imported where used: 12-40 ms off a run

        found = process.extract(sig, [sigs[k] for k in keep], scorer=fuzz.ratio, score_cutoff=s, limit=None)
        return [owners[keep[k]] for _choice, _score, k in found]

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

    def _counts(self, sig: str) -> dict[str, int]:
        c = self._char_counts.get(sig)
        if c is None:
            self.prefilter -= len(sig)
            c = self._char_counts[sig] = {ch: sig.count(ch) for ch in set(sig)}
        return c


def lcs_length(a: str, b: str) -> int:
    """The length of the longest common subsequence of two texts, computed bit-parallel
    (Allison-Dix, Hyyrö): bit i of `row` stands for a[i], and each character of b updates
    the whole row at once with integer arithmetic, so the cost is len(b) steps on integers
    of len(a) bits. The LCS is the number of bits the steps cleared."""
    if not a or not b:
        return 0
    where: dict[str, int] = {}
    for i, ch in enumerate(a):
        where[ch] = where.get(ch, 0) | (1 << i)
    full = (1 << len(a)) - 1
    row = full
    for ch in b:
        m = where.get(ch)
        if m is not None:
            u = row & m
            row = ((row + u) | (row - u)) & full
    return len(a) - row.bit_count()


def similar_enough(a: str, b: str) -> bool:
    """fuzz.ratio(a, b) >= FAMILY_SIMILARITY, exactly: the ratio is 200 * LCS / (len(a) +
    len(b)), and both sides here are whole numbers (no rounding to disagree on)."""
    return 200 * lcs_length(a, b) >= FAMILY_SIMILARITY * (len(a) + len(b))


def _common_chars(a: dict[str, int], b: dict[str, int]) -> int:
    """How many characters two texts have in common, each counted as often as the text that
    holds it less does: a bound on the length of their longest common subsequence."""
    if len(a) > len(b):
        a, b = b, a
    return sum(min(k, b.get(ch, 0)) for ch, k in a.items())


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
        for j in found:
            parent[find(j)] = find(i)
        index.add(c.state, sig, i)
    members: dict[int, list[RawCluster]] = {}
    for i, c in enumerate(ordered):
        members.setdefault(find(i), []).append(c)
    fam = 0
    for group in sorted(members.values(), key=lambda g: -sum(c.count for c in g)):
        if len(group) < 2:
            continue
        fam += 1
        for c in group:
            c.family = fam
    return fam
