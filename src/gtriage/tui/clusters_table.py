"""The ranked clusters, one row each (clusters are few, so a DataTable holds them all).

The columns are fitted to the terminal's width: rank, count, Δ (the change since the previous
dump, when the input holds one), state and where (file:line) always show in full; the
function names get what is left and lose their start (`…`) rather than their end;
created-by and labels show only when there is room for them. Over a series of dumps a trend
column (a sparkline of the last counts, then a one-word verdict) keeps its sparkline and
drops the word when the names need the room; in a fleet, `sources` says how many of the
sources read hold the cluster ("2/3").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.widgets import DataTable

from gtriage.frame_info import FrameInfo
from gtriage.render.common import MINUS, minutes_text, num, sources_read, sparkline, state_text
from gtriage.render.safe import inert_line
from gtriage.report import Cluster, Report

from .messages import ClusterChosen, ClusterHighlighted
from .report_query import ClusterKey, cluster_key, is_new
from .styled import ORIGIN_STYLE, clip_left, clip_right, plain

# "where" (file:line) before the function: on a narrow terminal the long function names
# are what is cut, not the line to open.
COLUMNS = ("#", "count", "Δ", "trend", "sources", "state", "minutes", "where", "blocked at", "created by", "labels")
PADDING = 2  # DataTable's cell padding: one cell each side
MAX_STATE = 24  # longer states (rare: "chan receive (nil chan)" is 23) are cut at the right
MAX_WHERE = 32  # a file name longer than this loses its start, never its line
MIN_FUNC = 14  # "blocked at" gets at least this, even if the row must scroll
MIN_STATE = 12  # the state gives up cells down to this before the function goes below MIN_FUNC
MIN_EXTRA = 12  # created-by and labels show only with at least this much room
TREND_POINTS = 12  # the table's sparkline: the last this many counts (the detail pane has them all)
# The trend's word shows only while "blocked at" keeps this much (or all it needs): the
# sparkline says most of it, the function name nothing else does.
VERDICT_ROOM = 24


def _short_location(f: FrameInfo) -> str:
    return f"{f.file.rsplit('/', 1)[-1]}:{f.line}" if f.file else ""


def _labels_text(c: Cluster) -> str:
    if not c.labels:
        return ""
    top = c.labels[0]
    text = ",".join(f"{k}={v}" for k, v in top.labels) + f" ({num(top.count)})"
    return text + (f" +{len(c.labels) - 1}" if len(c.labels) > 1 else "")


def _count(c: Cluster) -> str:
    count = num(c.count)
    if c.previous_count is not None and c.previous_count != c.count:
        count += f" ({c.count - c.previous_count:+,d})"
    return count


def _delta(c: Cluster) -> str:
    """Against the previous dump: "new", "+23", "\u221210", "=" (steady); "≈" after it when
    matched approximately; "" without a previous dump."""
    if c.status is None or c.delta is None:
        return ""
    if c.status == "new":
        text = "new"
    elif c.delta == 0:
        text = "="
    else:
        text = f"{'+' if c.delta > 0 else MINUS}{num(abs(c.delta))}"
    return text + ("≈" if c.matched_approximately is not None else "")


DELTA_STYLE = {"new": "bold yellow", "grew": "bold red", "shrank": "green", "steady": "dim"}
NEW_STYLE = "bold yellow"  # the rank of a cluster that was not in the dump before

# Trend.verdict in one word for the table (the detail pane says it whole), and its colour:
# growth is the leak signal, so it is what stands out.
SHORT_VERDICT: dict[str, tuple[str, str]] = {
    "grows steadily": ("grows", "bold red"),
    "grows then plateaus": ("plateau", "yellow"),
    "new in the last dump": ("new", NEW_STYLE),
    "grew in the last interval": ("grew", "red"),
    "steady": ("steady", "dim"),
    "shrinks": ("shrinks", "green"),
    "transient": ("transient", "dim"),
    "fluctuates": ("fluctuates", ""),
}


def _trend(c: Cluster) -> str:
    """"▁▃▅▆█ grows": the last counts, then the verdict in a word ("" without a series)."""
    if c.trend is None:
        return ""
    spark = sparkline(c.trend.counts, TREND_POINTS)
    verdict = c.trend.verdict
    if verdict is None:
        return spark
    # Verdicts are an open set (series.py may add some): an unknown one keeps its first word.
    word = SHORT_VERDICT.get(verdict, (verdict.split(" ", 1)[0], ""))[0]
    return f"{spark} {word}"


def _clip_trend(text: str, width: int) -> str:
    """The whole trend, or its sparkline alone (its latest bars, if even that is too wide)."""
    if cell_len(text) <= width:
        return text
    return text.split(" ", 1)[0][-width:] if width > 0 else ""


def _sources(c: Cluster, read: int) -> str:
    """"2/3": sources holding the cluster, of those read ("" outside a fleet)."""
    return f"{num(len(c.sources))}/{num(read)}" if c.sources is not None else ""


# What each column shows, untruncated ("sources" needs the report too: cell_text).
CELLS: dict[str, Callable[[Cluster], str]] = {
    "#": lambda c: str(c.rank),
    "count": _count,
    "Δ": _delta,
    "trend": _trend,
    "state": state_text,
    "minutes": minutes_text,
    "where": lambda c: _short_location(c.blocked_at),
    "blocked at": lambda c: c.blocked_at.func,
    "created by": lambda c: c.created_by.func if c.created_by else "",
    "labels": _labels_text,
}
CLIP: dict[str, Callable[[str, int], str]] = {
    "trend": _clip_trend,
    "state": clip_right,
    "minutes": clip_right,
    "where": lambda text, width: clip_left(text, width, breaks=""),
    "blocked at": clip_left,
    "created by": clip_left,
    "labels": clip_right,
}


def cell_text(name: str, c: Cluster, read: int = 0) -> str:
    """What column `name` shows for `c`, untruncated; `read`: the fleet's sources read."""
    return _sources(c, read) if name == "sources" else CELLS[name](c)


def column_widths(clusters: Sequence[Cluster], width: int, read: int = 0) -> dict[str, int]:
    """Content width of each column shown, in order, for a table `width` cells wide (`read`:
    the sources read, in a fleet).

    Widths come from every cluster of the report, not the ones a search leaves, so the
    columns stay put while one types. Minutes and labels show only when some cluster has
    them; trend over a series, sources in a fleet."""
    natural = {
        name: max([cell_len(name), *(cell_len(inert_line(cell_text(name, c, read))) for c in clusters)])
        for name in COLUMNS
    }
    out = {
        "#": natural["#"],
        "count": natural["count"],
    }
    if any(c.status is not None for c in clusters):  # a previous dump: the change column
        out["Δ"] = natural["Δ"]
    verdicts = 0  # cells the trend's words add to its sparkline
    if any(c.trend is not None for c in clusters):
        spark = max(len(c.trend.counts[-TREND_POINTS:]) for c in clusters if c.trend is not None)
        out["trend"] = max(spark, cell_len("trend"))
        verdicts = max(natural["trend"] - out["trend"], 0)
    if any(c.sources is not None for c in clusters):
        out["sources"] = natural["sources"]
    out["state"] = min(natural["state"], MAX_STATE)
    if any(c.minutes_max for c in clusters):
        out["minutes"] = natural["minutes"]
    out["where"] = min(natural["where"], MAX_WHERE)
    rest = width - sum(w + PADDING for w in out.values()) - PADDING
    if rest < MIN_FUNC:  # the state gives way first, down to MIN_STATE
        give = min(MIN_FUNC - rest, max(out["state"] - MIN_STATE, 0))
        out["state"] -= give
        rest += give
    if verdicts and rest - verdicts >= min(natural["blocked at"], VERDICT_ROOM):
        out["trend"] += verdicts
        rest -= verdicts
    out["blocked at"] = min(natural["blocked at"], max(rest, MIN_FUNC))
    rest -= out["blocked at"]
    has_labels = any(c.labels for c in clusters)
    for name in ("created by", "labels"):
        if name == "labels" and not has_labels:
            continue
        if rest - PADDING >= min(natural[name], MIN_EXTRA):
            out[name] = min(natural[name], rest - PADDING)
            rest -= out[name] + PADDING
    return out


def cluster_row(c: Cluster, widths: dict[str, int], read: int = 0) -> list[Text]:
    """The cells of one row, cut to `widths`: every cell a plain Text (dump strings are
    never markup)."""
    dim = "dim" if c.healthy and not c.crashed else ""
    styles = {
        "#": NEW_STYLE if is_new(c) else dim,
        "count": dim or "bold",
        "state": "bold red" if c.crashed else dim,
        "blocked at": dim or ORIGIN_STYLE.get(c.blocked_at.origin, ""),
        "Δ": DELTA_STYLE.get(c.status or "", ""),
        "trend": SHORT_VERDICT.get(c.trend.verdict or "", ("", ""))[1] if c.trend is not None else "",
    }
    row: list[Text] = []
    for name, width in widths.items():
        # Made inert before it is measured and cut: `\x1b` takes four cells, ESC none.
        text = inert_line(cell_text(name, c, read))
        clip = CLIP.get(name)
        cell = plain(clip(text, width) if clip else text, styles.get(name, dim))
        if name in ("count", "Δ", "sources"):
            cell.justify = "right"
        row.append(cell)
    return row


class ClustersTable(DataTable[Text]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
        Binding("g", "scroll_top", "Top", show=False),
        Binding("G", "scroll_bottom", "Bottom", show=False),
        # vim's "right": into the cluster, as h goes back out of it.
        Binding("l", "select_cursor", "Open", show=False),
    ]

    def __init__(self, report: Report) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, id="clusters")
        self.all_clusters: Sequence[Cluster] = report.clusters
        self.read = sources_read(report)
        self.clusters: tuple[Cluster, ...] = ()
        self.widths: dict[str, int] = {}

    def _fit(self) -> bool:
        """Lay the columns out for the current width; True when they changed."""
        width = self.size.width or self.app.size.width
        # Room for the vertical scrollbar, whether or not the rows need it now.
        widths = column_widths(self.all_clusters, width - self.styles.scrollbar_size_vertical, self.read)
        if widths == self.widths:
            return False
        self.widths = widths
        self.clear(columns=True)
        for name, w in widths.items():
            # A Text, not a str: DataTable would parse a str label as markup (and import
            # Rich's emoji table for it, ~5 ms of the first screen).
            self.add_column(Text(name), width=w, key=name)
        return True

    def on_resize(self, event: events.Resize) -> None:
        if self.widths and self._fit():
            self._fill(self.clusters)

    def _fill(self, clusters: tuple[Cluster, ...]) -> None:
        current = self.current
        self._add_rows(clusters)
        self._restore_cursor(current)

    def _add_rows(self, clusters: tuple[Cluster, ...]) -> None:
        self.clusters = clusters
        self.clear()
        for c in clusters:
            self.add_row(*cluster_row(c, self.widths, self.read), key=str(c.rank))

    def _restore_cursor(self, current: Cluster | None, row: int = 0) -> None:
        """The cursor on `current` when it is shown, else on `row`."""
        row = next((i for i, c in enumerate(self.clusters) if current is not None and c.rank == current.rank), row)
        if self.clusters:
            self.move_cursor(row=row, animate=False)
        # DataTable says nothing when the cursor stays at row 0: the screen must still hear.
        self.post_message(ClusterHighlighted(self.current))

    def show(self, clusters: tuple[Cluster, ...]) -> None:
        """Replace the rows, keeping the cursor on the same cluster when it is still shown."""
        if not self.widths:
            self._fit()
        current = self.current
        same_rows = len(clusters) == len(self.clusters) and {c.rank for c in clusters} == {
            c.rank for c in self.clusters
        }
        if same_rows:
            # Only the order changed: reorder in place, cheaper than rebuilding the rows.
            self.clusters = clusters
            order = {c.rank: i for i, c in enumerate(clusters)}
            self.sort("#", key=lambda rank_cell: order[int(rank_cell.plain)])
            self._restore_cursor(current)
        else:
            self._fill(clusters)

    def replace_report(self, report: Report, clusters: tuple[Cluster, ...]) -> None:
        """Show a newer report's clusters in place (`--watch`): the columns fitted to it,
        the cursor kept on the same cluster (ranks change: matched by cluster_key), else on
        the same row. The old report's clusters are let go."""
        key: ClusterKey | None = cluster_key(self.current) if self.current is not None else None
        row = self.cursor_row
        self.all_clusters = report.clusters
        self.read = sources_read(report)
        self._fit()
        self._add_rows(clusters)
        same = next((c for c in clusters if cluster_key(c) == key), None)
        self._restore_cursor(same, min(max(row, 0), max(len(clusters) - 1, 0)))

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
