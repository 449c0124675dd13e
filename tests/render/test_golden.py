"""Golden files: the text, Markdown and JSON reports of a few real samples, byte for byte.

Each report is made by the command itself (gtriage.cli.main, in-process: the same argument
parsing, loading, filtering and writing as `gtriage -f FORMAT --color never INPUT...`), run
from the repository root with relative input paths, so the `source` the reports print is
the same on every machine. Nothing else in these reports depends on the machine or the
time (no tool version, no timings), so nothing is normalized.

A change to the output fails here with a unified diff (the JSON report is one line: the
diff shows it indented). When the change is intended, regenerate the files and commit them
with the change, where the review sees the difference:

    python -m pytest tests/render/test_golden.py --update-golden
    git diff tests/golden/
"""

from __future__ import annotations

import contextlib
import difflib
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from gtriage.cli import main

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden"
DEMO = ROOT / "samples" / "demo.txt"
REGENERATE = "python -m pytest tests/render/test_golden.py --update-golden"
MAX_DIFF_LINES = 300


def without(text: str, func: str, keep: int = 0) -> str:
    """The debug=2 dump without the goroutines blocked in `func` (their first frame of the
    program's own code), except the first `keep` of them: what an earlier or later dump of
    the same process holds (tests/test_compare.py builds its pairs the same way)."""
    out, seen = [], 0
    for block in text.split("\n\n"):
        own = [ln for ln in block.splitlines() if ln.startswith("main.")]
        if own and own[0].startswith(func + "("):
            seen += 1
            if seen > keep:
                continue
        out.append(block)
    return "\n\n".join(out)


def build_compare(directory: Path) -> None:
    """before.txt and after.txt, two dumps of the demo's process: one cluster grew (50 more of
    main.recvForever), one shrank (7 fewer of main.Store.Get), one is new (main.nilRecv),
    one is gone (main.readConn), the rest are steady."""
    demo = DEMO.read_text()
    before = without(without(demo, "main.recvForever", keep=150), "main.nilRecv")
    after = without(without(demo, "main.readConn"), "main.Store.Get", keep=30)
    assert before != demo
    assert after != demo
    (directory / "before.txt").write_bytes(before.encode())
    (directory / "after.txt").write_bytes(after.encode())


@dataclass(frozen=True)
class Case:
    name: str  # tests/golden/<name>.text, .md, .json
    inputs: tuple[str, ...]  # relative to the directory the command runs in
    # Writes the inputs into a fresh directory the command then runs in; None: the
    # command runs from the repository root on the samples as they are.
    build: Callable[[Path], None] | None = None

    def __str__(self) -> str:
        return self.name


CASES = [
    Case("demo", ("samples/demo.txt",)),  # debug=2
    Case("sigquit", ("samples/dumps/go1.27/leaky.sigquit-all.txt",)),
    Case("debug1", ("samples/dumps/go1.27/leaky.debug1.txt",)),
    Case("crash", ("samples/dumps/go1.27/crashzoo.goroutine-all.txt",)),  # panic in a goroutine, others parked
    Case("race", ("samples/dumps/go1.27/race.race.txt",)),
    Case("wrapped", ("samples/wrapped/docker-jsonfile.txt",)),  # inside docker's json-file log
    Case("compare", ("before.txt", "after.txt"), build_compare),
]
FORMATS = {"text": "text", "markdown": "md", "json": "json"}


def run_cli(*args: str) -> str:
    """What `gtriage ARGS` writes on stdout, run in this process; it must succeed quietly."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    assert (code, err.getvalue()) == (0, ""), args  # exit code 0: report printed
    return out.getvalue()


def readable(data: bytes, fmt: str) -> str:
    """The text a diff is made of: the JSON report is one line, so it is shown indented."""
    text = data.decode(errors="backslashreplace")
    if fmt == "json":
        with contextlib.suppress(ValueError):
            return json.dumps(json.loads(text), indent=1, ensure_ascii=False) + "\n"
    return text


def first_difference(expected: bytes, actual: bytes) -> str:
    at = next((i for i, (a, b) in enumerate(zip(expected, actual, strict=False)) if a != b), None)
    if at is None:
        at = min(len(expected), len(actual))
    start = max(0, at - 40)
    return f"first difference at byte {at}: golden {expected[start : at + 40]!r}, output {actual[start : at + 40]!r}"


def diff(expected: bytes, actual: bytes, path: Path, fmt: str) -> str:
    """A unified diff of what differs (JSON indented); when only the bytes differ and not
    the JSON value (separators, escapes, a final newline), where they first differ."""
    old, new = readable(expected, fmt), readable(actual, fmt)
    if old == new:
        return first_difference(expected, actual) + "\n"
    lines = list(
        difflib.unified_diff(
            old.splitlines(keepends=True),
            new.splitlines(keepends=True),
            fromfile=f"{path.relative_to(ROOT)} (golden{', indented' if fmt == 'json' else ''})",
            tofile="gtriage output",
        )
    )
    if len(lines) > MAX_DIFF_LINES:
        lines = [*lines[:MAX_DIFF_LINES], f"... {len(lines) - MAX_DIFF_LINES} more diff lines\n"]
    # A difference only in the last newline shows as a line without one.
    return "".join(ln if ln.endswith("\n") else ln + "\n\\ No newline at end of file\n" for ln in lines)


@pytest.mark.parametrize("fmt", list(FORMATS))
@pytest.mark.parametrize("case", CASES, ids=str)
def test_report_matches_golden_file(
    case: Case, fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    if case.build is None:
        monkeypatch.chdir(ROOT)
    else:
        case.build(tmp_path)
        monkeypatch.chdir(tmp_path)
    actual = run_cli("--format", fmt, "--color", "never", *case.inputs).encode()
    golden = GOLDEN / f"{case.name}.{FORMATS[fmt]}"
    if request.config.getoption("--update-golden"):
        GOLDEN.mkdir(exist_ok=True)
        if not golden.exists() or golden.read_bytes() != actual:
            golden.write_bytes(actual)
        return
    if not golden.exists():
        pytest.fail(f"{golden.relative_to(ROOT)} is missing; generate it with\n    {REGENERATE}", pytrace=False)
    expected = golden.read_bytes()
    if actual != expected:
        pytest.fail(
            f"gtriage --format {fmt} {' '.join(case.inputs)} differs from {golden.relative_to(ROOT)}:\n\n"
            f"{diff(expected, actual, golden, fmt)}\n"
            f"If the change is intended, regenerate the golden files and review the diff:\n"
            f"    {REGENERATE}\n    git diff tests/golden/",
            pytrace=False,
        )
