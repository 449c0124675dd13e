"""analyze(): input -> sections -> parse -> normalize -> cluster -> rank -> Report.

The only module that knows the order of the stages.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import BinaryIO

from .cluster import (
    PreviousMatch,
    RawCluster,
    SimilarityWork,
    assign_families,
    cluster_goroutines,
    cluster_records,
    exact_groups,
    match_previous,
)
from .model import Access, Dump, DumpFormat, Frame, Snapshot
from .normalize import FrameInfo, Normalizer, detect_goroot
from .parse import parse_lines, parse_text
from .rank import Ranked, change, rank_clusters
from .report import (
    AccessInfo,
    Cluster,
    GoneCluster,
    LabelCount,
    RaceInfo,
    Report,
    SnapshotInfo,
    SubGroup,
)
from .source import DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT, Progress, open_lines

UNPARSED_SAMPLES = 20


class NoDumpError(Exception):
    """The input holds no goroutine dump."""


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
    return re.compile(pattern, 0 if has_capital(pattern) else re.IGNORECASE)


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
    try:
        return unicodedata.lookup(name)
    except KeyError:
        return ""  # re.compile will say the name is unknown


def analyze(
    source: str = "-",
    *,
    progress: Progress | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int | None = DEFAULT_MAX_BYTES,
) -> Report:
    """Read a dump from a path, URL or "-" (stdin) and return its ranked report.

    Raises source.SourceError when the input cannot be read and NoDumpError when it holds
    no dump. `timeout` bounds the whole fetch of a URL; `max_bytes` what is read (and what
    gzip decompresses to).
    """
    return analyze_inputs([source], progress=progress, timeout=timeout, max_bytes=max_bytes)


def analyze_inputs(
    inputs: Sequence[str],
    *,
    progress: Progress | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    stdin: BinaryIO | None = None,
    max_bytes: int | None = DEFAULT_MAX_BYTES,
) -> Report:
    """Read several inputs as successive dumps: the last is reported, compared with the
    one before it (`gtriage before.txt after.txt`)."""
    snapshots: list[Snapshot] = []
    lines = binary = 0
    carriers: set[str] = set()
    for spec in inputs:
        with open_lines(spec, progress=progress, timeout=timeout, stdin=stdin, max_bytes=max_bytes) as (info, stream):
            dump = parse_lines(stream, info.name)
        snapshots.extend(dump.snapshots)
        lines += dump.lines
        binary += dump.binary_lines
        carriers.update(dump.carriers)
    return report_from_dump(Dump(" + ".join(inputs), tuple(snapshots), lines, binary, tuple(sorted(carriers))))


def analyze_text(text: str, source: str = "-") -> Report:
    """The report of a dump held in a string (tests, notebooks)."""
    return report_from_dump(parse_text(text, source))


def no_dump_message(dump: Dump) -> str:
    if dump.binary_lines and dump.binary_lines * 4 >= dump.lines:
        return (
            f"{dump.source}: no goroutine dump found: the input is binary (a pprof protobuf "
            "profile? fetch /debug/pprof/goroutine?debug=2 for the text)"
        )
    return f"{dump.source}: no goroutine dump found"


def _primary(dump: Dump) -> Snapshot | None:
    """The dump the report is about: the last one that holds goroutines or records."""
    for snap in reversed(dump.snapshots):
        if snap.goroutines or snap.records or snap.profile_total is not None or snap.races_seen:
            return snap
    return dump.snapshots[-1] if dump.snapshots else None


def _raw_clusters(snap: Snapshot, norm: Normalizer) -> list[RawCluster]:
    if snap.format is DumpFormat.DEBUG1:
        return cluster_records(snap.records, norm)
    return cluster_goroutines(snap.goroutines, norm)


def _normalizer(snaps: Iterable[Snapshot]) -> Normalizer:
    def frames() -> Iterator[Frame]:
        for s in snaps:
            for g in s.goroutines:
                yield from g.stack.frames
            for r in s.records:
                yield from r.frames
    return Normalizer(detect_goroot(frames()))


def report_from_dump(dump: Dump) -> Report:
    snap = _primary(dump)
    if snap is None or (
        # A crash's first lines alone ("panic: ..." in a log, a README) are no dump.
        not snap.goroutines and not snap.records and not snap.races_seen
        and snap.profile_total is None and not snap.headers_seen
    ):
        raise NoDumpError(no_dump_message(dump))
    idx = next(i for i, s in enumerate(dump.snapshots) if s is snap)  # equal copies may exist
    earlier = [s for s in dump.snapshots[:idx] if s.goroutines or s.records]
    # GOROOT as the reported dump shows it: an earlier dump may come from another machine or
    # Go release (/usr/local/go and a -trimpath build), and its GOROOT would make this one's
    # runtime frames look like the program's own code. Without an earlier dump, any
    # snapshot of the input may say.
    norm = _normalizer([snap])
    if norm.goroot is None and not earlier:
        norm = _normalizer(dump.snapshots)
    raw = _raw_clusters(snap, norm)
    work = SimilarityWork()
    families = assign_families(raw, work)
    comparison = None
    if earlier:
        # The earlier dump with its own GOROOT too.
        prev_norm = _normalizer(earlier[-1:])
        comparison = match_previous(raw, _raw_clusters(earlier[-1], prev_norm), work)
    previous = comparison.matches if comparison is not None else None
    if snap.format is DumpFormat.DEBUG1:
        total = snap.profile_total if snap.profile_total is not None else sum(r.count for r in snap.records)
    else:
        total = len({g.id for g in snap.goroutines if g.id > 0})
    ranked = rank_clusters(raw, total=total, crash=snap.crash, previous=previous)
    clusters = tuple(_cluster(i, r, previous) for i, r in enumerate(ranked, 1))
    all_races = [r for s in dump.snapshots for r in s.races]
    unparsed = sum(s.unparsed_lines for s in dump.snapshots)
    samples = tuple(i for s in dump.snapshots for i in s.issues)[:UNPARSED_SAMPLES]
    return Report(
        source=dump.source,
        goroutines=total,
        unparsed_lines=unparsed,
        unparsed_samples=samples,
        unparsed_headers=sum(s.unparsed_headers for s in dump.snapshots),
        crash=snap.crash,
        races=tuple(RaceInfo(_access(r.access, norm), _access(r.previous, norm)) for r in all_races),
        clusters=clusters,
        format=snap.format.value,
        truncated=snap.truncated,
        snapshots=tuple(
            SnapshotInfo(
                i,
                s.format.value,
                s.first_line,
                s.last_line,
                s.profile_total if s.profile_total is not None else len({g.id for g in s.goroutines if g.id > 0}),
                s.truncated,
            )
            for i, s in enumerate(dump.snapshots)
        ),
        families=families,
        input_lines=dump.lines,
        goroot=norm.goroot,
        limits=work.limits(),
        carriers=dump.carriers,
        gone=tuple(
            GoneCluster(g.count, g.state, g.blocked_at) for g in comparison.gone
        ) if comparison is not None else None,
    )


def _cluster(rank: int, r: Ranked, previous: dict[int, PreviousMatch] | None) -> Cluster:
    c = r.cluster
    match = previous.get(id(c)) if previous is not None else None
    status, delta = change(c.count, match.count if match is not None else None) if previous is not None else (None, None)
    st = c.stats()
    rep = c.representative
    stacks = []
    for grp in sorted(c.groups, key=lambda g: -g.count):
        exact = exact_groups(grp) if grp.goroutines else None
        stacks.append(
            SubGroup(
                count=grp.count,
                frames=grp.frames,
                created_by=grp.created_by,
                exact_groups=len(exact) if exact else 1,
                largest_exact=max(exact.values()) if exact else grp.count,
                goroutine_ids=tuple(sorted(g.id for g in grp.goroutines)),
            )
        )
    return Cluster(
        rank=rank,
        count=c.count,
        state=c.state,
        leaked=st.leaked,
        minutes_min=st.minutes_min,
        minutes_max=st.minutes_max,
        locked_to_thread=st.locked,
        blocked_at=c.blocked_at,
        created_by=_main_creator(c),
        goroutine_ids=st.ids,
        labels=tuple(LabelCount(lbl, n) for lbl, n in sorted(c.labels.items(), key=lambda kv: (-kv[1], kv[0]))),
        frames=rep.frames,
        why=tuple(r.why),
        stacks=tuple(stacks),
        score=r.score,
        family=c.family,
        healthy=r.healthy,
        crashed=r.crashed,
        previous_count=match.count if match is not None else None,
        goroutines=st.goroutines,
        delta=delta,
        status=status,
        matched_approximately=match.approximate if match is not None else None,
    )


def _main_creator(c: RawCluster) -> FrameInfo | None:
    counts: dict[FrameInfo, int] = {}
    for grp in c.groups:
        if grp.created_by is not None:
            counts[grp.created_by] = counts.get(grp.created_by, 0) + grp.count
    if not counts:
        return None
    return max(counts.items(), key=lambda kv: kv[1])[0]


def _access(a: Access, norm: Normalizer) -> AccessInfo:
    return AccessInfo(
        op=a.op,
        address=a.address,
        goroutine=a.goroutine,
        main_goroutine=a.main_goroutine,
        frames=tuple(norm.info(f) for f in a.frames),
        created_at=tuple(norm.info(f) for f in a.created_at) if a.created_at is not None else None,
    )


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
    return replace(report, clusters=tuple(kept), clusters_before_filters=len(report.clusters) if before is None else before)
