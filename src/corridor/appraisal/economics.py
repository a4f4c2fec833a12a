"""Discounted cash flows of a measure: NPV, BCR, EIRR, payback, residual value.

Conventions (stated here, the lenders' usual ones):

- Year 0 is the decision year; a flow in year ``t`` is discounted by
  ``(1 + r) ** -t`` (numpy-financial's ``npv`` convention). Prices are real, of
  :attr:`Parameters.price_year`, in USD.
- Capex is spread evenly over ``ceil(build_years)`` years from year 0; the
  measure opens at the start of year ``ceil(build_years)``; opex and benefits
  run from then to the end of the horizon.
- An asset whose life ends before the horizon is renewed at the same real cost
  in the year its life ends; the last vintage's unused life, straight-line, is
  its residual value in the horizon's last year, counted as a negative cost.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Parameters:
    """Economic parameters of an appraisal, with their stated defaults and sources.

    ``discount_rate`` 6 % real: the World Bank's guidance note *Discounting
    Costs and Benefits in Economic Analysis of World Bank Projects* (2016) sets
    the social discount rate at about twice expected per-capita growth, 6 % by
    default; ADB's *Guidelines for the Economic Analysis of Projects* (2017)
    use 9 % (6 % for some sectors), so test 9 % as a sensitivity.
    ``horizon_years`` 25: a common appraisal period for transport projects
    (EU *Guide to Cost-Benefit Analysis of Investment Projects*, 2014: 25–30
    years for transport). Year 0 of the horizon is ``start_year`` (the first
    year of construction); prices are real, of ``price_year``.
    ``jpy_per_usd`` 151.4: the 2024 average rate (IMF International Financial
    Statistics), to report in yen for JICA.
    ``demand_growth`` 3 % a year on every flow from the dataset year
    ``base_year``: a stated assumption near the trend of world container
    trade (UNCTAD *Review of Maritime Transport*); the scenarios carry the
    faster Middle Corridor paths. Benefits are computed on the loaded network
    at the demand of each ``growth_anchor_years`` (years of the horizon),
    interpolated linearly between them and held after the last (demand growth
    is capped there, as the UK's TAG caps it 20 years out).
    ``demand_elasticity`` 0.6: see :data:`corridor.appraisal.benefits.DEMAND_ELASTICITY`.
    ``reliability_ratio`` and ``carbon_price_usd_per_t``: see
    :mod:`corridor.appraisal.reliability` (CO₂ is off at price 0).
    """

    discount_rate: float = 0.06
    horizon_years: int = 25
    price_year: int = 2024
    start_year: int = 2026
    base_year: int = 2024
    currency: str = "USD"
    jpy_per_usd: float = 151.4
    demand_growth: float = 0.03
    growth_anchor_years: tuple[int, ...] = (0, 15)
    demand_elasticity: float = 0.6
    reliability_ratio: float = 1.2
    carbon_price_usd_per_t: float = 0.0

    def to_jpy(self, usd: float) -> float:
        """Convert a USD amount of the price year to JPY at the stated rate."""
        return usd * self.jpy_per_usd

    def growth_factor(self, year: int) -> float:
        """Demand in year ``year`` of the horizon over the dataset year's.

        Examples
        --------
        >>> round(Parameters(demand_growth=0.1).growth_factor(1), 3)
        1.331
        """
        return float((1.0 + self.demand_growth) ** (self.start_year - self.base_year + year))

    def anchors(self) -> tuple[int, ...]:
        """The growth anchor years inside the horizon, sorted (at least year 0)."""
        inside = sorted({min(max(a, 0), self.horizon_years - 1) for a in self.growth_anchor_years})
        return tuple(inside) or (0,)


@dataclass(frozen=True)
class CostStream:
    """Yearly capex (with renewals), opex and residual value over the horizon."""

    capex: FloatArray
    opex: FloatArray
    residual: FloatArray
    opening_year: int


@dataclass(frozen=True)
class Result:
    """Economic indicators of one measure or set (USD of the price year)."""

    pv_benefits_usd: float
    pv_costs_usd: float
    npv_usd: float
    bcr: float
    eirr: float | None
    payback_years: int | None
    first_year_return: float


def discount_factors(rate: float, years: int) -> FloatArray:
    """``(1 + rate) ** -t`` for ``t = 0 .. years - 1``.

    Examples
    --------
    >>> [round(float(f), 4) for f in discount_factors(0.1, 3)]
    [1.0, 0.9091, 0.8264]
    """
    return np.asarray((1.0 + rate) ** -np.arange(years, dtype=np.float64), dtype=np.float64)


def npv(rate: float, flows: Sequence[float] | FloatArray) -> float:
    """Net present value of yearly flows, the first in year 0.

    Examples
    --------
    >>> round(npv(0.1, [-100.0, 60.0, 60.0]), 2)
    4.13
    """
    f = np.asarray(flows, dtype=np.float64)
    return float(f @ discount_factors(rate, f.size))


def irr(flows: Sequence[float] | FloatArray) -> float | None:
    """Internal rate of return: the rate in (-0.99, 1e6) at which the NPV is zero.

    Found by bisection where the NPV changes sign between -0.99 and 1e6; None
    when it does not (all flows of one sign). With conventional flows (costs
    first, then benefits) the root is unique and equals numpy-financial's.

    Examples
    --------
    >>> round(irr([-100.0, 60.0, 60.0]) or 0.0, 4)
    0.1307
    """
    f = np.asarray(flows, dtype=np.float64)
    lo, hi = -0.99, 1e6
    f_lo, f_hi = npv(lo, f), npv(hi, f)
    if not (math.isfinite(f_lo) and math.isfinite(f_hi)) or f_lo * f_hi > 0:
        return None
    if f_lo == 0:
        return lo
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        f_mid = npv(mid, f)
        if f_mid == 0 or hi - lo < 1e-13:
            return mid
        if (f_mid > 0) == (f_lo > 0):
            lo, f_lo = mid, f_mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def payback_year(flows: Sequence[float] | FloatArray) -> int | None:
    """First year in which the cumulative (undiscounted) net flow is >= 0, after
    it has been negative; None if never.

    Examples
    --------
    >>> payback_year([-100.0, 60.0, 60.0])
    2
    """
    cum = np.cumsum(np.asarray(flows, dtype=np.float64))
    neg = np.flatnonzero(cum < 0)
    if neg.size == 0:
        return 0
    after = np.flatnonzero(cum[neg[0] :] >= 0)
    return int(neg[0] + after[0]) if after.size else None


def opening_year(build_years: float, params: Parameters) -> int:
    """Year of the horizon in which a measure built over ``build_years`` opens.

    Examples
    --------
    >>> opening_year(2.5, Parameters())
    3
    """
    return max(1, math.ceil(build_years))


def cost_stream(
    capex_usd: float,
    opex_usd_per_year: float,
    lifetime_years: float,
    build_years: float,
    params: Parameters,
    start: int = 0,
) -> CostStream:
    """Capex phased over the build years from year ``start``, with renewals, opex, and
    residual value (module conventions).

    Examples
    --------
    >>> s = cost_stream(100.0, 5.0, 10.0, 2.0, Parameters(horizon_years=5))
    >>> s.capex.tolist(), s.opex.tolist(), s.residual.tolist()
    ([50.0, 50.0, 0.0, 0.0, 0.0], [0.0, 0.0, 5.0, 5.0, 5.0], [0.0, 0.0, 0.0, 0.0, 70.0])
    >>> cost_stream(100.0, 5.0, 10.0, 2.0, Parameters(horizon_years=5), start=1).capex.tolist()
    [0.0, 50.0, 50.0, 0.0, 0.0]
    """
    h = params.horizon_years
    build = opening_year(build_years, params)
    capex = np.zeros(h)
    opex = np.zeros(h)
    residual = np.zeros(h)
    capex[min(start, h) : min(start + build, h)] += capex_usd / build
    opening = start + build
    if opening < h:
        opex[opening:] = opex_usd_per_year
    life = max(1, math.ceil(lifetime_years)) if lifetime_years > 0 else h
    vintage = opening
    while vintage + life < h:
        vintage += life
        capex[vintage] += capex_usd
    if capex_usd > 0 and opening < h:
        unused = vintage + life - h
        residual[h - 1] = capex_usd * max(unused, 0) / life
    return CostStream(capex, opex, residual, opening)


def evaluate(
    benefits: Sequence[float] | FloatArray, costs: CostStream, params: Parameters
) -> Result:
    """Indicators of a benefit stream against a cost stream (module conventions).

    Examples
    --------
    >>> p = Parameters(discount_rate=0.1, horizon_years=3)
    >>> c = CostStream(np.array([100.0, 0, 0]), np.zeros(3), np.zeros(3), 1)
    >>> r = evaluate([0.0, 60.0, 60.0], c, p)
    >>> round(r.npv_usd, 2), round(r.bcr, 3), r.payback_years
    (4.13, 1.041, 2)
    """
    b = np.asarray(benefits, dtype=np.float64)
    rate = params.discount_rate
    pv_b = npv(rate, b)
    pv_c = npv(rate, costs.capex + costs.opex - costs.residual)
    net = b - costs.capex - costs.opex + costs.residual
    total_capex = float(costs.capex[: costs.opening_year].sum())
    first = float(b[costs.opening_year]) if costs.opening_year < b.size else 0.0
    return Result(
        pv_benefits_usd=pv_b,
        pv_costs_usd=pv_c,
        npv_usd=pv_b - pv_c,
        bcr=pv_b / pv_c if pv_c > 0 else math.inf if pv_b > 0 else 0.0,
        eirr=irr(net),
        payback_years=payback_year(net),
        first_year_return=first / total_capex if total_capex > 0 else math.inf,
    )
