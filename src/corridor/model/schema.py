"""The component schema, read from ``components.csv`` (one row per column).

One declaration drives validation, defaults, units and the generated docs, as
PyPSA does with its component attribute tables.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

MODES = ("rail_1520", "rail_1435", "road", "ferry", "sea", "pipeline", "inland_water")

#: Component tables in the order they are loaded (references point backwards).
COMPONENTS = (
    "sources",
    "nodes",
    "regions",
    "conditions",
    "links",
    "structures",
    "borders",
    "border_procedures",
    "terminals",
    "port_procedures",
    "services",
    "weather_closures",
    "rolling_stock",
    "commodities",
    "corridors",
    "demand",
    "od_pairs",
    "interventions",
)


#: Largest whole number any int column holds (numpy's int64).
INT_MAX = 2**63 - 1

# ``float[0..40000]``, ``float(0..inf]``, ``int[1..10000]``: the kind, then its
# interval; a square bracket includes the end, a round one excludes it.
_RANGED = re.compile(r"^(float|int)([\[(])(.+?)\.\.(.+)([\])])$")


@dataclass(frozen=True)
class Bounds:
    """The interval a number column accepts (the schema is its only source)."""

    lo: float
    hi: float
    lo_open: bool = False
    hi_open: bool = False

    def __contains__(self, value: float) -> bool:
        if math.isnan(value):
            return False
        above = value > self.lo if self.lo_open else value >= self.lo
        below = value < self.hi if self.hi_open else value <= self.hi
        return above and below

    def text(self) -> str:
        """The interval as people write it: ``[0, 40000]``, ``(0, 1]``."""

        def fmt(x: float) -> str:
            if math.isfinite(x) and float(x).is_integer() and abs(x) < 1e12:
                return str(int(x))
            return f"{x:g}"

        return (
            f"{'(' if self.lo_open else '['}{fmt(self.lo)}, "
            f"{fmt(self.hi)}{')' if self.hi_open else ']'}"
        )


@dataclass(frozen=True)
class Attribute:
    """One column of one component table."""

    component: str
    name: str
    dtype: str
    unit: str
    default: str
    required: bool
    description: str

    @property
    def choices(self) -> tuple[str, ...]:
        """Allowed values of an ``enum:a|b|c`` column (empty otherwise)."""
        if self.dtype.startswith("enum:"):
            return tuple(self.dtype[5:].split("|"))
        return ()

    @property
    def kind(self) -> str:
        """The dtype without enum choices or interval (``enum``, ``float+``, ``node`` ...).

        A ranged number column is ``float+``/``int+`` when it excludes negative
        values, ``float`` otherwise.
        """
        if self.dtype.startswith("enum:"):
            return "enum"
        m = _RANGED.match(self.dtype)
        if m:
            bounds = self.bounds
            assert bounds is not None
            base = m.group(1)
            return f"{base}+" if bounds.lo >= 0 or base == "int" else base
        return self.dtype

    @property
    def bounds(self) -> Bounds | None:
        """The interval of a number column (``None`` for other columns).

        ``float`` is any finite number, ``float+`` a finite number >= 0,
        ``int+`` a whole number in [0, 2**63 - 1]; ``float[lo..hi]`` and the
        like state their own interval (``inf`` as an end admits infinity).

        Examples
        --------
        >>> links = {a.name: a for a in schema()["links"]}
        >>> links["speed_kmh"].bounds.text()
        '(0, 1000]'
        >>> 0 in links["speed_kmh"].bounds
        False
        """
        if self.dtype == "float":
            return Bounds(-math.inf, math.inf, True, True)
        if self.dtype == "float+":
            return Bounds(0.0, math.inf, False, True)
        if self.dtype == "int+":
            return Bounds(0, INT_MAX)
        m = _RANGED.match(self.dtype)
        if not m:
            return None
        _, left, lo, hi, right = m.groups()
        return Bounds(float(lo), float(hi), left == "(", right == ")")


@cache
def schema() -> dict[str, tuple[Attribute, ...]]:
    """Return the declared attributes of every component, in file order.

    Examples
    --------
    >>> [a.name for a in schema()["od_pairs"]]
    ['origin', 'destination', 'commodity']
    """
    text = resources.files("corridor.model").joinpath("components.csv").read_text("utf-8")
    table: dict[str, list[Attribute]] = {}
    for row in csv.DictReader(text.splitlines()):
        attr = Attribute(
            component=row["component"],
            name=row["attribute"],
            dtype=row["dtype"],
            unit=row["unit"],
            default=row["default"],
            required=row["required"] == "true",
            description=row["description"],
        )
        table.setdefault(attr.component, []).append(attr)
    return {name: tuple(attrs) for name, attrs in table.items()}


def markdown_docs() -> str:
    """Render the schema as Markdown tables (one per component)."""
    parts = []
    for component, attrs in schema().items():
        parts.append(f"### {component}\n\n| column | type | unit | default | description |")
        parts.append("|---|---|---|---|---|")
        for a in attrs:
            req = " (required)" if a.required else ""
            parts.append(
                f"| `{a.name}` | {a.dtype} | {a.unit} | {a.default}{req} | {a.description} |"
            )
        parts.append("")
    return "\n".join(parts)


#: Bounds of the numeric parameters of commands and web requests: every one
#: has a stated maximum, so no request can ask for unbounded time or memory.
PARAMETERS: dict[str, Bounds] = {
    # demand growth factor (scenario demand_growth, web growth)
    "growth": Bounds(0.0, 100.0, lo_open=True),
    "seed": Bounds(0, 2**32 - 1),
    # simulated replications of a year and days of shipments per replication;
    # memory grows with their product (PARAMETERS_PRODUCT below)
    "replications": Bounds(1, 1000),
    "days": Bounds(1, 3650),
    # alternatives listed by `routes --k` (0 = compare corridors instead)
    "k": Bounds(0, 50),
    # `queue`: one station
    "servers": Bounds(1, 10_000),
    "customers": Bounds(20, 20_000_000),
    "arrival_rate": Bounds(0.0, 1e6, lo_open=True),
    "service_rate": Bounds(0.0, 1e6, lo_open=True),
    "service_cv": Bounds(0.0, 10.0),
    # `appraise`: every budget in USD (--budget, --annual-budget, --country-budget,
    # --lender-budget) up to ten trillion, about a tenth of world GDP
    "budget": Bounds(0.0, 1e13),
    "discount_rate": Bounds(0.0, 1.0, hi_open=True),
    "horizon": Bounds(1, 100),
    # yearly demand growth of the appraisal (a rate, not the factor "growth")
    "growth_rate": Bounds(-0.5, 0.5, lo_open=True, hi_open=True),
    "carbon_price": Bounds(0.0, 10_000.0),
    "reliability_ratio": Bounds(0.0, 10.0),
    # scenarios of a robust portfolio: each is prepared and appraised in turn
    "scenarios": Bounds(1, 20),
    "weights": Bounds(0.0, 1e6),
    # `stress` and `sweep`: metres the Caspian falls; at 5 m the draft-limited ships
    # carry nothing (load lost: 0.2 a metre), so a drop stops short of it
    "caspian_drop_m": Bounds(0.0, 5.0, hi_open=True),
    # `stress --demand` factor (0: that demand stops)
    "demand_factor": Bounds(0.0, 100.0),
    # headroom's thresholds: up to a hundredfold rise (100 in effect: no threshold)
    "max_p90_rise": Bounds(0.0, 100.0, lo_open=True),
    "max_cost_rise": Bounds(0.0, 100.0, lo_open=True),
    # `assign`
    "rgap": Bounds(0.0, 1.0),
    "max_iter": Bounds(1, 100_000),
    "toll_factor": Bounds(0.0, 1e6),
    "distance_factor": Bounds(0.0, 1e6),
    # `sweep`: local worker processes (0: one by one in this process)
    "workers": Bounds(0, 64),
    # `serve --port`
    "port": Bounds(1, 65_535),
    # `runs list --limit` and `runs show RUN_ID` (the store's ids are 64-bit)
    "limit": Bounds(1, 10_000),
    "run_id": Bounds(1, INT_MAX),
}

#: Largest TNTP network `assign` reads: the trip table is a dense zones x zones
#: matrix (10,000 zones: 800 MB a copy), links and nodes arrays of 8-byte numbers.
MAX_TNTP = {"NUMBER OF ZONES": 10_000, "NUMBER OF NODES": 5_000_000, "NUMBER OF LINKS": 20_000_000}

#: Largest replications x days of one simulation (about 100 replications of
#: ten years): the shipments simulated, and the memory, grow with it.
MAX_REPLICATION_DAYS = 365_000


def check_parameter(name: str, value: float, *, flag: str | None = None) -> None:
    """Raise a one-line :class:`~corridor.errors.CorridorError` unless ``value`` is in bounds.

    Examples
    --------
    >>> check_parameter("k", 5)
    >>> check_parameter("k", -1)
    Traceback (most recent call last):
    ...
    corridor.errors.ParameterError: --k must be in [0, 50], got -1
    """
    from corridor.errors import ParameterError

    bounds = PARAMETERS[name]
    if isinstance(value, bool) or value not in bounds:
        label = flag or "--" + name.replace("_", "-")
        raise ParameterError(f"{label} must be in {bounds.text()}, got {value}")


def check_simulation_size(*, days: int, replications: int, seed: int) -> None:
    """Check a simulation's parameters and its size before it starts (one-line error).

    Examples
    --------
    >>> check_simulation_size(days=365, replications=100, seed=1)
    >>> check_simulation_size(days=3650, replications=1000, seed=1)
    Traceback (most recent call last):
    ...
    corridor.errors.CorridorError: --days x --replications must be at most 365,000 (asked 3,650,000)
    """
    from corridor.errors import CorridorError

    check_parameter("days", days)
    check_parameter("replications", replications)
    check_parameter("seed", seed)
    if days * replications > MAX_REPLICATION_DAYS:
        raise CorridorError(
            f"--days x --replications must be at most {MAX_REPLICATION_DAYS:,} "
            f"(asked {days * replications:,})"
        )
