"""A panic's traceback: the runtime's as its process died, or one the program recovered and
printed itself (samples/logged/recovered.log, captured from samples/recovered/)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest

from gtriage.model import Snapshot
from gtriage.panic_origin import logged_panic, runtime_panic
from gtriage.parse import parse_text
from gtriage.pipeline import analyze_inputs, analyze_text
from gtriage.render.json import render_json
from gtriage.render.markdown import render_markdown
from gtriage.render.text import render_text
from gtriage.series import ended_its_process
from manifests import SAMPLE_LIST, SAMPLES, Sample, copies_in_order

LOGGED = SAMPLES / "logged/recovered.log"
LOGGED_PANICS = json.loads((SAMPLES / "logged/recovered.json").read_text())["panics"]
CRASHES = [s for s in SAMPLE_LIST if s.manifest.get("program") == "crashzoo" and (s.manifest.get("crash") or {}).get("panics")]
SCHEMA = json.loads((SAMPLES.parent / "src/gtriage/schema/report.schema.json").read_text())
LEAKY = SAMPLES / "dumps/go1.27/leaky.debug2.txt"  # /debug/pprof/goroutine?debug=2: no crash


def _logged_snapshots() -> list[Snapshot]:
    return list(parse_text(LOGGED.read_text(), str(LOGGED)).snapshots)


def test_the_programs_own_prints_of_recovered_panics_are_told_as_such() -> None:
    snaps = _logged_snapshots()
    assert [s.crash.goroutine if s.crash else None for s in snaps] == [p["goroutine"] for p in LOGGED_PANICS]
    for snap, made in zip(snaps, LOGGED_PANICS, strict=True):
        assert snap.crash is not None
        assert [p.message for p in snap.crash.panics] == [made["value"]]
        why = logged_panic(snap)
        assert why is not None
        assert why.startswith(f"its stack starts at {made['top_frames'][0]}")
        assert not runtime_panic(snap)
        assert not ended_its_process(snap)


@pytest.mark.parametrize("sample", CRASHES, ids=lambda s: s.id)
def test_every_real_crash_panic_is_the_runtimes(sample: Sample) -> None:
    # Every Go release's panics, re-panics and chains, each of which killed its process
    # (exit code 2 by construction).
    assert sample.manifest["crash"]["exit_code"] != 0
    snap = parse_text(sample.dump.read_text(), str(sample.dump)).snapshots[-1]
    assert logged_panic(snap) is None
    assert ended_its_process(snap)


def test_a_panic_whose_goroutine_the_dump_lacks_is_not_told() -> None:
    # The panicking goroutine's section cut out of a real crash (a paste that lost it):
    # nothing says whose print it was, so no restart is inferred from it.
    text = (SAMPLES / "dumps/go1.27/crashzoo.goroutine-all.txt").read_text()
    head, rest = text.split("\n\ngoroutine 10 ", 1)
    snap = parse_text(head + "\n\n" + rest.split("\n\n", 1)[1]).snapshots[0]
    assert snap.crash is not None
    assert snap.crash.panics
    assert all(g.id != 10 for g in snap.goroutines)
    assert logged_panic(snap) is None
    assert not runtime_panic(snap)
    assert not ended_its_process(snap)


def test_the_report_says_the_panic_was_recovered_and_printed_by_the_program() -> None:
    text = LOGGED.read_text()
    last = LOGGED_PANICS[-1]
    r = analyze_text(text, str(LOGGED))
    said = f"a panic the program recovered and printed itself, not a crash (inferred: its stack starts at {last['top_frames'][0]}"
    assert said in render_text(r)
    md = render_markdown(r)
    assert "## Panic\n" in md
    assert "## Crash" not in md
    assert said in md
    doc = json.loads(render_json(r))
    jsonschema.validate(doc, SCHEMA)
    assert doc["crash"]["logged"] is True
    assert [s["ends_process"] for s in doc["snapshots"]] == [False, False]
    crash = analyze_inputs([str(CRASHES[0].dump)])
    assert "not a crash" not in render_text(crash)
    assert json.loads(render_json(crash))["crash"]["logged"] is False


def test_a_traceback_the_program_printed_is_placed_where_it_panicked() -> None:
    # Both of the log's tracebacks start in the recovering function (at two of its lines);
    # both panics were raised at one line: the place of the cluster, the same in both dumps.
    source = (SAMPLES / "recovered/main.go").read_text().splitlines()
    [raised] = [n for n, line in enumerate(source, 1) if line.endswith("// SAMPLE:recovered")]
    r = analyze_text(LOGGED.read_text(), str(LOGGED))
    [c] = [c for c in r.clusters if c.crashed]
    assert (c.blocked_at.file.endswith("/recovered/main.go"), c.blocked_at.line) == (True, raised)
    assert c.panicked
    assert c.status == "steady"  # the earlier traceback's panic was raised there too
    assert f"panicked at {c.blocked_at.func}" in render_text(r)
    # A runtime crash's goroutine is where it waits, as ever.
    crash = analyze_inputs([str(CRASHES[0].dump)])
    assert not any(c.panicked for c in crash.clusters)
    # In a fleet too: the cluster is placed where it panicked in its source, and says so.
    fleet = analyze_inputs([str(LOGGED), str(CRASHES[0].dump)], fleet=True)
    [held] = [c for c in fleet.clusters if (c.blocked_at.file.endswith("/recovered/main.go"), c.blocked_at.line) == (True, raised)]
    assert held.panicked
    assert f"panicked at {held.blocked_at.func}" in render_text(fleet)


def test_a_dump_after_a_runtime_panic_is_another_processs_and_after_a_logged_one_not(tmp_path: Path) -> None:
    # `gtriage previous.log current.txt`: the crash killed its process, so the dump after
    # it is a restarted one's; after a panic the program recovered and printed, the same
    # process went on.
    r = analyze_inputs(copies_in_order(tmp_path / "crashed", CRASHES[0].dump, LEAKY))
    assert [s.ends_process for s in r.snapshots] == [True, False]
    assert "restarted before the last dump (the one before ended its process)" in render_text(r)
    logged = tmp_path / "one-logged.log"
    logged.write_text(LOGGED.read_text().split("\n\npanic: ")[0] + "\n")
    r = analyze_inputs(copies_in_order(tmp_path / "logged", logged, LEAKY))
    assert [s.ends_process for s in r.snapshots] == [False, False]
    assert "restarted" not in render_text(r)


def test_a_fleet_shows_a_real_crash_first_and_does_not_count_a_logged_panic_as_one() -> None:
    # One kubectl log of two pods (`kubectl logs --prefix`): pod a printed a panic it
    # recovered, pod b crashed. The report's crash is b's; a's is said, as the program's.
    crash = CRASHES[0]
    pods = {"api-a": LOGGED, "api-b": crash.dump}
    log = "".join(f"[pod/{pod}/app] {line}\n" for pod, p in pods.items() for line in p.read_text().splitlines())
    r = analyze_text(log)
    assert r.fleet is not None
    assert [s.name for s in r.fleet] == ["api-a/app", "api-b/app"]
    assert [s.crash_logged is not None for s in r.fleet] == [True, False]
    assert r.crash is r.fleet[1].crash
    assert r.crash_logged is None
    # The crash's goroutine ranks first; the recovered panic's is ranked as any other.
    assert r.clusters[0].crashed
    assert r.clusters[0].blocked_at.line == crash.manifest["crash"]["panic_at"]["line"]
    assert [c.crashed for c in r.clusters].count(True) == 1
    text = render_text(r)
    assert "on api-b/app (1 of 2 sources crashed)" in text
    assert f"also on api-a/app: panic: {LOGGED_PANICS[-1]['value']} (recovered and printed by the program, inferred)" in text
    doc = json.loads(render_json(r))
    jsonschema.validate(doc, SCHEMA)
    assert [s["crash"]["logged"] for s in doc["fleet"]] == [True, False]


HTTP_LOG = SAMPLES / "logged/httppanic.log"
HTTP_MANIFEST = json.loads((SAMPLES / "logged/httppanic.json").read_text())


def test_panics_a_service_logged_are_told_with_their_stacks() -> None:
    """samples/logged/httppanic.log: eight panics, five logged by net/http's server (one
    value of two lines), two by the handler's own log.Printf and one as negroni's
    middleware logs it, each log line before its stack."""
    report = analyze_inputs([str(HTTP_LOG)])
    by_line: dict[int, list[dict[str, object]]] = {}
    for r in HTTP_MANIFEST["requests"]:
        by_line.setdefault(r["line"], []).append(r)
    assert sum(len(c.logged_panics) for c in report.clusters) == len(HTTP_MANIFEST["requests"])
    for line, made in by_line.items():
        # Clustered where it panicked: the line that panicked, whether the panic was
        # recovered by net/http (its frames over it are the standard library's) or by the
        # program's own deferred function, a handler's or a middleware's, over panic().
        [c] = [c for c in report.clusters if (c.blocked_at.file, c.blocked_at.line) == (HTTP_MANIFEST["file"], line)]
        assert [(p.logged_by, p.message) for p in c.logged_panics] == [(r["logged_by"], r["value"]) for r in made]
        assert c.why[0].startswith(f"{len(made)} panic{'s' if len(made) > 1 else ''} the program recovered and logged")
        assert str(made[0]["value"]).replace("\n", " ⏎ ") in c.why[0]  # a value's lines on one line
    # The log line is the one right before each stack's header, or before the lines its
    # value goes on over (an error of two lines, errors.Join's, in the sample).
    lines = HTTP_LOG.read_text().splitlines()
    for c in report.clusters:
        for p in c.logged_panics:
            first, *more = p.message.split("\n")
            assert first in lines[p.line - 1]
            assert lines[p.line : p.line + len(more)] == more
            assert lines[p.line + len(more)].startswith(f"goroutine {p.goroutine} [running]:")
    assert any("\n" in r["value"] for r in HTTP_MANIFEST["requests"])
    out = json.loads(render_json(report))
    jsonschema.validate(out, SCHEMA)
    assert [len(c["logged_panics"]) for c in out["clusters"]] == [len(c.logged_panics) for c in report.clusters]
    # Six events, five goroutines: one connection's goroutine logged twice.
    said = f"{len(HTTP_MANIFEST['requests'])} panics the program recovered and logged"
    assert said in render_text(report).splitlines()[1]
    assert said in render_markdown(report)


def test_only_the_line_right_before_a_header_is_its_panic() -> None:
    text = HTTP_LOG.read_text()
    first, rest = text.split("\n", 1)
    # A blank line between the first log line and its stack: that one is no longer told.
    snap = parse_text(f"{first}\n\n{rest}", "spaced").snapshots[-1]
    whole = parse_text(text, "log").snapshots[-1].logged_panics
    assert [lp.line for lp in snap.logged_panics] == [lp.line + 1 for lp in whole[1:]]


def _logged_events() -> list[str]:
    """The sample's logged events, each its log line and the stack under it."""
    events: list[list[str]] = []
    for line in HTTP_LOG.read_text().splitlines():
        if line.startswith("20"):  # the log package's date starts each event
            events.append([])
        events[-1].append(line)
    return ["\n".join(e) for e in events]


def test_a_goroutine_that_logs_again_is_no_new_dump_and_no_damage() -> None:
    # Two keep-alive connections, each logging twice in turn: ids 36, 37, 36, 37. Printed by
    # the runtime, two repeated ids in a row would start a new dump. The sample's first
    # three panics are in one handler, its fourth in another: 36 logs one stack twice, 37
    # two stacks.
    events = _logged_events()
    made = [re.sub(r"^goroutine \d+ ", f"goroutine {gid} ", e, flags=re.M) for e, gid in zip(events[:4], (36, 37, 36, 37), strict=True)]
    requests = HTTP_MANIFEST["requests"][:4]
    assert [r["line"] for r in requests[:3]] == [requests[0]["line"]] * 3
    assert requests[3]["line"] != requests[0]["line"]
    dump = parse_text("\n".join(made) + "\n", "keepalive")
    assert len(dump.snapshots) == 1
    snap = dump.snapshots[0]
    assert (snap.unparsed_lines, snap.issues) == (0, ())
    assert [lp.goroutine for lp in snap.logged_panics] == [36, 37, 36, 37]
    report = analyze_text("\n".join(made) + "\n")
    assert report.goroutines == 3  # 36 with one stack, 37 with each of two
    # Each panic is told with the stack logged under it, not with every stack of its id.
    for line, values in ((requests[0]["line"], requests[:3]), (requests[3]["line"], requests[3:])):
        [c] = [c for c in report.clusters if any(f.file == HTTP_MANIFEST["file"] and f.line == line for f in c.frames)]
        assert [p.message for p in c.logged_panics] == [r["value"] for r in values]
        assert sorted(set(c.goroutine_ids)) == sorted({p.goroutine for p in c.logged_panics})


def test_a_fleets_logged_panics_name_their_source(tmp_path: Path) -> None:
    # The same service's log from two pods: each cluster holds both pods' panics, each named
    # by its pod (goroutine ids repeat from pod to pod).
    pods = copies_in_order(tmp_path, HTTP_LOG, HTTP_LOG)
    one = analyze_inputs([str(HTTP_LOG)])
    fleet = analyze_inputs(pods, fleet=True)
    names = [s.name for s in fleet.fleet or ()]
    assert len(names) == 2
    alone = {(c.blocked_at.func, c.blocked_at.line): c.logged_panics for c in one.clusters}
    for c in fleet.clusters:
        mine = alone[(c.blocked_at.func, c.blocked_at.line)]
        assert [(p.source, p.goroutine, p.message) for p in c.logged_panics] == [
            (name, p.goroutine, p.message) for name in names for p in mine
        ]
        assert "running in the program's own code" not in c.why
    jsonschema.validate(json.loads(render_json(fleet)), SCHEMA)


def test_running_is_not_said_of_stacks_taken_as_a_panic_was_recovered() -> None:
    # debug.Stack prints "[running]" for the goroutine that takes it: where every goroutine
    # of a cluster logged its stack with a panic, "running in the program's own code" would
    # say something the log does not. The same stack once without its log line keeps it.
    first = _logged_events()[0]
    without = re.sub(r"^goroutine \d+ ", "goroutine 777 ", first.split("\n", 1)[1], flags=re.M)
    logged_only = analyze_text(first + "\n").clusters[0]
    mixed = analyze_text(first + "\n" + without + "\n").clusters[0]
    assert (logged_only.count, mixed.count) == (1, 2)
    assert "running in the program's own code" not in logged_only.why
    assert "running in the program's own code" in mixed.why
    assert logged_only.why[0].startswith("1 panic the program recovered and logged")
    assert mixed.why[0].startswith("1 panic the program recovered and logged")


def test_a_huge_logged_value_is_kept_bounded() -> None:
    first = _logged_events()[0]
    line, stack = first.split("\n", 1)
    huge = line + " " + "x" * 100_000
    report = analyze_text(huge + "\n" + stack + "\n")
    [p] = report.clusters[0].logged_panics
    assert p.message.startswith("assignment to entry in nil map x")
    assert 1000 < len(p.message) < 2000
    assert len(report.clusters[0].why[0]) < 400


def test_logged_panics_read_the_same_through_kubectl_timestamps_and_docker(tmp_path: Path) -> None:
    # `kubectl logs --timestamps` puts RFC 3339 nanosecond times before every line (the
    # program's own log prefix stays); docker's json-file has a JSON record a line.
    lines = HTTP_LOG.read_text().splitlines()
    kubectl = tmp_path / "kubectl.log"
    kubectl.write_text("".join(f"2026-12-01T14:53:07.{123456789 + i * 1000}Z {line}\n" for i, line in enumerate(lines)))
    docker = tmp_path / "docker.log"
    docker.write_text("".join(json.dumps({"log": line + "\n", "stream": "stdout", "time": f"2026-12-01T14:53:07.{i:09d}Z"}) + "\n"
                              for i, line in enumerate(lines)))  # fmt: skip
    plain = [(p.line, p.logged_by, p.message) for c in analyze_inputs([str(HTTP_LOG)]).clusters for p in c.logged_panics]
    for wrapped in (kubectl, docker):
        got = [(p.line, p.logged_by, p.message) for c in analyze_inputs([str(wrapped)]).clusters for p in c.logged_panics]
        assert got == plain, wrapped.name


@pytest.mark.parametrize("label", ["PANIC RECOVER", "\x1b[31mPANIC RECOVER\x1b[0m"], ids=["plain", "coloured"])
def test_echos_recovered_panics_are_told_with_their_glued_stacks(label: str) -> None:
    # echo's Recover middleware: Printf("[%s] %s %s", color.Red("PANIC RECOVER"), err, stack):
    # the value, a space, then the stack runtime.Stack took, glued on the same line.
    events = _logged_events()
    stacks = [e.split("\n", 1)[1] for e in events[:4]]
    values = [r["value"] for r in HTTP_MANIFEST["requests"][:4]]
    text = "".join(f"2026/12/01 14:53:07 [{label}] {v} {s}\n" for v, s in zip(values, stacks, strict=True))
    report = analyze_text(text)
    got = [(p.logged_by, p.message) for c in report.clusters for p in c.logged_panics]
    assert sorted(got) == sorted(("echo", v) for v in values)
    assert report.unparsed_lines == 0
