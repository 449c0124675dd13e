"""cli.run, the command's entry point: once a report is printed the process ends at once
(os._exit), with its output flushed and its exit code; main(), what tests and scripts call
in-process, never ends the process."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

import pytest

from gtriage import cli
from manifests import SAMPLES

DEMO = SAMPLES / "demo.txt"
ENV = {**os.environ, "NO_COLOR": "1", "PYTHONIOENCODING": "utf-8"}


class Ended(Exception):
    """os._exit, stood in for: the code it was given."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


@pytest.fixture
def ended(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """os._exit raises Ended; each call records what stdout and stderr had been given by then."""
    seen: list[tuple[str, str]] = []

    def end(code: int) -> None:
        out, err = sys.stdout, sys.stderr
        assert isinstance(out, io.TextIOWrapper)
        assert isinstance(err, io.TextIOWrapper)
        seen.append((_written(out), _written(err)))
        raise Ended(code)

    monkeypatch.setattr(os, "_exit", end)
    return seen


def _written(stream: io.TextIOWrapper) -> str:
    """What reached the stream's buffer (not what its own buffer still holds)."""
    raw = stream.buffer
    assert isinstance(raw, io.BytesIO)
    return raw.getvalue().decode()


def _streams(monkeypatch: pytest.MonkeyPatch) -> tuple[io.TextIOWrapper, io.TextIOWrapper]:
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    return out, err


def test_end_now_flushes_stdout_and_stderr_then_exits_with_the_code(
    monkeypatch: pytest.MonkeyPatch, ended: list[tuple[str, str]]
) -> None:
    out, err = _streams(monkeypatch)
    out.write("report\n")
    err.write("gtriage: a line\n")
    with pytest.raises(Ended) as e:
        cli._end_now(3)
    assert e.value.code == 3
    assert ended == [("report\n", "gtriage: a line\n")]


def _end(code: int) -> None:
    raise Ended(code)


def test_end_now_with_closed_streams(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdout", None)
    monkeypatch.setattr(sys, "stderr", None)
    monkeypatch.setattr(os, "_exit", _end)
    with pytest.raises(Ended) as e:
        cli._end_now(1)
    assert e.value.code == 1


@pytest.mark.parametrize(
    ("argv", "code"),
    [(["--format", "json", str(DEMO)], 0), (["--format", "json", "--cluster", "999", str(DEMO)], 2)],
)
def test_run_ends_the_process_once_a_report_is_read(
    monkeypatch: pytest.MonkeyPatch, ended: list[tuple[str, str]], argv: list[str], code: int
) -> None:
    _streams(monkeypatch)
    monkeypatch.setattr(sys, "argv", ["gtriage", *argv])
    with pytest.raises(Ended) as e:
        cli.run()
    assert e.value.code == code
    [(out, err)] = ended
    if code == 0:
        assert json.loads(out)["schema"] == "gtriage/1"
    else:
        assert "no cluster #999" in err


@pytest.mark.parametrize("argv", [["--format", "json", "no/such/file"], ["--format", "json"], ["--format", "tui", str(DEMO)]])
def test_run_returns_when_no_report_was_read(
    monkeypatch: pytest.MonkeyPatch, ended: list[tuple[str, str]], argv: list[str]
) -> None:
    # An input error, no input at all, no terminal for the TUI: the process ends as usual.
    _streams(monkeypatch)
    monkeypatch.setattr(sys, "argv", ["gtriage", *argv])
    monkeypatch.setattr(sys, "stdin", None)
    assert cli.run() in (1, 2)
    assert ended == []


def test_main_never_ends_the_process(monkeypatch: pytest.MonkeyPatch, ended: list[tuple[str, str]]) -> None:
    out, _err = _streams(monkeypatch)
    assert cli.main(["--format", "json", str(DEMO)]) == 0
    assert ended == []
    assert json.loads(_written(out))["schema"] == "gtriage/1"


@pytest.mark.parametrize("module", ["gtriage", "gtriage.cli"])
def test_the_command_prints_the_whole_report_and_its_code(module: str) -> None:
    ok = subprocess.run([sys.executable, "-m", module, "--format", "text", str(DEMO)], capture_output=True, env=ENV, timeout=120, check=False)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout == subprocess.run(
        [sys.executable, "-c", "import sys, gtriage.cli as c; sys.exit(c.main(sys.argv[1:]))", "--format", "text", str(DEMO)],
        capture_output=True, env=ENV, timeout=120, check=True,
    ).stdout
    past = subprocess.run([sys.executable, "-m", module, "--cluster", "999", str(DEMO)], capture_output=True, env=ENV, timeout=120, check=False)
    assert past.returncode == 2
    assert past.stderr.startswith(b"gtriage: no cluster #999")


def _blocked_on_its_pipe(p: subprocess.Popen[bytes]) -> bool:
    """Whether the child has read all that was written to its stdin and waits for more."""
    import fcntl
    import termios

    assert p.stdin is not None
    waiting = bytearray(4)
    fcntl.ioctl(p.stdin.fileno(), termios.FIONREAD, waiting)
    try:
        with open(f"/proc/{p.pid}/wchan") as f:
            wchan = f.read()
    except OSError:
        return False
    return int.from_bytes(waiting, sys.byteorder) == 0 and "pipe" in wchan


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc and FIONREAD on a pipe")
def test_ctrl_c_on_a_stdin_still_open_reports_what_came() -> None:
    # `kubectl logs -f ... | gtriage` never ends its input: Ctrl-C does, and what came is
    # reported with why it stopped there; exit 0, as for any report.
    import signal
    import time

    capture = SAMPLES / "dumps" / "go1.27" / "leaky.sigquit-all.txt"
    data = capture.read_bytes()
    p = subprocess.Popen(
        [sys.executable, "-m", "gtriage", "--format", "json", "-"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV,
    )  # fmt: skip
    assert p.stdin is not None
    try:
        p.stdin.write(data)
        p.stdin.flush()
        deadline = time.monotonic() + 60
        while not _blocked_on_its_pipe(p):
            assert time.monotonic() < deadline, "the child never waited on its stdin"
            time.sleep(0.05)
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=60)
    finally:
        if p.poll() is None:
            p.kill()
    assert p.returncode == 0, err
    report = json.loads(out)
    alone = json.loads(subprocess.run([sys.executable, "-m", "gtriage", "--format", "json", str(capture)],
                                      capture_output=True, env=ENV, check=True).stdout)  # fmt: skip
    assert report["goroutines"] == alone["goroutines"]
    lines = data.count(b"\n")
    assert report["input_cut"] == f"stdin was still open: reading stopped at Ctrl-C, after {lines:,} lines; what came is reported"
    assert alone["input_cut"] is None
