"""Open the store's database and bring its schema to the newest migration.

SQLite: WAL journal (readers never block the writer), a 30 s busy timeout and
every transaction begun ``IMMEDIATE``, so two processes writing at once wait
for each other instead of failing. Migrations run on open, programmatically,
from the scripts shipped inside the package; a store already at :data:`HEAD`
is only checked (one query), which keeps recording a run cheap.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from corridor.errors import CorridorError

#: The newest migration (``migrations/versions``); a test checks it against Alembic's head.
HEAD = "0001"

#: Milliseconds a SQLite writer waits for another one before giving up.
BUSY_TIMEOUT_MS = 30_000


def create(url: str) -> Any:
    """A SQLAlchemy engine for ``url`` with the store's connection settings."""
    from sqlalchemy import create_engine, event

    if url.startswith("postgresql"):
        try:
            import psycopg  # noqa: F401
        except ImportError:
            raise CorridorError(
                "a PostgreSQL store needs psycopg: pip install 'corridor[postgres]'"
            ) from None
        return create_engine(url, pool_pre_ping=True)
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CorridorError(f"cannot create the store's folder {path.parent}: {exc}") from None
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
    if engine.dialect.name != "sqlite":
        return engine

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's begin event, not the driver, open transactions.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")  # WAL: a crash loses no committed write
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        # IMMEDIATE takes the write lock at BEGIN: a transaction that reads then
        # writes cannot fail half-way on a lock another process took meanwhile.
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def revision(engine: Any) -> str | None:
    """The store's migration revision, ``None`` for an empty database."""
    from sqlalchemy import inspect, text

    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        value = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        return None if value is None else str(value)


def upgrade(engine: Any, target: str = "head") -> None:
    """Run the packaged Alembic migrations up to ``target`` (in one locked transaction)."""
    from alembic import command
    from alembic.config import Config

    with resources.as_file(resources.files("corridor.store") / "migrations") as folder:
        config = Config()
        config.set_main_option("script_location", str(folder))
        with engine.connect() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, target)
            conn.commit()


def open_engine(url: str) -> Any:
    """An engine whose database is at :data:`HEAD` (migrated now if it was not)."""
    from sqlalchemy.exc import SQLAlchemyError

    engine = create(url)
    try:
        current = revision(engine)
        if current != HEAD:
            upgrade(engine)
    except SQLAlchemyError as exc:
        engine.dispose()
        from corridor.store.location import shown

        orig = getattr(exc, "orig", None)
        reason = (str(orig if orig is not None else exc).splitlines() or ["?"])[0]
        raise CorridorError(f"cannot open the store {shown(url)}: {reason}") from None
    return engine
