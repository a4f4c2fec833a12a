"""Prepare a scenario: compile once, load its demand, settle loads and waits together.

The loaded state is built by capacity-restrained incremental loading, then
improved by Gauss–Seidel sweeps towards a shipper-segment equilibrium:

1. Every segment's yearly volume is cut into ``increments`` equal slices,
   loaded in turns (slice 1 of every segment, then slice 2, ...; smaller
   slices first within a turn) so that no segment gets the capacity first by
   its place in the table or by the size of its slice.
2. A slice takes the least generalised-cost route of its segment's choice set
   (value of time × hours + money) at the current waits, over edges whose
   element still has room; it is loaded up to the room left on that route,
   in steps that raise no element's utilisation by more than ``STEP`` (so a
   large slice cannot overshoot: its first tonnes raise the waits before the
   rest chooses), and the rest of the slice looks again (a segment whose whole demand keeps
   its route at or below half of every capacity loads at once). After every
   load the waits of the elements it touched follow the one delay function
   (:mod:`corridor.capacity.delay`): waits depend on loads.
3. A slice with no route that has room is unserved: if a route exists when
   capacities are ignored, the full elements on it refused it; otherwise the
   scenario leaves the segment no open route at all.
4. A sweep takes each segment's volume off the network and loads it again,
   slice by slice, at the waits the others cause: loads depend on the routes
   the waits make cheapest. The sweeps are a deterministic map of the routes;
   they stop at its fixed point (a sweep that moved no flow: sweeping again
   would change nothing), at a cycle (a sweep that put every flow back where
   an earlier one had left it: sweeping on would go round the same states),
   when the relative gap is at or below ``gap``, or after ``max_sweeps``. On
   the default dataset the fixed point comes after 3 sweeps at the 2024
   demand and 4 at 1.65 times it (relative gaps 5.7e-6 and 6.0e-4): it is not
   an exact equilibrium (the slices are coarse), and the gap it leaves is
   reported.

A run may start from the routes of another, settled run instead of step 1
(:mod:`corridor.loaded.warm`): each segment takes its routes back (those
through an element now over its capacity are taken off again) and the sweeps
go on from there. That is how an appraisal compares a scenario with and
without a measure: a measure that changes nothing leaves the fixed point where
it was.

No element ever carries more than its capacity, by construction.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import numpy.typing as npt

from corridor.capacity.delay import DelayCurves, delay_curves
from corridor.capacity.elements import Capacities, capacities
from corridor.graph.compiled import CompiledNetwork, compile_network
from corridor.graph.shortest import best_walk
from corridor.loaded.cache import ResultCache, network_digest
from corridor.loaded.calibration import Calibration, calibrate
from corridor.loaded.network import LoadedNetwork, SegmentFlow
from corridor.loaded.segments import Segment, shipper_segments
from corridor.loaded.warm import Start, edges_digest
from corridor.model.network import Network
from corridor.model.scenario import Scenario

FloatArray = npt.NDArray[np.float64]
#: Volumes below this fraction of a slice are rounding, not demand.
_TINY = 1e-9
#: A segment whose whole demand keeps every element of its route at or below
#: this utilisation loads at once: the queue it causes is small (q(0.5) = 1 for
#: one server) and the sweeps settle what little it moves.
LIGHT = 0.5
#: Largest rise of an element's utilisation one step of loading may cause.
STEP = 0.05


@dataclass
class _State:
    """Mutable loads of the fixed point (private to :func:`prepare`).

    ``util`` (per element) and ``waits``/``cv`` (per edge) always match the
    flows: every load updates the utilisation of the elements it touched and
    the waits of their edges (an edge's wait depends on its own element and
    its own flow only, :meth:`DelayCurves.waits_at`).
    """

    g: CompiledNetwork
    caps: Capacities
    curves: DelayCurves
    edge_teu: FloatArray
    edge_t: FloatArray
    el_teu: FloatArray
    el_t: FloatArray
    el_box: FloatArray
    el_bulk: FloatArray
    util: FloatArray = field(init=False)
    waits: FloatArray = field(init=False)
    cv: FloatArray = field(init=False)
    _edges_of: list[npt.NDArray[np.int64]] = field(init=False)
    _use: dict[tuple[str, float, float], FloatArray] = field(init=False)

    def __post_init__(self) -> None:
        el = self.caps.element_of
        order = np.argsort(el, kind="stable")
        bounds = np.searchsorted(el[order], np.arange(self.caps.n + 1))
        self._edges_of = [order[bounds[i] : bounds[i + 1]] for i in range(self.caps.n)]
        self._use = {}
        self.update_waits()

    def utilisation(self) -> FloatArray:
        return self.caps.utilisation(self.el_teu, self.el_t, self.el_box, self.el_bulk)

    def update_waits(self) -> None:
        """Recompute the utilisation of every element and the wait of every edge."""
        self.util = self.utilisation()
        el = self.caps.element_of
        edge_util = np.where(el >= 0, self.util[np.maximum(el, 0)], 0.0)
        self.waits, self.cv = self.curves.waits(edge_util, self.edge_teu)

    def _update_at(self, edges: npt.NDArray[np.int64], elements: npt.NDArray[np.int64]) -> None:
        """Update after a load on ``edges`` through ``elements`` (class docs)."""
        self.util = self.utilisation()
        touched = np.unique(np.concatenate([edges, *(self._edges_of[i] for i in elements)]))
        el = self.caps.element_of[touched]
        edge_util = np.where(el >= 0, self.util[np.maximum(el, 0)], 0.0)
        wait, cv = self.curves.waits_at(touched, edge_util, self.edge_teu[touched])
        self.waits[touched] = wait
        self.cv[touched] = cv

    def use(self, s: Segment) -> FloatArray:
        """Per element, the utilisation one unit of ``s`` adds."""
        key = (s.unit, s.teu_per_unit, s.t_per_unit)
        if key not in self._use:
            self._use[key] = self.caps.use_per_unit(*key)
        return self._use[key]

    def room(self, s: Segment) -> FloatArray:
        """Per edge, the volume of segment ``s`` (its unit) its element can still take."""
        use = self.use(s)
        left = np.maximum(1.0 - self.util, 0.0)
        with np.errstate(divide="ignore"):
            per_element = np.where(use > 0, left / np.where(use > 0, use, 1.0), np.inf)
        el = self.caps.element_of
        return np.where(el >= 0, per_element[np.maximum(el, 0)], np.inf)

    def weight(self, s: Segment) -> FloatArray:
        return self.g.cost_usd + s.value_of_time * (self.g.hours_moving + self.waits)

    def add(self, s: Segment, edges: Sequence[int], volume: float, refresh: bool = True) -> None:
        """Put ``volume`` of ``s`` on ``edges`` (a negative volume takes it off); with
        ``refresh=False`` the waits are left for one :meth:`update_waits` after
        many loads."""
        e = np.asarray(edges, dtype=np.int64)
        np.add.at(self.edge_teu, e, volume * s.teu_per_unit)
        np.add.at(self.edge_t, e, volume * s.t_per_unit)
        el = self.caps.element_of[e]
        el = el[el >= 0]
        np.add.at(self.el_teu, el, volume * s.teu_per_unit)
        np.add.at(self.el_t, el, volume * s.t_per_unit)
        if s.unit == "teu":
            np.add.at(self.el_box, el, volume * s.teu_per_unit)
        else:
            np.add.at(self.el_bulk, el, volume * s.t_per_unit)
        if volume > 0 and refresh:
            self._update_at(e, np.unique(el))

    def route(self, s: Segment, edge_ok: npt.NDArray[np.bool_]) -> tuple[float, list[int]] | None:
        w = np.where(edge_ok, self.weight(s), np.inf)
        found = best_walk(
            self.g.indptr, self.g.head, self.g.tail, w,
            self.g.gate(s.origin), self.g.gate(s.destination),
            n_gates=self.g.n_gates, masked=True,
        )  # fmt: skip
        return None if found is None else (found[0], found[1])


@dataclass
class _Placed:
    paths: dict[tuple[int, ...], float] = field(default_factory=dict)
    unserved: float = 0.0
    refused_by: tuple[str, ...] = ()
    reason: str = ""
    done: bool = False


def _place(state: _State, s: Segment, amount: float, placed: _Placed) -> None:
    """Load ``amount`` of segment ``s`` on its cheapest routes with room (module docs)."""
    remaining = amount
    for _ in range(10_000):
        if remaining <= _TINY * max(amount, 1.0):
            return
        room = state.room(s)
        usable = s.edge_ok & (room > _TINY * max(amount, 1.0))
        found = state.route(s, usable)
        if found is None:
            break
        edges = found[1]
        el = state.caps.element_of[edges]
        counts = np.bincount(el[el >= 0], minlength=state.caps.n)
        with np.errstate(divide="ignore"):
            per_use = room[state.caps.first_edge] / np.maximum(counts, 1)
            limit = np.where(counts > 0, per_use, np.inf)
        pending = s.volume - sum(placed.paths.values()) - placed.unserved
        if not np.isfinite(limit).any() or _light(state, s, counts, pending):
            # no capacity on the route, or its whole demand leaves every element
            # on it below LIGHT: its load barely moves the waits, so its later
            # slices would take this route too; load them now
            remaining = pending
            placed.done = True
        x = min(remaining, float(limit.min()) if limit.size else remaining)
        if not placed.done:
            # a step moves no element's utilisation by more than STEP: its
            # waits follow the load before the next step chooses
            rise = float((counts * state.use(s)).max(initial=0.0))
            if rise * x > STEP:
                x = max(STEP / rise, _TINY * max(amount, 1.0))
        key = tuple(edges)
        placed.paths[key] = placed.paths.get(key, 0.0) + x
        state.add(s, edges, x)
        remaining -= x
    placed.unserved += remaining
    refused, reason = _refusal(state, s, _TINY * max(amount, 1.0))
    placed.refused_by = refused
    placed.reason = reason


def _light(state: _State, s: Segment, counts: npt.NDArray[np.int64], volume: float) -> bool:
    """Whether ``volume`` more of ``s`` on a route using elements ``counts`` times keeps
    every one of them at or below :data:`LIGHT` utilisation."""
    util = state.util + counts * volume * state.use(s)
    return bool(util[counts > 0].max(initial=0.0) <= LIGHT)


def _refusal(state: _State, s: Segment, no_room: float) -> tuple[tuple[str, ...], str]:
    """Which full elements stop segment ``s``, or that it has no open route at all.

    An element is full for ``s`` when its room is at most ``no_room`` (the
    threshold :func:`_place` used to refuse it, so that a refused segment
    always names what refused it).
    """
    found = state.route(s, s.edge_ok)
    if found is None:
        return (), "no open route in its choice set (closed or not connected)"
    room = state.room(s)
    full = []
    for e in found[1]:
        i = int(state.caps.element_of[e])
        if i >= 0 and room[e] <= no_room:
            elem = state.caps.key[i][1]
            if elem not in full:
                full.append(elem)
    return tuple(full), "capacity full on every open route"


def _remove(state: _State, s: Segment, placed: _Placed) -> None:
    for edges, volume in placed.paths.items():
        state.add(s, edges, -volume)
    for flows in (state.el_teu, state.el_t, state.el_box, state.el_bulk):
        np.maximum(flows, 0.0, out=flows)
    np.maximum(state.edge_teu, 0.0, out=state.edge_teu)
    np.maximum(state.edge_t, 0.0, out=state.edge_t)
    state.update_waits()
    placed.paths = {}
    placed.unserved = 0.0
    placed.refused_by = ()
    placed.reason = ""
    placed.done = False


def _gap(
    state: _State, segments: Sequence[Segment], placed: Sequence[_Placed], increments: int
) -> float:
    """Relative gap of the capacitated equilibrium (module docs).

    Flow on a route costlier than the cheapest route that still has room
    could gain by moving; flow kept off a cheaper route by a full element
    could not (the capacity's shadow price makes up the difference). The gap
    is the flow-weighted sum of the possible gains over the flow-weighted
    cost of the routes used. An element has room for a segment on the same
    terms as in :func:`_place` (more than a rounding share of one of its
    slices): one it refused is full, not a cheaper route left unused.
    """
    excess = 0.0
    total = 0.0
    for s, p in zip(segments, placed, strict=True):
        if not p.paths:
            continue
        w = state.weight(s)
        no_room = _TINY * max(s.volume / increments, 1.0)
        found = state.route(s, s.edge_ok & (state.room(s) > no_room))
        best = found[0] if found is not None else np.inf
        for edges, volume in p.paths.items():
            cost = float(w[list(edges)].sum())
            excess += volume * s.teu_per_unit * max(cost - best, 0.0)
            total += volume * s.teu_per_unit * cost
    return excess / total if total > 0 else 0.0


def prepare(
    network: Network | Scenario,
    *,
    growth: float = 1.0,
    calibration: Calibration | None = None,
    increments: int = 6,
    max_sweeps: int = 12,
    gap: float = 0.0,
    scenario_name: str | None = None,
    cache: ResultCache | None = None,
    start: Start | None = None,
) -> LoadedNetwork:
    """Load a network's (or scenario's) demand to the fixed point of loads and waits.

    Parameters
    ----------
    network
        A network, or a scenario (its base is the calibration year).
    growth
        Factor on every demand row (after the scenario's own demand changes).
    calibration
        The base year's observed loads and values of time
        (:func:`~corridor.loaded.calibration.calibrate` of the base); computed
        here when not given. Pass it when preparing many scenarios of one base.
    increments
        Slices per segment in each loading (module docs).
    max_sweeps, gap
        Most equilibrium sweeps after the first loading, and a relative gap at
        which to stop before the sweeps' fixed point (module docs; 0: sweep to
        the fixed point).
    scenario_name
        Recorded in the result (default: the scenario's name, or ``"base"``).
    cache
        Where to look for this result before computing it, and to store it
        after (:class:`~corridor.loaded.cache.ResultCache`, keyed by the content
        of the networks' tables and every parameter); also used for the
        calibration when none is given.
    start
        The routes of a settled run to start from instead of loading from
        nothing (module docs); ignored when its graph's edges differ from this
        scenario's (the run then starts from nothing).

    Examples
    --------
    >>> from corridor import load_network
    >>> loaded = prepare(load_network())
    >>> bool(loaded.utilisation.max() <= 1.0 + 1e-9)
    True
    """
    if isinstance(network, Scenario):
        base, net = network.base, network.apply()
        name = scenario_name or network.name
    else:
        base = net = network
        name = scenario_name or "base"
    objects = {"network": net, "base": base}
    key = ""
    if cache is not None:
        key = cache.key(
            "prepare",
            network_digest(net),
            network_digest(calibration.network if calibration is not None else base),
            float(growth), int(increments), int(max_sweeps), float(gap), name,
            _start_digest(start),
        )  # fmt: skip
        hit = cache.load("prepare", key, objects)
        if isinstance(hit, LoadedNetwork):
            return hit
    cal = calibration if calibration is not None else calibrate(base, cache=cache)
    result = _prepare(net, name, growth, cal, increments, max_sweeps, gap, start)
    result = replace(result, base=base)  # tells a corridor the scenario closed from one never open
    if cache is not None:
        cache.store("prepare", key, result, objects)
    return result


def _start_digest(start: Start | None) -> str:
    """A cache key's part for a warm start (empty without one)."""
    if start is None:
        return ""
    h = hashlib.blake2b(digest_size=16)
    h.update(start.edges.encode())
    for name in sorted(start.flows):
        h.update(repr((name, start.flows[name])).encode())
    return h.hexdigest()


def _warm_load(
    state: _State, segments: Sequence[Segment], placed: Sequence[_Placed], start: Start
) -> None:
    """Put each segment's routes of ``start`` back on the network (module docs)."""
    for s, p in zip(segments, placed, strict=True):
        f = start.flows.get(s.name)
        if f is None or f.volume != s.volume:
            continue
        for edges, volume in f.paths:
            if volume > 0 and bool(s.edge_ok[list(edges)].all()):
                p.paths[edges] = p.paths.get(edges, 0.0) + volume
                state.add(s, edges, volume, refresh=False)
        p.unserved = f.unserved
    state.update_waits()
    over = np.flatnonzero(state.util > 1.0 + 1e-9)
    if over.size:
        # less capacity than in the run started from: the segments through a
        # full element leave the network and the first sweep places them again
        for s, p in zip(segments, placed, strict=True):
            through = {int(e) for edges in p.paths for e in state.caps.element_of[list(edges)]}
            if through.intersection(over.tolist()):
                _remove(state, s, p)


def _routes(placed: Sequence[_Placed]) -> list[tuple[dict[tuple[int, ...], float], float]]:
    """Every segment's paths and unserved volume (to tell whether a sweep moved any)."""
    return [(dict(p.paths), p.unserved) for p in placed]


def _moved(
    segments: Sequence[Segment],
    before: Sequence[tuple[dict[tuple[int, ...], float], float]],
    placed: Sequence[_Placed],
) -> bool:
    """Whether a sweep moved more than rounding (:data:`_TINY` of a segment's
    volume) of any segment's flow between routes, or into or out of unserved."""
    for s, (paths, unserved), p in zip(segments, before, placed, strict=True):
        tol = _TINY * max(s.volume, 1.0)
        if abs(p.unserved - unserved) > tol:
            return True
        for key in paths.keys() | p.paths.keys():
            if abs(paths.get(key, 0.0) - p.paths.get(key, 0.0)) > tol:
                return True
    return False


def _prepare(
    net: Network,
    name: str,
    growth: float,
    cal: Calibration,
    increments: int,
    max_sweeps: int,
    gap: float,
    start: Start | None,
) -> LoadedNetwork:
    g0 = compile_network(net)
    caps = capacities(g0)
    curves = delay_curves(g0, caps, cal.observed)
    segments = shipper_segments(g0, growth=growth, value_of_time=cal.value_of_time)
    zeros = np.zeros
    state = _State(
        g0, caps, curves, zeros(g0.n_edges), zeros(g0.n_edges),
        zeros(caps.n), zeros(caps.n), zeros(caps.n), zeros(caps.n),
    )  # fmt: skip
    placed = [_Placed() for _ in segments]
    warm = start is not None and start.edges == edges_digest(g0)
    if warm:
        assert start is not None
        _warm_load(state, segments, placed, start)
    else:
        # smaller slices first in each round: a large flow's slice cannot take
        # an element's last room before a small flow has had its turn
        turn = sorted(range(len(segments)), key=lambda i: segments[i].teu_per_year)
        for _ in range(increments):
            for i in turn:
                if not placed[i].done:
                    _place(state, segments[i], segments[i].volume / increments, placed[i])
    sweeps = 0
    rel_gap = _gap(state, segments, placed, increments)
    settled = cycle = False
    seen = [_routes(placed)]
    # a warm start sweeps at least once: its gap was measured before its own waits moved
    must_sweep = warm
    while (must_sweep or rel_gap > gap) and not (settled or cycle) and sweeps < max_sweeps:
        sweeps += 1
        for s, p in zip(segments, placed, strict=True):
            _remove(state, s, p)
            for _ in range(increments):
                if not p.done:
                    _place(state, s, s.volume / increments, p)
        settled = not _moved(segments, seen[-1], placed)
        cycle = any(not _moved(segments, earlier, placed) for earlier in seen[:-1])
        seen.append(_routes(placed))
        rel_gap = _gap(state, segments, placed, increments)
        must_sweep = False
    graph = replace(g0, hours_waiting=state.waits, hours_waiting_cv=state.cv)
    flows = tuple(
        SegmentFlow(
            segment=s,
            paths=tuple((edges, v) for edges, v in p.paths.items() if v > 0),
            unserved=p.unserved,
            refused_by=p.refused_by,
            reason=p.reason,
        )
        for s, p in zip(segments, placed, strict=True)
    )
    return LoadedNetwork(
        scenario=name,
        growth=growth,
        network=net,
        graph=graph,
        capacities=caps,
        curves=curves,
        edge_flow_teu=state.edge_teu,
        edge_flow_t=state.edge_t,
        element_teu=state.el_teu,
        element_t=state.el_t,
        element_box_teu=state.el_box,
        element_bulk_t=state.el_bulk,
        flows=flows,
        relative_gap=rel_gap,
        sweeps=sweeps,
        settled=settled,
    )
