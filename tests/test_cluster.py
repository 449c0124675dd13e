"""Clusters, sub-groups, families and matching across dumps, on hand-made dumps."""

from __future__ import annotations

from gtriage.pipeline import analyze_text


def block(gid: int, state: str, frames: list[tuple[str, str, str]], creator: str = "main.main", parent: int = 1) -> str:
    body = "".join(f"{f}({a})\n\t/app/{loc} +0x1d\n" for f, a, loc in frames)
    return f"goroutine {gid} [{state}]:\n{body}created by {creator} in goroutine {parent}\n\t/app/main.go:9 +0x45\n\n"


def test_values_ids_and_creators_do_not_split_a_cluster() -> None:
    text = (
        block(10, "chan receive", [("main.worker", "0xc000010000", "w.go:5")], "main.spawnA", 1)
        + block(11, "chan receive", [("main.worker", "0xc000020000", "w.go:5")], "main.spawnB", 7)
        + block(12, "chan receive", [("main.worker", "0xc000020000", "w.go:5")], "main.spawnB", 7)
    )
    report = analyze_text(text)
    assert len(report.clusters) == 1
    c = report.clusters[0]
    assert c.goroutine_ids == (10, 11, 12)
    # Two creators: two stack shapes (sub-groups) inside the one cluster.
    assert [s.count for s in c.stacks] == [2, 1]
    assert c.stacks[0].exact_groups == 1  # same argument words
    assert c.created_by is not None
    assert c.created_by.func == "main.spawnB"


def test_state_splits_clusters() -> None:
    text = block(10, "chan receive", [("main.worker", "0x1", "w.go:5")]) + block(
        11, "chan send", [("main.worker", "0x1", "w.go:5")]
    )
    assert sorted(c.state for c in analyze_text(text).clusters) == ["chan receive", "chan send"]


def test_blocked_at_skips_runtime_and_stdlib() -> None:
    text = block(
        10,
        "sync.Mutex.Lock",
        [
            ("sync.runtime_SemacquireMutex", "0x1?, 0x0?, 0x1?", "../go/src/runtime/sema.go:95"),
            ("sync.(*Mutex).lockSlow", "0xc000010000", "../go/src/sync/mutex.go:149"),
            ("main.(*Store).Get", "0xc000010000", "store.go:14"),
        ],
    ).replace("/app/../go/", "/usr/local/go/")
    c = analyze_text(text).clusters[0]
    assert (c.blocked_at.func, c.blocked_at.line) == ("main.(*Store).Get", 14)
    assert c.frames[0].origin == "stdlib"


def test_families_relate_near_identical_clusters() -> None:
    # The same function blocked at two neighbouring lines, and a recursion of two depths.
    rec = [("main.walk", "0x1", "walk.go:20")]
    text = (
        block(10, "chan receive", [("main.poll", "0x1", "poll.go:30")])
        + block(11, "chan receive", [("main.poll", "0x1", "poll.go:31")])
        + block(12, "chan receive", [("main.leaf", "0x1", "walk.go:26"), *rec * 30])
        + block(13, "chan receive", [("main.leaf", "0x1", "walk.go:27"), *rec * 31])
        + block(14, "select", [("main.other", "", "o.go:3")])
    )
    report = analyze_text(text)
    fam = {c.blocked_at.location: c.family for c in report.clusters}
    assert len(report.clusters) == 5  # a family never hides its clusters
    assert fam["/app/poll.go:30"] == fam["/app/poll.go:31"] is not None
    assert fam["/app/walk.go:26"] == fam["/app/walk.go:27"] is not None
    assert fam["/app/poll.go:30"] != fam["/app/walk.go:26"]
    assert fam["/app/o.go:3"] is None
    assert report.families == 2


def test_growth_against_the_previous_dump() -> None:
    one = block(10, "chan receive", [("main.worker", "0x1", "w.go:5")])
    two = one + block(11, "chan receive", [("main.worker", "0x2", "w.go:5")])
    report = analyze_text(one + "INFO later\n\n" + two)
    c = report.clusters[0]
    assert c.count == 2
    assert c.previous_count == 1
    assert any("grew from 1 to 2" in w for w in c.why)
