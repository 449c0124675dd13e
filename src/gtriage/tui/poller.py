"""`--watch`: a newer report every `interval` seconds, from a daemon thread, by message.

The thread is not a Textual worker for the loader's reason (app.py): a worker lives in
asyncio's default executor, which the event loop joins on exit, so `q` would wait for a
poll stuck on a silent endpoint. A daemon thread is left behind instead, and dies with
the process.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable

from textual.message import Message

from gtriage.errors import INPUT_ERRORS
from gtriage.record import dataclass
from gtriage.render.safe import inert_line
from gtriage.render.when import when_text
from gtriage.report import Report

from .messages import LoadCrashed, PollFailed, ReportPolled
from .report_query import ReportIndex

Poll = Callable[[], Report]


@dataclass(frozen=True, slots=True)
class PollInfo:
    """What the status line says about polling: when, and whether the last poll failed."""

    interval: float  # seconds between the end of one poll and the start of the next
    at: float | None = None  # the last poll, seconds since the epoch; None before the first
    shown_at: float | None = None  # the poll whose report is shown (None: the first load's)
    error: str | None = None  # the last poll's one-line error (inert); None when it worked

    def text(self) -> str:
        """"polled 07:18:13 UTC", or before the first poll "a poll every 30 s"."""
        if self.at is None:
            return f"watching: a poll every {self.interval:g} s"
        return f"polled {clock(self.at)}, every {self.interval:g} s"

    def error_text(self) -> str | None:
        """"poll at 07:18:43 UTC failed: …; showing 07:18:13 UTC's, polling goes on"."""
        if self.error is None or self.at is None:
            return None
        shown = f"the poll of {clock(self.shown_at)}" if self.shown_at is not None else "the first report"
        return f"poll at {clock(self.at)} failed: {self.error}; showing {shown}, polling goes on"


def clock(seconds: float) -> str:
    """"07:18:13 UTC": a watch runs for hours, not days; the time of day is what one reads."""
    return when_text(seconds)[11:]


class Poller:
    """Calls `poll()` every `interval` seconds, once `start_after` is set, until `stop` is.

    The interval runs from the end of one poll to the start of the next, so a slow
    endpoint never has two polls in flight. Each report comes back as ReportPolled, with
    its index built here (off the UI thread); an input error as PollFailed, and polling
    goes on; anything else is a bug, posted as LoadCrashed (re-raised after the app exits).
    """

    def __init__(
        self,
        post: Callable[[Message], object],
        poll: Poll,
        interval: float,
        *,
        stop: threading.Event,
        start_after: threading.Event,
    ) -> None:
        self._post = post
        self._poll = poll
        self._interval = interval
        self._stop = stop
        self._start_after = start_after
        self._thread = threading.Thread(target=self._run, name="gtriage-poll", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        self._start_after.wait()
        # Event.wait, not time.sleep: `q` ends the wait at once.
        while not self._stop.wait(self._interval):
            message = self._poll_once()
            if self._stop.is_set():
                return  # quit while the poll ran: nobody is left to read the message
            self._post(message)
            if isinstance(message, LoadCrashed):
                return

    def _poll_once(self) -> Message:
        try:
            report = self._poll()
            index = ReportIndex(report).prepare()
        except INPUT_ERRORS as e:
            return PollFailed(inert_line(str(e)), time.time())
        except BaseException as e:  # a bug: shown after the app exits, never swallowed
            return LoadCrashed(e)
        # As after the first load (app.py), keep the collector off the report's millions of
        # objects; collect first, so that the garbage cycles a poll leaves (the parse's)
        # are freed rather than frozen for good: memory stays flat over hours. The report
        # replaced holds no cycles, so dropping it frees it, frozen or not. The collection
        # walks only what is not frozen yet: this report and its garbage, once a poll. (The
        # widgets alive now are frozen too: the cycles of a screen closed later are kept,
        # which grows with the keys pressed, not with the hours watched.)
        gc.collect()
        gc.freeze()
        return ReportPolled(index, time.time())
