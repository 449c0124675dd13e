"""Pilot tests: press keys on real samples, assert what is on screen and in widget state."""

from __future__ import annotations

import dataclasses
import json
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from rich.cells import cell_len
from textual.color import Color
from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.widgets._footer import FooterKey

from gtriage.errors import NoDumpError, SourceError
from gtriage.pipeline import analyze, analyze_text
from gtriage.progress import Progress
from gtriage.render.markdown import render_markdown
from gtriage.render.safe import inert
from gtriage.report import Report
from gtriage.tui.app import GTriageApp
from gtriage.tui.clusters_screen import ClustersScreen
from gtriage.tui.clusters_table import ClustersTable
from gtriage.tui.crash_banner import CrashBanner
from gtriage.tui.detail_pane import DetailPane
from gtriage.tui.footer import Footer
from gtriage.tui.goroutine_list import GoroutineList
from gtriage.tui.goroutines_screen import GoroutinesScreen
from gtriage.tui.help_screen import HelpScreen
from gtriage.tui.jump_screen import JumpScreen
from gtriage.tui.loading_view import LoadingView
from gtriage.tui.search_bar import SearchBar
from gtriage.tui.stack_view import StackView
from gtriage.tui.styled import goroutine_text

if TYPE_CHECKING:
    from tui.conftest import UI

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
CUSTOMERR = SAMPLES / "dumps" / "go1.27" / "crashzoo.customerr.txt"
RACE = SAMPLES / "dumps" / "go1.27" / "race.race.txt"
HOSTILE = "\x1b[2J[bold red]x[/]"


def table(app: GTriageApp) -> ClustersTable:
    return app.screen.query_one(ClustersTable)


def shown_funcs(app: GTriageApp) -> list[str]:
    return [c.blocked_at.func for c in table(app).clusters]


# ---------------------------------------------------------------- clusters view


def test_first_screen_lists_every_cluster_with_totals(ui: type[UI], demo: Report) -> None:
    seen: dict[str, Any] = {}

    async def steps(pilot: Pilot[int], app: GTriageApp) -> None:
        seen["rows"] = table(app).row_count
        seen["ranks"] = [c.rank for c in table(app).clusters]
        seen["text"] = ui.screen_text(app)

    ui.run(demo, steps)
    assert seen["rows"] == len(demo.clusters)
    assert seen["ranks"] == sorted(seen["ranks"])
    text = seen["text"]
    assert f"{demo.goroutines} goroutines" in text
    assert f"{len(demo.clusters)} clusters" in text
    assert f"{demo.unparsed_lines} unparsed lines" in text
    top = demo.clusters[0]
    assert top.blocked_at.func in text
    assert top.why[0] in text  # the detail pane follows the cursor: row 1 to start with


def test_one_goroutine_is_said_in_the_singular_and_a_logged_panic_as_such(ui: type[UI]) -> None:
    # A panic the program recovered and printed: one goroutine, one cluster ("1 goroutines"
    # before), and the banner says the traceback is the program's, not a crash.
    sample = Path(__file__).resolve().parents[2] / "samples/logged/recovered.log"
    report = analyze(str(sample))
    seen: dict[str, Any] = {}

    async def steps(pilot: Pilot[int], app: GTriageApp) -> None:
        seen["text"] = ui.screen_text(app)

    ui.run(report, steps)
    text = " ".join(seen["text"].split())
    assert "1 goroutine · 1 cluster (1 shown) · 0 unparsed lines" in text
    assert "1 goroutines" not in text
    assert "a panic the program recovered and printed itself, not a crash" in text


def test_each_goroutine_says_the_panic_it_logged(ui: type[UI]) -> None:
    # samples/logged/httppanic.log: the nil-map cluster's three goroutines each logged one.
    sample = Path(__file__).resolve().parents[2] / "samples/logged/httppanic.log"
    report = analyze(str(sample))
    seen: dict[str, Any] = {}

    async def steps(pilot: Pilot[int], app: GTriageApp) -> None:
        seen["why"] = " ".join(ui.screen_text(app).split())
        await ui.open_goroutines(pilot, app)
        lst = app.screen.query_one(GoroutineList)
        seen["rows"] = [lst.row_text(g).plain for g in lst.goroutines]

    ui.run(report, steps)
    made = json.loads(sample.with_suffix(".json").read_text())["requests"]
    nil_map = [r for r in made if r["value"] == "assignment to entry in nil map"]
    assert len(seen["rows"]) == report.clusters[0].count == len(nil_map)
    assert all("logged panic: assignment to entry in nil map  (" in row for row in seen["rows"])
    assert "3 panics the program recovered and logged" in seen["why"]


def test_a_logged_value_of_several_lines_is_shown_on_one(ui: type[UI]) -> None:
    sample = Path(__file__).resolve().parents[2] / "samples/logged/httppanic.log"
    report = analyze(str(sample))
    [value] = [r["value"] for r in json.loads(sample.with_suffix(".json").read_text())["requests"] if "\n" in r["value"]]
    [at] = [i for i, c in enumerate(report.clusters) if any(p.message == value for p in c.logged_panics)]
    seen: dict[str, Any] = {}

    async def steps(pilot: Pilot[int], app: GTriageApp) -> None:
        await ui.open_goroutines(pilot, app, *["down"] * at)
        lst = app.screen.query_one(GoroutineList)
        seen["rows"] = [lst.row_text(g).plain for g in lst.goroutines]

    ui.run(report, steps)
    assert [f"logged panic: {value.replace(chr(10), ' ⏎ ')}  (" in row for row in seen["rows"]] == [True]


def test_sort_keys(ui: type[UI], demo: Report) -> None:
    seen: dict[str, Any] = {}

    async def steps(pilot: Pilot[int], app: GTriageApp) -> None:
        await pilot.press("2")
        seen["count"] = [c.count for c in table(app).clusters]
        seen["status"] = ui.screen_text(app)
        await pilot.press("4")
        seen["state"] = [c.state for c in table(app).clusters]
        await pilot.press("1")
        seen["rank"] = [c.rank for c in table(app).clusters]
        await pilot.press("s")  # rank -> count
        seen["cycled"] = [c.count for c in table(app).clusters]

    ui.run(demo, steps)
    assert seen["count"][0] == max(c.count for c in demo.clusters)
    assert seen["count"] == sorted(seen["count"], reverse=True)
    assert "sort: count" in seen["status"]
    assert seen["state"] == sorted(seen["state"])
    assert seen["rank"] == [c.rank for c in demo.clusters]
    assert seen["cycled"] == seen["count"]


def test_sort_by_minutes_puts_the_oldest_first(ui: type[UI]) -> None:
    report = analyze(str(SAMPLES / "dumps" / "go1.27" / "leaky.minutes.txt"))
    seen: list[int] = []

    async def steps(pilot: Pilot[int], app: GTriageApp) -> None:
        await pilot.press("3")
        seen.extend(c.minutes_max for c in table(app).clusters)

    ui.run(report, steps)
    assert seen[0] == max(c.minutes_max for c in report.clusters) > 0
    assert seen == sorted(seen, reverse=True)


def test_sorting_keeps_the_cluster_and_does_not_redraw_its_detail(ui: type[UI], demo: Report) -> None:
    # A sort moves rows, not the selection: the detail pane (the costly part of a redraw on
    # a big dump) is left as it is, and still shows the selected cluster.
    seen: dict[str, Any] = {}

    async def steps(pilot: Pilot[int], app: GTriageApp) -> None:
        await pilot.press("j", "j")
        pane = app.screen.query_one(DetailPane)
        chosen = table(app).current
        shows: list[object] = []
        original = pane.stack.show

        def counting(*args: Any, **kwargs: Any) -> None:
            shows.append(args)
            original(*args, **kwargs)

        pane.stack.show = counting  # type: ignore[method-assign]  # a counting wrapper stands in for this one widget's method, to count its redraws
        await pilot.press("2")
        seen["same"] = table(app).current is chosen and pane.cluster is chosen
        seen["shows"] = len(shows)
        await pilot.press("r")  # folding runtime frames must still redraw it
        seen["after_r"] = len(shows)

    ui.run(demo, steps)
    assert seen["same"]
    assert seen["shows"] == 0
    assert seen["after_r"] == 1


def test_cursor_moves_and_the_detail_pane_follows(ui: type[UI], demo: Report) -> None:
    seen: dict[str, Any] = {}

    async def steps(pilot: Pilot[int], app: GTriageApp) -> None:
        await pilot.press("j", "j")
        seen["after_jj"] = table(app).cursor_row
        seen["detail"] = app.screen.query_one(DetailPane).cluster
        await pilot.press("k")
        seen["after_k"] = table(app).cursor_row
        await pilot.press("G")
        seen["bottom"] = table(app).cursor_row
        await pilot.press("g")
        seen["top"] = table(app).cursor_row

    ui.run(demo, steps)
    assert seen["after_jj"] == 2
    assert seen["detail"] == demo.clusters[2]
    assert seen["after_k"] == 1
    assert seen["bottom"] == len(demo.clusters) - 1
    assert seen["top"] == 0


def test_search_as_you_type(ui: type[UI], demo: Report) -> None:
    seen: dict[str, Any] = {}

    async def steps(pilot: Pilot[int], app: GTriageApp) -> None:
        await pilot.press("slash", *"recv")
        seen["partial"] = shown_funcs(app)
        await pilot.press(*"Forever")
        seen["full"] = shown_funcs(app)
        await pilot.press("enter")  # keep the filter, back to the table
        seen["focus"] = app.focused
        seen["kept"] = shown_funcs(app)
        seen["text"] = ui.screen_text(app)
        await pilot.press("escape")  # clears it
        seen["cleared"] = len(table(app).clusters)

    ui.run(demo, steps)
    assert "main.recvForever" in seen["partial"]
    assert seen["full"] == ["main.recvForever"]
    assert isinstance(seen["focus"], ClustersTable)
    assert seen["kept"] == ["main.recvForever"]
    assert "(1 shown)" in seen["text"]
    assert "search: recvForever" in seen["text"]
    assert seen["cleared"] == len(demo.clusters)


def test_the_footer_is_rebuilt_only_when_its_keys_change(ui: type[UI], demo: Report, monkeypatch: pytest.MonkeyPatch) -> None:
    # A bindings signal that leaves the shown keys as they are keeps the footer's widgets
    # (focus moves send such signals); one that changes them rebuilds it.
    seen: dict[str, Any] = {}

    async def steps(pilot: Pilot[int], app: GTriageApp) -> None:
        footer = app.screen.query_one(Footer)
        before = list(footer.query(FooterKey))
        app.screen.bindings_updated_signal.publish(app.screen)
        await pilot.pause()
        await pilot.pause()
        seen["kept"] = list(footer.query(FooterKey)) == before
        shown = {k: v for k, v in app.screen.active_bindings.items() if v[1].action != "cycle_sort"}
        monkeypatch.setattr(type(app.screen), "active_bindings", property(lambda _s: shown))
        app.screen.bindings_updated_signal.publish(app.screen)
        await pilot.pause()
        await pilot.pause()
        seen["before"] = [k.description for k in before]
        seen["rebuilt"] = [k.description for k in footer.query(FooterKey)]

    ui.run(demo, steps)
    assert seen["kept"]
    assert "Sort" in seen["before"]
    assert seen["rebuilt"]
    assert "Sort" not in seen["rebuilt"]


def test_search_is_fuzzy_and_covers_files_states_and_labels(ui: type[UI], demo: Report) -> None:
    labelled = analyze(str(SAMPLES / "dumps" / "go1.27" / "leaky.labels.txt"))
    key, value = next(lc.labels[0] for c in labelled.clusters for lc in c.labels if lc.labels)
    seen: dict[str, Any] = {}

    async def search(pilot: Pilot[int], app: GTriageApp, text: str) -> None:
        # Typing is covered above; here the whole text arrives at once (Input.Changed).
        await pilot.press("slash")
        app.screen.query_one(SearchBar).value = text
        await pilot.pause()

    async def demo_steps(pilot: Pilot[int], app: GTriageApp) -> None:
        await search(pilot, app, "recvForevr")  # a typo
        seen["typo"] = shown_funcs(app)
        await search(pilot, app, "syncs.go")
        seen["file"] = {c.blocked_at.file.rsplit("/", 1)[-1] for c in table(app).clusters}
        await search(pilot, app, "Mutex.Lock")
        seen["state"] = {c.state for c in table(app).clusters}

    async def label_steps(pilot: Pilot[int], app: GTriageApp) -> None:
        await search(pilot, app, f"{key}={value}")
        seen["labels"] = list(table(app).clusters)

    ui.run(demo, demo_steps)
    ui.run(labelled, label_steps)
    assert seen["typo"] == ["main.recvForever"]
    assert "syncs.go" in seen["file"]
    assert "sync.Mutex.Lock" in seen["state"]
    assert seen["labels"]
    assert all(any((key, value) in lc.labels for lc in c.labels) for c in seen["labels"])


def test_quick_filters_hide_healthy_and_show_one_state(ui: type[UI], demo: Report) -> None:
    seen: dict[str, Any] = {}

    async def steps(pilot: Pilot[int], app: GTriageApp) -> None:
        await pilot.press("H")
        seen["hidden"] = list(table(app).clusters)
        seen["text"] = ui.screen_text(app)
        await pilot.press("H", "t")
        seen["one_state"] = {c.state for c in table(app).clusters}
        await pilot.press("t")
        seen["next_state"] = {c.state for c in table(app).clusters}
        await pilot.press("escape")
        seen["all"] = len(table(app).clusters)

    ui.run(demo, steps)
    healthy = [c for c in demo.clusters if c.healthy]
    assert healthy, "demo.txt has healthy background clusters"
    assert not any(c.healthy for c in seen["hidden"])
    assert len(seen["hidden"]) == len(demo.clusters) - len(healthy)
    assert "healthy hidden" in seen["text"]
    assert seen["one_state"] == {"chan receive"}  # the state holding most goroutines
    assert len(seen["next_state"]) == 1
    assert seen["next_state"] != seen["one_state"]
    assert seen["all"] == len(demo.clusters)


def test_runtime_frames_fold_and_unfold(ui: type[UI], demo: Report) -> None:
    target = next(c for c in demo.clusters if any(f.origin == "runtime" for f in c.frames))
    row = demo.clusters.index(target)
    seen: dict[str, Any] = {}

    async def steps(pilot: Pilot[int], app: GTriageApp) -> None:
        table(app).move_cursor(row=row)
        await pilot.pause()
        stack = app.screen.query_one("#detail-stack", StackView)
        seen["folded"] = [s.call for s in stack.lines]
        await pilot.press("r")
        seen["unfolded"] = [s.call for s in stack.lines]

    ui.run(demo, steps)
    runtime = [f.func for f in target.frames if f.origin == "runtime"]
    assert any("runtime frame" in s for s in seen["folded"])
    assert not set(runtime) & set(seen["folded"])
    assert set(runtime) <= set(seen["unfolded"])


# ---------------------------------------------------------------- goroutines


def test_enter_shows_the_goroutines_of_the_cluster(ui: type[UI], demo: Report) -> None:
    c = demo.clusters[1]
    seen: dict[str, Any] = {}

    async def steps(pilot: Pilot[int], app: GTriageApp) -> None:
        await ui.open_goroutines(pilot, app, "j")
        lst = app.screen.query_one(GoroutineList)
        seen["ids"] = [g.id for g in lst.goroutines]
        seen["children"] = len(lst.children)
        seen["first"] = ui.screen_text(app)
        await pilot.press("j", "j")
        await pilot.pause()
        seen["current"] = lst.current
        seen["header"] = app.screen.query_one("#goroutine-stack", StackView).header
        seen["text"] = ui.screen_text(app)
        await pilot.press("escape")
        seen["back"] = app.screen

    ui.run(demo, steps)
    assert seen["ids"] == [g.id for g in c.goroutines] == list(c.goroutine_ids)
    assert seen["children"] == 0  # drawn with the Line API, no widget per goroutine
    for gid in c.goroutine_ids[:5]:
        assert f"  {gid} " in seen["first"]
    g = c.goroutines[2]
    assert seen["current"] is g
    assert seen["header"] == [f"goroutine {g.id} [{g.state}]:"]
    top = next(f for f in g.stack.frames if f.func == c.blocked_at.func)
    assert f"{top.func}({g.frame_args(top)})" in seen["text"]
    assert isinstance(seen["back"], ClustersScreen)


def test_jump_to_a_goroutine_by_id(ui: type[UI], demo: Report) -> None:
    other = demo.clusters[2]
    gid = other.goroutine_ids[-1]
    seen: dict[str, Any] = {}

    async def steps(pilot: Pilot[int], app: GTriageApp) -> None:
        await ui.open_goroutines(pilot, app)  # cluster #1
        await pilot.press("i")
        await ui.wait_until(pilot, lambda: isinstance(app.screen, JumpScreen))
        await pilot.press(*str(gid), "enter")
        await ui.wait_until(
            pilot, lambda: isinstance(app.screen, GoroutinesScreen) and app.screen.cluster.rank == other.rank
        )
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, GoroutinesScreen)
        seen["cluster"] = screen.cluster
        seen["current"] = app.screen.query_one(GoroutineList).current
        seen["text"] = ui.screen_text(app)
        # Within the same cluster, and from the clusters screen.
        first = other.goroutine_ids[0]
        await pilot.press("i", *str(first), "enter")
        await pilot.pause()
        seen["same"] = app.screen.query_one(GoroutineList).current
        await pilot.press("escape")
        await pilot.press("i", *"999999", "enter")
        await pilot.pause()
        seen["missing"] = [n.message for n in app._notifications]

    ui.run(demo, steps)
    assert seen["cluster"] == other
    assert seen["current"].id == gid
    assert f"goroutine {gid} [" in seen["text"]
    assert seen["same"].id == other.goroutine_ids[0]
    assert any("No goroutine 999999" in m for m in seen["missing"])


def test_frame_cursor_opens_the_editor_at_file_and_line(ui: type[UI], demo: Report, monkeypatch: pytest.MonkeyPatch) -> None:
    # demo.txt names files under /home/gopher/samples; point them at this checkout so they exist.
    text = (SAMPLES / "demo.txt").read_text().replace("/home/gopher/samples/", f"{SAMPLES}/")
    report = analyze_text(text, "demo")
    calls: list[list[str]] = []
    monkeypatch.setattr(GTriageApp, "run_editor", lambda self, argv: calls.append(argv))
    monkeypatch.setenv("EDITOR", "vim -p")
    monkeypatch.delenv("VISUAL", raising=False)
    c = report.clusters[0]

    async def steps(pilot: Pilot[int], app: GTriageApp) -> None:
        await pilot.press("e")  # the cursor starts on the blocked frame
        await pilot.press("right_square_bracket", "e")  # next: the creator
        await ui.open_goroutines(pilot, app)
        await pilot.pause()
        await pilot.press("e")

    ui.run(report, steps)
    assert c.created_by is not None
    assert calls == [
        ["vim", "-p", f"+{c.blocked_at.line}", c.blocked_at.file],
        ["vim", "-p", f"+{c.created_by.line}", c.created_by.file],
        ["vim", "-p", f"+{c.blocked_at.line}", c.blocked_at.file],
    ]


def test_editor_is_not_run_for_a_file_that_is_not_here(ui: type[UI], demo: Report, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[list[str]] = []
    monkeypatch.setattr(GTriageApp, "run_editor", lambda self, argv: calls.append(argv))
    report = dataclasses.replace(demo, clusters=tuple(
        dataclasses.replace(c, blocked_at=dataclasses.replace(c.blocked_at, file="/nonexistent/x.go"),
                            frames=tuple(dataclasses.replace(f, file="/nonexistent/x.go") for f in c.frames))
        for c in demo.clusters
    ))
    seen: list[str] = []

    async def steps(pilot: Pilot[int], app: GTriageApp) -> None:
        await pilot.press("e")
        await pilot.pause()
        seen.extend(n.message for n in app._notifications)

    ui.run(report, steps)
    assert calls == []
    assert any("/nonexistent/x.go is not on this machine" in m for m in seen)


# ---------------------------------------------------------------- hand-off


def test_copy_and_save_markdown(ui: type[UI], demo: Report, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    seen: dict[str, Any] = {}

    async def steps(pilot: Pilot[int], app: GTriageApp) -> None:
        await pilot.press("j", "c")
        seen["cluster"] = app.clipboard
        await pilot.press("H", "C")
        seen["shown"] = app.clipboard
        await pilot.press("w")
        await pilot.pause()
        seen["notes"] = [n.message for n in app._notifications]
        await ui.open_goroutines(pilot, app, "h")
        await pilot.press("j", "y")
        seen["goroutine"] = app.clipboard
        await pilot.press("c")
        seen["from_goroutines"] = app.clipboard

    ui.run(demo, steps)
    assert seen["cluster"] == render_markdown(dataclasses.replace(demo, clusters=(demo.clusters[1],)))
    unhealthy = tuple(c for c in demo.clusters if not c.healthy)
    assert seen["shown"] == render_markdown(dataclasses.replace(demo, clusters=unhealthy))
    saved = list(tmp_path.glob("gtriage-*.md"))
    assert len(saved) == 1
    assert saved[0].read_text() == seen["shown"]
    assert any(str(saved[0]) in m for m in seen["notes"])
    g = demo.clusters[1].goroutines[1]
    assert seen["goroutine"] == goroutine_text(g)
    assert seen["from_goroutines"] == seen["cluster"]


# ---------------------------------------------------------------- crash, races, safety


def _hostile_crash() -> Report:
    text = CUSTOMERR.read_text()
    message = 'validation failed: field "email" code 422'
    assert message in text
    return analyze_text(text.replace(message, HOSTILE), "hostile")


def test_crash_banner_shows_the_panic(ui: type[UI]) -> None:
    report = analyze(str(CUSTOMERR))
    assert report.crash is not None
    seen: dict[str, Any] = {}

    async def steps(pilot: Pilot[int], app: GTriageApp) -> None:
        seen["display"] = app.screen.query_one(CrashBanner).display
        seen["text"] = ui.screen_text(app)

    ui.run(report, steps)
    assert seen["display"]
    assert 'panic: validation failed: field "email" code 422' in seen["text"]
    crashed = [c for c in report.clusters if c.crashed]
    assert crashed
    assert crashed[0].blocked_at.func in seen["text"]


def test_banner_is_hidden_without_a_crash(ui: type[UI], demo: Report) -> None:
    seen: list[bool] = []

    async def steps(pilot: Pilot[int], app: GTriageApp) -> None:
        seen.append(app.screen.query_one(CrashBanner).display)

    ui.run(demo, steps)
    assert seen == [False]


def test_race_banner(ui: type[UI]) -> None:
    report = analyze(str(RACE))
    assert report.races
    seen: dict[str, Any] = {}

    async def steps(pilot: Pilot[int], app: GTriageApp) -> None:
        seen["text"] = ui.screen_text(app)

    ui.run(report, steps)
    assert f"{len(report.races)} data race" in seen["text"]
    first = report.races[0].access
    assert f"{first.op} by goroutine {first.goroutine} at {first.frames[0].func}" in seen["text"]


def test_escape_sequences_and_markup_from_the_dump_are_inert(ui: type[UI]) -> None:
    report = _hostile_crash()
    seen: dict[str, Any] = {}

    async def steps(pilot: Pilot[int], app: GTriageApp) -> None:
        seen["text"] = ui.screen_text(app)
        await pilot.press("c")
        seen["clipboard"] = app.clipboard
        # Every segment the compositor would write: no raw ESC from the dump.
        seen["segments"] = [seg.text for strip in app.screen._compositor.render_strips() for seg in strip]

    ui.run(report, steps)
    assert "panic: \\x1b[2J[bold red]x[/]" in seen["text"]
    assert not any("\x1b" in s for s in seen["segments"])
    assert "\x1b" not in seen["clipboard"]


def test_copying_a_goroutine_copies_what_is_shown(ui: type[UI]) -> None:
    # y copied the dump's raw text: an OSC 52 sequence, BEL, a one-byte CSI, a bidi override.
    hostile = "\x1b]52;c;cHduZWQ=\x07\x9b31m\u202e"
    text = (SAMPLES / "demo.txt").read_text().replace("main.recvForever(", f"main.recvForever{hostile}(")
    report = analyze_text(text, "hostile")
    seen: dict[str, Any] = {}

    async def steps(pilot: Pilot[int], app: GTriageApp) -> None:
        await ui.open_goroutines(pilot, app)
        await pilot.press("y")
        seen["clipboard"] = app.clipboard

    ui.run(report, steps)
    g = report.clusters[0].goroutines[0]
    assert seen["clipboard"] == inert(goroutine_text(g))
    assert "main.recvForever\\x1b]52;c;cHduZWQ=\\x07\\x9b31m\\u202e(" in seen["clipboard"]
    assert not set(seen["clipboard"]) & set("\x1b\x07\x9b\u202e")


def test_escapes_in_goroutine_text_are_inert(ui: type[UI], demo: Report) -> None:
    # A hostile argument / file name in a goroutine, seen in the goroutines view.
    text = (SAMPLES / "demo.txt").read_text().replace("main.recvForever(", "main.recvForever\x1b]0;pwned\x07[red]x[/](")
    report = analyze_text(text, "hostile")
    seen: dict[str, Any] = {}

    async def steps(pilot: Pilot[int], app: GTriageApp) -> None:
        await ui.open_goroutines(pilot, app)
        await pilot.pause()
        seen["text"] = ui.screen_text(app)

    ui.run(report, steps)
    assert "\\x1b]0;pwned\\x07[red]x[/]" in seen["text"]
    assert "\x1b" not in seen["text"]
    assert "\x07" not in seen["text"]


# ---------------------------------------------------------------- loading, keys, help


def test_loading_shows_progress_and_q_quits_while_loading(ui: type[UI]) -> None:
    release = threading.Event()
    reported = threading.Event()
    outcome: list[str] = []

    def slow_load(progress: Progress) -> Report:
        progress(3 << 20, 8 << 20)
        reported.set()
        release.wait(5)
        try:
            progress(8 << 20, 8 << 20)  # the app has quit: the loader is told to stop
        except Exception as e:
            outcome.append(type(e).__name__)
            raise
        raise AssertionError("not cancelled")

    seen: dict[str, Any] = {}

    async def steps(pilot: Pilot[int], app: GTriageApp) -> None:
        await ui.wait_until(pilot, reported.is_set, "the first progress report")
        await ui.wait_until(pilot, lambda: "3.0 MiB of 8.0 MiB" in ui.screen_text(app), "progress on screen")
        seen["loading"] = bool(app.query(LoadingView))
        await pilot.press("q")

    app = ui.run(slow_load, steps, ready=False)
    release.set()
    for _ in range(100):
        if outcome:
            break
        threading.Event().wait(0.02)
    assert seen["loading"]
    assert app.return_code == 0
    assert outcome == ["_Cancelled"]


@pytest.mark.parametrize("error", [SourceError("dump.txt: no such file"), NoDumpError("x.txt: no goroutine dump found")])
def test_load_error_is_shown_and_exits_1(ui: type[UI], error: Exception) -> None:
    def failing(_progress: Progress) -> Report:
        raise error

    seen: dict[str, Any] = {}

    async def steps(pilot: Pilot[int], app: GTriageApp) -> None:
        await ui.wait_until(pilot, lambda: app.load_error is not None, "the error")
        await pilot.pause()
        seen["text"] = ui.screen_text(app)
        await pilot.press("q")

    app = ui.run(failing, steps, ready=False)
    assert f"gtriage: {error}" in seen["text"]
    assert "Press q to quit" in seen["text"]
    assert app.return_code == 1


def test_a_loader_bug_is_not_swallowed(ui: type[UI]) -> None:
    def buggy(_progress: Progress) -> Report:
        raise ZeroDivisionError("bug")

    async def steps(pilot: Pilot[int], app: GTriageApp) -> None:
        await ui.wait_until(pilot, lambda: app.crash is not None, "the crash")

    app = ui.run(buggy, steps, ready=False)
    assert isinstance(app.crash, ZeroDivisionError)
    assert app.return_code == 1


def test_help_footer_and_command_palette(ui: type[UI], demo: Report) -> None:
    seen: dict[str, Any] = {}

    async def steps(pilot: Pilot[int], app: GTriageApp) -> None:
        seen["footer"] = ui.screen_text(app).splitlines()[-1]
        await pilot.press("question_mark")
        seen["help"] = app.screen
        seen["help_text"] = ui.screen_text(app)
        await pilot.press("escape")
        seen["after_help"] = app.screen
        await pilot.press("ctrl+p")
        await ui.wait_until(pilot, lambda: isinstance(app.screen, CommandPalette), "the command palette")
        seen["palette"] = app.screen
        await pilot.press("escape")

    ui.run(demo, steps)
    for key in ("/ Search", "s Sort", "H Healthy", "q Quit", "? Help"):
        assert key.replace(" ", "") in seen["footer"].replace(" ", "")
    assert isinstance(seen["help"], HelpScreen)
    assert "fuzzy search" in seen["help_text"]
    assert isinstance(seen["after_help"], ClustersScreen)
    assert isinstance(seen["palette"], CommandPalette)


def light_share(app: GTriageApp) -> float:
    """The share of the screen's cells drawn on a light background (what the terminal gets)."""
    cells = light = 0
    for strip in app.screen._compositor.render_strips():
        for segment in strip:
            if segment.style is None or segment.style.bgcolor is None:
                continue
            n = cell_len(segment.text)
            cells += n
            if Color.from_rich_color(segment.style.bgcolor).brightness > 0.5:
                light += n
    assert cells, "nothing drawn with a background"
    return light / cells


def test_light_theme_renders(ui: type[UI], demo: Report) -> None:
    # The stylesheet uses theme variables only: switching to the light theme turns what is
    # drawn light, the clusters table included (a colour written in the CSS would stay).
    seen: dict[str, Any] = {}

    async def steps(pilot: Pilot[int], app: GTriageApp) -> None:
        seen["default"] = (app.current_theme.dark, light_share(app), table(app).background_colors[1].brightness)
        app.theme = "textual-light"
        await pilot.pause()
        seen["light"] = (app.current_theme.dark, light_share(app), table(app).background_colors[1].brightness)
        seen["theme"] = app.theme
        seen["text"] = ui.screen_text(app)

    ui.run(demo, steps)
    dark, share, table_brightness = seen["default"]
    assert dark
    assert share < 0.1
    assert table_brightness < 0.5
    dark, share, table_brightness = seen["light"]
    assert seen["theme"] == "textual-light"
    assert not dark
    assert share > 0.9
    assert table_brightness > 0.5
    assert demo.clusters[0].blocked_at.func in seen["text"]


@pytest.mark.parametrize(("dump", "kind"), [("leaky.debug1.txt", "a debug=1 profile"), ("locks.debug0.pb.gz", "a binary pprof profile")])
def test_profiles_have_no_goroutine_text(ui: type[UI], dump: str, kind: str) -> None:
    report = analyze(str(SAMPLES / "dumps" / "go1.27" / dump))
    seen: dict[str, Any] = {}

    async def steps(pilot: Pilot[int], app: GTriageApp) -> None:
        await ui.open_goroutines(pilot, app)
        await pilot.pause()
        seen["text"] = ui.screen_text(app)

    ui.run(report, steps)
    assert f"no per-goroutine text ({kind}" in seen["text"]


@pytest.mark.parametrize(("typed", "gid"), [("42", 42), ("4 2", None), ("٣", None), ("9" * 5000, None), ("-1", None), ("", None)])
def test_the_id_typed_is_ascii_digits_20_at_most(typed: str, gid: int | None) -> None:
    from gtriage.tui.jump_screen import goroutine_id

    assert goroutine_id(typed) == gid


def test_the_source_tree_shows_the_line_and_e_opens_its_file(ui: type[UI], monkeypatch: pytest.MonkeyPatch) -> None:
    """--source: the detail pane shows the blocking line with its neighbours (the dump's own
    paths name another machine), and `e` opens the tree's file at that line."""
    from gtriage.program_source import SourceTree, with_source

    report = with_source(analyze(str(SAMPLES / "series/leakrate.t4.txt")), SourceTree.open(str(SAMPLES / "leakrate")))
    calls: list[list[str]] = []
    monkeypatch.setattr(GTriageApp, "run_editor", lambda self, argv: calls.append(argv))
    monkeypatch.setenv("EDITOR", "vi")
    monkeypatch.delenv("VISUAL", raising=False)
    seen: dict[str, str] = {}

    async def steps(pilot: Pilot[int], app: GTriageApp) -> None:
        seen["screen"] = ui.screen_text(app)
        await pilot.press("e")

    ui.run(report, steps)
    c = report.clusters[0]
    assert any(line.strip().startswith("120 │") and line.strip().endswith("<-reply // SAMPLE:leak") for line in seen["screen"].splitlines())
    assert c.source is not None
    assert calls == [["vi", f"+{c.blocked_at.line}", str(SAMPLES / "leakrate/main.go")]]


def test_o_goes_to_the_goroutine_that_may_hold_the_lock(ui: type[UI]) -> None:
    """locks: 37 goroutines wait for Store.mu at store.go:23 while the holder (the manifest
    says which goroutine) is blocked at store.go:30 with it held."""
    import json

    dump = SAMPLES / "dumps/go1.27/locks.debug2.txt"
    manifest = json.loads(dump.with_suffix(".json").read_text())
    holder = next(g for g in manifest["groups"] if g["key"] == "store-holder")["ids"][0]
    report = analyze(str(dump))
    waiters = next(c for c in report.clusters if c.blocked_at.line == 23 and c.blocked_at.file.endswith("store.go"))
    seen: dict[str, Any] = {}

    async def steps(pilot: Pilot[int], app: GTriageApp) -> None:
        from gtriage.tui.detail_pane import DetailPane

        for _ in range(len(report.clusters)):
            if app.screen.query_one(DetailPane).cluster is waiters:
                break
            await pilot.press("down")
        seen["detail"] = ui.screen_text(app)
        await pilot.press("o")
        await ui.wait_until(pilot, lambda: isinstance(app.screen, GoroutinesScreen), "the goroutines screen")
        await pilot.pause()
        seen["screen"] = ui.screen_text(app)

    ui.run(report, steps)
    assert f"May hold it  goroutine {holder}" in seen["detail"]
    assert f"goroutine {holder} [" in seen["screen"]


def test_a_logged_panic_is_shown_where_it_was_raised(ui: type[UI]) -> None:
    # samples/logged/httppanic.log: negroni's middleware recovered a handler's panic; its
    # stack starts in the middleware's deferred function, over panic().
    sample = Path(__file__).resolve().parents[2] / "samples/logged/httppanic.log"
    report = analyze(str(sample))
    [made] = [r for r in json.loads(sample.with_suffix(".json").read_text())["requests"] if r["logged_by"] == "negroni"]
    [at] = [i for i, c in enumerate(report.clusters) if any(p.logged_by == "negroni" for p in c.logged_panics)]
    seen: dict[str, Any] = {}

    async def steps(pilot: Pilot[int], app: GTriageApp) -> None:
        for _ in range(at):
            await pilot.press("down")
        await pilot.pause()
        seen["detail"] = " ".join(str(app.screen.query_one("#detail-summary").render()).split())
        seen["stack"] = " ".join(ui.screen_text(app).split())

    ui.run(report, steps)
    where = f"main.report /home/gopher/samples/httppanic/main.go:{made['line']}"
    assert f"Panicked at {where}" in seen["detail"]
    assert f"same arguments; at {where}" in seen["detail"]  # its stack shape, too
    assert "Blocked at" not in seen["detail"]
    assert "panicked here" in seen["stack"]
