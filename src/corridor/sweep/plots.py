"""Charts of a sweep's summary: a tornado of main effects and a response surface.

Both use Matplotlib's object API (a :class:`~matplotlib.figure.Figure` per
chart, no pyplot state) and are written atomically as PNG.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

#: Parameters the charts can show, with their axis labels.
LABELS = {
    "demand_growth": "demand growth (×)",
    "caspian_drop_m": "Caspian drop (m)",
    "closures": "closures",
    "interventions": "interventions",
    "replications": "replications",
}


def _levels(summary: Any, name: str, bins: int = 3) -> Any:
    """The parameter's levels: its values, or terciles when a range gave many values."""
    import pandas as pd

    col = summary[name]
    if col.dtype.kind == "f" and col.nunique() > bins:
        return pd.qcut(col, bins, duplicates="drop").astype(str)
    return col.astype(str)


def main_effects(summary: Any, response: str) -> list[tuple[str, float, float]]:
    """Per varied parameter: (name, lowest, highest) mean response over its levels.

    Sorted by the width of that span, widest first (the tornado's order).
    """
    out = []
    for name in LABELS:
        if name not in summary or summary[name].astype(str).nunique() < 2:
            continue
        means = summary.groupby(_levels(summary, name), observed=True)[response].mean().dropna()
        if len(means):
            out.append((name, float(means.min()), float(means.max())))
    return sorted(out, key=lambda t: -(t[2] - t[1]))


def tornado(summary: Any, response: str, path: Path) -> Path | None:
    """Bars from the lowest to the highest mean response over each parameter's levels."""
    from matplotlib.figure import Figure

    effects = main_effects(summary, response)
    if not effects:
        return None
    centre = float(summary[response].mean())
    fig = Figure(figsize=(7, 1.2 + 0.5 * len(effects)), layout="constrained")
    ax = fig.add_subplot()
    for i, (_name, low, high) in enumerate(reversed(effects)):
        ax.barh(i, high - low, left=low, color="#4C72B0")
        ax.text(high, i, f" {high - low:.2f}", va="center", fontsize=8)
    ax.set_yticks(range(len(effects)), [LABELS[n] for n, _, _ in reversed(effects)])
    ax.axvline(centre, color="black", linewidth=0.8)
    ax.set_xlabel(f"mean {response} over the parameter's levels (line: mean of all points)")
    ax.set_title("What moves the response most (main effects)")
    return _save(fig, path)


def response_surface(summary: Any, response: str, path: Path) -> Path | None:
    """The response over the two numeric parameters that vary (points coloured by it)."""
    from matplotlib.figure import Figure

    numeric = [
        n
        for n in ("demand_growth", "caspian_drop_m", "replications")
        if n in summary and summary[n].nunique() > 1
    ]
    data = summary.dropna(subset=[response])
    if len(numeric) < 2 or len(data) < 3:
        return None
    x, y = numeric[:2]
    fig = Figure(figsize=(6.5, 5), layout="constrained")
    ax = fig.add_subplot()
    grid = data.groupby([x, y])[response].mean().reset_index()
    try:
        filled = ax.tricontourf(grid[x], grid[y], grid[response], levels=12, cmap="viridis")
    except (ValueError, RuntimeError):  # collinear or too few distinct points
        filled = None
    dots = ax.scatter(grid[x], grid[y], c=grid[response], cmap="viridis", edgecolor="white", s=36)
    fig.colorbar(filled if filled is not None else dots, ax=ax, label=response)
    ax.set_xlabel(LABELS[x])
    ax.set_ylabel(LABELS[y])
    ax.set_title(f"{response} (mean over the other parameters)")
    return _save(fig, path)


def _save(fig: Any, path: Path) -> Path:
    from corridor.io.atomic import atomic_path

    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=110)
    return path
