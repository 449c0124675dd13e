"""The sample corpus's capture code, run as ``python samples/capture.py`` (see that script's
docstring, which also names the importable API it re-exports).

Modules, one job each:

* ``config``: where samples/ is, the programs, timeouts, the size limit of a dump.
* ``toolchain``: a Go toolchain (``go version``, its environment) and building a program.
* ``states``: the wait reason the runtime prints for each way of blocking, by Go version.
* ``markers``: ``// SAMPLE:`` markers in the sources and the MANIFEST lines programs print.
* ``programs``: a sample program running (until READY), asked over loopback HTTP.
* ``manifest``: a manifest's fields and leaky's groups.
* ``neutral``: the capturing machine's paths made neutral.
* ``pairs``: writing a dump and its manifest once the dump passed the checks.
* ``leaky``, ``crashzoo``, ``race``, ``locks``: capturing each program.
* ``profile``: pprof's binary profile (debug=0): its string table read and made neutral.
* ``checks``: a dump checked against its manifest (:func:`check_manifest`).
* ``unwrap``: the plain dump inside a wrapped sample (:func:`checkable_text`).
* ``goquote``: Go's ``strconv.Quote`` and its inverse.
* ``emit``, ``wrap``, ``pastes``: the wrapped samples derived from the captures.
* ``journald``: the wrapped samples made by the real systemd-journald (``journalctl -o json``, ``-r``,
  two identifiers' short lines).
* ``derived``: ``demo.txt``, the README table, earlier runs' notes.
* ``cli``: the options and ``main``.

``samples/`` and the repository root are on ``sys.path`` (``samples/capture.py`` puts them
there): the root for ``tools.processes``, the process helper shared with ``bench/run.py``.
"""
