"""What to watch: the observable variables ranked by how much seeing each would move the target
(expected change and entropy reduction), with intervals over parameter draws."""

from __future__ import annotations

import numpy as np
import pandas as pd

from bayes.analysis.scenarios import parse_target
from bayes.errors import QueryError
from bayes.inference.draws import interval
from bayes.inference.engine import Query
from bayes.inference.uncertainty import DEFAULT_SEED, parameter_draws
from bayes.modelfile.scales import describe
from bayes.modelfile.spec import parse_assignments


def watchable(model, target: str | None = None, given=None, do=None) -> list[str]:
    """The observable variables that could still be watched for the target: observable, not the target,
    not already observed or forced. A QueryError says why when there are none."""
    var, _ = parse_target(model, target)
    given = parse_assignments(given, model.spec, "evidence")
    do = parse_assignments(do, model.spec, "intervention")
    observable = [v for v, x in model.spec.variables.items() if x.observable]
    if not observable:
        raise QueryError(f"no variable of {model.name} is marked observable: true; mark the developments an analyst "
                         "could see reported with 'observable: true' to rank what to watch", model.spec.path)
    left = [v for v in observable if v != var and v not in given and v not in do]
    if not left:
        raise QueryError(f"nothing observable is left to watch for '{var}': its observable variables "
                         f"({', '.join(observable)}) are the target itself or already set by the evidence",
                         model.spec.path)
    return left


# ------------------------------------------------------------------------------------- indicators

def entropy_bits(p: np.ndarray, axis: int = -1) -> np.ndarray:
    """Shannon entropy in bits along `axis` (0 log 0 = 0); NaN rows (impossible evidence in a draw) give 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return -np.nansum(np.where(p > 0, p * np.log2(p), 0.0), axis=axis)


def indicators(model, target: str, given=None, do=None, draws: int | None = None, seed: int | None = None) -> pd.DataFrame:
    """Which observable developments would move the target most, given what is already known.

    For every observable variable not yet observed: mutual information with the target variable in
    bits (Netica's "sensitivity to findings"), and per state P(target | that state, evidence), its shift
    from now, whether the estimative band changes, and a sentence for the briefing. One row per state,
    sorted by mutual information, then by state order. With `draws=N`, the target if observed also
    gets its 90% interval over parameter draws (`if_lo90`, `if_hi90`), and so does the mutual
    information (`mi_lo90`, `mi_hi90`).
    """
    var, state = parse_target(model, target)
    spec = model.spec
    given = parse_assignments(given, spec, "evidence")
    do = parse_assignments(do, spec, "intervention")
    candidates = watchable(model, target, given, do)
    queries = [Query.make(var, given, do, sweep=(o,)) for o in candidates]
    now_dist = model.engine.run([Query.make(var, given, do)])[0].probabilities[0]
    k = spec.states(var).index(state)
    now = float(now_dist[k])
    scale = model.scale
    rows = []
    for o, r in zip(candidates, model.engine.run(queries, strict=False)):
        post = r.probabilities[0]  # (card O, card T)
        p_o = r.evidence_probability[0] / r.evidence_probability[0].sum()
        mi = float(entropy_bits(now_dist) - sum(w * entropy_bits(post[i]) for i, w in enumerate(p_o) if w > 0))
        label = o.replace("_", " ")  # the name, not the label: labels may be whole questions
        for i, s in enumerate(spec.states(o)):
            p_if = float(post[i, k]) if p_o[i] > 0 else float("nan")
            changes = bool(p_o[i] > 0 and scale.term(p_if) != scale.term(now))
            sentence = (f"If {label} is observed as '{s.replace('_', ' ')}', {var.replace('_', ' ')} = "
                        f"{state.replace('_', ' ')} goes from {describe(now, scale)} to {describe(p_if, scale)}"
                        if p_o[i] > 0 else f"{label} = {s.replace('_', ' ')} is ruled out by the evidence")
            rows.append(dict(variable=o, state=s, probability_of_state=float(p_o[i]), target=target, target_now=now,
                             target_if_observed=p_if, shift=p_if - now, band_changes=changes,
                             mutual_information_bits=max(mi, 0.0), sentence=sentence))
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    if draws:
        frame = _indicator_intervals(model, frame, queries, candidates, Query.make(var, given, do), k, draws, seed)
    order = frame.groupby("variable", sort=False)["mutual_information_bits"].first().sort_values(ascending=False)
    frame["variable"] = pd.Categorical(frame["variable"], categories=list(order.index), ordered=True)
    return frame.sort_values(["variable"], kind="stable").reset_index(drop=True).assign(
        variable=lambda f: f["variable"].astype(str))


def _indicator_intervals(model, frame, queries, candidates, now_query, k, draws, seed):
    """90% intervals over parameter draws for each indicator's target-if-observed and mutual information."""
    batch = model.engine.run(queries + [now_query],
                             parameter_draws(model, int(draws), DEFAULT_SEED if seed is None else seed), strict=False)
    now = batch[len(queries)].probabilities  # (N, card T)

    columns = {"if_lo90": [], "if_hi90": [], "mi_lo90": [], "mi_hi90": []}
    for o, r in zip(candidates, batch):
        post = r.probabilities  # (N, card O, card T)
        weights = r.evidence_probability / r.evidence_probability.sum(axis=1, keepdims=True)
        mi = np.clip(entropy_bits(now, 1) - np.nansum(weights * entropy_bits(post, 2), axis=1), 0.0, None)
        mi_lo, mi_hi = interval(mi)
        for i in range(post.shape[1]):
            values = post[:, i, k][np.isfinite(post[:, i, k])]
            lo, hi = interval(values) if values.size else (np.nan, np.nan)
            columns["if_lo90"].append(float(lo))
            columns["if_hi90"].append(float(hi))
            columns["mi_lo90"].append(float(mi_lo))
            columns["mi_hi90"].append(float(mi_hi))
    return frame.assign(**columns)
