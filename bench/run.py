#!/usr/bin/env python3
"""gtriage's benchmark: generate real goroutine dumps at scale, time gtriage against two floors.

Usage::

    python bench/run.py [--sizes 10000,100000,300000] [--go PATH] [--repeat 3] [--quick]

It builds the Go generator in ``bench/gen`` (standard library only), starts it once per size
on 127.0.0.1, captures ``?debug=2`` (cut by the runtime at 64 MiB), the same text never cut
(``/full``), ``?debug=1`` and, for the smallest size, the SIGQUIT dump (``GOTRACEBACK=all``)
into ``bench/dumps/`` (git-ignored; an existing file is reused unless ``--fresh``). Then, for
every dump, it times whole processes (median of ``--repeat`` runs; peak RSS from
``os.wait4``):

* ``gtriage --format json FILE > /dev/null`` (and ``text``, ``markdown`` for the smallest size),
* the line floor: a fresh ``python -c`` that iterates the file's text lines,
* the regex floor: the same with one precompiled ``re.match`` per line,

and prints the ratios gtriage/floor, which are the figures that matter: absolute seconds
change from machine to machine. It also times the stages in-process (read, sections, parse,
normalize+cluster+rank, render) and, when ``gtriage.tui`` has an App, the TUI's first screen
on the 100,000-goroutine dump. The tables go to stdout, ``bench/out/results.md`` and
``bench/out/results.json``.

It installs nothing, talks only to 127.0.0.1, signals only the processes it started, kills
them at the end, turns core dumps off and has a timeout on every wait. Python 3.11, standard
library only (the stages and the TUI import gtriage).

This script is the entry point only: the runner is the package ``bench/gtbench`` (one module
a job, listed in its ``__init__``), and the process helper it shares with
``samples/capture.py`` is ``tools/processes.py``, imported with the repository root put on
``sys.path`` here (nothing is installed).
"""

from __future__ import annotations

import sys
from pathlib import Path

# The repository root, for tools.processes; gtbench is beside this script (sys.path[0]).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gtbench.cli import main

if __name__ == "__main__":
    sys.exit(main())
