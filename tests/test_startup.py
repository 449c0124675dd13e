"""Start-up imports only what the chosen path needs (issue 14): --version and --help load
neither Lark nor the stages, and the package's public names still work (PEP 562)."""

from __future__ import annotations

import subprocess
import sys

import pytest


def imported(*argv: str) -> set[str]:
    """The modules a `python -X importtime` run of argv imported."""
    r = subprocess.run([sys.executable, "-X", "importtime", *argv], capture_output=True, timeout=60, check=False)
    assert r.returncode == 0, r.stderr[-500:]
    return {line.rsplit("|", 1)[1].strip() for line in r.stderr.decode().splitlines() if line.startswith("import time:")}


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
