"""What the command writes: the report rendered in the chosen format, written to stdout
(a reader that leaves is no error), and one-line messages on stderr."""

from __future__ import annotations

import io
import os
import sys

from .contexts import suppress
from .errors import EXIT_INPUT, EXIT_OK

TYPE_CHECKING = False  # typing's own costs every run ~4 ms to import; type checkers read this as True
if TYPE_CHECKING:
    from .report import Report


def write_report(out: str) -> int:
    stdout = sys.stdout
    if stdout is None:
        say("cannot write the report: stdout is closed")
        return EXIT_INPUT
    if isinstance(stdout, io.TextIOWrapper):
        # A terminal or pipe in a non-UTF-8 locale: spell what it cannot take as \xNN.
        with suppress(ValueError, OSError):
            stdout.reconfigure(errors="backslashreplace")
    try:
        stdout.write(out)
        stdout.flush()
    except BrokenPipeError:
        # `gtriage dump | head`: the reader left; not an error. What is still buffered
        # goes to /dev/null, or Python's flush at exit would complain (the documented
        # recipe for SIGPIPE).
        stdout_to_devnull()
        return EXIT_OK
    except OSError as e:
        stdout_to_devnull()
        say(f"cannot write the report: {e.strerror or e}")
        return EXIT_INPUT
    return EXIT_OK


def stdout_to_devnull() -> None:
    with suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def say(message: str) -> None:
    """One line on stderr. When stderr itself is closed or broken there is no one to tell."""
    stderr = sys.stderr
    if stderr is None:
        return
    with suppress(OSError, ValueError):
        stderr.write(f"gtriage: {message}\n")
        stderr.flush()


def render(report: Report, fmt: str, color: bool, stacks: bool) -> str:
    from .collector import paused

    # As the stages are imported (cli._main): rendering makes no cycles, yet its module's
    # import (compiled, on a first run) and its allocations set off collections that went
    # over the whole report.
    with paused():
        return _render(report, fmt, color, stacks)


def _render(report: Report, fmt: str, color: bool, stacks: bool) -> str:
    if fmt == "json":
        from .render.json import render_json

        return render_json(report)
    if fmt == "markdown":
        from .render.markdown import render_markdown

        return render_markdown(report)
    from .render.text import render_text

    return render_text(report, color=color, stacks=stacks)


def render_goroutines(report: Report, fmt: str) -> str:
    from .collector import paused

    with paused():  # as render
        from .render.goroutines import render_goroutines_markdown, render_goroutines_text

        return render_goroutines_markdown(report) if fmt == "markdown" else render_goroutines_text(report)


def one_line(text: str) -> str:
    from .render.safe import inert_line

    return inert_line(text)
