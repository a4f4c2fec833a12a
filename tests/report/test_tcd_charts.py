"""Time/cost-distance charts: the staircase, the PNG and the interactive SVG/HTML."""

from __future__ import annotations

import itertools
import math
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corridor.report.tcd import (
    group_by_pair,
    tcd_series,
    tcd_svg,
    write_tcd_charts,
    write_tcd_html,
    write_tcd_png,
)

_leg = st.fixed_dictionaries(
    {
        "from": st.sampled_from(["a", "b", "c"]),
        "to": st.sampled_from(["a", "b", "c"]),
        "kind": st.sampled_from(["link", "border", "service", "transfer", "access", "egress"]),
        "mode": st.sampled_from(["rail_1520", "ferry", "sea"]),
        "distance_km": st.one_of(st.just(0.0), st.floats(0.1, 20_000)),
        "hours_moving": st.floats(0, 1_000),
        "hours_waiting": st.one_of(st.just(0.0), st.floats(0, 500)),
        "cost_usd": st.floats(0, 5_000),
    }
)


@settings(max_examples=60, deadline=None)
@given(st.lists(_leg, min_size=1, max_size=15))
def test_staircase_ends_at_the_route_totals_and_never_goes_back(legs: list[dict[str, Any]]) -> None:
    s = tcd_series({"corridor": "x", "origin": "a", "destination": "b", "legs": legs})
    km = sum(leg["distance_km"] for leg in legs)
    hours = sum(leg["hours_moving"] + leg["hours_waiting"] for leg in legs)
    usd = sum(leg["cost_usd"] for leg in legs)
    assert math.isclose(s.total_km, km, rel_tol=1e-9, abs_tol=1e-9)
    assert math.isclose(s.total_days * 24, hours, rel_tol=1e-9, abs_tol=1e-9)
    assert math.isclose(s.total_usd, usd, rel_tol=1e-9, abs_tol=1e-9)
    for pts in (s.time, s.cost):
        for (x0, y0), (x1, y1) in itertools.pairwise(pts):
            assert x1 >= x0 and y1 >= y0
    # Every jump is vertical: its x is a place where the line does not advance.
    for j in s.time_jumps:
        assert (j.x, j.y0) in s.time and (j.x, j.y1) in s.time
    assert math.isclose(
        sum(j.size for j in s.time_jumps) * 24,
        sum(leg["hours_waiting"] for leg in legs)
        + sum(leg["hours_moving"] for leg in legs if leg["distance_km"] == 0),
        rel_tol=1e-9,
        abs_tol=1e-9,
    )


def test_waiting_is_a_jump_at_the_start_of_its_leg(analysis: dict[str, Any]) -> None:
    route = analysis["routes"][0]
    s = tcd_series(route)
    ferry = next(i for i, leg in enumerate(route["legs"]) if leg["kind"] == "service")
    x0, x1, t0, t1, *_ = s.segments[ferry]
    jump = next(j for j in s.time_jumps if j.leg == ferry)
    assert jump.x == x0 and jump.y0 == t0
    assert math.isclose(jump.size * 24, route["legs"][ferry]["hours_waiting"])
    assert x1 - x0 == route["legs"][ferry]["distance_km"]
    # The segment's end matches the route's running total
    assert math.isclose(t1 * 24, sum(
        leg["hours_moving"] + leg["hours_waiting"] for leg in route["legs"][: ferry + 1]
    ))  # fmt: skip


def test_svg_has_one_line_per_route_and_panel_and_a_tooltip_per_leg(
    analysis: dict[str, Any],
) -> None:
    (_pair, group), _ = group_by_pair(analysis["routes"])
    svg = tcd_svg(group, names={"xian": "Xi'an"})
    assert svg.count('class="route"') == 2 * len(group)
    tips = re.findall(r'class="hit" data-tip="', svg)
    legs_with_something = sum(
        1 for r in group for leg in r["legs"]
        if leg["distance_km"] or leg["hours_moving"] or leg["hours_waiting"]
    )  # fmt: skip
    assert len(tips) >= legs_with_something
    assert "Xi&#x27;an → duisburg" in svg
    # The biggest jump of the middle route is annotated with its size in hours.
    assert "aktau–alat ferry (110 h)" in svg


def test_html_is_self_contained_with_one_figure_per_pair(
    analysis: dict[str, Any], tmp_path: Path
) -> None:
    out = write_tcd_html(analysis["routes"], tmp_path / "tcd.html")
    text = out.read_text(encoding="utf-8")
    assert text.count("<figure>") == len(group_by_pair(analysis["routes"])) == 2
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text)
    assert "<script" in text and "data-tip" in text


def test_png_is_written_atomically(analysis: dict[str, Any], tmp_path: Path) -> None:
    out = write_tcd_png(analysis["routes"], tmp_path / "tcd.png")
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert width > height > 0  # two pairs: two rows, still wider than tall at 13 in
    assert [p.name for p in tmp_path.iterdir()] == ["tcd.png"]


def test_charts_per_pair(analysis: dict[str, Any], tmp_path: Path) -> None:
    written = write_tcd_charts(analysis, tmp_path)
    assert sorted(p.name for p in written) == sorted(
        f"tcd_{o}_{d}.{ext}"
        for o, d in {(r["origin"], r["destination"]) for r in analysis["routes"]}
        for ext in ("png", "html")
    )


def test_empty_input_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        write_tcd_png([], tmp_path / "x.png")
    with pytest.raises(ValueError):
        tcd_svg([])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(_leg, min_size=1, max_size=12), min_size=1, max_size=10))
def test_jump_labels_stay_inside_the_plot_and_do_not_overlap(
    routes_legs: list[list[dict[str, Any]]],
) -> None:
    from corridor.report.tcd_geometry import _labels, nice_ticks

    series = [
        tcd_series({"corridor": f"c{i}", "origin": "a", "destination": "b", "legs": legs})
        for i, legs in enumerate(routes_legs)
    ]
    xhi = nice_ticks(max(s.total_km for s in series) or 1.0)[-1]
    yhi = nice_ticks(max(s.total_days for s in series) or 1.0)[-1]
    char_w, line = 0.011, 0.036
    placed = _labels(series, True, xhi, yhi, char_w=char_w, line=line, most=7)
    assert len(placed) <= 7
    boxes = []
    for u, v, text, _cid, anchor in placed:
        u0, u1 = (u, u + char_w * len(text)) if anchor == "start" else (u - char_w * len(text), u)
        # Kept inside on the right; a label wider than the plot is the only exception.
        assert u1 <= 1.0 or u0 < 0.01
        boxes.append((u0, u1, v))
    for (a0, a1, av), (b0, b1, bv) in itertools.combinations(boxes, 2):
        assert not (abs(av - bv) < line - 1e-9 and a0 < b1 and b0 < a1)


def test_a_duplicate_route_is_named_in_the_legend_not_drawn(analysis: dict[str, Any]) -> None:
    (_pair, group), _ = group_by_pair(analysis["routes"])
    dup = {**group[0], "corridor": "middle_black_sea", "same_route_as": "middle"}
    svg = tcd_svg([group[0], dup, *group[1:]])
    assert svg.count('class="route"') == 2 * len(group)
    assert 'data-corridor="middle_black_sea"' not in svg
    assert "Middle Corridor (same route: Middle via Black Sea)" in svg
