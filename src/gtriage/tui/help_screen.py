"""`?`: every key, in one place."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

KEYS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("Everywhere", (
        ("q", "quit (also while loading)"),
        ("?", "this help"),
        ("ctrl+p", "command palette (themes, keys, screenshots)"),
        ("escape", "back / clear the search and filters"),
    )),
    ("Clusters", (
        ("j k ↓ ↑  g G", "move, first, last"),
        ("enter", "the goroutines of the cluster"),
        ("/", "fuzzy search over functions, files, states, labels (enter keeps it, escape drops it)"),
        ("s  1 2 3 4", "cycle the sort; sort by rank, count, minutes, state"),
        ("h", "hide / show healthy runtime and stdlib clusters"),
        ("t", "show one state at a time (cycles through the states)"),
        ("[ ]", "previous / next frame of the stack"),
        ("r", "show / fold runtime frames"),
        ("e", "open the frame in $EDITOR (when the file is on this machine)"),
        ("c", "copy the cluster as Markdown (OSC 52 clipboard)"),
        ("C", "copy the shown clusters as Markdown"),
        ("w", "save the shown clusters as Markdown (gtriage-<time>.md)"),
        ("i", "go to a goroutine by id"),
    )),
    ("Goroutines", (
        ("j k ↓ ↑  space b  g G", "step through the goroutines"),
        ("i", "go to a goroutine by id"),
        ("[ ]  e", "pick a frame, open it in $EDITOR"),
        ("y", "copy the goroutine's text"),
        ("c", "copy the cluster as Markdown"),
        ("escape", "back to the clusters"),
    )),
)


def help_text() -> Text:
    out = Text(end="")
    for title, keys in KEYS:
        out.append(f"{title}\n", style="bold underline")
        for key, what in keys:
            out.append(f"  {key:<24}", style="bold")
            out.append(f"{what}\n")
        out.append("\n")
    out.rstrip()
    return out


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark", "dismiss", "Close help"),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Static(help_text())
