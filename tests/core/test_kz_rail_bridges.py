"""The Kazakh rail bridges of the default dataset act through the structures' mechanism.

Hand-computed from their rows (structures.csv), the link rows and the
conditions table, with the formulas of :mod:`corridor.graph.structures`.
"""

from __future__ import annotations

import pytest

from corridor.graph.structures import link_effects
from corridor.model.network import load_network


def test_the_semey_irtysh_bridge_slows_and_closes_its_link() -> None:
    fx = link_effects(load_network())["r_aktogay_semey"]
    # 0.6 km at 40 km/h instead of 64.3 km/h x 0.9 (the link's condition B)
    assert fx.extra_moving_h == pytest.approx(0.6 * (1 / 40 - 1 / (64.3 * 0.9)))
    # half a closure a year of one day, no detour: closed 0.5/365 of the year, waited out
    p = 0.5 * 1 / 365
    assert fx.wait_h == pytest.approx(p * 24.0)
    assert fx.capacity_factor == pytest.approx(1 - p)
    assert (fx.closures_per_year, fx.repair_h) == (0.5, 24.0)


def test_the_new_ili_and_tokyrau_bridges_only_close() -> None:
    fx = link_effects(load_network())
    for link, closures in (("r_altynkol_zhetygen", 0.2), ("r_aktogay_moyinty", 0.3)):
        p = closures * 2 / 365  # two days a closure
        assert fx[link].extra_moving_h == 0.0  # no restriction, condition not below the link's
        assert fx[link].wait_h == pytest.approx(p * 48.0)
        assert fx[link].capacity_factor == pytest.approx(1 - p)
