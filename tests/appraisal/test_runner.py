"""Model runs in worker processes give the runs of this process; batches fill the cache."""

from __future__ import annotations

import numpy as np
import pytest

from corridor.appraisal.evaluation import Evaluator, prefetch
from corridor.appraisal.runner import Runner
from corridor.model.network import Network
from corridor.model.scenario import Scenario


def _first_anchor(ev: Evaluator) -> float:
    return ev.params.growth_factor(ev.params.anchors()[0])


def _flows(ev: Evaluator, ids: list[str]) -> list[tuple[str, object, float]]:
    return [(f.segment.name, f.paths, f.unserved) for f in ev.loaded(ids, _first_anchor(ev)).flows]


def test_a_batch_in_two_worker_processes_equals_the_runs_in_this_process(tiny: Network) -> None:
    scen = Scenario("base", tiny)
    sets = [["m_scanner"], ["m_nothing"], ["m_scanner", "m_nothing"]]
    alone = Evaluator(scen)
    with Runner(2) as runner:
        pooled = Evaluator(scen, calibration=alone.calibration, runner=runner)
        pooled.prefetch(sets)
        # every run the benefits of these sets read was done in the batch
        assert pooled.missing(sets) == []
        runs = pooled.runs
        for ids in sets:
            assert pooled.appraise(ids).result.npv_usd == alone.appraise(ids).result.npv_usd
            assert _flows(pooled, ids) == _flows(alone, ids)
            g = _first_anchor(pooled)
            assert np.array_equal(
                pooled.loaded(ids, g).graph.hours_waiting, alone.loaded(ids, g).graph.hours_waiting
            )
        assert pooled.runs == runs  # nothing was run again


def test_one_batch_serves_evaluators_of_several_scenarios(tiny: Network) -> None:
    first = Evaluator(Scenario("base", tiny))
    with Runner(2) as runner:
        evs = [
            Evaluator(Scenario(name, tiny), calibration=first.calibration, runner=runner)
            for name in ("a", "b")
        ]
        prefetch([(ev, [["m_scanner"]]) for ev in evs])
        assert all(ev.missing([["m_scanner"]]) == [] for ev in evs)
        assert [ev.runs for ev in evs] == [len(evs[0].needed(["m_scanner"]))] * 2


@pytest.mark.parametrize("workers", [0, 17])
def test_workers_out_of_range_are_refused(workers: int) -> None:
    with pytest.raises(ValueError, match="workers"):
        Runner(workers)


def test_a_worker_run_refers_to_this_process_base_tables(tiny: Network) -> None:
    # the base's tables go to the workers once: a run's result names them instead of
    # copying them, so the tables the measure leaves alone are this process's own
    scen = Scenario("base", tiny)
    with Runner(2) as runner:
        ev = Evaluator(scen, runner=runner)
        ev.prefetch([["m_scanner"], ["m_nothing"]])
        loaded = ev.loaded(["m_scanner"], _first_anchor(ev))
    changed = {t for r in ev.measure("m_scanner").changes() for t in _tables_of(tiny, r.id)}
    for name, table in tiny.tables.items():
        if name not in changed:
            assert loaded.network.tables[name] is table, name
    assert changed and all(loaded.network.tables[t] is not tiny.tables[t] for t in changed)


def _tables_of(net: Network, row_id: str) -> list[str]:
    t = net.interventions
    return [str(c) for c in t["component"][t["id"] == row_id]]
