"""contexts.py: contextmanager and suppress behave as contextlib's, case by case."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from gtriage import contexts

Decorator = Callable[[Callable[[list[str]], Iterator[int]]], Any]


def _both(make: Callable[[Decorator], Any]) -> list[Any]:
    """What `make` gives with contextlib's contextmanager and with ours."""
    return [make(contextlib.contextmanager), make(contexts.contextmanager)]


def _run(cm_factory: Any, body: Callable[[], None], log: list[str]) -> str:
    try:
        with cm_factory(log) as got:
            log.append(f"got {got}")
            body()
    except BaseException as e:
        return f"{type(e).__name__}: {e}"
    return "no exception"


def _plain(decorate: Decorator) -> Any:
    @decorate
    def cm(log: list[str]) -> Iterator[int]:
        log.append("enter")
        try:
            yield 1
        finally:
            log.append("exit")

    return cm


def _swallowing(decorate: Decorator) -> Any:
    @decorate
    def cm(log: list[str]) -> Iterator[int]:
        try:
            yield 2
        except KeyError:
            log.append("caught")

    return cm


def _translating(decorate: Decorator) -> Any:
    @decorate
    def cm(log: list[str]) -> Iterator[int]:
        try:
            yield 3
        except KeyError as e:
            raise ValueError("translated") from e

    return cm


def _no_yield(decorate: Decorator) -> Any:
    @decorate
    def cm(log: list[str]) -> Iterator[int]:
        yield from ()

    return cm


def _two_yields(decorate: Decorator) -> Any:
    @decorate
    def cm(log: list[str]) -> Iterator[int]:
        yield 5
        yield 6

    return cm


def _raise(e: BaseException) -> Callable[[], None]:
    def body() -> None:
        raise e

    return body


CASES = [
    ("plain, no exception", _plain, lambda: None),
    ("plain, an exception", _plain, _raise(KeyError("k"))),
    ("swallowed", _swallowing, _raise(KeyError("k"))),
    ("not the one swallowed", _swallowing, _raise(OSError("o"))),
    ("translated", _translating, _raise(KeyError("k"))),
    ("StopIteration from the block", _plain, _raise(StopIteration("s"))),
    ("KeyboardInterrupt", _plain, _raise(KeyboardInterrupt())),
    ("no yield", _no_yield, lambda: None),
    ("two yields", _two_yields, lambda: None),
    ("two yields, an exception", _two_yields, _raise(KeyError("k"))),
]


@pytest.mark.parametrize(("what", "make", "body"), CASES, ids=[c[0] for c in CASES])
def test_contextmanager_as_contextlib_s(what: str, make: Any, body: Callable[[], None]) -> None:
    theirs, ours = _both(make)
    log_theirs: list[str] = []
    log_ours: list[str] = []
    assert _run(ours, body, log_ours) == _run(theirs, body, log_theirs)
    assert log_ours == log_theirs


def test_the_exception_escapes_as_itself() -> None:
    err = KeyError("k")
    with pytest.raises(KeyError) as got, _plain(contexts.contextmanager)([]):
        raise err
    assert got.value is err


def test_contextmanager_keeps_the_function_s_name_and_doc() -> None:
    @contexts.contextmanager
    def named() -> Iterator[None]:
        """Its doc."""
        yield

    assert (named.__name__, named.__doc__) == ("named", "Its doc.")


@pytest.mark.parametrize(
    ("raised", "suppressed"),
    [(OSError, (OSError,)), (FileNotFoundError, (OSError,)), (ValueError, (OSError, ValueError)), (KeyError, (OSError,))],
)
def test_suppress_as_contextlib_s(raised: type[BaseException], suppressed: tuple[type[BaseException], ...]) -> None:
    def outcome(suppress: Any) -> str:
        def fail() -> None:
            raise raised("x")

        try:
            with suppress(*suppressed):
                fail()
        except BaseException as e:
            return type(e).__name__
        return "suppressed"

    assert outcome(contexts.suppress) == outcome(contextlib.suppress)
    with contexts.suppress(OSError):
        pass
