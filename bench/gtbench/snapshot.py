"""One version of gtriage to measure: src/, grammar/ and pyproject.toml (its command's entry
point) of a commit, extracted once."""

from __future__ import annotations

import io
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

from gtbench.config import ROOT


def head_commit() -> str:
    """The HEAD commit of the repository, or "" outside a git checkout."""
    return subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=30, check=False
    ).stdout.strip()


def snapshot(commit: str) -> Path:
    """Extract src/, grammar/ and pyproject.toml of `commit` under the temporary directory
    (once): the tree is edited while the benchmark runs, and a run must measure one version
    from start to end."""
    dest = Path(tempfile.gettempdir()) / "gtriage-bench-src" / commit[:12]
    if (dest / "src" / "gtriage").is_dir() and (dest / "pyproject.toml").is_file():
        return dest
    tmp = dest.with_name(dest.name + ".part")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    tar = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", commit, "src", "grammar", "pyproject.toml"],
        capture_output=True, timeout=120, check=True,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(tar)) as tf:
        tf.extractall(tmp, filter="data")
    shutil.rmtree(dest, ignore_errors=True)  # one extracted before pyproject.toml was
    tmp.rename(dest)
    return dest
