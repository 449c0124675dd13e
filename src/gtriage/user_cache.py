"""gtriage's private per-user cache folder and what may be read back from it.

It holds Lark's grammar analysis, the LALR tables and the records' compiled methods: all
derived from gtriage's own code, none from a dump. Compiled code is loaded back only from a
folder that is this user's alone, as Python trusts its own `__pycache__`.
"""

from __future__ import annotations

import contextlib
import os
import stat

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
        with contextlib.suppress(OSError):
            os.remove(tmp)


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
