"""End to end in a real terminal: `cat demo.txt | gtriage` inside tmux, keys in, screen out.

This is the pipe + keyboard case: stdin is the dump, the keys come from the terminal.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from gtriage.pipeline import analyze

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "samples" / "demo.txt"

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (.ci/run installs it)")


SOCKET = f"gtriage-test-{uuid.uuid4().hex[:8]}"  # a private server: no user config, no other sessions


def _tmux(*args: str, check: bool = True) -> str:
    return subprocess.run(
        ["tmux", "-L", SOCKET, "-f", "/dev/null", *args], check=check, capture_output=True, text=True
    ).stdout


def _wait(session: str, cond: Callable[[str], bool], what: str, timeout: float = 20.0) -> str:
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = _tmux("capture-pane", "-p", "-t", session)
        if cond(screen):
            return screen
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}; the screen was:\n{screen}")


def test_pipe_into_gtriage_and_drive_it_with_keys(tmp_path: Path) -> None:
    report = analyze(str(DEMO))
    first_c, second_c = report.clusters[0], report.clusters[1]
    first_g = first_c.goroutines[0]
    session = "gtriage"
    status = tmp_path / "status"
    cli = f"{shlex.quote(sys.executable)} -m gtriage.cli"
    # COLUMNS/LINES from the test process would override the pane's size (Rich honours them).
    command = f"cat {shlex.quote(str(DEMO))} | env -u COLUMNS -u LINES {cli}; echo $? > {shlex.quote(str(status))}"
    _tmux("new-session", "-d", "-s", session, "-x", "160", "-y", "48", "-c", str(ROOT), command)
    try:
        first = _wait(
            session,
            # the table, the totals, and the detail pane of the top cluster
            lambda s: f"{report.goroutines} goroutines" in s and f"#1  {first_c.count} × {first_c.state}" in s,
            "the first screen",
        )
        assert "gtriage · stdin" in first
        assert first_c.blocked_at.func in first
        _tmux("send-keys", "-t", session, "j")
        _wait(session, lambda s: f"#2  {second_c.count} × {second_c.state}" in s, "the cursor on cluster #2")
        _tmux("send-keys", "-t", session, "/")
        # Keys sent in one burst can reach the table before the search bar has the focus.
        _wait(session, lambda s: "search function, file, state, labels" in s, "the search bar")
        _tmux("send-keys", "-t", session, "-l", "recvForever")
        # A capture can catch a frame half written: wait for the whole expected screen.
        _wait(
            session,
            lambda s: "(1 shown)" in s and "main.recvForever" in s and second_c.blocked_at.func not in s,
            "the search to narrow the table",
        )
        _tmux("send-keys", "-t", session, "Enter")  # keep the filter, back to the table
        _wait(session, lambda s: "Cancel search" not in s, "the table to take the keys again")
        _tmux("send-keys", "-t", session, "Enter")  # open the cluster
        _wait(session, lambda s: f"goroutine {first_g.id} [{first_g.state}]:" in s, "the goroutines of the cluster")
        _tmux("send-keys", "-t", session, "q")
        deadline = time.monotonic() + 10
        while not (status.exists() and status.read_text().strip()) and time.monotonic() < deadline:
            time.sleep(0.1)  # the session ends with the command: poll the file, not the pane
        assert status.read_text().strip() == "0"
    finally:
        _tmux("kill-server", check=False)


def test_80x24_terminal_keys_and_ctrl_c(tmp_path: Path) -> None:
    report = analyze(str(DEMO))
    top = report.clusters[0]
    session = "small"
    status = tmp_path / "status"
    cli = f"{shlex.quote(sys.executable)} -m gtriage.cli"
    command = f"env -u COLUMNS -u LINES {cli} {shlex.quote(str(DEMO))}; echo $? > {shlex.quote(str(status))}"
    _tmux("new-session", "-d", "-s", session, "-x", "80", "-y", "24", "-c", str(ROOT), command)
    try:
        first = _wait(session, lambda s: f"#1  {top.count} × {top.state}" in s and "? Help" in s, "the first screen")
        lines = first.splitlines()
        footer = next(line for line in reversed(lines) if line.strip())
        assert "q Quit" in footer, first
        assert "? Help" in footer, first
        assert all(len(line) <= 80 for line in lines)
        for c in report.clusters[:5]:  # count, state and file:line of the top rows, whole
            row = next(line for line in lines if line.split()[:1] == [str(c.rank)])
            assert f"{c.count}  {c.state}" in row
            assert f"{c.blocked_at.file.rsplit('/', 1)[-1]}:{c.blocked_at.line}" in row
        _tmux("send-keys", "-t", session, "F1")
        _wait(session, lambda s: "Keys" in s and "ctrl+c" in s, "the help on F1")
        _tmux("send-keys", "-t", session, "Escape")
        _wait(session, lambda s: "Keys" not in s and "? Help" in s, "the help to close")
        _tmux("send-keys", "-t", session, "Enter")
        _wait(session, lambda s: "esc Back" in s, "the goroutines of the cluster")
        _tmux("send-keys", "-t", session, "c")
        _wait(session, lambda s: "OSC 52" in s, "the clipboard message")
        _tmux("send-keys", "-t", session, "h")
        _wait(session, lambda s: "/ Search" in s, "h to go back to the clusters")
        _tmux("send-keys", "-t", session, "C-c")
        deadline = time.monotonic() + 10
        while not (status.exists() and status.read_text().strip()) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert status.read_text().strip() == "0"
    finally:
        _tmux("kill-server", check=False)


def test_watch_in_a_terminal_updates_in_place(tmp_path: Path) -> None:
    """`gtriage --watch URL` on a terminal: the TUI opens on the first poll and the trend
    column fills in as the polls come (the leakrate series served one dump a request)."""
    from test_watch import serving

    series = [ROOT / f"samples/series/leakrate.t{i}.txt" for i in range(5)]
    session = "watch"
    status = tmp_path / "status"
    with serving([p.read_bytes() for p in series]) as url:
        cli = f"{shlex.quote(sys.executable)} -m gtriage.cli --watch {shlex.quote(url)} --interval 0.3s"
        command = f"env -u COLUMNS -u LINES {cli}; echo $? > {shlex.quote(str(status))}"
        _tmux("new-session", "-d", "-s", session, "-x", "120", "-y", "30", "-c", str(ROOT), command)
        try:
            # The leak group of t4 (40 at main.go:120) with its verdict over 5 polls.
            screen = _wait(session, lambda s: "grows" in s and "40" in s and "main.go:120" in s, "the fifth poll")
            assert "trend" in screen
            _tmux("send-keys", "-t", session, "q")
            deadline = time.monotonic() + 10
            while not status.exists() and time.monotonic() < deadline:
                time.sleep(0.1)
            assert status.read_text().strip() == "0"
        finally:
            _tmux("kill-session", "-t", session, check=False)
