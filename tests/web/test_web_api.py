"""The JSON API and server-rendered pages, through FastAPI's TestClient (no browser)."""

from __future__ import annotations

import math
import re
from typing import Any

import pytest


@pytest.fixture(scope="module")
def pair(client: Any) -> dict[str, str]:
    return dict(client.get("/api/meta").json()["default_pairs"][0])


def test_meta_lists_choices(client: Any) -> None:
    meta = client.get("/api/meta").json()
    assert meta["places"] and meta["default_pairs"] and meta["commodities"]
    assert "base" in meta["scenarios"]
    ids = {p["id"] for p in meta["places"]}
    assert {p["origin"] for p in meta["default_pairs"]} <= ids
    assert set(meta["closable"]) >= {"countries", "borders", "services", "links", "nodes"}


def test_analyze_follows_the_contract(client: Any, pair: dict[str, str]) -> None:
    data = client.get("/api/analyze", params=pair).json()
    assert {"dataset", "scenario", "routes"} <= set(data)
    assert data["routes"]
    for r in data["routes"]:
        assert (r["origin"], r["destination"]) == (pair["origin"], pair["destination"])
        legs = r["legs"]
        assert math.isclose(sum(x["distance_km"] for x in legs), r["distance_km"], rel_tol=1e-9)
        hours = sum(x["hours_moving"] + x["hours_waiting"] for x in legs)
        assert math.isclose(hours / 24, r["time_days"], rel_tol=1e-9)
        assert math.isclose(sum(x["cost_usd"] for x in legs), r["cost_usd_per_feu"], rel_tol=1e-9)
        assert r["time_days_p10"] <= r["time_days_p90"]


def test_closing_a_crossed_country_changes_the_answer(client: Any, pair: dict[str, str]) -> None:
    base = client.get("/api/analyze", params=pair).json()
    first, others = base["routes"][0], base["routes"][1:]
    country = next(c for c in first["transits"] if any(c not in r["countries"] for r in others))
    closed = client.get("/api/analyze", params={**pair, "close": f"countries:{country}"}).json()
    assert closed["scenario"] != base["scenario"]
    assert all(country not in r["countries"] for r in closed["routes"])
    assert [r["corridor"] for r in closed["routes"]] != [r["corridor"] for r in base["routes"]] or [
        r["time_days"] for r in closed["routes"]
    ] != [r["time_days"] for r in base["routes"]]


@pytest.mark.parametrize(
    ("params", "needle"),
    [
        ({"destination": "nowhere_at_all"}, "nowhere_at_all"),
        ({"close": "planets:mars"}, "planets:mars"),
        ({"close": "countries:ZZ"}, "ZZ"),
        ({"scenario": "no-such-scenario"}, "no-such-scenario"),
    ],
)
def test_bad_input_is_a_400_with_one_clear_message(
    client: Any, pair: dict[str, str], params: dict[str, str], needle: str
) -> None:
    r = client.get("/api/analyze", params={**pair, **params})
    assert r.status_code == 400
    assert needle in r.json()["detail"]
    page = client.get("/ui/result", params={**pair, **params})
    assert page.status_code == 400 and needle in page.text and "Traceback" not in page.text


def test_ui_fragment_table_carries_the_api_numbers(client: Any, pair: dict[str, str]) -> None:
    data = client.get("/api/analyze", params=pair).json()
    html = client.get("/ui/result", params=pair).text
    values = re.findall(r'data-key="time_days" data-value="([^"]+)"', html)
    assert [float(v) for v in values[: len(data["routes"])]] == [
        r["time_days"] for r in data["routes"]
    ]
    assert html.count('class="route"') >= len(data["routes"])  # map lines (+ chart lines)


def test_report_download_is_self_contained(client: Any, pair: dict[str, str]) -> None:
    r = client.get("/api/report", params=pair)
    assert r.status_code == 200
    assert "attachment" in r.headers["content-disposition"]
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", r.text)
    for sid in ("summary", "maps", "breakdown", "tcd", "sources"):
        assert f'<section id="{sid}"' in r.text


def test_pages_and_openapi_need_no_other_host(client: Any) -> None:
    spec = client.get("/openapi.json").json()
    assert "/api/analyze" in spec["paths"]
    for url in ("/", "/docs"):
        page = client.get(url)
        assert page.status_code == 200
        assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page.text), url
    assert client.get("/static/app.js").status_code == 200
    assert client.get("/redoc").status_code == 404


def test_unknown_job_is_404(client: Any) -> None:
    assert client.get("/api/jobs/does-not-exist").status_code == 404


def _bulk_pairs(client: Any) -> list[dict[str, str]]:
    meta = client.get("/api/meta").json()
    return [p for p in meta["default_pairs"] if p["commodity"] != "containers"]


def test_bulk_pairs_are_costed_per_tonne_on_the_dashboard(client: Any) -> None:
    """Crude, uranium, copper: USD/t in the table and the breakdown, tonnes for their elements."""
    pairs = _bulk_pairs(client)
    assert {p["commodity"] for p in pairs} >= {"crude_oil", "uranium"}
    for pair in pairs:
        data = client.get("/api/analyze", params=pair).json()
        assert data["routes"] and all(r["unit"] == "t" for r in data["routes"]), pair
        html = client.get("/ui/result", params=pair).text
        summary = html[html.index('id="r-summary"') : html.index('id="r-map"')]
        costs = re.findall(r'data-key="(cost_usd_per_\w+)" data-value="([^"]+)">([^<]*)<', summary)
        assert [(k, float(v)) for k, v, _t in costs] == [
            ("cost_usd_per_t", r["cost_usd_per_t"]) for r in data["routes"]
        ]
        assert [t for _k, _v, t in costs] == [
            f"${r['cost_usd_per_t']:,.1f}/t" for r in data["routes"]
        ]
        assert "FEU" not in summary and "TEU" not in summary
        legs = html[html.index('id="r-legs"') :]
        assert "FEU" not in legs and "TEU" not in legs and "USD/t" in legs
        chart = html[html.index('id="r-tcd"') : html.index('id="r-legs"')]
        assert 'data-cost-unit="t"' in chart and "USD/FEU" not in chart


def test_a_pipeline_capacity_is_in_tonnes_and_demand_not_carried_is_listed(client: Any) -> None:
    """Every pipeline element in tonnes per year; unrouted demand in its own unit."""
    pair = next(p for p in _bulk_pairs(client) if p["commodity"] == "crude_oil")
    data = client.get("/api/analyze", params=pair).json()
    html = client.get("/ui/result", params=pair).text
    pipelines = {
        leg["id"]
        for r in data["routes"]
        for leg in r["legs"]
        if leg["mode"] == "pipeline" and leg["capacity_t_per_year"] is not None
    }
    assert pipelines
    for eid in pipelines:
        for row in re.findall(rf'<tr data-id="{re.escape(eid)}"[^>]*>.*?</tr>', html, re.S):
            assert 'data-unit="t"' in row and "TEU" not in row and " t/yr" in row
    # Network-wide capacities: an element binding in tonnes is shown in tonnes.
    caps = html[html.index('id="r-capacity"') :]
    for c in data["capacities"][:15]:
        row = re.search(rf'<tr data-id="{re.escape(c["id"])}"[^>]*>.*?</tr>', caps, re.S)
        assert row, c["id"]
        unit = "t" if c["binding_unit"] == "t" else "teu"
        assert f'data-unit="{unit}"' in row.group(0)
        assert f'data-key="capacity_{unit}_per_year"' in row.group(0)
    unrouted = data["unrouted_demand"]
    if unrouted:
        section = html[html.index('id="r-not-carried"') :]
        for u in unrouted:
            row = re.search(
                rf'<tr data-segment="{re.escape(u["segment"])}"[^>]*>.*?</tr>', section, re.S
            )
            assert row, u["segment"]
            key = "t_per_year" if u["unit"] == "t" else "teu_per_year"
            assert f'data-key="{key}" data-value="{u["volume_per_year"]!r}"' in row.group(0)
    else:
        assert 'id="r-not-carried"' not in html or "Corridors closed" in html


@pytest.mark.parametrize(
    "scenario",
    [
        "/etc/passwd",
        "/dev/zero",
        "/tmp",
        "../../../../etc/hostname",
        "scenarios/red-sea-closed.json",
        "does-not-exist",
    ],
)
def test_the_api_takes_scenario_names_never_paths(
    client: Any, pair: dict[str, str], scenario: str
) -> None:
    # a path is refused like an unknown name: same status, and the same text
    # whether or not the file exists (nothing is read, nothing leaks)
    r = client.get("/api/analyze", params={**pair, "scenario": scenario})
    assert r.status_code == 400
    detail = r.json()["detail"]
    assert detail.startswith(f"unknown scenario '{scenario}' (known: base")
    ghost = client.get("/api/analyze", params={**pair, "scenario": scenario + "-no-such-file"})
    assert ghost.status_code == 400
    assert ghost.json()["detail"].replace("-no-such-file", "", 1) == detail


def test_a_built_in_scenario_name_still_works(client: Any, pair: dict[str, str]) -> None:
    r = client.get("/api/analyze", params={**pair, "scenario": "red-sea-closed"})
    assert r.status_code == 200 and r.json()["scenario"] == "red-sea-closed"


@pytest.mark.parametrize("drop", ["5", "5.0", "1e308", "-0.5", "nan"])
def test_a_caspian_drop_outside_the_stated_interval_is_a_422(client: Any, drop: str) -> None:
    """/api/stress takes `corridor stress --caspian-drop-m`'s interval [0, 5): at 5 m the
    draft-limited ships would load nothing, which the dataset refuses (was accepted up to 5)."""
    r = client.get("/api/stress", params={"caspian_drop_m": drop})
    assert r.status_code == 422, r.text
