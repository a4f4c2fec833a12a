"""Border crossings as procedures: documents, inspection, lanes and opening hours, per side.

A crossing with rows in ``border_procedures`` is two posts in a row (the
exporting country's exit, the importing country's entry). At each post ``i``
a train or truck is served in

    s_i = documents_h + inspection_share × t_i

where ``t_i`` is the inspection of one selected unit: ``inspection_h`` by
hand, or, at a post with a non-intrusive ``scanner``,
``scan_h + scan_referral_share × inspection_h`` (every selected unit is
scanned, only those whose image raises a doubt are opened)
(on the exit side without documents when the entry side has
``joint_control``: one stop instead of two), by ``lanes`` parallel servers,
during ``opening_h_per_day`` hours ``H`` on ``open_days_per_week`` days
``D`` (one block: the other ``7 − D`` days are a closed weekend). Its hours
at the post are

    w_i(ρ) = o_i + s_i + s_i · k_i · q(ρ / a_i)

with ``a_i = D H / 168`` the open share of the week and
``o_i = (D (24 − H)² + (24 (7 − D))²) / 336`` the mean wait for the post to
open for a unit arriving at a random hour of the week (each closed spell of
length ``L`` is met with probability ``L / 168`` and waited out for ``L / 2``
on average; ``(24 − H)² / 48`` round the week, 6.9 h for a post closed at
weekends);
``k_i = (1 + cv_i²) / (2 lanes)`` and ``q`` the queue factor of
:mod:`corridor.capacity.delay` (the post's load is squeezed into its open
hours). The crossing's dwell is ``r + f · Σ_i w_i(ρ)``: the procedures at
the base year's observed load ρ₀ are held against the observed dwell input;
what they do not explain is a constant rest ``r`` (locomotive changes,
waiting for paperwork beyond the post); if they explain more than the
observation, their times are scaled by ``f < 1`` to it. So the base
reproduces its inputs, and a scanner (inspection time), risk management
(inspection share), staff training (document time and its variability), a
single window or eTIR (document time), joint controls and round-the-clock
opening each change the dwell through their own term. Installing a scanner
is ``scanner`` set to true on a post whose ``scan_h`` and
``scan_referral_share`` say how it would work there.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from corridor.errors import DataError
from corridor.graph.compiled import EDGE_KINDS, CompiledNetwork

FloatArray = npt.NDArray[np.float64]
_BORDER = EDGE_KINDS.index("border")
SIDES = ("exit", "entry")


@dataclass(frozen=True, eq=False)
class Procedures:
    """Per border edge with procedure rows, the posts: ``[:, 0]`` exit, ``[:, 1]`` entry.

    A post without a row has service 0, one lane, open round the clock, so it adds nothing.
    """

    edges: npt.NDArray[np.int64]
    service_h: FloatArray
    k: FloatArray
    lanes: FloatArray
    open_share: FloatArray
    open_wait_h: FloatArray

    def hours(
        self, utilisation: FloatArray, rows: npt.NDArray[np.int64] | None = None
    ) -> FloatArray:
        """Hours at both posts of each edge (before the calibration's rest and scale);
        of the edges ``rows`` only when given (``utilisation`` aligned with them)."""
        from corridor.capacity.delay import queue_factor

        pick = slice(None) if rows is None else rows
        rho = utilisation[:, None] / self.open_share[pick]
        q = queue_factor(rho.ravel(), self.lanes[pick].ravel()).reshape(rho.shape)
        served = self.service_h[pick] * (1.0 + self.k[pick] * q)
        total: FloatArray = (self.open_wait_h[pick] + served).sum(axis=1)
        return total


def procedures(g: CompiledNetwork) -> Procedures:
    """The posts of every border edge of ``g`` that has rows in ``border_procedures``.

    Examples
    --------
    >>> from corridor import load_network
    >>> from corridor.graph.compiled import compile_network
    >>> p = procedures(compile_network(load_network()))
    >>> bool((p.service_h >= 0).all() and (p.open_share > 0).all())
    True
    """
    net = g.network
    table = net.tables.get("border_procedures")
    border_ids = list(net.borders["id"])
    rows_of: dict[str, dict[str, dict[str, object]]] = {}
    if table is not None:
        for rec in table.to_dict("records"):
            rows_of.setdefault(str(rec["border"]), {})[str(rec["side"])] = rec
    cv_of = dict(zip(net.borders["id"], net.borders["dwell_cv"], strict=True))
    edges = [
        e
        for e in np.flatnonzero((g.kind == _BORDER) & (g.element >= 0)).tolist()
        if border_ids[int(g.element[e])] in rows_of
    ]
    n = len(edges)
    service = np.zeros((n, 2))
    k = np.zeros((n, 2))
    lanes = np.ones((n, 2))
    share = np.ones((n, 2))
    wait = np.zeros((n, 2))
    for j, e in enumerate(edges):
        bid = border_ids[int(g.element[e])]
        sides = rows_of[bid]
        joint = bool(sides.get("entry", {}).get("joint_control", False))
        for i, side in enumerate(SIDES):
            r = sides.get(side)
            if r is None:
                continue
            docs = 0.0 if (side == "exit" and joint) else _num(r["documents_h"])
            service[j, i] = docs + _num(r["inspection_share"]) * inspection_h(r)
            cv = _num(r["documents_cv"], default=_num(cv_of.get(bid), default=0.5))
            lanes[j, i] = max(_num(r["lanes"], default=1.0), 1.0)
            k[j, i] = (1.0 + cv * cv) / (2.0 * lanes[j, i])
            hours_open = min(max(_num(r["opening_h_per_day"], default=24.0), 1.0), 24.0)
            days = min(max(_num(r.get("open_days_per_week"), default=7.0), 1.0), 7.0)
            share[j, i] = days * hours_open / 168.0
            wait[j, i] = open_wait_h(hours_open, days)
    return Procedures(
        edges=np.asarray(edges, dtype=np.int64),
        service_h=service,
        k=k,
        lanes=lanes,
        open_share=share,
        open_wait_h=wait,
    )


def port_customs_h(net: object) -> dict[str, float]:
    """Per port with ``port_procedures`` rows, its customs hours per consignment.

    ``documents_h + inspection_share × t`` summed over the port's rows, ``t``
    as for a border post (:func:`inspection_h`). A port's customs are a part
    of its handling time (``terminals.handling_h``, observed with them), not a
    queue of their own: :mod:`corridor.capacity.delay` holds the base part
    against the observed handling and moves the port's service time by what
    a scenario changes in it.

    Examples
    --------
    >>> from corridor import load_network
    >>> round(port_customs_h(load_network())["t_alat"], 2)  # 0.6 h + 0.4 x 3 h
    1.8
    """
    table = getattr(net, "tables", {}).get("port_procedures")
    out: dict[str, float] = {}
    if table is None:
        return out
    for r in table.to_dict("records"):
        hours = _num(r["documents_h"]) + _num(r["inspection_share"]) * inspection_h(r, "port")
        out[str(r["terminal"])] = out.get(str(r["terminal"]), 0.0) + hours
    return out


def inspection_h(row: dict[str, object], table: str = "border") -> float:
    """Hours to inspect one selected unit at a post (``row`` of ``border_procedures``).

    By hand, ``inspection_h``; with a scanner, the scan plus the manual inspection
    of the share of scanned units referred to it.

    Examples
    --------
    >>> inspection_h({"inspection_h": 4.0, "scanner": False})
    4.0
    >>> inspection_h({"inspection_h": 4.0, "scanner": True, "scan_h": 0.25,
    ...               "scan_referral_share": 0.25})  # 0.25 + 0.25 x 4
    1.25
    """
    manual = _num(row["inspection_h"])
    if not _flag(row.get("scanner")):
        return manual
    for col in ("scan_h", "scan_referral_share"):
        if np.isnan(_num(row.get(col), default=np.nan)):
            raise DataError(
                f"{table}_procedures row '{row.get('id', '?')}'",
                "a post with a scanner needs scan_h and scan_referral_share",
                column=col,
            )
    return _num(row["scan_h"]) + _num(row["scan_referral_share"]) * manual


def open_wait_h(hours_per_day: float, days_per_week: float) -> float:
    """Mean wait for a post to open, for a unit arriving at a random hour of the week.

    Examples
    --------
    >>> open_wait_h(24.0, 7.0), open_wait_h(12.0, 7.0)  # (24 - 12)² / 48
    (0.0, 3.0)
    >>> round(open_wait_h(24.0, 5.0), 4)  # closed at weekends: 48² / 336
    6.8571
    """
    night = days_per_week * (24.0 - hours_per_day) ** 2
    weekend = (24.0 * (7.0 - days_per_week)) ** 2
    return (night + weekend) / 336.0


def _flag(x: object) -> bool:
    """A boolean cell; blank, NaN or a false word is False."""
    if isinstance(x, str):
        return x.strip().lower() in ("true", "1", "yes")
    if x is None or (isinstance(x, float) and np.isnan(x)):
        return False
    return bool(x)


def _num(x: object, default: float = 0.0) -> float:
    """A table cell as a float; blank or NaN gives ``default``."""
    try:
        v = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return default
    return default if np.isnan(v) else v
