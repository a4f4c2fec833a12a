"""Units in the report: bulk in USD/t and t/yr, containers in USD/FEU and TEU/yr.

The inputs are hand-built (``conftest.sample_bulk_analysis``): a crude route
whose cost per tonne is its per-FEU total over 2 × 25 t, a pipeline with a
capacity in tonnes only, a tanker with a capacity in TEU only. Each test
reads the rendered HTML back, so a table that shows TEU for crude or USD/FEU
for a bulk commodity fails here.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest

from corridor.report import render_report
from corridor.report.mapsvg import map_svg
from corridor.report.tables import capacities_table, legs_table, routes_table
from corridor.report.tcd import tcd_series, tcd_svg


class _Rows(HTMLParser):
    """Table rows as (row attributes, [(cell attributes, cell text)]), plus every text."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[tuple[dict[str, str | None], list[tuple[dict[str, str | None], str]]]] = []
        self.texts: list[str] = []
        self._cell: tuple[dict[str, str | None], list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append((dict(attrs), []))
        elif tag in ("td", "th"):
            self._cell = (dict(attrs), [])

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self.rows:
            self.rows[-1][1].append((self._cell[0], "".join(self._cell[1]).strip()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        self.texts.append(data)
        if self._cell is not None:
            self._cell[1].append(data)


def _rows(text: str) -> _Rows:
    p = _Rows()
    p.feed(text)
    return p


def _cell(cells: list[tuple[dict[str, str | None], str]], key: str) -> tuple[float, str]:
    hit = [(a, t) for a, t in cells if a.get("data-key") == key]
    assert len(hit) == 1, (key, cells)
    return float(hit[0][0]["data-value"] or "nan"), hit[0][1]


def _section(text: str, sid: str) -> str:
    m = re.search(rf'<section id="{sid}"[^>]*>(.*?)</section>', text, re.S)
    assert m, sid
    return m.group(1)


def test_route_table_costs_bulk_per_tonne_and_containers_per_feu(
    bulk_analysis: dict[str, Any],
) -> None:
    container, crude = bulk_analysis["routes"]
    # The fixture's own arithmetic: an FEU of crude holds 2 × 25 t.
    assert crude["cost_usd_per_t"] == pytest.approx(crude["cost_usd_per_feu"] / 50.0)
    rows = [r for r in _rows(routes_table(bulk_analysis["routes"])).rows if r[0].get("data-route")]
    by_unit = {attrs["data-unit"]: cells for attrs, cells in rows}
    value, text = _cell(by_unit["t"], "cost_usd_per_t")
    assert value == crude["cost_usd_per_t"]
    assert text == f"${crude['cost_usd_per_t']:,.1f}/t"
    assert not [a for a, _t in by_unit["t"] if a.get("data-key") == "cost_usd_per_feu"]
    assert "FEU" not in " ".join(t for _a, t in by_unit["t"])
    value, text = _cell(by_unit["teu"], "cost_usd_per_feu")
    assert (value, text) == (
        container["cost_usd_per_feu"],
        f"${container['cost_usd_per_feu']:,.0f}/FEU",
    )


@pytest.mark.parametrize("commodity", ["crude_oil", "uranium", "copper"])
def test_no_bulk_commodity_is_costed_per_feu(bulk_analysis: dict[str, Any], commodity: str) -> None:
    crude = bulk_analysis["routes"][1]
    route = {**crude, "commodity": commodity}
    text = render_report({**bulk_analysis, "routes": [route]}, None, detail=True)
    summary, legs = _section(text, "summary"), _section(text, "legs")
    assert "/FEU" not in summary and "USD/FEU" not in legs and "/FEU" not in legs
    assert "/t" in summary and "USD/t" in legs


def test_bulk_legs_are_per_tonne_and_a_pipeline_is_never_in_teu(
    bulk_analysis: dict[str, Any], crude_t_per_teu: float
) -> None:
    crude = bulk_analysis["routes"][1]
    table = legs_table(crude)
    assert "TEU" not in table and "FEU" not in table
    rows = [(a, c) for a, c in _rows(table).rows if a.get("data-id")]
    assert len(rows) == len(crude["legs"])
    for (attrs, cells), leg in zip(rows, crude["legs"], strict=True):
        assert attrs["data-unit"] == "t"
        usd, _ = _cell(cells, "cost_usd_per_t")
        assert usd == pytest.approx(leg["cost_usd"] / (2 * crude_t_per_teu))
    pipeline = rows[3][1]
    cap, shown = _cell(pipeline, "capacity_t_per_year")
    assert (cap, shown) == (5.98e7, "59,800,000 t/yr")
    # The tanker's TEU capacity shown in tonnes at 25 t per TEU, marked as converted.
    cap, shown = _cell(rows[2][1], "capacity_t_per_year")
    assert cap == pytest.approx(8.6e4 * crude_t_per_teu)
    assert shown == f"≈ {8.6e4 * crude_t_per_teu:,.0f} t/yr"
    total = next(c for a, c in _rows(table).rows if a.get("class") == "total")
    assert _cell(total, "cost_usd_per_t")[0] == pytest.approx(crude["cost_usd_per_t"])


def test_container_legs_keep_feu_and_teu(bulk_analysis: dict[str, Any]) -> None:
    container = bulk_analysis["routes"][0]
    table = legs_table(container)
    assert "USD/FEU" in table and "/t<" not in table and "t/yr" not in table
    rows = [c for a, c in _rows(table).rows if a.get("data-id")]
    for cells, leg in zip(rows, container["legs"], strict=True):
        assert _cell(cells, "cost_usd")[0] == leg["cost_usd"]
        assert _cell(cells, "capacity_teu_per_year")[0] == leg["capacity_teu_per_year"]


def test_a_container_route_shows_a_tonnes_only_element_in_tonnes(
    bulk_analysis: dict[str, Any],
) -> None:
    container = bulk_analysis["routes"][0]
    legs = [dict(leg) for leg in container["legs"]]
    legs[1].update(capacity_teu_per_year=None, capacity_t_per_year=5e6)
    legs[3].update(capacity_teu_per_year=6e5, capacity_t_per_year=5e6)
    bottlenecks = [{"id": legs[3]["id"], "binding_unit": "t", "utilisation": 0.5}]
    route = {**container, "legs": legs, "bottlenecks": bottlenecks}
    rows = [c for a, c in _rows(legs_table(route)).rows if a.get("data-id")]
    assert _cell(rows[1], "capacity_t_per_year") == (5e6, "5,000,000 t/yr")
    assert _cell(rows[3], "capacity_t_per_year") == (5e6, "5,000,000 t/yr")  # binds in t
    assert _cell(rows[2], "capacity_teu_per_year")[1].endswith(" TEU/yr")


def test_capacities_are_shown_in_their_binding_unit(
    bulk_analysis: dict[str, Any], network: Any
) -> None:
    both = {"id": "r_marabda", "name": "Marabda–Akhalkalaki", "kind": "link",
            "from": "tbilisi", "to": "poti", "capacity_teu_per_year": 5e5,
            "capacity_t_per_year": 5e6, "flow_teu_per_year": 1200.0, "flow_t_per_year": 3e4,
            "utilisation": 0.006, "binding_unit": "t"}  # fmt: skip
    caps = [*bulk_analysis["capacities"], both]
    rows = {a["data-id"]: (a, c) for a, c in _rows(capacities_table(caps)).rows if a.get("data-id")}
    tanker_id, pipe_id = caps[0]["id"], caps[1]["id"]
    attrs, cells = rows[pipe_id]
    assert attrs["data-unit"] == "t"
    assert _cell(cells, "capacity_t_per_year") == (5.98e7, "59,800,000 t/yr")
    assert _cell(cells, "flow_t_per_year") == (2.15e6, "2,150,000 t/yr")
    assert "TEU" not in " ".join(t for _a, t in cells)
    attrs, cells = rows["r_marabda"]
    assert attrs["data-unit"] == "t"
    assert _cell(cells, "capacity_t_per_year")[0] == 5e6
    assert _cell(cells, "flow_t_per_year")[0] == 3e4
    attrs, cells = rows[tanker_id]
    assert attrs["data-unit"] == "teu"
    assert _cell(cells, "capacity_teu_per_year") == (8.6e4, "86,000 TEU/yr")
    # Plain names, escaped.
    assert cells[0][1] == "Caspian tankers <crude>"
    text = render_report({**bulk_analysis, "capacities": caps}, network)
    assert "Caspian tankers &lt;crude&gt;" in text and "Caspian tankers <crude>" not in text
    # The map's capacity marks say the same.
    svg = map_svg(network, bulk_analysis["routes"], capacities=caps)
    marks = re.findall(
        r'<g class="cap [^"]*" data-id="([^"]+)" data-unit="(\w+)"[^>]*data-tip="([^"]*)"', svg
    )
    units = {eid: (unit, tip) for eid, unit, tip in marks}
    assert units[pipe_id][0] == "t" and "59,800,000 t/yr" in units[pipe_id][1]
    assert "TEU" not in units[pipe_id][1]
    assert units[tanker_id][0] == "teu" and "86,000 TEU/yr" in units[tanker_id][1]


def test_map_tooltips_of_a_bulk_route(bulk_analysis: dict[str, Any], network: Any) -> None:
    crude = bulk_analysis["routes"][1]
    svg = map_svg(network, [crude])
    route_tip = re.search(r'<path class="route"[^>]*data-tip="([^"]*)"', svg)
    assert route_tip and route_tip.group(1).endswith(f"${crude['cost_usd_per_t']:,.1f}/t")
    neck = re.search(r'<path class="bottleneck"[^>]*data-tip="([^"]*)"', svg)
    assert neck and "t/yr" in neck.group(1) and "TEU" not in neck.group(1)
    assert "FEU" not in svg


def test_time_cost_chart_of_a_bulk_pair_is_per_tonne(bulk_analysis: dict[str, Any]) -> None:
    container, crude = bulk_analysis["routes"]
    s = tcd_series(crude)
    assert s.cost_unit == "t"
    assert s.total_usd == pytest.approx(crude["cost_usd_per_t"])
    assert tcd_series(container).total_usd == container["cost_usd_per_feu"]
    svg = tcd_svg([crude])
    assert 'data-cost-unit="t"' in svg and "Cumulative cost (USD/t)" in svg
    assert "FEU" not in svg
    assert f"${crude['cost_usd_per_t']:,.1f}/t" in svg  # the legend
    assert "Cumulative cost (USD/FEU)" in tcd_svg([container])


def test_not_carried_and_closed_section(bulk_analysis: dict[str, Any], network: Any) -> None:
    text = render_report(bulk_analysis, network)
    ids = re.findall(r'<section id="([^"]+)"', text)
    assert "not-carried" in ids
    body = _section(text, "not-carried")
    rows = {a["data-segment"]: (a, c) for a, c in _rows(body).rows if a.get("data-segment")}
    crude_demand, box_demand = bulk_analysis["unrouted_demand"]
    attrs, cells = rows[crude_demand["segment"]]
    assert attrs["data-unit"] == "t" and attrs["data-refused-by"] == crude_demand["refused_by"][0]
    assert _cell(cells, "t_per_year") == (5.3e7, "53,000,000 t/yr")
    texts = [t for _a, t in cells]
    assert "Caspian tankers <crude>" in texts  # the element's plain name, not its id
    assert "capacity full on every open route" in texts and "CPC pipeline" in texts
    attrs, cells = rows[box_demand["segment"]]
    assert attrs["data-unit"] == "teu"
    assert _cell(cells, "teu_per_year") == (1200.0, "1,200 TEU/yr")
    assert "no open route" in [t for _a, t in cells]
    assert "Caspian tankers &lt;crude&gt;" in body
    # Closed corridors only (not the ones that do not apply), by name.
    closed = [a for a, _c in _rows(body).rows if a.get("data-corridor")]
    assert [a["data-corridor"] for a in closed] == ["northern"]
    assert "Northern (Russia)" in body and "CPC pipeline carries" not in body
    # Without either list there is no such section.
    bare = {k: v for k, v in bulk_analysis.items() if k not in ("unrouted_demand", "not_offered")}
    assert 'id="not-carried"' not in render_report(bare, network)
    only_na = {**bare, "not_offered": bulk_analysis["not_offered"][1:]}
    assert 'id="not-carried"' not in render_report(only_na, network)
