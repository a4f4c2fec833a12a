"""The default dataset under a disruption, prepared with the base year's calibration."""

from __future__ import annotations

from typing import Any

from corridor.loaded.network import LoadedNetwork
from corridor.loaded.prepare import prepare
from corridor.resilience.disruptions import stress_scenario


def loaded(default: dict[str, Any], **disruption: Any) -> LoadedNetwork:
    """The default dataset under a disruption (``stress_scenario`` keywords)."""
    scenario = stress_scenario(default["base"], **disruption)
    return prepare(scenario, calibration=default["calibration"])
