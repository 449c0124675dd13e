"""The model's enumerations, made without importing `enum` at run time.

`import enum` costs a run ~17M instructions before the first member is made (a tenth of a
tiny panic's run), and ~0.7M more for each enumeration a module defines. Type checkers see
`enum.Enum` and `enum.StrEnum` themselves (the TYPE_CHECKING branch at the end), so every
enumeration is checked as one, exhaustiveness included. At run time the classes here give
what gtriage asks of an enumeration: its members as class attributes, in order and by
value (`Origin("main")`), `.name` and `.value`, identity, iteration and `len`; a StrEnum
member is a str equal to its value (hashed, formatted, compared and JSON-encoded as it),
as enum.StrEnum's are. A member pickles and copies as itself.

Members are the class body's public names bound to a str or an int; methods and
properties stay methods and properties.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing's own costs every run ~4 ms to import; type checkers read this as True
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any


class _EnumType(type):
    _member_map_: dict[str, Any]
    _value2member_map_: dict[Any, Any]

    def __new__(mcls, name: str, bases: tuple[type, ...], ns: dict[str, Any]) -> Any:
        members = [(k, v) for k, v in ns.items() if not k.startswith("_") and isinstance(v, str | int)]
        body = {k: v for k, v in ns.items() if k not in dict(members)}
        cls = super().__new__(mcls, name, bases, body)
        by_name: dict[str, Any] = {}
        by_value: dict[Any, Any] = {}
        for key, value in members:
            member: Any = str.__new__(cls, value) if issubclass(cls, str) else object.__new__(cls)
            member._name_, member._value_ = key, value
            type.__setattr__(cls, key, member)
            by_name[key] = member
            by_value.setdefault(value, member)
        type.__setattr__(cls, "_member_map_", by_name)
        type.__setattr__(cls, "_value2member_map_", by_value)
        return cls

    def __call__(cls, value: Any) -> Any:
        try:
            return cls._value2member_map_[value]
        except KeyError:
            raise ValueError(f"{value!r} is not a valid {cls.__qualname__}") from None

    def __iter__(cls) -> Iterator[Any]:
        return iter(cls._member_map_.values())

    def __len__(cls) -> int:
        return len(cls._member_map_)

    def __contains__(cls, member: object) -> bool:
        return any(member is m for m in cls._member_map_.values())

    def __setattr__(cls, name: str, value: Any) -> None:
        if name in cls.__dict__.get("_member_map_", ()):
            raise AttributeError(f"cannot reassign member {name!r}")
        super().__setattr__(name, value)

    def __repr__(cls) -> str:
        return f"<enum {cls.__name__!r}>"


class _Enum(metaclass=_EnumType):
    _name_: str
    _value_: Any

    @property
    def name(self) -> str:
        return self._name_

    @property
    def value(self) -> Any:
        return self._value_

    def __repr__(self) -> str:
        return f"<{type(self).__name__}.{self._name_}: {self._value_!r}>"

    def __str__(self) -> str:
        return f"{type(self).__name__}.{self._name_}"

    def __reduce_ex__(self, protocol: Any) -> tuple[Any, ...]:
        return type(self), (self._value_,)


class _StrEnum(str, _Enum):
    __repr__ = _Enum.__repr__
    __str__ = str.__str__
    __format__ = str.__format__


if TYPE_CHECKING:
    from enum import Enum, StrEnum
else:
    Enum, StrEnum = _Enum, _StrEnum

__all__ = ["Enum", "StrEnum"]
