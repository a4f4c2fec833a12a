"""One sweep point: its scenario, run through the loaded network (and the simulation)."""

from __future__ import annotations

from typing import Any

from corridor.model.scenario import Scenario

#: Corridors whose mean door-to-door days over the pairs become point metrics.
METRIC_CORRIDORS = ("middle", "northern", "southern", "sea_suez", "sea_cape")


def point_scenario(base: Scenario, point: dict[str, Any]) -> Scenario:
    """``base`` plus the point's demand growth, Caspian drop, closures and interventions."""
    from corridor.model.scenario import DemandGrowth, Intervention, parse_closure
    from corridor.resilience.disruptions import caspian_drop

    net = base.base
    changes: list[Any] = [parse_closure(net, c) for c in point["closures"]]
    changes += [Intervention(i) for i in point["interventions"]]
    if point["caspian_drop_m"]:
        changes += caspian_drop(net, point["caspian_drop_m"])
    if point["demand_growth"] != 1.0:
        changes.append(DemandGrowth(point["demand_growth"]))
    return base.with_changes(*changes)


def evaluate_point(
    base: Scenario,
    point: dict[str, Any],
    *,
    point_id: str,
    calibration: Any = None,
    pairs: tuple[tuple[str, str, str], ...] | None,
    days: int,
    seed: int,
) -> Any:
    """A point's route table: one row per route, with the point's parameters and key.

    ``calibration`` is the base year's (:func:`corridor.loaded.calibration.calibrate`
    of ``base.base``), computed once per sweep rather than once per point.

    Columns: ``key``, the parameters (closures and interventions joined by
    ``+``), ``origin … cost`` of :func:`corridor.store.tables.routes_table`,
    ``unserved_teu``/``unserved_t`` (the point's whole demand not carried) and,
    when ``replications`` > 0, ``sim_p10/p50/p90_days`` from the simulation.
    """
    import numpy as np

    from corridor.analysis import analyze
    from corridor.loaded.prepare import prepare
    from corridor.store.tables import routes_table

    scen = point_scenario(base, point)
    loaded = prepare(scen, calibration=calibration)
    result = analyze(loaded, pairs=list(pairs) if pairs else None)
    table = routes_table(result)
    unserved = {"teu": 0.0, "t": 0.0}
    for u in result.get("unrouted_demand", []):
        unserved[u["unit"]] = unserved.get(u["unit"], 0.0) + float(u["volume_per_year"])
    for p10 in ("sim_p10_days", "sim_p50_days", "sim_p90_days"):
        table[p10] = np.nan
    if point["replications"] > 0:
        from corridor.simulation.api import simulate

        sim = simulate(loaded, days=days, replications=point["replications"], seed=seed)
        pct = sim.percentiles()
        for i, r in table.iterrows():
            got = pct.get((r["corridor"], r["origin"], r["destination"]))
            if got is not None:
                table.loc[i, ["sim_p10_days", "sim_p50_days", "sim_p90_days"]] = got
    table.insert(0, "key", point_id)
    for j, name in enumerate(
        ("demand_growth", "caspian_drop_m", "closures", "interventions", "replications")
    ):
        value = point[name]
        table.insert(1 + j, name, "+".join(value) if isinstance(value, list) else value)
    table["unserved_teu"] = unserved["teu"]
    table["unserved_t"] = unserved["t"]
    return table


def point_metrics(routes: Any) -> Any:
    """One row per point: its parameters, mean days per corridor over the pairs, unserved.

    ``days_<corridor>`` is the mean of that corridor's days over the pairs it
    serves at the point (NaN where it serves none, e.g. closed).
    """
    import pandas as pd

    params = ["key", "demand_growth", "caspian_drop_m", "closures", "interventions", "replications"]
    first = routes.groupby("key", sort=False)[[*params[1:], "unserved_teu", "unserved_t"]].first()
    days = routes.pivot_table(index="key", columns="corridor", values="time_days", aggfunc="mean")
    days = days.reindex(columns=[c for c in METRIC_CORRIDORS if c in days.columns])
    days.columns = [f"days_{c}" for c in days.columns]
    out = pd.concat([first, days], axis=1).reset_index()
    return out.sort_values(params[1:]).reset_index(drop=True)
