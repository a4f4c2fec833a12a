"""From a corridor network and its demand to the flows the engine simulates.

Choices, stated once:

* **Shipments.** Containers by rail move as block trains of 44 FEU (88 TEU),
  the middle of the 41-50 FEU China-Europe trains; containers by road as trucks
  of 1 FEU (2 TEU); bulk by rail as block trains of 3,000 t, by road as 25 t
  trucks; anything that starts by sea or ferry as consignments of 88 TEU.  The
  first line-haul leg of a route decides.
* **Seasonality.** Releases follow a Poisson process whose rate varies by
  ``±15 %`` over the year with a peak on day 300 (the autumn peak of
  China-Europe rail before Christmas and Chinese New Year).
* **Borders and terminals** are FCFS stations with the dataset's servers
  (``borders.servers``, ``terminals.berths``).  The dataset's ``dwell_h`` /
  ``handling_h`` is a mean dwell *including* queueing, so the mean service
  time is fitted so that the M/G/c sojourn (Allen-Cunneen) at the **2024
  demand** equals that dwell; service times are lognormal with the dataset's
  CV.  More demand in a scenario then means longer queues; an intervention that
  changes the dwell or the servers changes the fitted service.  Most posts in
  the dataset leave ``servers`` at its default of 1, which would force the fit
  to near saturation (a single server that turns a 66-hour port dwell into
  queueing) and make the ``±15 %`` season explode it.  The number of servers is
  therefore raised, where needed, to the fewest at which the 2024 load keeps
  utilisation at or below ``MAX_FITTED_UTILISATION`` (0.85); the dwell is then
  mostly service time with a moderate queue that grows with demand.
* **Ship services** are batch servers per direction, each with the whole fleet
  and a round trip of ``2 × (crossing_h + port_turnaround_h)``; capacity per
  sailing ``teu_per_sailing × load_factor`` (the Caspian draft limit).
* **Closures.** Lines fail at ``failures_per_1000km_year`` of their condition
  class (``conditions`` table) with lognormal repairs of mean ``repair_h``
  (CV 1); ferries (mode ``ferry``: Caspian and Black Sea) stop for storms,
  14 a year with mean 30 h (CV 0.6), concentrated in winter (rate
  ``1 + cos``, peak mid-January, none in mid-July) - an estimate from port
  closure reports, not a published statistic.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from corridor.errors import CorridorError
from corridor.graph.compiled import MOVING_CV, compile_network
from corridor.model.network import Network
from corridor.paths.loading import load_demand, teu_per_year
from corridor.paths.routes import Leg as RouteLeg
from corridor.paths.routes import Route
from corridor.simulation.spec import (
    ClosureProcess,
    Compiled,
    Delay,
    Ferry,
    Flow,
    Station,
    compile_model,
)
from corridor.simulation.theory import service_for_sojourn

TRAIN_FEU = 44
TRAIN_TEU = 2.0 * TRAIN_FEU
TRUCK_TEU = 2.0
BLOCK_TRAIN_T = 3000.0
TRUCK_T = 25.0
BULK_BATCH_T = 10_000.0
SEA_BLOCK_TEU = 500.0
SEASONAL_AMPLITUDE = 0.15
SEASONAL_PEAK_DAY = 300.0
STORMS_PER_YEAR = 14.0
STORM_MEAN_H = 30.0
STORM_CV = 0.6
STORM_PEAK_DAY = 15.0
REPAIR_CV = 1.0
HOURS_PER_YEAR = 8760.0
MAX_FITTED_UTILISATION = 0.85


@dataclass(frozen=True)
class Built:
    """The compiled model plus what was left out."""

    model: Compiled
    unrouted: tuple[str, ...]
    calibration: dict[str, dict[str, float]]


def shipment_teu(first_mode: str, unit: str, tonnes_per_teu: float) -> float:
    """TEU-equivalents per shipment for the first line-haul mode of a route.

    Examples
    --------
    >>> shipment_teu("rail_1520", "teu", 10.0)
    88.0
    >>> shipment_teu("road", "t", 12.5)
    2.0
    >>> shipment_teu("sea", "teu", 10.0)
    500.0
    """
    if first_mode.startswith("rail"):
        return TRAIN_TEU if unit == "teu" else BLOCK_TRAIN_T / tonnes_per_teu
    if first_mode == "road":
        return TRUCK_TEU if unit == "teu" else TRUCK_T / tonnes_per_teu
    if unit != "teu":
        return BULK_BATCH_T / tonnes_per_teu
    return SEA_BLOCK_TEU if first_mode == "sea" else TRAIN_TEU


def _first_mode(r: Route) -> str:
    for leg in r.legs:
        if leg.kind in ("link", "service"):
            return leg.mode
    return r.legs[0].mode if r.legs else "rail_1520"


def _station_key(leg: RouteLeg) -> str | None:
    if leg.kind == "border":
        return f"border:{leg.element_id}:{leg.from_node}>{leg.to_node}"
    if leg.kind in ("transfer", "access", "egress") and leg.element_id:
        return f"terminal:{leg.element_id}"
    return None


def _routed_flows(network: Network) -> tuple[list[tuple[Any, Route, float, float]], list[str]]:
    """(demand row, route, shipments a year, TEU per shipment) for each routed demand row."""
    g = compile_network(network)
    loading = load_demand(g)
    com = network.commodities.set_index("id")
    rows = network.demand.set_index("id")
    out = []
    for demand_id, r in loading.routed:
        d = rows.loc[demand_id]
        c = com.loc[d["commodity"]]
        teu = teu_per_year(float(d["volume_per_year"]), str(c["unit"]), float(c["tonnes_per_teu"]))
        size = shipment_teu(_first_mode(r), str(c["unit"]), float(c["tonnes_per_teu"]))
        if teu > 0 and r.legs:
            out.append((d, r, teu / size, size))
    return out, list(loading.unrouted)


def build_model(network: Network, *, calibration_demand: pd.DataFrame | None = None) -> Built:
    """Flows of the network's demand along their routes, ready for the engine.

    Parameters
    ----------
    network
        The (scenario) network whose demand is simulated.
    calibration_demand
        Demand at which station service times reproduce the dataset's dwell
        (default: the network's own demand, i.e. the 2024 observations).
    """
    flows_raw, unrouted = _routed_flows(network)
    if not flows_raw:
        raise CorridorError(f"dataset {network.name}: no demand row could be routed")
    calib_net = (
        network if calibration_demand is None else network.with_tables(demand=calibration_demand)
    )
    calib_flows = flows_raw if calibration_demand is None else _routed_flows(calib_net)[0]
    rate: dict[str, float] = {}
    for _, r, per_year, _ in calib_flows:
        for key in {k for k in (_station_key(leg) for leg in r.legs) if k}:
            rate[key] = rate.get(key, 0.0) + per_year / HOURS_PER_YEAR

    borders = network.borders.set_index("id")
    terminals = network.terminals.set_index("id")
    services = network.services.set_index("id")
    links = network.links.set_index("id")
    cond = network.conditions.set_index("condition")
    stations: dict[str, Station] = {}
    calibration: dict[str, dict[str, float]] = {}

    def station(leg: RouteLeg, key: str) -> Station:
        if key in stations:
            return stations[key]
        if leg.kind == "border":
            row = borders.loc[leg.element_id]
            servers = int(row["servers"])
            dwell, cv = float(row["dwell_h"]), float(row["dwell_cv"])
            kind = "border"
        else:
            row = terminals.loc[leg.element_id]
            servers = int(row["berths"])
            dwell, cv = float(row["handling_h"]), float(row["handling_cv"])
            kind = "port" if row["kind"] == "port" else "terminal"
        lam = rate.get(key, 0.0)
        stated = servers
        servers = max(servers, math.ceil(lam * dwell / MAX_FITTED_UTILISATION - 1e-9))
        service = service_for_sojourn(dwell, servers, lam, cv) if dwell > 0 else 1e-6
        calibration[key] = {
            "dwell_h": dwell,
            "servers_stated": stated,
            "servers": servers,
            "arrivals_per_h": lam,
            "service_h": service,
        }
        stations[key] = Station(
            key,
            servers=servers,
            mean_service_h=service,
            cv=cv,
            kind=kind,
            capacity_teu_per_year=float(row["capacity_teu_per_year"]),
        )
        return stations[key]

    def leg_of(leg: RouteLeg) -> Delay | Station | Ferry | None:
        key = _station_key(leg)
        if key is not None:
            return station(leg, key)
        if leg.kind == "link":
            if leg.hours_moving <= 0:
                return None
            row = links.loc[leg.element_id]
            c = cond.loc[row["condition"]]
            per_year = float(c["failures_per_1000km_year"]) * float(row["length_km"]) / 1000.0
            closure = (
                ClosureProcess(f"link:{leg.element_id}", per_year, float(c["repair_h"]), REPAIR_CV)
                if per_year > 0
                else None
            )
            return Delay(leg.hours_moving, MOVING_CV, closure, name=f"link:{leg.element_id}")
        if leg.kind == "service":
            s = services.loc[leg.element_id]
            storm = None
            if s["mode"] == "ferry" or bool(s["draft_limited"]):
                storm = ClosureProcess(
                    f"storm:{leg.element_id}",
                    STORMS_PER_YEAR,
                    STORM_MEAN_H,
                    STORM_CV,
                    1.0,
                    STORM_PEAK_DAY,
                )
            crossing = float(s["crossing_h"])
            return Ferry(
                f"service:{leg.element_id}:{leg.from_node}>{leg.to_node}",
                capacity_teu=float(s["teu_per_sailing"]) * float(s["load_factor"]),
                crossing_h=crossing,
                cycle_h=2.0 * (crossing + float(s["port_turnaround_h"])),
                vessels=int(s["vessels"]),
                policy=str(s["policy"]),
                max_wait_h=float(s["max_wait_h"]),
                headway_h=float(s["headway_h"]),
                closure=storm,
                capacity_teu_per_year=leg.capacity_teu_per_year,
            )
        if leg.hours_moving + leg.hours_waiting > 0:  # anything else: a plain dwell
            return Delay(leg.hours_moving + leg.hours_waiting, max(leg.hours_waiting_cv, 0.05))
        return None

    flows = []
    for d, r, per_year, size in flows_raw:
        legs = tuple(x for x in (leg_of(leg) for leg in r.legs) if x is not None)
        labels = {
            "demand": str(d.name),
            "corridor": r.corridor,
            "origin": r.origin,
            "destination": r.destination,
            "commodity": r.commodity,
        }
        flows.append(Flow(legs, per_year, size, SEASONAL_AMPLITUDE, SEASONAL_PEAK_DAY, labels))
    return Built(compile_model(flows), tuple(unrouted), calibration)
