"""Where a warm-started fixed point begins: the routes of a settled run.

An appraisal compares a scenario with and without a measure. Both prepared from
nothing, the two fixed points can differ by more than the measure's effect:
incremental loading and the sweeps end wherever the slices happened to fall,
and at high load that difference is larger than a scanner's or a training
programme's benefit. Started instead from the routes of the run without the
measure and swept to the fixed point of the sweeps, a run with the measure
moves only the flows the measure gives a reason to move: a measure that
changes nothing leaves every route where it was (its benefit is exactly zero),
and a small one moves a few segments.

A :class:`Start` holds what the sweeps need and nothing else (each segment's
paths and unserved volume, by segment name, and a digest of the graph's
edges), so it is small enough to send to a worker process with every task.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

from corridor.graph.compiled import CompiledNetwork
from corridor.loaded.network import LoadedNetwork


def edges_digest(g: CompiledNetwork) -> str:
    """A digest of a graph's edges (their ends, kinds and table rows, in order):
    equal digests mean an edge index names the same edge in both graphs."""
    h = hashlib.blake2b(digest_size=16)
    for a in (g.tail, g.head, g.kind, g.element):
        h.update(a.tobytes())
    return h.hexdigest()


@dataclass(frozen=True)
class StartFlow:
    """One segment's routes in the run a warm start begins from."""

    volume: float
    paths: tuple[tuple[tuple[int, ...], float], ...]
    unserved: float


@dataclass(frozen=True)
class Start:
    """The routes a warm-started :func:`~corridor.loaded.prepare.prepare` begins from.

    ``flows`` maps a segment's name to its routes; ``edges`` is the digest of
    the graph they run on (:func:`edges_digest`). A segment whose name or
    volume differs in the run being prepared, or whose routes leave its choice
    set, starts with nothing and is placed by the first sweep.
    """

    edges: str
    flows: Mapping[str, StartFlow]

    @classmethod
    def of(cls, loaded: LoadedNetwork) -> Start:
        """The routes of a prepared run."""
        return cls(
            edges_digest(loaded.graph),
            {
                f.segment.name: StartFlow(f.segment.volume, f.paths, f.unserved)
                for f in loaded.flows
            },
        )
