"""Finding dumps inside arbitrary text, and the wrappers they arrive in."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Callable

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from gtriage.call_split import CALL_END, Like
from gtriage.line_reader import LineReader
from gtriage.parse import parse_text
from gtriage.sections import _CLEAN_STACK, Kind, _call_pairs, _whole_stack, split_sections
from manifests import SAMPLES

RACE_REPORT = (
    "==================\n"
    "WARNING: DATA RACE\n"
    "Read at 0x00c000014128 by goroutine 8:\n"
    "  main.reader()\n"
    "      /src/race.go:12 +0x3c\n"
    "\n"
    "Previous write at 0x00c000014128 by goroutine 7:\n"
    "  main.writer()\n"
    "      /src/race.go:8 +0x44\n"
    "==================\n"
)

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


WRAPPERS: dict[str, Callable[[str], str]] = {
    "kubectl --timestamps": lambda line: f"2026-11-25T10:00:00.123456789Z {line}",
    "rfc3339 offset": lambda line: f"2026-11-25T10:00:00+01:00 {line}",
    "cri log file": lambda line: f"2026-11-25T10:00:00.1Z stderr F {line}",
    "journald": lambda line: f"Nov 25 10:00:00 host app[1234]: {line}",
    "klog": lambda line: f"E1125 10:00:00.000000   12345 main.go:42] {line}",
    "docker json-file": lambda line: json.dumps({"log": line + "\n", "stream": "stderr", "time": "2026-11-25T10:00:00Z"}),
    "indented": lambda line: f"    {line}",
}


@pytest.mark.parametrize("wrap", WRAPPERS.values(), ids=WRAPPERS.keys())
def test_wrappers_are_stripped(wrap: Callable[[str], str]) -> None:
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


@pytest.mark.parametrize("indent", ["        ", "    ", " "])
def test_a_block_with_blanks_for_its_tabs_is_taken_whole(indent: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # journalctl prints a tab as 8 blanks, a terminal copy as many as reach the next stop:
    # the locations get their tab back and the block goes whole, as a tabbed one does
    # (before, every line of such a dump went through the line reader: 3x the time).
    block = "goroutine 3 [select]:\nmain.f(0x1, {0x2, 0x3})\n\t/src/m.go:3 +0x1\ncreated by main.main in goroutine 1\n\t/src/m.go:9 +0x2\n"
    after = DUMP.replace("goroutine 1 ", "goroutine 11 ").replace("goroutine 7", "goroutine 17")
    tabbed = DUMP + "\n" + block + "\n" + after
    fed: list[str] = []
    real = LineReader.feed

    def feed(self: LineReader, line: str, *args: object, **kwargs: object) -> None:
        fed.append(line)
        real(self, line, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(LineReader, "feed", feed)
    spaced = parse_text(tabbed.replace("\t", indent))
    assert not any(line.lstrip(" ").startswith("/src/m.go:3") for line in fed)
    monkeypatch.undo()
    want = parse_text(tabbed)
    for got_snap, want_snap in zip(spaced.snapshots, want.snapshots, strict=True):
        assert [(g.id, g.stack, g.values, g.line) for g in got_snap.goroutines] == [
            (g.id, g.stack, g.values, g.line) for g in want_snap.goroutines
        ]
        assert got_snap.unparsed_lines == 0


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


# Blocks after a blank line, each with the sections the reader must make of it. "whole": each
# goroutine was taken whole without reading it line by line. A goroutine whose next line is a
# header (no blank line between, as journald stores a dump) is taken whole too: the header
# closes it in the line reader as a blank line would; the block's last goroutine goes line by
# line (it may be cut off).
BLOCKS = [
    ("calls only", "goroutine 3 [select]:\nmain.f(0x1)\n\t/m.go:3 +0x1\nmain.g()\n\t/m.go:4 +0x2\n", [3], [True]),
    ("with creator", "goroutine 3 [select]:\nmain.f()\n\t/m.go:3 +0x1\ncreated by main.main in goroutine 1\n\t/m.go:9 +0x5\n", [3], [True]),
    ("elided", "goroutine 3 [select]:\nmain.f()\n\t/m.go:3 +0x1\n...50 frames elided...\ncreated by main.main in goroutine 1\n\t/m.go:9 +0x5\n", [3], [True]),
    (
        "ancestor in the middle",
        "goroutine 3 [select]:\nmain.f()\n\t/m.go:3 +0x1\ncreated by main.main\n\t/m.go:9 +0x5\n"
        "[originating from goroutine 1]:\nmain.main(...)\n\t/m.go:8 +0x4\n",
        [3],
        [True],
    ),
    ("two goroutines, no blank line", "goroutine 3 [select]:\nmain.f()\n\t/m.go:3 +0x1\ngoroutine 4 [select]:\nmain.g()\n\t/m.go:4 +0x2\n", [3, 4], [True, False]),
    (
        # A location ending in ")" makes the newline count come out even: the header hidden
        # behind it must still become a goroutine of its own.
        "header hidden behind a location ending in ')'",
        "goroutine 3 [select]:\nmain.f()\n\t/m.go:3 (x)\n\t/m.go:3 +0x1\ngoroutine 4 [select]:\nmain.g()\n\t/m.go:4 +0x2\n",
        [3, 4],
        [True, False],
    ),
]


@pytest.mark.parametrize(("block", "goroutines", "whole"), [b[1:] for b in BLOCKS], ids=[b[0] for b in BLOCKS])
def test_blocks_after_a_blank_line(block: str, goroutines: list[int], whole: list[bool]) -> None:
    text = DUMP + "\n" + block + "\n" + DUMP.replace("goroutine 1 ", "goroutine 11 ").replace("goroutine 7", "goroutine 17")
    secs = [s for s in split_sections(text.splitlines(keepends=True)) if s.kind is Kind.GOROUTINE]
    got = [s for s in secs if s.lines[0].split()[1] in {str(g) for g in goroutines}]
    assert [int(s.lines[0].split()[1]) for s in got] == goroutines
    assert [s.body is not None for s in got] == whole
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


# A stack text whose key (its text without arguments) is that of a text found clean is
# taken as clean without the checks, and one cut like a text before is cut again only
# where it differs (call_split.split_like): the argument texts and first lines it may differ by.
KEY_HEADS = st.sampled_from(["main.f(", "(", "", " main.f(", "goroutine 5 [x]: f(", "panic: f(", "main.g)("])
KEY_CALLS = st.sampled_from(["main.g(", "main.(*T).M(", "created by main.main(", "...(", "(", "main.g"])
KEY_ARGS = st.sampled_from(["", "0x1", "0x2, 0x3", "...", " x", ")", "a\nb", "\n\t/src/m.go:3 +0x1\nmain.h(", "0x1)\n\tm.go:1"])
KEY_TAILS = st.sampled_from(
    [
        "\t/src/m.go:9 +0x2\n",
        "\t/src/m.go:9 +0x2\ncreated by main.main in goroutine 1\n\t/src/m.go:9 +0x45\n",
        "\t/src/m.go:9 +0x2\ncreated by main.main in goroutine 12345\n\t/src/m.go:9 +0x45\n",
        "\t/src/m.go:9 +0x2\npanic: x in goroutine 7\n\t/src/m.go:9 +0x45\n",
        "\t/src/m.go:9 (x)\n",
    ]
)


@settings(max_examples=1500, deadline=None)
@given(
    KEY_HEADS,
    st.lists(KEY_CALLS, max_size=4),
    st.lists(st.tuples(KEY_ARGS, KEY_ARGS), min_size=5, max_size=5),
    st.tuples(KEY_TAILS, KEY_TAILS),
)
def test_a_text_taken_by_its_key_is_one_the_checks_take(
    head: str, calls: list[str], args: list[tuple[str, str]], tails: tuple[str, str]
) -> None:
    def text(which: int) -> str:
        heads = [head, *calls]
        out = "".join(h + args[i][which] + CALL_END + "/src/m.go:3 +0x1\n" for i, h in enumerate(heads))
        return out.removesuffix("\t/src/m.go:3 +0x1\n") + tails[which]

    first, second = text(0), text(1)
    clean: dict[str, int] = {}
    keys: dict[str, int] = {}
    likes: dict[tuple[int, str], Like] = {}
    _whole_stack(first, clean, keys, likes)
    after = _whole_stack(second, clean, keys, likes)
    fresh = _whole_stack(second, {}, {}, {})
    assert (after is None) == (fresh is None)
    if after is not None and fresh is not None:
        assert after[0] == fresh[0]
        assert after[1] is None or after[1] == fresh[1]


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


# ---------------------------------------------------------------- pastes and carriers
def _quote_go(text: str) -> str:
    """strconv.Quote for the ASCII text of DUMP."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t") + '"'


def _every_line(prefix: str, blank: str) -> str:
    return "".join((prefix + line if line else blank) + "\n" for line in ["app up", *DUMP.splitlines(), "", "bye"])


# Each row: the dump as people paste it. DUMP's goroutines 1 and 7 must be read, in one
# snapshot, with no line left unparsed.
PASTES = {
    "hclog plugin prefix": _every_line(
        "2021-05-27T10:46:33.875+0300 [DEBUG] plugin.terraform-provider-x: ",
        "2021-05-27T10:46:33.876+0300 [DEBUG] plugin.terraform-provider-x: ",
    ),
    "a prefix nobody listed": _every_line("[pod/web-5d8f7c9b6-x2x7q/app] ", "[pod/web-5d8f7c9b6-x2x7q/app] "),
    "markdown quote": _every_line("> ", ">"),
    "markdown quote of a quote": _every_line(">> ", ">>"),
    "markdown quote, blank lines dropped": "".join("> " + line + "\n" for line in DUMP.splitlines() if line),
    "tabs as 2 spaces": DUMP.replace("\t", "  "),
    "tabs dropped": DUMP.replace("\t", ""),
    "calls indented by 2, locations by 12": "".join(
        ("            " + line[1:]) if line.startswith("\t") else ("  " + line if not line.startswith("goroutine") and line else line)
        for line in DUMP.splitlines(keepends=True)
    ),
    "whole dump indented by 4": "".join("    " + line for line in DUMP.splitlines(keepends=True)),
    "one line, Go %q in a log line": 'time=2026-11-25T10:00:00Z level=ERROR msg=crash stack=' + _quote_go(DUMP) + "\n",
    "one line, JSON-escaped": "level=error stack=" + json.dumps(DUMP) + " more=1\n",
    "glued header": "SIGQUIT received, dumping all stacks" + DUMP,
    "markdown heading and prose between goroutines": DUMP.replace(
        "\ngoroutine 7", "\n## The stuck ones\n\nThese wait forever (see #123).\n\ngoroutine 7"
    ),
    "fenced in an issue": "It hangs:\n\n```\n" + DUMP + "```\n\nAny idea (thanks)?\n",
    "no final newline": DUMP.rstrip("\n"),
}


@pytest.mark.parametrize("text", PASTES.values(), ids=PASTES.keys())
def test_pastes(text: str) -> None:
    dump = parse_text(text)
    assert [[g.id for g in s.goroutines] for s in dump.snapshots] == [[1, 7]]
    clean(text)
    snap = dump.snapshots[0]
    assert not snap.truncated
    assert [f.file for g in snap.goroutines for f in g.stack.frames] == ["/src/m.go", "/src/m.go"]


def test_json_lines_of_docker_keep_their_line_numbers() -> None:
    lines = ["starting", *DUMP.splitlines()]
    text = "".join(json.dumps({"log": line + "\n", "stream": "stderr", "time": "2026-11-25T10:00:00Z"}) + "\n" for line in lines)
    snap = parse_text(text).snapshots[0]
    assert [(g.id, g.line) for g in snap.goroutines] == [(1, 2), (7, 6)]


def test_the_same_dump_pasted_twice_is_two_dumps() -> None:
    assert ids(DUMP + "\n" + DUMP) == [[1, 7], [1, 7]]


def test_two_dumps_with_nothing_between() -> None:
    other = DUMP.replace("goroutine 7 [select]", "goroutine 9 [select]")
    assert ids(DUMP + "\n" + other) == [[1, 7], [1, 9]]


def test_a_lone_panic_line_is_no_dump() -> None:
    from gtriage.dump_report import report_from_dump
    from gtriage.errors import NoDumpError

    with pytest.raises(NoDumpError):
        report_from_dump(parse_text("INFO up\npanic: not a crash, a log message\nINFO still up\n"))


def test_a_header_printed_twice_is_counted_once() -> None:
    text = DUMP.replace("goroutine 7 [select]:\n", "goroutine 7 [select]:\ngoroutine 7 [select]:\n")
    (snap,) = parse_text(text).snapshots
    assert [g.id for g in snap.goroutines] == [1, 7]
    assert snap.goroutines[1].stack.frames
    assert [i.reason for i in snap.issues] == ["goroutine 7 printed twice in a row (counted once)"]
    assert snap.repeated_headers == 1


def test_a_header_with_no_stack_is_reported() -> None:
    (snap,) = parse_text("goroutine 5 [select]:\n\n" + DUMP).snapshots
    assert [g.id for g in snap.goroutines] == [5, 1, 7]
    assert [(i.line, i.reason) for i in snap.issues] == [(1, "goroutine header with no stack under it")]


def test_log_lines_right_after_a_register_dump_are_not_the_dump() -> None:
    text = "SIGQUIT: quit\nPC=0x1 m=0 sigcode=0\n\n" + DUMP + "\nrax    0x0\nrbx    0x1\nINFO restarted\nINFO up (pid 7)\n"
    assert ids(text) == [[1, 7]]
    clean(text)


def test_a_damaged_line_does_not_split_the_dump() -> None:
    # A header with its first word damaged, and a call line that lost its ")".
    damaged = DUMP.replace("goroutine 7 [select]", "goroutXne 7 [select]").replace("main.main()", "main.main(")
    text = damaged + "\n" + DUMP.replace("goroutine 1 ", "goroutine 11 ").replace("goroutine 7", "goroutine 17")
    (snap,) = parse_text(text).snapshots
    assert [g.id for g in snap.goroutines] == [1, 11, 17]
    # The damaged header and its four stack lines are counted, and the broken call with
    # its location.
    assert snap.unparsed_lines == 7


@pytest.mark.parametrize(
    ("line", "header"),
    [("panic: boom(x)", False), ("goroutine 8 [x] (y)", True)],
)
def test_blocks_are_cut_where_the_line_reader_cuts(line: str, header: bool) -> None:
    # A line that ends in ")" looks like a call to the fast path; the line reader starts a
    # section there. Both must read the block the same way: a header cuts the goroutine
    # before it where the line reader does (that part is then taken whole), another line
    # sends the block line by line.
    block = "goroutine 3 [select]:\nmain.f(0x1)\n\t/m.go:3 +0x1\n" + line + "\nmain.g()\n\t/m.go:4 +0x2\n"
    text = DUMP + "\n" + block + "\n" + DUMP.replace("goroutine 1 ", "goroutine 11 ").replace("goroutine 7", "goroutine 17")
    secs = [s for s in split_sections(io.StringIO(text)) if s.kind is Kind.GOROUTINE]
    assert [s.body is not None for s in secs if s.lines[0].startswith("goroutine 3 ")] == [header]
    seen = sum(s.headers_seen for s in parse_text(text).snapshots)
    assert seen == 5 + header


def test_only_ascii_digits_make_a_header() -> None:
    assert ids("goroutine ² [running]:\nmain.main()\n\t/m.go:3 +0x1\n") == []
    assert ids("goroutine 1 [running]:\nmain.main()\n\t/m.go:3 +0x1\n\ngoroutine ٣ [select]:\nmain.f()\n\t/m.go:4 +0x1\n") == [[1]]


def test_one_damaged_id_that_repeats_another_does_not_split_the_dump() -> None:
    text = DUMP + "\n" + DUMP.replace("goroutine 1 ", "goroutine 7 ").replace("goroutine 7 [select]", "goroutine 9 [select]")
    (snap,) = parse_text(text).snapshots
    assert [g.id for g in snap.goroutines] == [1, 7, 7, 9]
    assert [i.reason for i in snap.issues] == ["goroutine 7 printed twice in this dump"]


def test_a_new_dump_that_starts_with_a_new_goroutine() -> None:
    # A second capture: its first goroutine (the handler printing it, [running] where the
    # first capture's was) is new, then the rest repeat. The ids tell the dumps apart at
    # the first repeated one; the writer then goes back to the dump it printed.
    def capture(handler: int) -> str:
        return f"goroutine {handler} [running]:\nmain.serve()\n\t/src/m.go:30 +0x1\n\n" + DUMP

    assert ids(capture(3) + "\n" + capture(4)) == [[3, 1, 7], [4, 1, 7]]


def test_text_without_blank_lines_comes_in_bounded_pieces() -> None:
    # A log with no blank line anywhere: no block may grow with the input (that made the
    # reading quadratic: 46 s for 200 MB). The bound is the stream's own chunk: with a
    # larger one here, each of a journal's chunks was split again with the rest before it.
    from gtriage.sections import _blocks
    from gtriage.streams import CHUNK

    line = "2026-11-25T10:00:00Z level=info msg=request (ok)\n"
    chunks = iter([line * (CHUNK // len(line) + 1)] * 8)
    pieces = list(_blocks(chunks))
    assert max(len(b) for b, _ in pieces) < 2 * CHUNK + len(line)
    assert "".join(b + "\n" for b, _ in pieces[:-1]) + pieces[-1][0] == line * 8 * (CHUNK // len(line) + 1)


def test_line_numbers_across_pieces_of_a_long_log() -> None:
    log = "".join(f"INFO request {i} (ok)\n" for i in range(120_000))  # > 2 MiB, no blank line
    snap = parse_text(log + DUMP).snapshots[0]
    assert [g.line for g in snap.goroutines] == [120_001, 120_005]


def test_an_indented_call_inside_a_block_reads_as_in_the_line_reader() -> None:
    block = "goroutine 3 [select]:\n  main.f(0x1)\n\t/m.go:3 +0x1\n"
    text = DUMP + "\n" + block + "\n" + DUMP.replace("goroutine 1 ", "goroutine 11 ").replace("goroutine 7", "goroutine 17")
    (snap,) = parse_text(text).snapshots
    g3 = next(g for g in snap.goroutines if g.id == 3)
    assert [f.func for f in g3.stack.frames] == ["main.f"]
    assert snap.unparsed_lines == 0


@pytest.mark.parametrize("line", ["panic: boom(x)"])
def test_a_call_over_its_location_is_a_call_in_both_readers(line: str) -> None:
    block = "goroutine 3 [select]:\nmain.f(0x1)\n\t/m.go:3 +0x1\n" + line + "\n\t/m.go:9 +0x2\n"
    after = DUMP.replace("goroutine 1 ", "goroutine 11 ").replace("goroutine 7", "goroutine 17")
    fast = parse_text(DUMP + "\n" + block + "\n" + after)  # the block is taken whole
    lines = parse_text(DUMP + "\n" + block + after)  # the same lines, read one by one
    got = []
    for dump in (fast, lines):
        (snap,) = dump.snapshots
        g3 = next(g for g in snap.goroutines if g.id == 3)
        got.append([(f.func, f.line) for f in g3.stack.frames])
        assert snap.headers_seen == 5
        assert snap.unparsed_lines == 0
    assert got[0] == got[1]
    assert [line for _, line in got[0]] == [3, 9]


@pytest.mark.parametrize("line", ["goroutine 8 [x] (y)", "goroutine 8 [select]:main.g()"])
def test_a_header_over_a_location_stays_a_header_in_both_readers(line: str) -> None:
    # A damaged header, or one glued to its first call: a goroutine (unparsed), never a
    # frame of the goroutine above.
    block = "goroutine 3 [select]:\nmain.f(0x1)\n\t/m.go:3 +0x1\n" + line + "\n\t/m.go:9 +0x2\n"
    after = DUMP.replace("goroutine 1 ", "goroutine 11 ").replace("goroutine 7", "goroutine 17")
    for text in (DUMP + "\n" + block + "\n" + after, DUMP + "\n" + block + after):
        (snap,) = parse_text(text).snapshots
        assert snap.headers_seen == 6
        g3 = next(g for g in snap.goroutines if g.id == 3)
        assert [f.func for f in g3.stack.frames] == ["main.f"]


def test_a_race_report_without_its_closing_fence_ends_at_a_goroutine() -> None:
    race = RACE_REPORT.rstrip("\n").rsplit("\n", 1)[0] + "\n"  # the closing fence lost
    (snap,) = parse_text(race + DUMP).snapshots
    assert [g.id for g in snap.goroutines] == [1, 7]


def test_any_object_with_read_is_a_stream() -> None:
    # Not only io's classes: a caller's own reader (no iteration) is read as a stream.
    text = (SAMPLES / "demo.txt").read_text()

    class Reader:
        def __init__(self) -> None:
            self.buf = io.StringIO(text)

        def read(self, size: int = -1, /) -> str:
            return self.buf.read(size)

    mine = [s.kind for s in split_sections(Reader())]  # type: ignore[arg-type]
    assert mine == [s.kind for s in split_sections(io.StringIO(text))]
    assert Kind.GOROUTINE in mine


def test_tab_indented_calls_before_a_foreign_line_are_read_in_linear_time() -> None:
    # Found by mutating real samples: a log indented by a tab gives call lines that start
    # with a tab and end in ")", which the block regex took two ways each; a line after
    # them that is no stack line made it try every combination (2^n: the 153 KB input
    # hung for minutes). Run apart, so that a hang fails the test instead of the run.
    script = (
        "from gtriage.parse import parse_text\n"
        "body = '\\tmain.work(0xc000010000, 0x1)\\n\\t\\t/home/gopher/w.go:12 +0x1d\\n' * 40\n"
        "ok = 'main.g()\\n\\t/home/gopher/w.go:3 +0x1\\n'\n"
        "dump = 'goroutine 1 [select]:\\n' + ok + '\\ngoroutine 7 [chan receive]:\\n' + body\n"
        "dump += 'not a stack line\\n\\ngoroutine 8 [select]:\\n' + ok\n"
        "snap = parse_text(dump).snapshots[0]\n"
        "print([g.id for g in snap.goroutines], snap.unparsed_lines)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=30, check=True)
    ids, unparsed = done.stdout.split("] ")
    assert ids == "[1, 7, 8"
    assert int(unparsed) > 0  # the foreign line (and what the reader could not place) counted
