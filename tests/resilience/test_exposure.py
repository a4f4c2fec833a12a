"""Shares, HHI and stranded volume checked by hand against the demand table."""

from __future__ import annotations

from typing import Any

import pytest
from stress_cases import loaded

from corridor.resilience.exposure import exposure, hhi, penalty

# demand.csv: Kazakh crude to Europe, 48.48 Mt by CPC (the other 5.5 and 1.62 of the 55.6 Mt
# go to Korea and Japan) and 1.13 Mt by BTC (0.27 of the 1.4 Mt go to Japan)
CPC, BTC = 48_480_000, 1_130_000


def test_hhi_by_hand() -> None:
    assert hhi([50, 50]) == pytest.approx(0.5)
    assert hhi([60, 30, 10]) == pytest.approx(0.36 + 0.09 + 0.01)
    assert hhi([7]) == 1.0
    assert hhi([]) == 0.0
    assert hhi([0, 5]) == 1.0


def test_base_crude_shares_and_hhi_match_the_demand_table(default: dict[str, Any]) -> None:
    x = exposure(loaded(default), "crude_oil", ("central_asia", "europe"))
    total = CPC + BTC
    assert x.demand == pytest.approx(total)
    assert x.stranded == 0
    assert x.corridor_shares == pytest.approx(
        {"cpc": CPC / total, "trans_caspian_btc": BTC / total}
    )
    assert x.hhi_routes == pytest.approx((CPC / total) ** 2 + (BTC / total) ** 2)
    # CPC runs through Russia to Novorossiysk; BTC through Azerbaijan and Georgia (or Türkiye)
    assert x.country_shares["RU"] == pytest.approx(CPC / total)
    assert x.country_shares["AZ"] == pytest.approx(BTC / total)
    assert 0 < x.tonne_km_shares["RU"] < 1
    assert x.tonne_km_shares["IR"] == 0


def test_russia_closed_strands_kazakh_crude_at_the_caspian_tankers(
    default: dict[str, Any],
) -> None:
    before = exposure(loaded(default), "crude_oil", ("central_asia", "europe"))
    after = exposure(loaded(default, close=("RU", "BY")), "crude_oil", ("central_asia", "europe"))
    assert "RU" not in after.country_shares
    assert after.tonne_km_shares["RU"] == 0
    assert "s_kmtf_tankers_aktau_sangachal" in after.refused_by
    # carried + stranded = demand, and most of it is stranded
    assert after.carried + after.stranded == pytest.approx(CPC + BTC)
    assert after.stranded > 0.9 * CPC
    assert penalty(before, after)["stranded_per_year"] == pytest.approx(after.stranded)
