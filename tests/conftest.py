from __future__ import annotations

import sys
from pathlib import Path

# tests/ holds helper modules (manifests.py) next to the tests.
sys.path.insert(0, str(Path(__file__).resolve().parent))
