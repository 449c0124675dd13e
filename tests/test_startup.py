"""Start-up imports only what the chosen path needs (issue 14): --version and --help load
neither Lark nor the stages, and the package's public names still work (PEP 562)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def imported(*argv: str, env: dict[str, str] | None = None) -> set[str]:
    """The modules a `python -X importtime` run of argv imported."""
    r = subprocess.run([sys.executable, "-X", "importtime", *argv], capture_output=True, timeout=60, check=False, env=env)
    assert r.returncode == 0, r.stderr[-500:]
    return {line.rsplit("|", 1)[1].strip() for line in r.stderr.decode().splitlines() if line.startswith("import time:")}


TINY = Path(__file__).resolve().parents[1] / "samples" / "dumps" / "go1.27" / "crashzoo.nilptr.txt"


def after_a_tiny_report(prelude: str, then: str) -> str:
    """What a fresh interpreter prints that runs `prelude`, the text report of TINY through
    cli.main (its output in `out`), then `then`."""
    code = (
        "import contextlib, io, sys\n"
        + prelude
        + "from gtriage.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()) as out:\n"
        f"    assert main(['--format', 'text', {str(TINY)!r}]) == 0\n"
        + then
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert r.returncode == 0, r.stderr[-500:]
    return r.stdout.strip()


@pytest.mark.parametrize("flag", ["--version", "--help"])
def test_version_and_help_import_no_lark_and_no_stage(flag: str) -> None:
    mods = imported("-m", "gtriage", flag)
    assert not {m for m in mods if m == "lark" or m.startswith("lark.")}
    assert not mods & {"gtriage.pipeline", "gtriage.parse", "gtriage.report", "textual"}


def test_importing_the_package_imports_no_stage() -> None:
    mods = imported("-c", "import gtriage")
    assert "gtriage.pipeline" not in mods
    assert "lark" not in mods


def test_public_names_load_on_first_use() -> None:
    import gtriage

    assert callable(gtriage.analyze)
    assert gtriage.Filters().min_count == 1
    assert issubclass(gtriage.SourceError, Exception)
    assert set(gtriage.__all__) <= set(dir(gtriage))
    with pytest.raises(AttributeError):
        _ = gtriage.no_such_name


def test_a_small_report_imports_no_lark_once_the_tables_exist(tmp_path: Path) -> None:
    # The first run derives the parse tables with Lark and caches them (syntax.py); every
    # later one parses with lalr.py. Nor does a small file load what only archives, fleets
    # or parallel reading need.
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    argv = ("-m", "gtriage", "--format", "text", str(TINY))
    assert "lark" in imported(*argv, env=env)
    mods = imported(*argv, env=env)
    assert not {m for m in mods if m == "lark" or m.startswith("lark.")}
    assert not mods & {"multiprocessing", "concurrent.futures", "zipfile", "tarfile", "pathlib", "shutil"}
    # Nor what only type checkers and the dataclass machinery want (record.py), nor the
    # parallel reader or the profile decoder, which a small text file is told apart from.
    assert not mods & {"typing", "dataclasses", "inspect", "json", "gtriage.parallel", "gtriage.pprof_profile"}
    # Nor argparse (with gettext and locale): cli_args reads a command line of the common
    # forms itself.
    assert not mods & {"argparse", "gettext", "locale", "gtriage.cli_parser"}
    # Nor what only a fleet (fleet.py) or an earlier dump to compare with (compare.py) needs.
    assert not mods & {"gtriage.fleet", "gtriage.compare"}
    assert "unicodedata" not in mods  # filters.py: a --match pattern's \N{...} only
    # Nor re, enum or json (~31M instructions together, a fifth of this run): gtriage's own
    # regexes are made from the programs the first run kept (regex_cache.py), its
    # enumerations by enums.py, and JSON is written by json's C encoder (render/json.py).
    assert not mods & {"re", "enum", "json"}


def test_a_json_report_of_a_dump_imports_no_re_enum_or_json(tmp_path: Path) -> None:
    # The path of the 1k bench dump: a dump of many clusters, its objects, holders and
    # families, written as JSON. The first run compiles and keeps the regexes.
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    dump = Path(__file__).resolve().parents[1] / "samples" / "dumps" / "go1.27" / "leaky.debug2.txt"
    argv = ("-m", "gtriage", "--format", "json", str(dump))
    assert "re" in imported(*argv, env=env)
    assert not imported(*argv, env=env) & {"re", "enum", "json"}
    # As the gtriage command runs it (its console script; `-m` runs runpy, which imports
    # them itself): nor contextlib, functools or collections (~13M instructions together),
    # nor types or operator (their C parts are taken where they are defined).
    script = f"import sys; from gtriage.cli import run; sys.argv[1:] = ['--format', 'json', {str(dump)!r}]; sys.exit(run())"
    assert not imported("-c", script, env=env) & {"re", "enum", "json", "contextlib", "functools", "collections", "types", "operator"}


def test_a_report_without_families_imports_no_rapidfuzz() -> None:
    # Two clusters of one state, of lengths that could be a family: their character counts
    # already show that they are not (families._Signatures._could_match), so rapidfuzz
    # (12-40 ms of imports) is not loaded.
    dump = Path(__file__).resolve().parents[1] / "samples" / "dumps" / "go1.27" / "crashzoo.mapwrites-all.txt"
    mods = imported("-m", "gtriage", "--format", "json", str(dump))
    assert "rapidfuzz" not in mods
    assert "datetime" not in mods  # render/json.py: only a series or a log has times to write


def test_a_clean_report_compiles_no_unsafe_class() -> None:
    # render/safe.py's class of unsafe characters costs ~0.9 ms to compile; text that
    # str.isprintable() passes (tabs and newlines aside) never needs it.
    shown = after_a_tiny_report(
        "from gtriage.render import safe\n",
        "assert 'nilPtr' in out.getvalue()\n"
        "print(sorted(n for n in ('_UNSAFE', '_SURROGATE', '_MD_SPECIAL') if 'sub' in vars(getattr(safe, n))))\n",
    )
    assert shown == "[]"


def test_the_stages_are_imported_without_collections() -> None:
    # cli.py imports the stages with the collector paused: their allocations set off ~15
    # collections, which went over objects that live to the end (~1.5 ms of a small run).
    shown = after_a_tiny_report(
        "import gc\n"
        "from gtriage.cli import main\n"  # before the watch starts: what this import does is not the run's
        "importing = set()\n"
        "def note(phase, info):\n"
        "    f = sys._getframe()\n"
        "    while f is not None:\n"
        "        name = f.f_globals.get('__name__', '')\n"
        "        if phase == 'start' and f.f_code.co_name == '<module>' and name.startswith('gtriage.'):\n"
        "            importing.add(name)\n"
        "        f = f.f_back\n"
        "gc.callbacks.append(note)\n",
        "gc.callbacks.remove(note)\n"
        "assert gc.isenabled()\n"
        "print(sorted(importing))\n",
    )
    assert shown == "[]"


def test_a_small_report_compiles_only_the_regexes_it_uses() -> None:
    # A compile costs 0.05-0.3 ms (more for a class past Latin-1): patterns that only other
    # inputs meet are compiled at their first use (lazy_re). This report compiled 45 before
    # that, 24 since; a new pattern on its path needs the budget raised here, knowingly.
    shown = after_a_tiny_report(
        "import re._compiler as rc\n"
        "real, made = rc.compile, []\n"
        "def counting(pattern, flags=0):\n"
        "    made.append(pattern)\n"
        "    return real(pattern, flags)\n"
        "rc.compile = counting\n",
        "print(len(made))\n",
    )
    assert int(shown) <= 24


def test_a_report_with_a_family_of_a_few_pairs_imports_no_rapidfuzz() -> None:
    # Its two families are a few pairs: families.lcs_length compares them exactly, and
    # rapidfuzz (12-40 ms of imports) is not loaded for them.
    dump = Path(__file__).resolve().parents[1] / "samples" / "dumps" / "go1.27" / "locks.sigquit-system.txt"
    mods = imported("-m", "gtriage", "--format", "json", str(dump))
    assert "rapidfuzz" not in mods


def test_a_file_read_in_parallel_imports_no_pickle_signal_re_or_enum(tmp_path: Path) -> None:
    # The 10k bench dump's path: cut in chunks, read by two processes, merged. Workers send
    # their chunks by marshal (pickle imports re, enum, functools and collections: ~4.6 ms
    # before the fork) and are killed with _signal's SIGKILL (signal.py imports enum).
    dump = Path(__file__).resolve().parents[1] / "samples" / "dumps" / "go1.27" / "leaky.debug2.txt"
    code = (
        "import io, sys\n"  # not contextlib: it imports functools and collections itself
        "from gtriage import job_count, parallel\n"
        "job_count.MIN_PARALLEL_BYTES = parallel.MIN_CHUNK_BYTES = 0\n"  # a sample is big enough
        "real, read = parallel.parse_file, []\n"
        "parallel.parse_file = lambda *a, **k: read.append(real(*a, **k)) or read[-1]\n"
        "from gtriage.cli import main\n"
        "sys.stdout, out = io.StringIO(), sys.stdout\n"
        f"assert main(['--format', 'json', '--jobs', '2', {str(dump)!r}]) == 0\n"
        "sys.stdout = out\n"
        "assert read and read[0] is not None, 'not read in parallel'\n"
        "print(sorted(set(sys.modules) & {'pickle', '_pickle', 'signal', 're', 'enum', 'json', 'functools', 'collections'}))\n"
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60, check=True, env=env)  # keeps the regexes
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False, env=env)
    assert r.returncode == 0, r.stderr[-500:]
    assert r.stdout.strip() == "[]"
