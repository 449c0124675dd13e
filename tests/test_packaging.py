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
    wheel = zipfile.ZipFile(next(tmp_path.glob("gtriage-*.whl")))
    assert "gtriage/py.typed" in wheel.namelist()
    # Every grammar file and the schema, byte for byte as in the source tree.
    sources = {f"gtriage/grammar/{p.name}": p for p in sorted((ROOT / "grammar").glob("*.lark"))}
    assert "gtriage/grammar/goroutines.lark" in sources
    sources["gtriage/schema/report.schema.json"] = ROOT / "src/gtriage/schema/report.schema.json"
    for name, path in sources.items():
        assert wheel.read(name) == path.read_bytes(), name


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


def test_report_objects_hash_by_value() -> None:
    # API users key sets and dicts by report objects (a cluster holds its goroutines, which
    # hash by id and line): the same dump read twice gives distinct objects that are equal,
    # with equal hashes, so a cluster of one read finds its key from the other.
    import gtriage

    report = gtriage.analyze(str(ROOT / "samples/demo.txt"))
    again = gtriage.analyze(str(ROOT / "samples/demo.txt"))
    assert again.clusters[0] is not report.clusters[0]
    assert again.clusters[0].goroutines[0] is not report.clusters[0].goroutines[0]
    assert again == report
    assert hash(again) == hash(report)
    rank_of = {c: c.rank for c in report.clusters}
    assert [rank_of[c] for c in again.clusters] == [c.rank for c in again.clusters]
    # ... and different clusters are different keys.
    assert len(set(report.clusters) | set(again.clusters)) == len(report.clusters)
