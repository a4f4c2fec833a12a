"""Door-to-door time percentiles from leg dwell variability (Monte Carlo).

Until a full simulation is asked for, each leg's waiting time is drawn from a
gamma distribution with the leg's mean and coefficient of variation, moving
time from a tight gamma (CV 5 %), legs independent. Gamma fits the right-skewed
dwell observed at borders and ports and has a closed form from mean and CV.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from corridor.graph.compiled import MOVING_CV
from corridor.paths.routes import Route


def sample_days(route: Route, *, samples: int = 4000, seed: int = 0) -> np.ndarray:
    """Door-to-door days of ``samples`` independent trips along a route."""
    means = np.array(
        [m for leg in route.legs for m in (leg.hours_moving, leg.hours_waiting)], dtype=float
    )
    cvs = np.array(
        [c for leg in route.legs for c in (MOVING_CV, leg.hours_waiting_cv)], dtype=float
    )
    fixed = (means <= 0) | (cvs <= 0)
    hours = np.full(samples, means[fixed].sum())
    random = ~fixed
    if random.any():
        shape = 1.0 / cvs[random] ** 2
        scale = means[random] / shape
        rng = np.random.default_rng(seed)
        draws = rng.gamma(shape[:, None], scale[:, None], size=(int(random.sum()), samples))
        hours += draws.sum(axis=0)
    return hours / 24.0


def day_percentiles(route: Route, qs: Sequence[float] = (10, 50, 90)) -> tuple[float, ...]:
    """Percentiles of door-to-door days, in closed form.

    The sum of the legs' independent gamma times is approximated by a shifted
    gamma ``c + Gamma(k, θ)`` with the same mean, variance and skewness (the
    sum's first three cumulants; a gamma leg of mean μ and variance σ² has
    third cumulant 2σ⁴/μ). The shift carries the nearly fixed moving time.
    Gamma quantiles come from the Wilson–Hilferty cube-root normal
    approximation. Tests check this against :func:`sample_days`.

    Examples
    --------
    >>> from corridor import load_network, routes
    >>> r = routes(load_network(), "xian", "duisburg", corridors=["middle"])[0]
    >>> p10, p50, p90 = day_percentiles(r)
    >>> p10 < r.time_days < p90
    True
    """
    parts = [
        (mu, cv)
        for leg in route.legs
        for mu, cv in ((leg.hours_moving, MOVING_CV), (leg.hours_waiting, leg.hours_waiting_cv))
    ]
    return tuple(h / 24.0 for h in hour_percentiles(parts, qs))


def hour_percentiles(
    parts: Sequence[tuple[float, float]], qs: Sequence[float] = (10, 50, 90)
) -> tuple[float, ...]:
    """Percentiles (hours) of a sum of independent gamma times given as ``(mean, CV)``
    pairs, by the shifted gamma of :func:`day_percentiles` (a part with mean or CV
    0 is fixed).

    Examples
    --------
    >>> [round(h, 2) for h in hour_percentiles([(10.0, 0.0), (5.0, 0.0)], (50, 90))]
    [15.0, 15.0]
    """
    mean = k2 = k3 = 0.0
    for mu, cv in parts:
        if mu <= 0 or cv <= 0:
            mean += max(mu, 0.0)
            continue
        var = (cv * mu) ** 2
        mean += mu
        k2 += var
        k3 += 2.0 * var**2 / mu
    if k2 <= 0 or k3 <= 0:
        return tuple(mean for _ in qs)
    shape = 4.0 * k2**3 / k3**2
    scale = k3 / (2.0 * k2)
    shift = mean - shape * scale
    c = 1.0 / (9.0 * shape)
    out = []
    for q in qs:
        z = _normal_quantile(q / 100.0)
        gamma_q = shape * scale * max(1.0 - c + z * math.sqrt(c), 0.0) ** 3
        out.append(shift + gamma_q)
    return tuple(out)


def _normal_quantile(p: float) -> float:
    """Standard normal quantile."""
    from statistics import NormalDist

    return NormalDist().inv_cdf(p)
