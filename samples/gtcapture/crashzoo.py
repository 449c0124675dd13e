"""Capturing crashzoo: one crash scenario at one GOTRACEBACK level, and its panic chain."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from gtcapture.config import SAMPLES, TIMEOUT_BUILD, TIMEOUT_EXIT
from gtcapture.manifest import base_manifest
from gtcapture.markers import parse_manifest_lines, read_markers
from gtcapture.pairs import write_pair
from gtcapture.states import expected_state
from gtcapture.toolchain import Toolchain
from tools.processes import run

CRASH_SCENARIOS = (
    "nilmap", "index", "nilptr", "customerr", "goroutine", "repanic-new", "repanic-same",
    "multiline", "deadlock", "mapwrites", "stackoverflow", "testtimeout",
)  # fmt: skip


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
        proc = run(cmd, cwd=SAMPLES / "crashzoo", env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                   timeout=TIMEOUT_BUILD)  # fmt: skip
        text = proc.stdout.decode(errors="replace")
    else:
        assert binary is not None
        proc = run([str(binary), scenario], env=env, capture_output=True, timeout=TIMEOUT_EXIT)
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
