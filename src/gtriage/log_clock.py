"""When each part of a log was written, from the timestamps its lines carry: kubectl
--timestamps and other RFC 3339 / ISO 8601 prefixes, the "time" field of docker json-file
and JSON log lines, zap's "ts" (seconds since the epoch), journald's own clock and
journalctl's short-full lines; and times without a year (journalctl's short
format, syslog, stern --timestamps=short), which order one log's dumps and give its growth
a minute but tell no date (LogClock.yearless). A series of dumps inside one log is ordered
by them.

Only the first line of each new second is recorded (seconds are what ordering dumps and
growth a minute need), so a log of hours keeps a few thousand samples. Only chunks whose
first line carries a timestamp are searched, and, once a log is known to stamp its lines, a
chunk that starts inside what the program wrote unstamped (its goroutines): plain dumps
cost one match at a chunk's start.
"""

from __future__ import annotations

from bisect import bisect_right

from .lazy_re import lazy
from .log_sources import NAMED_PREFIXES
from .record import dataclass, field
from .regex_cache import MULTILINE

TYPE_CHECKING = False  # typing's own costs every run ~4 ms to import; type checkers read this as True
if TYPE_CHECKING:
    import re
    from collections.abc import Iterable, Iterator

# The date with "-", or with "/" as Go's log package prints it ("2026/12/01 04:32:13", its
# LstdFlags: the local time, no zone).
_STAMP = r"(\d{4}[-/]\d\d[-/]\d\d)[T ](\d\d:\d\d:\d\d)(?:[.,]\d+)?(Z|[+-]\d\d:?\d\d)?"
# At a line's start (kubectl, journald short-iso, slog text, most log libraries), or as a
# JSON line's "time" / "ts" / "timestamp" field (docker json-file, slog JSON, zap).
_PREFIX = lazy(r"^\[?" + _STAMP, MULTILINE)
_JSON = lazy(r'^\{[^\n]*?"(?:time|ts|timestamp)":"' + _STAMP, MULTILINE)
# A run of lines that start with the same second and zone, as one match: only a run's
# first line can start a new second, and the regex engine goes over the rest (a million
# lines in a 10k dump's kubectl log) without a step in Python. _SECOND_ZONE captures the
# second and the zone ("" for none); _SAME is the next line's same second and zone.
# Possessive fractions: one given back would let an empty zone match before a zone.
_SECOND = r"\d{4}[-/]\d\d[-/]\d\d[T ]\d\d:\d\d:\d\d"
_FRACTION = r"(?:[.,]\d++)?+"
_ZONE = r"Z|[+-]\d\d:?\d\d|"
_SECOND_ZONE = f"({_SECOND}){_FRACTION}({_ZONE})"
_SAME = r"\1" + _FRACTION + r"\2"
_LINE_END = r"[^\n]*(?:\n|\Z)"
_PREFIX_RUN = lazy(
    r"^\[?" + _SECOND_ZONE + _LINE_END + r"(?:\[?" + _SAME + r"(?![Z+-])" + _LINE_END + r")*", MULTILINE
)
# Up to a "time" / "ts" / "timestamp" key, quote by quote (possessive): the lazy scan of
# _JSON tried the key at every character of every line (a docker log's clock cost more
# than reading its dump).
_TO_KEY = r'(?:[^"\n]*+"(?!(?:time|ts|timestamp)":"))*+[^"\n]*+"(?:time|ts|timestamp)":"'
_JSON_RUN = lazy(
    r"^\{" + _TO_KEY + _SECOND_ZONE + _LINE_END + r"(?:\{" + _TO_KEY + _SAME + r"(?![Z+-])" + _LINE_END + r")*",
    MULTILINE,
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
    MULTILINE,
)
# A docker line's "time" as _DOCKER_RUN reads it whole (json_logs.docker_chunk takes only
# these), and the second it starts with (its first 19 characters).
WHOLE_TIME = f"{_SECOND}{_FRACTION}(?:{_ZONE})"
_SECOND_CHARS = 19
_WHOLE_TIME = lazy(_SECOND_ZONE)  # the second and the zone captured
# The stamp at a time's start, as _JSON reads it after the key; the unescaped quotes of a
# docker line whose log holds none.
_STAMP_ONLY = lazy(_STAMP)
_DOCKER_QUOTES = 12
_HEAD = lazy(r"\[?" + _SECOND)
# A line inside a chunk that starts as _HEAD: looked for only in a log already known to
# stamp its lines so (a chunk that starts inside a dump the program wrote unstamped).
_HEAD_LINE = lazy(r"\n\[?" + _SECOND)
# The same behind a prefix that names a log source (log_sources._NAMED_FORMS): `kubectl
# logs --prefix --timestamps` writes "[pod/NAME/CONTAINER] " before the kubelet's time,
# `docker compose logs --timestamps` "NAME  | ", stern --timestamps "POD CONTAINER "
# (log_sources.NAMED_PREFIXES). A run goes on whatever source prints the same second
# (pods' lines interleave under -f).
_NAMED = NAMED_PREFIXES
_NAMED_PREFIX = lazy(r"^" + _NAMED + _STAMP, MULTILINE)
_NAMED_RUN = lazy(
    r"^" + _NAMED + _SECOND_ZONE + _LINE_END + r"(?:" + _NAMED + _SAME + r"(?![Z+-])" + _LINE_END + r")*", MULTILINE
)
_NAMED_HEAD = lazy(_NAMED + _SECOND)
# journalctl's default short format and its short-precise, and syslog's traditional file
# format (rsyslog, /var/log/syslog): "Dec 01 04:06:38 ", "Dec 01 04:06:38.123456 ",
# "Dec  1 04:06:38 " (C locale month names). They print no year, and the local time without
# its zone: such times order one log's dumps and give its growth a minute, never a date
# (LogClock.yearless). A run of lines of one second is one match, as _PREFIX_RUN's.
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTH_DAY = r"((?:" + "|".join(_MONTHS) + r") [ 0-3]\d \d\d:\d\d:\d\d)"
_YEARLESS_HEAD = lazy(_MONTH_DAY + _FRACTION + " ")
_YEARLESS_RUN = lazy(
    r"^" + _MONTH_DAY + _FRACTION + " " + _LINE_END + r"(?:\1" + _FRACTION + " " + _LINE_END + r")*", MULTILINE
)
# journalctl -o short-full: "Tue 2026-12-01 04:32:13 UTC " (the weekday, the date and time,
# and the zone's abbreviation; locale-independent). Only UTC and GMT name an offset; any
# other abbreviation (CET, or "+03") is read as a time without its zone. Group 1: the
# second with its zone, as a run's key.
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_FULL = r"(?:" + "|".join(_DAYS) + r") (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [A-Za-z0-9+-]+) "
_FULL_HEAD = lazy(_FULL)
_FULL_RUN = lazy(r"^" + _FULL + _LINE_END + r"(?:[A-Z][a-z][a-z] \1 " + _LINE_END + r")*", MULTILINE)
_UTC_NAMES = ("UTC", "GMT")
# stern --timestamps=short: "01-02 15:04:05" (the month and day as numbers, no year) behind
# stern's pod and container (log_sources.NAMED_PREFIXES).
_STERN_SHORT = r"(\d\d-\d\d \d\d:\d\d:\d\d) "
_NAMED_SHORT_HEAD = lazy(NAMED_PREFIXES + _STERN_SHORT)
_NAMED_SHORT_RUN = lazy(
    r"^" + NAMED_PREFIXES + _STERN_SHORT + _LINE_END + r"(?:" + NAMED_PREFIXES + r"\1 " + _LINE_END + r")*", MULTILINE
)
# Year-less times count from this (leap) year, one more each time the log's time goes back
# by more than half a year (December's lines, then January's).
_YEAR0 = 2000
_NEW_YEAR = 183 * 86400
# zap's production JSON encoder (Go's most used structured logger): "ts" in seconds since the
# epoch, a float, second key ({"level":"info","ts":1764563533.1234567,"msg":...}). Ten digits
# from a 1: 2001 to 2033.
_ZAP_TS = '"ts":1'
_ZAP_RUN = lazy(r'^\{[^\n]*?"ts":(1\d{9})(?:\.\d+)?[,}]', MULTILINE)
# A chunk is searched when its first line carries a timestamp, or it holds JSON lines.
MAX_SAMPLES = 1_000_000  # seconds of log: 11 days


@dataclass(slots=True)
class LogClock:
    """Input line -> the time its log line was written, sampled once a second."""

    lines: list[int] = field(default_factory=list)
    times: list[float] = field(default_factory=list)
    _last: str = ""  # the last second recorded, as text ("2026-11-30 07:49:36Z")
    dated: bool = False  # a time with its date was recorded
    zoneless: bool = False  # a dated time without its zone was recorded (read as if UTC)
    zoned: bool = False  # a dated time with its zone (or in seconds since the epoch) was recorded
    yearless: bool = False  # a time without its year was recorded (times count from _YEAR0)
    prefixed: bool = False  # a chunk's first line started with a dated stamp (_HEAD)
    _years: int = 0  # years a year-less log went past _YEAR0 (December, then January)

    def observe(self, text: str, first_line: int) -> None:
        """Record the timestamps of a chunk of the input whose first line is `first_line`."""
        if text[:3] in _MONTHS and _YEARLESS_HEAD.match(text):
            self._observe_yearless(text, first_line, _YEARLESS_RUN)
            return
        if text[:3] in _DAYS and _FULL_HEAD.match(text):
            self._observe_full(text, first_line)
            return
        if _HEAD.match(text):
            self.prefixed = True
            pattern = _PREFIX
            # Each run's first line, read with the stamp's own pattern.
            found: Iterable[re.Match[str] | None] = (pattern.match(text, r.start()) for r in _PREFIX_RUN.finditer(text))
        elif (named := _named_first(text[: text.find("\n")])) and _NAMED_HEAD.match(text):
            pattern = _NAMED_PREFIX
            found = (pattern.match(text, r.start()) for r in _NAMED_RUN.finditer(text))
        elif named and _NAMED_SHORT_HEAD.match(text):
            self._observe_yearless(text, first_line, _NAMED_SHORT_RUN)
            return
        # '"' first: a one-character search is a memchr, and a plain dump holds no quote
        # (the three-character search cost ~1 ms a MiB).
        elif text.startswith('{"') or ('"' in text and '\n{"' in text):
            if text.startswith('{"') and _JSON.match(text) is None:
                # Its first line names no time as text (journald's µs, go test -json's
                # "Time"): a log of such lines names none, and each line would be read to
                # its end. But zap's, in seconds since the epoch.
                if _ZAP_TS in text:
                    self._observe_epoch(text, first_line)
                return
            pattern = _JSON
            runs = _DOCKER_RUN if text.startswith('{"log":"') else _JSON_RUN
            found = (pattern.match(text, r.start()) for r in runs.finditer(text))
        elif self.prefixed and (m := _HEAD_LINE.search(text)) is not None:
            # The program stamps its own lines, not the goroutines it writes to stderr, and
            # this chunk starts inside them: its stamped lines from the first one.
            self.observe(text[m.start() + 1 :], first_line + text.count("\n", 0, m.start()) + 1)
            return
        else:
            return
        line, at = first_line, 0
        stamped = False
        for m in found:
            if m is None:
                continue  # a line without a stamp (a docker file's odd line)
            stamped = True
            if _second(m) == self._last:
                continue
            line += text.count("\n", at, m.start())
            at = m.start()
            self._record(m, line)
        if not stamped and pattern is _JSON and _ZAP_TS in text:
            self._observe_epoch(text, first_line)  # zap's lines between a dump's

    def _new_seconds(self, text: str, first_line: int, runs: re.Pattern[str]) -> Iterator[tuple[str, int]]:
        """Each run's second (its group 1) that is not the last one recorded, with the input
        line of the run's first line; the caller records it before the next is looked at."""
        line, at = first_line, 0
        for r in runs.finditer(text):
            second = r.group(1)
            if second == self._last:
                continue
            line += text.count("\n", at, r.start())
            at = r.start()
            yield second, line

    def _observe_epoch(self, text: str, first_line: int) -> None:
        """zap's JSON lines: the first line of each new second."""
        for second, line in self._new_seconds(text, first_line, _ZAP_RUN):
            self.stamp(line, int(second))

    def _observe_full(self, text: str, first_line: int) -> None:
        """journalctl's short-full lines: each run's first line, "2026-12-01 04:32:13 UTC"."""
        for second, line in self._new_seconds(text, first_line, _FULL_RUN):
            day, clock, zone = second.split(" ")
            utc = zone in _UTC_NAMES
            self._add(second, seconds(day, clock, "Z" if utc else None), utc, line)

    def _observe_yearless(self, text: str, first_line: int, runs: re.Pattern[str]) -> None:
        """Each run's first line, its second read from group 1: "Dec 01 04:06:38" (or "Dec
        1 04:06:38") or stern's "12-01 04:06:38"."""
        for second, line in self._new_seconds(text, first_line, runs):
            if second[0].isalpha():  # "Dec 01 04:06:38"
                month, day, clock = _MONTHS.index(second[:3]) + 1, second[4:6], second[7:]
            else:  # "12-01 04:06:38"
                month, day, clock = int(second[:2]), second[3:5], second[6:]
            hour, minute, sec = map(int, clock.split(":"))
            self._record_yearless(second, (month, int(day), hour, minute, sec), line)

    def _record_yearless(self, second: str, parts: tuple[int, int, int, int, int], line: int) -> None:
        """A new second at `line`: month, day, hour, minute and second (`parts`), printed as
        `second`."""
        from datetime import UTC, datetime

        if len(self.lines) >= MAX_SAMPLES:
            return
        try:
            t = datetime(_YEAR0 + self._years, *parts, tzinfo=UTC).timestamp()
            if self.yearless and self.times and t < self.times[-1] - _NEW_YEAR:
                self._years += 1
                t = datetime(_YEAR0 + self._years, *parts, tzinfo=UTC).timestamp()
        except ValueError:
            return  # February 29 of a year after a leap year, or no such day
        self._last = second
        self.yearless = True
        self.lines.append(line)
        self.times.append(t)

    def observe_times(self, text: str, times: list[str], first_line: int) -> None:
        """Record the timestamps of a chunk of docker json-file lines (`text`) from each
        line's "time" as json_logs.docker_chunk split it off, every one a WHOLE_TIME: the
        samples observe(text) records, without walking the lines again (that cost more than
        reading the dump in them).

        What observe records is the first line of each new second, line by line, so a
        stretch of lines that print one second and zone is its first line alone. Stretches
        are found in the times' order (bisect) and checked in C; a stretch that is not one
        (times out of order) sends the rest of the chunk line by line."""
        if text.count('"') != _DOCKER_QUOTES * len(times):
            # A quote inside a log: observe would read the line's first "time"-like key,
            # which may be inside the log.
            self.observe(text, first_line)
            return
        i, n = 0, len(times)
        while i < n:
            self._line(times[i], first_line + i)
            whole = _WHOLE_TIME.fullmatch(times[i])
            if whole is None:
                break  # not from docker_chunk: line by line
            second = times[i][:_SECOND_CHARS]
            end = bisect_right(times, second + "\uffff", i + 1)
            if end - i > 1 and not _one_second(times, i, end, second, whole.group(2)):
                break
            i = end
        for k in range(i + 1, n):
            self._line(times[k], first_line + k)

    def stamp(self, line: int, second: int) -> None:
        """Record a log line written at `second` (since the epoch), as journald's entries
        say it (__REALTIME_TIMESTAMP, in microseconds) instead of in text."""
        last = str(second)
        if last != self._last and len(self.lines) < MAX_SAMPLES:
            self._last = last
            self.dated = self.zoned = True
            self.lines.append(line)
            self.times.append(float(second))

    def note(self, time: str, line: int) -> None:
        """Record input line `line`, written at `time` (an RFC 3339 / ISO 8601 text a
        carrier took off the line, as stern's JSON holds it in its message)."""
        self._line(time, line)

    def _line(self, time: str, line: int) -> None:
        m = _STAMP_ONLY.match(time)
        if m is not None and _second(m) != self._last:
            self._record(m, line)

    def _record(self, m: re.Match[str], line: int) -> None:
        """A new second at `line`, from a match of _STAMP's groups."""
        self._add(_second(m), seconds(m.group(1).replace("/", "-"), m.group(2), m.group(3)), bool(m.group(3)), line)

    def _add(self, second: str, t: float | None, zoned: bool, line: int) -> None:
        """A new dated second at `line`, printed as `second`; `t` None when it is no date."""
        if t is None or len(self.lines) >= MAX_SAMPLES:
            return
        self._last = second
        self.dated = True
        if zoned:
            self.zoned = True
        else:
            self.zoneless = True
        self.lines.append(line)
        self.times.append(t)

    def at(self, first: int, last: int) -> float | None:
        """When the lines `first`..`last` (a dump) were written: the second of the log line
        at `first`, else of the first stamped line inside them; None when none is stamped,
        or when the log printed times with and without their year, or their zone (they do not
        compare)."""
        if (self.dated and self.yearless) or (self.zoned and self.zoneless):
            return None
        i = bisect_right(self.lines, first) - 1
        if i >= 0:
            # The second that began at or before `first` still runs at `first` when every
            # line between is stamped (kubectl, docker); a gap of unstamped lines is the
            # risk taken, and the report says the order came from log timestamps.
            return self.times[i]
        if i + 1 < len(self.lines) and self.lines[i + 1] <= last:
            return self.times[i + 1]
        return None


def _named_first(line: str) -> bool:
    """Whether a chunk's first line may start with a prefix that names its source: a cheap
    look before the regex is compiled and tried (a chunk of a plain dump may start with
    any of its lines; none starts with a lowercase word holding a "-" and a blank after)."""
    if line.startswith("[pod/") or " | " in line:
        return True
    word = line[: line.find(" ")] if " " in line else ""
    return "-" in word and word.replace("-", "").replace(".", "").isalnum() and word.lower() == word


def _second(m: re.Match[str]) -> str:
    """A stamp's second and zone, as text ("2026-11-30 07:49:36Z")."""
    return f"{m.group(1)} {m.group(2)}{m.group(3) or ''}"


def _one_second(times: list[str], start: int, end: int, second: str, zone: str) -> bool:
    """Whether the WHOLE_TIMEs times[start:end] all print `second` and `zone` (times[start]
    does): in C, over the stretch joined."""
    block = "\n".join(times[start:end]) + "\n"
    lines = end - start
    if block.count("\n" + second) != lines - 1:
        return False
    if zone:
        return block.count(zone + "\n") == lines
    # No zone: none of Z, +hh:mm, or -hh:mm past the date's two dashes.
    return "Z" not in block and "+" not in block and block.count("-") == 2 * lines


def seconds(day: str, clock: str, zone: str | None) -> float | None:
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
