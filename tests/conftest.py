from __future__ import annotations

import sys
from pathlib import Path

# tests/ holds helper modules (manifests.py) next to the tests.
sys.path.insert(0, str(Path(__file__).resolve().parent))

import pytest  # noqa: E402 - after the path set-up above, so that manifests is importable

from manifests import Sample  # noqa: E402

# The quick loop reads the newest Go release's samples, the wrapped ones and the demo; every
# other release's rows are `slow` (CI runs them all: `pytest -m ''`).
QUICK_DIRS = ("dumps/go1.27/", "wrapped/", "demo")


def _sample_of(value: object) -> Sample | None:
    if isinstance(value, Sample):
        return value
    if isinstance(value, tuple) and value and isinstance(value[0], Sample):
        return value[0]
    return None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        for value in params.values():
            sample = _sample_of(value)
            if sample is not None and not sample.id.startswith(QUICK_DIRS):
                item.add_marker(pytest.mark.slow)
                break
