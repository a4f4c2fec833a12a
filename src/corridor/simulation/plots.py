"""Charts of a simulation: door-to-door days per corridor, queue over the year."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np

from corridor.io.atomic import write_bytes
from corridor.simulation.results import SimulationResult


def _png(fig: object) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")  # type: ignore[attr-defined]
    return buf.getvalue()


def write_plots(result: SimulationResult, out: Path) -> list[Path]:
    """Write ``door_to_door.png`` and ``queue_worst_node.png`` to ``out`` (atomically)."""
    # A Figure of its own (no pyplot, no backend switch): the caller's state is untouched.
    from matplotlib.figure import Figure

    written = []
    fig = Figure(figsize=(12, 4.5))
    ax_h, ax_e = fig.subplots(1, 2)
    for t in result.transit:
        if t.days.size == 0:
            continue
        label = f"{t.corridor}: {t.origin}→{t.destination}"
        ax_h.hist(t.days, bins=60, histtype="step", density=True, label=label)
        x = np.sort(t.days)
        ax_e.plot(x, np.arange(1, x.size + 1) / x.size, label=label)
    ax_h.set_xlabel("door-to-door days")
    ax_h.set_ylabel("density")
    ax_e.set_xlabel("door-to-door days")
    ax_e.set_ylabel("share of shipments arrived (ECDF)")
    ax_e.grid(alpha=0.3)
    ax_e.legend(fontsize=7, loc="lower right")
    fig.suptitle(
        f"{result.dataset} / {result.scenario}: {result.replications} replications of "
        f"{result.days} days"
    )
    path = out / "door_to_door.png"
    write_bytes(path, _png(fig))
    written.append(path)

    worst = result.worst_node
    if worst is not None:
        fig = Figure(figsize=(10, 3.8))
        ax = fig.subplots()
        ax.plot(np.arange(worst.queue_by_day.size), worst.queue_by_day)
        ax.set_xlabel("day of the year")
        ax.set_ylabel("shipments waiting or in service (daily mean)")
        ax.set_title(
            f"{worst.id}: mean wait {worst.mean_wait_h:.1f} h, p90 {worst.p90_wait_h:.1f} h"
        )
        ax.grid(alpha=0.3)
        path = out / "queue_worst_node.png"
        write_bytes(path, _png(fig))
        written.append(path)
    return written
