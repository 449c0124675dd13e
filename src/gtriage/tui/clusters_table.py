"""The ranked clusters, one row each (clusters are few, so a DataTable holds them all)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.widgets import DataTable

from gtriage.normalize import FrameInfo
from gtriage.render.common import minutes_text, state_text
from gtriage.report import Cluster

from .messages import ClusterChosen, ClusterHighlighted
from .text import ORIGIN_STYLE, plain

# "where" (file:line) before the function: on a narrow terminal the long function names
# are what scrolls out of view, not the line to open.
COLUMNS = ("#", "count", "state", "minutes", "where", "blocked at", "created by", "labels")


def _short_location(f: FrameInfo) -> str:
    return f"{f.file.rsplit('/', 1)[-1]}:{f.line}" if f.file else ""


def _labels_text(c: Cluster) -> str:
    if not c.labels:
        return ""
    top = c.labels[0]
    text = ",".join(f"{k}={v}" for k, v in top.labels) + f" ({top.count})"
    return text + (f" +{len(c.labels) - 1}" if len(c.labels) > 1 else "")


def cluster_row(c: Cluster) -> list[Text]:
    """The cells of one row: every cell a plain Text (dump strings are never markup)."""
    dim = "dim" if c.healthy and not c.crashed else ""
    count = str(c.count)
    if c.previous_count is not None and c.previous_count != c.count:
        count += f" ({c.count - c.previous_count:+d})"
    return [
        plain(str(c.rank), dim),
        Text(count, style=dim or "bold", justify="right"),
        plain(state_text(c), "bold red" if c.crashed else dim),
        plain(minutes_text(c), dim),
        plain(_short_location(c.blocked_at), dim),
        plain(c.blocked_at.func, dim or ORIGIN_STYLE.get(c.blocked_at.origin, "")),
        plain(c.created_by.func if c.created_by else "", dim),
        plain(_labels_text(c), dim),
    ]


class ClustersTable(DataTable[Text]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
        Binding("g", "scroll_top", "Top", show=False),
        Binding("G", "scroll_bottom", "Bottom", show=False),
    ]

    def __init__(self) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, id="clusters")
        self.clusters: tuple[Cluster, ...] = ()

    def on_mount(self) -> None:
        for name in COLUMNS:
            self.add_column(name, key=name)

    def show(self, clusters: tuple[Cluster, ...]) -> None:
        """Replace the rows, keeping the cursor on the same cluster when it is still shown."""
        current = self.current
        same_rows = len(clusters) == len(self.clusters) and {c.rank for c in clusters} == {
            c.rank for c in self.clusters
        }
        self.clusters = clusters
        if same_rows:
            # Only the order changed: reorder in place, cheaper than rebuilding the rows.
            order = {c.rank: i for i, c in enumerate(clusters)}
            self.sort("#", key=lambda rank_cell: order[int(rank_cell.plain)])
        else:
            self.clear()
            for c in clusters:
                self.add_row(*cluster_row(c), key=str(c.rank))
        row = next((i for i, c in enumerate(clusters) if current is not None and c.rank == current.rank), 0)
        if clusters:
            self.move_cursor(row=row, animate=False)
        # DataTable says nothing when the cursor stays at row 0: the screen must still hear.
        self.post_message(ClusterHighlighted(self.current))

    @property
    def current(self) -> Cluster | None:
        if not self.clusters or not 0 <= self.cursor_row < len(self.clusters):
            return None
        return self.clusters[self.cursor_row]

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self.post_message(ClusterHighlighted(self.current))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if self.current is not None:
            self.post_message(ClusterChosen(self.current))
