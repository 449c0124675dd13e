"""Inputs: files, gzip, stdin, limits and read errors, each a one-line SourceError."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pytest

from gtriage.source import SourceError, open_lines, text_profile_url

TEXT = "goroutine 1 [running]:\nmain.main()\n\t/app/m.go:3 +0x1d\n"


def read(spec: str, **kw) -> list[str]:  # type: ignore[no-untyped-def]
    with open_lines(spec, **kw) as (_info, lines):
        return list(lines)


def test_plain_and_gzip_files_read_the_same(tmp_path: Path) -> None:
    plain = tmp_path / "d.txt"
    plain.write_text(TEXT)
    gz = tmp_path / "d.txt.gz"
    gz.write_bytes(gzip.compress(TEXT.encode()))
    assert read(str(plain)) == read(str(gz)) == TEXT.splitlines(keepends=True)


def test_crlf_and_invalid_utf8_become_text(tmp_path: Path) -> None:
    p = tmp_path / "d.txt"
    p.write_bytes(b"a\r\nb\xff\r\n")
    assert read(str(p)) == ["a\n", "b\ufffd\n"]


def test_cut_gzip_is_a_clear_error(tmp_path: Path) -> None:
    gz = tmp_path / "cut.gz"
    gz.write_bytes(gzip.compress(TEXT.encode() * 1000)[:200])
    with pytest.raises(SourceError, match="gzip"):
        read(str(gz))


def test_size_limit(tmp_path: Path) -> None:
    p = tmp_path / "big.txt"
    p.write_text(TEXT * 100)
    with pytest.raises(SourceError, match="limit"):
        read(str(p), max_bytes=100)


def test_stdin_stream() -> None:
    assert read("-", stdin=io.BytesIO(TEXT.encode())) == TEXT.splitlines(keepends=True)


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="No such file"):
        read(str(tmp_path / "nope"))
    with pytest.raises(SourceError, match="directory"):
        read(str(tmp_path))


@pytest.mark.parametrize(
    ("url", "want"),
    [
        ("http://h:6060/debug/pprof/goroutine", "http://h:6060/debug/pprof/goroutine?debug=2"),
        ("http://h/x/debug/pprof/goroutine/?seconds=1", "http://h/x/debug/pprof/goroutine/?seconds=1&debug=2"),
        ("http://h/debug/pprof/goroutine?debug=1", "http://h/debug/pprof/goroutine?debug=1"),
        ("http://h/dump.txt", "http://h/dump.txt"),
    ],
)
def test_goroutine_endpoint_asks_for_text(url: str, want: str) -> None:
    assert text_profile_url(url) == want
