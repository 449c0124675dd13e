"""`x`: the clusters that went away: those of the previous dump that no cluster of this one
matched, or, over a series, every cluster seen in it but not in its last dump, with its
trend. The status line names only the largest; text, Markdown and JSON list them all."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Static

from gtriage.render.common import gone_text, gone_title, num, trend_text
from gtriage.report import GoneCluster

from .styled import plain
from .text_box import TextBox


def gone_lines(gone: tuple[GoneCluster, ...], goroot: str | None) -> Text:
    """A line a cluster, largest first, its trend under it; all of them (a screen scrolls)."""
    lines: list[Text] = []
    for g in gone:
        lines.append(plain(gone_text(g, goroot)))
        if g.trend is not None:
            lines.append(plain(f"    {trend_text(g.trend)}", "dim"))
        for s in g.sources or ():
            # A source's name is the user's or a server's text: plain() makes it inert.
            over = f": {trend_text(s.trend)}" if s.trend is not None else ""
            lines.append(plain(f"    on {s.source}, {num(s.count)} when last seen{over}", "dim"))
    return Text("\n", end="").join(lines)


class GoneScreen(TextBox):
    BOX_ID = "gone"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,x,q", "dismiss", "Close")]

    def __init__(self, gone: tuple[GoneCluster, ...], goroot: str | None) -> None:
        super().__init__()
        self.gone = gone
        self.goroot = goroot

    def compose(self) -> ComposeResult:
        with self.box(gone_title(self.gone)):
            yield Static(gone_lines(self.gone, self.goroot))
