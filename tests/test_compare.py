"""gtriage before.txt after.txt: clusters matched by identity, approximately only for the
same function, a status for each, the unmatched earlier ones listed as gone.

Every dump here is a real capture, or one with whole goroutine blocks taken out (what an
earlier or later dump of the same process holds), or with one frame's line or file name
changed as an edit to the program would change it.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest

from gtriage.filters import Filters, apply_filters, filter_regex
from gtriage.pipeline import analyze_inputs, analyze_text
from gtriage.render.json import render_json
from gtriage.render.markdown import render_markdown
from gtriage.render.text import render_text
from gtriage.report import Cluster, Report
from manifests import SAMPLES

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = json.loads((ROOT / "src/gtriage/schema/report.schema.json").read_text())
LEAKY = SAMPLES / "dumps/go1.27/leaky.debug2.txt"
CRASHZOO = SAMPLES / "dumps/go1.27/crashzoo.goroutine-all.txt"


def blocks(text: str) -> list[str]:
    """The dump's goroutine blocks (debug=2 separates them with an empty line)."""
    return text.split("\n\n")


def without(text: str, func: str, keep: int = 0) -> str:
    """The dump without the goroutines blocked in `func` (its first frame of the program's
    own code), except the first `keep` of them."""
    out, seen = [], 0
    for b in blocks(text):
        own = [ln for ln in b.splitlines() if ln.startswith("main.")]
        if own and own[0].startswith(func + "("):
            seen += 1
            if seen > keep:
                continue
        out.append(b)
    return "\n\n".join(out)


def at(text: str, old: str, new: str) -> str:
    """The dump with every frame at file:line `old` printed at `new`."""
    out = re.sub(re.escape(old) + r"(?=[ \n])", new, text)
    assert out != text
    return out


def compare(tmp_path: Path, before: str, after: str) -> Report:
    (tmp_path / "before.txt").write_text(before)
    (tmp_path / "after.txt").write_text(after)
    return analyze_inputs([str(tmp_path / "before.txt"), str(tmp_path / "after.txt")])


def by_func(report: Report) -> dict[str, Cluster]:
    return {c.blocked_at.func: c for c in report.clusters}


def test_a_cluster_that_was_not_there_is_new_never_shrank() -> None:
    # The report of issue 12: main.holdLock (1 goroutine, sync.Mutex.Lock) borrowed the 37
    # of main.Store.Get, another function in the same state, and "shrank from 37 to 1".
    report = analyze_inputs([str(LEAKY), str(CRASHZOO)])
    hold = by_func(report)["main.holdLock"]
    assert (hold.status, hold.previous_count, hold.delta) == ("new", None, 1)
    assert not any("shrank" in w or "grew" in w for w in hold.why)
    assert "new: not in the previous dump" in hold.why
    assert all(c.status == "new" for c in report.clusters)
    assert report.gone is not None
    gone = {(g.blocked_at.func, g.state): g.count for g in report.gone}
    assert gone[("main.Store.Get", "sync.Mutex.Lock")] == 37
    assert sum(gone.values()) == 280  # every goroutine of leaky.debug2.txt


def test_a_group_taken_out_is_new_after_and_gone_before(tmp_path: Path) -> None:
    full = LEAKY.read_text()
    less = without(full, "main.Store.Get")
    grew = compare(tmp_path, less, full)
    store = by_func(grew)["main.Store.Get"]
    assert (store.status, store.previous_count, store.delta) == ("new", None, 37)
    assert grew.gone == ()
    assert all(c.status == "steady" for c in grew.clusters if c is not store)

    shrank = compare(tmp_path, full, less)
    assert "main.Store.Get" not in by_func(shrank)
    assert shrank.gone is not None
    assert [(g.blocked_at.func, g.count) for g in shrank.gone] == [("main.Store.Get", 37)]
    assert all(c.status == "steady" and c.delta == 0 for c in shrank.clusters)


def test_filters_apply_to_gone_clusters_too(tmp_path: Path) -> None:
    # Regression: --match, --exclude, --min-count and --cluster narrowed the clusters but
    # every gone cluster was still listed.
    full = LEAKY.read_text()
    less = without(without(full, "main.Store.Get"), "main.(*Producer).Push")
    report = compare(tmp_path, full, less)
    assert report.gone is not None
    assert sorted((g.blocked_at.func, g.count) for g in report.gone) == [("main.(*Producer).Push", 7), ("main.Store.Get", 37)]

    def gone(f: Filters) -> list[str]:
        narrowed = apply_filters(report, f).gone
        assert narrowed is not None
        return sorted(g.blocked_at.func for g in narrowed)

    assert gone(Filters(match=filter_regex("store"))) == ["main.Store.Get"]
    assert gone(Filters(match=filter_regex("chan send"))) == ["main.(*Producer).Push"]
    assert gone(Filters(exclude=filter_regex("Mutex"))) == ["main.(*Producer).Push"]
    assert gone(Filters(min_count=10)) == ["main.Store.Get"]
    assert gone(Filters(ranks=(1,))) == []
    assert gone(Filters(healthy=False, top=1)) == ["main.(*Producer).Push", "main.Store.Get"]
    shown = render_text(apply_filters(report, Filters(match=filter_regex("store"))), color=False)
    assert "main.Store.Get" in shown
    assert "main.(*Producer).Push" not in shown


@pytest.mark.parametrize(
    ("before_keep", "after_keep", "status", "delta", "words"),
    [
        (190, 200, "grew", 10, "grew by +10 since the previous dump (from 190 to 200)"),
        (200, 190, "shrank", -10, "shrank by \u221210 since the previous dump (from 200 to 190)"),
        (200, 200, "steady", 0, "steady: 200 in the previous dump too"),
    ],
)
def test_status_and_delta(tmp_path: Path, before_keep: int, after_keep: int, status: str, delta: int, words: str) -> None:
    full = LEAKY.read_text()
    report = compare(tmp_path, without(full, "main.recvForever", before_keep), without(full, "main.recvForever", after_keep))
    c = by_func(report)["main.recvForever"]
    assert (c.count, c.status, c.delta, c.previous_count) == (after_keep, status, delta, before_keep)
    assert words in c.why
    assert c.matched_approximately is None


@pytest.mark.parametrize(
    ("before", "after"),
    [
        # another machine's paths and a -trimpath build of the same program
        ("go1.27/leaky.debug2.txt", "go1.27/leaky.trimpath.txt"),
        # other Go releases: runtime lines differ, Go 1.19 says "semacquire" for sync waits
        ("go1.25/leaky.debug2.txt", "go1.27/leaky.debug2.txt"),
        ("go1.19/leaky.debug2.txt", "go1.27/leaky.debug2.txt"),
        ("go1.27/leaky.trimpath.txt", "go1.19/leaky.debug2.txt"),
    ],
)
def test_paths_and_go_releases_do_not_matter(before: str, after: str) -> None:
    report = analyze_inputs([str(SAMPLES / "dumps" / before), str(SAMPLES / "dumps" / after)])
    own = [c for c in report.clusters if c.blocked_at.origin == "main"]
    assert len(own) >= 20
    for c in own:
        assert (c.status, c.matched_approximately) == ("steady", None), c.blocked_at
    assert report.gone is not None
    assert all(g.blocked_at.origin != "main" for g in report.gone)


def test_a_moved_line_is_matched_approximately_and_says_so(tmp_path: Path) -> None:
    full = LEAKY.read_text()
    # An edit above main.recvForever moved it two lines down.
    moved = at(full, "leaky/chans.go:11", "leaky/chans.go:13")
    assert moved != full
    report = compare(tmp_path, without(full, "main.recvForever", 150), moved)
    c = by_func(report)["main.recvForever"]
    assert (c.status, c.delta, c.previous_count) == ("grew", 50, 150)
    assert c.matched_approximately is not None
    assert c.matched_approximately.startswith("main.recvForever at chans.go:11 (chan receive): the line moved from 11 to 13")
    assert any(w.startswith("grew by +50") and "matched approximately to main.recvForever at chans.go:11" in w for w in c.why)
    assert report.gone == ()


def test_a_renamed_file_is_matched_approximately(tmp_path: Path) -> None:
    full = LEAKY.read_text()
    renamed = at(full, "leaky/syncs.go:14", "leaky/store.go:14")
    report = compare(tmp_path, full, renamed)
    c = by_func(report)["main.Store.Get"]
    assert (c.status, c.delta) == ("steady", 0)
    assert c.matched_approximately is not None
    assert "the file was renamed from syncs.go" in c.matched_approximately


def test_a_line_far_away_is_no_move(tmp_path: Path) -> None:
    full = LEAKY.read_text()
    far = at(full, "leaky/chans.go:11", "leaky/chans.go:511")
    report = compare(tmp_path, full, far)
    assert by_func(report)["main.recvForever"].status == "new"
    assert report.gone is not None
    assert [(g.blocked_at.func, g.count) for g in report.gone] == [("main.recvForever", 200)]


def test_two_functions_of_the_program_are_never_one_cluster(tmp_path: Path) -> None:
    # main.waitDone and main.recvForever wait in the same state: without the first before,
    # and the second gone after, nothing may pair them.
    full = LEAKY.read_text()
    report = compare(tmp_path, without(full, "main.waitDone"), without(full, "main.recvForever"))
    assert by_func(report)["main.waitDone"].status == "new"
    assert report.gone is not None
    assert [g.blocked_at.func for g in report.gone] == ["main.recvForever"]
    for c in report.clusters:
        assert c.matched_approximately is None


def test_growth_ranks_above_shrinking_of_the_same_size(tmp_path: Path) -> None:
    # main.(*Hub).Subscribe.func1 and main.labelled.func1: 3 goroutines each, both select.
    full = LEAKY.read_text()
    a, b = "main.(*Hub).Subscribe.func1", "main.labelled.func1"
    alone = analyze_inputs([str(LEAKY)])
    assert by_func(alone)[a].rank < by_func(alone)[b].rank  # without a comparison
    before = without(without(full, b, 1), a, 3)  # b had 1, a had 3
    after = without(without(full, b, 2), a, 2)  # both have 2: b grew, a shrank
    report = compare(tmp_path, before, after)
    ca, cb = by_func(report)[a], by_func(report)[b]
    assert (ca.count, ca.status, cb.count, cb.status) == (2, "shrank", 2, "grew")
    assert cb.rank < ca.rank


def test_without_a_previous_dump_nothing_is_compared() -> None:
    report = analyze_inputs([str(LEAKY)])
    assert report.gone is None
    assert all((c.status, c.delta, c.previous_count) == (None, None, None) for c in report.clusters)
    obj = json.loads(render_json(report))
    assert obj["gone"] is None
    assert obj["clusters"][0]["status"] is None
    assert "since previous" not in render_markdown(report)
    assert "gone since" not in render_text(report)


def test_json_text_and_markdown_show_the_comparison(tmp_path: Path) -> None:
    full = LEAKY.read_text()
    report = compare(tmp_path, without(full, "main.recvForever", 150), without(full, "main.Store.Get"))
    obj = json.loads(render_json(report))
    jsonschema.validate(obj, SCHEMA)
    recv = next(c for c in obj["clusters"] if c["blocked_at"]["func"] == "main.recvForever")
    assert (recv["status"], recv["delta"], recv["previous_count"]) == ("grew", 50, 150)
    [gone] = obj["gone"]
    assert (gone["count"], gone["state"]) == (37, "sync.Mutex.Lock")
    assert (gone["blocked_at"]["func"], gone["blocked_at"]["line"], gone["blocked_at"]["origin"]) == ("main.Store.Get", 14, "main")
    text = render_text(report, stacks=False)
    assert re.search(r"#1  200 × chan receive .*\[grew \+50\]", text)
    assert "[steady]" in text
    assert "gone since the previous dump: 1 cluster, 37 goroutines" in text
    assert "37 × sync.Mutex.Lock at main.Store.Get /home/gopher/samples/leaky/syncs.go:14" in text
    md = render_markdown(report)
    assert "| # | count | since previous | state |" in md
    assert "| 1 | 200 | grew +50 | chan receive |" in md
    assert "- **Since the previous dump:** grew +50 (was 150)" in md
    assert "## Gone since the previous dump: 1 cluster, 37 goroutines" in md


def _one(gid: int, line: int, file: str = "y.go") -> str:
    return f"goroutine {gid} [chan receive]:\nmain.f(...)\n\t/x/{file}:{line} +0x1d\n\n"


# Dumps are untrusted: 3,000 clusters of one function in each dump must not be compared
# pairwise (9 million pairs took 10 s before candidates were looked up by line and stack).
HOSTILE = [
    pytest.param(lambda i: _one(i, 100_000 + i), 3000, id="every line far away: all new"),
    pytest.param(lambda i: _one(i, i, f"z{i}.go"), 0, id="every file renamed: all matched"),
    pytest.param(lambda i: _one(i, i + 5), 5, id="every line moved by 5"),
]


@pytest.mark.parametrize(("after", "gone"), HOSTILE)
def test_matching_many_clusters_of_one_function_is_bounded(after: Callable[[int], str], gone: int) -> None:
    n = 3000
    text = "".join(_one(i, i) for i in range(1, n + 1)) + "INFO later\n\n" + "".join(after(i) for i in range(1, n + 1))
    t = time.perf_counter()
    report = analyze_text(text)
    assert time.perf_counter() - t < 10
    assert report.gone is not None
    assert len(report.gone) == gone
    assert sum(c.status == "new" for c in report.clusters) == gone
