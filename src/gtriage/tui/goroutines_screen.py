"""The goroutines of one cluster: a virtual list above, the selected goroutine's text below."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, Static

from gtriage.render.common import cluster_title, plural, where_word
from gtriage.render.goroutines import header_text
from gtriage.render.safe import inert
from gtriage.report import Cluster

from .footer import Footer
from .goroutine_list import GoroutineList
from .handoff import clipboard_note, clusters_markdown, save_markdown
from .jump_screen import jump_to_goroutine
from .messages import GoroutineHighlighted
from .report_query import ReportIndex
from .stack_view import StackView, toggle_paths
from .styled import goroutine_stack, goroutine_text, origins_of, plain


class GoroutinesScreen(Screen[None]):
    # In the footer's order of importance (a narrow terminal drops the last ones).
    BINDINGS: ClassVar[list[BindingType]] = [
        # h: vim's "left", back out of the cluster (as l / enter went into it).
        Binding("escape,h", "back", "Back", key_display="esc"),
        Binding("y", "copy_goroutine", "Copy goroutine"),
        Binding("c", "copy_cluster", "Copy cluster"),
        Binding("w", "save", "Save"),
        Binding("i", "jump", "Go to id"),
        Binding("left_square_bracket", "frame(-1)", "Prev frame"),
        Binding("right_square_bracket", "frame(1)", "Next frame"),
        Binding("e", "edit", "Editor"),
        Binding("p", "toggle_paths", "Paths"),
    ]

    def __init__(self, index: ReportIndex, cluster: Cluster, *, start: int = 0) -> None:
        super().__init__()
        self.index = index
        self.cluster = cluster
        self.start = start
        self.origins = origins_of(cluster)

    def compose(self) -> ComposeResult:
        c = self.cluster
        yield Header()
        title = f"{cluster_title(c)}  at {c.blocked_at.func}"
        yield Static(plain(title, "bold"), id="goroutines-title")
        lst = GoroutineList(c, id="goroutines")
        yield Static(plain(lst.header(), "bold"), id="goroutines-header")
        yield lst
        with VerticalScroll(id="goroutine-pane"):
            yield StackView(self.index.paths, id="goroutine-stack")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = f"cluster #{self.cluster.rank}: {plural(len(self.cluster.goroutines), 'goroutine')}"
        lst = self.list
        lst.focus()
        if not self.cluster.goroutines:
            # A debug=1 or binary profile counts goroutines but prints none of them.
            kind = "a binary pprof profile" if self.index.report.format == "pprof" else "a debug=1 profile"
            self.stack.show([f"This dump has no per-goroutine text ({kind}: stacks and counts only)."], [])
        else:
            lst.select(self.start)
            if self.start == 0:  # the cursor did not move, so no message came: show it now
                self._show(0)

    @property
    def list(self) -> GoroutineList:
        return self.query_one(GoroutineList)

    @property
    def stack(self) -> StackView:
        return self.query_one("#goroutine-stack", StackView)

    @on(GoroutineHighlighted)
    def _highlighted(self, msg: GoroutineHighlighted) -> None:
        self._show(msg.index)

    def _show(self, index: int) -> None:
        gs = self.cluster.goroutines
        if not 0 <= index < len(gs):
            return
        g = gs[index]
        head = [header_text(g)]
        sources = self.list.sources
        if sources is not None:
            head.append(f"in {sources.get(id(g), '?')}")  # its id alone names no goroutine of a fleet
        self.stack.show(head, goroutine_stack(g, self.origins, self.cluster.blocked_at, where_word(self.cluster)))
        self.query_one("#goroutine-pane", VerticalScroll).scroll_home(animate=False)

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_frame(self, step: int) -> None:
        self.stack.move(step)

    def action_edit(self) -> None:
        self.stack.open_current()

    def action_copy_goroutine(self) -> None:
        g = self.list.current
        if g is not None:
            # The text as shown, inert: the dump's own ESC, BEL, C1 and bidi characters
            # would act wherever it is pasted (a terminal, an editor).
            self.app.copy_to_clipboard(inert(goroutine_text(g)))
            self.notify(clipboard_note(f"Goroutine {g.id}", "w saves the cluster to a file"), markup=False)

    def action_copy_cluster(self) -> None:
        self.app.copy_to_clipboard(clusters_markdown(self.index.report, (self.cluster,)))
        note = clipboard_note(f"Cluster #{self.cluster.rank} as Markdown", "w saves it to a file")
        self.notify(note, markup=False)

    def action_save(self) -> None:
        try:
            path = save_markdown(clusters_markdown(self.index.report, (self.cluster,)))
        except OSError as e:
            self.notify(f"Could not save: {e}", severity="error", markup=False)
            return
        self.notify(f"Saved cluster #{self.cluster.rank} to {path}", markup=False)

    def action_toggle_paths(self) -> None:
        toggle_paths(self, self.index.paths)

    def action_jump(self) -> None:
        def show(cluster: Cluster, pos: int) -> None:
            if cluster.rank == self.cluster.rank:
                self.list.select(pos)
            else:
                self.app.switch_screen(GoroutinesScreen(self.index, cluster, start=pos))

        jump_to_goroutine(self, self.index, show)
