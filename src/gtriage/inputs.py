"""What the command line names, as the dumps to read: files, URLs and stdin as they are, a
list of them in `@file`, the files of a directory, the members of a .zip or .tar(.gz)."""

from __future__ import annotations

import os
import time

from .contexts import contextmanager
from .errors import input_error, os_reason
from .lazy_re import lazy
from .record import dataclass
from .regex_cache import IGNORECASE

TYPE_CHECKING = False  # typing's own costs every run ~4 ms to import; type checkers read this as True
if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence
    from typing import BinaryIO

# A directory or archive of more dumps than this is refused rather than read for hours.
MAX_MEMBERS = 10_000
_ARCHIVE = lazy(r"\.(zip|tar|tgz|tar\.gz|tar\.bz2|tar\.xz)$", IGNORECASE)
_URL = lazy(r"[A-Za-z][A-Za-z0-9+.-]*://")


@dataclass(frozen=True, slots=True)
class Input:
    """One dump to read: `spec` as open_lines takes it, or a member of the archive `spec`."""

    spec: str
    member: str | None = None

    @property
    def name(self) -> str:
        """How the report names it: the spec, or "archive.tar.gz:pod-a.txt"."""
        return f"{self.spec}:{self.member}" if self.member is not None else self.spec


def expand_inputs(specs: Sequence[str]) -> list[Input]:
    """The dumps the command line names, in the order given (a directory's files and an
    archive's members by name). Raises SourceError for an unreadable list, directory or
    archive, and for one that holds nothing to read."""
    out: list[Input] = []
    for spec in specs:
        if spec.startswith("@") and len(spec) > 1:
            out.extend(Input(s) for s in _listed(spec[1:]))
        elif spec != "-" and not _URL.match(spec) and os.path.isdir(spec):
            out.extend(Input(p) for p in _directory(spec))
        elif _ARCHIVE.search(spec) and os.path.isfile(spec):
            out.extend(Input(spec, m) for m in _members(spec))
        else:
            out.append(Input(spec))
        if len(out) > MAX_MEMBERS:
            raise input_error(spec, f"more than {MAX_MEMBERS:,} dumps named; read them in parts")
    return out


def _listed(path: str) -> list[str]:
    """The inputs listed in a file, one a line; blank lines and # comments are skipped."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = f.read(1 << 20).splitlines()
    except OSError as e:
        raise input_error("@" + path, os_reason(e)) from e
    specs = [s.strip() for s in lines if s.strip() and not s.lstrip().startswith("#")]
    if not specs:
        raise input_error("@" + path, "lists no inputs (one file or URL a line)")
    return specs


def _directory(path: str) -> list[str]:
    try:
        names = sorted(os.listdir(path))
    except OSError as e:
        raise input_error(path, os_reason(e)) from e
    files = [os.path.join(path, n) for n in names if not n.startswith(".")]
    files = [f for f in files if os.path.isfile(f)]
    if not files:
        raise input_error(path, "is a directory without files to read")
    return files


def _members(path: str) -> list[str]:
    import tarfile  # here and in open_member: archives only (they cost every run ~10 ms to import)
    import zipfile

    try:
        if path.lower().endswith(".zip"):
            with zipfile.ZipFile(path) as z:
                names = [i.filename for i in z.infolist() if not i.is_dir()]
        else:
            with tarfile.open(path, "r:*") as t:
                names = [m.name for m in t.getmembers() if m.isfile()]
    except (OSError, zipfile.BadZipFile, tarfile.TarError, EOFError) as e:
        raise input_error(path, f"not a readable archive: {os_reason(e) if isinstance(e, OSError) else e}") from e
    names = sorted(n for n in names if not os.path.basename(n).startswith("."))
    if not names:
        raise input_error(path, "is an archive without files to read")
    return names


@contextmanager
def open_member(archive: str, member: str) -> Iterator[tuple[BinaryIO, float | None]]:
    """The member's bytes and its modification time as the archive recorded it."""
    import tarfile
    import zipfile

    try:
        if archive.lower().endswith(".zip"):
            with zipfile.ZipFile(archive) as z:
                info = z.getinfo(member)
                mtime = time.mktime((*info.date_time, 0, 0, -1))
                with z.open(info) as f:
                    yield f, mtime  # type: ignore[misc]  # ZipExtFile is a binary reader
                return
        with tarfile.open(archive, "r:*") as t:
            m = t.getmember(member)
            member_file = t.extractfile(m)
            if member_file is None:
                raise input_error(f"{archive}:{member}", "is not a file")
            with member_file:
                yield member_file, float(m.mtime)  # type: ignore[misc]  # a binary reader
    except (OSError, KeyError, zipfile.BadZipFile, tarfile.TarError, EOFError) as e:
        raise input_error(f"{archive}:{member}", os_reason(e) if isinstance(e, OSError) else str(e)) from e


def short_names(inputs: Iterable[Input]) -> list[str]:
    """Names that tell sources apart in a fleet: a file's name without its folders and
    extensions ("pod-a"), a URL's host and port; made unique with "#2", "#3"."""
    out: list[str] = []
    seen: dict[str, int] = {}
    for inp in inputs:
        name = _short(inp.member if inp.member is not None else inp.spec)
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name}#{seen[name]}")
    return out


def _short(spec: str) -> str:
    m = _URL.match(spec)
    if m:
        rest = spec[m.end():]
        return rest.split("/", 1)[0].split("?", 1)[0].rsplit("@", 1)[-1] or spec
    if spec == "-":
        return "stdin"
    base = os.path.basename(spec.rstrip("/")) or spec
    for ext in (".gz", ".txt", ".log", ".json", ".dump", ".out"):
        if base.lower().endswith(ext) and len(base) > len(ext):
            base = base[: -len(ext)]
    return base
