"""Stochastic corridor simulation: FCFS queues, batch ferries, closures, p10/p50/p90.

Public names resolve lazily so that importing the package compiles nothing.
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "simulate_station": "corridor.simulation.queue",
    "StationResult": "corridor.simulation.queue",
    "station_theory": "corridor.simulation.theory",
    "simulate": "corridor.simulation.api",
    "door_to_door_percentiles": "corridor.simulation.api",
    "SimulationResult": "corridor.simulation.results",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'corridor.simulation' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
