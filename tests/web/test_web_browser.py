"""The dashboard and the report in a real headless Chromium, with the network fenced in."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from web_browser_support import Guard, screenshot

pytestmark = pytest.mark.browser

_D = "ps => ps.map(p => p.getAttribute('d'))"
_TEXT = "cs => cs.map(c => c.textContent.trim())"
WAIT_MS = 180_000  # the first analysis may compile the numba kernels


def _table(page: Any) -> list[dict[str, Any]]:
    """Rows of the dashboard's route table: corridor, exact values and shown text.

    ``cost_key`` is the key of the cost cell the row has (per FEU or per tonne).
    """
    return page.eval_on_selector_all(
        "#r-summary table.routes tbody tr:not(.closed)",
        """rows => rows.map(r => {
            const cell = k => r.querySelector(`td[data-key="${k}"]`);
            const cost = r.querySelector('td[data-key^="cost_usd_per_"]');
            return {corridor: r.dataset.corridor, unit: r.dataset.unit,
                    origin: r.dataset.origin, destination: r.dataset.destination,
                    time_days: cell('time_days').dataset.value,
                    time_text: cell('time_days').textContent,
                    cost_key: cost.dataset.key,
                    cost: cost.dataset.value,
                    cost_text: cost.textContent,
                    km: cell('distance_km').dataset.value,
                    bottleneck: cell('bottleneck').dataset.value};
        })""",
    )


def _wait_for_result(page: Any, previous: str | None = None) -> str:
    """Wait until the result for the current form has been swapped in; return its query."""
    page.wait_for_function(
        "prev => document.body.dataset.ready && !document.getElementById('result')"
        ".hasAttribute('aria-busy') && document.getElementById('result').dataset.query"
        " && document.getElementById('result').dataset.query !== prev",
        arg=previous,
        timeout=WAIT_MS,
    )
    return str(page.eval_on_selector("#result", "e => e.dataset.query"))


def _api(base: str, query: str) -> dict[str, Any]:
    r = httpx.get(f"{base}/api/analyze?{query}", timeout=120)
    r.raise_for_status()
    return dict(r.json())


def _assert_table_matches(rows: list[dict[str, Any]], data: dict[str, Any]) -> None:
    assert [r["corridor"] for r in rows] == [x["corridor"] for x in data["routes"]]
    for row, route in zip(rows, data["routes"], strict=True):
        assert float(row["time_days"]) == route["time_days"]
        assert float(row["km"]) == route["distance_km"]
        assert row["time_text"] == f"{route['time_days']:.1f}"
        assert row["unit"] == route["unit"]
        if route["unit"] == "t":  # bulk: per tonne, never per FEU
            assert row["cost_key"] == "cost_usd_per_t"
            assert float(row["cost"]) == route["cost_usd_per_t"]
            assert row["cost_text"] == f"${route['cost_usd_per_t']:,.1f}/t"
        else:
            assert row["cost_key"] == "cost_usd_per_feu"
            assert float(row["cost"]) == route["cost_usd_per_feu"]
            assert row["cost_text"] == f"${route['cost_usd_per_feu']:,.0f}/FEU"
        # the binding bottleneck is the most utilised capacity that carries demand
        used = [b for b in route["bottlenecks"] if b["utilisation"] > 0]
        first = used[0]["id"] if used else ""
        assert row["bottleneck"] == first


def test_dashboard_draws_map_matches_api_and_reacts_to_a_closure(
    live_server: str, guarded_page: tuple[Any, Guard]
) -> None:
    page, guard = guarded_page
    guard.allowed = live_server
    meta = httpx.get(f"{live_server}/api/meta", timeout=30).json()
    pair = meta["default_pairs"][0]

    page.goto(live_server + "/")
    page.select_option("#origin", pair["origin"])
    page.select_option("#destination", pair["destination"])
    page.click("button[type=submit]")
    query = _wait_for_result(page)
    assert f"origin={pair['origin']}" in query and f"destination={pair['destination']}" in query

    # The map has drawn: country outlines and one line per route, all with path data.
    lands = page.eval_on_selector_all("#r-map svg path.land", _D)
    assert len(lands) > 100 and all(d and d.startswith("M") for d in lands)
    lines = page.eval_on_selector_all("#r-map svg path.route", _D)
    base = _api(live_server, query)
    # A corridor giving the same route as a cheaper one is drawn once, noted in the table.
    distinct = [r["corridor"] for r in base["routes"] if r["same_route_as"] is None]
    dups = {r["corridor"]: r["same_route_as"] for r in base["routes"] if r["same_route_as"]}
    assert len(lines) == len(distinct) > 0
    assert (
        page.eval_on_selector_all("#r-map svg path.route", "ps => ps.map(p => p.dataset.corridor)")
        == distinct
    )
    assert all(d and d.count("L") >= 1 for d in lines)
    box = page.locator("#r-map svg").bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 150
    assert page.locator("#r-tcd svg.tcd path.route").count() == 2 * len(distinct)
    shown_dups = page.eval_on_selector_all(
        "#r-summary table.routes tr.dup", "rs => rs.map(r => [r.dataset.corridor, "
        "r.dataset.sameRouteAs, r.querySelector('.note.same').textContent])",
    )  # fmt: skip
    assert {c: same for c, same, _t in shown_dups} == dups
    assert all(t.startswith("same route as ") for _c, _s, t in shown_dups)

    # Capacity and utilisation: the API's list, most utilised first, >= 90 % highlighted.
    caps = page.eval_on_selector_all(
        "#r-capacity table.capacities tbody tr",
        "rs => rs.map(r => [r.dataset.id, r.classList.contains('high'), "
        "Number(r.querySelector('td[data-key=utilisation]').dataset.value)])",
    )
    want = base["capacities"][:15]
    assert [(c, u) for c, _h, u in caps] == [(c["id"], c["utilisation"]) for c in want]
    assert [h for _c, h, _u in caps] == [c["utilisation"] >= 0.9 for c in want]

    rows = _table(page)
    _assert_table_matches(rows, base)
    screenshot(page, "dashboard.png", full_page=False)

    # Close a country the first route crosses and another route avoids.
    first, others = base["routes"][0], base["routes"][1:]
    country = next(c for c in first["transits"] if any(c not in r["countries"] for r in others))
    box_sel = f"input[name=close][value='countries:{country}']"
    page.locator(box_sel).evaluate("e => e.closest('details').open = true")
    page.check(box_sel)
    closed_query = _wait_for_result(page, query)
    assert f"close=countries%3A{country}" in closed_query
    closed = _api(live_server, closed_query)
    closed_rows = _table(page)
    _assert_table_matches(closed_rows, closed)
    assert closed_rows != rows
    assert all(country not in r["countries"] for r in closed["routes"])
    assert page.locator(f"#r-map svg path.land.closed[data-iso='{country}']").count() >= 1
    screenshot(page, "dashboard_closed.png", full_page=False)

    # Download links follow the form.
    href = page.get_attribute("#dl-json", "href")
    assert href == f"/api/analyze?{closed_query}"

    assert guard.errors == []
    assert guard.blocked == []
    assert all(u.startswith(live_server + "/") or u.startswith("data:") for u in guard.requests)


def test_docs_page_works_offline(live_server: str, guarded_page: tuple[Any, Guard]) -> None:
    page, guard = guarded_page
    guard.allowed = live_server
    page.goto(live_server + "/docs")
    page.wait_for_selector("section.endpoint", timeout=30_000)
    paths = page.eval_on_selector_all("section.endpoint code", _TEXT)
    assert "/api/analyze" in paths
    assert guard.errors == [] and guard.blocked == []


def test_report_opens_offline_with_every_section(
    live_server: str, guarded_page: tuple[Any, Guard], tmp_path: Path
) -> None:
    meta = httpx.get(f"{live_server}/api/meta", timeout=30).json()
    pair = meta["default_pairs"][0]
    query = urlencode({"origin": pair["origin"], "destination": pair["destination"]})
    r = httpx.get(f"{live_server}/api/report?{query}", timeout=120)
    r.raise_for_status()
    report = tmp_path / "report.html"
    report.write_text(r.text, encoding="utf-8")

    page, guard = guarded_page
    guard.allowed = None  # only the file itself may load
    page.goto(report.as_uri())
    sections = page.eval_on_selector_all("main > section", "ss => ss.map(s => s.id)")
    assert sections[:5] == ["summary", "maps", "breakdown", "pairs", "capacity"]
    assert sections[-1] == "sources"
    assert page.locator("#maps svg path.land").count() > 100
    data = _api(live_server, query)
    distinct = [r for r in data["routes"] if r["same_route_as"] is None]
    assert page.locator("#summary table.summary tbody tr[data-corridor]").count() == len(distinct)
    assert page.locator("#maps svg path.route").count() == len(distinct)
    assert page.locator("#tcd svg.tcd path.route").count() == 2 * len(distinct)
    assert page.locator("#capacity table.capacities tbody tr").count() == min(
        15, len(data["capacities"])
    )
    # Hovering a chart leg shows its tooltip (the inline script runs).
    page.locator("#tcd svg.tcd path.hit").first.hover(force=True)
    assert page.locator(".tcd-tip").is_visible()
    screenshot(page, "report.png")
    page.emulate_media(media="print")
    screenshot(page, "report_print.png")
    assert guard.errors == []
    assert guard.blocked == []
    assert all(u.startswith("file://") or u.startswith("data:") for u in guard.requests)


def _open_pair(page: Any, base: str, origin: str, destination: str) -> str:
    page.goto(f"{base}/?{urlencode({'origin': origin, 'destination': destination})}")
    return _wait_for_result(page)


def test_an_intervention_changes_the_middle_corridor_as_the_api_says(
    live_server: str, guarded_page: tuple[Any, Guard]
) -> None:
    page, guard = guarded_page
    guard.allowed = live_server
    query = _open_pair(page, live_server, "xian", "duisburg")
    before = _api(live_server, query)
    rows = _table(page)
    _assert_table_matches(rows, before)

    # Locomotives for the Azerbaijan–Georgia interchange: the border dwell halves.
    page.check("input[name=intervention][value=i_georgia_locomotives]")
    with_feeders = _wait_for_result(page, query)
    assert "intervention=i_georgia_locomotives" in with_feeders
    after = _api(live_server, with_feeders)
    new_rows = _table(page)
    _assert_table_matches(new_rows, after)
    days = {r["corridor"]: float(r["time_days"]) for r in rows}
    new_days = {r["corridor"]: float(r["time_days"]) for r in new_rows}
    assert new_days["middle"] < days["middle"]
    # Corridors that do not cross Azerbaijan keep their times.
    assert new_days["northern"] == days["northern"]
    screenshot(page, "dashboard_intervention.png", full_page=False)

    # Unticking it brings the first answer back.
    page.uncheck("input[name=intervention][value=i_georgia_locomotives]")
    _wait_for_result(page, with_feeders)
    assert _table(page) == rows
    assert guard.errors == [] and guard.blocked == []


def test_a_simulation_run_from_the_page_shows_progress_and_distributions(
    live_server: str, guarded_page: tuple[Any, Guard]
) -> None:
    page, guard = guarded_page
    guard.allowed = live_server
    if not httpx.get(f"{live_server}/api/meta", timeout=30).json()["features"]["simulation"]:
        pytest.skip("this build has no simulation module")
    _open_pair(page, live_server, "xian", "duisburg")
    page.fill("#replications", "3")
    page.click("#simulate")
    assert page.locator("#sim-progress").is_visible()
    page.wait_for_function(
        "() => document.getElementById('sim-result').dataset.job", timeout=WAIT_MS
    )
    assert page.eval_on_selector("#sim-progress", "p => p.value") == 1
    assert page.text_content("#status") == "Simulation done."
    # One curve per simulated route of the pair, drawn as SVG polylines.
    charts = page.locator("#sim-result svg.dist")
    assert charts.count() >= 1
    curves = page.eval_on_selector_all(
        "#sim-result svg.dist polyline.ecdf", "ps => ps.map(p => p.getAttribute('points'))"
    )
    assert curves and all(len(c.split()) >= 3 for c in curves)
    assert any("/api/jobs/" in u for u in guard.requests)  # progress was polled
    page.locator("#sim-result").scroll_into_view_if_needed()
    screenshot(page, "dashboard_simulation.png")
    assert guard.errors == [] and guard.blocked == []
    assert all(u.startswith(live_server + "/") or u.startswith("data:") for u in guard.requests)


def test_crude_oil_is_shown_in_tonnes_and_usd_per_tonne(
    live_server: str, guarded_page: tuple[Any, Guard]
) -> None:
    """The crude pair: USD/t in the table, chart and breakdown; the pipeline in t/yr."""
    page, guard = guarded_page
    guard.allowed = live_server
    page.goto(
        f"{live_server}/?"
        + urlencode({"origin": "tengiz", "destination": "trieste", "commodity": "crude_oil"})
    )
    query = _wait_for_result(page)
    assert "commodity=crude_oil" in query
    data = _api(live_server, query)
    _assert_table_matches(_table(page), data)
    assert all(r["unit"] == "t" for r in data["routes"])
    summary = page.text_content("#r-summary") or ""
    assert "USD/t" in summary and "FEU" not in summary and "TEU" not in summary
    axes = page.eval_on_selector_all("#r-tcd svg.tcd .panel-cost .ptitle", _TEXT)
    assert axes and all(a == "Cumulative cost (USD/t)" for a in axes)
    page.eval_on_selector_all("#r-legs details", "ds => ds.forEach(d => d.open = true)")
    legs = page.text_content("#r-legs") or ""
    assert "USD/t" in legs and "FEU" not in legs and "TEU" not in legs
    pipes = page.eval_on_selector_all(
        "#r-legs table.legs tbody tr",
        """rs => rs.filter(r => r.children[2] && r.children[2].textContent === 'pipeline')
              .map(r => [r.dataset.unit, r.lastElementChild.dataset.key,
                         r.lastElementChild.textContent])""",
    )
    capped = [p for p in pipes if p[2] != "–"]
    assert capped and all(u == "t" and k == "capacity_t_per_year" for u, k, _t in capped)
    assert all(t.endswith(" t/yr") for _u, _k, t in capped)
    # Demand not carried: in tonnes per year where the API says tonnes.
    shown = page.eval_on_selector_all(
        "#r-not-carried table.unrouted tbody tr",
        "rs => rs.map(r => [r.dataset.segment, r.dataset.unit])",
    )
    assert shown == [[u["segment"], u["unit"]] for u in data["unrouted_demand"]]
    screenshot(page, "dashboard_crude.png", full_page=False)
    assert guard.errors == [] and guard.blocked == []
