"""What a frame means: whose code it is (origin), which module and version, which function.

Pure functions over the raw model. Results are cached per distinct (func, file) pair, so
the cost is per distinct frame, not per goroutine.
"""

from __future__ import annotations

from .call_cache import lru_cache
from .frame_info import FrameInfo, FuncName, Origin
from .lazy_re import lazy
from .model import Frame
from .regex_cache import compiled

TYPE_CHECKING = False  # typing's own costs every run ~4 ms to import; type checkers read this as True
if TYPE_CHECKING:
    from collections.abc import Iterable

# Closure and wrapper suffixes the compiler adds, innermost last: func1, func1.2, gowrap1,
# deferwrap1 (Go 1.22+), glob..func1 (package-level closures before Go 1.22, init.func1 after).
# [0-9], not \d: in a str pattern \d is any Unicode digit, and the compiler writes ASCII.
_CLOSURE_PART = lazy(r"^(?:func[0-9]+|gowrap[0-9]+|deferwrap[0-9]+|[0-9]+)$")
# gopkg.in/yaml.v3 style: a dot inside the last path element of the package.
_GOPKG_VERSION = compiled(r"^[\w.-]*?\.v[0-9]+(?=\.)")

# The module paths below are found with str.find, not regular expressions: a file name is
# dump text, and searched patterns such as r"/pkg/mod/([^@]+)@" rescan the rest of the
# name from every "/pkg/mod/" in it (92 s for a 180 KB name of "/pkg/mod/" repeated).


def _modcache(file: str) -> tuple[str, str] | None:
    """Module and version of a module-cache path, .../pkg/mod/github.com/!azure/x@v1.2.3/f.go
    ("!" escapes capitals): what r"(?:^|/)pkg/mod/([^@]+)@([^/]+)/" finds, in linear time.
    A "pkg/mod/" that fails fails at the first "@" after it, and so does every other
    "pkg/mod/" before that "@": the next try starts past it."""
    pos = 0
    while (s := file.find("pkg/mod/", pos)) >= 0:
        if s > 0 and file[s - 1] != "/":
            pos = s + 1
            continue
        at = file.find("@", s + 8)
        if at < 0:
            return None
        slash = file.find("/", at + 1)
        if slash < 0:
            return None
        if at > s + 8 and slash > at + 1:
            return file[s + 8 : at], file[at + 1 : slash]
        pos = at + 1
    return None


def _trimmed_module(file: str) -> tuple[str, str] | None:
    r"""Module and version of a -trimpath file name, "github.com/x/y@v1.2.3/file.go": what
    r"^([^/@\s]+\.[^/@\s]+/[^@]+)@(v[^/]+)/" matches, in linear time (that pattern tries
    every dot of the first element and rescans the rest from each)."""
    at = file.find("@")
    first = file.find("/")
    if at < 0 or not 0 < first < at - 1:
        return None
    host = file[:first]
    if "." not in host[1:-1] or any(c.isspace() for c in host):
        return None
    slash = file.find("/", at + 1)
    if not file.startswith("v", at + 1) or slash < at + 3:
        return None
    return file[:at], file[at + 1 : slash]


def _vendored(file: str) -> str | None:
    """The import path of a file under vendor/: what r"(?:^|/)vendor/(.+)/[^/]+$" finds
    (the first "vendor/" that has a folder after it), in linear time."""
    last = file.rfind("/")
    if last < 0 or last == len(file) - 1:
        return None
    s = file.find("vendor/")
    while s > 0 and file[s - 1] != "/":
        s = file.find("vendor/", s + 1)
    if s < 0 or s + 7 >= last:
        return None
    return file[s + 7 : last]


def _mask_type_args(func: str) -> str:
    r"""Every "[...]" of a function name as underscores of the same length: what
    re.sub(r"\[[^\]]*\]", ...) does, in linear time (that pattern rescans the rest of the
    name from every "[" when no "]" follows)."""
    out: list[str] = []
    pos = 0
    while (i := func.find("[", pos)) >= 0 and (j := func.find("]", i + 1)) >= 0:
        out.append(func[pos:i])
        out.append("_" * (j + 1 - i))
        pos = j + 1
    if not out:
        return func
    out.append(func[pos:])
    return "".join(out)


# The module cache's "!x" for a capital X (github.com/!azure/...).
_BANG = lazy(r"!([a-z])")


def _unescape_module(path: str) -> str:
    return _BANG.sub(lambda m: m.group(1).upper(), path)


@lru_cache(maxsize=65536)
def split_func(func: str) -> FuncName:
    """Take a printed function name apart.

    "github.com/a/b.(*Box[...]).Wait.func1.2" -> package "github.com/a/b", receiver
    "*Box[...]", name "Wait", closure "func1.2".
    """
    fm = func.endswith("-fm")
    if fm:
        func = func[:-3]
    # Type arguments may hold dots and slashes; mask them while looking for the package.
    masked = _mask_type_args(func)
    slash = masked.rfind("/")
    dot = masked.find(".", slash + 1)
    if dot < 0:
        return FuncName("", "", func, "", fm)
    last = masked[slash + 1 :]
    gm = _GOPKG_VERSION.match(last)
    if gm is not None:
        dot = slash + 1 + gm.end()
    package, rest = func[:dot], func[dot + 1 :]
    receiver = ""
    if rest.startswith("("):
        close = rest.find(")")
        if close > 0:
            receiver, rest = rest[1:close], rest[close + 2 :]
    parts = _split_dots(rest)
    # glob..func1: the empty element stands for the package-level closure holder.
    i = len(parts)
    while i > 1 and _CLOSURE_PART.match(parts[i - 1]):
        i -= 1
    name = ".".join(parts[:i]) or "glob"
    closure = ".".join(parts[i:])
    if name.endswith("."):  # "glob." from "glob..func1"
        name = name[:-1]
    named = parts[:i]
    if not receiver and len(named) == 2 and named[0][:1].isupper():
        # A method on a value receiver prints without parentheses: "pkg.T.M".
        receiver, name = named
    return FuncName(package, receiver, name, closure, fm)


def _split_dots(text: str) -> list[str]:
    """Split on dots outside brackets ("F[go.shape.int].M" -> ["F[go.shape.int]", "M"])."""
    parts: list[str] = []
    depth = start = 0
    for i, ch in enumerate(text):
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth = max(depth - 1, 0)
        elif ch == "." and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def detect_goroot(frames: Iterable[Frame]) -> str | None:
    """GOROOT as the dump shows it: the folder above src/<pkg>/ of a standard-library frame."""
    for f in frames:
        # Only a path with /src/ in it can say; taking the name apart costs far more, and a
        # dump without GOROOT paths (-trimpath, or made up) has every frame looked at.
        if "/src/" not in f.file:
            continue
        pkg = split_func(f.func).package
        if not _is_std_import_path(pkg):
            continue
        for folder in (pkg, "runtime"):  # time.Sleep lives in src/runtime/time.go
            i = f.file.rfind(f"/src/{folder}/")
            if i >= 0:
                return f.file[: i + 1]
    return None


def _is_runtime_package(pkg: str) -> bool:
    return (
        pkg == "runtime"
        or pkg.startswith(("runtime/internal/", "internal/runtime/"))
        or pkg in ("internal/abi", "internal/bytealg", "internal/runtime")
    )


def _is_std_import_path(pkg: str) -> bool:
    """Standard-library import paths have no dot in their first element (and aren't main)."""
    first = pkg.split("/", 1)[0]
    return bool(first) and "." not in first and pkg != "main" and not pkg.startswith("main.")


class Normalizer:
    """Classifies frames of one dump; knows that dump's GOROOT."""

    def __init__(self, goroot: str | None) -> None:
        self.goroot = goroot
        self._cache: dict[tuple[str, str, int], FrameInfo] = {}

    def info(self, frame: Frame) -> FrameInfo:
        key = (frame.func, frame.file, frame.line)
        info = self._cache.get(key)
        if info is None:
            info = self._classify(*key)
            self._cache[key] = info
        return info

    def _classify(self, func: str, file: str, line: int) -> FrameInfo:
        name = split_func(func)
        module = version = None
        origin: Origin
        pkg = name.package
        if func == "panic":  # runtime.gopanic prints as "panic"
            origin = Origin.RUNTIME
        elif func.startswith(("non-Go function", "_cgo_")) or file in ("?", "??") or file.endswith("_cgo_gotypes.go"):
            origin = Origin.CGO
        elif (mv := _modcache(file) or _trimmed_module(file)) is not None:
            origin = Origin.MODULE
            module, version = _unescape_module(mv[0]), mv[1]
        elif (vendored := _vendored(file)) is not None and not self._in_goroot(file):
            origin = Origin.MODULE
            module = vendored
        elif _is_runtime_package(pkg) and self._stdlib_file(file, pkg):
            origin = Origin.RUNTIME
        elif _is_std_import_path(pkg) and self._stdlib_file(file, pkg):
            origin = Origin.STDLIB
        elif pkg:
            origin = Origin.MAIN
        else:
            origin = Origin.UNKNOWN
        return FrameInfo(func, file, line, origin, module, version, name)

    def _in_goroot(self, file: str) -> bool:
        return self.goroot is not None and file.startswith(self.goroot)

    def _stdlib_file(self, file: str, pkg: str) -> bool:
        if file == "<autogenerated>":
            # Compiler-made wrappers have no file; the package alone tells whose they are.
            return True
        if self.goroot is not None:
            return file.startswith(self.goroot)
        # No GOROOT seen (e.g. -trimpath, or runtime frames hidden): the file path of a
        # standard package is "<goroot>/src/<pkg>/x.go" or, trimmed, "<pkg>/x.go".
        if file.startswith(pkg + "/") or f"/src/{pkg}/" in file:
            return True
        # Assembly and generated runtime files sit in the runtime folder.
        return "/src/runtime/" in file or file.startswith("runtime/")
