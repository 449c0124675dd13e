"""Clusters, sub-groups, families and matching across dumps, on hand-made dumps."""

from __future__ import annotations

import dataclasses
import json
import random
import time
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gtriage import cluster, compare, families
from gtriage.cluster import signature_of
from gtriage.families import FAMILY_SIMILARITY, lcs_length, similar_enough
from gtriage.model import Goroutine, Stack
from gtriage.pipeline import analyze_text
from gtriage.render.json import render_json
from gtriage.render.text import render_text
from gtriage.stack_points import NO_FRAME
from manifests import SAMPLES


def block(gid: int, state: str, frames: list[tuple[str, str, str]], creator: str = "main.main", parent: int = 1) -> str:
    body = "".join(f"{f}({a})\n\t/app/{loc} +0x1d\n" for f, a, loc in frames)
    return f"goroutine {gid} [{state}]:\n{body}created by {creator} in goroutine {parent}\n\t/app/main.go:9 +0x45\n\n"


def test_values_ids_and_creators_do_not_split_a_cluster() -> None:
    text = (
        block(10, "chan receive", [("main.worker", "0xc000010000", "w.go:5")], "main.spawnA", 1)
        + block(11, "chan receive", [("main.worker", "0xc000020000", "w.go:5")], "main.spawnB", 7)
        + block(12, "chan receive", [("main.worker", "0xc000020000", "w.go:5")], "main.spawnB", 7)
    )
    report = analyze_text(text)
    assert len(report.clusters) == 1
    c = report.clusters[0]
    assert c.goroutine_ids == (10, 11, 12)
    # Two creators: two stack shapes (sub-groups) inside the one cluster.
    assert [s.count for s in c.stacks] == [2, 1]
    assert c.stacks[0].exact_groups == 1  # same argument words
    assert c.created_by is not None
    assert c.created_by.func == "main.spawnB"


def test_state_splits_clusters() -> None:
    text = block(10, "chan receive", [("main.worker", "0x1", "w.go:5")]) + block(
        11, "chan send", [("main.worker", "0x1", "w.go:5")]
    )
    assert sorted(c.state for c in analyze_text(text).clusters) == ["chan receive", "chan send"]


def test_blocked_at_skips_runtime_and_stdlib() -> None:
    text = block(
        10,
        "sync.Mutex.Lock",
        [
            ("sync.runtime_SemacquireMutex", "0x1?, 0x0?, 0x1?", "../go/src/runtime/sema.go:95"),
            ("sync.(*Mutex).lockSlow", "0xc000010000", "../go/src/sync/mutex.go:149"),
            ("main.(*Store).Get", "0xc000010000", "store.go:14"),
        ],
    ).replace("/app/../go/", "/usr/local/go/")
    c = analyze_text(text).clusters[0]
    assert (c.blocked_at.func, c.blocked_at.line) == ("main.(*Store).Get", 14)
    assert c.frames[0].origin == "stdlib"


def test_families_relate_near_identical_clusters() -> None:
    # The same function blocked at two neighbouring lines, and a recursion of two depths.
    rec = [("main.walk", "0x1", "walk.go:20")]
    text = (
        block(10, "chan receive", [("main.poll", "0x1", "poll.go:30")])
        + block(11, "chan receive", [("main.poll", "0x1", "poll.go:31")])
        + block(12, "chan receive", [("main.leaf", "0x1", "walk.go:26"), *rec * 30])
        + block(13, "chan receive", [("main.leaf", "0x1", "walk.go:27"), *rec * 31])
        + block(14, "select", [("main.other", "", "o.go:3")])
    )
    report = analyze_text(text)
    fam = {c.blocked_at.location: c.family for c in report.clusters}
    assert len(report.clusters) == 5  # a family never hides its clusters
    assert fam["/app/poll.go:30"] == fam["/app/poll.go:31"] is not None
    assert fam["/app/walk.go:26"] == fam["/app/walk.go:27"] is not None
    assert fam["/app/poll.go:30"] != fam["/app/walk.go:26"]
    assert fam["/app/o.go:3"] is None
    assert report.families == 2


def test_growth_against_the_previous_dump() -> None:
    one = block(10, "chan receive", [("main.worker", "0x1", "w.go:5")])
    two = one + block(11, "chan receive", [("main.worker", "0x2", "w.go:5")])
    report = analyze_text(one + "INFO later\n\n" + two)
    c = report.clusters[0]
    assert c.count == 2
    assert c.previous_count == 1
    assert (c.status, c.delta) == ("grew", 1)
    assert any("grew by +1 since the previous dump (from 1 to 2)" in w for w in c.why)


# ---------------------------------------------------------------- bounded similarity
# Dumps are untrusted: family matching compares signatures pairwise, each comparison costs
# the product of their lengths, so what it compares is bounded and a bound reached is said
# in the report. Each dump below took minutes before (timings of the unbounded code).


def plain(gid: int, funcs: list[str], state: str = "chan receive") -> str:
    # A function's call site is on one line whatever its depth, as in a real dump.
    body = "".join(f"{f}(...)\n\t/x/y.go:{12 + len(f)} +0x1d\n" for f in funcs)
    return f"goroutine {gid} [{state}]:\n{body}\n"


def long_names() -> str:
    # 30 goroutines, each blocked in a function with a 60 KB name of its own (was 50 s).
    return "".join(plain(i, [f"main.f{i}_" + "a" * 60_000]) for i in range(1, 31))


def nested_parentheses() -> str:
    # A debug=1 frame of 10^6 nested parentheses, its cluster compared with itself (was 60-100 s).
    return (
        "goroutine profile: total 1\n1 @ 0x47c70e 0x410f8b\n"
        "#\t0x47c70d\tmain.f" + "(" * 10**6 + ")" * 10**6 + "+0x2d\t/x/y.go:12\n\n"
    )


def shuffled_stacks() -> str:
    # 2,000 clusters with 100 frames each in an order of their own: signatures of ~1,000
    # characters that all have to be compared (was 120 s).
    rng = random.Random(1)
    names = [f"main.g{j}" for j in range(200)]
    return "".join(plain(i, [f"main.top{i}", *rng.sample(names, 99)]) for i in range(1, 2001))


HOSTILE = [
    pytest.param(long_names, "signature_chars", 10.0, id="names of 60 KB"),
    pytest.param(nested_parentheses, "signature_chars", 10.0, id="a debug=1 frame of 10^6 parentheses"),
    pytest.param(shuffled_stacks, "family_comparisons", 60.0, id="2,000 shuffled deep stacks", marks=pytest.mark.slow),
]


@pytest.mark.parametrize(("make", "limit", "seconds"), HOSTILE)
def test_family_matching_is_bounded(make: Callable[[], str], limit: str, seconds: float) -> None:
    text = make()
    t = time.perf_counter()
    report = analyze_text(text)
    elapsed = time.perf_counter() - t
    assert limit in [lim.name for lim in report.limits]
    assert elapsed < seconds


def test_families_among_the_largest_clusters_only_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(families, "FAMILY_LIMIT", 3)
    text = "".join(plain(i, [f"main.h{i}"]) for i in range(1, 6))
    report = analyze_text(text)
    assert [lim.name for lim in report.limits] == ["family_clusters"]
    assert "3 largest of 5 clusters" in report.limits[0].message
    assert "warning: limit reached: families were looked for among the 3 largest" in render_text(report)
    assert json.loads(render_json(report))["limits"][0]["name"] == "family_clusters"


def test_a_spent_budget_still_joins_identical_stacks(monkeypatch: pytest.MonkeyPatch) -> None:
    # No comparison is affordable: same-function stacks (one function at several lines)
    # still form their family, near-identical ones no longer do, and the report says so.
    monkeypatch.setattr(families, "SIMILARITY_BUDGET", 0)
    text = (
        block(10, "chan receive", [("main.poll", "0x1", "poll.go:30")])
        + block(11, "chan receive", [("main.poll", "0x1", "poll.go:31")])
        + block(12, "chan receive", [("main.leaf", "0x1", "walk.go:26"), *[("main.walk", "0x1", "walk.go:20")] * 30])
        + block(13, "chan receive", [("main.leaf", "0x1", "walk.go:27"), *[("main.walk", "0x1", "walk.go:20")] * 31])
    )
    report = analyze_text(text)
    fam = {c.blocked_at.location: c.family for c in report.clusters}
    assert fam["/app/poll.go:30"] == fam["/app/poll.go:31"] is not None
    assert fam["/app/walk.go:26"] is None
    assert "family_comparisons" in [lim.name for lim in report.limits]


def test_a_spent_budget_still_matches_the_previous_dump_by_place(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(families, "SIMILARITY_BUDGET", 0)
    monkeypatch.setattr(compare, "SIMILARITY_BUDGET", 0)
    one = block(10, "chan receive", [("main.worker", "0x1", "w.go:5")])
    moved = block(20, "chan receive", [("main.worker2", "0x1", "w.go:7")])
    report = analyze_text(one + moved + "INFO later\n\n" + one + block(11, "chan receive", [("main.worker", "0x1", "w.go:5")]) + block(21, "chan receive", [("main.worker2", "0x1", "w.go:8")]))
    by_func = {c.blocked_at.func: c for c in report.clusters}
    assert by_func["main.worker"].previous_count == 1  # same place: no comparison needed
    assert by_func["main.worker2"].previous_count is None  # moved a line: not compared
    assert by_func["main.worker2"].status == "new"
    assert "previous_comparisons" in [lim.name for lim in report.limits]


def test_no_limit_on_an_ordinary_dump() -> None:
    report = analyze_text((SAMPLES / "demo.txt").read_text())
    assert report.limits == ()
    assert json.loads(render_json(report))["limits"] == []


@pytest.mark.parametrize(
    ("funcs", "cut"),
    [
        (["main.f"], False),
        (["main." + "a" * 300], True),  # one name past SIGNATURE_FUNC_CHARS
        ([f"main.f{i:04}" for i in range(500)], True),  # 5,500 characters of names
        ([f"main.f{i:04}" for i in range(100_000)], True),  # cut without reading them all
    ],
    ids=["short", "long name", "long stack", "100,000 frames"],
)
def test_signatures_are_cut(funcs: list[str], cut: bool) -> None:
    frames = [dataclasses.replace(NO_FRAME, func=f) for f in funcs]
    sig, was_cut = signature_of(frames)
    assert was_cut is cut
    assert len(sig) <= cluster.SIGNATURE_CHARS
    assert sig.startswith(funcs[0][: cluster.SIGNATURE_FUNC_CHARS])


def test_common_characters_bound_the_ratio_rapidfuzz_computes() -> None:
    # _Signatures._could_match drops a pair whose character counts cannot reach the
    # similarity: the bound must never be under rapidfuzz's own ratio.
    from collections import Counter

    from rapidfuzz import fuzz

    rng = random.Random(7)
    alphabet = ["a", "b", "c", ".", "\n", "é", "(*T)", "main.", "runtime.gopark"]
    for _ in range(5000):
        a = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        b = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        if not a or not b:
            continue
        bound = 200 * families._common_chars(Counter(a), Counter(b)) / (len(a) + len(b))
        assert fuzz.ratio(a, b) <= bound + 1e-9, (a, b)


@pytest.mark.parametrize("work", [0, 300, families.PREFILTER_WORK])
def test_families_are_the_same_whatever_the_prefilter_left_out(work: int, monkeypatch: pytest.MonkeyPatch) -> None:
    # Near-identical clusters (a family), clusters of one state that are not, and the
    # samples: the same families with no prefilter, one cut short mid-window, and the whole.
    rec = [("main.walk", "0x1", "walk.go:20")]
    text = (
        block(10, "chan receive", [("main.poll", "0x1", "poll.go:30")])
        + block(11, "chan receive", [("main.poll", "0x1", "poll.go:31")])
        + block(12, "chan receive", [("main.leaf", "0x1", "walk.go:26"), *rec * 30])
        + block(13, "chan receive", [("main.leaf", "0x1", "walk.go:27"), *rec * 31])
        + block(14, "chan receive", [("main.other", "", "o.go:3")])
    )
    before = [json.loads(render_json(analyze_text(t))) for t in (text, (SAMPLES / "demo.txt").read_text())]
    monkeypatch.setattr(families, "PREFILTER_WORK", work)
    after = [json.loads(render_json(analyze_text(t))) for t in (text, (SAMPLES / "demo.txt").read_text())]
    assert after == before
    assert before[0]["families"] == 2


def _lcs_by_table(a: str, b: str) -> int:
    """The textbook dynamic programme, to check the bit-parallel one against."""
    row = [0] * (len(b) + 1)
    for ch in a:
        diag = 0
        for j, other in enumerate(b, 1):
            diag, row[j] = row[j], diag + 1 if ch == other else max(row[j], row[j - 1])
    return row[-1]


_SIG_TEXT = st.text(alphabet="abc.()*/\n\u00e9\U0001f600", max_size=60)


@given(_SIG_TEXT, _SIG_TEXT)
def test_lcs_length_is_the_longest_common_subsequence(a: str, b: str) -> None:
    assert lcs_length(a, b) == _lcs_by_table(a, b) == lcs_length(b, a)


@given(_SIG_TEXT, _SIG_TEXT)
def test_similar_enough_is_rapidfuzz_s_decision(a: str, b: str) -> None:
    from rapidfuzz import fuzz, process

    found = process.extract(a, [b], scorer=fuzz.ratio, score_cutoff=FAMILY_SIMILARITY, limit=None)
    assert similar_enough(a, b) == bool(found) or not (a and b)


@pytest.mark.parametrize("n", [1, 7, 100, 2000])
def test_similar_enough_at_the_boundary_agrees_with_rapidfuzz(n: int) -> None:
    """Exactly 90 (20 * LCS = 9 * the lengths) is similar; one character more is not."""
    from rapidfuzz import fuzz

    a = "f\n" * (9 * n)
    for extra, expected in ((2 * n * 2, True), (2 * n * 2 + 1, False)):
        b = a + "x" * extra
        assert similar_enough(a, b) is expected
        assert (fuzz.ratio(a, b) >= FAMILY_SIMILARITY) is expected


@pytest.mark.parametrize("name", ["locks.sigquit-system.txt", "leaky.sigquit-all.txt", "locks.debug1.txt"])
def test_families_are_the_same_with_or_without_rapidfuzz_loaded(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """The Python comparison and rapidfuzz's give the same families on dumps that have some."""
    import sys

    import rapidfuzz.process  # noqa: F401  (loaded: every pair goes to rapidfuzz)

    text = (SAMPLES / "dumps/go1.27" / name).read_text()
    with_rf = [(c.blocked_at.func, c.blocked_at.line, c.family) for c in analyze_text(text).clusters]
    monkeypatch.delitem(sys.modules, "rapidfuzz.process")
    monkeypatch.setattr(families, "PYTHON_LCS_CHARS", 10**9)
    in_python = [(c.blocked_at.func, c.blocked_at.line, c.family) for c in analyze_text(text).clusters]
    assert in_python == with_rf
    assert any(f is not None for _f, _l, f in with_rf)


def _repeated_ids() -> tuple[list[Goroutine], Stack, Stack]:
    """Goroutine 7 printed three times: twice on one stack, once on another."""
    a, b = Stack(()), Stack((), elided=True)
    made = [
        Goroutine(7, "running", a, 10),
        Goroutine(8, "running", a, 20),
        Goroutine(7, "running", a, 30),
        Goroutine(7, "running", b, 40),
    ]
    return made, a, b


def test_a_repeated_id_is_left_out_unless_its_stack_was_logged_on_another_stack() -> None:
    gs, a, b = _repeated_ids()
    plain = cluster.by_stack(gs)
    assert [[g.line for g in m] for m in plain.values()] == [[10, 20]]
    # Logged with a panic each (a connection's goroutine serves request after request):
    # a stack of its own counts; the same stack again does not.
    logged = cluster.by_stack(gs, {(7, 30), (7, 40)})
    assert {k[0]: [g.line for g in m] for k, m in logged.items()} == {id(a): [10, 20], id(b): [40]}
    # Only the stacks logged: the same lines unlogged are left out as ever.
    assert cluster.by_stack(gs, {(7, 10)}) == plain

