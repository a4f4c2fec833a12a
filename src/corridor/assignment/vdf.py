"""Volume-delay functions: link time, its derivative and its integral (the Beckmann terms).

Two functions, chosen per link by :attr:`AssignmentGraph.vdf`:

BPR (``VDF_BPR``)
    ``t(v) = t0 * (1 + alpha * (v / c) ** beta)`` with any real ``beta >= 0``
    (Barcelona's powers are fractional). A link with ``alpha == 0``, ``beta == 0``
    (TNTP connectors: ``t = t0 * (1 + alpha)``), capacity ``0`` or capacity ``inf``
    has a constant cost.

Queue (``VDF_QUEUE``), for borders, ports, terminals and ferries
    ``t(v) = t0 + alpha * rho ** beta / (1 - rho)`` with ``rho = v / c``: the
    Sakasegawa (1977) approximation of the mean wait in a G/G/c queue,
    ``Wq = (ca² + cs²) / 2 * s * rho ** (sqrt(2 (c + 1)) - 1) / (c (1 - rho))``, which
    is Kingman's formula for one server and close to Erlang C for M/M/c. ``t0`` is the
    dwell without queueing (documents, inspection, handling). The wait is infinite at
    ``rho = 1``, which an equilibrium cannot use, so beyond ``rho = QUEUE_RHO_MAX``
    the function continues along its tangent: finite, continuous with a continuous
    slope, convex and increasing. A queue link whose utilisation passes
    ``QUEUE_RHO_MAX`` is over capacity; the result reports it.

Scalar functions are numba ``njit`` (inlined into the assignment kernels); the
``*_array`` kernels fill preallocated outputs.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit
from numpy.typing import NDArray

from corridor.assignment.graph import AssignmentGraph

__all__ = [
    "QUEUE_RHO_MAX",
    "beckmann_objective",
    "link_derivative",
    "link_integral",
    "link_time",
    "link_times",
    "queue_parameters",
]

#: Utilisation beyond which the queue delay continues linearly (its tangent).
QUEUE_RHO_MAX = 0.95

FloatArray = NDArray[np.float64]


def queue_parameters(
    servers: float, service_time: float, ca2: float = 1.0, cs2: float = 1.0
) -> tuple[float, float]:
    """Return ``(alpha, beta)`` of the queue VDF for a G/G/c server group.

    Parameters
    ----------
    servers
        Number of parallel servers ``c`` (lanes, berths, ferries), at least 1.
    service_time
        Mean time one server spends on one unit (train, ship, truck), in the
        graph's time unit.
    ca2, cs2
        Squared coefficients of variation of inter-arrival and service times
        (1 and 1 is M/M/c).

    Returns
    -------
    tuple of float
        ``alpha = (ca2 + cs2) / 2 * service_time / servers`` and
        ``beta = sqrt(2 (servers + 1)) - 1``.

    Examples
    --------
    >>> queue_parameters(1, 2.0)  # M/M/1: Wq = 2 * rho / (1 - rho)
    (2.0, 1.0)
    """
    if servers < 1 or service_time < 0 or ca2 < 0 or cs2 < 0:
        raise ValueError("need servers >= 1 and non-negative service time and variabilities")
    return (ca2 + cs2) / 2.0 * service_time / servers, math.sqrt(2.0 * (servers + 1.0)) - 1.0


@njit(cache=True)
def _queue_wait(rho: float, alpha: float, beta: float) -> float:
    return alpha * math.pow(rho, beta) / (1.0 - rho)


@njit(cache=True)
def _queue_wait_slope(rho: float, alpha: float, beta: float) -> float:
    # d/drho of alpha * math.pow(rho, beta) / (1 - rho)
    one_minus = 1.0 - rho
    lead = beta * math.pow(rho, beta - 1.0) if rho > 0.0 else (1.0 if beta == 1.0 else 0.0)
    return alpha * (lead / one_minus + math.pow(rho, beta) / (one_minus * one_minus))


@njit(cache=True)
def _queue_wait_integral(rho: float, beta: float) -> float:
    # integral_0^rho r**beta / (1 - r) dr = sum_k rho**(beta + k + 1) / (beta + k + 1)
    total = 0.0
    power = math.pow(rho, beta + 1.0)
    for k in range(100000):
        term = power / (beta + k + 1.0)
        total += term
        if term <= 1e-17 * total:
            break
        power *= rho
    return total


@njit(cache=True)
def _constant(capacity: float, alpha: float, beta: float) -> bool:
    return alpha == 0.0 or capacity <= 0.0 or math.isinf(capacity)


@njit(cache=True)
def link_time(
    volume: float,
    t0: float,
    capacity: float,
    alpha: float,
    beta: float,
    kind: int,
) -> float:
    """Travel time of one link at ``volume`` (see the module docstring)."""
    if _constant(capacity, alpha, beta):
        return t0 * (1.0 + alpha) if (kind == 0 and beta == 0.0) else t0
    ratio = max(volume, 0.0) / capacity
    if kind == 0:
        return t0 * (1.0 + alpha * math.pow(ratio, beta))
    if ratio <= QUEUE_RHO_MAX:
        return t0 + _queue_wait(ratio, alpha, beta)
    return (
        t0
        + _queue_wait(QUEUE_RHO_MAX, alpha, beta)
        + _queue_wait_slope(QUEUE_RHO_MAX, alpha, beta) * (ratio - QUEUE_RHO_MAX)
    )


@njit(cache=True)
def link_derivative(
    volume: float,
    t0: float,
    capacity: float,
    alpha: float,
    beta: float,
    kind: int,
) -> float:
    """d time / d volume of one link; 0 where the slope at zero volume is unbounded."""
    if _constant(capacity, alpha, beta) or beta == 0.0:
        return 0.0
    ratio = max(volume, 0.0) / capacity
    if kind == 0:
        if ratio == 0.0:
            return t0 * alpha / capacity if beta == 1.0 else 0.0
        return t0 * alpha * beta * math.pow(ratio, beta - 1.0) / capacity
    return _queue_wait_slope(min(ratio, QUEUE_RHO_MAX), alpha, beta) / capacity


@njit(cache=True)
def link_integral(
    volume: float,
    t0: float,
    capacity: float,
    alpha: float,
    beta: float,
    kind: int,
) -> float:
    """Integral of the link time from 0 to ``volume`` (one Beckmann term)."""
    v = max(volume, 0.0)
    if _constant(capacity, alpha, beta):
        return v * (t0 * (1.0 + alpha) if (kind == 0 and beta == 0.0) else t0)
    ratio = v / capacity
    if kind == 0:
        return t0 * (v + alpha * capacity * math.pow(ratio, beta + 1.0) / (beta + 1.0))
    if ratio <= QUEUE_RHO_MAX:
        return t0 * v + alpha * capacity * _queue_wait_integral(ratio, beta)
    excess = ratio - QUEUE_RHO_MAX
    area = (
        _queue_wait_integral(QUEUE_RHO_MAX, beta) * alpha
        + _queue_wait(QUEUE_RHO_MAX, alpha, beta) * excess
        + 0.5 * _queue_wait_slope(QUEUE_RHO_MAX, alpha, beta) * excess * excess
    )
    return t0 * v + capacity * area


@njit(cache=True)
def times_array(
    volume: FloatArray,
    t0: FloatArray,
    capacity: FloatArray,
    alpha: FloatArray,
    beta: FloatArray,
    kind: NDArray[np.int8],
    out: FloatArray,
) -> None:
    """Fill ``out`` with the link times at ``volume``."""
    for a in range(volume.shape[0]):
        out[a] = link_time(volume[a], t0[a], capacity[a], alpha[a], beta[a], kind[a])


@njit(cache=True)
def derivatives_array(
    volume: FloatArray,
    t0: FloatArray,
    capacity: FloatArray,
    alpha: FloatArray,
    beta: FloatArray,
    kind: NDArray[np.int8],
    out: FloatArray,
) -> None:
    """Fill ``out`` with the link time derivatives at ``volume``."""
    for a in range(volume.shape[0]):
        out[a] = link_derivative(volume[a], t0[a], capacity[a], alpha[a], beta[a], kind[a])


@njit(cache=True)
def integral_sum(
    volume: FloatArray,
    t0: FloatArray,
    capacity: FloatArray,
    alpha: FloatArray,
    beta: FloatArray,
    kind: NDArray[np.int8],
) -> float:
    """Sum over links of the integral of the link time from 0 to ``volume``."""
    total = 0.0
    for a in range(volume.shape[0]):
        total += link_integral(volume[a], t0[a], capacity[a], alpha[a], beta[a], kind[a])
    return total


def link_times(graph: AssignmentGraph, volume: FloatArray) -> FloatArray:
    """Link times of ``graph`` (an :class:`AssignmentGraph`) at ``volume`` (CSR order).

    Parameters
    ----------
    graph
        The assignment graph.
    volume
        Link volumes in the graph's CSR order.

    Returns
    -------
    numpy.ndarray
        Link times, CSR order.
    """
    out = np.empty(graph.n_links)
    times_array(
        np.ascontiguousarray(volume, dtype=np.float64),
        graph.free_flow_time,
        graph.capacity,
        graph.alpha,
        graph.beta,
        graph.vdf,
        out,
    )
    return out


def beckmann_objective(graph: AssignmentGraph, volume: FloatArray) -> float:
    """Beckmann objective ``sum_a integral_0^{v_a} t_a`` of ``graph`` at ``volume`` (CSR order).

    Parameters
    ----------
    graph
        The assignment graph.
    volume
        Link volumes in the graph's CSR order.

    Returns
    -------
    float
    """
    return float(
        integral_sum(
            np.ascontiguousarray(volume, dtype=np.float64),
            graph.free_flow_time,
            graph.capacity,
            graph.alpha,
            graph.beta,
            graph.vdf,
        )
    )
