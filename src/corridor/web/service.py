"""What the web app does with a request: build a scenario, run the analysis, render.

The app holds no model logic: a :class:`Query` (origin, destination,
commodity, scenario, closures, interventions, demand growth) becomes a
:class:`corridor.model.scenario.Scenario` on the base network, and
:func:`corridor.analysis.analyze` produces the same JSON as
``corridor analyze --json``.
"""

from __future__ import annotations

import importlib
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from corridor.errors import CorridorError, UnknownIdError

CLOSABLE = ("countries", "borders", "services", "links", "nodes", "terminals")


@dataclass(frozen=True)
class Query:
    """One analysis request from the dashboard or the API."""

    origin: str
    destination: str
    commodity: str = "containers"
    scenario: str = "base"
    close: tuple[str, ...] = ()
    interventions: tuple[str, ...] = ()
    growth: float = 1.0
    seed: int = 0

    def scenario_key(self) -> tuple[Any, ...]:
        """What the loaded network depends on (not the pair, commodity or seed)."""
        return (self.scenario, self.close, self.interventions, self.growth)

    def closures(self) -> list[tuple[str, str]]:
        """``close`` entries ``component:id`` as pairs, checked against :data:`CLOSABLE`.

        Examples
        --------
        >>> Query("a", "b", close=("countries:RU",)).closures()
        [('countries', 'RU')]
        """
        out = []
        for item in self.close:
            component, sep, ident = item.partition(":")
            if not sep or component not in CLOSABLE or not ident:
                raise CorridorError(
                    f"bad closure '{item}': expected component:id with component one of "
                    + ", ".join(CLOSABLE)
                )
            out.append((component, ident))
        return out


@dataclass
class Service:
    """The web app's state: the base network, the base map and a small result cache.

    One instance per app (made by :func:`corridor.web.app.create_app`), so
    nothing is shared between apps or tests. Besides the results, it keeps the
    loaded networks of the last ``loaded_size`` scenarios: a request for
    another pair (or seed) of a scenario already prepared runs only the
    analysis, and concurrent requests for one new scenario prepare it once.
    """

    base: Any
    base_map: Any
    cache_size: int = 64
    loaded_size: int = 8
    _cache: OrderedDict[Query, tuple[dict[str, Any], Any]] = field(default_factory=OrderedDict)
    _loaded: OrderedDict[tuple[Any, ...], Any] = field(default_factory=OrderedDict)
    _preparing: dict[tuple[Any, ...], threading.Lock] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _calibration: Any = None

    def calibration(self) -> Any:
        """The base year's calibration, computed once per app (every scenario reuses it)."""
        with self._lock:
            if self._calibration is None:
                from corridor.loaded.calibration import calibrate

                self._calibration = calibrate(self.base)
            return self._calibration

    @classmethod
    def load(cls, network_path: str | None = None, *, cache_size: int = 64) -> Service:
        """Load the network (``None`` = embedded default) and the map outlines."""
        from corridor.model.network import load_network
        from corridor.report.mapsvg import load_base_map

        return cls(load_network(network_path), load_base_map(), cache_size)

    def scenario(self, q: Query) -> Any:
        """The scenario of a query: the named scenario plus closures and interventions."""
        from corridor.model.scenario import DemandGrowth, load_scenario, with_flags

        scen = load_scenario(q.scenario, self.base, builtin_only=True)
        q.closures()  # the dashboard sends component:id only
        scen = with_flags(scen, q.close, q.interventions)
        if q.growth != 1.0:
            scen = scen.with_changes(
                DemandGrowth(q.growth), name=f"{scen.name} + demand ×{q.growth:g}"
            )
        return scen

    def loaded(self, q: Query) -> Any:
        """The loaded network of a query's scenario, prepared once and shared."""
        key = q.scenario_key()
        with self._lock:
            hit = self._loaded.get(key)
            if hit is not None:
                self._loaded.move_to_end(key)
                return hit
            gate = self._preparing.setdefault(key, threading.Lock())
        with gate:  # one preparation per scenario; the others wait for it
            with self._lock:
                hit = self._loaded.get(key)
            if hit is not None:
                return hit
            from corridor.loaded.prepare import prepare

            try:
                loaded = prepare(self.scenario(q), calibration=self.calibration())
            except BaseException:
                with self._lock:
                    self._preparing.pop(key, None)
                raise
            with self._lock:  # stored before the gate goes: no second preparation
                self._loaded[key] = loaded
                self._preparing.pop(key, None)
                while len(self._loaded) > self.loaded_size:
                    self._loaded.popitem(last=False)
        return loaded

    def analyze(self, q: Query) -> tuple[dict[str, Any], Any]:
        """Run (or fetch from the cache) the analysis of a query; returns (dict, network)."""
        with self._lock:
            hit = self._cache.get(q)
            if hit is not None:
                self._cache.move_to_end(q)
                return hit
        from corridor.analysis import analyze

        for node in (q.origin, q.destination):
            self.base.require_node(node)
        scen = self.scenario(q)
        loaded = self.loaded(q)  # shared by every pair and seed of the scenario
        net = loaded.network
        result = analyze(loaded, pairs=[(q.origin, q.destination, q.commodity)])
        if scen.changes:
            from corridor.analysis import difference_from_base

            base, _net = self.analyze(Query(q.origin, q.destination, q.commodity, seed=q.seed))
            result["difference_from_base"] = difference_from_base(result, base)
        with self._lock:
            self._cache[q] = (result, net)
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
        return result, net

    def changes(self, q: Query) -> list[str]:
        """What a query's scenario changes against the base, in words."""
        from corridor.model.scenario import describe_change

        return [describe_change(c, self.base) for c in self.scenario(q).changes]

    def meta(self) -> dict[str, Any]:
        """Choices for the dashboard's form: places, commodities, scenarios, closables."""
        from corridor.model.scenario import scenario_names
        from corridor.report.units import money_text

        net = self.base
        nodes = net.nodes
        names = dict(zip(nodes["id"], nodes["name"], strict=True))
        import numpy as np

        places = nodes[np.isin(nodes["kind"], ["city", "port", "terminal"])]
        pairs = [
            {"origin": o, "destination": d, "commodity": c}
            for o, d, c in zip(
                net.od_pairs["origin"], net.od_pairs["destination"], net.od_pairs["commodity"],
                strict=True,
            )
        ]  # fmt: skip
        country_names = {iso: name for iso, name, _d in self.base_map.countries}
        countries = sorted(set(nodes["country"]) - {"XX"})

        def rows(table: str, label: Any) -> list[dict[str, str]]:
            t = getattr(net, table)
            return [{"id": str(r["id"]), "name": label(r)} for r in t.to_dict("records")]

        return {
            "dataset": net.name,
            "places": [
                {"id": str(i), "name": str(n), "country": str(c)}
                for i, n, c in zip(places["id"], places["name"], places["country"], strict=True)
            ],
            "default_pairs": pairs,
            "commodities": rows("commodities", lambda r: str(r["name"])),
            "scenarios": ["base", *scenario_names(net)],
            "closable": {
                "countries": [{"id": c, "name": country_names.get(c, c)} for c in countries],
                "borders": rows("borders", lambda r: str(r["name"])),
                "services": rows("services", lambda r: str(r["name"])),
                "links": rows(
                    "links",
                    lambda r: (
                        f"{names.get(r['from'], r['from'])} – {names.get(r['to'], r['to'])}"
                        f" ({r['mode']})"
                    ),
                ),
                "nodes": rows("nodes", lambda r: f"{r['name']} ({r['country']})"),
            },
            "interventions": rows(
                "interventions", lambda r: f"{r['name']} ({money_text(float(r['capex_usd']))})"
            ),
            "place_names": names,
            "features": {"simulation": simulation_available()},
        }


def simulation_available() -> bool:
    """Whether ``corridor.simulation.simulate`` exists (the simulation module may be absent)."""
    try:
        module = importlib.import_module("corridor.simulation")
        return callable(getattr(module, "simulate", None))
    except (ImportError, AttributeError):
        return False


def require_known(kind: str, value: str, known: list[str]) -> None:
    """Raise :class:`UnknownIdError` when ``value`` is not among ``known``."""
    if value not in known:
        raise UnknownIdError(f"unknown {kind} '{value}' (known: {', '.join(known[:20])})")
