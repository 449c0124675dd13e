#!/usr/bin/env python3
"""Capture real Go dumps carried inside JSON logs into ``samples/wrapped/``.

Usage::

    python samples/carriers.py --go 1.27=/path/to/go [--go 1.21=/path/to/go]

or, from ``capture.py``, :func:`capture_carriers`. The Go programs are the
module ``samples/carriers`` (``example.com/carriers``, standard library only):

* ``gotest/{alpha,beta,crash}``: ``go test -json -p 4 -parallel 4 ./...`` where
  ``crash`` panics, hangs past ``-timeout`` or races (``$CARRIERS_CASE``) while
  ``alpha`` and ``beta`` print lines around that moment, so that go test
  interleaves their events with the dump's (``internal/moment``).
* ``cmd/crashapp``: a service that logs and panics; its stdout and stderr,
  read line by line as Docker's log copier does, become Docker ``json-file``
  lines (``cmd/dockerlog``, encoding/json) and, two runs of it, a Pod's
  termination messages (``cmd/podstatus``, the kubelet's 80-line/2048-byte
  tail, ``json.MarshalIndent`` as kubectl prints).
* ``cmd/slogapp``: ``log/slog`` JSON lines whose ``stack`` attributes hold
  ``debug.Stack()`` and ``runtime.Stack(buf, true)``.

Every program records, by construction, which goroutines it parked where
(``internal/park``), so each sample gets a manifest like the other wrapped
samples, plus ``wrapper``, ``source``, ``how`` and ``carrier`` (where in the
JSON the dump sits). The capturing machine's source directory and GOROOT are
replaced by ``/home/gopher/samples`` and ``/usr/local/go`` in the carried text.

It installs nothing, uses only the toolchains given, opens no socket, signals
only processes it started and has timeouts everywhere. Standard library only.
"""

from __future__ import annotations

import argparse
import fnmatch
import functools
import itertools
import json
import os
import shlex
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import capture as cap

SAMPLES = cap.SAMPLES
CARRIERS = SAMPLES / "carriers"
NEUTRAL_SAMPLES = cap.NEUTRAL_SAMPLES
NEUTRAL_GOROOT = cap.NEUTRAL_GOROOT
MODULE = "example.com/carriers"
CRASH_PACKAGE = f"{MODULE}/gotest/crash"
TALKERS = [f"{MODULE}/gotest/alpha", f"{MODULE}/gotest/beta"]

# go test -json is captured with these versions (test2json changed between them).
GOTEST_VERSIONS = ("go1.21", "go1.27")
# GOMAXPROCS=1 only for the test binaries (reproducible goroutine ids), not for
# the go command, whose converters must run side by side to interleave events.
GOTEST_FLAGS = ["-exec", "env GOMAXPROCS=1", "-json", "-p", "4", "-parallel", "4", "-count=1"]
GOTEST_CASES: dict[str, dict[str, Any]] = {
    "panic": {"test": "TestPanic", "env": {"GOTRACEBACK": "all"}, "flags": []},
    "timeout": {"test": "TestHang", "env": {}, "flags": ["-timeout", "4s"]},
    "race": {"test": "TestRace", "env": {}, "flags": ["-race"]},
}
GOTEST_TRIES = 40  # runs until the dump is split by other packages' events
MIN_PIECES = 4  # ... into at least this many pieces

TIMEOUT_BUILD = 300.0
TIMEOUT_RUN = 60.0
TIMEOUT_GOTEST = 180.0
MAX_SAMPLE = 200 * 1024


# --------------------------------------------------------------------------- helpers


def toolchains(go_by_version: dict[str, Any]) -> dict[str, cap.Toolchain]:
    """``{"1.27": path}`` (or ``"go1.27"``, or Toolchain values) -> ``{"go1.27": Toolchain}``."""
    out = {}
    for want, go in go_by_version.items():
        tc = go if isinstance(go, cap.Toolchain) else cap.find_toolchain(go)
        if tc.dirname != "go" + str(want).removeprefix("go"):
            raise ValueError(f"{tc.go} is {tc.version}, not {want}")
        out[tc.dirname] = tc
    return out


def goroot(tc: cap.Toolchain) -> str:
    proc = subprocess.run(
        [str(tc.go), "env", "GOROOT"],
        env=tc.env(),
        capture_output=True,
        text=True,
        timeout=TIMEOUT_RUN,
        check=True,
    )
    return proc.stdout.strip()


def neutral(text: str, goroots: list[str]) -> str:
    """This machine's samples/ dir and GOROOT -> /home/gopher/samples and /usr/local/go."""
    return cap.neutral_paths(text, goroots)


def _map_strings(value: Any, f: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return f(value)
    if isinstance(value, list):
        return [_map_strings(v, f) for v in value]
    if isinstance(value, dict):
        return {f(k): _map_strings(v, f) for k, v in value.items()}
    return value


def neutral_json_lines(text: str, goroots: list[str]) -> str:
    """Make the paths inside JSON lines a Go program encoded neutral, keeping its bytes otherwise.

    The paths hold no character JSON escapes, so replacing them in the encoded
    text is replacing them in the decoded strings; this is checked line by line.
    """
    out = neutral(text, goroots)
    for before, after in zip(text.splitlines(), out.splitlines(), strict=True):
        if json.loads(after) != _map_strings(json.loads(before), lambda s: neutral(s, goroots)):
            raise RuntimeError(f"path replacement changed more than the paths in {before[:200]!r}")
    return out


def build(tc: cap.Toolchain, pkg: str, dest: Path) -> Path:
    out = dest / (Path(pkg).name + "-" + tc.dirname)
    cmd = [str(tc.go), "build", "-o", str(out), pkg]
    proc = subprocess.run(
        cmd, cwd=CARRIERS, env=tc.env(), capture_output=True, text=True, timeout=TIMEOUT_BUILD
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{proc.stderr}")
    return out


def markers(*dirs: str) -> dict[str, tuple[str, int]]:
    """``// SAMPLE:<key>`` markers of the given carriers/ subdirectories: key -> (path under samples/, line)."""
    found: dict[str, tuple[str, int]] = {}
    for d in dirs:
        for path in sorted((CARRIERS / d).glob("*.go")):
            for lineno, line in enumerate(path.read_text().splitlines(), 1):
                for key in cap.MARKER_RE.findall(line):
                    if key in found:
                        raise ValueError(f"duplicate marker {key} in {path}")
                    found[key] = (str(path.relative_to(SAMPLES)), lineno)
    return found


def records(path: Path) -> list[dict[str, Any]]:
    return cap.parse_manifest_lines(path.read_text()) if path.exists() else []


def group(raw: dict[str, Any], tc: cap.Toolchain, marks: dict[str, tuple[str, int]]) -> dict[str, Any]:
    rel, line = marks[raw["key"]]
    ids = sorted(raw["ids"])
    return {
        "key": raw["key"],
        "ids": ids,
        "count": len(ids),
        "wait": raw["block"],
        "state": cap.expected_state(raw["block"], tc.minor),
        "blocked_at": {"file": Path(rel).name, "line": line, "func": raw["func"]},
        "created_by": raw.get("created_by"),
        "created_in_goroutine": raw.get("created_in"),
        "locked_to_thread": 0,
        "labels": None,
        "min_minutes": 0,
        "leaked": 0,
    }


def crash(
    raw: dict[str, Any],
    tc: cap.Toolchain,
    marks: dict[str, tuple[str, int]],
    exit_code: int,
    at: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The manifest's crash; ``at`` is the record of the marked line when the crash record names none."""
    rel, line = marks[(at or raw)["key"]]
    func = (at or raw).get("func")
    return {
        "scenario": raw["key"],
        "panics": cap.crash_panics(raw.get("panics", []), tc),
        "fatal_error": None,
        "signal": None,
        "goroutine": raw.get("goroutine") or None,
        "panic_at": {"file": Path(rel).name, "line": line, "func": func or None},
        "exit_code": exit_code,
    }


def manifest(
    tc: cap.Toolchain,
    name: str,
    fmt: str,
    env: dict[str, str],
    flags: list[str],
    marks: dict[str, tuple[str, int]],
    **extra: Any,
) -> dict[str, Any]:
    m = cap.base_manifest("carriers", tc, name, fmt, env, flags)
    m["dump"] = f"{name}.txt"
    m["marker_lines"] = {k: f"{r}:{n}" for k, (r, n) in sorted(marks.items())}
    m.update(extra)
    return m


def write(wrapped: Path, m: dict[str, Any], text: str, goroots: list[str]) -> Path:
    """Check size and paths, then write the pair (write_pair checks the manifest)."""
    size = len(text.encode())
    if size > MAX_SAMPLE:
        raise RuntimeError(f"{m['dump']} is {size} bytes, over {MAX_SAMPLE}")
    left = [p for p in [str(SAMPLES), *goroots, tempfile.gettempdir() + "/"] if p in text]
    if left:
        raise RuntimeError(f"{m['dump']} still holds {left}")
    return cap.write_pair(wrapped, m, text, goroots)


# --------------------------------------------------------------------------- go test -json


def dump_pieces(events: list[dict[str, Any]], package: str, race: bool) -> int:
    """Into how many pieces other packages' events cut the dump's run of events."""
    mine = [i for i, e in enumerate(events) if e.get("Package") == package and e.get("Action") == "output"]
    out = {i: events[i]["Output"] for i in mine}
    start = next(i for i in mine if out[i].startswith("panic: ") or out[i] == "WARNING: DATA RACE\n")
    if race:
        end = max(i for i in mine if out[i] == "==================\n")
    else:
        end = max(i for i in mine if i > start and not out[i].startswith(("FAIL", "exit status", "ok ")))
    inside = [events[i].get("Package") == package for i in range(start, end + 1)]
    return 1 + sum(1 for a, b in itertools.pairwise(inside) if not a and b)


def capture_gotest(tc: cap.Toolchain, case: str, wrapped: Path, tmp: Path, name: str) -> Path:
    spec = GOTEST_CASES[case]
    race = case == "race"
    env_extra = {"CARRIERS_CASE": case, **spec["env"]}
    sync, man = tmp / f"{case}.moment", tmp / f"{case}.manifest"
    env = tc.env(cgo=race, extra={**env_extra, "CARRIERS_SYNC": str(sync), "CARRIERS_MANIFEST": str(man)})
    warm = [str(tc.go), "test", "-count=1", "-run", "^$", *spec["flags"], "./..."]
    subprocess.run(warm, cwd=CARRIERS, env=env, capture_output=True, timeout=TIMEOUT_BUILD, check=True)
    cmd = [str(tc.go), "test", *GOTEST_FLAGS, *spec["flags"], "./..."]
    for attempt in range(1, GOTEST_TRIES + 1):
        sync.unlink(missing_ok=True)
        man.unlink(missing_ok=True)
        proc = subprocess.run(
            cmd, cwd=CARRIERS, env=env, capture_output=True, timeout=TIMEOUT_GOTEST, preexec_fn=cap.no_core
        )
        text = proc.stdout.decode()
        events = [json.loads(line) for line in text.splitlines()]
        pieces = dump_pieces(events, CRASH_PACKAGE, race)
        print(f"  [{tc.version}] gotest {case} attempt {attempt}: dump in {pieces} pieces", flush=True)
        if pieces >= MIN_PIECES:
            break
    else:
        raise RuntimeError(f"go test -json {case}: the dump was never interleaved with other events")
    goroots = [goroot(tc)]
    text = neutral_json_lines(text, goroots)
    marks = markers("gotest/crash")
    raws = records(man)
    shown = case != "race"  # a race report shows no goroutine dump
    groups = [group(r, tc, marks) for r in raws if r["kind"] == "group" and shown]
    binary_env = {**env_extra, "GOMAXPROCS": "1"}  # GOMAXPROCS through -exec
    m = manifest(tc, name, "race" if race else "traceback", binary_env, spec["flags"], marks, groups=groups)
    m["exit_code"] = proc.returncode
    crash_raw = next((r for r in raws if r["kind"] == "crash"), None)
    if crash_raw:
        # A timeout panics in the testing package's alarm: the test's own line is where it hung.
        hung = next((r for r in raws if r["key"] == "gotest-hang"), None) if case == "timeout" else None
        m["crash"] = crash(crash_raw, tc, marks, proc.returncode, hung)
    m["races"] = [
        {
            side: {"op": r[side]["op"], "at": cap.where(marks, r[side]["key"], r[side]["func"])}
            for side in ("access", "previous")
        }
        for r in raws
        if r["kind"] == "race"
    ]
    if race and not m["races"]:
        raise RuntimeError("the race test recorded no race")
    cmdline = shlex.join(["go", "test", *GOTEST_FLAGS, *spec["flags"], "./..."])
    envline = " ".join(f"{k}={v}" for k, v in sorted(env_extra.items()))
    m.update(
        wrapper="gotest-json",
        source="carriers/gotest/crash",
        how=(
            f"cd samples/carriers && {envline} {cmdline} with {tc.version} (CGO_ENABLED={int(race)}); "
            "its stdout exactly as go test wrote it (test2json events of packages alpha, beta and crash, "
            f"run at once). crash's {spec['test']} announces the moment it will dump (internal/moment) and "
            "alpha's and beta's parallel subtests print a line every 250 us from 2 ms before to 8 ms after "
            f"it, so that their events fall between the dump's (on a {os.cpu_count()}-CPU machine; the go command itself "
            "ran with all CPUs, the test binaries with GOMAXPROCS=1 through -exec); "
            f"run until the dump came in >= {MIN_PIECES} pieces (attempt "
            f"{attempt}: {pieces} pieces). Then the source dir and GOROOT inside the JSON strings were "
            f"replaced by {NEUTRAL_SAMPLES} and {NEUTRAL_GOROOT}."
        ),
        carrier={
            "field": "Output",
            "package": CRASH_PACKAGE,
            "test": spec["test"],
            "others": TALKERS,
            "pieces": pieces,
        },
    )
    return write(wrapped, m, text, goroots)


# --------------------------------------------------------------------------- docker json-file


def run_copied(binary: Path, env: dict[str, str]) -> tuple[list[tuple[str, int, str]], int, int, int]:
    """Run binary, reading stdout and stderr line by line as Docker's copier does.

    Returns the lines as (stream, Unix ns when read, text without newline) in
    the order read, the exit code, and the start and end times (Unix ns).
    """
    lines: list[tuple[str, int, str]] = []
    lock = threading.Lock()
    start = time.time_ns()
    proc = subprocess.Popen(
        [str(binary)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        preexec_fn=cap.no_core,
    )

    def pump(stream: str, f: Any) -> None:
        for raw in f:
            line = raw.decode()
            if not line.endswith("\n"):
                raise RuntimeError(f"{binary.name}: unterminated last line {line!r}")
            with lock:
                lines.append((stream, time.time_ns(), line[:-1]))

    threads = [
        threading.Thread(target=pump, args=(s, f), daemon=True)
        for s, f in (("stdout", proc.stdout), ("stderr", proc.stderr))
    ]
    for t in threads:
        t.start()
    try:
        code = proc.wait(timeout=TIMEOUT_RUN)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=TIMEOUT_RUN)
    for t in threads:
        t.join(timeout=TIMEOUT_RUN)
    return lines, code, start, time.time_ns()


def app_manifest(
    tc: cap.Toolchain, name: str, raws: list[dict[str, Any]], code: int, env: dict[str, str]
) -> dict[str, Any]:
    marks = markers("cmd/crashapp")
    groups = [group(r, tc, marks) for r in raws if r["kind"] == "group"]
    m = manifest(tc, name, "traceback", env, [], marks, groups=groups)
    m["crash"] = crash(next(r for r in raws if r["kind"] == "crash"), tc, marks, code)
    return m


def capture_docker(tc: cap.Toolchain, wrapped: Path, tmp: Path) -> Path:
    app, encoder = build(tc, "./cmd/crashapp", tmp), build(tc, "./cmd/dockerlog", tmp)
    man = tmp / "crashapp.manifest"
    man.unlink(missing_ok=True)
    env_extra = {"GOMAXPROCS": "1", "GOTRACEBACK": "all"}
    lines, code, _, _ = run_copied(app, tc.env(extra={**env_extra, "CARRIERS_MANIFEST": str(man)}))
    goroots = [goroot(tc)]
    feed = "".join(f"{stream}\t{ns}\t{neutral(text, goroots)}\n" for stream, ns, text in lines)
    proc = subprocess.run(
        [str(encoder)], input=feed.encode(), capture_output=True, timeout=TIMEOUT_RUN, check=True
    )
    m = app_manifest(tc, "docker-jsonfile", records(man), code, env_extra)
    m.update(
        wrapper="docker-jsonfile",
        source="carriers/cmd/crashapp",
        how=(
            f"carriers/cmd/crashapp built with {tc.version}, run with GOMAXPROCS=1 GOTRACEBACK=all; its stdout "
            "and stderr read line by line as they came (as Docker's log copier reads a container's streams), "
            f"each line stamped with the time it was read; source dir and GOROOT replaced by {NEUTRAL_SAMPLES} "
            f"and {NEUTRAL_GOROOT}; then each line encoded by carriers/cmd/dockerlog with encoding/json as "
            '{"log":"<line>\\n","stream":"stdout|stderr","time":"<RFC 3339 nano, UTC>"} plus a newline, '
            "which is byte for byte what Docker's json-file driver writes (HTML characters escaped as \\u003c "
            "\\u003e \\u0026, fraction of seconds without trailing zeros)."
        ),
        carrier={
            "field": "log",
            "stream": "stderr",
            "app_lines": sum(1 for s, _, _ in lines if s == "stdout"),
        },
    )
    return write(wrapped, m, proc.stdout.decode(), goroots)


# --------------------------------------------------------------------------- kubectl get pod -o json

POD_FIELDS = ("state", "lastState")


def header_kept(message: str, cut_at_line_start: bool, goid: int) -> bool:
    """Whether goroutine goid's record is wholly in a message that is the end of a dump."""
    head = f"goroutine {goid} ["
    return f"\n{head}" in message or (cut_at_line_start and message.startswith(head))


def capture_k8s(tc: cap.Toolchain, wrapped: Path, tmp: Path) -> Path:
    app, encoder = build(tc, "./cmd/crashapp", tmp), build(tc, "./cmd/podstatus", tmp)
    env_extra = {"GOMAXPROCS": "1", "GOTRACEBACK": "all"}
    goroots = [goroot(tc)]
    runs = []
    for i in range(2):  # the previous run (lastState), then the last one (state)
        man = tmp / f"k8s{i}.manifest"
        man.unlink(missing_ok=True)
        lines, code, start, end = run_copied(app, tc.env(extra={**env_extra, "CARRIERS_MANIFEST": str(man)}))
        log = "".join(neutral(text, goroots) + "\n" for _, _, text in lines)
        (tmp / f"k8s{i}.log").write_text(log)
        runs.append((log, code, start, end, records(man)))
        time.sleep(1.0)
    (prev, _, p0, p1, _), (cur, code, c0, c1, raws) = runs
    cmd = [
        str(encoder),
        f"-prev-log={tmp / 'k8s0.log'}",
        f"-prev-start={p0}",
        f"-prev-end={p1}",
        f"-log={tmp / 'k8s1.log'}",
        f"-start={c0}",
        f"-end={c1}",
    ]
    out = subprocess.run(cmd, capture_output=True, timeout=TIMEOUT_RUN, check=True).stdout.decode()
    status = json.loads(out)["status"]["containerStatuses"][0]
    messages = {k: status[k]["terminated"]["message"] for k in POD_FIELDS}
    logs = {"state": cur, "lastState": prev}
    kept_from = {}
    for k, msg in messages.items():
        if not logs[k].endswith(msg):
            raise RuntimeError(f"{k} message is not the end of its log")
        kept_from[k] = len(logs[k]) - len(msg)
    m = app_manifest(tc, "k8s-pod-status", raws, code, env_extra)
    m["crash"] = None  # the panic line is at the start of the dump: cut off
    for g in m["groups"]:
        g["ids"] = [
            i
            for i in g["ids"]
            if all(
                header_kept(messages[k], logs[k][kept_from[k] - 1 : kept_from[k]] in ("", "\n"), i)
                for k in POD_FIELDS
            )
        ]
        g["count"] = len(g["ids"])
    m["groups"] = [g for g in m["groups"] if g["ids"]]
    parts = [f"status.containerStatuses[0].{k}.terminated.message" for k in POD_FIELDS]
    if not m["groups"]:
        raise RuntimeError("no goroutine is wholly inside the termination messages")
    m.update(
        wrapper="k8s-pod-status",
        source="carriers/cmd/crashapp",
        parts=parts,
        cut_head=True,
        kept_from=kept_from,
        how=(
            f"carriers/cmd/crashapp built with {tc.version} and run twice with GOMAXPROCS=1 GOTRACEBACK=all "
            "(stdout and stderr lines in the order read, as the container log); source dir and GOROOT replaced "
            f"by {NEUTRAL_SAMPLES} and {NEUTRAL_GOROOT}; then carriers/cmd/podstatus made the Pod: each run's "
            "termination message is what the kubelet keeps under terminationMessagePolicy FallbackToLogsOnError "
            "(the last 80 lines of the log, then the last 2048 bytes of those), the first run as lastState, "
            "the second as state; printed with encoding/json MarshalIndent and 4 spaces over unstructured maps "
            "(keys sorted, HTML characters escaped) plus a newline, as kubectl get pod -o json prints. Names, "
            "uids, IPs and image digests are made up. groups list only goroutines whose record is wholly inside "
            "both messages; kept_from is the byte offset in each run's log where its message starts."
        ),
        carrier={"fields": parts, "tail": {"lines": 80, "bytes": 2048}},
    )
    return write(wrapped, m, out, goroots)


# --------------------------------------------------------------------------- log/slog


def capture_slog(tc: cap.Toolchain, wrapped: Path, tmp: Path) -> Path:
    app = build(tc, "./cmd/slogapp", tmp)
    man = tmp / "slogapp.manifest"
    man.unlink(missing_ok=True)
    env_extra = {"GOMAXPROCS": "1"}
    proc = subprocess.run(
        [str(app)],
        env=tc.env(extra={**env_extra, "CARRIERS_MANIFEST": str(man)}),
        capture_output=True,
        timeout=TIMEOUT_RUN,
        check=True,
    )
    goroots = [goroot(tc)]
    text = neutral_json_lines(proc.stderr.decode(), goroots)
    marks = markers("cmd/slogapp")
    m = manifest(
        tc,
        "slog-json",
        "mixed",
        env_extra,
        [],
        marks,
        groups=[group(r, tc, marks) for r in records(man) if r["kind"] == "group"],
    )
    stacks = [r["msg"] for r in map(json.loads, text.splitlines()) if "stack" in r]
    rel, line = marks["slog-panic"]
    m.update(
        wrapper="slog-json",
        source="carriers/cmd/slogapp",
        parts=[f'"stack" of the record "{msg}"' for msg in stacks],
        how=(
            f"carriers/cmd/slogapp built with {tc.version} and run with GOMAXPROCS=1; its stderr as written by "
            "slog.New(slog.NewJSONHandler(os.Stderr, nil)): one JSON object a line; the record of a recovered "
            'panic carries "stack" = string(debug.Stack()) (goroutine 1 only, no "panic:" line), a later '
            'watchdog record "stack" = runtime.Stack(buf, true) (every goroutine). Source dir and GOROOT inside '
            f"the JSON strings replaced by {NEUTRAL_SAMPLES} and {NEUTRAL_GOROOT}."
        ),
        carrier={
            "field": "stack",
            "records": stacks,
            "recovered_panic": {
                "message": "no route for /v2/orders?id=9&expand=<all>",
                "goroutine": 1,
                "at": {"file": Path(rel).name, "line": line, "func": "main.lookup"},
            },
        },
    )
    return write(wrapped, m, text, goroots)


# --------------------------------------------------------------------------- entry points


def capture_carriers(
    go_by_version: dict[str, Any], dumps_dir: Path, wrapped_dir: Path, only: set[str] | None = None
) -> list[Path]:
    """Capture every carried sample into wrapped_dir; return the manifest paths.

    go_by_version maps "1.27" (or "go1.27") to a go binary or Toolchain. The
    go test samples are taken with each version of GOTEST_VERSIONS given (the
    newest plain, older ones suffixed "-go1.XX"); the others with the newest
    version. dumps_dir is not read: every carrier runs its own program.
    only limits the samples to those whose name matches one of its shell patterns.
    """
    del dumps_dir
    tcs = toolchains(go_by_version)
    if not tcs:
        return []
    newest = max(tcs.values(), key=lambda t: t.minor)
    jobs: list[tuple[str, cap.Toolchain, Callable[[Path], Path]]] = []
    for v in GOTEST_VERSIONS:
        for case in GOTEST_CASES if v in tcs else ():
            name = f"gotest-json-{case}" + ("" if tcs[v] is newest else f"-{v}")
            jobs.append(
                (name, tcs[v], functools.partial(capture_gotest, tcs[v], case, wrapped_dir, name=name))
            )
    for name, what in (
        ("docker-jsonfile", capture_docker),
        ("slog-json", capture_slog),
        ("k8s-pod-status", capture_k8s),
    ):
        jobs.append((name, newest, functools.partial(what, newest, wrapped_dir)))
    made = []
    with tempfile.TemporaryDirectory(prefix="gtriage-carriers-") as tmpdir:
        for name, tc, job in jobs:
            if only and not any(fnmatch.fnmatchcase(name, pattern) for pattern in only):
                continue
            print(f"[{tc.version}] {name}", flush=True)
            made.append(job(Path(tmpdir)))
    return made


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--go", action="append", required=True, metavar="VER=PATH", help="e.g. 1.27=/x/bin/go")
    ap.add_argument("--out", type=Path, default=SAMPLES / "wrapped")
    ap.add_argument("--only", action="append", help="sample names, shell patterns (default: all)")
    args = ap.parse_args(argv)
    gos = dict(spec.split("=", 1) for spec in args.go)
    for path in capture_carriers(gos, SAMPLES / "dumps", args.out, set(args.only or [])):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
