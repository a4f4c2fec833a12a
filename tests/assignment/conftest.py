"""Fixtures for the assignment tests: the TNTP benchmark folder and small networks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from assign_oracles import Net

REPO_ROOT = Path(__file__).resolve().parents[2]
TNTP = REPO_ROOT.parent / "shared" / "benchmarks" / "tntp"


@pytest.fixture(scope="session")
def tntp_dir() -> Path:
    """The TNTP benchmark networks (``../shared/benchmarks/tntp`` beside the clone)."""
    assert TNTP.is_dir(), (
        f"TNTP benchmarks not found at {TNTP} (CI copies shared/ beside the clone)"
    )
    return TNTP


@pytest.fixture
def braess() -> tuple[Net, np.ndarray]:
    """Braess-like network: zones 0 and 1, thru vertices 2 and 3, a cross link 2->3.

    Paths 0->2->1, 0->3->1 and 0->2->3->1; links 0->2 and 3->1 congest.
    """
    net = Net(
        n_nodes=4,
        n_zones=2,
        first_thru=2,
        tail=np.array([0, 2, 0, 3, 2]),
        head=np.array([2, 1, 3, 1, 3]),
        fft=np.array([1.0, 5.0, 5.0, 1.0, 0.5]),
        cap=np.array([10.0, 0.0, 0.0, 10.0, 0.0]),
        b=np.array([1.0, 0.0, 0.0, 1.0, 0.0]),
        power=np.array([1.0, 0.0, 0.0, 1.0, 0.0]),
    )
    demand = np.array([[0.0, 40.0], [0.0, 0.0]])
    return net, demand
