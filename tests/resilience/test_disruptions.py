"""Disruptions as scenario changes, and what they do on the default dataset."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from stress_cases import loaded

from corridor.errors import CorridorError
from corridor.resilience.disruptions import caspian_drop, outage, parse_closure, stress_scenario
from corridor.resilience.exposure import exposure
from corridor.resilience.stress import stress

CPC_T = 67_000_000  # links.csv p_cpc capacity_t_per_year


def _element(net: Any, table: str, ident: str) -> int:
    return next(i for i, k in enumerate(net.capacities.key) if k[:2] == (table, ident))


def test_outage_scales_capacity_by_the_days_left(default: dict[str, Any]) -> None:
    after = loaded(default, outages=(("p_cpc", 30),))
    i = _element(after, "links", "p_cpc")
    assert after.capacities.capacity_t[i] == pytest.approx(CPC_T * 335 / 365)


def test_cpc_outage_30_days_is_absorbed_by_its_headroom(default: dict[str, Any]) -> None:
    # 55.6 Mt of demand < 67 Mt × 335/365 = 61.5 Mt: the rest of the year catches up
    x = exposure(loaded(default, outages=(("p_cpc", 30),)), "crude_oil")
    assert x.stranded == 0
    assert x.corridor_shares["cpc"] == pytest.approx(
        exposure(loaded(default), "crude_oil").corridor_shares["cpc"]
    )


def test_long_cpc_outage_binds_and_the_rest_is_carried_or_stranded(
    default: dict[str, Any],
) -> None:
    after = loaded(default, outages=(("p_cpc", 200),))
    i = _element(after, "links", "p_cpc")
    assert after.element_t[i] == pytest.approx(CPC_T * 165 / 365)
    crude = [f for f in after.flows if f.segment.commodity == "crude_oil"]
    for f in crude:
        carried = sum(v for _, v in f.paths)
        assert carried + f.unserved == pytest.approx(f.segment.volume)


def test_caspian_drop_follows_the_datasets_one_metre_figure(default: dict[str, Any]) -> None:
    base = default["base"]
    limited = set(base.services["id"][base.services["draft_limited"]])
    changes = caspian_drop(base, 1.0)
    assert {c.id for c in changes} == limited
    assert all(c.value == pytest.approx(0.8) for c in changes)
    assert all(c.value == pytest.approx(0.6) for c in caspian_drop(base, 2.0))
    # beyond the range, an error naming it, never a silent clamp to empty ships
    for metres in (9.0, 5.0, float("nan"), float("inf")):
        with pytest.raises(ValueError, match=r"Caspian drop in metres must be in \[0, 5\)"):
            caspian_drop(base, metres)


def test_a_caspian_drop_never_makes_a_caspian_route_faster(default: dict[str, Any]) -> None:
    base = default["base"]
    out = stress(stress_scenario(base, caspian_drop_m=1.0), calibration=default["calibration"])
    caspian = set(base.services["from"][base.services["draft_limited"]])
    after = {(r["origin"], r["destination"], r["commodity"], r["corridor"]): r
             for r in out["routes_after"]}  # fmt: skip
    checked = 0
    for r in out["routes_before"]:
        if not {leg["from"] for leg in r["legs"]} & caspian:
            continue
        a = after.get((r["origin"], r["destination"], r["commodity"], r["corridor"]))
        assert a is not None
        assert a["time_days"] >= r["time_days"] - 1e-9
        checked += 1
    assert checked > 0


def test_bad_disruptions_are_one_line_errors(default: dict[str, Any]) -> None:
    base = default["base"]
    with pytest.raises(CorridorError, match="not a country code"):
        parse_closure(base, "nowhere")
    with pytest.raises(CorridorError, match="days must be"):
        outage(base, "p_cpc", 400)
    with pytest.raises(CorridorError, match="no link"):
        outage(base, "nothing", 3)
    with pytest.raises(CorridorError, match=r"must be in \[0, 5\), got -1"):
        caspian_drop(base, -1)
    assert np.isfinite(outage(base, "p_cpc", 0)[0].value)
