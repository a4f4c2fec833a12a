"""Economics against numpy-financial and discounting identities."""

from __future__ import annotations

import numpy as np
import numpy_financial as nf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corridor.appraisal.economics import (
    CostStream,
    Parameters,
    cost_stream,
    discount_factors,
    evaluate,
    irr,
    npv,
    payback_year,
)

money = st.floats(-1e9, 1e9, allow_nan=False, allow_infinity=False)


@given(st.floats(0.0, 0.5), st.lists(money, min_size=1, max_size=40))
def test_npv_equals_numpy_financial(rate: float, flows: list[float]) -> None:
    assert npv(rate, flows) == pytest.approx(nf.npv(rate, flows), rel=1e-9, abs=1e-3)


@settings(max_examples=200)
@given(
    st.lists(st.floats(1e3, 1e9), min_size=1, max_size=4),
    st.lists(st.one_of(st.just(0.0), st.floats(1e3, 1e9)), min_size=1, max_size=30),
)
def test_irr_equals_numpy_financial_on_conventional_flows(
    costs: list[float], benefits: list[float]
) -> None:
    # costs first, then benefits: one sign change, so one real IRR
    flows = [-c for c in costs] + benefits
    expected = nf.irr(flows)
    got = irr(flows)
    if np.isnan(expected) or not -0.9 < expected < 2.0:
        return  # no root, or outside any project's range (where polynomial roots lose digits)
    assert got is not None
    assert got == pytest.approx(expected, rel=1e-6, abs=1e-7)
    assert npv(got, flows) == pytest.approx(0.0, abs=1e-4 * sum(costs))


def test_irr_none_when_flows_never_change_sign() -> None:
    assert irr([-1.0, -2.0, -3.0]) is None
    assert irr([1.0, 2.0]) is None


@given(st.floats(0.001, 0.3), st.integers(1, 60), st.floats(1.0, 1e6))
def test_annuity_identity(rate: float, years: int, amount: float) -> None:
    # PV of `amount` a year for years 1..n is amount × (1 − (1+r)^−n) / r
    flows = [0.0] + [amount] * years
    closed = amount * (1 - (1 + rate) ** -years) / rate
    assert npv(rate, flows) == pytest.approx(closed, rel=1e-9)
    assert discount_factors(rate, years + 1)[-1] == pytest.approx((1 + rate) ** -years)


@given(
    st.floats(0.0, 1e9),
    st.floats(0.0, 1e7),
    st.floats(1.0, 60.0),
    st.floats(0.5, 8.0),
    st.integers(1, 40),
)
def test_cost_stream_spends_capex_once_per_vintage(
    capex: float, opex: float, life: float, build: float, horizon: int
) -> None:
    p = Parameters(horizon_years=horizon)
    s = cost_stream(capex, opex, life, build, p)
    n_build = max(1, int(np.ceil(build)))
    if n_build >= horizon:
        assert s.opex.sum() == 0 and s.residual.sum() == 0
        return
    vintages = 1 + sum(1 for k in range(1, horizon) if n_build + k * int(np.ceil(life)) < horizon)
    assert s.capex.sum() == pytest.approx(capex * vintages, rel=1e-9)
    assert s.opex.sum() == pytest.approx(opex * (horizon - n_build), rel=1e-9)
    assert 0 <= s.residual.sum() <= capex * (1 + 1e-12)


def test_evaluate_by_hand() -> None:
    # 100 in year 0, 60 in years 1 and 2 at 10 %: NPV 4.13, BCR 104.13/100
    p = Parameters(discount_rate=0.1, horizon_years=3)
    c = CostStream(np.array([100.0, 0, 0]), np.zeros(3), np.zeros(3), 1)
    r = evaluate([0.0, 60.0, 60.0], c, p)
    assert r.npv_usd == pytest.approx(nf.npv(0.1, [-100, 60, 60]))
    assert r.bcr == pytest.approx((60 / 1.1 + 60 / 1.21) / 100)
    assert r.eirr == pytest.approx(nf.irr([-100, 60, 60]))
    assert r.first_year_return == pytest.approx(0.6)
    assert payback_year([-100, 60, 60]) == 2
    assert payback_year([-100, 10, 10]) is None


def test_residual_value_is_a_negative_cost() -> None:
    p = Parameters(discount_rate=0.0, horizon_years=5)
    s = cost_stream(100.0, 0.0, 10.0, 1.0, p)  # opens in year 1, half its life unused
    assert s.residual[-1] == pytest.approx(60.0)
    r = evaluate(np.zeros(5), s, p)
    assert r.pv_costs_usd == pytest.approx(40.0)
