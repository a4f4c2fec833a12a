"""Units shown for a route and for a capacity-limited element.

Containers are costed in USD per FEU and counted in TEU per year; bulk
commodities (``unit == "t"`` in the analysis, e.g. crude oil, uranium,
copper) in USD per tonne and tonnes per year. An element is counted in tonnes
when its binding unit is tonnes, when it has no TEU capacity (a pipeline), or
when the route it is shown for carries a bulk commodity. Every table, map
tooltip and chart of the report and the dashboard asks this module, so one
rule decides the unit everywhere.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

__all__ = [
    "capacity_text",
    "cost_key",
    "cost_text",
    "element_unit",
    "is_bulk",
    "money_text",
    "percent_text",
    "quantity_text",
    "route_cost",
    "tonnes_per_teu",
    "usd_scale",
]

#: Text of a volume unit per year.
UNIT_TEXT = {"teu": "TEU", "t": "t"}


def is_bulk(route: Mapping[str, Any]) -> bool:
    """Whether a route carries a commodity counted in tonnes.

    Examples
    --------
    >>> is_bulk({"commodity": "crude_oil", "unit": "t"}), is_bulk({"commodity": "containers"})
    (True, False)
    """
    return route.get("unit") == "t"


def cost_key(route: Mapping[str, Any]) -> str:
    """The analysis key of the route's door-to-door cost in its own unit.

    Examples
    --------
    >>> cost_key({"unit": "t"}), cost_key({"unit": "teu"})
    ('cost_usd_per_t', 'cost_usd_per_feu')
    """
    return "cost_usd_per_t" if is_bulk(route) else "cost_usd_per_feu"


def route_cost(route: Mapping[str, Any]) -> float | None:
    """Door-to-door cost in USD per tonne (bulk) or per FEU (containers)."""
    value = route.get(cost_key(route))
    return None if value is None else float(value)


def _finite(v: Any) -> float | None:
    """``v`` as a float when it is a finite number, else ``None``."""
    if isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v):
        return float(v)
    return None


def cost_text(route: Mapping[str, Any], value: float | None = None) -> str:
    """A cost in the route's unit: ``$6,248/FEU`` or ``$107.2/t``.

    ``value`` defaults to the route's door-to-door cost.

    Examples
    --------
    >>> cost_text({"unit": "teu", "cost_usd_per_feu": 6248.05})
    '$6,248/FEU'
    >>> cost_text({"unit": "t", "cost_usd_per_feu": 5361.2, "cost_usd_per_t": 107.22})
    '$107.2/t'
    """
    v = _finite(route_cost(route) if value is None else value)
    if v is None:
        return "–"
    return f"${v:,.1f}/t" if is_bulk(route) else f"${v:,.0f}/FEU"


def tonnes_per_teu(route: Mapping[str, Any]) -> float | None:
    """Tonnes of the route's bulk commodity in one TEU (``None`` for containers).

    Taken from ``tonnes_per_teu`` when the record has it, else from its two
    costs: tariffs are per FEU and an FEU-equivalent holds two TEU's tonnes,
    so ``cost_usd_per_feu / cost_usd_per_t = 2 * tonnes_per_teu``.

    Examples
    --------
    >>> tonnes_per_teu({"unit": "t", "cost_usd_per_feu": 5000.0, "cost_usd_per_t": 100.0})
    25.0
    >>> tonnes_per_teu({"unit": "teu", "cost_usd_per_feu": 5000.0}) is None
    True
    """
    if not is_bulk(route):
        return None
    given = _finite(route.get("tonnes_per_teu"))
    if given is not None and given > 0:
        return given
    feu, per_t = _finite(route.get("cost_usd_per_feu")), _finite(route.get("cost_usd_per_t"))
    if feu is not None and per_t is not None and feu > 0 and per_t > 0:
        return feu / per_t / 2.0
    return None


def usd_scale(route: Mapping[str, Any]) -> float | None:
    """Factor from a leg's USD per FEU to the route's cost unit (1 for containers).

    Examples
    --------
    >>> usd_scale({"unit": "t", "cost_usd_per_feu": 5000.0, "cost_usd_per_t": 100.0})
    0.02
    """
    if not is_bulk(route):
        return 1.0
    tpt = tonnes_per_teu(route)
    return None if tpt is None else 1.0 / (2.0 * tpt)


def element_unit(element: Mapping[str, Any], route: Mapping[str, Any] | None = None) -> str:
    """``"t"`` or ``"teu"``: the unit an element's capacity and flow are shown in.

    Tonnes when the element binds in tonnes, has no TEU capacity (a
    pipeline) or is shown for a bulk route; TEU otherwise.

    Examples
    --------
    >>> element_unit({"capacity_teu_per_year": None, "capacity_t_per_year": 5.98e7})
    't'
    >>> element_unit({"capacity_teu_per_year": 1e5, "binding_unit": "teu"})
    'teu'
    >>> element_unit({"capacity_teu_per_year": 1e5, "binding_unit": "teu"}, {"unit": "t"})
    't'
    """
    if route is not None and is_bulk(route):
        return "t"
    if element.get("binding_unit") == "t":
        return "t"
    if element.get("capacity_teu_per_year") is None and element.get("capacity_t_per_year"):
        return "t"
    return "teu"


def capacity_in(
    element: Mapping[str, Any], unit: str, tonnes_per_teu: float | None = None
) -> tuple[float | None, bool]:
    """An element's capacity in ``unit`` and whether it was converted from TEU.

    A TEU capacity is converted to tonnes only with the tonnes per TEU of the
    route's commodity; tonnes are never converted to TEU.

    Examples
    --------
    >>> capacity_in({"capacity_teu_per_year": 1000.0}, "t", 25.0)
    (25000.0, True)
    >>> capacity_in({"capacity_teu_per_year": None, "capacity_t_per_year": 5e6}, "teu")
    (None, False)
    """
    cap_teu = _finite(element.get("capacity_teu_per_year"))
    if unit == "t":
        cap_t = _finite(element.get("capacity_t_per_year"))
        if cap_t is not None:
            return cap_t, False
        if cap_teu is not None and tonnes_per_teu:
            return cap_teu * tonnes_per_teu, True
        return None, False
    return cap_teu, False


def quantity_text(value: float | None, unit: str, *, approx: bool = False) -> str:
    """A yearly volume with its unit: ``85,908 TEU/yr``, ``59,800,000 t/yr``.

    Examples
    --------
    >>> quantity_text(5.98e7, "t"), quantity_text(1200.4, "teu", approx=True)
    ('59,800,000 t/yr', '≈ 1,200 TEU/yr')
    >>> quantity_text(None, "t")
    '–'
    """
    if value is None or not math.isfinite(value):
        return "–"
    return f"{'≈ ' if approx else ''}{value:,.0f} {UNIT_TEXT[unit]}/yr"


def capacity_text(element: Mapping[str, Any], route: Mapping[str, Any] | None = None) -> str:
    """An element's capacity in the unit :func:`element_unit` picks.

    Examples
    --------
    >>> capacity_text({"capacity_teu_per_year": 85908.0, "capacity_t_per_year": None},
    ...               {"unit": "t", "cost_usd_per_feu": 50.0, "cost_usd_per_t": 1.0})
    '≈ 2,147,700 t/yr'
    >>> capacity_text({"capacity_teu_per_year": None, "capacity_t_per_year": 5.98e7})
    '59,800,000 t/yr'
    """
    unit = element_unit(element, route)
    tpt = tonnes_per_teu(route) if route is not None else None
    value, approx = capacity_in(element, unit, tpt)
    return quantity_text(value, unit, approx=approx)


def money_text(usd: float | None, *, signed: bool = False) -> str:
    """An amount of US dollars to its size, three significant figures from $10k.

    Examples
    --------
    >>> money_text(2.5e6), money_text(187.5e6), money_text(4.41e8), money_text(1.2e9)
    ('$2.5M', '$188M', '$441M', '$1.2B')
    >>> money_text(6248.05), money_text(12_345), money_text(-350, signed=True)
    ('$6,248', '$12.3k', '−$350')
    >>> money_text(999_700_000), money_text(None)
    ('$1B', '–')
    """
    v = _finite(usd)
    if v is None:
        return "–"
    sign = "−" if v < 0 else ("+" if signed and v > 0 else "")
    a = abs(v)
    if a < 1e4:
        return f"{sign}${a:,.0f}"
    for scale, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if a >= scale * 0.9995 or suffix == "k":
            digits = float(f"{a / scale:.3g}")
            if digits >= 1000 and suffix != "B":
                continue
            return f"{sign}${digits:g}{suffix}"
    raise AssertionError("unreachable")


def percent_text(share: float | None) -> str:
    """A share as a percentage; a positive share under half a percent is ``<1%``.

    Examples
    --------
    >>> percent_text(0.842), percent_text(0.003), percent_text(0.0), percent_text(None)
    ('84%', '<1%', '0%', '–')
    """
    v = _finite(share)
    if v is None:
        return "–"
    return "<1%" if 0 < v < 0.005 else f"{100 * v:.0f}%"
