"""The result cache of calibrations and loaded networks: a hit equals a fresh result, any
changed input byte is a miss, a damaged file is a miss, racing writers leave a whole file."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from corridor.loaded import calibration as calibration_module
from corridor.loaded import prepare as prepare_module
from corridor.loaded.cache import ResultCache
from corridor.loaded.network import LoadedNetwork
from corridor.loaded.prepare import prepare
from corridor.model.network import load_network
from corridor.model.scenario import Closure, Scenario
from tiny_network import TINY


def same(a: LoadedNetwork, b: LoadedNetwork) -> None:
    np.testing.assert_array_equal(a.edge_flow_teu, b.edge_flow_teu)
    np.testing.assert_array_equal(a.element_t, b.element_t)
    np.testing.assert_array_equal(a.graph.hours_waiting, b.graph.hours_waiting)
    np.testing.assert_array_equal(a.graph.cost_usd, b.graph.cost_usd)
    assert [(f.segment.name, f.paths, f.unserved) for f in a.flows] == [
        (f.segment.name, f.paths, f.unserved) for f in b.flows
    ]
    assert (a.scenario, a.relative_gap, a.sweeps) == (b.scenario, b.relative_gap, b.sweeps)


def files(cache: ResultCache, kind: str) -> list[Path]:
    return sorted(cache.folder.rglob(f"{kind}/*.pickle"))


def no_computing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make any computation (rather than a cache read) fail loudly."""

    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("computed instead of read from the cache")

    monkeypatch.setattr(prepare_module, "_prepare", fail)
    monkeypatch.setattr(calibration_module, "_calibrate", fail)


def test_hit_equals_fresh_and_points_at_the_callers_network(
    tiny_dataset: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = ResultCache(tmp_path / "cache")
    net = load_network(tiny_dataset())
    fresh = prepare(net)
    stored = prepare(net, cache=cache)
    assert len(files(cache, "prepare")) == 1 and len(files(cache, "calibration")) == 1
    no_computing(monkeypatch)
    again = load_network(tiny_dataset())  # a new process would load the files anew
    hit = prepare(again, cache=cache)
    same(hit, fresh)
    same(stored, fresh)
    assert hit.network is again and hit.graph.network is again  # not a stored copy


def test_a_changed_csv_byte_is_a_miss(tiny_dataset: Callable[..., Path], tmp_path: Path) -> None:
    cache = ResultCache(tmp_path / "cache")
    prepare(load_network(tiny_dataset()), cache=cache)
    # one byte: the ferry's capacity per sailing 100 -> 900 TEU
    services = TINY["services"].replace(",ferry,3,100,", ",ferry,3,900,")
    assert services != TINY["services"]
    changed = load_network(tiny_dataset(services=services))
    cached = prepare(changed, cache=cache)
    fresh = prepare(changed)
    same(cached, fresh)
    assert len(files(cache, "prepare")) == 2 and len(files(cache, "calibration")) == 2
    old = prepare(load_network(tiny_dataset(services=TINY["services"])))
    assert not np.array_equal(old.graph.hours_waiting, fresh.graph.hours_waiting)


def test_scenarios_and_parameters_have_their_own_entries(
    tiny_dataset: Callable[..., Path], tmp_path: Path
) -> None:
    cache = ResultCache(tmp_path / "cache")
    base = load_network(tiny_dataset())
    closed = Scenario("no-russia", base, (Closure("countries", "RU"),))
    same(prepare(closed, cache=cache), prepare(closed))
    same(prepare(base, cache=cache), prepare(base))
    same(prepare(base, growth=2.0, cache=cache), prepare(base, growth=2.0))
    assert len(files(cache, "prepare")) == 3
    assert len(files(cache, "calibration")) == 1  # one base


def test_a_damaged_file_is_recomputed(tiny_dataset: Callable[..., Path], tmp_path: Path) -> None:
    cache = ResultCache(tmp_path / "cache")
    net = load_network(tiny_dataset())
    prepare(net, cache=cache)
    (path,) = files(cache, "prepare")
    path.write_bytes(path.read_bytes()[:100])
    same(prepare(net, cache=cache), prepare(net))


def test_racing_processes_leave_one_whole_file(
    tiny_dataset: Callable[..., Path], tmp_path: Path
) -> None:
    folder = tiny_dataset()
    code = (
        "import sys; from pathlib import Path\n"
        "from corridor.loaded.cache import ResultCache\n"
        "from corridor.loaded.prepare import prepare\n"
        "from corridor.model.network import load_network\n"
        "prepare(load_network(sys.argv[1]), cache=ResultCache(Path(sys.argv[2])))\n"
    )
    args = [sys.executable, "-c", code, str(folder), str(tmp_path / "cache")]
    procs = [subprocess.Popen(args) for _ in range(3)]
    assert [p.wait() for p in procs] == [0, 0, 0]
    cache = ResultCache(tmp_path / "cache")
    assert len(files(cache, "prepare")) == 1
    assert not list(cache.folder.rglob("*.tmp"))  # no temporary file left behind
    net = load_network(folder)
    same(prepare(net, cache=cache), prepare(net))
