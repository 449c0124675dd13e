"""When the dumps of a series were taken, as every report shows it."""

from __future__ import annotations

import time

from gtriage.report import LOG_CLOCK_NO_YEAR, LOG_CLOCK_NO_ZONE, Moment, Report, since_restart


def when_text(seconds: float) -> str:
    """A moment in UTC, to the second: "2026-11-30 07:17:13 UTC"."""
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(seconds))


def moment_time(m: Moment, day_of: Moment | None = None) -> str | None:
    """When a dump was taken: "2026-11-30 07:17:13 UTC", its time of day alone ("07:17:13
    UTC") when `day_of` was taken the same day; None when unknown. A log that prints no year
    (journalctl, syslog) is shown as it prints its times, "Dec 01 04:29:02", and one that
    prints no zone as "2026-11-30 07:17:13": the local time of its machine, never called UTC."""
    if m.taken_at is None:
        return None
    if m.clock == LOG_CLOCK_NO_YEAR:
        text = time.strftime("%b %d %H:%M:%S", time.gmtime(m.taken_at))
        day = 6
    elif m.clock == LOG_CLOCK_NO_ZONE:
        text, day = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(m.taken_at)), 10
    else:
        text, day = when_text(m.taken_at), 10
    if day_of is not None and day_of.taken_at is not None and day_of.clock == m.clock:
        other = moment_time(day_of)
        if other is not None and other[:day] == text[:day]:
            return text[day + 1 :]
    return text


def series_line(r: Report) -> str | None:
    """"series of 5 dumps, 2026-11-30 07:17:13 to 07:18:13 UTC (1 min), ordered by file
    modification time"; after a restart "series of 5 dumps (restarted before dump 4: trends
    count from it), ..."."""
    if r.series is None:
        return None
    first, last = r.series[0], r.series[-1]
    text = f"series of {len(r.series)} dumps"
    since = since_restart(r.series)
    if since:
        text += f" (restarted before dump {since + 1}: trends count from it)"
    start, end = moment_time(first), moment_time(last, first)
    if start is not None and end is not None and first.taken_at is not None and last.taken_at is not None:
        text += f", {start.removesuffix(' UTC')} to {end} ({_span(last.taken_at - first.taken_at)})"
    return f"{text}, ordered by {r.ordered_by}"


def _span(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
