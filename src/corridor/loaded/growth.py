"""Demand growth on the loaded network: corridor shares, what binds first, what is left behind."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from corridor.loaded.calibration import Calibration, calibrate
from corridor.loaded.network import LoadedNetwork
from corridor.loaded.prepare import prepare
from corridor.model.network import Network
from corridor.model.scenario import Scenario

#: Utilisation from which a capacity counts as binding.
BINDING_UTILISATION = 0.9


@dataclass(frozen=True, eq=False)
class GrowthSweep:
    """Loaded networks for growing demand, and the first capacity to bind."""

    factors: tuple[float, ...]
    runs: tuple[LoadedNetwork, ...]
    commodity: str
    binding_utilisation: float = BINDING_UTILISATION

    @property
    def first_binding(self) -> dict[str, Any] | None:
        """First capacity reaching ``binding_utilisation``: its record and the factor."""
        for f, run in zip(self.factors, self.runs, strict=True):
            table = run.capacity_table()
            if table and table[0]["utilisation"] >= self.binding_utilisation:
                return {"demand_growth": f, **table[0]}
        return None

    def shares(self) -> dict[str, list[float]]:
        """Share of the commodity's demand carried on each corridor, one entry per factor.

        The shares of one factor and the unserved share (``"unserved"``) sum to one.
        """
        per_run = []
        for run in self.runs:
            s = run.summary(self.commodity)
            demand = s["demand_per_year"]
            shares = {k: v / demand for k, v in s["corridor_volume_per_year"].items()}
            shares["unserved"] = 1.0 - s["carried_per_year"] / demand if demand else 0.0
            per_run.append(shares)
        names = sorted({k for shares in per_run for k in shares}, key=lambda k: k == "unserved")
        return {n: [shares.get(n, 0.0) for shares in per_run] for n in names}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary."""
        return {
            "commodity": self.commodity,
            "demand_growth": list(self.factors),
            "corridor_shares": self.shares(),
            "bottleneck_per_growth": [next(iter(run.capacity_table()), None) for run in self.runs],
            "first_binding": self.first_binding,
            "relative_gap": [run.relative_gap for run in self.runs],
            "unrouted": [run.unrouted() for run in self.runs],
        }


def growth_sweep(
    network: Network | Scenario,
    factors: Sequence[float] = (1.0, 1.5, 2.0, 3.0),
    *,
    commodity: str = "containers",
    calibration: Calibration | None = None,
) -> GrowthSweep:
    """The loaded network at each demand factor (default x1, x1.5, x2, x3 of the dataset year).

    Examples
    --------
    >>> from corridor import load_network
    >>> sweep = growth_sweep(load_network(), (1.0, 3.0))
    >>> [round(sum(v[i] for v in sweep.shares().values()), 6) for i in range(2)]
    [1.0, 1.0]
    """
    base = network.base if isinstance(network, Scenario) else network
    cal = calibration if calibration is not None else calibrate(base)
    runs = tuple(prepare(network, growth=f, calibration=cal) for f in factors)
    return GrowthSweep(tuple(float(f) for f in factors), runs, commodity)


def plot_growth_sweep(sweep: GrowthSweep, path: str | os.PathLike[str]) -> None:
    """Save a PNG of corridor shares (and the unserved share) against demand growth, atomically."""
    # A Figure of its own (no pyplot, no backend switch): the caller's state is untouched.
    from matplotlib.figure import Figure

    from corridor.io.atomic import atomic_path

    fig = Figure(figsize=(7, 4))
    ax = fig.subplots()
    for name, values in sweep.shares().items():
        if max(values) > 0:
            dashed = name == "unserved"
            ax.plot(
                sweep.factors,
                [100 * v for v in values],
                marker="o",
                label=name,
                color="black" if dashed else None,
                ls="--" if dashed else "-",
            )
    first = sweep.first_binding
    if first is not None:
        ax.axvline(first["demand_growth"], color="grey", ls=":", lw=1)
        ax.annotate(
            f" first binding: {first['name']} ({first['utilisation']:.0%})",
            (first["demand_growth"], 0.5),
            xycoords=("data", "axes fraction"),
            fontsize=8,
            ha="left",
        )
    ax.set_xlabel("demand (x dataset year)")
    # ocean shipping carries most TEU: a log scale above 1 % keeps the land corridors legible
    ax.set_yscale("symlog", linthresh=1.0)
    ax.set_ylim(0, 100)
    ax.set_ylabel(f"share of {sweep.commodity} demand (%, log above 1 %)")
    ax.set_title("Corridor shares on the loaded network")
    ax.legend(fontsize=8)
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=110)


def equilibrium_report(
    network: Network | Scenario,
    *,
    loaded: LoadedNetwork | None = None,
    factors: Sequence[float] = (1.0, 1.5, 2.0, 3.0),
    commodity: str = "containers",
    out_dir: str | os.PathLike[str] | None = None,
) -> dict[str, Any]:
    """Everything ``corridor analyze --equilibrium`` shows, as one JSON-ready dict.

    ``{"equilibrium": loaded summary at x1, "growth_sweep": ..., "plot": path or None}``;
    ``loaded`` (the x1 state, if already prepared) is reused.
    """
    sweep = growth_sweep(network, factors, commodity=commodity) if factors else None
    headline = loaded or (sweep.runs[0] if sweep is not None else prepare(network))
    plot = None
    if sweep is not None and out_dir is not None:
        from pathlib import Path

        path = Path(out_dir) / "equilibrium_corridor_shares.png"
        plot_growth_sweep(sweep, path)
        plot = str(path)
    return {
        "equilibrium": headline.summary(commodity),
        "growth_sweep": sweep.to_dict() if sweep is not None else None,
        "plot": plot,
    }
