"""Paths of the capturing machine made neutral in a captured text, and the ones left over."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from gtcapture.config import SAMPLES

# Committed samples name no path of the capturing machine: frames under samples/ read
# /home/gopher/samples/..., standard-library frames /usr/local/go/... whatever the toolchain.
NEUTRAL_SAMPLES = "/home/gopher/samples"
NEUTRAL_GOROOT = "/usr/local/go"
NEUTRAL_ROOTS = ("/home/gopher/", "/usr/local/go/")
# An absolute path followed by :line, not the tail of a relative one (example.com/x.go:3).
FRAME_PATH_RE = re.compile(r"(?<![\w.@~-])(/[^\s:\"]+):\d+")


def neutral_paths(text: str, goroots: Iterable[str | Path] = ()) -> str:
    """Rewrite this machine's paths in a captured text: this samples/ directory becomes
    /home/gopher/samples, each toolchain's GOROOT (``goroots``) /usr/local/go."""
    text = text.replace(f"{SAMPLES}/", f"{NEUTRAL_SAMPLES}/")
    for root in sorted({str(r).rstrip("/") for r in goroots} - {""}, key=len, reverse=True):
        text = text.replace(f"{root}/", f"{NEUTRAL_GOROOT}/")
    return text


def foreign_paths(text: str) -> list[str]:
    """Absolute frame paths (``/x/y.go:12``) outside /home/gopher/ and /usr/local/go/."""
    return sorted({m[1] for m in FRAME_PATH_RE.finditer(text) if not m[1].startswith(NEUTRAL_ROOTS)})
