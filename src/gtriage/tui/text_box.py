"""A box of text over the screen (the help, the clusters that went away): scrolled with
j k g G, closed with escape and the key that opened it."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen


class TextBox(ModalScreen[None]):
    BOX_ID: ClassVar[str]  # the box's id, for the stylesheet
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "scroll(1)", "Scroll down", show=False),
        Binding("k,up", "scroll(-1)", "Scroll up", show=False),
        Binding("g,home", "scroll_to(0)", "Top", show=False),
        Binding("G,end", "scroll_to(-1)", "Bottom", show=False),
    ]

    def box(self, title: str) -> VerticalScroll:
        """The scrolling box, titled, to compose the text into."""
        box = VerticalScroll(id=self.BOX_ID)
        box.border_title = title
        box.border_subtitle = "j k g G scroll · escape closes"
        return box

    def action_scroll(self, lines: int) -> None:
        self.query_one(f"#{self.BOX_ID}", VerticalScroll).scroll_relative(y=lines, animate=False)

    def action_scroll_to(self, end: int) -> None:
        box = self.query_one(f"#{self.BOX_ID}", VerticalScroll)
        if end < 0:
            box.scroll_end(animate=False)
        else:
            box.scroll_home(animate=False)
