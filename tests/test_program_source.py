"""The blocking line from the program's source tree (--source DIR): found by module path
(-trimpath) or by the end of the path, never outside the tree, never a wrong file; a
changed or missing file is said.

By construction: every parked line of the sample programs carries `// SAMPLE:<key>`, and the
manifests name each group's key and line.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import jsonschema
import pytest

from gtriage.cli import main
from gtriage.pipeline import analyze
from gtriage.program_source import SourceTree, default_tree, with_source
from gtriage.render.json import render_json
from gtriage.render.markdown import render_markdown
from gtriage.render.text import render_text
from gtriage.report import Report
from manifests import SAMPLES

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = json.loads((ROOT / "src/gtriage/schema/report.schema.json").read_text())


def groups(dump: Path) -> list[dict[str, object]]:
    found: list[dict[str, object]] = json.loads(dump.with_suffix(".json").read_text())["groups"]
    return found


def check_markers(report: Report, dump: Path) -> None:
    by_line = {(c.blocked_at.file.rsplit("/", 1)[-1], c.blocked_at.line): c for c in report.clusters}
    seen = 0
    for g in groups(dump):
        at = g["blocked_at"]
        assert isinstance(at, dict)
        c = by_line.get((at["file"], at["line"]))
        if c is None:
            continue
        assert c.source is not None, c.blocked_at
        assert c.source.text is not None, c.source.note
        assert f"// SAMPLE:{g['key']}" in c.source.text
        seen += 1
    assert seen >= 5


@pytest.mark.parametrize("version", ["go1.19", "go1.27"])
def test_every_parked_line_is_read_from_the_tree(version: str) -> None:
    dump = SAMPLES / f"dumps/{version}/locks.debug2.txt"
    check_markers(with_source(analyze(str(dump)), SourceTree.open(str(SAMPLES / "locks"))), dump)


def test_trimpath_names_go_through_the_module_path() -> None:
    dump = SAMPLES / "dumps/go1.27/leaky.trimpath.txt"
    report = with_source(analyze(str(dump)), SourceTree.open(str(SAMPLES / "leaky")))
    assert report.clusters[0].blocked_at.file.startswith("example.com/leaky/")
    assert report.clusters[0].source is not None
    assert report.clusters[0].source.note == f"example.com/leaky is {SAMPLES / 'leaky'}"
    check_markers(report, dump)


def test_another_programs_file_of_the_same_name_is_not_shown() -> None:
    report = with_source(analyze(str(SAMPLES / "series/leakrate.t4.txt")), SourceTree.open(str(SAMPLES / "locks")))
    src = report.clusters[0].source
    assert src is not None
    assert src.text is None
    assert "shares only its name" in src.note


def test_a_changed_file_is_said(tmp_path: Path) -> None:
    tree = tmp_path / "leakrate"
    shutil.copytree(SAMPLES / "leakrate", tree)
    main_go = tree / "main.go"
    main_go.write_text("// a header added since the build\n" * 30 + main_go.read_text())
    report = with_source(analyze(str(SAMPLES / "series/leakrate.t4.txt")), SourceTree.open(str(tree)))
    src = report.clusters[0].source
    assert src is not None
    assert src.text is None
    assert src.note.endswith("not awaitReply: changed since the build?")


def test_a_link_out_of_the_tree_is_never_read(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.copy(SAMPLES / "leakrate/main.go", outside / "main.go")
    tree = tmp_path / "leakrate"
    tree.mkdir()
    os.symlink(outside / "main.go", tree / "main.go")
    t = SourceTree.open(str(tree))
    assert t.files == {}
    report = with_source(analyze(str(SAMPLES / "series/leakrate.t4.txt")), t)
    src = report.clusters[0].source
    assert src is not None
    assert src.text is None
    assert src.note.startswith("no main.go under")


def test_every_output_shows_the_line() -> None:
    dump = SAMPLES / "series/leakrate.t4.txt"
    report = with_source(analyze(str(dump)), SourceTree.open(str(SAMPLES / "leakrate")))
    text = render_text(report, stacks=False)
    assert "    source      120 │ <-reply // SAMPLE:leak" in text
    assert "- **Source:** `<-reply // SAMPLE:leak`" in render_markdown(report)
    doc = json.loads(render_json(report))
    jsonschema.validate(doc, SCHEMA)
    src = doc["clusters"][0]["source"]
    assert src["line"] == 120
    assert src["text"].strip() == "<-reply // SAMPLE:leak"
    assert [c["line"] for c in src["context"]] == list(range(117, 124))


def test_the_current_directory_counts_only_when_it_is_a_go_module(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(SAMPLES / "leakrate")
    tree = default_tree(None)
    assert tree is not None
    assert tree.module == "example.com/leakrate"
    monkeypatch.chdir(tmp_path)
    assert default_tree(None) is None


def test_cli_source_option(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    dump = str(SAMPLES / "series/leakrate.t4.txt")
    assert main([dump, "--format", "text", "--no-stacks", "--source", str(SAMPLES / "leakrate")]) == 0
    assert "SAMPLE:leak" in capsys.readouterr().out
    assert main([dump, "--format", "text", "--source", str(tmp_path / "nothing")]) == 2
    assert "not a directory" in capsys.readouterr().err
