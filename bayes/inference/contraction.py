"""A contraction plan carried out: each pairwise step of a path as one matrix product (numpy's matmul,
BLAS), with big mostly-zero tables of draws multiplied as their positive entries (a sparse product)."""

from __future__ import annotations

import math

import numpy as np

LAYOUT_WORTH = 1_000_000  # multiply-adds from which a plan's products are laid out for the next (two passes)
SPARSE_INDICES = 2 ** 20  # column indices of one block-diagonal sparse product (Contraction._compact_product)
COMPACT_WORTH = 2  # a compact table is multiplied as it is when its entries x the other's cells are at most 1/2 of its size


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
    comes, over the draw axis alone, each draw's entries are a sparse matrix times the other table's
    (scipy's CSR product): work in proportion to its positive entries, not its size (mildew's two biggest
    tables are 94% zeros). `self.compact` holds the positions multiplied so; others are passed spread out."""

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
            # where its entries times the other table's own cells are at most half its cells: a sparse
            # product's multiply-add costs a few of a dense matrix product's (mildew, a block of 16 draws:
            # dm_4 x a vector, 3.8 -> 0.5 ms; dm_3 x 4 columns, about 5 -> 2 ms; dm_2 x 32 columns kept
            # spread out: taken compact, the whole run is twice as slow)
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

                into = flat(left if side == 0 else right)  # the output row of each entry (its sparse matrix's)
                order = np.argsort(into, kind="stable")
                rows = dims[1] if side == 0 else dims[3]
                # the draws' matrices as one block-diagonal sparse matrix of `group` draws at a time (its
                # indices kept to SPARSE_INDICES numbers): one sparse product per group, not one per draw
                group = max(1, min(dims[0], SPARSE_INDICES // max(len(order), 1)))
                indptr = np.concatenate(([0], np.cumsum(np.tile(np.bincount(into, minlength=rows), group))))
                indices = (flat(summed)[order][None, :] + dims[2] * np.arange(group)[:, None]).ravel()
                index_type = np.int32 if max(group * dims[2], indptr[-1]) < 2 ** 31 else np.int64
                steps.append(("compact", picked, side, drop_b if side == 0 else drop_a,
                              perm_b if side == 0 else perm_a, dims, shape, flip,
                              order, indptr.astype(index_type), indices.astype(index_type), group, position))
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
        """A product with a compact table (its positive entries, `values` (m, nnz)): each draw's entries are a
        sparse matrix (output rows x summed cells) times the other table's matrix of that draw, made as one
        block-diagonal product per group of draws (scipy's CSR product: bnlearn's mildew, 16 draws of
        dm_3 x 4 columns, 8 -> 1.8 ms against gathering the other table at each entry and adding by cell)."""
        from scipy import sparse

        _, _, side, drop, perm, (nb, nl, nk, nr), shape, flip, order, indptr, indices, group, _ = step
        compact, other = (taken[1], taken[0]) if side == 0 else (taken[0], taken[1])
        if drop:
            other = other.sum(axis=drop)
        values = compact.values[:, order]
        if side == 0:  # compact (batch, left, summed) x other (batch, summed, right) = c (batch, left, right)
            rows, columns = nl, nr
            other = other.transpose(perm).reshape(nb, nk, nr)
        else:  # other (batch, left, summed) x compact (batch, summed, right): c' = compact' other' (batch, right, left)
            rows, columns = nr, nl
            other = other.transpose(perm).reshape(nb, nl, nk).transpose(0, 2, 1)
        c = np.empty((nb, rows, columns))
        nnz = values.shape[1]
        for start in range(0, nb, group):
            g = min(group, nb - start)
            matrix = sparse.csr_matrix((values[start:start + g].ravel(), indices[:g * nnz], indptr[:g * rows + 1]),
                                       shape=(g * rows, g * nk))
            c[start:start + g] = (matrix @ other[start:start + g].reshape(g * nk, columns)).reshape(g, rows, columns)
        # c is laid out (batch, left, right) for side 0, (batch, right, left) for side 1
        return (c.transpose(0, 2, 1) if flip != (side == 1) else c).reshape(shape)


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
