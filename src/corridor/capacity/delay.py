"""The one delay function: hours waited at an edge as a function of its element's load.

Three shapes, chosen per edge:

``constant``
    Line-haul technical stops, and dwell at elements without a capacity: the
    input figure at any load.
``queue``
    Borders and terminals with a capacity. A dwell input (``dwell_h``,
    ``handling_h``) is an *observed mean at the observed load* ρ₀. The
    element is a G/G/c queue: service time ``s`` (documents, inspection,
    gauge change, handling) on ``c`` servers (``servers``, ``berths``), plus
    the wait for a server by the Sakasegawa (1977) approximation
    ``Wq = s · k · q(ρ)``, ``k = (1 + cv²) / (2c)`` (Poisson arrivals,
    service CV ``cv`` = the input's CV), ``q(ρ) = ρ^(√(2(c+1)) − 1) / (1 − ρ)``
    (Kingman for one server, close to Erlang C for M/M/c). The service time
    is derived once, from the observation: ``s = dwell / (1 + k · q(ρ₀))``,
    so the delay at the observed load is the observed dwell, and the same
    curve gives the dwell at any other load.
``procedure``
    Borders described post by post in ``border_procedures`` (documents,
    inspection, lanes, opening hours): :mod:`corridor.capacity.procedures`,
    held against the same observed dwell at the same observed load.
``departure``
    Ship services: the wait for a sailing
    (:func:`corridor.graph.services.departure_wait`). A ship that sails when
    full waits for a *commercial* load: the base year's usable shipload,
    scaled by the ship's size when a scenario changes it. A lower load factor
    (low water) cuts what a sailing takes, and so the capacity, but not the
    load the operator waits for: a draft limit never makes ships leave sooner;
    and lifting it (dredging) raises the capacity without making them wait
    for a larger load. Ferries and draft-limited
    ships add the expected wait for storms (:mod:`corridor.graph.weather`).

At or above capacity the wait is evaluated at :data:`~corridor.graph.services.RHO_FULL`
(the loaded network never puts more than the capacity on an element). The
loaded network, the equilibrium sweep and the simulation's service times all
come from these curves.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt

from corridor.capacity.elements import Capacities
from corridor.capacity.procedures import Procedures, port_customs_h, procedures
from corridor.graph import services as svc
from corridor.graph.compiled import EDGE_KINDS, CompiledNetwork
from corridor.graph.weather import service_weather

FloatArray = npt.NDArray[np.float64]
CONSTANT, QUEUE, DEPARTURE, PROCEDURE = 0, 1, 2, 3
#: Observed utilisations above this are taken as this when deriving service times
#: (an observation at or beyond capacity says the capacity figure is too low).
RHO_OBSERVED_MAX = 0.95
_BORDER = EDGE_KINDS.index("border")
_SERVICE = EDGE_KINDS.index("service")
_LINK = EDGE_KINDS.index("link")
_TERMINAL_KINDS = tuple(EDGE_KINDS.index(k) for k in ("transfer", "access", "egress"))


def queue_factor(rho: FloatArray, servers: FloatArray) -> FloatArray:
    """``q(ρ) = ρ^(√(2(c+1)) − 1) / (1 − ρ)`` with ρ capped at ``RHO_FULL``.

    Examples
    --------
    >>> import numpy as np
    >>> float(queue_factor(np.array([0.5]), np.array([1.0]))[0])  # M/M/1: rho / (1 - rho)
    1.0
    """
    r = np.minimum(np.maximum(rho, 0.0), svc.RHO_FULL)
    beta = np.sqrt(2.0 * (servers + 1.0)) - 1.0
    return np.power(r, beta) / (1.0 - r)


@dataclass(frozen=True, eq=False)
class DelayCurves:
    """Per edge, the parameters of its delay curve (module docs)."""

    shape: npt.NDArray[np.int8]
    fixed_h: FloatArray
    service_h: FloatArray
    servers: FloatArray
    k: FloatArray
    cv: FloatArray
    service_edges: npt.NDArray[np.int64]
    when_full: npt.NDArray[np.bool_]
    sailing_teu: FloatArray
    fleet_cycle_h: FloatArray
    headway_h: FloatArray
    max_wait_h: FloatArray
    service_capacity_teu: FloatArray
    service_storm_h: FloatArray
    service_storm_var_h2: FloatArray
    procedures: Procedures
    procedure_scale: FloatArray
    procedure_rest_h: FloatArray

    def waits(
        self, utilisation: FloatArray, edge_flow_teu: FloatArray
    ) -> tuple[FloatArray, FloatArray]:
        """Mean hours waited on every edge and their CV.

        ``utilisation`` is per edge (its element's); ``edge_flow_teu`` is the
        TEU a year on each edge (ship services wait for their own direction).
        """
        every = np.arange(self.shape.shape[0])
        return self.waits_at(every, utilisation, edge_flow_teu)

    def waits_at(
        self, edges: npt.NDArray[np.int64], utilisation: FloatArray, edge_flow_teu: FloatArray
    ) -> tuple[FloatArray, FloatArray]:
        """:meth:`waits` of the edges ``edges`` only (distinct, sorted), from their
        utilisation and flow (arrays aligned with ``edges``).

        An edge's wait depends on its own element's utilisation and its own
        flow, so the waits of the edges a load touched can be updated alone.
        """
        q = queue_factor(utilisation, self.servers[edges])
        queue = self.shape[edges] == QUEUE
        wait = np.where(queue, self.service_h[edges] * (1.0 + self.k[edges] * q),
                        self.fixed_h[edges])  # fmt: skip
        cv = self.cv[edges].copy()
        at = self._service_position[edges]
        on = np.flatnonzero(at >= 0)
        if on.size:
            j = at[on]
            mean, wcv, _ = svc.departure_wait(
                when_full=self.when_full[j],
                sailing_teu=self.sailing_teu[j],
                fleet_cycle_h=self.fleet_cycle_h[j],
                headway_h=self.headway_h[j],
                max_wait_h=self.max_wait_h[j],
                capacity_teu=self.service_capacity_teu[j],
                flow_teu=edge_flow_teu[on],
            )
            # plus the expected wait for storms (corridor.graph.weather), independent
            total = mean + self.service_storm_h[j]
            sd = np.sqrt((wcv * mean) ** 2 + self.service_storm_var_h2[j])
            wait[on] = total
            cv[on] = np.where(total > 0, sd / np.where(total > 0, total, 1.0), wcv)
        at = self._procedure_position[edges]
        on = np.flatnonzero(at >= 0)
        if on.size:
            j = at[on]
            hours = self.procedures.hours(utilisation[on], rows=j)
            wait[on] = self.procedure_rest_h[j] + self.procedure_scale[j] * hours
        return wait, cv

    @cached_property
    def _service_position(self) -> npt.NDArray[np.int64]:
        """Per edge, its index in the service arrays (-1 if not a service)."""
        return _positions(self.shape.shape[0], self.service_edges)

    @cached_property
    def _procedure_position(self) -> npt.NDArray[np.int64]:
        """Per edge, its row in :attr:`procedures` (-1 if it has none)."""
        return _positions(self.shape.shape[0], self.procedures.edges)


def _positions(n: int, edges: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    out = np.full(n, -1, dtype=np.int64)
    out[edges] = np.arange(edges.shape[0])
    return out


def _column(g: CompiledNetwork, kinds: tuple[int, ...], table: str, col: str) -> FloatArray:
    """Per edge, column ``col`` of the ``table`` row behind edges of ``kinds`` (nan elsewhere)."""
    out = np.full(g.n_edges, np.nan)
    frame = g.network.tables[table]
    if col not in frame.columns:  # a table built in code without this optional column
        return out
    values = np.asarray(frame[col], dtype=np.float64)
    sel = np.isin(g.kind, kinds) & (g.element >= 0)
    out[sel] = values[g.element[sel]]
    return out


@dataclass(frozen=True)
class Observed:
    """An element as its dwell input was observed: load and queue shape in the base year."""

    utilisation: float
    servers: float
    cv: float
    sailing_teu: float = 0.0
    procedure_h: float | None = None
    #: The ship's TEU in the base year (0: not recorded, the commercial load is
    #: then the larger of the base year's and the scenario's usable load).
    teu_per_sailing: float = 0.0
    customs_h: float | None = None


def delay_curves(
    g: CompiledNetwork,
    caps: Capacities,
    observed: Mapping[tuple[str, str, str, str], Observed],
) -> DelayCurves:
    """Delay curves of every edge of ``g``, derived from dwell observed at observed load.

    Parameters
    ----------
    g, caps
        The compiled network (a scenario applied, if any) and its capacity elements.
    observed
        Per element key (:attr:`Capacities.key`), the base year's utilisation
        (the 2024 demand on its observed corridors in the base network),
        servers and CV at which its dwell input holds. The service time is
        ``dwell / (1 + k₀ q₀(ρ₀))`` with the base's queue shape, so a scenario
        that cuts a dwell (a scanner) cuts the service time, one that adds
        servers or capacity shortens the queue, and the base reproduces its
        inputs. Elements not named were observed unloaded.
    """
    m = g.n_edges
    kind = g.kind
    border = kind == _BORDER
    terminal = np.isin(kind, _TERMINAL_KINDS) & (g.element >= 0)
    dwell = np.where(border | terminal, g.hours_waiting, np.nan)
    cv = np.asarray(g.hours_waiting_cv, dtype=np.float64).copy()
    servers = element_servers(g)
    el = caps.element_of
    limited = np.zeros(m, dtype=bool)
    has = el >= 0
    limited[has] = caps.limited()[el[has]]
    queue = (border | terminal) & limited & (np.nan_to_num(dwell) > 0)
    k = (1.0 + np.nan_to_num(cv) ** 2) / (2.0 * servers)
    service = np.zeros(m)
    for e in np.flatnonzero(queue):
        seen = observed.get(caps.key[el[e]])
        if seen is None:
            service[e] = dwell[e]
        else:
            service[e] = service_time_h(dwell[e], seen.utilisation, seen.servers, seen.cv)
    fixed = np.where(queue, 0.0, np.asarray(g.hours_waiting, dtype=np.float64))
    _port_customs(g, caps, observed, terminal & queue, service)
    _port_customs(g, caps, observed, terminal & ~queue, fixed)
    shape = np.full(m, CONSTANT, dtype=np.int8)
    shape[queue] = QUEUE
    srv_edges = np.flatnonzero(kind == _SERVICE)
    rows = g.network.services
    r = g.element[srv_edges]
    vessels = np.asarray(rows["vessels"], dtype=np.float64)[r]
    crossing = np.asarray(rows["crossing_h"], dtype=np.float64)[r]
    turnaround = np.asarray(rows["port_turnaround_h"], dtype=np.float64)[r]
    ship_teu = np.asarray(rows["teu_per_sailing"], dtype=np.float64)[r]
    sailing = ship_teu * np.asarray(rows["load_factor"], dtype=np.float64)[r]
    for j, e in enumerate(srv_edges):
        seen = observed.get(caps.key[el[e]])
        if seen is not None and seen.teu_per_sailing > 0:
            # the base year's commercial load, for a ship of this size: a draft
            # limit (lower or lifted) changes what a sailing takes, not what the
            # operator waits for
            sailing[j] = seen.sailing_teu * ship_teu[j] / seen.teu_per_sailing
        elif seen is not None:
            sailing[j] = max(sailing[j], seen.sailing_teu)
    shape[srv_edges] = DEPARTURE
    storms = service_weather(g.network)
    ids = rows["id"][r]
    storm = [storms.get(str(i)) for i in ids]
    storm_h = np.array([0.0 if w is None else w.expected_h for w in storm])
    storm_var = np.array([0.0 if w is None else w.variance_h2 for w in storm])
    procs = procedures(g)
    scale = np.ones(procs.edges.size)
    rest = np.zeros(procs.edges.size)
    seen_of = [observed.get(caps.key[el[e]]) for e in procs.edges.tolist()]
    rho0 = np.array([x.utilisation if x is not None else 0.0 for x in seen_of])
    at_rho0 = procs.hours(rho0)
    for j, e in enumerate(procs.edges.tolist()):
        seen = seen_of[j]
        explained = (
            seen.procedure_h
            if seen is not None and seen.procedure_h is not None
            else float(at_rho0[j])
        )
        observed_dwell = float(g.hours_waiting[e])
        if explained <= observed_dwell or explained <= 0:
            rest[j] = observed_dwell - max(explained, 0.0)
        else:
            scale[j] = observed_dwell / explained
        shape[e] = PROCEDURE
        service[e] = scale[j] * float(procs.service_h[j].sum())
        servers[e] = float(procs.lanes[j].min())
    return DelayCurves(
        shape=shape,
        fixed_h=fixed,
        service_h=service,
        servers=servers,
        k=k,
        cv=cv,
        service_edges=srv_edges.astype(np.int64),
        when_full=(rows["policy"][r] == "when_full"),
        sailing_teu=sailing,
        fleet_cycle_h=2.0 * (crossing + turnaround) / np.maximum(vessels, 1.0),
        headway_h=np.nan_to_num(np.asarray(rows["headway_h"], dtype=np.float64)[r], nan=168.0),
        max_wait_h=np.nan_to_num(np.asarray(rows["max_wait_h"], dtype=np.float64)[r], nan=336.0),
        service_capacity_teu=np.asarray(g.capacity_teu_per_year, dtype=np.float64)[srv_edges],
        service_storm_h=storm_h,
        service_storm_var_h2=storm_var,
        procedures=procs,
        procedure_scale=scale,
        procedure_rest_h=rest,
    )


def _port_customs(
    g: CompiledNetwork,
    caps: Capacities,
    observed: Mapping[tuple[str, str, str, str], Observed],
    edges: npt.NDArray[np.bool_],
    hours: FloatArray,
) -> None:
    """Move the service (or fixed dwell) of port edges by their customs change, in place.

    The observed handling holds the base year's customs hours
    (:func:`~corridor.capacity.procedures.port_customs_h`, ``Observed.customs_h``);
    a scenario's customs hours replace them, scaled by ``f = min(1, hours / base)``
    where the base customs would explain more than the handling.
    """
    customs = port_customs_h(g.network)
    if not customs:
        return
    ids = g.network.terminals["id"]
    for e in np.flatnonzero(edges).tolist():
        now = customs.get(str(ids[g.element[e]]))
        if now is None:
            continue
        i = int(caps.element_of[e])
        seen = observed.get(caps.key[i]) if i >= 0 else None
        base = seen.customs_h if seen is not None and seen.customs_h is not None else now
        f = min(1.0, float(hours[e]) / base) if base > 0 else 1.0
        hours[e] = max(float(hours[e]) + f * (now - base), 0.0)


def service_time_h(dwell_h: float, observed_utilisation: float, servers: float, cv: float) -> float:
    """Service time behind an observed mean dwell (module docs), for one element.

    Examples
    --------
    >>> round(service_time_h(30.0, 0.5, 1.0, 1.0), 6)  # M/M/1 at rho 0.5: dwell = 2 s
    15.0
    """
    rho = min(observed_utilisation, RHO_OBSERVED_MAX)
    k = (1.0 + cv * cv) / (2.0 * servers)
    beta = math.sqrt(2.0 * (servers + 1.0)) - 1.0
    return float(dwell_h / (1.0 + k * rho**beta / (1.0 - rho)))


def element_servers(g: CompiledNetwork) -> FloatArray:
    """Parallel servers per edge, else 1.

    A border's or terminal's ``station_servers`` (the units it works at once,
    the figure the simulation's station has) where the dataset gives one;
    otherwise ``servers`` of borders and ``berths`` of terminals.
    """
    servers = np.ones(g.n_edges)
    border = g.kind == _BORDER
    terminal = np.isin(g.kind, _TERMINAL_KINDS) & (g.element >= 0)
    col = _column(g, (_BORDER,), "borders", "servers")
    station = _column(g, (_BORDER,), "borders", "station_servers")
    col = np.where(np.isnan(station), col, station)
    servers[border] = np.nan_to_num(col[border], nan=1.0).clip(min=1.0)
    col = _column(g, _TERMINAL_KINDS, "terminals", "berths")
    station = _column(g, _TERMINAL_KINDS, "terminals", "station_servers")
    col = np.where(np.isnan(station), col, station)
    servers[terminal] = np.nan_to_num(col[terminal], nan=1.0).clip(min=1.0)
    return servers


def stated_station_servers(g: CompiledNetwork) -> FloatArray:
    """Per edge, the dataset's ``station_servers`` of its border or terminal (NaN: none given)."""
    out = _column(g, (_BORDER,), "borders", "station_servers")
    term = _column(g, _TERMINAL_KINDS, "terminals", "station_servers")
    return np.where(np.isnan(out), term, out)
