"""Scenarios: a base network plus typed changes, applied without mutating the base.

A scenario file is JSON::

    {"name": "red-sea-closed",
     "description": "...",
     "changes": [
        {"type": "closure", "component": "nodes", "id": "bab_el_mandeb"},
        {"type": "closure", "component": "countries", "id": "RU"},
        {"type": "intervention", "id": "alat_scanner"},
        {"type": "demand_growth", "factor": 2.0, "commodity": "containers"},
        {"type": "set", "component": "services", "id": "asco_aktau_alat",
         "attribute": "vessels", "operation": "add", "value": 2}]}

Built-in scenarios live in the dataset folder under ``scenarios/``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from corridor.errors import DataError, UnknownIdError
from corridor.model.network import Network, check_value
from corridor.model.schema import PARAMETERS, schema

CLOSABLE = ("links", "borders", "services", "terminals", "nodes", "countries")
EDITABLE = (
    "links",
    "structures",
    "borders",
    "border_procedures",
    "terminals",
    "port_procedures",
    "services",
    "weather_closures",
    "rolling_stock",
    "demand",
)


@dataclass(frozen=True)
class Closure:
    """Close a link, border, service, terminal, node (all it touches) or country."""

    component: str
    id: str


@dataclass(frozen=True)
class SetValue:
    """Change one attribute of one row: ``set``, ``scale`` or ``add``."""

    component: str
    id: str
    attribute: str
    operation: str
    value: float | str


@dataclass(frozen=True)
class Intervention:
    """Apply an intervention from the dataset's interventions table."""

    id: str


@dataclass(frozen=True)
class DemandGrowth:
    """Multiply demand (of one commodity, or all) by a factor."""

    factor: float
    commodity: str | None = None


Change = Closure | SetValue | Intervention | DemandGrowth


@dataclass(frozen=True)
class Scenario:
    """A named base network plus changes.

    Examples
    --------
    >>> from corridor import load_network
    >>> base = load_network()
    >>> s = Scenario("no-russia", base, (Closure("countries", "RU"),))
    >>> net = s.apply()
    >>> len(net.links) < len(base.links)
    True
    """

    name: str
    base: Network = field(repr=False)
    changes: tuple[Change, ...] = ()
    description: str = ""

    def apply(self) -> Network:
        """A new Network with every change applied, in order."""
        net = self.base
        for change in self.changes:
            net = _apply(net, change)
        return net

    def with_changes(self, *changes: Change, name: str | None = None) -> Scenario:
        """A scenario with more changes appended."""
        return Scenario(name or self.name, self.base, self.changes + changes, self.description)


def _apply(net: Network, change: Change) -> Network:
    if isinstance(change, Closure):
        return _close(net, change)
    if isinstance(change, Intervention):
        r = net.row("interventions", change.id)
        if r is None:
            raise UnknownIdError(f"unknown intervention '{change.id}'")
        return _set(
            net,
            SetValue(r["component"], r["target"], r["attribute"], r["operation"], r["value"]),
        )
    if isinstance(change, SetValue):
        return _set(net, change)
    growth = PARAMETERS["growth"]
    if isinstance(change.factor, bool) or change.factor not in growth:
        raise DataError(
            "demand_growth", f"expected a factor in {growth.text()}, got {change.factor!r}",
            column="factor",
        )  # fmt: skip
    if change.commodity and change.commodity not in set(net.commodities["id"]):
        raise UnknownIdError(f"no commodity '{change.commodity}' in dataset {net.name}")
    demand = net.demand
    volume = np.array(demand["volume_per_year"], dtype=np.float64)
    if change.commodity:
        volume[demand["commodity"] == change.commodity] *= change.factor
    else:
        volume *= change.factor
    return net.with_tables(demand=demand.with_column("volume_per_year", volume))


def _close(net: Network, c: Closure) -> Network:
    if c.component not in CLOSABLE:
        raise UnknownIdError(f"cannot close a '{c.component}' (closable: {', '.join(CLOSABLE)})")
    if c.component in ("nodes", "countries"):
        nodes = net.nodes
        col = "id" if c.component == "nodes" else "country"
        closed = set(nodes["id"][nodes[col] == c.id])
        if not closed:
            what = "node" if c.component == "nodes" else "country"
            raise UnknownIdError(f"no {what} '{c.id}' in dataset {net.name}")
        tables = {}
        for name in ("links", "borders", "services"):
            t = net.tables[name]
            tables[name] = t[~(_among(t["from"], closed) | _among(t["to"], closed))]
        t = net.terminals
        tables["terminals"] = t[~_among(t["node"], closed)]
        return net.with_tables(**tables)
    t = net.tables[c.component]
    if c.id not in set(t["id"]):
        raise UnknownIdError(f"no {c.component} row '{c.id}' in dataset {net.name}")
    return net.with_tables(**{c.component: t[t["id"] != c.id]})


def _among(values: Any, wanted: set[str]) -> Any:
    """Per value, whether it is one of ``wanted`` (a boolean array)."""
    return np.array([v in wanted for v in values], dtype=bool)


def _set(net: Network, s: SetValue) -> Network:
    if s.component not in EDITABLE:
        raise UnknownIdError(f"cannot edit '{s.component}' (editable: {', '.join(EDITABLE)})")
    t = net.tables[s.component]
    if s.id not in set(t["id"]):
        raise UnknownIdError(f"no {s.component} row '{s.id}' in dataset {net.name}")
    if s.attribute not in t.columns or s.attribute in ("id", "from", "to", "source"):
        raise UnknownIdError(f"cannot change column '{s.attribute}' of {s.component}")
    mask = t["id"] == s.id
    old = t[s.attribute][mask].tolist()[0]
    attr = next(a for a in schema()[s.component] if a.name == s.attribute)
    where = f"{s.component} row '{s.id}'"
    if s.operation == "set":
        value: Any = s.value
    elif s.operation in ("scale", "add"):
        if isinstance(s.value, bool) or attr.bounds is None:
            raise DataError(where, f"'{s.operation}' needs a number column", column=s.attribute)
        try:
            step = float(s.value)
        except (TypeError, ValueError):
            raise DataError(
                where, f"'{s.operation}' needs a number, found {s.value!r}", column=s.attribute
            ) from None
        if not math.isfinite(step):
            raise DataError(
                where, f"expected a finite number, found {s.value!r}", column=s.attribute
            )
        value = old * step if s.operation == "scale" else old + step
    else:
        raise UnknownIdError(f"unknown operation '{s.operation}' (set|scale|add)")
    # the value meets the same declaration as a CSV cell would
    new = check_value(attr, value, where, net.ids())
    if isinstance(new, str) and new == "" and attr.bounds is not None:
        new = math.nan
    values = np.array(t[s.attribute])
    if isinstance(new, float) and values.dtype.kind in "iu":
        values = values.astype(np.float64)  # a blank in a whole-number column
    values[mask] = new
    return net.with_tables(**{s.component: t.with_column(s.attribute, values)})


def suggestions(value: str, known: Sequence[str], *, limit: int = 5) -> list[str]:
    """The known ids nearest to ``value`` (prefix matches first, then by similarity).

    Examples
    --------
    >>> suggestions("aktua", ["aktau", "aktobe", "alat", "almaty"])
    ['aktau']
    >>> suggestions("ak", ["aktau", "aktobe", "alat"])
    ['aktau', 'aktobe']
    """
    import difflib

    key = value.strip().lower()
    if not key:
        return []
    prefix = [k for k in known if k.lower().startswith(key)]
    close = difflib.get_close_matches(key, [k.lower() for k in known], n=limit, cutoff=0.6)
    by_lower = {k.lower(): k for k in known}
    out = list(dict.fromkeys([*prefix, *(by_lower[c] for c in close)]))
    return out[:limit]


def _hint(value: str, known: Sequence[str]) -> str:
    near = suggestions(value, known)
    return f" (did you mean: {', '.join(near)}?)" if near else ""


#: Tables whose rows :func:`parse_closure` looks up by bare id, in order.
_ELEMENT_TABLES = ("links", "borders", "services", "terminals")


def parse_closure(network: Network, text: str) -> Closure:
    """A closure from ``table:id``, a country code (``RU``), a node id or an element id.

    The one parser of closures given as text: ``corridor analyze|routes|simulate
    --close``, ``corridor stress --close`` and the dashboard (which sends
    ``table:id``) all read closures with it.

    Examples
    --------
    >>> from corridor import load_network
    >>> parse_closure(load_network(), "links:p_cpc")
    Closure(component='links', id='p_cpc')
    >>> parse_closure(load_network(), "RU")
    Closure(component='countries', id='RU')
    """
    component, sep, ident = text.partition(":")
    if sep:
        component, ident = component.strip(), ident.strip()
        if component not in CLOSABLE:
            raise UnknownIdError(f"cannot close a '{component}' (closable: {', '.join(CLOSABLE)})")
        return Closure(component, ident)
    if text in set(network.nodes["country"]):
        return Closure("countries", text)
    if text in set(network.nodes["id"]):
        return Closure("nodes", text)
    known: list[str] = sorted(set(network.nodes["country"]) - {"XX"})
    known += list(network.nodes["id"])
    for table in _ELEMENT_TABLES:
        ids = [str(i) for i in network.tables[table]["id"]]
        if text in ids:
            return Closure(table, text)
        known += ids
    raise UnknownIdError(
        f"--close {text}: not a country code, node, link, border, service or terminal id "
        f"of dataset {network.name} (or give table:id){_hint(text, known)}"
    )


def parse_intervention(network: Network, text: str) -> tuple[Intervention, ...]:
    """The interventions of an id of ``interventions.csv``, or of every row of a measure.

    A measure (the ``measure`` column, e.g. a second track built in sections)
    applies all its rows.

    Examples
    --------
    >>> from corridor import load_network
    >>> parse_intervention(load_network(), "i_alat_scanner")
    (Intervention(id='i_alat_scanner'),)
    """
    table = network.interventions
    ids = [str(i) for i in table["id"]]
    if text in ids:
        return (Intervention(text),)
    if "measure" in table.columns:
        rows = [str(i) for i, m in zip(table["id"], table["measure"], strict=True) if m == text]
        if rows:
            return tuple(Intervention(i) for i in rows)
    raise UnknownIdError(
        f"--intervention {text}: not an intervention id of dataset {network.name}"
        f" (see interventions.csv){_hint(text, ids)}"
    )


def with_flags(
    scenario: Scenario, close: Sequence[str] = (), interventions: Sequence[str] = ()
) -> Scenario:
    """``scenario`` plus the closures and interventions given as text (CLI flags).

    The name says what was added, e.g. ``base + close RU, BY + i_alat_scanner``.

    Examples
    --------
    >>> from corridor import load_network
    >>> s = with_flags(Scenario("base", load_network()), close=["RU"])
    >>> s.name, s.changes
    ('base + close RU', (Closure(component='countries', id='RU'),))
    """
    if not close and not interventions:
        return scenario
    net = scenario.base
    changes: list[Change] = [parse_closure(net, c) for c in close]
    for text in interventions:
        changes.extend(parse_intervention(net, text))
    parts = [scenario.name]
    if close:
        parts.append("close " + ", ".join(close))
    parts += list(interventions)
    out = scenario.with_changes(*changes, name=" + ".join(parts))
    out.apply()  # surface bad ids now
    return out


def describe_change(change: Change, network: Network) -> str:
    """A change in words, with names from ``network`` (the scenario's base).

    Examples
    --------
    >>> from corridor import load_network
    >>> describe_change(Intervention("i_kuryk_ferry"), load_network())
    'intervention: One more Ro-Pax ferry on Kuryk–Alat (i_kuryk_ferry)'
    >>> describe_change(Closure("countries", "RU"), load_network())
    'closed: country RU'
    """

    def name_of(table: str, ident: str) -> str:
        t = network.tables.get(table)
        if t is None or "name" not in t.columns:
            return ident
        hit = t["name"][t["id"] == ident]
        return f"{hit[0]} ({ident})" if len(hit) else ident

    if isinstance(change, Closure):
        if change.component == "countries":
            return f"closed: country {change.id}"
        return f"closed: {change.component[:-1]} {name_of(change.component, change.id)}"
    if isinstance(change, Intervention):
        return f"intervention: {name_of('interventions', change.id)}"
    if isinstance(change, DemandGrowth):
        which = f" ({change.commodity})" if change.commodity else ""
        return f"demand × {change.factor:g}{which}"
    return f"{change.component} {change.id}: {change.attribute} {change.operation} {change.value}"


def _change_from_dict(d: Any, file: str, index: int) -> Change:
    if not isinstance(d, dict):
        raise DataError(file, f"change {index}: expected an object", column="changes")
    kind = d.get("type")
    try:
        if kind == "closure":
            return Closure(str(d["component"]), str(d["id"]))
        if kind == "intervention":
            return Intervention(str(d["id"]))
        if kind == "demand_growth":
            factor, commodity = d["factor"], d.get("commodity")
            if isinstance(factor, bool) or not isinstance(factor, (int, float)):
                raise ValueError(f"'factor' must be a number, found {factor!r}")
            if commodity is not None and not isinstance(commodity, str):
                raise ValueError(f"'commodity' must be an id, found {commodity!r}")
            return DemandGrowth(float(factor), commodity)
        if kind == "set":
            return SetValue(
                str(d["component"]),
                str(d["id"]),
                str(d["attribute"]),
                str(d.get("operation", "set")),
                d["value"],
            )
    except (KeyError, TypeError, ValueError) as exc:
        raise DataError(
            file, f"change {index}: missing or bad field {exc}", column="changes"
        ) from None
    raise DataError(
        file,
        f"change {index}: expected type closure|intervention|demand_growth|set, found {kind!r}",
        column="changes",
    )


def scenario_names(base: Network) -> list[str]:
    """Names of the built-in scenarios shipped with a dataset."""
    from corridor.model.network import _dataset_dir

    with _dataset_dir(base.path if base.path else None) as folder:
        sdir = folder / "scenarios"
        return sorted(p.stem for p in sdir.glob("*.json")) if sdir.is_dir() else []


#: Largest scenario file read (a scenario is a short list of changes).
MAX_SCENARIO_BYTES = 1_000_000


def load_scenario(
    name_or_path: str | Path | None, base: Network, *, builtin_only: bool = False
) -> Scenario:
    """Load a scenario by built-in name or JSON path; ``None`` or ``"base"`` = no changes.

    ``builtin_only`` accepts only the names of the dataset's own scenarios and
    never touches the file system outside them (the web API's setting: a
    query string is a name from a list, never a path).
    """
    if name_or_path in (None, "base"):
        return Scenario("base", base)
    from corridor.model.network import _dataset_dir

    if builtin_only and str(name_or_path) not in scenario_names(base):
        known = ", ".join(["base", *scenario_names(base)])
        raise UnknownIdError(f"unknown scenario '{name_or_path}' (known: {known})")
    path = Path(str(name_or_path))
    # a built-in name wins over a folder of that name (e.g. an earlier --out)
    builtin = str(name_or_path) in scenario_names(base)
    if builtin_only or not path.exists() or (builtin and not path.is_file()):
        with _dataset_dir(base.path or None) as folder:
            candidate = folder / "scenarios" / f"{name_or_path}.json"
            if not candidate.exists():
                known = ", ".join(["base", *scenario_names(base)])
                raise UnknownIdError(f"unknown scenario '{name_or_path}' (known: {known})")
            text = candidate.read_text("utf-8")
            file = str(candidate)
    else:
        file = str(path)
        if not path.is_file():
            raise DataError(file, "expected a scenario JSON file (a regular file)")
        if path.stat().st_size > MAX_SCENARIO_BYTES:
            raise DataError(file, f"a scenario file is at most {MAX_SCENARIO_BYTES:,} bytes")
        try:
            text = path.read_text("utf-8")
        except UnicodeDecodeError:
            raise DataError(file, "expected UTF-8 text") from None
    try:
        data = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except ValueError as exc:
        if not isinstance(exc, json.JSONDecodeError):
            raise DataError(file, str(exc)) from None
        raise DataError(file, f"invalid JSON: {exc.msg}", row=exc.lineno) from None
    except RecursionError:
        raise DataError(file, "invalid JSON: nested too deeply") from None
    return scenario_from_dict(data, base, file=file, default_name=path.stem)


def scenario_from_dict(
    data: Any, base: Network, *, file: str = "<scenario>", default_name: str = "scenario"
) -> Scenario:
    """A scenario from its JSON object (``name``, ``description``, ``changes``).

    Unknown ids surface now, as a :class:`~corridor.errors.UnknownIdError`;
    a malformed object as a :class:`~corridor.errors.DataError` naming ``file``.
    """
    if not isinstance(data, dict) or not isinstance(data.get("changes", []), list):
        raise DataError(file, "expected an object with a list 'changes'")
    for key in ("name", "description"):
        if not isinstance(data.get(key, ""), str):
            raise DataError(file, f"expected text for '{key}'", column=key)
    changes: Sequence[Change] = [
        _change_from_dict(c, file, i) for i, c in enumerate(data.get("changes", []))
    ]
    s = Scenario(
        str(data.get("name", default_name)), base, tuple(changes), data.get("description", "")
    )
    try:
        s.apply()  # surface unknown ids and refused values now, with the file named
    except DataError as exc:
        raise DataError(file, f"{exc}") from None
    return s


def change_to_dict(change: Change) -> dict[str, Any]:
    """The JSON object of one typed change (the inverse of the scenario file's parser).

    Examples
    --------
    >>> change_to_dict(Closure("countries", "RU"))
    {'type': 'closure', 'component': 'countries', 'id': 'RU'}
    """
    if isinstance(change, Closure):
        return {"type": "closure", "component": change.component, "id": change.id}
    if isinstance(change, Intervention):
        return {"type": "intervention", "id": change.id}
    if isinstance(change, DemandGrowth):
        out: dict[str, Any] = {"type": "demand_growth", "factor": change.factor}
        if change.commodity is not None:
            out["commodity"] = change.commodity
        return out
    return {
        "type": "set",
        "component": change.component,
        "id": change.id,
        "attribute": change.attribute,
        "operation": change.operation,
        "value": change.value,
    }


def scenario_to_dict(scenario: Scenario) -> dict[str, Any]:
    """The scenario file's JSON object of a scenario (its base network is not part of it)."""
    out: dict[str, Any] = {"name": scenario.name}
    if scenario.description:
        out["description"] = scenario.description
    out["changes"] = [change_to_dict(c) for c in scenario.changes]
    return out


def _refuse_constant(name: str) -> float:
    raise ValueError(f"invalid JSON: {name} is not a number (a finite value is expected)")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"invalid JSON: {text} is too large for a number")
    return value
