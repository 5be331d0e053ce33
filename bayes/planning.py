"""Contraction plans: in which order a query's tables are multiplied and its variables summed out.

A plan is variable elimination written as an opt_einsum path. The order is chosen greedily, always
eliminating the variable whose elimination creates the smallest table (the "min-weight" heuristic of
junction-tree engines), ties broken by the variable's position, so the same query gets the same plan in
every process (no dependence on Python's hash seed) and planning stays cheap: a few milliseconds for
hundreds of tables, where opt_einsum's randomised searches took seconds (docs/methods.md#inference).
"""

from __future__ import annotations

import heapq
import math


def elimination_path(inputs: list[str], output: str, sizes: dict[str, int]) -> tuple[list[tuple[int, ...]], int]:
    """(opt_einsum path, largest intermediate in elements) for contracting `inputs` (einsum terms, one
    character per index) down to `output`."""
    if len(inputs) == 1:
        return [(0,)], math.prod(sizes[c] for c in inputs[0])
    keep = set(output)
    order = {c: i for i, c in enumerate(dict.fromkeys("".join(inputs)))}
    tensors: dict[int, frozenset] = {}
    holders: dict[str, set[int]] = {}
    current: list[int] = []
    for k, term in enumerate(inputs):
        tensors[k] = frozenset(term)
        current.append(k)
        for c in term:
            holders.setdefault(c, set()).add(k)
    next_id = len(inputs)
    largest = max((math.prod(sizes[c] for c in t) for t in tensors.values()), default=1)
    path: list[tuple[int, ...]] = []

    def size(indices) -> int:
        return math.prod(sizes[c] for c in indices)

    def cost(c: str) -> tuple:
        union = frozenset().union(*(tensors[t] for t in holders[c]))
        return (size(union - {c}), size(union), order[c])

    version = {c: 0 for c in holders}
    heap = [(cost(c), c, 0) for c in holders if c not in keep]
    heapq.heapify(heap)

    def contract(a: int, b: int) -> int:
        nonlocal next_id, largest
        pa, pb = current.index(a), current.index(b)
        path.append((pa, pb))
        for p in sorted((pa, pb), reverse=True):
            current.pop(p)
        joined = tensors.pop(a) | tensors.pop(b)
        for c in joined:
            holders[c].discard(a)
            holders[c].discard(b)
        # an index no other table holds and the output does not need is summed out here
        result = frozenset(c for c in joined if c in keep or holders[c])
        new = next_id
        next_id += 1
        tensors[new] = result
        current.append(new)
        for c in result:
            holders[c].add(new)
        largest = max(largest, size(result))
        return new

    while heap:
        _, c, v = heapq.heappop(heap)
        if v != version[c] or not holders.get(c):
            continue
        group = sorted(holders[c], key=lambda t: (size(tensors[t]), t))
        acc = group[0]
        for t in group[1:]:
            acc = contract(acc, t)
        if len(group) == 1 and c in tensors[acc]:  # a single table holding c: sum it out on its own
            pa = current.index(acc)
            path.append((pa,))
            current.pop(pa)
            reduced = frozenset(x for x in tensors.pop(acc) if x != c)
            for x in reduced | {c}:
                holders[x].discard(acc)
            new = next_id
            next_id += 1
            tensors[new] = reduced
            current.append(new)
            for x in reduced:
                holders[x].add(new)
            acc = new
        holders[c] = set()
        for x in tensors[acc]:
            if x not in keep and holders[x]:
                version[x] += 1
                heapq.heappush(heap, (cost(x), x, version[x]))
    while len(current) > 1:  # what is left holds output indices only: multiply it together, smallest first
        a, b = sorted(current, key=lambda t: (size(tensors[t]), t))[:2]
        contract(a, b)
    if not path:
        path.append((0,))
    return path, largest
