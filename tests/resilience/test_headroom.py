"""Headroom by bisection, checked by hand on the tiny network."""

from __future__ import annotations

from pathlib import Path

import pytest
from tiny_cases import tiny

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
    # bisection brackets the hand figure: ferry / demand = 2.09
    assert h.multiplier <= ferry / MIDDLE + 1e-9
    assert h.first_failing.multiplier >= ferry / MIDDLE - 1e-9
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
