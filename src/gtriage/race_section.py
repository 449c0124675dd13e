"""A race detector report ("WARNING: DATA RACE" to its closing fence)."""

from __future__ import annotations

from .lalr import ParseError, UnexpectedInput
from .model import Race
from .section import Section
from .snapshot_builder import SnapshotBuilder
from .transform import grammar_parse

MAX_RACE_REPAIRS = 8  # lines dropped from a damaged race report before it is given up


def read_race(sec: Section, snap: SnapshotBuilder) -> None:
    """A race report; a damaged one is read without the lines the grammar stops at (a log
    line inside it, a flipped byte), each counted, a few times at most."""
    snap.races_seen += 1
    kept = list(range(len(sec.lines)))
    dropped: list[int] = []
    for _ in range(MAX_RACE_REPAIRS):
        try:
            access, previous = grammar_parse("".join(sec.lines[i] + "\n" for i in kept), "race")
        except UnexpectedInput as e:
            at = max(getattr(e, "line", 0) or 0, 1) - 1  # the line the grammar stopped at
            if at >= len(kept) or at == 0:
                break  # the report's end or its first line is missing: nothing to drop
            if dropped and dropped[-1] == kept[at] + 1:
                at -= 1  # dropping the next line did not help: the line before is the odd one
            dropped.append(kept.pop(at))
            continue
        except ParseError:
            break
        for i in sorted(dropped):
            snap.issue(sec.line + i, sec.lines[i], "race report line not understood")
        snap.races.append(Race(access, previous, snap.at(sec.line)))
        return
    for i, line in enumerate(sec.lines):
        snap.issue(sec.line + i, line, "race report line not understood")
