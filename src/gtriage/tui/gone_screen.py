"""`x`: the clusters that went away: those of the previous dump that no cluster of this one
matched, or, over a series, every cluster seen in it but not in its last dump, with its
trend. The status line names only the largest; text, Markdown and JSON list them all."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from gtriage.render.common import gone_text, gone_title, trend_text
from gtriage.report import GoneCluster

from .styled import plain


def gone_lines(gone: tuple[GoneCluster, ...], goroot: str | None) -> Text:
    """A line a cluster, largest first, its trend under it; all of them (a screen scrolls)."""
    lines: list[Text] = []
    for g in gone:
        lines.append(plain(gone_text(g, goroot)))
        if g.trend is not None:
            lines.append(plain(f"    {trend_text(g.trend)}", "dim"))
    return Text("\n", end="").join(lines)


class GoneScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,x,q", "dismiss", "Close"),
        Binding("j,down", "scroll(1)", "Scroll down", show=False),
        Binding("k,up", "scroll(-1)", "Scroll up", show=False),
        Binding("g,home", "scroll_to(0)", "Top", show=False),
        Binding("G,end", "scroll_to(-1)", "Bottom", show=False),
    ]

    def __init__(self, gone: tuple[GoneCluster, ...], goroot: str | None) -> None:
        super().__init__()
        self.gone = gone
        self.goroot = goroot

    def compose(self) -> ComposeResult:
        box = VerticalScroll(id="gone")
        box.border_title = gone_title(self.gone)
        box.border_subtitle = "j k g G scroll · escape closes"
        with box:
            yield Static(gone_lines(self.gone, self.goroot))

    def action_scroll(self, lines: int) -> None:
        self.query_one("#gone", VerticalScroll).scroll_relative(y=lines, animate=False)

    def action_scroll_to(self, end: int) -> None:
        box = self.query_one("#gone", VerticalScroll)
        if end < 0:
            box.scroll_end(animate=False)
        else:
            box.scroll_home(animate=False)
