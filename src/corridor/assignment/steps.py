"""Per-iteration array kernels of the linear-approximation algorithms (numba, serial).

Class arrays are ``(n_classes, n_links)``: class flows ``X``, all-or-nothing flows
``Y``, the current and previous direction targets ``S`` and ``S_prev``. Capacity is
shared through the PCE-weighted total ``V = sum_k pce_k X_k``; the class cost is
``T(V) + g_k`` (``g_k`` the class's fixed generalised cost in time units), ``inf`` on
links the class may not use. Every kernel writes into arrays it is given.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit
from numpy.typing import NDArray

from corridor.assignment.vdf import link_derivative, link_integral, link_time, times_array

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
IntArray = NDArray[np.int64]
Int8Array = NDArray[np.int8]


@njit(cache=True)
def refresh_costs(
    volume: FloatArray,
    t0: FloatArray,
    capacity: FloatArray,
    alpha: FloatArray,
    beta: FloatArray,
    kind: Int8Array,
    fixed: FloatArray,
    allowed: BoolArray,
    time_out: FloatArray,
    cost_out: FloatArray,
) -> None:
    """Link times at ``volume`` into ``time_out``; class costs into ``cost_out``."""
    times_array(volume, t0, capacity, alpha, beta, kind, time_out)
    for k in range(cost_out.shape[0]):
        for a in range(cost_out.shape[1]):
            cost_out[k, a] = time_out[a] + fixed[k, a] if allowed[k, a] else math.inf


@njit(cache=True)
def total_cost(flow: FloatArray, cost: FloatArray, pce: FloatArray, allowed: BoolArray) -> float:
    """``sum_k pce_k sum_a flow_ka cost_ka`` over allowed links (total system cost)."""
    total = 0.0
    for k in range(flow.shape[0]):
        s = 0.0
        for a in range(flow.shape[1]):
            if allowed[k, a]:
                s += flow[k, a] * cost[k, a]
        total += pce[k] * s
    return total


@njit(cache=True)
def fixed_cost_total(flow: FloatArray, fixed: FloatArray, pce: FloatArray) -> float:
    """``sum_k pce_k sum_a flow_ka g_ka``: the linear part of the objective."""
    total = 0.0
    for k in range(flow.shape[0]):
        s = 0.0
        for a in range(flow.shape[1]):
            s += flow[k, a] * fixed[k, a]
        total += pce[k] * s
    return total


@njit(cache=True)
def aggregate(flow: FloatArray, pce: FloatArray, out: FloatArray) -> None:
    """``out = sum_k pce_k flow_k`` (the capacity-sharing total)."""
    out[:] = 0.0
    for k in range(flow.shape[0]):
        for a in range(flow.shape[1]):
            out[a] += pce[k] * flow[k, a]


@njit(cache=True)
def group_volume(volume: FloatArray, group: IntArray, scratch: FloatArray, out: FloatArray) -> None:
    """``out[a]`` = summed ``volume`` of the capacity group of link ``a``."""
    scratch[:] = 0.0
    for a in range(volume.shape[0]):
        scratch[group[a]] += volume[a]
    for a in range(volume.shape[0]):
        out[a] = scratch[group[a]]


@njit(cache=True)
def grouped_integral(
    group_vol: FloatArray,
    rep: BoolArray,
    t0: FloatArray,
    capacity: FloatArray,
    alpha: FloatArray,
    beta: FloatArray,
    kind: Int8Array,
) -> float:
    """Beckmann integral with shared capacities: one term per group, at its volume."""
    total = 0.0
    for a in range(group_vol.shape[0]):
        if rep[a]:
            total += link_integral(group_vol[a], t0[a], capacity[a], alpha[a], beta[a], kind[a])
    return total


@njit(cache=True)
def conjugate_products(
    volume: FloatArray,
    t0: FloatArray,
    capacity: FloatArray,
    alpha: FloatArray,
    beta: FloatArray,
    kind: Int8Array,
    x: FloatArray,
    y: FloatArray,
    s: FloatArray,
    s_prev: FloatArray,
    pce: FloatArray,
    tau: float,
    out: FloatArray,
) -> None:
    """Hessian-weighted products for the CFW / BFW direction weights.

    With ``H = diag(t'(V))`` and PCE-aggregated vectors, ``out`` receives
    ``[(s-x)H(y-x), (s-x)H(s-x), (tau s + (1-tau) s_prev - x)H(y-x),
    (tau s + (1-tau) s_prev - x)H(s_prev - s)]``.
    """
    out[:] = 0.0
    n_classes = x.shape[0]
    for a in range(volume.shape[0]):
        h = link_derivative(volume[a], t0[a], capacity[a], alpha[a], beta[a], kind[a])
        if h == 0.0:
            continue
        xa = 0.0
        ya = 0.0
        sa = 0.0
        pa = 0.0
        for k in range(n_classes):
            xa += pce[k] * x[k, a]
            ya += pce[k] * y[k, a]
            sa += pce[k] * s[k, a]
            pa += pce[k] * s_prev[k, a]
        z = sa - xa
        w = tau * sa + (1.0 - tau) * pa - xa
        out[0] += h * z * (ya - xa)
        out[1] += h * z * z
        out[2] += h * w * (ya - xa)
        out[3] += h * w * (pa - sa)


@njit(cache=True)
def combine_targets(
    y: FloatArray, s: FloatArray, s_prev: FloatArray, b0: float, b1: float, b2: float
) -> None:
    """``s <- b0 y + b1 s + b2 s_prev`` and ``s_prev <- old s``, in place."""
    for k in range(y.shape[0]):
        for a in range(y.shape[1]):
            old = s[k, a]
            s[k, a] = b0 * y[k, a] + b1 * old + b2 * s_prev[k, a]
            s_prev[k, a] = old


@njit(cache=True)
def direction(
    x: FloatArray, s: FloatArray, pce: FloatArray, fixed: FloatArray, out: FloatArray
) -> float:
    """``out = sum_k pce_k (s_k - x_k)``; return the fixed-cost slope ``sum pce g (s - x)``."""
    out[:] = 0.0
    slope = 0.0
    for k in range(x.shape[0]):
        for a in range(x.shape[1]):
            d = s[k, a] - x[k, a]
            out[a] += pce[k] * d
            slope += pce[k] * fixed[k, a] * d
    return slope


@njit(cache=True)
def _slope(
    tau: float,
    group_vol: FloatArray,
    group_dir: FloatArray,
    dvol: FloatArray,
    t0: FloatArray,
    capacity: FloatArray,
    alpha: FloatArray,
    beta: FloatArray,
    kind: Int8Array,
    fixed_slope: float,
) -> tuple[float, float]:
    first = fixed_slope
    second = 0.0
    for a in range(dvol.shape[0]):
        d = dvol[a]
        if d == 0.0:
            continue
        v = group_vol[a] + tau * group_dir[a]
        first += link_time(v, t0[a], capacity[a], alpha[a], beta[a], kind[a]) * d
        second += (
            link_derivative(v, t0[a], capacity[a], alpha[a], beta[a], kind[a]) * group_dir[a] * d
        )
    return first, second


@njit(cache=True)
def line_search(
    group_vol: FloatArray,
    group_dir: FloatArray,
    dvol: FloatArray,
    t0: FloatArray,
    capacity: FloatArray,
    alpha: FloatArray,
    beta: FloatArray,
    kind: Int8Array,
    fixed_slope: float,
) -> float:
    """Exact step on ``[0, 1]`` minimising the objective along the direction.

    ``dvol`` is the link direction (PCE units), ``group_dir`` its sum over each
    link's capacity group and ``group_vol`` the current group volume per link.
    Finds the root of the directional derivative by Newton steps kept inside a
    shrinking bracket (bisection when Newton leaves it). Returns ``-1.0`` if the
    direction does not descend at ``tau = 0``.
    """
    args = (group_vol, group_dir, dvol, t0, capacity, alpha, beta, kind, fixed_slope)
    g0, _ = _slope(0.0, *args)
    if not g0 < 0.0:
        return -1.0
    g1, _ = _slope(1.0, *args)
    if g1 <= 0.0:
        return 1.0
    lo = 0.0
    hi = 1.0
    # Start from the secant root of the bracket: close when the slope is near linear.
    tau = g0 / (g0 - g1)
    tol = 1e-13 * abs(g0)
    for _ in range(200):
        g, h = _slope(tau, *args)
        if abs(g) <= tol:
            return tau
        if g < 0.0:
            lo = tau
        else:
            hi = tau
        if hi - lo <= 1e-15:
            break
        step = tau - g / h if h > 0.0 else -1.0
        tau = step if lo < step < hi else 0.5 * (lo + hi)
    return 0.5 * (lo + hi)


@njit(cache=True)
def take_step(x: FloatArray, s: FloatArray, tau: float) -> None:
    """``x <- x + tau (s - x)`` in place."""
    for k in range(x.shape[0]):
        for a in range(x.shape[1]):
            x[k, a] += tau * (s[k, a] - x[k, a])
