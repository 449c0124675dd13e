"""Hand-off: the Markdown that `--format markdown` prints, for one cluster or the shown ones."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

from gtriage.render.markdown import render_markdown
from gtriage.report import Cluster, Report


def clusters_markdown(report: Report, clusters: tuple[Cluster, ...]) -> str:
    """The report narrowed to these clusters, in rank order, as Markdown."""
    return render_markdown(dataclasses.replace(report, clusters=tuple(sorted(clusters, key=lambda c: c.rank))))


def save_markdown(text: str, directory: Path | None = None) -> Path:
    """Write to gtriage-<local time>.md in the directory (cwd by default); never overwrite."""
    base = (directory or Path.cwd()) / f"gtriage-{time.strftime('%Y%m%d-%H%M%S')}"
    path = base.with_suffix(".md")
    n = 1
    while path.exists():
        n += 1
        path = Path(f"{base}-{n}.md")
    path.write_text(text, encoding="utf-8")
    return path


def clipboard_note(what: str, sure_way: str) -> str:
    """What to say after an OSC 52 copy. The terminal never answers one (it may be off, as
    in tmux by default), so the note says where the text went and the sure way, never
    "Copied"."""
    return f"{what} sent to the terminal clipboard (OSC 52; tmux needs set-clipboard on). Sure way: {sure_way}."
