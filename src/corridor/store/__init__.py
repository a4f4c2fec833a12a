"""The scenario and run store: saved scenarios, recorded runs and their results.

An embedded SQLite file by default (in the user data folder, or ``--db PATH``),
PostgreSQL when ``CORRIDOR_DB_URL`` names one. The schema is :mod:`.schema`,
created and upgraded by the Alembic migrations in ``migrations/`` whenever a
store is opened (:mod:`.engine`); :class:`corridor.store.store.Store` is the API.
Nothing here is imported by ``import corridor``.
"""
