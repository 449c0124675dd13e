"""What one line of a dump is (line_kinds.py): rows name the runtime behaviour or the paste."""

from __future__ import annotations

import re
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gtriage.line_kinds import LOCATION, header_id, is_location, is_stack_line, logged_panic

LOCATIONS = [
    ("\t/usr/local/go/src/runtime/proc.go:435 +0x1d", True),  # as printed
    ("        /usr/local/go/src/runtime/proc.go:435 +0x1d", True),  # tab pasted as spaces
    ("/home/gopher/samples/leaky/chans.go:11", True),  # tab pasted as nothing, inlined frame
    ("example.com/leaky/chans.go:11 +0x25", True),  # -trimpath
    ("/x/m.go:3 +0x1d fp=0xc000051f38 sp=0xc000051f18 pc=0x4a1b2d", True),  # traceback level 2
    ("C:/Users/gopher/m.go:3 +0x1d", True),  # Windows
    ('level=info msg="listening" addr=127.0.0.1:8080', False),  # a log line
    ('at="pkg/x.go:3"', False),
    ("main.main()", False),
    (None, False),
]


@pytest.mark.parametrize(("line", "location"), LOCATIONS)
def test_locations(line: str | None, location: bool) -> None:
    assert is_location(line) is location


# The location pattern before its file name was made to hold no slash: what it accepts is
# unchanged (the name after the last slash is the only one that can end in ".ext:N").
_FORMER = re.compile(
    r"[^\s\"=][^\n\"=]*[/\\][^\n\"=]*\.[A-Za-z][A-Za-z0-9_]*:[0-9]+(?: \+0x[0-9a-fA-F]+)?"
    r"(?: fp=0x[0-9a-fA-F]+ sp=0x[0-9a-fA-F]+)?(?: pc=0x[0-9a-fA-F]+)?"
)


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet="ab/\\.:09 +x=\"\t", max_size=30))
def test_the_location_pattern_accepts_what_it_did(line: str) -> None:
    assert (LOCATION.fullmatch(line) is None) == (_FORMER.fullmatch(line) is None)


def test_a_long_line_of_paths_is_looked_at_in_linear_time() -> None:
    # Tried at every slash and dot, a 64 KB line of paths took 3 s (quadratic).
    def took(line: str) -> float:
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            assert LOCATION.fullmatch(line) is None
            best = min(best, time.perf_counter() - start)
        return best

    short = took("a/b.c" * 2_000)
    assert took("a/b.c" * 16_000) < 20 * short + 0.01


@pytest.mark.parametrize(
    ("line", "gid"),
    [
        ("goroutine 17 [chan receive]:", 17),
        ("goroutine 7 gp=0xc000007a40 m=3 mp=0xc000100008 [running]:", 7),
        ("goroutine ٣ [select]:", None),  # only ASCII digits are digits
        ("goroutine 1² [select]:", None),
        ("goroutine " + "9" * 5000 + " [select]:", None),  # no id is this long
    ],
)
def test_header_ids(line: str, gid: int | None) -> None:
    assert header_id(line) == gid


def test_stack_lines() -> None:
    assert is_stack_line("created by main.main in goroutine 1")
    assert is_stack_line("...50 frames elided...")
    assert not is_stack_line("FAIL\texample.com/x\t2.005s")


@pytest.mark.parametrize(
    ("line", "found"),
    [
        # net/http's conn.serve, behind the log package's date and time
        ("2026/12/01 14:53:07 http: panic serving 127.0.0.1:37230: assignment to entry in nil map",
         ("net/http", "assignment to entry in nil map")),
        ("http: panic serving [::1]:443: boom: deeper", ("net/http", "boom: deeper")),
        ("http: panic serving nowhere", None),  # no value after the address
        # echo's Recover middleware, its stack's header unglued from the line
        ("2026/12/01 14:53:07 [PANIC RECOVER] runtime error: index out of range ", ("echo", "runtime error: index out of range")),
        # a log call's "panic: <value>" behind its prefix
        ('2026/12/01 14:53:08 panic: export: no writer for format "xlsx"', ("log", 'export: no writer for format "xlsx"')),
        ("panic: boom", None),  # at a line's start: the runtime's own (a crash)
        # negroni's Recovery middleware, behind its own logger's prefix (no date)
        ("[negroni] PANIC: runtime error: invalid memory address or nil pointer dereference",
         ("negroni", "runtime error: invalid memory address or nil pointer dereference")),
        ("2026/12/01 14:53:08 [negroni] PANIC: boom", ("negroni", "boom")),
        # "PANIC: " is never the runtime's: a log call's, with or without a prefix
        ("PANIC: boom", ("log", "boom")),
        ("[api] PANIC: boom", ("log", "boom")),
        ("GOPANIC: boom", None),
        ('level=error msg="panic: boom"', None),
        ("2026/12/01 14:53:08 request done", None),
    ],
)  # fmt: skip
def test_logged_panic_lines(line: str, found: tuple[str, str] | None) -> None:
    assert logged_panic(line) == found
