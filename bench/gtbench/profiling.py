"""``--profile-file FILE`` (run in a fresh process): cProfile of gtriage on FILE."""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path


def profile_main(path: str, top: int, dest: str) -> None:
    """--profile-file FILE: cProfile of the CLI (or analyze()) on FILE, top entries by cumtime."""
    import cProfile
    import pstats

    prof = cProfile.Profile()
    saved = sys.stdout
    cli_main: Callable[[Sequence[str] | None], int] | None
    try:
        from gtriage.cli import main as cli_main
    except ImportError:
        cli_main = None
    with open(os.devnull, "w") as devnull:
        sys.stdout = devnull
        try:
            prof.enable()
            if cli_main is not None:
                cli_main(["--format", "json", path])
            else:
                from gtriage.pipeline import analyze

                analyze(path)
            prof.disable()
        finally:
            sys.stdout = saved
    buf = io.StringIO()
    stats = pstats.Stats(prof, stream=buf)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    Path(dest).write_text(buf.getvalue())
