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
* **Rolling stock at gauge changes and interchanges.** A train that has been
  transloaded (a border with ``gauge_change``, a terminal of kind
  ``gauge_change``) needs a wagon set of the new gauge, and a train entering
  a country in ``LOCOMOTIVE_SHORT`` (Georgia: "lack of rolling stock,
  particularly of locomotives", World Bank 2024) needs one of its
  locomotives.  Each is a :class:`~corridor.simulation.spec.Pool` after the
  station: trains take a unit first come, first served and the unit returns
  after a turnaround.  The dataset has no pool figures, so both are
  estimated from the network: the **turnaround** is twice the mean line-haul
  time (moving + line waiting, weighted by the 2024 trains) from the pool to
  where the unit is released - for wagons the next gauge change, terminal or
  ship; for locomotives also the next border - plus ``POOL_TERMINAL_H`` (24 h)
  for unloading and turning round, lognormal with CV ``POOL_CV`` (0.3).  The
  **number of units** is the fewest that keep the 2024 trains at utilisation
  ``<= MAX_FITTED_UTILISATION`` (the same rule as station servers) and the
  expected wait for a unit (Allen-Cunneen) at most ``POOL_MAX_SHARE`` (25 %)
  of the published dwell: the CPMM dwell at Dostyk is said to be lengthened
  by wagon availability (wagon provision in Kazakhstan is private), so the
  wait for wagons is a part of it, not the whole.  A lean pool: the autumn
  peak of demand (+15 %) already pushes it to ~98 % and makes trains wait,
  and demand growth makes them wait much longer.  The station's fitted dwell
  is reduced by the pool's expected wait so that station + pool reproduce the
  dataset's dwell at 2024 demand without the season; the ±15 % season adds an
  autumn queue at the pool (at Dostyk about 6 h on average).
* **Ship services** are batch servers per direction with capacity per sailing
  ``teu_per_sailing × load_factor`` (the Caspian draft limit) and a round trip
  of ``2 × (crossing_h + port_turnaround_h)``.  The two directions of a
  ``when_full`` service share its ``vessels`` (fleet ``fleet:<service id>``,
  home port = the service's ``from``): a ship that crossed must come back,
  loading there if cargo waits, before it sails the same way again, so the
  imbalance of the two flows matters (see :mod:`corridor.simulation.ferry` for
  the ballast rules).  Scheduled services keep a timetable per direction.
* **Closures.** Lines fail at ``failures_per_1000km_year`` of their condition
  class (``conditions`` table) with lognormal repairs of mean ``repair_h``
  (CV 1); ferries (mode ``ferry``: Caspian and Black Sea) stop for storms,
  14 a year with mean 30 h (CV 0.6), concentrated in winter (rate
  ``1 + cos``, peak mid-January, none in mid-July) - an estimate from port
  closure reports, not a published statistic.
* **Winter road closures.** Road links (mode ``road``) with an end in a
  country of ``WINTER_ROAD_CLOSURES`` close for snow, ice and blizzards, only
  inside that country's winter window: Kazakh steppe roads (blizzards,
  "buran"; roads are closed by the regional authorities), Georgian roads over
  the Rikoti pass and the Red Bridge approaches on both sides (Georgia,
  Azerbaijan), and the Turkish Black Sea and eastern Anatolian roads.  The
  frequency and duration are **estimates** (closures reported in local news
  every winter, no published statistic was found): see the table's comments.
  Each link closes independently of the others and of its failures.
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
    Pool,
    Station,
    compile_model,
)
from corridor.simulation.theory import allen_cunneen, service_for_sojourn

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
#: Winter road closures by country: (closures per winter, mean hours, CV, first day,
#: end day (excluded) of the window; day 0 = 1 January).  Estimates, not statistics.
WINTER_ROAD_CLOSURES: dict[str, tuple[float, float, float, float, float]] = {
    "KZ": (6.0, 24.0, 1.0, 319.0, 90.0),  # steppe blizzards, 15 Nov - 31 Mar: ~a day each
    "GE": (4.0, 12.0, 1.0, 334.0, 74.0),  # Rikoti pass, Red Bridge road, 1 Dec - 15 Mar
    "AZ": (2.0, 8.0, 1.0, 334.0, 59.0),  # Red Bridge approach (ice, fog), Dec - Feb
    "TR": (3.0, 10.0, 1.0, 334.0, 74.0),  # eastern Black Sea and Anatolian roads
}
#: Countries whose railways are short of locomotives at the border (World Bank 2024 [A]).
LOCOMOTIVE_SHORT = frozenset({"GE"})
POOL_TERMINAL_H = 24.0
POOL_CV = 0.3
#: At 2024 demand the expected wait for a unit is at most this share of the dwell.
POOL_MAX_SHARE = 0.25


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


@dataclass(frozen=True)
class _Rolling:
    """What decides where trains need rolling stock: gauge changes and countries."""

    gauge_change: dict[str, bool]
    country: dict[str, str]
    terminal_kind: dict[str, str]

    @classmethod
    def of(cls, network: Network) -> _Rolling:
        b, n, t = network.borders, network.nodes, network.terminals
        return cls(
            dict(zip(b["id"], b["gauge_change"].astype(bool), strict=True)),
            dict(zip(n["id"], n["country"], strict=True)),
            dict(zip(t["id"], t["kind"], strict=True)),
        )

    def pool_kind(self, leg: RouteLeg) -> str | None:
        """``wagon_pool``/``locomotive_pool`` if trains need rolling stock after this leg."""
        if not leg.mode.startswith("rail"):
            return None
        if leg.kind == "border":
            if self.gauge_change.get(leg.element_id, False):
                return "wagon_pool"
            c_from, c_to = self.country.get(leg.from_node), self.country.get(leg.to_node)
            return "locomotive_pool" if c_to in LOCOMOTIVE_SHORT and c_from != c_to else None
        if leg.kind == "transfer" and leg.element_id:
            gauge = self.terminal_kind.get(leg.element_id) == "gauge_change"
            return "wagon_pool" if gauge else None
        return None

    def haul_h(self, legs: list[RouteLeg], i: int, kind: str) -> float:
        """Line-haul hours from after leg ``i`` to where the pool's unit is released.

        Wagons are released at the next gauge change, terminal or ship;
        locomotives also at the next border.
        """
        h = 0.0
        for leg in legs[i + 1 :]:
            if leg.kind in ("service", "transfer", "egress"):
                break
            if leg.kind == "border" and (
                kind == "locomotive_pool" or self.gauge_change.get(leg.element_id, False)
            ):
                break
            if leg.kind == "link":
                h += leg.hours_moving + leg.hours_waiting
        return h


def winter_closure(link_id: str, mode: str, countries: tuple[str, ...]) -> ClosureProcess | None:
    """The winter closures of a road link whose ends lie in ``countries`` (or None).

    The first country (in the order given) with an entry in
    ``WINTER_ROAD_CLOSURES`` decides.

    Examples
    --------
    >>> w = winter_closure("rd_x", "road", ("GE", "GE"))
    >>> w.name, w.per_year, w.window
    ('winter:rd_x', 4.0, (334.0, 74.0))
    >>> winter_closure("r_x", "rail_1520", ("KZ", "KZ")) is None
    True
    """
    if mode != "road":
        return None
    for c in countries:
        if c in WINTER_ROAD_CLOSURES:
            n, mean_h, cv, a, b = WINTER_ROAD_CLOSURES[c]
            return ClosureProcess(f"winter:{link_id}", n, mean_h, cv, window=(a, b))
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
    rolling = _Rolling.of(network)
    rate: dict[str, float] = {}
    haul: dict[str, float] = {}  # trains/h x haul hours after the station, for pools
    for _, r, per_year, _ in calib_flows:
        for key in {k for k in (_station_key(leg) for leg in r.legs) if k}:
            rate[key] = rate.get(key, 0.0) + per_year / HOURS_PER_YEAR
        legs = list(r.legs)
        for i, leg in enumerate(legs):
            kind = rolling.pool_kind(leg)
            pool_key = _station_key(leg)
            if kind is not None and pool_key is not None:
                h = rolling.haul_h(legs, i, kind)
                haul[pool_key] = haul.get(pool_key, 0.0) + per_year / HOURS_PER_YEAR * h

    borders = network.borders.set_index("id")
    terminals = network.terminals.set_index("id")
    services = network.services.set_index("id")
    links = network.links.set_index("id")
    cond = network.conditions.set_index("condition")
    country = dict(zip(network.nodes["id"], network.nodes["country"], strict=True))
    stations: dict[str, Station] = {}
    pools: dict[str, Pool] = {}
    calibration: dict[str, dict[str, float]] = {}

    def pool(leg: RouteLeg, key: str, dwell: float) -> tuple[Pool | None, float]:
        """The pool after this station and its expected wait at calibration demand."""
        kind = rolling.pool_kind(leg)
        if kind is None:
            return None, 0.0
        lam = rate.get(key, 0.0)
        haul_h = haul.get(key, 0.0) / lam if lam > 0 else 0.0
        turnaround = 2.0 * haul_h + POOL_TERMINAL_H
        units = max(1, math.ceil(lam * turnaround / MAX_FITTED_UTILISATION - 1e-9))

        def wait(n: int) -> float:
            return allen_cunneen(n, lam, 1.0 / turnaround, 1.0, POOL_CV**2) if lam > 0 else 0.0

        while wait(units) > POOL_MAX_SHARE * dwell:
            units += 1
        pools[key] = Pool(f"pool:{key}", units, turnaround, POOL_CV, kind)
        return pools[key], wait(units)

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
        # The published dwell includes the wait for rolling stock: leave it to the pool.
        p, pool_wait = pool(leg, key, dwell)
        target = dwell - pool_wait
        servers = max(servers, math.ceil(lam * target / MAX_FITTED_UTILISATION - 1e-9))
        service = service_for_sojourn(target, servers, lam, cv) if target > 0 else 1e-6
        calibration[key] = {
            "dwell_h": dwell,
            "servers_stated": stated,
            "servers": servers,
            "arrivals_per_h": lam,
            "service_h": service,
        }
        if p is not None:
            calibration[key] |= {
                "pool_units": p.units,
                "pool_turnaround_h": p.turnaround_h,
                "pool_expected_wait_h": pool_wait,
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

    def legs_of(leg: RouteLeg) -> tuple[Delay | Station | Pool | Ferry, ...]:
        key = _station_key(leg)
        if key is not None:
            st = station(leg, key)
            p = pools.get(key)
            return (st,) if p is None else (st, p)
        x = leg_of(leg)
        return () if x is None else (x,)

    def leg_of(leg: RouteLeg) -> Delay | Station | Ferry | None:
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
            winter = winter_closure(
                str(leg.element_id), leg.mode, (country[leg.from_node], country[leg.to_node])
            )
            # moving time plus the line's technical stops (crew, locomotive changes)
            hours = leg.hours_moving + leg.hours_waiting
            sd = math.hypot(MOVING_CV * leg.hours_moving, leg.hours_waiting_cv * leg.hours_waiting)
            return Delay(hours, sd / hours, closure, name=f"link:{leg.element_id}", winter=winter)
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
            policy = str(s["policy"])
            return Ferry(
                f"service:{leg.element_id}:{leg.from_node}>{leg.to_node}",
                capacity_teu=float(s["teu_per_sailing"]) * float(s["load_factor"]),
                crossing_h=crossing,
                cycle_h=2.0 * (crossing + float(s["port_turnaround_h"])),
                vessels=int(s["vessels"]),
                policy=policy,
                max_wait_h=float(s["max_wait_h"]),
                headway_h=float(s["headway_h"]),
                closure=storm,
                capacity_teu_per_year=leg.capacity_teu_per_year,
                fleet=f"fleet:{leg.element_id}" if policy == "when_full" else "",
                home=leg.from_node == s["from"],
            )
        if leg.hours_moving + leg.hours_waiting > 0:  # anything else: a plain dwell
            return Delay(leg.hours_moving + leg.hours_waiting, max(leg.hours_waiting_cv, 0.05))
        return None

    flows = []
    for d, r, per_year, size in flows_raw:
        route = tuple(x for leg in r.legs for x in legs_of(leg))
        labels = {
            "demand": str(d.name),
            "corridor": r.corridor,
            "origin": r.origin,
            "destination": r.destination,
            "commodity": r.commodity,
        }
        flows.append(Flow(route, per_year, size, SEASONAL_AMPLITUDE, SEASONAL_PEAK_DAY, labels))
    return Built(compile_model(flows), tuple(unrouted), calibration)
