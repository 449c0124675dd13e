"""logged_text: the log text over a stack a program logged with a panic it recovered, one
line or the several a panic value goes on over."""

from __future__ import annotations

from gtriage.logged_text import MAX_LINE_CHARS, MAX_VALUE_LINES, LoggedText

HEADER = "goroutine 36 [running]:"
LOG = "2026/12/01 16:37:46 http: panic serving 127.0.0.1:59624: sync: upstream closed"


def feed(lines: list[str | None]) -> list[tuple[int, str]]:
    """(line, text) of each logged text LoggedText finds ending right over a header, each
    line fed with the next (None: a blank line, not fed; a header is asked at, as the line
    reader does)."""
    found = []
    text = LoggedText()
    for n, line in enumerate(lines, 1):
        if line is None:
            continue
        if line == HEADER:
            got = text.over(n)
            if got is not None:
                found.append((n - 1, got))
            continue
        text.note(line, n, lines[n] if n < len(lines) else None)
    return found


def test_a_log_line_right_over_a_header() -> None:
    assert feed([LOG, HEADER]) == [(1, LOG)]


def test_a_value_of_several_lines_ends_over_the_header() -> None:
    assert feed(["other", LOG, "sync: retry budget spent", HEADER]) == [(3, f"{LOG}\nsync: retry budget spent")]
    # A line of the value may say "panic" itself.
    assert feed([LOG, "caused by a panic in the pool", HEADER]) == [(2, f"{LOG}\ncaused by a panic in the pool")]


def test_a_gap_or_a_long_way_is_not_the_stack_s() -> None:
    assert feed([LOG, None, "more", HEADER]) == []  # a blank line between
    assert feed([LOG, *["more"] * MAX_VALUE_LINES, HEADER]) == []
    assert feed([LOG, *["more"] * (MAX_VALUE_LINES - 1), HEADER]) == [(MAX_VALUE_LINES, "\n".join([LOG, *["more"] * (MAX_VALUE_LINES - 1)]))]


def test_the_last_log_line_of_a_panic_is_the_one_kept() -> None:
    second = "2026/12/01 16:37:47 panic: export: no writer"
    assert feed([LOG, second, HEADER]) == [(2, second)]
    assert feed(["2026/12/01 request done", "more", HEADER]) == []  # no panic logged


def test_only_the_start_of_each_long_line_is_kept() -> None:
    long = "x" * (MAX_LINE_CHARS * 50)
    [(line, text)] = feed([LOG, long, long, HEADER])
    assert line == 3
    assert text.split("\n") == [LOG, long[:MAX_LINE_CHARS], long[:MAX_LINE_CHARS]]
