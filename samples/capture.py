#!/usr/bin/env python3
"""Capture the real goroutine-dump sample corpus under ``samples/``.

Usage::

    python samples/capture.py --go 1.25=/path/to/go --go 1.19=/usr/lib/go-1.19/bin/go \
        [--only leaky] [--kind debug2] [--out samples/dumps] [--no-slow] [--no-derived]

For every toolchain given it builds the four sample programs (``leaky``,
``crashzoo``, ``race``, ``locks``) into a temporary directory, runs them, captures their
goroutine dumps and writes ``<out>/go<X.Y>/<program>.<kind>.txt`` plus a
manifest ``<program>.<kind>.json`` describing, by construction, what the dump
must contain (locks' binary profile is ``locks.debug0.pb.gz``, its manifest
``locks.debug0.json``).  It then derives ``samples/wrapped/``, ``samples/demo.txt`` and
the table in ``samples/README.md``.

It installs nothing, uses only the toolchains it is given, talks only to
127.0.0.1, signals only processes it started, kills them at the end and has
timeouts everywhere.  Python 3.11, standard library only.

Importable API (used by ``tests/samples``):

* :func:`find_toolchain` -- describe a ``go`` binary (:class:`Toolchain`).
* :func:`build` -- build one program with one toolchain.
* :func:`capture_leaky(go, out, kind)` -- build and capture one leaky dump,
  write ``leaky.<kind>.txt``/``.json`` into ``out`` and return the manifest path.
* :func:`capture_locks(go, out, kinds)` -- build locks and capture its debug=1, debug=0 and
  debug=2 dumps of one moment and its ``GOTRACEBACK=system`` SIGQUIT dump into ``out``.
* :func:`gunzip`, :func:`string_table` -- a debug=0 profile's message and its string table.
* :func:`check_manifest(manifest, text)` -- plain string checks of a dump
  against its manifest; returns a list of problems (empty when it matches).
* :func:`expected_state(block, version)` -- the wait-reason table.

This script is the entry point only: the code is the package ``samples/gtcapture``
(one module a job, listed in its ``__init__``), and the names above (and those
``samples/carriers.py`` uses) are re-exported here. Starting, killing and waiting for
child processes without core dumps is ``tools/processes.py`` at the repository root,
shared with ``bench/run.py``. Both directories are put on ``sys.path`` below, so
nothing is installed, whether this file runs as a script or is loaded by path (as
``tests/manifests.py`` does).
"""

from __future__ import annotations

import sys
from pathlib import Path

# gtcapture beside this script (sys.path[0] when it runs as one), tools/ at the repository root.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from gtcapture.checks import check_manifest
from gtcapture.cli import main
from gtcapture.config import SAMPLES
from gtcapture.crashzoo import crash_panics
from gtcapture.leaky import capture_leaky
from gtcapture.locks import LOCKS_KINDS, NEUTRAL_BIN, capture_locks
from gtcapture.manifest import base_manifest
from gtcapture.markers import MARKER_RE, parse_manifest_lines, where
from gtcapture.neutral import NEUTRAL_GOROOT, NEUTRAL_SAMPLES, neutral_paths
from gtcapture.pairs import write_pair
from gtcapture.profile import gunzip, string_table
from gtcapture.states import expected_state
from gtcapture.toolchain import Toolchain, build, find_toolchain
from gtcapture.unwrap import checkable_text
from tools.processes import no_core

__all__ = [
    "LOCKS_KINDS",
    "MARKER_RE",
    "NEUTRAL_BIN",
    "NEUTRAL_GOROOT",
    "NEUTRAL_SAMPLES",
    "SAMPLES",
    "Toolchain",
    "base_manifest",
    "build",
    "capture_leaky",
    "capture_locks",
    "check_manifest",
    "checkable_text",
    "crash_panics",
    "expected_state",
    "find_toolchain",
    "gunzip",
    "main",
    "neutral_paths",
    "no_core",
    "parse_manifest_lines",
    "string_table",
    "where",
    "write_pair",
]

if __name__ == "__main__":
    sys.exit(main())
