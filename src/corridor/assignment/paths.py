"""Path-based equilibrium: gradient projection with column generation (numba kernels).

Each origin-destination pair of each class keeps the paths that carry its demand.
One iteration of :func:`corridor.assignment.engine.assign` with ``algorithm="gp"``:

1. :func:`generate`: one shortest-path tree per (class, origin) at the costs of the
   current flows, which gives the shortest-path total of the relative gap (the same
   definition as the Frank-Wolfe family's: the trees are all grown at one set of
   costs) and, for each pair, its shortest path, added to the pair's set if new;
2. :func:`equilibrate`: a few sweeps over the pairs, each moving flow from every
   dearer path of the pair to its cheapest by a projected Newton step
   (Jayakrishnan et al. 1994): ``delta = min(f_p, (c_p - c_min) / (pce * s))`` with
   ``s`` the summed cost slopes of the links on one path and not the other. Link
   times are updated after each move (Gauss-Seidel), so later pairs see them;
3. :func:`compact`: the live paths copied in pair order and the class link flows
   rebuilt from the path flows, so flows are conserved exactly whatever rounding
   the moves accumulated.

The trees run in parallel over origins (numba threads), each writing only its own
rows; paths are added and moved serially in pair order, so results do not depend
on the thread count. Paths live in one pool: ``links[start[p]:start[p] + length[p]]``
are path ``p``'s links (destination first), ``next[p]`` chains the paths of one pair
from ``head[pair]`` (``-1`` ends a chain); a path left without flow is unlinked.
The pool grows by doubling; ``used`` holds the paths and links taken.

Capacity groups (links sharing one volume-delay function) are not handled here: the
step's slope would need each group's multiplicity on the two paths. The engine
refuses ``gp`` on such graphs and ``auto`` picks bi-conjugate Frank-Wolfe there.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numba import njit, prange
from numpy.typing import NDArray

from corridor.assignment.kernels import Graph, Work, _one_layer
from corridor.assignment.vdf import link_derivative, link_time
from corridor.graph.kernel import dijkstra

__all__ = [
    "Pairs",
    "Pool",
    "Trees",
    "compact",
    "equilibrate",
    "generate",
    "new_pool",
    "new_trees",
]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
Int32Array = NDArray[np.int32]
Int8Array = NDArray[np.int8]
BoolArray = NDArray[np.bool_]

# path keys (see _mix): an odd 63-bit multiplier (2**63 / golden ratio) and the mask
_MIX = 0x4F1BBCDCBFA53E0B
_MASK = (1 << 63) - 1


class Pairs(NamedTuple):
    """The OD pairs with demand, grouped in blocks of one (class, origin).

    Block ``b`` is class ``block_class[b]`` from zone ``block_origin[b]``; its pairs are
    ``block_start[b]:block_start[b + 1]``, each with its destination and demand.
    """

    block_class: IntArray
    block_origin: IntArray
    block_start: IntArray
    dest: IntArray
    demand: FloatArray
    pair_class: IntArray


class Pool(NamedTuple):
    """Every path of every pair (module docs)."""

    links: Int32Array
    start: IntArray
    length: IntArray
    flow: FloatArray
    next: IntArray
    key: IntArray
    head: IntArray
    used: IntArray  # [paths, links] taken in the arrays (holes included)


def new_pool(n_pairs: int, n_links_guess: int) -> Pool:
    """An empty pool for ``n_pairs`` pairs (room for one path each to begin with)."""
    n = max(n_pairs, 1)
    return Pool(
        links=np.empty(max(n_links_guess, 16), dtype=np.int32),
        start=np.empty(n, dtype=np.int64),
        length=np.empty(n, dtype=np.int64),
        flow=np.empty(n),
        next=np.empty(n, dtype=np.int64),
        key=np.empty(n, dtype=np.int64),
        head=np.full(n_pairs, -1, dtype=np.int64),
        used=np.zeros(2, dtype=np.int64),
    )


@njit(cache=True)
def _grown(a, need):  # type: ignore[no-untyped-def]  # pragma: no cover - compiled
    if need <= a.shape[0]:
        return a
    b = np.empty(max(need, 2 * a.shape[0]), dtype=a.dtype)
    b[: a.shape[0]] = a
    return b


@njit(cache=True)
def _mix(key: int, link: int) -> int:  # pragma: no cover - compiled
    """The key of a path extended by ``link``: a multiplicative hash kept to 63 bits
    (the same in int64 and in Python integers, so with or without JIT)."""
    h = ((int(key) ^ (int(link) + 1)) * _MIX) & _MASK  # int(): Python's, without JIT
    return h ^ (h >> 29)


class Trees(NamedTuple):
    """What :func:`generate` keeps of one round of trees, per block and per pair."""

    pred: Int32Array  # (blocks, vertices): the link into each vertex on the block's tree
    sp: FloatArray  # (blocks,): the block's PCE-weighted shortest-path total
    bad: IntArray  # (blocks,): the block's pairs with no path
    size: IntArray  # (pairs,): links on the tree path if it is new to the pair, else -1
    key: IntArray  # (pairs,): the tree path's key


def new_trees(n_blocks: int, n_nodes: int, n_pairs: int) -> Trees:
    """Room for one round of trees."""
    return Trees(
        pred=np.empty((n_blocks, n_nodes), dtype=np.int32),
        sp=np.zeros(n_blocks),
        bad=np.zeros(n_blocks, dtype=np.int64),
        size=np.empty(n_pairs, dtype=np.int64),
        key=np.empty(n_pairs, dtype=np.int64),
    )


@njit(cache=True)
def _tree_chunk(  # pragma: no cover - compiled
    c: int,
    n_chunks: int,
    g: Graph,
    cost: FloatArray,
    pairs: Pairs,
    wanted: IntArray,
    od: FloatArray,
    pce: FloatArray,
    ws: Work,
    path_length: IntArray,
    path_key: IntArray,
    path_next: IntArray,
    path_head: IntArray,
    out: Trees,
) -> None:
    """Blocks ``c, c + n_chunks, ...``: grow each tree, look its paths up (read only)."""
    n = g.indptr.shape[0] - 1
    n_zones = od.shape[1]
    step, no_mask, back = _one_layer(n)
    dist, pred, order = ws.dist[c], ws.pred[c], ws.order[c]
    tail = g.tail
    tree_key = np.empty(n, dtype=np.int64)
    depth = np.empty(n, dtype=np.int64)
    for b in range(c, pairs.block_class.shape[0], n_chunks):
        k = pairs.block_class[b]
        o = pairs.block_origin[b]
        settled = dijkstra(
            o, g.indptr, g.head, cost[k], g.first_thru, step, no_mask, n_zones, od[k, o],
            wanted[k, o], dist, pred, back, order, ws.heap[c], ws.pos[c],
        )  # fmt: skip
        # every tree path's key and link count, root first (one pass in settling order)
        tree_key[o] = 0
        depth[o] = 0
        keep = out.pred[b]
        keep[o] = -1
        for j in range(1, settled):
            v = order[j]
            e = pred[v]
            keep[v] = e
            tree_key[v] = _mix(tree_key[tail[e]], e)
            depth[v] = depth[tail[e]] + 1
        sp = 0.0
        bad = 0
        for i in range(pairs.block_start[b], pairs.block_start[b + 1]):
            d = pairs.dest[i]
            out.size[i] = -1
            if dist[d] == math.inf:
                bad += 1
                continue
            sp += pce[k] * pairs.demand[i] * dist[d]
            h = tree_key[d]
            size = depth[d]
            p = path_head[i]
            found = False
            while p >= 0 and not found:
                found = path_length[p] == size and path_key[p] == h
                p = path_next[p]
            if not found:
                out.size[i] = size
                out.key[i] = h
        out.sp[b] = sp
        out.bad[b] = bad


@njit(cache=True, parallel=True)
def _grow_trees(  # pragma: no cover - compiled
    g: Graph,
    cost: FloatArray,
    pairs: Pairs,
    wanted: IntArray,
    od: FloatArray,
    pce: FloatArray,
    ws: Work,
    pool: Pool,
    out: Trees,
) -> None:
    """Every block's tree, on as many chunks as ``ws`` has rows (in parallel if more than one)."""
    n_chunks = ws.dist.shape[0]
    if n_chunks == 1:
        _tree_chunk(0, 1, g, cost, pairs, wanted, od, pce, ws, pool.length, pool.key,
                    pool.next, pool.head, out)  # fmt: skip
        return
    # parallel regions take arrays, not tuples: unpack here, pack again per chunk
    indptr, head, tail, first_thru = g
    dist, pred, order, heap, pos, load, flow, sp, bad = ws
    bc, bo, bs, dest, demand, pc = pairs
    length, key, nxt, phead = pool.length, pool.key, pool.next, pool.head
    t_pred, t_sp, t_bad, t_size, t_key = out
    for c in prange(n_chunks):
        _tree_chunk(
            c, n_chunks, Graph(indptr, head, tail, first_thru), cost,
            Pairs(bc, bo, bs, dest, demand, pc), wanted, od, pce,
            Work(dist, pred, order, heap, pos, load, flow, sp, bad), length, key, nxt, phead,
            Trees(t_pred, t_sp, t_bad, t_size, t_key),
        )  # fmt: skip


@njit(cache=True)
def generate(  # pragma: no cover - compiled
    g: Graph,
    cost: FloatArray,
    pairs: Pairs,
    wanted: IntArray,
    od: FloatArray,
    pce: FloatArray,
    ws: Work,
    trees: Trees,
    pool: Pool,
    flow: FloatArray,
    first: bool,
) -> tuple[Pool, float, int]:
    """Shortest-path trees at ``cost``; add each pair's shortest path to its set if new.

    ``wanted[k, o]`` counts the destinations with demand of class ``k`` from ``o`` and
    ``od[k]`` is the class's demand matrix (the trees stop once those are settled).
    The trees run on as many chunks as ``ws`` has rows (in parallel if more than
    one); the new paths are then added in pair order on the calling thread, so the
    result does not depend on the number of chunks. With ``first`` every pair's
    demand goes on its new path and into ``flow`` (the all-or-nothing start);
    otherwise a new path starts without flow. Returns the pool (new arrays if it
    grew), the PCE-weighted shortest-path total ``sum pce * demand * least cost``
    and the number of pairs with no path.

    A path is known by its link count and a 63-bit key hashed from its links; a tree
    path whose count and key match a path of the pair is taken to be that path (a
    false match, of odds about 2**-63 per comparison, would only delay that column
    by an iteration: the gap is measured on the trees, not on the path sets).
    """
    _grow_trees(g, cost, pairs, wanted, od, pce, ws, pool, trees)
    tail = g.tail
    links, start, length, pflow, nxt, key, head, used = pool
    n_paths = used[0]
    n_used = used[1]
    sp = 0.0
    bad = 0
    for b in range(pairs.block_class.shape[0]):
        sp += trees.sp[b]
        bad += trees.bad[b]
        k = pairs.block_class[b]
        pred = trees.pred[b]
        for i in range(pairs.block_start[b], pairs.block_start[b + 1]):
            size = trees.size[i]
            if size < 0:
                continue
            links = _grown(links, n_used + size)
            if n_paths + 1 > start.shape[0]:
                start = _grown(start, n_paths + 1)
                length = _grown(length, n_paths + 1)
                pflow = _grown(pflow, n_paths + 1)
                nxt = _grown(nxt, n_paths + 1)
                key = _grown(key, n_paths + 1)
            v = pairs.dest[i]
            for j in range(size):
                e = pred[v]
                links[n_used + j] = e
                v = tail[e]
            start[n_paths] = n_used
            length[n_paths] = size
            key[n_paths] = trees.key[i]
            pflow[n_paths] = pairs.demand[i] if first else 0.0
            nxt[n_paths] = head[i]
            head[i] = n_paths
            if first:
                for j in range(n_used, n_used + size):
                    flow[k, links[j]] += pairs.demand[i]
            n_paths += 1
            n_used += size
    used[0] = n_paths
    used[1] = n_used
    return Pool(links, start, length, pflow, nxt, key, head, used), sp, bad


@njit(cache=True)
def _move(  # pragma: no cover - compiled
    pool: Pool,
    p: int,
    amount: float,
    mark: IntArray,
    skip: int,
    k: int,
    pce: float,
    flow: FloatArray,
    volume: FloatArray,
    time: FloatArray,
    slope: FloatArray,
    t0: FloatArray,
    capacity: FloatArray,
    alpha: FloatArray,
    beta: FloatArray,
    kind: Int8Array,
) -> None:
    """Add ``amount`` of class ``k`` to path ``p``'s links not marked ``skip``."""
    s0 = pool.start[p]
    for j in range(s0, s0 + pool.length[p]):
        a = pool.links[j]
        if mark[a] == skip:
            continue  # on both paths: the move leaves it unchanged
        flow[k, a] += amount
        v = volume[a] + pce * amount
        volume[a] = v
        time[a] = link_time(v, t0[a], capacity[a], alpha[a], beta[a], kind[a])
        slope[a] = link_derivative(v, t0[a], capacity[a], alpha[a], beta[a], kind[a])


@njit(cache=True)
def equilibrate(  # pragma: no cover - compiled
    pairs: Pairs,
    pool: Pool,
    pce: FloatArray,
    fixed: FloatArray,
    flow: FloatArray,
    volume: FloatArray,
    time: FloatArray,
    slope: FloatArray,
    t0: FloatArray,
    capacity: FloatArray,
    alpha: FloatArray,
    beta: FloatArray,
    kind: Int8Array,
    mark: IntArray,
    sweeps: int,
) -> None:
    """``sweeps`` passes of projected Newton moves over every pair (module docs).

    ``volume`` (PCE total), ``time`` and ``slope`` (link time and its derivative at
    ``volume``) must match ``flow`` on entry and are kept matching. ``mark`` is
    scratch, one integer per link.
    """
    links, start, length, pflow, nxt = pool.links, pool.start, pool.length, pool.flow, pool.next
    mark[:] = -1
    stamp = 0
    for _ in range(sweeps):
        for i in range(pairs.dest.shape[0]):
            first = pool.head[i]
            if first < 0 or nxt[first] < 0:
                continue  # one path: nothing to move
            k = pairs.pair_class[i]
            fk = fixed[k]
            # the cheapest path of the pair at the current times
            best = -1
            best_cost = math.inf
            p = first
            while p >= 0:
                c = 0.0
                for j in range(start[p], start[p] + length[p]):
                    c += time[links[j]] + fk[links[j]]
                if c < best_cost:
                    best_cost = c
                    best = p
                p = nxt[p]
            stamp += 2
            for j in range(start[best], start[best] + length[best]):
                mark[links[j]] = stamp
            p = first
            while p >= 0:
                if p != best and pflow[p] > 0.0:
                    c_best = 0.0
                    s_best = 0.0
                    for j in range(start[best], start[best] + length[best]):
                        a = links[j]
                        c_best += time[a] + fk[a]
                        s_best += slope[a]
                    c = 0.0
                    s_own = 0.0
                    s_common = 0.0
                    for j in range(start[p], start[p] + length[p]):
                        a = links[j]
                        c += time[a] + fk[a]
                        if mark[a] == stamp:
                            s_common += slope[a]
                            mark[a] = stamp + 1  # on both paths
                        else:
                            s_own += slope[a]
                    excess = c - c_best
                    if excess > 0.0:
                        s = s_own + s_best - s_common
                        amount = pflow[p]
                        if s > 0.0:
                            amount = min(amount, excess / (pce[k] * s))
                        _move(pool, p, -amount, mark, stamp + 1, k, pce[k], flow, volume, time,
                              slope, t0, capacity, alpha, beta, kind)  # fmt: skip
                        _move(pool, best, amount, mark, stamp + 1, k, pce[k], flow, volume,
                              time, slope, t0, capacity, alpha, beta, kind)  # fmt: skip
                        pflow[best] += amount
                        pflow[p] = 0.0 if amount == pflow[p] else pflow[p] - amount
                    for j in range(start[p], start[p] + length[p]):
                        if mark[links[j]] == stamp + 1:
                            mark[links[j]] = stamp  # back to "on the cheapest path"
                p = nxt[p]
            # unlink the paths left without flow (the cheapest always stays)
            prev = -1
            p = pool.head[i]
            while p >= 0:
                after = nxt[p]
                if p != best and pflow[p] <= 0.0:
                    if prev < 0:
                        pool.head[i] = after
                    else:
                        nxt[prev] = after
                else:
                    prev = p
                p = after


@njit(cache=True)
def compact(  # pragma: no cover - compiled
    pairs: Pairs, pool: Pool, spare: Pool, flow: FloatArray
) -> Pool:
    """A copy of ``pool`` with only the linked paths, each pair's consecutive; the class
    link flows ``flow[k, a]`` rebuilt from the path flows on the way.

    Paths unlinked by :func:`equilibrate` leave holes; a pair's chain, once new
    paths are added, jumps across the pool. Copying in pair order keeps every
    sweep's reads sequential. The copy goes into ``spare``'s arrays where they are
    large enough (fresh ones otherwise): pass the previous pool as the next spare.
    Rebuilding ``flow`` from the paths conserves flow exactly, whatever rounding
    the moves accumulated.
    """
    n_pairs = pairs.dest.shape[0]
    n_paths = pool.used[0]  # bounds: the pool's totals, holes included
    n_used = pool.used[1]
    if (
        spare.links.shape[0] >= n_used
        and spare.start.shape[0] >= n_paths
        and spare.head.shape[0] == n_pairs
    ):
        links, start, length, pflow, nxt, key, head = spare[:7]
    else:
        room = n_paths + n_paths // 2 + 16
        links = np.empty(n_used + n_used // 2 + 16, dtype=np.int32)
        start = np.empty(room, dtype=np.int64)
        length = np.empty(room, dtype=np.int64)
        pflow = np.empty(room)
        nxt = np.empty(room, dtype=np.int64)
        key = np.empty(room, dtype=np.int64)
        head = np.empty(n_pairs, dtype=np.int64)
    flow[:] = 0.0
    q = 0
    u = 0
    for i in range(n_pairs):
        k = pairs.pair_class[i]
        head[i] = -1
        p = pool.head[i]
        while p >= 0:
            size = pool.length[p]
            s0 = pool.start[p]
            f = pool.flow[p]
            for j in range(size):
                a = pool.links[s0 + j]
                links[u + j] = a
                flow[k, a] += f
            start[q] = u
            length[q] = size
            pflow[q] = f
            key[q] = pool.key[p]
            nxt[q] = -1
            if head[i] < 0:
                head[i] = q
            else:
                nxt[q - 1] = q
            u += size
            q += 1
            p = pool.next[p]
    taken = np.empty(2, dtype=np.int64)
    taken[0] = q
    taken[1] = u
    return Pool(links, start, length, pflow, nxt, key, head, taken)
