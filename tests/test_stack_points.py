"""stack_points: where a cluster places a goroutine in its stack; here, where a stack the
program logged with a recovered panic shows the panic raised."""

from __future__ import annotations

import pytest

from gtriage.frame_info import FrameInfo
from gtriage.model import Frame
from gtriage.normalize import Normalizer
from gtriage.stack_points import panicked_at


def _infos(*calls: tuple[str, str]) -> tuple[FrameInfo, ...]:
    norm = Normalizer("/usr/local/go")
    return tuple(norm.info(Frame(func, "", file, n, -1)) for n, (func, file) in enumerate(calls, 1))


GO = "/usr/local/go/src"


@pytest.mark.parametrize(
    ("calls", "where"),
    [
        # A middleware's deferred function over panic(), the runtime's fault path under it.
        ((("main.recovered.func1", "/app/main.go"), ("panic", f"{GO}/runtime/panic.go"),
          ("runtime.panicmem", f"{GO}/runtime/panic.go"), ("runtime.sigpanic", f"{GO}/runtime/signal_unix.go"),
          ("main.report", "/app/main.go"), ("net/http.HandlerFunc.ServeHTTP", f"{GO}/net/http/server.go")), "main.report"),
        # debug.Stack in the handler's own deferred function.
        ((("runtime/debug.Stack", f"{GO}/runtime/debug/stack.go"), ("main.export.func1", "/app/main.go"),
          ("panic", f"{GO}/runtime/panic.go"), ("main.export", "/app/main.go")), "main.export"),
        # net/http's own recovery: the standard library over panic().
        ((("net/http.(*conn).serve.func1", f"{GO}/net/http/server.go"), ("panic", f"{GO}/runtime/panic.go"),
          ("main.placeOrder", "/app/main.go")), "main.placeOrder"),
        # No panic() call, or none of the program's frames under it.
        ((("main.wait", "/app/main.go"), ("runtime.gopark", f"{GO}/runtime/proc.go")), None),
        ((("main.f", "/app/main.go"), ("panic", f"{GO}/runtime/panic.go"), ("runtime.main", f"{GO}/runtime/proc.go")), None),
    ],
)  # fmt: skip
def test_where_a_logged_stack_panicked(calls: tuple[tuple[str, str], ...], where: str | None) -> None:
    found = panicked_at(_infos(*calls))
    assert (found.func if found is not None else None) == where
