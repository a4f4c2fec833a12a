"""What to simulate, in plain objects: flows of shipments along routes of legs.

A leg is a :class:`Delay` (moving, infinite server), a :class:`Station`
(multi-server FCFS queue), a :class:`Pool` (wagon sets or locomotives that a
train must take before it can leave) or a :class:`Ferry` (batch server).  Legs
that name the same station, pool or ferry share its queue; closures with the
same name are one process; ferries with the same ``fleet`` share their ships.
:func:`compile_model` turns the objects into the engine's arrays.
Hand-made models (tests, ``corridor queue``-style studies) and models built from
a corridor network (:mod:`corridor.simulation.build`) both use this form.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

import numpy as np

from corridor.errors import CorridorError
from corridor.simulation import engine
from corridor.simulation.distributions import choose_kind
from corridor.simulation.ferry import SCHEDULED, WHEN_FULL


@dataclass(frozen=True)
class ClosureProcess:
    """Random closures of an element: Poisson events with lognormal lengths.

    ``amplitude`` makes the rate seasonal, ``1 + amplitude cos(2 pi (day - peak_day)/365)``.
    ``window`` = ``(start_day, end_day)`` of the year (day 0 = 1 January, end
    excluded; the window may wrap over the new year, e.g. ``(334, 73)`` for
    1 December to 14 March) confines the closures to that season: ``per_year`` of them start
    inside it, none outside (a closure that starts inside may run past its end).
    """

    name: str
    per_year: float
    mean_h: float
    cv: float = 1.0
    amplitude: float = 0.0
    peak_day: float = 15.0
    window: tuple[float, float] | None = None

    def window_fraction(self) -> float:
        """Share of the year inside ``window`` (1 without a window).

        Examples
        --------
        >>> round(ClosureProcess("w", 4, 12, window=(334, 73)).window_fraction(), 3)
        0.285
        """
        if self.window is None:
            return 1.0
        a, b = self.window
        return ((b - a) % 365.0 or 365.0) / 365.0


@dataclass(frozen=True)
class Delay:
    """Moving time (or any dwell without a queue): lognormal with this mean and CV.

    ``closure`` (failures) and ``winter`` (seasonal closures) both stop the move;
    they are independent processes on the same element.
    """

    mean_h: float
    cv: float = 0.05
    closure: ClosureProcess | None = None
    name: str = ""
    winter: ClosureProcess | None = None


@dataclass(frozen=True)
class Station:
    """A multi-server FCFS queue: border crossing, gauge change, terminal, port."""

    name: str
    servers: int
    mean_service_h: float
    cv: float = 0.5
    distribution: str = "lognormal"
    closure: ClosureProcess | None = None
    kind: str = "station"
    capacity_teu_per_year: float = float("inf")


@dataclass(frozen=True)
class Ferry:
    """A ship service in one direction (see :mod:`corridor.simulation.ferry`).

    Two ``when_full`` directions with the same ``fleet`` share their ``vessels``:
    a ship that sails one way is at the other port ``cycle_h / 2`` later and must
    come back before it sails this way again.  ``home`` marks the direction
    whose port the ships start from and return to when idle.  Without a
    ``fleet`` (or alone in it) a direction keeps its own ships, each ready again
    ``cycle_h`` after it sailed.
    """

    name: str
    capacity_teu: float
    crossing_h: float
    cycle_h: float
    vessels: int = 1
    policy: str = "when_full"
    max_wait_h: float = 336.0
    headway_h: float = 168.0
    closure: ClosureProcess | None = None
    capacity_teu_per_year: float = float("inf")
    fleet: str = ""
    home: bool = True


@dataclass(frozen=True)
class Pool:
    """Rolling stock a train must take after a gauge change or interchange.

    ``units`` wagon sets (or locomotives) serve the trains first come, first
    served; a train leaves as soon as it gets one, and the unit comes back to
    the pool ``turnaround_h`` later (lognormal, ``cv``): it hauls the train to
    the next break and returns empty.  In queueing terms a pool is a
    ``units``-server station whose customers leave when service *starts*.
    """

    name: str
    units: int
    turnaround_h: float
    cv: float = 0.3
    kind: str = "wagon_pool"
    capacity_teu_per_year: float = float("inf")


Leg = Delay | Station | Pool | Ferry


@dataclass(frozen=True)
class Flow:
    """Shipments of one size released by a (seasonal) Poisson process on one route."""

    route: tuple[Leg, ...]
    shipments_per_year: float
    teu_per_shipment: float = 88.0
    amplitude: float = 0.0
    peak_day: float = 300.0
    labels: dict[str, str] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Compiled:
    """Arrays for the engine plus the names behind their indices."""

    arrays: engine.Arrays
    flows: tuple[Flow, ...]
    resources: tuple[Station | Pool | Ferry, ...]  # stations and pools first, then ferries


def _stream_key(name: str) -> int:
    # Closure draws are addressed by the process's name, so adding or removing
    # one process leaves the draws of the others alone (common random numbers).
    return zlib.crc32(name.encode("utf-8"))


def _closure_element(
    procs: tuple[ClosureProcess | None, ...],
    elements: dict[tuple[str, ...], tuple[ClosureProcess, ...]],
) -> int:
    chosen = tuple(p for p in procs if p is not None)
    if not chosen:
        return -1
    key = tuple(p.name for p in chosen)
    elements.setdefault(key, chosen)
    return list(elements).index(key)


def _check_flow(f: Flow) -> None:
    if not (f.shipments_per_year >= 0 and np.isfinite(f.shipments_per_year)):
        raise CorridorError(f"shipments per year must be >= 0, got {f.shipments_per_year}")
    if not f.teu_per_shipment > 0:
        raise CorridorError(f"TEU per shipment must be > 0, got {f.teu_per_shipment}")
    if not 0 <= f.amplitude < 1:
        raise CorridorError(f"seasonal amplitude must be in [0, 1), got {f.amplitude}")
    if len(f.route) >= engine.MAX_LEGS:
        raise CorridorError(f"a route has {len(f.route)} legs; at most {engine.MAX_LEGS - 1}")


def _check_leg(leg: Leg) -> None:
    if isinstance(leg, Station):
        if leg.servers < 1 or not leg.mean_service_h > 0:
            raise CorridorError(f"station {leg.name!r}: servers >= 1 and service > 0")
    elif isinstance(leg, Pool):
        if leg.units < 1 or not leg.turnaround_h > 0:
            raise CorridorError(f"pool {leg.name!r}: units >= 1 and turnaround > 0")
    elif isinstance(leg, Ferry) and (
        leg.capacity_teu <= 0
        or leg.vessels < 1
        or not leg.cycle_h > 0
        or leg.policy not in ("when_full", "scheduled")
    ):
        raise CorridorError(f"ferry {leg.name!r}: bad capacity, vessels or policy")
    for c in (getattr(leg, "closure", None), getattr(leg, "winter", None)):
        if c is not None and c.window is not None:
            a, b = c.window
            if not (0 <= a < 365 and 0 <= b < 365 and a != b):
                raise CorridorError(f"closure {c.name!r}: window days must be in [0, 365)")


def _fleets(fe: list[Ferry]) -> tuple[list[int], list[int], list[int], list[int], list[int]]:
    """Ship ranges, partner direction, home flag and each ship's first port per ferry."""
    by_fleet: dict[str, list[int]] = {}
    for i, x in enumerate(fe):
        if x.fleet:
            by_fleet.setdefault(x.fleet, []).append(i)
    partner = [-1] * len(fe)
    for name, members in by_fleet.items():
        if len(members) > 2:
            raise CorridorError(f"fleet {name!r} serves {len(members)} directions; at most 2")
        if len(members) == 2:
            a, b = (fe[i] for i in members)
            if (
                a.vessels != b.vessels
                or a.cycle_h != b.cycle_h
                or a.home == b.home
                or "scheduled" in (a.policy, b.policy)
            ):
                raise CorridorError(
                    f"fleet {name!r}: both directions need the same vessels and cycle, "
                    "one home direction, and the when_full policy"
                )
            partner[members[0]], partner[members[1]] = members[1], members[0]
    ship0, ship1, home = [0] * len(fe), [0] * len(fe), [1] * len(fe)
    ship_port: list[int] = []
    for i, x in enumerate(fe):
        j = partner[i]
        if j >= 0 and j < i:  # the pair's ships were laid out with the first member
            ship0[i], ship1[i] = ship0[j], ship1[j]
        else:
            ship0[i] = len(ship_port)
            owner = i if j < 0 or x.home else j
            ship_port.extend([owner] * x.vessels)
            ship1[i] = len(ship_port)
        home[i] = 1 if j < 0 or x.home else 0
    return ship0, ship1, partner, home, ship_port


def compile_model(flows: tuple[Flow, ...] | list[Flow]) -> Compiled:
    """Validate the flows and build the engine arrays.

    Examples
    --------
    >>> s = Station("border", servers=2, mean_service_h=1.0)
    >>> c = compile_model([Flow((Delay(5.0), s), shipments_per_year=1000)])
    >>> c.arrays.st_ptr.tolist(), c.arrays.lg_type.tolist()
    ([0, 2], [0, 1])
    """
    flows = tuple(flows)
    stations: dict[str, Station | Pool] = {}
    ferries: dict[str, Ferry] = {}
    elements: dict[tuple[str, ...], tuple[ClosureProcess, ...]] = {}
    routes: list[tuple[Leg, ...]] = []
    fl_route = []
    for f in flows:
        _check_flow(f)
        if f.route not in routes:
            routes.append(f.route)
        fl_route.append(routes.index(f.route))
        for leg in f.route:
            _check_leg(leg)
            if isinstance(leg, Station | Pool):
                if stations.setdefault(leg.name, leg) != leg:
                    raise CorridorError(f"two different stations are named {leg.name!r}")
            elif isinstance(leg, Ferry) and ferries.setdefault(leg.name, leg) != leg:
                raise CorridorError(f"two different ferries are named {leg.name!r}")
    st = list(stations.values())
    fe = list(ferries.values())
    st_index = {s.name: i for i, s in enumerate(st)}
    fe_index = {x.name: i for i, x in enumerate(fe)}
    lg_type, lg_res, lg_mean, lg_cv, lg_cl, lg_draw = [], [], [], [], [], []
    rt_ptr = [0]
    for r in routes:
        plain = 0  # draws of ordinary legs are numbered without the pools
        pools = 0
        for leg in r:
            if isinstance(leg, Pool):
                lg_draw.append(pools)
                pools += 1
            else:
                lg_draw.append(plain)
                plain += 1
            if isinstance(leg, Delay):
                lg_type.append(engine.DELAY)
                lg_res.append(-1)
                lg_mean.append(leg.mean_h)
                lg_cv.append(leg.cv)
                lg_cl.append(_closure_element((leg.closure, leg.winter), elements))
            elif isinstance(leg, Station | Pool):
                lg_type.append(engine.STATION)
                lg_res.append(st_index[leg.name])
                lg_mean.append(0.0)
                lg_cv.append(0.0)
                closure = leg.closure if isinstance(leg, Station) else None
                lg_cl.append(_closure_element((closure,), elements))
            else:
                lg_type.append(engine.FERRY)
                lg_res.append(fe_index[leg.name])
                lg_mean.append(0.0)
                lg_cv.append(0.0)
                lg_cl.append(-1)
        rt_ptr.append(len(lg_type))
    fe_cl = [_closure_element((x.closure,), elements) for x in fe]
    ship0, ship1, partner, home, ship_port = _fleets(fe)
    ce_ptr = [0, *np.cumsum([len(p) for p in elements.values()]).tolist()]
    cl = [p for procs in elements.values() for p in procs]

    def f64(x: list[float]) -> np.ndarray:
        return np.asarray(x, dtype=np.float64).reshape(-1)

    def i64(x: list[int]) -> np.ndarray:
        return np.asarray(x, dtype=np.int64).reshape(-1)

    def servers(s: Station | Pool) -> int:
        return s.servers if isinstance(s, Station) else s.units

    def kind(s: Station | Pool) -> int:
        if isinstance(s, Station):
            return choose_kind(s.cv, s.distribution)
        return choose_kind(s.cv, "lognormal")

    arrays = engine.Arrays(
        fl_route=i64(fl_route),
        fl_rate=f64([f.shipments_per_year / engine.HOURS_PER_YEAR for f in flows]),
        fl_amp=f64([f.amplitude for f in flows]),
        fl_peak_h=f64([f.peak_day * 24.0 for f in flows]),
        fl_size=f64([f.teu_per_shipment for f in flows]),
        rt_ptr=i64(rt_ptr),
        lg_type=i64(lg_type),
        lg_res=i64(lg_res),
        lg_mean=f64(lg_mean),
        lg_cv=f64(lg_cv),
        lg_closure=i64(lg_cl),
        lg_draw=i64(lg_draw),
        st_ptr=i64([0, *np.cumsum([servers(s) for s in st]).tolist()]),
        st_mean=f64([s.mean_service_h if isinstance(s, Station) else s.turnaround_h for s in st]),
        st_cv=f64([s.cv for s in st]),
        st_kind=i64([kind(s) for s in st]),
        st_pool=i64([isinstance(s, Pool) for s in st]),
        fe_policy=i64([SCHEDULED if x.policy == "scheduled" else WHEN_FULL for x in fe]),
        fe_ship0=i64(ship0),
        fe_ship1=i64(ship1),
        fe_partner=i64(partner),
        fe_home=i64(home),
        sh_port=i64(ship_port),
        fe_capacity=f64([x.capacity_teu for x in fe]),
        fe_cycle=f64([x.cycle_h for x in fe]),
        fe_crossing=f64([x.crossing_h for x in fe]),
        fe_max_wait=f64([x.max_wait_h for x in fe]),
        fe_headway=f64([x.headway_h for x in fe]),
        fe_closure=i64(fe_cl),
        ce_ptr=i64(ce_ptr),
        cl_key=i64([_stream_key(c.name) for c in cl]),
        cl_rate=f64([c.per_year / engine.HOURS_PER_YEAR / c.window_fraction() for c in cl]),
        cl_mean_h=f64([c.mean_h for c in cl]),
        cl_cv=f64([c.cv for c in cl]),
        cl_amp=f64([c.amplitude for c in cl]),
        cl_peak_h=f64([c.peak_day * 24.0 for c in cl]),
        cl_win0_h=f64([0.0 if c.window is None else c.window[0] * 24.0 for c in cl]),
        cl_win1_h=f64([0.0 if c.window is None else c.window[1] * 24.0 for c in cl]),
    )
    return Compiled(arrays=arrays, flows=flows, resources=(*st, *fe))
