"""The portfolio equals exhaustive enumeration on small catalogues."""

from __future__ import annotations

from collections.abc import Callable
from itertools import combinations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corridor.appraisal.evaluation import Evaluator
from corridor.appraisal.portfolio import Candidate, choose, search, side_by_side
from corridor.model.network import Network
from corridor.model.scenario import Scenario


def brute_force(
    cands: list[Candidate],
    budget: float,
    value: Callable[[frozenset[str]], float],
    requires: list[tuple[str, str]] = [],  # noqa: B006
    excludes: list[tuple[str, str]] = [],  # noqa: B006
) -> float:
    """The best value over every feasible subset (an oracle that shares no code)."""
    best = 0.0
    ids = [c.id for c in cands]
    cost = {c.id: c.cost_usd for c in cands}
    for k in range(1, len(ids) + 1):
        for subset in combinations(ids, k):
            s = frozenset(subset)
            if sum(cost[i] for i in s) > budget:
                continue
            if any(a in s and b not in s for a, b in requires):
                continue
            if any(a in s and b in s for a, b in excludes):
                continue
            best = max(best, value(s))
    return best


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_equals_brute_force_with_interactions(data: st.DataObject) -> None:
    n = data.draw(st.integers(4, 6))
    ids = [f"m{i}" for i in range(n)]
    npvs = data.draw(st.lists(st.integers(-50, 100), min_size=n, max_size=n))
    costs = data.draw(st.lists(st.integers(1, 40), min_size=n, max_size=n))
    # pairs on the same bottleneck lose part of their value together (sub-additive)
    penalty = {(a, b): data.draw(st.integers(0, 60)) for a, b in combinations(ids, 2)}
    pairs = list(combinations(ids, 2))
    excludes = data.draw(st.lists(st.sampled_from(pairs), max_size=2, unique=True))
    requires = data.draw(st.lists(st.sampled_from(pairs), max_size=1, unique=True))
    budget = data.draw(st.integers(0, 120))
    own = dict(zip(ids, npvs, strict=True))

    def value(s: frozenset[str]) -> float:
        return float(
            sum(own[i] for i in s) - sum(p for (a, b), p in penalty.items() if {a, b} <= s)
        )

    cands = [Candidate(i, c, v) for i, c, v in zip(ids, costs, npvs, strict=True)]
    got = choose(
        cands, budget, value, requires=requires, excludes=excludes, max_iterations=200,
        tolerance_usd=1e-9,
    )  # fmt: skip
    assert got.converged
    assert got.cost_usd <= budget
    assert got.npv_usd == pytest.approx(value(frozenset(got.ids)))
    assert got.predicted_npv_usd == pytest.approx(got.npv_usd)  # prediction and model agree
    assert got.npv_usd == pytest.approx(brute_force(cands, budget, value, requires, excludes))


def test_country_budget_binds() -> None:
    cands = [Candidate("a", 5, 10, "KZ"), Candidate("b", 5, 9, "KZ"), Candidate("c", 5, 1, "GE")]

    def value(s: frozenset[str]) -> float:
        return float(sum(c.npv_usd for c in cands if c.id in s))

    assert choose(cands, 15, value, tolerance_usd=1e-9).ids == ("a", "b", "c")
    assert choose(cands, 15, value, country_budgets={"KZ": 6}, tolerance_usd=1e-9).ids == ("a", "c")


def test_equals_brute_force_on_the_model(tiny: Network) -> None:
    ev = Evaluator(Scenario("base", tiny))
    cands = [
        Candidate(m.id, m.capex_usd, ev.appraise([m.id]).result.npv_usd, m.country)
        for m in ev.measures.values()
    ]

    def value(s: frozenset[str]) -> float:
        return ev.appraise(s).result.npv_usd

    for budget in (4e6, 6e6, 1e7, 5e7):
        got = choose(cands, budget, value, max_iterations=50)
        assert got.converged
        assert got.predicted_npv_usd == pytest.approx(got.npv_usd, abs=1.0)
        assert got.npv_usd == pytest.approx(brute_force(cands, budget, value), rel=1e-9)


def test_converges_where_no_good_cuts_alone_ran_out() -> None:
    # ten measures on one bottleneck: each is worth 10 alone, any two together 12,
    # any three or more 13 (relieving it twice adds little). Excluding one set at a
    # time needed an iteration per subset; the interaction terms settle it at once.
    ids = [f"m{i}" for i in range(10)]
    cands = [Candidate(i, 1.0, 10.0) for i in ids]

    def value(s: frozenset[str]) -> float:
        return [0.0, 10.0, 12.0][len(s)] if len(s) < 3 else 13.0 - 0.5 * (len(s) - 3)

    got = choose(cands, 10.0, value, max_iterations=20, tolerance_usd=1e-9)
    assert got.converged and got.iterations < 20
    assert got.npv_usd == pytest.approx(13.0) and len(got.ids) == 3
    assert got.npv_usd == pytest.approx(brute_force(cands, 10.0, value))


def test_lender_budgets_split_the_financing() -> None:
    # a only by ADB, c only by JICA, b by either, d by a government (no budget given)
    cands = [
        Candidate("a", 5, 10, funders=("adb",)),
        Candidate("b", 5, 9, funders=("adb", "jica")),
        Candidate("c", 5, 8, funders=("jica",)),
        Candidate("d", 5, 1, funders=("government",)),
    ]

    def value(s: frozenset[str]) -> float:
        return float(sum(c.npv_usd for c in cands if c.id in s))

    # ADB 5 and JICA 5 finance two of a, b, c: a (ADB) and b (JICA); d needs no lender
    both = choose(cands, 100, value, lender_budgets={"adb": 5, "jica": 5}, tolerance_usd=1e-9)
    assert both.ids == ("a", "b", "d")
    # without ADB money a cannot be built, and JICA pays for one of b and c
    no_adb = choose(cands, 100, value, lender_budgets={"adb": 0, "jica": 5}, tolerance_usd=1e-9)
    assert no_adb.ids == ("b", "d")
    # b can be split between the two lenders: 2.5 + 2.5 leaves room for neither a nor c
    half = choose(cands, 100, value, lender_budgets={"adb": 2.5, "jica": 2.5}, tolerance_usd=1e-9)
    assert half.ids == ("b", "d")


def test_searches_side_by_side_return_what_each_returns_alone() -> None:
    # three measures on one bottleneck in the first future, independent in the second
    ids = ["a", "b", "c", "d"]
    cands = [Candidate(i, 10.0, v) for i, v in zip(ids, (30.0, 25.0, 20.0, 5.0), strict=True)]
    own = {c.id: c.npv_usd for c in cands}

    def crowded(s: frozenset[str]) -> float:
        return sum(own[i] for i in s) - 18.0 * max(len(s & {"a", "b", "c"}) - 1, 0)

    def free(s: frozenset[str]) -> float:
        return sum(own[i] for i in s)

    alone = [choose(cands, 30.0, f, tolerance_usd=1e-9) for f in (crowded, free)]
    rounds: list[dict[int, list[frozenset[str]]]] = []
    together = side_by_side(
        [search(cands, 30.0, f, tolerance_usd=1e-9) for f in (crowded, free)],
        lambda wanted: rounds.append({k: list(v) for k, v in wanted.items()}),
    )
    assert together == alone
    assert together[0].npv_usd == pytest.approx(brute_force(cands, 30.0, crowded))
    assert together[1].ids == ("a", "b", "c")
    # the first round asks both searches' sets in one call
    assert set(rounds[0]) == {0, 1}
