"""Loading the captures a wrapped sample is made of, and writing the sample with its manifest."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from gtcapture.config import MAX_FILE
from gtcapture.neutral import neutral_paths
from gtcapture.pairs import write_pair
from gtcapture.unwrap import checkable_text


def lines_of(text: str) -> list[str]:
    return text.split("\n")


class Emitter:
    """Writes wrapped samples into ``wrapped`` from the captures of ``newest`` (a
    ``dumps/go1.XX`` directory) unless told another version; ``made`` lists their manifests."""

    def __init__(self, newest: Path, wrapped: Path) -> None:
        self.newest = newest
        self.wrapped = wrapped
        self.made: list[Path] = []

    def load(self, name: str, version: Path | None = None) -> tuple[dict[str, Any], str]:
        """The manifest and text (paths made neutral) of the capture ``name`` ("leaky.debug2")."""
        version = version or self.newest
        text = neutral_paths((version / f"{name}.txt").read_text())  # before any byte offset is taken
        return json.loads((version / f"{name}.json").read_text()), text

    def emit(self, name: str, source: str, manifest: dict[str, Any], text: str, version: Path | None = None,
             plain: str | None = None, max_bytes: int = MAX_FILE, **extra: Any) -> None:  # fmt: skip
        """Write one wrapped sample; ``plain`` is the dump checkable_text must give back exactly."""
        version = version or self.newest
        m = dict(manifest)
        m.update(
            kind=name, dump=f"{name}.txt", wrapper=name, source=f"dumps/{version.name}/{source}.txt", **extra
        )
        if plain is not None and checkable_text(m, text) != plain:
            raise RuntimeError(f"{name}: checkable_text does not give back the dump it wraps")
        if len(text.encode()) > max_bytes:
            raise RuntimeError(f"{name}: {len(text.encode())} bytes, over {max_bytes}")
        self.made.append(write_pair(self.wrapped, m, text))
