"""A sweep spec (YAML) and its points.

Example spec::

    name: caspian-growth          # default: the file's stem
    dataset: eurasia-2024         # default: the embedded dataset
    scenario: base                # every point starts from it (built-in, stored or file)
    design: grid                  # grid (every combination) or lhs (Latin hypercube)
    samples: 10                   # lhs: number of points
    seed: 1                       # lhs draws and simulation seeds
    days: 365                     # simulated days when replications > 0
    response: days_middle         # the metric the plots show
    pairs:                        # default: the dataset's default pairs
      - [xian, duisburg, containers]
    parameters:
      demand_growth: [1.0, 1.5, 2.0]      # grid: values; lhs: values or {min: 1, max: 3}
      caspian_drop_m: {min: 0, max: 2}
      closures: [[], [RU], [links:p_cpc]] # each value: a list of closures (stress syntax)
      interventions: [[], [i_alat_scanner]]
      replications: [0]                   # simulation replications per point (0: analytic)
"""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from corridor.errors import DataError
from corridor.model.schema import MAX_REPLICATION_DAYS, PARAMETERS, Bounds

#: Parameters a spec may sweep, with the value each takes when the spec leaves it out.
DEFAULTS: dict[str, Any] = {
    "demand_growth": 1.0,
    "caspian_drop_m": 0.0,
    "closures": [],
    "interventions": [],
    "replications": 0,
}
#: Parameters that may be given as a continuous range ``{min, max}`` (Latin hypercube).
CONTINUOUS = ("demand_growth", "caspian_drop_m")
#: Largest number of points one spec may lay out.
MAX_POINTS = 100_000
MAX_SPEC_BYTES = 1_000_000


@dataclass(frozen=True)
class Range:
    """A continuous parameter range for the Latin hypercube."""

    low: float
    high: float


@dataclass(frozen=True)
class SweepSpec:
    """A validated sweep spec (see the module docstring)."""

    name: str
    parameters: dict[str, list[Any] | Range]
    design: str = "grid"
    samples: int = 0
    seed: int = 1
    dataset: str | None = None
    scenario: str = "base"
    days: int = 365
    response: str = "days_middle"
    pairs: tuple[tuple[str, str, str], ...] | None = None
    source: str = field(default="<spec>", compare=False)

    def points(self) -> list[dict[str, Any]]:
        """Every point of the sweep: each a full set of :data:`DEFAULTS` keys."""
        names = list(self.parameters)
        if self.design == "grid":
            grids = [self.parameters[n] for n in names]
            combos = itertools.product(*grids)  # type: ignore[arg-type]
            return [{**DEFAULTS, **dict(zip(names, c, strict=True))} for c in combos]
        u = latin_hypercube(self.samples, len(names), seed=self.seed)
        out = []
        for row in u:
            point = dict(DEFAULTS)
            for n, x in zip(names, row, strict=True):
                p = self.parameters[n]
                if isinstance(p, Range):
                    point[n] = float(p.low + x * (p.high - p.low))
                else:
                    point[n] = p[min(int(x * len(p)), len(p) - 1)]
            out.append(point)
        return out

    def fixed(self) -> dict[str, Any]:
        """What every point shares besides its parameters (part of each point's key)."""
        return {
            "scenario": self.scenario,
            "days": self.days,
            "seed": self.seed,
            "pairs": self.pairs,
        }


def latin_hypercube(n: int, dims: int, *, seed: int) -> np.ndarray:
    """``n`` points in the unit cube ``[0, 1)^dims``, one in each of ``n`` strata per axis.

    Examples
    --------
    >>> u = latin_hypercube(4, 2, seed=1)
    >>> sorted((u[:, 0] * 4).astype(int).tolist())
    [0, 1, 2, 3]
    """
    rng = np.random.default_rng(seed)
    strata = np.stack([rng.permutation(n) for _ in range(dims)], axis=1)
    return np.asarray((strata + rng.random((n, dims))) / n)


def point_key(point: dict[str, Any], fixed: dict[str, Any], dataset_hash: str) -> str:
    """A point's identity: 16 hex digits over its parameters, the shared settings and data."""
    text = json.dumps({"p": point, "f": fixed, "d": dataset_hash}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def load_spec(path: str | Path) -> SweepSpec:
    """Read and check a sweep spec file; a bad one raises a one-line :class:`DataError`."""
    import yaml

    file = str(path)
    p = Path(path)
    if not p.is_file():
        raise DataError(file, "expected a sweep spec (a YAML file)")
    if p.stat().st_size > MAX_SPEC_BYTES:
        raise DataError(file, f"a sweep spec is at most {MAX_SPEC_BYTES:,} bytes")
    try:
        data = yaml.safe_load(p.read_text("utf-8"))
    except UnicodeDecodeError:
        raise DataError(file, "expected UTF-8 text") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark is not None else None
        raise DataError(file, f"invalid YAML: {getattr(exc, 'problem', exc)}", row=row) from None
    return spec_from_dict(data, file=file, default_name=p.stem)


def spec_from_dict(data: Any, *, file: str = "<spec>", default_name: str = "sweep") -> SweepSpec:
    """A :class:`SweepSpec` from the parsed YAML object."""
    if not isinstance(data, dict):
        raise DataError(file, "expected a mapping with 'parameters'")
    known = {
        "name",
        "dataset",
        "scenario",
        "design",
        "samples",
        "seed",
        "days",
        "response",
        "pairs",
        "parameters",
    }
    extra = sorted(set(map(str, data)) - known)
    if extra:
        raise DataError(file, f"unknown key '{extra[0]}' (known: {', '.join(sorted(known))})")
    design = data.get("design", "grid")
    if design not in ("grid", "lhs"):
        raise DataError(file, f"design must be grid or lhs, not {design!r}", column="design")
    raw = data.get("parameters") or {}
    if not isinstance(raw, dict) or not raw:
        raise DataError(file, "expected 'parameters': a mapping of at least one parameter")
    params: dict[str, list[Any] | Range] = {}
    for name, value in raw.items():
        params[str(name)] = _parameter(str(name), value, design, file)
    samples = _int(data.get("samples", 0), "samples", file, bounds=Bounds(0, MAX_POINTS))
    if design == "lhs" and samples < 1:
        raise DataError(file, "a Latin hypercube needs 'samples' >= 1", column="samples")
    n = samples if design == "lhs" else int(np.prod([len(v) for v in params.values()]))  # type: ignore[arg-type]
    if n > MAX_POINTS:
        raise DataError(file, f"{n:,} points: a spec lays out at most {MAX_POINTS:,}")
    days = _int(data.get("days", 365), "days", file, bounds=PARAMETERS["days"])
    # sized before any point runs: each point's simulation holds replications x days
    most = max(_values(params.get("replications", [0])))
    if most * days > MAX_REPLICATION_DAYS:
        raise DataError(
            file,
            f"replications x days must be at most {MAX_REPLICATION_DAYS:,} "
            f"(asked {most:,} x {days:,})",
            column="replications",
        )
    pairs = data.get("pairs")
    if pairs is not None:
        if not isinstance(pairs, list) or not all(
            isinstance(x, list) and len(x) in (2, 3) and all(isinstance(s, str) for s in x)
            for x in pairs
        ):
            raise DataError(
                file, "pairs: expected a list of [origin, destination, commodity]", column="pairs"
            )
        pairs = tuple((x[0], x[1], x[2] if len(x) == 3 else "containers") for x in pairs)
    return SweepSpec(
        name=str(data.get("name") or default_name),
        parameters=params,
        design=design,
        samples=samples,
        seed=_int(data.get("seed", 1), "seed", file, bounds=PARAMETERS["seed"]),
        dataset=None if data.get("dataset") is None else str(data["dataset"]),
        scenario=str(data.get("scenario") or "base"),
        days=days,
        response=str(data.get("response") or "days_middle"),
        pairs=pairs,
        source=file,
    )


def _int(value: Any, name: str, file: str, *, bounds: Bounds) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value not in bounds:
        expected = f"expected a whole number in {bounds.text()}"
        raise DataError(file, f"{name}: {expected}, found {value!r}", column=name)
    return value


def _values(p: list[Any] | Range) -> list[Any]:
    return [p.low, p.high] if isinstance(p, Range) else p


def _parameter(name: str, value: Any, design: str, file: str) -> list[Any] | Range:
    if name not in DEFAULTS:
        raise DataError(
            file, f"unknown parameter '{name}' (known: {', '.join(DEFAULTS)})", column=name
        )
    if isinstance(value, dict):
        if name not in CONTINUOUS or design != "lhs":
            raise DataError(
                file,
                f"{name}: a {{min, max}} range is for lhs designs of "
                f"{' or '.join(CONTINUOUS)}; give a list of values",
                column=name,
            )
        try:
            low, high = float(value["min"]), float(value["max"])
        except (KeyError, TypeError, ValueError):
            raise DataError(
                file, f"{name}: expected {{min: number, max: number}}", column=name
            ) from None
        if not (np.isfinite(low) and np.isfinite(high) and low <= high):
            raise DataError(file, f"{name}: expected finite min <= max", column=name)
        _check_value(name, low, file)
        _check_value(name, high, file)
        return Range(low, high)
    if not isinstance(value, list) or not value:
        raise DataError(file, f"{name}: expected a non-empty list of values", column=name)
    return [_check_value(name, v, file) for v in value]


def _check_value(name: str, v: Any, file: str) -> Any:
    bad = DataError(file, f"{name}: bad value {v!r}", column=name)
    if name in ("closures", "interventions"):
        if not isinstance(v, list) or not all(isinstance(x, str) and x for x in v):
            raise DataError(file, f"{name}: each value is a list of ids, found {v!r}", column=name)
        return list(v)
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not np.isfinite(v):
        raise bad
    if name == "replications":  # 0: analytic only
        most = PARAMETERS["replications"].hi
        if not isinstance(v, int) or not 0 <= v <= most:
            raise DataError(
                file, f"replications: expected a whole number in [0, {most:g}], found {v!r}",
                column=name,
            )  # fmt: skip
        return v
    bounds = PARAMETERS["growth" if name == "demand_growth" else name]
    if v not in bounds:
        expected = f"expected a value in {bounds.text()}"
        raise DataError(file, f"{name}: {expected}, found {v!r}", column=name)
    return float(v)
