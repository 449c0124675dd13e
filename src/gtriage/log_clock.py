"""When each part of a log was written, from the timestamps its lines carry: kubectl
--timestamps and other RFC 3339 / ISO 8601 prefixes, and the "time" field of docker
json-file and JSON log lines. A series of dumps inside one log is ordered by them.

Only the first line of each new second is recorded (seconds are what ordering dumps and
growth a minute need), so a log of hours keeps a few thousand samples. Only chunks whose
first line carries a timestamp are searched: plain dumps cost one match at a chunk's start.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable

from .lazy_re import lazy
from .record import dataclass, field

_STAMP = r"(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d)(?:[.,]\d+)?(Z|[+-]\d\d:?\d\d)?"
# At a line's start (kubectl, journald short-iso, slog text, most log libraries), or as a
# JSON line's "time" / "ts" / "timestamp" field (docker json-file, slog JSON, zap).
_PREFIX = lazy(r"^\[?" + _STAMP, re.MULTILINE)
_JSON = lazy(r'^\{[^\n]*?"(?:time|ts|timestamp)":"' + _STAMP, re.MULTILINE)
# A run of lines that start with the same second and zone, as one match: only a run's
# first line can start a new second, and the regex engine goes over the rest (a million
# lines in a 10k dump's kubectl log) without a step in Python. _SECOND_ZONE captures the
# second and the zone ("" for none); _SAME is the next line's same second and zone.
# Possessive fractions: one given back would let an empty zone match before a zone.
_SECOND_ZONE = r"(\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d)(?:[.,]\d++)?+(Z|[+-]\d\d:?\d\d|)"
_SAME = r"\1(?:[.,]\d++)?+\2"
_LINE_END = r"[^\n]*(?:\n|\Z)"
_PREFIX_RUN = lazy(
    r"^\[?" + _SECOND_ZONE + _LINE_END + r"(?:\[?" + _SAME + r"(?![Z+-])" + _LINE_END + r")*", re.MULTILINE
)
# Up to a "time" / "ts" / "timestamp" key, quote by quote (possessive): the lazy scan of
# _JSON tried the key at every character of every line (a docker log's clock cost more
# than reading its dump).
_TO_KEY = r'(?:[^"\n]*+"(?!(?:time|ts|timestamp)":"))*+[^"\n]*+"(?:time|ts|timestamp)":"'
_JSON_RUN = lazy(
    r"^\{" + _TO_KEY + _SECOND_ZONE + _LINE_END + r"(?:\{" + _TO_KEY + _SAME + r"(?![Z+-])" + _LINE_END + r")*",
    re.MULTILINE,
)
# docker json-file lines: {"log":"...","stream":"stderr","time":"..."}. The log string is
# read as a JSON string (escapes and all, possessive), so the time found after it is the
# line's first "time" key, as _JSON finds it, without trying the key at every character.
# Any other line is a run of its own, read by _JSON in Python.
_DOCKER_HEAD = r'\{"log":"[^"\\\n]*+(?:\\.[^"\\\n]*+)*+"(?:,"stream":"[a-z]*+")?,"time":"'
_DOCKER_END = r'"\}(?:\n|\Z)'
_DOCKER_RUN = lazy(
    r"^(?:" + _DOCKER_HEAD + _SECOND_ZONE + _DOCKER_END + r"(?:" + _DOCKER_HEAD + _SAME + _DOCKER_END + r")*"
    + "|" + _LINE_END + ")",
    re.MULTILINE,
)
_HEAD = lazy(r"\[?\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d")
# A chunk is searched when its first line carries a timestamp, or it holds JSON lines.
MAX_SAMPLES = 1_000_000  # seconds of log: 11 days


@dataclass(slots=True)
class LogClock:
    """Input line -> the time its log line was written, sampled once a second."""

    lines: list[int] = field(default_factory=list)
    times: list[float] = field(default_factory=list)
    _last: str = ""  # the last second recorded, as text ("2026-11-30 07:49:36Z")

    def observe(self, text: str, first_line: int) -> None:
        """Record the timestamps of a chunk of the input whose first line is `first_line`."""
        if _HEAD.match(text):
            pattern = _PREFIX
            # Each run's first line, read with the stamp's own pattern.
            found: Iterable[re.Match[str] | None] = (pattern.match(text, r.start()) for r in _PREFIX_RUN.finditer(text))
        # '"' first: a one-character search is a memchr, and a plain dump holds no quote
        # (the three-character search cost ~1 ms a MiB).
        elif text.startswith('{"') or ('"' in text and '\n{"' in text):
            pattern = _JSON
            runs = _DOCKER_RUN if text.startswith('{"log":"') else _JSON_RUN
            found = (pattern.match(text, r.start()) for r in runs.finditer(text))
        else:
            return
        line, at = first_line, 0
        for m in found:
            if m is None:
                continue  # a line without a stamp (a docker file's odd line)
            second = f"{m.group(1)} {m.group(2)}{m.group(3) or ''}"
            if second == self._last:
                continue
            line += text.count("\n", at, m.start())
            at = m.start()
            t = _seconds(m.group(1), m.group(2), m.group(3))
            if t is None or len(self.lines) >= MAX_SAMPLES:
                continue
            self._last = second
            self.lines.append(line)
            self.times.append(t)

    def at(self, first: int, last: int) -> float | None:
        """When the lines `first`..`last` (a dump) were written: the second of the log line
        at `first`, else of the first stamped line inside them; None when none is stamped."""
        i = bisect_right(self.lines, first) - 1
        if i >= 0:
            # The second that began at or before `first` still runs at `first` when every
            # line between is stamped (kubectl, docker); a gap of unstamped lines is the
            # risk taken, and the report says the order came from log timestamps.
            return self.times[i]
        if i + 1 < len(self.lines) and self.lines[i + 1] <= last:
            return self.times[i + 1]
        return None


def _seconds(day: str, clock: str, zone: str | None) -> float | None:
    """Seconds since the epoch; a time without a zone is read as UTC (only differences
    between the dumps of one log count)."""
    from datetime import UTC, datetime  # only for logs with timestamps: not every run pays for it

    try:
        t = datetime.fromisoformat(f"{day}T{clock}")
    except ValueError:
        return None
    if zone and zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        hh, mm = int(zone[1:3]), int(zone[-2:])
        return t.replace(tzinfo=UTC).timestamp() - sign * (hh * 3600 + mm * 60)
    return t.replace(tzinfo=UTC).timestamp()
