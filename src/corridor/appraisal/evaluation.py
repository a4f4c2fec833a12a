"""Evaluate measures and sets of measures with the model: re-prepare, value, discount.

A set is evaluated together, never summed: in year ``t`` its benefit is that of
the measures open by then, prepared as one scenario (relieving one bottleneck
moves the queue to the next), at the demand of that year: the loaded network
is prepared at each growth anchor's demand (:meth:`Parameters.growth_factor`)
and the yearly benefit interpolated between anchors, so a future project is
appraised against the demand of its opening years, not of the dataset year.
Every run uses one calibration of the base, and the loaded networks are kept
per set of open measures and demand, so a set costs one ``prepare`` per anchor
and distinct opening year not seen before.

The run without any measure is prepared from nothing; every run with measures
starts from its routes (:mod:`corridor.loaded.warm`) and sweeps to its own
fixed point, so the difference between the two is what the measures move, not
where two independent loadings happened to settle: a measure that changes
nothing has a benefit of exactly zero, and the benefits of small measures at
high load are not lost in the fixed point's tolerance.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from corridor.appraisal.benefits import Benefits, annual_benefits
from corridor.appraisal.economics import (
    CostStream,
    FloatArray,
    Parameters,
    Result,
    cost_stream,
    evaluate,
    opening_year,
)
from corridor.appraisal.measures import Measure, catalogue
from corridor.appraisal.reliability import co2_benefit, reliability_benefit
from corridor.appraisal.runner import Job, Runner, RunProgress, batch_phase
from corridor.errors import UnknownIdError
from corridor.loaded.calibration import Calibration, calibrate
from corridor.loaded.network import LoadedNetwork
from corridor.loaded.warm import Start
from corridor.model.scenario import Scenario


@dataclass(frozen=True)
class Appraisal:
    """A measure's (or set's) yearly benefits once open, and its economics."""

    ids: tuple[str, ...]
    benefits: Benefits
    result: Result
    capex_usd: float


def _with_extras(b: Benefits, reliability: float, co2: float) -> Benefits:
    """Add reliability (to shippers) and CO₂ (to society) to a benefit, split over
    countries in proportion to the shippers' split (its size, whatever its sign)."""
    groups = dict(b.by_group)
    groups["shippers"] = groups.get("shippers", 0.0) + reliability
    groups["society"] = co2
    by_country = dict(b.by_country)
    weights = {c: abs(v) for c, v in by_country.items()}
    norm = sum(weights.values())
    extra = reliability + co2
    if extra and norm > 0:
        for c, w in weights.items():
            by_country[c] += extra * w / norm
    elif extra:
        by_country["XX"] = by_country.get("XX", 0.0) + extra
    return replace(
        b, reliability_usd=reliability, co2_usd=co2, by_group=groups, by_country=by_country
    )


class Evaluator:
    """Model runs of one base scenario, kept per set of open measures.

    Parameters
    ----------
    base
        The scenario without any measure (its changes stay in every run).
    params
        Economic parameters.
    progress
        Called after each model run with where the runs are
        (:class:`~corridor.appraisal.runner.RunProgress`: the phase, the runs done
        of its batch's total, the runs so far).
    calibration
        The base year's calibration (computed from ``base.base`` when not given;
        pass it to share one between scenarios of the same base).
    runner
        Where batches of model runs go (:meth:`prefetch`); default: this process.
    runs_of
        The loaded networks already prepared for this base scenario, by (set of
        measures, growth): evaluators of the same scenario and calibration may
        share one (it is filled in place).
    """

    def __init__(
        self,
        base: Scenario,
        params: Parameters | None = None,
        progress: Callable[[RunProgress], None] | None = None,
        calibration: Calibration | None = None,
        runner: Runner | None = None,
        runs_of: dict[tuple[frozenset[str], float], LoadedNetwork] | None = None,
    ) -> None:
        self.base = base
        self.params = params or Parameters()
        self.progress = progress
        self.runner = runner or Runner(1)
        self.measures = {m.id: m for m in catalogue(base.base)}
        self.calibration = calibration if calibration is not None else calibrate(base.base)
        self._loaded = runs_of if runs_of is not None else {}
        self._benefits: dict[tuple[frozenset[str], float], Benefits] = {}
        self._starts: dict[float, tuple[LoadedNetwork, Start]] = {}
        self._runs = [0]  # shared with the evaluators of with_params

    @property
    def runs(self) -> int:
        """Model runs done by this evaluator and those of :meth:`with_params`."""
        return self._runs[0]

    def with_params(self, params: Parameters) -> Evaluator:
        """An evaluator of the same scenario with other parameters; it shares the
        loaded networks already prepared (they depend on the demand only) and the
        count of runs."""
        other = copy.copy(self)
        other.params = params
        other._benefits = {}
        return other

    def measure(self, mid: str) -> Measure:
        """A measure of the catalogue by id."""
        if mid not in self.measures:
            raise UnknownIdError(f"unknown measure '{mid}'")
        return self.measures[mid]

    def _job(self, ids: frozenset[str], growth: float) -> Job:
        """The run of ``ids`` at ``growth``: from nothing without measures, else from
        the routes of the run without them (which must be done already)."""
        for mid in ids:
            self.measure(mid)
        changes = tuple(c for m in self.measures.values() if m.id in ids for c in m.changes())
        scen = self.base.with_changes(*changes, name="+".join(sorted(ids)) or self.base.name)
        return Job(scen, growth, self.calibration, self._start(growth) if ids else None)

    def _start(self, growth: float) -> Start:
        """The routes of the run without measures at ``growth``."""
        without = self._loaded[(frozenset(), growth)]
        kept = self._starts.get(growth)
        if kept is None or kept[0] is not without:
            kept = self._starts[growth] = (without, Start.of(without))
        return kept[1]

    def _keep(
        self,
        key: tuple[frozenset[str], float],
        loaded: LoadedNetwork,
        batch: tuple[str, int, int] = ("one more run", 1, 1),
    ) -> None:
        """Keep a run; ``batch`` is (phase, runs done of the batch, its total)."""
        self._loaded[key] = loaded
        self._runs[0] += 1
        if self.progress is not None:
            self.progress(RunProgress(*batch, runs=self.runs))

    def loaded(self, ids: Iterable[str], growth: float = 1.0) -> LoadedNetwork:
        """The base scenario with the measures ``ids`` applied, prepared at ``growth``
        times the dataset year's demand."""
        key = (frozenset(ids), float(growth))
        if key not in self._loaded:
            self.run_keys([key])
        return self._loaded[key]

    def needed(self, ids: Iterable[str]) -> list[tuple[frozenset[str], float]]:
        """The model runs :meth:`yearly_benefits` of ``ids`` reads: the sets open in
        some year and the base, at each growth anchor."""
        key = frozenset(ids)
        p = self.params
        opening = {mid: opening_year(self.measure(mid).build_years, p) for mid in key}
        sets = {frozenset(m for m in key if opening[m] <= t) for t in range(p.horizon_years)}
        sets.add(frozenset())
        return [(s, p.growth_factor(a)) for s in sorted(sets, key=sorted) for a in p.anchors()]

    def missing(self, sets: Iterable[Iterable[str]]) -> list[tuple[frozenset[str], float]]:
        """The runs the benefits of ``sets`` need that are not done yet (no repeats)."""
        out: dict[tuple[frozenset[str], float], None] = {}
        for ids in sets:
            for key in self.needed(ids):
                if key not in self._loaded:
                    out[key] = None
        return list(out)

    def prefetch(self, sets: Iterable[Iterable[str]]) -> None:
        """Do the runs the benefits of ``sets`` need, as one batch (in parallel when the
        runner has workers)."""
        prefetch([(self, sets)])

    def run_keys(self, keys: Iterable[tuple[frozenset[str], float]]) -> None:
        """Do the runs ``keys`` (set of measures, growth) not done yet, as one batch."""
        run_keys([(self, keys)])

    def benefits(self, ids: Iterable[str], growth: float = 1.0) -> Benefits:
        """Yearly benefits of the measures ``ids`` together, against the base scenario,
        at ``growth`` times the dataset year's demand."""
        key = (frozenset(ids), float(growth))
        if key not in self._benefits:
            if not key[0]:
                self._benefits[key] = Benefits()
            else:
                p = self.params
                without, with_ = self.loaded((), growth), self.loaded(key[0], growth)
                b = annual_benefits(without, with_, elasticity=p.demand_elasticity)
                rel = reliability_benefit(without, with_, ratio=p.reliability_ratio)
                co2 = co2_benefit(without, with_, price_usd_per_t=p.carbon_price_usd_per_t)
                self._benefits[key] = _with_extras(b, rel, co2)
        return self._benefits[key]

    def noise(self, ids: Iterable[str], growth: float = 1.0) -> float:
        """What the two runs behind :meth:`benefits` leave unresolved, in USD a year:
        the sum of their relative gaps times the generalised cost of the run
        without the measures (flow that could still gain by moving, in either).
        A benefit smaller than this is within the fixed points' tolerance."""
        key = frozenset(ids)
        if not key:
            return 0.0
        without, with_ = self.loaded((), growth), self.loaded(key, growth)
        return (without.relative_gap + with_.relative_gap) * without.generalised_cost_usd

    def yearly_benefits(self, ids: Iterable[str]) -> FloatArray:
        """Benefit in each year of the horizon of the measures ``ids`` built together
        (module docs): those open in year ``t``, at that year's demand."""
        key = tuple(sorted(set(ids)))
        p = self.params
        h = p.horizon_years
        opening = {mid: opening_year(self.measure(mid).build_years, p) for mid in key}
        anchors = p.anchors()
        yearly = np.zeros(h)
        for t in range(h):
            open_now = frozenset(mid for mid in key if opening[mid] <= t)
            if not open_now:
                continue
            values = [self.benefits(open_now, p.growth_factor(a)).total_usd for a in anchors]
            yearly[t] = float(np.interp(t, anchors, values))
        return yearly

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
        """Benefits and economics of the measures ``ids`` built together (module docs).

        ``Appraisal.benefits`` is the yearly benefit of the whole set at the first
        anchor's demand (its split by group and country)."""
        key = tuple(sorted(set(ids)))
        result = evaluate(self.yearly_benefits(key), self.costs(key), self.params)
        capex = sum(self.measure(mid).capex_usd for mid in key)
        first = self.params.growth_factor(self.params.anchors()[0])
        return Appraisal(key, self.benefits(key, first), result, capex)


def prefetch(batches: Sequence[tuple[Evaluator, Iterable[Iterable[str]]]]) -> None:
    """Do the runs that the benefits of each evaluator's sets need, all as one batch on
    the first evaluator's runner (evaluators of several scenarios share it)."""
    run_keys([(ev, ev.missing(sets)) for ev, sets in batches])


def run_keys(batches: Sequence[tuple[Evaluator, Iterable[tuple[frozenset[str], float]]]]) -> None:
    """Do each evaluator's runs ``(set of measures, growth)`` not done yet, as one batch
    on the first evaluator's runner (after a batch of the runs without measures
    they start from, where those are not done yet)."""
    todo: dict[tuple[int, frozenset[str], float], Evaluator] = {}
    for ev, keys in batches:
        for ids, growth in keys:
            key = (frozenset(ids), float(growth))
            if key not in ev._loaded:
                todo[(id(ev._loaded), *key)] = ev
    without: dict[tuple[int, frozenset[str], float], Evaluator] = {
        (place, frozenset(), growth): ev
        for (place, ids, growth), ev in todo.items()
        if (frozenset(), growth) not in ev._loaded
    }
    if without:
        _run_batch(without)
        for place_key in without:
            todo.pop(place_key, None)
    _run_batch(todo)


def _run_batch(todo: dict[tuple[int, frozenset[str], float], Evaluator]) -> None:
    """Run the keys of ``todo`` (their evaluators' runs) as one batch."""
    if not todo:
        return
    items = list(todo.items())
    jobs = [ev._job(ids, growth) for (_, ids, growth), ev in items]
    phase = batch_phase([ids for _, ids, _ in todo], len({ev.base.name for ev in todo.values()}))
    finished = [0]

    def done(i: int, loaded: LoadedNetwork) -> None:
        (_, ids, growth), ev = items[i]
        finished[0] += 1
        ev._keep((ids, growth), loaded, (phase, finished[0], len(items)))

    items[0][1].runner.run(jobs, done)
