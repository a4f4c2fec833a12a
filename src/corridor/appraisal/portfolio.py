"""The best set of measures under a budget: a MILP on HiGHS, checked by the model.

The MILP maximises a prediction of the NPV of a set subject to the total budget
(sum of capex), optional per-country budgets, per-lender budgets (a measure
whose funders all have a budget is financed by continuous shares among them,
``Σ_L f_jL = cost_j x_j``, ``Σ_j f_jL <= budget_L``; one with a funder without
a budget is not limited by them), dependencies (``a`` requires ``b``:
``x_a <= x_b``) and exclusions (``x_a + x_b <= 1``). The prediction starts as
the sum of the measures' own NPVs; measures on the same bottleneck are worth
less together, so the chosen set is evaluated together with the model and,
when the two differ, interaction terms are added and the MILP solved again:

1. for every pair of the chosen set that may interact (``interacts``, e.g.
   measures whose benefits touch the same shipper segments) and whose pair
   value is not yet known, the pair is evaluated and its interaction
   ``NPV(a, b) − NPV(a) − NPV(b)`` becomes a term ``y_ab = x_a x_b``
   (linearised: ``y <= x_a``, ``y <= x_b``, ``y >= x_a + x_b − 1``);
2. what the pairs leave unexplained becomes a term on the whole set
   (``z_S = Π x_i``, the same linearisation), so the prediction of every
   evaluated set is its evaluated NPV (and its supersets carry it as a
   higher-order interaction).

When the MILP's best prediction is no better than the best set evaluated so
far (whose prediction and evaluation then agree), the best set with one
measure more or one fewer is evaluated (pairwise terms under-predict larger
sets when returns diminish beyond pairs, as on one bottleneck relieved three
times); the loop stops when none of them is better. With interactions that
are pairwise the prediction of every set not yet evaluated is exact or an
upper bound and the returned set is optimal; beyond pairs it is the best set
found, checked against exhaustive enumeration in the tests.
``max_iterations`` bounds the loop; the best evaluated set is returned.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from itertools import combinations

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
    funders: tuple[str, ...] = ()


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


def new_highs() -> highspy.Highs:
    with _quiet_stdout():
        h = highspy.Highs()  # type: ignore[no-untyped-call]
    h.setOptionValue("output_flag", False)
    return h


@dataclass
class _Terms:
    """Interaction terms of the prediction: a coefficient on the product of a set's x."""

    coef: dict[frozenset[str], float]

    def predict(self, own: Mapping[str, float], chosen: frozenset[str]) -> float:
        return sum(own[i] for i in chosen) + sum(v for s, v in self.coef.items() if s <= chosen)


def _solve(
    cands: Sequence[Candidate],
    budget: float,
    country_budgets: Mapping[str, float],
    requires: Sequence[tuple[str, str]],
    excludes: Sequence[tuple[str, str]],
    terms: _Terms,
    lender_budgets: Mapping[str, float],
) -> tuple[frozenset[str], float] | None:
    n = len(cands)
    idx = {c.id: i for i, c in enumerate(cands)}
    products = [(s, v) for s, v in terms.coef.items() if v != 0]
    m = n + len(products)
    # financing: a measure all of whose funders have a budget is paid by them
    # (continuous shares f_jL, sum_L f_jL = cost_j x_j, sum_j f_jL <= budget_L)
    shares = [
        (j, lender)
        for j, c in enumerate(cands)
        if c.funders and all(f in lender_budgets for f in c.funders)
        for lender in c.funders
    ]
    h = new_highs()
    h.setOptionValue("mip_rel_gap", 0.0)
    cols = np.arange(m, dtype=np.int32)
    h.addVars(m, np.zeros(m), np.ones(m))
    h.changeColsIntegrality(m, cols, np.array([highspy.HighsVarType.kInteger] * m))
    cost = [c.npv_usd for c in cands] + [v for _, v in products]
    h.changeColsCost(m, cols, np.array(cost, dtype=np.float64))
    inf = highspy.kHighsInf
    if shares:
        h.addVars(len(shares), np.zeros(len(shares)), np.full(len(shares), inf))

    def row(lower: float, upper: float, items: Sequence[tuple[int, float]]) -> None:
        if items:
            i = np.array([k for k, _ in items], dtype=np.int32)
            v = np.array([x for _, x in items], dtype=np.float64)
            h.addRow(lower, upper, len(items), i, v)

    row(-inf, budget, [(i, c.cost_usd) for i, c in enumerate(cands)])
    for country, limit in country_budgets.items():
        row(-inf, limit, [(i, c.cost_usd) for i, c in enumerate(cands) if c.country == country])
    for a, b in requires:
        row(-inf, 0.0, [(idx[a], 1.0), (idx[b], -1.0)])
    for a, b in excludes:
        row(-inf, 1.0, [(idx[a], 1.0), (idx[b], 1.0)])
    for j in sorted({j for j, _ in shares}):
        row(
            0.0,
            0.0,
            [(j, -cands[j].cost_usd), *((m + k, 1.0) for k, (i, _) in enumerate(shares) if i == j)],
        )
    for lender, limit in lender_budgets.items():
        row(-inf, limit, [(m + k, 1.0) for k, (_, f) in enumerate(shares) if f == lender])
    for k, (members, _) in enumerate(products):
        z = n + k
        for i in members:  # z <= x_i
            row(-inf, 0.0, [(z, 1.0), (idx[i], -1.0)])
        # z >= sum x_i - (|S| - 1)
        row(1.0 - len(members), inf, [(z, 1.0), *((idx[i], -1.0) for i in members)])
    h.changeObjectiveSense(highspy.ObjSense.kMaximize)
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    x = h.getSolution().col_value
    chosen = frozenset(c.id for c, v in zip(cands, x[:n], strict=True) if v > 0.5)
    own = {c.id: c.npv_usd for c in cands}
    return chosen, terms.predict(own, chosen)


def choose(
    candidates: Sequence[Candidate],
    budget_usd: float,
    evaluate: Callable[[frozenset[str]], float],
    *,
    country_budgets: Mapping[str, float] | None = None,
    lender_budgets: Mapping[str, float] | None = None,
    requires: Sequence[tuple[str, str]] = (),
    excludes: Sequence[tuple[str, str]] = (),
    interacts: Callable[[str, str], bool] | None = None,
    max_iterations: int = 50,
    tolerance_usd: float = 1.0,
    batch: Callable[[Sequence[frozenset[str]]], None] | None = None,
) -> Portfolio:
    """Choose measures under a budget maximising NPV evaluated together (module docs).

    ``evaluate`` returns the NPV of a set built together (0 for the empty set);
    ``interacts(a, b)`` says whether a pair may interact (default: every pair);
    ``batch(sets)``, when given, is told the sets about to be evaluated one
    after the other (the pairs of a chosen set, the neighbours of the best), so
    their model runs can go in parallel.
    Only candidates with a positive NPV of their own can raise the prediction,
    so the others are left out (unless another needs them).

    Examples
    --------
    >>> cands = [Candidate("a", 5, 10), Candidate("b", 5, 8), Candidate("c", 8, 12)]
    >>> def together(s):  # a and b relieve the same bottleneck
    ...     v = sum({"a": 10, "b": 8, "c": 12}[i] for i in s)
    ...     return v - 7 if {"a", "b"} <= s else v
    >>> choose(cands, 13, together).ids
    ('a', 'c')
    """
    steps = search(
        candidates,
        budget_usd,
        evaluate,
        country_budgets=country_budgets,
        lender_budgets=lender_budgets,
        requires=requires,
        excludes=excludes,
        interacts=interacts,
        max_iterations=max_iterations,
        tolerance_usd=tolerance_usd,
    )

    def each(wanted: Mapping[int, Sequence[frozenset[str]]]) -> None:
        if batch is not None:
            batch(wanted[0])

    return side_by_side([steps], each)[0]


#: A search in steps: it yields the sets it is about to evaluate and returns its portfolio.
Search = Generator[list[frozenset[str]], None, Portfolio]


def side_by_side(
    searches: Sequence[Search], batch: Callable[[Mapping[int, Sequence[frozenset[str]]]], None]
) -> list[Portfolio]:
    """Run several searches in lockstep and return their portfolios, in order.

    Each round, the sets every unfinished search is about to evaluate go to
    ``batch`` in one call (by the search's index), so the model runs of
    independent searches (one per scenario) share one batch of worker processes;
    then each search goes on. The searches do not see each other: each returns
    what it would alone.
    """
    done: dict[int, Portfolio] = {}
    wanted: dict[int, list[frozenset[str]]] = {}

    def step(i: int) -> None:
        try:
            wanted[i] = next(searches[i])
        except StopIteration as end:
            wanted.pop(i, None)
            done[i] = end.value

    for i in range(len(searches)):
        step(i)
    while wanted:
        batch(dict(wanted))
        for i in sorted(wanted):
            step(i)
    return [done[i] for i in range(len(searches))]


def search(
    candidates: Sequence[Candidate],
    budget_usd: float,
    evaluate: Callable[[frozenset[str]], float],
    *,
    country_budgets: Mapping[str, float] | None = None,
    lender_budgets: Mapping[str, float] | None = None,
    requires: Sequence[tuple[str, str]] = (),
    excludes: Sequence[tuple[str, str]] = (),
    interacts: Callable[[str, str], bool] | None = None,
    max_iterations: int = 50,
    tolerance_usd: float = 1.0,
) -> Search:
    """:func:`choose` in steps: before evaluating sets whose value is not known yet,
    it yields them (so their model runs can be done first, in one batch)."""
    listed = {c.id for c in candidates}
    for a, b in (*requires, *excludes):
        if a not in listed or b not in listed:
            raise CorridorError(f"unknown measure in the pair ({a}, {b})")
    needed = {b for _, b in requires}
    cands = [c for c in candidates if c.npv_usd > 0 or c.id in needed]
    keep = {c.id for c in cands}
    requires = [(a, b) for a, b in requires if a in keep]
    excludes = [(a, b) for a, b in excludes if a in keep and b in keep]
    cost = {c.id: c.cost_usd for c in cands}
    own = {c.id: c.npv_usd for c in cands}
    values: dict[frozenset[str], float] = {frozenset(): 0.0}

    def value(s: frozenset[str]) -> float:
        if s not in values:
            values[s] = evaluate(s) if s else 0.0
        return values[s]

    terms = _Terms({})
    best: tuple[frozenset[str], float, float] = (frozenset(), 0.0, 0.0)
    budgets = country_budgets or {}
    lenders = lender_budgets or {}

    def feasible(s: frozenset[str]) -> bool:
        if any(a in s and b not in s for a, b in requires) or any(
            a in s and b in s for a, b in excludes
        ):
            return False
        # the budgets: can the MILP take every member of s at once?
        members = [replace(c, npv_usd=1.0) for c in cands if c.id in s]
        found = _solve(members, budget_usd, budgets, (), (), _Terms({}), lenders)
        return found is not None and found[0] == s

    def learn(s: frozenset[str]) -> None:
        rest = value(s) - terms.predict(own, s)
        if abs(rest) > tolerance_usd:
            terms.coef[s] = terms.coef.get(s, 0.0) + rest

    for it in range(1, max_iterations + 1):
        found = _solve(cands, budget_usd, budgets, requires, excludes, terms, lenders)
        if found is None or found[1] <= best[1] + tolerance_usd:
            # the prediction of larger sets can fall short of their value (diminishing
            # returns beyond pairs): try the best set with one measure more or less
            nxt = [best[0] | {c.id} for c in cands if c.id not in best[0]]
            nxt += [best[0] - {i} for i in best[0]]
            ok = [t for t in nxt if feasible(t)]
            if any(t not in values for t in ok):
                yield [t for t in ok if t not in values]
            better = [t for t in ok if value(t) > best[1] + tolerance_usd]
            for t in nxt:
                if t in values:
                    learn(t)
            if not better:
                return _result(best, cost, it, converged=True)
            top = max(better, key=lambda t: values[t])
            best = (top, values[top], terms.predict(own, top))
            continue
        chosen, predicted = found
        if chosen not in values:
            yield [chosen]
        v = value(chosen)
        if v > best[1]:
            best = (chosen, v, predicted)
        new_pairs = [
            frozenset(p)
            for p in combinations(sorted(chosen), 2)
            if frozenset(p) not in terms.coef and (interacts is None or interacts(*p))
        ]
        if len(chosen) > 2:
            if any(p not in values for p in new_pairs):
                yield [p for p in new_pairs if p not in values]
            for p in new_pairs:
                terms.coef[p] = value(p) - sum(own[i] for i in p)
        learn(chosen)
        if best[0] == chosen:
            best = (chosen, v, terms.predict(own, chosen))
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
