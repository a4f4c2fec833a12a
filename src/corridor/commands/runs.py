"""`corridor runs list|show`: what the computing commands have recorded."""

from __future__ import annotations

import json
from typing import Any

import typer

from corridor.commands import db_option, user_errors

app = typer.Typer(
    name="runs",
    help="List and show the runs recorded in the store.\n\nExample: corridor runs list",
    no_args_is_help=True,
)


@app.command("list")
def list_(
    command: str | None = typer.Option(None, help="Only runs of this command (e.g. analyze)."),
    scenario: str | None = typer.Option(None, help="Only runs of this scenario."),
    limit: int = typer.Option(20, help="Show at most this many, newest first (at most 10,000)."),
    as_json: bool = typer.Option(False, "--json"),
    db: str | None = db_option(),
) -> None:
    """List recorded runs, newest first.

    Example: corridor runs list --command analyze --limit 5
    """
    with user_errors():
        from corridor.model.schema import check_parameter
        from corridor.store.store import Store

        check_parameter("limit", limit)
        with Store.open(db) as store:
            records = store.runs(command=command, scenario=scenario, limit=limit)
        if as_json:
            typer.echo(json.dumps([_public(r) for r in records], indent=2))
            return
        from rich.console import Console
        from rich.table import Table

        t = Table(title=f"Runs in the store (newest {limit})")
        for col in ("id", "command", "scenario", "dataset", "seed", "state", "started (UTC)",
                    "seconds"):  # fmt: skip
            t.add_column(col, justify="right" if col in ("id", "seed", "seconds") else "left")
        for r in records:
            secs = (r.finished_at - r.started_at).total_seconds() if r.finished_at else None
            t.add_row(
                str(r.id), r.command, r.scenario or "-", r.dataset_name or "-",
                "-" if r.seed is None else str(r.seed), r.state(),
                f"{r.started_at:%Y-%m-%d %H:%M:%S}", "-" if secs is None else f"{secs:.1f}",
            )  # fmt: skip
        Console(width=max(Console().width, 120)).print(t)


def _public(r: Any) -> dict[str, Any]:
    return {
        "id": r.id, "command": r.command, "parameters": r.parameters, "seed": r.seed,
        "version": r.version, "dataset": r.dataset_name, "dataset_hash": r.dataset_hash,
        "scenario": r.scenario, "status": r.state(), "error": r.error,
        "started_at": r.started_at.isoformat(),
        "finished_at": r.finished_at.isoformat() if r.finished_at else None,
        "results": list(r.results),
    }  # fmt: skip


@app.command("show")
def show(
    run_id: int = typer.Argument(..., help="Run id (see corridor runs list)."),
    result: str | None = typer.Option(None, help="Print this result (JSON, or a table as CSV)."),
    as_json: bool = typer.Option(False, "--json"),
    db: str | None = db_option(),
) -> None:
    """Show one run: command, parameters, seed, version, dataset, state and its results.

    Example: corridor runs show 3 --result routes
    """
    with user_errors():
        from corridor.errors import UnknownIdError
        from corridor.model.schema import check_parameter
        from corridor.store.store import Store

        check_parameter("run_id", run_id, flag="the run id")
        with Store.open(db) as store:
            record = store.run(run_id)
            if record is None:
                raise UnknownIdError(f"no run {run_id} in the store (see: corridor runs list)")
            if result is not None:
                if result not in record.results:
                    have = ", ".join(record.results) or "none"
                    raise UnknownIdError(f"run {run_id} has no result '{result}' (has: {have})")
                value = store.result(run_id, result)
                if hasattr(value, "to_csv"):
                    typer.echo(value.to_csv(index=False), nl=False)
                else:
                    typer.echo(json.dumps(value, indent=2))
                return
        data = _public(record)
        if as_json:
            typer.echo(json.dumps(data, indent=2))
            return
        for key, value in data.items():
            shown = json.dumps(value) if isinstance(value, (dict, list)) else value
            typer.echo(f"{key:12} {shown}")
