"""regex_cache.py: a pattern from a kept program is the pattern re.compile makes, and a
cache that is absent, damaged, foreign or refused only costs a compile."""

from __future__ import annotations

import marshal
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from gtriage import regex_cache

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "dumps" / "go1.27" / "crashzoo.nilptr.txt"

# Groups, named groups, lookarounds, inline and given flags, a bytes pattern: what gtriage's
# own patterns use.
PATTERNS: list[tuple[Any, int]] = [
    (r"(0x[0-9a-f]+)", 0),
    (r"goroutine (?<!in goroutine )(?=[0-9]+ \[)", 0),
    (r"(?P<name>[a-z]+)=(?P<value>[0-9]+)|(x)", 0),
    (r"^(?:kube|pod)-[0-9]+ ", re.MULTILINE),
    (r"(?i)created BY", 0),
    (r"panic: .*$", re.IGNORECASE | re.MULTILINE),
    (rb"(?:^|\n)goroutine ([0-9]{1,20}) ", 0),
    ("$^", 0),
]
TEXTS = ["0xc000123 x goroutine 7 [chan receive]", "pod-12 created by main.f\nPANIC: x", "name=12 x"]


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh cache folder and a module that has loaded nothing yet."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(regex_cache, "_programs", None)
    monkeypatch.setattr(regex_cache, "_unsaved", False)
    return tmp_path / "gtriage"


def _restart(monkeypatch: pytest.MonkeyPatch) -> None:
    """As a new process finds the module: nothing loaded, nothing to write."""
    monkeypatch.setattr(regex_cache, "_programs", None)
    monkeypatch.setattr(regex_cache, "_unsaved", False)


def _same(got: re.Pattern[str] | re.Pattern[bytes], pattern: str | bytes, flags: int) -> None:
    want = re.compile(pattern, flags)
    assert got == want  # flags, and the code the matcher runs
    assert (got.pattern, got.flags, got.groups, got.groupindex) == (want.pattern, want.flags, want.groups, want.groupindex)
    for text in TEXTS:
        subject = text.encode() if isinstance(pattern, bytes) else text
        assert [m.span() for m in got.finditer(subject)] == [m.span() for m in want.finditer(subject)]  # type: ignore[arg-type]


def _files(cache: Path) -> list[Path]:
    return sorted(cache.glob("regex-*.marshal"))


def _derive_forbidden(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*_: object) -> None:
        pytest.fail("compiled again although its program was kept")

    monkeypatch.setattr(regex_cache, "_program", fail)


@pytest.mark.parametrize(("pattern", "flags"), PATTERNS)
def test_a_kept_program_makes_the_pattern_re_compile_makes(
    cache: Path, monkeypatch: pytest.MonkeyPatch, pattern: Any, flags: int
) -> None:
    _same(regex_cache.compiled(pattern, flags), pattern, flags)  # derived
    regex_cache.save_programs()
    assert len(_files(cache)) == 1
    _restart(monkeypatch)
    _derive_forbidden(monkeypatch)
    _same(regex_cache.compiled(pattern, flags), pattern, flags)  # from the file


def test_flags_given_as_re_flags_are_kept(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Regression: re.MULTILINE and the opcodes are int subclasses, which marshal refuses;
    # the first run that kept one ended in a traceback instead of its exit.
    regex_cache.compiled("^a", re.MULTILINE)
    regex_cache.save_programs()
    kept = marshal.loads(_files(cache)[0].read_bytes())
    assert ("^a", re.MULTILINE.value) in kept
    _restart(monkeypatch)
    _derive_forbidden(monkeypatch)
    _same(regex_cache.compiled("^a", re.MULTILINE), "^a", re.MULTILINE)


def test_a_program_the_matcher_refuses_is_compiled_again(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    regex_cache.compiled("(a)b", 0)
    regex_cache.save_programs()
    path = _files(cache)[0]
    kept = marshal.loads(path.read_bytes())
    flags, code, groups, index, names = kept[("(a)b", 0)]
    kept[("(a)b", 0)] = (flags, [999] * len(code), groups, index, names)  # no such opcode
    kept[("c", 0)] = "not a program"
    path.write_bytes(marshal.dumps(kept))
    _restart(monkeypatch)
    _same(regex_cache.compiled("(a)b", 0), "(a)b", 0)
    _same(regex_cache.compiled("c", 0), "c", 0)


@pytest.mark.parametrize("content", [b"", b"\x00garbage", marshal.dumps([1, 2]), marshal.dumps({"#interpreter": ("other", 1)})])
def test_a_damaged_or_foreign_file_is_started_over(cache: Path, monkeypatch: pytest.MonkeyPatch, content: bytes) -> None:
    regex_cache.compiled("x+", 0)
    regex_cache.save_programs()
    path = _files(cache)[0]
    path.write_bytes(content)
    _restart(monkeypatch)
    _same(regex_cache.compiled("y+", 0), "y+", 0)
    regex_cache.save_programs()
    kept = marshal.loads(path.read_bytes())
    assert ("y+", 0) in kept
    assert ("x+", 0) not in kept


def test_a_folder_others_may_write_is_neither_read_nor_written(cache: Path) -> None:
    cache.mkdir(mode=0o700)
    os.chmod(cache, 0o777)  # the point of the test
    _same(regex_cache.compiled("z", 0), "z", 0)
    regex_cache.save_programs()
    assert _files(cache) == []


def test_a_run_keeps_its_programs_and_the_next_reads_them(tmp_path: Path) -> None:
    # The command ends with os._exit (cli._end_now): no atexit handler runs, so the
    # programs must be written before it; the second run reads them and says the same.
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    cmd = [sys.executable, "-m", "gtriage", str(SAMPLE), "--format", "json"]
    first = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
    assert first.returncode == 0, first.stderr
    assert first.stderr == ""
    files = _files(tmp_path / "gtriage")
    assert len(files) == 1
    kept = marshal.loads(files[0].read_bytes())
    assert len(kept) > 10
    second = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
    assert (second.returncode, second.stdout, second.stderr) == (0, first.stdout, "")


def test_a_full_cache_is_started_over_and_new_patterns_are_kept(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Regression: a file holding _MAX_ENTRIES programs kept every pattern derived after it
    # out for good (each run compiled it again).
    for i in range(regex_cache._MAX_ENTRIES):
        regex_cache.compiled(f"x{i}", 0)
    regex_cache.save_programs()
    _restart(monkeypatch)
    regex_cache.compiled("new+", 0)  # derived: the file is full
    regex_cache.save_programs()
    _restart(monkeypatch)
    regex_cache.compiled("newer+", 0)  # the file past full is started over
    regex_cache.save_programs()
    _restart(monkeypatch)
    _derive_forbidden(monkeypatch)
    _same(regex_cache.compiled("newer+", 0), "newer+", 0)


def test_flags_and_escape_are_re_s_own() -> None:
    for name in ("IGNORECASE", "LOCALE", "MULTILINE", "DOTALL", "VERBOSE", "DEBUG"):
        assert getattr(regex_cache, name) == getattr(re, name), name
    every = "".join(map(chr, range(0x250))) + "\u2028\U0001f600 [pod/x] host app[7]: "
    assert regex_cache.escape(every) == re.escape(every)
    assert regex_cache.uncached("a.b", regex_cache.IGNORECASE).fullmatch("A.B") is not None


def test_what_two_processes_derived_is_kept_by_both(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker of a parallel read (or another gtriage) keeps what it derived while this
    process runs: this one's save adds to the file, and the next run has both."""
    _same(regex_cache.compiled("y+", 0), "y+", 0)  # this process: loaded an empty file, derived y+
    ours = regex_cache._programs
    _restart(monkeypatch)
    _same(regex_cache.compiled("x+", 0), "x+", 0)  # the other, meanwhile
    regex_cache.save_programs()
    monkeypatch.setattr(regex_cache, "_programs", ours)
    monkeypatch.setattr(regex_cache, "_unsaved", True)
    regex_cache.save_programs()
    kept = marshal.loads(_files(cache)[0].read_bytes())
    assert ("x+", 0) in kept
    assert ("y+", 0) in kept
