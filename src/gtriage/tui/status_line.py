"""Totals and the state of the view, above the footer; warnings when the dump is incomplete."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from gtriage.render.common import health_lines, num
from gtriage.report import Report

from .report_query import ViewQuery
from .styled import plain


def status_text(report: Report, shown: int, q: ViewQuery) -> Text:
    parts = [
        f"{num(report.goroutines)} goroutines",
        f"{num(len(report.clusters))} clusters ({num(shown)} shown)",
        f"{num(report.unparsed_lines)} unparsed lines",
        f"sort: {q.sort.value}",
    ]
    if q.search.strip():
        parts.append(f"search: {q.search.strip()}")
    if q.hide_healthy:
        parts.append("healthy hidden")
    if q.state is not None:
        parts.append(f"state: {q.state}")
    out = plain(" · ".join(parts))
    for w in health_lines(report):
        out.append("\n")
        out.append_text(plain(f"⚠ {w}", "bold"))
    return out


class StatusLine(Static):
    def __init__(self, report: Report) -> None:
        super().__init__(id="status")
        self.report = report
        warnings = len(health_lines(report))
        if warnings:
            self.add_class("-warning")
        # A fixed height: an auto-height widget asks for a layout of the screen on each update.
        self.styles.height = 1 + warnings

    def show(self, shown: int, q: ViewQuery) -> None:
        self.update(status_text(self.report, shown, q))
