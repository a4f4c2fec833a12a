"""Summaries of a simulation: door-to-door distributions per corridor/OD, node statistics."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from corridor.simulation import engine
from corridor.simulation.spec import Compiled, Ferry, Pool, Station

#: Promises (days) for which the on-time probability is reported.
PROMISES_DAYS = (14.0, 21.0, 30.0, 45.0)


def _t975(dof: int) -> float:
    from scipy import stats

    return float(stats.t.ppf(0.975, dof)) if dof > 0 else math.nan


def _mean_ci(per_rep: npt.NDArray[np.float64]) -> tuple[float, float, float]:
    x = per_rep[np.isfinite(per_rep)]
    if x.size == 0:
        return math.nan, math.nan, math.nan
    m = float(x.mean())
    if x.size < 2:
        return m, math.nan, math.nan
    half = _t975(x.size - 1) * float(x.std(ddof=1)) / math.sqrt(x.size)
    return m, m - half, m + half


def _hist_quantile(counts: npt.NDArray[np.int64], q: float) -> float:
    total = counts.sum()
    if total == 0:
        return math.nan
    edges = engine.hist_edges()
    cum = np.cumsum(counts) / total
    b = int(np.searchsorted(cum, q))
    if b == 0:
        return 0.0  # the point mass of zero waits
    lo, hi = edges[b], edges[b + 1]
    if not np.isfinite(hi):
        return float(lo)
    before = cum[b - 1] if b > 0 else 0.0
    frac = (q - before) / (cum[b] - before) if cum[b] > before else 0.0
    if lo > 0:  # geometric bins: interpolate on the log scale
        return float(lo * (hi / lo) ** frac)
    return float(hi * frac)


def _clean(x: Any) -> Any:
    if isinstance(x, float) and not math.isfinite(x):
        return None
    if isinstance(x, dict):
        return {k: _clean(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_clean(v) for v in x]
    return x


@dataclass(frozen=True)
class TransitStats:
    """Door-to-door days of one (corridor, origin, destination, commodity) group."""

    corridor: str
    origin: str
    destination: str
    commodity: str
    shipments_per_year: float
    teu_per_shipment: float
    mean_days: float
    mean_days_ci95: tuple[float, float]
    p10_days: float
    p50_days: float
    p90_days: float
    p99_days: float
    on_time: dict[str, float]
    days: npt.NDArray[np.float64] = field(repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (the sample of days is left out)."""
        out: dict[str, Any] = _clean(
            {
                "corridor": self.corridor,
                "origin": self.origin,
                "destination": self.destination,
                "commodity": self.commodity,
                "shipments_per_year": self.shipments_per_year,
                "teu_per_shipment": self.teu_per_shipment,
                "mean_days": self.mean_days,
                "mean_days_ci95": list(self.mean_days_ci95),
                "p10_days": self.p10_days,
                "p50_days": self.p50_days,
                "p90_days": self.p90_days,
                "p99_days": self.p99_days,
                "on_time_probability": self.on_time,
            }
        )
        return out


@dataclass(frozen=True)
class NodeStats:
    """Waiting, queue and throughput at one border, terminal, port, pool or ship service.

    For a pool (``kind`` ``wagon_pool`` or ``locomotive_pool``) ``servers`` is
    the number of units, the wait is the wait for a unit, and ``utilisation``
    the share of unit-hours out on turnarounds.
    """

    id: str
    kind: str
    servers: int
    arrivals_per_year: float
    teu_per_year: float
    capacity_teu_per_year: float
    utilisation: float
    mean_wait_h: float
    mean_wait_ci95_h: tuple[float, float]
    p50_wait_h: float
    p90_wait_h: float
    p99_wait_h: float
    mean_dwell_h: float
    p50_dwell_h: float
    p90_dwell_h: float
    mean_in_system: float
    littles_law_in_system: float
    sailings_per_year: float | None
    queue_by_day: npt.NDArray[np.float64] = field(repr=False, compare=False)

    def to_dict(self, *, with_series: bool = False) -> dict[str, Any]:
        """JSON-ready; ``with_series`` adds the mean number in system by day."""
        cap = self.capacity_teu_per_year
        d = {
            "id": self.id,
            "kind": self.kind,
            "servers": self.servers,
            "arrivals_per_year": self.arrivals_per_year,
            "teu_per_year": self.teu_per_year,
            "capacity_teu_per_year": cap,
            "utilisation_of_capacity": self.teu_per_year / cap if 0 < cap < math.inf else None,
            "utilisation": self.utilisation,
            "mean_wait_h": self.mean_wait_h,
            "mean_wait_ci95_h": list(self.mean_wait_ci95_h),
            "p50_wait_h": self.p50_wait_h,
            "p90_wait_h": self.p90_wait_h,
            "p99_wait_h": self.p99_wait_h,
            "mean_dwell_h": self.mean_dwell_h,
            "p50_dwell_h": self.p50_dwell_h,
            "p90_dwell_h": self.p90_dwell_h,
            "mean_in_system": self.mean_in_system,
            "littles_law_in_system": self.littles_law_in_system,
            "sailings_per_year": self.sailings_per_year,
        }
        if with_series:
            d["queue_by_day"] = [float(x) for x in self.queue_by_day]
        return dict(_clean(d))


@dataclass(frozen=True)
class SimulationResult:
    """Everything a simulation reports; :meth:`to_dict` is the JSON form."""

    dataset: str
    scenario: str
    days: int
    replications: int
    seed: int
    warmup_days: float
    transit: tuple[TransitStats, ...]
    nodes: tuple[NodeStats, ...]
    events: int
    closures_per_replication: float
    elapsed_s: float
    unrouted: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def worst_node(self) -> NodeStats | None:
        """The node with the longest mean wait."""
        ok = [n for n in self.nodes if math.isfinite(n.mean_wait_h)]
        return max(ok, key=lambda n: n.mean_wait_h) if ok else None

    def percentiles(self) -> dict[tuple[str, str, str], tuple[float, float, float]]:
        """``{(corridor, origin, destination): (p10, p50, p90)}`` door-to-door days.

        Flows that completed no shipment in the simulated days (a few shipments
        a year in a short run) have no distribution and are left out.
        """
        return {
            (t.corridor, t.origin, t.destination): (t.p10_days, t.p50_days, t.p90_days)
            for t in self.transit
            if t.p50_days == t.p50_days  # not NaN
        }

    def to_dict(self) -> dict[str, Any]:
        """One JSON-ready object (queue series only for the worst node)."""
        worst = self.worst_node
        return {
            "dataset": self.dataset,
            "scenario": self.scenario,
            "days": self.days,
            "replications": self.replications,
            "seed": self.seed,
            "warmup_days": self.warmup_days,
            "events": self.events,
            "closures_per_replication": self.closures_per_replication,
            "elapsed_s": self.elapsed_s,
            "transit": [t.to_dict() for t in self.transit],
            "nodes": [n.to_dict() for n in self.nodes],
            "worst_node": None if worst is None else worst.to_dict(with_series=True),
            "unrouted_demand": list(self.unrouted),
            "notes": list(self.notes),
        }


def summarise(
    model: Compiled,
    raw: engine.Raw,
    *,
    dataset: str,
    scenario: str,
    days: int,
    seed: int,
    warmup_days: float,
    elapsed_s: float,
    unrouted: tuple[str, ...] = (),
    promises_days: tuple[float, ...] = PROMISES_DAYS,
    notes: tuple[str, ...] = (),
) -> SimulationResult:
    """Turn the engine's raw arrays into :class:`SimulationResult`."""
    reps = raw.release_h.shape[0]
    trip_days = (raw.done_h - raw.release_h) / 24.0
    trip_days[~(raw.release_h >= 0.0)] = np.nan  # warm-up releases and unused slots
    # The slots of one flow are contiguous: slice instead of masking.
    bounds = np.searchsorted(raw.slot_flow, np.arange(len(model.flows) + 1))
    groups: dict[tuple[str, str, str, str], list[int]] = {}
    for f, flow in enumerate(model.flows):
        lab = flow.labels
        key = (
            lab.get("corridor", f"flow{f}"),
            lab.get("origin", ""),
            lab.get("destination", ""),
            lab.get("commodity", ""),
        )
        groups.setdefault(key, []).append(f)
    transit = []
    for (corridor, o, d, c), fl in groups.items():
        block = np.concatenate([trip_days[:, bounds[f] : bounds[f + 1]] for f in fl], axis=1)
        sample = block[np.isfinite(block)]
        n_rep = np.isfinite(block).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            per_rep = np.where(n_rep > 0, np.nansum(block, axis=1) / n_rep, np.nan)
        m, lo, hi = _mean_ci(per_rep)
        q = np.quantile(sample, [0.1, 0.5, 0.9, 0.99]) if sample.size else np.full(4, np.nan)
        per_year = sum(model.flows[f].shipments_per_year for f in fl)
        size = float(np.mean([model.flows[f].teu_per_shipment for f in fl]))
        on_time = {
            f"{p:g}d": float((sample <= p).mean()) if sample.size else math.nan
            for p in promises_days
        }
        transit.append(
            TransitStats(
                corridor,
                o,
                d,
                c,
                per_year,
                size,
                m,
                (lo, hi),
                float(q[0]),
                float(q[1]),
                float(q[2]),
                float(q[3]),
                on_time,
                sample,
            )
        )
    hours = days * 24.0
    nodes = []
    for r, res in enumerate(model.resources):
        count = raw.res_count[:, r]
        if count.sum() == 0:
            continue
        with np.errstate(invalid="ignore", divide="ignore"):
            per_rep_wait = raw.res_wait[:, r] / count
        m, lo, hi = _mean_ci(per_rep_wait)
        hist = raw.res_hist[:, r, :].sum(axis=0)
        hist2 = raw.res_hist_sojourn[:, r, :].sum(axis=0)
        lam = count.sum() / (hours * reps)
        w = raw.res_sojourn[:, r].sum() / count.sum()
        if isinstance(res, Station):
            util = raw.res_busy[:, r].sum() / (res.servers * hours * reps)
            servers, kind, sail = res.servers, res.kind, None
        elif isinstance(res, Pool):
            util = raw.res_busy[:, r].sum() / (res.units * hours * reps)
            servers, kind, sail = res.units, res.kind, None
        else:
            assert isinstance(res, Ferry)
            sailings = raw.res_sailings[:, r].sum()
            util = raw.res_busy[:, r].sum() / (sailings * res.capacity_teu) if sailings else 0.0
            servers, kind, sail = res.vessels, "service", float(sailings / reps * 365.0 / days)
        nodes.append(
            NodeStats(
                id=res.name,
                kind=kind,
                servers=servers,
                arrivals_per_year=float(lam * 8760.0),
                teu_per_year=float(raw.res_teu[:, r].sum() / reps * 365.0 / days),
                capacity_teu_per_year=float(res.capacity_teu_per_year),
                utilisation=float(util),
                mean_wait_h=m,
                mean_wait_ci95_h=(lo, hi),
                p50_wait_h=_hist_quantile(hist, 0.5),
                p90_wait_h=_hist_quantile(hist, 0.9),
                p99_wait_h=_hist_quantile(hist, 0.99),
                mean_dwell_h=float(w),
                p50_dwell_h=_hist_quantile(hist2, 0.5),
                p90_dwell_h=_hist_quantile(hist2, 0.9),
                mean_in_system=float(raw.res_area[:, r, :].sum() / (hours * reps)),
                littles_law_in_system=float(lam * w),
                sailings_per_year=sail,
                queue_by_day=raw.res_area[:, r, :].mean(axis=0) / 24.0,
            )
        )
    return SimulationResult(
        dataset=dataset,
        scenario=scenario,
        days=days,
        replications=reps,
        seed=seed,
        warmup_days=warmup_days,
        transit=tuple(transit),
        nodes=tuple(nodes),
        events=int(raw.events.sum()),
        closures_per_replication=float(raw.closures.mean()),
        elapsed_s=elapsed_s,
        unrouted=unrouted,
        notes=notes,
    )
