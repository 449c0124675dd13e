"""Capturing locks: debug=1, debug=0 and debug=2 of one parked moment, and a SIGQUIT dump.

The program parks goroutines on locks and channels whose topology is known by construction
(which objects are shared, which are one per goroutine, who holds the lock others wait
for); see samples/README.md, "Locks". ``debug1``, ``debug0`` and ``debug2`` are fetched one
after another over one HTTP connection from one process, whose parked goroutines do not
move, so their clusters are those of one moment. ``sigquit-system`` is a second process
started with ``GOTRACEBACK=system`` (that level would add runtime frames to debug=2 too).
"""

from __future__ import annotations

import http.client
import json
import signal
import tempfile
from pathlib import Path
from typing import Any

from gtcapture.config import MAX_FILE, TIMEOUT_EXIT, TIMEOUT_HTTP, TIMEOUT_START
from gtcapture.manifest import base_manifest, leaky_group
from gtcapture.markers import parse_manifest_lines, read_markers
from gtcapture.neutral import NEUTRAL_GOROOT, NEUTRAL_SAMPLES, neutral_paths
from gtcapture.pairs import write_pair
from gtcapture.profile import gunzip, regzip, rewrite_strings, string_table
from gtcapture.programs import read_until_ready, running
from gtcapture.toolchain import Toolchain, build, find_toolchain

# Kind -> (format, path asked for). The first three come from one process, in this order.
MOMENT = {
    "debug1": ("debug1", "/debug/pprof/goroutine?debug=1"),
    "debug0": ("debug0", "/debug/pprof/goroutine"),
    "debug2": ("debug2", "/debug/pprof/goroutine?debug=2"),
}
LOCKS_KINDS = (*MOMENT, "sigquit-system")
# Where the built binary is said to be in a committed profile (its mapping's file name).
NEUTRAL_BIN = "/home/gopher/bin"
NEUTRAL_PREFIXES = (NEUTRAL_SAMPLES + "/", NEUTRAL_GOROOT + "/", NEUTRAL_BIN + "/")


def dump_name(kind: str) -> str:
    return "locks.debug0.pb.gz" if kind == "debug0" else f"locks.{kind}.txt"


def locks_groups(raws: list[dict[str, Any]], tc: Toolchain, markers: dict[str, tuple[str, int]],
                 with_ids: bool) -> list[dict[str, Any]]:  # fmt: skip
    """The manifest's groups: leaky's fields, plus the awaited object, its address for each
    goroutine (``addrs``; only where the dump shows ids), and who holds what."""
    # leaky's fields that locks does not use.
    raws = [{"locked_to_thread": False, "labels": None, "unreachable": False, **raw} for raw in raws]
    by_key = {raw["key"]: raw for raw in raws}
    by_object = {raw["object"]["name"]: raw for raw in raws}
    groups = []
    for raw in raws:
        g = leaky_group(raw, tc, markers, not with_ids, 0, False)
        g["object"] = dict(raw["object"])
        g["addrs"] = dict(sorted(raw["addrs"].items(), key=lambda kv: int(kv[0]))) if with_ids else {}
        g["holder"] = None
        if raw["held_by"]:
            h = by_key[raw["held_by"]]
            line = markers[h["key"]][1]
            g["holder"] = {
                "key": h["key"],
                "id": h["ids"][0] if with_ids else None,
                "file": h["file"],
                "line": line,
                "func": h["func"],
                "state": leaky_group(h, tc, markers, True, 0, False)["state"],
            }
        g["holds"] = []
        for name in raw["holds"]:
            held = by_object[name]
            addr = next(iter(held["addrs"].values()))
            g["holds"].append(
                {"name": name, "type": held["object"]["type"], "addr": addr if with_ids else None}
            )
        groups.append(g)
    return groups


def _manifest(tc: Toolchain, kind: str, fmt: str, env: dict[str, str], raws: list[dict[str, Any]],
              markers: dict[str, tuple[str, int]]) -> dict[str, Any]:  # fmt: skip
    manifest = base_manifest("locks", tc, kind, fmt, env, [])
    manifest["dump"] = dump_name(kind)
    manifest["groups"] = locks_groups(raws, tc, markers, fmt in ("debug2", "traceback"))
    manifest["marker_lines"] = {k: f"{rel}:{line}" for k, (rel, line) in sorted(markers.items())}
    return manifest


def _fetch(addr: str, paths: list[str]) -> list[bytes]:
    """GET each path in turn over one keep-alive connection to a loopback address."""
    host, _, port = addr.rpartition(":")
    if host != "127.0.0.1":
        raise ValueError(f"refusing non-loopback address {addr}")
    conn = http.client.HTTPConnection(host, int(port), timeout=TIMEOUT_HTTP)
    try:
        bodies = []
        for path in paths:
            conn.request("GET", path)
            resp = conn.getresponse()
            body = resp.read()
            if resp.status != 200:
                raise RuntimeError(f"GET {path}: HTTP {resp.status}")
            bodies.append(body)
        return bodies
    finally:
        conn.close()


def neutral_profile(data: bytes, goroots: list[str], bindir: Path) -> bytes:
    """The gzipped profile with its string table's paths made neutral (see profile.py)."""

    def rewrite(s: str) -> str:
        s = neutral_paths(s, goroots)
        return s.replace(f"{bindir}/", f"{NEUTRAL_BIN}/")

    return regzip(rewrite_strings(gunzip(data), rewrite))


def profile_problems(manifest: dict[str, Any], data: bytes) -> list[str]:
    """Plain checks of a debug=0 profile: gzip, its paths neutral, the groups' functions and
    files in its string table (counts and lines need a real protobuf parse)."""
    try:
        strings = string_table(gunzip(data))
    except (ValueError, OSError, EOFError) as exc:
        return [f"not a gzipped profile: {exc}"]
    problems = [
        f"path {s} is not neutral"
        for s in strings
        if s.startswith("/") and not s.startswith(NEUTRAL_PREFIXES)
    ]
    for g in manifest["groups"]:
        if g["blocked_at"]["func"] not in strings:
            problems.append(f"{g['key']}: function {g['blocked_at']['func']} not in the string table")
        if not any(s.endswith("/" + g["blocked_at"]["file"]) for s in strings):
            problems.append(f"{g['key']}: file {g['blocked_at']['file']} not in the string table")
    return problems


def write_profile(out: Path, manifest: dict[str, Any], data: bytes) -> Path:
    """Write a debug=0 profile (already neutral) and its manifest, once it passed its checks."""
    out.mkdir(parents=True, exist_ok=True)
    if len(data) > MAX_FILE:
        raise RuntimeError(f"{manifest['dump']} is {len(data)} bytes, over {MAX_FILE}")
    problems = profile_problems(manifest, data)
    if problems:
        (out / (manifest["dump"] + ".rejected")).write_bytes(data)
        raise RuntimeError(
            f"{manifest['dump']} does not match its manifest:\n  " + "\n  ".join(problems[:20])
        )
    (out / (manifest["dump"] + ".rejected")).unlink(missing_ok=True)
    (out / manifest["dump"]).write_bytes(data)
    path = out / "locks.debug0.json"
    path.write_text(json.dumps(manifest, indent=1) + "\n")
    return path


def capture_locks(go: Path | str | Toolchain, out: Path, kinds: list[str] | None = None,
                  workdir: Path | None = None) -> list[Path]:  # fmt: skip
    """Build locks with ``go`` and capture ``kinds`` (default all) into ``out``; return the
    manifest paths."""
    tc = go if isinstance(go, Toolchain) else find_toolchain(go)
    wanted = [k for k in LOCKS_KINDS if kinds is None or k in kinds]
    markers = read_markers("locks")
    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="gtriage-locks-", dir=workdir) as tmpdir:
        tmp = Path(tmpdir)
        binary = build(tc, "locks", tmp)
        # GOMAXPROCS=1: goroutine ids are the same every run (the program then uses all CPUs).
        env = {"GOMAXPROCS": "1"}
        moment = [k for k in MOMENT if k in wanted]
        if moment:
            with running([str(binary)], tc.env(extra=env), tmp / "stderr.txt") as (_, lines):
                got = read_until_ready(lines, TIMEOUT_START)
                addr = next(line.split()[1] for line in got if line.startswith("LISTEN "))
                raws = parse_manifest_lines("\n".join(got))
                bodies = _fetch(addr, [MOMENT[k][1] for k in moment])
            for kind, body in zip(moment, bodies, strict=True):
                manifest = _manifest(tc, kind, MOMENT[kind][0], env, raws, markers)
                manifest["same_moment"] = [dump_name(k) for k in moment]
                if kind == "debug0":
                    written.append(write_profile(out, manifest, neutral_profile(body, [tc.goroot], tmp)))
                else:
                    written.append(write_pair(out, manifest, body.decode("utf-8", "replace"), [tc.goroot]))
        if "sigquit-system" in wanted:
            env = {"GOMAXPROCS": "1", "GOTRACEBACK": "system"}
            stderr_path = tmp / "stderr-sigquit.txt"
            with running([str(binary)], tc.env(extra=env), stderr_path) as (proc, lines):
                raws = parse_manifest_lines("\n".join(read_until_ready(lines, TIMEOUT_START)))
                proc.send_signal(signal.SIGQUIT)
                proc.wait(timeout=TIMEOUT_EXIT)
            text = stderr_path.read_text(errors="replace")
            manifest = _manifest(tc, "sigquit-system", "traceback", env, raws, markers)
            manifest["same_moment"] = [dump_name("sigquit-system")]
            written.append(write_pair(out, manifest, text, [tc.goroot]))
    return written
