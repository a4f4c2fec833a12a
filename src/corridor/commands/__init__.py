"""One module per CLI command; each exposes ``command``.

Shared by the commands: :func:`user_errors`, which turns a user error into one
line on stderr and exit code 2; the ``--close``/``--intervention`` flags
(:func:`flagged_scenario`), the ``--format`` choice and table/CSV output.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import typer


@contextmanager
def user_errors() -> Iterator[None]:
    """Report a :class:`corridor.errors.CorridorError` as one line and exit 2."""
    from corridor.errors import CorridorError

    try:
        yield
    except CorridorError as exc:
        sys.stderr.write(f"error: {exc}\n")
        raise typer.Exit(exc.exit_code) from None


def db_option() -> Any:
    """``--db``: the store to use (shared by the commands that record or read runs)."""
    return typer.Option(
        None,
        "--db",
        help="Store: a SQLite file or a database URL (default: CORRIDOR_DB_URL, else "
        "corridor.sqlite in the user data folder).",
    )


def no_store_option() -> Any:
    """``--no-store``: run without recording the run in the store."""
    return typer.Option(False, "--no-store", help="Do not record this run in the store.")


#: Output formats of the commands that print tables.
FORMATS = ("table", "csv", "json")

CLOSE_HELP = (
    "Close a country (RU), node (aktau), link, border, service or terminal id, or table:id "
    "(repeatable; the dashboard's ids)."
)
INTERVENTION_HELP = (
    "Apply an intervention (an id of interventions.csv, or a measure id for all its rows; "
    "repeatable)."
)
FORMAT_HELP = "table (Rich, full width when piped), csv or json."


def scenario_option() -> Any:
    """``--scenario``: a built-in or stored scenario, or a scenario JSON file."""
    return typer.Option("base", help="Built-in or stored scenario name, or a scenario JSON file.")


def dataset_option() -> Any:
    """``--dataset``: a dataset folder or name (default: the embedded one)."""
    return typer.Option(None, help="Dataset folder or name (default eurasia-2024).")


def close_option() -> Any:
    """``--close`` (repeatable): closures on top of the scenario (:func:`flagged_scenario`)."""
    return typer.Option([], "--close", help=CLOSE_HELP)


def intervention_option() -> Any:
    """``--intervention`` (repeatable): interventions on top of the scenario."""
    return typer.Option([], "--intervention", help=INTERVENTION_HELP)


def format_option() -> Any:
    """``--format``: table, csv or json (:func:`check_format`)."""
    return typer.Option("table", "--format", help=FORMAT_HELP)


def json_option() -> Any:
    """``--json``: the result as one JSON object (``--format json``)."""
    return typer.Option(False, "--json", help="Print the result as one JSON object.")


def check_format(fmt: str, as_json: bool = False) -> str:
    """The chosen output format (``--json`` is ``--format json``), or a user error."""
    from corridor.errors import CorridorError

    if fmt not in FORMATS:
        raise CorridorError(f"--format {fmt}: expected one of {', '.join(FORMATS)}")
    return "json" if as_json else fmt


def flagged_scenario(
    scenario: str,
    dataset: str | None,
    close: list[str],
    intervention: list[str],
    *,
    db: Any = None,
) -> Any:
    """The scenario of ``--scenario`` (built-in, file or stored) plus ``--close`` and
    ``--intervention``."""
    from corridor.model.network import load_network
    from corridor.model.scenario import with_flags
    from corridor.store.resolve import resolve_scenario

    base = load_network(dataset)
    return with_flags(resolve_scenario(scenario, base, db=db), close, intervention)


def console() -> Any:
    """A Rich console; when the output is not a terminal no line is cut or wrapped."""
    from rich.console import Console

    probe = Console()
    if probe.is_terminal:
        return Console(width=max(probe.width, 132))
    return Console(width=100_000, soft_wrap=True)


def write_csv(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Rows as CSV on stdout (numbers unformatted, ``None`` as an empty cell)."""
    import csv

    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
