"""The network as arrays: each variable's table shaped (*parent cards, card) and the compiled network the
engine runs on (CompiledNetwork); and the same network as a pgmpy DiscreteBayesianNetwork.

pgmpy stays the model builder and validator; its flat column order (first parent varies slowest) is
produced here and nowhere else, so the rest of the toolkit speaks in state names.
"""

from __future__ import annotations

import itertools
import operator
import warnings
from dataclasses import dataclass, field
from typing import Iterable, Mapping

import numpy as np

from bayes.errors import ModelFileError
from bayes.modelfile.spec import ModelSpec, Variable


def table_array(variable: Variable, spec: ModelSpec) -> np.ndarray:
    """The table as an array shaped (*parent cardinalities, child cardinality), axes in parent order."""
    if variable.source is not None:  # every table source computes its point array directly
        return np.asarray(variable.source.point(), dtype=float)
    parent_states = [spec.states(p) for p in variable.parents]
    shape = tuple(len(s) for s in parent_states) + (len(variable.states),)
    array = np.empty(shape, dtype=float)
    by_key = {tuple(row.given[p] for p in variable.parents): row for row in variable.rows}
    for index in itertools.product(*(range(len(s)) for s in parent_states)):
        key = tuple(states[i] for states, i in zip(parent_states, index))
        row = by_key[key]
        array[index] = [row.probabilities[s] for s in variable.states]
    return array


def pgmpy_columns(variable: Variable, spec: ModelSpec) -> np.ndarray:
    """pgmpy's TabularCPD values: shape (child card, product of parent cards), first parent slowest."""
    array = table_array(variable, spec)
    return array.reshape(-1, len(variable.states)).T.copy()


def import_pgmpy():
    """Import pgmpy quietly: its deprecation notices are about modules we do not use."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        import pgmpy.factors.discrete
        import pgmpy.inference
        import pgmpy.models
    return pgmpy


def to_pgmpy(spec: ModelSpec):
    """Build the network and run pgmpy's own model check."""
    import_pgmpy()
    from pgmpy.factors.discrete import TabularCPD
    from pgmpy.models import DiscreteBayesianNetwork

    network = DiscreteBayesianNetwork()
    network.add_nodes_from(spec.variables)
    network.add_edges_from((p, v.name) for v in spec.variables.values() for p in v.parents)
    cpds = []
    for v in spec.variables.values():
        state_names = {v.name: list(v.states)}
        state_names.update({p: list(spec.states(p)) for p in v.parents})
        cpds.append(TabularCPD(
            variable=v.name,
            variable_card=len(v.states),
            values=pgmpy_columns(v, spec),
            evidence=list(v.parents) or None,
            evidence_card=[len(spec.states(p)) for p in v.parents] or None,
            state_names=state_names,
        ))
    network.add_cpds(*cpds)
    try:
        network.check_model()
    except ValueError as exc:  # pragma: no cover - our own validation catches these first
        raise ModelFileError(f"pgmpy rejects the network: {exc}", spec.path) from None
    return network


# ----------------------------------------------------------------------------------- the network

@dataclass
class CompiledNetwork:
    """Variables, states and point-estimate tables shaped (*parent cards, card), in topological order."""

    names: list[str]
    states: list[tuple[str, ...]]
    parents: list[tuple[int, ...]]
    tables: list[np.ndarray]
    source: str = "<network>"
    index: dict[str, int] = field(init=False)
    cards: list[int] = field(init=False)

    def __post_init__(self):
        self.index = {n: i for i, n in enumerate(self.names)}
        self.cards = [len(s) for s in self.states]
        self._rank: dict[str, int] | None = None
        self._symbols: list[str] | None = None
        self._positive: dict[int, tuple] = {}  # per variable: its table, positive_everywhere, smallest_positive
        self._possible: dict[int, np.ndarray] = {}  # possible_states, per variable, for the tables below
        self._possible_tables: list[np.ndarray] = []

    def symbols(self) -> list[str]:
        """Each variable's einsum label (opt_einsum's symbol for its index), made once per network."""
        if self._symbols is None:
            from opt_einsum import get_symbol

            self._symbols = [get_symbol(v) for v in range(len(self.names))]
        return self._symbols

    def positive_everywhere(self, v: int) -> tuple[bool, ...]:
        """Per state of variable `v`: whether its probability is positive under every configuration of its
        parents (a finding of such a state is possible whatever else is known), worked out once per variable."""
        return self._positives(v)[1]

    def smallest_positive(self, v: int) -> float:
        """The smallest positive number in variable `v`'s table (1.0 if none): a product of one number from each
        of some tables is at least the product of theirs, so it cannot underflow when that one does not."""
        return self._positives(v)[2]

    def _positives(self, v: int) -> tuple:
        table = self.tables[v]
        known = self._positive.get(v)
        if known is None or known[0] is not table:  # (a table replaced, as tests do, is looked at afresh)
            low = table.min()
            if low > 0:  # (most tables: no zero, so one pass)
                known = self._positive[v] = (table, (True,) * table.shape[-1], float(low))
                return known
            positive = table > 0
            known = self._positive[v] = (table, tuple(bool(x) for x in positive.all(axis=tuple(range(table.ndim - 1)))),
                                         float(table[positive].min()) if positive.any() else 1.0)
        return known

    def possible_states(self, v: int, check_tables: bool = True) -> np.ndarray:
        """Per state of variable `v`: whether its table allows it under some combination of its parents' possible
        states, each parent's taken on its own (so a state it rules out has probability zero when nothing is known;
        one it allows may still be ruled out jointly). Worked out once per variable and kept until a table of the
        network is replaced (as tests do; `check_tables=False` where drop_stale_possible_states was just called).
        A table changed in place is not noticed, as for positive_everywhere."""
        if check_tables:
            self.drop_stale_possible_states()
        known = self._possible.get(v)
        if known is not None:
            return known
        missing, stack = {v}, [v]  # the ancestors not worked out yet, first, in topological order (the variables')
        while stack:
            for p in self.parents[stack.pop()]:
                if p not in missing and p not in self._possible:
                    missing.add(p)
                    stack.append(p)
        for u in sorted(missing):
            table, above = self.tables[u], [np.flatnonzero(self._possible[p]) for p in self.parents[u]]
            rows = table[np.ix_(*above, range(table.shape[-1]))] if above else table
            self._possible[u] = np.any(rows > 0, axis=tuple(range(rows.ndim - 1)))
        return self._possible[v]

    def drop_stale_possible_states(self) -> None:
        """Forget possible_states when a table of the network was replaced since they were worked out."""
        if len(self._possible_tables) != len(self.tables) or not all(map(operator.is_, self._possible_tables,
                                                                         self.tables)):
            self._possible, self._possible_tables = {}, list(self.tables)

    def has_elimination_rank(self) -> bool:
        return self._rank is not None

    def elimination_rank(self) -> dict[str, int]:
        """Each variable's einsum label and its position in the network's min-fill elimination order
        (planning.network_rank), worked out on first use and kept: the structure never changes, and every
        engine of the model shares it."""
        if self._rank is None:
            from bayes.inference.planning import network_rank

            self._rank = dict(zip(self.symbols(), network_rank(self.parents, self.cards)))
        return self._rank

    @classmethod
    def from_spec(cls, spec) -> "CompiledNetwork":
        order = _topological(list(spec.variables), {v: spec.variables[v].parents for v in spec.variables})
        idx = {v: i for i, v in enumerate(order)}
        return cls(
            names=order,
            states=[tuple(spec.states(v)) for v in order],
            parents=[tuple(idx[p] for p in spec.variables[v].parents) for v in order],
            tables=[table_array(spec.variables[v], spec) for v in order],
            source=spec.path,
        )

    @classmethod
    def from_pgmpy(cls, model) -> "CompiledNetwork":
        """For tests and benchmarks on networks built in pgmpy (pgmpy's column order undone here)."""
        cpds = {cpd.variable: cpd for cpd in model.get_cpds()}
        parents = {v: list(cpds[v].variables[1:]) for v in cpds}
        order = _topological(list(cpds), parents)
        idx = {v: i for i, v in enumerate(order)}
        tables = []
        for v in order:
            values = np.asarray(cpds[v].values, dtype=float)  # (card, *parent cards)
            tables.append(np.moveaxis(values, 0, -1).copy())
        return cls(order, [tuple(cpds[v].state_names[v]) for v in order],
                   [tuple(idx[p] for p in parents[v]) for v in order], tables, "<pgmpy model>")

    def state_index(self, var: str, state: str) -> int:
        return self.states[self.index[var]].index(state)


def _topological(names: list[str], parents: Mapping[str, Iterable[str]]) -> list[str]:
    """Parents before children, otherwise in the given order (Kahn's algorithm with a heap on the given
    position, so it is stable and linear-logarithmic)."""
    import heapq

    position = {v: i for i, v in enumerate(names)}
    waiting = {v: len(set(parents[v])) for v in names}
    children: dict[str, list[str]] = {v: [] for v in names}
    for v in names:
        for p in set(parents[v]):
            children[p].append(v)
    ready = [position[v] for v in names if waiting[v] == 0]
    heapq.heapify(ready)
    result: list[str] = []
    while ready:
        v = names[heapq.heappop(ready)]
        result.append(v)
        for c in children[v]:
            waiting[c] -= 1
            if waiting[c] == 0:
                heapq.heappush(ready, position[c])
    if len(result) != len(names):
        raise ValueError("the network has a directed cycle")
    return result
