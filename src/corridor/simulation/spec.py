"""What to simulate, in plain objects: flows of shipments along routes of legs.

A leg is a :class:`Delay` (moving, infinite server), a :class:`Station`
(multi-server FCFS queue) or a :class:`Ferry` (batch server).  Legs that name
the same station or ferry share its queue; closures with the same name are one
process.  :func:`compile_model` turns the objects into the engine's arrays.
Hand-made models (tests, ``corridor queue``-style studies) and models built from
a corridor network (:mod:`corridor.simulation.build`) both use this form.
"""

from __future__ import annotations

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
    """

    name: str
    per_year: float
    mean_h: float
    cv: float = 1.0
    amplitude: float = 0.0
    peak_day: float = 15.0


@dataclass(frozen=True)
class Delay:
    """Moving time (or any dwell without a queue): lognormal with this mean and CV."""

    mean_h: float
    cv: float = 0.05
    closure: ClosureProcess | None = None
    name: str = ""


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
    """A ship service in one direction (see :mod:`corridor.simulation.ferry`)."""

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


Leg = Delay | Station | Ferry


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
    resources: tuple[Station | Ferry, ...]  # stations first, then ferries


def _closure_index(c: ClosureProcess | None, table: dict[str, ClosureProcess]) -> int:
    if c is None:
        return -1
    if c.name not in table:
        table[c.name] = c
    return list(table).index(c.name)


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
    stations: dict[str, Station] = {}
    ferries: dict[str, Ferry] = {}
    closures: dict[str, ClosureProcess] = {}
    routes: list[tuple[Leg, ...]] = []
    fl_route = []
    for f in flows:
        if not (f.shipments_per_year >= 0 and np.isfinite(f.shipments_per_year)):
            raise CorridorError(f"shipments per year must be >= 0, got {f.shipments_per_year}")
        if not f.teu_per_shipment > 0:
            raise CorridorError(f"TEU per shipment must be > 0, got {f.teu_per_shipment}")
        if not 0 <= f.amplitude < 1:
            raise CorridorError(f"seasonal amplitude must be in [0, 1), got {f.amplitude}")
        if len(f.route) >= engine.MAX_LEGS:
            raise CorridorError(f"a route has {len(f.route)} legs; at most {engine.MAX_LEGS - 1}")
        if f.route not in routes:
            routes.append(f.route)
        fl_route.append(routes.index(f.route))
        for leg in f.route:
            if isinstance(leg, Station):
                old = stations.setdefault(leg.name, leg)
                if old != leg:
                    raise CorridorError(f"two different stations are named {leg.name!r}")
                if leg.servers < 1 or not leg.mean_service_h > 0:
                    raise CorridorError(f"station {leg.name!r}: servers >= 1 and service > 0")
            elif isinstance(leg, Ferry):
                old_f = ferries.setdefault(leg.name, leg)
                if old_f != leg:
                    raise CorridorError(f"two different ferries are named {leg.name!r}")
                if (
                    leg.capacity_teu <= 0
                    or leg.vessels < 1
                    or leg.policy not in ("when_full", "scheduled")
                ):
                    raise CorridorError(f"ferry {leg.name!r}: bad capacity, vessels or policy")
    st = list(stations.values())
    fe = list(ferries.values())
    st_index = {s.name: i for i, s in enumerate(st)}
    fe_index = {x.name: i for i, x in enumerate(fe)}
    lg_type, lg_res, lg_mean, lg_cv, lg_cl = [], [], [], [], []
    rt_ptr = [0]
    for r in routes:
        for leg in r:
            if isinstance(leg, Delay):
                lg_type.append(engine.DELAY)
                lg_res.append(-1)
                lg_mean.append(leg.mean_h)
                lg_cv.append(leg.cv)
                lg_cl.append(_closure_index(leg.closure, closures))
            elif isinstance(leg, Station):
                lg_type.append(engine.STATION)
                lg_res.append(st_index[leg.name])
                lg_mean.append(0.0)
                lg_cv.append(0.0)
                lg_cl.append(_closure_index(leg.closure, closures))
            else:
                lg_type.append(engine.FERRY)
                lg_res.append(fe_index[leg.name])
                lg_mean.append(0.0)
                lg_cv.append(0.0)
                lg_cl.append(-1)
        rt_ptr.append(len(lg_type))
    fe_cl = [_closure_index(x.closure, closures) for x in fe]
    cl = list(closures.values())

    def f64(x: list[float]) -> np.ndarray:
        return np.asarray(x, dtype=np.float64).reshape(-1)

    def i64(x: list[int]) -> np.ndarray:
        return np.asarray(x, dtype=np.int64).reshape(-1)

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
        st_ptr=i64([0, *np.cumsum([s.servers for s in st]).tolist()]),
        st_mean=f64([s.mean_service_h for s in st]),
        st_cv=f64([s.cv for s in st]),
        st_kind=i64([choose_kind(s.cv, s.distribution) for s in st]),
        fe_policy=i64([SCHEDULED if x.policy == "scheduled" else WHEN_FULL for x in fe]),
        fe_vptr=i64([0, *np.cumsum([x.vessels for x in fe]).tolist()]),
        fe_capacity=f64([x.capacity_teu for x in fe]),
        fe_cycle=f64([x.cycle_h for x in fe]),
        fe_crossing=f64([x.crossing_h for x in fe]),
        fe_max_wait=f64([x.max_wait_h for x in fe]),
        fe_headway=f64([x.headway_h for x in fe]),
        fe_closure=i64(fe_cl),
        cl_rate=f64([c.per_year / engine.HOURS_PER_YEAR for c in cl]),
        cl_mean_h=f64([c.mean_h for c in cl]),
        cl_cv=f64([c.cv for c in cl]),
        cl_amp=f64([c.amplitude for c in cl]),
        cl_peak_h=f64([c.peak_day * 24.0 for c in cl]),
    )
    return Compiled(arrays=arrays, flows=flows, resources=(*st, *fe))
