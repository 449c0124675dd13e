"""Log timestamps by input line: kubectl / RFC 3339 prefixes and JSON "time" fields, sampled
once a second; a plain dump has none."""

from __future__ import annotations

from datetime import UTC, datetime

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


def test_a_plain_dump_costs_nothing_and_tells_nothing() -> None:
    c = LogClock()
    c.observe("goroutine 1 [running]:\nmain.main()\n\t/x/main.go:5 +0x1d\n2026-11-30T07:17:13Z late\n", 1)
    assert c.lines == []
