"""Every test process records its runs in its own throw-away store and keeps its own
result cache.

The computing commands record their runs in the store named by
``CORRIDOR_DB_URL`` (else the user's data folder), and cache loaded networks in
``CORRIDOR_CACHE_DIR`` (else the user's cache folder); tests must never write to
the user's store or read what an earlier run cached, so each test process points
both variables at temporary folders before any test runs (child processes
inherit them).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest


def pytest_configure(config: pytest.Config) -> None:
    folder = Path(tempfile.mkdtemp(prefix="corridor-test-store-"))
    os.environ["CORRIDOR_DB_URL"] = str(folder / "runs.sqlite")
    os.environ["CORRIDOR_CACHE_DIR"] = str(folder / "result-cache")
