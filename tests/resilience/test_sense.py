"""Sense checks on the default dataset, as a transport economist would make them."""

from __future__ import annotations

from typing import Any

import pytest
from stress_cases import loaded

from corridor.analysis import analyze
from corridor.resilience.exposure import exposure


@pytest.fixture(scope="module")
def base_routes(default: dict[str, Any]) -> dict[tuple[str, ...], dict[str, Any]]:
    routes = analyze(loaded(default))["routes"]
    return {(r["origin"], r["destination"], r["commodity"], r["corridor"]): r for r in routes}


@pytest.mark.parametrize("disruption", [{"close": ("RU", "BY")}, {"caspian_drop_m": 1.0}])
def test_a_route_gets_cheaper_only_where_its_elements_got_emptier(
    default: dict[str, Any], base_routes: dict[tuple[str, ...], Any], disruption: dict[str, Any]
) -> None:
    """A disruption may not make a route cheaper in generalised cost (money + time value)
    unless diverted or stranded traffic left one of its capacity elements emptier: closing
    Russia takes the Northern transit off the Kazakh lines and Dostyk, so Kazakh exports to
    China and Japan queue less. Days alone may fall when a corridor's best route switches
    to a faster, dearer variant."""
    after = analyze(loaded(default, **disruption))["routes"]
    compared = cheaper = 0
    for r in after:
        b = base_routes.get((r["origin"], r["destination"], r["commodity"], r["corridor"]))
        if b is None:
            continue
        compared += 1
        if r["generalised_cost_usd_per_feu"] >= b["generalised_cost_usd_per_feu"] * (1 - 1e-9):
            continue
        cheaper += 1
        was = {(x["id"], x["from"], x["to"]): x["utilisation"] for x in b["bottlenecks"]}
        emptier = [
            x["id"]
            for x in r["bottlenecks"]
            if x["utilisation"] < was.get((x["id"], x["from"], x["to"]), 0.0) - 1e-9
        ]
        assert emptier, (r["origin"], r["destination"], r["commodity"], r["corridor"])
    assert compared > 20
    assert cheaper < compared / 2


def test_russia_closed_strands_crude_in_tonnes_and_no_container(default: dict[str, Any]) -> None:
    after = loaded(default, close=("RU", "BY"))
    crude = exposure(after, "crude_oil")
    boxes = exposure(after, "containers")
    assert crude.unit == "t" and boxes.unit == "teu"
    # Kazakh crude to Europe is 57 Mt; the Caspian tankers take about 2.2 Mt of it
    assert 50e6 < crude.stranded < 57e6
    assert boxes.stranded == 0  # containers have the sea and the Middle Corridor
