"""goroutine_index.py: the report's passes made chunk by chunk while a file is read in
parallel give the report the passes over the whole dump give."""

from __future__ import annotations

from pathlib import Path

import pytest

from gtriage import dump_report, objects, parallel
from gtriage.cluster import Part, RawCluster, StackGroup, by_stack, exact_groups, part_stats
from gtriage.dump_report import report_from_dump
from gtriage.frame_info import FrameInfo, FuncName, Origin
from gtriage.goroutine_index import Indexer, index_of, indexed
from gtriage.model import Dump, Goroutine, Stack
from gtriage.parse import parse_text
from gtriage.record import replace
from gtriage.render.json import render_json
from gtriage.report_build import goroutine_total
from manifests import SAMPLES

LOCKS = SAMPLES / "dumps" / "go1.27" / "locks.debug2.txt"  # mutexes, RWMutexes, channels waited on
LABELS = SAMPLES / "dumps" / "go1.27" / "leaky.labels.txt"  # pprof labels, many stacks


def read_in_parallel(path: Path) -> Dump:
    dump = parallel.parse_file(str(path), jobs=2, max_bytes=None)
    assert dump is not None, "the parallel reading gave up on a clean dump"
    return dump


def without_index(dump: Dump) -> Dump:
    """The same dump whose snapshots hold their goroutines as a plain tuple."""
    return replace(dump, snapshots=tuple(replace(s, goroutines=tuple(s.goroutines)) for s in dump.snapshots))


@pytest.mark.usefixtures("cut_small")
@pytest.mark.parametrize("path", [LOCKS, LABELS], ids=lambda p: p.name)
def test_a_parallel_read_carries_the_passes_of_its_whole_dump(path: Path) -> None:
    dump = read_in_parallel(path)
    snap = dump_report.primary(dump)
    assert snap is not None
    index = index_of(snap)
    assert index is not None, "the merge indexed the chunks"
    whole = by_stack(snap.goroutines)
    assert list(index.parts) == list(whole), "the same keys, in the order one pass meets them"
    for key, parts in index.parts.items():
        assert [g for p in parts for g in p.goroutines] == whole[key]
    assert max(len(parts) for parts in index.parts.values()) > 1, "some stack spans several chunks"
    assert index.total == len({g.id for g in snap.goroutines} - {0})
    assert goroutine_total(snap) == index.total


@pytest.mark.usefixtures("cut_small")
@pytest.mark.parametrize("path", [LOCKS, LABELS], ids=lambda p: p.name)
def test_the_report_from_the_parts_is_the_report_from_every_goroutine(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    dump = read_in_parallel(path)
    plain = render_json(report_from_dump(without_index(dump)))
    read: list[int] = []
    real = objects.part_answers

    def counted(*args: object, **kwargs: object) -> objects.Answers:
        read.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(objects, "part_answers", counted)
    assert render_json(report_from_dump(dump)) == plain
    assert read == [], "the waits were read from the parts, not again"


def test_parts_made_with_another_goroot_are_not_read(monkeypatch: pytest.MonkeyPatch) -> None:
    # The first chunk shows no GOROOT (here: it is empty), a later one does: which frames
    # are the program's may differ, so the waits are read again with the report's GOROOT.
    dump = parse_text(LOCKS.read_text(), str(LOCKS))
    snap = dump.snapshots[-1]
    indexer = Indexer((), 2)
    indexer.add(1, snap.goroutines)
    index = indexer.index()
    assert index.goroot is None
    made = replace(dump, snapshots=(*dump.snapshots[:-1], replace(snap, goroutines=indexed(snap.goroutines, index))))
    asked: list[bool] = []
    real = objects.find_objects

    def spy(*args: object, prepared: bool = False) -> objects.ObjectFindings:
        asked.append(prepared)
        return real(*args, prepared=prepared)  # type: ignore[arg-type]

    monkeypatch.setattr(dump_report, "find_objects", spy)
    assert render_json(report_from_dump(made)) == render_json(report_from_dump(dump))
    assert asked == [False, False]


def frame(func: str) -> FrameInfo:
    return FrameInfo(func, "/home/gopher/x/main.go", 1, Origin.MAIN, None, None, FuncName("main", "", func, "", False))


def goroutine(gid: int, values: str = "", parent: int | None = None, minutes: int = 0) -> Goroutine:
    return Goroutine(gid, "chan receive", Stack(()), gid, minutes=minutes, values=values, parent_id=parent)


def group_of(*parts: list[Goroutine], counted: bool) -> StackGroup:
    grp = StackGroup((frame("main.f"),), None)
    for members in parts:
        part = Part(members)
        if counted:
            part = Part(members, {}, {v: sum(g.values == v for g in members) for v in dict.fromkeys(g.values for g in members)},
                        None, part_stats(members))  # fmt: skip
        grp.parts.append(part)
        grp.goroutines.extend(members)
        grp.count += len(members)
    return grp


@pytest.mark.parametrize(
    "parts",
    [
        [["a", "b"], ["c"]],  # no set in two parts
        [["a", "b"], ["a", "a"]],  # one set in both: counted together
        [["a"], ["b", "b"], ["b"]],
        [["x"]],
    ],
)
def test_exact_groups_from_the_parts_counts(parts: list[list[str]]) -> None:
    gid = iter(range(1, 100))
    members = [[goroutine(next(gid), v) for v in values] for values in parts]
    assert exact_groups(group_of(*members, counted=True)) == exact_groups(group_of(*members, counted=False))


def test_a_tie_of_parents_goes_to_the_one_met_first_in_id_order() -> None:
    # In file order parent 7 comes first; by id, parent 9's goroutine 1 does.
    first = [goroutine(5, parent=7, minutes=3), goroutine(6, parent=7)]
    second = [goroutine(1, parent=9, minutes=1), goroutine(2, parent=9, minutes=8)]
    made = RawCluster("chan receive", frame("main.f"), [group_of(first, second, counted=True)])
    whole = RawCluster("chan receive", frame("main.f"), [group_of(first, second, counted=False)])
    assert made.stats() == whole.stats()
    assert made.stats().top_parent == (9, 2)
    assert (made.stats().minutes_min, made.stats().minutes_max) == (0, 8)


@pytest.mark.usefixtures("cut_small")
def test_goroutines_copied_into_another_tuple_have_no_index() -> None:
    snap = read_in_parallel(LOCKS).snapshots[-1]
    assert index_of(snap) is not None
    assert index_of(replace(snap, goroutines=tuple(snap.goroutines))) is None


def test_stats_from_parts_only_where_they_hold_every_goroutine() -> None:
    # A cluster of one counted group and one group without parts (as a fleet's merge makes).
    counted = group_of([goroutine(1, minutes=5), goroutine(2, minutes=7)], counted=True)
    bare = StackGroup((frame("main.g"),), None, [goroutine(3, minutes=90)], 1)
    made = RawCluster("chan receive", frame("main.f"), [counted, bare])
    assert (made.stats().minutes_min, made.stats().minutes_max) == (5, 90)
    assert made.stats().ids == (1, 2, 3)
