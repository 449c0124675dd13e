"""Writing a dump and its manifest, once the dump passed its manifest's checks."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from gtcapture.checks import check_manifest
from gtcapture.config import MAX_FILE
from gtcapture.neutral import foreign_paths, neutral_paths
from gtcapture.unwrap import checkable_text


def write_pair(out: Path, manifest: dict[str, Any], text: str, goroots: Iterable[str | Path] = ()) -> Path:
    """Write a dump (its paths made neutral first, see :func:`neutral_paths`) and its manifest."""
    out.mkdir(parents=True, exist_ok=True)
    text = neutral_paths(text, goroots)
    data = text.encode()
    if len(data) > MAX_FILE:
        raise RuntimeError(f"{manifest['dump']} is {len(data)} bytes, over {MAX_FILE}")
    plain = checkable_text(manifest, text)
    problems = [f"frame path {p} is not neutral (a GOROOT not rewritten?)" for p in foreign_paths(plain)[:5]]
    problems += check_manifest(manifest, plain)
    if problems:
        (out / (manifest["dump"] + ".rejected")).write_bytes(data)
        raise RuntimeError(
            f"{manifest['dump']} does not match its manifest:\n  " + "\n  ".join(problems[:20])
        )
    (out / (manifest["dump"] + ".rejected")).unlink(missing_ok=True)
    (out / manifest["dump"]).write_bytes(data)
    path = out / (Path(manifest["dump"]).stem + ".json")
    path.write_text(json.dumps(manifest, indent=1) + "\n")
    return path
