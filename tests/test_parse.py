"""Grammar rules the sample corpus does not reach, one row per runtime behaviour.

Every snippet follows what the runtime prints (runtime/traceback.go, panic.go, pprof.go,
tsan's Go mode) for the Go version named in its row.
"""

from __future__ import annotations

import io
from pathlib import Path
from textwrap import dedent

import pytest

from gtriage.model import Goroutine, Snapshot
from gtriage.parse import SectionReader, parse_text
from gtriage.sections import split_sections


def one(text: str) -> Snapshot:
    dump = parse_text(dedent(text).lstrip("\n"))
    assert len(dump.snapshots) == 1, dump.snapshots
    snap = dump.snapshots[0]
    assert snap.unparsed_lines == 0, snap.issues
    return snap


def goroutine(text: str) -> Goroutine:
    snap = one(text)
    assert len(snap.goroutines) == 1
    return snap.goroutines[0]


FRAME = "main.f()\n\t/src/m.go:3 +0x1d\n"

HEADERS = [
    # (row id, header, state, attribute checks)
    ("plain go1.19", "goroutine 1 [running]:", "running", {}),
    ("minutes and lock", "goroutine 7 [chan receive, 12 minutes, locked to thread]:", "chan receive", {"minutes": 12, "locked": True}),
    ("scan bit", "goroutine 9 [runnable (scan)]:", "runnable", {"scan": True}),
    ("level 2 with m", "goroutine 279272 gp=0x4031d0ca80 m=6 mp=0x4006742008 [running]:", "running", {"thread": 6}),
    ("level 2 m=nil", "goroutine 19 gp=0xc000082540 m=nil [GC scavenge wait]:", "GC scavenge wait", {"thread": None}),
    ("go1.26 address shape", "goroutine 1 gp=0x39075b2521e0 m=nil [sleep]:", "sleep", {}),
    ("system stack", "goroutine 0 gp=0x4ded80 m=0 mp=0x4df340 [idle]:", "idle", {"id": 0, "thread": 0}),
    ("synctest go1.25", "goroutine 8 [select (durable), synctest bubble 1]:", "select (durable)", {"bubble": 1}),
    ("synctest go1.24 experiment", "goroutine 8 [chan receive, synctest group 3]:", "chan receive", {"bubble": 3}),
    ("durable appended", "goroutine 8 [sleep (durable), synctest bubble 2]:", "sleep (durable)", {"bubble": 2}),
    ("leaked go1.27", "goroutine 32 [chan receive (leaked)]:", "chan receive", {"leaked": True}),
    ("leaked with minutes", "goroutine 32 [chan send (leaked), 3 minutes]:", "chan send", {"leaked": True, "minutes": 3}),
    ("nil chan", "goroutine 4 [chan receive (nil chan)]:", "chan receive (nil chan)", {}),
    ("unknown future reason", "goroutine 4 [weak pointer wait]:", "weak pointer wait", {}),
    ("unknown status", "goroutine 4 [???]:", "???", {}),
    ("future reason with digits", "goroutine 4 [wait phase 2, 5 minutes]:", "wait phase 2", {"minutes": 5}),
    (
        "labels go1.26",
        'goroutine 93 [chan receive labels:{"job": "reindex", "route": "GET /api/v1/items/{id}", "shard": "0"}]:',
        "chan receive",
        {"labels": (("job", "reindex"), ("route", "GET /api/v1/items/{id}"), ("shard", "0"))},
    ),
    (
        "labels go1.27",
        'goroutine 91 [chan receive] {job: reindex, route: "GET /api/v1/items/{id}", shard: 0}:',
        "chan receive",
        {"labels": (("job", "reindex"), ("route", "GET /api/v1/items/{id}"), ("shard", "0"))},
    ),
    (
        "labels go1.27 level 2 with minutes",
        'goroutine 91 gp=0x71f8a7972c0 m=nil [chan receive, 5 minutes] {job: "a\\"b", k: v2}:',
        "chan receive",
        {"minutes": 5, "labels": (("job", 'a"b'), ("k", "v2"))},
    ),
    ("labels with digits", 'goroutine 5 [select] {tenant: "42 eu", n: 7}:', "select", {"labels": (("tenant", "42 eu"), ("n", "7"))}),
]


@pytest.mark.parametrize(("header", "state", "attrs"), [h[1:] for h in HEADERS], ids=[h[0] for h in HEADERS])
def test_headers(header: str, state: str, attrs: dict[str, object]) -> None:
    g = goroutine(header + "\n" + FRAME)
    assert g.state == state
    for k, v in attrs.items():
        assert getattr(g, k) == v, k


def test_header_values_are_filled_per_goroutine() -> None:
    # Same shape twice: the second reuses the first's parse with its own values.
    snap = one(
        "goroutine 7 [chan receive, 12 minutes]:\n" + FRAME + "\n"
        "goroutine 8 [chan receive, 3 minutes]:\n" + FRAME
    )
    assert [(g.id, g.minutes) for g in snap.goroutines] == [(7, 12), (8, 3)]
    assert snap.goroutines[0].stack is snap.goroutines[1].stack


STACKS = [
    (
        "arguments in every form go1.18+",
        "main.(*M).F(0xc0006b3990, {0xc001cc6161?, 0x2?}, {{0x1, 0x2}, ...}, _)\n\t/src/m.go:10 +0x1d\n",
        [("main.(*M).F", "/src/m.go", 10)],
    ),
    ("pre-1.17 flat words", "main.f(0x1, 0x2, 0xc000010000, 0x0)\n\t/src/m.go:5 +0x20\n", [("main.f", "/src/m.go", 5)]),
    ("inlined", "main.g(...)\n\t/src/m.go:7\nmain.f()\n\t/src/m.go:3 +0x1d\n", [("main.g", "/src/m.go", 7), ("main.f", "/src/m.go", 3)]),
    (
        "level 2 fp sp pc",
        "runtime.gopark(0x0?, 0x0?)\n\t/go/src/runtime/proc.go:460 +0xce fp=0xc00003efa8 sp=0xc00003ef88 pc=0x47c70e\n",
        [("runtime.gopark", "/go/src/runtime/proc.go", 460)],
    ),
    ("generics", "main.Map[...]({0x1, 0x2}, 0x3)\n\t/src/m.go:9 +0x1\n", [("main.Map[...]", "/src/m.go", 9)]),
    ("generic method", "main.(*Box[...]).Wait(0xc000010000)\n\t/src/m.go:9 +0x1\n", [("main.(*Box[...]).Wait", "/src/m.go", 9)]),
    ("panic frame", "panic({0x4a0e60?, 0xc000012345?})\n\t/go/src/runtime/panic.go:792 +0x132\n", [("panic", "/go/src/runtime/panic.go", 792)]),
    ("closure", "main.main.func1.2()\n\t/src/m.go:4 +0x1\n", [("main.main.func1.2", "/src/m.go", 4)]),
    ("autogenerated", "net/http.(*onceCloseListener).Accept(0x1?)\n\t<autogenerated>:1 +0x24\n", [("net/http.(*onceCloseListener).Accept", "<autogenerated>", 1)]),
    ("cgo unknown file", "_cgo_topofstack()\n\t?:0 +0x21 fp=0xc000 sp=0xc000\n", [("_cgo_topofstack", "?", 0)]),
    ("windows drive letter", "main.f()\n\tC:/Users/x/go/src/m.go:12 +0x1d\n", [("main.f", "C:/Users/x/go/src/m.go", 12)]),
    ("trimpath module", "github.com/x/y.F()\n\tgithub.com/x/y@v1.2.3/f.go:8 +0x1\n", [("github.com/x/y.F", "github.com/x/y@v1.2.3/f.go", 8)]),
    ("type equality func", "type:.eq.[2]interface {}(0x1, 0x2)\n\t<autogenerated>:1 +0x1\n", [("type:.eq.[2]interface {}", "<autogenerated>", 1)]),
]


@pytest.mark.parametrize(("body", "frames"), [s[1:] for s in STACKS], ids=[s[0] for s in STACKS])
def test_frames(body: str, frames: list[tuple[str, str, int]]) -> None:
    g = goroutine("goroutine 5 [running]:\n" + body)
    assert [(f.func, f.file, f.line) for f in g.stack.frames] == frames


def test_argument_values_come_back_per_goroutine() -> None:
    snap = one(
        "goroutine 5 [chan receive]:\nmain.f(0xc000010000, {0x1?, 0x2})\n\t/src/m.go:3 +0x1d\n\n"
        "goroutine 6 [chan receive]:\nmain.f(0xc000020000, {0x3?, 0x4})\n\t/src/m.go:3 +0x1d\n"
    )
    a, b = snap.goroutines
    assert a.stack is b.stack
    frame = a.stack.frames[0]
    assert a.frame_args(frame) == "0xc000010000, {0x1?, 0x2}"
    assert b.frame_args(frame) == "0xc000020000, {0x3?, 0x4}"


def test_a_creator_frame_has_no_arguments_of_its_own() -> None:
    # Regression: Frame.slot defaulted to 0, so the creator (built without a slot) read
    # the first frame's argument text from Goroutine.values.
    snap = one(
        "goroutine 5 [chan receive]:\nmain.f(0xc000010000)\n\t/src/m.go:3 +0x1d\n"
        "created by main.main in goroutine 1\n\t/src/m.go:9 +0x25\n"
    )
    (g,) = snap.goroutines
    assert g.stack.created_by is not None
    assert g.frame_args(g.stack.created_by) == ""
    assert g.frame_args(g.stack.frames[0]) == "0xc000010000"


def test_three_goroutines_of_one_call_path_keep_their_own_arguments() -> None:
    # The third is found by its text cut at the argument lists (no masking): its arguments,
    # its frames with constant arguments, and its creator number must still be its own.
    snap = one(
        "".join(
            f"goroutine {n} [chan receive]:\nmain.f(0xc0000{n}0000, ...)\n\t/src/m.go:3 +0x1d\n"
            "main.g()\n\t/src/m.go:9 +0x2\n"
            f"created by main.main in goroutine {n - 4}\n\t/src/m.go:20 +0x5\n\n"
            for n in (5, 6, 7)
        )
    )
    assert [g.frame_args(g.stack.frames[0]) for g in snap.goroutines] == [
        "0xc000050000, ...",
        "0xc000060000, ...",
        "0xc000070000, ...",
    ]
    assert [g.frame_args(g.stack.frames[1]) for g in snap.goroutines] == ["", "", ""]
    assert [g.parent_id for g in snap.goroutines] == [1, 2, 3]
    assert len({id(g.stack) for g in snap.goroutines}) == 1


def test_level2_goroutines_differing_in_fp_sp_share_their_stack() -> None:
    # SIGQUIT prints fp= and sp= on every frame, different in each goroutine.
    snap = one(
        "".join(
            f"goroutine {n} gp=0xc00000{n}000 m=nil [select]:\n"
            f"main.f(0xc0000{n}0000)\n\t/src/m.go:3 +0x1d fp=0xc0000{n}1f38 sp=0xc0000{n}1f18 pc=0x4a1b2d\n"
            f"main.g()\n\t/src/m.go:9 +0x2 fp=0xc0000{n}1fe0 sp=0xc0000{n}1fb8 pc=0x4a1c02\n\n"
            for n in (5, 6, 7)
        )
    )
    assert len({id(g.stack) for g in snap.goroutines}) == 1
    assert [g.frame_args(g.stack.frames[0]) for g in snap.goroutines] == ["0xc000050000", "0xc000060000", "0xc000070000"]
    assert [(f.func, f.line) for f in snap.goroutines[2].stack.frames] == [("main.f", 3), ("main.g", 9)]


def test_level2_headers_alike_but_for_gp_m_mp_keep_their_own_id_and_thread() -> None:
    frame = "main.f()\n\t/src/m.go:3 +0x1d fp=0xc000051f38 sp=0xc000051f18 pc=0x4a1b2d\n\n"
    heads = [
        "goroutine 5 gp=0xc000007a40 m=3 mp=0xc000100008 [select, 2 minutes]:",
        "goroutine 6 gp=0xc000007c00 m=4 mp=0xc000100c08 [select, 2 minutes]:",
        "goroutine 7 gp=0xc000007e00 m=12 mp=0xc000101808 [select, 2 minutes]:",
        "goroutine 8 gp=0xc000008000 m=nil [select, 2 minutes]:",
        "goroutine 9 gp=0xc000008200 m=nil [select, 2 minutes]:",
        "goroutine 10 gp=0xc000008400 m=5 mp=0xc000102008 [select, 3 minutes, locked to thread]:",
    ]
    snap = one("".join(h + "\n" + frame for h in heads))
    got = [(g.id, g.thread, g.minutes, g.locked) for g in snap.goroutines]
    assert got == [
        (5, 3, 2, False),
        (6, 4, 2, False),
        (7, 12, 2, False),
        (8, None, 2, False),
        (9, None, 2, False),
        (10, 5, 3, True),
    ]


@pytest.mark.parametrize("last", ["", "main.inl(...)\n\t/src/m.go:7\n"], ids=["fp on the last", "inlined last"])
def test_level2_stack_texts_are_not_remembered_verbatim(last: str) -> None:
    # fp=/sp= differ in every goroutine, so no level-2 text repeats: keeping them (7 KB each
    # on a SIGQUIT dump) only cost memory, 57 MB on the 10k bench dump. The goroutines still
    # share their stack.
    frame = "main.f()\n\t/src/m.go:3 +0x1d fp=0xc0000{n}1f38 sp=0xc0000{n}1f18 pc=0x4a1b2d\n"
    text = "".join(
        f"goroutine {n} gp=0xc00000{n}000 m=nil [select]:\n" + frame.format(n=n) + last + "\n" for n in range(5, 9)
    )
    parser = SectionReader()
    (snap,) = parser.parse(split_sections(io.StringIO(text)))
    assert [g.id for g in snap.goroutines] == [5, 6, 7, 8]
    assert parser.memo.bodies == {}
    assert len({id(g.stack) for g in snap.goroutines}) == 1


# Call lines that, cut at their last "(", give the key of a known call ("good", seen twice
# before them): what they hold in place of arguments must send them to the grammar, which
# rejects them. (name, good call, the lines that only look like it, issue lines)
LOOKALIKES = [
    # A line break in the "arguments".
    ("broken call line", "main.f(0x2)", "main.f(0x1\nzzz)", [10, 11, 12]),
    # The same for a call with no hex word, so no value is kept for it.
    ("broken call, no hex arguments", "main.g()", "main.g(\nzzz)", [10, 11, 12]),
    # Every line ends in ")", so the block passes the clean-block check as well.
    ("line hidden in a clean-looking block", "main.g(0x1)", "main.g(0x1)\nzzz)", [10, 11, 12]),
    ("line hidden, no hex arguments", "main.g()", "main.g()\nzzz)", [10, 11, 12]),
    # The grammar's arguments hold no ")".
    ("stray parenthesis", "main.g(0x1)", "main.g(0x1)x)", [10, 11]),
]


@pytest.mark.parametrize(("good", "odd", "issues"), [c[1:] for c in LOOKALIKES], ids=[c[0] for c in LOOKALIKES])
def test_lookalike_call_lines_are_still_rejected(good: str, odd: str, issues: list[int]) -> None:
    loc = "\t/src/m.go:3 +0x1d\n"
    (snap,) = parse_text(
        f"goroutine 5 [select]:\n{good}\n{loc}\ngoroutine 6 [select]:\n{good}\n{loc}\n"
        f"goroutine 7 [select]:\n{odd}\n{loc}\ngoroutine 8 [select]:\n{good}\n{loc}"
    ).snapshots
    assert [g.partial for g in snap.goroutines] == [False, False, True, False]
    assert [i.line for i in snap.issues] == issues


def test_a_call_printing_other_fixed_arguments_keeps_its_own() -> None:
    # Found by the memo-vs-grammar test on damaged dumps: "main.g(..>)" cuts like the known
    # "main.g(...)", and showed "..." (the shape's text) instead of what it printed.
    good = "main.f(0xc000010000)\n\t/src/m.go:3 +0x1d\nmain.g(...)\n\t/src/m.go:9 +0x2\n"
    odd = good.replace("(...)", "(..>)")
    snap = one(f"goroutine 5 [select]:\n{good}\ngoroutine 6 [select]:\n{good}\ngoroutine 7 [select]:\n{odd}")
    assert [g.frame_args(g.stack.frames[1]) for g in snap.goroutines] == ["...", "...", "..>"]
    assert [g.frame_args(g.stack.frames[0]) for g in snap.goroutines] == ["0xc000010000"] * 3


def test_argument_texts_of_many_calls_come_back_in_order() -> None:
    # Goroutine.values joins the argument texts with a line break, which no argument holds;
    # a NUL byte in an argument (damaged input) stays inside its own call.
    body = "main.f(0x1, \x000x2)\n\t/src/m.go:3 +0x1d\nmain.g(0x3?)\n\t/src/m.go:9 +0x2\nmain.h({0x4, 0x5})\n\t/src/m.go:12 +0x2\n"
    (snap,) = parse_text(f"goroutine 5 [select]:\n{body}\ngoroutine 6 [select]:\n{body}").snapshots
    for g in snap.goroutines:
        assert [g.frame_args(f) for f in g.stack.frames] == ["0x1, \x000x2", "0x3?", "{0x4, 0x5}"]


def test_a_creator_ending_in_a_parenthesis_keeps_its_frames_arguments() -> None:
    # The creator line ends in ")" over a location, so cutting at ")\n\t" finds one call
    # more than the grammar: the stack is read from its real text instead.
    body = "main.f(0xc000010000)\n\t/src/m.go:3 +0x1d\ncreated by main.g(x)\n\t/src/m.go:9 +0x5\n"
    snap = one(f"goroutine 5 [select]:\n{body}\ngoroutine 6 [select]:\n{body}")
    for g in snap.goroutines:
        assert g.stack.created_by is not None
        assert g.stack.created_by.func == "main.g(x)"
        assert g.frame_args(g.stack.frames[0]) == "0xc000010000"


def test_hex_looking_names_are_not_masked() -> None:
    # Regression (found by hypothesis): the shape mask must not rewrite names.
    body = "main.A0x1(0xc000010000)\n\t/src/0x1f/A0x1.go:3 +0x1d\n"
    snap = one(f"goroutine 5 [select]:\n{body}\ngoroutine 6 [select]:\n{body}")
    for g in snap.goroutines:
        f = g.stack.frames[0]
        assert (f.func, f.file, g.frame_args(f)) == ("main.A0x1", "/src/0x1f/A0x1.go", "0xc000010000")


def test_hex_looking_names_in_a_cut_stack_are_not_masked() -> None:
    # Regression: the calls kept from a stack the grammar rejects in part were the masked
    # ones, so "main.A0x1" showed as "main.A0x0".
    snap = parse_text(
        "goroutine 5 [select]:\nmain.A0x1(0xc000010000)\n\t/src/0x1f/A0x1.go:3 +0x1d\nmain.B(0x2)\n\t/src/b."
    ).snapshots[0]
    (g,) = snap.goroutines
    assert g.partial
    f = g.stack.frames[0]
    assert (f.func, f.file, g.frame_args(f)) == ("main.A0x1", "/src/0x1f/A0x1.go", "0xc000010000")


def test_creator_in_goroutine_go121() -> None:
    g = goroutine("goroutine 22 [chan send]:\n" + FRAME + "created by main.main in goroutine 1\n\t/src/m.go:39 +0x45\n")
    assert g.stack.created_by is not None
    assert g.stack.created_by.func == "main.main"
    assert g.parent_id == 1


def test_creator_go119() -> None:
    g = goroutine("goroutine 22 [chan send]:\n" + FRAME + "created by main.main\n\t/src/m.go:39 +0x45\n")
    assert g.stack.created_by is not None
    assert g.parent_id is None


def test_frames_elided_go121() -> None:
    body = FRAME * 3 + "...50 frames elided...\n" + FRAME * 2
    g = goroutine("goroutine 3 [chan receive]:\n" + body)
    assert g.stack.elided == 50
    assert g.stack.elided_at == 3
    assert len(g.stack.frames) == 5


def test_additional_frames_elided_go119() -> None:
    g = goroutine("goroutine 3 [chan receive]:\n" + FRAME * 2 + "...additional frames elided...\n")
    assert g.stack.elided == -1


def test_ancestors_are_not_goroutines() -> None:
    snap = one(
        "goroutine 12 [chan receive]:\n" + FRAME
        + "created by main.spawn in goroutine 7\n\t/src/m.go:20 +0x1\n"
        "[originating from goroutine 7]:\nmain.spawn(...)\n\t/src/m.go:20 +0x1\n"
        "created by main.main\n\t/src/m.go:30 +0x2\n"
        "[originating from goroutine 1]:\nmain.main(...)\n\t/src/m.go:30 +0x2\n"
        "...additional frames elided...\n"
    )
    assert [g.id for g in snap.goroutines] == [12]
    g = snap.goroutines[0]
    assert g.parent_id == 7
    assert g.ancestor_ids == (7, 1)
    assert [a.frames[0].func for a in g.stack.ancestors] == ["main.spawn", "main.main"]
    assert g.stack.ancestors[1].elided


def test_other_thread() -> None:
    g = goroutine(
        "goroutine 9 [running]:\n\tgoroutine running on other thread; stack unavailable\n"
        "created by main.main in goroutine 1\n\t/src/m.go:9 +0x1\n"
    )
    assert g.stack.other_thread
    assert g.stack.frames == ()
    assert g.parent_id == 1


def test_cgo_non_go_function() -> None:
    g = goroutine("goroutine 1 [syscall]:\nnon-Go function at pc=0x7f1c2a3b4c5d\n" + FRAME)
    assert g.stack.cgo


PREAMBLES = [
    ("nested recovered go1.18", "panic: first [recovered]\n\tpanic: second\n", [("first", True, False), ("second", False, False)], None, None),
    (
        "repanicked go1.25",
        "panic: inner [recovered]\n\tpanic: middle [recovered, repanicked]\n\tpanic: outer\n",
        [("inner", True, False), ("middle", True, True), ("outer", False, False)],
        None,
        None,
    ),
    ("multi-line go1.23 tab indent", "panic: line one\n\tline two\n\t  indented\n", [("line one\nline two\n  indented", False, False)], None, None),
    ("multi-line go1.22 no indent", "panic: line one\nline two\n", [("line one\nline two", False, False)], None, None),
    (
        "signal",
        "panic: runtime error: invalid memory address or nil pointer dereference\n"
        "[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x48f4b6]\n",
        [("runtime error: invalid memory address or nil pointer dereference", False, False)],
        None,
        "SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x48f4b6",
    ),
    ("fault address", "unexpected fault address 0x20b8988\nfatal error: fault\n[signal SIGBUS: bus error code=0x2 addr=0x20b8988 pc=0x46f6d4]\n", [], "fault", "SIGBUS: bus error code=0x2 addr=0x20b8988 pc=0x46f6d4"),
    ("sigabrt", "SIGABRT: abort\nPC=0x447b71 m=0 sigcode=0\n", [], None, "SIGABRT: abort"),
    ("sigquit go1.23 addr", "SIGQUIT: quit\nPC=0x46f6d4 m=3 sigcode=18446744073709551610 addr=0x0\n", [], None, "SIGQUIT: quit"),
    ("runtime messages", "runtime: goroutine stack exceeds 1000000000-byte limit\nruntime: sp=0xc020160398 stack=[0xc020160000, 0xc040160000]\nfatal error: stack overflow\n", [], "stack overflow", None),
    ("test timeout", "panic: test timed out after 2s\n\trunning tests:\n\t\tTestHang (2s)\n", [("test timed out after 2s\nrunning tests:\n\tTestHang (2s)", False, False)], None, None),
]


@pytest.mark.parametrize(
    ("text", "panics", "fatal", "signal"), [p[1:] for p in PREAMBLES], ids=[p[0] for p in PREAMBLES]
)
def test_preambles(text: str, panics: list[tuple[str, bool, bool]], fatal: str | None, signal: str | None) -> None:
    snap = one(text + "\ngoroutine 1 [running]:\n" + FRAME)
    assert snap.crash is not None
    assert [(p.message, p.recovered, p.repanicked) for p in snap.crash.panics] == panics
    assert snap.crash.fatal_error == fatal
    assert snap.crash.signal == signal


def test_crash_goroutine_is_the_running_one_after_the_preamble() -> None:
    snap = one("panic: boom\n\ngoroutine 6 [running]:\n" + FRAME + "\ngoroutine 1 [chan receive]:\n" + FRAME)
    assert snap.crash is not None
    assert snap.crash.goroutine == 6


def test_deadlock_blames_nobody_in_particular() -> None:
    snap = one("fatal error: all goroutines are asleep - deadlock!\n\ngoroutine 1 [semacquire]:\n" + FRAME)
    assert snap.crash is not None
    assert snap.crash.goroutine is None


def test_register_dump_and_thread_separators() -> None:
    snap = one(
        "SIGQUIT: quit\nPC=0x486281 m=0 sigcode=0\n\n"
        "goroutine 0 gp=0x9fb900 m=0 mp=0x9fc7e0 [idle]:\n" + FRAME
        + "\nrax    0xca\nrbx    0x0\nrflags 0x286\ncs     0x33\n\n-----\n\n"
        "SIGQUIT: quit\nPC=0x486283 m=2 sigcode=0\n\n"
        "goroutine 0 gp=0xc000002c40 m=2 mp=0xc000044808 [idle]:\n" + FRAME
        + "rax    0xfffffffffffffffc\nrip    0x486283\n"
    )
    assert [g.thread for g in snap.goroutines] == [0, 2]


def test_race_report_variants() -> None:
    snap = one(
        """
        ==================
        WARNING: DATA RACE
        Write at 0x00c00001c0f8 by goroutine 7:
          main.main.func1()
              /tmp/race/main.go:9 +0x3a

        Previous read at 0x00c00001c0f8 by main goroutine:
          main.main()
              /tmp/race/main.go:11 +0x8e

        Goroutine 7 (running) created at:
          main.main()
              /tmp/race/main.go:8 +0x84
        ==================
        Found 1 data race(s)
        """
    )
    race = snap.races[0]
    assert (race.access.op, race.access.goroutine) == ("write", 7)
    assert race.previous.main_goroutine
    assert race.access.created_at is not None
    assert race.access.created_at[0].line == 8


def test_race_failed_to_restore_the_stack() -> None:
    snap = one(
        "==================\nWARNING: DATA RACE\nRead at 0x00c0000a4010 by goroutine 8:\n"
        "  main.f()\n      /src/m.go:5 +0x1\n\nPrevious write at 0x00c0000a4010 by goroutine 7:\n"
        "  [failed to restore the stack]\n==================\n"
    )
    assert snap.races[0].previous.frames == ()


def test_debug1_with_labels_and_unknown_pc() -> None:
    snap = one(
        "goroutine profile: total 9\n"
        "2 @ 0x103b125 0x106cd1f 0x13ac44a 0x106fd81\n"
        '# labels: {"test_label":"test_value", "k":"v w"}\n'
        "#\t0x106cd1e\ttime.Sleep+0xbe\t\t\t/usr/local/go/src/runtime/time.go:188\n"
        "#\t0x13ac449\tmain.shortSleepLoop+0x29\t/Users/x/main.go:165\n"
        "#\t0x106fd80\n\n"
        "7 @ 0x103b125 0x106fd81\n"
        "#\t0x13ac449\tmain.other+0x29\t/Users/x/main.go:170\n"
    )
    assert snap.profile_total == 9
    a, b = snap.records
    assert (a.count, a.labels) == (2, (("test_label", "test_value"), ("k", "v w")))
    assert [f.func for f in a.frames] == ["time.Sleep", "main.shortSleepLoop"]
    assert b.count == 7


def test_debug1_heads_with_as_many_pcs_keep_their_own_counts() -> None:
    # Record heads are checked once per number of PCs (the PCs masked): each keeps its count.
    snap = one(
        "goroutine profile: total 15\n"
        "7 @ 0x103b125 0x106fd81\n#\t0x13ac449\tmain.a+0x29\t/x/main.go:1\n\n"
        "5 @ 0x103b999 0x106f000\n#\t0x13ac449\tmain.b+0x29\t/x/main.go:2\n\n"
        "3 @ 0x103b125 0x106fd81 0x1\n#\t0x13ac449\tmain.c+0x29\t/x/main.go:3\n"
    )
    assert [r.count for r in snap.records] == [7, 5, 3]


def test_unparsable_header_is_counted_not_lost() -> None:
    dump = parse_text("goroutine 5 [running]:\n" + FRAME + "\ngoroutine 6 [broken\n" + FRAME)
    snap = dump.snapshots[0]
    assert snap.headers_seen == 2
    assert len(snap.goroutines) == 1
    assert snap.unparsed_headers == 1
    assert snap.issues[0].line == 5


# ---------------------------------------------------------------- numbers
# Only ASCII digits are digits ("²" passes str.isdigit() and int() fails on it; "٣" passes
# \d and int() reads 3), and the runtime prints no number longer than 20 digits (int()
# refuses more than 4,300). Each such line is unparsed, never a crash nor a number.
BIG = "9" * 5000
GOOD = "goroutine 1 [chan receive]:\n" + FRAME + "\n"  # first: later headers hit the memo
PROFILE = "goroutine profile: total 2\n"
RECORD = "1 @ 0x47c70e\n#\t0x47c70d\tmain.f+0x2d\t/src/m.go:3\n\n"

NUMBERS = [
    # (row id, text, goroutine ids read, debug=1 record counts read, said to be too long)
    ("id ²", GOOD + "goroutine ² [chan receive]:\n" + FRAME, [1], [], False),
    ("id ٣", GOOD + "goroutine ٣ [chan receive]:\n" + FRAME, [1], [], False),
    ("minutes ٣", GOOD + "goroutine 2 [chan receive, ٣ minutes]:\n" + FRAME, [1], [], False),
    ("line ٣", GOOD + "goroutine 2 [chan receive]:\nmain.f()\n\t/src/m.go:٣ +0x1d\n", [1, 2], [], False),
    ("id of 5000 digits, first", f"goroutine {BIG} [chan receive]:\n" + FRAME + "\n" + GOOD, [1], [], True),
    ("id of 5000 digits", GOOD + f"goroutine {BIG} [chan receive]:\n" + FRAME, [1], [], True),
    ("id of 21 digits", GOOD + "goroutine 123456789012345678901 [chan receive]:\n" + FRAME, [1], [], True),
    ("minutes of 5000 digits", GOOD + f"goroutine 2 [chan receive, {BIG} minutes]:\n" + FRAME, [1], [], True),
    ("m= of 5000 digits", GOOD + f"goroutine 2 gp=0xc000007a40 m={BIG} mp=0xc000100008 [chan receive]:\n" + FRAME, [1], [], True),
    ("line of 5000 digits", GOOD + f"goroutine 2 [chan receive]:\nmain.f()\n\t/src/m.go:{BIG} +0x1d\n", [1, 2], [], True),
    ("creator of 5000 digits", GOOD + f"goroutine 2 [chan receive]:\n{FRAME}created by main.g in goroutine {BIG}\n\t/src/m.go:9 +0x1d\n", [1, 2], [], True),
    ("elided 5000 digits", GOOD + f"goroutine 2 [chan receive]:\n{FRAME}...{BIG} frames elided...\n", [1, 2], [], True),
    ("debug=1 count of 5000 digits", PROFILE + RECORD + f"{BIG} @ 0x47c70e\n#\t0x47c70d\tmain.f+0x2d\t/src/m.go:3\n", [], [1], True),
    ("debug=1 count ²", PROFILE + RECORD + "² @ 0x47c70e\n#\t0x47c70d\tmain.f+0x2d\t/src/m.go:3\n", [], [1], False),
    ("debug=1 count ٣", PROFILE + RECORD + "٣ @ 0x47c70e\n#\t0x47c70d\tmain.f+0x2d\t/src/m.go:3\n", [], [1], False),
    ("debug=1 line ٣", PROFILE + "1 @ 0x47c70e\n#\t0x47c70d\tmain.f+0x2d\t/src/m.go:٣\n", [], [1], False),
    ("profile total of 5000 digits", f"goroutine profile: total {BIG}\n" + RECORD, [], [1], True),
    ("profile total ٣", "goroutine profile: total ٣\n" + RECORD, [], [1], False),
]


@pytest.mark.parametrize(("text", "ids", "counts", "too_long"), [n[1:] for n in NUMBERS], ids=[n[0] for n in NUMBERS])
def test_only_short_ascii_numbers_are_numbers(text: str, ids: list[int], counts: list[int], too_long: bool) -> None:
    from gtriage.dump_report import report_from_dump

    dump = parse_text(text)
    assert [g.id for s in dump.snapshots for g in s.goroutines] == ids
    assert [r.count for s in dump.snapshots for r in s.records] == counts
    assert all(s.profile_total in (None, 2) for s in dump.snapshots)
    issues = [i for s in dump.snapshots for i in s.issues]
    assert issues, "an odd number is never read silently"
    assert any("a number longer than 20 digits" in i.reason for i in issues) is too_long
    report_from_dump(dump)  # nothing later chokes on what was read


def test_a_number_of_20_digits_is_read() -> None:
    g = goroutine("goroutine 18446744073709551615 [chan receive, 99999999999999999999 minutes]:\n" + FRAME)
    assert (g.id, g.minutes) == (18446744073709551615, 99999999999999999999)


# ---------------------------------------------------------------- damaged race reports
RACE = (Path(__file__).resolve().parent.parent / "samples" / "dumps" / "go1.27" / "race.race.txt").read_text()


@pytest.mark.parametrize("op", ["drop", "duplicate", "log line"])
def test_a_damaged_race_report_is_read(op: str) -> None:
    from gtriage.dump_report import report_from_dump

    lines = RACE.split("\n")
    for i in range(len(lines)):
        mutated = list(lines)
        if op == "drop":
            del mutated[i]
        elif op == "duplicate":
            mutated.insert(i, mutated[i])
        else:
            mutated.insert(i, "2026/11/25 10:00:00 INFO cache refreshed")
        report = report_from_dump(parse_text("\n".join(mutated)))  # never "no dump found"
        # The program makes two races; one damaged line costs at most the report it is in.
        assert len(report.races) >= (2 if op == "duplicate" else 1), (op, i)


def test_debug1_without_its_total_line() -> None:
    text = "1 @ 0x1 0x2\n#\t0x1\tmain.f+0x1\t/src/m.go:3\n\n2 @ 0x3\n#\t0x3\tmain.g+0x1\t/src/m.go:4\n"
    (snap,) = parse_text("INFO up\n" + text).snapshots
    assert [(r.count, r.line) for r in snap.records] == [(1, 2), (2, 5)]
    assert snap.unparsed_lines == 0


def test_dumps_one_after_another_keep_their_first_goroutine() -> None:
    """Periodic debug=2 dumps written back to back (a log): the next dump is told by ids seen
    again, which its first goroutine, the [running] one printing it, does not have. It
    belongs to its own dump, not to the end of the one before (regression: every dump but
    the first lost it to the previous one)."""
    from manifests import SAMPLES

    texts = [(SAMPLES / f"series/leakrate.t{i}.txt").read_text() for i in range(5)]
    dump = parse_text("".join(texts))
    headers = [[int(line.split()[1]) for line in t.splitlines() if line.startswith("goroutine ")] for t in texts]
    assert [[g.id for g in s.goroutines] for s in dump.snapshots] == headers
    assert all(s.goroutines[0].state == "running" for s in dump.snapshots)


def test_goroutine_fields_are_in_the_order_read_goroutine_passes_them() -> None:
    # goroutine_section.read_goroutine builds each Goroutine with positional arguments
    # (keywords cost twice as much on the hot path): a field moved must move there too.
    from dataclasses import fields

    from gtriage.model import Goroutine

    assert [f.name for f in fields(Goroutine)] == [
        "id", "state", "stack", "line", "minutes", "locked", "scan", "leaked", "bubble", "labels",
        "thread", "parent_id", "ancestor_ids", "values", "partial",
    ]


def test_a_watchdog_s_dumps_each_keep_their_writer() -> None:
    """A watchdog's log of runtime.Stack(buf, true) dumps, each written by a goroutine
    started for it (samples/series-log/stackdump.log): every dump holds its own writer
    first and exactly the goroutines the program counted. Regression: each dump but the
    first lost its writer to the dump before, the reported (last) one included."""
    import json

    from gtriage.pipeline import analyze_text
    from manifests import SAMPLES

    log = (SAMPLES / "series-log/stackdump.log").read_text()
    made = json.loads((SAMPLES / "series-log/stackdump.json").read_text())["dumps"]
    dump = parse_text(log)
    assert len(dump.snapshots) == len(made)
    for snap, d in zip(dump.snapshots, made, strict=True):
        ids = [g.id for g in snap.goroutines]
        assert ids[0] == d["writer"]
        assert snap.goroutines[0].state == "running"
        assert len(ids) == d["goroutines"]
        assert set(d["leaked"]) <= set(ids)
    report = analyze_text(log)
    assert report.goroutines == made[-1]["goroutines"]
    leak = next(c for c in report.clusters if c.blocked_at.func == "main.leak")
    assert leak.trend is not None
    assert list(leak.trend.counts) == [len(d["leaked"]) for d in made]


@pytest.mark.parametrize(("sources", "moved"), [(("", ""), True), (("pod-a/app", "pod-b/app"), False)])
def test_a_writer_goes_back_to_its_dump_only_within_one_log_source(sources: tuple[str, str], moved: bool) -> None:
    # As the line reader leaves it: the second dump's writer at the end of the first.
    from gtriage.record import replace
    from gtriage.snapshot_builder import rehome_dumpers
    from manifests import SAMPLES

    first, second = parse_text((SAMPLES / "series-log/stackdump.log").read_text()).snapshots[:2]
    writer = second.goroutines[0]
    a = replace(first, goroutines=(*first.goroutines, writer), log_source=sources[0])
    b = replace(second, goroutines=second.goroutines[1:], log_source=sources[1])
    out = rehome_dumpers((a, b))
    assert (out[1].goroutines[0] is writer) is moved
    assert sum(len(s.goroutines) for s in out) == len(first.goroutines) + len(second.goroutines)


def test_a_hex_word_where_a_header_has_a_number_is_no_header() -> None:
    # Found by mutating real samples: a header shape is shared by the headers that differ
    # only in their numbers, and one with a hex word in the id's or the minutes' place took
    # the shape of the decimal one before it, then its id was read as a number (a crash).
    frame = "main.worker()\n\t/home/gopher/w.go:3 +0x1d\n"
    text = "".join(
        f"goroutine {h}]:\n{frame}\n"
        for h in ("19 [chan receive", "0x192 [chan receive", "20 [chan receive, 3 minutes", "21 [chan receive, 0x3 minutes", "22 [chan receive")
    )
    snap = parse_text(text).snapshots[0]
    assert [(g.id, g.minutes) for g in snap.goroutines] == [(19, 0), (20, 3), (22, 0)]
    assert snap.unparsed_headers == 2
    assert snap.unparsed_lines == 2 * 3  # each refused goroutine: its header and its two stack lines
