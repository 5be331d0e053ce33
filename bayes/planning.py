"""Contraction plans: in which order a query's tables are multiplied and its variables summed out.

A plan is variable elimination written as an opt_einsum path. The elimination order comes from the
greedy heuristics of junction-tree engines (min-fill, weighted min-fill and min-size, ties broken by the
variable's position); each is cheap, so all three are tried and the plan whose largest table is smallest
wins (then the one with the fewest multiplications). Deterministic: the same query gets the same plan in
every process, whatever Python's hash seed. A few milliseconds for hundreds of tables, where
opt_einsum's randomised searches took seconds (docs/methods.md#inference).
"""

from __future__ import annotations

import heapq
import math

HEURISTICS = ("min_fill", "weighted_min_fill", "min_size")


def elimination_path(inputs: list[str], output: str, sizes: dict[str, int]) -> tuple[list[tuple[int, ...]], int]:
    """(opt_einsum path, largest intermediate in elements) for contracting `inputs` (einsum terms, one
    character per index) down to `output`: the best of the greedy elimination orders."""
    if len(inputs) == 1:
        return [(0,)], math.prod(sizes[c] for c in inputs[0])
    best = None
    for heuristic in HEURISTICS:
        order = elimination_order(inputs, output, sizes, heuristic)
        path, largest, flops = path_from_order(inputs, output, sizes, order)
        if best is None or (largest, flops) < best[1:]:
            best = (path, largest, flops)
    return best[0], best[1]


def elimination_order(inputs: list[str], output: str, sizes: dict[str, int], heuristic: str) -> list[str]:
    """A greedy elimination order of every index not in the output, on the graph where two indices are
    neighbours when some table holds both."""
    position = {c: i for i, c in enumerate(dict.fromkeys("".join(inputs) + output))}
    keep = set(output)
    neighbours: dict[str, set[str]] = {c: set() for c in position}
    for term in inputs:
        for c in term:
            neighbours[c].update(x for x in term if x != c)

    def cost(c: str) -> tuple:
        nb = neighbours[c]
        if heuristic == "min_size":
            return (math.prod(sizes[x] for x in nb), position[c])
        missing = [(a, b) for a in nb for b in nb if a < b and b not in neighbours[a]]
        if heuristic == "min_fill":
            return (len(missing), math.prod(sizes[x] for x in nb), position[c])
        return (sum(sizes[a] * sizes[b] for a, b in missing), math.prod(sizes[x] for x in nb), position[c])

    heap = [(cost(c), c) for c in position if c not in keep]
    heapq.heapify(heap)
    done: set[str] = set()
    order: list[str] = []
    while heap:
        stored, c = heapq.heappop(heap)
        if c in done:
            continue
        now = cost(c)
        if now != stored:  # its neighbourhood changed since it was queued
            heapq.heappush(heap, (now, c))
            continue
        done.add(c)
        order.append(c)
        nb = neighbours.pop(c)
        touched = set(nb)
        for a in nb:
            neighbours[a].discard(c)
            neighbours[a].update(x for x in nb if x != a)
            touched.update(neighbours[a])
        for x in touched:  # costs may have fallen: queue them afresh (stale entries are re-checked)
            if x not in keep and x not in done:
                heapq.heappush(heap, (cost(x), x))
    return order


def path_from_order(inputs: list[str], output: str, sizes: dict[str, int], order: list[str]):
    """(path, largest intermediate, multiplications) of eliminating in `order`: the tables holding each
    variable are multiplied pairwise, smallest first, and the variable summed out with the last one."""
    keep = set(output)
    tensors: dict[int, frozenset] = {}
    holders: dict[str, set[int]] = {}
    current: list[int] = []
    for k, term in enumerate(inputs):
        tensors[k] = frozenset(term)
        current.append(k)
        for c in term:
            holders.setdefault(c, set()).add(k)
    state = {"next": len(inputs), "largest": max(math.prod(sizes[c] for c in t) for t in tensors.values()),
             "flops": 0}
    path: list[tuple[int, ...]] = []

    def size(indices) -> int:
        return math.prod(sizes[c] for c in indices)

    def replace(old: tuple[int, ...], indices: frozenset) -> int:
        path.append(tuple(current.index(t) for t in old))
        for t in sorted(old, key=current.index, reverse=True):
            current.remove(t)
        joined = frozenset().union(*(tensors.pop(t) for t in old))
        for c in joined:
            holders[c].difference_update(old)
        # an index no other table holds and the output does not need is summed out here
        result = frozenset(c for c in indices if c in keep or holders[c])
        new = state["next"]
        state["next"] += 1
        tensors[new] = result
        current.append(new)
        for c in result:
            holders[c].add(new)
        state["largest"] = max(state["largest"], size(result))
        state["flops"] += size(joined)
        return new

    for c in order:
        group = sorted(holders.get(c, ()), key=lambda t: (size(tensors[t]), t))
        if not group:
            continue
        acc = group[0]
        for t in group[1:]:
            acc = replace((acc, t), tensors[acc] | tensors[t])
        if c in tensors[acc]:  # one table left holding c: sum it out on its own
            replace((acc,), tensors[acc] - {c})
    while len(current) > 1:  # what is left holds output indices only: multiply it together, smallest first
        a, b = sorted(current, key=lambda t: (size(tensors[t]), t))[:2]
        replace((a, b), tensors[a] | tensors[b])
    if not path:
        path.append((0,))
    return path, state["largest"], state["flops"]
