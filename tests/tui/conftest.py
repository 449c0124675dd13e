"""Fixtures for the TUI tests: real sample reports and a driver for Textual's Pilot.

pytest-asyncio is not a dependency: each test runs its Pilot coroutine with asyncio.run.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from collections.abc import Awaitable, Callable
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.pilot import Pilot

from gtriage.pipeline import analyze, analyze_inputs
from gtriage.report import Cluster, Report
from gtriage.tui.app import GTriageApp, Loader
from gtriage.tui.clusters_screen import ClustersScreen
from gtriage.tui.goroutines_screen import GoroutinesScreen
from gtriage.tui.poller import Poll

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
            title: str = "samples/demo.txt", ready: bool = True, poll: Poll | None = None,
            interval: float = 30.0) -> GTriageApp:
        """Run the app on a report (or a loader) and drive it with `steps`; `poll` as --watch."""
        app = GTriageApp(source, title, poll=poll, interval=interval)

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


class Leakrate:
    """samples/series and samples/fleet: captures of samples/leakrate whose counts the
    manifests give (samples/README.md), and the reports gtriage makes of them."""

    SERIES = tuple(ROOT / "samples" / "series" / f"leakrate.t{i}.txt" for i in range(5))
    FLEET = tuple(ROOT / "samples" / "fleet" / f"pod-{p}.txt" for p in "abc")

    def __init__(self, work: Path) -> None:
        # Copies whose modification times are the moments they were captured: without
        # them the series is in the order given and its growth a minute unknown.
        self.stamped: list[Path] = []
        for d in self.SERIES:
            copy = work / d.name
            shutil.copyfile(d, copy)
            os.utime(copy, (self.captured(d), self.captured(d)))
            self.stamped.append(copy)

    @staticmethod
    def manifest(dump: Path) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(dump.with_suffix(".json").read_text())
        return data

    def captured(self, dump: Path) -> float:
        return datetime.fromisoformat(self.manifest(dump)["captured_at"].replace("Z", "+00:00")).timestamp()

    def counts(self, key: str) -> list[int]:
        """A group's count in each dump of the series."""
        return [self.manifest(d)["counts"][key] for d in self.SERIES]

    def group(self, key: str, dump: Path | None = None) -> dict[str, Any]:
        """A group as the manifest of `dump` (default: the last dump that holds it) has it."""
        for d in [dump] if dump is not None else reversed(self.SERIES):
            found = [g for g in self.manifest(d)["groups"] if g["key"] == key]
            if found:
                group: dict[str, Any] = found[0]
                return group
        raise KeyError(key)

    def cluster(self, report: Report, key: str, dump: Path | None = None) -> Cluster:
        where = self.group(key, dump)["blocked_at"]
        (c,) = [c for c in report.clusters if (c.blocked_at.func, c.blocked_at.line) == (where["func"], where["line"])]
        return c

    @cache  # noqa: B019 - one Leakrate a session: the reports live as long as it does
    def series(self, n: int = 5) -> Report:
        """The report of the first `n` dumps of the series (the last of them reported)."""
        return analyze_inputs([str(p) for p in self.stamped[:n]])

    @cache  # noqa: B019 - as above
    def fleet(self) -> Report:
        return analyze_inputs([str(p) for p in self.FLEET], fleet=True)


@pytest.fixture(scope="session")
def leakrate(tmp_path_factory: pytest.TempPathFactory) -> Leakrate:
    return Leakrate(tmp_path_factory.mktemp("leakrate"))
