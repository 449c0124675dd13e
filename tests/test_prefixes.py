"""Line prefixes learned from the runtime's own lines (prefixes.py)."""

from __future__ import annotations

import re

import pytest

from gtriage.prefixes import _headers_inside, prefix_shape

SHAPES = [
    # (prefix as learned, lines that carry it, lines that do not)
    ("2026-11-25T10:00:00.123456789Z ", ["2026-11-25T10:00:01Z x", "2026-11-25T10:00:01.5Z ", "2026-11-25T10:00:01.5Z"], ["x 2026-11-25T10:00:01Z"]),
    ("2021-05-27T10:46:33.875+0300 [DEBUG] plugin.terraform-provider-x: ", ["2021-05-27T10:46:34.001+0300 [DEBUG] plugin.terraform-provider-x: \tmain.go:3"], ["2021-05-27T10:46:34.001+0300 [INFO]  provider: configuring"]),
    ("> ", ["> x", ">"], [">> x", "x"]),
    ("Nov 25 10:00:00 host app[1234]: ", ["Nov 25 10:00:09 host app[99]: goroutine 1 [running]:"], ["Nov 25 10:00:09 other app[99]: x"]),
]


@pytest.mark.parametrize(("prefix", "carried", "not_carried"), SHAPES, ids=[s[0] for s in SHAPES])
def test_prefix_shapes(prefix: str, carried: list[str], not_carried: list[str]) -> None:
    shape = re.compile(prefix_shape(prefix))
    assert shape.match(prefix + "goroutine 1 [running]:")
    for line in carried:
        assert shape.match(line), line
    for line in not_carried:
        assert not shape.match(line), line


HEADERS_INSIDE = [
    # (text, offsets of the headers that do not start their line)
    ("goroutine 1 [running]:\nx", []),  # the text's start is a line's start
    ("x\ngoroutine 1 [running]:", []),
    ("log: goroutine 1 [running]:", [5]),
    ("stacksgoroutine 7 gp=0x1 m=2 mp=0x3 [select]:", [6]),  # glued, level 2
    ("created by main.f in goroutine 1 [x]", []),  # a creator
    ("Previous write at 0x1 by goroutine 7 [x]", []),  # a race report
    ("[originating from goroutine 3 [x]]", []),  # an ancestor
    ("x goroutine 12 [chan receive]: y goroutine 3 [a] goroutine z", [2, 33]),
    ("x goroutine 12 (running)", []),  # no [state]
    ("x goroutine 1 [a\n]", []),  # the state does not span lines
]


@pytest.mark.parametrize(("text", "offsets"), HEADERS_INSIDE, ids=[t for t, _ in HEADERS_INSIDE])
def test_headers_inside_a_line(text: str, offsets: list[int]) -> None:
    assert list(_headers_inside(text)) == offsets
