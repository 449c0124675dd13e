"""Messages that go up: from the loader thread and from widgets to their screen or app."""

from __future__ import annotations

from textual.message import Message

from gtriage.model import Goroutine
from gtriage.report import Cluster, Report

from .report_query import ReportIndex


class LoadProgress(Message):
    """Bytes read so far (posted from the loader thread, throttled)."""

    def __init__(self, done: int, total: int | None) -> None:
        super().__init__()
        self.done = done
        self.total = total


class ReportLoaded(Message):
    def __init__(self, index: ReportIndex) -> None:
        super().__init__()
        self.index = index
        self.report: Report = index.report


class ReportPolled(Message):
    """A newer report from a poll (`--watch`), to replace the one shown."""

    def __init__(self, index: ReportIndex, at: float) -> None:
        super().__init__()
        self.index = index
        self.report: Report = index.report
        self.at = at  # when it came, seconds since the epoch


class PollFailed(Message):
    """A poll raised an input error: a one-line, inert message; the shown report stays."""

    def __init__(self, message: str, at: float) -> None:
        super().__init__()
        self.message = message
        self.at = at


class LoadFailed(Message):
    """The input could not be read or holds no dump: a one-line, inert message."""

    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message


class LoadCrashed(Message):
    """The loader raised something unexpected: a bug, re-raised after the app exits."""

    def __init__(self, error: BaseException) -> None:
        super().__init__()
        self.error = error


class ClusterHighlighted(Message):
    def __init__(self, cluster: Cluster | None) -> None:
        super().__init__()
        self.cluster = cluster


class ClusterChosen(Message):
    def __init__(self, cluster: Cluster) -> None:
        super().__init__()
        self.cluster = cluster


class GoroutineHighlighted(Message):
    def __init__(self, goroutine: Goroutine | None, index: int) -> None:
        super().__init__()
        self.goroutine = goroutine
        self.index = index


class SearchChanged(Message):
    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class SearchClosed(Message):
    """The search bar was left: `kept` when with enter (the filter stays), not with escape."""

    def __init__(self, kept: bool) -> None:
        super().__init__()
        self.kept = kept


class OpenFrame(Message):
    """Open file:line in $EDITOR."""

    def __init__(self, file: str, line: int) -> None:
        super().__init__()
        self.file = file
        self.line = line
