"""The map from a stream's lines back to the input's (streams.py)."""

from __future__ import annotations

from gtriage.streams import LineMap


def test_line_map_runs() -> None:
    lm = LineMap()
    assert lm(7) == 7  # nothing mapped: every line is itself
    lm.same(1, 3)  # stream 1-3 = input 1-3
    lm.add(4, 3)  # stream 4-6 = input 4 (a one-line dump)
    lm.same(5, 2)  # stream 7-8 = input 5-6
    lm.add(9, 1)  # stream 9 = input 9 (input 7-8 were JSON lines)
    assert [lm(i) for i in range(1, 10)] == [1, 2, 3, 4, 4, 4, 5, 6, 9]
