"""Build leaky with a real Go toolchain, capture a fresh debug=2 dump, check it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from manifests import find_go, load_capture

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


@pytest.mark.live
def test_live_debug2_capture(tmp_path: Path) -> None:
    go = find_go()
    if go is None:
        pytest.skip("no Go toolchain: set GTRIAGE_GO, put go on PATH, or install one under /work/toolchains")
    capture = load_capture()
    try:
        tc = capture.find_toolchain(go)
    except Exception as exc:  # a broken or foreign binary
        pytest.skip(f"{go} is not a usable Go toolchain: {exc}")
    if tc.minor < (1, 19):
        pytest.skip(f"{tc.version} is older than the go.mod's go 1.19")
    manifest_path = capture.capture_leaky(tc, tmp_path, "debug2", workdir=tmp_path)
    manifest = json.loads(manifest_path.read_text())
    text = (tmp_path / manifest["dump"]).read_text()
    assert manifest["go"] == tc.version
    assert {g["key"] for g in manifest["groups"]} >= {"chan-recv-big", "mutex", "labels-reindex", "syscall"}
    assert sum(g["count"] for g in manifest["groups"]) > 250
    assert capture.check_manifest(manifest, text) == []

    # End to end: gtriage finds each group the program made as exactly one cluster.
    from gtriage.pipeline import analyze_text
    from manifests import clusters_of_group

    report = analyze_text(text, "live")
    assert report.unparsed_lines == 0
    for group in manifest["groups"]:
        found = clusters_of_group(report, group)
        assert len(found) == 1, group["key"]
        assert list(found[0].goroutine_ids) == sorted(group["ids"])
        assert found[0].state == group["state"]


@pytest.mark.live
@pytest.mark.slow
def test_live_locks_debug1_and_debug0(tmp_path: Path) -> None:
    """locks' debug=1 and binary debug=0 of one moment, the profile's paths made neutral."""
    go = find_go()
    if go is None:
        pytest.skip("no Go toolchain: set GTRIAGE_GO, put go on PATH, or install one under /work/toolchains")
    capture = load_capture()
    try:
        tc = capture.find_toolchain(go)
    except Exception as exc:
        pytest.skip(f"{go} is not a usable Go toolchain: {exc}")
    if tc.minor < (1, 19):
        pytest.skip(f"{tc.version} is older than the go.mod's go 1.19")
    paths = capture.capture_locks(tc, tmp_path, ["debug1", "debug0"], workdir=tmp_path)
    assert [p.name for p in paths] == ["locks.debug1.json", "locks.debug0.json"]
    profile = json.loads(paths[1].read_text())
    assert profile["same_moment"] == ["locks.debug1.txt", "locks.debug0.pb.gz"]
    strings = capture.string_table(capture.gunzip((tmp_path / "locks.debug0.pb.gz").read_bytes()))
    assert "main.(*Store).Get" in strings
    assert f"{capture.NEUTRAL_BIN}/locks" in strings
    assert not [
        s for s in strings if s.startswith("/") and not s.startswith(("/home/gopher/", "/usr/local/go/"))
    ]
    assert str(tmp_path) not in (tmp_path / "locks.debug1.txt").read_text()
