"""The web service prepares each scenario's loaded network once and shares it between
requests (pairs, seeds, concurrent requests), so uncached analyses do not queue
behind repeated preparations."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from corridor.loaded import prepare as prepare_module
from corridor.web.service import Query, Service


@pytest.fixture(scope="module")
def service() -> Service:
    """One service for the module (its calibration is computed once); each test asks
    for a scenario no other test prepares."""
    return Service.load()


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    calls: list[Any] = []
    real = prepare_module.prepare

    def prepare(*args: Any, **kwargs: Any) -> Any:
        calls.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(prepare_module, "prepare", prepare)
    return calls


def test_other_pairs_and_seeds_of_a_scenario_reuse_its_loaded_network(
    service: Service, counted: list[Any]
) -> None:
    a = service.analyze(Query("xian", "duisburg", scenario="red-sea-closed", seed=1))[0]
    b = service.analyze(Query("almaty", "istanbul", scenario="red-sea-closed", seed=2))[0]
    # the base is prepared once too (for the difference from base), and shared as well
    assert sorted(s.name for s in counted) == ["base", "red-sea-closed"]
    assert a["scenario"] == b["scenario"] == "red-sea-closed"
    service.analyze(Query("xian", "duisburg", scenario="red-sea-closed", growth=2.0))
    assert len(counted) == 3  # demand growth is another loaded network


def test_concurrent_requests_for_a_new_scenario_prepare_it_once(
    service: Service, counted: list[Any]
) -> None:
    pairs = [("xian", "duisburg"), ("almaty", "istanbul"), ("xian", "istanbul")] * 2
    results: list[Any] = []
    start = threading.Barrier(len(pairs))

    def ask(o: str, d: str, seed: int) -> None:
        start.wait()
        results.append(service.analyze(Query(o, d, scenario="iran-closed", seed=seed))[0])

    threads = [threading.Thread(target=ask, args=(o, d, i)) for i, (o, d) in enumerate(pairs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == len(pairs)
    assert [s.name for s in counted].count("iran-closed") == 1


def test_a_refused_scenario_leaves_nothing_behind(service: Service, counted: list[Any]) -> None:
    bad = Query("xian", "duisburg", close=("countries:ZZ",))
    for _ in range(2):
        with pytest.raises(Exception, match="ZZ"):
            service.analyze(bad)
    assert not counted and not service._preparing  # refused before any preparation
