"""collector.paused: no collection while a report is built on a parsed dump, and the
collector left as the caller had it."""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator

import pytest

from gtriage import collector, dump_report, pipeline, reading
from gtriage.pipeline import analyze_inputs
from manifests import SAMPLES


@pytest.fixture
def collector_restored() -> Iterator[None]:
    """The test's own changes to the collector undone, whatever it leaves."""
    was = gc.isenabled()
    gc.unfreeze()
    try:
        yield
    finally:
        gc.unfreeze()
        if was:
            gc.enable()
        else:
            gc.disable()


@pytest.mark.usefixtures("collector_restored")
@pytest.mark.parametrize("enabled", [True, False])
def test_paused_then_as_it_was(enabled: bool) -> None:
    if enabled:
        gc.enable()
    else:
        gc.disable()
    with collector.paused():
        assert not gc.isenabled()
        made: list[list[int]] = [[] for _ in range(1000)]
    assert gc.isenabled() is enabled
    assert gc.get_freeze_count() == 0  # nothing left frozen
    # What the block made joined the oldest generation: the youngest is empty of it.
    assert gc.get_count()[0] < 100
    assert gc.is_tracked(made)


@pytest.mark.usefixtures("collector_restored")
def test_paused_leaves_what_the_caller_froze_frozen() -> None:
    kept: list[list[int]] = [[] for _ in range(10)]
    gc.freeze()
    frozen = gc.get_freeze_count()
    with collector.paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    # Neither unfrozen (gc.unfreeze empties the permanent generation: 0) nor frozen again
    # (more). Fewer may be: a frozen object that dies leaves it, and in a worker process
    # that ran other tests some die meanwhile (the exact count failed once in ~10 runs).
    assert 0 < gc.get_freeze_count() <= frozen
    assert kept


@pytest.mark.usefixtures("collector_restored")
def test_paused_on_an_error_too() -> None:
    with pytest.raises(ValueError, match="in the block"), collector.paused():
        raise ValueError("in the block")
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0


@pytest.mark.usefixtures("collector_restored")
def test_the_report_is_built_without_collections(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[bool] = []
    build = dump_report.report_from_dump

    def spy(*args: object, **kwargs: object) -> object:
        seen.append(gc.isenabled())
        return build(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "report_from_dump", spy)
    report = analyze_inputs([str(SAMPLES / "demo.txt")], jobs=1)
    assert report.clusters
    assert seen == [False]
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0


@pytest.mark.usefixtures("collector_restored")
def test_a_dump_read_by_one_process_is_parsed_without_collections(monkeypatch: pytest.MonkeyPatch) -> None:
    # stdin, URLs, gzip and small files: as parallel.py reads a big file.
    from gtriage.parse import parse_lines

    seen: list[bool] = []

    def spy(*args: object, **kwargs: object) -> object:
        seen.append(gc.isenabled())
        return parse_lines(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(reading, "parse_lines", spy)
    report = analyze_inputs([str(SAMPLES / "demo.txt")], jobs=1)
    assert report.goroutines == len(re.findall(r"^goroutine [0-9]+ ", (SAMPLES / "demo.txt").read_text(), re.M))
    assert seen == [False]
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0
