"""Every sample dump matches its manifest (plain string checks; no gtriage import)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from manifests import load_capture

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def manifests() -> list[Path]:
    found = sorted(SAMPLES.glob("dumps/go1.*/*.json")) + sorted(SAMPLES.glob("wrapped/*.json"))
    if (SAMPLES / "demo.json").exists():
        found.append(SAMPLES / "demo.json")
    return found


MANIFESTS = manifests()
# Dumps in text; the binary debug=0 profiles (locks.debug0.pb.gz) are checked in
# test_locks_manifests.py.
TEXT = [p for p in MANIFESTS if json.loads(p.read_text()).get("format") != "debug0"]


def test_corpus_present() -> None:
    assert len(MANIFESTS) > 10, "no sample manifests found under samples/"


@pytest.mark.parametrize("path", TEXT, ids=[str(p.relative_to(SAMPLES)) for p in TEXT])
def test_dump_matches_manifest(path: Path) -> None:
    manifest = json.loads(path.read_text())
    dump = path.parent / manifest["dump"]
    assert dump.is_file(), f"{dump} missing"
    assert dump.stat().st_size <= 2 * 1024 * 1024
    text = dump.read_bytes().decode("utf-8")
    capture = load_capture()
    problems = capture.check_manifest(manifest, capture.checkable_text(manifest, text))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", MANIFESTS, ids=[str(p.relative_to(SAMPLES)) for p in MANIFESTS])
def test_manifest_is_reproducible(path: Path) -> None:
    """Manifests hold no timestamps, temp paths or ports."""
    raw = path.read_text()
    for bad in ("/tmp/", "127.0.0.1:", "gtriage-samples-"):
        assert bad not in raw, f"{path.name} contains {bad!r}"
    manifest = json.loads(raw)
    for g in manifest["groups"]:
        assert g["ids"] == sorted(g["ids"])
        assert manifest["format"] in ("debug1", "debug0") or len(g["ids"]) == g["count"]
    for key, loc in manifest["marker_lines"].items():
        rel, _, line = loc.rpartition(":")
        src = (SAMPLES / rel).read_text().splitlines()
        assert f"SAMPLE:{key}" in src[int(line) - 1], f"marker {key} moved: regenerate the samples"


# An absolute path followed by :line (a frame's file), not the tail of a relative one.
FRAME_PATH = re.compile(r"(?<![\w.@~-])(/[^\s:\"]+):\d+")


@pytest.mark.parametrize("path", TEXT, ids=[str(p.relative_to(SAMPLES)) for p in TEXT])
def test_frame_paths_are_neutral(path: Path) -> None:
    """No path of the capturing machine: programs under /home/gopher/, the standard library under /usr/local/go/."""
    manifest = json.loads(path.read_text())
    text = (path.parent / manifest["dump"]).read_bytes().decode("utf-8")
    plain = load_capture().checkable_text(manifest, text)
    paths = {m[1] for m in FRAME_PATH.finditer(plain)}
    assert paths or manifest.get("build_flags") == ["-trimpath"], "no absolute frame path found"
    foreign = sorted(p for p in paths if not p.startswith(("/home/gopher/", "/usr/local/go/")))
    assert not foreign, foreign[:5]


def test_sizes() -> None:
    # What is committed: byte-compiled helpers are the running machine's, not the repo's.
    total = sum(p.stat().st_size for p in SAMPLES.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    # 16 MiB since the locks captures (1.3 MB over 8 releases) brought samples/ to 15.0 MiB.
    assert total <= 16 * 1024 * 1024, f"samples/ is {total} bytes"
