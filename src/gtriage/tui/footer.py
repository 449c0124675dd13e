"""The key bar: on a narrow terminal the lesser keys go and `q Quit` and `? Help` stay; it
is drawn again only when the keys it shows or its width change."""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer as TextualFooter
from textual.widgets._footer import FooterKey

# Shown whatever the width: the way out and the way to every other key.
ESSENTIAL = ("quit", "help")


def key_width(key_display: str, description: str) -> int:
    """Cells a FooterKey takes in the default (not compact) style: " key " + "description "."""
    return cell_len(key_display) + 2 + cell_len(description) + 1


def fit(widths: Sequence[tuple[str, int]], essential: Sequence[str], budget: int) -> set[str]:
    """The actions to show within `budget` cells: the essential ones, then the others in
    the order given while they fit (a run from the start: no gaps that look like a bug)."""
    chosen = {a for a, _ in widths if a in essential}
    left = budget - sum(w for a, w in widths if a in chosen)
    for action, w in widths:
        if action in chosen:
            continue
        if w > left:
            break
        chosen.add(action)
        left -= w
    return chosen


class Footer(TextualFooter):
    """Textual's footer shows every key and lets the last ones fall off the right edge,
    which on 80 columns are Quit and Help. This one picks what fits, most important first:
    Quit and Help, then the screen's keys in the order it declares them, then the command
    palette. Textual also rebuilds all its key widgets on every bindings signal, and focus
    moves send two in a row (~30 ms each); this one rebuilds only when the keys or the
    width change."""

    def __init__(self) -> None:
        super().__init__()
        self._shown: tuple[tuple[str, str, str, bool], ...] | None = None
        self._width = 0

    def bindings_changed(self, screen: Screen[object]) -> None:
        shown = tuple(
            (binding.key, binding.action, binding.description, enabled)
            for (_node, binding, enabled, _tooltip) in screen.active_bindings.values()
            if binding.show
        )
        if shown == self._shown:
            return
        self._shown = shown
        super().bindings_changed(screen)

    def on_resize(self, event: events.Resize) -> None:
        if event.size.width != self._width and self._bindings_ready:
            self.call_after_refresh(self.recompose)

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        self._width = self.size.width or self.app.size.width
        active = self.screen.active_bindings
        keys: dict[str, tuple[Binding, bool, str]] = {}
        for _node, binding, enabled, tooltip in active.values():
            # One key per action: `question_mark,f1` shows as `?` only.
            if binding.show and binding.action not in keys:
                keys[binding.action] = (binding, enabled, tooltip)
        widths = [
            (action, key_width(self.app.get_key_display(b), b.description)) for action, (b, _e, _t) in keys.items()
        ]
        palette = active.get(self.app.COMMAND_PALETTE_BINDING)
        if palette is not None and self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE:
            _node, pb, _enabled, _tooltip = palette
            # Docked right, with a border cell on its left and a padding cell on its right.
            widths.append(("\0palette", key_width(self.app.get_key_display(pb), pb.description) + 2))
        else:
            palette = None
        chosen = fit(widths, ESSENTIAL, self._width)
        for action, (binding, enabled, tooltip) in keys.items():
            if action in chosen:
                key = FooterKey(
                    binding.key,
                    self.app.get_key_display(binding),
                    binding.description,
                    binding.action,
                    disabled=not enabled,
                    tooltip=tooltip,
                )
                # Textual binds each key's `compact` to the footer's, and the watcher then
                # restyles every key as it mounts (~2 ms each, ~85 keys before the first
                # screen). This footer is never compact: the keys are made not compact
                # without the watcher (set before mount, no style update).
                key.set_reactive(FooterKey.compact, False)
                yield key
        if palette is not None and "\0palette" in chosen:
            _node, pb, enabled, _tooltip = palette
            yield FooterKey(
                pb.key,
                self.app.get_key_display(pb),
                pb.description,
                pb.action,
                classes="-command-palette",
                disabled=not enabled,
                tooltip=pb.tooltip or pb.description,
            )
