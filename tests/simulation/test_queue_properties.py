"""Hypothesis properties of the FCFS kernel, with a slow obvious oracle."""

from __future__ import annotations

import heapq

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from corridor.simulation.queue import take_server


def _naive_fcfs(arrival: list[float], service: list[float], c: int) -> list[float]:
    # Oracle: customers in arrival order take whichever server frees first.
    free = [0.0] * c
    heapq.heapify(free)
    out = []
    for a, s in zip(arrival, service, strict=True):
        f = heapq.heappop(free)
        start = max(a, f)
        out.append(start)
        heapq.heappush(free, start + s)
    return out


def _kernel(arrival: np.ndarray, service: np.ndarray, c: int) -> np.ndarray:
    free = np.zeros(c)
    return np.array([take_server(free, 0, c, a, s) for a, s in zip(arrival, service, strict=True)])


customers = st.lists(st.tuples(st.floats(0.0, 10.0), st.floats(0.0, 10.0)), min_size=1, max_size=60)


@settings(max_examples=150, deadline=None)
@given(customers, st.integers(1, 5))
def test_fcfs_kernel_properties(pairs: list[tuple[float, float]], c: int) -> None:
    gaps = np.array([p[0] for p in pairs])
    service = np.array([p[1] for p in pairs])
    arrival = np.cumsum(gaps)
    start = _kernel(arrival, service, c)
    depart = start + service
    assert (start >= arrival).all()  # waits are non-negative
    assert (depart >= arrival).all()
    assert (np.diff(start) >= 0).all()  # FCFS: service starts in arrival order
    # Never more than c in service at once.
    for t in start:
        assert int(((start <= t) & (depart > t)).sum()) <= c
    # A customer waits only if all c servers are busy when it arrives.
    for i in np.flatnonzero(start > arrival):
        assert int(((start[:i] <= arrival[i]) & (depart[:i] > arrival[i])).sum()) == c
    np.testing.assert_allclose(start, _naive_fcfs(list(arrival), list(service), c))
