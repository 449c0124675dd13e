"""heap.py: malloc's thresholds, set once a process when an input turns out big."""

from __future__ import annotations

import io
import platform
import subprocess
import sys

import pytest

from gtriage import heap, source
from gtriage.heap import BIG_INPUT

GLIBC = sys.platform == "linux" and platform.libc_ver()[0] == "glibc"


@pytest.mark.skipif(not GLIBC, reason="mallopt is glibc's")
def test_set_once_a_process() -> None:
    # A fresh interpreter: this test process may have read a big input already.
    code = "from gtriage.heap import keep_freed_memory as k; print(k(), k())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["True", "False"]


def _read_counting(monkeypatch: pytest.MonkeyPatch, data: bytes) -> int:
    calls: list[None] = []

    def keep() -> bool:
        calls.append(None)
        return False

    monkeypatch.setattr(source, "keep_freed_memory", keep)
    with source.open_lines("-", stdin=io.BytesIO(data)) as (_info, lines):
        for _ in lines:
            pass
    return len(calls)


def test_a_big_input_keeps_freed_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    line = b"goroutine 1 [running]:\nmain.main()\n\t/home/gopher/m.go:3 +0x1d\n\n"
    big = line * (BIG_INPUT // len(line) + 1)
    assert _read_counting(monkeypatch, big) >= 1
    assert _read_counting(monkeypatch, big[: BIG_INPUT - len(line)]) == 0


def test_without_mallopt_nothing_changes(monkeypatch: pytest.MonkeyPatch) -> None:
    """A C library without mallopt (musl, macOS): no error, nothing set."""
    import ctypes

    class NoMallopt:
        def __init__(self, _name: object) -> None:
            pass

    monkeypatch.setattr(ctypes, "CDLL", NoMallopt)
    monkeypatch.setattr(heap, "_done", False)
    assert heap.keep_freed_memory() is False
