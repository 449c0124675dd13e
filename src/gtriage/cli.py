"""Command line: choose the input, the output (report or TUI) and the exit code. Never parses."""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Callable, Sequence
from typing import BinaryIO

from . import __version__
from .pipeline import Filters, NoDumpError, analyze_inputs, apply_filters
from .report import Report
from .source import DEFAULT_TIMEOUT, SourceError

EXIT_OK, EXIT_INPUT, EXIT_USAGE = 0, 1, 2

# (bytes read so far, total bytes when known)
LoadProgress = Callable[[int, int | None], None]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        # One line and exit code 2, as argparse does, but without the usage block.
        self.exit(EXIT_USAGE, f"gtriage: {message} (see gtriage --help)\n")


def _regex(text: str) -> re.Pattern[str]:
    try:
        return re.compile(text)
    except re.error as e:
        raise argparse.ArgumentTypeError(f"bad regular expression {text!r}: {e}") from e


def _positive(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more: {text!r}")
    return n


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="gtriage",
        description="Cluster and rank the goroutines of a Go dump (debug=2, debug=1, SIGQUIT, "
        "panic, fatal error, race report). With no --format it opens the TUI on a terminal "
        "and prints a text report otherwise.",
    )
    p.add_argument(
        "inputs",
        nargs="*",
        metavar="INPUT",
        help="a file (plain or .gz), '-' for stdin, or an http(s):// URL such as "
        "http://host:6060/debug/pprof/goroutine?debug=2. Several inputs are read as "
        "successive dumps: the last is reported, compared with the one before. "
        "Default: stdin when it is not a terminal.",
    )
    p.add_argument("--format", "-f", choices=("text", "markdown", "json", "tui"), help="output format")
    p.add_argument("--top", "-n", type=_positive, metavar="N", help="show the N highest-ranked clusters")
    p.add_argument("--match", "-m", type=_regex, metavar="REGEX", help="only clusters whose state, functions, files, creator or labels match")
    p.add_argument("--exclude", "-x", type=_regex, metavar="REGEX", help="leave out clusters that match")
    p.add_argument("--min-count", type=_positive, default=1, metavar="N", help="only clusters of at least N goroutines")
    hv = p.add_mutually_exclusive_group()
    hv.add_argument("--hide-healthy", dest="healthy", action="store_false", default=True,
                    help="hide runtime/stdlib background clusters (GC workers, signal handling, listeners)")
    hv.add_argument("--show-healthy", dest="healthy", action="store_true", help="show them (default)")
    p.add_argument("--color", choices=("auto", "always", "never"), default="auto", help="color text output (NO_COLOR is honoured)")
    p.add_argument("--no-stacks", dest="stacks", action="store_false", help="text format: no representative stacks")
    p.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="SECONDS", help="network timeout for URLs")
    p.add_argument("--version", action="version", version=f"gtriage {__version__}")
    return p


def _use_color(choice: str, stream: object) -> bool:
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and os.environ.get("TERM") != "dumb"


class _Progress:
    """A one-line progress bar on stderr, for big inputs on a terminal only."""

    MIN_BYTES = 8 << 20

    def __init__(self, name: str, total: int | None) -> None:
        self.name = name
        self.total = total
        self.shown = False
        self.last = -1

    def __call__(self, done: int) -> None:
        if done < self.MIN_BYTES:
            return
        mb = done >> 20
        if mb == self.last:
            return
        self.last = mb
        if self.total:
            pct = min(100, 100 * done // self.total)
            bar = "#" * (pct // 4) + "-" * (25 - pct // 4)
            msg = f"\rgtriage: reading [{bar}] {pct:3d}% {mb} MiB"
        else:
            msg = f"\rgtriage: reading {mb} MiB"
        sys.stderr.write(msg)
        sys.stderr.flush()
        self.shown = True

    def done(self) -> None:
        if self.shown:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()


def _want_tui(fmt: str | None) -> bool:
    if fmt == "tui":
        return True
    if fmt is not None:
        return False
    return sys.stdout.isatty() and _tty_available()


def _tty_available() -> bool:
    try:
        fd = os.open("/dev/tty", os.O_RDWR)
    except OSError:
        return False
    os.close(fd)
    return True


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    inputs: list[str] = list(args.inputs)
    if not inputs:
        if sys.stdin is None or sys.stdin.isatty():
            sys.stderr.write("gtriage: no input: give a file or URL, or pipe a dump into stdin (see gtriage --help)\n")
            return EXIT_USAGE
        inputs = ["-"]
    if inputs.count("-") > 1:
        sys.stderr.write("gtriage: '-' (stdin) can be read only once\n")
        return EXIT_USAGE
    filters = Filters(
        top=args.top, match=args.match, exclude=args.exclude, min_count=args.min_count, healthy=args.healthy
    )
    if _want_tui(args.format):
        return _run_tui(inputs, args.timeout, filters)

    bar = _Progress(" + ".join(inputs), None) if sys.stderr.isatty() else None
    try:
        report = analyze_inputs(inputs, timeout=args.timeout, progress=bar)
    except (SourceError, NoDumpError) as e:
        if bar:
            bar.done()
        sys.stderr.write(f"gtriage: {_one_line(str(e))}\n")
        return EXIT_INPUT
    except KeyboardInterrupt:
        return 130
    if bar:
        bar.done()
    report = apply_filters(report, filters)
    out = _render(report, args.format or "text", _use_color(args.color, sys.stdout), args.stacks)
    try:
        sys.stdout.write(out)
        sys.stdout.flush()
    except BrokenPipeError:
        # `gtriage dump | head`: the reader left; not an error.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    return EXIT_OK


def _render(report: Report, fmt: str, color: bool, stacks: bool) -> str:
    if fmt == "json":
        from .render.json import render_json

        return render_json(report)
    if fmt == "markdown":
        from .render.markdown import render_markdown

        return render_markdown(report)
    from .render.text import render_text

    return render_text(report, color=color, stacks=stacks)


def _one_line(text: str) -> str:
    from .render.safe import inert_line

    return inert_line(text)


def _run_tui(inputs: list[str], timeout: float, filters: Filters) -> int:
    """Hand the dump to the TUI; a piped stdin stays the dump, the keyboard is /dev/tty."""
    stdin: BinaryIO | None = None
    if "-" in inputs and not sys.stdin.isatty():
        # Textual reads keys from fd 0: keep the pipe on another descriptor and put the
        # terminal on fd 0 (replacing sys.stdin alone is not enough).
        pipe_fd = os.dup(0)
        try:
            tty_fd = os.open("/dev/tty", os.O_RDONLY)
        except OSError:
            os.close(pipe_fd)
            sys.stderr.write("gtriage: no terminal for the TUI; use --format text\n")
            return EXIT_USAGE
        os.dup2(tty_fd, 0)
        os.close(tty_fd)
        stdin = os.fdopen(pipe_fd, "rb")
        sys.stdin = open(0, closefd=False)  # noqa: SIM115 - the terminal, for Textual

    def load(progress: LoadProgress) -> Report:
        report = analyze_inputs(inputs, timeout=timeout, stdin=stdin, progress=lambda n: progress(n, None))
        return apply_filters(report, filters)

    from .tui.app import run_tui

    return run_tui(load, title=" + ".join(inputs))


if __name__ == "__main__":
    sys.exit(main())
