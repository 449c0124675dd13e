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
