"""The command line's options for argparse, and the help text (examples, exit codes, the
TUI's keys): what `gtriage --help` says. Building the parser imports no stage. The value
types, and the reading of the common command lines without argparse, are cli_args.py's."""

from __future__ import annotations

import argparse
import os
import sys

from . import __version__
from .cli_args import COLORS, FORMATS, interval, positive, regex, seconds, size
from .errors import EXIT_USAGE, size_text
from .source import DEFAULT_CONCURRENCY, DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT


class _ArgumentParser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        # One line and exit code 2, as argparse does, but without the usage block.
        self.exit(EXIT_USAGE, f"gtriage: {message} (see gtriage --help)\n")

    def format_help(self) -> str:
        # The keys of the TUI are laid out only when help is shown (~10 ms at start-up).
        if self.epilog is None:
            self.epilog = EXAMPLES + "\n" + EXIT_CODES + "\nkeys of the TUI:\n" + _tui_keys()
        return super().format_help()


# The README's usage lines, and the commands this parser adds: a test keeps them in step.
EXAMPLES = """\
examples:
  curl -s host:6060/debug/pprof/goroutine?debug=2 | gtriage   # TUI on a terminal, even from a pipe
  gtriage dump.txt                                             # a file (plain or .gz)
  gtriage http://host:6060/debug/pprof/goroutine?debug=2       # fetch it yourself
  gtriage goroutine.pb.gz                                      # pprof's binary profile (debug=0)
  gtriage --debug0 http://host:6060/debug/pprof/goroutine      # fetch that profile (counts only, no states)
  gtriage dump.txt --format markdown > ticket.md               # for the incident ticket
  gtriage dump.txt --format json | jq '.clusters[0]'           # for scripts
  gtriage before.txt after.txt                                 # report on after.txt, compared with before.txt
  gtriage dumps/ --format markdown                             # a series: each cluster's trend and verdict
  gtriage --fleet pod-a.txt pod-b.txt pod-c.txt                # several pods at one time: merged, with shares
  kubectl logs -l app=web --prefix | gtriage                   # pods that each dumped into one log: a fleet too
  kubectl logs -f -l app=web --prefix | gtriage                # a log that never ends: Ctrl-C ends it, what came is reported
  gtriage --watch http://host:6060/debug/pprof/goroutine?debug=2 --interval 30s   # follow it live
  gtriage --watch @pods.txt --format json > watch.jsonl        # a fleet watched over time, one JSON line a poll
  gtriage dump.txt --top 5 --match 'chan|select' --hide-healthy
  gtriage dump.txt --cluster 3 --goroutines | less             # every goroutine of cluster #3, as dumped
"""

EXIT_CODES = """\
exit codes:
  0    report printed (also when the reader of a pipe leaves early: gtriage dump.txt | head)
  1    input unreadable, no dump found, or the report could not be written
  2    usage error (also --format tui without a terminal, --cluster N past the last
       cluster, --goroutines with --format json)
  130  interrupted (Ctrl-C)
"""


def _tui_keys() -> str:
    # tui.keys is plain data: listing the keys imports no Textual.
    from .tui.keys import keys_text

    return "\n".join(("  " + line).rstrip() for line in keys_text(78).splitlines())


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """argparse's own formatter asks shutil for the terminal's width, and argparse makes one
    for every add_argument: shutil (with bz2 and lzma) cost ~4 ms of every start. The
    width comes from os here, as shutil would find it."""

    def __init__(self, prog: str) -> None:
        super().__init__(prog, width=_columns() - 2)


def _columns() -> int:
    try:
        columns = int(os.environ.get("COLUMNS", ""))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno() if sys.__stdout__ else 1).columns
        except (OSError, ValueError, AttributeError):
            columns = 80
    return columns or 80


def build_parser() -> argparse.ArgumentParser:
    p = _ArgumentParser(
        prog="gtriage",
        description="Cluster and rank the goroutines of a Go dump (debug=2, debug=1, SIGQUIT,\n"
        "panic, fatal error, race report, pprof's binary profile). With no --format\n"
        "it opens the TUI on a terminal and prints a text report otherwise.",
        # The examples and exit codes are laid out by hand; option help is still wrapped.
        formatter_class=_Formatter,
    )
    p.add_argument(
        "inputs",
        nargs="*",
        metavar="INPUT",
        help="a file (plain or .gz), '-' for stdin, an http(s):// URL such as "
        "http://host:6060/debug/pprof/goroutine?debug=2, a directory or a .zip/.tar.gz of dumps, "
        "or @FILE listing inputs one a line. Several dumps are a series of one process, put in "
        "the order they were taken: the last is reported, compared with the one before, and with "
        "three or more each cluster gets its trend. With --fleet they are several processes at one "
        "time. Default: stdin when it is not a terminal.",
    )
    p.add_argument("--fleet", action="store_true",
                   help="the inputs are dumps of several processes (pods) taken at one time: merge "
                   "their clusters, with each source's share (default: a series of one process)")
    p.add_argument("--watch", action="store_true",
                   help="poll the inputs (usually URLs) every --interval and follow each cluster over time: "
                   "the TUI updates in place; without a terminal one line per poll (JSON lines with "
                   "--format json), and Ctrl-C ends with the full report. Several inputs are a fleet watched over time")
    p.add_argument("--interval", type=interval, default=30.0, metavar="DURATION",
                   help="--watch: time between polls, e.g. 30s, 2m, 500ms (default 30s)")
    p.add_argument("--polls", type=positive, metavar="N", help="--watch: stop after N polls (default: until Ctrl-C)")
    p.add_argument("--source", metavar="DIR",
                   help="the program's source tree: show the line each cluster blocks at, and open that "
                   "file with e in the TUI (default: the current directory when it holds go.mod)")
    p.add_argument("--concurrency", type=positive, default=DEFAULT_CONCURRENCY, metavar="N",
                   help=f"--fleet: read N sources at a time (default {DEFAULT_CONCURRENCY})")
    p.add_argument("--format", "-f", choices=FORMATS,
                   help="output format (default: tui when stdout and stderr are terminals, else text)")
    p.add_argument("--top", "-n", type=positive, metavar="N", help="show the N highest-ranked clusters (default: all)")
    p.add_argument("--match", "-m", type=regex, metavar="REGEX",
                   help="only clusters whose state, functions, files, creator or labels match; "
                   "smart-case: case-insensitive unless REGEX has a capital letter (default: all clusters)")
    p.add_argument("--exclude", "-x", type=regex, metavar="REGEX", help="leave out clusters that match, smart-case too (default: none)")
    p.add_argument("--min-count", type=positive, default=1, metavar="N", help="only clusters of at least N goroutines (default 1)")
    p.add_argument("--cluster", dest="ranks", type=positive, action="append", default=[], metavar="N",
                   help="only cluster #N, numbered as the full report numbers it; repeat for more (default: all)")
    p.add_argument("--goroutines", action="store_true",
                   help="print every goroutine of the clusters shown, header and stack as the dump printed "
                   "them (without pc offsets and addresses), instead of the report; "
                   "with --format markdown, one code block per cluster")
    hv = p.add_mutually_exclusive_group()
    hv.add_argument("--hide-healthy", dest="healthy", action="store_false", default=True,
                    help="hide runtime/stdlib background clusters (GC workers, signal handling, listeners)")
    hv.add_argument("--show-healthy", dest="healthy", action="store_true", help="show them (default)")
    p.add_argument("--color", choices=COLORS, default="auto",
                   help="color text output (default auto: on a terminal; NO_COLOR is honoured)")
    p.add_argument("--no-stacks", dest="stacks", action="store_false", help="text format: no representative stacks")
    p.add_argument("--timeout", type=seconds, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                   help=f"the whole fetch of a URL must end within this (default {DEFAULT_TIMEOUT:g})")
    p.add_argument("--max-size", type=size, default=DEFAULT_MAX_BYTES, metavar="SIZE",
                   help=f"read at most this much of an input, and of what a gzip input decompresses to "
                   f"(default {size_text(DEFAULT_MAX_BYTES)}; K, M, G, T are powers of 1024)")
    p.add_argument("--debug0", action="store_true",
                   help="fetch a /debug/pprof/goroutine URL without ?debug= as pprof's binary profile "
                   "(?debug=0: counts by stack, no states or ids) rather than the text (default ?debug=2)")
    p.add_argument("--jobs", "-j", type=positive, metavar="N",
                   help="processes that parse a big plain file (default: the usable cores; "
                   "inputs under 8 MiB, stdin, URLs and gzip are read by one)")
    p.add_argument("--version", "-V", action="version", version=f"gtriage {__version__}")
    return p
