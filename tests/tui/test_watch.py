"""`--watch` in the TUI: run_tui's `poll` gives a newer report every interval, and the screen
follows it in place; a failed poll is shown and polling goes on; `q` never waits for a poll.
The reports are the leakrate series cut after each tick (counts known by construction)."""

from __future__ import annotations

import queue
import sys
import threading
import time
from typing import TYPE_CHECKING, Any

from textual.pilot import Pilot

from gtriage.errors import SourceError
from gtriage.render.common import sparkline
from gtriage.report import Report
from gtriage.tui.app import GTriageApp
from gtriage.tui.clusters_table import NEW_STYLE, ClustersTable
from gtriage.tui.report_query import ClusterKey, cluster_key
from gtriage.tui.search_bar import SearchBar
from gtriage.tui.status_line import StatusLine

if TYPE_CHECKING:
    from tui.conftest import UI, Leakrate

QUICK = 0.01  # seconds between polls: the test's queue, not the clock, paces them


def table(app: GTriageApp) -> ClustersTable:
    return app.screen.query_one(ClustersTable)


def status(app: GTriageApp) -> str:
    return str(app.screen.query_one(StatusLine).render())


def current(app: GTriageApp) -> ClusterKey | None:
    c = table(app).current
    return cluster_key(c) if c is not None else None


def shown(app: GTriageApp) -> Report:
    assert app.report is not None
    return app.report


def test_each_poll_replaces_the_report_in_place(ui: type[UI], leakrate: Leakrate) -> None:
    first = leakrate.series(2)
    polls: queue.Queue[Report | Exception] = queue.Queue()

    def poll() -> Report:
        got = polls.get()
        if isinstance(got, Exception):
            raise got
        return got

    plateau = cluster_key(leakrate.cluster(first, "plateau"))
    seen: dict[str, Any] = {}

    async def until_shown(pilot: Pilot[int], app: GTriageApp, report: Report) -> None:
        await ui.wait_until(pilot, lambda: app.report is report, "the polled report")
        await pilot.pause()

    async def steps(pilot: Pilot[int], app: GTriageApp) -> None:
        screen, widget = app.screen, table(app)
        # A search that leaves the program's own clusters, and the cursor on the plateau.
        await pilot.press("slash", *"main.go", "enter")
        row = [cluster_key(c) for c in table(app).clusters].index(plateau)
        await pilot.press(*["j"] * row)
        seen["before"] = "trend" in table(app).widths

        polls.put(leakrate.series(3))
        await until_shown(pilot, app, leakrate.series(3))
        seen["same widgets"] = app.screen is screen and table(app) is widget
        seen["current 3"] = current(app)
        seen["status 3"] = status(app)
        seen["files 3"] = {c.blocked_at.file.rsplit("/", 1)[-1] for c in table(app).clusters}
        seen["search 3"] = app.screen.query_one(SearchBar).value
        burst = leakrate.cluster(shown(app), "burst")
        row = [c.rank for c in table(app).clusters].index(burst.rank)
        seen["burst #"] = table(app).get_row_at(row)[0].style
        seen["burst trend"] = dict(zip(table(app).widths, table(app).get_row_at(row), strict=True))["trend"].plain

        polls.put(SourceError("http://127.0.0.1:6060/debug/pprof/goroutine?debug=2: connection refused"))
        await ui.wait_until(pilot, lambda: "failed" in status(app), "the failed poll")
        seen["failed"] = status(app)
        seen["kept"] = app.report is leakrate.series(3)

        polls.put(leakrate.series(4))
        await until_shown(pilot, app, leakrate.series(4))
        seen["status 4"] = status(app)
        seen["current 4"] = current(app)
        # The burst is gone from the last dump: a cursor on it stays on its row.
        burst_row = [cluster_key(c) for c in table(app).clusters].index(cluster_key(leakrate.cluster(shown(app), "burst")))
        await pilot.press(*["k"] * 10, *["j"] * burst_row)
        polls.put(leakrate.series(5))
        await until_shown(pilot, app, leakrate.series(5))
        seen["burst row"], seen["row 5"], seen["rows 5"] = burst_row, table(app).cursor_row, len(table(app).clusters)
        seen["leak 5"] = leakrate.cluster(shown(app), "leak").trend
        seen["detail 5"] = str(app.screen.query_one("#detail-summary").render())

    ui.run(first, steps, poll=poll, interval=QUICK)
    assert seen["before"] is False  # two dumps: no series yet
    assert seen["same widgets"]
    assert seen["current 3"] == plateau
    assert seen["search 3"] == "main.go"
    assert seen["files 3"] == {"main.go"}
    assert "search: main.go" in seen["status 3"]
    assert "series of 3 dumps" in seen["status 3"]
    assert "polled " in seen["status 3"]
    assert "1 new cluster" in seen["status 3"]  # the burst: 0, 0, then 6 at tick 2
    assert str(seen["burst #"]) == NEW_STYLE
    assert seen["burst trend"] == f"{sparkline(tuple(leakrate.counts('burst')[:3]))} new"
    assert "poll at " in seen["failed"]
    assert "failed: http://127.0.0.1:6060/debug/pprof/goroutine?debug=2: connection refused" in seen["failed"]
    assert seen["kept"]
    assert "failed" not in seen["status 4"]  # the next poll that works clears it
    assert "series of 4 dumps" in seen["status 4"]
    assert seen["current 4"] == plateau
    assert seen["row 5"] == min(seen["burst row"], seen["rows 5"] - 1)
    assert seen["leak 5"] is not None
    assert list(seen["leak 5"].counts) == leakrate.counts("leak")
    assert "5 dumps, ordered by file modification time" in seen["detail 5"]


def test_the_replaced_report_is_let_go(ui: type[UI], leakrate: Leakrate) -> None:
    # Held by this test alone once the next poll's report is shown: a watch that runs for
    # hours keeps one report, not one a poll.
    first = leakrate.series(2)
    baseline = sys.getrefcount(first)
    box = [first]  # the loader hands it over and keeps no reference
    polls: queue.Queue[Report] = queue.Queue()
    seen: dict[str, int] = {}

    async def steps(pilot: Pilot[int], app: GTriageApp) -> None:
        seen["shown"] = sys.getrefcount(first)
        polls.put(leakrate.series(3))
        await ui.wait_until(pilot, lambda: app.report is leakrate.series(3), "the polled report")
        for _ in range(3):
            await pilot.pause()
        seen["replaced"] = sys.getrefcount(first)

    ui.run(lambda _p: box.pop(), steps, poll=polls.get, interval=QUICK)
    assert seen["shown"] > baseline
    assert seen["replaced"] == baseline


def test_q_quits_while_a_poll_hangs(ui: type[UI], leakrate: Leakrate) -> None:
    started, release = threading.Event(), threading.Event()

    def poll() -> Report:
        started.set()
        release.wait()  # an endpoint that never answers
        return leakrate.series(3)

    seen: dict[str, float] = {}

    async def steps(pilot: Pilot[int], app: GTriageApp) -> None:
        await ui.wait_until(pilot, started.is_set, "the poll")
        seen["pressed"] = time.monotonic()
        await pilot.press("q")

    try:
        app = ui.run(leakrate.series(2), steps, poll=poll, interval=QUICK)
        assert time.monotonic() - seen["pressed"] < 2
        assert app.return_code == 0
    finally:
        release.set()


def test_a_bug_in_a_poll_is_not_swallowed(ui: type[UI], leakrate: Leakrate) -> None:
    def poll() -> Report:
        raise ZeroDivisionError("a bug")

    async def steps(pilot: Pilot[int], app: GTriageApp) -> None:
        await ui.wait_until(pilot, lambda: app.crash is not None, "the crash")

    app = ui.run(leakrate.series(2), steps, poll=poll, interval=QUICK)
    assert isinstance(app.crash, ZeroDivisionError)
