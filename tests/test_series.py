"""A series of dumps: the verdict of a cluster's counts, its growth a minute, the time order of
the dumps, and clusters followed from dump to dump (also one that goes and comes back).

The verdict table is the contract's wording (docs/report-contract.md, "A series of dumps");
the dumps are real captures of samples/leakrate (counts known by construction).
"""

from __future__ import annotations

import pytest

from gtriage.cluster import RawCluster
from gtriage.dump_report import own_clusters
from gtriage.parse import parse_text
from gtriage.report import Moment, last_process_start
from gtriage.series import (
    FLUCTUATES,
    GROWS_STEADILY,
    LATE_RISE,
    NEW,
    PLATEAU,
    SHRINKS,
    STEADY,
    TRANSIENT,
    Tracker,
    growth_per_minute,
    put_in_order,
    trend_of,
    verdict,
)
from manifests import SAMPLES

SERIES = [SAMPLES / f"series/leakrate.t{i}.txt" for i in range(5)]


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ((0, 10, 20, 30, 40), GROWS_STEADILY),
        ((0, 10, 10, 20, 30), GROWS_STEADILY),  # a pause between polls is still growth
        ((0, 0, 0, 10, 20), GROWS_STEADILY),
        ((0, 4, 8, 12, 12), PLATEAU),
        ((0, 5, 5, 5, 5), PLATEAU),
        ((0, 0, 0, 0, 5), NEW),
        ((5, 5, 5, 5, 9), LATE_RISE),
        ((5, 5, 5), STEADY),
        ((9, 7, 7, 3), SHRINKS),
        ((0, 0, 6, 6, 0), TRANSIENT),
        ((3, 9, 2), TRANSIENT),
        ((5, 8, 6, 9, 7), FLUCTUATES),
        ((0, 10), None),  # two dumps are a comparison, not a series
        ((7,), None),
    ],
)
def test_verdict(counts: tuple[int, ...], expected: str | None) -> None:
    assert verdict(counts) == expected


def moments(*times: float | None, clock: str = "file modification time") -> list[Moment]:
    return [Moment(f"d{i}.txt", t, clock) for i, t in enumerate(times)]


def test_growth_per_minute_is_first_to_last() -> None:
    ms = moments(0.0, 15.0, 30.0, 45.0, 60.0)
    assert growth_per_minute((0, 10, 20, 30, 40), ms) == pytest.approx(40.0)
    assert growth_per_minute((40, 30, 20), ms[2:]) == pytest.approx(-40.0)  # 20 fewer in 30 s


def test_growth_per_minute_is_unknown_without_times() -> None:
    assert growth_per_minute((0, 10, 20), moments(None, 15.0, 30.0)) is None
    assert growth_per_minute((0, 10, 20), moments(5.0, 5.0, 5.0)) is None


def test_order_by_time_when_the_times_tell() -> None:
    order, ordered, why = put_in_order(moments(30.0, 0.0, 15.0))
    assert order == [1, 2, 0]
    assert [m.taken_at for m in ordered] == [0.0, 15.0, 30.0]
    assert why == "file modification time"


def test_copied_files_are_in_the_order_given() -> None:
    # cp, git checkout and unzip write files within milliseconds: those times order nothing.
    order, ordered, why = put_in_order(moments(10.3, 10.1, 10.2))
    assert order == [0, 1, 2]
    assert all(m.taken_at is None for m in ordered)
    assert why.startswith("order given (file modification times less than 1 s apart")


def test_stdin_is_in_the_order_given() -> None:
    ms = [Moment("-", None, "order given"), *moments(0.0, 20.0)]
    order, _, why = put_in_order(ms)
    assert order == [0, 1, 2]
    assert why == "order given (stdin tells no time)"


def test_the_dumps_of_one_file_keep_its_order() -> None:
    ms = [Moment("log.txt", 50.0, "file modification time")] * 3
    order, _, why = put_in_order(ms)
    assert order == [0, 1, 2]
    assert why == "order given (one time for every dump)"


def clusters_of(i: int) -> list[RawCluster]:
    dump = parse_text(SERIES[i].read_text())
    return own_clusters(dump.snapshots[-1])


def leak(clusters: list[RawCluster]) -> RawCluster:
    (c,) = [c for c in clusters if c.blocked_at.func == "main.(*Server).awaitReply"]
    return c


def test_tracker_follows_each_cluster_and_counts_zero_where_absent() -> None:
    # leakrate: the leak group grows 10 a tick, the burst group is 6 at ticks 2 and 3 only.
    t = Tracker()
    for i in range(5):
        ids = t.add(clusters_of(i), Moment(SERIES[i].name, 15.0 * i, "file modification time"))
    last = clusters_of(4)
    ids = t.add(last, Moment("again", 75.0, "file modification time"))
    assert t.tracks[ids[id(leak(last))]].counts == [0, 10, 20, 30, 40, 40]
    (burst,) = [t.tracks[i] for i in t.gone(ids)]
    assert burst.counts == [0, 0, 6, 6, 0, 0]
    assert burst.key.blocked_at.func == "main.(*Server).flush"


def test_a_cluster_that_comes_back_continues_its_track() -> None:
    t = Tracker()
    three, four = clusters_of(3), clusters_of(4)  # the burst group is in t3, not in t4
    for cs in (three, four, three):
        ids = t.add(cs, Moment("x", None, "order given"))
    flush = next(c for c in three if c.blocked_at.func == "main.(*Server).flush")
    assert t.tracks[ids[id(flush)]].counts == [6, 0, 6]
    assert [tr.counts[1] for tr in t.tracks].count(0) == 1  # only the burst group was away


def test_tracker_memory_is_bounded_by_points_not_dumps() -> None:
    t = Tracker(max_points=3)
    cs = clusters_of(1)
    for _ in range(10):
        ids = t.add(cs, Moment("x", None, "order given"))
    assert len(t.moments) == 3
    assert all(len(tr.counts) == 3 for tr in t.tracks)
    assert all(not tr.key.groups[0].goroutines for tr in t.tracks)  # no goroutines kept
    assert t.tracks[ids[id(leak(cs))]].counts == [10, 10, 10]


@pytest.mark.parametrize(
    ("processes", "since"),
    [
        (["a[1]", "a[1]", "a[1]"], 0),
        (["a[1]", "a[1]", "a[2]", "a[2]"], 2),
        (["a[1]", "a[2]", "a[1]"], 2),  # the same name again after another: a new run of it
        (["a[1]", "", "a[2]"], 1),  # a dump whose process is not named splits nothing
        (["a[1]", "a[2]", ""], 0),  # nor is the last dump's, when it is not named
        (["", "", ""], 0),
        ([], 0),
    ],
)
def test_the_last_process_starts_after_the_last_dump_of_another(processes: list[str], since: int) -> None:
    assert last_process_start(processes) == since


@pytest.mark.parametrize(
    ("counts", "since", "verdict", "word", "text"),
    [
        ((0, 10, 20, 30), 0, GROWS_STEADILY, GROWS_STEADILY, "0 → 10 → 20 → 30"),
        ((30, 40, 0, 10, 20), 2, GROWS_STEADILY, GROWS_STEADILY, "30 → 40 ‖ 0 → 10 → 20"),
        ((30, 40, 50, 0, 10), 3, None, "new", "30 → 40 → 50 ‖ 0 → 10"),  # two dumps since: no verdict
        ((30, 40, 50, 60, 5), 4, None, "restarted", "30 → 40 → 50 → 60 ‖ 5"),
        ((30, 40, 0, 0, 0), 2, None, "none since the restart", "30 → 40 ‖ 0 → 0 → 0"),  # no verdict of nothing
    ],
)
def test_a_trend_after_a_restart_is_of_the_dumps_since(
    counts: tuple[int, ...], since: int, verdict: str | None, word: str, text: str
) -> None:
    moments = [Moment("log", 60.0 * i, "log timestamps", process="a[1]" if i < since else "a[2]") for i in range(len(counts))]
    t = trend_of(counts, moments)
    assert (t.since, t.verdict, t.word(), t.counts_text()) == (since, verdict, word, text)
    if verdict is not None:
        assert t.growth_per_minute == (counts[-1] - counts[since]) / (len(counts) - 1 - since)
