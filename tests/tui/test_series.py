"""A series of dumps and a fleet in the TUI, on the leakrate captures (counts known by
construction, from the manifests): the trend and sources columns, the detail pane's series
and per-source breakdown, sources not read."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.pilot import Pilot

from gtriage.pipeline import analyze_inputs
from gtriage.render.common import sparkline
from gtriage.render.when import when_text
from gtriage.report import Cluster, FleetSource, SourceCount
from gtriage.tui.app import GTriageApp
from gtriage.tui.clusters_table import ClustersTable, column_widths
from gtriage.tui.detail_pane import series_lines, summary
from gtriage.tui.gone_screen import GoneScreen
from gtriage.tui.goroutine_list import GoroutineList
from gtriage.tui.goroutines_screen import GoroutinesScreen
from gtriage.tui.jump_screen import JumpScreen
from gtriage.tui.report_query import ViewQuery, cluster_key
from gtriage.tui.stack_view import StackView
from gtriage.tui.status_line import StatusLine, status_text
from gtriage.tui.styled import PathStyle
from test_series_report import JOURNAL, restarted_journal

if TYPE_CHECKING:
    from tui.conftest import UI, Leakrate

SMALL = (80, 24)


def table(app: GTriageApp) -> ClustersTable:
    return app.screen.query_one(ClustersTable)


def cells(app: GTriageApp, c: Cluster) -> dict[str, str]:
    """The row of cluster `c` as shown, by column."""
    t = table(app)
    row = [cluster_key(x) for x in t.clusters].index(cluster_key(c))
    return dict(zip(t.widths, (cell.plain for cell in t.get_row_at(row)), strict=True))


async def select(pilot: Pilot[int], app: GTriageApp, c: Cluster) -> None:
    """Move the cursor down to cluster `c`."""
    row = [cluster_key(x) for x in table(app).clusters].index(cluster_key(c))
    await pilot.press(*["j"] * row)
    await pilot.pause()


def detail_text(app: GTriageApp) -> str:
    return str(app.screen.query_one("#detail-summary").render())


def status(app: GTriageApp) -> str:
    return str(app.screen.query_one(StatusLine).render())


def test_the_trend_column_shows_the_counts_and_the_verdict(ui: type[UI], leakrate: Leakrate) -> None:
    report = leakrate.series()
    expect = {
        # group: its verdict in a word, by what its counts do over the ticks
        "leak": "grows",  # +10 a tick
        "plateau": "plateau",  # +4 a tick, then flat
        "steady": "steady",
    }
    seen: dict[str, Any] = {}

    async def steps(pilot: Pilot[int], app: GTriageApp) -> None:
        seen.update({key: cells(app, leakrate.cluster(report, key)) for key in expect})
        seen["text"] = ui.screen_text(app)

    ui.run(report, steps)
    for key, word in expect.items():
        assert seen[key]["trend"] == f"{sparkline(tuple(leakrate.counts(key)))} {word}", key
    assert "series of 5 dumps" in seen["text"]
    assert "ordered by file modification time" in seen["text"]


def test_at_80x24_the_trend_keeps_its_sparkline_and_where_stays_whole(ui: type[UI], leakrate: Leakrate) -> None:
    report = leakrate.series()
    seen: dict[str, Any] = {}

    async def steps(pilot: Pilot[int], app: GTriageApp) -> None:
        seen["leak"] = cells(app, leakrate.cluster(report, "leak"))
        seen["text"] = ui.screen_text(app)

    ui.run(report, steps, size=SMALL)
    leak = leakrate.group("leak")["blocked_at"]
    assert seen["leak"]["trend"] == sparkline(tuple(leakrate.counts("leak")))
    assert seen["leak"]["where"] == f"{leak['file'].rsplit('/', 1)[-1]}:{leak['line']}"
    assert "? Help" in seen["text"].splitlines()[-1]
    # With room, the word comes back; without a series, no trend column at all.
    assert "trend" in column_widths(report.clusters, 78)
    assert "trend" not in column_widths(leakrate.series(2).clusters, 158)


def test_the_detail_pane_shows_the_series_of_the_cluster(ui: type[UI], leakrate: Leakrate) -> None:
    report = leakrate.series()
    plateau = leakrate.cluster(report, "plateau")
    seen: dict[str, str] = {}

    async def steps(pilot: Pilot[int], app: GTriageApp) -> None:
        await select(pilot, app, plateau)
        seen["detail"] = detail_text(app)

    ui.run(report, steps)
    text = seen["detail"]
    counts = leakrate.counts("plateau")
    minutes = (leakrate.captured(leakrate.SERIES[-1]) - leakrate.captured(leakrate.SERIES[0])) / 60
    rate = (counts[-1] - counts[0]) / minutes
    assert f"Series  grows then plateaus · +{rate:.0f} a minute · 5 dumps, ordered by file modification time" in text
    for dump, count in zip(leakrate.SERIES, counts, strict=True):
        clock = when_text(leakrate.captured(dump))[11:]
        assert re.search(rf"^  {re.escape(clock)}\s+{count}  \S$", text, re.M), (clock, count)


def test_a_journal_s_dumps_show_their_times_as_the_log_prints_them(ui: type[UI], leakrate: Leakrate) -> None:
    """journalctl's times hold no year: the detail pane lists each dump at its time of day,
    and the status line gives the span as the log does, never a made-up date."""
    journal = leakrate.SERIES[0].parent.parent / "series-log" / "leakrate.journal.txt"
    shown = json.loads(journal.with_suffix(".json").read_text())["shown"]
    report = analyze_inputs([str(journal)])
    leak = leakrate.cluster(report, "leak")
    seen: dict[str, str] = {}

    async def steps(pilot: Pilot[int], app: GTriageApp) -> None:
        await select(pilot, app, leak)
        seen["detail"] = detail_text(app)
        seen["status"] = status(app)

    ui.run(report, steps, size=SMALL)
    assert "5 dumps, ordered by log timestamps (no year)" in seen["detail"]
    for when, count in zip(shown, leakrate.counts("leak"), strict=True):
        assert re.search(rf"^  {re.escape(when[7:])}\s+{count}  \S$", seen["detail"], re.M), (when, count)
    assert f"{shown[0]} to {shown[-1][7:]}" in seen["status"].replace("\n", " ")
    assert "2000" not in seen["detail"] + seen["status"]


def test_a_fleet_shows_each_source_of_the_cluster_and_the_sources_not_read(ui: type[UI], leakrate: Leakrate,
                                                                          tmp_path: Path) -> None:
    missing = tmp_path / "pod-d.txt"
    report = analyze_inputs([*(str(p) for p in leakrate.FLEET), str(missing)], fleet=True)
    leak = leakrate.cluster(report, "leak", leakrate.FLEET[0])
    seen: dict[str, Any] = {}

    async def steps(pilot: Pilot[int], app: GTriageApp) -> None:
        await select(pilot, app, leak)
        seen["cells"] = cells(app, leak)
        seen["detail"] = detail_text(app)
        seen["status"] = status(app)
        seen["title"] = app.screen.sub_title

    ui.run(report, steps)
    counts = {p.stem: leakrate.manifest(p)["counts"]["leak"] for p in leakrate.FLEET}
    holding = sum(1 for n in counts.values() if n)
    assert seen["cells"]["sources"] == f"{holding}/{len(leakrate.FLEET)}"
    text = seen["detail"]
    assert f"Sources  on {holding} of {len(leakrate.FLEET)} sources read" in text
    for pod, n in counts.items():  # every source, with none too
        assert re.search(rf"^  {pod}\s+{n}$", text, re.M), pod
    assert re.search(r"^  pod-d\s+not read$", text, re.M)
    assert "⚠ pod-d not read:" in seen["status"]
    assert "fleet of 4 sources, 3 read" in seen["title"]


def test_outside_a_series_or_fleet_the_detail_pane_says_nothing_of_them(ui: type[UI], leakrate: Leakrate) -> None:
    report = leakrate.series(2)  # two dumps are a comparison
    seen: dict[str, str] = {}

    async def steps(pilot: Pilot[int], app: GTriageApp) -> None:
        seen["detail"] = detail_text(app)
        seen["status"] = status(app)

    ui.run(report, steps)
    assert "Series" not in seen["detail"]
    assert "Sources" not in seen["detail"]
    assert "\n" not in seen["status"].strip()  # no series or fleet line


def test_source_names_and_errors_are_inert(leakrate: Leakrate) -> None:
    # A source's name is the user's or a server's text (a URL's host, a file name), its error
    # quotes the server: neither may reach the terminal as escapes or markup.
    report = leakrate.fleet()
    assert report.fleet is not None
    evil = "pod-\x1b[2J[bold red]x[/]"
    fleet = (*report.fleet, FleetSource(evil, "http://evil/", None, "bad status \x1b]52;c;AAAA\x07"))
    leak = leakrate.cluster(report, "leak", leakrate.FLEET[0])
    assert leak.sources is not None
    leak = dataclasses.replace(leak, sources=(*leak.sources, SourceCount(evil, 1)))
    report = dataclasses.replace(report, fleet=fleet, clusters=(leak,))
    texts = [summary(leak, PathStyle(report.goroot), report).plain, status_text(report, 1, ViewQuery()).plain]
    for text in texts:
        assert "\x1b" not in text
        assert "\x07" not in text
        assert "pod-\\x1b[2J[bold red]x[/]" in text


def test_the_status_line_says_what_is_gone(leakrate: Leakrate) -> None:
    """The burst group is gone by the last dump of the series: the status line names it
    (the largest gone cluster, by place)."""
    report = leakrate.series()
    assert report.gone is not None
    burst = report.gone[0]
    assert burst.blocked_at.func == "main.(*Server).flush"
    text = status_text(report, len(report.clusters), ViewQuery())
    # 6 on ticks 2 and 3 (the manifests), gone at tick 4: its count when last seen.
    assert f"gone: {max(leakrate.counts('burst'))} × {burst.state} at main.go:{burst.blocked_at.line}" in text


def test_x_lists_every_cluster_that_went_away(ui: type[UI], leakrate: Leakrate) -> None:
    """The burst group went away by the last dump of the series: `x` lists it with its
    trend (its counts over the series, from the manifests), and escape closes the list.
    Outside a comparison there is nothing gone and no `x` in the footer."""
    report = leakrate.series()
    assert report.gone
    seen: dict[str, Any] = {}

    def footer(app: GTriageApp) -> str:
        return ui.screen_text(app).splitlines()[-1]

    async def steps(pilot: Pilot[int], app: GTriageApp) -> None:
        await ui.wait_until(pilot, lambda: "? Help" in footer(app), "the footer's keys")
        seen["footer"] = footer(app)
        await pilot.press("x")
        await ui.wait_until(pilot, lambda: isinstance(app.screen, GoneScreen), "the gone screen")
        seen["text"] = ui.screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        seen["back"] = type(app.screen).__name__

    ui.run(report, steps, size=(120, 30))
    assert " x Gone " in seen["footer"]
    text = seen["text"]
    assert f"gone during the series: {len(report.gone)} cluster" in text
    burst = report.gone[0]
    assert f"{max(leakrate.counts('burst'))} × {burst.state} at " in text
    assert " → ".join(str(n) for n in leakrate.counts("burst")) in text
    assert seen["back"] == "ClustersScreen"

    single: dict[str, str] = {}

    async def no_gone(pilot: Pilot[int], app: GTriageApp) -> None:
        await ui.wait_until(pilot, lambda: "? Help" in footer(app), "the footer's keys")
        single["footer"] = footer(app)
        await pilot.press("x")
        await pilot.pause()
        single["screen"] = type(app.screen).__name__

    ui.run(analyze_inputs([str(leakrate.SERIES[-1])]), no_gone, size=(120, 30))
    assert " x Gone " not in single["footer"]
    assert single["screen"] == "ClustersScreen"


def test_a_fleet_s_goroutines_screen_names_each_goroutine_s_source(ui: type[UI], leakrate: Leakrate) -> None:
    """Ids repeat from pod to pod: each row and the stack pane say the goroutine's source,
    which is the pod whose manifest lists that id in the leak."""
    report = leakrate.fleet()
    leak = leakrate.cluster(report, "leak", leakrate.FLEET[0])
    seen: dict[str, Any] = {}

    async def steps(pilot: Pilot[int], app: GTriageApp) -> None:
        await select(pilot, app, leak)
        await ui.open_goroutines(pilot, app)
        lst = app.screen.query_one(GoroutineList)
        seen["header"] = lst.header()
        seen["rows"] = [lst.row_text(g).plain for g in lst.goroutines]
        seen["ids"] = [g.id for g in lst.goroutines]
        await pilot.press("j")
        await pilot.pause()
        seen["pane"] = (lst.current, app.screen.query_one("#goroutine-stack", StackView).header)

    ui.run(report, steps, size=SMALL)
    ids = {p.stem: set(g["ids"]) for p in leakrate.FLEET for g in leakrate.manifest(p)["groups"] if g["key"] == "leak"}
    assert seen["header"].split()[:2] == ["source", "id"]
    for gid, row in zip(seen["ids"], seen["rows"], strict=True):
        pod, shown = row.split()[:2]
        assert int(shown) == gid, row
        assert gid in ids[pod], row
    assert {row.split()[0] for row in seen["rows"]} == {pod for pod, s in ids.items() if s}
    current, header = seen["pane"]
    (pod,) = [line.removeprefix("in ") for line in header if line.startswith("in ")]
    assert current.id in ids[pod]


def test_going_to_an_id_in_a_fleet_says_which_sources_have_it(ui: type[UI], leakrate: Leakrate) -> None:
    """An id that two pods both have (their manifests say so): `i` shows one and says the
    other sources with that id, and whose it shows; an id only one pod has says nothing more."""
    report = leakrate.fleet()
    # Every id each pod's dump holds, read off its headers (the manifests list the program's own groups).
    ids = {p.stem: {int(i) for i in re.findall(r"^goroutine (\d+) \[", p.read_text(), re.M)} for p in leakrate.FLEET}
    shared = min(ids["pod-a"] & ids["pod-b"])
    only = min(ids["pod-a"] - ids["pod-b"] - ids["pod-c"])
    seen: dict[int, Any] = {}

    async def steps(pilot: Pilot[int], app: GTriageApp) -> None:
        for gid in (only, shared):
            await pilot.press("i")
            await ui.wait_until(pilot, lambda: isinstance(app.screen, JumpScreen), "the jump box")
            await pilot.press(*str(gid), "enter")
            await ui.wait_until(pilot, lambda: isinstance(app.screen, GoroutinesScreen), "the goroutines screen")
            await pilot.pause()
            lst = app.screen.query_one(GoroutineList)
            assert lst.current is not None
            seen[gid] = (lst.current.id, lst.row_text(lst.current).plain.split()[0], [n.message for n in app._notifications])
            await pilot.press("escape")
            await pilot.pause()

    ui.run(report, steps, size=(120, 30))
    gid, pod, notes = seen[only]
    assert (gid, pod) == (only, "pod-a")
    assert not any("sources" in n for n in notes)
    gid, pod, notes = seen[shared]
    assert gid == shared
    holders = [p for p in ("pod-a", "pod-b", "pod-c") if shared in ids[p]]
    assert f"Goroutine {shared} is in {len(holders)} sources ({', '.join(holders)}): this is {pod}'s." in notes


FLEET_LOG = Path(__file__).resolve().parents[2] / "samples" / "series-log" / "fleet.kubectl.txt"


def test_pods_followed_over_time_are_said_in_the_status_line(leakrate: Leakrate) -> None:
    """A log of three pods that each dumped four times (samples/fleet-series: every pod's
    goroutines grow at every tick, by construction): one line says so and which pod grows
    fastest, first what matters at 80 columns; a fleet of single dumps has no such line."""
    report = analyze_inputs([str(FLEET_LOG)])
    assert report.fleet is not None
    text = status_text(report, len(report.clusters), ViewQuery()).plain
    fastest = max(report.fleet, key=lambda s: s.trend.growth_per_minute or 0 if s.trend else 0)
    assert fastest.trend is not None
    line = next(x for x in text.split("\n") if x.startswith("over time: "))
    assert line.startswith("over time: grows steadily on 3 of 3 sources followed · fastest ")
    assert line.endswith(f"{fastest.trend.rate_text()} on {fastest.name}")
    assert "over time" not in status_text(leakrate.fleet(), 1, ViewQuery()).plain


def test_the_status_line_names_the_processes_of_a_journal_across_a_restart(tmp_path: Path) -> None:
    """The journal sample with its service restarted before the fourth dump (a new PID from
    there): the status line says which processes wrote the dumps; as captured, it does not."""
    restarted, one = restarted_journal(tmp_path)
    report = analyze_inputs([str(restarted)])
    shown = status_text(report, len(report.clusters), ViewQuery()).plain
    assert f"written by 2 processes ({one}, leakrate[31337])" in shown
    alone = analyze_inputs([str(JOURNAL)])
    assert "written by" not in status_text(alone, len(alone.clusters), ViewQuery()).plain


def test_the_detail_pane_marks_the_restart_in_a_cluster_s_series(tmp_path: Path) -> None:
    """The journal with its service restarted before the fourth dump: the series lists five
    dumps, the restart stands before the fourth, and no verdict is claimed for two dumps."""
    restarted, _one = restarted_journal(tmp_path)
    report = analyze_inputs([str(restarted)])
    c = next(c for c in report.clusters if c.trend is not None and c.trend.since)
    lines = [line.plain for line in series_lines(c, report)]
    assert lines[0].startswith("Series  no verdict")
    marker = next(i for i, line in enumerate(lines) if "restarted: leakrate[31337] from here" in line)
    assert marker == 1 + 3  # the heading, three dumps of the first process, then the restart
    assert len(lines) == 1 + 5 + 1


def test_the_detail_pane_marks_a_restart_after_a_dump_that_ended_its_process(tmp_path: Path) -> None:
    """A SIGQUIT dump in the middle of the leakrate series: its process died, the series
    marks the restart before the next dump, with no process to name."""
    from manifests import copies_in_order
    from test_series_report import SERIES, SIGQUIT

    report = analyze_inputs(copies_in_order(tmp_path, SERIES[0], SERIES[1], SIGQUIT, SERIES[3], SERIES[4]))
    c = next(c for c in report.clusters if c.trend is not None and c.trend.since == 3)
    lines = [line.plain for line in series_lines(c, report)]
    assert lines[1 + 3] == "  \u2016 restarted (the dump before ended its process)"
