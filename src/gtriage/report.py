"""The report: the one input of every renderer (text, Markdown, JSON, TUI).

Field names follow the public JSON contract (`gtriage/1`); the JSON renderer is a plain
walk over these objects.
"""

from __future__ import annotations

from dataclasses import dataclass

from .frame_info import FrameInfo
from .model import Crash, Goroutine, Labels, ParseIssue

SCHEMA = "gtriage/1"


@dataclass(frozen=True, slots=True)
class LabelCount:
    labels: Labels
    count: int


@dataclass(frozen=True, slots=True)
class SubGroup:
    """Goroutines of a cluster with one stack shape (value-insensitive), and how many of
    them also share their argument values exactly."""

    count: int
    frames: tuple[FrameInfo, ...]
    created_by: FrameInfo | None
    exact_groups: int  # distinct argument-value sets among them
    largest_exact: int  # goroutines in the biggest of those sets
    goroutine_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Cluster:
    rank: int
    count: int
    state: str
    leaked: int
    minutes_min: int
    minutes_max: int
    locked_to_thread: int
    blocked_at: FrameInfo
    created_by: FrameInfo | None
    goroutine_ids: tuple[int, ...]
    labels: tuple[LabelCount, ...]
    frames: tuple[FrameInfo, ...]  # representative stack, top first
    why: tuple[str, ...]
    stacks: tuple[SubGroup, ...]
    score: float
    family: int | None  # clusters with near-identical stacks share a family number
    healthy: bool  # a runtime/stdlib background goroutine, not a suspect
    crashed: bool  # holds the goroutine that panicked or threw
    previous_count: int | None  # count of the matching cluster in the previous dump
    goroutines: tuple[Goroutine, ...]  # for the TUI's per-goroutine view; not in JSON
    # Against the previous dump (None when the input held none): count - previous_count
    # (the whole count for a new cluster), and "new" | "grew" | "shrank" | "steady".
    delta: int | None = None
    status: str | None = None
    # The previous dump's cluster was matched approximately (same function, moved line or
    # renamed file): what it was and why, in words; None for an exact match or none.
    matched_approximately: str | None = None


@dataclass(frozen=True, slots=True)
class GoneCluster:
    """A cluster of the previous dump that no cluster of the newer one matched."""

    count: int
    state: str
    blocked_at: FrameInfo


@dataclass(frozen=True, slots=True)
class AccessInfo:
    op: str
    address: str
    goroutine: int | None
    main_goroutine: bool
    frames: tuple[FrameInfo, ...]
    created_at: tuple[FrameInfo, ...] | None


@dataclass(frozen=True, slots=True)
class RaceInfo:
    access: AccessInfo
    previous: AccessInfo


@dataclass(frozen=True, slots=True)
class Limit:
    """A bound on work that the input reached: that part of the report was computed on
    less than all of it (every cluster is still there; what relates them may be missing).
    Bounds keep the time near-linear in the input whatever a dump holds."""

    name: str  # stable identifier, e.g. "family_clusters"
    limit: int  # the bound, in the unit the message says
    message: str  # what was left out, in words


@dataclass(frozen=True, slots=True)
class SnapshotInfo:
    """One dump of the input; the report's clusters come from the last one."""

    index: int
    format: str
    first_line: int
    last_line: int
    goroutines: int
    truncated: bool


@dataclass(frozen=True, slots=True)
class Report:
    source: str
    goroutines: int
    unparsed_lines: int
    unparsed_samples: tuple[ParseIssue, ...]
    unparsed_headers: int
    crash: Crash | None  # the model's own record: nothing to interpret in it
    races: tuple[RaceInfo, ...]
    clusters: tuple[Cluster, ...]
    format: str  # of the reported snapshot: traceback | debug1 | race
    truncated: bool
    snapshots: tuple[SnapshotInfo, ...]
    families: int
    input_lines: int
    goroot: str | None  # as the dump shows it; renderers shorten paths with it
    limits: tuple[Limit, ...] = ()  # bounds on work that this input reached
    # Clusters in the dump before apply_filters narrowed `clusters` ("3 of 25 clusters
    # shown"); None when no filter was applied. Text and Markdown say it; JSON has no field.
    clusters_before_filters: int | None = None
    # Clusters of the previous dump (gtriage before.txt after.txt) with no match in the
    # reported one, largest first; None when the input held no previous dump.
    gone: tuple[GoneCluster, ...] | None = None
    # What the dumps came inside, when not plain text: "docker json-file", "go test -json",
    # "JSON log", "one-line dump" (line prefixes are stripped, not named).
    carriers: tuple[str, ...] = ()
