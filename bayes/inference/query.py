"""What one asks the engine and what it answers: a Query (target, findings, do(), sweeps, soft reports) and
its results (QueryResult per query, BatchResult per run, with tidy frames and draw summaries)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bayes.inference.draws import summarise


# ----------------------------------------------------------------------------------- queries

@dataclass(frozen=True)
class Query:
    """One question: P(target | evidence, do(...)), optionally for every combination of `sweep` states."""

    target: str
    evidence: tuple[tuple[str, str], ...] = ()
    do: tuple[tuple[str, str], ...] = ()
    sweep: tuple[str, ...] = ()
    label: str = ""
    soft: tuple[tuple[str, tuple[float, ...]], ...] = ()  # virtual evidence: likelihood per state

    def __hash__(self):
        """Worked out once: a question asked again is looked up in the engine's answers by it."""
        known = self.__dict__.get("_hash")
        if known is None:
            known = hash((self.target, self.evidence, self.do, self.sweep, self.label, self.soft))
            object.__setattr__(self, "_hash", known)
        return known

    def __getstate__(self):
        """Pickled without the hash: string hashes differ from process to process."""
        return {k: v for k, v in self.__dict__.items() if k != "_hash"}

    @classmethod
    def make(cls, target, evidence=None, do=None, sweep=(), label="", soft=None):
        """`soft`: {variable: [likelihood of the report under each state]} (only ratios matter)."""
        soft_items = tuple(sorted((v, tuple(float(x) for x in lik)) for v, lik in (soft or {}).items()))
        return cls(target, tuple(sorted((evidence or {}).items())), tuple(sorted((do or {}).items())),
                   tuple(sweep), label, soft_items)


# ----------------------------------------------------------------------------------- results

@dataclass
class QueryResult:
    query: Query
    states: tuple[str, ...]
    sweep_states: tuple[tuple[str, ...], ...]
    probabilities: np.ndarray  # (N, *sweep cards, target card); N = 1 for the point estimate
    evidence_probability: np.ndarray  # (N, *sweep cards)


@dataclass
class BatchResult:
    results: list[QueryResult]

    def __iter__(self):
        return iter(self.results)

    def __getitem__(self, i) -> QueryResult:
        return self.results[i]

    def to_frame(self, draws: bool = True):
        """Tidy table: query, variable, state, [sweep variables...], [draw], probability."""
        import pandas as pd

        frames = []
        for qi, r in enumerate(self.results):
            q = r.query
            axes = [("draw", np.arange(r.probabilities.shape[0]))] if draws else []
            axes += [(name, list(states)) for name, states in zip(q.sweep, r.sweep_states)]
            axes += [("state", list(r.states))]
            values = r.probabilities if draws else r.probabilities.mean(axis=0)
            index = pd.MultiIndex.from_product([a[1] for a in axes], names=[a[0] for a in axes])
            frame = pd.DataFrame({"probability": values.reshape(-1)}, index=index).reset_index()
            frame.insert(0, "variable", q.target)
            frame.insert(0, "query", q.label or str(qi))
            frames.append(frame)
        return pd.concat(frames, ignore_index=True)

    def summary(self, interval: float = 0.90):
        """Mean, median and an equal-tailed interval per state across draws (docs/methods.md#second-order-uncertainty)."""
        import pandas as pd

        rows = []
        for qi, r in enumerate(self.results):
            p = r.probabilities.reshape(r.probabilities.shape[0], -1, len(r.states))
            sweep_combos = list(np.ndindex(*[len(s) for s in r.sweep_states])) or [()]
            stats = summarise(p, interval)
            mean, median, low, high = stats["mean"], stats["median"], stats["lo90"], stats["hi90"]
            for ci, combo in enumerate(sweep_combos):
                for si, state in enumerate(r.states):
                    row = {"query": r.query.label or str(qi), "variable": r.query.target}
                    row.update({name: r.sweep_states[k][combo[k]] for k, name in enumerate(r.query.sweep)})
                    row.update(state=state, mean=mean[ci, si], median=median[ci, si], low=low[ci, si],
                               high=high[ci, si])
                    rows.append(row)
        return pd.DataFrame(rows)


def impossible_evidence(net, prep: dict, pe: np.ndarray, point: np.ndarray | None = None) -> str:
    """The refusal of a question whose evidence has probability zero (`pe`, per draw), naming the findings;
    `point`, P(evidence) with the point tables when the answer was drawn: possible there, it is the draws
    that rule it out."""
    q = prep["query"]
    parts = [f"{v}={s}" for v, s in q.evidence]
    ruled_out = np.argwhere(pe.reshape(pe.shape[0], *prep["sweep_cards"]) <= 0) if prep["sweep"] else ()
    if len(ruled_out):  # (none marked: the findings are impossible whatever the swept states, so none is named)
        parts += [f"{net.names[v]}={net.states[v][i]}" for v, i in zip(prep["sweep"], ruled_out[0][1:])]
    parts += [f"the soft report on {v}" for v, _ in q.soft]
    shown = ", ".join(parts[:6]) + (f" and {len(parts) - 6:,} more findings" if len(parts) > 6 else "")
    forced = ", ".join(f"do({v}={s})" for v, s in q.do)
    what = f"the evidence {shown}{' under ' + forced if forced else ''}"
    if point is not None and np.all(point > 0):  # possible with the point tables, ruled out by some draws
        impossible = int(np.sum(np.any(pe.reshape(pe.shape[0], -1) <= 0, axis=1)))
        return (f"{what} has probability zero in {impossible:,} of {pe.shape[0]:,} parameter draws (the point "
                "estimate allows it): those drawn tables rule it out, as rows drawn with a small "
                "concentration are nearly all-or-nothing; raise the model's concentration or ask without draws")
    if len(parts) >= 20:
        return (f"{what} has probability zero in the model, or one too small for double precision (below "
                f"1e-308) with {len(parts):,} findings; check the evidence or the tables that rule it out")
    return (f"{what} has probability zero in the model, so nothing can be conditioned on it; check the "
            "evidence or the tables that rule it out")
