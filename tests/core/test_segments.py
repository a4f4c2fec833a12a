"""Shipper segments: revealed values of time and the equilibrium they give."""

from __future__ import annotations

from collections.abc import Callable
from itertools import islice
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from corridor.assignment.freight import equilibrium, growth_sweep
from corridor.assignment.segments import shipper_segments
from corridor.graph.compiled import compile_network
from corridor.model.network import load_network


def test_revealed_value_makes_the_observed_corridor_the_best_choice(
    tiny_dataset: Callable[..., Path],
) -> None:
    """Checked by enumerating every simple path of the choice set with NetworkX."""
    g = compile_network(load_network(tiny_dataset()))
    segs = {s.corridor: s for s in shipper_segments(g)}
    assert set(segs) == {"middle", "northern"}
    for corridor, via in (("middle", "d"), ("northern", "r")):
        seg = segs[corridor]
        assert seg.revealed and seg.value_of_time >= 3.0  # the commodity's value is the floor
        w = g.cost_usd + seg.value_of_time * g.hours()
        dg = nx.DiGraph()
        src, dst = g.gate("a"), g.gate("f")
        for e in np.flatnonzero(seg.link_mask):
            a, b = int(g.tail[e]), int(g.head[e])
            if a < g.n_gates and a != src:
                continue
            if not dg.has_edge(a, b) or dg[a][b]["weight"] > w[e]:
                dg.add_edge(a, b, weight=float(w[e]))
        best = next(islice(nx.shortest_simple_paths(dg, src, dst, weight="weight"), 1))
        assert g.gate(via) in {int(g.vertex_node[v]) for v in best}


def test_equilibrium_reproduces_observed_split_then_diverts(
    tiny_dataset: Callable[..., Path],
) -> None:
    g = compile_network(load_network(tiny_dataset()))
    base = equilibrium(g, rgap=1e-6)
    assert base.result.relative_gap <= 1e-4
    assert base.corridor_teu["middle"] == pytest.approx(10000, rel=1e-3)
    assert base.corridor_teu["northern"] == pytest.approx(20000, rel=1e-3)
    # the ferry carries about 20,900 TEU a year: at x3 middle shippers must divert
    sweep = growth_sweep(g, (1.0, 2.0, 3.0), rgap=1e-6)
    middle = [run.corridor_teu["middle"] / run.growth for run in sweep.runs]
    assert middle[0] > middle[1] > middle[2]
    assert sweep.runs[-1].capacities[0]["id"] == "fe"
    for run in sweep.runs:  # every TEU still arrives: conservation of the loaded demand
        assert run.demand_teu == pytest.approx(30000 * run.growth)
