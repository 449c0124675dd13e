"""`i`: ask for a goroutine id."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, Static

from gtriage.report import Cluster

from .goroutine_list import sources_of
from .report_query import ReportIndex


class JumpScreen(ModalScreen[int | None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(id="jump"):
            yield Static("Go to goroutine id:")
            yield Input(type="integer", placeholder="e.g. 42", id="jump-id")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        value = event.value.strip()
        self.dismiss(goroutine_id(value))

    def action_cancel(self) -> None:
        self.dismiss(None)


def goroutine_id(text: str) -> int | None:
    """The id typed: ASCII digits, 20 at most (a goroutine id is a uint64; "٣" and a
    5,000-digit number are no id, and int() would take the one and choke on the other)."""
    if not 0 < len(text) <= 20 or not text.isascii() or not text.isdigit():
        return None
    return int(text)


def jump_to_goroutine(screen: Screen[Any], index: ReportIndex, show: Callable[[Cluster, int], None]) -> None:
    """Ask for a goroutine id; `show` its cluster and position, or say there is none."""

    def go(gid: int | None) -> None:
        if gid is None:
            return
        found = index.find_goroutine(gid)
        if found is None:
            screen.notify(f"No goroutine {gid} in this dump.", severity="warning", markup=False)
            return
        show(*found)
        sources = index.sources_with(gid)
        if len(sources) > 1:
            # Ids repeat from process to process: say so rather than pick one silently.
            cluster, pos = found
            named = ", ".join(sources[:5]) + (f" and {len(sources) - 5} more" if len(sources) > 5 else "")
            shown = (sources_of(cluster) or {}).get(id(cluster.goroutines[pos]), "?") if cluster.goroutines else "?"
            screen.notify(f"Goroutine {gid} is in {len(sources)} sources ({named}): this is {shown}'s.", markup=False)

    screen.app.push_screen(JumpScreen(), go)
