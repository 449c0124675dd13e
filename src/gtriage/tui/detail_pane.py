"""The selected cluster: why it ranks where it does, its stack shapes, its stack."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from gtriage.render.common import cluster_title, num
from gtriage.report import Cluster, SubGroup

from .stack_view import StackView
from .styled import PathStyle, cluster_stack, plain

MAX_SUBGROUPS = 12
MAX_LABELS = 5


def _subgroup_line(i: int, sg: SubGroup, paths: PathStyle) -> Text:
    own = next((f for f in sg.frames if f.is_program_code), None)
    top = own or (sg.frames[0] if sg.frames else None)
    exact = (
        f"{sg.exact_groups} argument sets (largest {sg.largest_exact})" if sg.exact_groups > 1 else "same arguments"
    )
    where = paths.frame(top) if top is not None else "?"
    return plain(f"  {i}. {num(sg.count)} × {len(sg.frames)} frame{'s' if len(sg.frames) != 1 else ''}, {exact}; at {where}")


def summary(c: Cluster, paths: PathStyle) -> Text:
    lines: list[Text] = []
    title = cluster_title(c)
    if c.previous_count is not None:
        title += f"  (was {num(c.previous_count)} in the previous dump)"
    elif c.status == "new":
        title += "  (new: not in the previous dump)"
    lines.append(plain(title, "bold"))
    lines += [plain(f"  • {w}") for w in c.why]
    lines.append(Text.assemble(("Blocked at  ", "bold"), plain(paths.frame(c.blocked_at)), end=""))
    if c.created_by is not None:
        lines.append(Text.assemble(("Created by  ", "bold"), plain(paths.frame(c.created_by)), end=""))
    if c.leaked:
        lines.append(plain(f"Leaked (runtime leak detector): {c.leaked}"))
    if c.locked_to_thread:
        lines.append(plain(f"Locked to thread: {c.locked_to_thread}"))
    for lc in c.labels[:MAX_LABELS]:
        lines.append(Text.assemble(("Labels  ", "bold"), plain(", ".join(f"{k}={v}" for k, v in lc.labels)),
                                   f"  ({lc.count})", end=""))
    if len(c.labels) > MAX_LABELS:
        lines.append(plain(f"  … {len(c.labels) - MAX_LABELS} more label sets"))
    n = len(c.stacks)
    lines.append(plain(f"{n} stack shape{'s' if n != 1 else ''}:", "bold"))
    lines += [_subgroup_line(i, sg, paths) for i, sg in enumerate(c.stacks[:MAX_SUBGROUPS], 1)]
    if n > MAX_SUBGROUPS:
        lines.append(plain(f"  … {n - MAX_SUBGROUPS} more"))
    lines.append(plain("Representative stack ([ ] pick a frame, e opens it, r runtime frames, p full paths):", "bold"))
    return Text("\n", end="").join(lines)


class DetailPane(VerticalScroll):
    def __init__(self, paths: PathStyle) -> None:
        super().__init__(id="detail")
        self.paths = paths
        self.cluster: Cluster | None = None
        self.fold_runtime = True
        self._full_paths = paths.full  # as last drawn: `p` on the goroutines screen changes it

    def compose(self) -> ComposeResult:
        yield Static(plain("No cluster selected."), id="detail-summary")
        yield StackView(self.paths, id="detail-stack")

    def show(self, cluster: Cluster | None, *, force: bool = False) -> None:
        if cluster is self.cluster and cluster is not None and not force:
            # Sorting and filtering keep the cursor on the same cluster: nothing to redraw.
            return
        same = cluster is not None and self.cluster is not None and cluster.rank == self.cluster.rank
        self.cluster = cluster
        self._full_paths = self.paths.full
        text = summary(cluster, self.paths) if cluster is not None else plain("No cluster matches.")
        self.query_one("#detail-summary", Static).update(text)
        stack = self.query_one(StackView)
        stack.show([], cluster_stack(cluster, fold_runtime=self.fold_runtime) if cluster else [], keep_cursor=same)
        if not same:
            self.scroll_home(animate=False)

    def follow_paths(self) -> None:
        """Draw again if the paths setting changed since the last drawing."""
        if self._full_paths != self.paths.full and self.cluster is not None:
            self.show(self.cluster, force=True)

    def toggle_runtime(self) -> None:
        self.fold_runtime = not self.fold_runtime
        self.show(self.cluster, force=True)

    @property
    def stack(self) -> StackView:
        return self.query_one(StackView)
