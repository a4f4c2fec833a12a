"""A stress test: one disruption scenario against its base, as one JSON-ready object.

Both networks are prepared with the base year's calibration; the object holds
the analyze-contract routes before and after (default pairs), exposure per
commodity before and after with the penalty, stranded volume, and the
region-pair min cuts of the disrupted network (``min_cut[pair][commodity]``,
with the base's capacity and cut alongside) and, for the corridors asked for,
the headroom of the disrupted network (:mod:`corridor.resilience.headroom`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from corridor.analysis import analyze, default_pairs
from corridor.loaded.calibration import Calibration, calibrate
from corridor.loaded.network import LoadedNetwork
from corridor.loaded.prepare import prepare
from corridor.model.network import Network
from corridor.model.scenario import Scenario
from corridor.resilience.exposure import REGION_PAIRS, commodities, exposure, penalty
from corridor.resilience.headroom import headrooms
from corridor.resilience.maxflow import region_cut


def stress(
    scenario: Scenario,
    *,
    commodity: str | None = None,
    calibration: Calibration | None = None,
    cut_commodities: tuple[str, ...] = ("containers", "crude_oil"),
    headroom_corridors: tuple[str, ...] = (),
    max_p90_rise: float = 0.25,
    max_cost_rise: float = 0.10,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Before/after of ``scenario`` against its base (module docs).

    ``commodity`` restricts routes, exposure and stranded volume to one
    commodity (and the cuts to it); ``cut_commodities`` are the commodities
    of the region-pair cuts otherwise (those the dataset has).
    ``headroom_corridors`` (``"all"``: every corridor with observed demand)
    adds ``headroom``, per commodity (``commodity``, else every commodity
    observed on those corridors) and corridor: how much more each absorbs under the
    disruption before its p90 days rise by ``max_p90_rise`` or its cost by
    ``max_cost_rise``. ``progress`` is told
    each step.

    Examples
    --------
    >>> from corridor import load_network
    >>> from corridor.resilience.disruptions import stress_scenario
    >>> out = stress(stress_scenario(load_network(), caspian_drop_m=1.0), commodity="uranium")
    >>> sorted(out["stranded"])
    ['uranium']
    """
    say = progress or (lambda _text: None)
    base = scenario.base
    say("calibrating the base year")
    cal = calibration if calibration is not None else calibrate(base)
    say("loading the base")
    before = prepare(base, calibration=cal, scenario_name="base")
    say(f"loading {scenario.name}")
    after = prepare(scenario, calibration=cal)
    pairs = [p for p in default_pairs(base) if commodity in (None, p[2])]
    names = [commodity] if commodity else commodities(before)
    known = tuple(c for c in cut_commodities if base.row("commodities", c) is not None)
    say("exposure and min cuts")
    out = {
        "scenario": scenario.name,
        "changes": [_change_record(c) for c in scenario.changes],
        "routes_before": analyze(before, pairs=pairs)["routes"] if pairs else [],
        "routes_after": analyze(after, pairs=pairs)["routes"] if pairs else [],
        "exposure": {c: _exposure_record(before, after, c) for c in names},
        "stranded": {c: _stranded(after, c) for c in names},
        "min_cut": _cuts(before, after, (commodity,) if commodity else known),
    }

    def step(com: str, corridor: str, m: float) -> None:
        say(f"headroom of {corridor} ({com}): demand x{m:.2f}")

    found = headrooms(
        scenario, headroom_corridors, commodity=commodity, max_p90_rise=max_p90_rise,
        max_cost_rise=max_cost_rise, calibration=cal, progress=step,
    ) if headroom_corridors else []  # fmt: skip
    out["headroom"] = [h.to_dict() for h in found]
    return out


def region_pairs(network: Network) -> tuple[tuple[str, str], ...]:
    """The pairs of :data:`REGION_PAIRS` whose two regions ``network`` defines.

    Examples
    --------
    >>> from corridor import load_network
    >>> region_pairs(load_network())[0]
    ('central_asia', 'europe')
    """
    known = {str(r) for r in network.tables["regions"]["id"]}
    return tuple(p for p in REGION_PAIRS if set(p) <= known)


def _change_record(change: object) -> dict[str, Any]:
    out = {"type": type(change).__name__}
    out.update(vars(change))
    return out


def _exposure_record(before: LoadedNetwork, after: LoadedNetwork, commodity: str) -> dict[str, Any]:
    b, a = exposure(before, commodity), exposure(after, commodity)
    pairs = {}
    for pair in region_pairs(before.network):
        pb, pa = exposure(before, commodity, pair), exposure(after, commodity, pair)
        if pb.demand > 0:
            pairs["->".join(pair)] = {
                "before": pb.to_dict(),
                "after": pa.to_dict(),
                "penalty": penalty(pb, pa),
            }
    return {
        "before": b.to_dict(),
        "after": a.to_dict(),
        "penalty": penalty(b, a),
        "by_region_pair": pairs,
    }


def _stranded(after: LoadedNetwork, commodity: str) -> dict[str, Any]:
    rows = [u for u in after.unrouted() if u["commodity"] == commodity]
    return {
        "volume_per_year": sum(u["volume_per_year"] for u in rows),
        "unit": rows[0]["unit"] if rows else None,
        "flows": rows,
    }


def _cuts(before: LoadedNetwork, after: LoadedNetwork, names: tuple[str, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for o, d in region_pairs(before.network):
        per = out.setdefault(f"{o}->{d}", {})
        for c in names:
            cut = region_cut(after, o, d, c).to_dict()
            cut_before = region_cut(before, o, d, c)
            cut["capacity_before_per_year"] = (
                cut_before.capacity if cut_before.capacity != float("inf") else None
            )
            cut["cut_before"] = list(cut_before.cut)
            per[c] = cut
    return out
