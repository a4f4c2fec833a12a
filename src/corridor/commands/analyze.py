"""`corridor analyze`: the main job."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from corridor.commands import db_option, no_store_option, user_errors


def command(
    scenario: str = typer.Option(
        "base", help="Built-in or stored scenario name, or a scenario JSON file."
    ),
    origin: str | None = typer.Option(None, help="Origin node id (default: the dataset's pairs)."),
    destination: str | None = typer.Option(None, help="Destination node id."),
    commodity: str = typer.Option("containers", help="Commodity id for --origin/--destination."),
    dataset: str | None = typer.Option(None, help="Dataset folder or name (default eurasia-2024)."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as one JSON object."),
    out: Path = typer.Option(Path("out"), help="Folder for analysis.json, charts and report."),
    seed: int = typer.Option(1, help="Seed of --simulate."),
    simulate: bool = typer.Option(
        False, "--simulate", help="Take p10/p50/p90 from the stochastic simulation."
    ),
    replications: int = typer.Option(30, help="Replications of a year for --simulate."),
    equilibrium: bool = typer.Option(
        False,
        "--equilibrium",
        help="Add the capacity-constrained equilibrium and the x1/x1.5/x2/x3 demand sweep.",
    ),
    charts: bool = typer.Option(True, help="Write the PNG/HTML charts and the HTML report."),
    db: str | None = db_option(),
    no_store: bool = no_store_option(),
) -> None:
    """Compare every corridor between origin–destination pairs: days, p10/p90, USD/FEU,
    countries transited and the binding bottleneck; write JSON, charts and a report.

    Example: corridor analyze --origin xian --destination duisburg --out out
    """
    run_params = {"scenario": scenario, "origin": origin, "destination": destination,
              "commodity": commodity, "dataset": dataset, "simulate": simulate,
              "replications": replications, "equilibrium": equilibrium}  # fmt: skip
    from corridor.store.recording import recording

    with user_errors(), recording("analyze", run_params, db=db, enabled=not no_store) as run:
        from corridor.analysis import analyze
        from corridor.errors import CorridorError
        from corridor.io.atomic import write_text
        from corridor.model.network import load_network

        if (origin is None) != (destination is None):
            raise CorridorError("give both --origin and --destination, or neither")
        from corridor.loaded.cache import default_cache
        from corridor.loaded.prepare import prepare
        from corridor.store.resolve import resolve_scenario
        from corridor.store.tables import routes_table

        base = load_network(dataset)
        scen = resolve_scenario(scenario, base, db=db)
        run.start(network=base, scenario=scen.name, seed=seed if simulate else None)
        loaded = prepare(scen, cache=default_cache())
        net = loaded.network
        pairs = [(origin, destination, commodity)] if origin and destination else None
        result = analyze(loaded, pairs=pairs)
        if equilibrium:
            from corridor.loaded.growth import equilibrium_report

            result["equilibrium"] = equilibrium_report(scen, loaded=loaded, out_dir=out)
        sim = None
        if simulate:
            sim = _simulate(scen, replications=replications, seed=seed)
            apply_simulated_percentiles(result, sim.percentiles())
        text = json.dumps(result, indent=2, allow_nan=False)
        run.add("routes", routes_table(result))
        run.add("analysis", result)
        write_text(out / "analysis.json", text)
        if charts:
            _write_outputs(result, net, out, sim)
        if as_json:
            typer.echo(text)
        else:
            _print_table(result, out, charts=charts)
            if equilibrium:
                _print_equilibrium(result["equilibrium"])


def _simulate(scen: Any, *, replications: int, seed: int) -> Any:
    from rich.progress import Progress

    from corridor.simulation import simulate

    with Progress(transient=True) as bar:
        task = bar.add_task(f"simulating {replications} years", total=replications)
        return simulate(
            scen,
            replications=replications,
            seed=seed,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )


def apply_simulated_percentiles(
    result: dict[str, Any], percentiles: dict[tuple[str, str, str], tuple[float, float, float]]
) -> None:
    """Replace analytic p10/p50/p90 by simulated ones where the simulation has the route."""
    for r in result["routes"]:
        key = (r["corridor"], r["origin"], r["destination"])
        if key in percentiles:
            r["time_days_p10"], r["time_days_p50"], r["time_days_p90"] = percentiles[key]
            r["percentiles_from"] = "simulation"


def _write_outputs(result: dict[str, Any], net: Any, out: Path, sim: Any) -> None:
    """Charts per OD pair and the HTML report."""
    from corridor.report.document import node_names, write_report
    from corridor.report.tcd import write_tcd_charts

    write_tcd_charts(result, out, names=node_names(net))
    write_report(result, net, out / "report.html", simulation=sim)


def _print_equilibrium(report: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    sweep = report["growth_sweep"]
    t = Table(title="Container corridor shares on the loaded network, by demand growth")
    t.add_column("corridor")
    for f in sweep["demand_growth"]:
        t.add_column(f"x{f:g}", justify="right")
    for name, shares in sweep["corridor_shares"].items():
        if max(shares) > 0:
            t.add_row(name, *(f"{100 * s:.1f}%" for s in shares))
    t.add_row(
        "[bold]most utilised[/bold]",
        *(
            f"{b['name']} {100 * b['utilisation']:.0f}%" if b else "-"
            for b in sweep["bottleneck_per_growth"]
        ),
    )
    console = Console(width=max(Console().width, 132))
    console.print(t)
    first = sweep.get("first_binding")
    if first:
        console.print(
            f"First capacity to bind: {first['id']} ({first['kind']}, {first['from']}→"
            f"{first['to']}) at x{first['demand_growth']:g} demand, utilisation "
            f"{100 * first['utilisation']:.0f}%. Plot: {report['plot']}"
        )


def _print_diversions(console: Any, result: dict[str, Any]) -> None:
    """Observed flows that no longer travel (all) on their observed corridor."""
    from rich.table import Table

    t = Table(title=f"Where the observed flows go (scenario {result['scenario']})")
    for col in ("flow", "observed on", "carried on", "not carried"):
        t.add_column(col)
    for s in result["loaded_network"]["segments"]:
        observed = s["observed_corridor"]
        carried = s["carried_per_year_by_corridor"]
        if observed == "best" or (set(carried) == {observed} and s["unserved_per_year"] == 0):
            continue
        unit = "TEU" if s["unit"] == "teu" else "t"
        t.add_row(
            f"{s['commodity']} {s['origin']} → {s['destination']}",
            observed,
            ", ".join(f"{k} {v:,.0f} {unit}" for k, v in carried.items()) or "-",
            f"{s['unserved_per_year']:,.0f} {unit}" if s["unserved_per_year"] else "-",
        )
    if t.row_count:
        console.print(t)


def _percent(x: float) -> str:
    return "<1%" if 0 < x < 0.005 else f"{100 * x:.0f}%"


def _print_table(result: dict[str, Any], out: Path, *, charts: bool) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=max(Console().width, 132))
    by_pair: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for r in result["routes"]:
        by_pair.setdefault((r["origin"], r["destination"]), []).append(r)
    for (o, d), rs in by_pair.items():
        bulk = rs[0].get("unit") == "t"
        money = "USD/t" if bulk else "USD/FEU"
        t = Table(
            title=f"{o} → {d}, {rs[0]['commodity']} ({result['dataset']}, "
            f"scenario {result['scenario']})"
        )
        for col in ("corridor", "km", "days", "p10–p90", money, "transits", "main bottleneck"):
            t.add_column(col, justify="right" if col in ("km", "days", money) else "left")
        for r in sorted(rs, key=lambda r: r["time_days"]):
            b = next((b for b in r["bottlenecks"] if b["utilisation"] > 0), None)
            neck = f"{b['id']} {_percent(b['utilisation'])}" if b else "-"
            same = f" (= {r['same_route_as']})" if r.get("same_route_as") else ""
            t.add_row(
                r["corridor"] + same,
                f"{r['distance_km']:,.0f}",
                f"{r['time_days']:.1f}",
                f"{r['time_days_p10']:.1f}–{r['time_days_p90']:.1f}",
                f"{r['cost_usd_per_t']:,.1f}" if bulk else f"{r['cost_usd_per_feu']:,.0f}",
                " ".join(r["transits"]) or "-",
                neck,
            )
        console.print(t)
        left_out = [
            x for x in result.get("not_offered", []) if (x["origin"], x["destination"]) == (o, d)
        ]
        for x in left_out:
            if x["status"] == "closed":
                console.print(f"  [bold]{x['corridor']}: closed[/] — {x['reason']}")
        n_na = sum(x["status"] == "not_applicable" for x in left_out)
        if n_na:
            console.print(f"  [dim]{n_na} corridors do not serve this pair (see the JSON)[/]")
    if result["scenario"] != "base":
        _print_diversions(console, result)
    for u in result.get("unrouted_demand", []):
        unit = "TEU" if u["unit"] == "teu" else "t"
        where = ", ".join(u["refused_by"]) or "no open route"
        console.print(
            f"[bold]Not carried[/]: {u['volume_per_year']:,.0f} {unit}/yr of {u['commodity']} "
            f"{u['origin']} → {u['destination']} ({u['share_of_demand']:.0%} of its demand; "
            f"{where}: {u['reason']})"
        )
    if charts:
        console.print(
            f"Wrote {out / 'analysis.json'}, {out / 'report.html'} and time/cost-distance "
            f"charts (tcd_*.png, tcd_*.html) to {out}/"
        )
    else:
        console.print(f"Wrote {out / 'analysis.json'}")
