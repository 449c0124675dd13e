"""parallel.py: a file read by several processes gives the report one process gives, byte
for byte; inputs that would read otherwise when cut are read by one process."""

from __future__ import annotations

import gzip
import re
import subprocess
import sys
from pathlib import Path

import pytest

from gtriage import file_chunks, parallel
from gtriage.pipeline import analyze_inputs
from gtriage.render.json import render_json
from manifests import SAMPLE_LIST, SAMPLES, Sample

BENCH_DUMP = Path(__file__).resolve().parents[1] / "bench" / "dumps" / "debug10000.full.txt"


@pytest.fixture
def cut_small(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every input is big enough to cut, and cuts are looked for in small windows."""
    monkeypatch.setattr(parallel, "MIN_PARALLEL_BYTES", 0)
    monkeypatch.setattr(file_chunks, "WINDOW", 512)


def report_json(path: Path, jobs: int) -> str:
    return render_json(analyze_inputs([str(path)], jobs=jobs))


def goroutine_blocks(text: str) -> list[str]:
    return [b for b in text.split("\n\n") if b.startswith("goroutine ")]


def many_goroutines(copies: int) -> str:
    """The demo's goroutines `copies` times over, each copy with ids of its own: one dump."""
    blocks = goroutine_blocks((SAMPLES / "demo.txt").read_text())
    out = []
    gid = 1
    for _ in range(copies):
        for b in blocks:
            out.append(re.sub(r"^goroutine [0-9]+ ", f"goroutine {gid} ", b))
            gid += 1
    return "\n\n".join(out) + "\n"


@pytest.mark.usefixtures("cut_small")
@pytest.mark.parametrize("sample", SAMPLE_LIST, ids=lambda s: s.id)
def test_samples_read_alike_by_one_and_several_processes(sample: Sample) -> None:
    assert report_json(sample.dump, 3) == report_json(sample.dump, 1)


@pytest.mark.usefixtures("cut_small")
def test_a_dump_cut_in_many_chunks_is_merged_exactly(tmp_path: Path) -> None:
    path = tmp_path / "many.txt"
    path.write_text(many_goroutines(30))
    dump = parallel.parse_file(str(path), jobs=4, max_bytes=None)
    assert dump is not None, "the parallel reading gave up on a clean dump"
    assert len(dump.snapshots) == 1
    assert report_json(path, 4) == report_json(path, 1)


@pytest.mark.usefixtures("cut_small")
@pytest.mark.parametrize(
    ("name", "text"),
    [
        # The second dump starts at the first's first id: one pass starts a new dump there.
        ("twice", lambda: many_goroutines(5) + "\n" + many_goroutines(5)),
        # ids seen before the cut: one pass reads repeated ids (a damaged digit, or a new dump).
        ("ids again", lambda: many_goroutines(5) + "\n" + re.sub(r"goroutine 1 ", "goroutine 99999 ", many_goroutines(5), count=1)),
        # A prefix learned before a cut is stripped after it.
        ("prefixed", lambda: "".join(f"pod-7 | {line}\n" for line in many_goroutines(5).splitlines())),
    ],
)
def test_inputs_that_read_otherwise_when_cut_are_read_by_one_process(tmp_path: Path, name: str, text: object) -> None:
    assert callable(text)
    path = tmp_path / "dump.txt"
    path.write_text(text())
    assert parallel.parse_file(str(path), jobs=3, max_bytes=None) is None
    assert report_json(path, 3) == report_json(path, 1)


@pytest.mark.usefixtures("cut_small")
def test_gzip_stdin_and_files_over_the_limit_are_not_cut(tmp_path: Path) -> None:
    text = many_goroutines(5)
    gz = tmp_path / "dump.txt.gz"
    gz.write_bytes(gzip.compress(text.encode()))
    plain = tmp_path / "dump.txt"
    plain.write_text(text)
    assert parallel.parse_file(str(gz), jobs=2, max_bytes=None) is None
    assert parallel.parse_file("-", jobs=2, max_bytes=None) is None
    assert parallel.parse_file(str(plain), jobs=2, max_bytes=len(text) - 1) is None
    assert parallel.parse_file(str(plain), jobs=1, max_bytes=None) is None
    assert parallel.parse_file(str(plain), jobs=2, max_bytes=None) is not None


def test_small_files_are_read_by_one_process(tmp_path: Path) -> None:
    path = tmp_path / "dump.txt"
    path.write_text(many_goroutines(5))
    assert path.stat().st_size < parallel.MIN_PARALLEL_BYTES
    assert parallel.parse_file(str(path), jobs=2, max_bytes=None) is None


def test_cuts_fall_at_headers_after_a_blank_line(tmp_path: Path) -> None:
    path = tmp_path / "dump.txt"
    text = many_goroutines(10)
    path.write_text(text)
    data = path.read_bytes()
    with open(path, "rb") as f:
        cuts = file_chunks.plan_cuts(f, len(data), 4)
    assert cuts == sorted(set(cuts))
    assert len(cuts) == 3
    for c in cuts:
        assert data[c - 2 : c] == b"\n\n"
        assert data[c:].startswith(b"goroutine ")


def test_usable_cores_is_at_least_one() -> None:
    assert parallel.usable_cores() >= 1


def test_cli_jobs(tmp_path: Path) -> None:
    path = tmp_path / "dump.txt"
    path.write_text(many_goroutines(3))

    def run(*args: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run([sys.executable, "-m", "gtriage", *args], capture_output=True, timeout=120, check=False)

    one, two = run(str(path), "-f", "json", "--jobs", "1"), run(str(path), "-f", "json", "-j", "2")
    assert one.returncode == two.returncode == 0
    assert one.stdout == two.stdout
    bad = run(str(path), "--jobs", "0")
    assert bad.returncode == 2
    assert b"--jobs" in bad.stderr


@pytest.mark.slow
@pytest.mark.skipif(not BENCH_DUMP.exists(), reason="the bench dumps are generated by bench/run.py")
def test_bench_dump_reads_alike_by_one_and_two_processes() -> None:
    assert BENCH_DUMP.stat().st_size >= parallel.MIN_PARALLEL_BYTES
    assert parallel.parse_file(str(BENCH_DUMP), jobs=2, max_bytes=None) is not None
    assert report_json(BENCH_DUMP, 2) == report_json(BENCH_DUMP, 1)
