"""gtriage's private per-user cache folder and what may be read back from it.

It holds Lark's grammar analysis, the LALR tables and the records' compiled methods: all
derived from gtriage's own code, none from a dump. Compiled code is loaded back only from a
folder that is this user's alone, as Python trusts its own `__pycache__`.
"""

from __future__ import annotations

import marshal
import os
import stat
import sys

from .contexts import suppress

TYPE_CHECKING = False  # typing's own costs every run ~4 ms to import; type checkers read this as True
if TYPE_CHECKING:
    from typing import Any

KEEP_CACHES = 4  # grammar caches (and tables) kept: the ones of the gtriage versions used last


def cache_folder() -> str | None:
    """gtriage's private per-user cache folder (the grammar caches are a pickle and the
    tables, and must be nobody else's to write); None when it cannot be made."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = os.path.join(base, "gtriage")
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
    except OSError:
        return None
    if not os.access(folder, os.W_OK):
        return None
    return folder


def private(folder: str) -> bool:
    """Whether only this user can write into the folder: owned by them, no group or other
    write permission. Anything loaded as code comes from such a folder only."""
    try:
        st = os.stat(folder)
    except OSError:
        return False
    return st.st_uid == os.geteuid() and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def read_bytes(path: str) -> bytes | None:
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return None


def write_whole(path: str, data: bytes) -> None:
    """Write the file whole or not at all. Another gtriage may be reading: write a private
    temporary file, then rename it over."""
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except OSError:
        with suppress(OSError):
            os.remove(tmp)


def interpreter_file(kind: str) -> str | None:
    """The path of this interpreter's `kind` file in the cache folder (compiled code and
    regex programs are this interpreter's alone), when the folder is private; else None."""
    folder = cache_folder()
    if folder is None or not private(folder):
        return None
    tag = sys.implementation.cache_tag or "python"
    return f"{folder}/{kind}-{tag}-{sys.hexversion:08x}.marshal"


def load_table(path: str | None, probe_key: str, probe: object, max_entries: int) -> dict[Any, Any]:
    """The marshalled dict in `path` when it was written for `probe` (under `probe_key`) and
    holds at most `max_entries`; else a fresh one holding only the probe (absent, damaged,
    another interpreter's or grown past the bound: filled again and written over)."""
    data = read_bytes(path) if path else None
    try:
        loaded = marshal.loads(data) if data else {}
    except (EOFError, ValueError, TypeError):
        loaded = {}
    if not isinstance(loaded, dict) or len(loaded) > max_entries or loaded.get(probe_key) != probe:
        return {probe_key: probe}
    return loaded


def save_table(path: str | None, table: dict[Any, Any]) -> None:
    """Write the dict whole (write_whole), or nothing when a value is one marshal refuses."""
    if path is None:
        return
    try:
        data = marshal.dumps(table)
    except ValueError:
        return
    write_whole(path, data)


def prune_caches(current: str, keep: int = KEEP_CACHES) -> None:
    """Mark `current` as just used and delete all but the `keep` newest files of its kind
    (its name up to the first "-", and its extension) beside it: every grammar version
    writes one, and nothing else ever removes them."""
    folder, name = os.path.split(current)
    prefix, suffix = name.split("-", 1)[0] + "-", os.path.splitext(name)[1]
    try:
        os.utime(current)
        names = [n for n in os.listdir(folder) if n.startswith(prefix) and n.endswith(suffix)]
        paths = sorted((os.path.join(folder, n) for n in names), key=os.path.getmtime, reverse=True)
        for old in paths[keep:]:
            os.remove(old)
    except OSError:
        pass  # another gtriage may be pruning too; a cache left over costs only disk
