"""Rolling stock at gauge changes and interchanges: where trains need a unit, and its pool rule.

A row of ``rolling_stock.csv`` says where trains need rolling stock of their
own: a ``wagon_pool`` after a gauge change (a border with ``gauge_change`` or a
terminal of kind ``gauge_change``) delivering into ``country`` (blank = every
gauge change not named by another row), a ``locomotive_pool`` when a train
enters ``country`` by rail (Georgia: "lack of rolling stock, particularly of
locomotives", World Bank 2024). It also says how the pool is sized
(:func:`corridor.simulation.build.build_model`): turnaround = twice the loaded
haul to where the unit is released + ``terminal_h``, lognormal with CV
``turnaround_cv``; units = the fewest that keep the loaded trains at
utilisation ``<= max_utilisation`` and the expected wait for a unit at most
``max_wait_share`` of the station's dwell. A dataset without the table has no
pools.
"""

from __future__ import annotations

from dataclasses import dataclass

from corridor.model.network import Network
from corridor.paths.routes import Leg as RouteLeg


@dataclass(frozen=True)
class PoolRule:
    """One row of ``rolling_stock`` (module docs)."""

    id: str
    kind: str
    country: str
    terminal_h: float
    turnaround_cv: float
    max_utilisation: float
    max_wait_share: float


def pool_rules(network: Network) -> tuple[PoolRule, ...]:
    """The rows of ``rolling_stock`` (none if the dataset has no such table)."""
    table = network.tables.get("rolling_stock")
    if table is None or table.empty:
        return ()
    return tuple(
        PoolRule(
            id=str(r.id),
            kind=str(r.kind),
            country=str(r.country),
            terminal_h=float(r.terminal_h),
            turnaround_cv=float(r.turnaround_cv),
            max_utilisation=float(r.max_utilisation),
            max_wait_share=float(r.max_wait_share),
        )
        for r in table.itertuples()
    )


@dataclass(frozen=True)
class Rolling:
    """What decides where trains need rolling stock: gauge changes, countries, the rules."""

    gauge_change: dict[str, bool]
    country: dict[str, str]
    terminal_kind: dict[str, str]
    terminal_node: dict[str, str]
    rules: tuple[PoolRule, ...]

    @classmethod
    def of(cls, network: Network) -> Rolling:
        b, n, t = network.borders, network.nodes, network.terminals
        return cls(
            dict(zip(b["id"], (bool(x) for x in b["gauge_change"]), strict=True)),
            dict(zip(n["id"], n["country"], strict=True)),
            dict(zip(t["id"], t["kind"], strict=True)),
            dict(zip(t["id"], t["node"], strict=True)),
            pool_rules(network),
        )

    def _rule(self, kind: str, country: str | None) -> PoolRule | None:
        rows = [r for r in self.rules if r.kind == kind]
        exact = next((r for r in rows if r.country and r.country == country), None)
        if exact is not None or kind == "locomotive_pool":
            return exact
        return next((r for r in rows if not r.country), None)

    def pool_rule(self, leg: RouteLeg) -> PoolRule | None:
        """The pool trains need after this leg (a gauge change first), or None."""
        if not leg.mode.startswith("rail"):
            return None
        if leg.kind == "border":
            c_from, c_to = self.country.get(leg.from_node), self.country.get(leg.to_node)
            if self.gauge_change.get(leg.element_id, False):
                return self._rule("wagon_pool", c_to)
            return self._rule("locomotive_pool", c_to) if c_from != c_to else None
        if leg.kind == "transfer" and leg.element_id:
            if self.terminal_kind.get(leg.element_id) != "gauge_change":
                return None
            node = self.terminal_node.get(leg.element_id, "")
            return self._rule("wagon_pool", self.country.get(node))
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
