"""The dumps of each size: captured from the generator over loopback HTTP and by SIGQUIT into
bench/dumps/, reused when present."""

from __future__ import annotations

import shutil
import signal
import subprocess
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from gtbench.config import DUMPS, MIB, log
from gtbench.generator import start_generator, stop_generator

URLS = {
    "d2": "/debug/pprof/goroutine?debug=2",
    "full": "/full",
    "d1": "/debug/pprof/goroutine?debug=1",
}


@dataclass
class DumpFile:
    path: Path
    size: int  # goroutines asked of the generator
    kind: str  # d2 | full | d1 | sigquit | kubectl | docker | twice

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


def fetch(url: str, dest: Path, timeout: float) -> None:
    """Stream url (loopback only) into dest, via a temporary file renamed at the end."""
    host = urllib.parse.urlsplit(url).hostname
    if host != "127.0.0.1":
        raise RuntimeError(f"refusing to fetch {url}: not loopback")
    tmp = dest.with_name(dest.name + ".part")
    with urllib.request.urlopen(url, timeout=timeout) as resp, open(tmp, "wb") as f:
        shutil.copyfileobj(resp, f, 4 * MIB)
    tmp.replace(dest)


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
        capture_http(binary, size, http, timeout)
    for d in todo:
        if d.kind == "sigquit":
            capture_sigquit(binary, d, timeout)
    return files


def capture_http(binary: Path, size: int, http: list[DumpFile], timeout: float) -> None:
    """One generator of size goroutines; each dump of http fetched from it in turn."""
    log(f"{size}: starting the generator for {', '.join(d.kind for d in http)}")
    t0 = time.perf_counter()
    gen = start_generator(binary, size)
    try:
        log(f"{size}: READY after {time.perf_counter() - t0:.1f} s ({' '.join(gen.lines[1:-1])})")
        for d in http:
            t1 = time.perf_counter()
            fetch(f"http://{gen.addr}{URLS[d.kind]}", d.path, timeout)
            log(f"{size}: {d.label} {d.path.stat().st_size / MIB:.1f} MiB in {time.perf_counter() - t1:.1f} s")
    finally:
        stop_generator(gen)


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
