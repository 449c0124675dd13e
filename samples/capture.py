#!/usr/bin/env python3
"""Capture the real goroutine-dump sample corpus under ``samples/``.

Usage::

    python samples/capture.py --go 1.25=/path/to/go --go 1.19=/usr/lib/go-1.19/bin/go \
        [--only leaky] [--out samples/dumps] [--no-slow] [--no-wrapped]

For every toolchain given it builds the three sample programs (``leaky``,
``crashzoo``, ``race``) into a temporary directory, runs them, captures their
goroutine dumps and writes ``<out>/go<X.Y>/<program>.<kind>.txt`` plus a
manifest ``<program>.<kind>.json`` describing, by construction, what the dump
must contain.  It then derives ``samples/wrapped/``, ``samples/demo.txt`` and
the table in ``samples/README.md``.

It installs nothing, uses only the toolchains it is given, talks only to
127.0.0.1, signals only processes it started, kills them at the end and has
timeouts everywhere.  Python 3.11, standard library only.

Importable API (used by ``tests/samples``):

* :func:`find_toolchain` -- describe a ``go`` binary (:class:`Toolchain`).
* :func:`build` -- build one program with one toolchain.
* :func:`capture_leaky(go, out, kind)` -- build and capture one leaky dump,
  write ``leaky.<kind>.txt``/``.json`` into ``out`` and return the manifest path.
* :func:`check_manifest(manifest, text)` -- plain string checks of a dump
  against its manifest; returns a list of problems (empty when it matches).
* :func:`expected_state(block, version)` -- the wait-reason table.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import os
import queue
import re
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

SAMPLES = Path(__file__).resolve().parent
PROGRAMS = ("leaky", "crashzoo", "race")
MARKER_RE = re.compile(r"//\s*SAMPLE:([A-Za-z0-9_-]+)")

# Wait reasons by block kind and Go version: (first version, state string).
# Source: src/runtime/runtime2.go, waitReasonStrings, in each release.  Go 1.19
# parks every sync primitive on a semaphore with waitReasonSemacquire; Go 1.20
# added waitReasonSyncMutexLock, waitReasonSyncRWMutexRLock and
# waitReasonSyncRWMutexLock; Go 1.24 added waitReasonSyncWaitGroupWait.
# sync.Cond has used waitReasonSyncCondWait ("sync.Cond.Wait") since Go 1.13.
# A goroutine inside a blocking read(2) is not _Gwaiting but _Gsyscall, whose
# gStatusStrings entry is "syscall".  Every entry was checked against real
# captures with each toolchain (check_manifest fails the capture otherwise).
STATE_TABLE: dict[str, list[tuple[tuple[int, int], str]]] = {
    "chan-recv": [((1, 0), "chan receive")],
    "chan-send": [((1, 0), "chan send")],
    "nil-chan-recv": [((1, 0), "chan receive (nil chan)")],
    "nil-chan-send": [((1, 0), "chan send (nil chan)")],
    "select": [((1, 0), "select")],
    "select-nocases": [((1, 0), "select (no cases)")],
    "mutex": [((1, 0), "semacquire"), ((1, 20), "sync.Mutex.Lock")],
    "rwmutex-rlock": [((1, 0), "semacquire"), ((1, 20), "sync.RWMutex.RLock")],
    "rwmutex-lock": [((1, 0), "semacquire"), ((1, 20), "sync.RWMutex.Lock")],
    "waitgroup": [((1, 0), "semacquire"), ((1, 24), "sync.WaitGroup.Wait")],
    "cond": [((1, 0), "sync.Cond.Wait")],
    "sleep": [((1, 0), "sleep")],
    "io-wait": [((1, 0), "IO wait")],
    "syscall": [((1, 0), "syscall")],
}

# Leaky capture kinds: how each one is taken.
LEAKY_KINDS: dict[str, dict[str, Any]] = {
    "debug2": {"how": "debug2"},
    "debug1": {"how": "debug1"},
    "sigquit-all": {"how": "sigquit", "env": {"GOTRACEBACK": "all"}},
    "sigquit-system": {"how": "sigquit", "env": {"GOTRACEBACK": "system"}},
    "sigquit-crash": {"how": "sigquit", "env": {"GOTRACEBACK": "crash"}},
    "ancestors": {"how": "debug2", "env": {"GODEBUG": "tracebackancestors=5"}},
    "trimpath": {"how": "debug2", "flags": ["-trimpath"]},
    "minutes": {"how": "debug2", "wait": 62.0, "versions": [(1, 19), (1, 23), (1, 27)]},
    "labels": {"how": "debug2", "env": {"GODEBUG": "tracebacklabels=1"}, "min": (1, 26)},
    "labels-sigquit": {
        "how": "sigquit",
        "env": {"GODEBUG": "tracebacklabels=1", "GOTRACEBACK": "all"},
        "min": (1, 26),
    },
    # Go 1.26 has the goroutineleak profile only behind GOEXPERIMENT; 1.27 always.
    "leaked": {
        "how": "debug2",
        "leakprofile": True,
        "env": {"GODEBUG": "tracebacklabels=1"},
        "min": (1, 26),
        "build_env": {"go1.26": {"GOEXPERIMENT": "goroutineleakprofile"}},
    },
}
SLOW_KINDS = {"minutes"}

CRASH_SCENARIOS = (
    "nilmap", "index", "nilptr", "customerr", "goroutine", "repanic-new", "repanic-same",
    "multiline", "deadlock", "mapwrites", "stackoverflow", "testtimeout",
)  # fmt: skip

TIMEOUT_BUILD = 300.0
TIMEOUT_START = 60.0
TIMEOUT_HTTP = 30.0
TIMEOUT_EXIT = 60.0
MAX_FILE = 2 * 1024 * 1024


# --------------------------------------------------------------------------- toolchains


@dataclass(frozen=True)
class Toolchain:
    """A Go toolchain: its ``go`` binary and ``go version`` (e.g. ``go1.25.5``)."""

    go: Path
    version: str
    goroot: str = ""  # ``go env GOROOT``: the root its standard-library frames name

    @property
    def minor(self) -> tuple[int, int]:
        return version_tuple(self.version)

    @property
    def dirname(self) -> str:
        major, minor = self.minor
        return f"go{major}.{minor}"

    def env(self, cgo: bool = False, extra: dict[str, str] | None = None) -> dict[str, str]:
        """A clean environment for the go command and the programs it builds."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("GO") and k != "CGO_ENABLED"}
        cache = Path(tempfile.gettempdir()) / "gtriage-samples" / self.version
        env.update(
            GOTOOLCHAIN="local",
            GOPROXY="off",
            GOFLAGS="-mod=mod",
            GOCACHE=str(cache / "cache"),
            GOPATH=str(cache / "path"),
            GOTELEMETRY="off",
            CGO_ENABLED="1" if cgo else "0",
        )
        env.update(extra or {})
        return env


def version_tuple(version: str) -> tuple[int, int]:
    m = re.match(r"go(\d+)\.(\d+)", version)
    if not m:
        raise ValueError(f"not a Go version: {version!r}")
    return int(m.group(1)), int(m.group(2))


def find_toolchain(go: Path | str) -> Toolchain:
    """Run ``go version`` and describe the toolchain."""
    go = Path(go)
    env = {k: v for k, v in os.environ.items() if not k.startswith("GO")}
    env["GOTOOLCHAIN"] = "local"
    out = subprocess.run(
        [str(go), "version"], capture_output=True, text=True, timeout=60, env=env, check=True
    )
    m = re.search(r"\b(go\d+\.\d+(?:\.\d+)?)\b", out.stdout)
    if not m:
        raise RuntimeError(f"cannot parse {out.stdout!r}")
    root = subprocess.run(
        [str(go), "env", "GOROOT"], capture_output=True, text=True, timeout=60, env=env, check=False
    ).stdout.strip()
    return Toolchain(go=go, version=m.group(1), goroot=root or str(go.resolve().parent.parent))


def expected_state(block: str, version: tuple[int, int]) -> str:
    """The wait reason the runtime prints for a block kind in a Go version."""
    state = ""
    for since, text in STATE_TABLE[block]:
        if version >= since:
            state = text
    return state


def build(
    tc: Toolchain,
    program: str,
    dest: Path,
    flags: list[str] | None = None,
    test: bool = False,
    build_env: dict[str, str] | None = None,
) -> Path:
    """Build ``samples/<program>`` with ``tc`` into ``dest`` and return the binary."""
    flags = list(flags or [])
    cgo = "-race" in flags
    name = f"{program}.test" if test else program
    out = dest / name
    cmd = [str(tc.go), "test", "-c"] if test else [str(tc.go), "build"]
    cmd += [*flags, "-o", str(out), "."]
    proc = subprocess.run(
        cmd,
        cwd=SAMPLES / program,
        env=tc.env(cgo=cgo, extra=build_env),
        capture_output=True,
        text=True,
        timeout=TIMEOUT_BUILD,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{proc.stderr}")
    return out


# --------------------------------------------------------------------------- markers


def read_markers(program: str) -> dict[str, tuple[str, int]]:
    """Map each ``// SAMPLE:<key>`` marker of a program to (path relative to samples/, line)."""
    found: dict[str, tuple[str, int]] = {}
    for path in sorted((SAMPLES / program).glob("*.go")):
        for lineno, line in enumerate(path.read_text().splitlines(), 1):
            for key in MARKER_RE.findall(line):
                if key in found:
                    raise ValueError(f"duplicate marker {key} in {path}")
                found[key] = (f"{program}/{path.name}", lineno)
    return found


def where(markers: dict[str, tuple[str, int]], key: str, func: str) -> dict[str, Any]:
    rel, line = markers[key]
    return {"file": Path(rel).name, "line": line, "func": func}


def parse_manifest_lines(text: str) -> list[dict[str, Any]]:
    return [
        json.loads(line[len("MANIFEST ") :]) for line in text.splitlines() if line.startswith("MANIFEST ")
    ]


# --------------------------------------------------------------------------- processes


def _no_core() -> None:
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


@contextlib.contextmanager
def running(
    cmd: list[str], env: dict[str, str], stderr_path: Path
) -> Iterator[tuple[subprocess.Popen[str], queue.Queue[str | None]]]:
    """Start ``cmd`` with stdout piped line by line into a queue; kill it on exit."""
    with open(stderr_path, "wb") as err:
        proc = subprocess.Popen(
            cmd,
            stdout=subprocess.PIPE,
            stderr=err,
            stdin=subprocess.DEVNULL,
            env=env,
            text=True,
            preexec_fn=_no_core,
        )
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line.rstrip("\n"))
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    try:
        yield proc, lines
    finally:
        if proc.poll() is None:
            proc.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=TIMEOUT_EXIT)


def read_until_ready(lines: queue.Queue[str | None], timeout: float) -> list[str]:
    got: list[str] = []
    deadline = time.monotonic() + timeout
    while True:
        try:
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
        except queue.Empty:
            raise TimeoutError("program did not print READY in time") from None
        if line is None:
            raise RuntimeError("program exited before READY:\n" + "\n".join(got))
        got.append(line)
        if line == "READY":
            return got


def http_get(addr: str, path: str) -> str:
    if not addr.startswith("127.0.0.1:"):
        raise ValueError(f"refusing non-loopback address {addr}")
    with urllib.request.urlopen(f"http://{addr}{path}", timeout=TIMEOUT_HTTP) as resp:
        return resp.read().decode("utf-8", "replace")


# --------------------------------------------------------------------------- manifests


def leaky_group(raw: dict[str, Any], tc: Toolchain, markers: dict[str, tuple[str, int]], debug1: bool,
                minutes: int, leakprofile: bool) -> dict[str, Any]:  # fmt: skip
    ids = sorted(raw["ids"])
    rel, line = markers[raw["key"]]
    if Path(rel).name != raw["file"]:
        raise RuntimeError(f"marker {raw['key']} is in {rel}, but the program ran it in {raw['file']}")
    return {
        "key": raw["key"],
        "ids": [] if debug1 else ids,
        "count": len(ids),
        "wait": raw["block"],
        "state": expected_state(raw["block"], tc.minor),
        "blocked_at": {"file": raw["file"], "line": line, "func": raw["func"]},
        "created_by": raw["created_by"],
        "created_in_goroutine": raw["created_in"],
        "locked_to_thread": len(ids) if raw["locked_to_thread"] else 0,
        "labels": raw["labels"],
        "min_minutes": minutes,
        "leaked": len(ids) if leakprofile and raw["unreachable"] else 0,
    }


def base_manifest(program: str, tc: Toolchain, kind: str, fmt: str, env: dict[str, str],
                  flags: list[str]) -> dict[str, Any]:  # fmt: skip
    return {
        "program": program,
        "go": tc.version,
        "kind": kind,
        "dump": f"{program}.{kind}.txt",
        "format": fmt,
        "env": dict(sorted(env.items())),
        "build_flags": flags,
        "truncated": False,
        "header_labels": False,
        "leak_profile": False,
        "groups": [],
        "crash": None,
        "races": [],
        "marker_lines": {},
    }


# Committed samples name no path of the capturing machine: frames under samples/ read
# /home/gopher/samples/..., standard-library frames /usr/local/go/... whatever the toolchain.
NEUTRAL_SAMPLES = "/home/gopher/samples"
NEUTRAL_GOROOT = "/usr/local/go"
NEUTRAL_ROOTS = ("/home/gopher/", "/usr/local/go/")
# An absolute path followed by :line, not the tail of a relative one (example.com/x.go:3).
FRAME_PATH_RE = re.compile(r"(?<![\w.@~-])(/[^\s:\"]+):\d+")


def neutral_paths(text: str, goroots: Iterable[str | Path] = ()) -> str:
    """Rewrite this machine's paths in a captured text: this samples/ directory becomes
    /home/gopher/samples, each toolchain's GOROOT (``goroots``) /usr/local/go."""
    text = text.replace(f"{SAMPLES}/", f"{NEUTRAL_SAMPLES}/")
    for root in sorted({str(r).rstrip("/") for r in goroots} - {""}, key=len, reverse=True):
        text = text.replace(f"{root}/", f"{NEUTRAL_GOROOT}/")
    return text


def foreign_paths(text: str) -> list[str]:
    """Absolute frame paths (``/x/y.go:12``) outside /home/gopher/ and /usr/local/go/."""
    return sorted({m[1] for m in FRAME_PATH_RE.finditer(text) if not m[1].startswith(NEUTRAL_ROOTS)})


def write_pair(out: Path, manifest: dict[str, Any], text: str, goroots: Iterable[str | Path] = ()) -> Path:
    """Write a dump (its paths made neutral first, see :func:`neutral_paths`) and its manifest."""
    out.mkdir(parents=True, exist_ok=True)
    text = neutral_paths(text, goroots)
    data = text.encode()
    if len(data) > MAX_FILE:
        raise RuntimeError(f"{manifest['dump']} is {len(data)} bytes, over {MAX_FILE}")
    plain = checkable_text(manifest, text)
    problems = [f"frame path {p} is not neutral (a GOROOT not rewritten?)" for p in foreign_paths(plain)[:5]]
    problems += check_manifest(manifest, plain)
    if problems:
        (out / (manifest["dump"] + ".rejected")).write_bytes(data)
        raise RuntimeError(
            f"{manifest['dump']} does not match its manifest:\n  " + "\n  ".join(problems[:20])
        )
    (out / (manifest["dump"] + ".rejected")).unlink(missing_ok=True)
    (out / manifest["dump"]).write_bytes(data)
    path = out / (Path(manifest["dump"]).stem + ".json")
    path.write_text(json.dumps(manifest, indent=1) + "\n")
    return path


# --------------------------------------------------------------------------- leaky


def leaky_kinds(tc: Toolchain, slow: bool = True) -> list[str]:
    kinds = []
    for kind, spec in LEAKY_KINDS.items():
        if "versions" in spec and tc.minor not in spec["versions"]:
            continue
        if "min" in spec and tc.minor < spec["min"]:
            continue
        if kind in SLOW_KINDS and not slow:
            continue
        kinds.append(kind)
    return kinds


def capture_leaky(
    go: Path | str | Toolchain, out: Path, kind: str = "debug2", workdir: Path | None = None
) -> Path:
    """Build leaky with ``go``, capture one dump of ``kind`` into ``out``; return the manifest path."""
    tc = go if isinstance(go, Toolchain) else find_toolchain(go)
    spec = LEAKY_KINDS[kind]
    flags: list[str] = list(spec.get("flags", []))
    env_extra: dict[str, str] = dict(spec.get("env", {}))
    markers = read_markers("leaky")
    with tempfile.TemporaryDirectory(prefix="gtriage-leaky-", dir=workdir) as tmp:
        build_env: dict[str, str] = dict(spec.get("build_env", {}).get(tc.dirname, {}))
        binary = build(tc, "leaky", Path(tmp), flags, build_env=build_env)
        stderr_path = Path(tmp) / "stderr.txt"
        # GOMAXPROCS=1 makes start-up single-P, so goroutine ids are the same every
        # run; leaky switches to all CPUs once its goroutines are parked.
        env_extra = {"GOMAXPROCS": "1", **env_extra}
        with running([str(binary)], tc.env(extra=env_extra), stderr_path) as (proc, lines):
            got = read_until_ready(lines, TIMEOUT_START)
            addr = next(line.split()[1] for line in got if line.startswith("LISTEN "))
            raws = parse_manifest_lines("\n".join(got))
            if spec.get("wait"):
                time.sleep(float(spec["wait"]))
            leakprofile = bool(spec.get("leakprofile"))
            if leakprofile:
                http_get(addr, "/debug/pprof/goroutineleak?debug=1")
            if spec["how"] == "debug2":
                text, fmt = http_get(addr, "/debug/pprof/goroutine?debug=2"), "debug2"
            elif spec["how"] == "debug1":
                text, fmt = http_get(addr, "/debug/pprof/goroutine?debug=1"), "debug1"
            else:
                proc.send_signal(signal.SIGQUIT)
                proc.wait(timeout=TIMEOUT_EXIT)
                text, fmt = stderr_path.read_text(errors="replace"), "traceback"
        manifest = base_manifest("leaky", tc, kind, fmt, env_extra, flags)
        # Labels in headers need GODEBUG=tracebacklabels=1: go.mod says go 1.19,
        # so even Go 1.27 keeps them off by default.
        manifest["header_labels"] = "tracebacklabels=1" in env_extra.get("GODEBUG", "")
        manifest["leak_profile"] = leakprofile
        if build_env:
            manifest["build_env"] = build_env
        minutes = int(float(spec.get("wait", 0)) // 60)
        manifest["groups"] = [
            leaky_group(raw, tc, markers, fmt == "debug1", minutes, leakprofile) for raw in raws
        ]
        manifest["marker_lines"] = {k: f"{rel}:{line}" for k, (rel, line) in sorted(markers.items())}
        return write_pair(out, manifest, text, [tc.goroot])


# --------------------------------------------------------------------------- crashzoo


def crash_panics(raw: list[dict[str, Any]], tc: Toolchain) -> list[dict[str, Any]]:
    """The panic chain as this Go version prints it (Go 1.25 folds a re-panic into one line)."""
    out: list[dict[str, Any]] = []
    for p in raw:
        if p["repanicked"] and tc.minor < (1, 25):
            out.append({"message": p["message"], "recovered": True, "repanicked": False})
            out.append({"message": p["message"], "recovered": False, "repanicked": False})
        else:
            out.append(dict(p))
    return out


def capture_crash(tc: Toolchain, out: Path, scenario: str, traceback: str, binary: Path | None,
                  tmp: Path) -> Path:  # fmt: skip
    """Run one crashzoo scenario (``traceback`` is "" for the default GOTRACEBACK)."""
    markers = read_markers("crashzoo")
    env_extra = {"GOTRACEBACK": traceback} if traceback else {}
    if scenario != "mapwrites":  # one P keeps goroutine ids reproducible; map writes need two
        env_extra["GOMAXPROCS"] = "1"
    manifest_file = tmp / f"{scenario}.manifest"
    manifest_file.unlink(missing_ok=True)
    env = tc.env(extra={**env_extra, "CRASHZOO_MANIFEST": str(manifest_file)})
    if scenario == "testtimeout":
        env["CRASHZOO_HANG"] = "1"
        cmd = [str(tc.go), "test", "-count=1", "-timeout", "2s", "-run", "^TestHang$", "."]
        proc = subprocess.run(cmd, cwd=SAMPLES / "crashzoo", env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, timeout=TIMEOUT_BUILD, preexec_fn=_no_core)  # fmt: skip
        text = proc.stdout.decode(errors="replace")
    else:
        assert binary is not None
        proc = subprocess.run([str(binary), scenario], env=env, capture_output=True, timeout=TIMEOUT_EXIT,
                              preexec_fn=_no_core)  # fmt: skip
        text = proc.stderr.decode(errors="replace")
    raws = parse_manifest_lines(manifest_file.read_text())
    kind = scenario + (f"-{traceback}" if traceback else "")
    manifest = base_manifest("crashzoo", tc, kind, "traceback", env_extra, [])
    crash_raw = next(r for r in raws if r["kind"] == "crash")
    # Only the crashing goroutine is printed at the default level, except for
    # fatal errors (throw), which always print every goroutine; go test's
    # timeout panic sets GOTRACEBACK=all itself.
    shows_all = bool(traceback) or bool(crash_raw.get("fatal_error")) or scenario == "testtimeout"
    groups = []
    for raw in raws:
        if raw["kind"] != "group" or not shows_all:
            continue
        ids = sorted(raw["ids"])
        rel, line = markers[raw["key"]]
        groups.append({
            "key": raw["key"], "ids": ids, "count": len(ids), "wait": raw["block"],
            "state": expected_state(raw["block"], tc.minor),
            "blocked_at": {"file": Path(rel).name, "line": line, "func": raw["func"]},
            "created_by": raw.get("created_by"), "created_in_goroutine": raw.get("created_in"),
            "locked_to_thread": 0, "labels": None, "min_minutes": 0, "leaked": 0,
        })  # fmt: skip
    manifest["groups"] = groups
    panic_key = {"deadlock": "deadlock-main"}.get(scenario, scenario)
    rel, line = markers[panic_key]
    manifest["crash"] = {
        "scenario": scenario,
        "panics": crash_panics(crash_raw.get("panics", []), tc),
        "fatal_error": crash_raw.get("fatal_error"),
        "signal": crash_raw.get("signal"),
        "goroutine": crash_raw.get("goroutine") or None,
        "panic_at": {"file": Path(rel).name, "line": line, "func": crash_raw.get("func") or None},
        "exit_code": proc.returncode,
    }
    if scenario == "testtimeout":  # the test function, as named inside the test binary
        manifest["crash"]["panic_at"]["func"] = next(
            r["func"] for r in raws if r["key"] == "testtimeout" and r["kind"] == "group"
        )
    manifest["marker_lines"] = {k: f"{r}:{n}" for k, (r, n) in sorted(markers.items())}
    return write_pair(out, manifest, text, [tc.goroot])


# --------------------------------------------------------------------------- race


def capture_race(tc: Toolchain, out: Path, tmp: Path) -> Path:
    markers = read_markers("race")
    binary = build(tc, "race", tmp, ["-race"])
    proc = subprocess.run([str(binary)], env=tc.env(cgo=True), capture_output=True, timeout=TIMEOUT_EXIT,
                          preexec_fn=_no_core)  # fmt: skip
    text = proc.stderr.decode(errors="replace")
    raws = parse_manifest_lines(proc.stdout.decode())
    manifest = base_manifest("race", tc, "race", "race", {}, ["-race"])

    def side(a: dict[str, Any]) -> dict[str, Any]:
        return {"op": a["op"], "at": where(markers, a["key"], a["func"])}

    manifest["races"] = [{"access": side(r["access"]), "previous": side(r["previous"])} for r in raws]
    manifest["exit_code"] = proc.returncode
    manifest["marker_lines"] = {k: f"{r}:{n}" for k, (r, n) in sorted(markers.items())}
    return write_pair(out, manifest, text, [tc.goroot])


# --------------------------------------------------------------------------- checks


def _header_rest(text: str, goid: int) -> list[str]:
    """For each ``goroutine <id> `` header of goid, the text from its ``[`` to the end of the line."""
    rests = []
    needle = f"goroutine {goid} "
    start = 0
    while (i := text.find(needle, start)) >= 0:
        start = i + len(needle)
        if i > 0 and text[i - 1] not in "\n \t]":  # "...goroutine 5 " inside a longer word
            continue
        end = text.find("\n", i)
        line = text[i : end if end >= 0 else len(text)]
        if line.rstrip("\r").endswith(":") and "[" in line:
            rests.append(line[line.index("[") + 1 :])
    return rests


def checkable_text(manifest: dict[str, Any], text: str) -> str:
    """The plain dump inside a wrapped sample, recovered with plain string operations.

    Each wrapper of ``wrap_all`` has its inverse here (docker json-file logs are
    decoded, quote markers and indentation taken off, tabs put back, ...); a text
    without a known wrapper is checked as it is.
    """
    unwrap = UNWRAP.get(str(manifest.get("wrapper", "")))
    return unwrap(text) if unwrap else text


def _joined(lines: list[str]) -> str:
    return "".join(line + "\n" for line in lines)


def _is_header(line: str) -> bool:
    return line.startswith("goroutine ") and line.endswith("]:")


HCLOG_PLUGIN = " [DEBUG] plugin.terraform-provider-x: "


def _unwrap_hclog(text: str) -> str:
    """go-plugin logs each stderr line of the plugin at DEBUG under the plugin's name."""
    return _joined(
        [ln[ln.index(HCLOG_PLUGIN) + len(HCLOG_PLUGIN) :] for ln in text.split("\n") if HCLOG_PLUGIN in ln]
    )


def _unquote_md(text: str, depth: int) -> str:
    """The lines quoted exactly ``depth`` deep (``>`` or ``>>``, then one space), unquoted."""
    out = []
    for line in text.split("\n"):
        n = len(line) - len(line.lstrip(">"))
        if n == depth:
            out.append(line[depth + 1 :] if line[depth : depth + 1] == " " else line[depth:])
    return _joined(out)


def _blank_before_headers(text: str) -> str:
    """Put back the blank line before each goroutine header (pastes that dropped blank lines)."""
    out: list[str] = []
    for line in text.split("\n"):
        if _is_header(line) and out and out[-1] != "":
            out.append("")
        out.append(line)
    return "\n".join(out)


def _retab(text: str, width: int) -> str:
    """Leading runs of ``width`` spaces back to tabs."""
    out = []
    for line in text.split("\n"):
        n = len(line) - len(line.lstrip(" "))
        out.append("\t" * (n // width) + line[n - n % width :])
    return "\n".join(out)


def _tab_paths(text: str) -> str:
    """Tabs removed: a location line is the one starting with an absolute path."""
    return "\n".join("\t" + line if line.startswith("/") else line for line in text.split("\n"))


def _unindent_block(text: str) -> str:
    """The markdown code block: from the first to the last line indented by 4 spaces."""
    lines = text.split("\n")
    inside = [i for i, line in enumerate(lines) if line.startswith("    ")]
    return _joined([line[4:] for line in lines[inside[0] : inside[-1] + 1]]) if inside else ""


def _unreflow(text: str) -> str:
    """Location lines indented by 12 spaces get their tab back; call lines lose their 2 spaces."""
    out = []
    for line in text.split("\n"):
        if line.startswith(" " * 12):
            out.append("\t" + line[12:])
        elif line.startswith("  "):
            out.append(line[2:])
        else:
            out.append(line)
    return "\n".join(out)


GO_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v",
              "\\": "\\\\", '"': '\\"'}  # fmt: skip


def go_quote(s: str) -> str:
    """Go's ``strconv.Quote`` (``%q``): exact for ASCII; beyond it Python's isprintable stands in for unicode.IsPrint."""
    out = ['"']
    for ch in s:
        c = ord(ch)
        if ch in GO_ESCAPES:
            out.append(GO_ESCAPES[ch])
        elif 0x20 <= c < 0x7F or (c > 0x7F and ch.isprintable()):
            out.append(ch)
        elif c < 0x80:
            out.append(f"\\x{c:02x}")
        elif c < 0x10000:
            out.append(f"\\u{c:04x}")
        else:
            out.append(f"\\U{c:08x}")
    out.append('"')
    return "".join(out)


def go_unquote(q: str) -> str:
    """The inverse of :func:`go_quote` (a double-quoted Go string literal)."""
    assert q[0] == q[-1] == '"', q[:20]
    simple = {v[1]: k for k, v in GO_ESCAPES.items()}
    out, i, body = [], 0, q[1:-1]
    while i < len(body):
        ch = body[i]
        if ch != "\\":
            out.append(ch)
            i += 1
        elif body[i + 1] in simple:
            out.append(simple[body[i + 1]])
            i += 2
        else:
            n = {"x": 2, "u": 4, "U": 8}[body[i + 1]]
            out.append(chr(int(body[i + 2 : i + 2 + n], 16)))
            i += 2 + n
    return "".join(out)


def _unwrap_slog_text(text: str) -> str:
    """slog TextHandler lines: the ``stack=`` value, Go-quoted, is the last attribute."""
    key = ' stack="'
    return "".join(go_unquote(ln[ln.index(key) + len(key) - 1 :]) for ln in text.split("\n") if key in ln)


def _unwrap_slog_json(text: str) -> str:
    """slog JSONHandler lines: the ``stack`` member."""
    objs = [json.loads(line) for line in text.split("\n") if line.startswith("{")]
    return "".join(o["stack"] for o in objs if "stack" in o)


def _unglue(text: str) -> str:
    """A goroutine header glued to the end of the line before it starts its own line again."""
    return re.sub(r"(?<=[^\n])(?=goroutine \d+ (?:gp=|\[))", "\n", text)


def _drop_prose(text: str) -> str:
    """Markdown between goroutines: a ``## `` heading, a blank line, a paragraph, a blank line."""
    out, state = [], ""
    for line in text.split("\n"):
        if line.startswith("## "):
            state = "heading"
        elif state == "heading" and line == "":
            state = "paragraph"
        elif state == "paragraph":
            state = "paragraph" if line else ""  # its lines, then the blank line after it
        else:
            state = ""
            out.append(line)
    return "\n".join(out)


def _fenced(text: str) -> str:
    """The text between the first fence line (three backticks) and the next."""
    lines = text.split("\n")
    fences = [i for i, line in enumerate(lines) if line.startswith("```")]
    return _joined(lines[fences[0] + 1 : fences[1]])


UNWRAP: dict[str, Callable[[str], str]] = {
    "docker-json": lambda t: "".join(json.loads(line)["log"] for line in t.splitlines() if line.strip()),
    "hclog": _unwrap_hclog,
    "md-quote": lambda t: _unquote_md(t, 1),
    "md-quote-compact": lambda t: _blank_before_headers(_unquote_md(t, 1)),
    "md-quote-reply": lambda t: _unquote_md(t, 2),
    "spaces2": lambda t: _retab(t, 2),
    "spaces3": lambda t: _retab(t, 3),
    "notabs": _tab_paths,
    "md-indented": _unindent_block,
    "chat-reflow": _unreflow,
    "oneline-goquote": _unwrap_slog_text,
    "oneline-json": _unwrap_slog_json,
    "glued-header": _unglue,
    "md-prose": _drop_prose,
    "github-issue": _fenced,
    "no-final-newline": lambda t: t if t.endswith("\n") else t + "\n",
    "sigquit-crash-logs": lambda t: _joined(
        [ln for ln in t.removesuffix("\n").split("\n") if not ln.startswith("time=")]
    ),
}


def _unwrap_gotest_json(text: str) -> str:
    """go test -json events: each package's ``Output`` strings joined, package after package."""
    out: dict[str, list[str]] = {}
    for e in (json.loads(line) for line in text.splitlines() if line.strip()):
        out.setdefault(e.get("Package", ""), []).append(e.get("Output", ""))
    return "".join("".join(parts) for parts in out.values())


def _unwrap_pod_status(text: str) -> str:
    """kubectl get pod -o json: the container's termination messages (state, then lastState)."""
    cs = json.loads(text)["status"]["containerStatuses"][0]
    return "\n".join(cs[k]["terminated"]["message"] for k in ("state", "lastState") if "terminated" in cs[k])


# JSON carriers captured by samples/carriers.py: the dump is decoded out of the JSON strings.
UNWRAP |= {
    "gotest-json": _unwrap_gotest_json,
    "docker-jsonfile": UNWRAP["docker-json"],
    "slog-json": _unwrap_slog_json,
    "k8s-pod-status": _unwrap_pod_status,
}


def _header_problems(manifest: dict[str, Any], g: dict[str, Any], goid: int, rest: str) -> list[str]:
    """Problems with one goroutine header (``rest`` starts after its ``[``)."""
    problems = []
    if not rest.startswith(g["state"]):
        problems.append(f"{g['key']}: goroutine {goid} state {rest!r}, expected {g['state']!r}")
    if g["locked_to_thread"] and "locked to thread" not in rest:
        problems.append(f"{g['key']}: goroutine {goid} not 'locked to thread': {rest!r}")
    if g["min_minutes"]:
        m = re.search(r", (\d+) minutes", rest)
        if not m or int(m.group(1)) < g["min_minutes"]:
            problems.append(f"{g['key']}: goroutine {goid} lacks '{g['min_minutes']} minutes': {rest!r}")
    if g.get("leaked") and "(leaked)" not in rest:
        problems.append(f"{g['key']}: goroutine {goid} not marked (leaked): {rest!r}")
    if manifest.get("header_labels") and g.get("labels"):
        for k, v in g["labels"].items():
            if k not in rest or v not in rest:
                problems.append(f"{g['key']}: goroutine {goid} header lacks label {k}={v}: {rest!r}")
    return problems


def check_manifest(manifest: dict[str, Any], text: str) -> list[str]:
    """Check a dump against its manifest with plain string operations.

    Returns human-readable problems; an empty list means the dump matches.
    """
    problems: list[str] = []
    fmt = manifest["format"]
    for g in manifest.get("groups", []):
        at = g["blocked_at"]
        loc = f"{at['file']}:{at['line']}"
        if fmt == "debug1":
            records = [r for r in text.split("\n\n") if loc in r]
            if not records:
                problems.append(f"{g['key']}: {loc} not in any debug=1 record")
            elif not any(
                r.lstrip().startswith(f"{g['count']} @") or f"\n{g['count']} @" in r for r in records
            ):
                problems.append(f"{g['key']}: no record '{g['count']} @' holding {loc}")
            if at["func"] not in text:
                problems.append(f"{g['key']}: function {at['func']} not in dump")
            continue
        if text.count(loc) < g["count"]:
            problems.append(f"{g['key']}: {loc} appears {text.count(loc)} times, expected >= {g['count']}")
        if at["func"] + "(" not in text:
            problems.append(f"{g['key']}: function {at['func']}( not in dump")
        for goid in g["ids"]:
            rests = _header_rest(text, goid)
            if not rests:
                problems.append(f"{g['key']}: no header for goroutine {goid}")
                continue
            # Files holding several dumps may repeat an id; one matching header is enough.
            per_header = [_header_problems(manifest, g, goid, rest) for rest in rests]
            if all(per_header):
                problems.extend(per_header[0])
    crash = manifest.get("crash")
    if crash:
        for i, p in enumerate(crash["panics"]):
            first, *more = p["message"].split("\n")
            suffix = (
                " [recovered, repanicked]" if p["repanicked"] else " [recovered]" if p["recovered"] else ""
            )
            line = ("\t" if i else "") + "panic: " + first + ("" if more else suffix)
            if line not in text:
                problems.append(f"crash: panic line {line!r} not in dump")
            for extra in more:
                if extra not in text:
                    problems.append(f"crash: panic continuation {extra!r} not in dump")
        if crash.get("fatal_error") and f"fatal error: {crash['fatal_error']}" not in text:
            problems.append(f"crash: 'fatal error: {crash['fatal_error']}' not in dump")
        if crash.get("signal") and f"[signal {crash['signal']}" not in text:
            problems.append(f"crash: '[signal {crash['signal']}' not in dump")
        at = crash["panic_at"]
        if f"{at['file']}:{at['line']}" not in text:
            problems.append(f"crash: panic line {at['file']}:{at['line']} not in dump")
        if at.get("func") and at["func"] + "(" not in text:
            problems.append(f"crash: function {at['func']}( not in dump")
        if crash.get("goroutine"):
            rests = _header_rest(text, crash["goroutine"])
            if not any(rest.startswith("running") for rest in rests):
                problems.append(f"crash: goroutine {crash['goroutine']} not shown [running]: {rests[:1]}")
    for r in manifest.get("races", []):
        for side, prefix in (("access", ""), ("previous", "Previous ")):
            a = r[side]
            op = a["op"].capitalize() if not prefix else a["op"]
            if f"{prefix}{op} at 0x" not in text:
                problems.append(f"race: '{prefix}{op} at 0x' not in report")
            if f"{a['at']['file']}:{a['at']['line']}" not in text:
                problems.append(f"race: {a['at']['file']}:{a['at']['line']} not in report")
            if "  " + a["at"]["func"] + "()" not in text:
                problems.append(f"race: '  {a['at']['func']}()' not in report")
        if "WARNING: DATA RACE" not in text:
            problems.append("race: no 'WARNING: DATA RACE'")
    return problems


# --------------------------------------------------------------------------- wrapped dumps

STAMP = "2026-11-25T10:00:{:02d}.{:09d}Z"


def _stamp(i: int) -> str:
    return STAMP.format(i // 1000 % 60, (123456789 + i * 1000) % 1000000000)


def _app_logs(n: int, start: int = 0) -> list[str]:
    msgs = ["level=info msg=\"listening\" addr=127.0.0.1:8080", "level=info msg=\"request\" method=GET path=/api/v1/items/42 status=200",
            "level=warn msg=\"slow request\" path=/api/v1/items dur=2.3s", "level=error msg=\"upstream timeout\" upstream=search"]  # fmt: skip
    return [msgs[(start + i) % len(msgs)] for i in range(n)]


def _lines(text: str) -> list[str]:
    return text.split("\n")


def wrap_all(dumps: Path, wrapped: Path) -> list[Path]:
    """Derive the wrapped samples from the newest Go version's captures."""
    versions = sorted((d for d in dumps.glob("go1.*") if d.is_dir()), key=lambda d: version_tuple(d.name))
    newest = versions[-1]

    def load(name: str, version: Path = newest) -> tuple[dict[str, Any], str]:
        text = neutral_paths((version / f"{name}.txt").read_text())  # before any byte offset is taken
        return json.loads((version / f"{name}.json").read_text()), text

    made: list[Path] = []

    def emit(name: str, source: str, manifest: dict[str, Any], text: str, version: Path = newest,
             plain: str | None = None, max_bytes: int = MAX_FILE, **extra: Any) -> None:  # fmt: skip
        """Write one wrapped sample; ``plain`` is the dump checkable_text must give back exactly."""
        m = dict(manifest)
        m.update(
            kind=name, dump=f"{name}.txt", wrapper=name, source=f"dumps/{version.name}/{source}.txt", **extra
        )
        if plain is not None and checkable_text(m, text) != plain:
            raise RuntimeError(f"{name}: checkable_text does not give back the dump it wraps")
        if len(text.encode()) > max_bytes:
            raise RuntimeError(f"{name}: {len(text.encode())} bytes, over {max_bytes}")
        made.append(write_pair(wrapped, m, text))

    sig_m, sig = load("leaky.sigquit-all")
    d2_m, d2 = load("leaky.debug2")
    cr_m, cr = load("crashzoo.goroutine-all")
    np_m, np = load("crashzoo.nilptr")

    # kubectl logs --timestamps: every line prefixed with an RFC 3339 nano timestamp.
    body = [*_app_logs(3), *_lines(d2.rstrip("\n")), *_app_logs(2, 3)]
    emit("kubectl-timestamps", "leaky.debug2", d2_m,
         "".join(f"{_stamp(i)} {line}\n" for i, line in enumerate(body)))  # fmt: skip

    # journald (journalctl -u app): syslog-style prefixes; stderr lines as-is.
    body = [*_app_logs(2), *_lines(cr.rstrip("\n")), "exit status 2"]
    emit("journald", "crashzoo.goroutine-all", cr_m,
         "".join(f"Nov 25 10:00:{i // 100 % 60:02d} host app[1234]: {line}\n" for i, line in enumerate(body)))  # fmt: skip

    # docker json-file log driver: one JSON object per line.
    body = [*_app_logs(2), *_lines(np.rstrip("\n"))]
    emit("docker-json", "crashzoo.nilptr", np_m, "".join(
        json.dumps({"log": line + "\n", "stream": "stderr" if i >= 2 else "stdout", "time": _stamp(i)},
                   separators=(",", ":")) + "\n" for i, line in enumerate(body)))  # fmt: skip

    # Application logs with RFC 3339 timestamps before, between and after two dumps.
    def logs(n: int, start: int) -> str:
        return "".join(f"time={_stamp(start + i)} {m}\n" for i, m in enumerate(_app_logs(n, start)))

    both = dict(d2_m)
    both["format"] = "mixed"
    both["crash"] = cr_m["crash"]
    both["groups"] = d2_m["groups"] + cr_m["groups"]
    both["parts"] = [
        f"dumps/{newest.name}/leaky.debug2.txt",
        f"dumps/{newest.name}/crashzoo.goroutine-all.txt",
    ]
    emit("rfc3339-logs", "leaky.debug2", both, logs(3, 0) + d2 + logs(4, 10) + cr + logs(2, 20))

    # CRLF line endings.
    emit("crlf", "leaky.debug2", d2_m, d2.replace("\n", "\r\n"))

    # Truncated mid-goroutine, mid-line, the way debug=2's 64 MiB cap cuts.
    cut = int(len(d2) * 0.6)
    while d2[cut] in "\n\t":
        cut += 1
    cut = d2.index("\t", d2.index("\n", cut)) + 12  # inside a frame's file path
    kept = d2[:cut]
    trunc = json.loads(json.dumps(d2_m))
    for g in trunc["groups"]:
        full = [i for i in g["ids"] if _complete(kept, i)]
        g["ids"], g["count"] = full, len(full)
    trunc["groups"] = [g for g in trunc["groups"] if g["ids"]]
    emit("truncated", "leaky.debug2", trunc, kept, truncated=True, truncated_at=cut)

    # Two captures in one file, with log lines between.
    two = dict(d2_m)
    two["format"] = "mixed"
    two["parts"] = [f"dumps/{newest.name}/leaky.debug2.txt", f"dumps/{newest.name}/leaky.sigquit-all.txt"]
    two["groups"] = json.loads(json.dumps(d2_m["groups"]))
    for g, h in zip(two["groups"], sig_m["groups"], strict=True):
        g["ids"] = sorted(set(g["ids"]) | set(h["ids"]))
        g["count"] = len(g["ids"])  # ids are equal in both runs when start-up was reproducible
    emit("two-dumps", "leaky.debug2", two, d2 + logs(3, 30) + sig)

    # Pasted into a chat or ticket: tabs became spaces.
    emit("spaces", "crashzoo.goroutine-all", cr_m, cr.replace("\t", "        "))
    emit("spaces4", "leaky.debug2", d2_m, d2.replace("\t", "    "))
    wrap_pastes(dumps, newest, load, functools.partial(emit, max_bytes=MAX_WRAPPED))
    return made


MAX_WRAPPED = 300_000  # the pasted samples below stay small
HCLOG_ZONE = timezone(timedelta(hours=3))
PROVIDER = ".terraform/providers/registry.terraform.io/example/x/1.0.0/linux_amd64/terraform-provider-x"


def _hclog_line(ms: int, bracket: str, msg: str) -> str:
    """One line as hclog's logPlain writes it: time (TimeFormat), level bracket, space, name: message."""
    t = datetime(2021, 5, 27, 10, 46, 33, 870000, tzinfo=HCLOG_ZONE) + timedelta(milliseconds=ms)
    return (
        f"{t.strftime('%Y-%m-%dT%H:%M:%S')}.{t.microsecond // 1000:03d}{t.strftime('%z')} {bracket} {msg}\n"
    )


def _slog_time(i: int, nanos: bool = False) -> str:
    """slog's time: TextHandler keeps milliseconds, JSONHandler prints RFC 3339 with nanoseconds."""
    t = datetime(2026, 11, 25, 10, 0, 1, tzinfo=UTC) + timedelta(milliseconds=1117 * i)
    if not nanos:
        return f"{t.strftime('%Y-%m-%dT%H:%M:%S')}.{t.microsecond // 1000:03d}Z"
    frac = f"{t.microsecond:06d}{(i * 7919) % 1000:03d}".rstrip("0")  # RFC3339Nano drops trailing zeros
    return f"{t.strftime('%Y-%m-%dT%H:%M:%S')}{'.' + frac if frac else ''}Z"


def _quote_md(lines: list[str]) -> list[str]:
    """Markdown / email quoting: ``> `` before a line, ``>`` alone for a blank one, ``>`` before a quoted one."""
    return [">" + line if line.startswith(">") else "> " + line if line else ">" for line in lines]


def wrap_pastes(dumps: Path, newest: Path, load: Callable[..., tuple[dict[str, Any], str]],
                emit: Callable[..., None]) -> None:  # fmt: skip
    """Real dumps the way people paste them: in hclog, markdown, chats, one-line logs, twice, glued."""
    d2_m, d2 = load("leaky.debug2")
    cr_m, cr = load("crashzoo.goroutine-all")
    dl_m, dl = load("crashzoo.deadlock-all")
    rp_m, rp = load("crashzoo.repanic-new-all")
    so_m, so = load("crashzoo.stackoverflow-all")
    tt_m, tt = load("crashzoo.testtimeout-all")
    ml_m, ml = load("crashzoo.multiline-all")
    mw_m, mw = load("crashzoo.mapwrites-all")
    sq_m, sq = load("leaky.sigquit-all")
    go119 = dumps / "go1.19"
    sc_m, sc = load("leaky.sigquit-crash", go119)

    # hashicorp go-plugin (Terraform 0.13/0.14): each stderr line of the plugin, trailing space
    # trimmed, logged at DEBUG by the client's hclog logger named after the plugin.
    plugin = "plugin.terraform-provider-x:"
    before = [("[INFO] ", "plugin: configuring client automatic mTLS"),
              ("[DEBUG]", f"plugin: starting plugin: path={PROVIDER} args=[{PROVIDER}]"),
              ("[DEBUG]", f"plugin: plugin started: path={PROVIDER} pid=48213"),
              ("[DEBUG]", f"plugin: waiting for RPC address: path={PROVIDER}"),
              ("[INFO] ", f"{plugin} configuring server automatic mTLS: timestamp=2021-05-27T10:46:33.889+0300"),
              ("[DEBUG]", "plugin: using plugin: version=5"),
              ("[DEBUG]", f"{plugin} plugin address: address=/tmp/plugin2754125915 network=unix "
                          "timestamp=2021-05-27T10:46:33.890+0300")]  # fmt: skip
    after = [("[DEBUG]", f'plugin: plugin process exited: path={PROVIDER} pid=48213 error="exit status 2"'),
             ("[DEBUG]", "plugin: plugin exited")]  # fmt: skip
    text = "".join(_hclog_line(i * 7, b, m) for i, (b, m) in enumerate(before))
    base = 7 * len(before) + 212
    text += "".join(_hclog_line(base + i, "[DEBUG]", f"{plugin} {line.rstrip()}")
                    for i, line in enumerate(_lines(cr.rstrip("\n"))))  # fmt: skip
    base += len(_lines(cr)) + 3
    text += "".join(_hclog_line(base + 2 * i, b, m) for i, (b, m) in enumerate(after))
    emit("hclog", "crashzoo.goroutine-all", cr_m, text, plain="plugin address: address=/tmp/plugin2754125915 "
         "network=unix timestamp=2021-05-27T10:46:33.890+0300\n" + cr,
         how="hashicorp go-plugin log (Terraform 0.13/0.14 style, hclog TimeFormat 2006-01-02T15:04:05.000Z0700): "
         "seven client lines, then every line of the plugin's stderr (the dump, trailing space trimmed as go-plugin "
         "does) as '<ts> [DEBUG] plugin.terraform-provider-x: <line>' with a millisecond more each, a blank line "
         "as the prefix alone (ending in ': '), then two client lines; one client line of the plugin's own "
         "(plugin address, DEBUG) has the same prefix as the dump lines")  # fmt: skip

    # Markdown quotes: a GitHub comment quoting the dump, blank lines kept as '>'.
    text = (
        "\n".join(_quote_md(_lines(dl.rstrip("\n"))))
        + "\n\nSame here on go1.27.3: the consumer never gets its job.\n"
    )
    emit("md-quote", "crashzoo.deadlock-all", dl_m, text, plain=dl,
         how="GitHub comment: '> ' before every line of the dump, '>' for its blank lines, then a blank line and "
         "one line of prose")  # fmt: skip
    lines = [line for line in _lines(cr.rstrip("\n")) if line]
    text = "We see this every few hours:\n\n" + "\n".join(_quote_md(lines)) + "\n"
    emit("md-quote-compact", "crashzoo.goroutine-all", cr_m, text, plain=cr,
         how="markdown quote of the dump with its blank lines removed (between goroutines and after the panic "
         "line): a line of prose, a blank line, then '> ' before every remaining line")  # fmt: skip
    inner = _quote_md(_lines(rp.rstrip("\n")))
    alex = ["Our worker crashed overnight with:", "", *inner, "", "Any idea?"]
    text = ("On Wed, Nov 25, 2026 at 10:12 AM Alex <alex@example.com> wrote:\n" + "\n".join(_quote_md(alex))
            + "\n\nThe deferred cleanup panics again while the first panic unwinds.\n")  # fmt: skip
    emit("md-quote-reply", "crashzoo.repanic-new-all", rp_m, text, plain=rp,
         how="an email reply quoting a message that quoted the dump: the dump's lines start with '>> ' (blank "
         "ones are '>>'), the quoted message's own lines with '> ', then the reply")  # fmt: skip

    # Tabs expanded to 2 or 3 spaces, or removed.
    emit("spaces2", "crashzoo.deadlock-all", dl_m, dl.replace("\t", "  "), plain=dl,
         how="every tab replaced by 2 spaces")  # fmt: skip
    emit("spaces3", "crashzoo.goroutine-all", cr_m, cr.replace("\t", "   "), plain=cr,
         how="every tab replaced by 3 spaces")  # fmt: skip
    emit("notabs", "crashzoo.stackoverflow-all", so_m, so.replace("\t", ""), plain=so,
         how="every tab removed: location lines start at column 0 with their absolute path")  # fmt: skip

    # Indented: a markdown code block, and a chat tool's reflow.
    block = "".join("    " + line + "\n" if line else "\n" for line in _lines(tt.rstrip("\n")))
    text = "`go test ./...` hangs, then times out:\n\n" + block + "\nIt happens with -count=1 only.\n"
    emit("md-indented", "crashzoo.testtimeout-all", tt_m, text, plain=tt,
         how="markdown indented code block: a line of prose, a blank line, every non-blank line of the dump "
         "indented by 4 spaces (blank lines stay empty), a blank line, a line of prose")  # fmt: skip
    out, inside = [], False
    for line in _lines(cr.rstrip("\n")):
        inside = (inside or line.startswith("goroutine ")) and line != ""
        out.append(line if not inside or line.startswith("goroutine ") else
                   " " * 12 + line[1:] if line.startswith("\t") else "  " + line)  # fmt: skip
    emit("chat-reflow", "crashzoo.goroutine-all", cr_m, "\n".join(out) + "\n", plain=cr,
         how="reflowed as some chat tools show it: goroutine headers, blank lines and the panic line at column "
         "0, call and 'created by' lines indented by 2 spaces, location lines by 12 spaces instead of a tab")  # fmt: skip

    # The whole dump in one log line: slog's TextHandler quotes it with strconv.Quote (%q),
    # its JSONHandler escapes it as a JSON string.
    def slog_text(i: int, level: str, msg: str, attrs: str) -> str:
        return f"time={_slog_time(i)} level={level} msg={go_quote(msg)} {attrs}\n"

    text = (slog_text(0, "INFO", "worker started", "pid=4242") +
            slog_text(1, "INFO", "config reloaded", "path=/etc/app/config.yaml") +
            slog_text(2, "ERROR", "worker crashed", f"pid=4242 exit=2 stack={go_quote(ml)}") +
            slog_text(3, "INFO", "restarting worker", "attempt=1"))  # fmt: skip
    emit("oneline-goquote", "crashzoo.multiline-all", ml_m, text, plain=ml,
         how="slog TextHandler log: four lines; the third carries the whole dump (final newline included) as "
         "its last attribute stack=, quoted as Go's strconv.Quote / %q does (\\n, \\t, \\\\, \\\", \\xNN)")  # fmt: skip

    def slog_json(i: int, level: str, msg: str, **attrs: Any) -> str:
        obj = {"time": _slog_time(i, nanos=True), "level": level, "msg": msg, **attrs}
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n"

    text = (slog_json(0, "INFO", "worker started", pid=4242) +
            slog_json(1, "ERROR", "worker crashed", pid=4242, exit=2, stack=cr) +
            slog_json(2, "INFO", "restarting worker", attempt=1))  # fmt: skip
    emit("oneline-json", "crashzoo.goroutine-all", cr_m, text, plain=cr,
         how="slog JSONHandler log: three lines; the second carries the whole dump (final newline included) "
         "as the JSON string member \"stack\" (json.dumps escaping)")  # fmt: skip

    # Glued: another writer's partial line lands between the SIGQUIT dump's preamble and its first header.
    first = sq.index("\ngoroutine ") + 1
    text = ("time=2026-11-25T10:00:04.512Z level=INFO msg=\"request served\" path=/api/v1/items status=200\n"
            + sq[:first] + "SIGQUIT received, dumping all stacks" + sq[first:])  # fmt: skip
    emit("glued-header", "leaky.sigquit-all", sq_m, text,
         how="a log line, then the SIGQUIT dump with 'SIGQUIT received, dumping all stacks' (no newline, as a "
         "second writer on the same stderr printed it) between its 'PC=' preamble's blank line and its first "
         "goroutine header, which is glued to that text: '...dumping all stacksgoroutine 0 gp=...'")  # fmt: skip

    # Prose between goroutines of a debug=2 dump, and a GitHub issue.
    heads = [m.start() + 1 for m in re.finditer(r"\ngoroutine \d+ \[", d2)]
    one, two = heads[len(heads) // 3], heads[2 * len(heads) // 3]
    text = (d2[:one] + "## the stuck ones\n\nThese never return; the channel they wait on is never closed.\n\n"
            + d2[one:two] + "## more of them\n\nThe same again from here on,\nas far as I can tell.\n\n"
            + d2[two:])  # fmt: skip
    emit("md-prose", "leaky.debug2", d2_m, text, plain=d2,
         how="markdown between goroutines of a debug=2 dump: before the goroutine header a third of the way "
         "in, '## the stuck ones', a blank line, a one-line paragraph, a blank line; before the header two thirds "
         "in, '## more of them', a blank line, a two-line paragraph, a blank line")  # fmt: skip
    text = ("### What version of Go are you using (`go version`)?\n\ngo1.27.3 linux/amd64\n\n"
            "### What did you see happen?\n\nThe service crashed under load:\n\n```\n" + mw + "```\n\n"
            "It happens about once a day; two writers share the cache map without a lock.\n")  # fmt: skip
    emit("github-issue", "crashzoo.mapwrites-all", mw_m, text, plain=mw,
         how="GitHub issue body: headings and prose, a ``` fence line, the dump, a closing ``` line, more prose")  # fmt: skip

    # The same dump pasted twice in a row.
    src = f"dumps/{newest.name}/leaky.debug2.txt"
    emit("pasted-twice", "leaky.debug2", d2_m, d2 + d2, plain=d2 + d2, parts=[src, src],
         how="leaky.debug2.txt twice in a row, the second copy right after the first one's final newline (no "
         "blank line); every goroutine id appears twice, groups are those of one copy")  # fmt: skip

    # Two programs: a leaky debug=2 dump and a crashzoo traceback, one blank line between.
    both = json.loads(json.dumps(d2_m))
    both.update(format="mixed", crash=cr_m["crash"], groups=d2_m["groups"] + cr_m["groups"])
    emit("two-programs", "leaky.debug2", both, d2 + "\n" + cr, plain=d2 + "\n" + cr,
         parts=[src, f"dumps/{newest.name}/crashzoo.goroutine-all.txt"],
         how="leaky.debug2.txt, a blank line, crashzoo.goroutine-all.txt (another program: its goroutine ids "
         "overlap leaky's), no log lines between")  # fmt: skip

    # A complete dump whose file lacks the final newline.
    emit("no-final-newline", "crashzoo.deadlock-all", dl_m, dl.rstrip("\n"), plain=dl, truncated=False,
         how="crashzoo.deadlock-all.txt without its final newline; the dump is complete")  # fmt: skip

    # Log lines right after a GOTRACEBACK=crash register dump.
    def logfmt(i: int, msg: str) -> str:
        return f"time={_slog_time(i)} level=INFO msg={go_quote(msg)}\n" if " " in msg else \
            f"time={_slog_time(i)} level=INFO msg={msg}\n"  # fmt: skip

    text = (logfmt(0, "starting") + logfmt(1, "ready to serve") + sc
            + logfmt(40, "starting") + logfmt(41, "loaded config") + logfmt(42, "ready to serve"))  # fmt: skip
    emit("sigquit-crash-logs", "leaky.sigquit-crash", sc_m, text, version=go119, plain=sc,
         how="two slog TextHandler lines, then the Go 1.19 SIGQUIT dump with GOTRACEBACK=crash (threads, "
         "register dumps; the process aborts), then, right after its last register line with no blank line, "
         "three lines of the restarted process")  # fmt: skip


def _complete(text: str, goid: int) -> bool:
    """Whether goroutine goid's record is wholly inside text (a blank line follows it)."""
    i = text.find(f"goroutine {goid} [")
    return i >= 0 and text.find("\n\n", i) >= 0


# --------------------------------------------------------------------------- README


def write_readme(dumps: Path, notes: list[str]) -> None:
    rows: dict[tuple[str, str], list[str]] = {}
    versions: set[str] = set()
    for m in sorted(dumps.glob("go1.*/*.json")):
        man = json.loads(m.read_text())
        versions.add(m.parent.name)
        rows.setdefault((man["program"], man["kind"]), []).append(m.parent.name)
    vs = sorted(versions, key=version_tuple)
    table = ["| program | kind | " + " | ".join(vs) + " |", "|---|---|" + "---|" * len(vs)]
    for (prog, kind), have in sorted(rows.items()):
        table.append(f"| {prog} | {kind} | " + " | ".join("x" if v in have else "" for v in vs) + " |")
    readme = SAMPLES / "README.md"
    text = readme.read_text() if readme.exists() else ""
    begin, end = "<!-- BEGIN TABLE (written by capture.py) -->", "<!-- END TABLE -->"
    block = begin + "\n" + "\n".join(table) + "\n" + ("\n" + "\n".join(notes) + "\n" if notes else "") + end
    if begin in text and end in text:
        text = text[: text.index(begin)] + block + text[text.index(end) + len(end) :]
    else:
        text = text + "\n" + block + "\n"
    readme.write_text(text)


# --------------------------------------------------------------------------- main


def capture_version(tc: Toolchain, out: Path, only: set[str], slow: bool, notes: list[str],
                    kinds: set[str] | None = None) -> None:  # fmt: skip
    dest = out / tc.dirname
    with tempfile.TemporaryDirectory(prefix="gtriage-samples-") as tmpdir:
        tmp = Path(tmpdir)
        if "leaky" in only:
            for kind in leaky_kinds(tc, slow):
                if kinds and kind not in kinds:
                    continue
                print(f"[{tc.version}] leaky {kind}", flush=True)
                try:
                    capture_leaky(tc, dest, kind)
                except Exception as exc:  # keep going; report at the end
                    notes.append(f"- {tc.version} leaky {kind}: not captured: {str(exc).splitlines()[0]}")
                    print(f"  FAILED: {exc}", flush=True)
        if "crashzoo" in only:
            binary = build(tc, "crashzoo", tmp)
            for scenario in CRASH_SCENARIOS:
                for tb in ("", "all"):
                    print(f"[{tc.version}] crashzoo {scenario} {tb}", flush=True)
                    try:
                        capture_crash(tc, dest, scenario, tb, binary, tmp)
                    except Exception as exc:
                        notes.append(
                            f"- {tc.version} crashzoo {scenario} {tb}: not captured: {str(exc).splitlines()[0]}"
                        )
                        print(f"  FAILED: {exc}", flush=True)
        if "race" in only:
            print(f"[{tc.version}] race", flush=True)
            try:
                capture_race(tc, dest, tmp)
            except Exception as exc:
                notes.append(f"- {tc.version} race: not captured: {str(exc).splitlines()[0]}")
                print(f"  FAILED: {exc}", flush=True)


def read_notes(dumps: Path) -> list[str]:
    """Failures recorded by earlier (e.g. parallel) runs, for the README."""
    path = dumps / "NOTES.txt"
    return path.read_text().splitlines() if path.exists() else []


def write_demo(dumps: Path) -> None:
    newest = sorted((d for d in dumps.glob("go1.*") if (d / "leaky.debug2.json").exists()),
                    key=lambda d: version_tuple(d.name))[-1]  # fmt: skip
    man = json.loads((newest / "leaky.debug2.json").read_text())
    man.update(dump="demo.txt", source=f"dumps/{newest.name}/leaky.debug2.txt")
    text = neutral_paths((newest / "leaky.debug2.txt").read_bytes().decode())
    (SAMPLES / "demo.txt").write_bytes(text.encode())
    (SAMPLES / "demo.json").write_text(json.dumps(man, indent=1) + "\n")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--go", action="append", default=[], metavar="VER=PATH", help="toolchain, e.g. 1.25=/x/bin/go"
    )
    ap.add_argument("--only", action="append", choices=PROGRAMS, help="programs to capture (default: all)")
    ap.add_argument("--out", type=Path, default=SAMPLES / "dumps")
    ap.add_argument("--kind", action="append", help="leaky kinds to capture (default: all that apply)")
    ap.add_argument("--no-slow", action="store_true", help="skip the 62-second 'minutes' captures")
    ap.add_argument("--derived-only", action="store_true", help="only rewrite wrapped/, demo.*, README table")
    ap.add_argument(
        "--no-derived", action="store_true", help="do not rewrite wrapped/, demo.txt, README table"
    )
    args = ap.parse_args(argv)
    if not args.go and not args.derived_only:
        ap.error("give at least one --go VER=PATH")
    only = set(args.only or PROGRAMS)
    notes: list[str] = []
    gos: dict[str, Toolchain] = {}
    for spec in args.go:
        want, _, path = spec.partition("=")
        tc = find_toolchain(path)
        if tc.dirname != f"go{want}":
            ap.error(f"{path} is {tc.version}, not go{want}")
        gos[want] = tc
        capture_version(tc, args.out, only, not args.no_slow, notes, set(args.kind or []))
    if not args.no_derived and args.out.resolve() == (SAMPLES / "dumps").resolve():
        write_demo(args.out)
        wrap_all(args.out, SAMPLES / "wrapped")
        from carriers import capture_carriers  # samples/carriers.py (samples/ is sys.path[0] here)

        capture_carriers(gos, args.out, SAMPLES / "wrapped")
        write_readme(args.out, read_notes(args.out) + notes)
    if notes and args.out.resolve() == (SAMPLES / "dumps").resolve():
        with open(args.out / "NOTES.txt", "a") as f:
            f.write("".join(n + "\n" for n in notes))
    for n in notes:
        print(n, file=sys.stderr)
    return 1 if notes else 0


if __name__ == "__main__":
    sys.exit(main())
