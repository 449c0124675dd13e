"""A frame with its meaning attached (whose code, which module and version, which
function): what the report, the renderers and the TUI show. Built by normalize.py."""

from __future__ import annotations

from .enums import StrEnum
from .record import dataclass


class Origin(StrEnum):
    MAIN = "main"  # the program's own code
    MODULE = "module"  # a third-party module
    STDLIB = "stdlib"
    RUNTIME = "runtime"
    CGO = "cgo"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class FuncName:
    """A printed function name taken apart."""

    package: str  # import path: "net/http", "github.com/x/y/pkg", "main"
    receiver: str  # "*Hub", "Box[...]", "" for plain functions
    name: str  # the function or method: "Subscribe"
    closure: str  # "func1.2", "gowrap1", "deferwrap1", "" when not a closure
    method_value: bool  # "-fm"

    @property
    def short(self) -> str:
        """Package's last element plus the rest: "http.(*conn).serve"."""
        pkg = self.package.rsplit("/", 1)[-1]
        recv = f"({self.receiver})." if self.receiver else ""
        tail = f".{self.closure}" if self.closure else ""
        return f"{pkg}.{recv}{self.name}{tail}{'-fm' if self.method_value else ''}"


@dataclass(frozen=True, slots=True)
class FrameInfo:
    """A frame with its meaning attached; what reports and the TUI show."""

    func: str
    file: str
    line: int
    origin: Origin
    module: str | None
    version: str | None
    name: FuncName

    @property
    def location(self) -> str:
        return f"{self.file}:{self.line}"

    @property
    def is_program_code(self) -> bool:
        """Code the program brought: its own, its modules', and C it calls through cgo (as
        opposed to the runtime's and the standard library's). The one definition: where a
        goroutine blocks, whether a cluster is background, which frame a view leads with."""
        return self.origin in _PROGRAM_ORIGINS


_PROGRAM_ORIGINS = frozenset({Origin.MAIN, Origin.MODULE, Origin.CGO})
