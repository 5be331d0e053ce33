"""Random discrete networks for tests and benchmarks (ALARM-sized and smaller), built in pgmpy.

Structure: variables in a random order, each with up to `max_parents` parents drawn from earlier ones;
2-4 states; every table row Dirichlet(1), so no structural zeros.
"""

from __future__ import annotations

import numpy as np


def random_network(n_variables: int = 37, max_parents: int = 4, min_states: int = 2, max_states: int = 4,
                   seed: int = 0, edge_probability: float = 0.5):
    """A pgmpy DiscreteBayesianNetwork with state names s0, s1, ... and variables v00, v01, ..."""
    from .network import import_pgmpy

    import_pgmpy()
    from pgmpy.factors.discrete import TabularCPD
    from pgmpy.models import DiscreteBayesianNetwork

    rng = np.random.default_rng(seed)
    names = [f"v{i:02d}" for i in range(n_variables)]
    cards = rng.integers(min_states, max_states + 1, size=n_variables)
    parents: dict[str, list[str]] = {}
    for i, v in enumerate(names):
        candidates = names[max(0, i - 8):i]  # local structure, as in real networks
        k = min(len(candidates), int(rng.binomial(max_parents, edge_probability)))
        parents[v] = sorted(rng.choice(candidates, size=k, replace=False).tolist()) if k else []
    model = DiscreteBayesianNetwork()
    model.add_nodes_from(names)
    model.add_edges_from((p, v) for v in names for p in parents[v])
    cpds = []
    for i, v in enumerate(names):
        pcards = [int(cards[names.index(p)]) for p in parents[v]]
        columns = int(np.prod(pcards)) if pcards else 1
        values = rng.dirichlet(np.ones(int(cards[i])), size=columns).T
        state_names = {v: [f"s{k}" for k in range(int(cards[i]))]}
        state_names.update({p: [f"s{k}" for k in range(c)] for p, c in zip(parents[v], pcards)})
        cpds.append(TabularCPD(v, int(cards[i]), values, evidence=parents[v] or None,
                               evidence_card=pcards or None, state_names=state_names))
    model.add_cpds(*cpds)
    model.check_model()
    return model
