"""Keys people already know, honest clipboard messages, paths as the text report spells
them, and the first screen before the goroutine id map."""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from textual.pilot import Pilot

from gtriage.frame_info import Origin
from gtriage.pipeline import analyze_text
from gtriage.render.common import location
from gtriage.render.text import render_text
from gtriage.report import Report
from gtriage.tui.app import GTriageApp
from gtriage.tui.clusters_screen import ClustersScreen
from gtriage.tui.clusters_table import ClustersTable
from gtriage.tui.goroutine_list import GoroutineList
from gtriage.tui.goroutines_screen import GoroutinesScreen
from gtriage.tui.help_screen import HelpScreen
from gtriage.tui.report_query import ReportIndex
from gtriage.tui.search_bar import SearchBar
from gtriage.tui.stack_view import StackView

if TYPE_CHECKING:
    from tui.conftest import UI

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def notes(app: GTriageApp) -> list[str]:
    return [n.message for n in app._notifications]


# ---------------------------------------------------------------- keys


# On the clusters table: the tmux test presses it there, in a real terminal.
@pytest.mark.parametrize("where", ["search bar", "goroutines"])
def test_ctrl_c_quits(ui: type[UI], demo: Report, where: str) -> None:
    async def steps(pilot: Pilot[int], app: GTriageApp) -> None:
        if where == "search bar":
            await pilot.press("slash", *"recv")
            assert isinstance(app.focused, SearchBar)
        elif where == "goroutines":
            await ui.open_goroutines(pilot, app)
        await pilot.press("ctrl+c")
        await pilot.pause()

    app = ui.run(demo, steps)
    assert app._exit, "ctrl+c did not quit"
    assert app.return_code == 0


def test_f1_and_question_mark_open_and_close_help(ui: type[UI], demo: Report) -> None:
    seen: list[object] = []

    async def steps(pilot: Pilot[int], app: GTriageApp) -> None:
        for key in ("f1", "f1", "question_mark", "escape"):
            await pilot.press(key)
            await pilot.pause()
            seen.append(type(app.screen))

    ui.run(demo, steps)
    assert seen == [HelpScreen, ClustersScreen, HelpScreen, ClustersScreen]


def test_h_is_back_l_opens_and_shift_h_hides_healthy(ui: type[UI], demo: Report) -> None:
    seen: dict[str, Any] = {}

    async def steps(pilot: Pilot[int], app: GTriageApp) -> None:
        table = app.screen.query_one(ClustersTable)
        await pilot.press("h")  # nothing to go back to: the table stays as it is
        seen["after_h"] = len(table.clusters)
        await pilot.press("j", "l")
        await ui.wait_until(pilot, lambda: isinstance(app.screen, GoroutinesScreen), "l to open the cluster")
        screen = app.screen
        assert isinstance(screen, GoroutinesScreen)
        seen["opened"] = screen.cluster
        await pilot.press("h")
        await ui.wait_until(pilot, lambda: isinstance(app.screen, ClustersScreen), "h to go back")
        await pilot.press("H")
        seen["hidden"] = len(table.clusters)

    ui.run(demo, steps)
    assert seen["after_h"] == len(demo.clusters)
    assert seen["opened"] == demo.clusters[1]
    assert seen["hidden"] == sum(1 for c in demo.clusters if not c.healthy)


# ---------------------------------------------------------------- clipboard


def test_clipboard_messages_say_osc52_and_offer_w(ui: type[UI], demo: Report, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    seen: dict[str, Any] = {}

    async def steps(pilot: Pilot[int], app: GTriageApp) -> None:
        await pilot.press("c", "C")
        await ui.open_goroutines(pilot, app)
        await pilot.press("y", "c", "w")
        await pilot.pause()
        seen["notes"] = notes(app)
        seen["clipboard"] = app.clipboard

    ui.run(demo, steps)
    sent = [n for n in seen["notes"] if not n.startswith("Saved")]
    assert len(sent) == 4
    for n in sent:
        assert "sent to the terminal clipboard (OSC 52; tmux needs set-clipboard on)" in n
        assert "w saves" in n
    assert not any("Copied" in n or "copied" in n for n in seen["notes"])
    # w on the goroutines screen saves the cluster that c sent.
    saved = list(tmp_path.glob("gtriage-*.md"))
    assert len(saved) == 1
    assert saved[0].read_text() == seen["clipboard"]
    assert any(f"Saved cluster #1 to {saved[0]}" in n for n in seen["notes"])


# ---------------------------------------------------------------- paths


def _modcache_demo() -> Report:
    """demo.txt with the program's files in the module cache, as a dependency's would be."""
    text = (SAMPLES / "demo.txt").read_text().replace(
        "/home/gopher/samples/leaky/", "/home/gopher/go/pkg/mod/example.com/leaky@v1.2.3/"
    )
    return analyze_text(text, "modcache")


@pytest.mark.parametrize("source", ["demo", "modcache"])
def test_paths_are_spelled_as_in_the_text_report_and_p_shows_them_in_full(ui: type[UI], demo: Report, source: str) -> None:
    report = demo if source == "demo" else _modcache_demo()
    c = next(c for c in report.clusters if any(f.origin is Origin.STDLIB for f in c.frames))
    row = report.clusters.index(c)
    text_report = render_text(report)
    seen: dict[str, Any] = {}

    async def steps(pilot: Pilot[int], app: GTriageApp) -> None:
        app.screen.query_one(ClustersTable).move_cursor(row=row)
        await pilot.pause()
        seen["detail"] = ui.screen_text(app)
        await pilot.press("p")
        await pilot.pause()
        seen["detail_full"] = ui.screen_text(app)
        await ui.open_goroutines(pilot, app)
        await pilot.pause()
        seen["goroutine_full"] = ui.screen_text(app)  # p holds on the next screen
        await pilot.press("p")
        await pilot.pause()
        seen["goroutine"] = ui.screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        seen["back"] = ui.screen_text(app)  # and p there shows here on the way back

    ui.run(report, steps)
    shown = [f for f in c.frames if f.origin is not Origin.RUNTIME]
    short = [location(f, report.goroot) for f in shown]
    assert any(s.startswith("$GOROOT/") for s in short)
    if source == "modcache":
        assert any(s.startswith("$GOMODCACHE/example.com/leaky@v1.2.3/") for s in short)
    for s, f in zip(short, shown, strict=True):
        assert s in text_report  # the same spelling as the text report...
        assert s in seen["detail"]  # ...in the detail pane
        assert s in seen["goroutine"]  # ...and the goroutine's stack
        assert s in seen["back"]
        full = f"{f.file}:{f.line}"
        assert full in seen["detail_full"]
        assert full in seen["goroutine_full"]
        if s != full:
            assert s not in seen["detail_full"]


# ---------------------------------------------------------------- big input


def test_first_screen_does_not_wait_for_the_goroutine_id_map(ui: type[UI], demo: Report,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    # The id map (for `i`) is one pass over every goroutine: ~140 ms for 100,000, more when a
    # collection runs into it. Hold it back and the top clusters must still show.
    release = threading.Event()
    prepare = ReportIndex.prepare

    def held(self: ReportIndex) -> ReportIndex:
        release.wait(10)
        return prepare(self)

    monkeypatch.setattr(ReportIndex, "prepare", held)
    seen: dict[str, Any] = {}

    async def steps(pilot: Pilot[int], app: GTriageApp) -> None:
        try:
            await ui.wait_until(pilot, lambda: isinstance(app.screen, ClustersScreen), "the clusters screen")
            await pilot.pause()
            seen["text"] = ui.screen_text(app)
        finally:
            release.set()
        # `i` works whether or not the map is built yet.
        gid = demo.clusters[2].goroutine_ids[-1]
        await pilot.press("i", *str(gid), "enter")
        await ui.wait_until(pilot, lambda: isinstance(app.screen, GoroutinesScreen), "the goroutine")
        current = app.screen.query_one(GoroutineList).current
        assert current is not None
        seen["current"] = current.id

    ui.run(demo, steps, ready=False)
    assert demo.clusters[0].blocked_at.func in seen["text"]
    assert seen["current"] == demo.clusters[2].goroutine_ids[-1]


def test_counts_have_thousands_separators(ui: type[UI], demo: Report) -> None:
    big = dataclasses.replace(demo.clusters[0], count=123456)
    report = dataclasses.replace(demo, clusters=(big, *demo.clusters[1:]), goroutines=123536)
    seen: list[str] = []

    async def steps(pilot: Pilot[int], app: GTriageApp) -> None:
        seen.append(ui.screen_text(app))

    ui.run(report, steps)
    assert "123,456" in seen[0]  # the table and the detail pane
    assert "#1  123,456 × chan receive" in seen[0]
    assert "123,536 goroutines" in seen[0]


def test_stack_view_keeps_full_paths_for_the_editor(ui: type[UI], demo: Report) -> None:
    # Short spelling is for reading: the frame the editor opens is the real file.
    seen: list[Any] = []

    async def steps(pilot: Pilot[int], app: GTriageApp) -> None:
        app.screen.query_one(ClustersTable).move_cursor(row=1)
        await pilot.pause()
        seen.extend(app.screen.query_one("#detail-stack", StackView).lines)

    ui.run(demo, steps)
    assert any(s.file.startswith("/usr/local/go/") for s in seen)
