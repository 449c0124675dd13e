"""The goroutine list's source column: names cut to fit so that each still tells its source."""

from __future__ import annotations

import pytest

from gtriage.tui.goroutine_list import cut_names


@pytest.mark.parametrize(
    ("names", "width", "want"),
    [
        # Pods of one deployment (kubectl --prefix) differ in their last letters: their ends show.
        (["leakrate-7d4b9c8f5-xk2lp/app", "leakrate-7d4b9c8f5-q9z8w/app"], 16,
         ["…9c8f5-xk2lp/app", "…9c8f5-q9z8w/app"]),
        # Names that differ only at their start keep it.
        (["eu-west-1.api.internal.example", "us-east-2.api.internal.example"], 12, ["eu-west-1.a…", "us-east-2.a…"]),
        # Names that fit stay whole.
        (["pod-a", "pod-b"], 6, ["pod-a", "pod-b"]),
    ],
)  # fmt: skip
def test_names_are_cut_where_they_differ(names: list[str], width: int, want: list[str]) -> None:
    cells = cut_names(names, width)
    assert [cells[n] for n in names] == want
    assert all(len(c) <= width for c in cells.values())
