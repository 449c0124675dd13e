"""Clusters and ranks on every sample: each group the program made is one cluster."""

from __future__ import annotations

import functools
from typing import Any

import pytest

from gtriage.pipeline import analyze
from gtriage.report import Report
from manifests import SAMPLE_LIST, SAMPLES, Sample, clusters_of_group

# Files made of several captures describe groups of more than one process.
SINGLE = [s for s in SAMPLE_LIST if not s.manifest.get("parts") and not s.manifest.get("truncated")]


@functools.cache
def _report(sample: Sample) -> Report:
    return analyze(str(sample.dump))


CASES = [(s, g) for s in SINGLE for g in s.groups]


@pytest.mark.parametrize(
    ("sample", "group"), CASES, ids=lambda x: x.id if isinstance(x, Sample) else x["key"]
)
def test_each_group_is_exactly_one_cluster(sample: Sample, group: dict[str, Any]) -> None:
    report = _report(sample)
    found = clusters_of_group(report, group)
    assert len(found) == 1, [(c.state, c.count) for c in found]
    c = found[0]
    assert c.count == group["count"]
    if sample.format != "debug1":
        assert c.state == group["state"]
        assert list(c.goroutine_ids) == sorted(group["ids"])
        assert c.minutes_min >= group.get("min_minutes", 0)
        assert c.locked_to_thread == group.get("locked_to_thread", 0)
        assert c.leaked == group.get("leaked", 0)
    if group.get("labels") and (sample.manifest.get("header_labels") or sample.format == "debug1"):
        assert any(dict(lc.labels) == group["labels"] for lc in c.labels)


LEAKY = [s for s in SINGLE if s.manifest.get("program") == "leaky"]


@pytest.mark.parametrize("sample", LEAKY, ids=lambda s: s.id)
def test_leak_clusters_rank_above_background(sample: Sample) -> None:
    report = _report(sample)
    leak_states = {"chan receive", "chan send", "select", "sync.Mutex.Lock", "sync.Cond.Wait"}
    leaks = [
        c for g in sample.groups if g.get("state") in leak_states for c in clusters_of_group(report, g)
    ]
    background = [c for c in report.clusters if c.healthy]
    assert leaks
    assert background, "a real dump always has runtime or stdlib background goroutines"
    assert max(c.rank for c in leaks) < min(c.rank for c in background)
    # The biggest leak the program made comes first.
    biggest = max(sample.groups, key=lambda g: g["count"])
    assert clusters_of_group(report, biggest)[0].rank == 1


CRASHES = [s for s in SINGLE if s.manifest.get("crash")]


def _known_part(got: str, want: str) -> str:
    """`want` when `got` is it followed by the tests still running: a `go test -timeout`
    panic (Go 1.21+) goes on "running tests:\n\tTestHang (2s)", which the test program,
    writing its manifest before the timeout, cannot know. Any other message is kept."""
    return want if got.startswith(want + "\nrunning tests:\n") else got


@pytest.mark.parametrize("sample", CRASHES, ids=lambda s: s.id)
def test_crash_cluster_ranks_first(sample: Sample) -> None:
    report = _report(sample)
    want = sample.manifest["crash"]
    assert report.crash is not None
    # The panic chain as this Go version printed it: each message, recovered, repanicked.
    assert len(report.crash.panics) == len(want["panics"])
    got = [
        (_known_part(p.message, w["message"]), p.recovered, p.repanicked)
        for p, w in zip(report.crash.panics, want["panics"], strict=True)
    ]
    assert got == [(w["message"], w["recovered"], w["repanicked"]) for w in want["panics"]]
    assert report.crash.fatal_error == want["fatal_error"]
    if want.get("signal"):
        assert report.crash.signal is not None
        assert report.crash.signal.split(":", 1)[0] == want["signal"]
    else:
        assert report.crash.signal is None
    if want.get("goroutine") is not None:
        assert report.crash.goroutine == want["goroutine"]
    if want.get("goroutine") and not want.get("fatal_error"):
        top = report.clusters[0]
        assert want["goroutine"] in top.goroutine_ids
        assert top.crashed
        at = want["panic_at"]
        assert top.blocked_at.func == at["func"]
        assert top.blocked_at.line == at["line"]


RACES = [s for s in SINGLE if s.manifest.get("races")]


@pytest.mark.parametrize("sample", RACES, ids=lambda s: s.id)
def test_race_samples_fill_races(sample: Sample) -> None:
    report = _report(sample)
    assert len(report.races) == len(sample.manifest["races"])
    for got, want in zip(report.races, sample.manifest["races"], strict=True):
        assert got.access.op == want["access"]["op"]
        assert got.previous.op == want["previous"]["op"]
        assert got.access.frames[0].origin == "main"


def test_a_debug1_profile_without_its_total_line_counts_its_records() -> None:
    """A debug=1 paste that lost its "goroutine profile: total N" line: the snapshot counts
    the goroutines of its records, as the report's total does (regression: it said 0)."""
    from gtriage.pipeline import analyze_text

    text = (SAMPLES / "dumps/go1.27/leaky.debug1.txt").read_text()
    total = int(text.split("\n", 1)[0].rsplit(" ", 1)[1])
    r = analyze_text(text.split("\n", 1)[1])
    assert r.goroutines == total
    assert [s.goroutines for s in r.snapshots] == [total]
