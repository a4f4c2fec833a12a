"""The dashboard's stress page in a real headless Chromium: closures chosen from lists,
the result the same as the JSON API's, nothing loaded from elsewhere."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from web_browser_support import Guard, screenshot

pytestmark = pytest.mark.browser

WAIT_MS = 180_000


def test_closing_russia_from_the_list_shows_what_the_api_says(
    live_server: str, guarded_page: tuple[Any, Guard]
) -> None:
    page, guard = guarded_page
    guard.allowed = live_server
    page.goto(live_server + "/")
    page.click("text=stress test")
    page.wait_for_selector("#stress-form", timeout=30_000)
    # closures are chosen from lists, never typed as paths
    assert page.locator("#stress-form input[type=text]").count() == 0
    page.check('#stress-form input[name="close"][value="countries:RU"]')
    page.select_option("#caspian-drop", "1.0")
    page.click("#stress-run")
    page.wait_for_selector("#stress-result svg.stress-shares", timeout=WAIT_MS)
    assert page.is_checked('input[name="close"][value="countries:RU"]')  # the form remembers

    api = httpx.get(
        f"{live_server}/api/stress",
        params={"close": "countries:RU", "caspian_drop_m": 1.0},
        timeout=300,
    ).json()
    assert page.locator(".stress-scenario").inner_text() == api["scenario"]
    shown = dict(
        page.eval_on_selector_all(
            "#stress-result [data-stranded]",
            "es => es.map(e => [e.dataset.commodity, Number(e.dataset.stranded)])",
        )
    )
    assert shown == {c: x["after"]["stranded_per_year"] for c, x in api["exposure"].items()}
    assert shown["crude_oil"] > 50e6  # Kazakh crude beyond the tankers and BTC
    refused = page.locator("#stress-result .refused-by").all_inner_texts()
    flows = [f for s in api["stranded"].values() for f in s["flows"]]
    assert refused == [", ".join(f["refused_by"]) or f["reason"] for f in flows]
    # the map draws one cut of the JSON, element for element
    drawn = sorted(page.eval_on_selector_all(
        "#stress-result svg.min-cut .cut-element", "es => es.map(e => e.dataset.id)"
    ))  # fmt: skip
    cuts = [sorted(c["cut"]) for per in api["min_cut"].values() for c in per.values()]
    assert drawn and drawn in cuts
    screenshot(page, "stress.png")
    assert guard.errors == [] and guard.blocked == []
