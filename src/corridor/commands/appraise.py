"""`corridor appraise`: what each measure buys, and the best portfolio under a budget."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer

from corridor.commands import (
    dataset_option,
    db_option,
    json_option,
    no_store_option,
    scenario_option,
    user_errors,
)


def command(
    budget: float = typer.Option(5e9, help="Total budget in USD (sum of the measures' capex)."),
    scenario: str = scenario_option(),
    dataset: str | None = dataset_option(),
    years: str = typer.Option(
        "2026-2040", help="Planning window FIRST-LAST: year 0 of the appraisal and the staged plan."
    ),
    annual_budget: float | None = typer.Option(
        None, help="Capex a year in USD for the staged plan (default: the whole budget)."
    ),
    country_budget: list[str] = typer.Option(
        [], help="Budget of one country, ISO=USD (repeatable), e.g. KZ=2e9."
    ),
    lender_budget: list[str] = typer.Option(
        [], help="Budget of one lender or instrument, NAME=USD (repeatable), e.g. adb_loan=1e9."
    ),
    objective: str = typer.Option(
        "npv", help="npv (highest NPV) or p90 (fewest p90 door-to-door days on --target)."
    ),
    target: str = typer.Option(
        "xian:duisburg:middle", help="ORIGIN:DESTINATION:CORRIDOR for --objective p90."
    ),
    scenarios: str | None = typer.Option(
        None,
        help="Robust portfolio over these scenarios, comma separated "
        "('default' = base, russia-belarus-closed, red-sea-closed, caspian-low-water, demand-x2).",
    ),
    weights: str | None = typer.Option(
        None, help="Weights of --scenarios, comma separated (default equal)."
    ),
    discount_rate: float = typer.Option(0.06, help="Real discount rate (World Bank default 6 %)."),
    horizon: int = typer.Option(25, help="Appraisal horizon in years."),
    demand_growth: float = typer.Option(
        0.03, help="Yearly demand growth on every flow from the dataset year (stated assumption)."
    ),
    carbon_price: float = typer.Option(
        0.0,
        help="USD per tonne of CO2 (0 = not valued; World Bank 2017 guidance: 40-80 for 2020).",
    ),
    reliability_ratio: float = typer.Option(
        1.2, help="Value of reliability / value of time, on the standard deviation."
    ),
    as_json: bool = json_option(),
    out: Path | None = typer.Option(
        None, help="Folder to write appraisal.json, appraisal.html and appraisal_tornado.png to."
    ),
    workers: int | None = typer.Option(
        None, help="Model runs in parallel, in worker processes (default: the cores available)."
    ),
    db: str | None = db_option(),
    no_store: bool = no_store_option(),
) -> None:
    """Rank every measure of the catalogue by NPV (benefits from re-running the loaded
    network with and without it) and choose the portfolio under the budgets (MILP on
    HiGHS, the chosen set evaluated together), with its staged plan and sensitivity;
    with --scenarios, the expected-NPV and minimum-regret portfolios over them.

    Example: corridor appraise --budget 5e9 --scenarios default --json
    """
    from corridor.store.recording import recording

    run_params = {"budget": budget, "scenario": scenario, "dataset": dataset,
                  "discount_rate": discount_rate, "horizon": horizon, "years": years,
                  "objective": objective, "scenarios": scenarios, "weights": weights}  # fmt: skip
    with user_errors(), recording("appraise", run_params, db=db, enabled=not no_store) as run:
        from corridor.appraisal.api import Budgets
        from corridor.appraisal.economics import Parameters
        from corridor.errors import CorridorError
        from corridor.io.atomic import write_text
        from corridor.model.network import load_network
        from corridor.model.schema import check_parameter
        from corridor.store.resolve import resolve_scenario

        for flag, name, value in (
            ("--budget", "budget", budget),
            ("--annual-budget", "budget", 0.0 if annual_budget is None else annual_budget),
            ("--discount-rate", "discount_rate", discount_rate),
            ("--horizon", "horizon", horizon),
            ("--demand-growth", "growth_rate", demand_growth),
            ("--carbon-price", "carbon_price", carbon_price),
            ("--reliability-ratio", "reliability_ratio", reliability_ratio),
        ):
            check_parameter(name, value, flag=flag)
        from corridor.appraisal.runner import MAX_WORKERS, default_workers

        if workers is not None and not 1 <= workers <= MAX_WORKERS:
            raise CorridorError(f"expected --workers from 1 to {MAX_WORKERS}, found {workers}")
        first, last = _years(years)
        parts = target.split(":")
        if len(parts) != 3 or not all(parts):
            raise CorridorError(f"expected --target ORIGIN:DESTINATION:CORRIDOR, found {target!r}")
        budgets = Budgets(
            budget,
            _pairs(country_budget, "--country-budget"),
            _pairs(lender_budget, "--lender-budget"),
            annual_budget,
            last - first + 1,
        )
        base = load_network(dataset)
        scen = resolve_scenario(scenario, base, db=db)
        robust_set = None
        if scenarios is not None:
            from corridor.appraisal.robust import DEFAULT_SCENARIOS

            names = DEFAULT_SCENARIOS if scenarios == "default" else scenarios.split(",")
            check_parameter("scenarios", len(names), flag="the number of --scenarios")
            robust_set = [resolve_scenario(n.strip(), base, db=db) for n in names]
            w = [1.0] * len(names) if weights is None else _floats(weights, "--weights")
            for x in w:
                check_parameter("weights", x, flag="each of --weights")
            if len(w) != len(names) or any(not x >= 0 for x in w) or sum(w) <= 0:
                raise CorridorError(
                    f"expected --weights: one weight >= 0 per scenario ({len(names)}), "
                    f"with a positive sum, found {weights!r}"
                )
        run.start(network=base, scenario=scen.name)
        params = Parameters(
            discount_rate=discount_rate,
            horizon_years=horizon,
            start_year=first,
            demand_growth=demand_growth,
            carbon_price_usd_per_t=carbon_price,
            reliability_ratio=reliability_ratio,
        )
        result = _run(
            scen,
            budgets,
            params,
            show=not as_json,
            out=out,
            objective=objective,
            target=(parts[0], parts[1], parts[2]),
            robust_set=robust_set,
            weights=w if robust_set is not None else None,
            workers=workers or default_workers(),
        )
        text = json.dumps(result, indent=2, allow_nan=False)
        run.add("appraisal", result)
        if out is not None:
            from corridor.report.appraisal_section import write_appraisal_page

            write_text(out / "appraisal.json", text)
            write_appraisal_page(result, out / "appraisal.html")
        if as_json:
            typer.echo(text)
        else:
            _print(result)


def _years(text: str) -> tuple[int, int]:
    from corridor.errors import CorridorError

    try:
        a, b = (int(x) for x in text.split("-"))
    except ValueError:
        raise CorridorError(
            f"expected --years FIRST-LAST (e.g. 2026-2040), found {text!r}"
        ) from None
    if not 1900 < a <= b < 2200:
        raise CorridorError(f"expected --years FIRST-LAST with FIRST <= LAST, found {text!r}")
    return a, b


def _floats(text: str, option: str) -> list[float]:
    from corridor.errors import CorridorError

    try:
        return [float(x) for x in text.split(",")]
    except ValueError:
        raise CorridorError(
            f"expected {option} as numbers separated by commas, found {text!r}"
        ) from None


def _pairs(items: list[str], option: str) -> dict[str, float]:
    from corridor.errors import CorridorError
    from corridor.model.schema import check_parameter

    out = {}
    for item in items:
        key, _, value = item.partition("=")
        try:
            out[key.strip()] = float(value)
        except ValueError:
            raise CorridorError(f"expected {option} NAME=USD, found {item!r}") from None
        if not key.strip():
            raise CorridorError(f"expected {option} NAME=USD, found {item!r}")
        check_parameter("budget", out[key.strip()], flag=f"{option} {key.strip()}")
    return out


def _run(
    scen: Any,
    budgets: Any,
    params: Any,
    *,
    show: bool,
    out: Path | None,
    objective: str,
    target: tuple[str, str, str],
    robust_set: list[Any] | None,
    weights: list[float] | None,
    workers: int,
) -> dict[str, Any]:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    from corridor.appraisal.api import appraise

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("runs of the batch"),
        TimeElapsedColumn(),
    )
    from corridor.loaded.calibration import calibrate

    cal = calibrate(scen.base)
    runs_of: dict[Any, Any] = {}
    with Progress(*columns, transient=True, disable=not show) as bar:
        task = bar.add_task("appraisal", total=None)

        def show_on(task: Any, title: str) -> Callable[[Any], None]:
            def update(p: Any) -> None:  # a RunProgress
                bar.update(task, description=f"{title}: {p.phase}", completed=p.done, total=p.total)

            return update

        result = appraise(
            scen,
            budget_usd=budgets.total_usd,
            budgets=budgets,
            params=params,
            progress=show_on(task, "appraisal"),
            out_dir=out,
            objective=objective,
            target=target,
            workers=workers,
            runs_of=runs_of,
            calibration=cal,
        )
        if robust_set is not None and weights is not None:
            from corridor.appraisal.robust import robust

            task2 = bar.add_task("robust portfolio", total=None)
            result["robust"] = robust(
                robust_set,
                weights,
                budgets,
                params=params,
                progress=show_on(task2, "robust portfolio"),
                workers=workers,
                # the same scenario's runs are shared (same base, same calibration)
                runs_of={
                    s.name: runs_of
                    for s in robust_set
                    if s.base is scen.base and s.changes == scen.changes
                },
                calibration=cal,
            )
        return result


def _print(result: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    def musd(x: float) -> str:
        return f"{x / 1e6:,.1f}"

    console = Console(width=max(Console().width, 132))
    par = result["parameters"]
    t = Table(
        title=f"Measures ranked by NPV (scenario {result['scenario']}, USD m of "
        f"{par['price_year']}, {par['discount_rate']:.0%}, {par['horizon_years']} years from "
        f"{par['start_year']}, demand +{par['demand_growth']:.0%}/yr)"
    )
    cols = ("id", "kind", "country", "cost", "benefit/yr", "of which reliab.", "PV benefits",
            "NPV", "BCR", "EIRR")  # fmt: skip
    for col in cols:
        t.add_column(col, justify="left" if col in ("id", "kind", "country") else "right")
    for m in result["measures"]:
        t.add_row(
            m["id"], m["kind"], m["country"], musd(m["cost_usd"]),
            musd(m["benefits_usd_per_year"]), musd(m["reliability_usd_per_year"]),
            musd(m["pv_benefits_usd"]), musd(m["npv_usd"]),
            "-" if m["bcr"] is None else f"{m['bcr']:.2f}",
            "-" if m["eirr"] is None else f"{100 * m['eirr']:.1f}%",
        )  # fmt: skip
    console.print(t)
    p = result["portfolio"]
    sv = p["switching_values"]
    console.print(
        f"Portfolio under USD {musd(p['budget_usd'])} m ({result['objective']}): "
        f"{', '.join(p['ids']) or '(none)'}; cost USD {musd(p['cost_usd'])} m, NPV USD "
        f"{musd(p['npv_usd'])} m (JPY {p['npv_jpy'] / 1e9:,.1f} bn) evaluated together, "
        f"prediction {musd(p['predicted_objective_value'])} m "
        f"({'converged' if p['converged'] else 'iteration limit'} after {p['iterations']} rounds)"
        + (
            f"; NPV stays positive until costs rise {sv['costs_pct']:.0f} % or benefits fall "
            f"{-sv['benefits_pct']:.0f} %."
            if sv.get("costs_pct") is not None and sv.get("benefits_pct") is not None
            else "."
        )
    )
    if "target" in p:
        tg = p["target"]
        console.print(
            f"p90 {tg['origin']} -> {tg['destination']} ({tg['corridor']}): "
            f"{tg['p90_days_before']:.1f} -> {tg['p90_days_after']:.1f} days."
        )
    plan = p["staged_plan"]
    if plan["measures"]:
        console.print(
            f"Staged plan (at most USD {musd(plan['annual_budget_usd'])} m a year): "
            + "; ".join(
                f"{m['start_year']} {m['id']} (open {m['opening_year']})" for m in plan["measures"]
            )
        )
    if p["sensitivity"]:
        s = Table(title="Portfolio NPV sensitivity (USD m)")
        for col in ("test", "low", "NPV", "high", "NPV "):
            s.add_column(col, justify="right" if col.startswith("NPV") else "left")
        for c in p["sensitivity"]:
            s.add_row(
                c["name"], c["low"], musd(c["npv_low_usd"]), c["high"], musd(c["npv_high_usd"])
            )
        console.print(s)
    d = Table(title="Door-to-door days per corridor (mean and p90, 2024 demand), before and after")
    for col in ("origin", "destination", "corridor", "before", "after", "p90 before", "p90 after"):
        d.add_column(
            col, justify="left" if col in ("origin", "destination", "corridor") else "right"
        )
    for c in p["corridors"]:
        d.add_row(
            c["origin"], c["destination"], c["corridor"], f"{c['days_before']:.1f}",
            "-" if c["days_after"] is None else f"{c['days_after']:.1f}",
            f"{c['p90_days_before']:.1f}",
            "-" if c["p90_days_after"] is None else f"{c['p90_days_after']:.1f}",
        )  # fmt: skip
    console.print(d)
    r = result.get("robust")
    if r:
        names = r["scenarios"]
        rt = Table(title="Robust portfolio: NPV (USD m) of each candidate in each scenario")
        rt.add_column("portfolio")
        for n in names:
            rt.add_column(n, justify="right")
        rt.add_column("expected", justify="right")
        rt.add_column("max regret", justify="right")
        for c in r["candidates"]:
            rt.add_row(
                f"{c['from']}: {', '.join(c['ids']) or '(none)'}",
                *(musd(c["npv_usd_by_scenario"][n]) for n in names),
                musd(c["expected_npv_usd"]),
                musd(c["max_regret_usd"]),
            )
        console.print(rt)
        console.print(
            f"Expected-NPV portfolio: {', '.join(r['expected_npv_portfolio']['ids']) or '(none)'}; "
            f"minimum-regret: {', '.join(r['min_regret_portfolio']['ids']) or '(none)'}; "
            f"value of waiting to learn (EVPI): USD "
            f"{musd(r['expected_value_of_perfect_information_usd'] or 0.0)} m."
        )
    if p.get("tornado_png"):
        console.print(f"Wrote {p['tornado_png']}")
