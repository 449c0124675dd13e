"""Rows of a hard-wrapped paste joined back into the runtime's lines (hard_wrap.py).

The wrapped texts here are real captures cut as GNU fold cuts them (`fold_rows`: columns,
a tab to the next multiple of 8; `words`: `fold -s`, a break after the row's last blank).
The samples wrapped by the real tools (tmux, fold) are in samples/wrapped/ and are checked
with every other sample.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from gtriage.carriers import read_streams
from gtriage.hard_wrap import detect
from gtriage.pipeline import analyze
from gtriage.render.json import render_json

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
NEWEST = SAMPLES / "dumps" / "go1.27"
# Captures of every kind with lines over 72 columns: debug=2, debug=1, labels, SIGQUIT at
# traceback level 2, a stack overflow, a test timeout.
WRAPPED = [
    "leaky.debug2",
    "leaky.debug1",
    "leaky.labels",
    "leaky.sigquit-all",
    "crashzoo.stackoverflow-all",
    "crashzoo.testtimeout-all",
    "locks.debug2",
]


def fold_rows(text: str, width: int, words: bool = False) -> str:
    """`text` as `fold -w width` (`words`: `fold -s -w width`) writes it."""
    out: list[str] = []
    for line in text.split("\n"):
        row, col = "", 0
        for ch in line:
            nxt = (col // 8 + 1) * 8 if ch == "\t" else col + 1
            if nxt > width and row:
                blank = max(row.rfind(" "), row.rfind("\t")) if words else -1
                if blank >= 0:
                    out.append(row[: blank + 1])
                    row = row[blank + 1 :]
                else:
                    out.append(row)
                    row = ""
                col = len(row.expandtabs(8))
                nxt = (col // 8 + 1) * 8 if ch == "\t" else col + 1
            row += ch
            col = nxt
        out.append(row)
    return "\n".join(out)


def _reading(path: Path) -> dict[str, object]:
    """What a report says of its dump, less how the input carried it."""
    r = json.loads(render_json(analyze(str(path))))
    return {k: r[k] for k in ("goroutines", "unparsed", "clusters", "crash", "truncated", "format")}


@pytest.mark.parametrize("words", [False, True], ids=["cut", "word-wrap"])
@pytest.mark.parametrize("width", [72, 80])
@pytest.mark.parametrize(
    "name", [n if n == "leaky.debug2" else pytest.param(n, marks=pytest.mark.slow) for n in WRAPPED]
)
def test_a_wrapped_capture_reads_as_the_capture(name: str, width: int, words: bool, tmp_path: Path) -> None:
    _reads_as_the_capture(NEWEST / f"{name}.txt", width, words, tmp_path)


@pytest.mark.parametrize("words", [False, True], ids=["cut", "word-wrap"])
@pytest.mark.parametrize("name", ["go1.22/leaky.debug1", "go1.19/locks.debug1"])
def test_a_debug1_frame_cut_in_its_name_or_before_its_tabs(name: str, words: bool, tmp_path: Path) -> None:
    # Regression: at 72 columns older releases' debug=1 frames are cut right before "+0x1c"
    # (a blank was put back: "f +0x1c"), or where the tabs that align the location pass the
    # width, so that the location's row starts with a tab (it was left alone, the frame lost).
    _reads_as_the_capture(SAMPLES / "dumps" / f"{name}.txt", 72, words, tmp_path)


def _reads_as_the_capture(path: Path, width: int, words: bool, tmp_path: Path) -> None:
    plain = path.read_text()
    wrapped = fold_rows(plain, width, words)
    assert wrapped != plain
    (tmp_path / "w.txt").write_text(wrapped)
    want = _reading(path)
    got = _reading(tmp_path / "w.txt")
    unparsed = got["unparsed"]
    assert isinstance(unparsed, dict)
    assert unparsed["lines"] == 0, unparsed["samples"]
    assert got == want
    carriers = json.loads(render_json(analyze(str(tmp_path / "w.txt"))))["carriers"]
    assert any(
        c.startswith("lines hard-wrapped at ") and c.endswith("(rejoined, inferred)") for c in carriers
    )


def kubectl_timestamps(text: str) -> str:
    """Each line behind the time kubectl --timestamps prints (RFC 3339 with nanoseconds,
    trailing zeros dropped: the prefix's width varies from line to line)."""
    out = []
    for i, line in enumerate(text.split("\n")[:-1]):
        frac = f"{(464501905 + 1250 * i) % 10**9:09d}".rstrip("0")
        out.append(f"2026-11-30T07:18:13{'.' + frac if frac else ''}Z {line}\n")
    return "".join(out)


@pytest.mark.parametrize("words", [False, True], ids=["cut", "word-wrap"])
@pytest.mark.parametrize("width", [80, 100])
@pytest.mark.parametrize(
    "name", [n if n in ("leaky.debug2", "leaky.sigquit-all") else pytest.param(n, marks=pytest.mark.slow) for n in WRAPPED]
)
def test_a_wrapped_log_reads_as_the_capture(name: str, width: int, words: bool, tmp_path: Path) -> None:
    # `kubectl logs --timestamps` copied from a terminal: only each line's first row carries
    # the prefix, and a row that carries it starts a line.
    path = NEWEST / f"{name}.txt"
    (tmp_path / "w.txt").write_text(fold_rows(kubectl_timestamps(path.read_text()), width, words))
    got = _reading(tmp_path / "w.txt")
    assert got["unparsed"] == {"lines": 0, "samples": []}
    assert got == _reading(path)


def test_a_creator_cut_in_its_goroutine_number_keeps_the_number(tmp_path: Path) -> None:
    # "created by f in goroutine 28" over "9" reads whole, and a location comes next: the
    # row of digits goes on it.
    plain = (NEWEST / "leaky.debug2.txt").read_text()
    creator = next(line for line in plain.split("\n") if line.startswith("created by ") and line[-2:].isdigit())
    (tmp_path / "w.txt").write_text(fold_rows(plain, len(creator) - 1))
    report = analyze(str(tmp_path / "w.txt"))
    assert report.unparsed_lines == 0
    assert _reading(tmp_path / "w.txt") == _reading(NEWEST / "leaky.debug2.txt")


def test_a_location_cut_in_its_line_number_keeps_the_number(tmp_path: Path) -> None:
    # Regression: "fd_poll_runtime.go:84" cut after ":8" read as line 8, the rest as damage.
    plain = (NEWEST / "leaky.debug2.txt").read_text()
    loc = next(line for line in plain.split("\n") if line.endswith("fd_poll_runtime.go:84 +0x27"))
    width = len(loc[: loc.index(":84") + 2].expandtabs(8))
    (tmp_path / "w.txt").write_text(fold_rows(plain, width))
    report = analyze(str(tmp_path / "w.txt"))
    lines = {
        f.line
        for c in report.clusters
        for s in c.stacks
        for f in s.frames
        if f.file.endswith("fd_poll_runtime.go")
    }
    assert 84 in lines
    assert 8 not in lines
    assert report.unparsed_lines == 0


def _stream(text: str) -> tuple[str, list[int]]:
    """The text read from `text` and the input line of each of its lines."""
    (s,) = list(read_streams(io.StringIO(text)))
    body = "".join(s.chunks)
    lm = s.line_map
    return body, [lm(i) if lm is not None else i for i in range(1, body.count("\n") + 1)]


def test_rows_are_joined_into_the_exact_lines_across_chunks() -> None:
    # fold -w keeps every character: the lines come back as they were, also where a cut
    # line spans two 1 MiB chunks (30 copies of the dump: ~2.4 MiB).
    plain = (NEWEST / "leaky.debug2.txt").read_text() * 30
    wrapped = fold_rows(plain, 60)
    body, origin = _stream(wrapped)
    assert body == plain
    # Each line maps to the input row it starts on.
    starts, row = [], 1
    for line in plain.split("\n")[:-1]:
        starts.append(row)
        row += fold_rows(line, 60).count("\n") + 1
    assert origin == starts


def terminal_rows(text: str, width: int) -> str:
    """`text` as a terminal `width` columns wide shows it and copies it without its soft
    wraps (tmux capture-pane without -J): tabs as spaces, every line cut each `width`
    columns, each row without its trailing blanks."""
    rows: list[str] = []
    for line in text.expandtabs(8).split("\n"):
        rows.extend(line[i : i + width].rstrip(" ") for i in range(0, max(len(line), 1), width))
    return "\n".join(rows)


@pytest.mark.parametrize("width", [60, 80])
@pytest.mark.parametrize(
    "name",
    [
        "leaky.debug2",
        pytest.param("leaky.labels", marks=pytest.mark.slow),
        pytest.param("locks.debug2", marks=pytest.mark.slow),
    ],
)
def test_a_terminal_copy_reads_as_the_capture(name: str, width: int, tmp_path: Path) -> None:
    # The blanks a terminal drops at a cut (after a comma, before "+0x", "in goroutine")
    # come back: the stacks' argument texts are the capture's.
    (tmp_path / "w.txt").write_text(terminal_rows((NEWEST / f"{name}.txt").read_text(), width))
    assert _reading(tmp_path / "w.txt") == _reading(NEWEST / f"{name}.txt")


@pytest.mark.parametrize("width", [72, 80, 200])
@pytest.mark.parametrize("name", ["go1.27/leaky.debug1", pytest.param("go1.19/locks.debug1", marks=pytest.mark.slow)])
def test_a_terminal_copy_of_a_debug1_profile_reads_as_the_capture(name: str, width: int, tmp_path: Path) -> None:
    # Tabs as spaces: a frame's three words keep their order, one space where a tab stop
    # fell right after one; a frame cut in the blanks that align its location goes on in
    # the next row, which starts with the rest of them.
    path = SAMPLES / "dumps" / f"{name}.txt"
    (tmp_path / "w.txt").write_text(terminal_rows(path.read_text(), width))
    assert _reading(tmp_path / "w.txt") == _reading(path)


@pytest.mark.parametrize("width", [80, 100])
@pytest.mark.parametrize(
    "name",
    ["leaky.debug2", "crashzoo.nilptr-all", "locks.debug1", pytest.param("leaky.sigquit-all", marks=pytest.mark.slow)],
)
def test_a_terminal_copy_of_a_log_reads_as_the_capture(name: str, width: int, tmp_path: Path) -> None:
    # kubectl logs --timestamps on an 80-column terminal, copied: tabs as spaces, each row
    # without its trailing blank ("code=0x1" over "addr=0x8" in a signal's words).
    (tmp_path / "w.txt").write_text(terminal_rows(kubectl_timestamps((NEWEST / f"{name}.txt").read_text()), width))
    assert _reading(tmp_path / "w.txt") == _reading(NEWEST / f"{name}.txt")


@pytest.mark.parametrize(
    "path",
    sorted(
        p
        for p in SAMPLES.glob("*/**/*.txt")
        if "hard-wrap" not in p.name and p.name not in ("terminal-60.txt", "email-72.txt")
    ),
    ids=lambda p: str(p.relative_to(SAMPLES)),
)
def test_no_whole_sample_is_taken_for_a_wrapped_one(path: Path) -> None:
    assert detect(path.read_text(errors="replace")) is None


def test_a_prefixed_line_glued_after_damage_is_no_wrap() -> None:
    # Regression (test_reference's exhaustive run, seed 8): in a prefixed log, a row without
    # the prefix at its start but with it further in ("\\0" + a whole line) is damage, not
    # the rest of the line before; joined, the location read whole: a wrap of one cut.
    rows = [
        "2026-11-25T10:00:23.2408767Z ",
        "2026-11-25T10:00:24.2513496Z goroutine 8 [chan receive]:",
        "2026-11-25T10:00:25.2618225Z main.waitJob(...)",
        "2026-11-25T10:00:26.2722954Z  /home/gopher/samples/crashzoo/scenarios.go:73",
        "2026-11-25T10:00:27.2827683Z created by main.inGoroutine in goroutine 1",
        "2026-11-25T10:00:28.2932412Z  /home/gopher/samples/crashzoo/scenarios.go:85 +0x6b",
        "\x002026-11-25T10:00:29.3037141Z  /home/gopher/samples/crashzoo/scenarios.go:85 +0x6b",
        "2026-11-25T10:00:30.314187Z ",
        "2026-11-25T10:00:31.3246599Z goroutine 9 [sync.Mutex.Lock]:",
    ]
    assert detect("\n".join(rows)) is None


def test_a_line_broken_short_is_damage_not_a_wrap() -> None:
    # One call line broken in two where no terminal would have cut it: the dump is read as
    # it is (the lines counted as not understood), not rejoined.
    plain = (NEWEST / "leaky.debug2.txt").read_text()
    call = next(line for line in plain.split("\n") if line.startswith("internal/poll.(*FD).Accept("))
    damaged = plain.replace(call, call[:20] + "\n" + call[20:], 1)
    assert detect(damaged) is None


@pytest.mark.parametrize(
    ("name", "tabs", "first", "after"),
    [
        ("go1.24/leaky.sigquit-all", " ", "runtime.futex(", ""),
        ("go1.24/leaky.sigquit-all", "  ", "runtime.futex(", "\x00"),
        ("go1.23/leaky.debug1", "\t", "200 @ ", "\x00"),
    ],
    ids=["before-a-call", "before-a-damaged-call", "debug1-record-before-a-nul"],
)
def test_two_lines_glued_are_damage_not_a_wrap(name: str, tabs: str, first: str, after: str) -> None:
    # Regressions (found by test_reference's exhaustive run): a line glued to the next one
    # (a lost line break: a call and its location, a record and its first frame), pasted
    # with blanks for tabs or not, and the row after it whole or damaged (a NUL). That line
    # and a half is the widest row and looked cut at its own width; joined to the next
    # row, it reads as no line of the runtime's, so nothing is rejoined.
    plain = (SAMPLES / "dumps" / f"{name}.txt").read_text().replace("\t", tabs)
    lines = plain.split("\n")
    i = next(i for i, line in enumerate(lines) if line.startswith(first))
    # A short paste: the dump's first lines. (A longer one has more rows that tell.)
    glued = "\n".join([*lines[:i], lines[i] + lines[i + 1], after + lines[i + 2], *lines[i + 3 : i + 60]])
    assert detect(glued) is None
