"""The default dataset and its calibration, once per test module."""

from __future__ import annotations

from typing import Any

import pytest

from corridor import load_network
from corridor.loaded.calibration import calibrate


@pytest.fixture(scope="module")
def default() -> dict[str, Any]:
    base = load_network()
    return {"base": base, "calibration": calibrate(base)}
