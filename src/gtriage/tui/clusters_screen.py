"""The main screen: crash banner, search, the clusters table, the detail pane, totals.

Under `--watch` each newer report replaces the shown one in place (replace_index): the
same widgets, the same search, sort and filters, the cursor on the same cluster.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Header

from gtriage.record import replace
from gtriage.render.common import num, plural, sources_read
from gtriage.report import Cluster, Report

from .clusters_table import ClustersTable
from .crash_banner import CrashBanner
from .detail_pane import DetailPane
from .footer import Footer
from .gone_screen import GoneScreen
from .goroutines_screen import GoroutinesScreen
from .handoff import clipboard_note, clusters_markdown, save_markdown
from .jump_screen import jump_to_goroutine
from .messages import ClusterChosen, ClusterHighlighted, SearchChanged, SearchClosed
from .poller import PollInfo
from .report_query import ReportIndex, SortKey, ViewQuery
from .search_bar import SearchBar
from .stack_view import toggle_paths
from .status_line import StatusLine


class ClustersScreen(Screen[None]):
    # The footer shows these in this order and, on a narrow terminal, drops them from the
    # end: the hand-off keys (c, w) before the views of the stack.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "search", "Search"),
        # Offered only when clusters went away (check_action), and then early: on 80 columns
        # the footer keeps the first keys that fit.
        Binding("x", "gone", "Gone"),
        Binding("s", "cycle_sort", "Sort"),
        Binding("1", "sort('rank')", "Sort by rank", show=False),
        Binding("2", "sort('count')", "Sort by count", show=False),
        Binding("3", "sort('minutes')", "Sort by minutes", show=False),
        Binding("4", "sort('state')", "Sort by state", show=False),
        # Shift-H, as htop's H hides a class of rows: plain h is vim's "left", which
        # means back (on the goroutines screen), so it never toggles a filter.
        Binding("H", "toggle_healthy", "Healthy"),
        Binding("t", "cycle_state", "State"),
        Binding("c", "copy_cluster", "Copy"),
        Binding("C", "copy_shown", "Copy all", show=False),
        Binding("w", "save", "Save"),
        Binding("r", "toggle_runtime", "Runtime"),
        Binding("e", "edit", "Editor"),
        Binding("i", "jump", "Go to id"),
        Binding("o", "holder", "Holder", show=False),
        Binding("p", "toggle_paths", "Paths"),
        Binding("left_square_bracket", "frame(-1)", "Previous frame", show=False),
        Binding("right_square_bracket", "frame(1)", "Next frame", show=False),
        Binding("escape", "clear", "Clear", show=False),
    ]

    def __init__(self, index: ReportIndex, poll: PollInfo | None = None) -> None:
        super().__init__()
        self.index = index
        self.report = index.report
        self.poll = poll  # None: not watching
        self.query_state = ViewQuery()
        self.shown: tuple[Cluster, ...] = ()

    def compose(self) -> ComposeResult:
        yield Header()
        yield CrashBanner(self.report)
        # No SearchBar yet: it is hidden until `/`, and an Input (its stylesheet, its
        # reactives) is ~5% of the first screen's work; search_bar() mounts it once the
        # first screen is drawn, where compose would have put it.
        yield ClustersTable(self.report)
        yield DetailPane(self.index.paths, self.report)
        yield StatusLine(self.report)
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = subtitle(self.report)
        self.refresh_view()
        self.query_one(ClustersTable).focus()

    def replace_index(self, index: ReportIndex, poll: PollInfo) -> None:
        """Show a newer report in place of this one; the old report and its index are let
        go (a goroutines screen open on one of its clusters keeps that one until closed)."""
        # `p` is a setting of the screens, not of a report: keep the PathStyle the panes hold.
        index.paths = self.index.paths
        index.paths.goroot = index.report.goroot
        self.index = index
        self.report = index.report
        self.poll = poll
        self.sub_title = subtitle(self.report)
        self.query_one(CrashBanner).show_report(self.report)
        self.detail.report = self.report
        self.query_one(StatusLine).set_report(self.report)
        self.shown = self.index.select(self.query_state)
        self.table.replace_report(self.report, self.shown)
        self._show_status()
        self.refresh_bindings()  # `x` comes or goes with the clusters that went away

    def show_poll(self, poll: PollInfo) -> None:
        """A poll failed (or polling news without a new report): the status line only."""
        self.poll = poll
        self._show_status()

    def on_screen_resume(self) -> None:
        # Next, not now: Textual calls this before its own resume handler, which draws.
        self.call_next(self.search_bar)
        # `p` on the goroutines screen changes how paths are spelled here too.
        self.detail.follow_paths()

    def search_bar(self) -> SearchBar:
        """The search bar, mounted on first use: above the table, as if composed there."""
        found = self.query(SearchBar)
        if found:
            return found.first()
        bar = SearchBar()
        self.mount(bar, before=self.table)  # registered at once: query() finds it from here on
        return bar

    # ---------------------------------------------------------------- view state
    def set_query(self, q: ViewQuery) -> None:
        self.query_state = q
        self.refresh_view()

    def refresh_view(self) -> None:
        self.shown = self.index.select(self.query_state)
        self.query_one(ClustersTable).show(self.shown)
        self._show_status()

    def _show_status(self) -> None:
        self.query_one(StatusLine).show(len(self.shown), self.query_state, self.poll)

    @property
    def table(self) -> ClustersTable:
        return self.query_one(ClustersTable)

    @property
    def detail(self) -> DetailPane:
        return self.query_one(DetailPane)

    # ---------------------------------------------------------------- messages from below
    @on(ClusterHighlighted)
    def _highlighted(self, msg: ClusterHighlighted) -> None:
        self.detail.show(msg.cluster)

    @on(ClusterChosen)
    def _chosen(self, msg: ClusterChosen) -> None:
        self.app.push_screen(GoroutinesScreen(self.index, msg.cluster))

    @on(SearchChanged)
    def _search_changed(self, msg: SearchChanged) -> None:
        self.set_query(replace(self.query_state, search=msg.text))

    @on(SearchClosed)
    def _search_closed(self, _msg: SearchClosed) -> None:
        self.set_focus(self.table)  # at once: the next key may be queued already

    # ---------------------------------------------------------------- actions
    def action_search(self) -> None:
        self.search_bar().open()

    def action_cycle_sort(self) -> None:
        self.set_query(replace(self.query_state, sort=self.query_state.sort.next()))

    def action_sort(self, key: str) -> None:
        self.set_query(replace(self.query_state, sort=SortKey(key)))

    def action_toggle_healthy(self) -> None:
        self.set_query(replace(self.query_state, hide_healthy=not self.query_state.hide_healthy))

    def action_cycle_state(self) -> None:
        self.set_query(replace(self.query_state, state=self.index.next_state(self.query_state.state)))

    def action_clear(self) -> None:
        bar = self.search_bar()
        bar.value = ""
        bar.display = False
        self.set_query(replace(self.query_state, search="", hide_healthy=False, state=None))

    def action_toggle_runtime(self) -> None:
        self.detail.toggle_runtime()

    def action_toggle_paths(self) -> None:
        toggle_paths(self, self.index.paths)
        self.detail.follow_paths()

    def action_frame(self, step: int) -> None:
        self.detail.stack.move(step)

    def action_edit(self) -> None:
        self.detail.stack.open_current()

    def action_copy_cluster(self) -> None:
        c = self.table.current
        if c is None:
            self.notify("No cluster selected.", severity="warning")
            return
        self.app.copy_to_clipboard(clusters_markdown(self.report, (c,)))
        self.notify(clipboard_note(f"Cluster #{c.rank} as Markdown", "w saves the shown clusters to a file"), markup=False)

    def action_copy_shown(self) -> None:
        self.app.copy_to_clipboard(clusters_markdown(self.report, self.shown))
        n = len(self.shown)
        what = f"{n} cluster{'s' if n != 1 else ''} as Markdown"
        self.notify(clipboard_note(what, "w saves them to a file"), markup=False)

    def action_save(self) -> None:
        try:
            path = save_markdown(clusters_markdown(self.report, self.shown))
        except OSError as e:
            self.notify(f"Could not save: {e}", severity="error", markup=False)
            return
        self.notify(f"Saved {len(self.shown)} clusters to {path}", markup=False)

    def action_holder(self) -> None:
        """The goroutine that may hold the lock the selected cluster waits on (inferred from
        the stacks), in its own cluster's goroutines."""
        cluster = self.query_one(DetailPane).cluster
        if cluster is None or not cluster.holders:
            self.notify("No goroutine may hold what this cluster waits on (as far as the stacks tell).", markup=False)
            return
        gid = cluster.holders[0].goroutine
        found = self.index.find_goroutine(gid)
        if found is None:
            self.notify(f"Goroutine {gid} is not in the report.", severity="warning", markup=False)
            return
        self.app.push_screen(GoroutinesScreen(self.index, found[0], start=found[1]))
        self.notify(f"Goroutine {gid} may hold it: inferred from the stacks, not proven.", markup=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "gone":
            return bool(self.report.gone)  # hidden from the footer when nothing went away
        return True

    def action_gone(self) -> None:
        if self.report.gone:
            self.app.push_screen(GoneScreen(self.report.gone, self.report.goroot))

    def action_jump(self) -> None:
        def show(cluster: Cluster, pos: int) -> None:
            self.app.push_screen(GoroutinesScreen(self.index, cluster, start=pos))

        jump_to_goroutine(self, self.index, show)


def subtitle(r: Report) -> str:
    """The header's line: totals, and what the report spans."""
    parts = [plural(r.goroutines, "goroutine"), plural(len(r.clusters), "cluster"), plural(r.unparsed_lines, "unparsed line")]
    if r.series is not None:
        parts.append(f"series of {num(len(r.series))} dumps")
    elif r.fleet is not None:
        parts.append(f"fleet of {plural(len(r.fleet), 'source')}, {num(sources_read(r))} read")
    if r.truncated:
        parts.append("TRUNCATED")
    return " · ".join(parts)
