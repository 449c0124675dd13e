"""The program's own source, when it is at hand: the line a cluster blocks at, as text.

A dump names files as the build saw them: absolute paths of the build machine
(/home/ci/src/app/server/stream.go), or with -trimpath the module path and the file's place
in the module (example.com/app/server/stream.go). Given a tree (--source DIR, or the
current directory when it is a Go module), a dumped path is matched to a file of the tree:
through go.mod's module path for trimmed names, else by the longest common path suffix,
the tree's own folder name (or its module's last element) counting as the first element of
its paths: at least the file's folder and name must agree, so that the main.go of two
programs are told apart, and only one file of the tree may have that suffix. The line
shown must lie in the function the dump names (the nearest `func` above it declares it),
else the file changed since the build and that is said. Nothing outside the tree is ever
read (symbolic links are followed only when they stay inside it); a file that is missing,
ambiguous or changed is said, never guessed.
"""

from __future__ import annotations

import os

from .frame_info import FrameInfo
from .lazy_re import lazy
from .record import dataclass, replace
from .regex_cache import MULTILINE
from .report import Report, SourceText

TYPE_CHECKING = False  # typing's own costs every run ~4 ms to import; type checkers read this as True
if TYPE_CHECKING:
    from collections.abc import Iterator

CONTEXT = 3  # lines shown above and below the blocking line where there is room
MAX_FILES = 50_000  # .go files indexed; a tree bigger than this is cut (and said)
MAX_FILE_BYTES = 4 << 20  # a source file bigger than this is not read
_SKIP_DIRS = {".git", "node_modules", "testdata", ".cache"}
_MODULE = lazy(r"^module\s+(\S+)", MULTILINE)


@dataclass(slots=True)
class SourceTree:
    """The .go files under `root`, indexed by their path relative to it."""

    root: str
    module: str | None  # go.mod's module path, if the root has one
    files: dict[str, str]  # relative path ("server/stream.go") -> real path inside root
    by_name: dict[str, list[str]]  # file name -> relative paths
    cut: bool  # more than MAX_FILES: some files are not indexed

    @classmethod
    def open(cls, root: str) -> SourceTree:
        real = os.path.realpath(root)
        module = None
        try:
            with open(os.path.join(real, "go.mod"), encoding="utf-8", errors="replace") as f:
                m = _MODULE.search(f.read(1 << 16))
                module = m.group(1).strip('"') if m else None
        except OSError:
            pass
        files: dict[str, str] = {}
        by_name: dict[str, list[str]] = {}
        cut = False
        for rel, path in _go_files(real):
            if len(files) >= MAX_FILES:
                cut = True
                break
            files[rel] = path
            by_name.setdefault(rel.rsplit("/", 1)[-1], []).append(rel)
        return cls(real, module, files, by_name, cut)

    def find(self, dumped: str) -> tuple[str | None, str]:
        """The tree's file for a dumped path, and how it was found or why it was not."""
        path = dumped.replace("\\", "/")
        if self.module and path.startswith(self.module + "/"):
            rel = path[len(self.module) + 1 :]
            if rel in self.files:
                return self.files[rel], f"{self.module} is {self.root}"
        name = path.rsplit("/", 1)[-1]
        best: list[str] = []
        best_len = 0
        tops = {os.path.basename(self.root)} | ({self.module.rsplit("/", 1)[-1]} if self.module else set())
        for rel in self.by_name.get(name, []):
            n = max(_common_suffix(path, f"{top}/{rel}") for top in tops)
            if n > best_len:
                best, best_len = [rel], n
            elif n == best_len:
                best.append(rel)
        if not best:
            return None, f"no {name} under {self.root}"
        if len(best) > 1:
            return None, f"{len(best)} files under {self.root} end like {name} ({', '.join(sorted(best)[:3])}): cannot tell which"
        if best_len < 2:
            return None, f"{best[0]} under {self.root} shares only its name with {dumped} (give --source the program's folder)"
        return self.files[best[0]], "matched by the end of its path"


def _common_suffix(a: str, b: str) -> int:
    """How many trailing path elements `a` and `b` share."""
    pa, pb = a.split("/"), b.split("/")
    n = 0
    while n < len(pa) and n < len(pb) and pa[-1 - n] == pb[-1 - n]:
        n += 1
    return n


def _go_files(root: str) -> Iterator[tuple[str, str]]:
    """(path relative to root, real path) of every .go file under root that stays inside it."""
    prefix = root.rstrip(os.sep) + os.sep
    for folder, dirs, names in os.walk(root, followlinks=False):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.startswith("."))
        for n in sorted(names):
            if not n.endswith(".go"):
                continue
            full = os.path.join(folder, n)
            real = os.path.realpath(full)
            if not real.startswith(prefix) or not os.path.isfile(real):
                continue  # a link out of the tree: never read
            yield os.path.relpath(full, root).replace(os.sep, "/"), real


def source_text(tree: SourceTree, frame: FrameInfo, context: int = CONTEXT) -> SourceText:
    """The frame's line as the tree has it, with `context` lines around it; or why not."""
    path, how = tree.find(frame.file)
    if path is None:
        return SourceText(None, frame.line, None, (), how)
    try:
        if os.path.getsize(path) > MAX_FILE_BYTES:
            return SourceText(path, frame.line, None, (), f"{path} is over {MAX_FILE_BYTES >> 20} MiB: not read")
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
    except OSError as e:
        return SourceText(path, frame.line, None, (), f"{path}: {e.strerror or e}")
    if not 1 <= frame.line <= len(lines):
        return SourceText(path, frame.line, None, (), f"{path} has {len(lines)} lines, not {frame.line}: changed since the build?")
    declared = _declared_at(lines, frame.line)
    wanted = frame.name.name.split("[", 1)[0]  # a generic function prints as waitAll[...]
    if declared != wanted:
        what = f"in func {declared}" if declared else "in no func"
        return SourceText(path, frame.line, None, (), f"{path}:{frame.line} is {what}, not {wanted}: changed since the build?")
    lo = max(1, frame.line - context)
    hi = min(len(lines), frame.line + context)
    around = tuple((n, lines[n - 1]) for n in range(lo, hi + 1))
    return SourceText(path, frame.line, lines[frame.line - 1], around, how)


_FUNC = lazy(r"^func\s*(?:\([^)]*\)\s*)?([A-Za-z_]\w*)")


def _declared_at(lines: list[str], line: int) -> str | None:
    """The function whose body holds `line` as far as the nearest `func` above it says."""
    for n in range(line - 1, -1, -1):
        m = _FUNC.match(lines[n])
        if m:
            return m.group(1)
    return None


def with_source(report: Report, tree: SourceTree) -> Report:
    """The report with each cluster's blocking line of the program's own code read from
    `tree`; clusters blocked elsewhere (runtime, standard library) are left as they are."""
    clusters = tuple(
        replace(c, source=source_text(tree, c.blocked_at)) if c.blocked_at.is_program_code and c.blocked_at.line > 0 else c
        for c in report.clusters
    )
    return replace(report, clusters=clusters)


def default_tree(given: str | None) -> SourceTree | None:
    """--source DIR, else the current directory when it is a Go module (has go.mod): a
    directory of anything else is not walked on every run."""
    if given is not None:
        return SourceTree.open(given)
    if os.path.isfile("go.mod"):
        return SourceTree.open(".")
    return None
