"""What the clusters table shows: sort, quick filters and fuzzy search over a report (pure).

Clusters are few (tens to hundreds, even for 100,000 goroutines), so every query is a full
pass over them; the search text of each cluster is built once per report.
"""

from __future__ import annotations

import enum
import threading
from collections import Counter

from gtriage.filters import cluster_text
from gtriage.record import dataclass
from gtriage.report import Cluster, Report

from .styled import PathStyle

# partial_ratio: 100 when the query is inside the text; typos in longer queries still pass,
# while a query sharing only a few letters with a cluster (score ~75) does not.
FUZZY_CUTOFF = 85.0
# Shorter words than this must appear as written (fuzzy matching 1-3 letters hits everything).
FUZZY_MIN_LEN = 5


class SortKey(enum.StrEnum):
    RANK = "rank"
    COUNT = "count"
    MINUTES = "minutes"
    STATE = "state"

    def next(self) -> SortKey:
        keys = list(SortKey)
        return keys[(keys.index(self) + 1) % len(keys)]


@dataclass(frozen=True, slots=True)
class ViewQuery:
    sort: SortKey = SortKey.RANK
    search: str = ""
    hide_healthy: bool = False
    state: str | None = None  # show only clusters in this state


ClusterKey = tuple[str, str, int, str]


def cluster_key(c: Cluster) -> ClusterKey:
    """What names a cluster from one report to the next (ranks change as counts do): where
    it waits and in what state, the identity compare.py matches dumps by first."""
    return (c.blocked_at.func, c.blocked_at.file, c.blocked_at.line, c.state)


# Trend.verdict's words for a cluster first seen in the last dump of a series.
NEW_IN_LAST_DUMP = "new in the last dump"


def is_new(c: Cluster) -> bool:
    """Not in the dump before: against a previous dump, or at the end of a series."""
    return c.status == "new" or (c.trend is not None and c.trend.verdict == NEW_IN_LAST_DUMP)


def _sort_key(key: SortKey, c: Cluster) -> tuple[int | str, ...]:
    """Biggest first for numbers, A-Z for states; rank breaks ties."""
    if key is SortKey.COUNT:
        return (-c.count, c.rank)
    if key is SortKey.MINUTES:
        return (-c.minutes_max, -c.minutes_min, c.rank)
    if key is SortKey.STATE:
        return (c.state, c.rank)
    return (c.rank,)


def matches(query: str, text: str) -> bool:
    """Every word of the query is in the text, as written or (long words) nearly so."""
    for word in query.lower().split():
        if word in text:
            continue
        if len(word) < FUZZY_MIN_LEN:
            return False
        # Imported here (~11 ms), not with Textual while the dump is read; prepare() has
        # usually imported it by the first search.
        from rapidfuzz import fuzz

        if fuzz.partial_ratio(word, text, score_cutoff=FUZZY_CUTOFF) == 0:
            return False
    return True


class ReportIndex:
    """A report with what the views look up in it: search texts, states, goroutine ids."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self._texts = {c.rank: cluster_text(c).lower() for c in report.clusters}
        by_state: Counter[str] = Counter()
        for c in report.clusters:
            by_state[c.state] += c.count
        # States by how many goroutines are in them, the most common first.
        self.states: tuple[str, ...] = tuple(s for s, _ in by_state.most_common())
        self._ids: dict[int, tuple[Cluster, int]] | None = None
        self._ids_lock = threading.Lock()
        # One for both screens: `p` on either shows every pane's paths in full.
        self.paths = PathStyle(report.goroot)

    def select(self, q: ViewQuery) -> tuple[Cluster, ...]:
        out = [
            c
            for c in self.report.clusters
            if not (q.hide_healthy and c.healthy and not c.crashed)
            and (q.state is None or c.state == q.state)
            and (not q.search.strip() or matches(q.search, self._texts[c.rank]))
        ]
        out.sort(key=lambda c: _sort_key(q.sort, c))
        return tuple(out)

    def next_state(self, state: str | None) -> str | None:
        """The state after this one in `states`, then None (all states) again."""
        if not self.states:
            return None
        if state is None:
            return self.states[0]
        i = self.states.index(state) + 1 if state in self.states else len(self.states)
        return self.states[i] if i < len(self.states) else None

    def prepare(self) -> ReportIndex:
        """Build the goroutine id map and import the fuzzy matcher now (the loader thread
        calls this once the first screen is drawn, off the UI thread)."""
        import rapidfuzz.fuzz  # noqa: F401

        self._id_map()
        return self

    def find_goroutine(self, gid: int) -> tuple[Cluster, int] | None:
        """The cluster holding goroutine `gid` and its position there (in a fleet, the first
        source's that has one: sources_with shows them all)."""
        return self._id_map().get(gid)

    def sources_with(self, gid: int) -> list[str]:
        """In a fleet, the sources with a goroutine `gid` (ids repeat from process to
        process), in the fleet's order; [] for one dump. One pass over the fleet's
        goroutines, made when asked."""
        if self.report.fleet is None:
            return []
        have = {s.source for c in self.report.clusters for s in c.sources or () if gid in s.goroutine_ids}
        return [f.name for f in self.report.fleet if f.name in have]

    def _id_map(self) -> dict[int, tuple[Cluster, int]]:
        """Built once: one pass over every goroutine (~140 ms for 100,000). The loader
        thread builds it after the first screen is up, and `i` may come first: the lock
        makes the second caller wait for the map rather than see it half filled."""
        with self._ids_lock:
            if self._ids is None:
                ids: dict[int, tuple[Cluster, int]] = {}
                for c in self.report.clusters:
                    for i, g in enumerate(c.goroutines):
                        ids.setdefault(g.id, (c, i))
                    if not c.goroutines:  # debug=1 records carry ids only through goroutine_ids
                        for i, n in enumerate(c.goroutine_ids):
                            ids.setdefault(n, (c, i))
                self._ids = ids
            return self._ids
