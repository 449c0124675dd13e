"""An 80x24 terminal: the footer keeps Quit and Help, the table keeps count, state and
file:line and cuts function names from the left, the help screen wraps under itself."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from textual.pilot import Pilot

from gtriage.pipeline import analyze
from gtriage.render.common import minutes_text, state_text
from gtriage.report import Cluster, Report
from gtriage.tui.app import GTriageApp
from gtriage.tui.help_screen import HelpScreen

if TYPE_CHECKING:
    from tui.conftest import UI

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
SMALL = (80, 24)


def _whole(c: Cluster) -> list[str]:
    """What a row must show in full: count, state, minutes, file:line."""
    where = f"{c.blocked_at.file.rsplit('/', 1)[-1]}:{c.blocked_at.line}"
    return [f"{c.count:,}", state_text(c), minutes_text(c), where]


def _rows(text: str) -> dict[str, str]:
    """Table rows on screen by rank: the line that starts with ` <rank> `."""
    out: dict[str, str] = {}
    for line in text.splitlines():
        first = line.split(maxsplit=1)[0] if line.strip() else ""
        if first.isdigit() and first not in out:
            out[first] = line
    return out


@pytest.mark.parametrize("name", ["demo.txt", "dumps/go1.27/leaky.minutes.txt"])
def test_80x24_keeps_quit_help_and_where(ui: type[UI], name: str) -> None:
    report = analyze(str(SAMPLES / name))
    seen: dict[str, Any] = {}

    async def steps(pilot: Pilot[int], app: GTriageApp) -> None:
        seen["text"] = ui.screen_text(app)
        await ui.open_goroutines(pilot, app)
        seen["goroutines"] = ui.screen_text(app)

    ui.run(report, steps, size=SMALL)
    footer = seen["text"].splitlines()[-1]
    assert "q Quit" in footer, footer
    assert "? Help" in footer, footer
    assert "q Quit" in seen["goroutines"].splitlines()[-1]
    assert "? Help" in seen["goroutines"].splitlines()[-1]
    rows = _rows(seen["text"])
    visible = [c for c in report.clusters if str(c.rank) in rows]
    assert len(visible) >= 5
    cut = 0
    for c in visible:
        row = rows[str(c.rank)]
        assert len(row) <= SMALL[0]
        for cell in _whole(c):
            assert cell in row, (cell, row)
        func = c.blocked_at.func
        if func not in row:  # cut from the left: its end is there, after `…`
            shown = row.split("…", 1)[1].split()[0]
            assert func.endswith(shown), (func, row)
            cut += 1
    assert cut, "some names are too long for 80 columns and must show cut"


def test_help_fits_80x24_and_wraps_under_the_meaning(ui: type[UI], demo: Report) -> None:
    seen: dict[str, Any] = {}

    async def steps(pilot: Pilot[int], app: GTriageApp) -> None:
        await pilot.press("question_mark")
        await ui.wait_until(pilot, lambda: isinstance(app.screen, HelpScreen), "the help")
        await pilot.pause()
        seen["top"] = ui.screen_text(app)
        await pilot.press("j")
        await pilot.pause()
        seen["one_down"] = ui.screen_text(app)
        await pilot.press("G")
        await pilot.pause()
        seen["bottom"] = ui.screen_text(app)

    ui.run(demo, steps, size=SMALL)
    lines = seen["top"].splitlines()
    start = next(i for i, line in enumerate(lines) if "fuzzy search over functions" in line)
    column = lines[start].index("fuzzy")
    # The rest of the meaning continues under its first word, not under the keys.
    assert lines[start + 1][column - 1] == " ", lines[start + 1]
    assert lines[start + 1][column] != " ", lines[start + 1]
    assert "escape closes" in seen["top"]
    # j scrolls a line, G to the last section and the clipboard note.
    assert seen["one_down"] != seen["top"]
    assert "Columns" in seen["bottom"]  # the last section
    assert "set-clipboard" in seen["bottom"]


def test_footer_keys_are_not_compact_and_cost_no_restyle_each(ui: type[UI], monkeypatch: pytest.MonkeyPatch) -> None:
    # Each key's compact watcher restyled it as it mounted (~2 ms a key, ~85 keys before
    # the first screen of a big dump): the keys are made not compact without it.
    from textual.widgets._footer import FooterKey

    watched: list[str] = []  # the keys whose watcher ran, but the command palette's (as Textual has it)
    real = FooterKey._watch_compact

    def counting(self: FooterKey, compact: bool) -> None:
        if not self.has_class("-command-palette"):
            watched.append(self.action)
        real(self, compact)

    monkeypatch.setattr(FooterKey, "_watch_compact", counting)
    seen: dict[str, Any] = {}

    async def steps(pilot: Pilot[int], app: GTriageApp) -> None:
        keys = [k for k in app.screen.query(FooterKey) if not k.has_class("-command-palette")]
        seen["keys"] = [(k.compact, k.has_class("-compact")) for k in keys]
        seen["text"] = ui.screen_text(app)

    ui.run(analyze(str(SAMPLES / "demo.txt")), steps, size=SMALL)
    assert seen["keys"]
    assert set(seen["keys"]) == {(False, False)}
    assert watched == []
    assert "q Quit" in seen["text"].splitlines()[-1]  # drawn in the wide style: "q Quit", not "q"
