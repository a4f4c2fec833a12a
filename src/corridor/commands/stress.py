"""`corridor stress`: closures, outages and a falling Caspian against the base."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from corridor.commands import dataset_option, db_option, json_option, no_store_option, user_errors


def command(
    close: list[str] = typer.Option(
        [], "--close", help="Close a country (RU), node (aktau) or element (links:p_cpc)."
    ),
    outage: list[str] = typer.Option(
        [], "--outage", help="ELEMENT:DAYS out of service a year, e.g. p_cpc:30."
    ),
    caspian_drop_m: float = typer.Option(0.0, help="Metres the Caspian falls (1 m: load x0.8)."),
    storm_days: float | None = typer.Option(
        None, help="Days a year the ships stay in port for storms (base 17.5 = 14 x 30 h)."
    ),
    winter_days: list[str] = typer.Option(
        [],
        "--winter-days",
        help="COUNTRY:DAYS of winter road closures (base KZ:6, GE:2, AZ:0.7, TR:1.25).",
    ),
    strike: list[str] = typer.Option(
        [], "--strike", help="BORDER:DAYS a border stops, e.g. b_sarpi_sarp:5."
    ),
    demand: list[str] = typer.Option(
        [],
        "--demand",
        help="Demand shock FACTOR, COMMODITY=FACTOR or ORIGIN-DESTINATION=FACTOR (e.g. 1.5, "
        "crude_oil=0.5, xian-duisburg=2).",
    ),
    commodity: str | None = typer.Option(None, help="Only this commodity (e.g. uranium)."),
    headroom: list[str] = typer.Option(
        [],
        "--headroom",
        help="Corridor whose headroom to find, for each commodity observed on it or for "
        "--commodity (repeatable; 'all' = every corridor with observed demand).",
    ),
    max_p90_rise: float = typer.Option(
        0.25, help="Headroom ends where the corridor's p90 days rise by this share."
    ),
    max_cost_rise: float = typer.Option(
        0.10,
        help="Headroom ends where the corridor's cost (per FEU, per tonne for bulk) rises by "
        "this share.",
    ),
    dataset: str | None = dataset_option(),
    as_json: bool = json_option(),
    out: Path = typer.Option(Path("out"), help="Folder for stress.json and stress.html."),
    db: str | None = db_option(),
    no_store: bool = no_store_option(),
) -> None:
    """Stress the network: what diverts where, what is stranded, how exposed each commodity
    is to routes and transit countries, and the min cut between regions.

    Example: corridor stress --close RU --close BY --outage p_cpc:30 --caspian-drop-m 1.0
    --strike b_sarpi_sarp:5 --demand containers=1.5
    """
    from corridor.store.recording import recording

    run_params = {"close": close, "outage": outage, "caspian_drop_m": caspian_drop_m,
                  "storm_days": storm_days, "winter_days": winter_days, "strike": strike,
                  "demand": demand, "headroom": headroom, "max_p90_rise": max_p90_rise,
                  "max_cost_rise": max_cost_rise, "commodity": commodity,
                  "dataset": dataset}  # fmt: skip
    with user_errors(), recording("stress", run_params, db=db, enabled=not no_store) as run:
        from corridor.errors import CorridorError
        from corridor.io.atomic import write_text
        from corridor.model.network import load_network
        from corridor.model.schema import check_parameter
        from corridor.resilience.disruptions import (
            BorderStrike,
            Disruption,
            Storms,
            WinterRoads,
            stress_scenario,
        )

        check_parameter("caspian_drop_m", caspian_drop_m)
        check_parameter("max_p90_rise", max_p90_rise)
        check_parameter("max_cost_rise", max_cost_rise)
        outages = [_pair(item, "--outage", "ELEMENT:DAYS, e.g. p_cpc:30") for item in outage]
        extra: list[Disruption] = [Storms(storm_days)] if storm_days is not None else []
        for item in winter_days:
            country, days = _pair(item, "--winter-days", "COUNTRY:DAYS, e.g. KZ:6")
            extra.append(WinterRoads(country, days))
        for item in strike:
            extra.append(BorderStrike(*_pair(item, "--strike", "BORDER:DAYS, e.g. b_sarpi_sarp:5")))
        base = load_network(dataset)
        extra += [_shock(base, item) for item in demand]
        if commodity is not None and base.row("commodities", commodity) is None:
            known = ", ".join(base.commodities["id"])
            raise CorridorError(f"unknown commodity '{commodity}' (known: {known})")
        scenario = stress_scenario(
            base,
            close=tuple(close),
            outages=tuple(outages),
            caspian_drop_m=caspian_drop_m,
            disruptions=extra,
        )
        run.start(network=base, scenario=scenario.name)
        result = _run(
            scenario,
            commodity=commodity,
            headroom_corridors=tuple(headroom),
            max_p90_rise=max_p90_rise,
            max_cost_rise=max_cost_rise,
        )
        result["dataset"] = base.name
        text = json.dumps(result, indent=2, allow_nan=False)
        run.add("stress", result)
        write_text(out / "stress.json", text)
        write_text(out / "stress.html", _page(result, scenario.apply()))
        if as_json:
            typer.echo(text)
        else:
            _print(result, out)


def _page(result: dict[str, Any], network: Any) -> str:
    """A standalone HTML page of the stress section."""
    import html

    from corridor.report.stress_section import stress_section

    title = html.escape(f"corridor stress: {result['scenario']}")
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f"</head><body>{stress_section(result, network)}</body></html>\n"
    )


def _run(scenario: Any, **options: Any) -> dict[str, Any]:
    """:func:`corridor.resilience.stress.stress` behind a Rich progress line (on stderr)."""
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from corridor.resilience.stress import stress

    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
        console=Console(stderr=True), transient=True,
    ) as bar:  # fmt: skip
        task = bar.add_task("stress", total=None)
        return stress(scenario, progress=lambda text: bar.update(task, description=text), **options)


def _pair(item: str, option: str, expected: str) -> tuple[str, float]:
    from corridor.resilience.disruptions import named_number

    return named_number(item, option, expected)


def _shock(base: Any, item: str) -> Any:
    """A demand shock from ``FACTOR``, ``COMMODITY=FACTOR`` or ``ORIGIN-DESTINATION=FACTOR``."""
    from corridor.errors import CorridorError
    from corridor.model.schema import check_parameter
    from corridor.resilience.disruptions import DemandShock

    what, sep, number = item.rpartition("=")
    try:
        factor = float(number)
    except ValueError:
        raise CorridorError(
            f"--demand {item}: expected FACTOR, COMMODITY=FACTOR or ORIGIN-DESTINATION=FACTOR"
        ) from None
    check_parameter("demand_factor", factor, flag=f"--demand {item}: the factor")
    if not sep:
        return DemandShock(factor)
    if base.row("commodities", what) is not None:
        return DemandShock(factor, what)
    origin, dash, destination = what.partition("-")
    if not dash:
        raise CorridorError(f"--demand {item}: '{what}' is not a commodity or ORIGIN-DESTINATION")
    return DemandShock(factor, origin=origin, destination=destination)


def _num(x: float | None, digits: int = 1) -> str:
    return "-" if x is None else f"{x:,.{digits}f}"


def _print(result: dict[str, Any], out: Path) -> None:
    from rich.console import Console
    from rich.table import Table

    from corridor.report.units import cost_text

    console = Console(width=max(Console().width, 132))
    after = {(r["origin"], r["destination"], r["commodity"], r["corridor"]): r
             for r in result["routes_after"]}  # fmt: skip
    t = Table(title=f"Routes before and after ({result['scenario']})")
    for col in ("pair", "commodity", "corridor", "days before", "days after", "cost before",
                "cost after", "transits"):  # fmt: skip
        t.add_column(col, justify="right" if "before" in col or "after" in col else "left")
    for r in result["routes_before"]:
        a = after.get((r["origin"], r["destination"], r["commodity"], r["corridor"]))
        t.add_row(
            f"{r['origin']} → {r['destination']}",
            r["commodity"],
            r["corridor"],
            _num(r["time_days"]),
            _after_days(a),
            cost_text(r),
            cost_text(a) if a else "closed",
            " ".join(r["transits"]) or "-",
        )
    console.print(t)
    e = Table(title="Exposure per commodity (before → after)")
    for col in ("commodity", "corridor shares", "transit countries", "HHI routes",
                "HHI countries", "RU t-km", "IR t-km", "stranded /yr", "Δ days"):  # fmt: skip
        e.add_column(col)
    for name, x in result["exposure"].items():
        b, a = x["before"], x["after"]
        if not b["demand_per_year"]:
            continue
        e.add_row(
            name,
            _shares(b["corridor_shares"]) + "\n→ " + _shares(a["corridor_shares"]),
            _shares(b["transit_country_shares"]) + "\n→ " + _shares(a["transit_country_shares"]),
            f"{b['hhi_routes']:.2f} → {a['hhi_routes']:.2f}",
            f"{b['hhi_transit_countries']:.2f} → {a['hhi_transit_countries']:.2f}",
            f"{b['tonne_km_share']['RU']:.0%} → {a['tonne_km_share']['RU']:.0%}",
            f"{b['tonne_km_share']['IR']:.0%} → {a['tonne_km_share']['IR']:.0%}",
            f"{a['stranded_per_year']:,.0f} {a['unit']}",
            _num(x["penalty"]["days"]),
        )
    console.print(e)
    for name, s in result["stranded"].items():
        for f in s["flows"]:
            console.print(
                f"[bold]Stranded[/]: {f['volume_per_year']:,.0f} {f['unit']}/yr of {name} "
                f"{f['origin']} → {f['destination']} ({', '.join(f['refused_by']) or f['reason']})"
            )
    c = Table(title="Min cut between regions (yearly capacity of the network, not its room)")
    for col in ("regions", "commodity", "before", "after", "cut (after)"):
        c.add_column(col)
    for pair, per in result["min_cut"].items():
        for name, cut in per.items():
            c.add_row(
                pair,
                name,
                _capacity(cut["capacity_before_per_year"]),
                _capacity(cut["capacity_per_year"]),
                ", ".join(cut["cut"]) or cut["message"],
            )
    console.print(c)
    if result.get("headroom"):
        h = Table(title="Headroom: extra volume each corridor absorbs under this scenario")
        for col in ("corridor", "commodity", "demand x", "extra /yr", "limit", "binds first",
                    "p90 days base → at headroom", "cost base → at headroom"):  # fmt: skip
            h.add_column(col)
        for x in result["headroom"]:
            b, at = x["base"], x["at_headroom"]
            h.add_row(
                x["corridor"],
                x["commodity"],
                _multiplier(x),
                f"{x['extra_per_year']:,.0f} {x['unit']}",
                x["limit"],
                x["binding_element"] or "-",
                f"{_num(b['p90_days'])} → {_num(at['p90_days'])}",
                _cost(b, at, x["unit"]),
            )
        console.print(h)
    console.print(f"Wrote {out / 'stress.json'} and {out / 'stress.html'}")


def _after_days(route: dict[str, Any] | None) -> str:
    """Days after, with the element at capacity when one is (the time is then its queue)."""
    from corridor.report.stress_section import full_element

    if route is None:
        return "closed"
    full = full_element(route)
    return f"{_num(route['time_days'])} (full: {full})" if full else _num(route["time_days"])


def _multiplier(h: dict[str, Any]) -> str:
    """The demand multiplier found: ``≥ top`` when nothing failed, else the bracket."""
    if h["first_failing"] is None:
        return f"≥ {h['multiplier']:.2f}"
    return f"{h['multiplier']:.2f}–{h['first_failing']['multiplier']:.2f}"


def _cost(base: dict[str, Any], at: dict[str, Any], unit: str) -> str:
    """A headroom's cost at the base and at the headroom, per FEU or per tonne."""
    if unit == "t":
        return f"{_num(base['cost_usd_per_t'])} → {_num(at['cost_usd_per_t'])} USD/t"
    return f"{_num(base['cost_usd_per_feu'], 0)} → {_num(at['cost_usd_per_feu'], 0)} USD/FEU"


def _capacity(x: float | None) -> str:
    return "unlimited" if x is None else f"{x:,.0f}"


def _shares(shares: dict[str, float]) -> str:
    top = sorted(shares.items(), key=lambda kv: -kv[1])[:4]
    return " ".join(f"{k} {v:.0%}" for k, v in top) or "-"
