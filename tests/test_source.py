"""Inputs: files, gzip, stdin, limits and read errors, each a one-line SourceError."""

from __future__ import annotations

import gzip
import io
import sys
import time
from pathlib import Path
from typing import BinaryIO, TypedDict, Unpack

import pytest

from gtriage.errors import SourceError
from gtriage.http_fetch import text_profile_url
from gtriage.source import open_lines
from servers import BOMB_MEMBER, Respond, drip, endless, ok_head, raw_server, reply, stall

TEXT = "goroutine 1 [running]:\nmain.main()\n\t/app/m.go:3 +0x1d\n"


class OpenOptions(TypedDict, total=False):
    """The keyword arguments of open_lines that these tests pass on."""

    timeout: float
    max_bytes: int | None
    stdin: BinaryIO


def read(spec: str, **kw: Unpack[OpenOptions]) -> list[str]:
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


# ---------------------------------------------------------------- bounded, one line each

MIB = 1 << 20


def fails(spec: str, **kw: Unpack[OpenOptions]) -> str:
    """The SourceError message of reading `spec`, checked to be one inert line."""
    with pytest.raises(SourceError) as info:
        read(spec, **kw)
    message = str(info.value)
    assert message.startswith(spec)
    assert "\n" not in message
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in message), message
    return message


def test_gzip_bomb_stops_at_the_decompressed_limit(tmp_path: Path) -> None:
    # 10 GiB of zeros in ~10 MB on disk: gzip members repeated (see servers.BOMB_MEMBER).
    bomb = tmp_path / "bomb.txt.gz"
    with bomb.open("wb") as f:
        for _ in range(10 << 10):
            f.write(BOMB_MEMBER)
    assert bomb.stat().st_size < 11 * MIB
    # A limit above the compressed size: reading stops because of what comes out.
    message = fails(str(bomb), max_bytes=16 * MIB)
    assert "more than 16 MiB decompressed" in message
    assert "--max-size" in message


def test_one_member_gzip_bomb_stops_at_the_limit(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.gz"
    with gzip.open(bomb, "wb", compresslevel=1) as f:
        for _ in range(16):
            f.write(bytes(MIB))
    assert "more than 2 MiB decompressed" in fails(str(bomb), max_bytes=2 * MIB)


def test_corrupt_deflate_data_is_not_valid_gzip(tmp_path: Path) -> None:
    gz = tmp_path / "corrupt.gz"
    good = gzip.compress(TEXT.encode() * 100)
    gz.write_bytes(good[:10] + b"\xff" * 40 + good[50:])  # the header stays, the deflate data breaks
    assert "not a valid gzip file" in fails(str(gz))


def test_closed_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", None)
    assert fails("-") == "-: stdin is closed"


def test_file_url_reads_the_local_file(tmp_path: Path) -> None:
    p = tmp_path / "a dump.txt"
    p.write_text(TEXT)
    assert read(p.as_uri()) == TEXT.splitlines(keepends=True)
    assert "No such file" in fails((tmp_path / "nope.txt").as_uri())


@pytest.mark.parametrize("spec", ["host:6060/debug/pprof/goroutine", "localhost:6060/debug/pprof/goroutine?debug=2", "10.0.0.7:6060"])
def test_url_without_scheme_gets_a_hint(spec: str) -> None:
    assert fails(spec) == f"{spec}: not a file; did you mean http://{spec}?"


def test_other_schemes_are_refused() -> None:
    assert "cannot read ftp:// URLs" in fails("ftp://host/dump.txt")


DUMP_BODY = TEXT.encode()


@pytest.mark.parametrize(
    ("response", "words"),
    [
        pytest.param(b"\x1b[31mEVIL\x1b]0;pwned\x07\r\n\r\n", 'the status line is "\\x1b[31mEVIL\\x1b]0;pwned\\x07"', id="bad-status-line"),
        pytest.param(b"", "closed the connection without a response", id="no-response"),
        pytest.param(b"HTTP/2.0 200 OK\r\n\r\n", "HTTP/1", id="http2-status-line"),
        pytest.param(b"HTTP/1.1 500 \x1b[2Jgone\r\nContent-Length: 0\r\n\r\n", "HTTP 500 \\x1b[2Jgone", id="error-reason"),
        pytest.param(ok_head(*(f"X-{i}: {i}" for i in range(101))), "got more than 100 headers", id="too-many-headers"),
        pytest.param(ok_head("X-Long: " + "a" * 70000), "header line", id="header-line-too-long"),
        pytest.param(ok_head("Transfer-Encoding: chunked") + b"zz\r\nabc\r\n", "chunk size is not a number", id="bad-chunk"),
        pytest.param(ok_head("Transfer-Encoding: chunked") + b"5\r\nabcde\r\n20\r\nabc", "connection closed in the middle of a chunk after 8 bytes", id="cut-chunk"),
        pytest.param(ok_head("Content-Length: 100") + DUMP_BODY[:10], "connection closed after 10 of 100 bytes", id="short-body"),
    ],
)
def test_bad_http_responses_are_one_line(response: bytes, words: str) -> None:
    with raw_server(reply(response)) as url:
        message = fails(url + "/dump")
    assert words in message


def test_full_body_with_content_length_is_read() -> None:
    with raw_server(reply(ok_head(f"Content-Length: {len(DUMP_BODY)}") + DUMP_BODY)) as url:
        assert read(url + "/dump") == TEXT.splitlines(keepends=True)


def test_endless_body_stops_at_the_limit() -> None:
    with raw_server(endless(ok_head())) as url:
        assert "more than 1 MiB: over the size limit" in fails(url + "/dump", max_bytes=MIB)


def test_declared_huge_body_is_refused_before_reading() -> None:
    with raw_server(endless(ok_head("Content-Length: 3000000000"))) as url:
        message = fails(url + "/dump", max_bytes=MIB)
    assert "2.8 GiB to download, over the size limit of 1 MiB" in message


def test_gzip_encoded_bomb_over_http_stops_at_the_limit() -> None:
    # Content-Encoding: gzip, zeros without end streamed as ~1/1000 of their size (the
    # client stops at its limit and hangs up).
    with raw_server(endless(ok_head("Content-Encoding: gzip"), BOMB_MEMBER)) as url:
        assert "more than 16 MiB decompressed" in fails(url + "/dump", max_bytes=16 * MIB)


@pytest.mark.parametrize(
    "respond",
    [
        pytest.param(drip(ok_head()), id="body"),
        pytest.param(drip(b"HTTP/1.1 200 OK\r\n", b"X"), id="headers"),  # one endless header line
        pytest.param(stall(b""), id="silence"),
    ],
)
def test_timeout_bounds_the_whole_fetch(respond: Respond) -> None:
    with raw_server(respond) as url:
        start = time.monotonic()
        message = fails(url + "/dump", timeout=0.3)
        took = time.monotonic() - start
    assert message.endswith(": timed out after 0.3 s")
    assert 0.3 <= took < 0.8
