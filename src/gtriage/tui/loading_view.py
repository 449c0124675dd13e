"""The first screen while the input is read: a progress bar, then the error if it failed."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import ProgressBar, Static

from .styled import plain


def _size(n: int) -> str:
    if n >= 1 << 20:
        return f"{n / (1 << 20):.1f} MiB"
    if n >= 1 << 10:
        return f"{n / (1 << 10):.0f} KiB"
    return f"{n} B"


class LoadingView(Vertical):
    def __init__(self, source: str) -> None:
        super().__init__()
        self.source = source

    def compose(self) -> ComposeResult:
        yield Static(plain(f"Reading {self.source} …"), id="loading-title")
        yield ProgressBar(total=None, show_eta=False, id="loading-bar")
        yield Static("", id="loading-bytes")

    def show_progress(self, done: int, total: int | None) -> None:
        bar = self.query_one(ProgressBar)
        if total:
            bar.update(total=total, progress=min(done, total))
        self.query_one("#loading-bytes", Static).update(
            plain(f"{_size(done)} of {_size(total)}" if total else f"{_size(done)} read")
        )

    def show_error(self, message: str) -> None:
        self.query_one(ProgressBar).display = False
        self.query_one("#loading-title", Static).update(plain(f"gtriage: {message}", "bold"))
        self.query_one("#loading-bytes", Static).update(plain("Press q to quit."))
        self.add_class("-failed")
