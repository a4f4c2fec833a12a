"""`corridor appraise`: what each measure buys, and the best portfolio under a budget."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from corridor.commands import db_option, no_store_option, user_errors


def command(
    budget: float = typer.Option(5e9, help="Total budget in USD (sum of the measures' capex)."),
    scenario: str = typer.Option(
        "base", help="Built-in or stored scenario name, or a scenario JSON file."
    ),
    dataset: str | None = typer.Option(None, help="Dataset folder or name (default eurasia-2024)."),
    discount_rate: float = typer.Option(0.06, help="Real discount rate (World Bank default 6 %)."),
    horizon: int = typer.Option(25, help="Appraisal horizon in years."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as one JSON object."),
    out: Path | None = typer.Option(None, help="Folder to write appraisal.json to."),
    db: str | None = db_option(),
    no_store: bool = no_store_option(),
) -> None:
    """Rank every measure of the catalogue by NPV (benefits from re-running the loaded
    network with and without it) and choose the portfolio under a budget (MILP on HiGHS,
    the chosen set evaluated together).

    Example: corridor appraise --budget 5e9 --json
    """
    from corridor.store.recording import recording

    run_params = {"budget": budget, "scenario": scenario, "dataset": dataset,
              "discount_rate": discount_rate, "horizon": horizon}  # fmt: skip
    with user_errors(), recording("appraise", run_params, db=db, enabled=not no_store) as run:
        from corridor.appraisal.economics import Parameters
        from corridor.errors import CorridorError
        from corridor.io.atomic import write_text
        from corridor.model.network import load_network
        from corridor.store.resolve import resolve_scenario

        if not 0 <= discount_rate < 1 or horizon < 1:
            raise CorridorError("expected --discount-rate in [0, 1) and --horizon >= 1")
        base = load_network(dataset)
        scen = resolve_scenario(scenario, base, db=db)
        run.start(network=base, scenario=scen.name)
        params = Parameters(discount_rate=discount_rate, horizon_years=horizon)
        result = _run(scen, budget, params, show=not as_json)
        text = json.dumps(result, indent=2, allow_nan=False)
        run.add("appraisal", result)
        if out is not None:
            write_text(out / "appraisal.json", text)
        if as_json:
            typer.echo(text)
        else:
            _print(result)


def _run(scen: Any, budget: float, params: Any, *, show: bool) -> dict[str, Any]:
    from rich.progress import Progress

    from corridor.appraisal.api import appraise

    with Progress(transient=True, disable=not show) as bar:
        task = bar.add_task("model runs", total=None)
        return appraise(
            scen,
            budget_usd=budget,
            params=params,
            progress=lambda n: bar.update(task, completed=n),
        )


def _print(result: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    def musd(x: float) -> str:
        return f"{x / 1e6:,.1f}"

    console = Console(width=max(Console().width, 132))
    t = Table(title=f"Measures ranked by NPV (scenario {result['scenario']}, USD m of 2024)")
    for col in ("id", "kind", "country", "cost", "PV benefits", "NPV", "BCR", "EIRR"):
        t.add_column(col, justify="left" if col in ("id", "kind", "country") else "right")
    for m in result["measures"]:
        t.add_row(
            m["id"], m["kind"], m["country"], musd(m["cost_usd"]), musd(m["pv_benefits_usd"]),
            musd(m["npv_usd"]),
            "-" if m["bcr"] is None else f"{m['bcr']:.2f}",
            "-" if m["eirr"] is None else f"{100 * m['eirr']:.1f}%",
        )  # fmt: skip
    console.print(t)
    p = result["portfolio"]
    console.print(
        f"Portfolio under USD {musd(p['budget_usd'])} m: {', '.join(p['ids']) or '(none)'}; "
        f"cost USD {musd(p['cost_usd'])} m, NPV USD {musd(p['npv_usd'])} m evaluated together "
        f"(sum of parts {musd(p['predicted_npv_usd'])} m; "
        f"{'converged' if p['converged'] else 'iteration limit'} after {p['iterations']})."
    )
    d = Table(title="Door-to-door days per corridor, before and after the portfolio")
    for col in ("origin", "destination", "corridor", "before", "after"):
        d.add_column(col, justify="right" if col in ("before", "after") else "left")
    for c in p["corridors"]:
        after = c["days_after"]
        d.add_row(
            c["origin"], c["destination"], c["corridor"], f"{c['days_before']:.1f}",
            "-" if after is None else f"{after:.1f}",
        )  # fmt: skip
    console.print(d)
