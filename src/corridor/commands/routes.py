"""`corridor routes`: door-to-door routes with a leg-by-leg breakdown."""

from __future__ import annotations

import json

import typer

from corridor.commands import (
    check_format,
    close_option,
    console,
    dataset_option,
    flagged_scenario,
    format_option,
    intervention_option,
    json_option,
    scenario_option,
    user_errors,
    write_csv,
)


def command(
    origin: str = typer.Option(..., help="Origin node id."),
    destination: str = typer.Option(..., help="Destination node id."),
    commodity: str = typer.Option("containers", help="Commodity id."),
    corridor: list[str] = typer.Option(
        [], help="Corridor id(s) to compare (repeatable; default all; 'best' = unconstrained)."
    ),
    avoid_country: list[str] = typer.Option([], help="ISO code to avoid (repeatable)."),
    avoid_node: list[str] = typer.Option([], help="Node id to avoid (repeatable)."),
    via: list[str] = typer.Option([], help="Node id the route must pass (repeatable, in order)."),
    k: int = typer.Option(0, help="Instead of corridors, list the k cheapest loopless routes."),
    scenario: str = scenario_option(),
    dataset: str | None = dataset_option(),
    close: list[str] = close_option(),
    intervention: list[str] = intervention_option(),
    fmt: str = format_option(),
    as_json: bool = json_option(),
) -> None:
    """Best route of each corridor between two nodes, with every leg's time and cost.

    Example: corridor routes --origin xian --destination istanbul --avoid-country RU

    Example: corridor routes --origin xian --destination duisburg --close RU --format csv
    """
    with user_errors():
        from corridor.analysis import corridor_routes
        from corridor.errors import CorridorError, NoRouteError
        from corridor.loaded.cache import default_cache
        from corridor.loaded.network import element_names
        from corridor.loaded.prepare import prepare
        from corridor.model.schema import check_parameter
        from corridor.paths.alternatives import alternatives
        from corridor.paths.routes import routes
        from corridor.paths.search import Constraints

        check_parameter("k", k)
        fmt = check_format(fmt, as_json)
        scen = flagged_scenario(scenario, dataset, close, intervention)
        scen.base.require_node(origin)
        scen.base.require_node(destination)
        loaded = prepare(scen, cache=default_cache())
        left_out: list[dict[str, str]] = []
        if k > 0:
            if via or corridor:
                raise CorridorError("--k lists alternatives without --via or --corridor")
            found = alternatives(
                loaded.graph,
                origin,
                destination,
                k=k,
                commodity=commodity,
                constraints=Constraints(
                    avoid_countries=frozenset(avoid_country), avoid_nodes=frozenset(avoid_node)
                ),
            )
            if not found:
                raise NoRouteError(f"no route from '{origin}' to '{destination}'")
        elif avoid_country or avoid_node or via:
            found = routes(
                loaded.graph,
                origin,
                destination,
                commodity=commodity,
                corridors=corridor or None,
                avoid_countries=avoid_country,
                avoid_nodes=avoid_node,
                via=via,
            )
        else:
            found, left_out = corridor_routes(
                loaded, origin, destination, commodity=commodity, corridors=corridor or None
            )
            if not found:
                why = "; ".join(f"{x['corridor']}: {x['reason']}" for x in left_out)
                raise NoRouteError(f"no route from '{origin}' to '{destination}' ({why})")
        if fmt == "json":
            payload = [
                {
                    "corridor": r.corridor,
                    "distance_km": r.distance_km,
                    "time_days": r.time_days,
                    "cost_usd_per_feu": r.cost_usd,
                    "countries": list(r.countries),
                    "legs": [leg.to_dict() for leg in r.legs],
                }
                for r in found
            ]
            typer.echo(
                json.dumps(
                    {"routes": payload, "not_offered": left_out} if left_out else payload,
                    indent=2,
                    allow_nan=False,
                )
            )
            return
        names = element_names(loaded.network)
        if fmt == "csv":
            write_csv(
                ("corridor", "leg", "from", "to", "kind", "mode", "id", "name", "distance_km",
                 "hours_moving", "hours_waiting", "cost_usd_per_feu"),
                (
                    [r.corridor, i + 1, leg.from_node, leg.to_node, leg.kind, leg.mode,
                     leg.element_id, names.get(leg.element_id, ""), round(leg.distance_km, 1),
                     round(leg.hours_moving, 2), round(leg.hours_waiting, 2),
                     round(leg.cost_usd, 2)]
                    for r in found
                    for i, leg in enumerate(r.legs)
                ),
            )  # fmt: skip
            return
        from rich.table import Table

        con = console()
        for r in found:
            t = Table(
                title=f"{r.corridor}: {origin} → {destination}, {r.distance_km:,.0f} km, "
                f"{r.time_days:.1f} days, {r.cost_usd:,.0f} USD/FEU ({' '.join(r.countries)})"
            )
            for col in ("from", "to", "kind", "mode", "element", "km", "h moving", "h waiting",
                        "USD"):  # fmt: skip
                t.add_column(col)
            for leg in r.legs:
                name = names.get(leg.element_id)
                t.add_row(
                    leg.from_node,
                    leg.to_node,
                    leg.kind,
                    leg.mode,
                    f"{name} ({leg.element_id})" if name else leg.element_id,
                    f"{leg.distance_km:,.0f}",
                    f"{leg.hours_moving:.1f}",
                    f"{leg.hours_waiting:.1f}",
                    f"{leg.cost_usd:,.0f}",
                )
            con.print(t)
        for x in left_out:
            status = x["status"].replace("_", " ")
            con.print(f"[dim]{x['corridor']}: {status} — {x['reason']}[/]")
