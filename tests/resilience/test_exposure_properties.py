"""Exposure checked by hand on the tiny ore network, and HHI and shares by Hypothesis."""

from __future__ import annotations

import random
from pathlib import Path
from tempfile import TemporaryDirectory

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tiny_cases import tiny, with_tonnes

from corridor.loaded.prepare import prepare
from corridor.resilience.disruptions import stress_scenario
from corridor.resilience.exposure import exposure, hhi


def _ore(folder: Path, middle: float, northern: float, border_t: str = "inf") -> object:
    demand = (
        "id,origin,destination,commodity,volume_per_year,corridor,year,source\n"
        f"o1,a,f,ore,{middle!r},middle,2024,est\no2,a,f,ore,{northern!r},northern,2024,est\n"
    )
    return tiny(folder, **{**with_tonnes(border_t, "inf"), "demand": demand})


def test_shares_hhi_and_russian_tonne_km_by_hand(tmp_path: Path) -> None:
    # a (CN) → f (GE), 20,000 t each way round: middle a-b-c-d ferry e-f crosses KZ and AZ
    # over 500 + 1,000 + 500 + 500 = 2,500 km; northern a-b-c-r-f crosses KZ and RU over
    # 500 + 800 + 900 = 2,200 km, of which half of c-r and half of r-f count for Russia
    x = exposure(prepare(_ore(tmp_path / "t", 20_000, 20_000)), "ore")
    assert x.unit == "t" and x.demand == 40_000 and x.stranded == 0
    assert x.corridor_shares == pytest.approx({"middle": 0.5, "northern": 0.5})
    assert x.hhi_routes == pytest.approx(0.5)
    assert x.country_shares == pytest.approx({"KZ": 1.0, "AZ": 0.5, "RU": 0.5})
    assert x.hhi_countries == pytest.approx(0.5**2 + 0.25**2 + 0.25**2)
    ru_km = 0.5 * 800 + 0.5 * 900
    assert x.tonne_km_shares["RU"] == pytest.approx(ru_km / (2_500 + 2_200))
    assert x.tonne_km_shares["IR"] == 0
    # Russia closed: the northern ore has no way (its corridor must pass r): stranded
    after = exposure(prepare(stress_scenario(_ore(tmp_path / "c", 20_000, 20_000),
                                             close=("RU",))), "ore")  # fmt: skip
    assert after.stranded == pytest.approx(20_000)
    assert after.corridor_shares == pytest.approx({"middle": 1.0}) and after.hhi_routes == 1.0
    assert "RU" not in after.country_shares and after.tonne_km_shares["RU"] == 0


# zero or a volume a year well clear of underflow when scaled
weights = st.lists(st.one_of(st.just(0.0), st.floats(1e-6, 1e9)), min_size=1, max_size=12)


@given(weights, st.floats(1e-3, 1e3), st.randoms(use_true_random=False))
def test_hhi_bounds_scale_and_order(w: list[float], k: float, rnd: random.Random) -> None:
    positive = [x for x in w if x > 0]
    h = hhi(w)
    if not positive:
        assert h == 0.0
        return
    assert 1 / len(positive) - 1e-12 <= h <= 1 + 1e-12
    assert hhi([k * x for x in w]) == pytest.approx(h, rel=1e-9)
    shuffled = list(w)
    rnd.shuffle(shuffled)
    assert hhi(shuffled) == pytest.approx(h, rel=1e-9)
    if len(positive) >= 2:  # merging two routes into one never spreads the flow more
        assert hhi([positive[0] + positive[1], *positive[2:]]) >= h - 1e-12


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    middle=st.floats(100, 80_000),
    northern=st.floats(100, 80_000),
    border_t=st.sampled_from(["inf", "30000", "60000"]),
)
def test_exposure_shares_add_up(middle: float, northern: float, border_t: str) -> None:
    with TemporaryDirectory() as folder:
        x = exposure(prepare(_ore(Path(folder) / "t", middle, northern, border_t)), "ore")
    assert x.carried + x.stranded == pytest.approx(middle + northern, rel=1e-9)
    if x.carried > 0:
        assert sum(x.corridor_shares.values()) == pytest.approx(1.0)
        top = max(x.corridor_shares.values())
        assert top**2 - 1e-12 <= x.hhi_routes <= top + 1e-12
    assert all(0 <= s <= 1 + 1e-12 for s in x.country_shares.values())
    assert all(0 <= s <= 1 + 1e-12 for s in x.tonne_km_shares.values())
    if x.stranded > 1e-6:  # only the shared border can stop the ore here
        assert border_t != "inf" and "bc" in x.refused_by
