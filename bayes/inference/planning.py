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
CHEAP_ENOUGH = 50_000  # multiplications: a plan this cheap takes well under a millisecond to run
# Planning a query afresh costs about 5 us per unit of elimination work (the squared neighbourhood of each
# variable eliminated) and a multiplication about 0.2 ns in a contraction (benchmarks/bench_networks.py,
# docs/methods.md#inference): the model's own order is kept for a query when planning could not save more
PLANNING_WORTH = 25_000  # multiplications per unit of elimination work
LARGEST_UNPLANNED = 2 ** 22  # numbers: a bigger table is worth planning the query for, whatever it costs


def elimination_path(inputs: list[str], output: str, sizes: dict[str, int], rank: dict[str, int] | None = None,
                     hopeless: float | None = None, heuristics=HEURISTICS,
                     repeats: int = 1) -> tuple[list[tuple[int, ...]], int, int]:
    """(opt_einsum path, largest intermediate in elements, multiplications) for contracting `inputs` (einsum
    terms, one character per index) down to `output`: the model's elimination order restricted to the query
    (`rank`: each index's position in it, network_rank), when planning afresh could not pay for itself;
    else the best of the greedy elimination orders. A first order whose largest table is over `hopeless`
    numbers is returned at once: greedy orders differ by small factors, not by that much, and the question
    will be refused (a dense network's other orders take seconds to find). `repeats`: how many times the plan
    will run (the draws of a chunk, for a question carried over parameter draws)."""
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
        order = elimination_order(inputs, output, sizes, heuristic)
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


LAYOUT_WORTH = 1_000_000  # multiply-adds from which a plan's products are laid out for the next (two passes)
COMPACT_WORTH = 2  # a compact table is multiplied as it is when its entries x the other's cells are at most 1/2 of its size
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
    def build(cls, inputs: list[str], output: str, sizes: dict[str, int], order: list[str]) -> "Buckets | None":
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
            if len(group) > 30 or len(union) > len(_LETTERS) or combinations > SMALL_BUCKET:
                return None
            largest = max(largest, combinations)
            # an index stays when the output or a table outside the bucket holds it (each table holds it once)
            result = "".join(x for x in union if x != c and (x in keep or len(holders[x]) > joined.count(x)))
            new = len(inputs) + len(steps)
            subscripts = _subscripts(terms, result)
            pairwise = False
            if combinations > DIRECT_BUCKET and len(terms) > 2:  # one loop over them all would be slow: pairwise
                import opt_einsum

                shapes = [tuple(sizes[c] for c in t) for t in terms]
                pairwise = ["einsum_path", *opt_einsum.contract_path(subscripts, *shapes, shapes=True,
                                                                     optimize="greedy")[0]]
            steps.append((group, subscripts, new, pairwise))
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
        for group, subscripts, new, pairwise in self.steps:
            live[new] = np.einsum(subscripts, *(live.pop(g) for g in group), optimize=pairwise)
        left, subscripts = self.final
        return np.einsum(subscripts, *(live[k] for k in left))


class Contraction:
    """A plan carried out: each pairwise step as one matrix product over its shared axes.

    The step's indices are sorted into batch (both tables, still needed: the draw axis and variables
    other tables share), contracted (both, summed here), left and right (one table each); the two tables
    are laid out (batch, left, contracted) and (batch, contracted, right) and multiplied with numpy's
    matmul, which hands each product to BLAS. numpy's einsum, which opt_einsum falls back to whenever a
    step has a batch index (every step of a batched run: the draw axis), loops element by element and
    was 3-6x slower on the big networks (docs/methods.md#inference). Layouts are worked out once here,
    so a call only transposes, reshapes and multiplies.

    `compact`: inputs given as their positive entries only, {position: flat positions in the table} (a big
    table of mostly zeros, draws first, inference/draws.Compact). Where such a table is multiplied as it
    comes, over the draw axis alone, the product gathers the other table at its entries and adds them up
    by output cell: work in proportion to its positive entries, not its size (mildew's two biggest tables
    are 94% zeros). `self.compact` holds the positions multiplied so; others are passed spread out."""

    def __init__(self, inputs: list[str], output: str, sizes: dict[str, int], path: list[tuple[int, ...]],
                 compact: dict[int, np.ndarray] | None = None):
        self.inputs, self.output = tuple(inputs), output
        # laid out twice: the first pass finds, for each product, the batch indices of the product that takes
        # it; the second lays each product out with those first where it can, so that next product needs no
        # copy (bnlearn's mildew: a 1M-number table copied every block, 0.3 s of 1,000 draws); a small plan
        # keeps its first layout, which costs less than the copies it would save (munin1's point questions)
        compact = compact or {}
        self.steps, (self.final_drop, self.final), wanted, work = self._lay_out(inputs, output, sizes, path, {},
                                                                                compact)
        if work >= LAYOUT_WORTH:
            self.steps, (self.final_drop, self.final), _, _ = self._lay_out(inputs, output, sizes, path, wanted,
                                                                            compact)
        self.compact = frozenset(step[-1] for step in self.steps if step[0] == "compact")

    @staticmethod
    def _lay_out(inputs, output, sizes, path, wanted: dict[int, set], compact: dict[int, np.ndarray]):
        """(steps, final reduction, {step: batch indices of the product taking its result}, multiply-adds);
        a product's result puts its right-hand indices before its left-hand ones when that brings `wanted`
        forward."""
        terms = list(inputs)
        made = [None] * len(terms)  # the step that made each table (None: an input)
        origin = list(range(len(terms)))  # the input each table is (None: a product)
        steps, takers, work = [], {}, 0
        holding = dict.fromkeys(sizes, 0)  # how many tables left hold each index
        for term in terms:
            for c in set(term):
                holding[c] += 1
        for c in set(output):  # the output needs its indices to the end
            holding[c] = holding.get(c, 0) + 1
        get_size = sizes.__getitem__

        def size(cs) -> int:
            return math.prod(map(get_size, cs))

        for number, step in enumerate(path):
            picked = sorted(step, reverse=True)
            taken = [terms.pop(i) for i in picked]
            sources = [made.pop(i) for i in picked]
            inputs_taken = [origin.pop(i) for i in picked]
            for term in taken:
                for c in set(term):
                    holding[c] -= 1
            needed = {c for term in taken for c in term if holding[c] > 0}
            if len(taken) == 1:
                (a,) = taken
                kept = "".join(c for c in a if c in needed)
                drop = tuple(k for k, c in enumerate(a) if c not in needed)
                steps.append(("sum", picked, drop))
                terms.append(kept)
                made.append(None)
                origin.append(None)
                for c in set(kept):
                    holding[c] += 1
                continue
            b, a = taken  # popped from the back: a is the earlier table
            drop_a = tuple(k for k, c in enumerate(a) if c not in needed and c not in b)
            drop_b = tuple(k for k, c in enumerate(b) if c not in needed and c not in a)
            a = "".join(c for k, c in enumerate(a) if k not in drop_a) if drop_a else a
            b = "".join(c for k, c in enumerate(b) if k not in drop_b) if drop_b else b
            # shared indices in the bigger table's order: the smaller is the one copied when they differ
            shared = a if size(a) >= size(b) else b
            batch = [c for c in shared if c in a and c in b and c in needed]
            summed = [c for c in shared if c in a and c in b and c not in needed]
            left = [c for c in a if c not in b]
            right = [c for c in b if c not in a]
            for source in sources:
                if source is not None:
                    takers[source] = set(batch)
            want = wanted.get(number, set())
            flip = bool(want) and _leading(right + left, want) > _leading(left + right, want)
            dims = (size(batch), size(left), size(summed), size(right))
            work += math.prod(dims)
            result = "".join(batch + (right + left if flip else left + right))
            perm_a = tuple(a.index(c) for c in batch + left + summed)
            perm_b = tuple(b.index(c) for c in batch + summed + right)
            shape = tuple(sizes[c] for c in result)
            # a compact input multiplied as it is: taken whole (nothing dropped), over the draw axis alone
            # where gathering the other table at its entries is work for half its cells at most: a gather
            # costs a few multiply-adds of a matrix product (mildew, a block of 16 draws: dm_4 x a vector,
            # 3.8 -> 0.5 ms; dm_3 x 4 columns, about 5 -> 2 ms; dm_2 x 32 columns, 2 -> 20 ms, kept spread out)
            free = (dims[3], dims[1])  # the other table's own cells per entry: right for a compact a, left for b
            side = next((k for k, (term, drop, position) in enumerate(((a, drop_a, inputs_taken[1]),
                                                                         (b, drop_b, inputs_taken[0])))
                         if position in compact and not drop and batch == [term[0]] and len(term) > 1
                         and len(compact[position]) * free[k] * COMPACT_WORTH <= size(term[1:])),
                        None) if compact else None
            if side is None:
                steps.append(("pair", picked, drop_a, drop_b, perm_a, perm_b, dims, shape, flip))
            else:
                term = (a, b)[side]
                position = inputs_taken[1 - side]
                cells = np.unravel_index(compact[position], tuple(sizes[c] for c in term[1:]))

                def flat(indices, cells=cells, term=term):
                    if not indices:
                        return np.zeros(len(cells[0]), dtype=np.intp)
                    return np.ravel_multi_index([cells[term.index(c) - 1] for c in indices],
                                                [sizes[c] for c in indices])

                into = flat(left if side == 0 else right)  # the output cell of each entry
                order = np.argsort(into, kind="stable")
                into = into[order]
                starts = np.flatnonzero(np.r_[True, into[1:] != into[:-1]]) if into.size else into
                steps.append(("compact", picked, side, drop_b if side == 0 else drop_a,
                              perm_b if side == 0 else perm_a, dims, shape, flip,
                              order, flat(summed)[order], starts, into[starts], position))
            terms.append(result)
            made.append(number)
            origin.append(None)
            for c in set(result):
                holding[c] += 1
        (last,) = terms
        final_drop = tuple(k for k, c in enumerate(last) if c not in output)
        last = "".join(c for c in last if c in output)
        return steps, (final_drop, tuple(last.index(c) for c in output)), takers, work

    def __repr__(self) -> str:
        lines = [f"Contraction({','.join(self.inputs)}->{self.output})"]
        for step in self.steps:
            if step[0] == "sum":
                lines.append(f"  sum table {step[1][0]} over axes {step[2]}")
            else:
                lines.append(f"  tables {step[1][1]} x {step[1][0]}: batch x left x summed x right = "
                             + " x ".join(map(str, step[6])))
        return "\n".join(lines)

    def __call__(self, *operands: np.ndarray) -> np.ndarray:
        ops = list(operands)
        for step in self.steps:
            picked = step[1]
            taken = [ops.pop(i) for i in picked]
            if step[0] == "sum":
                ops.append(taken[0].sum(axis=step[2]) if step[2] else taken[0])
                continue
            if step[0] == "compact":
                ops.append(self._compact_product(step, taken))
                continue
            _, _, drop_a, drop_b, perm_a, perm_b, (nb, nl, nk, nr), shape, flip = step
            b, a = taken
            if drop_a:
                a = a.sum(axis=drop_a)
            if drop_b:
                b = b.sum(axis=drop_b)
            a = a.transpose(perm_a).reshape(nb, nl, nk)
            b = b.transpose(perm_b).reshape(nb, nk, nr)
            if flip:  # the result laid out (batch, right, left): the transposed product, b' a'
                a, b = b.transpose(0, 2, 1), a.transpose(0, 2, 1)
            if nk == 1:  # nothing summed: an outer product per batch entry
                c = a * b
            elif a.shape[1] == 1 and b.shape[2] == 1:
                c = np.einsum("bk,bk->b", a[:, 0, :], b[:, :, 0])
            else:
                a, b = _blas_ready(a), _blas_ready(b)
                c = a[0] @ b[0] if nb == 1 else np.matmul(a, b)
            ops.append(c.reshape(shape))
        (result,) = ops
        if self.final_drop:
            result = result.sum(axis=self.final_drop)
        return result.transpose(self.final)

    @staticmethod
    def _compact_product(step, taken) -> np.ndarray:
        """A product with a compact table (its positive entries, `values` (m, nnz)): the other table is
        gathered at each entry's summed cell, multiplied by the entry and added up by output cell."""
        _, _, side, drop, perm, (nb, nl, nk, nr), shape, flip, order, summed_at, starts, cells, _ = step
        compact, other = (taken[1], taken[0]) if side == 0 else (taken[0], taken[1])
        if drop:
            other = other.sum(axis=drop)
        values = compact.values[:, order]
        c = np.zeros((nb, nl, nr))
        # one (batch, entries) product and sum per cell of the other table's own axis: numpy's reduceat runs
        # 2-4x faster on such rows than over a third axis
        if side == 0:  # compact (batch, left, summed) x other (batch, summed, right)
            other = np.ascontiguousarray(other.transpose(perm).reshape(nb, nk, nr).transpose(2, 0, 1))
            for r in range(nr) if starts.size else ():
                c[:, cells, r] = np.add.reduceat(other[r][:, summed_at] * values, starts, axis=1)
        else:  # other (batch, left, summed) x compact (batch, summed, right)
            other = other.transpose(perm).reshape(nb, nl, nk)
            for left in range(nl) if starts.size else ():
                c[:, left, cells] = np.add.reduceat(other[:, left, summed_at] * values, starts, axis=1)
        return (c.transpose(0, 2, 1) if flip else c).reshape(shape)


def _leading(term: list[str], wanted: set) -> int:
    """How many of `term`'s first indices are `wanted` ones."""
    n = 0
    while n < len(term) and term[n] in wanted:
        n += 1
    return n


def _blas_ready(x: np.ndarray) -> np.ndarray:
    """x, or a copy of it, whose matrices BLAS takes as they are (rows or columns contiguous); numpy's
    matmul falls back to a plain loop, many times slower, on any other strides."""
    rows, cols = x.strides[1:]
    n_rows, n_cols = x.shape[1:]
    item = x.itemsize
    if (cols == item or n_cols == 1) and rows >= n_cols * item or (rows == item or n_rows == 1) and cols >= n_rows * item:
        return x
    return np.ascontiguousarray(x)
