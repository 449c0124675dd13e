"""Loki's `logcli query --output=jsonl` (json_logs.py): each entry one line of the stream its
labels name, as logcli prints it (Go's json.Marshal of {"labels", "line", "timestamp"}: keys
sorted, <, > and & escaped, RFC 3339 times), streams merged by time, newest first by
default. The entries are a real capture's lines (two captures: two pods)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from gtriage.model import Snapshot
from gtriage.parse import parse_text
from gtriage.pipeline import analyze
from gtriage.render.json import render_json
from manifests import SAMPLES

LEAKY = SAMPLES / "dumps" / "go1.27" / "leaky.sigquit-all.txt"
LOCKS = SAMPLES / "dumps" / "go1.27" / "locks.sigquit-system.txt"
PODS = {"web-7d4b9c8f5-xk2lp": LEAKY, "web-7d4b9c8f5-q9z8w": LOCKS}
START = datetime(2026, 11, 30, 7, 18, 13, tzinfo=UTC)


def _rfc3339nano(t: datetime, ns: int) -> str:
    """Go's time.RFC3339Nano in UTC: nanoseconds with trailing zeros dropped."""
    frac = f"{ns:09d}".rstrip("0")
    return t.strftime("%Y-%m-%dT%H:%M:%S") + (f".{frac}" if frac else "") + "Z"


def _entry(labels: dict[str, str] | None, line: str, t: datetime, ns: int) -> str:
    obj: dict[str, object] = {"labels": dict(sorted(labels.items()))} if labels is not None else {}
    obj["line"] = line
    obj["timestamp"] = _rfc3339nano(t, ns)
    text = json.dumps(obj, separators=(",", ":"), ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def logcli_jsonl(pods: dict[str, Path], *, newest_first: bool = True, labels: bool = True) -> str:
    """Each pod's capture, one entry a line, 1 us apart from line to line and pod to pod
    (pod after pod interleaved in time), in the order logcli prints them."""
    entries: list[tuple[int, str]] = []
    for p, (pod, path) in enumerate(pods.items()):
        for i, line in enumerate(path.read_text().splitlines()):
            us = 2 * i + p
            lab = {"app": "web", "container": "app", "namespace": "prod", "pod": pod} if labels else None
            entries.append((us, _entry(lab, line, START + timedelta(microseconds=us), (us % 1_000_000) * 1000)))
    entries.sort(reverse=newest_first)
    return "".join(e + "\n" for _, e in entries)


def _goroutines(snap: Snapshot) -> dict[int, tuple[object, ...]]:
    return {g.id: (g.state, g.stack, g.minutes, g.values) for g in snap.goroutines}


@pytest.mark.parametrize("newest_first", [True, False], ids=["backward (logcli's default)", "--forward"])
def test_a_pod_s_dump_in_loki_reads_as_the_capture(newest_first: bool) -> None:
    text = logcli_jsonl({"web-7d4b9c8f5-xk2lp": LEAKY}, newest_first=newest_first)
    dump = parse_text(text)
    assert "Loki JSON lines" in dump.carriers
    assert [_goroutines(s) for s in dump.snapshots if s.goroutines] == [_goroutines(parse_text(LEAKY.read_text()).snapshots[0])]
    assert sum(s.unparsed_lines for s in dump.snapshots) == 0
    snap = next(s for s in dump.snapshots if s.goroutines)
    assert snap.log_source == "web-7d4b9c8f5-xk2lp/app"
    # Every goroutine's line is its header's entry.
    lines = text.split("\n")
    for g in snap.goroutines:
        assert json.loads(lines[g.line - 1])["line"].startswith(f"goroutine {g.id} ")


def test_without_labels_one_stream() -> None:
    dump = parse_text(logcli_jsonl({"p": LOCKS}, labels=False))
    assert [_goroutines(s) for s in dump.snapshots if s.goroutines] == [_goroutines(parse_text(LOCKS.read_text()).snapshots[0])]


def test_two_pods_that_dumped_are_a_fleet(tmp_path: Path) -> None:
    path = tmp_path / "loki.jsonl"
    path.write_text(logcli_jsonl(PODS))
    got = json.loads(render_json(analyze(str(path))))
    alone = {f"{pod}/app": json.loads(render_json(analyze(str(p)))) for pod, p in PODS.items()}
    assert {s["name"]: s["goroutines"] for s in got["fleet"]} == {n: r["goroutines"] for n, r in alone.items()}
    assert got["goroutines"] == sum(r["goroutines"] for r in alone.values())
    assert got["unparsed"]["lines"] == 0


def test_pods_that_dumped_over_time_in_loki_are_followed_over_time(tmp_path: Path) -> None:
    # samples/fleet-series: three leakrate processes dumped after ticks 0..3, 15 s apart.
    pods = {"pod-a": "lr-7d4b9c8f5-xk2lp", "pod-b": "lr-7d4b9c8f5-q9z8w", "pod-c": "lr-7d4b9c8f5-m4n7r"}
    entries = []
    leaks: dict[str, list[int]] = {}
    for short, pod in pods.items():
        for tick in range(4):
            path = SAMPLES / "fleet-series" / f"{short}.t{tick}.txt"
            manifest = json.loads(path.with_suffix(".json").read_text())
            leaks.setdefault(f"{pod}/app", []).append(manifest["counts"]["leak"])
            at = datetime.fromisoformat(manifest["captured_at"].replace("Z", "+00:00"))
            for i, line in enumerate(path.read_text().splitlines()):
                when = at + timedelta(microseconds=20 * i)
                labels = {"app": "leakrate", "container": "app", "pod": pod}
                entries.append((when, _entry(labels, line, when, when.microsecond * 1000)))
    entries.sort(reverse=True)  # logcli's default: newest first
    path = tmp_path / "loki.jsonl"
    path.write_text("".join(e + "\n" for _, e in entries))
    r = analyze(str(path))
    assert r.fleet is not None
    assert sorted(f.name for f in r.fleet) == sorted(leaks)
    for f in r.fleet:
        assert f.dumps == 4
        assert f.trend is not None
        assert f.trend.growth_per_minute
    leak = next(c for c in r.clusters if c.state == "chan receive")
    got = {s.source: list(s.trend.counts) for s in leak.sources or () if s.trend is not None}
    assert got == {name: counts for name, counts in leaks.items() if counts[-1]}
