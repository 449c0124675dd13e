"""The progress bar the command line draws on stderr while a big input is read."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from gtriage.progress import ProgressBar
from gtriage.source import open_lines


def test_progress_bar_counts_bytes(capsys: pytest.CaptureFixture[str]) -> None:
    bar = ProgressBar("dump.txt")
    bar(1 << 20, 64 << 20)  # small inputs get no bar
    assert capsys.readouterr().err == ""
    bar(32 << 20, 64 << 20)
    err = capsys.readouterr().err
    assert "50%" in err
    assert "32 MiB" in err
    bar.done()
    assert capsys.readouterr().err == "\r\x1b[K"


def test_progress_bar_without_a_total_says_only_the_bytes(capsys: pytest.CaptureFixture[str]) -> None:
    bar = ProgressBar("-")
    bar(32 << 20, None)
    err = capsys.readouterr().err
    assert "32 MiB" in err
    assert "%" not in err


@pytest.mark.parametrize("packed", [False, True], ids=["plain", "gzip"])
def test_reading_a_file_tells_the_progress_its_size(tmp_path: Path, packed: bool) -> None:
    # Regression: the size was known (SourceInfo.size) but never reached the bar, which
    # then never showed a percentage. A gzip file counts its compressed bytes.
    text = "".join(f"goroutine {i} [select]:\nmain.f()\n\t/app/f.go:3 +0x1\n\n" for i in range(1, 2000))
    data = gzip.compress(text.encode()) if packed else text.encode()
    path = tmp_path / "dump.txt"
    path.write_bytes(data)
    calls: list[tuple[int, int | None]] = []
    with open_lines(str(path), progress=lambda done, total: calls.append((done, total))) as (info, lines):
        assert sum(1 for _ in lines) == text.count("\n")
    assert info.size == len(data)
    assert calls
    assert {total for _, total in calls} == {len(data)}
    assert calls[-1][0] == len(data)


def test_a_read_that_goes_on_gets_its_hint_once_and_it_is_cleared(capsys: pytest.CaptureFixture[str]) -> None:
    import time

    bar = ProgressBar("-")
    bar.hint_after(0.05, "reading stdin... Ctrl-C reports what came")
    deadline = time.monotonic() + 10
    while not bar.shown:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert capsys.readouterr().err == "\rgtriage: reading stdin... Ctrl-C reports what came"
    bar.done()
    assert capsys.readouterr().err == "\r\x1b[K"


def test_a_read_that_ends_first_says_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    import time

    bar = ProgressBar("-")
    bar.hint_after(0.2, "never said")
    bar.done()
    time.sleep(0.3)
    assert capsys.readouterr().err == ""
