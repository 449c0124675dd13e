"""Capturing the race program's data race report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gtcapture.config import TIMEOUT_EXIT
from gtcapture.manifest import base_manifest
from gtcapture.markers import parse_manifest_lines, read_markers, where
from gtcapture.pairs import write_pair
from gtcapture.toolchain import Toolchain, build
from tools.processes import run


def capture_race(tc: Toolchain, out: Path, tmp: Path) -> Path:
    markers = read_markers("race")
    binary = build(tc, "race", tmp, ["-race"])
    proc = run([str(binary)], env=tc.env(cgo=True), capture_output=True, timeout=TIMEOUT_EXIT)
    text = proc.stderr.decode(errors="replace")
    raws = parse_manifest_lines(proc.stdout.decode())
    manifest = base_manifest("race", tc, "race", "race", {}, ["-race"])

    def side(a: dict[str, Any]) -> dict[str, Any]:
        return {"op": a["op"], "at": where(markers, a["key"], a["func"])}

    manifest["races"] = [{"access": side(r["access"]), "previous": side(r["previous"])} for r in raws]
    manifest["exit_code"] = proc.returncode
    manifest["marker_lines"] = {k: f"{r}:{n}" for k, (r, n) in sorted(markers.items())}
    return write_pair(out, manifest, text, [tc.goroot])
