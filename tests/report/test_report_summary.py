"""Page one and the new sections: numbers equal the JSON's, splits add up, nothing injects."""

from __future__ import annotations

import copy
from html.parser import HTMLParser
from typing import Any

import pytest

from corridor.report import render_report
from corridor.report.bars import WIDTH, bar_layout, stacked_bars_svg
from corridor.report.breakdown import cost_by_kind, time_by_kind
from corridor.report.palette import distinct_routes


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _tags(text: str) -> list[tuple[str, dict[str, str | None]]]:
    p = _Tags()
    p.feed(text)
    return p.tags


def _summary(text: str) -> str:
    start = text.index('<section id="summary"')
    return text[start : text.index("</section>", start)]


def test_summary_ranks_each_pair_with_the_json_numbers(analysis: dict[str, Any]) -> None:
    text = _summary(render_report(analysis, None))
    tags = _tags(text)
    tables = [(i, a) for i, (t, a) in enumerate(tags) if t == "table"]
    pairs = {(r["origin"], r["destination"]) for r in analysis["routes"]}
    assert {(a["data-origin"], a["data-destination"]) for _, a in tables} == pairs
    for n, (start, attrs) in enumerate(tables):
        end = tables[n + 1][0] if n + 1 < len(tables) else len(tags)
        mine = [
            r
            for r in distinct_routes(analysis["routes"])
            if (r["origin"], r["destination"]) == (attrs["data-origin"], attrs["data-destination"])
        ]
        want = sorted(mine, key=lambda r: r["time_days"])
        rows = [
            a["data-corridor"] for t, a in tags[start:end] if t == "tr" and a.get("data-corridor")
        ]
        days = [
            float(a["data-value"] or "nan")
            for t, a in tags[start:end]
            if t == "td" and a.get("data-key") == "time_days"
        ]
        assert rows == [r["corridor"] for r in want]
        assert days == [r["time_days"] for r in want]


def test_summary_shows_the_difference_and_the_closed_corridor(analysis: dict[str, Any]) -> None:
    a = copy.deepcopy(analysis)
    first = a["routes"][0]
    key = (first["origin"], first["destination"], first.get("commodity", "containers"))
    a["difference_from_base"] = [
        {"origin": key[0], "destination": key[1], "commodity": key[2],
         "corridor": first["corridor"], "status": "open", "status_base": "open",
         "delta_days": 3.75, "delta_cost": -120.0, "time_days_base": first["time_days"] - 3.75},
        {"origin": key[0], "destination": key[1], "commodity": key[2], "corridor": "northern",
         "status": "closed", "status_base": "open", "delta_days": None, "delta_cost": None,
         "time_days_base": 21.8},
    ]  # fmt: skip
    a["not_offered"] = [
        {"origin": key[0], "destination": key[1], "commodity": key[2], "corridor": "northern",
         "status": "closed", "reason": "no route satisfies corridor 'northern'"}
    ]  # fmt: skip
    text = _summary(render_report(a, None, changes=["closed: country RU"]))
    tags = _tags(text)
    delta = [a for t, a in tags if t == "td" and a.get("data-key") == "delta_days"]
    assert [float(d["data-value"] or "nan") for d in delta if "data-value" in d] == [3.75]
    assert ">+3.8<" in text and "−120" in text
    assert "closed: country RU" in text
    assert "was 21.8 days" in text and "no route satisfies corridor" in text


def test_time_and_cost_by_kind_add_up_to_the_route(
    analysis: dict[str, Any], bulk_analysis: dict[str, Any]
) -> None:
    for r in analysis["routes"] + bulk_analysis["routes"]:
        assert sum(time_by_kind(r).values()) == pytest.approx(24 * r["time_days"])
        key = "cost_usd_per_t" if r.get("unit") == "t" else "cost_usd_per_feu"
        assert sum(cost_by_kind(r).values()) == pytest.approx(r[key])


def test_the_ferry_wait_is_counted_as_a_ferry_wait() -> None:
    # a hand-built route: 10 h moving, 5 h border, 7 h port, 40 h waiting for the ferry
    legs = [
        {"kind": "link", "mode": "rail_1520", "hours_moving": 10, "hours_waiting": 0},
        {"kind": "border", "mode": "rail_1520", "hours_moving": 0, "hours_waiting": 5},
        {"kind": "transfer", "mode": "ferry", "hours_moving": 0, "hours_waiting": 7},
        {"kind": "service", "mode": "ferry", "hours_moving": 0, "hours_waiting": 40},
    ]
    assert time_by_kind({"legs": legs}) == {
        "moving": 10.0, "borders": 5.0, "ports_transfers": 7.0, "ferry_liner_waits": 40.0
    }  # fmt: skip


def test_bars_stay_inside_their_frame() -> None:
    segs, height, _ = bar_layout([[30.0, 10.0, 5.0, 1.0], [12.0, 0.0, 3.0, 0.0], [0.0] * 4])
    assert segs and all(s.x >= 0 and s.x + s.w <= WIDTH + 1e-9 for s in segs)
    assert all(s.y >= 0 and s.y + s.h <= height for s in segs)
    assert max(s.x + s.w for s in segs) <= WIDTH - 80  # room left for the total label


EVIL = ['x" onload="alert(1)', "x' onclick='alert(1)", "<blink>x</blink>"]


@pytest.mark.parametrize("evil", EVIL)
def test_no_name_injects_an_attribute_or_a_tag(
    analysis: dict[str, Any], network: Any, evil: str
) -> None:
    a = copy.deepcopy(analysis)
    for r in a["routes"]:
        r["corridor"] = evil + r["corridor"]
        for b in r.get("bottlenecks", []):
            b["name"] = evil
    text = render_report(a, network, changes=[evil], detail=True)
    svg = stacked_bars_svg([evil], [[1.0]], {evil: evil}, unit=evil, total_text=[evil], title=evil)
    for doc in (text, svg):
        tags = _tags(doc)
        assert not any(k.startswith("on") for _, attrs in tags for k in attrs)
        assert not any(t == "blink" for t, _ in tags)
