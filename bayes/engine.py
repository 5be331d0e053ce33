"""Exact posterior marginals for observed evidence and do-interventions.

Interventions are graph surgery followed by ordinary inference on the cut network. pgmpy's
`CausalInference.query(do=..., evidence=...)` is deliberately not used: in pgmpy 1.1.2 it returns
wrong numbers when the evidence is not on the intervened variable's parents (pgmpy #1701, #3543).
"""

from __future__ import annotations

import warnings

import numpy as np

from .errors import QueryError
from .modelfile import ModelSpec
from .network import mutilate, to_pgmpy


class Engine:
    """Caches the compiled network and one eliminator per set of forced variables."""

    def __init__(self, spec: ModelSpec, network=None):
        self.spec = spec
        self._network = network
        self._eliminators: dict[tuple, object] = {}

    @property
    def network(self):
        if self._network is None:
            self._network = to_pgmpy(self.spec)
        return self._network

    def _eliminator(self, do: dict[str, str]):
        key = tuple(sorted(do.items()))
        if key not in self._eliminators:
            network = mutilate(self.network, do, self.spec)
            from pgmpy.inference import VariableElimination  # imported quietly by self.network

            self._eliminators[key] = VariableElimination(network)
        return self._eliminators[key]

    def marginals(self, targets, evidence=None, do=None) -> dict[str, np.ndarray]:
        """P(target | evidence, do(...)) for each target, as arrays in the model's state order."""
        evidence = dict(evidence or {})
        do = dict(do or {})
        for var, state in evidence.items():
            if var in do and do[var] != state:
                raise QueryError(
                    f"evidence {var}={state} contradicts the intervention do({var}={do[var]}); "
                    "the evidence has probability zero", self.spec.path)
        result: dict[str, np.ndarray] = {}
        pending = []
        for t in targets:
            fixed = evidence.get(t, do.get(t))
            if fixed is not None:
                states = self.spec.states(t)
                result[t] = np.array([1.0 if s == fixed else 0.0 for s in states])
            else:
                pending.append(t)
        ev = {k: v for k, v in evidence.items() if k not in do}
        probe = None
        if ev and not pending:
            # Targets all fixed by the evidence: still query one free variable, so that impossible
            # evidence is reported instead of answered with a point mass.
            free = [v for v in self.spec.variables if v not in ev and v not in do]
            if not free:
                free = [next(iter(ev))]
                ev = {k: v for k, v in ev.items() if k != free[0]}
            probe = free[0]
            pending = [probe]
        if pending:
            eliminator = self._eliminator(do)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    factors = eliminator.query(variables=pending, evidence=ev or None, joint=False,
                                               show_progress=False)
                except (ValueError, ZeroDivisionError, FloatingPointError):
                    factors = None
            for t in pending:
                values = None if factors is None else self._ordered(factors[t], t)
                if values is None or not np.all(np.isfinite(values)) or abs(values.sum() - 1.0) > 1e-6:
                    raise QueryError(self._zero_evidence_message(evidence, do), self.spec.path)
                result[t] = values
        if probe is not None and probe in evidence:
            if result[probe][self.spec.states(probe).index(evidence[probe])] <= 0.0:
                raise QueryError(self._zero_evidence_message(evidence, do), self.spec.path)
            result[probe] = np.array([1.0 if s == evidence[probe] else 0.0 for s in self.spec.states(probe)])
        if probe is not None and probe not in targets:
            result.pop(probe, None)
        return {t: result[t] for t in targets}

    def _ordered(self, factor, variable: str) -> np.ndarray:
        names = factor.state_names[variable]
        index = {s: i for i, s in enumerate(names)}
        return np.array([factor.values[index[s]] for s in self.spec.states(variable)], dtype=float)

    def _zero_evidence_message(self, evidence, do) -> str:
        ev = ", ".join(f"{k}={v}" for k, v in evidence.items())
        forced = ", ".join(f"do({k}={v})" for k, v in do.items())
        context = f" under {forced}" if forced else ""
        return (f"the evidence {ev}{context} has probability zero in the model, so nothing can be "
                "conditioned on it; check the evidence or the tables that rule it out")
