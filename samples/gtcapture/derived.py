"""What is derived from the captures: ``demo.txt``/``demo.json``, the table of
``samples/README.md``, and the failures recorded by earlier runs."""

from __future__ import annotations

import json
from pathlib import Path

from gtcapture.config import SAMPLES
from gtcapture.neutral import neutral_paths
from gtcapture.toolchain import version_tuple


def write_readme(dumps: Path, notes: list[str]) -> None:
    rows: dict[tuple[str, str], list[str]] = {}
    versions: set[str] = set()
    for m in sorted(dumps.glob("go1.*/*.json")):
        man = json.loads(m.read_text())
        versions.add(m.parent.name)
        rows.setdefault((man["program"], man["kind"]), []).append(m.parent.name)
    vs = sorted(versions, key=version_tuple)
    table = ["| program | kind | " + " | ".join(vs) + " |", "|---|---|" + "---|" * len(vs)]
    for (prog, kind), have in sorted(rows.items()):
        table.append(f"| {prog} | {kind} | " + " | ".join("x" if v in have else "" for v in vs) + " |")
    readme = SAMPLES / "README.md"
    text = readme.read_text() if readme.exists() else ""
    begin, end = "<!-- BEGIN TABLE (written by capture.py) -->", "<!-- END TABLE -->"
    block = begin + "\n" + "\n".join(table) + "\n" + ("\n" + "\n".join(notes) + "\n" if notes else "") + end
    if begin in text and end in text:
        text = text[: text.index(begin)] + block + text[text.index(end) + len(end) :]
    else:
        text = text + "\n" + block + "\n"
    readme.write_text(text)


def read_notes(dumps: Path) -> list[str]:
    """Failures recorded by earlier (e.g. parallel) runs, for the README."""
    path = dumps / "NOTES.txt"
    return path.read_text().splitlines() if path.exists() else []


def write_demo(dumps: Path) -> None:
    newest = sorted((d for d in dumps.glob("go1.*") if (d / "leaky.debug2.json").exists()),
                    key=lambda d: version_tuple(d.name))[-1]  # fmt: skip
    man = json.loads((newest / "leaky.debug2.json").read_text())
    man.update(dump="demo.txt", source=f"dumps/{newest.name}/leaky.debug2.txt")
    text = neutral_paths((newest / "leaky.debug2.txt").read_bytes().decode())
    (SAMPLES / "demo.txt").write_bytes(text.encode())
    (SAMPLES / "demo.json").write_text(json.dumps(man, indent=1) + "\n")
