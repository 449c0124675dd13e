"""``// SAMPLE:<key>`` markers in the programs' sources, and the MANIFEST lines they print."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from gtcapture.config import SAMPLES

MARKER_RE = re.compile(r"//\s*SAMPLE:([A-Za-z0-9_-]+)")


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
