"""The clusters table's query logic (pure): sort, quick filters, fuzzy search, id lookup."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest

from gtriage.report import Cluster, Report
from gtriage.tui.report_query import ReportIndex, SortKey, ViewQuery, matches

if TYPE_CHECKING:
    from _typeshed import SupportsRichComparison


def test_sort_keys_cycle_back_to_rank() -> None:
    key = SortKey.RANK
    seen = []
    for _ in range(len(SortKey)):
        key = key.next()
        seen.append(key)
    assert seen == [SortKey.COUNT, SortKey.MINUTES, SortKey.STATE, SortKey.RANK]


@pytest.mark.parametrize(
    ("key", "order"),
    [
        (SortKey.RANK, lambda c: c.rank),
        (SortKey.COUNT, lambda c: (-c.count, c.rank)),
        (SortKey.MINUTES, lambda c: (-c.minutes_max, -c.minutes_min, c.rank)),
        (SortKey.STATE, lambda c: (c.state, c.rank)),
    ],
)
def test_select_sorts(demo: Report, key: SortKey, order: Callable[[Cluster], SupportsRichComparison]) -> None:
    got = ReportIndex(demo).select(ViewQuery(sort=key))
    assert list(got) == sorted(demo.clusters, key=order)


@pytest.mark.parametrize(
    ("query", "func"),
    [
        ("recvForever", "main.recvForever"),
        ("recvforever", "main.recvForever"),  # case does not matter
        ("recvForevr", "main.recvForever"),  # one typo in a long word
        ("Store.Get syncs.go", "main.Store.Get"),  # every word must match
    ],
)
def test_search_finds_one_cluster(demo: Report, query: str, func: str) -> None:
    got = ReportIndex(demo).select(ViewQuery(search=query))
    assert [c.blocked_at.func for c in got] == [func]


def test_short_words_must_match_as_written(demo: Report) -> None:
    assert not ReportIndex(demo).select(ViewQuery(search="zq"))
    assert matches("chan", "chan receive")
    assert not matches("chn", "chan receive")


def test_hide_healthy_keeps_crashed_clusters(demo: Report) -> None:
    idx = ReportIndex(demo)
    got = idx.select(ViewQuery(hide_healthy=True))
    assert got
    assert all(not c.healthy or c.crashed for c in got)
    assert len(got) == sum(1 for c in demo.clusters if not c.healthy or c.crashed)


def test_states_cycle_from_the_most_common(demo: Report) -> None:
    idx = ReportIndex(demo)
    assert idx.states[0] == "chan receive"
    state: str | None = None
    seen = []
    for _ in range(len(idx.states) + 1):
        state = idx.next_state(state)
        seen.append(state)
    assert seen == [*idx.states, None]
    assert {c.state for c in idx.select(ViewQuery(state=idx.states[1]))} == {idx.states[1]}


def test_find_goroutine(demo: Report) -> None:
    idx = ReportIndex(demo)
    for c in demo.clusters:
        for pos, g in enumerate(c.goroutines):
            assert idx.find_goroutine(g.id) == (c, pos)
    assert idx.find_goroutine(10**9) is None
