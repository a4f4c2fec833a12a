"""Bridges, tunnels and passes on links: what they add to a link's hours and take from its capacity.

A structure (a row of ``structures.csv``) governs ``length_km`` of its link.
Its effect on the link, per direction and per unit moved:

**Slower section.** The section runs at
``v_s = min(speed_limit_kmh, speed_kmh × f(structure condition))`` instead of
the link's ``v = speed_kmh × f(link condition)`` (``f`` = the conditions
table's ``speed_factor``; a blank limit is no limit), adding
``length_km × (1/v_s − 1/v)`` moving hours when ``v_s < v`` (a structure never
makes its link faster).

**Closures.** ``n = closures_per_year`` closures a year of mean length
``R = 24 × repair_days`` hours keep the structure closed a share
``p = min(n × repair_days / 365, 1)`` of the year. A unit arriving at a random
time finds it closed with probability ``p``; with exponential repairs (the
simulation draws lognormal repairs of CV 1, whose mean residual
``R (1 + cv²) / 2`` is the same) the time still to wait is ``R`` however long
the closure has lasted. A shipper who does not know when it reopens therefore
waits if ``R <= detour_h`` and takes the detour at once otherwise:

* expected extra hours per unit ``= p × min(detour_h, R)`` (no detour: ``p × R``);
* while the structure stops traffic (no detour, or ``detour_h >= R``) the link
  carries nothing, so its capacity is cut by the closed share, ``× (1 − p)``;
  when traffic detours, the detour carries it and the capacity is not cut.

**Load limit.** A weight limit lets through a share ``load_limit_factor`` of
the link's capacity (shorter or lighter trains, lighter trucks).

Several structures on one link combine: capacity factors multiply, expected
hours add, each speed restriction applies on its own section. An unlimited
(``inf``) capacity stays unlimited unless a factor is 0 (closed all year).

The same figures drive the simulation's link failures
(:mod:`corridor.simulation.build`): closures that stop traffic become the
link's closure process, detours stay an expected delay.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from corridor.model.network import Network

HOURS_PER_DAY = 24.0
DAYS_PER_YEAR = 365.0


def restriction_hours(length_km: float, section_kmh: float, link_kmh: float) -> float:
    """Extra moving hours over a section slowed from ``link_kmh`` to ``section_kmh``.

    Examples
    --------
    >>> restriction_hours(10.0, 20.0, 50.0)  # 10 km at 20 instead of 50 km/h
    0.3
    >>> restriction_hours(10.0, 80.0, 50.0)  # a limit above the link's speed does nothing
    0.0
    """
    if not section_kmh < link_kmh:
        return 0.0
    if section_kmh <= 0:
        return math.inf
    return round(length_km * (1.0 / section_kmh - 1.0 / link_kmh), 12)


def closed_share(closures_per_year: float, repair_days: float) -> float:
    """Share of the year a structure is closed, ``min(n × repair_days / 365, 1)``.

    Examples
    --------
    >>> closed_share(2.0, 3.65)
    0.02
    >>> closed_share(1.0, 400.0)
    1.0
    """
    return min(closures_per_year * repair_days / DAYS_PER_YEAR, 1.0)


def detours(repair_days: float, detour_h: float) -> bool:
    """Whether traffic takes the detour while closed (it exists and is shorter than ``R``).

    Examples
    --------
    >>> detours(2.0, 10.0), detours(0.25, 10.0), detours(2.0, math.nan)
    (True, False, False)
    """
    return not math.isnan(detour_h) and detour_h < HOURS_PER_DAY * repair_days


def expected_closure_h(closures_per_year: float, repair_days: float, detour_h: float) -> float:
    """Expected extra hours per unit: ``p × min(detour_h, R)`` (``p × R`` without a detour).

    Examples
    --------
    >>> expected_closure_h(2.0, 3.65, math.nan)  # p = 0.02, R = 87.6 h
    1.752
    >>> expected_closure_h(2.0, 3.65, 10.0)  # detour shorter than the repair
    0.2
    """
    p = closed_share(closures_per_year, repair_days)
    hours = HOURS_PER_DAY * repair_days
    if detours(repair_days, detour_h):
        hours = detour_h
    return round(p * hours, 12)


@dataclass(frozen=True)
class LinkEffect:
    """The combined effect of a link's structures (module docs), per direction and unit.

    ``wait_h`` and ``wait_var_h2`` are the mean and variance of the hours spent
    waiting for closures that stop traffic, whose rate and mean length are
    ``closures_per_year`` and ``repair_h``; ``detour_h`` and ``detour_var_h2``
    those of detours.
    """

    extra_moving_h: float = 0.0
    capacity_factor: float = 1.0
    wait_h: float = 0.0
    wait_var_h2: float = 0.0
    detour_h: float = 0.0
    detour_var_h2: float = 0.0
    closures_per_year: float = 0.0
    repair_h: float = 0.0

    @property
    def expected_h(self) -> float:
        """Expected extra waiting hours per unit: closures waited out plus detours."""
        return self.wait_h + self.detour_h

    @property
    def variance_h2(self) -> float:
        """Variance of those extra hours (the structures close independently)."""
        return self.wait_var_h2 + self.detour_var_h2


NO_EFFECT = LinkEffect()


def link_effects(network: Network) -> dict[str, LinkEffect]:
    """The effect of every link's structures, by link id (links without: absent).

    Examples
    --------
    >>> from corridor import load_network
    >>> effects = link_effects(load_network())
    >>> all(0.0 <= e.capacity_factor <= 1.0 for e in effects.values())
    True
    """
    structures = network.tables.get("structures")
    if structures is None or structures.empty:
        return {}
    factor = dict(
        zip(network.conditions["condition"], network.conditions["speed_factor"], strict=True)
    )
    out: dict[str, LinkEffect] = {}
    for s in structures.itertuples():
        link = network.row("links", s.link)
        if link is None:  # the link was closed by a scenario
            continue
        v_link = float(link["speed_kmh"]) * factor.get(link["condition"], 1.0)
        v_section = float(link["speed_kmh"]) * factor.get(s.condition, 1.0)
        if not math.isnan(s.speed_limit_kmh):
            v_section = min(v_section, s.speed_limit_kmh)
        p = closed_share(s.closures_per_year, s.repair_days)
        repair_h = HOURS_PER_DAY * s.repair_days
        e = out.get(s.link, NO_EFFECT)
        extra = e.extra_moving_h + restriction_hours(s.length_km, v_section, v_link)
        if detours(s.repair_days, s.detour_h):
            d = s.detour_h
            out[s.link] = LinkEffect(
                extra_moving_h=extra,
                capacity_factor=e.capacity_factor * s.load_limit_factor,
                wait_h=e.wait_h,
                wait_var_h2=e.wait_var_h2,
                detour_h=e.detour_h + p * d,
                detour_var_h2=e.detour_var_h2 + p * d * d - (p * d) ** 2,
                closures_per_year=e.closures_per_year,
                repair_h=e.repair_h,
            )
            continue
        n = e.closures_per_year + s.closures_per_year
        # an exponential wait with probability p: E W² = 2 p R²
        out[s.link] = LinkEffect(
            extra_moving_h=extra,
            capacity_factor=e.capacity_factor * s.load_limit_factor * (1.0 - p),
            wait_h=e.wait_h + p * repair_h,
            wait_var_h2=e.wait_var_h2 + 2.0 * p * repair_h**2 - (p * repair_h) ** 2,
            detour_h=e.detour_h,
            detour_var_h2=e.detour_var_h2,
            closures_per_year=n,
            repair_h=(
                (e.closures_per_year * e.repair_h + s.closures_per_year * repair_h) / n
                if n > 0
                else 0.0
            ),
        )
    return out


def scaled_capacity(capacity: float, factor: float) -> float:
    """A link capacity times a structure factor; unlimited stays unlimited unless closed.

    Examples
    --------
    >>> scaled_capacity(1000.0, 0.5), scaled_capacity(math.inf, 0.5), scaled_capacity(math.inf, 0)
    (500.0, inf, 0.0)
    """
    if math.isinf(capacity):
        return capacity if factor > 0 else 0.0
    return capacity * factor
