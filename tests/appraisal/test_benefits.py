"""Benefits from re-running the loaded network on the tiny catalogue."""

from __future__ import annotations

import pytest

from corridor.appraisal.evaluation import Evaluator
from corridor.model.network import Network
from corridor.model.scenario import Scenario


@pytest.fixture
def ev(tiny: Network) -> Evaluator:
    return Evaluator(Scenario("base", tiny))


def test_a_measure_that_changes_nothing_has_exactly_zero_benefit(ev: Evaluator) -> None:
    b = ev.benefits(["m_nothing"])
    assert (b.total_usd, b.time_usd, b.money_usd) == (0.0, 0.0, 0.0)
    a = ev.appraise(["m_nothing"])
    assert a.result.pv_benefits_usd == 0.0
    assert a.result.npv_usd == pytest.approx(-a.result.pv_costs_usd)


def test_border_dwell_cut_is_valued_at_value_of_time(ev: Evaluator) -> None:
    # halving the border's dwell, with no capacity binding and no route change, saves
    # every FEU through it the dwell's fall (plus its queue's) at its value of time;
    # the scheduled dwell alone is a lower bound, recomputed here from the inputs
    b = ev.benefits(["m_scanner"])
    loaded = ev.loaded(())
    feu = sum(v * f.segment.teu_per_unit / 2 for f in loaded.flows for _, v in f.paths)
    vot = {f.segment.value_of_time for f in loaded.flows}
    assert b.rerouted_usd == 0 and b.induced_usd == 0 and b.money_usd == 0
    assert b.total_usd >= feu * min(vot) * 15.0 * (1 - 1e-9)
    assert sum(b.by_country.values()) == pytest.approx(b.total_usd)
    assert set(b.by_country) == {"CN", "KZ"}  # the border lies between them


def test_two_measures_on_one_bottleneck_are_worth_less_together(ev: Evaluator) -> None:
    scanner = ev.benefits(["m_scanner"]).total_usd
    window = ev.benefits(["m_window"]).total_usd
    both = ev.benefits(["m_scanner", "m_window"]).total_usd
    assert scanner > 0 and window > 0
    assert max(scanner, window) < both < scanner + window
    assert ev.appraise(["m_scanner", "m_window"]).result.npv_usd < (
        ev.appraise(["m_scanner"]).result.npv_usd + ev.appraise(["m_window"]).result.npv_usd
    )


def test_measures_apart_add_up(ev: Evaluator) -> None:
    # a border and a port far apart on different legs barely interact (control for the above)
    border = ev.benefits(["m_scanner"]).total_usd
    port = ev.benefits(["m_port"]).total_usd
    both = ev.benefits(["m_scanner", "m_port"]).total_usd
    assert both == pytest.approx(border + port, rel=1e-3)


def test_a_measure_of_several_rows_applies_them_all(ev: Evaluator) -> None:
    m = ev.measure("m_ferry")
    assert m.rows == ("m_ferry_a", "m_ferry_b")
    assert m.capex_usd == 30_000_000
    assert ev.benefits(["m_ferry"]).total_usd != ev.benefits([]).total_usd
