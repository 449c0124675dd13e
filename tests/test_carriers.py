"""Taking dump text out of what carried it (carriers.py): line maps, learned prefixes,
escaped one-line dumps, JSON-lines logs."""

from __future__ import annotations

import io
import json
import re

import pytest

from gtriage.carriers import LineMap, prefix_shape, read_streams, unescape


def streams(text: str) -> list[tuple[str, str, list[int]]]:
    """(name, text, input line of each stream line) of every stream of `text`."""
    out = []
    for s in read_streams(io.StringIO(text)):
        body = "".join(s.chunks)
        n = body.count("\n") + (0 if body.endswith("\n") or not body else 1)
        lm = s.line_map
        out.append((s.name, body, [lm(i) if lm is not None else i for i in range(1, n + 1)]))
    return out


def test_line_map_runs() -> None:
    lm = LineMap()
    assert lm(7) == 7  # nothing mapped: every line is itself
    lm.same(1, 3)  # stream 1-3 = input 1-3
    lm.add(4, 3)  # stream 4-6 = input 4 (a one-line dump)
    lm.same(5, 2)  # stream 7-8 = input 5-6
    lm.add(9, 1)  # stream 9 = input 9 (input 7-8 were JSON lines)
    assert [lm(i) for i in range(1, 10)] == [1, 2, 3, 4, 4, 4, 5, 6, 9]


SHAPES = [
    # (prefix as learned, lines that carry it, lines that do not)
    ("2026-11-25T10:00:00.123456789Z ", ["2026-11-25T10:00:01Z x", "2026-11-25T10:00:01.5Z ", "2026-11-25T10:00:01.5Z"], ["x 2026-11-25T10:00:01Z"]),
    ("2021-05-27T10:46:33.875+0300 [DEBUG] plugin.terraform-provider-x: ", ["2021-05-27T10:46:34.001+0300 [DEBUG] plugin.terraform-provider-x: \tmain.go:3"], ["2021-05-27T10:46:34.001+0300 [INFO]  provider: configuring"]),
    ("> ", ["> x", ">"], [">> x", "x"]),
    ("Nov 25 10:00:00 host app[1234]: ", ["Nov 25 10:00:09 host app[99]: goroutine 1 [running]:"], ["Nov 25 10:00:09 other app[99]: x"]),
]


@pytest.mark.parametrize(("prefix", "carried", "not_carried"), SHAPES, ids=[s[0] for s in SHAPES])
def test_prefix_shapes(prefix: str, carried: list[str], not_carried: list[str]) -> None:
    shape = re.compile(prefix_shape(prefix))
    assert shape.match(prefix + "goroutine 1 [running]:")
    for line in carried:
        assert shape.match(line), line
    for line in not_carried:
        assert not shape.match(line), line


def test_unescape_go_quoted() -> None:
    # strconv.Quote of a dump line: tab, newline, quote, backslash, a byte, a rune.
    assert unescape(r"main.f({0x1, \"a\\b\"})\n\t/m.go:3 +0x1d\x00\u00e9") == 'main.f({0x1, "a\\b"})\n\t/m.go:3 +0x1d\x00é'
    assert unescape(r"\ud800") == "\ufffd"  # no lone surrogate gets out


def test_plain_text_is_one_stream_unchanged() -> None:
    text = "log line\ngoroutine 1 [running]:\nmain.main()\n\t/m.go:3 +0x1d\n"
    assert streams(text) == [("-", text, [1, 2, 3, 4])]


def test_crlf_across_chunk_boundaries() -> None:
    text = ("goroutine 1 [running]:\r\nmain.main()\r\n\t/m.go:3 +0x1d\r\n\r\n" * 40000)
    ((_, body, _),) = streams(text)
    assert body == text.replace("\r\n", "\n")


def test_go_test_json_packages_interleaved() -> None:
    def ev(pkg: str, out: str) -> str:
        return json.dumps({"Time": "2026-11-25T10:00:00Z", "Action": "output", "Package": pkg, "Output": out})

    lines = [
        ev("a", "panic: boom\n"),
        ev("b", "=== RUN   TestB\n"),
        ev("a", "\n"),
        ev("a", "goroutine 7 [running]:\n"),
        ev("b", "--- PASS: TestB (0.00s)\n"),
        ev("a", "main.f("),  # test2json splits a long line over two events
        ev("a", ")\n\t/m.go:3 +0x1d\n"),
    ]
    got = streams("".join(line + "\n" for line in lines))
    assert got[0] == ("-", "", [])
    assert got[1] == ("go test -json a", "panic: boom\n\ngoroutine 7 [running]:\nmain.f()\n\t/m.go:3 +0x1d\n", [1, 3, 4, 6, 7])
    assert got[2][0] == "go test -json b"
    assert got[2][2] == [2, 5]


def test_a_json_line_that_carries_nothing_is_left_out() -> None:
    got = streams('{"level":"info","msg":"up"}\nplain\n')
    assert got == [("-", "plain\n", [2])]
