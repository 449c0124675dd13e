"""The selected cluster: why it ranks where it does, its counts over a series of dumps or
across a fleet, its stack shapes, its stack."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from gtriage.frame_info import FrameInfo
from gtriage.render.common import cluster_title, num, sparkline, trend_text, verdict_text, where_word
from gtriage.render.safe import inert_line
from gtriage.render.when import moment_time
from gtriage.report import Cluster, Report, SubGroup

from .report_query import cluster_key
from .stack_view import StackView
from .styled import PathStyle, cluster_stack, plain

MAX_SUBGROUPS = 12
MAX_LABELS = 5
MAX_MOMENTS = 12  # dumps of a series listed one a line, the latest (a watch adds one a poll)


def _subgroup_line(i: int, sg: SubGroup, paths: PathStyle, raised: FrameInfo | None) -> Text:
    """`raised`: where its cluster's panics were raised (every shape of it is placed there)."""
    own = raised or next((f for f in sg.frames if f.is_program_code), None)
    top = own or (sg.frames[0] if sg.frames else None)
    exact = (
        f"{sg.exact_groups} argument sets (largest {sg.largest_exact})" if sg.exact_groups > 1 else "same arguments"
    )
    where = paths.frame(top) if top is not None else "?"
    return plain(f"  {i}. {num(sg.count)} × {len(sg.frames)} frame{'s' if len(sg.frames) != 1 else ''}, {exact}; at {where}")


def source_lines(c: Cluster) -> list[Text]:
    """The blocking line as the source tree has it, a few lines around it (e opens it)."""
    src = c.source
    if src is None:
        return []
    if src.text is None:
        return [Text.assemble(("Source  ", "bold"), plain(f"not shown: {src.note}", "dim"), end="")]
    out = [Text.assemble(("Source  ", "bold"), plain(f"{src.path}:{src.line}", "dim"), end="")]
    width = len(str(src.around[-1][0])) if src.around else 1
    for n, text in src.around:
        line = plain(f"  {n:>{width}} │ {text.expandtabs(4)}", "bold" if n == src.line else "dim")
        out.append(line)
    return out


def series_lines(c: Cluster, report: Report) -> list[Text]:
    """The cluster over the series: verdict, growth a minute, what ordered the dumps, then
    each dump's count with its time (or its source, when no time is known) and bar."""
    t, series = c.trend, report.series
    if t is None or series is None:
        return []
    rate = t.rate_text() if t.growth_per_minute else None  # "+0 a minute" says nothing
    words = [verdict_text(t) or "no verdict", *([rate] if rate is not None else [])]
    n = len(series)
    words.append(f"{n} dumps, ordered by {report.ordered_by or 'the order given'}")
    out = [Text.assemble(("Series  ", "bold"), plain(" · ".join(words)), end="")]
    # Counts and moments line up from the latest back: both are one a dump, oldest first.
    pairs = list(zip(series[::-1], t.counts[::-1], strict=False))[:MAX_MOMENTS][::-1]
    if n > len(pairs):
        out.append(plain(f"  … {num(n - len(pairs))} earlier dumps"))
    bars = sparkline(tuple(count for _, count in pairs), len(pairs))
    width = max(len(num(count)) for _, count in pairs) if pairs else 0
    # A source is dump text: made inert before it is measured, so the columns line up.
    # "07:17:13 UTC", with the date when it is not the last dump's day.
    labels = [moment_time(m, series[-1]) or inert_line(m.source) for m, _ in pairs]
    label_width = max(cell_len(label) for label in labels) if labels else 0
    first = n - len(pairs)  # the index in the series of the first dump shown
    for j, (label, (moment, count), bar) in enumerate(zip(labels, pairs, bars, strict=True)):
        if t.since and first + j == t.since:
            by = f": {inert_line(moment.process)} from here" if moment.process else " (the dump before ended its process)"
            out.append(plain(f"  \u2016 restarted{by}"))
        pad = " " * (label_width - cell_len(label))
        out.append(plain(f"  {label}{pad}  {num(count):>{width}}  {bar}"))
    return out


def fleet_lines(c: Cluster, report: Report) -> list[Text]:
    """Every source of the fleet with the cluster's goroutines there: most first, then the
    sources read without any, then those that could not be read; where a log held several
    dumps of a source, the cluster's count in each of them."""
    fleet = report.fleet
    if fleet is None or c.sources is None:
        return []
    read = [s for s in fleet if s.goroutines is not None]
    counts = {s.source: s.count for s in c.sources}
    rows = [(s.source, num(s.count), trend_text(s.trend) if s.trend is not None else "") for s in c.sources]
    # A source whose earlier dumps held it and whose last holds none: its trend to 0.
    left = {s.source: trend_text(s.trend) if s.trend is not None else "" for s in c.gone_from or ()}
    rows += [(s.name, "0", left.get(s.name, "")) for s in read if s.name not in counts]
    rows += [(s.name, "not read", "") for s in fleet if s.goroutines is None]
    # Names are the user's or a server's text: inert before they are measured.
    rows = [(inert_line(name), count, over) for name, count, over in rows]
    head = f"on {num(len(c.sources))} of {num(len(read))} sources read"
    out = [Text.assemble(("Sources  ", "bold"), plain(head), end="")]
    name_width = max(cell_len(name) for name, _, _ in rows) if rows else 0
    count_width = max(len(count) for _, count, _ in rows) if rows else 0
    for name, count, over in rows:
        line = f"  {name}{' ' * (name_width - cell_len(name))}  {count:>{count_width}}"
        out.append(plain(f"{line}  {over}" if over else line))
    return out


def summary(c: Cluster, paths: PathStyle, report: Report | None = None) -> Text:
    lines: list[Text] = []
    title = cluster_title(c)
    if c.previous_count is not None:
        title += f"  (was {num(c.previous_count)} in the previous dump)"
    elif c.status == "new":
        title += "  (new: not in the previous dump)"
    lines.append(plain(title, "bold"))
    lines += [plain(f"  • {w}") for w in c.why]
    if c.holders:
        h = c.holders[0]
        lines.append(Text.assemble(("May hold it  ", "bold"), plain(f"goroutine {h.goroutine} (cluster #{h.cluster}, {h.state})"),
                                   ("  o goes there; inferred from the stacks", "dim"), end=""))
    lines.append(Text.assemble((f"{where_word(c).capitalize() + ' at':<12}", "bold"), plain(paths.frame(c.blocked_at)), end=""))
    lines += source_lines(c)
    if c.created_by is not None:
        lines.append(Text.assemble(("Created by  ", "bold"), plain(paths.frame(c.created_by)), end=""))
    if c.leaked:
        lines.append(plain(f"Leaked (runtime leak detector): {c.leaked}"))
    if c.locked_to_thread:
        lines.append(plain(f"Locked to thread: {c.locked_to_thread}"))
    if report is not None:
        lines += series_lines(c, report)
        lines += fleet_lines(c, report)
    for lc in c.labels[:MAX_LABELS]:
        lines.append(Text.assemble(("Labels  ", "bold"), plain(", ".join(f"{k}={v}" for k, v in lc.labels)),
                                   f"  ({lc.count})", end=""))
    if len(c.labels) > MAX_LABELS:
        lines.append(plain(f"  … {len(c.labels) - MAX_LABELS} more label sets"))
    n = len(c.stacks)
    lines.append(plain(f"{n} stack shape{'s' if n != 1 else ''}:", "bold"))
    raised = c.blocked_at if c.panicked else None
    lines += [_subgroup_line(i, sg, paths, raised) for i, sg in enumerate(c.stacks[:MAX_SUBGROUPS], 1)]
    if n > MAX_SUBGROUPS:
        lines.append(plain(f"  … {n - MAX_SUBGROUPS} more"))
    lines.append(plain("Representative stack ([ ] pick a frame, e opens it, r runtime frames, p full paths):", "bold"))
    return Text("\n", end="").join(lines)


class DetailPane(VerticalScroll):
    def __init__(self, paths: PathStyle, report: Report | None = None) -> None:
        super().__init__(id="detail")
        self.paths = paths
        self.report = report  # for what a cluster alone does not say: the series, the fleet
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
        # The same cluster (in a newer report too, where its rank may differ) keeps the
        # frame cursor and the scroll position.
        same = cluster is not None and self.cluster is not None and cluster_key(cluster) == cluster_key(self.cluster)
        self.cluster = cluster
        self._full_paths = self.paths.full
        text = summary(cluster, self.paths, self.report) if cluster is not None else plain("No cluster matches.")
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
