"""The `corridor` command line: one Typer app, one module per command.

Each command lives in ``corridor.commands.<name>`` and exposes ``command``.
Command modules import only Typer and the standard library at module level,
so ``corridor --help`` starts fast; heavy modules are imported inside the
command bodies.
"""

from __future__ import annotations

import importlib
import signal

import typer

COMMANDS = (
    "analyze",
    "routes",
    "nodes",
    "assign",
    "validate",
    "datasets",
    "queue",
    "simulate",
    "report",
    "serve",
    "appraise",
    "stress",
    "sweep",
)

#: Command groups: modules exposing a Typer ``app`` with subcommands.
GROUPS = ("scenario", "runs")


def build_app() -> typer.Typer:
    """Create the Typer application with every command registered."""
    app = typer.Typer(
        name="corridor",
        help=(
            "Decision support for Eurasian freight corridors (Middle Corridor / TITR).\n\n"
            "Example: corridor analyze --origin xian --destination duisburg"
        ),
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )
    for name in COMMANDS:
        module = importlib.import_module(f"corridor.commands.{name}")
        app.command(name, help=module.command.__doc__)(module.command)
    for name in GROUPS:
        app.add_typer(importlib.import_module(f"corridor.commands.{name}").app, name=name)
    return app


def main() -> None:
    """Entry point of the ``corridor`` console script.

    SIGTERM ends the command like an exception (exit 143), so unfinished
    outputs are removed and earlier ones stay as they were.
    """
    terminate_on_sigterm()
    build_app()()


def terminate_on_sigterm() -> None:
    """Make SIGTERM raise ``SystemExit(143)``, so ``finally`` blocks clean up."""

    def terminate(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, terminate)
