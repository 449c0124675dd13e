"""debug=1 sections: the profile's total line and its records ("37 @ 0x.. 0x.." over
"#\t0x..\tfunc+0x..\tfile:line" frames), each frame and label line parsed once per input."""

from __future__ import annotations

from .enums import Enum
from .fast_path import ShapeMemo
from .lalr import ParseError
from .model import HEX_PLACEHOLDER, Frame, Labels, Record
from .section import Section
from .shapes import HEX_SPLIT, MEMO_ENTRIES, is_number
from .snapshot_builder import SnapshotBuilder
from .transform import grammar_parse


def read_profile(sec: Section, snap: SnapshotBuilder) -> None:
    try:
        snap.profile_total = grammar_parse(sec.lines[0] + "\n", "profile")
    except ParseError:
        snap.issue(sec.line, sec.lines[0], "profile header not understood")


def read_record(sec: Section, snap: SnapshotBuilder, memo: ShapeMemo) -> None:
    """A debug=1 record, a line at a time (the grammar's record_head, record_frame and
    record_labels rules): the same frame lines recur in many records."""
    count = _record_count(sec.lines[0], memo)
    if count is None:
        for i, line in enumerate(sec.lines):
            snap.issue(sec.line + i, line, "debug=1 record not understood")
        return
    labels: Labels = ()
    frames: list[Frame] = []
    for i, line in enumerate(sec.lines[1:], 1):
        item = _record_line(line, memo)
        if item is _REJECTED:
            snap.issue(sec.line + i, line, "debug=1 record line not understood")
        elif isinstance(item, Frame):
            frames.append(item)
        elif isinstance(item, tuple):
            labels = item
    snap.records.append(Record(count, tuple(frames), labels, snap.at(sec.line)))


def _record_count(head: str, memo: ShapeMemo) -> int | None:
    at = head.find(" @")
    pcs = head[at:]
    if memo.enabled:
        # Heads with as many PCs read alike once the PCs are masked: one parse each.
        pcs = HEX_PLACEHOLDER.join(HEX_SPLIT.split(pcs)[0::2])
        if pcs in memo.record_heads and is_number(head[:at]):
            return int(head[:at])
    try:
        count: int = grammar_parse(head[:at] + pcs + "\n", "record_head")
    except ParseError:
        return None
    if len(memo.record_heads) < MEMO_ENTRIES:
        memo.record_heads.add(pcs)
    return count


class _Rejected(Enum):
    LINE = "a line the grammar rejects"


_REJECTED = _Rejected.LINE


def _record_line(line: str, memo: ShapeMemo) -> Frame | Labels | _Rejected | None:
    """A frame, the labels, None (a frame line the grammar reads but keeps nothing of), or
    _REJECTED."""
    if memo.enabled and line in memo.record_lines:
        return memo.record_lines[line]
    start = "record_labels" if line.startswith("# labels:") else "record_frame"
    try:
        item = grammar_parse(line + "\n", start)
    except ParseError:
        return _REJECTED
    if isinstance(item, Frame):
        item = memo.frame(item)
    if len(memo.record_lines) < MEMO_ENTRIES:
        memo.record_lines[line] = item
    parsed: Frame | Labels | None = item
    return parsed
