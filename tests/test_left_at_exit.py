"""left_at_exit: what a run that prints one report keeps to its os._exit instead of
freeing, and nothing kept anywhere else."""

from __future__ import annotations

import weakref
from pathlib import Path

import pytest

from gtriage import left_at_exit, parallel
from gtriage.model import Dump
from gtriage.pipeline import analyze_inputs
from manifests import SAMPLES

DEMO = SAMPLES / "demo.txt"


class _Held:
    """An object a weak reference can follow."""


def test_nothing_is_kept_without_a_sink() -> None:
    held = _Held()
    alive = weakref.ref(held)
    left_at_exit.leave(held)
    del held
    assert alive() is None  # freed at once: nothing holds it


def test_what_is_left_goes_to_the_innermost_sink_of_the_block() -> None:
    outer: list[object] = []
    inner: list[object] = []
    a, b, c = object(), object(), object()
    with left_at_exit.leaving_to(outer):
        left_at_exit.leave(a)
        with left_at_exit.leaving_to(inner):
            left_at_exit.leave(b)
        left_at_exit.leave(c)
    left_at_exit.leave(object())
    assert outer == [a, c]
    assert inner == [b]


def test_a_sink_is_unset_when_its_block_raises() -> None:
    with pytest.raises(ValueError, match="boom"), left_at_exit.leaving_to([]):
        raise ValueError("boom")
    assert left_at_exit._sink is None


def _dumps_in(sink: list[object]) -> list[Dump]:
    return [d for read in sink if isinstance(read, list) for _item, _info, d in read if isinstance(d, Dump)]


def test_the_dumps_are_left_once_their_report_is_built() -> None:
    sink: list[object] = []
    with left_at_exit.leaving_to(sink):
        report = analyze_inputs([str(DEMO)])
    assert report.clusters
    assert [d.source for d in _dumps_in(sink)] == [str(DEMO)]


@pytest.mark.usefixtures("cut_small")
def test_a_parallel_read_leaves_its_state_only_when_it_read_the_file(tmp_path: Path) -> None:
    path = tmp_path / "demo.txt"
    path.write_text(DEMO.read_text())
    sink: list[object] = []
    with left_at_exit.leaving_to(sink):
        assert parallel.parse_file(str(path), jobs=2, max_bytes=None) is not None
    assert [type(x) for x in sink] == [parallel._Parent]
    # Read twice in one file: not as one pass reads it, so the caller reads it again, and
    # what the parallel read made is freed at once rather than held through that read.
    twice = tmp_path / "twice.txt"
    twice.write_text(DEMO.read_text() * 2)
    sink.clear()
    with left_at_exit.leaving_to(sink):
        assert parallel.parse_file(str(twice), jobs=2, max_bytes=None) is None
    assert sink == []
