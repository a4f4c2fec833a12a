"""corridor: decision support for Eurasian freight corridors.

Importing the package does no I/O and compiles nothing: public names are
resolved lazily on first use (PEP 562).
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_LAZY = {
    "load_network": "corridor.model.network",
    "Network": "corridor.model.network",
    "Scenario": "corridor.model.scenario",
    "compile_network": "corridor.graph.compiled",
    "CompiledNetwork": "corridor.graph.compiled",
    "routes": "corridor.analysis",
    "prepare": "corridor.loaded.prepare",
    "LoadedNetwork": "corridor.loaded.network",
    "appraise": "corridor.appraisal.api",
    "Route": "corridor.paths.routes",
    "analyze": "corridor.analysis",
    "simulate": "corridor.simulation",
    "assign": "corridor.assignment",
    "TrafficClass": "corridor.assignment",
}

__all__ = [*sorted(_LAZY), "__version__"]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'corridor' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
