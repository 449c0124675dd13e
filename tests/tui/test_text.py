"""A goroutine's text rebuilt from the model, the stacks the panes show, the editor command."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gtriage.pipeline import analyze
from gtriage.render.text import render_text
from gtriage.report import Report
from gtriage.tui.app import editor_argv
from gtriage.tui.styled import cluster_stack, goroutine_text, plain

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
# What the model does not keep: pc offsets, gp=/m= words, and blank lines between blocks.
_PC = re.compile(r" \+0x[0-9a-f]+$", re.M)


def _blocks(path: Path) -> dict[int, str]:
    out: dict[int, str] = {}
    for block in path.read_text().split("\n\n"):
        m = re.match(r"goroutine (\d+) \[", block)
        if m:
            out[int(m.group(1))] = _PC.sub("", block.strip("\n")) + "\n"
    return out


@pytest.mark.parametrize("name", ["demo.txt", "dumps/go1.27/leaky.minutes.txt", "dumps/go1.27/leaky.ancestors.txt"])
def test_goroutine_text_is_the_original_block(name: str) -> None:
    path = SAMPLES / name
    report = analyze(str(path))
    original = _blocks(path)
    checked = 0
    for c in report.clusters:
        for g in c.goroutines:
            assert goroutine_text(g) == original[g.id], g.id
            checked += 1
    assert checked == report.goroutines


def test_cluster_stack_folds_runtime_frames(demo: Report) -> None:
    c = next(c for c in demo.clusters if any(f.origin == "runtime" for f in c.frames))
    folded = cluster_stack(c, fold_runtime=True)
    full = cluster_stack(c, fold_runtime=False)
    runtime = sum(1 for f in c.frames if f.origin == "runtime")
    assert sum(s.folded for s in folded) == runtime
    assert sum(1 for s in full if s.origin == "runtime") == runtime
    assert [s.note for s in full if s.note] == ["blocked here"]


def test_plain_text_is_inert() -> None:
    t = plain("\x1b[2J[bold red]x[/]\n")
    assert t.plain == "\\x1b[2J[bold red]x[/]\\n"
    assert not t.spans


@pytest.mark.parametrize(
    ("editor", "argv"),
    [
        ("vim", ["vim", "+12", "/src/a.go"]),
        ("emacs -nw", ["emacs", "-nw", "+12", "/src/a.go"]),
        ("/usr/bin/code --wait", ["/usr/bin/code", "--wait", "-g", "/src/a.go:12"]),
        ("subl", ["subl", "/src/a.go:12"]),
    ],
)
def test_editor_argv(editor: str, argv: list[str]) -> None:
    assert editor_argv(editor, "/src/a.go", 12) == argv


def test_cluster_stack_shows_a_recursion_as_one_row_as_the_text_report_does() -> None:
    report = analyze(str(SAMPLES / "dumps" / "go1.27" / "crashzoo.stackoverflow.txt"))
    c = report.clusters[0]
    folded = cluster_stack(c, fold_runtime=True)
    deep = [s for s in folded if s.call.startswith("main.recurse  × ")]
    assert len(deep) == 1
    count = deep[0].call.rsplit("× ", 1)[1]
    assert f"× {count}" in render_text(report)
    assert len(folded) < 10 < len(c.frames)
    assert len(cluster_stack(c, fold_runtime=False)) == len(c.frames)  # r: every frame
