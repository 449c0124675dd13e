"""gtriage's enumerations behave as the standard library's do, in everything gtriage asks of
them: each case is checked on a class made both ways."""

from __future__ import annotations

import copy
import enum
import json
import pickle
from typing import Any

import pytest

from gtriage import enums
from gtriage.frame_info import Origin
from gtriage.model import DumpFormat
from gtriage.section import Kind


class OursStr(enums.StrEnum):
    A = "a"  # a comment
    B = "b"

    @property
    def shout(self) -> str:
        return self.value.upper()


class TheirsStr(enum.StrEnum):
    A = "a"  # a comment
    B = "b"

    @property
    def shout(self) -> str:
        return self.value.upper()


class OursPlain(enums.Enum):
    X = "x"
    Y = "y"


class TheirsPlain(enum.Enum):
    X = "x"
    Y = "y"


STR_CASES: list[tuple[str, Any]] = [
    ("str", lambda c: str(c.A)),
    ("format", lambda c: f"{c.A}|{c.B:>3}"),
    ("equal to its value", lambda c: (c.A == "a", c.A != "a", c.A == c.B)),
    ("hashed as its value", lambda c: ({c.A: 1}.get("a"), hash(c.A) == hash("a"))),
    ("by value", lambda c: c("b") is c.B),
    ("name and value", lambda c: (c.A.name, c.A.value, type(c.A.value))),
    ("a str", lambda c: (isinstance(c.A, str), c.A + "!", c.A.shout, "a" in c.A)),
    ("in order", lambda c: [m.name for m in c]),
    ("len", len),
    ("membership", lambda c: (c.A in c, c.B in c)),
    ("JSON", lambda c: json.dumps({c.A: [c.B]})),
    ("sorted", lambda c: sorted([c.B, c.A]) == [c.A, c.B]),
]


@pytest.mark.parametrize(("what", "case"), STR_CASES, ids=[w for w, _ in STR_CASES])
def test_a_str_enumeration_as_the_standard_one(what: str, case: Any) -> None:
    assert case(OursStr) == case(TheirsStr)


PLAIN_CASES: list[tuple[str, Any]] = [
    ("str", lambda c: str(c.X).split(".")[1]),
    ("identity", lambda c: (c.X == c.X, c.X == c.Y, c.X == "x")),
    ("by value", lambda c: c("y") is c.Y),
    ("name and value", lambda c: (c.X.name, c.X.value)),
    ("in order", lambda c: [m.name for m in c]),
    ("len", len),
    ("a dict key", lambda c: {c.X: 1, c.Y: 2}[c.Y]),
]


@pytest.mark.parametrize(("what", "case"), PLAIN_CASES, ids=[w for w, _ in PLAIN_CASES])
def test_a_plain_enumeration_as_the_standard_one(what: str, case: Any) -> None:
    assert case(OursPlain) == case(TheirsPlain)


@pytest.mark.parametrize("member", [Origin.MAIN, DumpFormat.PPROF, Kind.GOROUTINE, OursStr.B, OursPlain.Y])
def test_members_pickle_and_copy_as_themselves(member: Any) -> None:
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        assert pickle.loads(pickle.dumps(member, protocol)) is member
    assert copy.copy(member) is member
    assert copy.deepcopy({"m": [member]})["m"][0] is member


def test_repr_names_class_and_member() -> None:
    assert repr(OursStr.A) == repr(TheirsStr.A).replace("Theirs", "Ours")
    assert repr(OursPlain.X) == repr(TheirsPlain.X).replace("Theirs", "Ours")


def test_an_unknown_value_and_a_reassignment_are_refused() -> None:
    with pytest.raises(ValueError, match="'c' is not a valid OursStr"):
        OursStr("c")
    with pytest.raises(AttributeError):
        OursStr.A = "z"  # type: ignore[misc]
    assert OursStr("a") is OursStr.A


def test_methods_and_properties_stay_methods() -> None:
    assert [m.counts_only for m in DumpFormat] == [False, True, False, True]
    assert OursStr.B.shout == "B"
    assert "shout" not in OursStr._member_map_

