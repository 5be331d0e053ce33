"""Second-order uncertainty: draw every judgement from its distribution, answer every query per draw
on the batched engine, and summarise (mean, median, equal-tailed 90% interval; docs/methods.md#second-order-uncertainty).

Draws are reproducible for a seed. Intervals on downstream outcomes are expected to be wide when
premises chain (Kleiter 1996); they are shown, not hidden.
"""

from __future__ import annotations

import pandas as pd

from bayes.inference.draws import GeneratedDraws, compact_samplers, summarise
from bayes.inference.engine import Query

DEFAULT_SEED = 2020
FRAGILE_SHARE = 0.80  # a claim that holds at the point estimate but in fewer draws than this is fragile


def parameter_draws(model, n: int, seed: int | None = DEFAULT_SEED) -> GeneratedDraws:
    """Every table drawn from its judgements; each variable's draws depend only on the seed (not on which
    other tables a query needs), so a seed means the same numbers everywhere."""
    net = model.engine.net
    sources = {net.index[name]: v.source for name, v in model.spec.variables.items()}
    return GeneratedDraws(n, {i: source.sample for i, source in sources.items()},
                          {i: net.tables[i].shape for i in sources}, seed,
                          first_samplers={i: s.sample_first for i, s in sources.items() if hasattr(s, "sample_first")},
                          refills=[i for i, s in sources.items() if hasattr(s, "sample_first")],
                          compact_samplers=compact_samplers({i: s.dirichlet_rows for i, s in sources.items()
                                                             if hasattr(s, "dirichlet_rows")}))


def run_with_draws(model, queries: list[Query], draws: int, seed: int | None):
    """Point estimates and per-draw posteriors for a list of queries: (point list, draws BatchResult)."""
    point = model.engine.run(queries)
    batch = model.engine.run(queries, parameter_draws(model, draws, seed))
    return point, batch


def tidy_with_intervals(model, queries: list[Query], draws: int, seed: int | None, key: str | None = None):
    """One row per (query, state): point `probability` plus mean, median, lo90, hi90 over the draws."""
    point, batch = run_with_draws(model, queries, draws, seed)
    rows = []
    for q, p, b in zip(queries, point, batch):
        stats = summarise(b.probabilities)
        for k, state in enumerate(p.states):
            row = {key: q.label} if key else {}
            row.update(variable=q.target, state=state, probability=float(p.probabilities[0, k]),
                       **{name: float(v[k]) for name, v in stats.items()})
            rows.append(row)
    return pd.DataFrame(rows)
