"""The max-flow kernel against NetworkX, and region cuts on the default dataset."""

from __future__ import annotations

from typing import Any

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stress_cases import loaded

from corridor.resilience.maxflow import max_flow, region_cut


@st.composite
def graphs(draw: st.DrawFn) -> tuple[int, list[tuple[int, int, int]]]:
    n = draw(st.integers(2, 9))
    arcs = draw(
        st.lists(
            st.tuples(st.integers(0, n - 1), st.integers(0, n - 1), st.integers(0, 20)),
            max_size=30,
        )
    )
    return n, [(a, b, c) for a, b, c in arcs if a != b]


def _arrays(arcs: list[tuple[int, int, int]]) -> tuple[Any, Any, Any]:
    tail = np.array([a for a, _, _ in arcs], dtype=np.int64)
    head = np.array([b for _, b, _ in arcs], dtype=np.int64)
    cap = np.array([c for _, _, c in arcs], dtype=np.float64)
    return tail, head, cap


@settings(max_examples=200, deadline=None)
@given(graphs())
def test_max_flow_equals_networkx_and_its_min_cut(case: tuple[int, list[Any]]) -> None:
    n, arcs = case
    tail, head, cap = _arrays(arcs)
    r = max_flow(n, tail, head, cap, 0, n - 1)
    g = nx.DiGraph()
    g.add_nodes_from(range(n))
    for a, b, c in arcs:  # parallel arcs add up in NetworkX's simple digraph
        g.add_edge(a, b, capacity=g.get_edge_data(a, b, {"capacity": 0})["capacity"] + c)
    assert r.value == pytest.approx(nx.maximum_flow_value(g, 0, n - 1))
    # max-flow = min-cut: the cut's capacities add up to the value
    assert cap[r.cut_arcs(tail, head)].sum() == pytest.approx(r.value)
    assert r.source_side[0] and not r.source_side[n - 1]
    # a feasible flow: within capacity, conserved at every inner vertex
    assert (r.flow >= -1e-9).all() and (r.flow <= cap + 1e-9).all()
    net = np.bincount(head, r.flow, minlength=n) - np.bincount(tail, r.flow, minlength=n)
    assert np.allclose(net[1:-1], 0.0)
    assert net[n - 1] == pytest.approx(r.value)


def test_unlimited_path_gives_infinite_flow_and_no_cut() -> None:
    tail, head = np.array([0, 1, 0]), np.array([1, 2, 2])
    r = max_flow(3, tail, head, np.array([np.inf, np.inf, 4.0]), 0, 2)
    assert r.value == np.inf
    assert r.source_side[2]


def test_a_control_with_a_wrong_capacity_is_rejected() -> None:
    # the oracle is not vacuous: doubling one capacity changes the answer
    tail, head = np.array([0, 1]), np.array([1, 2])
    assert max_flow(3, tail, head, np.array([5.0, 3.0]), 0, 2).value == 3.0
    assert max_flow(3, tail, head, np.array([5.0, 6.0]), 0, 2).value == 5.0


def test_closing_every_route_gives_zero_and_says_so(default: dict[str, Any]) -> None:
    # no Russia, Belarus or open sea: nothing reaches Japan or Korea from Central Asia
    after = loaded(default, close=("RU", "BY", "XX"))
    cut = region_cut(after, "central_asia", "japan_korea", "crude_oil")
    assert cut.capacity == 0.0
    assert cut.cut == ()
    assert "no open route" in cut.message


def test_russia_closed_crude_cut_is_the_caspian_tankers(default: dict[str, Any]) -> None:
    after = loaded(default, close=("RU", "BY"))
    cut = region_cut(after, "central_asia", "europe", "crude_oil")
    assert "s_kmtf_tankers_aktau_sangachal" in cut.cut
    # the cut's capacities in tonnes add up to the max-flow
    caps = after.capacities
    cut_t = [caps.capacity_t[caps.key.index(k)] for k in cut.cut_keys]
    cut_teu = [caps.capacity_teu[caps.key.index(k)] * 25.0 for k in cut.cut_keys]
    assert sum(min(a, b) for a, b in zip(cut_t, cut_teu, strict=True)) == pytest.approx(
        cut.capacity
    )
    # the tankers' tonnes a year are below the Kazakh crude that went through Russia
    assert cut.capacity < 55_600_000


def test_terminals_share_one_capacity(default: dict[str, Any]) -> None:
    # a shared element appears once in a cut, with its capacity counted once
    after = loaded(default, close=("RU", "BY", "XX"))
    cut = region_cut(after, "central_asia", "europe", "containers")
    assert any(k[0] == "terminals" for k in cut.cut_keys)
    assert len(cut.cut_keys) == len(set(cut.cut_keys))
    caps = after.capacities
    total = sum(caps.capacity_teu[caps.key.index(k)] for k in cut.cut_keys)
    assert total == pytest.approx(cut.capacity)
