"""`corridor analyze`: the main job."""

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
    origin: str | None = typer.Option(None, help="Origin node id (default: the dataset's pairs)."),
    destination: str | None = typer.Option(None, help="Destination node id."),
    commodity: str = typer.Option("containers", help="Commodity id for --origin/--destination."),
    dataset: str | None = dataset_option(),
    close: list[str] = close_option(),
    intervention: list[str] = intervention_option(),
    fmt: str = format_option(),
    as_json: bool = json_option(),
    out: Path = typer.Option(
        Path("out"),
        help="Folder for analysis.json, charts and report (new, or replaced whole by the run).",
    ),
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
    detail: bool = typer.Option(
        False, "--detail", help="Add the report's appendix (every leg, every source)."
    ),
    db: str | None = db_option(),
    no_store: bool = no_store_option(),
) -> None:
    """Compare every corridor between origin–destination pairs: days, p10/p90, USD/FEU,
    countries transited and the binding bottleneck; write JSON, charts and a report.

    With --close or --intervention (or a scenario that changes the base) the
    table and the JSON's ``difference_from_base`` give each corridor's change
    against the base.

    Example: corridor analyze --origin xian --destination duisburg --close RU --close BY

    Example: corridor analyze --origin xian --destination duisburg --intervention i_kuryk_ferry
    """
    run_params = {"scenario": scenario, "origin": origin, "destination": destination,
              "commodity": commodity, "dataset": dataset, "simulate": simulate,
              "replications": replications, "equilibrium": equilibrium, "close": close,
              "intervention": intervention}  # fmt: skip
    from corridor.store.recording import recording

    with user_errors(), recording("analyze", run_params, db=db, enabled=not no_store) as run:
        from corridor.analysis import difference_from_base
        from corridor.errors import CorridorError
        from corridor.io.atomic import write_text
        from corridor.model.scenario import Scenario
        from corridor.model.schema import check_parameter

        fmt = check_format(fmt, as_json)
        if (origin is None) != (destination is None):
            raise CorridorError("give both --origin and --destination, or neither")
        check_parameter("seed", seed)
        if simulate:
            check_parameter("replications", replications)
        from corridor.io.runs import check_run_folder, run_folder
        from corridor.loaded.cache import default_cache
        from corridor.loaded.prepare import prepare
        from corridor.store.tables import routes_arrow

        check_run_folder(out)  # refuse a folder of other files before the work
        scen = flagged_scenario(scenario, dataset, close, intervention, db=db)
        run.start(network=scen.base, scenario=scen.name, seed=seed if simulate else None)
        for node in (origin, destination):
            if node is not None:
                scen.base.require_node(node)
        cache = default_cache()
        loaded = prepare(scen, cache=cache)
        net = loaded.network
        pairs = (
            [(origin, destination, commodity)]
            if origin is not None and destination is not None
            else None
        )
        result = _analysis(loaded, scen.base, pairs, cache)
        if scen.changes:
            base_loaded = prepare(Scenario("base", scen.base), cache=cache)
            base_result = _analysis(base_loaded, scen.base, pairs, cache)
            result["difference_from_base"] = difference_from_base(result, base_result)
        # every output lands together: written into a new folder, swapped in at the end
        with run_folder(out) as folder:
            if equilibrium:
                from corridor.loaded.growth import equilibrium_report

                result["equilibrium"] = equilibrium_report(scen, loaded=loaded, out_dir=folder)
                if result["equilibrium"]["plot"]:
                    plot = Path(result["equilibrium"]["plot"]).name
                    result["equilibrium"]["plot"] = str(out / plot)
            sim = None
            if simulate:
                sim = _simulate(scen, replications=replications, seed=seed)
                apply_simulated_percentiles(result, sim.percentiles())
            text = json.dumps(result, indent=2, allow_nan=False)
            if run.active:  # the table needs pyarrow: built only when it is kept
                run.add("routes", routes_arrow(result))
            run.add("analysis", result)
            write_text(folder / "analysis.json", text)
            if charts:
                _write_outputs(result, scen, net, folder, sim, detail=detail)
        if fmt == "json":
            typer.echo(text)
        elif fmt == "csv":
            _write_csv(result, net)
        else:
            _print_table(result, net, out, charts=charts)
            if equilibrium:
                _print_equilibrium(result["equilibrium"])


def _analysis(loaded: Any, base: Any, pairs: Any, cache: Any) -> dict[str, Any]:
    """:func:`corridor.analysis.analyze` of a prepared network, from the result cache when the
    same tables, scenario and pairs were analysed before: a repeated question runs no search,
    so it loads no compiled kernel."""
    from corridor.analysis import analyze

    if cache is None:
        return analyze(loaded, pairs=pairs)
    from corridor.loaded.cache import network_digest

    key = cache.key(
        "analyze",
        network_digest(loaded.network),
        network_digest(base),
        loaded.network.name,
        loaded.scenario,
        float(loaded.growth),
        None if pairs is None else [tuple(p) for p in pairs],
    )
    hit = cache.load("analyze", key, {})
    if isinstance(hit, dict):
        return hit
    result = analyze(loaded, pairs=pairs)
    cache.store("analyze", key, result, {})
    return result


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


def _write_outputs(
    result: dict[str, Any], scen: Any, net: Any, out: Path, sim: Any, *, detail: bool
) -> None:
    """Charts per OD pair and the HTML report."""
    from corridor.report.document import node_names, write_report
    from corridor.report.tcd import write_tcd_charts

    write_tcd_charts(result, out, names=node_names(net))
    write_report(result, net, out / "report.html", simulation=sim, detail=detail,
                 **report_scenario(scen))  # fmt: skip


def report_scenario(scen: Any) -> dict[str, Any]:
    """What the report shows of a scenario: its closures on the map, its changes in words."""
    from corridor.model.scenario import Closure, describe_change

    closed = [c for c in scen.changes if isinstance(c, Closure)]
    return {
        "closed_countries": [c.id for c in closed if c.component == "countries"],
        "closed_nodes": [c.id for c in closed if c.component == "nodes"],
        "changes": [describe_change(c, scen.base) for c in scen.changes],
    }


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


def _bottleneck(route: dict[str, Any]) -> dict[str, Any] | None:
    """The route's most utilised capacity that carries any demand."""
    return next((b for b in route["bottlenecks"] if b["utilisation"] > 0), None)


def _cost(route: dict[str, Any]) -> float:
    return float(route["cost_usd_per_t" if route.get("unit") == "t" else "cost_usd_per_feu"])


def _money(value: float, bulk: bool) -> str:
    return f"{value:,.1f}" if bulk else f"{value:,.0f}"


def _signed(value: float | None, digits: int) -> str:
    if value is None:
        return "-"
    text = f"{value:+,.{digits}f}"
    return "0" if float(text) == 0 else text.replace("-", "−")


def _print_table(result: dict[str, Any], net: Any, out: Path, *, charts: bool) -> None:
    from rich.table import Table

    from corridor.report.units import percent_text

    con = console()
    diff = {
        (d["origin"], d["destination"], d["commodity"], d["corridor"]): d
        for d in result.get("difference_from_base") or []
    }
    place = dict(zip(net.nodes["id"], net.nodes["name"], strict=True))
    by_pair: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for r in result["routes"]:
        by_pair.setdefault((r["origin"], r["destination"], r["commodity"]), []).append(r)
    for x in result.get("not_offered", []):
        by_pair.setdefault((x["origin"], x["destination"], x["commodity"]), [])
    for (o, d, c), rs in by_pair.items():
        bulk = any(r.get("unit") == "t" for r in rs)
        money = "USD/t" if bulk else "USD/FEU"
        t = Table(
            title=f"{place.get(o, o)} → {place.get(d, d)} ({o} → {d}), {c} "
            f"({result['dataset']}, scenario {result['scenario']})"
        )
        cols = ["corridor", "km", "days", "p10–p90", money, "transits", "main bottleneck"]
        if diff:
            cols[3:3] = ["Δ days vs base"]
            cols[6:6] = [f"Δ {money}"]
        for col in cols:
            t.add_column(col, justify="right" if col in ("km", "days", money) or "Δ" in col
                         else "left")  # fmt: skip
        for r in sorted(rs, key=lambda r: r["time_days"]):
            b = _bottleneck(r)
            neck = f"{b['name']} ({b['id']}) {percent_text(b['utilisation'])}" if b else "-"
            same = f" (= {r['same_route_as']})" if r.get("same_route_as") else ""
            row = [
                r["corridor"] + same,
                f"{r['distance_km']:,.0f}",
                f"{r['time_days']:.1f}",
                f"{r['time_days_p10']:.1f}–{r['time_days_p90']:.1f}",
                _money(_cost(r), bulk),
                " ".join(r["transits"]) or "-",
                neck,
            ]
            if diff:
                delta = diff.get((o, d, c, r["corridor"]), {})
                new = delta.get("status_base") != "open"
                row[3:3] = ["new" if new else _signed(delta.get("delta_days"), 1)]
                row[6:6] = ["new" if new else _signed(delta.get("delta_cost"), 1 if bulk else 0)]
            t.add_row(*row)
        left_out = [
            x
            for x in result.get("not_offered", [])
            if (x["origin"], x["destination"], x["commodity"]) == (o, d, c)
        ]
        for x in left_out:
            if x["status"] != "closed":
                continue
            was = diff.get((o, d, c, x["corridor"]), {})
            row = [f"[bold]{x['corridor']}[/]", "", "[bold]closed[/]", "", "", "", x["reason"]]
            if diff:
                row[3:3] = [f"(was {was['time_days_base']:.1f})" if was.get("time_days_base")
                            else ""]  # fmt: skip
                row[6:6] = [""]
            t.add_row(*row)
        con.print(t)
        for x in left_out:
            if x["status"] == "not_applicable":
                con.print(f"  [dim]{x['corridor']}: not applicable — {x['reason']}[/]")
    if result["scenario"] != "base":
        _print_diversions(con, result)
    from corridor.loaded.network import element_names

    elements = element_names(net)
    for u in result.get("unrouted_demand", []):
        unit = "TEU" if u["unit"] == "teu" else "t"
        where = ", ".join(f"{elements.get(e, e)} ({e})" for e in u["refused_by"])
        where = where or "no open route"
        con.print(
            f"[bold]Not carried[/]: {u['volume_per_year']:,.0f} {unit}/yr of {u['commodity']} "
            f"{u['origin']} → {u['destination']} ({u['share_of_demand']:.0%} of its demand; "
            f"{where}: {u['reason']})"
        )
    if charts:
        con.print(
            f"Wrote {out / 'analysis.json'}, {out / 'report.html'} and time/cost-distance "
            f"charts (tcd_*.png, tcd_*.html) to {out}/"
        )
    else:
        con.print(f"Wrote {out / 'analysis.json'}")


#: Columns of ``corridor analyze --format csv``: one row per corridor and pair.
CSV_COLUMNS = (
    "origin", "destination", "commodity", "corridor", "status", "reason", "same_route_as",
    "distance_km", "time_days", "time_days_p10", "time_days_p90", "cost_usd", "cost_unit",
    "delta_days_vs_base", "delta_cost_usd_vs_base", "transits", "bottleneck_id",
    "bottleneck_name", "bottleneck_utilisation",
)  # fmt: skip


def _write_csv(result: dict[str, Any], net: Any) -> None:
    diff = {
        (d["origin"], d["destination"], d["commodity"], d["corridor"]): d
        for d in result.get("difference_from_base") or []
    }
    rows: list[list[Any]] = []
    for r in result["routes"]:
        key = (r["origin"], r["destination"], r["commodity"], r["corridor"])
        b = _bottleneck(r)
        delta = diff.get(key, {})
        rows.append(
            [*key, "open", None, r.get("same_route_as"), round(r["distance_km"], 1),
             round(r["time_days"], 2), round(r["time_days_p10"], 2), round(r["time_days_p90"], 2),
             round(_cost(r), 2), "t" if r.get("unit") == "t" else "feu",
             _round(delta.get("delta_days")), _round(delta.get("delta_cost")),
             " ".join(r["transits"]), b and b["id"], b and b["name"],
             b and round(b["utilisation"], 4)]
        )  # fmt: skip
    for x in result.get("not_offered", []):
        rows.append(
            [x["origin"], x["destination"], x["commodity"], x["corridor"], x["status"],
             x["reason"], *([None] * (len(CSV_COLUMNS) - 6))]
        )  # fmt: skip
    write_csv(CSV_COLUMNS, rows)


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 2)
