"""Bulk in tonnes, containers in TEU, sharing one line's train paths (capacity.elements)."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest
from tiny_cases import BULK, tiny, with_tonnes

from corridor.loaded.prepare import prepare
from corridor.resilience.disruptions import stress_scenario
from corridor.resilience.maxflow import region_cut


def _on_line(loaded, commodity: str) -> float:  # type: ignore[no-untyped-def]
    """Yearly volume of ``commodity`` whose paths run over link ``cd`` (c → d)."""
    g = loaded.graph
    cd = {e for e in range(g.n_edges) if g.element_id(e) == "cd"
          and g.node_ids[g.vertex_node[g.tail[e]]] == "c"}  # fmt: skip
    return sum(
        v
        for f in loaded.flows
        if f.segment.commodity == commodity
        for edges, v in f.paths
        if cd & set(edges)
    )


def test_containers_and_bulk_share_the_train_paths(tmp_path: Path) -> None:
    loaded = prepare(tiny(tmp_path / "t", **BULK))
    ore, boxes = _on_line(loaded, "ore"), _on_line(loaded, "containers")
    # by hand: ore t / 100,000 + container TEU / 20,000 = 1 when the line is full,
    # i.e. ore + 5 x TEU = 100,000 t; the old larger-of-two-ratios rule counted the
    # containers' 10 t per TEU against the tonnes instead (ore + 10 x TEU = 100,000)
    assert ore + 5 * boxes == pytest.approx(100_000, rel=1e-6)
    assert ore > 0 and boxes > 0
    ore_flow = next(f for f in loaded.flows if f.segment.commodity == "ore")
    assert ore_flow.unserved + ore == pytest.approx(80_000, rel=1e-9)
    assert ore_flow.unserved > 0 and "cd" in ore_flow.refused_by
    assert loaded.utilisation.max() <= 1 + 1e-9


def test_bulk_is_limited_in_tonnes_not_by_its_teu_conversion(tmp_path: Path) -> None:
    """With Russia closed, the ore's min cut China → Caucasus is line cd's 100,000 t,
    not its 20,000 TEU × 25 t = 500,000 t."""
    loaded = prepare(stress_scenario(tiny(tmp_path / "t", **BULK), close=("RU",)))
    cut = region_cut(loaded, "china", "caucasus", "ore")
    assert cut.capacity == pytest.approx(100_000)
    assert cut.cut == ("cd",)
    # outside oracle: NetworkX on the same corridor by hand (a-b 1435 unlimited, border
    # bc 100,000 TEU = 2.5 Mt of ore, cd 100,000 t, terminal d 80,000 TEU = 2 Mt,
    # ferry and e-f well above; c-r-f closed; the ore has no road)
    g = nx.DiGraph()
    g.add_edge("a", "b", capacity=float("inf"))
    g.add_edge("b", "c", capacity=100_000 * 25.0)
    g.add_edge("c", "d", capacity=100_000.0)
    g.add_edge("d", "e", capacity=80_000 * 25.0)
    assert nx.maximum_flow_value(g, "a", "e") == pytest.approx(cut.capacity)


@pytest.mark.parametrize(
    ("border_t", "terminal_t", "cut", "capacity"),
    [
        ("inf", "inf", ("cd",), 100_000),  # as before: the line's tonnes
        ("60000", "inf", ("bc",), 60_000),  # the border's tonnes, not 100,000 TEU x 25 t
        ("60000", "50000", ("td",), 50_000),  # the port's bulk berths, not 80,000 TEU x 25 t
    ],
)
def test_borders_and_ports_limit_bulk_in_tonnes(
    tmp_path: Path, border_t: str, terminal_t: str, cut: tuple[str, ...], capacity: float
) -> None:
    net = tiny(tmp_path / "t", **with_tonnes(border_t, terminal_t))
    loaded = prepare(stress_scenario(net, close=("RU",)))
    found = region_cut(loaded, "china", "caucasus", "ore")
    assert found.cut == cut and found.capacity == pytest.approx(capacity)
    # the loading respects the same tonnes: by hand, at the port
    # containers' TEU / 80,000 + ore t / terminal_t <= 1, and no more ore than the cut
    caps = loaded.capacities
    td = caps.key.index(("terminals", "td", "d", "d"))
    box, ore = loaded.element_box_teu[td], loaded.element_bulk_t[td]
    assert box / 80_000 + ore / float(terminal_t) <= 1 + 1e-9
    ore_flow = next(f for f in loaded.flows if f.segment.commodity == "ore")
    carried = sum(v for _e, v in ore_flow.paths)
    assert carried <= capacity * (1 + 1e-9)
    assert carried + ore_flow.unserved == pytest.approx(80_000)
    if ore_flow.unserved > 1e-6:
        assert ore_flow.refused_by  # stranded ore names what refused it
