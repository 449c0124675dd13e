"""Code shared by the repository's scripts (``bench/run.py``, ``samples/capture.py``,
``samples/carriers.py``); no part of the gtriage package, never installed or shipped.

Each entry script puts the repository root on ``sys.path`` before it imports its own
package, so ``import tools.processes`` works without installing anything.
"""
