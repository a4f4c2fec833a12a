"""The component schema, read from ``components.csv`` (one row per column).

One declaration drives validation, defaults, units and the generated docs, as
PyPSA does with its component attribute tables.
"""

from __future__ import annotations

import csv
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
    "services",
    "weather_closures",
    "rolling_stock",
    "commodities",
    "corridors",
    "demand",
    "od_pairs",
    "interventions",
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
        """The dtype without enum choices (``enum``, ``float+``, ``node`` ...)."""
        return "enum" if self.dtype.startswith("enum:") else self.dtype


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
