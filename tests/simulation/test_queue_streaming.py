"""`corridor queue` at scale against Erlang-C written out here, and the streaming statistics
(histogram quantiles, Little's law without sorting events) against exact ones."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np
import pytest

from corridor.simulation.queue import simulate_station


def erlang_c_mean_wait(c: int, lam: float, mu: float) -> tuple[float, float]:
    """P(wait) and mean wait of M/M/c from the closed form (textbook, not the package)."""
    a = lam / mu
    rho = a / c
    top = a**c / math.factorial(c) / (1.0 - rho)
    p_wait = top / (sum(a**k / math.factorial(k) for k in range(c)) + top)
    return p_wait, p_wait / (c * mu - lam)


def test_erlang_c_closed_form_known_value() -> None:
    # M/M/2 with a = 1: P(wait) = 1/3, Wq = (1/3) / (2 - 1) (textbook)
    assert erlang_c_mean_wait(2, 1.0, 1.0) == pytest.approx((1 / 3, 1 / 3))


def test_five_million_customers_whole_command_within_3_percent_of_erlang_c() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "corridor", "queue", "--servers", "3", "--arrival-rate", "2.1",
         "--service-rate", "1", "--customers", "5000000", "--json"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    data = json.loads(proc.stdout)
    p_wait, mean_wait = erlang_c_mean_wait(3, 2.1, 1.0)
    assert data["customers"] == 5_000_000
    assert data["mean_wait_h"] == pytest.approx(mean_wait, rel=0.03)
    assert data["p_wait"] == pytest.approx(p_wait, abs=0.005)
    assert data["utilisation"] == pytest.approx(0.7, rel=0.005)
    # Little's law holds between two independent measurements
    assert data["mean_in_system"] == pytest.approx(data["littles_law_in_system"], rel=0.005)


@pytest.mark.parametrize(
    ("servers", "lam", "cv", "distribution"),
    [(3, 2.1, 1.0, "lognormal"), (1, 0.8, 0.0, "lognormal"), (2, 1.7, 2.5, "lognormal"),
     (4, 3.0, 0.5, "gamma")],
)  # fmt: skip
def test_streaming_quantiles_match_exact_ones(
    servers: int, lam: float, cv: float, distribution: str
) -> None:
    r = simulate_station(
        servers, lam, 1.0, service_cv=cv, distribution=distribution, customers=200_000, seed=11
    )
    exact = np.quantile(r.waits, [0.5, 0.9, 0.99], method="lower")
    for got, want in zip((r.p50_wait_h, r.p90_wait_h, r.p99_wait_h), exact, strict=True):
        assert got == pytest.approx(want, rel=1e-3, abs=1e-12)
    assert r.max_wait_h == r.waits.max()
    assert r.mean_wait_h == pytest.approx(r.waits.mean(), rel=1e-12)
    assert r.p_wait == pytest.approx((r.waits > 0).mean(), rel=1e-12)
