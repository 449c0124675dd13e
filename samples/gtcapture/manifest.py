"""The manifest of a captured dump: its fields, and a group of goroutines leaky parked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gtcapture.states import expected_state
from gtcapture.toolchain import Toolchain


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
