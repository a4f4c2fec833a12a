"""Where the store lives: ``--db PATH`` or ``CORRIDOR_DB_URL`` or the user data folder."""

from __future__ import annotations

import os
from pathlib import Path

#: Environment variable holding a database URL (``postgresql://user@host/db``).
URL_VARIABLE = "CORRIDOR_DB_URL"

#: File name of the embedded store in the user data folder.
DEFAULT_FILE = "corridor.sqlite"


def default_path() -> Path:
    """The embedded store's file: ``$XDG_DATA_HOME/corridor/corridor.sqlite`` on Linux."""
    from platformdirs import user_data_path

    return user_data_path("corridor", appauthor=False) / DEFAULT_FILE


def store_url(
    db: str | os.PathLike[str] | None = None, *, environ: dict[str, str] | None = None
) -> str:
    """The SQLAlchemy URL of the store to open.

    ``db`` (the ``--db`` option) wins: a path, or a URL with ``://``. Then
    ``CORRIDOR_DB_URL``; then the SQLite file in the user data folder.
    ``postgresql://`` and ``postgres://`` URLs are driven by psycopg 3.

    Examples
    --------
    >>> store_url("/tmp/x.sqlite")
    'sqlite:////tmp/x.sqlite'
    >>> store_url(None, environ={"CORRIDOR_DB_URL": "postgresql://me@localhost/corridor"})
    'postgresql+psycopg://me@localhost/corridor'
    """
    env = os.environ if environ is None else environ
    text = str(db) if db is not None else env.get(URL_VARIABLE) or None
    if text is None:
        return f"sqlite:///{default_path()}"
    if "://" not in text:
        return f"sqlite:///{Path(text).expanduser().resolve()}"
    for prefix in ("postgresql://", "postgres://"):
        if text.startswith(prefix):
            return "postgresql+psycopg://" + text[len(prefix) :]
    return text


def shown(url: str) -> str:
    """The URL without its password, for messages."""
    scheme, sep, rest = url.partition("://")
    creds, at, host = rest.rpartition("@")
    if not at or ":" not in creds:
        return url
    return f"{scheme}{sep}{creds.split(':', 1)[0]}:***@{host}"
