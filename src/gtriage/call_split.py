"""A stack text cut at its argument lists, without a regular expression: the key that finds
a shape parsed before (fast_path.py), the argument texts that are a goroutine's values, and
the goroutine numbers in "created by ... in goroutine N"."""

from __future__ import annotations

from _operator import ne  # operator.ne (cluster.py says why)
from itertools import compress, count, repeat

from .lazy_re import lazy
from .section import CallSplit
from .shapes import is_number

# Where a call's argument list ends and its location starts. The grammar's ARGS hold no
# parentheses, so the text between a call line's last "(" and this is its arguments.
CALL_END = ")\n\t"
_FRAME_SP = lazy(r" fp=0x[0-9a-f]+ sp=0x[0-9a-f]+")


def split_calls(text: str, parts: list[str] | None = None) -> CallSplit:
    """`text` cut at its argument lists; `parts`: the text already cut at CALL_END, if it
    was (left as it is)."""
    return cut_calls(text.split(CALL_END) if parts is None else parts)[0]


def cut_calls(parts: list[str]) -> tuple[CallSplit, tuple[str, ...]]:
    """split_calls, and the heads of the calls (each piece before its last "(")."""
    n = len(parts) - 1
    tail = parts[n]
    heads: tuple[str, ...] = ()
    args: tuple[str, ...] = ()
    if n:
        # One transposition of the (head, "(", args) triples: no Python step per call.
        heads, _, args = zip(*map(str.rpartition, parts, repeat("(", n)), strict=True)
    gids: list[str] = []
    i = tail.rfind(" in goroutine ")
    if i >= 0:
        i += 14
        j = tail.find("\n", i)
        if is_number(tail[i:j]):
            gids = [tail[i:j]]
            tail = tail[:i] + "0" + tail[j:]
    # Joined with "()" + CALL_END, which no piece holds: two texts with one key differ
    # only in their arguments and creator number.
    key = "()\n\t".join((*heads, tail))
    level2 = " fp=" in key  # on any location, not just the last (that may be inlined)
    if level2:
        # Traceback level 2 (SIGQUIT, GOTRACEBACK=crash) prints each frame's fp= and sp=,
        # which differ in every goroutine; pc= and the rest of the location do not. The
        # key leaves them out (the shape never keeps them).
        key = _FRAME_SP.sub("", key)
    joined = "".join(args)
    return CallSplit(key, args, gids, level2, "\n" not in joined and ")" not in joined), heads


# A text cut at CALL_END like one cut before -> that text's pieces, CallSplit and heads.
Like = tuple[list[str], CallSplit, tuple[str, ...]]
MAX_LIKES = 1 << 12


def split_like(parts: list[str], like: Like) -> CallSplit | None:
    """split_calls of a text cut into as many pieces as the text `like` was, with the same
    last piece: only the pieces that differ from its own are cut again (a goroutine of a
    known shape differs in a few argument lists). None when a head differs, or an argument
    text is not flat: split_calls then says what it is."""
    seen, split, heads = like
    args: list[str] | None = None
    for i in compress(count(), map(ne, parts, seen)):
        head, _, arg = parts[i].rpartition("(")
        if head != heads[i] or "\n" in arg or ")" in arg:
            return None
        if args is None:
            args = list(split.args)
        args[i] = arg
    return split if args is None else CallSplit(split.key, tuple(args), split.gids, split.level2, split.flat)


