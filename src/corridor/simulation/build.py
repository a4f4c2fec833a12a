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
  FCFS stations with the curve's servers and service CV, whose mean dwell at
  the loaded shipment rate is the curve's wait at the loaded utilisation,
  ``service_h · (1 + k · q(ρ))``.  The servers are the dataset's
  ``station_servers`` (borders and terminals: the units the element works at
  once, read by the delay curve too), and the mean service time is solved so
  that the curve's queue formula (Sakasegawa) gives the curve's dwell at the
  loaded shipment rate.  A dataset that gives no ``station_servers`` for an
  element leaves them to be derived here: the curve's servers
  (``borders.servers``, ``terminals.berths``) raised to
  ``ceil(λ · service_h / ρ)``, the fewest at which the shipments load the
  station no more than the loaded network loads the element (a border with
  one "server", a 100-hour dwell and a capacity of a thousand trains a year
  processes many trains at once).  The default dataset states them for every
  such station, so nothing is derived for it.  A
  scenario that cuts a dwell (a scanner) cuts the curve's service time and
  therefore the station's; more demand raises ρ in the loaded network and the
  arrivals in the simulation.  Borders and terminals without a queue
  (``CONSTANT``: no capacity) are plain delays of the curve's dwell and CV.
* **Rolling stock at gauge changes and interchanges.** Where the dataset's
  ``rolling_stock`` table says so (:mod:`corridor.simulation.rolling`), a
  train that has been transloaded (a border with ``gauge_change``, a terminal
  of kind ``gauge_change``) needs a wagon set of the new gauge, and a train
  entering a country with a locomotive pool (Georgia) needs one of its
  locomotives.  Each is a :class:`~corridor.simulation.spec.Pool` after the
  station: trains take a unit first come, first served and the unit returns
  after a turnaround.  The **turnaround** is twice the mean line-haul time
  (moving + line waiting, weighted by the loaded trains) from the pool to
  where the unit is released - for wagons the next gauge change, terminal or
  ship; for locomotives also the next border - plus the row's ``terminal_h``,
  lognormal with CV ``turnaround_cv``.  The **number of units** is the
  fewest that keep the loaded trains at utilisation ``<= max_utilisation``
  and the expected wait for a unit (Allen-Cunneen) at most
  ``max_wait_share`` of the station's dwell: the CPMM dwell at Dostyk is said
  to be lengthened by wagon availability, so the wait for wagons is a part of
  it, not the whole.  The pool is sized for the loaded trains of the
  scenario (a fleet follows the traffic it serves).  The station's dwell is
  reduced by the pool's expected wait so that station + pool reproduce the
  curve's dwell at the loaded utilisation without the season; the ±15 %
  season adds an autumn queue at the pool.
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
  (CV 1).
* **Weather.** Storms keep ferries and draft-limited ships in port and snow
  closes roads, as the dataset's ``weather_closures`` rows say
  (:mod:`corridor.graph.weather`: rate, mean length, CV, a seasonal peak or
  a window of the year).  The static model already counts their expected
  wait; on a road link it is taken out of the line's mean here, since the
  closure process produces it.  Each link closes independently of the others
  and of its failures.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from corridor.capacity.delay import QUEUE, queue_factor, stated_station_servers
from corridor.errors import CorridorError
from corridor.graph.compiled import MOVING_CV
from corridor.graph.structures import link_effects
from corridor.graph.weather import WeatherClosure, link_weather, service_weather
from corridor.loaded.network import LoadedNetwork, SegmentFlow
from corridor.loaded.prepare import prepare
from corridor.model.network import Network
from corridor.model.scenario import Scenario
from corridor.paths.routes import Leg as RouteLeg
from corridor.paths.routes import Route, build_route
from corridor.simulation.rolling import Rolling
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
REPAIR_CV = 1.0
HOURS_PER_YEAR = 8760.0


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


def closure_process(name: str, w: WeatherClosure | None) -> ClosureProcess | None:
    """The simulation's closure process for a weather row (None without one).

    Storms with a ``peak_day`` are seasonal (amplitude 1, none at the opposite
    day); rows with a window close only inside it.

    Examples
    --------
    >>> from corridor.graph.weather import WeatherClosure
    >>> w = WeatherClosure("ge", "snow", "road_links", "GE", 4, 12, 1.0, None, (334, 74))
    >>> c = closure_process("winter:rd_x", w)
    >>> c.name, c.per_year, c.mean_h, c.amplitude, c.window
    ('winter:rd_x', 4.0, 12.0, 0.0, (334.0, 74.0))
    >>> closure_process("storm:s", None) is None
    True
    """
    if w is None or w.closures_per_year <= 0:
        return None
    seasonal = w.peak_day is not None
    return ClosureProcess(
        name,
        float(w.closures_per_year),
        float(w.mean_h),
        float(w.cv),
        1.0 if seasonal else 0.0,
        float(w.peak_day) if w.peak_day is not None else 15.0,
        window=(float(w.window[0]), float(w.window[1])) if w.window is not None else None,
    )


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
    station_servers = stated_station_servers(g)
    utilisation = loaded.utilisation
    rolling = Rolling.of(net)
    rate: dict[str, float] = {}
    haul: dict[str, float] = {}  # trains/h x haul hours after the station, for pools
    for _, r, per_year, _ in flows_raw:
        for key in {k for k in (_station_key(leg) for leg in r.legs) if k}:
            rate[key] = rate.get(key, 0.0) + per_year / HOURS_PER_YEAR
        legs = list(r.legs)
        for i, leg in enumerate(legs):
            rule = rolling.pool_rule(leg)
            pool_key = _station_key(leg)
            if rule is not None and pool_key is not None:
                h = rolling.haul_h(legs, i, rule.kind)
                haul[pool_key] = haul.get(pool_key, 0.0) + per_year / HOURS_PER_YEAR * h

    cond = {str(r["condition"]): r for r in net.conditions.to_dict("records")}
    effects = link_effects(net)
    snow = link_weather(net)
    storms = service_weather(net)
    stations: dict[str, Station | Delay | None] = {}
    pools: dict[str, Pool] = {}
    figures: dict[str, dict[str, float]] = {}

    def pool(leg: RouteLeg, key: str, dwell: float) -> tuple[Pool | None, float]:
        """The pool after this station and its expected wait at the loaded trains."""
        rule = rolling.pool_rule(leg)
        if rule is None:
            return None, 0.0
        lam = rate.get(key, 0.0)
        haul_h = haul.get(key, 0.0) / lam if lam > 0 else 0.0
        turnaround = 2.0 * haul_h + rule.terminal_h
        cv2 = rule.turnaround_cv**2
        units = max(1, math.ceil(lam * turnaround / rule.max_utilisation - 1e-9))

        def wait(n: int) -> float:
            return allen_cunneen(n, lam, 1.0 / turnaround, 1.0, cv2) if lam > 0 else 0.0

        while wait(units) > rule.max_wait_share * dwell:
            units += 1
        pools[key] = Pool(f"pool:{key}", units, turnaround, rule.turnaround_cv, rule.kind)
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
        given = float(station_servers[e])
        servers = stated
        if not math.isnan(given):
            servers = round(given)
        elif rho > 0:  # no figure in the dataset: the fewest consistent with the load
            servers = max(stated, math.ceil(lam * curve_service / rho - 1e-9))
        service = station_service_h(target, servers, lam, cv)
        figures[key] |= {
            "utilisation": rho,
            "curve_service_h": curve_service,
            "servers_stated": stated,
            "servers_from_dataset": float(not math.isnan(given)),
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
            row = net.row("links", str(leg.element_id))
            assert row is not None  # the leg is an edge of this network
            fx = effects.get(str(leg.element_id))
            if fx is None:  # no structures: failures by the line's condition class
                c = cond[str(row["condition"])]
                per_year = float(c["failures_per_1000km_year"]) * float(row["length_km"]) / 1000.0
                repair_h = float(c["repair_h"])
            else:  # the structures' closures that stop traffic; detours stay in the mean
                per_year, repair_h = fx.closures_per_year, fx.repair_h
            closure = (
                ClosureProcess(f"link:{leg.element_id}", per_year, repair_h, REPAIR_CV)
                if per_year > 0
                else None
            )
            w = snow.get(str(leg.element_id))
            winter = closure_process(f"winter:{leg.element_id}", w)
            # moving time plus the line's technical stops (crew, locomotive changes) and
            # expected detours; the waits for closures and snow come from their processes
            wait_h, wait_var = (0.0, 0.0) if fx is None else (fx.wait_h, fx.wait_var_h2)
            if w is not None:
                wait_h, wait_var = wait_h + w.expected_h, wait_var + w.variance_h2
            hours = leg.hours_moving + leg.hours_waiting - wait_h
            waiting_sd = math.sqrt(
                max((leg.hours_waiting_cv * leg.hours_waiting) ** 2 - wait_var, 0.0)
            )
            sd = math.hypot(MOVING_CV * leg.hours_moving, waiting_sd)
            return Delay(hours, sd / hours, closure, name=f"link:{leg.element_id}", winter=winter)
        if leg.kind == "service":
            s = net.row("services", str(leg.element_id))
            assert s is not None
            storm = closure_process(f"storm:{leg.element_id}", storms.get(str(leg.element_id)))
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
