"""The waits of some edges, updated alone, equal the same edges' waits computed for all."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corridor.capacity.delay import DelayCurves
from corridor.loaded.prepare import prepare
from corridor.model.network import load_network


@pytest.fixture(scope="module")
def curves() -> DelayCurves:
    return prepare(load_network()).curves


def test_the_default_network_has_every_shape(curves: DelayCurves) -> None:
    # services and border procedures are what a wrong index would mix up
    assert curves.service_edges.size > 10 and curves.procedures.edges.size > 10


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), share=st.floats(0.01, 1.0))
def test_waits_at_a_subset_equal_the_full_waits_there(
    curves: DelayCurves, seed: int, share: float
) -> None:
    n = curves.shape.shape[0]
    rng = np.random.default_rng(seed)
    util = rng.uniform(0.0, 1.2, n)
    flow = rng.uniform(0.0, 2e5, n)
    subset = np.flatnonzero(rng.random(n) < share)
    full_wait, full_cv = curves.waits(util, flow)
    wait, cv = curves.waits_at(subset, util[subset], flow[subset])
    np.testing.assert_array_equal(wait, full_wait[subset])
    np.testing.assert_array_equal(cv, full_cv[subset])
