"""`corridor simulate`: p10/p50/p90 door-to-door days from a stochastic simulation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from corridor.commands import (
    check_format,
    close_option,
    console,
    dataset_option,
    db_option,
    flagged_scenario,
    format_option,
    intervention_option,
    json_option,
    no_store_option,
    scenario_option,
    user_errors,
    write_csv,
)


def command(
    scenario: str = scenario_option(),
    dataset: str | None = dataset_option(),
    days: int = typer.Option(365, help="Days of shipments simulated."),
    replications: int = typer.Option(100, help="Independent replications (parallel)."),
    seed: int = typer.Option(1, help="Seed; the same seed gives the same result."),
    close: list[str] = close_option(),
    intervention: list[str] = intervention_option(),
    fmt: str = format_option(),
    as_json: bool = json_option(),
    out: Path | None = typer.Option(
        None, help="Folder for simulation.json and the charts (new, or replaced whole)."
    ),
    db: str | None = db_option(),
    no_store: bool = no_store_option(),
) -> None:
    """Simulate a year of corridor traffic (queues at borders and ports, ferries that sail
    when full, storms, line failures) and report door-to-door days per corridor
    (p10/p50/p90, mean with CI, on-time probability) and waits at every node.

    Example: corridor simulate --days 365 --replications 100 --seed 1 --out out

    Example: corridor simulate --close RU --intervention i_kuryk_ferry --replications 30
    """
    from corridor.store.recording import recording

    run_params = {"scenario": scenario, "dataset": dataset, "days": days,
              "replications": replications, "close": close,
              "intervention": intervention}  # fmt: skip
    with user_errors(), recording("simulate", run_params, db=db, enabled=not no_store) as run:
        from rich.progress import Progress

        from corridor.io.atomic import write_text
        from corridor.model.schema import check_simulation_size
        from corridor.simulation.api import simulate

        fmt = check_format(fmt, as_json)
        check_simulation_size(days=days, replications=replications, seed=seed)
        if out is not None:
            from corridor.io.runs import check_run_folder

            check_run_folder(out)
        scen = flagged_scenario(scenario, dataset, close, intervention, db=db)
        run.start(network=scen.base, scenario=scen.name, seed=seed)
        with Progress(transient=True, disable=fmt != "table") as bar:
            task = bar.add_task("replications", total=replications)
            result = simulate(
                scen,
                days=days,
                replications=replications,
                seed=seed,
                progress=lambda done, total: bar.update(task, completed=done),
            )
        data = result.to_dict()
        text = json.dumps(data, indent=2, allow_nan=False)
        run.add("simulation", data)
        if out is not None:
            from corridor.io.runs import run_folder
            from corridor.simulation.plots import write_plots

            with run_folder(out) as folder:  # the files land together
                write_text(folder / "simulation.json", text)
                write_plots(result, folder)
        if fmt == "json":
            typer.echo(text)
        elif fmt == "csv":
            write_csv(
                ("corridor", "origin", "destination", "p10_days", "p50_days", "p90_days",
                 "mean_days"),
                ([r["corridor"], r["origin"], r["destination"], r["p10_days"], r["p50_days"],
                  r["p90_days"], r["mean_days"]] for r in data["transit"]),
            )  # fmt: skip
        else:
            _print(data, out)


def _days(x: float | None) -> str:
    """Days (or hours) with one decimal; nothing measured in a short run shows as -."""
    return "-" if x is None else f"{x:.1f}"


def _print(d: dict[str, Any], out: Path | None) -> None:
    from rich.table import Table

    con = console()
    t = Table(title=f"{d['dataset']} / {d['scenario']}: {d['replications']} × {d['days']} days")
    for col in ("corridor", "origin", "destination", "p10", "p50", "p90", "mean [95% CI]"):
        t.add_column(col, justify="right" if col[0] in "pm" else "left")
    for r in d["transit"]:
        lo, hi = r["mean_days_ci95"]
        ci = "" if lo is None else f" [{lo:.1f}, {hi:.1f}]"
        t.add_row(
            r["corridor"],
            r["origin"],
            r["destination"],
            *(_days(r[k]) for k in ("p10_days", "p50_days", "p90_days")),
            f"{_days(r['mean_days'])}{ci}",
        )
    con.print(t)
    n = Table(title="nodes (hours)")
    for col in ("node", "kind", "util.", "mean wait", "p90 wait", "mean dwell", "p90 dwell"):
        n.add_column(col, overflow="fold")
    nodes = sorted(d["nodes"], key=lambda x: -(x["mean_dwell_h"] or 0))[:12]
    for x in nodes:
        n.add_row(
            x["id"],
            x["kind"],
            "-" if x["utilisation"] is None else f"{x['utilisation']:.2f}",
            *(_days(x[k]) for k in ("mean_wait_h", "p90_wait_h", "mean_dwell_h", "p90_dwell_h")),
        )
    con.print(n)
    for note in d.get("notes", []):  # modelling choices, e.g. servers raised above the data
        con.print(f"note: {note}", markup=False, style="dim")
    con.print(
        f"{d['events']:,} events in {d['elapsed_s']:.1f} s" + (f"; written to {out}" if out else "")
    )
