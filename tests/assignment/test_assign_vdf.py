"""Volume-delay functions: BPR and the queue delay against closed forms and quadrature."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import quad

from corridor.assignment.graph import VDF_BPR, VDF_QUEUE
from corridor.assignment.vdf import (
    QUEUE_RHO_MAX,
    link_derivative,
    link_integral,
    link_time,
    queue_parameters,
)


def erlang_c_wait(c: int, rho: float, service: float) -> float:
    """Mean wait in queue of M/M/c (Erlang C), written out."""
    a = c * rho
    head = sum(a**k / math.factorial(k) for k in range(c))
    tail = a**c / math.factorial(c) / (1 - rho)
    return tail / (head + tail) * service / (c * (1 - rho))


def test_bpr_values() -> None:
    assert link_time(0.0, 6.0, 100.0, 0.15, 4.0, VDF_BPR) == 6.0
    assert link_time(100.0, 6.0, 100.0, 0.15, 4.0, VDF_BPR) == pytest.approx(6.0 * 1.15)
    assert link_time(50.0, 2.0, 100.0, 1.0, 4.446, VDF_BPR) == pytest.approx(2 * (1 + 0.5**4.446))
    # connectors: constant cost whatever the volume
    assert link_time(1e6, 1.5, 1.0, 0.0, 0.0, VDF_BPR) == 1.5
    assert link_time(1e6, 1.5, 0.0, 0.15, 4.0, VDF_BPR) == 1.5  # zero capacity = uncapacitated
    assert link_time(1e6, 1.5, math.inf, 0.15, 4.0, VDF_BPR) == 1.5
    assert link_time(7.0, 2.0, 10.0, 0.5, 0.0, VDF_BPR) == 3.0  # power 0: t0 (1 + b)


def test_mm1_and_erlang_c() -> None:
    alpha, beta = queue_parameters(1, 2.0)
    assert (alpha, beta) == (2.0, 1.0)
    for rho in (0.1, 0.5, 0.9):
        # M/M/1 wait = s rho / (1 - rho), plus the fixed dwell of 3
        assert link_time(rho * 50, 3.0, 50.0, alpha, beta, VDF_QUEUE) == pytest.approx(
            3.0 + 2.0 * rho / (1 - rho)
        )
    for c in (2, 3, 5):
        alpha, beta = queue_parameters(c, 1.0)
        for rho in (0.8, 0.9, 0.95):
            ours = link_time(rho * 10, 0.0, 10.0, alpha, beta, VDF_QUEUE)
            assert ours == pytest.approx(erlang_c_wait(c, rho, 1.0), rel=0.05)
    # variability scales the wait (Kingman): ca2 = cs2 = 0 means no queue
    alpha, _ = queue_parameters(1, 1.0, ca2=0.0, cs2=0.0)
    assert link_time(9.0, 1.0, 10.0, alpha, 1.0, VDF_QUEUE) == 1.0


def test_queue_extension_beyond_rho_max() -> None:
    alpha, beta = queue_parameters(2, 4.0)
    cap = 100.0
    at = link_time(QUEUE_RHO_MAX * cap, 1.0, cap, alpha, beta, VDF_QUEUE)
    slope = link_derivative(QUEUE_RHO_MAX * cap, 1.0, cap, alpha, beta, VDF_QUEUE)
    for over in (1.0, 1.5, 3.0):
        v = over * cap
        t = link_time(v, 1.0, cap, alpha, beta, VDF_QUEUE)
        assert math.isfinite(t)
        assert t == pytest.approx(at + slope * (v - QUEUE_RHO_MAX * cap), rel=1e-12)
    # continuous with a continuous slope at the joint
    eps = 1e-7 * cap
    left = link_time(QUEUE_RHO_MAX * cap - eps, 1.0, cap, alpha, beta, VDF_QUEUE)
    right = link_time(QUEUE_RHO_MAX * cap + eps, 1.0, cap, alpha, beta, VDF_QUEUE)
    assert (right - left) / (2 * eps) == pytest.approx(slope, rel=1e-5)


kinds = st.sampled_from([VDF_BPR, VDF_QUEUE])


@settings(max_examples=200, deadline=None)
@given(
    kind=kinds,
    t0=st.floats(0.0, 100.0),
    cap=st.floats(1.0, 1e5),
    alpha=st.floats(0.01, 5.0),
    beta=st.floats(1.0, 6.0),
    load=st.one_of(st.just(0.0), st.floats(1e-6, 2.0)),
)
def test_derivative_integral_and_convexity(
    kind: int, t0: float, cap: float, alpha: float, beta: float, load: float
) -> None:
    v = load * cap

    def f(x: float) -> float:
        return link_time(x, t0, cap, alpha, beta, kind)

    # integral against adaptive quadrature (split at the queue joint)
    points = [QUEUE_RHO_MAX * cap] if kind == VDF_QUEUE and v > QUEUE_RHO_MAX * cap else None
    expected, _ = quad(f, 0.0, v, points=points, epsabs=1e-10, epsrel=1e-10, limit=200)
    assert link_integral(v, t0, cap, alpha, beta, kind) == pytest.approx(
        expected, rel=1e-7, abs=1e-9
    )
    # derivative against a central difference (away from the kink of fractional powers at 0)
    if v > 1e-3 * cap:
        h = 1e-6 * cap
        fd = (f(v + h) - f(v - h)) / (2 * h)
        rounding = 100 * np.finfo(float).eps * max(1.0, abs(f(v))) / h
        assert link_derivative(v, t0, cap, alpha, beta, kind) == pytest.approx(
            fd, rel=1e-4, abs=rounding
        )
    # increasing and convex: second differences are non-negative
    grid = np.linspace(0, 2 * cap, 41)
    values = np.array([f(x) for x in grid])
    assert np.all(np.diff(values) >= -1e-9 * max(1.0, abs(values).max()))
    assert np.all(np.diff(values, 2) >= -1e-7 * max(1.0, abs(values).max()))


def test_queue_parameters_validate() -> None:
    with pytest.raises(ValueError):
        queue_parameters(0, 1.0)
    with pytest.raises(ValueError):
        queue_parameters(1, -1.0)
