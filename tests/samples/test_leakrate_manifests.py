"""The leakrate series and fleet dumps match their manifests (plain string checks; no gtriage import).

samples/leakrate_capture.py wrote them; samples/README.md ("Leak rate: a series and a fleet")
says what the groups are and how their counts follow from the program's flags and the tick.
"""

from __future__ import annotations

import itertools
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
SERIES = sorted((SAMPLES / "series").glob("leakrate.t*.json"))
FLEET = sorted((SAMPLES / "fleet").glob("pod-*.json"))
# Rows are named, not Paths: conftest marks rows holding a samples/ Path outside its quick
# directories `slow`, and these few small Go 1.27 files take milliseconds.
ROWS = [str(p.relative_to(SAMPLES)) for p in SERIES + FLEET]
KEYS = {"steady", "leak", "burst", "plateau"}


def load(path: Path) -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads(path.read_text())
    return manifest


def flags(manifest: dict[str, Any]) -> dict[str, int]:
    """``-leak 10 -burst 6`` -> {"leak": 10, "burst": 6}."""
    args = manifest["args"]
    return {args[i].lstrip("-"): int(args[i + 1]) for i in range(0, len(args), 2)}


def by_construction(key: str, tick: int, f: dict[str, int]) -> int:
    """What leakrate/main.go promises for a group after ``tick`` ticks."""
    if key == "steady":
        return f["steady"]
    if key == "leak":
        return f["leak"] * tick
    if key == "burst":
        return f["burst"] if 2 <= tick < 4 else 0
    return f["plateau"] * min(tick, f["plateau-ticks"])


def records(text: str) -> list[str]:
    return [r for r in text.split("\n\n") if r.startswith("goroutine ")]


def at_line(record: str, loc: str) -> bool:
    """A frame of the goroutine is at ``loc`` exactly (main.go:12 is not main.go:120)."""
    return any(row.strip().split(" ")[0].endswith("/" + loc) for row in record.splitlines()[1:])


def goid(record: str) -> int:
    return int(record.split(" ", 2)[1])


def state(record: str) -> str:
    """``select`` from ``goroutine 7 [select, 1 minutes]:``."""
    inside = record.split("\n", 1)[0].split("[", 1)[1].rsplit("]", 1)[0]
    return inside.split(", ", 1)[0]


def test_samples_present() -> None:
    assert [p.name for p in SERIES] == [f"leakrate.t{n}.json" for n in range(5)]
    assert [p.name for p in FLEET] == ["pod-a.json", "pod-b.json", "pod-c.json"]


@pytest.mark.parametrize("row", ROWS)
def test_dump_matches_manifest(row: str) -> None:
    manifest = load(SAMPLES / row)
    dump = (SAMPLES / row).parent / manifest["dump"]
    assert dump.stat().st_size < 100 * 1024
    recs = records(dump.read_text())
    groups = manifest["groups"] + manifest["absent"]
    assert {g["key"] for g in groups} == KEYS
    assert all(g["count"] for g in manifest["groups"])
    assert not any(g["count"] for g in manifest["absent"])
    for g in groups:
        at = g["blocked_at"]
        mine = [r for r in recs if at_line(r, f"{at['file']}:{at['line']}")]
        assert len(mine) == g["count"] == manifest["counts"][g["key"]], g["key"]
        assert g["count"] == by_construction(g["key"], manifest["tick"], flags(manifest)), g["key"]
        assert sorted(goid(r) for r in mine) == g["ids"], g["key"]
        for r in mine:
            assert state(r) == g["state"], r.splitlines()[0]
            assert f"\n{at['func']}(" in r
            assert f"\ncreated by {g['created_by']}" in r


@pytest.mark.parametrize("row", ROWS)
def test_markers_and_paths(row: str) -> None:
    manifest = load(SAMPLES / row)
    source = (SAMPLES / "leakrate" / "main.go").read_text().splitlines()
    for key, loc in manifest["marker_lines"].items():
        rel, _, line = loc.rpartition(":")
        assert rel == "leakrate/main.go"
        assert source[int(line) - 1].endswith(f"// SAMPLE:{key}"), f"marker {key} moved: recapture"
    text = ((SAMPLES / row).parent / manifest["dump"]).read_text()
    assert "/home/gopher/leakrate/main.go:" in text
    assert "/usr/local/go/src/" in text
    assert "/tmp/" not in text


def test_series_grows_at_known_rate() -> None:
    series = [load(p) for p in SERIES]
    assert [m["tick"] for m in series] == [0, 1, 2, 3, 4]
    times = [datetime.fromisoformat(m["captured_at"].replace("Z", "+00:00")) for m in series]
    assert times == sorted(times)
    assert len(set(times)) == len(times)
    assert [m["counts"]["leak"] for m in series] == [0, 10, 20, 30, 40]
    assert [m["counts"]["burst"] for m in series] == [0, 0, 6, 6, 0]
    assert [m["counts"]["plateau"] for m in series] == [0, 4, 8, 12, 12]
    assert [m["counts"]["steady"] for m in series] == [5] * 5

    def ids(m: dict[str, Any], key: str) -> set[int]:
        return {i for g in m["groups"] if g["key"] == key for i in g["ids"]}

    # One process: a leaked goroutine stays, with its id, in every later dump.
    for before, after in itertools.pairwise(series):
        assert ids(before, "leak") < ids(after, "leak")
        assert ids(before, "steady") == ids(after, "steady")
        assert ids(before, "plateau") <= ids(after, "plateau")


def test_fleet_differs_only_in_leak() -> None:
    fleet = {m["pod"]: m for m in map(load, FLEET)}
    assert {pod: m["counts"]["leak"] for pod, m in fleet.items()} == {"pod-a": 90, "pod-b": 24, "pod-c": 0}
    for m in fleet.values():
        assert m["tick"] == 3
        assert {k: v for k, v in m["counts"].items() if k != "leak"} == {
            "steady": 5,
            "burst": 6,
            "plateau": 12,
        }
