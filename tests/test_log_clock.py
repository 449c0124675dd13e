"""Log timestamps by input line: kubectl / RFC 3339 prefixes and JSON "time" fields, sampled
once a second; a plain dump has none."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gtriage.log_clock import LogClock


def epoch(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=datetime.fromisoformat(text).tzinfo or UTC).timestamp()


def test_prefixes_are_sampled_once_a_second() -> None:
    c = LogClock()
    c.observe(
        "2026-11-30T07:17:13.1Z a\n2026-11-30T07:17:13.2Z b\n2026-11-30T07:17:14.0Z c\n2026-11-30T07:17:14.5Z d\n", 10
    )
    assert c.lines == [10, 12]
    assert c.times == [epoch("2026-11-30T07:17:13+00:00"), epoch("2026-11-30T07:17:14+00:00")]
    assert c.at(11, 11) == c.times[0]
    assert c.at(13, 20) == c.times[1]
    assert c.at(1, 9) is None  # nothing stamped at or before it, nothing inside it
    assert c.at(1, 10) == c.times[0]


def test_zones_are_honoured() -> None:
    c = LogClock()
    c.observe("2026-11-30 09:17:13+02:00 x\n2026-11-30T07:17:14Z y\n", 1)
    assert c.times == [epoch("2026-11-30T07:17:13+00:00"), epoch("2026-11-30T07:17:14+00:00")]


def test_json_time_fields() -> None:
    c = LogClock()
    c.observe('{"log":"goroutine 1 [running]:\\n","stream":"stderr","time":"2026-11-30T07:17:13.5Z"}\n'
              '{"level":"info","ts":"2026-11-30T07:17:15Z","msg":"x"}\n', 5)
    assert c.lines == [5, 6]


@pytest.mark.parametrize(
    "prefixes",
    [
        # kubectl logs --prefix --timestamps: the pod before the kubelet's time, pods interleaved (-f).
        ("[pod/web-7d4b9c8f5-xk2lp/app] ", "[pod/web-7d4b9c8f5-q9z8w/app] "),
        # docker compose logs --timestamps: the service padded to the longest name, then " | ".
        ("web-1  | ", "db-1   | "),
        # stern --timestamps: the pod and the container, then the kubelet's time.
        ("web-7d4b9c8f5-xk2lp app ", "web-7d4b9c8f5-q9z8w app "),
    ],
)
def test_times_behind_a_prefix_that_names_the_source(prefixes: tuple[str, str]) -> None:
    a, b = prefixes
    c = LogClock()
    c.observe(
        f"{a}2026-11-30T07:17:13.1Z x\n{b}2026-11-30T07:17:13.2Z y\n{a}2026-11-30T07:17:14.0Z z\n"
        f"{b}2026-11-30T07:17:15.5Z w\n{b}2026-11-30T07:17:15.6Z v\n", 10,
    )  # fmt: skip
    assert c.lines == [10, 12, 13]
    assert c.times == [epoch(f"2026-11-30T07:17:{s}+00:00") for s in (13, 14, 15)]


def test_a_plain_dump_costs_nothing_and_tells_nothing() -> None:
    c = LogClock()
    c.observe("goroutine 1 [running]:\nmain.main()\n\t/x/main.go:5 +0x1d\n2026-11-30T07:17:13Z late\n", 1)
    assert c.lines == []
    # A line that only looks like compose's ("a | b") with no time after it.
    c.observe("panic: x | y\n2026-11-30T07:17:13Z late\n", 1)
    assert c.lines == []


def reference(chunks: list[tuple[str, int]], json: bool) -> list[int]:
    """What observe records, line by line: the first stamped line of each new second, in
    logs whose chunks start with a stamped line."""
    import re

    head = r'\{[^\n]*?"time":"' if json else r"\[?"
    stamp = re.compile(head + r"(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d)(?:[.,]\d+)?(Z|[+-]\d\d:?\d\d)?")
    out: list[int] = []
    last: tuple[str | None, ...] = ()
    for text, first in chunks:
        for i, line in enumerate(text.splitlines()):
            m = stamp.match(line)
            if m is not None and m.group(1, 2, 3) != last:
                last = m.group(1, 2, 3)
                out.append(first + i)
    return out


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.booleans(), st.sampled_from(["Z", "+02:00", ""]),
                          st.integers(0, 2)), min_size=1, max_size=60), st.integers(1, 9), st.booleans())
def test_turns_of_the_second_are_found_as_line_by_line(
    rows: list[tuple[int, bool, str, int]], cut_every: int, json: bool
) -> None:
    # Seconds that repeat, go back, change zone; lines without stamps between them (a
    # stamped log line over an unstamped dump); chunks cut at any line.
    lines: list[str] = []
    second = 0
    for step, stamped, zone, extra in rows:
        second += step - 1  # sometimes back
        if stamped or not lines:
            t = f"2026-11-30T07:17:{abs(second) % 60:02d}.{extra}{zone}"
            lines.append(f'{{"log":"x","time":"{t}"}}' if json else f"{t} x")
        for _ in range(extra):
            lines.append("goroutine 1 [running]:" if extra == 1 else "\tmain.go:5 +0x1d")
    chunks, first = [], 1
    for i in range(0, len(lines), cut_every):
        part = lines[i : i + cut_every]
        if i and not part[0].startswith(("2026", "{")):
            continue  # observe is given chunks whose first line is stamped (or JSON)
        chunks.append(("\n".join(part) + "\n", first + i))
    c = LogClock()
    for text, start in chunks:
        c.observe(text, start)
    assert c.lines == reference(chunks, json)


# Logs as dockerd escapes them, and one with raw quotes that a hand-made file may hold: its
# "ts" key comes before the line's "time".
_DOCKER_LOGS = ["goroutine 1 [running]:\\n", "\\tmain.go:5 +0x1d\\n", 'panic: \\"x\\"\\n', "main.main()\\n",
                'x","ts":"2026-11-30T07:17:59Z\\n']


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3), st.sampled_from(["Z", "+02:00", "", "-0130"]),
                          st.sampled_from("T "), st.integers(0, len(_DOCKER_LOGS) - 1)), min_size=1, max_size=60),
       st.integers(1, 7), st.booleans())
def test_docker_times_record_what_the_lines_do(
    rows: list[tuple[int, int, str, str, int]], cut_every: int, quotes: bool
) -> None:
    # The times docker_chunk splits off, read by observe_times, against observe reading
    # the lines: seconds that repeat, go back and change zone; fractions of 0-3 digits;
    # logs with escaped quotes (or not); chunks cut at any line; the clock carried over.
    from gtriage.json_logs import docker_chunk

    lines: list[str] = []
    second = 0
    for step, digits, zone, sep, log in rows:
        second += step - 1
        fraction = "." + "123"[:digits] if digits else ""
        t = f"2026-11-30{sep}07:17:{abs(second) % 60:02d}{fraction}{zone}"
        text = _DOCKER_LOGS[log] if quotes else _DOCKER_LOGS[log].replace('\\"', "'").replace('"', "'")
        lines.append(f'{{"log":"{text}","stream":"stderr","time":"{t}"}}')
    by_lines, by_times = LogClock(), LogClock()
    for i in range(0, len(lines), cut_every):
        chunk = "\n".join(lines[i : i + cut_every]) + "\n"
        decoded = docker_chunk(chunk, len(lines[i : i + cut_every]))
        assert decoded is not None  # every line is one dockerd writes
        by_lines.observe(chunk, 1 + i)
        by_times.observe_times(chunk, decoded[1], 1 + i)
    assert (by_times.lines, by_times.times) == (by_lines.lines, by_lines.times)


def test_docker_times_in_order_are_read_a_second_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    # 3,000 lines over three seconds, as dockerd stamps a dump written in one burst: the
    # first line of each second, found without a look at each line.
    from gtriage import log_clock
    from gtriage.json_logs import docker_chunk

    times = [f"2026-11-30T07:17:{13 + k // 1000:02d}.{k % 1000 + 1:03d}Z" for k in range(3000)]
    chunk = "".join(f'{{"log":"x\\n","stream":"stderr","time":"{t}"}}\n' for t in times)
    decoded = docker_chunk(chunk, 3000)
    assert decoded is not None
    assert decoded[1] == times
    looked: list[str] = []
    original = LogClock._line

    def line(self: LogClock, time: str, n: int) -> None:
        looked.append(time)
        original(self, time, n)

    monkeypatch.setattr(LogClock, "_line", line)
    clock = LogClock()
    clock.observe_times(chunk, decoded[1], 1)
    assert clock.lines == [1, 1001, 2001]
    assert len(looked) == 3
    assert log_clock._one_second(times, 0, 1000, "2026-11-30T07:17:13", "Z")
    assert not log_clock._one_second(times, 0, 1001, "2026-11-30T07:17:13", "Z")


@pytest.mark.parametrize(
    ("line", "named"),
    [
        ("[pod/web-0/app] 2026-11-30T07:17:13Z x", True),
        ("web-1  | 2026-11-30T07:17:13Z x", True),
        ("web-7d4b9c8f5-xk2lp app 2026-11-30T07:17:13.000000000Z x", True),
        # A plain dump's chunk starts with any of its lines: none of them is looked at further
        # (the regex is compiled at its first use: ~1M instructions a run).
        ("goroutine 7 [chan receive, 2 minutes]:", False),
        ("\t/home/gopher/go/pkg/mod/golang.org/x/net@v0.0.0-20231114-ab12/http2/server.go:1034 +0x1d", False),
        ("github.com/acme/web-api/server.(*Hub).run(0xc000010120, {0x9c7f40, 0xc00001e0a0})", False),
        ("created by net/http.(*Server).Serve in goroutine 1", False),
    ],
)
def test_only_a_line_that_may_name_its_source_is_looked_at(line: str, named: bool) -> None:
    from gtriage.log_clock import _named_first

    assert _named_first(line) is named


# journalctl's default short format, its short-precise, syslog's traditional file format
# (the day padded with a blank): the month and day, no year, no zone.
@pytest.mark.parametrize(
    ("first", "second", "third"),
    [
        ("Dec 01 04:29:02 host app[7]: ", "Dec 01 04:29:02 host app[7]: ", "Dec 01 04:30:12 host app[7]: "),
        ("Dec 01 04:29:02.081234 host app[7]: ", "Dec 01 04:29:02.981234 host app[7]: ",
         "Dec 01 04:30:12.000001 host app[7]: "),
        ("Dec  1 04:29:02 host app[7]: ", "Dec  1 04:29:02 host app[7]: ", "Dec  1 04:30:12 host app[7]: "),
        # stern --timestamps=short: its TimestampFormatShort after the pod and container.
        ("web-7d4b9c8f5-xk2lp app 12-01 04:29:02 ", "web-7d4b9c8f5-q9z8w app 12-01 04:29:02 ",
         "web-7d4b9c8f5-xk2lp app 12-01 04:30:12 "),
    ],
)  # fmt: skip
def test_times_without_a_year_are_sampled_and_compare(first: str, second: str, third: str) -> None:
    c = LogClock()
    c.observe(f"{first}goroutine 1 [running]:\n{second}main.main()\n{third}x\n", 4)
    assert c.lines == [4, 6]
    assert c.times[1] - c.times[0] == 70.0
    assert (c.yearless, c.dated) == (True, False)
    assert c.at(5, 5) == c.times[0]


def test_a_year_less_log_goes_on_into_january() -> None:
    c = LogClock()
    c.observe("Dec 31 23:59:30 h a[1]: x\nJan 01 00:00:30 h a[1]: y\nFeb 29 00:00:00 h a[1]: z\n", 1)
    # A minute after the last line of December, not eleven months before it; the year after
    # the reference leap year has no February 29: that line tells no time.
    assert c.lines == [1, 2]
    assert c.times[1] - c.times[0] == 60.0


def test_a_year_less_february_29_is_a_day() -> None:
    c = LogClock()
    c.observe("Feb 28 12:00:00 h a[1]: x\nFeb 29 12:00:00 h a[1]: y\nMar 01 12:00:00 h a[1]: z\n", 1)
    assert [t - c.times[0] for t in c.times] == [0.0, 86400.0, 2 * 86400.0]


def test_times_with_and_without_a_year_in_one_log_tell_nothing() -> None:
    c = LogClock()
    c.observe("2026-12-01T04:29:02Z x\n", 1)
    c.observe("Dec 01 04:29:02 h a[1]: x\n", 2)
    assert (c.dated, c.yearless) == (True, True)
    assert c.at(1, 2) is None


@pytest.mark.parametrize(
    "text",
    [
        "Decimal 01 04:29:02 x\n",  # not a month's abbreviation alone
        "Dec 1 04:29:02 x\n",  # the day is two characters wide
        "Dec 01 04:29 x\n",  # no seconds
        "dec 01 04:29:02 x\n",
        "Dec 01 04:29:02\n",  # nothing after the time: not a log line's prefix
    ],
)
def test_what_only_looks_like_a_year_less_time(text: str) -> None:
    c = LogClock()
    c.observe(text, 1)
    assert c.lines == []


def test_zap_s_seconds_since_the_epoch() -> None:
    # zap's production JSON encoder: "ts" a float of seconds, second key; between them, a
    # dump's lines (written to stderr) and a line of another JSON logger.
    c = LogClock()
    c.observe(
        '{"level":"info","ts":1764563533.1234567,"caller":"a/b.go:1","msg":"x"}\n'
        "goroutine 1 [running]:\n"
        '{"level":"info","ts":1764563533.9,"msg":"y"}\n'
        '{"level":"warn","ts":1764563595.0,"msg":"z"}\n',
        7,
    )
    assert c.lines == [7, 10]
    assert c.times == [1764563533.0, 1764563595.0]


def test_zap_s_lines_between_a_dump_s_are_read_when_the_chunk_starts_in_the_dump() -> None:
    c = LogClock()
    c.observe('goroutine 1 [running]:\nmain.main()\n{"level":"info","ts":1764563533.5,"msg":"x"}\n', 3)
    assert c.lines == [5]


def test_a_ts_that_is_no_time_since_the_epoch_is_not_read() -> None:
    c = LogClock()
    c.observe('{"level":"info","ts":17645635,"msg":"x"}\n{"ts":"soon","msg":"y"}\n', 1)
    assert c.lines == []


def test_times_without_a_zone_are_said_so_and_do_not_mix_with_zoned_ones() -> None:
    c = LogClock()
    c.observe("2026-11-30 07:17:13,152 x\n2026-11-30 07:18:13,001 y\n", 1)
    assert (c.zoneless, c.zoned) == (True, False)
    assert c.times[1] - c.times[0] == 60.0
    assert c.at(1, 1) == c.times[0]
    c.observe("2026-11-30T07:19:13Z z\n", 3)  # the same log, now with a zone: which one is right?
    assert (c.zoneless, c.zoned) == (True, True)
    assert c.at(1, 3) is None


def test_go_s_log_package_dates() -> None:
    # log.LstdFlags ("2009/01/23 01:23:23 "), with Lmicroseconds too: the local time, no zone.
    c = LogClock()
    c.observe("2026/11/30 07:17:13 a\n2026/11/30 07:17:13.000123 b\n2026/11/30 07:18:13.5 c\n", 1)
    assert c.lines == [1, 3]
    assert c.times[1] - c.times[0] == 60.0
    assert (c.zoneless, c.zoned) == (True, False)


def test_a_chunk_that_starts_inside_unstamped_lines_of_a_stamped_log() -> None:
    # The program stamps its lines; the goroutines it writes to stderr carry none, and a
    # chunk (1 MiB) may start inside them.
    c = LogClock()
    c.observe("2026/11/30 07:17:13 dumping\ngoroutine 1 [running]:\n", 1)
    c.observe("main.main()\n\t/home/gopher/x.go:3 +0x1d\n\n2026/11/30 07:18:13 dumping\ngoroutine 1 [running]:\n", 3)
    assert c.lines == [1, 6]
    assert c.times[1] - c.times[0] == 60.0
    # A dump's chunk with no stamped log before it is not searched (plain dumps pay nothing).
    plain = LogClock()
    plain.observe("main.main()\n\t/home/gopher/x.go:3 +0x1d\n\n2026/11/30 07:18:13 dumping\n", 3)
    assert plain.lines == []


def _yearless_reference(chunks: list[tuple[str, int]]) -> list[int]:
    """What observe records of a year-less log, line by line: the first line of each new
    second (its month, day and time as printed)."""
    import re

    stamp = re.compile(r"((?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ 0-3]\d \d\d:\d\d:\d\d)(?:\.\d+)? ")
    out: list[int] = []
    last = ""
    for text, first in chunks:
        for i, line in enumerate(text.splitlines()):
            m = stamp.match(line)
            if m is not None and m.group(1) != last:
                last = m.group(1)
                out.append(first + i)
    return out


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.booleans(), st.integers(0, 2), st.integers(0, 2)), min_size=1,
                max_size=60), st.integers(1, 9), st.sampled_from(["%b %d", "%b %e"]))  # fmt: skip
def test_year_less_turns_of_the_second_are_found_as_line_by_line(
    rows: list[tuple[int, bool, int, int]], cut_every: int, day: str
) -> None:
    # journalctl's short and short-precise and syslog's padded day; seconds that repeat and
    # go back, lines without a stamp between (a dump's, once journalctl's prefix is on every
    # line this is rare, but a paste may hold them), chunks cut at any line.
    from datetime import timedelta

    start = datetime(2000, 11, 30, 23, 59, 58, tzinfo=UTC)
    lines: list[str] = []
    second = 0
    for step, stamped, fraction, extra in rows:
        second += step - 1  # sometimes back
        if stamped or not lines:
            when = start + timedelta(seconds=abs(second) % 5)
            text = when.strftime(f"{day} %H:%M:%S") + (f".{fraction:06d}" if fraction else "")
            lines.append(f"{text} host app[7]: x")
        for _ in range(extra):
            lines.append("goroutine 1 [running]:" if extra == 1 else "\tmain.go:5 +0x1d")
    chunks, first = [], 1
    for i in range(0, len(lines), cut_every):
        part = lines[i : i + cut_every]
        if i and not part[0][:3].isalpha():
            continue  # observe is given chunks whose first line is stamped
        if i and part[0].startswith("goroutine"):
            continue
        chunks.append(("\n".join(part) + "\n", first + i))
    c = LogClock()
    for text, at in chunks:
        c.observe(text, at)
    assert c.lines == _yearless_reference(chunks)


def test_journalctl_short_full() -> None:
    # "Tue 2026-12-01 04:32:13 UTC host app[7]: line": one sample a second, dated.
    c = LogClock()
    c.observe(
        "Tue 2026-12-01 04:32:13 UTC host app[7]: a\nTue 2026-12-01 04:32:13 UTC host app[7]: b\n"
        "Tue 2026-12-01 04:33:13 UTC host app[7]: c\n",
        1,
    )
    assert c.lines == [1, 3]
    assert c.times[1] - c.times[0] == 60.0
    assert (c.dated, c.zoned, c.zoneless, c.yearless) == (True, True, False, False)
    assert c.at(1, 3) == c.times[0]
    # Another abbreviation names no offset: a time without its zone.
    cet = LogClock()
    cet.observe("Tue 2026-12-01 05:32:13 CET host app[7]: a\n", 1)
    assert (cet.zoned, cet.zoneless) == (False, True)
