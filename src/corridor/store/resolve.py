"""``--scenario NAME``: a built-in name, a scenario JSON file, or a stored scenario."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from corridor.model.network import Network
from corridor.model.scenario import Scenario


def resolve_scenario(name_or_path: str | None, base: Network, *, db: Any = None) -> Scenario:
    """The scenario a command was asked for.

    ``None``/``base``, the dataset's built-in names and existing files are read
    as before (:func:`corridor.model.scenario.load_scenario`); any other name is
    looked up in the store (``--db`` or ``CORRIDOR_DB_URL`` or the default file).
    """
    from corridor.model.scenario import load_scenario, scenario_from_dict, scenario_names

    if name_or_path in (None, "base") or name_or_path in scenario_names(base):
        return load_scenario(name_or_path, base)
    if Path(str(name_or_path)).exists() or str(name_or_path).endswith(".json"):
        return load_scenario(name_or_path, base)
    from corridor.errors import UnknownIdError

    record, stored = _lookup(str(name_or_path), db)
    if record is None:
        known = ", ".join(["base", *scenario_names(base)])
        extra = f"; stored: {', '.join(stored)}" if stored else ""
        raise UnknownIdError(
            f"unknown scenario '{name_or_path}' (built-in: {known}{extra}; or a JSON file)"
        )
    return scenario_from_dict(record.document, base, file=f"stored scenario '{name_or_path}'")


def _lookup(name: str, db: str | os.PathLike[str] | None) -> tuple[Any, list[str]]:
    from corridor.store.store import Store

    with Store.open(db) as store:
        record = store.scenario(name)
        return record, [] if record else [s.name for s in store.scenarios()]
