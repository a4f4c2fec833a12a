"""Errors a user can cause: each renders as one clear line, exit code 2."""

from __future__ import annotations


class CorridorError(Exception):
    """A user-facing error: bad input, unknown id, no route."""

    exit_code = 2


class DataError(CorridorError):
    """A problem in an input file, located by file, row and column.

    ``row`` is the 1-based line number in the file (the header is line 1).
    """

    def __init__(
        self, file: str, message: str, *, row: int | None = None, column: str | None = None
    ) -> None:
        self.file = file
        self.row = row
        self.column = column
        self.message = message
        where = file
        if row is not None:
            where += f", row {row}"
        if column is not None:
            where += f", column '{column}'"
        super().__init__(f"{where}: {message}")


class ParameterError(CorridorError, ValueError):
    """A numeric parameter outside its stated bounds (also a :class:`ValueError`)."""


class UnknownIdError(CorridorError):
    """An id (node, commodity, corridor, scenario) that the data does not define."""


class NoRouteError(CorridorError):
    """No route joins an origin and a destination under the given constraints."""
