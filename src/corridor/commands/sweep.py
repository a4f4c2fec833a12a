"""`corridor sweep`: many scenarios from a YAML spec, on Dask distributed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from corridor.commands import db_option, no_store_option, user_errors


def command(
    spec: Path = typer.Argument(..., help="Sweep spec (YAML): parameters, design, pairs."),
    scheduler: str | None = typer.Option(
        None, help="Address of a running Dask scheduler, e.g. tcp://10.0.0.5:8786."
    ),
    workers: int = typer.Option(
        2, help="Worker processes of the local Dask cluster (0: no Dask, one by one)."
    ),
    out: Path | None = typer.Option(None, help="Folder for the results (default out/sweep-NAME)."),
    db: str | None = db_option(),
    no_store: bool = no_store_option(),
) -> None:
    """Run a grid or Latin hypercube of scenarios (demand growth, Caspian drop, closures,
    interventions, simulation replications) on a Dask cluster; one Parquet file per
    point, a summary table, a tornado and a response surface. Rerunning the same spec
    computes only the points that are missing.

    Example: corridor sweep sweep.yaml --workers 2 --out out/sweep
    """
    with user_errors():
        from corridor.errors import CorridorError
        from corridor.model.schema import check_parameter

        check_parameter("workers", workers)

        try:
            import yaml  # noqa: F401

            if workers > 0 or scheduler is not None:
                import distributed  # noqa: F401
        except ImportError as exc:
            raise CorridorError(
                f"corridor sweep needs Dask distributed and PyYAML ({exc.name} is missing): "
                "pip install 'corridor[sweep]'"
            ) from None
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        from corridor.sweep.plots import response_surface, tornado
        from corridor.sweep.run import run_sweep
        from corridor.sweep.spec import load_spec

        parsed = load_spec(spec)
        folder = out or Path("out") / f"sweep-{parsed.name}"
        err = Console(stderr=True)
        where = scheduler or (f"{workers} local workers" if workers else "this process")
        with Progress(
            TextColumn(f"[bold]sweep {parsed.name}[/] on {where}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=err,
        ) as bar:
            task = bar.add_task("points", total=None)
            outcome = run_sweep(
                parsed,
                out=folder,
                workers=workers,
                scheduler=scheduler,
                db=db,
                store=not no_store,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
        summary = outcome.summary
        response = parsed.response
        if response not in summary:
            have = ", ".join(c for c in summary.columns if c.startswith(("days_", "unserved")))
            raise CorridorError(f"{spec}: response '{response}' is not a metric (have: {have})")
        plots = [
            p
            for p in (
                tornado(summary, response, folder / "tornado.png"),
                response_surface(summary, response, folder / "surface.png"),
            )
            if p
        ]
        _print(summary, response, outcome, plots)


def _print(summary: Any, response: str, outcome: Any, plots: list[Path]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=max(Console().width, 132))
    t = Table(title=f"{len(summary)} points (days: mean over the pairs a corridor serves)")
    params = [
        c
        for c in ("demand_growth", "caspian_drop_m", "closures", "interventions", "replications")
        if summary[c].astype(str).nunique() > 1
    ]
    metrics = [c for c in summary.columns if c.startswith("days_")] + ["unserved_teu"]
    for c in params + metrics:
        t.add_column(c.replace("_", " "), justify="left" if c in params else "right")
    for _, row in summary.head(40).iterrows():
        cells = []
        for c in params + metrics:
            v = row[c]
            if c in params:
                cells.append(f"{v:.3g}" if isinstance(v, float) else (str(v) or "-"))
            else:
                cells.append(
                    "-" if v != v else f"{v:,.1f}" if c.startswith("days") else f"{v:,.0f}"
                )
        t.add_row(*cells)
    console.print(t)
    if len(summary) > 40:
        console.print(f"... {len(summary) - 40} more points in {outcome.summary_path}")
    console.print(
        f"{outcome.computed} points computed, {outcome.reused} reused; tables: "
        f"{outcome.summary_path}, {outcome.routes_path}"
        + (f"; charts of {response}: " + ", ".join(map(str, plots)) if plots else "")
    )
