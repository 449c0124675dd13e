#!/usr/bin/env python3
"""Capture the leakrate samples: a series of dumps of one process, and a fleet of three.

``leakrate/`` (see its doc comment) changes four groups of goroutines by known amounts on
every tick; ``/tick`` answers once the tick has settled, so each dump taken after it holds
exactly the counts the program printed. This script builds it with one Go toolchain, then
writes (see samples/README.md, "Leak rate: a series and a fleet"):

- ``<out>/series/leakrate.t0.txt`` … ``t4.txt``: debug=2 dumps of one process after ticks
  0..4, ``--spacing`` seconds apart (a rate per minute needs real time between them);
- ``<out>/fleet/pod-{a,b,c}.txt``: three processes with ``-leak`` 30, 8 and 0, after
  3 ticks each;
- ``<out>/fleet-series/pod-{a,b,c}.t0.txt`` … ``t3.txt``: the same three processes, each
  dumped after ticks 0..3, ``--spacing`` seconds apart;
- ``<out>/series-pprof/leakrate.t0.pb.gz`` … ``t4.pb.gz``: the binary profiles
  (``/debug/pprof/goroutine``) of one process after ticks 0..4, each with its own time;

each with a ``.json`` manifest; and, derived from them (``--log-only``), ``<out>/series-log/``:
``leakrate.kubectl.txt`` (the series as one pod's ``kubectl logs --timestamps``) and
``fleet.kubectl.txt`` (the fleet series as ``kubectl logs -l app=leakrate --prefix
--timestamps``). Paths are made neutral: the program under
``/home/gopher/leakrate/``, the standard library under ``/usr/local/go/``.

    python samples/leakrate_capture.py --go /work/toolchains/go1.27/go/bin/go
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import queue
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any

SAMPLES = Path(__file__).resolve().parent
PROGRAM = SAMPLES / "leakrate"
NEUTRAL_PROGRAM = "/home/gopher/leakrate"
NEUTRAL_GOROOT = "/usr/local/go"
NEUTRAL_ROOTS = (NEUTRAL_PROGRAM + "/", NEUTRAL_GOROOT + "/")
MAX_DUMP = 100 * 1024
TIMEOUT = 60.0
DUMP_TRIES = 100
CACHE = Path(tempfile.gettempdir()) / "gtriage-samples" / "leakrate"

SERIES_ARGS = ["-leak", "10", "-burst", "6", "-plateau", "4", "-plateau-ticks", "3", "-steady", "5"]
SERIES_TICKS = 4
FLEET = {"pod-a": 30, "pod-b": 8, "pod-c": 0}  # pod -> -leak
FLEET_TICKS = 3
# The fleet's pods as Kubernetes names them (kubectl --prefix: [pod/NAME/CONTAINER]), in the
# order `kubectl logs -l app=leakrate` prints them here.
KUBE_PODS = {
    "pod-a": "leakrate-7d4b9c8f5-xk2lp",
    "pod-b": "leakrate-7d4b9c8f5-q9z8w",
    "pod-c": "leakrate-7d4b9c8f5-m4n7r",
}
KUBE_CONTAINER = "app"
LINE_GAP = timedelta(microseconds=37)  # between two lines of a dump written to a log: a few ms a dump

# Wait kind and the state the runtime prints for it: (since Go 1.x, state), newest last.
WAITS = {"steady": "select", "leak": "chan-recv", "burst": "mutex", "plateau": "chan-send"}
STATES = {
    "select": [(0, "select")],
    "chan-recv": [(0, "chan receive")],
    "chan-send": [(0, "chan send")],
    "mutex": [(0, "semacquire"), (20, "sync.Mutex.Lock")],
}
# An absolute path followed by :line (a frame's file), not the tail of a relative one.
FRAME_PATH = re.compile(r"(?<![\w.@~-])(/[^\s:\"]+):\d+")


# --------------------------------------------------------------------------- toolchain


def go_env(tmp: Path) -> dict[str, str]:
    """A clean environment for the go command: local toolchain, no network, own caches."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GO") and k != "CGO_ENABLED"}
    env.update(
        GOTOOLCHAIN="local",
        GOPROXY="off",
        GOFLAGS="-mod=mod",
        GOTELEMETRY="off",
        CGO_ENABLED="0",
        GOCACHE=str(CACHE / "gocache"),  # kept between runs: a fresh one rebuilds the standard library
        GOPATH=str(tmp / "gopath"),
    )
    return env


def go_output(go: Path, env: dict[str, str], *args: str) -> str:
    proc = subprocess.run([str(go), *args], capture_output=True, text=True, env=env, timeout=300, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"go {' '.join(args)} failed:\n{proc.stderr}")
    return proc.stdout.strip()


def run_once(go: Path, program: Path, args: list[str]) -> tuple[str, str, list[dict[str, Any]]]:
    """Build a stdlib sample `program` with the toolchain `go` and run it once with `args`:
    the Go version, its standard output with neutral paths (an error if a path of this
    machine is left), and the records of its "MANIFEST {json}" lines on standard error."""
    from gtcapture.neutral import foreign_paths
    from gtcapture.neutral import neutral_paths as neutral

    with tempfile.TemporaryDirectory(prefix=f"{program.name}-") as tmp:
        env = go_env(Path(tmp))
        version = go_output(go, env, "env", "GOVERSION").split()[0]
        goroot = go_output(go, env, "env", "GOROOT")
        binary = Path(tmp) / program.name
        subprocess.run([str(go), "build", "-o", str(binary), "."], cwd=program, env=env, check=True, timeout=300)
        run = subprocess.run([str(binary), *args], capture_output=True, text=True, check=True, timeout=60)
    out = neutral(run.stdout, [goroot, str(Path(goroot).resolve())])
    foreign = foreign_paths(out)
    if foreign:
        raise RuntimeError(f"paths not neutral: {foreign[:5]}")
    records = [json.loads(line[9:]) for line in run.stderr.splitlines() if line.startswith("MANIFEST ")]
    return version, out, records


def go_minor(version: str) -> int:
    """21 for go1.21.13."""
    m = re.match(r"go1\.(\d+)", version)
    if not m:
        raise ValueError(f"not a Go version: {version!r}")
    return int(m.group(1))


def build(go: Path, env: dict[str, str], dest: Path) -> Path:
    binary = dest / "leakrate"
    cmd = [str(go), "build", "-o", str(binary), "."]
    proc = subprocess.run(cmd, cwd=PROGRAM, env=env, capture_output=True, text=True, timeout=300, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{proc.stderr}")
    return binary


# --------------------------------------------------------------------------- the program


def read_markers() -> dict[str, int]:
    """Each ``// SAMPLE:<key>`` marker of leakrate/main.go and its line."""
    found: dict[str, int] = {}
    for lineno, line in enumerate((PROGRAM / "main.go").read_text().splitlines(), 1):
        m = re.search(r"// SAMPLE:([\w-]+)$", line)
        if m:
            found[m.group(1)] = lineno
    return found


def _pump(stream: IO[str], lines: queue.Queue[str | None]) -> None:
    for line in stream:
        lines.put(line.rstrip("\n"))
    lines.put(None)


def _until_ready(lines: queue.Queue[str | None]) -> list[str]:
    got: list[str] = []
    deadline = time.monotonic() + TIMEOUT
    while not got or got[-1] != "READY":
        try:
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
        except queue.Empty:
            raise TimeoutError("leakrate did not print READY:\n" + "\n".join(got)) from None
        if line is None:
            raise RuntimeError("leakrate exited before READY:\n" + "\n".join(got))
        got.append(line)
    return got


@contextlib.contextmanager
def started(binary: Path, args: list[str]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Run the program; yield its address and its tick-0 manifest; kill it on exit."""
    proc = subprocess.Popen([str(binary), *args], stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
    lines: queue.Queue[str | None] = queue.Queue()
    threading.Thread(target=_pump, args=(proc.stdout, lines), daemon=True).start()
    try:
        got = _until_ready(lines)
        addr = next(line.split()[1] for line in got if line.startswith("LISTEN "))
        first = next(json.loads(line[9:]) for line in got if line.startswith("MANIFEST "))
        yield addr, first
    finally:
        proc.kill()
        proc.wait(timeout=TIMEOUT)


def fetch(addr: str, path: str, method: str = "GET") -> str:
    req = urllib.request.Request(f"http://{addr}{path}", method=method, headers={"Connection": "close"})
    with urllib.request.urlopen(req, timeout=TIMEOUT) as resp:
        body: bytes = resp.read()
    return body.decode()


def tick(addr: str) -> dict[str, Any]:
    """Advance one tick; the answer comes once every goroutine of the tick is parked."""
    manifest: dict[str, Any] = json.loads(fetch(addr, "/tick", "POST"))
    return manifest


def quiet(text: str) -> bool:
    """No HTTP connection but the one serving this dump, and nothing runnable: the
    previous request's connection has gone and this one's background reader is parked."""
    return text.count("net/http.(*conn).serve(") == 1 and "[runnable" not in text


def dump(addr: str) -> tuple[str, datetime]:
    """A debug=2 dump and when it was taken; retried (a few ms) until :func:`quiet`, so
    that every dump's background is the same four goroutines."""
    for _ in range(DUMP_TRIES):
        when = datetime.now(UTC)
        text = fetch(addr, "/debug/pprof/goroutine?debug=2")
        if quiet(text):
            break
        time.sleep(0.02)
    else:
        print(f"leakrate_capture: no quiet dump in {DUMP_TRIES} tries; keeping the last", file=sys.stderr)
    return text, when


# --------------------------------------------------------------------------- manifests


def neutral_paths(text: str, goroots: list[str]) -> str:
    """This machine's leakrate/ becomes /home/gopher/leakrate, each GOROOT /usr/local/go."""
    for prog in {str(PROGRAM), str(PROGRAM.resolve())}:
        text = text.replace(prog + "/", NEUTRAL_PROGRAM + "/")
    for root in sorted({r.rstrip("/") for r in goroots if r}, key=len, reverse=True):
        text = text.replace(root + "/", NEUTRAL_GOROOT + "/")
    return text


def state_of(wait: str, minor: int) -> str:
    return [state for since, state in STATES[wait] if minor >= since][-1]


def group_entry(raw: dict[str, Any], markers: dict[str, int], minor: int) -> dict[str, Any]:
    """One group as the sample corpus describes it (samples/README.md, Manifest)."""
    key = raw["key"]
    if raw["line"] != markers[key] or raw["file"] != "main.go":
        said = f"{raw['file']}:{raw['line']}"
        raise RuntimeError(f"{key}: the program says {said}, the marker is main.go:{markers[key]}")
    if len(raw["ids"]) != raw["count"]:
        raise RuntimeError(f"{key}: {len(raw['ids'])} ids for a count of {raw['count']}")
    return {
        "key": key,
        "trend": raw["trend"],
        "ids": raw["ids"],
        "count": raw["count"],
        "wait": WAITS[key],
        "state": state_of(WAITS[key], minor),
        "blocked_at": {"file": "main.go", "line": markers[key], "func": raw["func"]},
        "created_by": raw["created_by"],
        "created_in_goroutine": raw["created_in"],
        "locked_to_thread": 0,
        "labels": None,
        "min_minutes": 0,
        "leaked": 0,
    }


def build_manifest(
    raw: dict[str, Any], version: str, dump_name: str, args: list[str], when: datetime, extra: dict[str, Any]
) -> dict[str, Any]:
    """``groups`` holds the groups the dump shows (count > 0), ``absent`` those at 0."""
    markers = read_markers()
    entries = [group_entry(g, markers, go_minor(version)) for g in raw["groups"]]
    return {
        "program": "leakrate",
        "go": version,
        **extra,
        "dump": dump_name,
        "format": "debug2",
        "args": args,
        "tick": raw["tick"],
        "tick_time": raw["time"],
        "captured_at": when.isoformat().replace("+00:00", "Z"),
        "counts": {g["key"]: g["count"] for g in entries},
        "env": {},
        "build_flags": [],
        "truncated": False,
        "header_labels": False,
        "leak_profile": False,
        "groups": [g for g in entries if g["count"]],
        "absent": [g for g in entries if not g["count"]],
        "crash": None,
        "races": [],
        "marker_lines": {key: f"leakrate/main.go:{line}" for key, line in sorted(markers.items())},
    }


def records(text: str) -> list[str]:
    return [r for r in text.split("\n\n") if r.startswith("goroutine ")]


def at_line(record: str, file: str, line: int) -> bool:
    """Whether a frame of this goroutine is at ``file:line`` (not just a prefix: :12 vs :120)."""
    want = f"/{file}:{line}"
    return any(row.strip().split(" ")[0].endswith(want) for row in record.splitlines())


def problems(manifest: dict[str, Any], text: str) -> list[str]:
    """The dump against its manifest: every group's count, state and creator; no foreign path."""
    found: list[str] = []
    recs = records(text)
    for g in manifest["groups"] + manifest["absent"]:
        at = g["blocked_at"]
        mine = [r for r in recs if at_line(r, at["file"], at["line"])]
        if len(mine) != g["count"]:
            found.append(
                f"{g['key']}: {len(mine)} goroutines at {at['file']}:{at['line']}, want {g['count']}"
            )
        for r in mine:
            if not r.startswith(tuple(f"goroutine {i} [{g['state']}" for i in g["ids"])):
                found.append(f"{g['key']}: unexpected header {r.splitlines()[0]!r}")
            if f"\ncreated by {g['created_by']}" not in r:
                found.append(f"{g['key']}: not created by {g['created_by']}: {r.splitlines()[0]!r}")
    paths = {m[1] for m in FRAME_PATH.finditer(text)}
    found += [f"path {p} is not neutral" for p in sorted(paths) if not p.startswith(NEUTRAL_ROOTS)]
    if len(text.encode()) > MAX_DUMP:
        found.append(f"{len(text.encode())} bytes, over {MAX_DUMP}")
    return found


def write_pair(out: Path, manifest: dict[str, Any], text: str, goroots: list[str]) -> Path:
    """Write a dump (paths made neutral, checked against its manifest) and its manifest."""
    text = neutral_paths(text, goroots)
    bad = problems(manifest, text)
    if bad:
        raise RuntimeError(f"{manifest['dump']} does not match its manifest:\n  " + "\n  ".join(bad[:20]))
    out.mkdir(parents=True, exist_ok=True)
    path = out / str(manifest["dump"])
    path.write_text(text)
    when = datetime.fromisoformat(manifest["captured_at"].replace("Z", "+00:00")).timestamp()
    os.utime(path, (when, when))
    (out / (path.stem + ".json")).write_text(json.dumps(manifest, indent=1) + "\n")
    return path


# --------------------------------------------------------------------------- captures


def series_ticks(binary: Path, spacing: float) -> Iterator[tuple[int, str, dict[str, Any]]]:
    """One process with the series' flags, at ticks 0..4, ``spacing`` seconds apart: each
    tick's number, the process's address and its manifest of the tick."""
    with started(binary, SERIES_ARGS) as (addr, raw):
        for n in range(SERIES_TICKS + 1):
            if n:
                time.sleep(spacing)
                raw = tick(addr)
            if raw["tick"] != n:
                raise RuntimeError(f"expected tick {n}, the program is at {raw['tick']}")
            yield n, addr, raw


def capture_series(binary: Path, version: str, goroots: list[str], out: Path, spacing: float) -> list[Path]:
    """One process, a dump after ticks 0..4, ``spacing`` seconds apart."""
    written = []
    extra = {"kind": "series", "series": "leakrate", "ticks": SERIES_TICKS}
    for n, addr, raw in series_ticks(binary, spacing):
        text, when = dump(addr)
        manifest = build_manifest(raw, version, f"leakrate.t{n}.txt", SERIES_ARGS, when, extra)
        written.append(write_pair(out, manifest, text, goroots))
    return written


def profile(addr: str) -> tuple[bytes, datetime]:
    """The binary goroutine profile (``/debug/pprof/goroutine``, no ``?debug=``) and when it
    was fetched; the profile carries its own time (``time_nanos``)."""
    when = datetime.now(UTC)
    req = urllib.request.Request(f"http://{addr}/debug/pprof/goroutine", headers={"Connection": "close"})
    with urllib.request.urlopen(req, timeout=TIMEOUT) as resp:
        body: bytes = resp.read()
    return body, when


def write_profile(out: Path, manifest: dict[str, Any], data: bytes, goroots: list[str], bindir: Path) -> Path:
    """Write a profile with its string table's paths made neutral (gtcapture/profile.py), and
    its manifest; its file time is the capture's."""
    sys.path.insert(0, str(SAMPLES))
    from gtcapture.profile import gunzip, regzip, rewrite_strings, string_table

    def rewrite(text: str) -> str:
        return neutral_paths(text, goroots).replace(f"{bindir}/", "/home/gopher/bin/")

    data = regzip(rewrite_strings(gunzip(data), rewrite))
    foreign = [s for s in string_table(gunzip(data)) if s.startswith("/") and not s.startswith((*NEUTRAL_ROOTS, "/home/gopher/bin/"))]
    if foreign:
        raise RuntimeError(f"{manifest['dump']}: paths not neutral: {foreign[:5]}")
    out.mkdir(parents=True, exist_ok=True)
    path = out / str(manifest["dump"])
    path.write_bytes(data)
    (out / (path.name.removesuffix(".pb.gz") + ".json")).write_text(json.dumps(manifest, indent=1) + "\n")
    return path


def capture_profiles(binary: Path, version: str, goroots: list[str], out: Path, spacing: float) -> list[Path]:
    """One process, its binary goroutine profile after ticks 0..4, ``spacing`` seconds
    apart: a series whose only clock is each profile's own ``time_nanos``."""
    written = []
    extra = {"kind": "series", "series": "leakrate-pprof", "ticks": SERIES_TICKS}
    for n, addr, raw in series_ticks(binary, spacing):
        data, when = profile(addr)
        manifest = build_manifest(raw, version, f"leakrate.t{n}.pb.gz", SERIES_ARGS, when, extra)
        manifest["format"] = "debug0"  # as locks.debug0.json: the binary profile
        written.append(write_profile(out, manifest, data, goroots, binary.parent))
    return written


Pod = tuple[str, list[str], dict[str, Any]]  # a running pod: its address, its flags, its manifest of the tick


def fleet_ticks(binary: Path, spacing: float) -> Iterator[tuple[int, dict[str, Pod]]]:
    """The three processes of :data:`FLEET` (``-leak`` per pod, the series' other flags),
    at ticks 0..3, ``spacing`` seconds apart; every pod advances one tick before the next
    one: each tick's number and, per pod, its address, its flags and its manifest of the tick."""
    with contextlib.ExitStack() as stack:
        pods: dict[str, Pod] = {}
        for pod, leak in FLEET.items():
            args = ["-leak", str(leak), *SERIES_ARGS[2:]]
            addr, raw = stack.enter_context(started(binary, args))
            pods[pod] = (addr, args, raw)
        for n in range(FLEET_TICKS + 1):
            if n:
                time.sleep(spacing)
                pods = {pod: (addr, args, tick(addr)) for pod, (addr, args, _) in pods.items()}
            for pod, (_, _, raw) in pods.items():
                if raw["tick"] != n:
                    raise RuntimeError(f"{pod}: expected tick {n}, the program is at {raw['tick']}")
            yield n, pods


def dump_fleet(
    binary: Path, version: str, goroots: list[str], out: Path, spacing: float, every_tick: bool
) -> list[Path]:
    """Each pod of the fleet dumped after its last tick (``<pod>.txt``, kind ``fleet``) or,
    ``every_tick``, after each of them (``<pod>.t<N>.txt``, kind ``fleet-series``)."""
    kind = "fleet-series" if every_tick else "fleet"
    written = []
    for n, pods in fleet_ticks(binary, spacing):
        if not every_tick and n < FLEET_TICKS:
            continue
        for pod, (addr, args, raw) in pods.items():
            text, when = dump(addr)
            extra = {"kind": kind, "pod": pod, "fleet": sorted(FLEET), "ticks": FLEET_TICKS}
            name = f"{pod}.t{n}.txt" if every_tick else f"{pod}.txt"
            manifest = build_manifest(raw, version, name, args, when, extra)
            written.append(write_pair(out, manifest, text, goroots))
    return written


def capture_fleet(binary: Path, version: str, goroots: list[str], out: Path) -> list[Path]:
    """Three processes of one program, leaking at different rates, after the same ticks."""
    return dump_fleet(binary, version, goroots, out, 0.0, every_tick=False)


def capture_fleet_series(
    binary: Path, version: str, goroots: list[str], out: Path, spacing: float
) -> list[Path]:
    """The same three processes, each dumped after ticks 0..3, ``spacing`` seconds apart:
    a series per pod, so that a fleet's rate per minute is meaningful."""
    return dump_fleet(binary, version, goroots, out, spacing, every_tick=True)


def logged_dumps(dumps: list[Path], prefix: str = "") -> tuple[list[str], dict[str, Any]]:
    """Dumps as a pod's log read with `kubectl logs --timestamps`: the program wrote each
    dump to stderr at the moment it was captured (a SIGUSR1 handler calling
    pprof.Lookup("goroutine").WriteTo(os.Stderr, 2) is the usual way), after its own log
    line; every line carries the kubelet's RFC 3339 nanosecond timestamp (from the dump's
    ``captured_at``, :data:`LINE_GAP` a line), after kubectl's ``prefix`` if any. Returns
    the lines and what a log manifest says of its parts: ``parts`` (relative to samples/),
    ``captured_at`` and ``counts``, one each a dump."""
    lines: list[str] = []
    manifests = [json.loads(p.with_suffix(".json").read_text()) for p in dumps]
    for path, manifest in zip(dumps, manifests, strict=True):
        at = datetime.fromisoformat(manifest["captured_at"].replace("Z", "+00:00"))
        head = f'level=info msg="dumping goroutines" signal=SIGUSR1 tick={manifest["tick"]}'
        for i, line in enumerate([head, *path.read_text().rstrip("\n").split("\n")]):
            stamp = at + i * LINE_GAP
            lines.append(prefix + stamp.strftime("%Y-%m-%dT%H:%M:%S.%f") + "000Z " + line)
    about = {"parts": [f"{p.parent.name}/{p.name}" for p in dumps],
             "captured_at": [m["captured_at"] for m in manifests], "counts": [m["counts"] for m in manifests]}  # fmt: skip
    return lines, about


def write_log(out: Path, name: str, lines: list[str], manifest: dict[str, Any]) -> Path:
    """``<out>/<name>.txt`` and its manifest ``<name>.json``."""
    out.mkdir(parents=True, exist_ok=True)
    log = out / f"{name}.txt"
    log.write_text("\n".join(lines) + "\n")
    (out / f"{name}.json").write_text(json.dumps(manifest, indent=1) + "\n")
    return log


def kubectl_log(series: Path, out: Path) -> Path:
    """The series as one pod's log read with `kubectl logs --timestamps` (:func:`logged_dumps`)."""
    lines, about = logged_dumps(sorted(series.glob("leakrate.t*.txt")))
    manifest = {"program": "leakrate", "kind": "kubectl-timestamps", "dump": "leakrate.kubectl.txt", **about}
    return write_log(out, "leakrate.kubectl", lines, manifest)


def kubectl_fleet_log(fleet_series: Path, out: Path) -> Path:
    """The fleet series as `kubectl logs -l app=leakrate --prefix --timestamps`: without
    ``-f`` kubectl prints one pod's whole log after the other, every line after
    ``[pod/NAME/CONTAINER] `` (its addPrefixIfNeeded) and the kubelet's timestamp."""
    lines: list[str] = []
    pods = []
    for pod, name in KUBE_PODS.items():
        dumps = sorted(fleet_series.glob(f"{pod}.t*.txt"), key=lambda p: int(p.suffixes[-2][2:]))
        if not dumps:
            raise FileNotFoundError(f"no {pod}.t*.txt in {fleet_series}: capture --only fleet-series first")
        got, about = logged_dumps(dumps, f"[pod/{name}/{KUBE_CONTAINER}] ")
        lines += got
        pods.append({"pod": name, "container": KUBE_CONTAINER, **about})
    manifest = {
        "program": "leakrate",
        "kind": "kubectl-prefix-timestamps",
        "dump": "fleet.kubectl.txt",
        "pods": pods,
    }
    return write_log(out, "fleet.kubectl", lines, manifest)


JOURNAL_SPACING = 5.0  # seconds between the dumps written into the journal


def journal_log(series: Path, out: Path, spacing: float = JOURNAL_SPACING) -> Path:
    """The series as a systemd service's log read with ``journalctl -u leakrate``: each dump,
    after the program's own log line, written at once into the real journal ``spacing``
    seconds after the one before (gtcapture.journald.journal_series), and read back in
    journalctl's default short format, which prints no year. The journal stamps each entry
    when it gets it: the log's times are the journal's (``journal_at``, the first line of
    each dump, in microseconds since the epoch, and ``shown``, as the line prints it)."""
    sys.path.insert(0, str(SAMPLES.parent))  # tools/ at the repository root, for gtcapture
    from gtcapture.journald import journal_series

    dumps = sorted(series.glob("leakrate.t*.txt"))
    manifests = [json.loads(p.with_suffix(".json").read_text()) for p in dumps]
    texts = [
        [f'level=info msg="dumping goroutines" signal=SIGUSR1 tick={m["tick"]}', *p.read_text().rstrip("\n").split("\n")]
        for p, m in zip(dumps, manifests, strict=True)
    ]
    short, shown, firsts = journal_series(texts, "leakrate", spacing)
    version = subprocess.run(["journalctl", "--version"], capture_output=True, text=True, check=True).stdout
    manifest = {
        "program": "leakrate",
        "kind": "journalctl-short",
        "dump": "leakrate.journal.txt",
        "parts": [f"{p.parent.name}/{p.name}" for p in dumps],
        "counts": [m["counts"] for m in manifests],
        "journal_at": firsts,
        "shown": shown,
        "how": f"the series' dumps, each after the program's own log line, written at once {spacing:g} s apart "
        f"into the real journal ({version.split(chr(10))[0]}) by one 'systemd-cat -t leakrate', then read with "
        "'journalctl --no-pager -t leakrate --since=@<just before>' with TZ=UTC and LC_TIME=C: the default "
        "short format, 'Mon DD HH:MM:SS host leakrate[pid]: message', no year; tabs printed as 8 blanks, "
        "no empty line kept, the hostname rewritten to 'host'; every line checked against its JSON entry",
    }
    return write_log(out, "leakrate.journal", short.removesuffix("\n").split("\n"), manifest)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--go", type=Path, required=True, help="the go binary to build leakrate with")
    ap.add_argument("--out", type=Path, default=SAMPLES,
                    help="writes <out>/series, fleet, fleet-series, series-pprof and series-log")
    ap.add_argument("--spacing", type=float, default=15.0, help="seconds between series ticks (default 15)")
    ap.add_argument("--only", choices=["series", "fleet", "fleet-series", "profiles"],
                    help="capture just one of them (profiles: <out>/series-pprof, binary profiles)")
    ap.add_argument("--log-only", action="store_true",
                    help="only derive <out>/series-log/leakrate.kubectl.txt and fleet.kubectl.txt from the "
                    "series and fleet series already captured (with --only, that one's)")
    ap.add_argument("--journal", action="store_true",
                    help="also write the series into the real journal (systemd-journald, started here when "
                    "none runs: root) and keep <out>/series-log/leakrate.journal.txt")
    opts = ap.parse_args(argv)
    logs = {"series": kubectl_log, "fleet-series": kubectl_fleet_log}
    if opts.log_only:
        if opts.only not in (None, *logs):
            ap.error(f"no log is derived from --only {opts.only}")
        for only, derive in logs.items():
            if opts.only in (None, only):
                print(derive(opts.out / only, opts.out / "series-log"))
        if opts.only in (None, "series") and opts.journal:
            print(journal_log(opts.out / "series", opts.out / "series-log"))
        return 0
    with tempfile.TemporaryDirectory(prefix="leakrate-") as tmp:
        env = go_env(Path(tmp))
        version = go_output(opts.go, env, "env", "GOVERSION").split()[0]
        goroots = [go_output(opts.go, env, "env", "GOROOT")]
        goroots.append(str(Path(goroots[0]).resolve()))
        binary = build(opts.go, env, Path(tmp))
        written = []
        if opts.only in (None, "series"):
            written += capture_series(binary, version, goroots, opts.out / "series", opts.spacing)
            written.append(logs["series"](opts.out / "series", opts.out / "series-log"))
            if opts.journal:
                written.append(journal_log(opts.out / "series", opts.out / "series-log"))
        if opts.only in (None, "fleet"):
            written += capture_fleet(binary, version, goroots, opts.out / "fleet")
        if opts.only in (None, "fleet-series"):
            written += capture_fleet_series(binary, version, goroots, opts.out / "fleet-series", opts.spacing)
            written.append(kubectl_fleet_log(opts.out / "fleet-series", opts.out / "series-log"))
        if opts.only in (None, "profiles"):
            written += capture_profiles(binary, version, goroots, opts.out / "series-pprof", opts.spacing)
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
