"""Lines of other log sources between a dump's, set apart (log_sources.py, carriers.py).

The logs here are a real capture's lines behind journald's short prefix (`Mon DD HH:MM:SS
host ident[pid]: `, tabs as journalctl prints them), interleaved with another process's
lines; samples/wrapped/journald-two-units.txt is journalctl's own output, checked with every
other sample.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from gtriage.carriers import OTHER_SOURCES, read_streams
from gtriage.log_sources import Sources, source_shape
from gtriage.model import Snapshot
from gtriage.parse import parse_text
from gtriage.pipeline import analyze, analyze_text
from gtriage.record import replace
from gtriage.render.json import render_json

CAPTURE = Path(__file__).resolve().parent.parent / "samples" / "dumps" / "go1.27" / "crashzoo.goroutine-all.txt"


@pytest.mark.parametrize(
    ("prefix", "other", "key"),
    [
        ("Nov 30 19:27:39 host crashzoo[8981]: ", "Nov 30 19:27:40 host otherapp[8982]: x", ("host", "otherapp")),
        # journalctl's next day, in another month: the same source (months and days name none).
        ("Nov 30 23:59:59 host crashzoo[8981]: ", "Dec 01 00:00:00 host crashzoo[8981]: x", ("host", "crashzoo")),
        ("E1125 10:00:00.000000   12345 main.go:42] ", "I1125 10:00:01.5   12345 server.go:7] x", ("server.go",)),
        # Prefixes that name their pod and container, or their container, whole:
        ("[pod/web-7d4b9c8f5-xk2lp/app] ", "[pod/web-7d4b9c8f5-q9z8w/app] x", ("web-7d4b9c8f5-q9z8w/app",)),
        ("[pod/web-0/app] ", "[pod/web-1/app] x", ("web-1/app",)),  # a StatefulSet's: digits only differ
        ("[pod/web-0/app] 2026-11-30T07:18:13.464501905Z ", "[pod/web-1/sidecar] 2026-11-30T07:18:14.5Z x",
         ("web-1/sidecar",)),  # with --timestamps
        ("web-1  | ", "db-1   | x", ("db-1",)),  # docker compose logs
        ("web-1  | ", "postgres-1 | x", ("postgres-1",)),  # the padding grew with a longer name
        ("web-7d4b9c8f5-xk2lp app ", "web-7d4b9c8f5-q9z8w app x", ("web-7d4b9c8f5-q9z8w/app",)),  # stern
        ("web-0 app 2026-11-30T07:18:13.464501905Z ", "web-1 sidecar 2026-11-30T07:18:14.000000000Z x",
         ("web-1/sidecar",)),  # stern --timestamps
    ],
)  # fmt: skip
def test_a_prefix_with_a_time_and_a_name_or_a_container_s_is_a_source(prefix: str, other: str, key: tuple[str, ...]) -> None:
    shape = source_shape(prefix)
    assert shape is not None
    m = re.match(shape, other)
    assert m is not None
    assert Sources().key(m) == key
    # Runtime lines, once their own prefix is off, are no other source's.
    for line in ("panic: x", "goroutine 5 [chan receive]:", "created by main.main in goroutine 1",
                 "signal arrived during cgo execution", "main.main()"):  # fmt: skip
        assert re.match(shape, line) is None, line


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Nov 30 19:27:40 host otherapp[8982]: x\nmain.main()\n", True),  # the first line
        ("main.main()\n\t/app/m.go:3\nNov 30 19:27:40 host otherapp[8982]: x\n", True),  # a later one
        ("main.main()\n\t/app/m.go:3 Nov 30 19:27:40 host otherapp[8982]: x\n", False),  # not at a line's start
        ("goroutine 5 [chan receive]:\nmain.main()\n", False),
        ("", False),
    ],
)
def test_a_chunk_is_looked_at_line_by_line_only_when_a_line_starts_with_a_source(text: str, found: bool) -> None:
    sources = Sources()
    assert sources.in_text(text) is False  # nothing learned: nothing to find
    sources.learn("Nov 30 19:27:39 host crashzoo[8981]: ")
    assert sources.in_text(text) is found


@pytest.mark.parametrize("prefix", ["2026-11-25T10:00:01.104729Z ", "app: ", "> ", "web-1 |"])
def test_a_prefix_without_a_time_and_a_name_names_no_source(prefix: str) -> None:
    # kubectl's time names nothing ("T", "Z"); a bare name before a colon would take a
    # runtime line ("panic: ") for another source's; compose's form has a blank after "|".
    assert source_shape(prefix) is None


def _journal(lines: list[tuple[str, int, str]]) -> str:
    """journalctl's short lines (tabs as the 8 blanks it prints) of (ident, pid, message)."""
    return "".join(f"Nov 30 19:27:{39 + i // 20:02d} host {ident}[{pid}]: {msg.replace(chr(9), ' ' * 8)}\n"
                   for i, (ident, pid, msg) in enumerate(lines))  # fmt: skip


def _interleaved() -> tuple[str, list[int]]:
    """The capture's lines (journald keeps no empty one) with another unit's between them;
    and the input lines of that unit's."""
    dump = [line for line in CAPTURE.read_text().split("\n") if line]
    lines: list[tuple[str, int, str]] = []
    other: list[int] = []
    for i, line in enumerate(dump):
        lines.append(("crashzoo", 8981, line))
        if i % 3 == 1:
            lines.append(("otherapp", 8982, f'level=info msg="request served" n={i}'))
            other.append(len(lines))
    return _journal(lines), other


def test_another_unit_s_lines_between_the_dump_s_are_set_apart(tmp_path: Path) -> None:
    text, other = _interleaved()
    (tmp_path / "two.txt").write_text(text)
    got = json.loads(render_json(analyze(str(tmp_path / "two.txt"))))
    want = json.loads(render_json(analyze(str(CAPTURE))))
    assert got["goroutines"] == want["goroutines"]
    assert got["unparsed"]["lines"] == 0
    assert [c["stacks"] for c in got["clusters"]] == [c["stacks"] for c in want["clusters"]]
    assert OTHER_SOURCES in got["carriers"]
    streams = {s.name: s for s in read_streams(io.StringIO(text))}
    apart = streams["log lines of host otherapp"]
    body = "".join(apart.chunks)
    assert body.count("\n") == len(other)
    assert body.startswith('level=info msg="request served" n=1\n')
    assert apart.line_map is not None
    assert [apart.line_map(i) for i in range(1, len(other) + 1)] == other


def test_a_line_glued_after_its_own_prefix_stays() -> None:
    # Regression (test_reference's exhaustive run): a lost line break after a line with no
    # text puts a line, prefix and all, right after its own source's prefix; that is no
    # other source. (Syslog-style logs that keep empty lines: journald itself drops them.)
    dump = CAPTURE.read_text().split("\n")
    lines = _journal([("crashzoo", 8981, line) for line in dump]).split("\n")
    call = next(i for i, line in enumerate(lines) if line.endswith(": main.inGoroutine()"))
    lines[call] = "Nov 30 19:27:39 host crashzoo[8981]: " + lines[call]
    names = [s.name for s in read_streams(io.StringIO("\n".join(lines)))]
    assert names == ["-"]


LEAKY = CAPTURE.parent / "leaky.sigquit-all.txt"
LOCKS = CAPTURE.parent / "locks.sigquit-system.txt"
CAPTURES = (LEAKY, LOCKS)
# Each carrier's sources (two pods, two containers): their prefixes as the tools print them
# (kubectl's addPrefixIfNeeded "[pod/%s/%s] "; docker compose's "%-*s | ", padded to the
# longest name + 1) and the names the report gives them.
CARRIERS = {
    "kubectl --prefix": [("[pod/leaky-7d4b9c8f5-xk2lp/app] ", "leaky-7d4b9c8f5-xk2lp/app"),
                         ("[pod/locks-5f6c7d8b9-q9z8w/app] ", "locks-5f6c7d8b9-q9z8w/app")],
    # A StatefulSet's pods: their names differ in a digit only.
    "kubectl --prefix, StatefulSet": [("[pod/web-0/app] ", "web-0/app"), ("[pod/web-1/app] ", "web-1/app")],
    "docker compose": [(f"{'leaky-1':<8} | ", "leaky-1"), (f"{'locks-1':<8} | ", "locks-1")],
    # docker service logs: each task as the CLI's taskFormatter writes it (service.slot.task@node,
    # padded to the widest slot number, then "    | ").
    "docker service logs": [("web.1.tgdj2gx8xvz3@node-1    | ", "web.1.tgdj2gx8xvz3@node-1"),
                            ("web.2.q9z8w4k1m2n3@node-2    | ", "web.2.q9z8w4k1m2n3@node-2")],
    # --timestamps: the time first (RFC 3339 with nanoseconds, as the daemon sends it).
    "docker service logs --timestamps": [("{stern_time} web.1.tgdj2gx8xvz3@node-1    | ", "web.1.tgdj2gx8xvz3@node-1"),
                                         ("{stern_time} web.2.q9z8w4k1m2n3@node-2    | ", "web.2.q9z8w4k1m2n3@node-2")],
    # --prefix --timestamps: kubectl's prefix, then the kubelet's RFC 3339 time ({time}).
    "kubectl --prefix --timestamps": [("[pod/web-7d4b9c8f5-xk2lp/app] {time} ", "web-7d4b9c8f5-xk2lp/app"),
                                      ("[pod/web-7d4b9c8f5-q9z8w/app] {time} ", "web-7d4b9c8f5-q9z8w/app")],
    # stern (its default template "{{.PodName}} {{.ContainerName}} {{.Message}}", uncoloured
    # when piped); with --timestamps, its RFC 3339 time with nine digits before the message.
    "stern": [("web-7d4b9c8f5-xk2lp app ", "web-7d4b9c8f5-xk2lp/app"),
              ("web-7d4b9c8f5-q9z8w app ", "web-7d4b9c8f5-q9z8w/app")],
    "stern --timestamps": [("web-0 app {stern_time} ", "web-0/app"), ("web-1 app {stern_time} ", "web-1/app")],
}  # fmt: skip


def _time(i: int) -> str:
    """RFC 3339 with nanoseconds, trailing zeros dropped, as the kubelet writes it."""
    frac = f"{(464501905 + 1250 * i) % 10**9:09d}".rstrip("0")
    return f"2026-11-30T07:18:13{'.' + frac if frac else ''}Z"


def _stern_time(i: int) -> str:
    """stern's TimestampFormatDefault, "2006-01-02T15:04:05.000000000Z07:00": nine digits."""
    return f"2026-11-30T07:18:13.{(464501905 + 1250 * i) % 10**9:09d}Z"


def several_sources_log(carrier: str, follow: bool) -> str:
    """`kubectl logs -l ... --prefix` of two pods (or `docker compose logs` of two
    containers) that each printed a SIGQUIT dump: each line behind its source's prefix,
    written with the line, source after source; with -f the sources' lines are interleaved
    whole, as kubectl and compose copy them when they come."""
    logs = [[prefix.replace("{time}", _time(i)).replace("{stern_time}", _stern_time(i)) + line + "\n"
             for i, line in enumerate(path.read_text().splitlines())]
            for (prefix, _), path in zip(CARRIERS[carrier], CAPTURES, strict=True)]  # fmt: skip
    if not follow:
        return "".join(logs[0] + logs[1])
    out: list[str] = []
    a, b = logs
    i = j = 0
    while i < len(a) or j < len(b):
        # Runs of 1-3 lines from each, in a fixed pattern: neither source's goroutines stay whole.
        take = 1 + (i + j) % 3
        out.extend(a[i : i + take])
        i += take
        out.extend(b[j : j + 1 + (i % 2)])
        j += 1 + (i % 2)
    return "".join(out)


def kubectl_log(follow: bool) -> str:
    return several_sources_log("kubectl --prefix", follow)


def _goroutines(snap: Snapshot) -> dict[int, tuple[object, ...]]:
    return {g.id: (g.state, g.stack, g.minutes, g.values) for g in snap.goroutines}


@pytest.mark.parametrize("carrier", list(CARRIERS))
@pytest.mark.parametrize("follow", [False, True], ids=["source after source", "interleaved (-f)"])
def test_sources_that_dumped_in_one_log_are_read_apart(carrier: str, follow: bool) -> None:
    text = several_sources_log(carrier, follow)
    dump = parse_text(text)
    assert dump.snapshots, "no dump read"
    assert sum(s.unparsed_lines for s in dump.snapshots) == 0
    want = [_goroutines(parse_text(p.read_text()).snapshots[0]) for p in CAPTURES]
    got = [_goroutines(s) for s in dump.snapshots if s.goroutines]
    assert sorted(got, key=len) == sorted(want, key=len)
    # Each goroutine's line is its header's line in the log, whichever source wrote it.
    lines = text.split("\n")
    for s in dump.snapshots:
        for g in s.goroutines:
            assert re.search(rf" goroutine {g.id} (?:\[|gp=)", lines[g.line - 1]), (g.id, g.line)


@pytest.mark.parametrize("carrier", list(CARRIERS))
def test_sources_that_dumped_in_one_log_are_a_fleet(tmp_path: Path, carrier: str) -> None:
    # Not successive dumps of one process: each pod is a source, reported as --fleet
    # reports several pods' dumps, with each pod's share.
    path = tmp_path / "pods.txt"
    path.write_text(several_sources_log(carrier, True))
    got = json.loads(render_json(analyze(str(path))))
    alone = {name: json.loads(render_json(analyze(str(p)))) for (_, name), p in zip(CARRIERS[carrier], CAPTURES, strict=True)}
    assert [(s["name"], s["goroutines"]) for s in got["fleet"]] == [(n, r["goroutines"]) for n, r in alone.items()]
    assert all(s["input"] == f"{path}: {s['name']}" for s in got["fleet"])
    assert got["goroutines"] == sum(r["goroutines"] for r in alone.values())
    assert [s["log_source"] for s in got["snapshots"]] == list(alone)
    assert got["series"] is None
    # Each cluster of each pod is in the fleet's, with that pod's count.
    for name, r in alone.items():
        for c in r["clusters"]:
            where = (c["blocked_at"]["func"], c["blocked_at"]["line"], c["state"])
            merged = [m for m in got["clusters"] if (m["blocked_at"]["func"], m["blocked_at"]["line"], m["state"]) == where]
            assert len(merged) == 1
            assert {s["source"]: s["count"] for s in merged[0]["sources"]}[name] == c["count"]


def test_one_source_that_dumped_is_no_fleet() -> None:
    # The journal of two units where only one dumped: its report, the other's lines set apart.
    text, _ = _interleaved()
    dump = parse_text(text)
    assert [s.log_source for s in dump.snapshots if s.goroutines] == ["host crashzoo"]
    report = json.loads(render_json(analyze_text(text)))
    assert report["fleet"] is None


def test_a_compose_prefix_that_grows_mid_dump_is_still_its_container_s() -> None:
    # compose pads every name to the longest one's + 1: a container with a longer name
    # started halfway through the dump widens the dumping container's prefix from there on.
    lines = LEAKY.read_text().splitlines()
    half = len(lines) // 2
    log = [f"{'leaky-1':<8} | {line}\n" for line in lines[:half]]
    log.append(f"{'postgres-cache-1':<17} | LOG:  database system is ready to accept connections\n")
    log += [f"{'leaky-1':<17} | {line}\n" for line in lines[half:]]
    dump = parse_text("".join(log))
    assert [_goroutines(s) for s in dump.snapshots if s.goroutines] == [_goroutines(parse_text(LEAKY.read_text()).snapshots[0])]
    assert sum(s.unparsed_lines for s in dump.snapshots) == 0


@pytest.mark.parametrize("carrier", list(CARRIERS))
def test_sources_that_dumped_in_a_log_newest_first_are_a_fleet_too(carrier: str) -> None:
    # A log viewer's newest-first listing of the same log: each stream turned over keeps
    # its source (newest_first.py).
    lines = several_sources_log(carrier, True).splitlines(keepends=True)
    dump = parse_text("".join(reversed(lines)))
    want = sorted((_goroutines(parse_text(p.read_text()).snapshots[0]) for p in CAPTURES), key=len)
    assert sorted((_goroutines(s) for s in dump.snapshots if s.goroutines), key=len) == want
    assert sorted(s.log_source for s in dump.snapshots if s.goroutines) == sorted(n for _, n in CARRIERS[carrier])


def test_pods_that_crashed_in_one_log_keep_their_crashes() -> None:
    # Two pods that each panicked, pod after pod in one kubectl log: the fleet's crash is
    # the first pod's, and the second's is said too (it was a series' last dump before).
    crashes = [CAPTURE.parent / f"crashzoo.{s}-all.txt" for s in ("nilptr", "nilmap")]
    pods = ["api-7d4b9c8f5-xk2lp", "api-7d4b9c8f5-q9z8w"]
    log = "".join(f"[pod/{pod}/app] {line}\n" for pod, p in zip(pods, crashes, strict=True) for line in p.read_text().splitlines())
    r = analyze_text(log)
    alone = [analyze(str(p)) for p in crashes]
    assert r.fleet is not None
    assert [s.name for s in r.fleet] == [f"{pod}/app" for pod in pods]
    lines = log.split("\n")
    for s, a in zip(r.fleet, alone, strict=True):
        assert s.crash is not None
        assert a.crash is not None
        assert replace(s.crash, line=0) == replace(a.crash, line=0)
        assert lines[s.crash.line - 1].startswith(f"[pod/{s.name}] panic: ")  # the input's line
    assert r.crash == r.fleet[0].crash
    assert sum(c.crashed for c in r.clusters) == 2


def _stern_json(pods: dict[str, Path], timestamps: bool) -> str:
    """`stern -o json` of two pods, interleaved line by line as stern copies them: Go's
    json.Marshal of stern's Log ({"message","nodeName","namespace","podName","containerName"};
    <, > and & escaped), the message after its time with --timestamps."""
    out = []
    logs = {pod: path.read_text().splitlines() for pod, path in pods.items()}
    for i in range(max(map(len, logs.values()))):
        for p, (pod, lines) in enumerate(logs.items()):
            if i < len(lines):
                message = (_stern_time(2 * i + p) + " " if timestamps else "") + lines[i]
                obj = {"message": message, "nodeName": "node-1", "namespace": "prod", "podName": pod, "containerName": "app"}
                text = json.dumps(obj, separators=(",", ":"), ensure_ascii=False)
                out.append(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026") + "\n")
    return "".join(out)


@pytest.mark.parametrize("timestamps", [False, True], ids=["", "--timestamps"])
def test_stern_json_pods_are_sources(timestamps: bool) -> None:
    pods = {"web-7d4b9c8f5-xk2lp": LEAKY, "web-7d4b9c8f5-q9z8w": LOCKS}
    text = _stern_json(pods, timestamps)
    dump = parse_text(text)
    assert "stern JSON" in dump.carriers
    got = {s.log_source: _goroutines(s) for s in dump.snapshots if s.goroutines}
    assert got == {f"{pod}/app": _goroutines(parse_text(p.read_text()).snapshots[0]) for pod, p in pods.items()}
    lines = text.split("\n")
    for s in dump.snapshots:
        for g in s.goroutines:
            assert f'goroutine {g.id} ' in json.loads(lines[g.line - 1])["message"]
        if s.goroutines:
            assert (s.taken_at is not None) == timestamps
    r = analyze_text(text)
    assert r.fleet is not None
    assert sorted(f.name for f in r.fleet) == sorted(f"{pod}/app" for pod in pods)
