"""SVG snapshots of the main screens on samples/demo.txt (layout only; behaviour is in
test_app.py). Regenerate with `pytest tests/tui/test_snapshots.py --snapshot-update`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from gtriage.pipeline import analyze
from gtriage.tui.app import GTriageApp
from gtriage.tui.clusters_screen import ClustersScreen
from gtriage.tui.goroutines_screen import GoroutinesScreen

DEMO = Path(__file__).resolve().parents[2] / "samples" / "demo.txt"
SIZE = (160, 48)


def _app() -> GTriageApp:
    report = analyze(str(DEMO))
    return GTriageApp(lambda _p: report, "samples/demo.txt")


def _until(cond: Callable[[Pilot[Any]], bool]) -> Callable[[Pilot[Any]], Any]:
    async def run_before(pilot: Pilot[Any]) -> None:
        for _ in range(200):
            if cond(pilot):
                break
            await pilot.pause(0.01)
        await pilot.pause()

    return run_before


def test_clusters_screen(snap_compare: Any) -> None:
    assert snap_compare(_app(), terminal_size=SIZE, run_before=_until(lambda p: isinstance(p.app.screen, ClustersScreen)))


def test_goroutines_screen(snap_compare: Any) -> None:
    async def open_second(pilot: Pilot[Any]) -> None:
        await _until(lambda p: isinstance(p.app.screen, ClustersScreen))(pilot)
        await pilot.press("j", "enter")
        await _until(lambda p: isinstance(p.app.screen, GoroutinesScreen))(pilot)
        await pilot.press("j")
        await pilot.pause()

    assert snap_compare(_app(), terminal_size=SIZE, run_before=open_second)
