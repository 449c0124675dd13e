"""The gtriage TUI: load the report in a background thread, then show its clusters.

The App is thin: it runs the loader (and, under `--watch`, the poller), swaps the loading
view for the clusters screen, hands it each newer report, and owns what touches the
terminal (quit, help, $EDITOR). Screens and widgets do the rest.
"""

from __future__ import annotations

import gc
import os
import shlex
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import App, ComposeResult, SuspendNotSupported
from textual.binding import Binding, BindingType
from textual.widgets import Header

from gtriage.errors import EXIT_INPUT, EXIT_OK, INPUT_ERRORS
from gtriage.progress import Progress
from gtriage.record import replace
from gtriage.render.safe import inert_line
from gtriage.report import Report

from .clusters_screen import ClustersScreen
from .footer import Footer
from .help_screen import HelpScreen
from .messages import LoadCrashed, LoadFailed, LoadProgress, OpenFrame, PollFailed, ReportLoaded, ReportPolled
from .poller import Poll, Poller, PollInfo
from .report_query import ReportIndex

if TYPE_CHECKING:
    from .loading_view import LoadingView

Loader = Callable[[Progress], Report]

PROGRESS_EVERY = 0.05  # seconds between progress messages: the loader may report per line
POLL_INTERVAL = 30.0  # seconds between polls under --watch, unless told


class _Cancelled(Exception):
    """Raised inside the loader (through its progress callback) once the app has quit."""


def editor_argv(editor: str, file: str, line: int) -> list[str]:
    """$EDITOR at file:line: `+N file` is understood by vi, vim, nvim, nano, emacs, micro,
    kak and helix; VS Code and Sublime take `file:line` (`code -g`)."""
    argv = shlex.split(editor)
    name = Path(argv[0]).name if argv else ""
    if name in ("code", "code-insiders", "codium"):
        return [*argv, "-g", f"{file}:{line}"]
    if name in ("subl", "zed"):
        return [*argv, f"{file}:{line}"]
    return [*argv, f"+{line}", file]


class GTriageApp(App[int]):
    CSS_PATH = "gtriage.tcss"
    TITLE = "gtriage"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", priority=True),
        # Ctrl-C quits as in less, k9s and htop. Textual's own ctrl+c only says "press
        # ctrl+q"; priority, so it quits from the search bar too (where it would copy).
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True),
        Binding("question_mark,f1", "help", "Help", key_display="?"),
    ]

    def __init__(self, load: Loader | Report, title: str, *, poll: Poll | None = None, interval: float = POLL_INTERVAL) -> None:
        super().__init__()
        self.load: Loader | Report | None = load
        # A report read before the app started (the command line reads the dump first): no
        # loading view to compose, lay out and remove before the clusters screen (~25 ms of
        # the first screen on the 100k bench dump).
        self._read_first = isinstance(load, Report)
        self.poll = poll
        self.poll_info = PollInfo(interval) if poll is not None else None
        self._clusters: ClustersScreen | None = None
        self.source = title
        self.title = f"gtriage · {inert_line('stdin' if title == '-' else title)}"
        self.report: Report | None = None
        self.load_error: str | None = None
        self.crash: BaseException | None = None
        self._quit = threading.Event()
        self._first_screen = threading.Event()  # the clusters screen has been drawn once
        self._last_progress = 0.0

    def compose(self) -> ComposeResult:
        if self._read_first:
            return  # the clusters screen goes over this one as soon as the app is mounted
        # Imported here: the command line never shows it (nor Textual's ProgressBar).
        from .loading_view import LoadingView

        yield Header()
        yield LoadingView(self.source)
        yield Footer()

    def on_mount(self) -> None:
        # A daemon thread, not a Textual worker: a worker thread lives in asyncio's default
        # executor, which the event loop joins on exit, so `q` would hang until a stalled
        # pipe or URL gave up. The loader's outcome comes back as a message.
        threading.Thread(target=self._load, name="gtriage-load", daemon=True).start()

    def _load(self) -> None:
        # The loader is used once; a closure over the first report (the command line's)
        # must not keep that report alive after a poll has replaced it.
        load, self.load = self.load, None
        if load is None:
            return
        try:
            report = load if isinstance(load, Report) else load(self._progress)
            # The report is read-only from here on; with 100,000 goroutines a full collection
            # walks millions of objects (~0.3 s pauses between keys, and one during the
            # first screen's allocations): keep the GC off them, before anything else.
            gc.freeze()
            index = ReportIndex(report)
        except _Cancelled:
            return
        except INPUT_ERRORS as e:
            self.post_message(LoadFailed(inert_line(str(e))))
        except BaseException as e:  # a bug: shown after the app exits, never swallowed
            self.post_message(LoadCrashed(e))
        else:
            self.post_message(ReportLoaded(index))
            # The goroutine id map (for `i`) is one pass over every goroutine: build it
            # once the top clusters are on screen, not before them.
            self._first_screen.wait()
            index.prepare()

    def _progress(self, done: int, total: int | None) -> None:
        if self._quit.is_set():
            raise _Cancelled
        now = time.monotonic()
        if now - self._last_progress >= PROGRESS_EVERY:
            self._last_progress = now
            self.post_message(LoadProgress(done, total))

    def _loading_view(self) -> LoadingView:
        from .loading_view import LoadingView

        return self.query_one(LoadingView)

    @on(LoadProgress)
    def _on_progress(self, msg: LoadProgress) -> None:
        if self.report is None and self.load_error is None:
            self._loading_view().show_progress(msg.done, msg.total)

    @on(ReportLoaded)
    def _on_loaded(self, msg: ReportLoaded) -> None:
        self.report = msg.report
        # The indeterminate bar animates at the frame rate even when covered: remove it.
        if not self._read_first:
            self._loading_view().remove()
        self._clusters = ClustersScreen(msg.index, self.poll_info)
        self.push_screen(self._clusters)
        self.call_after_refresh(self._first_screen.set)
        if self.poll is not None and self.poll_info is not None:
            # The first poll comes an interval after the first screen, as the next ones do.
            poller = Poller(self.post_message, self.poll, self.poll_info.interval, stop=self._quit, start_after=self._first_screen)
            poller.start()

    @on(ReportPolled)
    def _on_polled(self, msg: ReportPolled) -> None:
        if self._clusters is None or self.poll_info is None:
            return
        self.poll_info = replace(self.poll_info, at=msg.at, shown_at=msg.at, error=None)
        self.report = msg.report
        self._clusters.replace_index(msg.index, self.poll_info)

    @on(PollFailed)
    def _on_poll_failed(self, msg: PollFailed) -> None:
        if self._clusters is None or self.poll_info is None:
            return
        self.poll_info = replace(self.poll_info, at=msg.at, error=msg.message)
        self._clusters.show_poll(self.poll_info)

    @on(LoadFailed)
    def _on_failed(self, msg: LoadFailed) -> None:
        self.load_error = msg.message
        self._loading_view().show_error(msg.message)

    @on(LoadCrashed)
    def _on_crashed(self, msg: LoadCrashed) -> None:
        self.crash = msg.error
        self.exit(EXIT_INPUT, return_code=EXIT_INPUT)

    @on(OpenFrame)
    def _on_open_frame(self, msg: OpenFrame) -> None:
        if not Path(msg.file).is_file():
            self.notify(f"{inert_line(msg.file)} is not on this machine.", severity="warning", markup=False)
            return
        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
        self.run_editor(editor_argv(editor, msg.file, msg.line))

    def run_editor(self, argv: list[str]) -> None:
        try:
            with self.suspend():
                subprocess.run(argv, check=False)
        except SuspendNotSupported:
            self.notify("This terminal cannot hand over to an editor.", severity="warning")
        except OSError as e:
            self.notify(f"Could not run {inert_line(argv[0])}: {inert_line(str(e))}", severity="error", markup=False)
        self.refresh()

    async def action_quit(self) -> None:
        self._quit.set()
        self._first_screen.set()  # lets the loader thread end
        code = EXIT_INPUT if self.load_error is not None else EXIT_OK
        self.exit(code, return_code=code)

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())


def run_tui(load: Loader | Report, title: str, poll: Poll | None = None, interval: float = POLL_INTERVAL) -> int:
    """Run the app; `load(progress)` parses the input in a background thread and returns the
    Report (or `load` is the Report, read already: no loading view then). Returns the exit code: 0, or 1 when the input could not be read or held no
    dump (the one-line message is shown in the app and printed again on exit).

    With `poll` (`--watch`), once the first report is shown, `poll()` is called every
    `interval` seconds on a daemon thread and each report it returns replaces the shown
    one in place; a poll that raises an input error is shown on the status line and
    polling goes on. `q` and Ctrl-C quit at once, even while a poll hangs."""
    app = GTriageApp(load, title, poll=poll, interval=interval)
    result = app.run()
    if app.crash is not None:
        raise app.crash
    if app.load_error is not None:
        sys.stderr.write(f"gtriage: {app.load_error}\n")
        return EXIT_INPUT
    return result if result is not None else app.return_code or EXIT_OK
