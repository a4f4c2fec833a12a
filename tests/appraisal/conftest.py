"""Fixtures of the appraisal tests: the tiny dataset with a catalogue of measures."""

from __future__ import annotations

from pathlib import Path

import pytest
from appraisal_tiny import write_tiny

from corridor.model.network import Network, load_network


@pytest.fixture
def tiny(tmp_path: Path) -> Network:
    """The tiny network with its measures, loaded from a temporary folder."""
    return load_network(write_tiny(tmp_path / "tiny"))
