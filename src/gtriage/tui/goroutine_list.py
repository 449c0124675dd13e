"""The goroutines of one cluster, one line each, drawn with the Line API.

Only the visible lines are rendered (render_line is called per screen row), so a cluster
of 100,000 goroutines costs the same to show and scroll as one of ten.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from gtriage.model import Goroutine
from gtriage.report import Cluster

from .messages import GoroutineHighlighted
from .styled import plain, top_frame

WIDTH = 400  # virtual width: long argument lists scroll horizontally
SOURCE_WIDTH = 16  # at most, for a fleet's source names


def sources_of(cluster: Cluster) -> dict[int, str] | None:
    """In a fleet, each goroutine's source by id() of the goroutine (ids repeat from process
    to process, so the id alone names none); None for one dump."""
    if cluster.sources is None:
        return None
    return {id(g): s.source for s in cluster.sources for g in s.goroutines}


def cut_names(names: list[str], width: int) -> dict[str, str]:
    """Each name as it fits in `width` cells: whole, else its end after "…" (pods of one
    deployment differ only in their last letters: "…9c8f5-xk2lp/app"), unless only their
    starts tell the names apart."""
    def tail(n: str) -> str:
        return n if len(n) <= width else "…" + n[len(n) - width + 1 :]

    def head(n: str) -> str:
        return n if len(n) <= width else n[: width - 1] + "…"

    for cut in (tail, head):
        cells = {n: cut(n) for n in names}
        if len(set(cells.values())) == len(cells):
            return cells
    return {n: tail(n) for n in names}


class GoroutineList(ScrollView, can_focus=True):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,j", "move(1)", "Next", show=False),
        Binding("up,k", "move(-1)", "Previous", show=False),
        Binding("pagedown,space", "page(1)", "Page down", show=False),
        Binding("pageup,b", "page(-1)", "Page up", show=False),
        Binding("home,g", "jump(0)", "First", show=False),
        Binding("end,G", "jump(-1)", "Last", show=False),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {"goroutine-list--cursor"}

    cursor: reactive[int] = reactive(0)

    def __init__(self, cluster: Cluster, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.cluster = cluster
        self.goroutines: tuple[Goroutine, ...] = cluster.goroutines
        ids = [g.id for g in self.goroutines[:1]] + [max((g.id for g in self.goroutines), default=0)]
        self.id_width = max(len("id"), *(len(str(i)) for i in ids))
        self.sources = sources_of(cluster)
        names = [s.source for s in cluster.sources or ()]
        self.source_width = max(len("source"), min(SOURCE_WIDTH, max(map(len, names)))) if names else 0
        self.cells = cut_names(names, self.source_width)
        # The last panic each goroutine logged with its stack (by source and id: ids repeat
        # from source to source, and a keep-alive connection's goroutine logs several); a
        # value of several lines on one, as the cluster's `why` shows it.
        self.panics = {(p.source, p.goroutine): p.message.replace("\n", " ⏎ ") for p in cluster.logged_panics}
        self.virtual_size = Size(WIDTH, len(self.goroutines))

    def header(self) -> str:
        source = f"  {'source':<{self.source_width}}" if self.source_width else ""
        return f"{source}  {'id':>{self.id_width}}  {'min':>4}  {'parent':>7}  args at the blocked frame · labels"

    def source_cell(self, g: Goroutine) -> str:
        if self.sources is None:
            return ""
        name = self.sources.get(id(g), "?")
        return f"  {self.cells.get(name, name):<{self.source_width}}"

    def row_text(self, g: Goroutine) -> Text:
        f = top_frame(g, self.cluster)
        args = g.frame_args(f) if f is not None else ""
        parent = str(g.parent_id) if g.parent_id is not None else "-"
        labels = " ".join(f"{k}={v}" for k, v in g.labels)
        state = f"[{g.state}] " if g.state != self.cluster.state else ""
        panic = self.panics.get((self.sources.get(id(g)) if self.sources is not None else None, g.id)) if self.panics else None
        # A logged panic first: at 80 columns the arguments would push it out of sight.
        said = f"logged panic: {panic}  " if panic is not None else ""
        return plain(
            f"{self.source_cell(g)}  {g.id:>{self.id_width}}  {g.minutes or '':>4}  {parent:>7}  {state}{said}({args})"
            + (f"  {labels}" if labels else "")
        )

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.size.width
        base = self.rich_style
        if index >= len(self.goroutines):
            return Strip.blank(width, base)
        style = base + self.get_component_rich_style("goroutine-list--cursor") if index == self.cursor else base
        text = self.row_text(self.goroutines[index])
        text.stylize_before(style)
        strip = Strip(list(text.render(self.app.console))).crop(scroll_x, scroll_x + width)
        return strip.extend_cell_length(width, style)

    @property
    def current(self) -> Goroutine | None:
        return self.goroutines[self.cursor] if 0 <= self.cursor < len(self.goroutines) else None

    def watch_cursor(self, old: int, new: int) -> None:
        self.refresh_lines(old - self.scroll_offset.y)
        self.refresh_lines(new - self.scroll_offset.y)
        self.scroll_to_region(Region(0, new, 1, 1), animate=False, force=True)
        self.post_message(GoroutineHighlighted(self.current, new))

    def select(self, index: int) -> None:
        if self.goroutines:
            self.cursor = max(0, min(len(self.goroutines) - 1, index))

    def action_move(self, step: int) -> None:
        self.select(self.cursor + step)

    def action_page(self, direction: int) -> None:
        self.select(self.cursor + direction * max(1, self.size.height - 1))

    def action_jump(self, index: int) -> None:
        self.select(index if index >= 0 else len(self.goroutines) - 1)

