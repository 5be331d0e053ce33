"""Parameter draws as the engine consumes them, chunk by chunk: draws already in memory (ArrayDraws) or
made on demand by one sampler per table (GeneratedDraws, reproducible for a seed whatever the chunk
size), laid out draws last (analysts' models) or draws first (big networks, whose mostly-zero tables may
come as their positive entries alone, Compact); and their summaries (mean, median, equal-tailed
interval)."""

from __future__ import annotations

import contextlib
import math
import os
import threading
from typing import Callable, Iterable, Mapping

import numpy as np

from bayes.inference.network import CompiledNetwork
from bayes.modelfile.elicitation import DirichletRows

# ----------------------------------------------------------------------------------- draws

FIRST_ABOVE = 65536  # numbers per draw above which drawn tables are laid out draws first (big networks)


def _draws_first(per_draw: int) -> bool:
    """Whether tables of `per_draw` numbers in all (per draw) are laid out draws first (class Draws)."""
    return per_draw > FIRST_ABOVE


class Draws:
    """A source of parameter draws for draws [start, stop): one table per drawn variable, laid out draws
    last, (*parent cards, card, m), or, when `first`, draws first, (m, *parent cards, card).

    Small tables (analysts' models) come draws last: every product then runs along the draws, thousands
    at a time (numpy's einsum, vectorised). Big tables (FIRST_ABOVE numbers per draw: imported networks)
    come draws first: a chunk holds few draws and each product is a matrix product per draw (BLAS)."""

    n: int
    drawn: frozenset  # indices of the variables whose tables vary across draws
    first: bool = False

    def chunk(self, start: int, stop: int) -> dict[int, np.ndarray]:  # pragma: no cover - interface
        raise NotImplementedError


class ArrayDraws(Draws):
    """Draws already in memory: {variable name: array (*parent cards, card, N)}."""

    def __init__(self, net: CompiledNetwork, tables: Mapping[str, np.ndarray]):
        arrays = {net.index[v]: np.asarray(a, dtype=float) for v, a in tables.items()}
        sizes = {a.shape[-1] for a in arrays.values()}
        if len(sizes) != 1:
            raise ValueError(f"every drawn table needs the same number of draws, got {sorted(sizes)}")
        self.n = sizes.pop()
        self.drawn = frozenset(arrays)
        for i, a in arrays.items():
            expected = net.tables[i].shape + (self.n,)
            if a.shape != expected:
                raise ValueError(f"draws for '{net.names[i]}' have shape {a.shape}, expected {expected}")
        self.first = _draws_first(sum(a.size for a in arrays.values()) // max(self.n, 1))
        self.arrays = {i: np.ascontiguousarray(np.moveaxis(a, -1, 0)) if self.first else a
                       for i, a in arrays.items()}

    def chunk(self, start, stop):
        if self.first:
            return {i: a[start:stop] for i, a in self.arrays.items()}
        return {i: a[..., start:stop] for i, a in self.arrays.items()}


SPARSE_SHARE = 0.25  # positive entries, at most this share of a big table: drawn and multiplied compact
SPARSE_SIZE = 4096  # numbers in a table from which compact draws pay for their bookkeeping


class Compact:
    """Draws first of a big table that is mostly zeros: its positive entries only, `values` (m, nnz), at
    the flat positions `pattern` of a table of `table_shape`. The engine multiplies it as it is where a
    product allows (contraction.Contraction) and spreads it out (`dense`) elsewhere."""

    def __init__(self, values: np.ndarray, pattern: np.ndarray, table_shape: tuple[int, ...], drawn: int | None = None):
        self.values, self.pattern, self.table_shape = values, pattern, tuple(table_shape)
        # how many of the entries, first in `pattern`, are drawn; the others are point-mass rows' ones
        self.drawn = len(pattern) if drawn is None else drawn

    @property
    def shape(self) -> tuple[int, ...]:
        return (self.values.shape[0],) + self.table_shape

    def dense(self) -> np.ndarray:
        out = np.zeros((self.values.shape[0], math.prod(self.table_shape)))
        out[:, self.pattern] = self.values
        return out.reshape(self.shape)

    def draws(self, start: int, stop: int) -> "Compact":
        return Compact(self.values[start:stop], self.pattern, self.table_shape, self.drawn)


def compact_samplers(rows: Mapping[int, DirichletRows]) -> dict[int, tuple[Callable, np.ndarray, int]]:
    """GeneratedDraws' compact samplers for the tables worth keeping compact (Compact): big and mostly
    zeros."""
    return {i: (r.compact, r.pattern, r.live.size) for i, r in rows.items()
            if not r.dense and r.flat.size >= SPARSE_SIZE and r.positive.mean() <= SPARSE_SHARE}


class GeneratedDraws(Draws):
    """Draws made chunk by chunk by one sampler per variable, `sampler(rng, m) -> array (*shape, m)`;
    never all in memory. `first_samplers` may give, for some variables, the same draws laid out draws
    first, `(rng, m) -> (m, *shape)`, used when the model is big enough to lay draws out that way.

    Reproducible for a seed: each (block of `block` draws, variable) pair has its own generator derived
    from the seed, so the numbers depend neither on the chunk size nor on which other variables are
    drawn; a query draws only the tables it needs (`restricted`) and still gets the same numbers as a
    run that draws them all. Blocks are drawn in parallel threads (numpy's generators release the GIL).
    """

    BLOCK = 4096
    BLOCK_BYTES = 128 * 2 ** 20  # one block of every table: big networks get smaller blocks
    SPARE = 4  # arrays handed back per variable, kept for the next blocks (a few blocks are made ahead)

    def __init__(self, n: int, samplers: Mapping[int, Callable[[np.random.Generator, int], np.ndarray]],
                 shapes: Mapping[int, tuple[int, ...]], seed: int | None = None, entropy=None, block=None,
                 first_samplers: Mapping[int, Callable] | None = None, first: bool | None = None,
                 refills: Iterable[int] = (), compact_samplers: Mapping[int, tuple[Callable, np.ndarray, int]] | None = None):
        self.n = int(n)
        self.samplers = dict(samplers)
        self.first_samplers = dict(first_samplers or {})
        # variables whose draws can come compact: {variable: (sampler (rng, m) -> (m, nnz), flat positions of
        # those entries, how many of them are drawn)}, the same numbers as the draws-first sampler's there
        # (chunk's `compact`)
        self.compact_samplers = dict(compact_samplers or {})
        # variables whose draws-first sampler takes `out=`, an array it filled before (DirichletRows): the
        # engine hands each block's arrays back (`recycle`) and the next block writes only the drawn entries
        self.refills = frozenset(refills) & frozenset(self.first_samplers)
        self._spare: dict[tuple[int, int], list[np.ndarray]] = {}
        self._spare_lock = threading.Lock()
        self.shapes = dict(shapes)
        self.drawn = frozenset(self.shapes)
        self.entropy = entropy if entropy is not None else np.random.SeedSequence(seed).entropy
        per_draw = sum(math.prod(shape) for shape in self.shapes.values())
        if block is None:  # fixed by the whole model's size, so a restricted set of tables keeps the same draws
            block = self.BLOCK
            while block > 16 and block * 8 * per_draw > self.BLOCK_BYTES:
                block //= 2
        self.block = block
        self.first = _draws_first(per_draw) if first is None else first

    def restricted(self, keep: Iterable[int]) -> "GeneratedDraws":
        """The same draws of fewer variables."""
        keep = set(keep) & self.drawn
        return GeneratedDraws(self.n, {i: self.samplers[i] for i in keep}, {i: self.shapes[i] for i in keep},
                              entropy=self.entropy, block=self.block, first=self.first,
                              first_samplers={i: f for i, f in self.first_samplers.items() if i in keep},
                              refills=self.refills & keep,
                              compact_samplers={i: f for i, f in self.compact_samplers.items() if i in keep})

    def recycle(self, tables: Mapping[int, np.ndarray]) -> None:
        """Arrays of a block the caller is done with (nothing of them is read again): kept, a few per
        variable, for later blocks of the same size. Big networks' tables are mostly zeros and point-mass
        rows, which a reused array still holds: mildew's are 70 MB a block, 5 MB of them drawn."""
        if not self.first:
            return
        with self._spare_lock:
            for i, a in tables.items():
                if i in self.refills and isinstance(a, np.ndarray) and a.flags.c_contiguous:
                    spare = self._spare.setdefault((i, a.shape[0]), [])
                    if len(spare) < self.SPARE:
                        spare.append(a)

    def spread(self, tables: Mapping[int, np.ndarray | Compact], keep: Iterable[int] = ()) -> dict:
        """`tables` with their compact ones spread out, but for those in `keep`; each into an array handed
        back before (`recycle`) where there is one: its zeros and point-mass rows are in place, so only the
        drawn entries are written."""
        out = dict(tables)
        for i, table in tables.items():
            if not isinstance(table, Compact) or i in keep:
                continue
            m = table.values.shape[0]
            with self._spare_lock:
                spare = self._spare.get((i, m))
                reused = spare.pop() if spare else None  # only refilled variables' arrays are kept (recycle)
            if reused is None:
                out[i] = table.dense()
            else:
                reused.reshape(m, -1)[:, table.pattern[:table.drawn]] = table.values[:, :table.drawn]
                out[i] = reused
        return out

    def chunk(self, start, stop, compact: Iterable[int] = ()):
        """Every drawn table for draws [start, stop); `compact` (draws first): variables whose tables (big,
        mostly zeros, in compact_samplers) come as Compact, their positive entries only."""
        compact = frozenset(compact)
        if start % self.block or (stop % self.block and stop != self.n):
            raise ValueError("chunks of generated draws must start and end on block boundaries")
        blocks = range(start // self.block, (stop + self.block - 1) // self.block)
        if len(blocks) == 1:
            return self._block(blocks[0], compact)
        with worker_pool() as pool:
            pieces = list(pool.map(lambda b: self._block(b, compact), blocks))
        out = {}
        for i, shape in self.shapes.items():
            if isinstance(pieces[0][i], Compact):
                out[i] = Compact(np.concatenate([p[i].values for p in pieces]), pieces[0][i].pattern, shape,
                                 pieces[0][i].drawn)
            else:
                out[i] = np.concatenate([p[i] for p in pieces], axis=0 if self.first else -1)
        return out

    def _block(self, b: int, compact: frozenset = frozenset()) -> dict[int, np.ndarray]:
        lo, hi = b * self.block, min((b + 1) * self.block, self.n)
        return {i: self._draw(i, block_generator(self.entropy, b, i), hi - lo, compact) for i in sorted(self.samplers)}

    def _draw(self, i: int, rng: np.random.Generator, m: int, compact: frozenset = frozenset()) -> np.ndarray:
        if not self.first:
            return self.samplers[i](rng, m)
        if i in compact and i in self.compact_samplers:
            sampler, pattern, drawn = self.compact_samplers[i]
            return Compact(sampler(rng, m), pattern, self.shapes[i], drawn)
        if i in self.refills:
            with self._spare_lock:
                spare = self._spare.get((i, m))
                out = spare.pop() if spare else None
            return self.first_samplers[i](rng, m, out=out)
        if i in self.first_samplers:
            return self.first_samplers[i](rng, m)
        return np.ascontiguousarray(np.moveaxis(self.samplers[i](rng, m), -1, 0))

    def ahead(self):
        """(start, stop, tables) of every block in order, made a few blocks ahead of the caller in worker
        threads (numpy's samplers release the GIL; the caller's products mostly do not). Big, mostly-zero
        tables come compact (Compact), so that the first blocks are drawn while the question is planned
        (mildew: 0.1 s of search) and not after."""
        from collections import deque

        compact = frozenset(self.compact_samplers)  # taken only when drawn first (_draw)
        pending = deque()
        spans = iter(self.spans())
        with worker_pool() as pool:
            ahead = pool._max_workers + 1
            for span in spans:
                pending.append((span, pool.submit(self.chunk, *span, compact)))
                if len(pending) >= ahead:
                    break
            while pending:
                (start, stop), future = pending.popleft()
                tables = future.result()
                nxt = next(spans, None)
                if nxt is not None:
                    pending.append((nxt, pool.submit(self.chunk, *nxt, compact)))
                yield start, stop, tables

    def spans(self) -> list[tuple[int, int]]:
        return [(lo, min(lo + self.block, self.n)) for lo in range(0, self.n, self.block)]


def block_generator(entropy, block: int, variable: int) -> np.random.Generator:
    """The random numbers of one (block, variable) pair: numpy's SFC64, which passes the same statistical test
    batteries as its default PCG64 and makes gamma variates about 8% faster (they are most of a big
    network's draws: bnlearn's mildew, 37,000 a draw), seeded by a SeedSequence spawned for the pair."""
    return np.random.Generator(np.random.SFC64(np.random.SeedSequence(entropy, spawn_key=(block, variable))))


def worker_pool():
    """Threads for one run's draws, used as a context manager so they end with the run (no pool outlives
    the question that needed it)."""
    from concurrent.futures import ThreadPoolExecutor

    return ThreadPoolExecutor(max_workers=max(1, min(4, os.cpu_count() or 1)))


def blas_threads(draws):
    """While draws are made in worker threads, BLAS multiplies on one thread: its own threads would wait
    for cores the samplers hold (bnlearn's mildew, 1,000 draws: 2.4 s with BLAS's threads, 1.4 s without)."""
    if not isinstance(draws, GeneratedDraws):
        return contextlib.nullcontext()
    from threadpoolctl import threadpool_limits

    return threadpool_limits(1, user_api="blas")


def dirichlet_draws(net: CompiledNetwork, n: int, concentration: float = 50.0, seed: int | None = None,
                    variables: Iterable[str] | None = None) -> GeneratedDraws:
    """Each table row ~ Dirichlet(concentration x row); structural zeros stay zero.

    A stand-in for elicited uncertainty (issue 4 replaces it with per-judgement distributions); the
    benchmarks use it so that drawing the parameters is part of what is timed.
    """
    chosen = [net.index[v] for v in variables] if variables is not None else list(range(len(net.names)))

    rows = {i: DirichletRows(net.tables[i] * concentration) for i in chosen}  # each laid out once, for both layouts
    return GeneratedDraws(n, {i: (lambda rng, m, r=r: r(rng, m)) for i, r in rows.items()},
                          {i: net.tables[i].shape for i in chosen}, seed,
                          first_samplers={i: (lambda rng, m, out=None, r=r: r(rng, m, True, out)) for i, r in rows.items()},
                          refills=rows,
                          compact_samplers=compact_samplers(rows))


# ----------------------------------------------------------------------------------- summaries

INTERVAL = 0.90


def interval(values: np.ndarray, level: float = INTERVAL, axis: int = 0):
    """The equal-tailed interval across draws (the first axis by default): (low, high)."""
    lo, hi = np.quantile(values, [(1 - level) / 2, 1 - (1 - level) / 2], axis=axis)
    return lo, hi


def summarise(values: np.ndarray, level: float = INTERVAL) -> dict[str, np.ndarray]:
    """Across the first axis (draws): mean, median and the equal-tailed interval."""
    lo, hi = interval(values, level)
    return {"mean": values.mean(axis=0), "median": np.median(values, axis=0), "lo90": lo, "hi90": hi}
