"""The gtriage command end to end, as a subprocess: inputs, formats, errors, exit codes."""

from __future__ import annotations

import fcntl
import gzip
import http.server
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gtriage import __version__
from gtriage.cli import build_parser
from gtriage.cli_args import parse_args
from manifests import SAMPLES
from servers import BOMB_MEMBER, drip, raw_server, reply, stall

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


def _top(out: bytes) -> dict[str, Any]:
    report = json.loads(out)
    top: dict[str, Any] = report["clusters"][0]
    return top


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
        pytest.param(["localhost:6060/debug/pprof/goroutine"], None, 1, "did you mean http://localhost:6060/debug/pprof/goroutine?", id="no-scheme"),
        pytest.param(["--timeout", "inf", "x"], None, 2, "--timeout", id="timeout-inf"),
        pytest.param(["--timeout", "nan", "x"], None, 2, "--timeout", id="timeout-nan"),
        pytest.param(["--timeout", "0", "x"], None, 2, "--timeout", id="timeout-0"),
        pytest.param(["--timeout", "-1", "x"], None, 2, "--timeout", id="timeout-negative"),
        pytest.param(["--max-size", "8X", "x"], None, 2, "--max-size", id="bad-size"),
        pytest.param(["--max-size", "10K", str(DEMO)], None, 1, "more than 10 KiB", id="over-max-size"),
        pytest.param(["--format", "tui", str(DEMO)], None, 2, "needs a terminal", id="tui-without-terminal"),
        pytest.param(["--cluster", "26", str(DEMO)], None, 2, "no cluster #26 in", id="cluster-past-the-last"),
        pytest.param(["--goroutines", "-f", "json", str(DEMO)], None, 2, "--goroutines prints text or markdown", id="goroutines-json"),
        pytest.param(["--goroutines", str(SAMPLES / "dumps/go1.27/leaky.debug1.txt")], None, 1, "debug=1", id="goroutines-debug1"),
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


@pytest.mark.parametrize(("text", "size"), [("500M", 500 << 20), ("8G", 8 << 30), ("1.5GiB", 3 << 29), ("4096", 4096), ("64k", 64 << 10)])
def test_max_size_takes_units(text: str, size: int) -> None:
    assert build_parser().parse_args(["--max-size", text]).max_size == size


def one_line(r: subprocess.CompletedProcess[bytes]) -> str:
    """The single stderr line of a failed run, checked free of tracebacks and escapes."""
    assert b"Traceback" not in r.stderr
    assert b"\x1b" not in r.stderr
    err = r.stderr.decode()
    assert err.startswith("gtriage: ")
    assert err.count("\n") == 1, err
    return err


def test_gzip_bomb_stops_at_max_size(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.gz"
    bomb.write_bytes(BOMB_MEMBER * 1024)  # 1 GiB of zeros
    r = run("--max-size", "4M", str(bomb))
    assert r.returncode == 1
    assert "more than 4 MiB decompressed" in one_line(r)


def test_server_text_in_errors_is_inert() -> None:
    with raw_server(reply(b"\x1b]0;pwned\x07\x1b[2J\r\n\r\n")) as url:
        r = run(f"{url}/debug/pprof/goroutine")
    assert r.returncode == 1
    assert "\\x1b]0;pwned\\x07\\x1b[2J" in one_line(r)


def test_timeout_bounds_the_whole_fetch() -> None:
    with raw_server(drip(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n")) as url:
        r = run("--timeout", "0.3", f"{url}/debug/pprof/goroutine")
    assert r.returncode == 1
    assert one_line(r).endswith("timed out after 0.3 s\n")


def test_full_disk_is_one_line() -> None:
    with open("/dev/full", "wb") as full:
        r = subprocess.run(
            [sys.executable, "-m", "gtriage.cli", "-f", "text", str(DEMO)],
            stdout=full, stderr=subprocess.PIPE, env=ENV, timeout=60, check=False,
        )
    assert r.returncode == 1
    assert "cannot write the report: No space left on device" in one_line(r)


def test_closed_stdin_is_one_line() -> None:
    r = subprocess.run(
        ["sh", "-c", 'exec "$0" -m gtriage.cli - <&-', sys.executable],
        capture_output=True, env=ENV, timeout=60, check=False,
    )
    assert r.returncode == 1
    assert one_line(r) == "gtriage: -: stdin is closed\n"


def test_ctrl_c_is_one_line_and_130() -> None:
    arrived = threading.Event()
    with raw_server(stall(b"", arrived)) as url:
        p = subprocess.Popen(
            [sys.executable, "-m", "gtriage.cli", f"{url}/debug/pprof/goroutine"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV,
        )
        assert arrived.wait(30)  # gtriage is past start-up, waiting for the response
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=30)
    assert p.returncode == 130
    assert out == b""
    assert err == b"gtriage: interrupted\n"


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
    # `gtriage dump | head -c 10`, with a pipe smaller than the report so that the write
    # is bound to meet the reader gone.
    reader, writer = os.pipe()
    fcntl.fcntl(writer, fcntl.F_SETPIPE_SZ, 4096)
    with os.fdopen(reader, "rb") as r:
        p = subprocess.Popen(
            [sys.executable, "-m", "gtriage.cli", "-f", "text", str(DEMO)],
            stdout=writer,
            stderr=subprocess.PIPE,
            env=ENV,
        )
        os.close(writer)
        assert len(r.read(10)) == 10
    _, err = p.communicate(timeout=60)
    assert err == b""
    assert p.returncode == 0


def _on_terminal(*args: str) -> tuple[int, bytes]:
    """Run gtriage with a pseudo-terminal on stdin, stdout and stderr: (exit code, screen)."""
    import pty

    leader, follower = pty.openpty()
    try:
        p = subprocess.Popen(
            [sys.executable, "-m", "gtriage.cli", *args],
            stdin=follower, stdout=follower, stderr=follower,
            env={**ENV, "TERM": "xterm"},
        )
        os.close(follower)
        follower = -1
        screen = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: the child is gone and the terminal closed
                break
            if not chunk:
                break
            screen += chunk
        code = p.wait(timeout=60)
    finally:
        if follower >= 0:
            os.close(follower)
        os.close(leader)
    return code, screen


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        pytest.param(["/no/such/dump.txt"], 1, b"No such file", id="missing-file"),
        pytest.param([str(SAMPLES / "README.md")], 1, b"no goroutine dump found", id="no-dump"),
        pytest.param(["--cluster", "26", str(DEMO)], 2, b"no cluster #26", id="cluster-past-the-last"),
    ],
)
def test_input_error_never_opens_the_tui(args: list[str], code: int, words: bytes) -> None:
    got, screen = _on_terminal("--format", "tui", *args)
    assert got == code
    assert screen.startswith(b"gtriage: ")
    assert words in screen
    assert screen.count(b"\n") == 1, screen
    assert b"\x1b" not in screen  # nothing drawn: no alternate screen, no cursor moves


@pytest.mark.parametrize(
    "args",
    [
        pytest.param([str(SAMPLES / "README.md")], id="no-dump"),
        pytest.param(["--cluster", "26", str(DEMO)], id="cluster-past-the-last"),
    ],
)
def test_input_error_waits_for_the_tui_import(monkeypatch: pytest.MonkeyPatch, args: list[str]) -> None:
    """Regression: the TUI's import thread was left running when the input turned out
    bad, and the interpreter's shutdown under it once ended the process by SIGSEGV."""
    from gtriage import cli

    running: list[threading.Thread] = []

    def preload() -> Any:
        t = threading.Thread(target=threading.Event().wait, args=(0.2,), daemon=True)
        t.start()
        running.append(t)
        return t.join

    monkeypatch.setattr(cli, "preload_tui", preload)
    monkeypatch.setattr(cli, "_keyboard", lambda: None)  # as if on a terminal
    assert cli.main(["--format", "tui", *args]) in (1, 2)
    assert running, "the import was never started: the test tests nothing"
    assert not running[0].is_alive()


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


@pytest.mark.parametrize("argv", [["-m", "gtriage", "--version"], ["-m", "gtriage", "-V"]])
def test_python_dash_m_and_short_version(argv: list[str]) -> None:
    r = subprocess.run([sys.executable, *argv], capture_output=True, env=ENV, timeout=60, check=False)
    assert r.returncode == 0, r.stderr
    assert r.stdout.decode() == f"gtriage {__version__}\n"


def _readme_usage_lines() -> list[str]:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    use = readme.split("\n## Use\n", 1)[1]
    block = use.split("```sh\n", 1)[1].split("```", 1)[0]
    return [line for line in block.splitlines() if line.strip()]


def test_help_has_the_readme_examples_and_the_exit_codes() -> None:
    r = run("--help")
    assert r.returncode == 0
    text = r.stdout.decode()
    lines = _readme_usage_lines()
    assert len(lines) >= 6
    for line in lines:
        assert f"\n  {line}\n" in text, line
    for code, words in ((0, "report printed"), (1, "input unreadable"), (2, "usage error"), (130, "interrupted")):
        assert re.search(rf"^  {code} +{words}", text, re.M), code


@pytest.mark.parametrize(
    "option",
    [a.option_strings[0] for a in build_parser()._actions if a.option_strings and a.nargs != 0 and a.dest not in ("help", "version")],
)
def test_help_gives_each_default(option: str) -> None:
    (action,) = [a for a in build_parser()._actions if option in a.option_strings]
    assert action.help is not None
    assert "default" in action.help, option


@pytest.mark.parametrize(
    ("args", "funcs"),
    [
        pytest.param(["--match", "recvforever"], ["main.recvForever"], id="lower-case-ignores-case"),
        pytest.param(["--match", "RecvForever"], [], id="capital-respects-case"),
        pytest.param(["--exclude", "recvforever", "--top", "1"], ["main.Store.Get"], id="exclude-lower-ignores-case"),
    ],
)
def test_match_and_exclude_are_smart_case(args: list[str], funcs: list[str]) -> None:
    # The pattern rules themselves are in test_filters.py; this is the wiring.
    r = run("-f", "json", *args, str(DEMO))
    assert r.returncode == 0, r.stderr
    assert [c["blocked_at"]["func"] for c in json.loads(r.stdout)["clusters"]] == funcs


def test_cluster_and_its_goroutines() -> None:
    report = json.loads(run("-f", "json", "--cluster", "2", "--cluster", "4", str(DEMO)).stdout)
    assert [c["rank"] for c in report["clusters"]] == [2, 4]
    r = run("--cluster", "2", "--goroutines", str(DEMO))
    assert r.returncode == 0, r.stderr
    assert r.stderr == b""
    out = r.stdout.decode()
    ids = sorted(int(m) for m in re.findall(r"^goroutine (\d+) \[", out, re.M))
    assert ids == report["clusters"][0]["goroutine_ids"]
    # As the dump printed them: the demo's own text of the first one, less its pc offsets.
    first = out.split("\n\n", 1)[0]
    dump = DEMO.read_text()
    start = dump.index(first.split("\n", 1)[0] + "\n")
    assert re.sub(r" \+0x[0-9a-f]+", "", dump[start : dump.index("\n\n", start)]) == first


def test_top_says_how_many_of_how_many() -> None:
    # Markdown says it the same way (tests/render/test_wording.py).
    r = run("-f", "text", "--top", "2", str(DEMO))
    assert r.stdout.decode().splitlines()[1] == "280 goroutines, 2 of 25 clusters shown, traceback"


def test_help_lists_the_tui_keys() -> None:
    out = subprocess.run([sys.executable, "-m", "gtriage", "--help"], capture_output=True, text=True, check=True).stdout
    keys = out[out.index("keys of the TUI:") :]
    for key in ("q  ctrl+c", "?  F1", "H", "enter  l", "escape  h"):
        assert key in keys, key


def test_the_tui_is_imported_while_the_dump_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    # The import (Textual, ~0.3 s) starts as the dump is read (once the worker processes
    # run, for a file read in parallel: test_parallel) and is awaited only once the report
    # is in: a first screen costs the read plus what is left of the import.
    from gtriage import cli
    from gtriage.filters import Filters
    from gtriage.tui import app

    order: list[str] = []
    real_load = cli._load

    def preload() -> Any:
        order.append("import started")
        return lambda: order.append("import awaited")

    def load(inputs: list[str], args: Any, while_reading: Any = None) -> Any:
        order.append("read")
        return real_load(inputs, args, while_reading)

    def run_tui(report: Any, title: str, **_: Any) -> int:
        order.append(f"tui shows {report.goroutines} goroutines")
        return 0

    monkeypatch.setattr(cli, "preload_tui", preload)
    monkeypatch.setattr(cli, "_load", load)
    monkeypatch.setattr(app, "run_tui", run_tui)
    args = parse_args([str(DEMO)])
    assert cli._run_tui([str(DEMO)], args, Filters(), None) == 0
    headers = len(re.findall(r"^goroutine [0-9]+ ", DEMO.read_text(), re.M))
    assert order == ["read", "import started", "import awaited", f"tui shows {headers} goroutines"]


def test_preloading_the_tui_imports_its_app() -> None:
    code = "import sys; from gtriage.cli import preload_tui; preload_tui()(); print('gtriage.tui.app' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.strip() == "True"
