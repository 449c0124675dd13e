"""Go toolchains: describing a ``go`` binary, a clean environment for it, building a program."""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from gtcapture.config import SAMPLES, TIMEOUT_BUILD


@dataclass(frozen=True)
class Toolchain:
    """A Go toolchain: its ``go`` binary and ``go version`` (e.g. ``go1.25.5``)."""

    go: Path
    version: str
    goroot: str = ""  # ``go env GOROOT``: the root its standard-library frames name

    @property
    def minor(self) -> tuple[int, int]:
        return version_tuple(self.version)

    @property
    def dirname(self) -> str:
        major, minor = self.minor
        return f"go{major}.{minor}"

    def env(self, cgo: bool = False, extra: dict[str, str] | None = None) -> dict[str, str]:
        """A clean environment for the go command and the programs it builds."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("GO") and k != "CGO_ENABLED"}
        cache = Path(tempfile.gettempdir()) / "gtriage-samples" / self.version
        env.update(
            GOTOOLCHAIN="local",
            GOPROXY="off",
            GOFLAGS="-mod=mod",
            GOCACHE=str(cache / "cache"),
            GOPATH=str(cache / "path"),
            GOTELEMETRY="off",
            CGO_ENABLED="1" if cgo else "0",
        )
        env.update(extra or {})
        return env


def version_tuple(version: str) -> tuple[int, int]:
    m = re.match(r"go(\d+)\.(\d+)", version)
    if not m:
        raise ValueError(f"not a Go version: {version!r}")
    return int(m.group(1)), int(m.group(2))


def find_toolchain(go: Path | str) -> Toolchain:
    """Run ``go version`` and describe the toolchain."""
    go = Path(go)
    env = {k: v for k, v in os.environ.items() if not k.startswith("GO")}
    env["GOTOOLCHAIN"] = "local"
    out = subprocess.run(
        [str(go), "version"], capture_output=True, text=True, timeout=60, env=env, check=True
    )
    m = re.search(r"\b(go\d+\.\d+(?:\.\d+)?)\b", out.stdout)
    if not m:
        raise RuntimeError(f"cannot parse {out.stdout!r}")
    root = subprocess.run(
        [str(go), "env", "GOROOT"], capture_output=True, text=True, timeout=60, env=env, check=False
    ).stdout.strip()
    return Toolchain(go=go, version=m.group(1), goroot=root or str(go.resolve().parent.parent))


def build(
    tc: Toolchain,
    program: str,
    dest: Path,
    flags: list[str] | None = None,
    test: bool = False,
    build_env: dict[str, str] | None = None,
) -> Path:
    """Build ``samples/<program>`` with ``tc`` into ``dest`` and return the binary."""
    flags = list(flags or [])
    cgo = "-race" in flags
    name = f"{program}.test" if test else program
    out = dest / name
    cmd = [str(tc.go), "test", "-c"] if test else [str(tc.go), "build"]
    cmd += [*flags, "-o", str(out), "."]
    proc = subprocess.run(
        cmd,
        cwd=SAMPLES / program,
        env=tc.env(cgo=cgo, extra=build_env),
        capture_output=True,
        text=True,
        timeout=TIMEOUT_BUILD,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{proc.stderr}")
    return out
