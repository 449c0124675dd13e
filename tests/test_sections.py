"""Finding dumps inside arbitrary text, and the wrappers they arrive in."""

from __future__ import annotations

import json

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from gtriage.parse import parse_text
from gtriage.sections import _CLEAN_STACK, CALL_END, Kind, _call_pairs, split_sections

DUMP = (
    "goroutine 1 [chan receive]:\n"
    "main.main()\n"
    "\t/src/m.go:10 +0x1d\n"
    "\n"
    "goroutine 7 [select]:\n"
    "main.worker(0xc000010000)\n"
    "\t/src/m.go:20 +0x2e\n"
    "created by main.main in goroutine 1\n"
    "\t/src/m.go:9 +0x45\n"
)


def kinds(text: str) -> list[Kind]:
    return [s.kind for s in split_sections(text.splitlines(keepends=True))]


def ids(text: str) -> list[list[int]]:
    return [[g.id for g in s.goroutines] for s in parse_text(text).snapshots]


def clean(text: str) -> None:
    for s in parse_text(text).snapshots:
        assert s.unparsed_lines == 0, s.issues


WRAPPERS = {
    "kubectl --timestamps": lambda line: f"2026-11-25T10:00:00.123456789Z {line}",
    "rfc3339 offset": lambda line: f"2026-11-25T10:00:00+01:00 {line}",
    "cri log file": lambda line: f"2026-11-25T10:00:00.1Z stderr F {line}",
    "journald": lambda line: f"Nov 25 10:00:00 host app[1234]: {line}",
    "klog": lambda line: f"E1125 10:00:00.000000   12345 main.go:42] {line}",
    "docker json-file": lambda line: json.dumps({"log": line + "\n", "stream": "stderr", "time": "2026-11-25T10:00:00Z"}),
    "indented": lambda line: f"    {line}",
}


@pytest.mark.parametrize("wrap", WRAPPERS.values(), ids=WRAPPERS.keys())
def test_wrappers_are_stripped(wrap) -> None:  # type: ignore[no-untyped-def]
    text = "".join(wrap(line) + "\n" for line in ["app starting", *DUMP.splitlines(), "", "app still running"])
    assert ids(text) == [[1, 7]]
    clean(text)


def test_crlf() -> None:
    text = DUMP.replace("\n", "\r\n")
    assert ids(text) == [[1, 7]]
    clean(text)


@pytest.mark.parametrize("indent", ["    ", "        ", " "])
def test_spaces_pasted_for_tabs(indent: str) -> None:
    text = DUMP.replace("\t", indent)
    assert ids(text) == [[1, 7]]
    clean(text)
    frames = parse_text(text).snapshots[0].goroutines[1].stack.frames
    assert frames[0].file == "/src/m.go"


def test_logs_before_between_and_after() -> None:
    text = "INFO up\nWARN slow\n" + DUMP + "\nINFO still up\nINFO request\n\n" + DUMP + "INFO bye\n"
    assert ids(text) == [[1, 7], [1, 7]]
    clean(text)
    # DUMP is 9 lines: the first dump is lines 3-11, the second 16-24.
    assert [(s.first_line, s.last_line) for s in parse_text(text).snapshots] == [(3, 11), (16, 24)]


def test_log_line_right_after_a_stack_ends_the_dump() -> None:
    # go test prints "FAIL" with no blank line after the last goroutine.
    text = DUMP + "FAIL\texample.com/x\t2.005s\nFAIL\n"
    assert ids(text) == [[1, 7]]
    clean(text)


def test_junk_inside_a_stack_is_counted() -> None:
    lines = DUMP.splitlines(keepends=True)
    lines.insert(6, "log line written by another thread\n")
    snap = parse_text("".join(lines)).snapshots[0]
    assert [g.id for g in snap.goroutines] == [1, 7]
    assert snap.unparsed_lines >= 1
    assert any(i.text == "log line written by another thread" for i in snap.issues)


def test_cut_mid_line_is_truncated() -> None:
    text = DUMP[: DUMP.index("/src/m.go:20") + 5]  # no final newline, like debug=2 at 64 MiB
    snap = parse_text(text).snapshots[0]
    assert snap.truncated
    assert [g.id for g in snap.goroutines] == [1, 7]
    assert snap.goroutines[-1].partial
    assert snap.unparsed_lines == 2


def test_second_panic_after_goroutines_is_a_second_dump() -> None:
    crash = "panic: boom\n\n" + DUMP
    assert len(parse_text(crash + "\n" + crash).snapshots) == 2


def test_every_thread_of_a_crash_dump_stays_one_dump() -> None:
    text = (
        "SIGQUIT: quit\nPC=0x1 m=0 sigcode=0\n\n" + DUMP + "\nrax    0x0\nrbx    0x1\n\n-----\n\n"
        "SIGQUIT: quit\nPC=0x2 m=2 sigcode=0\n\ngoroutine 0 gp=0x1 m=2 mp=0x2 [idle]:\nruntime.mstart()\n\t/go/src/runtime/asm_amd64.s:395 +0x5\n"
    )
    assert ids(text) == [[1, 7, 0]]
    clean(text)


def test_sections_of_a_debug1_profile() -> None:
    text = "goroutine profile: total 3\n3 @ 0x1 0x2\n#\t0x1\tmain.f+0x1\t/src/m.go:3\n\n"
    assert kinds(text) == [Kind.DUMP, Kind.PROFILE, Kind.RECORD]


def test_debug1_pasted_with_spaces() -> None:
    text = "goroutine profile: total 3\n3 @ 0x1 0x2\n#   0x1   main.f+0x1      /src/m.go:3\n"
    snap = parse_text(text).snapshots[0]
    assert snap.records[0].frames[0].func == "main.f"


def test_text_without_a_dump() -> None:
    assert parse_text("nothing here\npanic handling is fine\ngoroutines are great\n").snapshots == ()


# Blocks after a blank line, each with the sections the reader must make of it. "whole": the
# block was taken as one goroutine without reading it line by line.
BLOCKS = [
    ("calls only", "goroutine 3 [select]:\nmain.f(0x1)\n\t/m.go:3 +0x1\nmain.g()\n\t/m.go:4 +0x2\n", [3], True),
    ("with creator", "goroutine 3 [select]:\nmain.f()\n\t/m.go:3 +0x1\ncreated by main.main in goroutine 1\n\t/m.go:9 +0x5\n", [3], True),
    ("elided", "goroutine 3 [select]:\nmain.f()\n\t/m.go:3 +0x1\n...50 frames elided...\ncreated by main.main in goroutine 1\n\t/m.go:9 +0x5\n", [3], True),
    (
        "ancestor in the middle",
        "goroutine 3 [select]:\nmain.f()\n\t/m.go:3 +0x1\ncreated by main.main\n\t/m.go:9 +0x5\n"
        "[originating from goroutine 1]:\nmain.main(...)\n\t/m.go:8 +0x4\n",
        [3],
        True,
    ),
    ("two goroutines, no blank line", "goroutine 3 [select]:\nmain.f()\n\t/m.go:3 +0x1\ngoroutine 4 [select]:\nmain.g()\n\t/m.go:4 +0x2\n", [3, 4], False),
    (
        # A location ending in ")" makes the newline count come out even: the header hidden
        # behind it must still become a goroutine of its own.
        "header hidden behind a location ending in ')'",
        "goroutine 3 [select]:\nmain.f()\n\t/m.go:3 (x)\n\t/m.go:3 +0x1\ngoroutine 4 [select]:\nmain.g()\n\t/m.go:4 +0x2\n",
        [3, 4],
        False,
    ),
]


@pytest.mark.parametrize(("block", "goroutines", "whole"), [b[1:] for b in BLOCKS], ids=[b[0] for b in BLOCKS])
def test_blocks_after_a_blank_line(block: str, goroutines: list[int], whole: bool) -> None:
    text = DUMP + "\n" + block + "\n" + DUMP.replace("goroutine 1 ", "goroutine 11 ").replace("goroutine 7", "goroutine 17")
    secs = [s for s in split_sections(text.splitlines(keepends=True)) if s.kind is Kind.GOROUTINE]
    got = [s for s in secs if s.lines[0].split()[1] in {str(g) for g in goroutines}]
    assert [int(s.lines[0].split()[1]) for s in got] == goroutines
    assert [s.body is not None for s in got] == [whole] * len(goroutines)
    assert [g for snap in ids(text) for g in snap] == [1, 7, *goroutines, 11, 17]


# Pieces a goroutine block may be made of: calls over their locations (one location ending
# in ")" as a trap), and single lines that are stack lines or belong elsewhere.
BLOCK_PIECES = st.sampled_from(
    [
        "main.f(0xc000010000, 0x1)\n\t/src/m.go:3 +0x1d",
        "main.(*T).M(...)\n\t/src/m.go:3 +0x1d fp=0xc000051f38 sp=0xc000051f18 pc=0x4a1b2d",
        "main.g()\n\t/src/m.go:3 (x)",
        "\t/src/m.go:3 (x)",
        "\t/src/m.go:9 +0x2",
        "main.g()",
        "created by main.main in goroutine 1\n\t/src/m.go:9 +0x45",
        "...additional frames elided...",
        "[originating from goroutine 1]:",
        "non-Go function at pc=0x4a1b2d",
        "goroutine 4 [select]:",
        "panic: boom",
        "FAIL\texample.com/x\t2.005s",
        "log line (with parentheses)",
    ]
)


@settings(max_examples=1500, deadline=None)
@given(st.lists(BLOCK_PIECES, min_size=1, max_size=10).map(lambda ps: "\n".join(ps) + "\n"))
# A location ending in ")" leaves a piece without a newline, and a line that is no stack
# line hides in the piece next to it: the newline count alone comes out right.
@example("main.g()\n\t/src/m.go:3 (x)\n\t/src/m.go:9 +0x2\nFAIL\texample.com/x\t2.005s\nmain.g()\n\t/src/m.go:3 +0x1d\n")
def test_the_counting_check_never_accepts_what_the_line_regex_rejects(body: str) -> None:
    calls = body.split(CALL_END)
    if _call_pairs(body.count("\n"), calls):
        assert _CLEAN_STACK.fullmatch(body, 0, len(body) - 1) is not None
        # ...and each call's arguments (after its last "(") are on its own line.
        assert not any("\n" in c.rpartition("(")[2] for c in calls[:-1])


def test_a_stack_text_seen_before_is_taken_whole_without_a_second_look() -> None:
    # The copies of a leak print the same text: the first taken whole is checked and cut,
    # the others are known clean (no cut: the parser finds them whole). The very first
    # block of the input is read line by line (the dump starts there). Line numbers hold.
    block = "main.f(0x1)\n\t/m.go:3 +0x1\ncreated by main.main in goroutine 1\n\t/m.go:9 +0x5\n"
    text = "".join(f"goroutine {n} [select]:\n{block}\n" for n in (3, 4, 5, 6)) + DUMP
    secs = [s for s in split_sections(text.splitlines(keepends=True)) if s.kind is Kind.GOROUTINE]
    assert [(s.line, s.body == block, s.calls is not None) for s in secs[:4]] == [
        (1, False, False),
        (7, True, True),
        (13, True, False),
        (19, True, False),
    ]
    got = [(g.id, g.line, g.frame_args(g.stack.frames[0])) for g in parse_text(text).snapshots[0].goroutines]
    assert got[:5] == [(3, 1, "0x1"), (4, 7, "0x1"), (5, 13, "0x1"), (6, 19, "0x1"), (1, 25, "")]
