"""The report and the dashboard as a reader sees them, in Chromium: page one's numbers are the
JSON's, the maps keep everything in their frame, a phone gets no sideways scroll, the PDF stays
short. The screenshots the README shows are written to docs/img only when
CORRIDOR_UPDATE_DOCS_IMG=1 (`make docs-img`); otherwise to a temporary folder, so the
suite leaves the tree as it found it."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from web_browser_support import Guard

pytestmark = pytest.mark.browser

DOCS = Path(__file__).resolve().parents[2] / "docs" / "img"
WAIT_MS = 180_000


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the README's screenshots go: docs/img on demand, else a temporary folder."""
    if os.environ.get("CORRIDOR_UPDATE_DOCS_IMG") == "1":
        DOCS.mkdir(parents=True, exist_ok=True)
        return DOCS
    return tmp_path_factory.mktemp("img")


@pytest.fixture(scope="module")
def closed_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """Xi'an → Duisburg with Russia and Belarus closed: the report and its analysis."""
    from corridor.analysis import analyze, difference_from_base
    from corridor.loaded.prepare import prepare
    from corridor.model.network import load_network
    from corridor.model.scenario import Scenario, describe_change, with_flags
    from corridor.report import write_report

    base = load_network()
    pairs = [("xian", "duisburg", "containers")]
    scen = with_flags(Scenario("base", base), close=["RU", "BY"])
    result = analyze(prepare(scen), pairs=pairs)
    result["difference_from_base"] = difference_from_base(result, analyze(base, pairs=pairs))
    out = tmp_path_factory.mktemp("report") / "report.html"
    write_report(
        result, scen.apply(), out, closed_countries=["RU", "BY"],
        changes=[describe_change(c, base) for c in scen.changes],
    )  # fmt: skip
    return out, result


def test_page_one_numbers_are_the_json_numbers(
    guarded_page: tuple[Any, Guard], closed_report: tuple[Path, dict[str, Any]]
) -> None:
    page, guard = guarded_page
    path, result = closed_report
    page.goto(path.as_uri())
    rows = page.eval_on_selector_all(
        "#summary table.summary tbody tr[data-corridor]:not(.closed)",
        """rs => rs.map(r => ({corridor: r.dataset.corridor,
            days: r.querySelector('td[data-key=time_days]').dataset.value,
            days_text: r.querySelector('td[data-key=time_days]').textContent,
            cost: r.querySelector('td[data-key=cost_usd_per_feu]').dataset.value,
            delta: r.querySelector('td[data-key=delta_days]').textContent}))""",
    )
    routes = sorted(
        (r for r in result["routes"] if r["same_route_as"] is None), key=lambda r: r["time_days"]
    )
    assert [r["corridor"] for r in rows] == [r["corridor"] for r in routes]
    diff = {d["corridor"]: d for d in result["difference_from_base"]}
    for row, route in zip(rows, routes, strict=True):
        assert float(row["days"]) == route["time_days"]
        assert row["days_text"] == f"{route['time_days']:.1f}"
        assert float(row["cost"]) == route["cost_usd_per_feu"]
        delta = diff[route["corridor"]]["delta_days"]
        assert row["delta"] == ("0" if round(delta, 1) == 0 else f"{delta:+.1f}".replace("-", "−"))
    closed = page.eval_on_selector_all("#summary tr.closed", "rs => rs.map(r => r.textContent)")
    assert len(closed) == 1 and "Northern" in closed[0] and "closed" in closed[0]
    assert "closed: country RU" in page.locator("#summary p.changes").text_content()
    assert guard.errors == []


def test_maps_keep_every_mark_and_label_in_their_frame(
    guarded_page: tuple[Any, Guard], closed_report: tuple[Path, dict[str, Any]], shots: Path
) -> None:
    page, _guard = guarded_page
    path, _result = closed_report
    page.goto(path.as_uri())
    report = page.evaluate(
        """() => [...document.querySelectorAll('svg.map')].map(svg => {
            const vb = svg.viewBox.baseVal;
            const frame = svg.querySelector('clipPath#map-frame rect').getBBox();
            const box = e => { const b = e.getBBox(); return [b.x, b.y, b.x + b.width,
                                                              b.y + b.height]; };
            const inside = (b, f) => b[0] >= f.x - 0.5 && b[1] >= f.y - 0.5 &&
                b[2] <= f.x + f.width + 0.5 && b[3] <= f.y + f.height + 0.5;
            const marks = [...svg.querySelectorAll(
                'g.routes path, g.waits circle, g.bottlenecks path, g.capacity g')];
            const labels = [...svg.querySelectorAll('g.labels text')].map(box);
            const legend = [...svg.querySelectorAll('g.legend text, g.legend line')];
            let overlaps = 0;
            for (let i = 0; i < labels.length; i++) for (let j = i + 1; j < labels.length; j++) {
                const a = labels[i], b = labels[j];
                if (a[0] < b[2] - 1 && b[0] < a[2] - 1 && a[1] < b[3] - 1 && b[1] < a[3] - 1)
                    overlaps++;
            }
            return {
                marks: marks.length,
                marks_out: marks.filter(e => !inside(box(e), frame)).length,
                labels: labels.length,
                labels_out: labels.filter(b => !inside(b, frame)).length,
                overlaps: overlaps,
                legend_out: legend.filter(e => !inside(box(e), vb)).length,
                legend_on_map: legend.filter(e => box(e)[1] < frame.y + frame.height).length,
            };
        })"""
    )
    assert report and all(m["marks"] > 10 and m["labels"] >= 2 for m in report)
    for m in report:
        assert m["marks_out"] == 0 and m["labels_out"] == 0 and m["legend_out"] == 0, m
        assert m["overlaps"] == 0, m
        # the legend sits in its band below the map (the attribution note excepted)
        assert m["legend_on_map"] <= 1, m
    page.set_viewport_size({"width": 1100, "height": 900})
    page.locator("#summary").screenshot(path=str(shots / "report_summary.png"))
    page.locator("figure.pair-map").first.screenshot(path=str(shots / "report_map.png"))
    page.locator("#breakdown figure").first.screenshot(path=str(shots / "report_time_by_kind.png"))


def test_dashboard_fits_a_phone_and_shows_the_difference(
    live_server: str, chromium: Any, shots: Path
) -> None:
    context = chromium.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    query = urlencode(
        [("origin", "xian"), ("destination", "duisburg"), ("close", "countries:RU"),
         ("close", "countries:BY")]
    )  # fmt: skip
    page.goto(f"{live_server}/?{query}")
    page.wait_for_function(
        "() => document.body.dataset.ready && "
        "!document.getElementById('result').hasAttribute('aria-busy')",
        timeout=WAIT_MS,
    )
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], width
    # the result comes right after the shipment choice, before the closures
    order = page.evaluate(
        "() => ['fieldset.shipment', '#result', 'fieldset.closures'].map("
        "s => document.querySelector(s).getBoundingClientRect().top)"
    )
    assert order == sorted(order)
    assert page.locator("#r-summary th", has_text="Δ days vs base").count() == 1
    assert page.locator("#r-summary tr.closed", has_text="closed").count() == 1
    box = page.locator("#r-map svg").bounding_box()
    assert box is not None and box["width"] >= 300
    page.evaluate("() => document.getElementById('result').scrollIntoView()")
    page.screenshot(path=str(shots / "dashboard_phone.png"))
    context.close()


def test_default_pdf_with_stress_and_appraisal_is_at_most_fourteen_pages(tmp_path: Path) -> None:
    import json

    from corridor.analysis import analyze
    from corridor.model.network import load_network
    from corridor.report import html_to_pdf, write_report
    from corridor.resilience.disruptions import stress_scenario
    from corridor.resilience.stress import stress

    net = load_network()
    shock = stress(stress_scenario(net, close=("RU",)))  # what `corridor report` adds
    # `corridor appraise --budget 5e9 --scenarios default --out DIR` on the default
    # dataset (24 measures, the robust portfolio over five scenarios): what
    # `corridor report --appraisal DIR/appraisal.json` prints; its layout matters here
    appraisal = json.loads((Path(__file__).parent / "appraisal_default.json").read_text())
    html = write_report(
        analyze(net), net, tmp_path / "report.html", stress=shock, appraisal=appraisal
    )
    text = html.read_text()
    # everything a reader needs is still there: every section, the three pairs' maps,
    # every measure ranked, the robust portfolio, the stress tables
    for section in ("summary", "maps", "breakdown", "pairs", "capacity", "appraisal",
                    "stress", "tcd", "sources"):  # fmt: skip
        assert f'<section id="{section}"' in text, section
    assert text.count('<figure class="pair-map"') == 3
    ranking = text.split('class="records appraisal-ranking"')[1].split("</table>")[0]
    assert ranking.count("<tr") == len(appraisal["measures"]) + 1
    assert 'class="records appraisal-robust"' in text and text.count('<table class="stress"') == 3
    pdf = html_to_pdf(html, tmp_path / "report.pdf")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes()))
    assert 3 <= pages <= 14, pages
    detailed = write_report(
        analyze(net), net, tmp_path / "full.html", detail=True, stress=shock, appraisal=appraisal
    )
    assert len(detailed.read_text()) > len(text)  # the appendix is still there
