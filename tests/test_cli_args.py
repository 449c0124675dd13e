"""cli_args: the common command lines read without argparse, as the argparse parser reads
them; whatever it does not take is left to argparse."""

from __future__ import annotations

import argparse
import contextlib
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gtriage.cli import build_parser
from gtriage.cli_args import EXCLUSIVE, FLAGS, VALUED, defaults, parse_args, quick_parse


def _argparse(argv: list[str]) -> dict[str, object] | None:
    """What the argparse parser makes of argv, or None when it exits (an error, help)."""
    with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
        try:
            return vars(build_parser().parse_args(argv))
        except SystemExit:
            return None


def test_the_tables_are_the_argparse_parsers() -> None:
    parser = build_parser()
    named: set[str] = set()
    for action in parser._actions:
        if not action.option_strings:
            assert (action.dest, action.nargs) == ("inputs", "*")
            continue
        named.update(action.option_strings)
        for option in action.option_strings:
            if action.dest in ("help", "version"):
                assert option not in FLAGS
                assert option not in VALUED
            elif action.nargs == 0:
                assert FLAGS[option] == (action.dest, action.const)
            else:
                kind = tuple(action.choices) if action.choices else action.type or str  # argparse keeps str as is
                assert VALUED[option] == (action.dest, kind, isinstance(action, argparse._AppendAction))
    assert set(FLAGS) | set(VALUED) <= named
    [group] = parser._mutually_exclusive_groups
    assert tuple(o for a in group._group_actions for o in a.option_strings) == EXCLUSIVE
    assert _argparse([]) == defaults()


@pytest.mark.parametrize(
    "argv",
    [
        ["--format", "text", "samples/dumps/go1.27/crashzoo.nilptr.txt"],
        ["dump.txt", "--top", "5", "--match", "chan|select", "--hide-healthy"],
        ["-f", "json", "-n", "3", "-x", "Mutex", "-j", "2", "-", "--color=always"],
        ["--fleet", "a.txt", "b.txt", "--cluster", "1", "--cluster", "3", "--goroutines"],
        ["--watch", "http://h/x", "--interval", "2m", "--polls", "3", "--timeout", "1.5", "--max-size", "8G"],
        ["--debug0", "--no-stacks", "--show-healthy", "--min-count", "2", "--concurrency", "4", "--source", "."],
        ["--source=", "--match=a=b", "-m", "x=y", "-", "-", "@pods.txt"],  # "=" splits once; "-" is an input
        ["--top", "+5", "--jobs", "٣", "--interval", " 2m ", "--timeout", "1e3", "x y"],  # as int(), float() read them
    ],
)
def test_common_command_lines_are_read_without_argparse(argv: list[str]) -> None:
    quick = quick_parse(argv)
    assert quick is not None
    assert vars(quick) == _argparse(argv)


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"], ["-V"], ["--form", "text"], ["a", "--fleet", "b"], ["--", "-a"], ["--top", "-5"],
        ["--top", "0"], ["--format", "yaml"], ["--match", "("], ["--fleet=1"], ["-fjson"], ["--top"],
        ["--hide-healthy", "--show-healthy"], ["--source", "-"], ["--interval", "1ms"],
    ],
)
def test_what_it_does_not_take_is_left_to_argparse(argv: list[str]) -> None:
    assert quick_parse(argv) is None


def test_a_usage_error_is_argparses(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as e:
        parse_args(["--top", "0"])
    assert e.value.code == 2
    assert capsys.readouterr().err == "gtriage: argument --top/-n: must be 1 or more: '0' (see gtriage --help)\n"
    assert vars(parse_args(["--source", "-", "x"]))["source"] == "-"  # argparse reads what quick_parse leaves


WORDS = [
    *FLAGS, *VALUED, "-h", "--version", "--", "-", "--form", "--fl", "-fjson", "-n5", "--format=json", "--top=2",
    "--fleet=1", "--cluster=", "text", "json", "tui", "always", "5", "0", "-5", "1.5", "30s", "2m", "8G", "abc",
    "[", "chan|select", "", "a.txt", "b.txt", "-x.txt", "inf",
]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=7))
def test_quick_parse_reads_as_argparse_or_leaves_it(argv: list[str]) -> None:
    quick = quick_parse(argv)
    if quick is not None:
        assert vars(quick) == _argparse(argv)
