"""SVG snapshots of the main screens on samples/demo.txt (layout only; behaviour is in
test_app.py), at the size people work at (160x48), the smallest that must work (80x24)
and a big one (200x50). Regenerate with `pytest tests/tui/test_snapshots.py --snapshot-update`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from textual.app import App
from textual.pilot import Pilot

from gtriage.pipeline import analyze
from gtriage.tui.app import GTriageApp
from gtriage.tui.clusters_screen import ClustersScreen
from gtriage.tui.goroutines_screen import GoroutinesScreen
from gtriage.tui.help_screen import HelpScreen

if TYPE_CHECKING:
    from tui.conftest import Leakrate

DEMO = Path(__file__).resolve().parents[2] / "samples" / "demo.txt"
SIZE = (160, 48)
SMALL = (80, 24)
BIG = (200, 50)


class SnapCompare(Protocol):
    """pytest-textual-snapshot's snap_compare fixture as these tests call it (the plugin's own
    annotation names only the app argument)."""

    def __call__(
        self, app: App[Any], *, terminal_size: tuple[int, int], run_before: Callable[[Pilot[Any]], Awaitable[None]]
    ) -> bool: ...


def _app() -> GTriageApp:
    report = analyze(str(DEMO))
    return GTriageApp(report, "samples/demo.txt")


def _until(cond: Callable[[Pilot[Any]], bool]) -> Callable[[Pilot[Any]], Any]:
    async def run_before(pilot: Pilot[Any]) -> None:
        for _ in range(200):
            if cond(pilot):
                break
            await pilot.pause(0.01)
        await pilot.pause()

    return run_before


def test_clusters_screen(snap_compare: SnapCompare) -> None:
    assert snap_compare(_app(), terminal_size=SIZE, run_before=_until(lambda p: isinstance(p.app.screen, ClustersScreen)))


async def _open_second(pilot: Pilot[Any]) -> None:
    await _until(lambda p: isinstance(p.app.screen, ClustersScreen))(pilot)
    await pilot.press("j", "enter")
    await _until(lambda p: isinstance(p.app.screen, GoroutinesScreen))(pilot)
    await pilot.press("j")
    await pilot.pause()


async def _help(pilot: Pilot[Any]) -> None:
    await _until(lambda p: isinstance(p.app.screen, ClustersScreen))(pilot)
    await pilot.press("question_mark")
    await _until(lambda p: isinstance(p.app.screen, HelpScreen))(pilot)


def test_goroutines_screen(snap_compare: SnapCompare) -> None:
    assert snap_compare(_app(), terminal_size=SIZE, run_before=_open_second)


def test_clusters_screen_80x24(snap_compare: SnapCompare) -> None:
    # The footer keeps q Quit and ? Help; count, state, where whole; names cut at the left.
    assert snap_compare(_app(), terminal_size=SMALL, run_before=_until(lambda p: isinstance(p.app.screen, ClustersScreen)))


def test_goroutines_screen_80x24(snap_compare: SnapCompare) -> None:
    assert snap_compare(_app(), terminal_size=SMALL, run_before=_open_second)


def test_help_screen_80x24(snap_compare: SnapCompare) -> None:
    assert snap_compare(_app(), terminal_size=SMALL, run_before=_help)


def test_clusters_screen_200x50(snap_compare: SnapCompare) -> None:
    assert snap_compare(_app(), terminal_size=BIG, run_before=_until(lambda p: isinstance(p.app.screen, ClustersScreen)))


def test_help_screen_200x50(snap_compare: SnapCompare) -> None:
    assert snap_compare(_app(), terminal_size=BIG, run_before=_help)


def test_series_clusters_screen_80x24(snap_compare: SnapCompare, leakrate: Leakrate) -> None:
    # The trend column keeps its sparkline, where (file:line) stays whole; the status line
    # says the series and its order; the detail pane starts on the leak with its series.
    report = leakrate.series()
    # Through a loader (and the loading view), as a caller without a report yet would: the
    # other snapshots take the report read already, as the command line gives it.
    app = GTriageApp(lambda _p: report, "samples/series")
    assert snap_compare(app, terminal_size=SMALL, run_before=_until(lambda p: isinstance(p.app.screen, ClustersScreen)))
