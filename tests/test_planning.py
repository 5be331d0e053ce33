"""Contraction plans (bayes/inference/planning.py) and how they are carried out (bayes/inference/contraction.py)
against numpy's einsum."""

import numpy as np
import opt_einsum
import pytest

import math
from collections import Counter

from bayes.inference.contraction import Contraction
from bayes.inference.planning import elimination_order, elimination_path, optimal_path, path_cost, path_from_order


def _random_problem(rng, letters="abcdefgh"):
    sizes = {c: int(rng.integers(1, 5)) for c in letters}
    terms = ["".join(rng.choice(list(letters), size=int(rng.integers(0, 5)), replace=False)) for _ in range(int(rng.integers(1, 7)))]
    used = sorted(set("".join(terms)))
    output = "".join(c for c in used if rng.random() < 0.3)
    output = "".join(rng.permutation(list(output))) if output else ""
    return terms, output, sizes


@pytest.mark.parametrize("seed", range(40))
def test_contraction_equals_einsum_on_random_problems(seed):
    """Batch, summed, one-sided and dropped indices, scalars (a table with no axes left after evidence),
    an empty output, outputs in any order; our plans and opt_einsum's."""
    rng = np.random.default_rng(seed)
    terms, output, sizes = _random_problem(rng)
    operands = [rng.random([sizes[c] for c in t]) for t in terms]
    expected = np.einsum(",".join(terms) + "->" + output, *operands)
    path, _, _ = elimination_path(terms, output, sizes)
    np.testing.assert_allclose(Contraction(terms, output, sizes, path)(*operands), expected, rtol=1e-12, atol=1e-300)
    theirs = opt_einsum.contract_path(",".join(terms) + "->" + output, *operands, optimize="greedy")[0]
    np.testing.assert_allclose(Contraction(terms, output, sizes, theirs)(*operands), expected, rtol=1e-12, atol=1e-300)


def test_contraction_with_a_draw_axis_in_front_and_strided_operands():
    """The draw axis leads every drawn table (a batch index of every product); operands that are views
    with draws innermost in memory (not ready for BLAS) are copied, not miscomputed."""
    rng = np.random.default_rng(0)
    terms, output = ["Zab", "Zbcd", "Zd", "ce"], "Ze"
    sizes = {"Z": 7, "a": 3, "b": 30, "c": 20, "d": 11, "e": 2}
    operands = [np.moveaxis(rng.random([sizes[c] for c in t[1:]] + [7]), -1, 0) if t[0] == "Z"
                else rng.random([sizes[c] for c in t]) for t in terms]
    expected = np.einsum(",".join(terms) + "->" + output, *operands)
    path, _, _ = elimination_path(terms, output, sizes)
    np.testing.assert_allclose(Contraction(terms, output, sizes, path)(*operands), expected, rtol=1e-12)


def test_a_table_inside_another_is_multiplied_first():
    """Eliminating f from fae, fd, adf: fd fits inside adf, so they are multiplied first (a table of 75
    numbers); multiplying the two smallest first (fd x fae) made one of 225."""
    terms, sizes = ["fae", "fd", "adf", "ed"], {"a": 5, "d": 3, "e": 3, "f": 5}
    order = elimination_order(terms, "", sizes, "min_fill")
    assert order[0] == "f"
    path, largest, flops = path_from_order(terms, "", sizes, order)
    assert largest == 75 and path[0] == (1, 2)
    operands = [np.random.default_rng(1).random([sizes[c] for c in t]) for t in terms]
    np.testing.assert_allclose(Contraction(terms, "", sizes, path)(*operands), np.einsum("fae,fd,adf,ed->", *operands),
                               rtol=1e-12)


def _greedy_by_sets(terms, output, sizes, heuristic):
    """The greedy elimination order worked out the slow way: every remaining variable's cost recomputed from
    sets at every step (fill pairs listed one by one), the least (cost, first seen) eliminated."""
    from itertools import combinations

    symbols = list(dict.fromkeys("".join(terms) + output))
    adjacent = {c: set() for c in symbols}
    for term in terms:
        for c in term:
            adjacent[c] |= set(term) - {c}
    left, order = [c for c in symbols if c not in output], []

    def cost(c):
        size = math.prod(sizes[a] for a in adjacent[c])
        missing = [(a, b) for a, b in combinations(sorted(adjacent[c]), 2) if b not in adjacent[a]]
        if heuristic == "min_size":
            return size, symbols.index(c)
        if heuristic == "min_fill":
            return len(missing), size, symbols.index(c)
        return sum(sizes[a] * sizes[b] for a, b in missing), size, symbols.index(c)

    while left:
        c = min(left, key=cost)
        for a in adjacent[c]:
            adjacent[a] |= adjacent[c] - {a}
            adjacent[a].discard(c)
        left.remove(c)
        order.append(c)
    return order


@pytest.mark.parametrize("heuristic", ["min_fill", "weighted_min_fill", "min_size"])
def test_the_elimination_order_is_the_greedy_one_recomputed_at_every_step(heuristic):
    """elimination_order keeps costs in a heap and recomputes only those an elimination can change: it gives
    the order of recomputing every cost at every step, on 150 random problems (outputs, repeated tables)."""
    rng = np.random.default_rng(5)
    letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    for _ in range(150):
        n = int(rng.integers(3, 40))
        sizes = {c: int(rng.integers(2, 6)) for c in letters[:n]}
        terms = ["".join(rng.choice(list(letters[:n]), size=int(rng.integers(1, min(n, 4) + 1)), replace=False))
                 for _ in range(int(rng.integers(2, 50)))]
        output = "".join(rng.choice(list(letters[:n]), size=int(rng.integers(0, 3)), replace=False))
        symbols = set("".join(terms))
        output = "".join(c for c in output if c in symbols)
        assert elimination_order(terms, output, sizes, heuristic) == _greedy_by_sets(terms, output, sizes, heuristic)


def test_the_first_heuristic_is_kept_when_cheap_else_the_best_of_three_wins():
    """A plan of at most CHEAP_ENOUGH multiplications, or of at most PLANNING_WORTH per unit of its elimination
    work (what trying another heuristic would cost), is kept as min-fill made it; a costlier problem gets the
    smallest (largest table, multiplications) of the heuristics tried until the best so far is that cheap,
    found here by trying each. A plan run over 1,000 draws counts its multiplications 1,000 times."""
    from bayes.inference.planning import CHEAP_ENOUGH, HEURISTICS, LARGEST_UNPLANNED, PLANNING_WORTH

    def each(terms, output, sizes):
        return [path_from_order(terms, output, sizes, elimination_order(terms, output, sizes, h), with_work=True)
                for h in HEURISTICS]

    cheap = (["ab", "bc", "cd"], "a", {"a": 2, "b": 2, "c": 2, "d": 2})
    first = each(*cheap)[0]
    assert first[2] <= CHEAP_ENOUGH and elimination_path(*cheap) == first[:3]
    rng = np.random.default_rng(7)
    letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ"
    kept_first = found_costly = beaten = tried_on = 0
    for _ in range(80):
        sparse = _ % 2  # half of them: pairs of variables of up to 40 states (cheap for their work, some)
        sizes = {c: int(rng.integers(2, 40 if sparse else 9)) for c in letters}
        terms = ["".join(rng.choice(list(letters), size=2 if sparse else 4, replace=False)) for _ in range(30)]
        tried = each(terms, "", sizes)
        for repeats in (1, 1000):  # a plan run over 1,000 draws is worth 1,000 times the planning
            best = None
            for n, (path, largest, flops, work) in enumerate(tried):
                best = (largest, flops) if best is None or (largest, flops) < best else best
                if (best[1] <= CHEAP_ENOUGH or best[1] * repeats <= PLANNING_WORTH * work) and best[0] <= LARGEST_UNPLANNED:
                    break
            assert elimination_path(terms, "", sizes, repeats=repeats)[1:] == best
            if repeats == 1:
                kept_first += n == 0 and tried[0][2] > CHEAP_ENOUGH
                found_costly += n == len(HEURISTICS) - 1
                beaten += best != tuple(tried[0][1:3])
            else:
                tried_on += n > 0 and tried[0][2] > CHEAP_ENOUGH
    # each branch taken: cheap for its work (kept), costly (all three tried), min-fill beaten by another
    assert kept_first > 5 and found_costly > 10 and beaten > 10, (kept_first, found_costly, beaten)  # 19, 40, 34
    assert tried_on >= found_costly + kept_first, tried_on  # over draws, min-fill alone is kept only when tiny


def test_the_models_order_is_kept_unless_its_table_or_its_work_is_too_big():
    """A query restricted to the model's elimination order (`rank`) keeps that order when it is cheap: in the
    chain a-b-c-d (3 states each, output d) the order c, b, a is not min-fill's but costs 27-number steps, and is
    kept. Two bad orders fall back to planning: eliminating b first from ab, bc (150 states each) takes
    150^3 = 3,375,000 multiplications against 1 unit of work (far above PLANNING_WORTH per unit), where
    summing a out first takes 2 x 150^2; the centre of a star
    of 23 two-state leaves first makes a table of 2^24 numbers (above LARGEST_UNPLANNED), where leaves first
    never exceed the 4 numbers of a leaf's table."""
    from bayes.inference.planning import LARGEST_UNPLANNED

    chain = (["a", "ab", "bc", "cd"], "d", {c: 3 for c in "abcd"})
    kept = elimination_path(*chain, rank={"c": 0, "b": 1, "a": 2, "d": 3})
    assert kept == path_from_order(*chain, ["c", "b", "a"])
    assert kept[0] != elimination_path(*chain)[0]  # not what planning afresh gives

    wide = (["ab", "bc"], "", {"a": 150, "b": 150, "c": 150})
    assert path_from_order(*wide, ["b", "a", "c"], with_work=True)[2:] == (150 ** 3, 1)
    # planned afresh: a summed out of ab (22,500 additions), then b and c out of bc weighted by it (22,500)
    assert elimination_path(*wide, rank={"b": 0, "a": 1, "c": 2})[2] == 2 * 150 ** 2

    leaves = [chr(ord("A") + k) for k in range(23)]
    star = (["x" + leaf for leaf in leaves] + leaves, "", {"x": 2, **{leaf: 2 for leaf in leaves}})
    assert path_from_order(*star, ["x", *leaves])[1] == 2 ** 23 > LARGEST_UNPLANNED
    assert elimination_path(*star, rank={"x": 0, **{leaf: k + 1 for k, leaf in enumerate(leaves)}})[1] == 4


def test_the_network_order_is_a_permutation_and_adds_no_fill_on_a_tree():
    """network_rank numbers every variable once; on a tree (each variable one parent: no fill is ever needed)
    min-fill eliminates leaves inwards, so a query restricted to the order never makes a table wider than a
    family (two variables of 3 states: 9 numbers)."""
    from bayes.inference.planning import network_rank

    rng = np.random.default_rng(3)
    parents = [()] + [(int(rng.integers(0, v)),) for v in range(1, 40)]
    rank = network_rank(parents, [3] * 40)
    assert sorted(rank) == list(range(40))
    symbols = {opt_einsum.get_symbol(v): r for v, r in enumerate(rank)}
    terms = ["".join(opt_einsum.get_symbol(a) for a in (*ps, v)) for v, ps in enumerate(parents)]
    sizes = {opt_einsum.get_symbol(v): 3 for v in range(40)}
    for target in (0, 17, 39):
        output = opt_einsum.get_symbol(target)
        order = sorted((c for c in sizes if c != output), key=symbols.__getitem__)
        assert path_from_order(terms, output, sizes, order)[1] == 9


@pytest.mark.parametrize("seed", range(12))
def test_buckets_equal_einsum_past_the_alphabet_and_refuse_big_buckets(seed, monkeypatch):
    """Bucket elimination in any order against opt_einsum's contraction of the same problem: 60 variables
    (past the 52 letters numpy's einsum takes, so each bucket relabels its own), tables of 0-3 variables
    (scalars too), outputs of 0-2 variables, every bucket of three tables or more multiplied pairwise for odd
    seeds; a bucket over DIRECT_BUCKET combinations multiplied pairwise, one over SMALL_BUCKET refused."""
    from bayes.inference.planning import SMALL_BUCKET, Buckets

    if seed % 2:
        monkeypatch.setattr("bayes.inference.planning.DIRECT_BUCKET", 0)
    rng = np.random.default_rng(seed)
    symbols = [opt_einsum.get_symbol(k) for k in range(60)]
    sizes = {c: int(rng.integers(1, 4)) for c in symbols}
    terms = ["".join(rng.choice(symbols, size=int(rng.integers(0, 4)), replace=False)) for _ in range(45)]
    used = list(dict.fromkeys("".join(terms)))
    output = "".join(rng.choice(used, size=int(rng.integers(0, 3)), replace=False))
    operands = [rng.random([sizes[c] for c in t]) + 0.5 for t in terms]
    order = [c for c in rng.permutation(used) if c not in output]
    buckets = Buckets.build(terms, output, sizes, order)
    if buckets is None:  # the random order made a big bucket: a good order does not
        order = elimination_order(terms, output, sizes, "min_fill")
        buckets = Buckets.build(terms, output, sizes, order)
    expected = opt_einsum.contract(",".join(terms) + "->" + output, *operands)
    np.testing.assert_allclose(buckets(*operands), expected, rtol=1e-12)
    if seed % 2:
        assert any(step[3] for step in buckets.steps) or not any(len(step[0]) > 2 for step in buckets.steps)
    monkeypatch.undo()
    # a bucket over more than DIRECT_BUCKET combinations is multiplied pairwise, smallest tables first, x summed
    # out with the last table holding it: x with a-f, 4^7 = 16,384
    from bayes.inference.planning import DIRECT_BUCKET

    star, star_sizes = ["abcdefg", "xabc", "xd", "xef"], {c: 4 for c in "xabcdefg"}
    assert 4 ** 7 > DIRECT_BUCKET
    built = Buckets.build(star, "g", star_sizes, list("xabcdef"))
    assert built.steps[0][0] == [2, 3, 1]  # (x d) (x e f), then (x a b c)
    assert built.steps[0][3] == ["ab,acd->abcd", "abcd,aefg->efgbcd"]  # x summed out with the last
    star_operands = [rng.random([4] * len(t)) for t in star]
    np.testing.assert_allclose(built(*star_operands), np.einsum("abcdefg,xabc,xd,xef->g", *star_operands), rtol=1e-12)
    wide = ["ab", "bc", "cd"]
    big = {c: 70 for c in "abcd"}  # eliminating b first joins a, b, c: 343,000 combinations
    assert 70 ** 3 > SMALL_BUCKET >= 70 ** 2
    assert Buckets.build(wide, "", big, ["b", "a", "c", "d"]) is None
    assert Buckets.build(wide, "", big, ["a", "b", "c", "d"]).largest == 70 ** 2


def _cheapest_by_brute_force(terms: list[str], output: str, sizes: dict[str, int]) -> int:
    """The fewest multiplications of any pairwise order multiplying tables that share a summed variable: each
    product costs the combinations of its tables' variables; a variable no other table or the output holds
    is summed out as soon as it can be (before any product, for a variable in one table only)."""
    from functools import lru_cache

    def reduced(tables):
        count = Counter(c for t in tables for c in t)
        return tuple(sorted(frozenset(c for c in t if count[c] > 1 or c in output) for t in tables))

    @lru_cache(maxsize=None)
    def best(tables):
        if len(tables) == 1:
            return 0
        costs = []
        for i in range(len(tables)):
            for j in range(i + 1, len(tables)):
                if (tables[i] & tables[j]) - set(output):
                    rest = [t for k, t in enumerate(tables) if k not in (i, j)]
                    joined = tables[i] | tables[j]
                    cost = math.prod(sizes[c] for c in joined)
                    costs.append(cost + best(reduced(rest + [joined])))
        return min(costs)

    return best(reduced([frozenset(t) for t in terms]))


@pytest.mark.parametrize("seed", range(30))
def test_the_optimal_path_is_the_cheapest_order_found_by_brute_force(seed):
    """On problems connected through summed variables, where no table lies inside another, optimal_path's multiplications equal the
    fewest of every pairwise order (brute force), never more than the greedy elimination orders', and its
    products equal numpy's einsum."""
    rng = np.random.default_rng(100 + seed)
    while True:
        terms, output, sizes = _random_problem(rng, "abcdefg")
        sets = [set(t) for t in terms]
        connected = {0}
        for _ in terms:
            connected |= {k for k, s in enumerate(sets) if any((s & sets[j]) - set(output) for j in connected)}
        if (len(terms) >= 3 and all(terms) and len(connected) == len(terms)
                and not any(a <= b for i, a in enumerate(sets) for j, b in enumerate(sets) if i != j)):
            break
    path = optimal_path(terms, output, sizes, largest=10 ** 9)
    assert path_cost(terms, output, sizes, path)[1] == _cheapest_by_brute_force(terms, output, sizes)
    operands = [rng.random([sizes[c] for c in t]) for t in terms]
    np.testing.assert_allclose(Contraction(terms, output, sizes, path)(*operands),
                               np.einsum(",".join(terms) + "->" + output, *operands), rtol=1e-12)


@pytest.mark.parametrize("seed", range(20))
def test_the_optimal_path_with_tables_inside_others_equals_einsum(seed):
    """Tables inside others (a variable's prior, a repeated table) are multiplied into them first; the
    whole product still equals numpy's einsum, and its cost is what path_cost counts by hand on a case."""
    rng = np.random.default_rng(200 + seed)
    terms, output, sizes = _random_problem(rng)
    terms = terms + [terms[0], terms[-1][:1]]  # a repeated table and a table inside another
    operands = [rng.random([sizes[c] for c in t]) for t in terms]
    path = optimal_path(terms, output, sizes, largest=10 ** 9)
    np.testing.assert_allclose(Contraction(terms, output, sizes, path)(*operands),
                               np.einsum(",".join(terms) + "->" + output, *operands), rtol=1e-12, atol=1e-300)


def test_path_cost_by_hand_and_a_search_over_its_budget_gives_up():
    """b inside ab: ab x b first (6 multiplications; a, in no other table, summed out there, leaving b), then
    b x bc (3 x 4 = 12); the largest table is bc's 12. A search allowed one pairing returns None (the greedy
    plan is kept)."""
    terms, sizes = ["ab", "bc", "b"], {"a": 2, "b": 3, "c": 4}
    path = optimal_path(terms, "c", sizes, largest=10 ** 9)
    assert path[0] == (0, 2)
    assert path_cost(terms, "c", sizes, path) == (12, 6 + 12)
    assert optimal_path(["ab", "bc", "cd"], "", {"a": 2, "b": 3, "c": 4, "d": 5}, largest=10 ** 9, calls=1) is None


def test_a_product_is_laid_out_for_the_product_that_takes_it(monkeypatch):
    """Zugv x Ztux (batch Z, left gv, right tx) feeds a product with Zxytg over batch Zt (Zt, last, still
    needs t): laid out Z,t,x,g,v (its right-hand indices first) that product needs no copy; laid out
    Z,g,v,t,x it did (bnlearn's mildew). The result equals numpy's einsum, draws in front or behind in
    memory."""
    rng = np.random.default_rng(5)
    terms, output = ["Zugv", "Ztux", "Zxytg", "Zt"], "Zvy"
    sizes = {"Z": 4, "u": 3, "g": 5, "v": 2, "t": 6, "x": 3, "y": 2}
    monkeypatch.setattr("bayes.inference.contraction.LAYOUT_WORTH", 0)  # laid out for the next however small
    contraction = Contraction(terms, output, sizes, [(0, 1), (0, 2), (0, 1)])
    first = contraction.steps[0]
    assert first[0] == "pair" and first[-1] is True and first[7] == (4, 6, 3, 5, 2)
    for draws_inside in (False, True):
        operands = [rng.random([sizes[c] for c in t]) for t in terms]
        if draws_inside:
            operands = [np.moveaxis(np.ascontiguousarray(np.moveaxis(o, 0, -1)), -1, 0) for o in operands]
        np.testing.assert_allclose(contraction(*operands), np.einsum("Zugv,Ztux,Zxytg,Zt->Zvy", *operands), rtol=1e-12)


def test_the_optimal_search_gives_up_where_its_naive_cost_overflows():
    """A chain over 400 variables of 10 states (10^400 combinations in all, past a float) is searched for
    no path: the greedy plan is kept (bnlearn's diabetes raised OverflowError from opt_einsum)."""
    letters = [opt_einsum.get_symbol(k) for k in range(401)]
    terms = [letters[k] + letters[k + 1] for k in range(400)]
    sizes = dict.fromkeys(letters, 10)
    assert optimal_path(terms, letters[0], sizes, largest=10 ** 9) is None


@pytest.mark.parametrize("seed", range(30))
def test_compact_tables_multiply_as_their_dense_selves(seed, monkeypatch):
    """Tables given as their positive entries only (inference/draws.Compact: draws first, mostly zeros)
    are multiplied as they are wherever a product takes them whole over the draw axis alone, and the
    answer equals numpy's einsum over the same tables spread out; either side of a product, either layout
    of its result, empty output cells, and tables that cannot be taken so (spread out by the caller)."""
    from bayes.inference.draws import Compact

    monkeypatch.setattr("bayes.inference.contraction.COMPACT_WORTH", 0)  # taken wherever it can be, worth it or not
    if seed % 2:  # a few draws per block-diagonal sparse product: several products per step
        monkeypatch.setattr("bayes.inference.contraction.SPARSE_INDICES", 2 * (seed % 5) + 1)
    rng = np.random.default_rng(300 + seed)
    terms, output, sizes = _random_problem(rng, "abcdef")
    m = int(rng.integers(1, 6))
    sizes["Z"] = m
    terms = ["Z" + t for t in terms]
    output = "Z" + output
    dense = []
    for t in terms:
        table = rng.random([sizes[c] for c in t])
        table[:, rng.random(table.shape[1:]) < 0.8 * rng.random()] = 0.0  # the same zeros in every draw
        dense.append(table)
    chosen = {k for k in range(len(terms)) if rng.random() < 0.7}
    patterns = {k: np.flatnonzero(np.any(dense[k] != 0, axis=0).ravel()) for k in chosen}
    path, _, _ = elimination_path(terms, output, sizes)
    contraction = Contraction(terms, output, sizes, path, compact=patterns)
    operands = [Compact(dense[k].reshape(m, -1)[:, patterns[k]], patterns[k], dense[k].shape[1:])
                if k in contraction.compact else dense[k] for k in range(len(terms))]
    np.testing.assert_allclose(contraction(*operands), np.einsum(",".join(terms) + "->" + output, *dense),
                               rtol=1e-12, atol=1e-300)


@pytest.mark.parametrize("side", [0, 1])
def test_a_compact_product_laid_out_for_the_next_one(side, monkeypatch):
    """The product of test_a_product_is_laid_out_for_the_product_that_takes_it with Zugv (side 0) or Ztux
    (side 1) compact, half its cells zero: multiplied as it is, its result laid out right-hand indices
    first, and the answer equals numpy's einsum over the dense tables."""
    from bayes.inference.draws import Compact

    monkeypatch.setattr("bayes.inference.contraction.COMPACT_WORTH", 0)
    monkeypatch.setattr("bayes.inference.contraction.LAYOUT_WORTH", 0)
    rng = np.random.default_rng(6)
    terms, output = ["Zugv", "Ztux", "Zxytg", "Zt"], "Zvy"
    sizes = {"Z": 4, "u": 3, "g": 5, "v": 2, "t": 6, "x": 3, "y": 2}
    dense = [rng.random([sizes[c] for c in t]) for t in terms]
    dense[side][:, rng.random(dense[side].shape[1:]) < 0.5] = 0.0
    pattern = np.flatnonzero(dense[side][0].ravel())
    contraction = Contraction(terms, output, sizes, [(0, 1), (0, 2), (0, 1)], compact={side: pattern})
    first = contraction.steps[0]
    assert contraction.compact == {side} and first[0] == "compact" and first[7] is True
    operands = list(dense)
    operands[side] = Compact(dense[side].reshape(4, -1)[:, pattern], pattern, dense[side].shape[1:])
    np.testing.assert_allclose(contraction(*operands), np.einsum("Zugv,Ztux,Zxytg,Zt->Zvy", *dense), rtol=1e-12)


def test_a_compact_table_is_multiplied_as_it_is_only_where_that_is_worth_it():
    """A 100 x 100 table with 300 positive entries, times a vector over its rows (300 gathers against
    10,000 cells: taken compact) and times a 40-column table (300 x 40 = 12,000 gathers > 10,000 / 4:
    multiplied spread out, as a matrix product)."""
    pattern = np.arange(0, 10000, 33)[:300]
    sizes = {"Z": 2, "a": 100, "b": 100, "c": 40}
    vector = Contraction(["Zab", "Za"], "Zb", sizes, [(0, 1)], compact={0: pattern})
    wide = Contraction(["Zab", "Zac"], "Zbc", sizes, [(0, 1)], compact={0: pattern})
    assert vector.compact == {0} and wide.compact == frozenset()
