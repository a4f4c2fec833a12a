"""Headroom by bisection, checked by hand on the tiny network."""

from __future__ import annotations

from pathlib import Path

import pytest
from tiny_cases import tiny, with_tonnes

from corridor.graph.services import sailings_per_year
from corridor.resilience.headroom import headroom
from tiny_network import TINY

# middle demand a → f: 10,000 TEU via the ferry d → e (3 ships, 100 TEU, load 0.7,
# 20 h crossing, 24 h in port); the border b-c (100,000 TEU) also takes the
# northern 20,000 TEU, terminal d holds 80,000 TEU, line c-d 200,000 TEU
MIDDLE = 10_000.0


def test_middle_absorbs_up_to_the_ferry_by_hand(tmp_path: Path) -> None:
    ferry = 3 * 8760 / (2 * (20 + 24)) * 100 * 0.7  # 20,904.5 TEU a year
    assert sailings_per_year(3, 20, 24) * 100 * 0.7 == pytest.approx(ferry)
    h = headroom(
        tiny(tmp_path / "t"), "middle", max_p90_rise=100, max_cost_rise=100,
        max_multiplier=4.0, tolerance=0.01,
    )  # fmt: skip
    assert h.limit == "capacity"
    assert h.first_failing is not None and h.first_failing.binding == "fe"
    # the hand figure, ferry / demand = 2.09, bounds it; near a full ferry the wait
    # for a sailing turns the last shippers to the other route a little before it
    # is full (loading in steps of 5 utilisation points: 97.8 % at x2.078)
    assert h.multiplier <= ferry / MIDDLE + 1e-9
    assert h.first_failing.multiplier >= 0.98 * ferry / MIDDLE
    assert h.first_failing.multiplier - h.multiplier <= 0.01
    assert h.extra_per_year == pytest.approx((h.multiplier - 1) * MIDDLE, rel=1e-6)


def test_a_tighter_threshold_never_gives_more_headroom(tmp_path: Path) -> None:
    net = tiny(tmp_path / "t")
    loose = headroom(net, "middle", max_p90_rise=100, max_cost_rise=100, tolerance=0.05)
    tight = headroom(net, "middle", max_p90_rise=0.02, max_cost_rise=100, tolerance=0.05)
    assert tight.multiplier <= loose.multiplier + 1e-9
    # the ferry's queue lengthens the p90 well before the ferry is full
    assert tight.limit == "p90"
    assert tight.multiplier < loose.multiplier
    assert tight.first_failing is not None
    assert tight.first_failing.p90_days > tight.base.p90_days * 1.02
    assert tight.last_ok.p90_days <= tight.base.p90_days * 1.02 + 1e-9


def test_a_corridor_without_its_own_demand_is_a_clear_error(tmp_path: Path) -> None:
    from corridor.errors import CorridorError

    net = tiny(tmp_path / "t", demand=TINY["demand"].replace(",middle,", ",northern,"))
    with pytest.raises(CorridorError, match="no demand of containers is observed"):
        headroom(net, "middle")


def _ore_only(tmp_path: Path) -> object:
    """Ore alone: 20,000 t a year a → f on each of the middle and the northern corridors.

    Both cross border bc (60,000 t); only the middle also loads port d (50,000 t) and
    line c-d (100,000 t), the northern goes c → r → f (no capacity). The ferry is far
    larger (30 ships). No containers.
    """
    demand = (
        "id,origin,destination,commodity,volume_per_year,corridor,year,source\n"
        "o1,a,f,ore,20000,middle,2024,est\no2,a,f,ore,20000,northern,2024,est\n"
    )
    return tiny(tmp_path / "t", **{**with_tonnes("60000", "50000"), "demand": demand})


def test_each_corridor_of_a_bulk_commodity_by_hand(tmp_path: Path) -> None:
    from corridor.resilience.headroom import headrooms

    found = headrooms(
        _ore_only(tmp_path), commodity="ore", max_p90_rise=100, max_cost_rise=100,
        tolerance=0.01,
    )  # fmt: skip
    assert [(h.commodity, h.corridor) for h in found] == [("ore", "middle"), ("ore", "northern")]
    for h in found:
        # by hand: the border carries m x 20,000 of this corridor + 20,000 of the other,
        # full at m = 2 (the middle's port would allow 2.5, its line 5): bc binds first
        assert h.unit == "t" and h.limit == "capacity"
        assert h.first_failing is not None and h.first_failing.binding == "bc"
        assert h.multiplier <= 2 + 1e-9 <= h.first_failing.multiplier + 2e-9
        assert h.first_failing.multiplier - h.multiplier <= 0.01
        assert h.extra_per_year == pytest.approx((h.multiplier - 1) * 20_000, rel=1e-6)
        record = h.to_dict()
        assert record["binding_element"] == "bc"
        assert record["base"]["cost_usd_per_t"] > 0 and "cost_usd_per_feu" not in record["base"]


def test_without_the_border_limit_the_port_binds_the_middle_only(tmp_path: Path) -> None:
    from corridor.resilience.headroom import headroom

    net = _ore_only(tmp_path)
    # raise the border to 1 Mt: the middle's port (50,000 t) binds at m = 2.5
    wide = tiny(
        tmp_path / "w",
        **{**with_tonnes("1000000", "50000"), "demand": net.demand.to_pandas().to_csv(index=False)},
    )
    h = headroom(
        wide, "middle", commodity="ore", max_p90_rise=100, max_cost_rise=100, tolerance=0.01
    )
    assert h.first_failing is not None and h.first_failing.binding == "td"
    assert h.multiplier <= 2.5 + 1e-9 <= h.first_failing.multiplier + 2e-9
    north = headroom(
        wide, "northern", commodity="ore", max_p90_rise=100, max_cost_rise=100, tolerance=0.01
    )
    assert north.limit == "none" and north.multiplier == 4.0  # nothing binds up to x4
