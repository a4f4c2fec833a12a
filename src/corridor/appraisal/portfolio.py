"""The best set of measures under a budget: a MILP on HiGHS, checked by the model.

The MILP maximises the sum of the measures' own NPVs subject to the total budget
(sum of capex), optional per-country budgets, dependencies (``a`` requires ``b``:
``x_a <= x_b``) and exclusions (``x_a + x_b <= 1``). The sum is only a prediction:
measures on the same bottleneck are worth less together. So the chosen set is
evaluated together with the model; if its evaluated NPV differs from the
prediction, a no-good cut removes exactly that set and the MILP is solved again.
The loop stops when the prediction of the next solution is no better than the
best set evaluated so far (with sub-additive interactions the prediction is an
upper bound, so that set is optimal), or when the predicted and evaluated NPV of
a solution agree, or after ``max_iterations``; the best evaluated set is returned.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import highspy
import numpy as np

from corridor.errors import CorridorError


@dataclass(frozen=True)
class Candidate:
    """A measure as the MILP sees it: its cost against the budget and its own NPV."""

    id: str
    cost_usd: float
    npv_usd: float
    country: str = "XX"


@dataclass(frozen=True)
class Portfolio:
    """The chosen set, its evaluated NPV and how the search went."""

    ids: tuple[str, ...]
    cost_usd: float
    npv_usd: float
    predicted_npv_usd: float
    iterations: int
    converged: bool


@contextmanager
def _quiet_stdout() -> Iterator[None]:
    """Silence HiGHS's banner, which its constructor writes to the C stdout (it would
    break ``--json``)."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def _new_highs() -> highspy.Highs:
    with _quiet_stdout():
        h = highspy.Highs()  # type: ignore[no-untyped-call]
    h.setOptionValue("output_flag", False)
    return h


def _solve(
    cands: Sequence[Candidate],
    budget: float,
    country_budgets: Mapping[str, float],
    requires: Sequence[tuple[str, str]],
    excludes: Sequence[tuple[str, str]],
    cuts: Sequence[frozenset[str]],
) -> tuple[frozenset[str], float] | None:
    n = len(cands)
    idx = {c.id: i for i, c in enumerate(cands)}
    h = _new_highs()
    h.setOptionValue("mip_rel_gap", 0.0)
    cols = np.arange(n, dtype=np.int32)
    h.addVars(n, np.zeros(n), np.ones(n))
    h.changeColsIntegrality(n, cols, np.array([highspy.HighsVarType.kInteger] * n))
    h.changeColsCost(n, cols, np.array([c.npv_usd for c in cands], dtype=np.float64))
    inf = highspy.kHighsInf

    def row(upper: float, items: Sequence[tuple[int, float]]) -> None:
        if items:
            i = np.array([k for k, _ in items], dtype=np.int32)
            v = np.array([x for _, x in items], dtype=np.float64)
            h.addRow(-inf, upper, len(items), i, v)

    row(budget, [(i, c.cost_usd) for i, c in enumerate(cands)])
    for country, limit in country_budgets.items():
        row(limit, [(i, c.cost_usd) for i, c in enumerate(cands) if c.country == country])
    for a, b in requires:
        row(0.0, [(idx[a], 1.0), (idx[b], -1.0)])
    for a, b in excludes:
        row(1.0, [(idx[a], 1.0), (idx[b], 1.0)])
    for cut in cuts:
        row(len(cut) - 1.0, [(i, 1.0 if c.id in cut else -1.0) for i, c in enumerate(cands)])
    h.changeObjectiveSense(highspy.ObjSense.kMaximize)
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    x = h.getSolution().col_value
    chosen = frozenset(c.id for c, v in zip(cands, x, strict=True) if v > 0.5)
    return chosen, sum(c.npv_usd for c in cands if c.id in chosen)


def choose(
    candidates: Sequence[Candidate],
    budget_usd: float,
    evaluate: Callable[[frozenset[str]], float],
    *,
    country_budgets: Mapping[str, float] | None = None,
    requires: Sequence[tuple[str, str]] = (),
    excludes: Sequence[tuple[str, str]] = (),
    max_iterations: int = 20,
    tolerance_usd: float = 1.0,
) -> Portfolio:
    """Choose measures under a budget maximising NPV evaluated together (module docs).

    ``evaluate`` returns the NPV of a set built together (0 for the empty set).
    Only candidates with a positive NPV of their own can raise the prediction,
    so the others are left out.

    Examples
    --------
    >>> cands = [Candidate("a", 5, 10), Candidate("b", 5, 8), Candidate("c", 8, 12)]
    >>> def together(s):  # a and b relieve the same bottleneck
    ...     v = sum({"a": 10, "b": 8, "c": 12}[i] for i in s)
    ...     return v - 7 if {"a", "b"} <= s else v
    >>> choose(cands, 13, together).ids
    ('a', 'c')
    """
    known = {c.id for c in candidates}
    for a, b in (*requires, *excludes):
        if a not in known or b not in known:
            raise CorridorError(f"unknown measure in the pair ({a}, {b})")
    needed = {b for _, b in requires}
    cands = [c for c in candidates if c.npv_usd > 0 or c.id in needed]
    keep = {c.id for c in cands}
    requires = [(a, b) for a, b in requires if a in keep]
    excludes = [(a, b) for a, b in excludes if a in keep and b in keep]
    cost = {c.id: c.cost_usd for c in cands}
    best: tuple[frozenset[str], float, float] = (frozenset(), 0.0, 0.0)
    cuts: list[frozenset[str]] = []
    for it in range(1, max_iterations + 1):
        found = _solve(cands, budget_usd, country_budgets or {}, requires, excludes, cuts)
        if found is None or found[1] <= best[1] + tolerance_usd:
            return _result(best, cost, it, converged=True)
        chosen, predicted = found
        value = evaluate(chosen) if chosen else 0.0
        if value > best[1]:
            best = (chosen, value, predicted)
        if abs(value - predicted) <= tolerance_usd:
            return _result(best, cost, it, converged=True)
        cuts.append(chosen)
    return _result(best, cost, max_iterations, converged=False)


def _result(
    best: tuple[frozenset[str], float, float], cost: Mapping[str, float], it: int, converged: bool
) -> Portfolio:
    ids, value, predicted = best
    return Portfolio(
        ids=tuple(sorted(ids)),
        cost_usd=sum(cost[i] for i in ids),
        npv_usd=value,
        predicted_npv_usd=predicted,
        iterations=it,
        converged=converged,
    )
