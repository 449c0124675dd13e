"""analyze(): input -> sections -> parse -> normalize -> cluster -> rank -> Report.

The only module that knows the order of the stages.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import BinaryIO

from .cluster import (
    RawCluster,
    SimilarityWork,
    assign_families,
    cluster_goroutines,
    cluster_records,
)
from .compare import match_previous
from .errors import NoDumpError
from .model import Dump, DumpFormat, Frame, Snapshot
from .normalize import Normalizer, detect_goroot
from .parse import parse_lines, parse_text
from .progress import Progress
from .rank import rank_clusters
from .report import Report
from .report_build import build_report, goroutine_total
from .source import DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT, open_lines


def analyze(
    source: str = "-",
    *,
    progress: Progress | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int | None = DEFAULT_MAX_BYTES,
) -> Report:
    """Read a dump from a path, URL or "-" (stdin) and return its ranked report.

    Raises errors.SourceError when the input cannot be read and NoDumpError when it holds
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
    jobs: int = 1,
) -> Report:
    """Read several inputs as successive dumps: the last is reported, compared with the
    one before it (`gtriage before.txt after.txt`). `jobs` > 1: a big plain file is parsed
    by that many processes (parallel.py), into the same report."""
    snapshots: list[Snapshot] = []
    lines = binary = 0
    carriers: set[str] = set()
    for spec in inputs:
        dump = _parse_in_parallel(spec, jobs, max_bytes, progress)
        if dump is None:
            with open_lines(spec, progress=progress, timeout=timeout, stdin=stdin, max_bytes=max_bytes) as (info, stream):
                dump = parse_lines(stream, info.name)
        snapshots.extend(dump.snapshots)
        lines += dump.lines
        binary += dump.binary_lines
        carriers.update(dump.carriers)
    return report_from_dump(Dump(" + ".join(inputs), tuple(snapshots), lines, binary, tuple(sorted(carriers))))


def _parse_in_parallel(spec: str, jobs: int, max_bytes: int | None, progress: Progress | None) -> Dump | None:
    if jobs < 2:
        return None
    from .parallel import parse_file

    return parse_file(spec, jobs=jobs, max_bytes=max_bytes, progress=progress)


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
    ranked = rank_clusters(raw, total=goroutine_total(snap), crash=snap.crash, previous=previous)
    return build_report(dump, snap, ranked, norm, families=families, limits=work.limits(), comparison=comparison)
