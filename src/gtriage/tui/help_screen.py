"""`?` / F1: every key, in one place, laid out for the width there is."""

from __future__ import annotations

from typing import ClassVar

from rich.console import Console, ConsoleOptions, RenderResult
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Static

from .keys import CLIPBOARD_NOTE, KEYS
from .text_box import TextBox

MIN_MEANING = 28  # below this many cells beside the key, the meaning goes under the key


class HelpText:
    """The key table, rendered at the width it is given: key and meaning side by side
    (the meaning wrapped under itself), or, when that leaves the meaning too little
    room, each meaning under its key."""

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        key_width = max(len(k) for _, keys in KEYS for k, _ in keys)
        side_by_side = options.max_width - key_width - 4 >= MIN_MEANING
        for n, (title, keys) in enumerate(KEYS):
            if n:
                yield Text("")
            yield Text(title, style="bold underline")
            grid = Table.grid(padding=(0, 2, 0, 0) if side_by_side else 0, pad_edge=False)
            if side_by_side:
                grid.add_column(width=key_width + 2, no_wrap=True, style="bold")
                grid.add_column(overflow="fold")
                for key, what in keys:
                    grid.add_row(Text(f"  {key}"), Text(what))
            else:
                grid.add_column(overflow="fold")
                for key, what in keys:
                    grid.add_row(Text(f" {key}", style="bold"))
                    grid.add_row(Text(f"    {what}"))
            yield grid
        yield Text("")
        yield Text(CLIPBOARD_NOTE, style="italic")


class HelpScreen(TextBox):
    BOX_ID = "help"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,question_mark,f1", "dismiss", "Close help")]

    def compose(self) -> ComposeResult:
        with self.box("Keys"):
            yield Static(HelpText())
