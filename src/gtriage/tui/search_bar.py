"""`/` search: filters the clusters as you type; enter keeps the filter, escape drops it."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.widgets import Input

from .messages import SearchChanged, SearchClosed


class SearchBar(Input):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "close", "Cancel search")]

    def __init__(self) -> None:
        super().__init__(placeholder="search function, file, state, labels (fuzzy)", id="search")
        self.display = False

    def open(self) -> None:
        self.display = True
        # Focus now, not via focus() (deferred with call_later): keys typed right after `/`
        # may already be queued, and they belong to the search.
        self.screen.set_focus(self)

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.post_message(SearchChanged(event.value))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.display = bool(self.value)
        self.post_message(SearchClosed(kept=True))

    def action_close(self) -> None:
        self.value = ""
        self.display = False
        self.post_message(SearchChanged(""))
        self.post_message(SearchClosed(kept=False))
