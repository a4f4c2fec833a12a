"""Every test process records its runs in its own throw-away store.

The computing commands record their runs in the store named by
``CORRIDOR_DB_URL`` (else the user's data folder); tests must never write to
the user's store, so each test process points the variable at a temporary
file before any test runs (child processes inherit it).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest


def pytest_configure(config: pytest.Config) -> None:
    folder = Path(tempfile.mkdtemp(prefix="corridor-test-store-"))
    os.environ["CORRIDOR_DB_URL"] = str(folder / "runs.sqlite")
