"""Door-to-door time percentiles from leg dwell variability (Monte Carlo).

Until a full simulation is asked for, each leg's waiting time is drawn from a
gamma distribution with the leg's mean and coefficient of variation, moving
time from a tight gamma (CV 5 %), legs independent. Gamma fits the right-skewed
dwell observed at borders and ports and has a closed form from mean and CV.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from corridor.graph.compiled import MOVING_CV
from corridor.paths.routes import Route


def _gamma(rng: np.random.Generator, mean: float, cv: float, n: int) -> np.ndarray:
    if mean <= 0:
        return np.zeros(n)
    if cv <= 0:
        return np.full(n, mean)
    shape = 1.0 / cv**2
    return rng.gamma(shape, mean / shape, n)


def sample_days(route: Route, *, samples: int = 4000, seed: int = 0) -> np.ndarray:
    """Door-to-door days of ``samples`` independent trips along a route."""
    rng = np.random.default_rng(seed)
    hours = np.zeros(samples)
    for leg in route.legs:
        hours += _gamma(rng, leg.hours_moving, MOVING_CV, samples)
        hours += _gamma(rng, leg.hours_waiting, leg.hours_waiting_cv, samples)
    return hours / 24.0


def day_percentiles(
    route: Route, qs: Sequence[float] = (10, 50, 90), *, samples: int = 4000, seed: int = 0
) -> tuple[float, ...]:
    """Percentiles of door-to-door days.

    Examples
    --------
    >>> from corridor import load_network, routes
    >>> r = routes(load_network(), "xian", "duisburg", corridors=["middle"])[0]
    >>> p10, p50, p90 = day_percentiles(r)
    >>> p10 < r.time_days < p90
    True
    """
    days = sample_days(route, samples=samples, seed=seed)
    return tuple(float(x) for x in np.percentile(days, qs))
