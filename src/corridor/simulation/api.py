"""Public entry points: :func:`simulate` and :func:`door_to_door_percentiles`."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np

from corridor.errors import CorridorError
from corridor.loaded.network import LoadedNetwork
from corridor.model.network import Network
from corridor.model.scenario import Scenario
from corridor.simulation import engine
from corridor.simulation.build import Built, as_loaded, build_model
from corridor.simulation.results import PROMISES_DAYS, SimulationResult, summarise
from corridor.simulation.spec import Delay, Ferry


def _concat(parts: list[engine.Raw]) -> engine.Raw:
    if len(parts) == 1:
        return parts[0]
    fields = {}
    for name in engine.Raw.__dataclass_fields__:
        values = [getattr(p, name) for p in parts]
        fields[name] = values[0] if name == "slot_flow" else np.concatenate(values, axis=0)
    return engine.Raw(**fields)


def simulate(
    network_or_scenario: LoadedNetwork | Network | Scenario,
    *,
    days: int = 365,
    replications: int = 100,
    seed: int = 1,
    warmup_days: float = 30.0,
    promises_days: tuple[float, ...] = PROMISES_DAYS,
    progress: Callable[[int, int], None] | None = None,
) -> SimulationResult:
    """Simulate a year (or ``days``) of the network's demand, ``replications`` times.

    The simulation starts from the loaded network
    (:func:`corridor.loaded.prepare.prepare`): every path it loaded becomes a
    flow of shipments (trains, trucks, consignments) through FCFS borders and
    terminals, batch ferries, line failures and storms (see
    :mod:`corridor.simulation.build`).  Station service times come from the
    loaded network's delay curves, so a station's mean dwell at the loaded
    shipment rate is the curve's at the loaded utilisation; a scenario's
    demand growth raises both.  Demand the loaded network could not carry is
    not simulated; it is listed in ``unrouted``.

    Parameters
    ----------
    network_or_scenario
        A loaded network, or a network or scenario to prepare (growth 1).
    days
        Days of releases measured; shipments are followed to their destination.
    replications
        Independent replications (run in parallel on all cores).
    seed
        Seed of the counter-based random streams: the same seed gives the same
        result, and two scenarios with the same seed share their random draws
        (common random numbers).
    warmup_days
        Days of releases before day 0 that load the queues and are discarded.
    promises_days
        Promises for which the on-time probability is reported.
    progress
        Called as ``progress(done, total)`` after each batch of replications.

    Returns
    -------
    SimulationResult

    Examples
    --------
    >>> from corridor import load_network
    >>> r = simulate(load_network(), days=60, replications=4, seed=1)
    >>> shipped = [t for t in r.transit if t.p50_days == t.p50_days]  # NaN: none in 60 days
    >>> len(shipped) > 10 and all(t.p10_days <= t.p50_days <= t.p90_days for t in shipped)
    True
    """
    if int(days) < 1 or int(replications) < 1:
        raise CorridorError("days and replications must be at least 1")
    if warmup_days < 0:
        raise CorridorError(f"warmup_days must be >= 0, got {warmup_days}")
    t0 = time.perf_counter()
    loaded = as_loaded(network_or_scenario)
    built = build_model(loaded)
    reps = int(replications)
    batch = reps if progress is None else max(2, -(-reps // 10))
    parts = []
    done = 0
    while done < reps:
        n = min(batch, reps - done)
        parts.append(
            engine.run(
                built.model.arrays,
                days=int(days),
                replications=n,
                seed=int(seed),
                warmup_days=warmup_days,
                first_replication=done,
            )
        )
        done += n
        if progress is not None:
            progress(done, reps)
    raw = _concat(parts)
    notes = model_notes(built)
    return summarise(
        built.model,
        raw,
        dataset=loaded.network.name,
        scenario=loaded.scenario,
        days=int(days),
        seed=int(seed),
        warmup_days=warmup_days,
        elapsed_s=time.perf_counter() - t0,
        unrouted=built.unrouted,
        promises_days=promises_days,
        notes=notes,
    )


def model_notes(built: Built) -> tuple[str, ...]:
    """The modelling choices behind a result, for its ``notes`` (one line each).

    Includes every station whose servers the simulation raised above the
    dataset's and every rolling-stock pool with its estimated size and turnaround.
    """
    cal = built.stations
    queues = [c for c in cal.values() if "servers" in c]
    raised = [
        f"{k} {int(c['servers_stated'])}->{int(c['servers'])}"
        for k, c in cal.items()
        if "servers" in c
        and not c.get("servers_from_dataset")
        and c["servers"] > c["servers_stated"]
    ]
    pools = [
        f"{k} {int(c['pool_units'])} units, turnaround {c['pool_turnaround_h']:.0f} h"
        for k, c in cal.items()
        if "pool_units" in c
    ]
    notes = [
        "Container trains of 44 FEU (88 TEU); trucks 1 FEU; bulk block trains 3,000 t.",
        "Borders and terminals from the loaded network's delay curves: the mean dwell at"
        " the loaded shipment rate (plus the expected wait for wagons or locomotives where"
        " there is a pool) is the curve's service_h * (1 + k q(rho)) at the loaded"
        " utilisation.",
        "Servers raised to the fewest at which the shipments load a station no more than"
        " the loaded network loads its element, where the dataset's servers, capacity and"
        f" dwell disagree: {len(raised)} of {len(queues)} stations"
        + (": " + "; ".join(raised) if raised else "."),
        "Ferry storms: 14 a year, mean 30 h, winter-peaked (estimate).",
    ]
    winter = sorted(
        {
            leg.winter.name
            for f in built.model.flows
            for leg in f.route
            if isinstance(leg, Delay) and leg.winter is not None
        }
    )
    directions: dict[str, int] = {}
    for x in built.model.resources:
        if isinstance(x, Ferry) and x.fleet:
            directions[x.fleet] = directions.get(x.fleet, 0) + 1
    fleets = sorted(name for name, n in directions.items() if n == 2)
    if fleets:
        notes.append(
            "Ship services that sail when full share one fleet between their two directions"
            " (a ship must come back before it sails the same way again; idle ships return"
            " home, the service's 'from' port, in ballast): " + ", ".join(fleets) + "."
        )
    if winter:
        notes.append(
            "Winter road closures (the dataset's weather_closures rows, only inside each"
            " winter window) on: " + ", ".join(winter) + "."
        )
    if pools:
        notes.append(
            "Wagon/locomotive pools after gauge changes and the Georgian interchange (the"
            " dataset's rolling_stock rules, sized for the loaded trains): "
            + "; ".join(pools)
            + "."
        )
    return tuple(notes)


def door_to_door_percentiles(
    network_or_scenario: LoadedNetwork | Network | Scenario,
    *,
    days: int = 365,
    replications: int = 30,
    seed: int = 1,
) -> dict[tuple[str, str, str], tuple[float, float, float]]:
    """p10, p50 and p90 door-to-door days per ``(corridor, origin, destination)``.

    For ``corridor analyze --simulate``. Only (corridor, OD) combinations that
    carry demand in the network are simulated; ask :func:`simulate` for more.

    Examples
    --------
    >>> from corridor import load_network
    >>> p = door_to_door_percentiles(load_network(), days=60, replications=4)
    >>> len(p) > 10 and all(lo <= mid <= hi for lo, mid, hi in p.values())
    True
    """
    return simulate(
        network_or_scenario, days=days, replications=replications, seed=seed
    ).percentiles()


def result_to_dict(result: SimulationResult) -> dict[str, Any]:
    """Alias of :meth:`SimulationResult.to_dict` for front ends."""
    return result.to_dict()
