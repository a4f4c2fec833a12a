"""`corridor scenario list|show|save|diff|delete`: scenarios kept in the store."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from corridor.commands import db_option, no_store_option, user_errors

app = typer.Typer(
    name="scenario",
    help="Save, list, show, compare and delete scenarios in the store.\n\n"
    "Example: corridor scenario save my.json --note 'first draft'",
    no_args_is_help=True,
)


@app.command("list")
def list_(db: str | None = db_option(), as_json: bool = typer.Option(False, "--json")) -> None:
    """List the stored scenarios.

    Example: corridor scenario list
    """
    with user_errors():
        from corridor.store.store import Store

        with Store.open(db) as store:
            records = store.scenarios()
        if as_json:
            typer.echo(json.dumps([_summary(r) for r in records], indent=2))
            return
        from rich.console import Console
        from rich.table import Table

        t = Table(title=f"{len(records)} stored scenarios")
        for col in ("name", "changes", "dataset", "saved (UTC)", "note"):
            t.add_column(col, justify="right" if col == "changes" else "left")
        for r in records:
            t.add_row(
                r.name,
                str(len(r.document.get("changes", []))),
                r.dataset_name or "-",
                f"{r.created_at:%Y-%m-%d %H:%M}",
                r.note,
            )
        Console(width=max(Console().width, 120)).print(t)


def _summary(r: Any) -> dict[str, Any]:
    return {
        "name": r.name,
        "changes": len(r.document.get("changes", [])),
        "dataset": r.dataset_name,
        "dataset_hash": r.dataset_hash,
        "note": r.note,
        "created_at": r.created_at.isoformat(),
    }


@app.command("show")
def show(
    name: str = typer.Argument(..., help="Name of a stored scenario."),
    out: Path | None = typer.Option(None, help="Write the scenario JSON file here instead."),
    db: str | None = db_option(),
) -> None:
    """Print a stored scenario as a scenario JSON file (or export it with --out).

    Example: corridor scenario show my-scenario --out my-scenario.json
    """
    with user_errors():
        from corridor.errors import UnknownIdError
        from corridor.io.atomic import write_text
        from corridor.store.store import Store

        with Store.open(db) as store:
            record = store.scenario(name)
        if record is None:
            raise UnknownIdError(f"no stored scenario '{name}' (see: corridor scenario list)")
        text = json.dumps(record.document, indent=2, ensure_ascii=False) + "\n"
        if out is None:
            typer.echo(text, nl=False)
        else:
            write_text(out, text)
            typer.echo(f"Wrote {out}")


@app.command("save")
def save(
    source: str = typer.Argument(..., help="A scenario JSON file or a built-in scenario name."),
    name: str | None = typer.Option(None, help="Store it under this name (default: its own)."),
    note: str = typer.Option("", help="Author note kept with the scenario."),
    replace: bool = typer.Option(False, "--replace", help="Overwrite a stored one of that name."),
    dataset: str | None = typer.Option(
        None, help="Dataset to check it against (default eurasia-2024)."
    ),
    db: str | None = db_option(),
) -> None:
    """Check a scenario against the dataset and save it in the store under its name.

    Example: corridor scenario save my.json --note "two more ferries"
    """
    with user_errors():
        from corridor.errors import CorridorError, DataError
        from corridor.model.network import load_network
        from corridor.model.scenario import load_scenario, scenario_names, scenario_to_dict
        from corridor.store.datasets import dataset_hash
        from corridor.store.store import Store

        base = load_network(dataset)
        scen = load_scenario(source, base)  # checks the file and every id in it
        if Path(source).is_file():
            document = json.loads(Path(source).read_text("utf-8"))
        else:
            document = scenario_to_dict(scen)
        if name is not None:
            document["name"] = name
        final = str(document.get("name") or Path(source).stem)
        document["name"] = final
        if final == "base" or final in scenario_names(base):
            raise CorridorError(
                f"'{final}' is a built-in scenario name; save it under another (--name)"
            )
        if not isinstance(document, dict):
            raise DataError(source, "expected a JSON object")
        with Store.open(db) as store:
            store.save_scenario(
                document, note=note, dataset=(dataset_hash(base), base.name), replace=replace
            )
        n = len(document.get("changes", []))
        typer.echo(f"Saved scenario '{final}' ({n} changes); use it as --scenario {final}")


@app.command("delete")
def delete(name: str = typer.Argument(...), db: str | None = db_option()) -> None:
    """Delete a stored scenario (its recorded runs stay).

    Example: corridor scenario delete my-scenario
    """
    with user_errors():
        from corridor.errors import UnknownIdError
        from corridor.store.store import Store

        with Store.open(db) as store:
            if not store.delete_scenario(name):
                raise UnknownIdError(f"no stored scenario '{name}'")
        typer.echo(f"Deleted scenario '{name}'")


@app.command("diff")
def diff(
    a: str = typer.Argument(..., help="First scenario (stored or built-in name, or JSON file)."),
    b: str = typer.Argument(..., help="Second scenario."),
    dataset: str | None = typer.Option(None, help="Dataset (default eurasia-2024)."),
    as_json: bool = typer.Option(False, "--json", help="Print the comparison as JSON."),
    db: str | None = db_option(),
    no_store: bool = no_store_option(),
) -> None:
    """Compare two scenarios: the changes that differ, and days and cost per route
    (from their stored analyze runs, or analysed now and recorded).

    Example: corridor scenario diff base red-sea-closed
    """
    with user_errors():
        from corridor.model.network import load_network
        from corridor.model.scenario import scenario_to_dict
        from corridor.store.datasets import dataset_hash
        from corridor.store.resolve import resolve_scenario
        from corridor.store.tables import change_diff, compare_routes

        base = load_network(dataset)
        digest = dataset_hash(base)
        sa, sb = resolve_scenario(a, base, db=db), resolve_scenario(b, base, db=db)
        only_a, only_b = change_diff(scenario_to_dict(sa), scenario_to_dict(sb))
        ta = _routes(a, sa, digest, db=db, store=not no_store, dataset=dataset)
        tb = _routes(b, sb, digest, db=db, store=not no_store, dataset=dataset)
        table = compare_routes(ta, tb)
        if as_json:
            out = {
                "a": sa.name, "b": sb.name, "changes_only_in_a": only_a,
                "changes_only_in_b": only_b,
                "routes": json.loads(table.to_json(orient="records")),
            }  # fmt: skip
            typer.echo(json.dumps(out, indent=2))
        else:
            _print_diff(sa.name, sb.name, only_a, only_b, table)


def _routes(asked: str, scen: Any, digest: str, *, db: Any, store: bool, dataset: Any) -> Any:
    """The scenario's routes table: its newest stored analyze run, or analysed now."""
    from corridor.store.tables import routes_table

    if store:
        found = _stored_routes(scen.name, digest, db)
        if found is not None:
            return found
    from corridor.analysis import analyze
    from corridor.loaded.prepare import prepare
    from corridor.store.recording import recording

    params = {"scenario": asked, "dataset": dataset, "origin": None, "destination": None}
    with recording("analyze", params, db=db, enabled=store) as run:
        run.start(network=scen.base, scenario=scen.name)
        result = analyze(prepare(scen))
        table = routes_table(result)
        run.add("routes", table)
    return table


def _stored_routes(name: str, digest: str, db: Any) -> Any:
    from corridor.store.store import Store

    with Store.open(db) as store:
        stored = store.scenario(name)
        for run in store.runs(command="analyze", scenario=name, status="done", limit=50):
            if run.dataset_hash != digest or run.parameters.get("origin") is not None:
                continue
            if run.parameters.get("equilibrium") or run.parameters.get("simulate"):
                continue
            if stored is not None and run.started_at < stored.created_at:
                break  # older than the stored scenario's current version
            if "routes" in store.run(run.id).results:  # type: ignore[union-attr]
                return store.result(run.id, "routes")
    return None


def _print_diff(a: str, b: str, only_a: list[Any], only_b: list[Any], table: Any) -> None:
    import math

    from rich.console import Console
    from rich.table import Table

    console = Console(width=max(Console().width, 120))
    for label, changes in ((a, only_a), (b, only_b)):
        console.print(f"[bold]Changes only in {label}[/]: {len(changes)}")
        for c in changes:
            console.print("  " + json.dumps(c), markup=False)

    def num(x: float, fmt: str) -> str:
        return "-" if x is None or math.isnan(x) else format(x, fmt)

    t = Table(title=f"Routes: {a} (A) → {b} (B)")
    for col in ("pair", "commodity", "corridor", "days A", "days B", "Δ days", "cost A",
                "cost B", "Δ cost"):  # fmt: skip
        t.add_column(col, justify="left" if col in ("pair", "commodity", "corridor") else "right")
    for r in table.itertuples():
        if r.days_change == 0 and r.cost_change == 0:
            continue
        t.add_row(
            f"{r.origin} → {r.destination}", r.commodity, r.corridor, num(r.time_days_a, ".1f"),
            num(r.time_days_b, ".1f"), num(r.days_change, "+.1f"), num(r.cost_a, ",.0f"),
            num(r.cost_b, ",.0f"), num(r.cost_change, "+,.0f"),
        )  # fmt: skip
    console.print(t)
    same = len(table) - t.row_count
    console.print(f"{same} routes unchanged; cost in USD/FEU (containers) or USD/t (bulk).")
