from __future__ import annotations

import os
import sys
from pathlib import Path

# tests/ holds helper modules (manifests.py) next to the tests.
sys.path.insert(0, str(Path(__file__).resolve().parent))

import pytest
from hypothesis import settings

from manifests import SAMPLES, Sample

# CI (CI=true) runs the property tests derandomized: the examples a developer already ran, so
# that a landing never hangs on what a new random draw finds; a developer's runs explore.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

# The quick loop reads the newest Go release's samples, the wrapped ones and the demo; every
# other release's rows are `slow` (CI runs them all: `pytest -m ''`).
QUICK_DIRS = ("dumps/go1.27/", "wrapped/", "demo")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite tests/golden/ from the current output instead of comparing (tests/render/test_golden.py)",
    )


def _sample_id(value: object) -> str | None:
    """The sample a test row reads: a Sample, a (Sample, ...) row, or a path under samples/."""
    if isinstance(value, tuple) and value:
        value = value[0]
    if isinstance(value, Sample):
        return value.id
    if isinstance(value, Path) and value.is_relative_to(SAMPLES):
        return str(value.relative_to(SAMPLES))
    return None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        for value in params.values():
            sample = _sample_id(value)
            if sample is not None and not sample.startswith(QUICK_DIRS):
                item.add_marker(pytest.mark.slow)
                break
