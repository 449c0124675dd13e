"""Command line: choose the input, the output (report or TUI) and the exit code. Never parses."""

from __future__ import annotations

import os
import sys

from .collector import paused
from .contexts import suppress
from .left_at_exit import leaving_to

# As the stages' imports (_main): what these modules make lives to the end, and the
# collections their allocations set off would only go over it.
with paused():
    from .cli_args import Options, parse_args
    from .cli_output import one_line, render, render_goroutines, say, write_report
    from .errors import EXIT_INPUT, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, INPUT_ERRORS

# The stages, the report and the filters are imported where they are used: --version and
# --help load none of them (nor Lark).
TYPE_CHECKING = False  # typing's own costs every run ~4 ms to import; type checkers read this as True
if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable, Sequence

    from .filters import Filters
    from .report import Report
    from .watch import Watch


def build_parser() -> argparse.ArgumentParser:
    """The argparse parser of the command line (tests and scripts build it from here); a
    run imports argparse only for what cli_args.quick_parse leaves to it."""
    from .cli_parser import build_parser as build

    return build()


def _use_color(choice: str, stream: object) -> bool:
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and os.environ.get("TERM") != "dumb"


def main(argv: Sequence[str] | None = None) -> int:
    """Run gtriage; the exit code is 0, 1 (input or output failed), 2 (usage) or 130
    (interrupted). Whatever the environment does (closed or full streams, a reader that
    leaves, Ctrl-C), the user sees one line, never a traceback."""
    return _guarded(argv, None)


def run() -> int:
    """The gtriage command (its script, `python -m gtriage`): main(); once a report is
    printed, the process ends at once (_end_now) instead of freeing the report object by
    object. Ends normally (returns the exit code) otherwise, the TUI included."""
    left: list[object] = []
    code = _guarded(None, left)
    if left:
        _end_now(code)
    return code


def _end_now(code: int) -> None:
    """Exit with `code` once stdout and stderr are flushed, without the interpreter's
    clean-up: freeing the report of the 300k bench dump and all it holds, one object at a
    time, took ~0.15 s after the report was out. Nothing else is left to do: the report
    is written and flushed, the parse's worker processes are joined (here, when they were
    let end: forked.let_end), and gtriage's exit handlers (the records' compiled methods
    and the regexes' programs, on a first run) are called here."""
    from .record import save_compiled
    from .regex_cache import save_programs

    forked = sys.modules.get(f"{__package__}.forked")
    if forked is not None:
        forked.reap_ending()  # ended long since, the report written after their last message
    save_compiled()
    save_programs()
    for stream in (sys.stdout, sys.stderr):
        if stream is not None:
            with suppress(OSError, ValueError):
                stream.flush()
    os._exit(code)


def _guarded(argv: Sequence[str] | None, left: list[object] | None) -> int:
    try:
        return _main(argv, left)
    except KeyboardInterrupt:
        say("interrupted")
        return EXIT_INTERRUPTED
    except MemoryError:
        say("out of memory")
        return EXIT_INPUT


def _main(argv: Sequence[str] | None, left: list[object] | None) -> int:
    args = parse_args(argv)
    inputs: list[str] = list(args.inputs)
    if not inputs:
        if sys.stdin is None or sys.stdin.isatty():
            say("no input: give a file or URL, or pipe a dump into stdin (see gtriage --help)")
            return EXIT_USAGE
        inputs = ["-"]
    if inputs.count("-") > 1:
        say("'-' (stdin) can be read only once")
        return EXIT_USAGE
    if args.debug0:
        from .http_fetch import profile_url

        inputs = [profile_url(i, 0) if i.startswith(("http://", "https://")) else i for i in inputs]
    # The stages are imported with the collector paused: their modules, classes and
    # functions live to the end and are no garbage, yet their allocations set off ~15
    # collections that went over them (~1.5 ms of a small dump's run). After the block
    # they sit in the oldest generation, as if collected all along.
    with paused():
        from .filters import Filters

    filters = Filters(
        top=args.top,
        match=args.match,
        exclude=args.exclude,
        min_count=args.min_count,
        healthy=args.healthy,
        ranks=tuple(args.ranks),
    )
    if args.goroutines and args.format in ("json", "tui"):
        say(f"--goroutines prints text or markdown, not {args.format} (the JSON report lists each cluster's goroutine_ids)")
        return EXIT_USAGE
    if args.source is not None and not os.path.isdir(args.source):
        say(f"--source {one_line(args.source)}: not a directory")
        return EXIT_USAGE
    if args.watch and args.goroutines:
        say("--goroutines prints one dump's goroutines; --watch follows many")
        return EXIT_USAGE
    if args.watch and args.format in ("text", "markdown", "json"):
        return _watch(inputs, args, filters)
    if (args.format == "tui" or args.format is None) and not args.goroutines:
        keys = _keyboard()
        if isinstance(keys, str):
            if args.format == "tui":
                say(f"--format tui needs a terminal, but {keys} (use --format text)")
                return EXIT_USAGE
        else:
            return _run_tui(inputs, args, filters, keys)
    if args.watch:
        return _watch(inputs, args, filters)
    return _print_report(inputs, args, filters, left)


def _print_report(inputs: list[str], args: Options, filters: Filters, left: list[object] | None) -> int:
    """The report (or --goroutines) on stdout; `left` gets the report, for the end of the
    process to free (run)."""
    from .filters import apply_filters

    if left is None:
        report = _load(inputs, args)
    else:
        with leaving_to(left):  # the parse's state and the dump, past their use
            report = _load(inputs, args)
    if report is None:
        return EXIT_INPUT
    if left is not None:
        left.append(report)
    if not _ranks_exist(report, args.ranks):
        return EXIT_USAGE
    report = apply_filters(report, filters)
    if args.goroutines:
        if report.format in ("debug1", "pprof"):
            kind = "debug=1" if report.format == "debug1" else "binary pprof"
            say(f"{one_line(report.source)}: a {kind} profile holds no goroutines of their own "
                 "(fetch ?debug=2 for them)")
            return EXIT_INPUT
        return write_report(render_goroutines(report, args.format or "text"))
    out = render(report, args.format or "text", _use_color(args.color, sys.stdout), args.stacks)
    return write_report(out)


def _watch(inputs: list[str], args: Options, filters: Filters) -> int:
    """--watch without a terminal: a line per poll until --polls or Ctrl-C, then the report
    of the last poll that read something. Exit 1 when no poll read anything."""
    import time

    from .filters import apply_filters
    from .render.poll import poll_json, poll_line
    from .watch import Watch

    try:
        w = Watch(inputs, timeout=args.timeout, max_bytes=args.max_size, concurrency=args.concurrency)
    except INPUT_ERRORS as e:
        say(one_line(str(e)))
        return EXIT_INPUT
    line = poll_json if args.format == "json" else poll_line
    try:
        while True:
            started = time.monotonic()
            p = w.poll()
            shown = apply_filters(_with_source(p.report, args.source), filters) if p.report is not None else None
            if write_report(line(p.number, p.at, shown, p.errors) + "\n") != EXIT_OK or (args.polls and p.number >= args.polls):
                break
            time.sleep(max(0.0, args.interval - (time.monotonic() - started)))
    except KeyboardInterrupt:
        say("stopped; the last poll's report follows")
    if w.last is None:
        say("no poll read a dump")
        return EXIT_INPUT
    return write_report(render(apply_filters(_with_source(w.last, args.source), filters), args.format or "text", _use_color(args.color, sys.stdout), args.stacks))


def _ranks_exist(report: Report, ranks: list[int]) -> bool:
    """Whether every --cluster N names a cluster of this dump (ranks run 1 to the count);
    says which does not. A filter that hides a cluster is no error: its report is empty."""
    past = sorted({n for n in ranks if n > len(report.clusters)})
    if past:
        n = len(report.clusters)
        say(f"no cluster #{past[0]} in {one_line(report.source)}: it has {n} cluster{'' if n == 1 else 's'}")
        return False
    return True


def _with_source(report: Report, given: str | None) -> Report:
    """The report with each blocking line of the program read from its source tree
    (--source DIR, or the current directory when it is a Go module), when there is one."""
    from .program_source import default_tree, with_source

    tree = default_tree(given)
    return with_source(report, tree) if tree is not None else report


def _load(inputs: list[str], args: Options, while_reading: Callable[[], None] | None = None) -> Report | None:
    """The report, or None once the one-line error is said."""
    with paused():  # as in _main
        from .pipeline import analyze_inputs
        from .progress import ProgressBar

    stderr = sys.stderr
    bar = ProgressBar(" + ".join(inputs)) if stderr is not None and stderr.isatty() else None
    if bar is not None and "-" in inputs and _stdin_is_a_pipe():
        bar.hint_after(STDIN_HINT_AFTER, "reading stdin... a log that never ends (kubectl logs -f): Ctrl-C reports what came")
    try:
        try:
            return _with_source(analyze_inputs(
                inputs, timeout=args.timeout, max_bytes=args.max_size, progress=None if args.fleet else bar,
                fleet=args.fleet, concurrency=args.concurrency, jobs=_jobs(args.jobs), while_reading=while_reading,
            ), args.source)
        finally:
            if bar:
                bar.done()  # before the error line, and on Ctrl-C too
    except INPUT_ERRORS as e:
        say(one_line(str(e)))
        return None


STDIN_HINT_AFTER = 3.0  # seconds of reading stdin before saying how to end a pipe that never does


def _stdin_is_a_pipe() -> bool:
    """Whether stdin is a pipe or a socket (a file redirected in ends by itself)."""
    import stat

    try:
        mode = os.fstat(0).st_mode
    except OSError:
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)


def _jobs(asked: int | None) -> int:
    if asked is not None:
        return asked
    from .job_count import usable_cores

    return usable_cores()


def _keyboard() -> int | str | None:
    """Where the TUI will read keys: None for stdin (a terminal), the descriptor of
    /dev/tty when stdin is not one (a piped dump), or why there is no terminal for it.

    Textual draws on stderr and reads keys from descriptor 0; without terminals there it
    would draw into a file or wait forever for keys.
    """
    for name, stream in (("stdout", sys.stdout), ("stderr", sys.stderr)):
        if stream is None or not stream.isatty():
            return f"{name} is not a terminal"
    if sys.stdin is None:
        return "stdin is closed"
    if sys.stdin.isatty():
        return None
    try:
        return os.open("/dev/tty", os.O_RDONLY)
    except OSError:
        return "there is no terminal to read keys from"


def _run_tui(inputs: list[str], args: Options, filters: Filters, tty_fd: int | None) -> int:
    """Read the dump first, then hand it to the TUI: an input error is one line on the
    terminal and exit 1, before any screen is drawn (the progress bar is on stderr). With
    --watch the first poll must read something (a wrong URL is said at once); later polls
    that fail are shown in the TUI and retried."""
    watch = None
    importing: list[Callable[[], None]] = []

    def start_import() -> None:
        if not importing:
            importing.append(preload_tui())

    try:
        if args.watch:
            start_import()
            watch, report = _first_poll(inputs, args)
        else:
            # Started as the dump is read: once the worker processes run, when the file is
            # read in parallel (no thread of this process may run at a fork).
            report = _load(inputs, args, while_reading=start_import)
    except BaseException:
        _abandon_tui(tty_fd, importing)
        raise
    if report is None or not _ranks_exist(report, args.ranks):
        _abandon_tui(tty_fd, importing)
        return EXIT_INPUT if report is None else EXIT_USAGE
    from .filters import apply_filters

    report = apply_filters(report, filters)
    if tty_fd is not None:
        # The dump came from (or stdin was) a pipe; Textual reads keys from fd 0: put the
        # terminal there (replacing sys.stdin alone is not enough).
        os.dup2(tty_fd, 0)
        os.close(tty_fd)
        sys.stdin = open(0, closefd=False)  # noqa: SIM115 - the terminal, for Textual

    start_import()
    importing[0]()  # wait for the import
    from .tui.app import run_tui

    if watch is None:
        return run_tui(report, title=" + ".join(inputs))
    w = watch

    def poll() -> Report:
        return apply_filters(_with_source(w.report(), args.source), filters)

    return run_tui(report, title=" + ".join(inputs), poll=poll, interval=args.interval)


def _abandon_tui(tty_fd: int | None, importing: list[Callable[[], None]]) -> None:
    """No TUI after all (an input error): close the keyboard and wait for the import
    thread. The interpreter must not exit while a daemon thread is importing modules:
    CPython's shutdown can then crash the process (seen: exit by SIGSEGV, not 1)."""
    if tty_fd is not None:
        os.close(tty_fd)
    for wait in importing:
        wait()


def preload_tui() -> Callable[[], None]:
    """Start importing the TUI (Textual: ~0.3 s) on a thread; returns the wait for it.

    The dump is read meanwhile, before any screen is drawn (an input error stays one line
    on the terminal): with --jobs the worker processes take the chunks this process has no
    time for, so the import costs the first screen less than its own time. A failed import
    is left to the real one, which says why."""
    import threading

    def load() -> None:
        with suppress(Exception):
            import gtriage.tui.app  # noqa: F401

            # Textual imports its terminal driver only when the app is made (~10 ms of
            # the first screen): here it is imported meanwhile too.
            if sys.platform != "win32":
                import textual.drivers.linux_driver  # noqa: F401

    thread = threading.Thread(target=load, name="gtriage-tui-import", daemon=True)
    thread.start()
    return thread.join


def _first_poll(inputs: list[str], args: Options) -> tuple[Watch | None, Report | None]:
    """The watch and its first poll's report; (None, None) once the error is said."""
    from .watch import Watch

    try:
        w = Watch(inputs, timeout=args.timeout, max_bytes=args.max_size, concurrency=args.concurrency)
        return w, _with_source(w.report(), args.source)
    except INPUT_ERRORS as e:
        say(one_line(str(e)))
        return None, None


if __name__ == "__main__":
    sys.exit(run())
