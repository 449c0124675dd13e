"""The gtriage command end to end, as a subprocess: inputs, formats, errors, exit codes."""

from __future__ import annotations

import gzip
import http.server
import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from manifests import SAMPLES

DEMO = SAMPLES / "demo.txt"
DEMO_MANIFEST = json.loads((SAMPLES / "demo.json").read_text())
BIGGEST = max(DEMO_MANIFEST["groups"], key=lambda g: g["count"])
ENV = {**os.environ, "NO_COLOR": "1", "PYTHONIOENCODING": "utf-8"}


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "gtriage.cli", *args],
        input=stdin if stdin is not None else b"",
        capture_output=True,
        env=ENV,
        timeout=120,
        check=False,
    )


def _top(out: bytes) -> dict:  # type: ignore[type-arg]
    report = json.loads(out)
    return report["clusters"][0]  # type: ignore[no-any-return]


def test_file_json() -> None:
    r = run("--format", "json", str(DEMO))
    assert r.returncode == 0, r.stderr
    top = _top(r.stdout)
    assert top["count"] == BIGGEST["count"]
    assert top["blocked_at"]["line"] == BIGGEST["blocked_at"]["line"]
    assert r.stderr == b""


def test_stdin_pipe_without_terminal_prints_text() -> None:
    r = run(stdin=DEMO.read_bytes())
    assert r.returncode == 0, r.stderr
    text = r.stdout.decode()
    assert text.startswith("gtriage: -")
    assert f"#1  {BIGGEST['count']} × {BIGGEST['state']}" in text


def test_dash_reads_stdin() -> None:
    r = run("-f", "json", "-", stdin=DEMO.read_bytes())
    assert r.returncode == 0
    assert json.loads(r.stdout)["source"] == "-"


def test_gzip_file(tmp_path: Path) -> None:
    gz = tmp_path / "dump.txt.gz"
    gz.write_bytes(gzip.compress(DEMO.read_bytes()))
    r = run("-f", "json", str(gz))
    assert r.returncode == 0, r.stderr
    assert _top(r.stdout)["count"] == BIGGEST["count"]


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path.startswith("/debug/pprof/goroutine"):
            # Like net/http/pprof: text only with ?debug=N, a gzipped protobuf otherwise.
            body = DEMO.read_bytes() if "debug=" in self.path else gzip.compress(bytes(range(256)) * 40)
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else:
            self.send_error(404, "not here")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_url(server: str) -> None:
    r = run("-f", "json", f"{server}/debug/pprof/goroutine?debug=2")
    assert r.returncode == 0, r.stderr
    assert _top(r.stdout)["count"] == BIGGEST["count"]


def test_url_without_debug_asks_for_text(server: str) -> None:
    r = run("-f", "json", f"{server}/debug/pprof/goroutine")
    assert r.returncode == 0, r.stderr
    assert _top(r.stdout)["count"] == BIGGEST["count"]


def test_binary_profile_gets_a_hint(tmp_path: Path) -> None:
    pb = tmp_path / "goroutine.pb.gz"
    pb.write_bytes(gzip.compress(bytes(range(256)) * 40))
    r = run(str(pb))
    assert r.returncode == 1
    err = r.stderr.decode()
    assert err.count("\n") == 1
    assert "binary" in err
    assert "debug=2" in err


def test_url_http_error(server: str) -> None:
    r = run(f"{server}/nothing")
    assert r.returncode == 1
    err = r.stderr.decode()
    assert err.count("\n") == 1
    assert "404" in err
    assert "/nothing" in err


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize(
    ("args", "stdin", "code", "words"),
    [
        pytest.param(["/no/such/file.txt"], None, 1, "No such file", id="missing-file"),
        pytest.param(["-"], b"", 1, "no goroutine dump", id="empty-input"),
        pytest.param(["-"], bytes(range(256)) * 64, 1, "no goroutine dump", id="binary-garbage"),
        pytest.param(["-"], b"INFO started\nINFO listening on :8080\n", 1, "no goroutine dump", id="no-dump"),
        pytest.param([f"http://127.0.0.1:{_free_port()}/debug/pprof/goroutine?debug=2"], None, 1, "refused", id="refused"),
        pytest.param(["--top", "0", "x"], None, 2, "--top", id="bad-top"),
        pytest.param(["--match", "(", "x"], None, 2, "regular expression", id="bad-regex"),
        pytest.param(["--format", "yaml", "x"], None, 2, "format", id="bad-format"),
        pytest.param(["-", "-"], b"", 2, "once", id="stdin-twice"),
    ],
)
def test_bad_input_is_one_line_and_exit_code(args: list[str], stdin: bytes | None, code: int, words: str) -> None:
    r = run(*args, stdin=stdin)
    assert r.returncode == code
    err = r.stderr.decode()
    assert err.startswith("gtriage: ")
    assert err.count("\n") == 1, err
    assert words in err
    assert r.stdout == b""


def test_directory_is_an_error(tmp_path: Path) -> None:
    r = run(str(tmp_path))
    assert r.returncode == 1
    assert "directory" in r.stderr.decode()


def test_filters() -> None:
    everything = json.loads(run("-f", "json", str(DEMO)).stdout)["clusters"]
    top2 = json.loads(run("-f", "json", "--top", "2", str(DEMO)).stdout)["clusters"]
    assert [c["rank"] for c in top2] == [1, 2]
    only = json.loads(run("-f", "json", "--match", "recvForever", str(DEMO)).stdout)["clusters"]
    assert [c["blocked_at"]["func"] for c in only] == ["main.recvForever"]
    rest = json.loads(run("-f", "json", "--exclude", "recvForever", str(DEMO)).stdout)["clusters"]
    assert len(rest) == len(everything) - 1
    big = json.loads(run("-f", "json", "--min-count", "10", str(DEMO)).stdout)["clusters"]
    assert big
    assert all(c["count"] >= 10 for c in big)
    hidden = json.loads(run("-f", "json", "--hide-healthy", str(DEMO)).stdout)["clusters"]
    assert not any(c["healthy"] for c in hidden)
    assert len(hidden) < len(everything)


def test_color() -> None:
    plain = run("-f", "text", str(DEMO)).stdout
    assert b"\x1b[" not in plain
    colored = run("-f", "text", "--color", "always", str(DEMO)).stdout
    assert b"\x1b[1m" in colored


def test_two_inputs_compare_dumps(tmp_path: Path) -> None:
    # The same capture twice: every cluster is matched in the "previous" dump.
    r = run("-f", "json", str(DEMO), str(DEMO))
    assert r.returncode == 0
    report = json.loads(r.stdout)
    assert len(report["snapshots"]) == 2
    assert report["clusters"][0]["previous_count"] == BIGGEST["count"]


def test_broken_pipe_is_quiet() -> None:
    p = subprocess.Popen(
        [sys.executable, "-m", "gtriage.cli", "-f", "text", str(DEMO)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=ENV,
    )
    assert p.stdout is not None
    p.stdout.read(10)
    p.stdout.close()
    _, err = p.communicate(timeout=60)
    assert b"Traceback" not in err


def test_no_color_env_wins_over_auto(tmp_path: Path) -> None:
    import pty

    # A real terminal on stdout: auto would color, NO_COLOR says no.
    leader, follower = pty.openpty()
    try:
        p = subprocess.run(
            [sys.executable, "-m", "gtriage.cli", "-f", "text", "--top", "1", str(DEMO)],
            stdout=follower,
            stderr=subprocess.PIPE,
            env={**ENV, "NO_COLOR": "1", "TERM": "xterm"},
            timeout=60,
            check=False,
        )
        os.close(follower)
        follower = -1
        out = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
    finally:
        if follower >= 0:
            os.close(follower)
        os.close(leader)
    assert p.returncode == 0
    assert b"#1" in out
    assert b"\x1b[" not in out


def test_progress_bar_counts_bytes(capsys: pytest.CaptureFixture[str]) -> None:
    from gtriage.cli import _Progress

    bar = _Progress("dump.txt", 64 << 20)
    bar(1 << 20)  # small inputs get no bar
    assert capsys.readouterr().err == ""
    bar(32 << 20)
    err = capsys.readouterr().err
    assert "50%" in err
    assert "32 MiB" in err
    bar.done()
    assert capsys.readouterr().err == "\r\x1b[K"
