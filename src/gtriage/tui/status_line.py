"""Totals and the state of the view, above the footer; what the report spans (a series, a
fleet), polling (`--watch`), and warnings: an incomplete dump, a source not read, a failed poll."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from gtriage.render.common import fleet_lines, fleet_trend_summary, health_lines, num, plural, processes_line
from gtriage.render.when import series_line
from gtriage.report import Report

from .poller import PollInfo
from .report_query import ViewQuery, is_new
from .styled import plain

MAX_FAILED = 3  # sources not read named one a line; past that, how many more


def _gone_line(report: Report) -> str | None:
    """What left since the previous dump (or during the series): the largest, by place. A
    line of its own, so that a long series line on 80 columns does not cut it off."""
    if not report.gone:
        return None
    g = report.gone[0]
    where = f"{g.blocked_at.file.rsplit('/', 1)[-1]}:{g.blocked_at.line}"
    more = f" and {num(len(report.gone) - 1)} more" if len(report.gone) > 1 else ""
    return f"gone: {num(g.count)} × {g.state or '?'} at {where}{more} · x lists them"


def _span_line(report: Report, poll: PollInfo | None) -> str | None:
    """"series of 5 dumps, … ordered by …", "fleet of 3 sources, 2 read: …", the processes
    that wrote the dumps when several did, and when watching, the last poll and how many
    clusters it found new."""
    parts: list[str] = []
    if report.series is not None:
        parts.append(series_line(report) or "")
    elif report.fleet is not None:
        parts.append(fleet_lines(report.fleet)[0])
    if report.fleet is None and (processes := processes_line(report)):
        parts.append(processes)
    if poll is not None:
        parts.append(poll.text())
        new = sum(1 for c in report.clusters if is_new(c))
        if new and poll.at is not None:
            parts.append(plural(new, "new cluster"))
    return " · ".join(parts) if parts else None


def _warnings(report: Report, poll: PollInfo | None) -> list[str]:
    out = health_lines(report)
    if report.fleet is not None:
        failed = fleet_lines(report.fleet)[1:]
        out += failed[:MAX_FAILED]
        if len(failed) > MAX_FAILED:
            out.append(f"{num(len(failed) - MAX_FAILED)} more sources not read")
    if poll is not None and (error := poll.error_text()) is not None:
        out.insert(0, error)  # the news of the moment, first
    return out


def _lines(report: Report, shown: int, q: ViewQuery, poll: PollInfo | None, warnings: list[str]) -> Text:
    parts = [
        plural(report.goroutines, "goroutine"),
        f"{plural(len(report.clusters), 'cluster')} ({num(shown)} shown)",
        f"{plural(report.unparsed_lines, 'unparsed line')}",
        f"sort: {q.sort.value}",
    ]
    if q.search.strip():
        parts.append(f"search: {q.search.strip()}")
    if q.hide_healthy:
        parts.append("healthy hidden")
    if q.state is not None:
        parts.append(f"state: {q.state}")
    lines = [plain(" · ".join(parts))]
    over = fleet_trend_summary(report.fleet) if report.fleet is not None else None
    for line in (_span_line(report, poll), over, _gone_line(report)):
        if line is not None:
            lines.append(plain(line))
    # Source names, errors and poll messages quote the input: plain() keeps them inert.
    lines += [plain(f"⚠ {w}", "bold") for w in warnings]
    # One row a line: the stylesheet cuts a long line (text-wrap: nowrap) rather than wrap it.
    return Text("\n", end="").join(lines)


def status_text(report: Report, shown: int, q: ViewQuery, poll: PollInfo | None = None) -> Text:
    return _lines(report, shown, q, poll, _warnings(report, poll))


class StatusLine(Static):
    def __init__(self, report: Report) -> None:
        super().__init__(id="status")
        self.report = report
        self._height = 1
        self.styles.height = 1

    def set_report(self, report: Report) -> None:
        self.report = report

    def show(self, shown: int, q: ViewQuery, poll: PollInfo | None = None) -> None:
        warnings = _warnings(self.report, poll)
        text = _lines(self.report, shown, q, poll, warnings)
        self.set_class(bool(warnings), "-warning")
        height = len(text.plain.split("\n"))
        if height != self._height:
            # A fixed height: an auto-height widget asks for a layout of the screen on each
            # update; this one changes only when a line comes or goes.
            self._height = height
            self.styles.height = height
        self.update(text)
