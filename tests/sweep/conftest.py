"""Sweep fixtures: the tiny dataset in a temporary folder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tiny_network import TINY


@pytest.fixture
def tiny_dataset(tmp_path: Path) -> Callable[..., Path]:
    """Write the tiny dataset and return its folder."""

    def make() -> Path:
        folder = tmp_path / "tiny"
        folder.mkdir(exist_ok=True)
        for name, text in TINY.items():
            (folder / f"{name}.csv").write_text(text, encoding="utf-8")
        return folder

    return make
