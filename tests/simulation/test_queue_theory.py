"""The FCFS station kernel against queueing theory (Erlang-C, Pollaczek-Khinchine)."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from corridor.errors import CorridorError
from corridor.simulation import theory
from corridor.simulation.queue import simulate_station


def test_mmc_mean_wait_within_2_percent_of_erlang_c() -> None:
    # At 1e6 customers and rho = 0.7 the error of the mean has sd ~0.9 % over
    # seeds; 2e6 customers put the 2 % bar at about three standard deviations.
    r = simulate_station(3, 2.1, 1.0, service_cv=1.0, customers=2_000_000, seed=1)
    assert r.theory.name.startswith("Erlang-C")
    lo, hi = r.mean_wait_ci95_h
    assert lo < r.theory.mean_wait_h < hi
    assert r.mean_wait_h == pytest.approx(r.theory.mean_wait_h, rel=0.02)
    # The whole waiting-time distribution, not only its mean.
    assert r.p_wait == pytest.approx(theory.erlang_c(3, 2.1, 1.0), abs=0.01)
    assert r.p90_wait_h == pytest.approx(theory.mmc_wait_quantile(3, 2.1, 1.0, 0.9), rel=0.03)
    assert r.utilisation == pytest.approx(0.7, rel=0.01)


@pytest.mark.slow
def test_mmc_erlang_c_many_servers_heavy_load() -> None:
    r = simulate_station(10, 9.0, 1.0, customers=4_000_000, seed=5)
    assert r.mean_wait_h == pytest.approx(r.theory.mean_wait_h, rel=0.02)


@pytest.mark.parametrize(
    ("cv", "distribution"), [(0.0, "lognormal"), (0.5, "gamma"), (1.5, "lognormal")]
)
def test_mg1_mean_wait_matches_pollaczek_khinchine(cv: float, distribution: str) -> None:
    lam, mu = 0.6, 1.0
    r = simulate_station(
        1, lam, mu, service_cv=cv, distribution=distribution, customers=1_000_000, seed=2
    )
    exact = theory.pollaczek_khinchine(lam, mu, cv * cv)
    assert r.theory.exact
    assert r.theory.mean_wait_h == pytest.approx(exact)
    assert r.mean_wait_h == pytest.approx(exact, rel=0.03)
    lo, hi = r.mean_wait_ci95_h
    assert lo < r.mean_wait_h < hi


def test_md1_is_half_of_mm1() -> None:
    md1 = simulate_station(1, 0.5, 1.0, service_cv=0.0, customers=400_000, seed=4)
    mm1 = simulate_station(1, 0.5, 1.0, service_cv=1.0, customers=400_000, seed=4)
    assert md1.mean_wait_h / mm1.mean_wait_h == pytest.approx(0.5, rel=0.05)


def test_mgc_close_to_allen_cunneen_at_moderate_load() -> None:
    # An approximation, known to be within a few per cent for CV near 1 and rho ~ 0.7.
    r = simulate_station(
        4, 2.8, 1.0, service_cv=0.7, distribution="gamma", customers=1_000_000, seed=3
    )
    assert not r.theory.exact
    assert r.mean_wait_h == pytest.approx(r.theory.mean_wait_h, rel=0.10)


def test_littles_law_at_the_station() -> None:
    r = simulate_station(2, 1.5, 1.0, service_cv=0.8, customers=200_000, seed=9)
    assert r.mean_in_system == pytest.approx(r.littles_law_in_system, rel=0.01)


def test_same_seed_same_result_other_seed_differs() -> None:
    a = simulate_station(2, 1.2, 1.0, customers=5_000, seed=7)
    b = simulate_station(2, 1.2, 1.0, customers=5_000, seed=7)
    c = simulate_station(2, 1.2, 1.0, customers=5_000, seed=8)
    assert a.to_dict() == b.to_dict()
    assert a.mean_wait_h != c.mean_wait_h


def test_chunking_does_not_change_the_result() -> None:
    a = simulate_station(2, 1.2, 1.0, customers=10_000, seed=7)
    b = simulate_station(2, 1.2, 1.0, customers=10_000, seed=7, chunk=777)
    assert (a.waits == b.waits).all()


@pytest.mark.parametrize(
    ("c", "lam", "mu"),
    [(0, 1.0, 1.0), (1, 1.0, 1.0), (2, -1.0, 1.0), (2, 1.0, 0.0), (1, math.inf, 1.0)],
)
def test_invalid_input_is_a_user_error(c: int, lam: float, mu: float) -> None:
    with pytest.raises(CorridorError):
        simulate_station(c, lam, mu, customers=100)


def test_erlang_c_known_values() -> None:
    # M/M/1: P(wait) = rho; M/M/2 with a = 1: C = 1/3 (textbook value).
    assert theory.erlang_c(1, 0.3, 1.0) == pytest.approx(0.3)
    assert theory.erlang_c(2, 1.0, 1.0) == pytest.approx(1 / 3)
    # Large c must not overflow (recursion through Erlang B).
    assert 0.0 < theory.erlang_c(500, 480.0, 1.0) < 1.0


def test_cli_queue_json_and_user_error() -> None:
    from corridor.cli import build_app

    runner = CliRunner()
    app = build_app()
    ok = runner.invoke(
        app,
        [
            "queue",
            "--servers",
            "2",
            "--arrival-rate",
            "1.2",
            "--service-rate",
            "1",
            "--customers",
            "50000",
            "--json",
        ],
    )
    assert ok.exit_code == 0, ok.output
    data = json.loads(ok.output)
    for key in ("customers", "utilisation", "mean_wait_h", "p90_wait_h", "theory_mean_wait_h"):
        assert key in data
    assert data["customers"] == 50_000
    bad = runner.invoke(
        app, ["queue", "--servers", "1", "--arrival-rate", "2", "--service-rate", "1"]
    )
    assert bad.exit_code == 2
    assert "unstable" in bad.output and "Traceback" not in bad.output


def test_kernel_without_jit_matches_compiled() -> None:
    code = (
        "from corridor.simulation.queue import simulate_station\n"
        "r = simulate_station(2, 1.2, 1.0, service_cv=0.6, customers=2000, seed=3)\n"
        "print(repr(float(r.waits.sum())))\n"
    )
    env = dict(os.environ, NUMBA_DISABLE_JIT="1")
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout
    r = simulate_station(2, 1.2, 1.0, service_cv=0.6, customers=2000, seed=3)
    assert float(out) == pytest.approx(float(r.waits.sum()), rel=1e-9)
