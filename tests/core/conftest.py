"""Fixtures: the default dataset and its calibration; a tiny dataset written to a
temporary folder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from corridor.loaded.calibration import Calibration, calibrate
from corridor.model.network import Network, load_network
from tiny_network import TINY


@pytest.fixture(scope="module")
def net() -> Network:
    """The default dataset (a module may define its own ``net``)."""
    return load_network()


@pytest.fixture(scope="module")
def calibration(net: Network) -> Calibration:
    """The calibration of the module's ``net``."""
    return calibrate(net)


@pytest.fixture
def tiny_dataset(tmp_path: Path) -> Callable[..., Path]:
    """Write the tiny dataset (optionally with replaced files) and return its folder."""

    def make(**replace: str) -> Path:
        folder = tmp_path / "tiny"
        folder.mkdir(exist_ok=True)
        for name, text in {**TINY, **replace}.items():
            (folder / f"{name}.csv").write_text(text, encoding="utf-8")
        return folder

    return make
