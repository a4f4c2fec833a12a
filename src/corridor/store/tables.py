"""Result tables kept in the store, and the comparison of two scenarios' routes."""

from __future__ import annotations

from typing import Any

#: Columns of the routes table of an ``analyze`` result.
ROUTE_COLUMNS = (
    "origin", "destination", "commodity", "corridor", "unit", "distance_km", "time_days",
    "time_days_p10", "time_days_p90", "cost",
)  # fmt: skip


#: The text columns of the routes table (the others are floats).
_TEXT_COLUMNS = ("origin", "destination", "commodity", "corridor", "unit")


def route_rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    """One dict per route of an ``analyze`` result, with the :data:`ROUTE_COLUMNS`;
    ``cost`` in USD/FEU or USD/t by ``unit``."""
    rows = []
    for r in result["routes"]:
        bulk = r.get("unit") == "t"
        rows.append(
            {
                "origin": r["origin"],
                "destination": r["destination"],
                "commodity": r.get("commodity", "containers"),
                "corridor": r["corridor"],
                "unit": r.get("unit", "teu"),
                "distance_km": float(r["distance_km"]),
                "time_days": float(r["time_days"]),
                "time_days_p10": float(r["time_days_p10"]),
                "time_days_p90": float(r["time_days_p90"]),
                "cost": float(r["cost_usd_per_t"] if bulk else r["cost_usd_per_feu"]),
            }
        )
    return rows


def routes_table(result: dict[str, Any]) -> Any:
    """The routes of an ``analyze`` result as a pandas DataFrame (:func:`route_rows`)."""
    import pandas as pd

    return pd.DataFrame(route_rows(result), columns=list(ROUTE_COLUMNS))


def routes_arrow(result: dict[str, Any]) -> Any:
    """The same table as :func:`routes_table`, as a pyarrow Table: what ``analyze``
    records in the store (read back as that DataFrame), without importing pandas."""
    import numpy as np

    from corridor.store.arrow import arrow_table

    rows = route_rows(result)
    return arrow_table(
        {
            c: np.array([r[c] for r in rows], dtype=object if c in _TEXT_COLUMNS else float)
            for c in ROUTE_COLUMNS
        }
    )


def compare_routes(a: Any, b: Any) -> Any:
    """Routes of two ``routes_table`` frames side by side, with B − A for days and cost.

    A route offered in one scenario only has NaN on the other side.
    """
    key = ["origin", "destination", "commodity", "corridor"]
    keep = [*key, "unit", "time_days", "cost"]
    merged = a[keep].merge(b[keep], on=key, how="outer", suffixes=("_a", "_b"))
    merged["unit"] = merged["unit_a"].fillna(merged["unit_b"])
    merged["days_change"] = merged["time_days_b"] - merged["time_days_a"]
    merged["cost_change"] = merged["cost_b"] - merged["cost_a"]
    cols = [*key, "unit", "time_days_a", "time_days_b", "days_change", "cost_a", "cost_b",
            "cost_change"]  # fmt: skip
    return merged[cols].sort_values(key).reset_index(drop=True)


def change_diff(a: dict[str, Any], b: dict[str, Any]) -> tuple[list[Any], list[Any]]:
    """Changes only in A's document and only in B's (each as its JSON object)."""
    import json

    ka = [json.dumps(c, sort_keys=True) for c in a.get("changes", [])]
    kb = [json.dumps(c, sort_keys=True) for c in b.get("changes", [])]
    only_a = [c for c, k in zip(a.get("changes", []), ka, strict=True) if k not in kb]
    only_b = [c for c, k in zip(b.get("changes", []), kb, strict=True) if k not in ka]
    return only_a, only_b
