"""--watch: polls follow each cluster over time; a failed poll is said and the watch goes on;
without a terminal, one line per poll (text or JSON lines) and the last report at the end.

The dumps are real: the leakrate series served one per request over HTTP, and (slow) the
live leakrate program itself, whose ticks say by construction how many goroutines leak.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from gtriage.cli import main
from gtriage.pipeline import analyze_inputs
from gtriage.watch import Watch
from manifests import SAMPLES, find_go

SERIES = [SAMPLES / f"series/leakrate.t{i}.txt" for i in range(5)]
LEAK = ("main.(*Server).awaitReply", 120)


def counts(key: str) -> list[int]:
    return [json.loads(d.with_suffix(".json").read_text())["counts"][key] for d in SERIES]


@contextmanager
def serving(bodies: list[bytes | int]) -> Iterator[str]:
    """An HTTP server on 127.0.0.1 answering the n-th request with bodies[n] (an int: that
    status, no dump); the last body again after that."""
    served = iter(bodies)
    last: list[bytes | int] = [bodies[-1]]

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = next(served, last[0])
            if isinstance(body, int):
                self.send_error(body)
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/debug/pprof/goroutine?debug=2"
    finally:
        server.shutdown()
        server.server_close()


def leak_count(clusters: list[dict[str, Any]]) -> int:
    return sum(c["count"] for c in clusters if (c["blocked_at"]["func"], c["blocked_at"]["line"]) == LEAK)


def test_polls_follow_each_cluster_and_a_failed_poll_is_retried() -> None:
    bodies: list[bytes | int] = [SERIES[0].read_bytes(), SERIES[1].read_bytes(), 503, *(d.read_bytes() for d in SERIES[2:])]
    with serving(bodies) as url:
        w = Watch([url], timeout=5)
        polls = [w.poll() for _ in bodies]
    failed = polls[2]
    assert failed.report is None
    assert failed.errors[0].endswith("HTTP 503 Service Unavailable") or "503" in failed.errors[0]
    last = polls[-1].report
    assert last is not None
    (leak,) = [c for c in last.clusters if (c.blocked_at.func, c.blocked_at.line) == LEAK]
    assert leak.trend is not None
    assert list(leak.trend.counts) == counts("leak")  # the failed poll adds no point
    assert leak.trend.verdict == "grows steadily"
    assert leak.status == "grew"
    assert leak.previous_count == counts("leak")[-2]
    assert last.series is not None
    assert len(last.series) == 5
    assert all(m.clock in ("HTTP Date", "time fetched") for m in last.series)
    assert last.gone is not None
    assert [g.blocked_at.func for g in last.gone] == ["main.(*Server).flush"]
    # Memory stays flat: the watch keeps a slim key per cluster, no goroutines.
    assert all(not t.key.groups[0].goroutines for t in w.tracker.tracks)


def test_headless_watch_prints_a_json_line_per_poll_then_the_report(capsys: pytest.CaptureFixture[str]) -> None:
    with serving([d.read_bytes() for d in SERIES[:3]]) as url:
        code = main(["--watch", url, "--interval", "100ms", "--polls", "3", "--format", "json"])
    assert code == 0
    lines = capsys.readouterr().out.splitlines()
    polls = [json.loads(x) for x in lines[:3]]
    assert [p["poll"] for p in polls] == [1, 2, 3]
    assert [leak_count(p["clusters"]) for p in polls] == counts("leak")[:3]
    summary = json.loads(lines[3])
    assert summary["schema"] == "gtriage/1"
    top = next(c for c in summary["clusters"] if (c["blocked_at"]["func"], c["blocked_at"]["line"]) == LEAK)
    assert top["trend"]["counts"] == counts("leak")[:3]
    assert len(lines) == 4


def test_headless_watch_text_lines_say_failures(capsys: pytest.CaptureFixture[str]) -> None:
    with serving([SERIES[1].read_bytes(), 500, SERIES[2].read_bytes()]) as url:
        code = main(["--watch", url, "--interval", "100ms", "--polls", "3", "--format", "text", "--no-stacks"])
    out = capsys.readouterr().out.splitlines()
    assert code == 0
    assert " poll 1: " in out[0]
    assert f"{counts('leak')[1]} × chan receive at main.go:120" in out[0]
    assert " poll 2: failed: " in out[1]
    assert "500" in out[1]
    assert f"{counts('leak')[2]} × chan receive at main.go:120" in out[2]
    assert out[3].startswith("gtriage: ")  # then the text report of the last poll


def test_a_watch_that_never_reads_a_dump_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    with serving([404]) as url:
        code = main(["--watch", url, "--interval", "100ms", "--polls", "2", "--format", "text"])
    assert code == 1
    assert "no poll read a dump" in capsys.readouterr().err


def test_interval_takes_units() -> None:
    from gtriage.cli import build_parser

    p = build_parser()
    assert p.parse_args(["--interval", "2m"]).interval == 120
    assert p.parse_args(["--interval", "500ms"]).interval == 0.5
    assert p.parse_args(["--interval", "45"]).interval == 45
    with pytest.raises(SystemExit):
        p.parse_args(["--interval", "0"])


@pytest.mark.slow
def test_watch_a_live_leaking_process(tmp_path: Path) -> None:
    """leakrate leaks 5 goroutines a tick (every 400 ms); three polls 1 s apart see it grow
    at every poll, by a multiple of 5 the program reported."""
    go = find_go()
    if go is None:
        pytest.skip("no Go toolchain (set GTRIAGE_GO)")
    binary = tmp_path / "leakrate"
    env = {**os.environ, "GOTOOLCHAIN": "local", "GOFLAGS": "-mod=mod", "GOPROXY": "off"}
    subprocess.run([str(go), "build", "-o", str(binary), "."], cwd=SAMPLES / "leakrate", env=env, check=True, timeout=300)
    proc = subprocess.Popen(
        [str(binary), "-interval", "400ms", "-leak", "5", "-addr", "127.0.0.1:0"],
        stdout=subprocess.PIPE, text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    # The program blocks on a full pipe: drain it for as long as it runs.
    def drain() -> None:
        for x in proc.stdout or ():
            lines.put(x)

    threading.Thread(target=drain, daemon=True).start()
    try:
        addr = ""
        before: list[str] = []  # the ticks printed before LISTEN count too
        deadline = time.monotonic() + 30
        while not addr and time.monotonic() < deadline:
            line = lines.get(timeout=30)
            before.append(line)
            if line.startswith("LISTEN "):
                addr = line.split()[1]
        url = f"http://{addr}/debug/pprof/goroutine?debug=2"
        out = subprocess.run(
            [sys.executable, "-m", "gtriage", "--watch", url, "--interval", "1s", "--polls", "3", "--format", "json"],
            capture_output=True, text=True, timeout=60, check=True,
        ).stdout.splitlines()
    finally:
        proc.kill()
        proc.wait()
    ticks: list[dict[str, Any]] = []
    while not lines.empty():
        before.append(lines.get())
    for line in before:
        if line.startswith("MANIFEST "):
            ticks.append(json.loads(line.split(" ", 1)[1]))
    possible = {g["count"] for t in ticks for g in t["groups"] if g["key"] == "leak"}
    seen = [leak_count(json.loads(x)["clusters"]) for x in out[:3]]
    assert set(seen) <= possible
    assert seen == sorted(seen)
    assert seen[0] < seen[-1]
    summary = json.loads(out[3])
    top = next(c for c in summary["clusters"] if (c["blocked_at"]["func"], c["blocked_at"]["line"]) == LEAK)
    assert top["trend"]["counts"] == seen
    assert top["trend"]["growth_per_minute"] > 0


def test_a_watch_of_one_process_says_what_its_locks_wait_on() -> None:
    """--watch of one source groups by awaited object and names holders as a plain report
    does (a fleet reads each source's objects on its own and names no holder)."""
    dump = SAMPLES / "dumps/go1.27/locks.debug2.txt"
    with serving([dump.read_bytes()]) as url:
        p = Watch([url], timeout=5).poll()
    assert p.report is not None
    waiters = next(c for c in p.report.clusters if c.blocked_at.line == 23 and c.blocked_at.file.endswith("store.go"))
    assert waiters.objects is not None
    assert waiters.objects.distinct == 1
    assert waiters.holders


def test_a_watched_fleet_reads_each_source_s_objects_on_its_own() -> None:
    """Two processes watched as a fleet: an object group is one process's (each names its
    source), one mutex in each process is one stuck object in each, and no holder is named
    across processes."""
    pods = [SAMPLES / f"dumps/go1.{v}/locks.debug2.txt" for v in (26, 27)]
    p = Watch([str(x) for x in pods], timeout=5).poll()
    assert p.report is not None
    waiters = next(c for c in p.report.clusters if c.blocked_at.line == 23 and c.blocked_at.file.endswith("store.go"))
    assert waiters.objects is not None
    assert waiters.objects.one_per_source
    assert len({g.source for g in waiters.objects.groups}) == 2
    assert waiters.holders == ()


def test_a_watched_fleet_keeps_each_source_s_crash() -> None:
    # A log file of each pod, watched as a fleet: a pod that crashed is said, and the
    # cluster of its crashing goroutine ranks first, as in a fleet read once.
    crashes = [SAMPLES / f"dumps/go1.27/crashzoo.{s}-all.txt" for s in ("nilptr", "nilmap")]
    p = Watch([str(x) for x in crashes], timeout=5).poll()
    once = analyze_inputs([str(x) for x in crashes], fleet=True)
    assert p.report is not None
    assert p.report.fleet is not None
    assert once.fleet is not None
    assert [s.crash for s in p.report.fleet] == [s.crash for s in once.fleet]
    assert p.report.crash == once.crash
    assert [(c.blocked_at, c.crashed) for c in p.report.clusters] == [(c.blocked_at, c.crashed) for c in once.clusters]


def test_a_watched_binary_profile_is_timed_by_its_own_time(tmp_path: Path) -> None:
    """Each poll of a binary profile takes the profile's own time (time_nanos), not the
    time it was read: two polls of the leakrate profiles of ticks 0 and 1 (5 s apart when
    captured), read a moment apart here, are 5 s apart in the series."""
    pods = [SAMPLES / f"series-pprof/leakrate.t{n}.pb.gz" for n in (0, 1)]
    target = tmp_path / "goroutine.pb.gz"
    w = Watch([str(target)], timeout=5)
    for pod in pods:
        target.write_bytes(pod.read_bytes())
        p = w.poll()
    assert p.report is not None
    assert p.report.series is not None
    moments = p.report.series
    assert [m.clock for m in moments] == ["profile time", "profile time"]
    manifests = [json.loads(pod.with_name(pod.name.removesuffix(".pb.gz") + ".json").read_text()) for pod in pods]
    captured = [datetime.fromisoformat(m["captured_at"].replace("Z", "+00:00")).timestamp() for m in manifests]
    for m, t in zip(moments, captured, strict=True):
        assert m.taken_at is not None
        assert abs(m.taken_at - t) < 1.0
    leak = next(c for c in p.report.clusters if c.blocked_at.func == "main.(*Server).awaitReply")
    assert leak.trend is not None
    assert list(leak.trend.counts) == [m["counts"]["leak"] for m in manifests]
