"""Line prefixes learned from the runtime's own lines (prefixes.py)."""

from __future__ import annotations

import re

import pytest

from gtriage.prefixes import prefix_shape

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
