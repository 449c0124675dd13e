"""Narrowing a report: what --match, --exclude, --top, --min-count, --cluster and
--hide-healthy keep, and the text a cluster is searched by (here and in the TUI)."""

from __future__ import annotations

from .record import dataclass, replace
from .regex_cache import IGNORECASE, uncached
from .report import Cluster, GoneCluster, Report

TYPE_CHECKING = False  # typing's own costs every run ~4 ms to import; type checkers read this as True
if TYPE_CHECKING:
    import re


@dataclass(frozen=True, slots=True)
class Filters:
    """What every tool in the field lets you narrow a report to."""

    top: int | None = None
    match: re.Pattern[str] | None = None
    exclude: re.Pattern[str] | None = None
    min_count: int = 1
    healthy: bool = True  # show runtime/stdlib background clusters
    ranks: tuple[int, ...] = ()  # only the clusters of these ranks (as the report numbers them); () for all


def filter_regex(pattern: str) -> re.Pattern[str]:
    """A --match / --exclude pattern, smart-case as in ripgrep and less: case-insensitive
    unless the pattern holds a capital letter. Raises re.error for a bad pattern."""
    return uncached(pattern, 0 if has_capital(pattern) else IGNORECASE)  # the user's: never kept


# Escapes whose letter or digits are no text to match: \S, \W, \D, \A, \Z, \B are classes
# and anchors, and the digits of \xhh / \uhhhh / \Uhhhhhhhh are hexadecimal.
_HEX_DIGITS = {"x": 2, "u": 4, "U": 8}


def has_capital(pattern: str) -> bool:
    """Whether a regular expression asks for a capital letter: one typed outside escapes,
    group names and comments (so `\\S+` and `(?P<Name>x)` stay smart-case)."""
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\":
            esc = pattern[i + 1 : i + 2]
            if esc == "N" and pattern.startswith("{", i + 2):  # \N{LATIN CAPITAL LETTER A}
                end = pattern.find("}", i + 3)
                end = n if end < 0 else end
                if _named_char(pattern[i + 3 : end]).isupper():
                    return True
                i = end + 1
            elif esc.isascii():
                i += 2 + _HEX_DIGITS.get(esc, 0)
            elif esc.isupper():  # an escaped \É is the letter itself
                return True
            else:
                i += 2
            continue
        for opener, closer in (("(?P<", ">"), ("(?P=", ")"), ("(?#", ")")):
            if pattern.startswith(opener, i):
                end = pattern.find(closer, i + len(opener))
                i = n if end < 0 else end + 1
                break
        else:
            if c.isupper():
                return True
            i += 1
    return False


def _named_char(name: str) -> str:
    import unicodedata  # a \N{...} in a --match pattern only: a C module loaded for nothing otherwise

    try:
        return unicodedata.lookup(name)
    except KeyError:
        return ""  # re.compile will say the name is unknown


def cluster_text(c: Cluster) -> str:
    """What --match / --exclude look at: state, functions, files, creator, labels."""
    parts = [c.state, c.blocked_at.func, c.blocked_at.location]
    parts.extend(f"{f.func} {f.location}" for f in c.frames)
    if c.created_by is not None:
        parts.append(f"created by {c.created_by.func}")
    parts.extend(f"{k}={v}" for lc in c.labels for k, v in lc.labels)
    return "\n".join(parts)


def apply_filters(report: Report, f: Filters) -> Report:
    """The report with only the clusters that pass the filters (ranks unchanged)."""
    kept = []
    ranks = frozenset(f.ranks)
    for c in report.clusters:
        if ranks and c.rank not in ranks:
            continue
        if c.count < f.min_count or (not f.healthy and c.healthy and not c.crashed):
            continue
        text = cluster_text(c) if (f.match or f.exclude) else ""
        if f.match is not None and not f.match.search(text):
            continue
        if f.exclude is not None and f.exclude.search(text):
            continue
        kept.append(c)
    if f.top is not None:
        kept = kept[: f.top]
    before = report.clusters_before_filters
    # Filtering a filtered report keeps the dump's own count ("3 of 25 clusters shown").
    return replace(
        report,
        clusters=tuple(kept),
        clusters_before_filters=len(report.clusters) if before is None else before,
        gone=_gone(report.gone, f),
    )


def gone_text(g: GoneCluster) -> str:
    """What --match / --exclude look at in a cluster that is gone: all the previous dump
    says of it here, its state and where it was blocked."""
    return "\n".join((g.state, g.blocked_at.func, g.blocked_at.location))


def _gone(gone: tuple[GoneCluster, ...] | None, f: Filters) -> tuple[GoneCluster, ...] | None:
    """The gone clusters that pass the filters that can judge them: none when --cluster
    picks clusters of the newer dump; --hide-healthy keeps them (their stacks are not
    kept, so whether they were background is unknown) and --top counts the newer dump's."""
    if gone is None:
        return None
    if f.ranks:
        return ()
    return tuple(
        g
        for g in gone
        if g.count >= f.min_count
        and (f.match is None or f.match.search(gone_text(g)))
        and (f.exclude is None or not f.exclude.search(gone_text(g)))
    )
