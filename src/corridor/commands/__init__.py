"""One module per CLI command; each exposes ``command``.

Shared by the commands: :func:`user_errors`, which turns a user error into one
line on stderr and exit code 2.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

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
