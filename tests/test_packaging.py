"""The wheel carries the grammar and the schema; headless runs never import Textual."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_contains_grammar_and_schema(tmp_path: Path) -> None:
    r = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert r.returncode == 0, r.stderr[-2000:]
    wheel = next(tmp_path.glob("gtriage-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "gtriage/grammar/goroutines.lark" in names
    assert "gtriage/schema/report.schema.json" in names
    assert "gtriage/py.typed" in names
    lark = zipfile.ZipFile(wheel).read("gtriage/grammar/goroutines.lark").decode()
    assert lark == (ROOT / "grammar/goroutines.lark").read_text()


def test_headless_report_never_imports_textual() -> None:
    code = (
        "import sys, gtriage.cli as c\n"
        "rc = c.main(['--format', 'json', sys.argv[1]])\n"
        "assert 'textual' not in sys.modules, 'textual imported'\n"
        "assert 'rich' not in sys.modules, 'rich imported'\n"
        "sys.exit(rc)\n"
    )
    r = subprocess.run(
        [sys.executable, "-c", code, str(ROOT / "samples/demo.txt")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["schema"] == "gtriage/1"


def test_public_api() -> None:
    import gtriage

    report = gtriage.analyze(str(ROOT / "samples/demo.txt"))
    assert report.clusters[0].rank == 1
    assert gtriage.apply_filters(report, gtriage.Filters(top=1)).clusters == report.clusters[:1]


def test_report_objects_are_hashable() -> None:
    import gtriage

    report = gtriage.analyze(str(ROOT / "samples/demo.txt"))
    assert len(set(report.clusters)) == len(report.clusters)
    assert hash(report.clusters[0]) == hash(report.clusters[0])
