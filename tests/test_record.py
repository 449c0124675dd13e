"""record.py: the run-time dataclass stand-in behaves as dataclasses.dataclass does for
the records gtriage declares, and keeps `dataclasses` out of a run."""

from __future__ import annotations

import copy
import dataclasses
import marshal
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from gtriage.record import FrozenRecordError, NamedTuple, dataclass, field, replace


@dataclass(frozen=True, slots=True)
class Point:
    a: int
    b: str
    c: float
    d: tuple[int, ...]
    e: str = "e"
    f: tuple[str, ...] = field(default_factory=tuple)


@dataclass(slots=True)
class Bag:
    items: list[int] = field(default_factory=list)
    n: int = 0


def make() -> Point:
    return Point(1, "two", 3.0, (4,))


def test_init_defaults_and_factories() -> None:
    p = make()
    assert (p.a, p.b, p.c, p.d, p.e, p.f) == (1, "two", 3.0, (4,), "e", ())
    assert Point(1, "x", 0.5, (), e="y", f=("z",)).f == ("z",)
    first, second = Bag(), Bag()
    first.items.append(1)
    assert second.items == []  # a fresh list each time, as default_factory promises


def test_equality_hash_and_repr_follow_the_fields() -> None:
    assert make() == make()
    assert hash(make()) == hash(make())
    assert make() != Point(1, "two", 3.0, (5,))
    same_values: object = (1, "two", 3.0, (4,), "e", ())
    assert make() != same_values  # another class is never equal
    assert repr(make()) == "Point(a=1, b='two', c=3.0, d=(4,), e='e', f=())"
    assert Bag.__hash__ is None  # mutable and compared by value: unhashable, as dataclasses


def test_frozen_records_refuse_assignment_and_slots_refuse_new_names() -> None:
    p = make()
    with pytest.raises(FrozenRecordError):
        p.a = 2  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del p.b
    bag = Bag()
    bag.n = 3
    with pytest.raises(AttributeError):
        bag.other = 1  # type: ignore[attr-defined]
    assert not hasattr(p, "__dict__")
    assert Point.__slots__ == ("a", "b", "c", "d", "e", "f")


def test_pickle_and_copy_keep_every_field_in_its_place() -> None:
    # The parallel reader sends records between processes: the state must come back in
    # field order (a set of names once shuffled it).
    p = Point(7, "seven", 7.5, (7, 7), "E", ("F",))
    for back in (pickle.loads(pickle.dumps(p)), copy.deepcopy(p), copy.copy(p)):
        assert back == p
        assert (back.a, back.f) == (7, ("F",))
    bag = Bag([1, 2], 3)
    assert pickle.loads(pickle.dumps(bag)) == bag


def test_replace_and_thedataclasses_functions_work_on_records() -> None:
    p = make()
    assert replace(p, e="x") == Point(1, "two", 3.0, (4,), "x")
    assert dataclasses.replace(p, a=9).a == 9
    assert dataclasses.is_dataclass(p)
    assert [f.name for f in dataclasses.fields(Point)] == ["a", "b", "c", "d", "e", "f"]
    assert dataclasses.asdict(Bag([1], 2)) == {"items": [1], "n": 2}


def test_match_args_allow_positional_patterns() -> None:
    match make():
        case Point(a, b):
            assert (a, b) == (1, "two")
        case _:
            pytest.fail("no match")


def test_post_init_and_explicit_methods_are_kept() -> None:
    @dataclass(slots=True)
    class Counted:
        n: int
        seen: list[int] = field(default_factory=list)

        def __post_init__(self) -> None:
            self.seen.append(self.n)

        def __repr__(self) -> str:
            return "mine"

    c = Counted(4)
    assert c.seen == [4]
    assert repr(c) == "mine"


def test_declarationsdataclasses_refuses_are_refused() -> None:
    with pytest.raises(ValueError, match="mutable default"):
        @dataclass
        class Shared:
            xs: list[int] = []  # noqa: RUF012 - the mistake under test
    with pytest.raises(TypeError, match="follows default"):
        @dataclass
        class Order:
            a: int = 0
            b: int  # type: ignore[misc]


def test_a_report_run_does_not_importdataclasses() -> None:
    code = "import sys, gtriage.model, gtriage.report, gtriage.cluster; print('dataclasses' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == "False"


def _run_in(cache: Path, code: str = "import gtriage.model; print(gtriage.model.Frame.__init__.__code__.co_filename)") -> str:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def _records_files(cache: Path) -> list[Path]:
    return sorted((cache / "gtriage").glob("records-*.marshal"))


FRAME = "F:func,args,file,line,slot="  # model.Frame's key in the cache


def test_a_cache_written_by_another_generator_is_started_over(tmp_path: Path) -> None:
    # Entries are found by signature, without building the source: a file whose probe
    # sources differ from this record.py's holds code that may no longer match it.
    _run_in(tmp_path)
    [kept] = _records_files(tmp_path)
    entries = marshal.loads(kept.read_bytes())
    wrong = marshal.dumps(compile("def _make():\n return 1, 2, 3", "<old>", "exec"))
    kept.write_bytes(marshal.dumps({**entries, FRAME: wrong, "#sources": b"older"}))
    assert _run_in(tmp_path) == "<gtriage.record>"
    again = marshal.loads(kept.read_bytes())
    assert again.keys() == entries.keys()
    assert again[FRAME] != wrong


def test_fields_of_one_name_but_another_kind_get_their_own_methods() -> None:
    @dataclass(frozen=True)
    class Plain:
        a: int

    @dataclass(frozen=True)
    class Defaulted:
        a: int = 5

    @dataclass
    class Made:
        a: list[int] = field(default_factory=list)

    assert (Plain(1).a, Defaulted().a, Made().a) == (1, 5, [])
    with pytest.raises(TypeError):
        Plain()  # type: ignore[call-arg]


def test_compiled_methods_are_kept_and_read_back(tmp_path: Path) -> None:
    assert _run_in(tmp_path) == "<gtriage.record>"
    [kept] = _records_files(tmp_path)
    entries = marshal.loads(kept.read_bytes())
    assert FRAME in entries  # model.Frame: frozen, four fields, then one with a default
    before = kept.stat().st_mtime_ns
    _run_in(tmp_path)  # every class found: nothing compiled, nothing written
    assert kept.stat().st_mtime_ns == before


def test_a_damaged_cache_is_compiled_again_and_written_over(tmp_path: Path) -> None:
    _run_in(tmp_path)
    [kept] = _records_files(tmp_path)
    for damage in (b"", b"\x00garbage", kept.read_bytes()[:100], marshal.dumps({"x": 1})):
        kept.write_bytes(damage)
        assert _run_in(tmp_path, "import gtriage.model as m; print(m.Frame('f', '', 'a.go', 3) == m.Frame('f', '', 'a.go', 3))") == "True"
        assert len(marshal.loads(kept.read_bytes())) > 1


def test_code_is_never_read_from_a_folder_others_can_write(tmp_path: Path) -> None:
    folder = tmp_path / "gtriage"
    folder.mkdir(mode=0o700)
    folder.chmod(0o777)
    _run_in(tmp_path)
    assert _records_files(tmp_path) == []


class Pair(NamedTuple):
    """Two ends."""

    left: int
    right: str = "r"

    @property
    def both(self) -> str:
        return f"{self.left}{self.right}"


def test_named_tuples_are_tuples_with_their_fields_defaults_and_methods() -> None:
    p = Pair(1)
    assert p == (1, "r")
    assert isinstance(p, tuple)
    assert (p.left, p.right, p.both) == (1, "r", "1r")
    assert p._replace(right="x") == Pair(1, "x")
    assert Pair._fields == ("left", "right")
    assert Pair.__doc__ == "Two ends."
    assert Pair.__module__ == __name__
    assert pickle.loads(pickle.dumps(p)) == p
    left, right = p
    assert (left, right) == (1, "r")


class One(NamedTuple):
    only: int


def test_named_tuples_behave_as_collections_namedtuple_s() -> None:
    import collections

    theirs = collections.namedtuple("Pair", ["left", "right"], defaults=["r"])  # type: ignore[name-match]
    for p, q in ((Pair(1), theirs(1)), (Pair(2, "x"), theirs(2, "x")), (Pair._make([3, "y"]), theirs._make([3, "y"]))):
        assert (repr(p), p._asdict(), tuple(p), hash(p)) == (repr(q), q._asdict(), tuple(q), hash(q))
    assert Pair._field_defaults == theirs._field_defaults == {"right": "r"}
    assert Pair.__match_args__ == ("left", "right")
    assert One(5) == (5,)
    assert One._make([6]).only == 6
    assert repr(One(7)) == "One(only=7)"
    with pytest.raises(TypeError):
        Pair()  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="Expected 2 arguments, got 3"):
        Pair._make([1, 2, 3])
    with pytest.raises(ValueError, match="unexpected field names"):
        Pair(1)._replace(middle=2)  # type: ignore[call-arg]
    assert pickle.loads(pickle.dumps(One(8), protocol=0)) == One(8)
    with pytest.raises(AttributeError):
        Pair(1).left = 2  # type: ignore[misc]


def test_a_named_tuple_may_not_redefine_its_machinery() -> None:
    with pytest.raises(AttributeError, match="_replace"):
        class Bad(NamedTuple):
            a: int

            def _replace(self) -> None:  # type: ignore[misc]
                pass


def test_a_command_that_ends_at_once_still_keeps_what_it_compiled(tmp_path: Path) -> None:
    # The command leaves through os._exit once its report is out (cli.run): no exit
    # handler runs, so it writes the records' methods itself, once.
    dump = Path(__file__).resolve().parents[1] / "samples" / "dumps" / "go1.27" / "crashzoo.nilptr.txt"
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "gtriage", "--format", "text", str(dump)], capture_output=True, env=env, timeout=60
    )
    assert done.returncode == 0, done.stderr
    [kept] = _records_files(tmp_path)
    assert FRAME in marshal.loads(kept.read_bytes())
