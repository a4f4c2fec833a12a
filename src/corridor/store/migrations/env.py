"""Alembic environment of the store: run on the connection the caller passes in.

The store opens its engine itself and hands a connection over as
``config.attributes["connection"]``; there is no ``alembic.ini``. The
migration runs in one transaction that first takes a lock, so two processes
opening a new store at once migrate it once: SQLite's ``BEGIN IMMEDIATE``
(the store's engine begins every transaction so), PostgreSQL's advisory lock.
"""

from __future__ import annotations

from alembic import context

#: Key of PostgreSQL's transaction-level advisory lock held while migrating.
LOCK_KEY = 0x636F7272  # "corr"

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=None, transaction_per_migration=False)
with context.begin_transaction():
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({LOCK_KEY})")
    context.run_migrations()
