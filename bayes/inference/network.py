"""Compile a validated model file into a pgmpy DiscreteBayesianNetwork.

pgmpy stays the model builder and validator; its flat column order (first parent varies slowest) is
produced here and nowhere else, so the rest of the toolkit speaks in state names.
"""

from __future__ import annotations

import itertools
import warnings

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
