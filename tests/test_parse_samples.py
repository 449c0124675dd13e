"""The parser against every sample dump: what the programs did by construction."""

from __future__ import annotations

import functools
from typing import Any

import pytest

from gtriage.model import Dump, Goroutine, Snapshot
from gtriage.parse import parse_lines
from manifests import SAMPLE_LIST, Sample


@functools.cache
def _parse(sample: Sample, *, memo: bool = True) -> Dump:
    with sample.dump.open(encoding="utf-8", errors="replace", newline=None) as f:
        return parse_lines(f, str(sample.dump), memo=memo)


def _goroutines(dump: Dump, group: dict[str, Any]) -> dict[int, Goroutine]:
    """Goroutines of the snapshot the group belongs to (files may hold several dumps)."""
    func = group["blocked_at"]["func"]
    for snap in dump.snapshots:
        gs = {g.id: g for g in snap.goroutines}
        if any(gid in gs and any(f.func == func for f in gs[gid].stack.frames) for gid in group["ids"]):
            return gs
    return {}


def _primary(dump: Dump) -> Snapshot:
    return next(s for s in reversed(dump.snapshots) if s.goroutines or s.records or s.races)


@pytest.mark.parametrize("sample", SAMPLE_LIST, ids=lambda s: s.id)
def test_nothing_inside_a_dump_is_left_unparsed(sample: Sample) -> None:
    dump = _parse(sample)
    assert dump.snapshots, "no dump found"
    for snap in dump.snapshots:
        assert snap.headers_seen == len(snap.goroutines) + snap.unparsed_headers + snap.repeated_headers
        if sample.manifest.get("truncated"):
            continue
        assert snap.unparsed_lines == 0, snap.issues[:5]
        assert not snap.truncated


@pytest.mark.parametrize(
    "sample", [s for s in SAMPLE_LIST if s.manifest.get("truncated")], ids=lambda s: s.id
)
def test_a_cut_dump_says_so_and_keeps_its_partial_goroutine(sample: Sample) -> None:
    dump = _parse(sample)
    snap = dump.snapshots[-1]
    assert snap.truncated
    assert snap.goroutines[-1].partial
    # Only the lines of the cut goroutine may be unparsed, and each is reported.
    assert snap.unparsed_lines <= 3
    assert all(i.line > snap.goroutines[-1].line for i in snap.issues)
    complete = set(sample.manifest.get("complete_ids") or [])
    got = {g.id for g in snap.goroutines}
    assert complete <= got


GROUP_SAMPLES = [
    (s, g) for s in SAMPLE_LIST if s.format != "debug1" for g in s.groups if g["ids"]
]


@pytest.mark.parametrize(("sample", "group"), GROUP_SAMPLES, ids=lambda x: x.id if isinstance(x, Sample) else x["key"])
def test_goroutines_are_what_the_program_made(sample: Sample, group: dict[str, Any]) -> None:
    dump = _parse(sample)
    gs = _goroutines(dump, group)
    want = group["blocked_at"]
    for gid in group["ids"]:
        if sample.manifest.get("truncated") and gid not in gs:
            continue  # after the cut
        assert gid in gs, f"goroutine {gid} missing"
        g = gs[gid]
        assert g.state == group["state"]
        assert g.minutes >= group.get("min_minutes", 0)
        assert g.locked == bool(group.get("locked_to_thread"))
        assert g.leaked == bool(group.get("leaked"))
        if group.get("labels") and sample.manifest.get("header_labels"):
            assert dict(g.labels) == group["labels"]
        frames = [f for f in g.stack.frames if f.func == want["func"]]
        assert frames, f"goroutine {gid}: no frame {want['func']}"
        assert any(
            f.file.endswith("/" + want["file"]) or f.file == want["file"] for f in frames
        )
        assert any(f.line == want["line"] for f in frames)
        if group.get("created_by"):
            assert g.stack.created_by is not None
            assert g.stack.created_by.func == group["created_by"]
            if sample.go_minor >= 21 and group.get("created_in_goroutine"):
                assert g.parent_id == group["created_in_goroutine"]


DEBUG1_GROUPS = [(s, g) for s in SAMPLE_LIST if s.format == "debug1" for g in s.groups]


@pytest.mark.parametrize(("sample", "group"), DEBUG1_GROUPS, ids=lambda x: x.id if isinstance(x, Sample) else x["key"])
def test_debug1_records_count_what_the_program_made(sample: Sample, group: dict[str, Any]) -> None:
    snap = _primary(_parse(sample))
    want = group["blocked_at"]
    n = sum(
        r.count
        for r in snap.records
        if any(f.func == want["func"] and f.line == want["line"] for f in r.frames)
    )
    assert n == group["count"]
    assert snap.profile_total is not None
    assert snap.profile_total >= sum(g["count"] for g in sample.groups)


CRASH_SAMPLES = [s for s in SAMPLE_LIST if s.manifest.get("crash")]


@pytest.mark.parametrize("sample", CRASH_SAMPLES, ids=lambda s: s.id)
def test_crash_preamble(sample: Sample) -> None:
    want = sample.manifest["crash"]
    snap = _primary(_parse(sample))
    assert snap.crash is not None
    got = [(p.message, p.recovered, p.repanicked) for p in snap.crash.panics]
    expected = [(p["message"], p["recovered"], p["repanicked"]) for p in want["panics"]]
    if want.get("scenario") == "testtimeout":
        # The testing package appends "\nrunning tests:\n\tTestX (2s)" (Go 1.20+).
        got = [(m.split("\nrunning tests:")[0], r, rp) for m, r, rp in got]
    assert got == expected
    assert snap.crash.fatal_error == want["fatal_error"]
    if want["signal"]:
        assert snap.crash.signal is not None
        assert snap.crash.signal.startswith(want["signal"])
    else:
        assert snap.crash.signal is None
    if want.get("goroutine") and not want.get("fatal_error"):
        assert snap.crash.goroutine == want["goroutine"]


RACE_SAMPLES = [s for s in SAMPLE_LIST if s.manifest.get("races")]


@pytest.mark.parametrize("sample", RACE_SAMPLES, ids=lambda s: s.id)
def test_race_reports(sample: Sample) -> None:
    races = [r for snap in _parse(sample).snapshots for r in snap.races]
    want = sample.manifest["races"]
    assert len(races) == len(want)
    for got, exp in zip(races, want, strict=True):
        for acc, key in ((got.access, "access"), (got.previous, "previous")):
            assert acc.op == exp[key]["op"]
            at = exp[key]["at"]
            assert any(f.func == at["func"] and f.line == at["line"] for f in acc.frames)


# Without the memo every stack goes through the grammar; the memo must change nothing.
MEMO_SAMPLES = [s for s in SAMPLE_LIST if s.dump.stat().st_size < 400_000][::3]


@pytest.mark.parametrize("sample", MEMO_SAMPLES, ids=lambda s: s.id)
def test_memo_equals_plain_grammar_parse(sample: Sample) -> None:
    assert _parse(sample, memo=True) == _parse(sample, memo=False)
