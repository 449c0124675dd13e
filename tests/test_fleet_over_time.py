"""A log of several pods that each dumped several times (fleet_reports.sources_fleet): a fleet of
the pods, each followed over its own dumps.

samples/series-log/fleet.kubectl.txt is three leakrate processes (samples/leakrate) dumped
after ticks 0..3, 15 s apart, as `kubectl logs -l --prefix --timestamps` prints them; its
manifest says what each pod's groups held at every tick, by construction.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest

from gtriage.pipeline import analyze, analyze_inputs, analyze_text
from gtriage.render.json import render_json
from gtriage.render.markdown import render_markdown
from gtriage.render.text import render_text
from gtriage.report import Report

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
LOG = SAMPLES / "series-log" / "fleet.kubectl.txt"
MANIFEST = json.loads(LOG.with_suffix(".json").read_text())
PODS = MANIFEST["pods"]
NAMES = [f"{p['pod']}/{p['container']}" for p in PODS]
_TIME = re.compile(r"^\[pod/[^]]+\] (\S+) ")


def _part_manifest(part: str) -> dict[str, object]:
    loaded: dict[str, object] = json.loads((SAMPLES / part).with_suffix(".json").read_text())
    return loaded


def _groups(part: str) -> dict[str, tuple[str, int, str]]:
    """A part's groups by key: (state, blocked-at line, function)."""
    groups = _part_manifest(part)["groups"]
    assert isinstance(groups, list)
    return {g["key"]: (g["state"], g["blocked_at"]["line"], g["blocked_at"]["func"]) for g in groups}


def _seconds(stamp: str) -> int:
    return int(datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp())


def _check_followed(r: Report) -> None:
    """Each pod followed over its four dumps as the manifest says, and each cluster's count
    in each pod over them as the program made them."""
    assert r.fleet is not None
    assert [s.name for s in r.fleet] == NAMES
    log_lines = LOG.read_text().splitlines()
    for pod, s in zip(PODS, r.fleet, strict=True):
        alone = [analyze(str(SAMPLES / part)) for part in pod["parts"]]
        assert s.dumps == len(pod["parts"])
        assert s.trend is not None
        assert s.trend.counts == tuple(a.goroutines for a in alone)
        assert s.goroutines == alone[-1].goroutines
        # The rate from each dump's log time: the second its first line was written.
        firsts = [next(line for line in log_lines if line.startswith(f"[pod/{pod['pod']}/") and f"tick={n}" in line)
                  for n in range(len(pod["parts"]))]  # fmt: skip
        first, last = (_seconds(m[1]) for m in (_TIME.match(firsts[0]), _TIME.match(firsts[-1])) if m)
        assert s.trend.growth_per_minute == pytest.approx((s.trend.counts[-1] - s.trend.counts[0]) * 60 / (last - first))
    # Every group the program parked, on every pod that holds it at the end: its count at each tick.
    for pod, name in zip(PODS, NAMES, strict=True):
        where = _groups(pod["parts"][-1])
        for key, (state, line, func) in where.items():
            c = next(c for c in r.clusters if (c.state, c.blocked_at.line, c.blocked_at.func) == (state, line, func))
            assert c.sources is not None
            share = next(x for x in c.sources if x.source == name)
            assert share.trend is not None
            assert share.trend.counts == tuple(counts[key] for counts in pod["counts"]), (name, key)


def test_each_pod_of_a_log_is_followed_over_its_dumps() -> None:
    r = analyze(str(LOG))
    _check_followed(r)
    assert r.series is None  # no one series: each pod has its own
    assert r.goroutines == sum(analyze(str(SAMPLES / p["parts"][-1])).goroutines for p in PODS)


def test_the_leak_that_grows_on_two_pods_of_three_ranks_first_and_says_where() -> None:
    r = analyze(str(LOG))
    leak = _groups(PODS[0]["parts"][-1])["leak"]
    top = r.clusters[0]
    assert (top.state, top.blocked_at.line, top.blocked_at.func) == leak
    assert top.sources is not None
    assert {s.source for s in top.sources} == {n for n, p in zip(NAMES, PODS, strict=True) if p["counts"][-1]["leak"]}
    said = [w for w in top.why if w.startswith("grows steadily on ")]
    assert len(said) == 1
    assert NAMES[0] in said[0]
    assert NAMES[2] not in said[0]  # pod-c leaks nothing


def test_pods_interleaved_as_kubectl_follows_them_read_the_same() -> None:
    # `kubectl logs -f -l ... --prefix` copies each pod's lines as they come: by time.
    lines = LOG.read_text().splitlines(keepends=True)
    by_time = sorted(lines, key=lambda line: m[1] if (m := _TIME.match(line)) else "")
    assert by_time != lines
    _check_followed(analyze_text("".join(by_time)))


def test_stern_with_short_timestamps_reads_the_same() -> None:
    # `stern -l app=leakrate --timestamps=short` (UTC): "POD CONTAINER 01-02 15:04:05 line",
    # stern's TimestampFormatShort (no year) after its default template's pod and container,
    # pods interleaved by time as it follows them. Its times give the same rates.
    kubectl = re.compile(r"^\[pod/([^/]+)/([^\]]+)\] \d{4}-(\d\d-\d\d)T(\d\d:\d\d:\d\d)\.\d+Z (.*)$")
    lines = sorted(LOG.read_text().splitlines(), key=lambda line: m[1] if (m := _TIME.match(line)) else "")
    stern = []
    for line in lines:
        m = kubectl.match(line)
        assert m is not None
        stern.append(f"{m[1]} {m[2]} {m[3]} {m[4]} {m[5]}\n")
    _check_followed(analyze_text("".join(stern)))


def _fluent_bit(pod: str, container: str, time: str, line: str) -> dict[str, object]:
    # Fluent Bit's tail input (docker parser) and kubernetes filter, as its json output writes
    # a record: the line with its line break, the pod's metadata.
    return {"@timestamp": time, "log": line + "\n", "stream": "stderr", "time": time,
            "kubernetes": {"pod_name": pod, "namespace_name": "default", "pod_id": "5f0c9a52-7b1e-4c3f-9a31-0d2b8e6f4a10",
                           "labels": {"app": "leakrate"}, "host": "node-1", "container_name": container,
                           "docker_id": "8c1f0e5d2b7a", "container_image": "leakrate:1"}}  # fmt: skip


def _vector(pod: str, container: str, time: str, line: str) -> dict[str, object]:
    # Vector's kubernetes_logs event, as a file or console sink writes it with the json codec.
    return {"file": f"/var/log/pods/default_{pod}_5f0c9a52/{container}/0.log",
            "kubernetes": {"container_id": "containerd://8c1f0e5d2b7a", "container_image": "leakrate:1",
                           "container_name": container, "pod_name": pod, "pod_namespace": "default",
                           "pod_node_name": "node-1", "pod_uid": "5f0c9a52-7b1e-4c3f-9a31-0d2b8e6f4a10"},
            "message": line, "source_type": "kubernetes_logs", "stream": "stderr", "timestamp": time}  # fmt: skip


def _filebeat(pod: str, container: str, time: str, line: str) -> dict[str, object]:
    # Filebeat's container input with add_kubernetes_metadata (ECS), a document's _source as
    # an Elasticsearch export holds it: "log" is an object there, the time to the millisecond.
    return {"@timestamp": time[:23] + "Z", "message": line, "stream": "stderr",
            "log": {"offset": 1024, "file": {"path": f"/var/log/containers/{pod}_default_{container}-8c1f.log"}},
            "kubernetes": {"pod": {"name": pod, "uid": "5f0c9a52"}, "namespace": "default",
                           "container": {"name": container}, "node": {"name": "node-1"}}}  # fmt: skip


@pytest.mark.parametrize("record", [_fluent_bit, _vector, _filebeat], ids=["fluent-bit", "vector", "filebeat"])
def test_pods_shipped_as_json_records_read_the_same(record: Callable[[str, str, str, str], dict[str, object]]) -> None:
    # The pods' lines as a log shipper's JSON records, interleaved by time as a bucket or an
    # export holds them: each pod is a source, followed over its dumps by the records' times.
    kubectl = re.compile(r"^\[pod/([^/]+)/([^\]]+)\] (\S+) (.*)$")
    lines = sorted(LOG.read_text().splitlines(), key=lambda line: m[1] if (m := _TIME.match(line)) else "")
    records = []
    for line in lines:
        m = kubectl.match(line)
        assert m is not None
        records.append(json.dumps(record(m[1], m[2], m[3], m[4])) + "\n")
    r = analyze_text("".join(records))
    _check_followed(r)
    assert r.carriers == ("Kubernetes log records (JSON)",)


def test_a_log_split_over_several_files_is_one_log(tmp_path: Path) -> None:
    # The same log saved in two parts (an hour's log, then the next): each pod's dumps in
    # either are its series, never another pod's (they were one mixed series before).
    lines = LOG.read_text().splitlines(keepends=True)
    ticks = [i for i, line in enumerate(lines) if "tick=2" in line]
    cut = ticks[0]  # pod-a's ticks 0-1 in the first file, everything else in the second
    first, second = tmp_path / "10h.log", tmp_path / "11h.log"
    first.write_text("".join(lines[:cut]))
    second.write_text("".join(lines[cut:]))
    r = analyze_inputs([str(first), str(second)])
    _check_followed(r)
    assert r.fleet is not None
    assert all(s.input == f"{second}: {s.name}" for s in r.fleet)


def test_renderers_say_each_pod_s_trend() -> None:
    r = analyze(str(LOG))
    assert r.fleet is not None
    text = render_text(r)
    md = render_markdown(r)
    got = json.loads(render_json(r))
    for s, js in zip(r.fleet, got["fleet"], strict=True):
        assert s.trend is not None
        counts = " \u2192 ".join(f"{n:,}" for n in s.trend.counts)
        assert re.search(rf"^  {re.escape(s.name)}  {counts}  \S+  grows steadily, \+", text, re.MULTILINE)
        assert f"- {s.name}  {counts}" in md
        assert js["dumps"] == s.dumps
        assert js["trend"]["counts"] == list(s.trend.counts)
    top = got["clusters"][0]
    assert [x["trend"]["counts"] for x in top["sources"]] == [list(x.trend.counts) for x in r.clusters[0].sources or () if x.trend]
    assert re.search(r"^    trend       grows steadily on ", text, re.MULTILINE)
    assert "- **Trend:** grows steadily on " in md


def test_a_fleet_of_single_dumps_has_no_trends(tmp_path: Path) -> None:
    # Each pod's last dump only: nothing to follow.
    lines = LOG.read_text().splitlines(keepends=True)
    last = [i for i, line in enumerate(lines) if "tick=3" in line]
    one_each = [line for i, line in enumerate(lines) if any(i >= t for t in last) and
                any(line.startswith(f"[pod/{p['pod']}/") for p, t in zip(PODS, last, strict=True) if i >= t)]  # fmt: skip
    r = analyze_text("".join(one_each))
    assert r.fleet is not None
    assert [s.dumps for s in r.fleet] == [1, 1, 1]
    assert all(s.trend is None for s in r.fleet)
    assert all(x.trend is None for c in r.clusters for x in c.sources or ())
    got = json.loads(render_json(r))
    assert [s["trend"] for s in got["fleet"]] == [None, None, None]
    assert "    trend " not in render_text(r)


def test_one_pod_s_log_names_its_pod_and_files_of_several_pods_are_a_fleet(tmp_path: Path) -> None:
    # `kubectl logs POD --prefix` of each pod, saved apart: each file names its pod (alone,
    # no other source tells it apart), and together they are the pods' fleet, not one
    # series of mixed pods.
    lines = LOG.read_text().splitlines(keepends=True)
    files = []
    for pod in PODS:
        f = tmp_path / f"{pod['pod']}.log"
        f.write_text("".join(line for line in lines if line.startswith(f"[pod/{pod['pod']}/")))
        files.append(str(f))
    alone = json.loads(render_json(analyze(files[0])))
    assert alone["fleet"] is None
    assert {s["log_source"] for s in alone["snapshots"]} == {NAMES[0]}
    assert alone["series"] is not None
    _check_followed(analyze_inputs(files))


def test_a_fleet_of_pod_logs_that_each_hold_several_dumps_follows_each(tmp_path: Path) -> None:
    # `kubectl logs POD --timestamps > POD.log` for each pod, then `gtriage --fleet *.log`:
    # each file a source, followed over the dumps it holds (a mixed series without --fleet).
    lines = LOG.read_text().splitlines(keepends=True)
    files = []
    for pod in PODS:
        f = tmp_path / f"{pod['pod']}.log"
        own = f"[pod/{pod['pod']}/{pod['container']}] "
        f.write_text("".join(line[len(own) :] for line in lines if line.startswith(own)))
        files.append(str(f))
    r = analyze_inputs(files, fleet=True)
    assert r.fleet is not None
    assert [s.name for s in r.fleet] == [p["pod"] for p in PODS]
    for pod, s in zip(PODS, r.fleet, strict=True):
        assert s.dumps == len(pod["parts"])
        assert s.trend is not None
        assert s.trend.counts == tuple(analyze(str(SAMPLES / part)).goroutines for part in pod["parts"])
        assert s.trend.growth_per_minute is not None
    leak = r.clusters[0]
    assert leak.sources is not None
    want = {p["pod"]: tuple(c["leak"] for c in p["counts"]) for p in PODS if p["counts"][-1]["leak"]}
    assert {x.source: x.trend.counts for x in leak.sources if x.trend is not None} == want


def _pod_log(name: str, parts: list[Path]) -> str:
    """One pod's dumps as `kubectl logs --prefix --timestamps` prints them (the way the
    samples' fleet log was made: leakrate_capture.logged_dumps)."""
    import sys

    sys.path.insert(0, str(SAMPLES))
    import leakrate_capture as lc

    lines, _ = lc.logged_dumps(parts, f"[pod/{name}/app] ")
    return "\n".join(lines) + "\n"


SERIES = [SAMPLES / f"series/leakrate.t{i}.txt" for i in range(5)]


def _burst(part: Path) -> tuple[str, int, str]:
    """Where the series' transient group waits: its burst goes 0, 0, 6, 6, 0 over t0..t4."""
    absent = json.loads(part.with_suffix(".json").read_text())["absent"]
    g = next(g for g in absent if g["key"] == "burst")
    return g["state"], g["blocked_at"]["line"], g["blocked_at"]["func"]


def test_a_cluster_a_pod_no_longer_holds_says_so(tmp_path: Path) -> None:
    """The three pods of the fleet log (their burst still 6 at their last dump) and a fourth
    pod, the series' process, whose burst came and went: the cluster is the three's, and
    says it left the fourth, with its count when last seen and its trend there."""
    counts = [json.loads(p.with_suffix(".json").read_text())["counts"]["burst"] for p in SERIES]
    assert counts[-1] == 0
    assert max(counts) > 0
    log = tmp_path / "pods.log"
    log.write_text(LOG.read_text() + _pod_log("leakrate-7d4b9c8f5-zz9rt", SERIES))
    r = analyze(str(log))
    state, line, func = _burst(SERIES[-1])
    c = next(c for c in r.clusters if (c.state, c.blocked_at.line, c.blocked_at.func) == (state, line, func))
    assert c.sources is not None
    assert sorted(s.source for s in c.sources) == sorted(NAMES)
    assert c.gone_from is not None
    (left,) = c.gone_from
    assert left.source == "leakrate-7d4b9c8f5-zz9rt/app"
    assert left.count == max(n for n in counts if n)  # when last seen: the last count above 0
    assert left.trend is not None
    assert left.trend.counts == tuple(counts)
    others = [x for x in r.clusters if x is not c]
    assert all(x.gone_from == () for x in others if x.blocked_at.func != func)  # followed, left nowhere
    assert f"gone from   leakrate-7d4b9c8f5-zz9rt/app ({left.count} when last seen: " in render_text(r)
    doc = json.loads(render_json(r))
    (cj,) = [x for x in doc["clusters"] if x["blocked_at"]["func"] == func and x["state"] == state]
    assert cj["gone_from"] == [{"source": left.source, "count": left.count,
                                "trend": {"counts": counts, "verdict": left.trend.verdict,
                                          "growth_per_minute": round(left.trend.growth_per_minute, 3)
                                          if left.trend.growth_per_minute is not None else None,
                                          "since": 0}}]  # fmt: skip  # one process a pod: no restart
    assert "**Gone from:** leakrate-7d4b9c8f5-zz9rt/app" in render_markdown(r)


def test_a_cluster_no_pod_holds_any_more_is_gone_from_the_fleet(tmp_path: Path) -> None:
    """Two pods whose burst came and went: no pod's last dump holds it, and the fleet's
    report lists it as gone, with each pod's count when last seen."""
    counts = [json.loads(p.with_suffix(".json").read_text())["counts"]["burst"] for p in SERIES]
    log = tmp_path / "pods.log"
    log.write_text(_pod_log("web-7d4b9c8f5-aaaaa", SERIES) + _pod_log("web-7d4b9c8f5-bbbbb", SERIES))
    r = analyze(str(log))
    state, line, func = _burst(SERIES[-1])
    assert not any((c.state, c.blocked_at.line, c.blocked_at.func) == (state, line, func) for c in r.clusters)
    assert r.gone is not None
    (g,) = [g for g in r.gone if (g.state, g.blocked_at.line, g.blocked_at.func) == (state, line, func)]
    last = max(n for n in counts if n)
    assert g.count == 2 * last
    assert g.sources is not None
    assert [(s.source, s.count) for s in g.sources] == [("web-7d4b9c8f5-aaaaa/app", last), ("web-7d4b9c8f5-bbbbb/app", last)]
    assert all(s.trend is not None and s.trend.counts == tuple(counts) for s in g.sources)
    text = render_text(r)
    assert "gone from every source: 1 cluster" in text
    assert f"on     web-7d4b9c8f5-aaaaa/app ({last} when last seen: " in text
    doc = json.loads(render_json(r))
    (gj,) = doc["gone"]
    assert [s["source"] for s in gj["sources"]] == ["web-7d4b9c8f5-aaaaa/app", "web-7d4b9c8f5-bbbbb/app"]


def test_a_fleet_of_single_dumps_tells_nothing_gone() -> None:
    r = analyze_inputs([str(SAMPLES / f"fleet/pod-{p}.txt") for p in "abc"], fleet=True)
    assert r.gone is None
    assert all(c.gone_from is None for c in r.clusters)
    assert all(c["gone_from"] is None for c in json.loads(render_json(r))["clusters"])


def test_a_shipper_s_record_without_a_line_is_read_as_any_json_log() -> None:
    # A record naming a pod but holding the dump elsewhere (no "log" or "message" text) is
    # read as any JSON log is: the string that holds a dump.
    dump = (SAMPLES / "fleet/pod-a.txt").read_text()
    line = json.dumps({"kubernetes": {"pod_name": "web-7d4b9c8f5-xk2lp", "container_name": "app"}, "stack": dump})
    r = analyze_text(line + "\n")
    assert r.goroutines == analyze(str(SAMPLES / "fleet/pod-a.txt")).goroutines
    assert r.carriers == ("JSON log",)
