"""Fitting the screen (pure): the clusters table's columns, names cut from the left, the
footer's choice of keys, and the key list as plain text."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from rich.cells import cell_len

from gtriage.pipeline import analyze
from gtriage.report import Report
from gtriage.tui.clusters_table import CELLS, PADDING, cluster_row, column_widths
from gtriage.tui.detail_pane import summary
from gtriage.tui.footer import ESSENTIAL, fit, key_width
from gtriage.tui.keys import keys_text
from gtriage.tui.styled import PathStyle, clip_left, clip_right

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


@pytest.mark.parametrize(
    ("text", "width", "clipped"),
    [
        ("main.recvForever", 16, "main.recvForever"),
        # a name's start goes, at a `.` that starts a name
        ("main.(*Hub).Subscribe.func1", 25, "…(*Hub).Subscribe.func1"),
        # an import path goes at a `/`
        ("example.com/org/repo/server.(*Server).serve", 30, "…repo/server.(*Server).serve"),
        # never at the dots of a type argument
        ("main.(*Box[...]).Wait", 16, "…*Box[...]).Wait"),
        # no break worth taking: cut anywhere, keeping the end
        ("net/http.(*connReader).startBackgroundRead.gowrap2", 20, "…kgroundRead.gowrap2"),
        ("abcdef", 1, "…"),
    ],
)
def test_clip_left_keeps_the_end_of_a_name(text: str, width: int, clipped: str) -> None:
    assert clip_left(text, width) == clipped
    assert cell_len(clip_left(text, width)) <= width


def test_clip_left_counts_cells_and_clip_right_keeps_the_start() -> None:
    wide = "main.处理请求处理请求"  # two cells a character
    assert cell_len(clip_left(wide, 9)) <= 9
    assert clip_left(wide, 9).endswith("请求")
    assert clip_right("chan receive (nil chan)", 12) == "chan receiv…"
    assert clip_left("verylongfilename_test.go:1234", 12, breaks="") == "…est.go:1234"


def _row_width(widths: dict[str, int]) -> int:
    return sum(w + PADDING for w in widths.values())


@pytest.mark.parametrize("name", ["demo.txt", "dumps/go1.27/leaky.minutes.txt", "dumps/go1.27/leaky.labels.txt"])
@pytest.mark.parametrize("width", [78, 118, 158, 198])
def test_columns_fit_and_keep_count_state_and_where(name: str, width: int) -> None:
    report = analyze(str(SAMPLES / name))
    widths = column_widths(report.clusters, width)
    assert _row_width(widths) <= width
    assert list(widths)[:3] == ["#", "count", "state"]
    assert "where" in widths
    assert "blocked at" in widths
    if any(c.minutes_max for c in report.clusters):
        assert "minutes" in widths
    for c in report.clusters:
        cells = dict(zip(widths, (t.plain for t in cluster_row(c, widths)), strict=True))
        for column in ("#", "count", "state", "minutes", "where"):
            if column in widths:
                assert cells[column] == CELLS[column](c), (column, width)
        func = c.blocked_at.func
        shown = cells["blocked at"]
        assert shown == func or (shown.startswith("…") and func.endswith(shown[1:]))


def test_wide_terminals_show_creator_and_labels() -> None:
    report = analyze(str(SAMPLES / "dumps/go1.27/leaky.labels.txt"))
    assert any(c.labels for c in report.clusters)
    assert list(column_widths(report.clusters, 198))[-2:] == ["created by", "labels"]
    assert "created by" not in column_widths(report.clusters, 78)


def test_big_counts_keep_their_column(demo: Report) -> None:
    big = dataclasses.replace(demo.clusters[0], count=123456, previous_count=100000)
    widths = column_widths((big, *demo.clusters[1:]), 78)
    assert cluster_row(big, widths)[1].plain == "123,456 (+23,456)"


def test_footer_keeps_quit_and_help_and_drops_from_the_end() -> None:
    keys = [(a, key_width(a[0], a)) for a in ("search", "sort", "healthy", "state", "copy", "save")]
    keys += [("quit", key_width("q", "Quit")), ("help", key_width("?", "Help"))]
    everything = sum(w for _, w in keys)
    assert fit(keys, ESSENTIAL, everything) == {a for a, _ in keys}
    narrow = fit(keys, ESSENTIAL, 45)
    assert {"quit", "help"} <= narrow
    assert narrow == {"search", "sort", "healthy", "quit", "help"}  # a run from the start, no gaps
    assert fit(keys, ESSENTIAL, 5) == {"quit", "help"}


@pytest.mark.parametrize("width", [40, 80, 120])
def test_key_list_as_text_fits(width: int) -> None:
    text = keys_text(width)
    assert all(cell_len(line) <= width for line in text.splitlines())
    for key in ("ctrl+c", "F1", "H", "escape  h", "OSC 52", "set-clipboard on"):
        assert key in text


def test_hostile_names_are_cut_after_they_are_made_inert(demo: Report) -> None:
    c = demo.clusters[0]
    evil = dataclasses.replace(c, blocked_at=dataclasses.replace(c.blocked_at, func="main.x" + "\x1b[2J\u202e" * 20))
    widths = column_widths((evil, *demo.clusters[1:]), 78)
    cells = cluster_row(evil, widths)
    shown = cells[list(widths).index("blocked at")].plain
    assert "\x1b" not in shown
    assert "\u202e" not in shown
    assert shown.startswith("…")
    assert cell_len(shown) <= widths["blocked at"]


@pytest.mark.parametrize(
    ("status", "delta", "approximate", "cell"),
    [
        ("new", 37, None, "new"),
        ("grew", 23456, None, "+23,456"),
        ("shrank", -10, None, "\u221210"),
        ("steady", 0, None, "="),
        ("grew", 2, "main.f at f.go:3 (select): the line moved from 3 to 4; stacks 100% alike", "+2≈"),
    ],
)
def test_the_change_column_shows_status_and_delta(demo: Report, status: str, delta: int, approximate: str | None, cell: str) -> None:
    c = dataclasses.replace(demo.clusters[0], status=status, delta=delta, matched_approximately=approximate)
    widths = column_widths((c, *demo.clusters[1:]), 100)
    assert list(widths)[:4] == ["#", "count", "Δ", "state"]
    assert cluster_row(c, widths)[2].plain == cell


def test_no_change_column_without_a_previous_dump(demo: Report) -> None:
    assert "Δ" not in column_widths(demo.clusters, 100)


@pytest.mark.parametrize(
    ("status", "previous", "words"),
    [("new", None, "(new: not in the previous dump)"), ("grew", 100, "(was 100 in the previous dump)"), (None, None, "")],
)
def test_the_detail_title_says_the_change(demo: Report, status: str | None, previous: int | None, words: str) -> None:
    c = dataclasses.replace(demo.clusters[0], status=status, previous_count=previous)
    title = summary(c, PathStyle(demo.goroot)).plain.splitlines()[0]
    assert title.endswith(words)
    assert "previous dump" in title if status else "previous" not in title
