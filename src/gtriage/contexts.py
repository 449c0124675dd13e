"""`contextmanager` and `suppress`, made without importing contextlib at run time.

`import contextlib` brings functools, collections and types with it: ~13.6M instructions,
2% of the 1k bench dump's whole run, for two helpers. Type checkers see contextlib's own
(the TYPE_CHECKING branch at the end). The generator protocol kept here is contextlib's:
the generator yields once; an exception in the block is thrown in at its yield, and is
suppressed only when the generator ends without raising it again.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing's own costs every run ~4 ms to import; type checkers read this as True
if TYPE_CHECKING:
    from collections.abc import Callable, Generator
    from types import TracebackType
    from typing import Any


class _GeneratorContext:
    __slots__ = ("_gen",)

    def __init__(self, gen: Generator[Any, None, None]) -> None:
        self._gen = gen

    def __enter__(self) -> Any:
        try:
            return next(self._gen)
        except StopIteration:
            raise RuntimeError("generator didn't yield") from None

    def __exit__(self, typ: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None) -> bool:
        if typ is None:
            try:
                next(self._gen)
            except StopIteration:
                return False
            raise RuntimeError("generator didn't stop")
        if value is None:
            value = typ()
        try:
            self._gen.throw(value)
        except StopIteration as ended:
            return ended is not value  # the generator caught it and ended: suppressed
        except BaseException as raised:
            # The block's own exception goes on; a StopIteration from the block comes back
            # from the generator as a RuntimeError caused by it (PEP 479).
            if raised is value or (isinstance(value, StopIteration) and raised.__cause__ is value):
                value.__traceback__ = tb
                return False
            raise
        raise RuntimeError("generator didn't stop after throw()")


def _contextmanager(func: Callable[..., Generator[Any, None, None]]) -> Callable[..., _GeneratorContext]:
    def helper(*args: Any, **kwargs: Any) -> _GeneratorContext:
        return _GeneratorContext(func(*args, **kwargs))

    helper.__name__, helper.__qualname__, helper.__doc__ = func.__name__, func.__qualname__, func.__doc__
    helper.__module__, helper.__wrapped__ = func.__module__, func  # type: ignore[attr-defined]
    return helper


class _suppress:
    __slots__ = ("_exceptions",)

    def __init__(self, *exceptions: type[BaseException]) -> None:
        self._exceptions = exceptions

    def __enter__(self) -> None:
        return None

    def __exit__(self, typ: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None) -> bool:
        return typ is not None and issubclass(typ, self._exceptions)


if TYPE_CHECKING:
    from contextlib import contextmanager, suppress
else:
    contextmanager, suppress = _contextmanager, _suppress

__all__ = ["contextmanager", "suppress"]
