"""One module per CLI command; each exposes ``command``.

Shared by the commands: :func:`user_errors`, which turns a user error into one
line on stderr and exit code 2.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
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
