"""Fixtures for the TUI tests: real sample reports and a driver for Textual's Pilot.

pytest-asyncio is not a dependency: each test runs its Pilot coroutine with asyncio.run.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from textual.app import App
from textual.pilot import Pilot

from gtriage.pipeline import analyze
from gtriage.report import Report
from gtriage.tui.app import GTriageApp, Loader
from gtriage.tui.clusters_screen import ClustersScreen
from gtriage.tui.goroutines_screen import GoroutinesScreen

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "samples" / "demo.txt"
SIZE = (160, 48)

Steps = Callable[[Pilot[int], GTriageApp], Awaitable[None]]


async def wait_until(pilot: Pilot[int], cond: Callable[[], bool], what: str = "condition") -> None:
    """Let the app run until cond() holds (the loader is a thread; screens mount async)."""
    for _ in range(200):
        if cond():
            return
        await pilot.pause(0.01)
    raise AssertionError(f"timed out waiting for {what}")


def screen_text(app: App[int]) -> str:
    """What the terminal would show, as plain text (one line per row)."""
    # The compositor's strips are exactly what is written to the terminal.
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(seg.text for seg in strip) for strip in strips)


async def open_goroutines(pilot: Pilot[int], app: GTriageApp, *keys: str) -> None:
    """Press `keys`, then enter on the cluster under the cursor; wait for its goroutines."""
    await pilot.press(*keys, "enter")
    await wait_until(pilot, lambda: isinstance(app.screen, GoroutinesScreen), "the goroutines screen")


class UI:
    wait_until = staticmethod(wait_until)
    screen_text = staticmethod(screen_text)
    open_goroutines = staticmethod(open_goroutines)

    @staticmethod
    def run(source: Report | Loader, steps: Steps, *, size: tuple[int, int] = SIZE,
            title: str = "samples/demo.txt", ready: bool = True) -> GTriageApp:
        """Run the app on a report (or a loader) and drive it with `steps`."""
        loader: Loader = (lambda _p: source) if isinstance(source, Report) else source
        app = GTriageApp(loader, title)

        async def go() -> None:
            async with app.run_test(size=size) as pilot:
                if ready:
                    await wait_until(pilot, lambda: isinstance(app.screen, ClustersScreen), "the clusters screen")
                    await pilot.pause()
                await steps(pilot, app)

        asyncio.run(go())
        return app


@pytest.fixture
def ui() -> type[UI]:
    return UI


@pytest.fixture(scope="session")
def demo() -> Report:
    return analyze(str(DEMO))


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT
