"""Evaluate measures and sets of measures with the model: re-prepare, value, discount.

A set is evaluated together, never summed: in year ``t`` its benefit is that of
the measures open by then, prepared as one scenario (relieving one bottleneck
moves the queue to the next). Every run uses one calibration of the base, and
the loaded networks are kept per set of open measures, so a set costs one
``prepare`` per distinct opening year not seen before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from corridor.appraisal.benefits import Benefits, annual_benefits
from corridor.appraisal.economics import CostStream, Parameters, Result, cost_stream, evaluate
from corridor.appraisal.measures import Measure, catalogue
from corridor.errors import UnknownIdError
from corridor.loaded.calibration import calibrate
from corridor.loaded.network import LoadedNetwork
from corridor.loaded.prepare import prepare
from corridor.model.scenario import Scenario


@dataclass(frozen=True)
class Appraisal:
    """A measure's (or set's) yearly benefits once open, and its economics."""

    ids: tuple[str, ...]
    benefits: Benefits
    result: Result
    capex_usd: float


class Evaluator:
    """Model runs of one base scenario, kept per set of open measures.

    Parameters
    ----------
    base
        The scenario without any measure (its changes stay in every run).
    params
        Economic parameters.
    progress
        Called with the number of model runs so far after each run.
    """

    def __init__(
        self,
        base: Scenario,
        params: Parameters | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        self.base = base
        self.params = params or Parameters()
        self.progress = progress
        self.measures = {m.id: m for m in catalogue(base.base)}
        self.calibration = calibrate(base.base)
        self._loaded: dict[frozenset[str], LoadedNetwork] = {}
        self._benefits: dict[frozenset[str], Benefits] = {}
        self.runs = 0

    def measure(self, mid: str) -> Measure:
        """A measure of the catalogue by id."""
        if mid not in self.measures:
            raise UnknownIdError(f"unknown measure '{mid}'")
        return self.measures[mid]

    def loaded(self, ids: Iterable[str]) -> LoadedNetwork:
        """The base scenario with the measures ``ids`` applied, prepared."""
        key = frozenset(ids)
        if key not in self._loaded:
            changes = tuple(c for m in self.measures.values() if m.id in key for c in m.changes())
            for mid in key:
                self.measure(mid)
            scen = self.base.with_changes(*changes, name="+".join(sorted(key)) or self.base.name)
            self._loaded[key] = prepare(scen, calibration=self.calibration)
            self.runs += 1
            if self.progress is not None:
                self.progress(self.runs)
        return self._loaded[key]

    def benefits(self, ids: Iterable[str]) -> Benefits:
        """Yearly benefits of the measures ``ids`` together, against the base scenario."""
        key = frozenset(ids)
        if key not in self._benefits:
            self._benefits[key] = (
                Benefits() if not key else annual_benefits(self.loaded(()), self.loaded(key))
            )
        return self._benefits[key]

    def costs(self, ids: Iterable[str]) -> CostStream:
        """The summed cost streams of the measures ``ids``."""
        h = self.params.horizon_years
        capex, opex, residual = np.zeros(h), np.zeros(h), np.zeros(h)
        opening = h
        for mid in ids:
            m = self.measure(mid)
            s = cost_stream(
                m.capex_usd, m.opex_usd_per_year, m.lifetime_years, m.build_years, self.params
            )
            capex += s.capex
            opex += s.opex
            residual += s.residual
            opening = min(opening, s.opening_year)
        return CostStream(capex, opex, residual, opening)

    def appraise(self, ids: Iterable[str]) -> Appraisal:
        """Benefits and economics of the measures ``ids`` built together (module docs)."""
        key = tuple(sorted(set(ids)))
        h = self.params.horizon_years
        costs = self.costs(key)
        opening = {
            mid: cost_stream(0.0, 0.0, 1.0, self.measure(mid).build_years, self.params).opening_year
            for mid in key
        }
        yearly = np.zeros(h)
        for t in range(h):
            open_now = frozenset(mid for mid in key if opening[mid] <= t)
            if open_now:
                yearly[t] = self.benefits(open_now).total_usd
        result = evaluate(yearly, costs, self.params)
        capex = sum(self.measure(mid).capex_usd for mid in key)
        return Appraisal(key, self.benefits(key), result, capex)
