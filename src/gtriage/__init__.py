"""gtriage: cluster and rank the goroutines of a Go dump.

    import gtriage
    report = gtriage.analyze("samples/demo.txt")       # a path, URL or "-" for stdin
    top = report.clusters[0]
    print(top.count, top.state, top.blocked_at.location, top.why)
"""

from __future__ import annotations

__version__ = "0.1.0"

TYPE_CHECKING = False  # typing's own costs every run ~4 ms to import; type checkers read this as True
if TYPE_CHECKING:
    from typing import Any

    from .errors import NoDumpError, SourceError
    from .filters import Filters, apply_filters
    from .pipeline import analyze, analyze_inputs, analyze_text
    from .report import Cluster, Report

# Where each public name lives. They are imported on first use (PEP 562), so that
# `gtriage --version`, `--help` and the CLI's own imports load neither Lark nor the stages.
_LAZY = {
    "Cluster": "report",
    "Filters": "filters",
    "NoDumpError": "errors",
    "Report": "report",
    "SourceError": "errors",
    "analyze": "pipeline",
    "analyze_inputs": "pipeline",
    "analyze_text": "pipeline",
    "apply_filters": "filters",
}

__all__ = [
    "Cluster",
    "Filters",
    "NoDumpError",
    "Report",
    "SourceError",
    "__version__",
    "analyze",
    "analyze_inputs",
    "analyze_text",
    "apply_filters",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'gtriage' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value  # once: later lookups do not come here
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
