"""The sample corpus: dumps captured from programs whose goroutine states are known by
construction, each with the manifest its program printed (samples/README.md)."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gtriage.report import Cluster, Report

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


@dataclass(frozen=True, eq=False)  # hashed by identity: one object per sample
class Sample:
    dump: Path
    manifest: dict[str, Any]

    @property
    def id(self) -> str:
        return str(self.dump.relative_to(SAMPLES))

    @property
    def go_minor(self) -> int:
        """19 for go1.19.8, 27 for go1.27.3."""
        return int(str(self.manifest["go"]).removeprefix("go").split(".")[1])

    @property
    def groups(self) -> list[dict[str, Any]]:
        return list(self.manifest.get("groups") or [])

    @property
    def format(self) -> str:
        return str(self.manifest.get("format", ""))


def all_samples() -> list[Sample]:
    out = []
    for mpath in sorted(SAMPLES.glob("**/*.json")):
        m = json.loads(mpath.read_text())
        if not isinstance(m, dict) or "dump" not in m:
            continue
        if m.get("format") == "debug0":  # pprof's binary profile: tests/test_pprof_profile.py, tests/samples/test_locks_manifests.py
            continue
        dump = mpath.parent / m["dump"]
        if dump.exists():
            out.append(Sample(dump, m))
    return out


SAMPLE_LIST = all_samples()


def copies_in_order(folder: Path, *paths: Path) -> list[str]:
    """The files copied into `folder` in this order (their times less than a second apart:
    the order given is a series' order)."""
    folder.mkdir(exist_ok=True)
    out = []
    for i, p in enumerate(paths):
        to = folder / f"{i}-{p.name}"
        shutil.copy(p, to)
        out.append(str(to))
    return out


def clusters_of_group(report: Report, group: dict[str, Any]) -> list[Cluster]:
    """Report clusters blocked where a manifest group's goroutines were parked."""
    want = group["blocked_at"]
    return [
        c
        for c in report.clusters
        if c.blocked_at.func == want["func"]
        and c.blocked_at.line == want["line"]
        and c.blocked_at.file.endswith(want["file"])
    ]


def load_capture() -> ModuleType:
    """Import samples/capture.py (a script, not a package) once for every test module."""
    name = "gtriage_samples_capture"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, SAMPLES / "capture.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def find_go() -> Path | None:
    """$GTRIAGE_GO, else `go` on PATH, else the newest /work/toolchains/*/go/bin/go."""
    if os.environ.get("GTRIAGE_GO"):
        return Path(os.environ["GTRIAGE_GO"])
    on_path = shutil.which("go")
    if on_path:
        return Path(on_path)
    found = [p for p in Path("/work/toolchains").glob("go1.*/go/bin/go") if p.is_file()]
    found += [p for p in Path("/usr/lib").glob("go-1.*/bin/go") if p.is_file()]

    def version(p: Path) -> tuple[int, int]:
        m = re.search(r"go-?1\.(\d+)", str(p))
        return (1, int(m.group(1))) if m else (0, 0)

    return max(found, key=version) if found else None
