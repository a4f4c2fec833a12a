"""From a loaded network to the flows the engine simulates.

The simulation starts where :func:`corridor.loaded.prepare.prepare` ends: its
``flows`` say which paths carry how much of every shipper segment, its delay
curves (:mod:`corridor.capacity.delay`) say how long each border and terminal
holds a unit at the loaded utilisation.  The simulation adds what the mean
curves leave out: shipments, seasons, closures, ships that sail when full and
queues that build and drain.  Demand the loaded network could not carry is
not simulated; it is reported (:attr:`Built.unrouted`).

Choices, stated once:

* **Shipments.** Containers by rail move as block trains of 44 FEU (88 TEU),
  the middle of the 41-50 FEU China-Europe trains; containers by road as trucks
  of 1 FEU (2 TEU); bulk by rail as block trains of 3,000 t, by road as 25 t
  trucks; anything that starts by sea or ferry as consignments of 88 TEU.  The
  first line-haul leg of a path decides.  Each loaded path is a flow of its
  own (its volume converted to TEU a year, then to shipments).
* **Seasonality.** Releases follow a Poisson process whose rate varies by
  ``±15 %`` over the year with a peak on day 300 (the autumn peak of
  China-Europe rail before Christmas and Chinese New Year).
* **Borders and terminals with a queue** (delay-curve shape ``QUEUE``) are
  FCFS stations with the curve's servers (``borders.servers``,
  ``terminals.berths``) and service CV, whose mean dwell at the loaded
  shipment rate is the curve's wait at the loaded utilisation,
  ``service_h · (1 + k · q(ρ))``.  Where the dataset's servers, capacity and
  shipment sizes agree (``λ · service_h / servers = ρ``), the station *is* the
  curve's queue: its service time is ``service_h``.  Where they do not (a
  border with one "server", a 100-hour dwell and a capacity of a thousand
  trains a year processes many trains at once), the servers are raised to
  ``ceil(λ · service_h / ρ)``, the fewest at which the shipments load the
  station no more than the loaded network loads the element, and the mean
  service time is solved so that the same queue formula (Sakasegawa, the
  curve's own) gives the curve's dwell at the loaded shipment rate.  A
  scenario that cuts a dwell (a scanner) cuts the curve's service time and
  therefore the station's; more demand raises ρ in the loaded network and the
  arrivals in the simulation.  Borders and terminals without a queue
  (``CONSTANT``: no capacity) are plain delays of the curve's dwell and CV.
* **Rolling stock at gauge changes and interchanges.** A train that has been
  transloaded (a border with ``gauge_change``, a terminal of kind
  ``gauge_change``) needs a wagon set of the new gauge, and a train entering
  a country in ``LOCOMOTIVE_SHORT`` (Georgia: "lack of rolling stock,
  particularly of locomotives", World Bank 2024) needs one of its
  locomotives.  Each is a :class:`~corridor.simulation.spec.Pool` after the
  station: trains take a unit first come, first served and the unit returns
  after a turnaround.  The dataset has no pool figures, so both are
  estimated from the network: the **turnaround** is twice the mean line-haul
  time (moving + line waiting, weighted by the loaded trains) from the pool to
  where the unit is released - for wagons the next gauge change, terminal or
  ship; for locomotives also the next border - plus ``POOL_TERMINAL_H`` (24 h)
  for unloading and turning round, lognormal with CV ``POOL_CV`` (0.3).  The
  **number of units** is the fewest that keep the loaded trains at utilisation
  ``<= MAX_POOL_UTILISATION`` (0.85) and the expected wait for a unit
  (Allen-Cunneen) at most ``POOL_MAX_SHARE`` (25 %) of the station's dwell:
  the CPMM dwell at Dostyk is said to be lengthened by wagon availability
  (wagon provision in Kazakhstan is private), so the
  wait for wagons is a part of it, not the whole.  A lean pool: the autumn
  peak of demand (+15 %) already pushes it to ~98 % and makes trains wait.
  The pool is sized for the loaded trains of the scenario (a fleet follows
  the traffic it serves).  The station's dwell is reduced by the pool's
  expected wait so that station + pool reproduce the curve's dwell at the
  loaded utilisation without the season; the ±15 % season adds an autumn
  queue at the pool.
* **Ship services** are batch servers per direction with capacity per sailing
  ``teu_per_sailing × load_factor`` (the Caspian draft limit) and a round trip
  of ``2 × (crossing_h + port_turnaround_h)``.  The two directions of a
  ``when_full`` service share its ``vessels`` (fleet ``fleet:<service id>``,
  home port = the service's ``from``): a ship that crossed must come back,
  loading there if cargo waits, before it sails the same way again, so the
  imbalance of the two flows matters (see :mod:`corridor.simulation.ferry` for
  the ballast rules).  Scheduled services keep a timetable per direction.
* **Closures.** A line with bridges, tunnels or passes (``structures``) closes
  as its structures do (:mod:`corridor.graph.structures`): those that stop
  traffic at their ``closures_per_year`` with lognormal repairs of mean
  ``repair_days`` (CV 1), their expected wait taken out of the line's mean
  (the closures produce it); detours stay in the mean as expected hours.
  Other lines fail at ``failures_per_1000km_year`` of their condition
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

import numpy as np

from corridor.capacity.delay import QUEUE, queue_factor
from corridor.errors import CorridorError
from corridor.graph.compiled import MOVING_CV
from corridor.graph.structures import link_effects
from corridor.loaded.network import LoadedNetwork, SegmentFlow
from corridor.loaded.prepare import prepare
from corridor.model.network import Network
from corridor.model.scenario import Scenario
from corridor.paths.routes import Leg as RouteLeg
from corridor.paths.routes import Route, build_route
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
from corridor.simulation.theory import allen_cunneen

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
MAX_POOL_UTILISATION = 0.85
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
    """The compiled model, the loaded network it came from, and what was left out.

    ``stations`` holds, per border/terminal station and pool, the figures
    behind it (the curve's dwell, service time and servers, and what the
    simulation uses); ``unrouted`` one line per segment with unserved demand.
    """

    model: Compiled
    loaded: LoadedNetwork
    unrouted: tuple[str, ...]
    stations: dict[str, dict[str, float]]


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


def station_service_h(target_h: float, servers: int, lam: float, cv: float) -> float:
    """Mean service time at which a ``servers``-server station dwells ``target_h`` on average.

    The dwell is service plus the wait for a server by the delay curves' own
    formula, ``s · (1 + k · q(λ s / c))`` with ``k = (1 + cv²) / (2c)``
    (:func:`corridor.capacity.delay.queue_factor`), for Poisson arrivals at
    ``lam`` shipments an hour.  It grows with ``s``, so bisection finds it.

    Examples
    --------
    >>> round(station_service_h(2.0, 1, 0.25, 1.0), 6)  # M/M/1: s / (1 - lam s) = 2
    1.333333
    """
    if not target_h > 0:
        return 1e-6
    if lam <= 0:
        return target_h
    c = np.array([float(servers)])
    k = (1.0 + cv * cv) / (2.0 * servers)

    def dwell(x: float) -> float:
        return x * (1.0 + k * float(queue_factor(np.array([lam * x / servers]), c)[0]))

    lo, hi = 0.0, min(target_h, servers / lam)
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        lo, hi = (lo, mid) if dwell(mid) > target_h else (mid, hi)
        if hi - lo < 1e-12 * target_h:
            break
    return 0.5 * (lo + hi)


def as_loaded(network: LoadedNetwork | Network | Scenario) -> LoadedNetwork:
    """The loaded network itself, or the network/scenario prepared (growth 1)."""
    return network if isinstance(network, LoadedNetwork) else prepare(network)


def _unserved_line(f: SegmentFlow) -> str:
    s = f.segment
    why = f"refused by {', '.join(f.refused_by)}" if f.refused_by else f.reason
    return (
        f"{s.name} ({', '.join(s.demand_ids)}): {f.unserved:.6g} {s.unit} a year"
        f" of {s.volume:.6g} unserved ({why})"
    )


def _path_flows(loaded: LoadedNetwork) -> list[tuple[SegmentFlow, Route, float, float]]:
    """(segment flow, route, shipments a year, TEU per shipment) for each loaded path."""
    g = loaded.graph
    out = []
    for f in loaded.flows:
        s = f.segment
        tonnes_per_teu = s.t_per_unit / s.teu_per_unit if s.teu_per_unit > 0 else 10.0
        for edges, volume in f.paths:
            r = build_route(
                g,
                edges,
                corridor=s.corridor,
                origin=s.origin,
                destination=s.destination,
                commodity=s.commodity,
                value_of_time=s.value_of_time,
            )
            teu = volume * s.teu_per_unit
            size = shipment_teu(_first_mode(r), s.unit, tonnes_per_teu)
            if teu > 0 and r.legs:
                out.append((f, r, teu / size, size))
    return out


def build_model(
    network: LoadedNetwork | Network | Scenario,
    *,
    seasonal_amplitude: float = SEASONAL_AMPLITUDE,
) -> Built:
    """The loaded network's paths as flows of shipments, ready for the engine.

    Parameters
    ----------
    network
        The loaded network (:func:`corridor.loaded.prepare.prepare`); a network
        or scenario is prepared first.
    seasonal_amplitude
        Relative swing of the release rate over the year (module docs); 0 for
        a stationary Poisson process.
    """
    loaded = as_loaded(network)
    net = loaded.network
    flows_raw = _path_flows(loaded)
    unrouted = tuple(_unserved_line(f) for f in loaded.flows if f.unserved > 0)
    if not flows_raw:
        raise CorridorError(f"dataset {net.name}: the loaded network carries no demand")
    g, curves, caps = loaded.graph, loaded.curves, loaded.capacities
    utilisation = loaded.utilisation
    rolling = _Rolling.of(net)
    rate: dict[str, float] = {}
    haul: dict[str, float] = {}  # trains/h x haul hours after the station, for pools
    for _, r, per_year, _ in flows_raw:
        for key in {k for k in (_station_key(leg) for leg in r.legs) if k}:
            rate[key] = rate.get(key, 0.0) + per_year / HOURS_PER_YEAR
        legs = list(r.legs)
        for i, leg in enumerate(legs):
            kind = rolling.pool_kind(leg)
            pool_key = _station_key(leg)
            if kind is not None and pool_key is not None:
                h = rolling.haul_h(legs, i, kind)
                haul[pool_key] = haul.get(pool_key, 0.0) + per_year / HOURS_PER_YEAR * h

    services = net.services.set_index("id")
    links = net.links.set_index("id")
    cond = net.conditions.set_index("condition")
    effects = link_effects(net)
    country = dict(zip(net.nodes["id"], net.nodes["country"], strict=True))
    stations: dict[str, Station | Delay | None] = {}
    pools: dict[str, Pool] = {}
    figures: dict[str, dict[str, float]] = {}

    def pool(leg: RouteLeg, key: str, dwell: float) -> tuple[Pool | None, float]:
        """The pool after this station and its expected wait at the loaded trains."""
        kind = rolling.pool_kind(leg)
        if kind is None:
            return None, 0.0
        lam = rate.get(key, 0.0)
        haul_h = haul.get(key, 0.0) / lam if lam > 0 else 0.0
        turnaround = 2.0 * haul_h + POOL_TERMINAL_H
        units = max(1, math.ceil(lam * turnaround / MAX_POOL_UTILISATION - 1e-9))

        def wait(n: int) -> float:
            return allen_cunneen(n, lam, 1.0 / turnaround, 1.0, POOL_CV**2) if lam > 0 else 0.0

        while wait(units) > POOL_MAX_SHARE * dwell:
            units += 1
        pools[key] = Pool(f"pool:{key}", units, turnaround, POOL_CV, kind)
        return pools[key], wait(units)

    def station(leg: RouteLeg, key: str) -> Station | Delay | None:
        """The border/terminal of ``leg`` as the delay curve has it (module docs)."""
        if key in stations:
            return stations[key]
        e = leg.edge
        dwell = float(g.hours_waiting[e])  # the curve at the loaded utilisation
        cv = float(curves.cv[e])
        lam = rate.get(key, 0.0)
        p, pool_wait = pool(leg, key, dwell)
        target = max(dwell - pool_wait, 0.0)
        figures[key] = {"dwell_h": dwell, "arrivals_per_h": lam}
        if p is not None:
            figures[key] |= {
                "pool_units": p.units,
                "pool_turnaround_h": p.turnaround_h,
                "pool_expected_wait_h": pool_wait,
            }
        if curves.shape[e] != QUEUE:
            stations[key] = Delay(target, max(cv, 0.05), name=key) if target > 0 else None
            return stations[key]
        rho = float(utilisation[caps.element_of[e]])
        curve_service = float(curves.service_h[e])
        stated = round(float(curves.servers[e]))
        servers = stated
        if rho > 0:
            servers = max(stated, math.ceil(lam * curve_service / rho - 1e-9))
        service = station_service_h(target, servers, lam, cv)
        figures[key] |= {
            "utilisation": rho,
            "curve_service_h": curve_service,
            "servers_stated": stated,
            "servers": servers,
            "service_h": service,
        }
        kind = "border" if leg.kind == "border" else "terminal"
        if leg.kind != "border" and caps.kind[caps.element_of[e]] == "port":
            kind = "port"
        stations[key] = Station(
            key,
            servers=servers,
            mean_service_h=service,
            cv=cv,
            kind=kind,
            capacity_teu_per_year=float(caps.capacity_teu[caps.element_of[e]]),
        )
        return stations[key]

    def legs_of(leg: RouteLeg) -> tuple[Delay | Station | Pool | Ferry, ...]:
        key = _station_key(leg)
        if key is not None:
            st = station(leg, key)
            p = pools.get(key)
            return tuple(x for x in (st, p) if x is not None)
        x = leg_of(leg)
        return () if x is None else (x,)

    def leg_of(leg: RouteLeg) -> Delay | Station | Ferry | None:
        if leg.kind == "link":
            if leg.hours_moving <= 0:
                return None
            row = links.loc[leg.element_id]
            fx = effects.get(str(leg.element_id))
            if fx is None:  # no structures: failures by the line's condition class
                c = cond.loc[row["condition"]]
                per_year = float(c["failures_per_1000km_year"]) * float(row["length_km"]) / 1000.0
                repair_h = float(c["repair_h"])
            else:  # the structures' closures that stop traffic; detours stay in the mean
                per_year, repair_h = fx.closures_per_year, fx.repair_h
            closure = (
                ClosureProcess(f"link:{leg.element_id}", per_year, repair_h, REPAIR_CV)
                if per_year > 0
                else None
            )
            winter = winter_closure(
                str(leg.element_id), leg.mode, (country[leg.from_node], country[leg.to_node])
            )
            # moving time plus the line's technical stops (crew, locomotive changes) and
            # expected detours; the wait for closures comes from the closure process
            wait_h, wait_var = (0.0, 0.0) if fx is None else (fx.wait_h, fx.wait_var_h2)
            hours = leg.hours_moving + leg.hours_waiting - wait_h
            waiting_sd = math.sqrt(
                max((leg.hours_waiting_cv * leg.hours_waiting) ** 2 - wait_var, 0.0)
            )
            sd = math.hypot(MOVING_CV * leg.hours_moving, waiting_sd)
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
    for f, r, per_year, size in flows_raw:
        route = tuple(x for leg in r.legs for x in legs_of(leg))
        labels = {
            "demand": ",".join(f.segment.demand_ids),
            "corridor": r.corridor,
            "origin": r.origin,
            "destination": r.destination,
            "commodity": r.commodity,
        }
        flows.append(Flow(route, per_year, size, seasonal_amplitude, SEASONAL_PEAK_DAY, labels))
    return Built(compile_model(flows), loaded, unrouted, figures)
