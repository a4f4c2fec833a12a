"""`corridor report --appraisal FILE`: the report's appraisal section from a real appraisal
of the tiny catalogue, and files that are not an appraisal refused in one line."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
from appraisal_tiny import write_tiny
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from corridor.cli import build_app
from corridor.errors import DataError
from corridor.report.appraisal_section import read_appraisal
from corridor.report.document import render_report

runner = CliRunner()


@pytest.fixture(scope="module")
def tiny_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tiny(tmp_path_factory.mktemp("tiny"))


@pytest.fixture(scope="module")
def appraisal_file(tiny_folder: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The JSON `corridor appraise --out` writes, for the tiny catalogue under USD 6 m."""
    out = tmp_path_factory.mktemp("appraisal")
    res = runner.invoke(
        build_app(),
        ["appraise", "--dataset", str(tiny_folder), "--budget", "6e6", "--horizon", "15",
         "--no-store", "--json", "--out", str(out)],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    return out / "appraisal.json"


def _cells(html: str, css: str, key: str) -> list[str]:
    """The texts of column ``key`` in the table of class ``css``."""
    table = re.search(rf'<table class="records {css}">(.*?)</table>', html, re.S)
    assert table is not None, f"no table {css}"
    return re.findall(rf'<td [^>]*data-key="{re.escape(key)}"[^>]*>([^<]*)</td>', table.group(1))


def _values(html: str, css: str, key: str) -> list[float]:
    """The numbers (``data-value``) of column ``key`` in the table of class ``css``."""
    table = re.search(rf'<table class="records {css}">(.*?)</table>', html, re.S)
    assert table is not None, f"no table {css}"
    pattern = rf'data-key="{re.escape(key)}" data-value="([^"]*)"'
    return [float(v) for v in re.findall(pattern, table.group(1))]


def test_report_shows_the_ranking_portfolio_plan_and_tornado(
    tiny_folder: Path, appraisal_file: Path, tmp_path: Path
) -> None:
    result = json.loads(appraisal_file.read_text())
    p = result["portfolio"]
    assert p["ids"] and p["sensitivity"]  # the tiny catalogue buys something under 6 m
    out = tmp_path / "r.html"
    res = runner.invoke(
        build_app(),
        ["report", "--no-stress", "--dataset", str(tiny_folder), "--appraisal", str(appraisal_file),
         "--out", str(out)],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    html = out.read_text()
    section = html[html.index('<section id="appraisal"') :]
    section = section[: section.index("</section>")]
    # every measure, in the JSON's order (best NPV first)
    assert _cells(section, "appraisal-ranking", "measure") == [m["id"] for m in result["measures"]]
    assert re.search(r"<b>([^<]*)</b>; cost USD", section).group(1) == ", ".join(p["ids"])  # type: ignore[union-attr]
    assert _cells(section, "appraisal-plan", "measure") == [
        m["id"] for m in p["staged_plan"]["measures"]
    ]
    # the days table: every route the portfolio moves, before and after
    moved = [
        c for c in p["corridors"]
        if c["days_after"] is not None and abs(c["days_after"] - c["days_before"]) >= 0.05
    ]  # fmt: skip
    assert moved, "the tiny portfolio should shorten the middle corridor"
    assert _cells(section, "appraisal-days", "corridor") == [c["corridor"] for c in moved]
    for key in ("days_before", "days_after"):
        shown = _values(section, "appraisal-days", key.replace("_", " "))
        assert shown == pytest.approx([c[key] for c in moved], abs=0.051)
    # the tornado is drawn inline: the report still opens offline
    assert "<svg" in section and "appraisal_tornado.png" not in section
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert '<a href="#appraisal">' in html


def test_a_file_that_is_no_appraisal_is_refused_in_one_line(
    tiny_folder: Path, tmp_path: Path
) -> None:
    analysis = tmp_path / "analysis.json"
    analysis.write_text(json.dumps({"dataset": "tiny", "scenario": "base", "routes": []}))
    for bad in (analysis, tmp_path / "missing.json"):
        out = tmp_path / "r.html"
        res = runner.invoke(
            build_app(),
            ["report", "--dataset", str(tiny_folder), "--appraisal", str(bad), "--out", str(out)],
        )
        assert res.exit_code == 2, res.output
        assert res.stderr.strip().count("\n") == 0 and str(bad) in res.stderr
        assert "Traceback" not in res.output
        assert not out.exists()


def test_the_generic_section_still_shows_other_results() -> None:
    html = render_report(
        {"dataset": "d", "scenario": "base", "routes": []},
        appraisal={"ranking": [{"id": "aktau_cranes", "bcr": 3.1}]},
    )
    assert "aktau_cranes" in html and "Measures ranked by NPV" not in html


# printable ASCII: a glyph missing from the chart's font is a warning, an error under pytest
_TEXT = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=5)
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | _TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_TEXT, inner, max_size=3),
    max_leaves=6,
)


def _paths(obj: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key path inside a JSON value."""
    out = [prefix] if prefix else []
    items = (
        obj.items() if isinstance(obj, dict) else enumerate(obj) if isinstance(obj, list) else []
    )
    for k, v in items:
        out += _paths(v, (*prefix, k))
    return out


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_a_damaged_appraisal_is_refused_or_shown_never_a_traceback(
    appraisal_file: Path, tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    result = json.loads(appraisal_file.read_text())
    damaged = copy.deepcopy(result)
    where = data.draw(st.sampled_from(_paths(damaged)))
    parent = damaged
    for step in where[:-1]:
        parent = parent[step]
    if data.draw(st.booleans()) and isinstance(parent, dict):
        del parent[where[-1]]
    else:
        parent[where[-1]] = data.draw(_JSON)
    path = tmp_path_factory.mktemp("damaged") / "a.json"
    path.write_text(json.dumps(damaged))
    try:
        shown = read_appraisal(path)
    except DataError as exc:
        assert str(exc).startswith(str(path)) and "\n" not in str(exc)
        return
    html = render_report({"dataset": "d", "scenario": "base", "routes": []}, appraisal=shown)
    assert '<section id="appraisal"' in html


def _default_sized(result: dict[str, Any]) -> dict[str, Any]:
    """The tiny appraisal grown to the default catalogue's size: 25 measures, 40 routes the
    portfolio moves, a robust run over five scenarios (the layout, not the numbers, counts)."""
    big = copy.deepcopy(result)
    big["measures"] = [{**m, "id": f"{m['id']}_{k}"} for k in range(5) for m in result["measures"]][
        :25
    ]
    p = big["portfolio"]
    moved = [c for c in p["corridors"] if c["days_after"] != c["days_before"]]
    p["corridors"] = [{**c, "destination": f"{c['destination']}{k}"} for k in range(20)
                      for c in moved][:40]  # fmt: skip
    scenarios = ["base", "russia-belarus-closed", "red-sea-closed", "caspian-low-water",
                 "demand-x2"]  # fmt: skip
    cand = {"ids": p["ids"], "npv_usd_by_scenario": dict.fromkeys(scenarios, p["npv_usd"]),
            "expected_npv_usd": p["npv_usd"], "max_regret_usd": 0.0}  # fmt: skip
    big["robust"] = {
        "scenarios": scenarios,
        "candidates": [{**cand, "from": s} for s in scenarios],
        "min_regret_portfolio": {"ids": p["ids"]},
        "expected_value_of_perfect_information_usd": 0.0,
    }
    return big


@pytest.mark.browser
def test_the_printed_report_grows_by_at_most_two_pages(
    appraisal_file: Path, tmp_path: Path
) -> None:
    import os

    chromium = os.environ.get("CORRIDOR_CHROMIUM", "/usr/bin/chromium")
    if not os.path.exists(chromium):
        if os.environ.get("CI"):
            pytest.fail(f"Debian's chromium is not installed ({chromium})")
        pytest.skip(f"Debian's chromium is not installed ({chromium})")
    big = tmp_path / "big.json"
    big.write_text(json.dumps(_default_sized(json.loads(appraisal_file.read_text()))))
    pages = []
    for extra in ([], ["--appraisal", str(big)]):
        out = tmp_path / f"r{len(extra)}.html"
        res = runner.invoke(
            build_app(),
            ["report", "--no-stress", "--origin", "xian", "--destination", "duisburg",
             "--out", str(out), "--pdf", *extra],
            env={"CORRIDOR_CHROMIUM": chromium},
        )  # fmt: skip
        assert res.exit_code == 0, res.output
        pdf = out.with_suffix(".pdf").read_bytes()
        pages.append(len(re.findall(rb"/Type\s*/Page\b", pdf)))
    assert 1 <= pages[1] - pages[0] <= 2, pages


def test_a_p90_portfolio_names_its_target_and_its_days(tiny_folder: Path) -> None:
    from corridor.appraisal.api import appraise
    from corridor.model.network import load_network
    from corridor.report.appraisal_section import appraisal_blocks

    result = appraise(
        load_network(tiny_folder), budget_usd=6e6, objective="p90", target=("a", "f", "middle")
    )
    t = result["portfolio"]["target"]
    assert t["p90_days_after"] < t["p90_days_before"]  # the scanner and window cut the border
    html = "".join(appraisal_blocks(result, tornado=False))
    line = re.search(r'<p class="appraisal-target">([^<]*)</p>', html)
    assert line is not None
    assert f"{t['p90_days_before']:.1f} → {t['p90_days_after']:.1f} days" in line.group(1)


def test_a_sensitivity_figure_left_null_is_a_dash_not_a_bar(
    appraisal_file: Path, tmp_path: Path
) -> None:
    """Hypothesis found it: ``npv_low_usd: null`` passed the checks (numbers may be
    null) and then broke the tornado's float()."""
    result = json.loads(appraisal_file.read_text())
    cases = result["portfolio"]["sensitivity"]
    assert len(cases) >= 2
    gone = cases[0]["name"]
    cases[0]["npv_low_usd"] = None
    path = tmp_path / "a.json"
    path.write_text(json.dumps(result))
    html = render_report({"dataset": "d", "scenario": "base", "routes": []},
                         appraisal=read_appraisal(path))  # fmt: skip
    tornado = html[html.index('<figure class="tornado">') :]
    tornado = tornado[: tornado.index("</figure>")]
    assert cases[1]["name"] in tornado
    assert gone not in tornado
