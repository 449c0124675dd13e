"""Cloud log exports (log_exports.py): a pod's dump as its cloud's log store gives it back.

- `gcloud logging read --format=json`: gcloud's JSON printer (indent 2, keys sorted,
  ", " / ": " separators) over a list of LogEntry objects, newest first by default; GKE
  writes each container line as one entry's textPayload, with the pod and container in the
  resource's labels.
- `aws logs filter-log-events --output json`: the AWS command line's printer (indent 4, the
  service's key order) over {"events": [...], "searchedLogStreams": [...]}, oldest first,
  each container a log stream.

The entries are real captures' lines; the fleet is samples/fleet-series (three leakrate
processes dumped after ticks 0..3, 15 s apart, each with its manifest).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gtriage.log_exports import AWS, GCP, export_kind
from gtriage.model import Snapshot
from gtriage.parse import parse_text
from gtriage.pipeline import analyze, analyze_text
from manifests import SAMPLES

CRASH = SAMPLES / "dumps" / "go1.27" / "crashzoo.nilptr-all.txt"
LEAKY = SAMPLES / "dumps" / "go1.27" / "leaky.sigquit-all.txt"
START = datetime(2026, 11, 30, 7, 18, 13, tzinfo=UTC)
FLEET = {"pod-a": "leakrate-7d4b9c8f5-xk2lp", "pod-b": "leakrate-7d4b9c8f5-q9z8w", "pod-c": "leakrate-7d4b9c8f5-m4n7r"}


def _rfc3339(t: datetime) -> str:
    """As Cloud Logging's JSON prints a Timestamp: UTC, 0, 3, 6 or 9 fraction digits."""
    ns = t.microsecond * 1000
    frac = "" if not ns else f".{ns // 1_000_000:03d}" if ns % 1_000_000 == 0 else f".{ns // 1000:06d}"
    return t.strftime("%Y-%m-%dT%H:%M:%S") + frac + "Z"


def _lines(pods: dict[str, list[tuple[datetime, Path]]]) -> list[tuple[datetime, str, str]]:
    """Every line of each pod's dumps with its time: 20 us apart from line to line."""
    out = []
    for pod, dumps in pods.items():
        for at, path in dumps:
            for i, line in enumerate(path.read_text().splitlines()):
                out.append((at + timedelta(microseconds=20 * i), pod, line))
    return out


def gcloud_json(pods: dict[str, list[tuple[datetime, Path]]], *, newest_first: bool = True) -> str:
    entries = []
    for n, (at, pod, line) in enumerate(sorted(_lines(pods), key=lambda e: e[0])):
        entries.append({
            "insertId": f"{n:08x}q3vz1m",
            "labels": {"compute.googleapis.com/resource_name": "gke-prod-pool-1-2b8c", "k8s-pod/app": "leakrate"},
            "logName": "projects/shop-prod/logs/stderr",
            "receiveTimestamp": _rfc3339(at + timedelta(seconds=1)),
            "resource": {
                "labels": {"cluster_name": "prod", "container_name": "app", "location": "europe-west1",
                           "namespace_name": "default", "pod_name": pod, "project_id": "shop-prod"},
                "type": "k8s_container",
            },
            "severity": "ERROR",
            "textPayload": line,
            "timestamp": _rfc3339(at),
        })  # fmt: skip
    if newest_first:
        entries.reverse()
    return json.dumps(entries, indent=2, sort_keys=True, separators=(",", ": ")) + "\n"


def _insights(pod: str, line: str, at: datetime) -> str:
    """Container Insights' Fluent Bit record of a container line, as CloudWatch stores it
    (the line with its break, the kubernetes filter's metadata)."""
    return json.dumps({
        "log": line + "\n", "stream": "stderr", "time": at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "kubernetes": {"pod_name": pod, "namespace_name": "default", "container_name": "app",
                       "docker_id": "3f9a" * 16, "host": "ip-10-0-1-17.eu-west-1.compute.internal"},
    }, separators=(",", ":"))  # fmt: skip


def aws_json(pods: dict[str, list[tuple[datetime, Path]]], *, insights: bool = False) -> str:
    events: list[dict[str, object]] = [
        {"logStreamName": f"{pod}_default_app-{'3f9a' * 16}" if not insights else "ip-10-0-1-17.application",
         "timestamp": int(at.timestamp() * 1000), "message": _insights(pod, line, at) if insights else line,
         "ingestionTime": int(at.timestamp() * 1000) + 900, "eventId": f"{37000000 + n}"}
        for n, (at, pod, line) in enumerate(sorted(_lines(pods), key=lambda e: e[0]))
    ]  # fmt: skip
    streams = sorted({str(e["logStreamName"]) for e in events})
    doc = {"events": events, "searchedLogStreams": [{"logStreamName": s, "searchedCompletely": True} for s in streams]}
    return json.dumps(doc, indent=4, ensure_ascii=False) + "\n"


def _goroutines(snap: Snapshot) -> dict[int, tuple[object, ...]]:
    return {g.id: (g.state, g.stack, g.minutes, g.values) for g in snap.goroutines}


@pytest.mark.parametrize("capture", [CRASH, pytest.param(LEAKY, marks=pytest.mark.slow)], ids=lambda p: p.name)
@pytest.mark.parametrize("newest_first", [True, False], ids=["newest first (gcloud's default)", "--order=asc"])
def test_a_pod_s_dump_in_cloud_logging_reads_as_the_capture(capture: Path, newest_first: bool) -> None:
    text = gcloud_json({"api-7d4b9c8f5-xk2lp": [(START, capture)]}, newest_first=newest_first)
    dump = parse_text(text)
    assert dump.carriers == (GCP,)
    want = parse_text(capture.read_text()).snapshots
    got = [s for s in dump.snapshots if s.goroutines or s.crash]
    assert [_goroutines(s) for s in got] == [_goroutines(s) for s in want]
    assert [s.crash.panics if s.crash else None for s in got] == [s.crash.panics if s.crash else None for s in want]
    assert sum(s.unparsed_lines for s in dump.snapshots) == 0
    assert {s.log_source for s in got} == {"api-7d4b9c8f5-xk2lp/app"}
    # Each goroutine at the input line of its header's entry.
    lines = text.split("\n")
    for s in got:
        for g in s.goroutines:
            assert re.fullmatch(rf'\s*"textPayload": "goroutine {g.id} (?:\[|gp=).*",', lines[g.line - 1]), (g.id, lines[g.line - 1])
    # The log's time: the dump's first line's second.
    assert all(s.taken_at == int(START.timestamp()) for s in got)


def test_a_pod_s_dump_in_cloudwatch_reads_as_the_capture() -> None:
    text = aws_json({"api-7d4b9c8f5-xk2lp": [(START, LEAKY)]})
    dump = parse_text(text)
    assert dump.carriers == (AWS,)
    assert [_goroutines(s) for s in dump.snapshots if s.goroutines] == [_goroutines(parse_text(LEAKY.read_text()).snapshots[0])]
    lines = text.split("\n")
    for g in dump.snapshots[0].goroutines:
        assert re.fullmatch(rf'\s*"message": "goroutine {g.id} (?:\[|gp=).*",', lines[g.line - 1])


def _fleet_series() -> tuple[dict[str, list[tuple[datetime, Path]]], dict[str, list[dict[str, int]]]]:
    pods: dict[str, list[tuple[datetime, Path]]] = {}
    counts: dict[str, list[dict[str, int]]] = {}
    for short, pod in FLEET.items():
        for tick in range(4):
            path = SAMPLES / "fleet-series" / f"{short}.t{tick}.txt"
            m = json.loads(path.with_suffix(".json").read_text())
            at = datetime.fromisoformat(m["captured_at"].replace("Z", "+00:00"))
            pods.setdefault(pod, []).append((at, path))
            counts.setdefault(pod, []).append(m["counts"])
    return pods, counts


@pytest.mark.parametrize("export", ["gcloud", "aws", "aws, Container Insights"])
def test_pods_that_dumped_over_time_in_an_export_are_a_fleet_followed_over_time(export: str) -> None:
    # Container Insights: one log stream a node, each pod named in its records.
    pods, counts = _fleet_series()
    text = gcloud_json(pods) if export == "gcloud" else aws_json(pods, insights="Insights" in export)
    r = analyze_text(text)
    assert r.fleet is not None
    names = {s.name: s for s in r.fleet}
    assert len(names) == 3
    leak = next(c for c in r.clusters if c.state == "chan receive")
    for pod, dumps in pods.items():
        name = next(n for n in names if pod in n)
        s = names[name]
        assert s.dumps == 4
        assert s.trend is not None
        assert s.trend.counts == tuple(analyze(str(p)).goroutines for _, p in dumps)
        assert s.trend.growth_per_minute is not None
        share = next((x for x in leak.sources or () if x.source == name), None)
        want = tuple(c["leak"] for c in counts[pod])
        if want[-1]:
            assert share is not None
            assert share.trend is not None
            assert share.trend.counts == want
        else:
            assert share is None  # pod-c leaks nothing


def test_an_export_cut_short_is_read_to_its_last_whole_entry() -> None:
    text = gcloud_json({"api-7d4b9c8f5-xk2lp": [(START, LEAKY)]}, newest_first=False)
    whole = parse_text(text).snapshots[0]
    cut = text[: len(text) * 2 // 3]
    cut = cut[: cut.rfind('"textPayload"') + 20]  # inside an entry's text
    dump = parse_text(cut)
    assert dump.carriers == (GCP,)
    got = {g.id for s in dump.snapshots for g in s.goroutines}
    assert got
    assert got < {g.id for g in whole.goroutines}


def test_entries_of_any_shape_never_stop_the_read() -> None:
    # Dumps are untrusted: values of the wrong type, nesting past the decoder's depth.
    odd = ('[{"insertId": "a", "textPayload": 5, "resource": "x", "labels": 3, "timestamp": 7},\n'
           ' {"insertId": "b", "jsonPayload": {"message": "goroutine 1 [running]:"}, "timestamp": "late"}]')
    dump = parse_text(odd)
    assert dump.carriers == (GCP,)
    assert dump.lines == 2
    assert [g.line for s in dump.snapshots for g in s.goroutines] == [2]
    deep = '[{"insertId": ' + "[" * 100_000 + "]" * 100_000 + ', "textPayload": "x"}]\n'
    assert parse_text(deep).lines == 1


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        ('[\n  {\n    "insertId": "x",\n', GCP),
        ('[{"insertId":"x","textPayload":"a"}]', GCP),  # jq -c
        ('{\n    "events": [\n        {\n', AWS),
        ('[\n  {\n    "name": "x"\n  }\n]\n', None),  # some other JSON array
        ('{"log":"goroutine 1 [running]:\\n","stream":"stderr","time":"2026-11-30T07:18:13Z"}\n', None),  # docker
        ("goroutine 1 [running]:\n", None),
    ],
)
def test_what_an_export_starts_with(head: str, kind: str | None) -> None:
    assert export_kind(head) == kind


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)
_ENTRY = st.fixed_dictionaries(
    {},
    optional={
        "insertId": _JSON, "textPayload": _JSON | st.sampled_from(["goroutine 1 [running]:", "main.main()", "\t/a.go:3 +0x1"]),
        "jsonPayload": _JSON, "timestamp": _JSON | st.just("2026-11-30T07:18:13.5Z"), "resource": _JSON, "labels": _JSON,
        "logName": _JSON,
    },
)  # fmt: skip


@settings(max_examples=25, deadline=None)
@given(entries=st.lists(_ENTRY, max_size=6), cut=st.integers(min_value=0, max_value=400))
def test_any_entries_any_cut_never_stop_the_read(entries: list[dict[str, object]], cut: int) -> None:
    # Untrusted input: an export of entries of any shape, whole or cut anywhere, is read
    # without an error, its lines counted.
    text = json.dumps([{"insertId": "x", **e} for e in entries], indent=2, sort_keys=True)
    for t in (text, text[:cut]):
        dump = parse_text(t)
        assert dump.lines == t.count("\n") + (1 if t and not t.endswith("\n") else 0)
