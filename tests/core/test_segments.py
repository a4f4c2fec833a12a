"""Shipper segments: revealed values of time and the loaded network they give."""

from __future__ import annotations

from collections.abc import Callable
from itertools import islice
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from corridor.graph.compiled import compile_network
from corridor.loaded.growth import growth_sweep
from corridor.loaded.prepare import prepare
from corridor.loaded.segments import shipper_segments
from corridor.model.network import load_network

#: Tiny ferry capacity per direction: 3 ships × 70 TEU per 88 h round trip.
FERRY_TEU_PER_YEAR = 3 * 70 * 8760 / 88


def test_revealed_value_makes_the_observed_corridor_the_best_choice(
    tiny_dataset: Callable[..., Path],
) -> None:
    """Checked by enumerating the simple paths of the choice set with NetworkX."""
    g = compile_network(load_network(tiny_dataset()))
    segs = {s.corridor: s for s in shipper_segments(g)}
    assert set(segs) == {"middle", "northern"}
    for corridor, via in (("middle", "d"), ("northern", "r")):
        seg = segs[corridor]
        assert seg.revealed and seg.value_of_time >= 3.0  # the commodity's value is the floor
        w = g.cost_usd + seg.value_of_time * g.hours()
        dg = nx.DiGraph()
        src, dst = g.gate("a"), g.gate("f")
        for e in np.flatnonzero(seg.edge_ok):
            a, b = int(g.tail[e]), int(g.head[e])
            if a < g.n_gates and a != src:
                continue
            if not dg.has_edge(a, b) or dg[a][b]["weight"] > w[e]:
                dg.add_edge(a, b, weight=float(w[e]))
        best = next(islice(nx.shortest_simple_paths(dg, src, dst, weight="weight"), 1))
        assert g.gate(via) in {int(g.vertex_node[v]) for v in best}
    # the choice set is the shippers' refusal, not the corridor's drawing: middle avoids RU
    country = [g.node_country[int(n)] for n in g.vertex_node]
    middle = segs["middle"]
    assert not any(
        middle.edge_ok[e] and "RU" in (country[g.tail[e]], country[g.head[e]])
        for e in range(g.n_edges)
    )


def test_loaded_network_reproduces_the_observed_split(tiny_dataset: Callable[..., Path]) -> None:
    loaded = prepare(load_network(tiny_dataset()))
    volumes = loaded.summary()["corridor_volume_per_year"]
    assert volumes["middle"] == pytest.approx(10000, rel=1e-6)
    assert volumes["northern"] == pytest.approx(20000, rel=1e-6)


def test_growth_beyond_the_ferry_diverts_or_reports(tiny_dataset: Callable[..., Path]) -> None:
    """The ferry carries about 20,900 TEU a year: at x3 the middle's 30,000 cannot all cross."""
    sweep = growth_sweep(load_network(tiny_dataset()), (1.0, 2.0, 3.0))
    for f, run in zip(sweep.factors, sweep.runs, strict=True):
        s = run.summary()
        carried = s["carried_per_year"]
        unserved = sum(u["volume_per_year"] for u in s["unrouted"])
        assert carried + unserved == pytest.approx(30000 * f, rel=1e-9)
        assert s["corridor_volume_per_year"].get("middle", 0.0) <= FERRY_TEU_PER_YEAR * (1 + 1e-9)
    last = sweep.runs[-1]
    ferry = next(c for c in last.capacity_table() if c["id"] == "fe" and c["from"] == "d")
    assert ferry["utilisation"] == pytest.approx(1.0)
    middle = [run.summary()["corridor_volume_per_year"].get("middle", 0.0) for run in sweep.runs]
    assert middle[2] < 3 * middle[0]  # capacity binds: the middle does not triple
