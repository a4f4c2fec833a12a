"""What the base year says: the observed load of every element and each shipper's value of time.

The dataset's dwell inputs were observed under the 2024 demand, which the
demand table records on the corridor it was seen on. Routing each row on its
corridor in the *base* network gives the observed load of every capacity
element (:class:`~corridor.capacity.delay.Observed`), from which the delay
curves derive their service times; and, at the waits of that load, each
shipper segment's value of time is revealed by its choice
(:mod:`corridor.loaded.segments`). Both are properties of the base network,
so a scenario of the same base reuses them: a closure changes where freight
goes, not what was observed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from corridor.capacity.delay import DelayCurves, Observed, delay_curves, element_servers
from corridor.capacity.elements import Capacities, capacities
from corridor.capacity.procedures import port_customs_h, procedures
from corridor.graph.compiled import CompiledNetwork, compile_network
from corridor.loaded.cache import ResultCache, network_digest
from corridor.loaded.segments import Segment, shipper_segments
from corridor.model.network import Network
from corridor.paths.routes import BEST, route

Key = tuple[str, str, str, str]


@dataclass(frozen=True, eq=False)
class Calibration:
    """The base year's observed loads and revealed values of time.

    ``observed``: per element key, the utilisation, servers and CV under
    which its dwell input holds. ``value_of_time``: per segment name
    (``commodity/corridor/origin-destination``), the revealed value of time
    and whether the observation could be reproduced. ``graph`` is the base
    network compiled with the waits of the observed load.
    """

    network: Network
    observed: dict[Key, Observed]
    value_of_time: dict[str, tuple[float, bool]]
    graph: CompiledNetwork
    capacities: Capacities
    curves: DelayCurves


def observed_edge_flows(g: CompiledNetwork) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """TEU and tonnes a year per edge with every demand row on its observed corridor.

    Rows without a corridor take the least generalised-cost route; rows whose
    corridor cannot connect them in ``g`` are returned by id.
    """
    teu, t, _box, _bulk, missing = _observed(g)
    return teu, t, missing


def _observed(
    g: CompiledNetwork,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """:func:`observed_edge_flows`, with the TEU of containers and the tonnes of bulk."""
    net = g.network
    teu = np.zeros(g.n_edges)
    t = np.zeros(g.n_edges)
    box = np.zeros(g.n_edges)
    bulk = np.zeros(g.n_edges)
    missing = []
    for d in net.demand.itertuples():
        corridor = d.corridor or BEST
        r = route(g, d.origin, d.destination, corridor=corridor, commodity=d.commodity)
        if r is None:
            missing.append(str(d.id))
            continue
        c = net.row("commodities", d.commodity)
        assert c is not None  # demand rows name commodities of the table (checked on reading)
        per_teu = float(c["tonnes_per_teu"])
        volume = float(d.volume_per_year)
        edges = list(r.edges)
        if c["unit"] == "teu":
            teu[edges] += volume
            box[edges] += volume
            t[edges] += volume * per_teu
        else:
            teu[edges] += volume / per_teu
            t[edges] += volume
            bulk[edges] += volume
    return teu, t, box, bulk, missing


def calibrate(base: Network, *, cache: ResultCache | None = None) -> Calibration:
    """Observed loads and revealed values of time of a base network (module docs).

    With a ``cache``, a calibration of a base whose tables have the same content
    is read from it instead of computed, and a computed one is stored.

    Examples
    --------
    >>> from corridor import load_network
    >>> cal = calibrate(load_network())
    >>> all(0 <= o.utilisation for o in cal.observed.values())
    True
    """
    key = ""
    if cache is not None:
        key = cache.key("calibration", network_digest(base))
        hit = cache.load("calibration", key, {"base": base})
        if isinstance(hit, Calibration):
            return hit
    result = _calibrate(base)
    if cache is not None:
        cache.store("calibration", key, result, {"base": base})
    return result


def _calibrate(base: Network) -> Calibration:
    g0 = compile_network(base)
    caps = capacities(g0)
    teu, t, box, bulk, _ = _observed(g0)
    util = caps.utilisation(*caps.element_flows(teu, t), *caps.element_flows(box, bulk))
    servers = element_servers(g0)
    cv = np.asarray(g0.hours_waiting_cv)
    ship = {
        str(i): (float(teu), float(load))
        for i, teu, load in zip(
            base.services["id"], base.services["teu_per_sailing"], base.services["load_factor"],
            strict=True,
        )
    }  # fmt: skip
    edge_util0 = np.where(caps.element_of >= 0, util[np.maximum(caps.element_of, 0)], 0.0)
    procs = procedures(g0)
    explained = dict(
        zip(
            (caps.key[caps.element_of[e]] for e in procs.edges.tolist()),
            procs.hours(edge_util0[procs.edges]).tolist(),
            strict=True,
        )
    )
    customs = port_customs_h(base)
    observed = {
        caps.key[i]: Observed(
            utilisation=float(util[i]),
            servers=float(servers[caps.first_edge[i]]),
            cv=float(cv[caps.first_edge[i]]),
            sailing_teu=ship[caps.key[i][1]][0] * ship[caps.key[i][1]][1]
            if caps.key[i][0] == "services"
            else 0.0,
            teu_per_sailing=ship[caps.key[i][1]][0] if caps.key[i][0] == "services" else 0.0,
            procedure_h=explained.get(caps.key[i]),
            customs_h=customs.get(caps.key[i][1]) if caps.key[i][0] == "terminals" else None,
        )
        for i in range(caps.n)
    }
    curves = delay_curves(g0, caps, observed)
    edge_util = np.where(caps.element_of >= 0, util[np.maximum(caps.element_of, 0)], 0.0)
    waits, wcv = curves.waits(edge_util, teu)
    g = replace(g0, hours_waiting=waits, hours_waiting_cv=wcv)
    segments: list[Segment] = shipper_segments(g)
    return Calibration(
        network=base,
        observed=observed,
        value_of_time={s.name: (s.value_of_time, s.revealed) for s in segments},
        graph=g,
        capacities=caps,
        curves=curves,
    )
