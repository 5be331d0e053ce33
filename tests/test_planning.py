"""Contraction plans and how they are carried out (bayes/inference/planning.py) against numpy's einsum."""

import numpy as np
import opt_einsum
import pytest

from bayes.inference.planning import Contraction, elimination_order, elimination_path, path_from_order


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


def test_the_first_heuristic_is_kept_when_cheap_else_the_best_of_three_wins():
    """A plan of at most CHEAP_ENOUGH multiplications is kept as min-fill made it; a costly problem gets the
    smallest (largest table, multiplications) of the three heuristics, found here by trying each."""
    from bayes.inference.planning import CHEAP_ENOUGH, HEURISTICS

    def each(terms, output, sizes):
        return [path_from_order(terms, output, sizes, elimination_order(terms, output, sizes, h)) for h in HEURISTICS]

    cheap = (["ab", "bc", "cd"], "a", {"a": 2, "b": 2, "c": 2, "d": 2})
    first = each(*cheap)[0]
    assert first[2] <= CHEAP_ENOUGH and elimination_path(*cheap) == first
    rng = np.random.default_rng(7)
    letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ"
    found_costly = beaten = 0
    for _ in range(60):
        sizes = {c: int(rng.integers(2, 9)) for c in letters}
        terms = ["".join(rng.choice(list(letters), size=4, replace=False)) for _ in range(30)]
        tried = each(terms, "", sizes)
        if tried[0][2] <= CHEAP_ENOUGH:
            continue
        found_costly += 1
        best = min(tried, key=lambda t: (t[1], t[2]))
        beaten += best[1:] != tried[0][1:]
        assert elimination_path(terms, "", sizes)[1:] == best[1:]
    assert found_costly > 10 and beaten > 10  # (41 of 60 at this seed: min-fill alone would not do)
