"""Where the sample programs are, which there are, the timeouts and the size limit of a dump."""

from __future__ import annotations

from pathlib import Path

SAMPLES = Path(__file__).resolve().parent.parent  # samples/
PROGRAMS = ("leaky", "crashzoo", "race", "locks")

TIMEOUT_BUILD = 300.0
TIMEOUT_START = 60.0
TIMEOUT_HTTP = 30.0
TIMEOUT_EXIT = 60.0
MAX_FILE = 2 * 1024 * 1024
