"""gtriage's benchmark runner, run as ``python bench/run.py`` (see that script's docstring).

Modules, one job each:

* ``config``: where things are (bench/gen, bench/dumps, bench/out), sizes, ``log``.
* ``children``: the processes the runner started, killed at the end.
* ``toolchain``: finding a Go toolchain and building the generator.
* ``generator``: starting the generator and waiting for its ``READY``.
* ``dumps``: capturing the dumps over loopback HTTP and by SIGQUIT.
* ``wrapped``: the smallest full dump as kubectl, docker json-file and twice.
* ``timing``: timing one process (wall time, peak RSS), medians, interleaved runs.
* ``snapshot``: the HEAD commit's src/ and grammar/, extracted to measure one version.
* ``target``: how gtriage is run (its CLI, or ``analyze()`` when it has no ``--format``).
* ``floors``: the line and regex floors, and the goroutine count of a dump.
* ``stages``, ``tui``, ``profiling``: the internal modes run in a fresh interpreter.
* ``machine``: what the figures were measured on.
* ``results``: the Markdown tables and the targets check.
* ``measure``: timing every dump, the stages, the profile and the TUI.
* ``cli``: the options and ``main``.

The repository root is on ``sys.path`` (``bench/run.py`` puts it there) for ``tools.processes``,
the process helper shared with ``samples/capture.py``.
"""
