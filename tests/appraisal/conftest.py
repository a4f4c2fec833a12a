"""Fixtures of the appraisal tests: the tiny dataset with a catalogue of measures."""

from __future__ import annotations

from pathlib import Path

import pytest
from appraisal_tiny import TINY

from corridor.model.network import Network, load_network


@pytest.fixture
def tiny(tmp_path: Path) -> Network:
    """The tiny network with its measures, loaded from a temporary folder."""
    folder = tmp_path / "tiny"
    folder.mkdir()
    for name, text in TINY.items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return load_network(folder)
