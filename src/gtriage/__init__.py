"""gtriage: cluster and rank the goroutines of a Go dump.

    import gtriage
    report = gtriage.analyze("samples/demo.txt")       # a path, URL or "-" for stdin
    top = report.clusters[0]
    print(top.count, top.state, top.blocked_at.location, top.why)
"""

from __future__ import annotations

__version__ = "0.1.0"

from .errors import NoDumpError, SourceError
from .filters import Filters, apply_filters
from .pipeline import analyze, analyze_inputs, analyze_text
from .report import Cluster, Report

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
