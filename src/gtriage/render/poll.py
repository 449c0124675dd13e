"""--watch without a terminal: one line per poll, as text or as a JSON object."""

from __future__ import annotations

import time

from gtriage.record import replace
from gtriage.report import Cluster, Report

from .common import change_text, num, plural, short_path, verdict_text
from .json import encode, report_obj
from .safe import inert_line

TYPE_CHECKING = False  # typing's own costs every run ~4 ms to import; type checkers read this as True
if TYPE_CHECKING:
    from typing import Any

TOP = 3  # clusters named on a text line
TOP_JSON = 10  # clusters in a JSON line


def _top(c: Cluster, goroot: str | None) -> str:
    where = f"{short_path(c.blocked_at.file, goroot).rsplit('/', 1)[-1]}:{c.blocked_at.line}"
    text = f"{num(c.count)} × {c.state or '?'} at {where}"
    change = change_text(c)
    if c.trend is not None and c.trend.verdict is not None:
        rate = c.trend.rate_text()
        text += f" ({verdict_text(c.trend)}{', ' + rate if rate and c.trend.verdict != 'steady' else ''})"
    elif change is not None:
        text += f" ({change})"
    return text


def poll_line(number: int, at: float, report: Report | None, errors: tuple[str, ...]) -> str:
    """"07:49:36 poll 3: 61 goroutines, 7 clusters; 40 x chan receive at main.go:120 (grows
    steadily, +40 a minute); ..." (the time in UTC)."""
    head = f"{time.strftime('%H:%M:%S', time.gmtime(at))} poll {number}"
    if report is None:
        return inert_line(f"{head}: failed: {'; '.join(errors)}")
    parts = [plural(report.goroutines, "goroutine"), plural(len(report.clusters), "cluster")]
    new = sum(1 for c in report.clusters if c.status == "new")
    if new and report.gone is not None:
        parts.append(f"{num(new)} new")
    gone = len(report.gone or ())
    if gone:
        parts.append(f"{num(gone)} gone")
    tops = "; ".join(_top(c, report.goroot) for c in report.clusters[:TOP])
    text = f"{head}: {', '.join(parts)}" + (f"; {tops}" if tops else "")
    if errors:
        text += f"; {'; '.join(errors)}"
    return inert_line(text)


def poll_json(number: int, at: float, report: Report | None, errors: tuple[str, ...]) -> str:
    """One JSON object on one line (JSON lines): the poll, its top clusters with their trend."""
    obj: dict[str, Any] = {
        "poll": number,
        "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(at)),
        "errors": list(errors),
        "goroutines": report.goroutines if report is not None else None,
        "clusters": None,
    }
    if report is not None:
        full = report_obj(replace(report, clusters=report.clusters[:TOP_JSON]))["clusters"]
        keys = ("rank", "count", "state", "blocked_at", "created_by", "previous_count", "delta", "status", "trend", "sources")
        obj["clusters"] = [{k: c[k] for k in keys} for c in full]
        obj["gone"] = len(report.gone or ())
    return encode(obj)
