"""Capturing leaky: its kinds of capture (debug=2, debug=1, SIGQUIT, ...) and one capture."""

from __future__ import annotations

import signal
import tempfile
import time
from pathlib import Path
from typing import Any

from gtcapture.config import TIMEOUT_EXIT, TIMEOUT_START
from gtcapture.manifest import base_manifest, leaky_group
from gtcapture.markers import parse_manifest_lines, read_markers
from gtcapture.pairs import write_pair
from gtcapture.programs import http_get, read_until_ready, running
from gtcapture.toolchain import Toolchain, build, find_toolchain

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
