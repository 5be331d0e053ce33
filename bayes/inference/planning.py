"""Contraction plans: in which order a query's tables are multiplied and its variables summed out.

A plan is variable elimination written as an opt_einsum path. The elimination order comes from the
greedy heuristics of junction-tree engines (min-fill, weighted min-fill and min-size, ties broken by the
variable's position); each is cheap, so they are tried in turn and the plan whose largest table is smallest
wins (then the one with the fewest multiplications), until the best plan so far is so cheap to run (CHEAP_ENOUGH,
or PLANNING_WORTH per unit of the elimination work another heuristic would take) that planning again would cost
more than it could save. Deterministic: the same query gets the same plan in
every process, whatever Python's hash seed. A few milliseconds for hundreds of tables, where
opt_einsum's randomised searches took seconds (docs/methods.md#inference). A plan carried over thousands
of draws is also compared with the optimal path of a bounded search (`optimal_path`).
"""

from __future__ import annotations

import heapq
import math
from collections import Counter

import numpy as np

HEURISTICS = ("min_fill", "weighted_min_fill", "min_size")
DIRECT_BUCKET = 8192  # combinations up to which a bucket's tables are multiplied in one einsum loop, not pairwise
SMALL_BUCKET = 262144  # combinations of a bucket's variables: up to this, bucket elimination (Buckets)
# in a question's own min-fill order (the model's order making bigger buckets): a bucket this big runs slower
# than matrix products (water: buckets of 262,144 combinations, 5.2 ms, against 3.0 ms)
QUESTION_BUCKET = 65536
CHEAP_ENOUGH = 50_000  # multiplications: a plan this cheap takes well under a millisecond to run
# Planning a query afresh costs about 5 us per unit of elimination work (the squared neighbourhood of each
# variable eliminated) and a multiplication about 0.2 ns in a contraction (benchmarks/bench_networks.py,
# docs/methods.md#inference): the model's own order is kept for a query when planning could not save more
PLANNING_WORTH = 25_000  # multiplications per unit of elimination work
LARGEST_UNPLANNED = 2 ** 22  # numbers: a bigger table is worth planning the query for, whatever it costs


def elimination_path(inputs: list[str], output: str, sizes: dict[str, int], rank: dict[str, int] | None = None,
                     hopeless: float | None = None, heuristics=HEURISTICS, repeats: int = 1,
                     orders: dict[str, list[str]] | None = None) -> tuple[list[tuple[int, ...]], int, int]:
    """(opt_einsum path, largest intermediate in elements, multiplications) for contracting `inputs` (einsum
    terms, one character per index) down to `output`: the model's elimination order restricted to the query
    (`rank`: each index's position in it, network_rank), when planning afresh could not pay for itself;
    else the best of the greedy elimination orders. A first order whose largest table is over `hopeless`
    numbers is returned at once: greedy orders differ by small factors, not by that much, and the question
    will be refused (a dense network's other orders take seconds to find). `repeats`: how many times the plan
    will run (the draws of a chunk, for a question carried over parameter draws). `orders`: heuristics' orders
    the caller has worked out already, by name."""
    if len(inputs) == 1:
        size = math.prod(sizes[c] for c in inputs[0])
        return [(0,)], size, size
    best = None
    if rank is not None:
        keep = set(output)
        order = sorted((c for c in sizes if c not in keep), key=rank.__getitem__)
        path, largest, flops, work = path_from_order(inputs, output, sizes, order, with_work=True)
        best = (path, largest, flops)
        if flops <= PLANNING_WORTH * work and largest <= LARGEST_UNPLANNED:
            return best
    for heuristic in heuristics:
        order = (orders or {}).get(heuristic) or elimination_order(inputs, output, sizes, heuristic)
        path, largest, flops, work = path_from_order(inputs, output, sizes, order, with_work=True)
        if best is None or (largest, flops) < best[1:]:
            best = (path, largest, flops)
        # another heuristic costs about this one's elimination work to try: a plan that runs faster than that
        # is kept (munin1, a question pruned to 62 tables: 195,613 multiplications, against 4 ms of planning);
        # a plan run over thousands of draws is worth every heuristic (munin1's draws: 0.5 s, 1.9 s with one)
        if (best[2] <= CHEAP_ENOUGH or best[2] * repeats <= PLANNING_WORTH * work) and best[1] <= LARGEST_UNPLANNED:
            break
        if hopeless is not None and best[1] > hopeless:
            break
    return best


def _bits(x: int) -> list[int]:
    """The positions of the set bits of x, lowest first."""
    out = []
    while x:  # the highest bit off each time (cheaper on a wide int than isolating the lowest)
        top = x.bit_length() - 1
        out.append(top)
        x ^= 1 << top
    out.reverse()
    return out


def elimination_order(inputs: list[str], output: str, sizes: dict[str, int], heuristic: str) -> list[str]:
    """A greedy elimination order of every index not in the output, on the graph where two indices are
    neighbours when some table holds both. Neighbourhoods are bitsets (Python ints): the fill-in of a
    variable is one AND-NOT and a bit count per neighbour, not a set difference per pair (a dense
    300-variable network's order: seconds with sets)."""
    symbols = list(dict.fromkeys("".join(inputs) + output))
    position = {c: i for i, c in enumerate(symbols)}
    size_of = [sizes[c] for c in symbols]
    keep = 0
    for c in output:
        keep |= 1 << position[c]
    adjacent = [0] * len(symbols)
    for term in inputs:
        mask = 0
        for c in term:
            mask |= 1 << position[c]
        for c in term:
            adjacent[position[c]] |= mask
    for p in range(len(symbols)):
        adjacent[p] &= ~(1 << p)
    by_size: dict[int, int] = {}
    for p, k in enumerate(size_of):
        by_size[k] = by_size.get(k, 0) | 1 << p
    classes = sorted(by_size.items())

    seen: dict[int, tuple[list[int], int]] = {}  # a neighbourhood's members and table size, by its bitset

    def cost(p: int) -> tuple:
        nb = adjacent[p]
        known = seen.get(nb)
        if known is None:
            members = _bits(nb)
            known = seen[nb] = (members, math.prod(map(size_of.__getitem__, members)))
        members, size = known
        if heuristic == "min_size":
            return (size, p)
        if heuristic == "min_fill":  # the pairs of p's neighbours not yet neighbours, each seen from both ends
            return (sum([(nb & ~adjacent[a]).bit_count() for a in members]) - len(members)) // 2, size, p
        # each fill pair weighted by the product of its sizes: the sizes of a's missing partners summed by size
        # class (a bit count per class; networks have few distinct state counts)
        weighted = 0
        for a in members:
            missing = nb & ~adjacent[a] & ~(1 << a)
            if missing:  # (none, in a neighbourhood that is already a clique)
                weighted += size_of[a] * sum([k * (missing & mask).bit_count() for k, mask in classes])
        return (weighted // 2, size, p)

    # every variable whose cost can change is queued afresh (`touched` below), so its latest cost is its
    # cost now: an entry that is not its latest is stale and skipped, never recomputed
    latest = {p: cost(p) for p in range(len(symbols)) if not keep >> p & 1}
    heap = [(c, p) for p, c in latest.items()]
    heapq.heapify(heap)
    done = 0
    order: list[str] = []
    while heap:
        stored, p = heapq.heappop(heap)
        if done >> p & 1 or stored != latest[p]:
            continue
        done |= 1 << p
        order.append(symbols[p])
        nb = adjacent[p]
        adjacent[p] = 0
        touched = nb
        for a in _bits(nb):
            adjacent[a] = (adjacent[a] | nb) & ~(1 << a) & ~(1 << p)
            touched |= adjacent[a]
        for x in _bits(touched & ~keep & ~done):  # costs may have changed: queued afresh where they did
            if not nb >> x & 1 and (heuristic == "min_size" or (adjacent[x] & nb).bit_count() < 2):
                continue  # not p's neighbour: its neighbours are as they were, and no two of them newly joined
            now = cost(x)
            if now != latest[x]:
                latest[x] = now
                heapq.heappush(heap, (now, x))
    return order


def network_rank(parents: list[tuple[int, ...]], cards: list[int]) -> list[int]:
    """Each variable's position in a min-fill elimination order of the whole network's moral graph: computed
    once per model, restricted to each query's variables (as a junction tree serves every query; the
    restriction is never wider than the whole, since removing variables only removes fill)."""
    from opt_einsum import get_symbol

    families = ["".join(get_symbol(a) for a in (*ps, v)) for v, ps in enumerate(parents)]
    order = elimination_order(families, "", {get_symbol(v): c for v, c in enumerate(cards)}, "min_fill")
    variable = {get_symbol(v): v for v in range(len(parents))}
    rank = [0] * len(parents)
    for position, c in enumerate(order):
        rank[variable[c]] = position
    return rank


def path_from_order(inputs: list[str], output: str, sizes: dict[str, int], order: list[str], with_work: bool = False):
    """(path, largest intermediate, multiplications) of eliminating in `order`: the tables holding each
    variable are multiplied pairwise, the pair whose product is smallest first, and the variable summed out with
    the last product. `with_work` adds the elimination work: the sum of each eliminated variable's squared
    neighbourhood (what planning afresh would cost, in PLANNING_WORTH's unit)."""
    keep = set(output)
    tensors: dict[int, frozenset] = {}
    size_of: dict[int, int] = {}  # each table's size, counted once
    holders: dict[str, set[int]] = {}
    current: list[int] = []
    size_by_index = sizes.__getitem__
    for k, term in enumerate(inputs):
        tensors[k] = frozenset(term)
        size_of[k] = math.prod(map(size_by_index, tensors[k]))
        current.append(k)
        for c in term:
            holders.setdefault(c, set()).add(k)
    state = {"next": len(inputs), "largest": max(size_of.values()), "flops": 0, "work": 0}
    path: list[tuple[int, ...]] = []

    def size(indices) -> int:
        return math.prod(map(size_by_index, indices))

    def replace(old: tuple[int, ...], indices: frozenset) -> int:
        places = [current.index(t) for t in old]
        path.append(tuple(places))
        for place in sorted(places, reverse=True):
            del current[place]
        joined = frozenset().union(*(tensors.pop(t) for t in old))
        for c in joined:
            holders[c].difference_update(old)
        # an index no other table holds and the output does not need is summed out here
        result = frozenset(c for c in indices if c in keep or holders[c])
        new = state["next"]
        state["next"] += 1
        tensors[new] = result
        size_of[new] = size(result)
        current.append(new)
        for c in result:
            holders[c].add(new)
        state["largest"] = max(state["largest"], size_of[new])
        state["flops"] += size(joined)
        return new

    for c in order:
        group = sorted(holders.get(c, ()), key=lambda t: (size_of[t], t))
        if not group:
            continue
        while len(group) > 1:  # the pair whose product is smallest first: a table inside another costs nothing
            if len(group) == 2:
                a, b = group
            else:
                a, b = min(((a, b) for i, a in enumerate(group) for b in group[i + 1:]),
                           key=lambda p: (size(tensors[p[0]] | tensors[p[1]]), group.index(p[0]), group.index(p[1])))
            group = [t for t in group if t not in (a, b)] + [replace((a, b), tensors[a] | tensors[b])]
        acc = group[0]
        state["work"] += (len(tensors[acc]) - 1) ** 2
        if c in tensors[acc]:  # one table left holding c: sum it out on its own
            replace((acc,), tensors[acc] - {c})
    while len(current) > 1:  # what is left holds output indices only: multiply it together, smallest first
        a, b = sorted(current, key=lambda t: (size_of[t], t))[:2]
        replace((a, b), tensors[a] | tensors[b])
    if not path:
        path.append((0,))
    if with_work:
        return path, state["largest"], state["flops"], state["work"]
    return path, state["largest"], state["flops"]


def path_cost(inputs: list[str], output: str, sizes: dict[str, int], path: list[tuple[int, ...]]) -> tuple[int, int]:
    """(largest intermediate, multiplications) of any opt_einsum path, in path_from_order's measure: each
    product costs the combinations of its tables' indices; an index no later table or the output holds is
    summed out with it."""
    terms = [frozenset(t) for t in inputs]
    holding = Counter(c for t in terms for c in t)
    holding.update(set(output))
    largest = max(math.prod(sizes[c] for c in t) for t in terms)
    flops = 0
    for step in path:
        taken = [terms.pop(i) for i in sorted(step, reverse=True)]
        joined = frozenset().union(*taken)
        for t in taken:
            holding.subtract(t)
        result = frozenset(c for c in joined if holding[c] > 0)
        holding.update(result)
        if len(taken) > 1:
            flops += math.prod(sizes[c] for c in joined)
        largest = max(largest, math.prod(sizes[c] for c in result))
        terms.append(result)
    return largest, flops


SEARCH_CALLS = 100_000  # pairings the optimal search may weigh (about 0.2 s) before the greedy plan is kept
SEARCH_WORTH = 100_000_000  # multiplications in one contraction (a plan times the draws a chunk carries) worth it


class _OverBudget(Exception):
    """The optimal search weighed its budget of pairings (optimal_path gives up)."""


def optimal_path(inputs: list[str], output: str, sizes: dict[str, int], largest: int,
                 calls: int = SEARCH_CALLS) -> list[tuple[int, ...]] | None:
    """The pairwise path with the fewest multiplications (opt_einsum's dynamic programme, Pfeifer et al.
    2014), its tables never over `largest` numbers; None when the search would weigh more than `calls`
    pairings. A table of one variable (a prior, a finding) is first multiplied into the smallest table
    holding that variable: the search then weighs far fewer tables (bnlearn's mildew: 35 -> 20, 7 s ->
    0.07 s), at a cost that can make the path dearer than the greedy one on small questions (the caller
    keeps the cheaper). Worth it where one plan runs many times: over thousands of draws the greedy orders'
    extra multiplications (mildew's udbytte: 9.3M per draw, this path 3.4M) cost seconds. Deterministic:
    the budget counts pairings, not seconds."""
    try:
        from opt_einsum.paths import DynamicProgramming, _dp_compare_flops
    except ImportError:  # pragma: no cover - an opt_einsum without its dynamic programme
        return None
    terms = [frozenset(t) for t in inputs]
    order = sorted(range(len(terms)), key=lambda k: (len(terms[k]), k))
    holders: dict[str, list[int]] = {}
    for k, t in enumerate(terms):
        for c in t:
            holders.setdefault(c, []).append(k)
    position = {k: n for n, k in enumerate(order)}
    table_size = [math.prod(sizes[c] for c in t) for t in terms]
    into: dict[int, int] = {}  # one-variable table -> the smallest table holding its variable, which takes it
    for k in order:
        if len(terms[k]) != 1:
            continue
        rarest = min(terms[k], key=lambda c: len(holders[c]))
        # (of two tables over the same indices, the later takes the earlier, so no two take each other)
        takers = [j for j in holders[rarest] if j != k and j not in into and terms[k] <= terms[j]
                  and (terms[k] < terms[j] or position[j] > position[k])]
        if takers:
            into[k] = min(takers, key=lambda j: (table_size[j], position[j]))
    # the path: each absorbed table multiplied into its root, then the search's path over what is left
    live = list(range(len(terms)))
    path: list[tuple[int, ...]] = []
    name = {k: k for k in live}  # table -> its current id in `live`
    fresh = len(terms)
    for k in order:
        if k not in into:
            continue
        root = k
        while root in into:
            root = into[root]
        a, b = live.index(name[k]), live.index(name[root])
        path.append(tuple(sorted((a, b))))
        for x in sorted((a, b), reverse=True):
            live.pop(x)
        live.append(fresh)
        name[root] = fresh
        fresh += 1
    table_of = {v: k for k, v in name.items() if k not in into}  # current id -> the table it holds
    rest = [terms[table_of[x]] for x in live]
    if len(rest) > 1:
        counted = [0]

        def weigh(*args):
            counted[0] += 1
            if counted[0] > calls:
                raise _OverBudget
            _dp_compare_flops(*args)

        try:
            path += DynamicProgramming(minimize=weigh)(rest, frozenset(output), dict(sizes), largest)
        except (_OverBudget, RuntimeError, OverflowError):  # (its naive cost overflows a float on big questions)
            return None
    elif not path:
        path = [(0,)]
    return path


_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"  # the only labels numpy's einsum takes


def _subscripts(terms: list[str], output: str) -> str:
    """numpy einsum subscripts for terms over any labels (opt_einsum's symbols run past the alphabet)."""
    letters = str.maketrans(dict(zip(dict.fromkeys("".join(terms) + output), _LETTERS)))
    return (",".join(terms) + "->" + output).translate(letters)  # (no symbol is ',', '-' or '>')


class Buckets:
    """Bucket elimination for a small question: for each variable in `order`, every table holding it is
    multiplied and the variable summed out in one numpy einsum (the bucket); what is left is multiplied into
    the output. Building it is a pass over the order, with no pairing to plan, so a question whose buckets are
    all small (at most SMALL_BUCKET combinations) is answered in well under a millisecond (Contraction's
    matrix products pay off on big tables, where their layouts cost nothing beside the multiplications).
    `Buckets.build` returns None when some bucket is bigger."""

    def __init__(self, inputs, output, steps, final, largest):
        self.inputs, self.output, self.steps, self.final = tuple(inputs), output, steps, final
        # the most combinations one einsum runs over: what multiplying its tables pairwise would hold at once (an
        # einsum holds less; the memory budget counts this, as for any plan)
        self.largest = largest

    @classmethod
    def build(cls, inputs: list[str], output: str, sizes: dict[str, int], order: list[str],
              most: int = SMALL_BUCKET) -> "Buckets | None":
        if len(inputs) <= 30 and len(sizes) <= len(_LETTERS) and math.prod(sizes.values()) <= DIRECT_BUCKET:
            # every combination of every variable is one small einsum (the whole question of a small network)
            return cls(inputs, output, [], (list(range(len(inputs))), _subscripts(list(inputs), output)),
                       math.prod(sizes.values()))
        tables = dict(enumerate(inputs))
        holders: dict[str, set[int]] = {}
        for k, term in tables.items():
            for c in term:
                holders.setdefault(c, set()).add(k)
        keep = set(output)
        steps = []
        largest = math.prod(sizes[c] for c in output)
        for c in order:
            group = sorted(holders.get(c, ()))
            if not group:
                continue
            terms = [tables.pop(g) for g in group]
            joined = "".join(terms)
            union = list(dict.fromkeys(joined))
            combinations = math.prod(sizes[x] for x in union)
            if len(group) > 30 or len(union) > len(_LETTERS) or combinations > most:
                return None
            largest = max(largest, combinations)
            # an index stays when the output or a table outside the bucket holds it (each table holds it once)
            result = "".join(x for x in union if x != c and (x in keep or len(holders[x]) > joined.count(x)))
            new = len(inputs) + len(steps)
            pairs = None
            if combinations > DIRECT_BUCKET and len(terms) > 2:  # one loop over them all would be slow: pairwise,
                # smallest tables first, each index summed out once no later table of the bucket holds it (a
                # chain of two-table einsums: numpy's own pairwise einsum plans the chain at every call)
                ranked = sorted(range(len(terms)), key=lambda k: math.prod(sizes[x] for x in terms[k]))
                group, terms = [group[k] for k in ranked], [terms[k] for k in ranked]
                pairs, made = [], terms[0]
                for k in range(1, len(terms)):
                    later = set("".join(terms[k + 1:])) | set(result)
                    into = result if k == len(terms) - 1 else "".join(
                        x for x in dict.fromkeys(made + terms[k]) if x in later)
                    pairs.append(_subscripts([made, terms[k]], into))
                    made = into
            steps.append((group, _subscripts(terms, result), new, pairs))
            for g, term in zip(group, terms):
                for x in term:
                    holders[x].discard(g)
            for x in result:
                holders[x].add(new)
            tables[new] = result
        left = sorted(tables)
        if len(left) > 30 or len(set("".join(tables[k] for k in left)) | keep) > len(_LETTERS):
            return None
        return cls(inputs, output, steps, (left, _subscripts([tables[k] for k in left], output)), largest)

    def __repr__(self) -> str:
        lines = [f"Buckets({','.join(self.inputs)}->{self.output})"]
        lines += [f"  tables {list(group)}: {subscripts}" for group, subscripts, _, _ in self.steps]
        return "\n".join(lines + [f"  tables {self.final[0]}: {self.final[1]}"])

    def __call__(self, *operands: np.ndarray) -> np.ndarray:
        live = dict(enumerate(operands))
        for group, subscripts, new, pairs in self.steps:
            if pairs is None:
                live[new] = np.einsum(subscripts, *(live.pop(g) for g in group))
                continue
            made = live.pop(group[0])
            for g, pair in zip(group[1:], pairs):
                made = np.einsum(pair, made, live.pop(g))
            live[new] = made
        left, subscripts = self.final
        return np.einsum(subscripts, *(live[k] for k in left))
