"""The model's record classes, made without importing `dataclasses` at run time.

Type checkers see `dataclasses.dataclass`, `field` and `replace` themselves (the
TYPE_CHECKING branch at the end), so every record is checked as a dataclass. At run time
the same decorator is built here, because start-up is most of what a small dump costs:
`import dataclasses` pulls in `inspect` (~14 ms here), and compiling the generated methods costs ~0.8 ms a
class, over 70 classes. So the methods that read each field by name (init, eq, hash) are
compiled once and kept in the user's cache folder (_compiled below), as Python keeps a
module's bytecode in `__pycache__`, found again by the record's signature; the others
(repr, a frozen record's guards and pickle state) are closures over the field names.

Only what gtriage uses is supported: `frozen`, `slots`, fields with a default or a
`default_factory`, `__post_init__`; the methods are those of `dataclass(eq=True)` (init,
repr, eq, hash when frozen). `dataclasses.fields()`, `replace()`, `asdict()` and
`is_dataclass()` still work on these records: the first look at `__dataclass_fields__`
builds the real dataclass Field objects (the one place that imports `dataclasses`, used by
the TUI and the tests, never on a report's path).
"""

from __future__ import annotations

import marshal

from . import user_cache

TYPE_CHECKING = False  # typing's own costs every run ~4 ms to import; type checkers read this as True
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from types import CodeType
    from typing import Any, TypeVar

    _T = TypeVar("_T")


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()
# types.CodeType, as types.py finds it, without importing types (~1.2M instructions); not by
# compile(), whose first call costs a run ~10M.
_CODE_TYPE = type(_Missing.__repr__.__code__)


class FrozenRecordError(AttributeError):
    """Assignment to a field of a frozen record (dataclasses.FrozenInstanceError's role)."""


class Field:
    __slots__ = ("default", "default_factory")

    def __init__(self, default: Any, default_factory: Any) -> None:
        self.default = default
        self.default_factory = default_factory


def _field(*, default: Any = MISSING, default_factory: Any = MISSING) -> Any:
    if default is not MISSING and default_factory is not MISSING:
        raise ValueError("cannot specify both default and default_factory")
    return Field(default, default_factory)


class _Spec:
    __slots__ = ("default", "factory", "name", "type")

    def __init__(self, name: str, type_: Any, default: Any, factory: Any) -> None:
        self.name, self.type, self.default, self.factory = name, type_, default, factory


_MUTABLE = (list, dict, set)


def _specs(cls: type) -> list[_Spec]:
    out: list[_Spec] = []
    own = cls.__dict__
    # Not inspect.get_annotations: importing inspect is the cost this module avoids.
    for name, ann in own.get("__annotations__", {}).items():
        if isinstance(ann, str) and "ClassVar" in ann and ann.partition("[")[0].rpartition(".")[2] == "ClassVar":
            continue
        default = own.get(name, MISSING)
        factory = MISSING
        if isinstance(default, Field):
            default, factory = default.default, default.default_factory
        if isinstance(default, _MUTABLE):
            raise ValueError(f"mutable default {type(default)} for field {name} is not allowed: use default_factory")
        out.append(_Spec(name, ann, default, factory))
    seen_default = False
    for s in out:
        has = s.default is not MISSING or s.factory is not MISSING
        if seen_default and not has:
            raise TypeError(f"non-default argument {s.name!r} follows default argument")
        seen_default = seen_default or has
    return out


def _signature(specs: list[_Spec], frozen: bool, post_init: bool) -> str:
    """All that _source's text depends on, and so the key of its compiled code: building
    the text itself costs more than loading the code it compiles to."""
    kinds = ",".join(s.name + ("()" if s.factory is not MISSING else "=" if s.default is not MISSING else "") for s in specs)
    return f"{'F' if frozen else 'M'}{'P' if post_init else ''}:{kinds}"


def _env(specs: list[_Spec]) -> dict[str, Any]:
    """The names _source's code refers to."""
    env: dict[str, Any] = {"MISSING": MISSING, "_setattr": object.__setattr__}
    for s in specs:
        if s.factory is not MISSING:
            env[f"_factory_{s.name}"] = s.factory
        elif s.default is not MISSING:
            env[f"_default_{s.name}"] = s.default
    return env


def _source(specs: list[_Spec], frozen: bool, post_init: bool) -> str:
    """One function returning the methods that read each field by name (__init__, __eq__,
    __hash__: hot, so written out per class rather than looping over the names)."""
    params, body = ["self"], []
    for s in specs:
        if s.factory is not MISSING:
            params.append(f"{s.name}=MISSING")
            value = f"_factory_{s.name}() if {s.name} is MISSING else {s.name}"
        else:
            params.append(f"{s.name}=_default_{s.name}" if s.default is not MISSING else s.name)
            value = s.name
        body.append(f"_setattr(self, {s.name!r}, {value})" if frozen else f"self.{s.name} = {value}")
    if post_init:
        body.append("self.__post_init__()")
    mine = "(" + "".join(f"self.{s.name}," for s in specs) + ")"
    theirs = "(" + "".join(f"other.{s.name}," for s in specs) + ")"
    lines = [
        "def _make():",
        f" def __init__({', '.join(params)}):",
        *(f"  {b}" for b in body or ["pass"]),
        " def __eq__(self, other):",
        "  if other.__class__ is self.__class__:",
        f"   return {mine} == {theirs}",
        "  return NotImplemented",
        " def __hash__(self):",
        f"  return hash({mine})",
        " return __init__, __eq__, __hash__",
    ]
    return "\n".join(lines)


def _probe() -> bytes:
    """The sources of two records that take every branch of _source, and of a named tuple's
    `__new__`. The cache file keeps them: a file written by another version of either is
    started over."""
    fields = [_Spec("a", "int", MISSING, MISSING), _Spec("b", "int", 0, MISSING), _Spec("c", "list", MISSING, list)]
    return (_source(fields, True, True) + _source([], False, False) + _tuple_source(("a", "b"))).encode()


def _repr(names: tuple[str, ...]) -> Any:
    def __repr__(self: Any) -> str:
        shown = ", ".join(f"{n}={getattr(self, n)!r}" for n in names)
        return f"{self.__class__.__qualname__}({shown})"

    return __repr__


def _frozen(cls: Any, names: tuple[str, ...]) -> dict[str, Any]:
    """A frozen record's guards, and its pickle state in field order (slots hold no
    __dict__ for pickle to copy)."""
    fields = frozenset(names)

    def __setattr__(self: Any, name: str, value: Any) -> None:
        if type(self) is cls or name in fields:
            raise FrozenRecordError(f"cannot assign to field {name!r}")
        super(cls, self).__setattr__(name, value)

    def __delattr__(self: Any, name: str) -> None:
        if type(self) is cls or name in fields:
            raise FrozenRecordError(f"cannot delete field {name!r}")
        super(cls, self).__delattr__(name)

    def __getstate__(self: Any) -> list[Any]:
        return [getattr(self, n) for n in names]

    def __setstate__(self: Any, state: list[Any]) -> None:
        for name, value in zip(names, state, strict=False):
            object.__setattr__(self, name, value)

    return {"__setattr__": __setattr__, "__delattr__": __delattr__, "__getstate__": __getstate__, "__setstate__": __setstate__}


class _LazyFields:
    """`__dataclass_fields__`, built by the real `dataclasses` on first look."""

    def __init__(self, specs: list[_Spec], frozen: bool) -> None:
        self.specs, self.frozen = specs, frozen

    def __get__(self, obj: object, owner: type) -> dict[str, Any]:
        import dataclasses

        def one(s: _Spec) -> Any:
            if s.factory is not MISSING:
                return dataclasses.field(default_factory=s.factory)
            return dataclasses.field(default=s.default) if s.default is not MISSING else dataclasses.field()

        shadow = dataclasses.make_dataclass(owner.__name__, [(s.name, s.type, one(s)) for s in self.specs], frozen=self.frozen)
        fields: dict[str, Any] = getattr(shadow, "__dataclass_fields__")  # noqa: B009 - made at run time
        type.__setattr__(owner, "__dataclass_fields__", fields)
        return fields


def _process(cls: Any, frozen: bool, slots: bool) -> Any:
    specs = _specs(cls)
    names = tuple(s.name for s in specs)
    if slots:
        body = {k: v for k, v in cls.__dict__.items() if k not in names and k not in ("__dict__", "__weakref__")}
        body["__slots__"] = names
        cls = type(cls)(cls.__name__, cls.__bases__, body)
    own = cls.__dict__
    post_init = "__post_init__" in own
    env = _env(specs)
    exec(_compiled(_signature(specs, frozen, post_init), lambda: _source(specs, frozen, post_init)), env)  # built here from the class's own field names
    init, eq, hash_ = env["_make"]()
    for name, fn in (("__init__", init), ("__repr__", _repr(names)), ("__eq__", eq)):
        if name not in own:
            fn.__qualname__ = f"{cls.__qualname__}.{name}"
            setattr(cls, name, fn)
    explicit_hash = own.get("__hash__", MISSING)
    if explicit_hash is MISSING or (explicit_hash is None and "__eq__" in own):
        setattr(cls, "__hash__", hash_ if frozen else None)  # noqa: B010 - mypy rejects assigning methods
    extra: dict[str, Any] = {"__match_args__": names, "__dataclass_fields__": _LazyFields(specs, frozen)}
    if frozen:
        guards = _frozen(cls, names)
        extra.update(__setattr__=guards["__setattr__"], __delattr__=guards["__delattr__"])
        if slots:
            extra.update(__getstate__=guards["__getstate__"], __setstate__=guards["__setstate__"])
    for name, value in extra.items():
        setattr(cls, name, value)
    return cls


# A cache entry is a record's signature (_signature) and the marshalled code of its
# methods, unmarshalled only when asked for: the file holds every class gtriage has made,
# a run needs some of them. The file is per interpreter version (bytecode differs); past
# _MAX_ENTRIES (many gtriage versions' classes) it starts again, and under _PROBE it keeps
# what _probe() made when it was written.
_MAX_ENTRIES = 2000
_PROBE = "#sources"
_code: dict[str, bytes] | None = None
_unsaved = False  # methods compiled in this run and not yet in the file


def _cache_path() -> str | None:
    return user_cache.interpreter_file("records")


def _load_code() -> dict[str, bytes]:
    loaded = user_cache.load_table(_cache_path(), _PROBE, _probe(), _MAX_ENTRIES)
    return {k: v for k, v in loaded.items() if isinstance(k, str) and isinstance(v, bytes)}


def _compiled(key: str, source: Callable[[], str]) -> CodeType:
    """The code of `source()`, kept under `key`: all that its text depends on."""
    global _code, _unsaved
    if _code is None:
        _code = _load_code()
    kept = _code.get(key)
    if kept is not None:
        try:
            code = marshal.loads(kept)
        except (EOFError, ValueError, TypeError):
            code = None
        if isinstance(code, _CODE_TYPE):
            return code
    code = compile(source(), "<gtriage.record>", "exec")
    _code[key] = marshal.dumps(code)
    if not _unsaved:
        _unsaved = True
        import atexit  # only a run that compiled something has anything to write

        atexit.register(save_compiled)
    return code


def save_compiled() -> None:
    """Write what this run compiled to the cache file, once for the run: at exit, or
    before it by a caller that leaves without the interpreter's exit (os._exit)."""
    global _unsaved
    if not _unsaved or _code is None:
        return
    _unsaved = False
    user_cache.save_table(_cache_path(), _code)


def _dataclass(cls: type[_T] | None = None, /, *, frozen: bool = False, slots: bool = False) -> Any:
    def wrap(c: type[_T]) -> type[_T]:
        made: type[_T] = _process(c, frozen, slots)
        return made

    return wrap if cls is None else wrap(cls)


def _replace(obj: _T, /, **changes: Any) -> _T:
    for name in getattr(type(obj), "__match_args__"):  # noqa: B009 - not in the type checker's view
        if name not in changes:
            changes[name] = getattr(obj, name)
    return type(obj)(**changes)


try:
    from _collections import _tuplegetter  # type: ignore[import-not-found]  # the C field getter namedtuple uses
except ImportError:  # another interpreter: a property, as namedtuple falls back to
    from operator import itemgetter

    def _tuplegetter(index: int, doc: str) -> Any:
        return property(itemgetter(index), doc=doc)


_MACHINERY = ("_make", "_replace", "_asdict", "_fields", "_field_defaults", "__new__", "__getnewargs__")


class _NamedTupleMeta(type):
    """`class X(NamedTuple)` made as collections.namedtuple makes it, but its `__new__`:
    typing's own NamedTuple compiles every field's annotation into a ForwardRef (~0.4 ms a
    class), and collections.namedtuple compiles `__new__` from its text each time (~0.25M
    instructions, 16 classes a run). Its code is kept with the records' methods."""

    def __new__(mcls, name: str, bases: tuple[type, ...], ns: dict[str, Any]) -> Any:
        if not bases:
            return super().__new__(mcls, name, bases, ns)
        fields = tuple(ns.get("__annotations__", {}))
        defaults = tuple(ns[f] for f in fields if f in ns)
        env: dict[str, Any] = {"_tuple_new": tuple.__new__}
        exec(_compiled("T:" + ",".join(fields), lambda: _tuple_source(fields)), env)
        new = env["_make"]()
        new.__defaults__ = defaults or None
        new.__qualname__ = f"{ns.get('__qualname__', name)}.__new__"
        body: dict[str, Any] = {
            "__slots__": (),
            "__new__": new,
            "_fields": fields,
            "_field_defaults": dict(zip(fields[len(fields) - len(defaults) :], defaults, strict=True)),
            "__match_args__": fields,
            "_make": classmethod(_tuple_make),
            "_replace": _tuple_replace,
            "_asdict": _tuple_asdict,
            "__repr__": _tuple_repr,
            "__getnewargs__": _tuple_getnewargs,
        }
        for i, f in enumerate(fields):
            body[f] = _tuplegetter(i, f"Alias for field number {i}")
        for key, value in ns.items():
            if key in _MACHINERY:
                raise AttributeError(f"cannot overwrite NamedTuple attribute {key}")
            if key != "__annotations__" and key not in fields:
                body[key] = value
        return type(name, (tuple,), body)


def _tuple_source(fields: tuple[str, ...]) -> str:
    args = ", ".join(fields)
    return f"def _make():\n def __new__(_cls, {args}):\n  return _tuple_new(_cls, ({args}{',' if len(fields) == 1 else ''}))\n return __new__"


def _tuple_make(cls: Any, iterable: Iterable[Any]) -> Any:
    made = tuple.__new__(cls, iterable)
    if len(made) != len(cls._fields):
        raise TypeError(f"Expected {len(cls._fields)} arguments, got {len(made)}")
    return made


def _tuple_replace(self: Any, /, **changes: Any) -> Any:
    made = self._make([changes.pop(f, v) for f, v in zip(self._fields, self, strict=True)])
    if changes:
        raise ValueError(f"Got unexpected field names: {list(changes)!r}")
    return made


def _tuple_asdict(self: Any) -> dict[str, Any]:
    return dict(zip(self._fields, self, strict=True))


def _tuple_repr(self: Any) -> str:
    shown = ", ".join(f"{f}={v!r}" for f, v in zip(self._fields, self, strict=True))
    return f"{self.__class__.__name__}({shown})"


def _tuple_getnewargs(self: Any) -> tuple[Any, ...]:
    return tuple(self)


class _NamedTuple(metaclass=_NamedTupleMeta):
    pass


if TYPE_CHECKING:
    from dataclasses import dataclass, field, replace
    from typing import NamedTuple
else:
    dataclass, field, replace, NamedTuple = _dataclass, _field, _replace, _NamedTuple

__all__ = ["FrozenRecordError", "NamedTuple", "dataclass", "field", "replace"]
