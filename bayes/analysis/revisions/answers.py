"""The questions every comparison asks of each version: each headline outcome under each scenario, and
each claim's verdict and margin."""

from __future__ import annotations

from dataclasses import replace

from bayes.analysis.scenarios import headline_states
from bayes.errors import QueryError
from bayes.inference.claims import evaluate_claims
from bayes.inference.engine import Query
from bayes.model import Model
from bayes.modelfile.scales import describe
from bayes.modelfile.spec import BASELINE, ModelSpec

# ------------------------------------------------------------------------------------- questions and answers

def scenario_of(spec: ModelSpec, name: str):
    sc = spec.scenarios.get(name)
    return (sc.observe, sc.do) if sc else ({}, {})


def scenario_names(spec: ModelSpec) -> list[str]:
    names = list(spec.scenarios)
    return names if BASELINE in names else [BASELINE] + names


def scenario_label_of(spec: ModelSpec, name: str) -> str:
    sc = spec.scenarios.get(name)
    return sc.display if sc else name.replace("_", " ")


def headline_outcomes(model: Model) -> dict[str, str]:
    return headline_states(model)


def answer_table(model: Model, pairs: list[tuple[str, str, str]]) -> dict[tuple, float]:
    """P(variable=state | scenario) for (scenario, variable, state) triples the model has; NaN where the
    scenario's evidence cannot happen."""
    spec = model.spec
    queries, keys = {}, []
    for scenario, var, state in pairs:
        if var not in spec.variables or state not in spec.states(var):
            continue
        if scenario != BASELINE and scenario not in spec.scenarios:
            continue
        observe, do = scenario_of(spec, scenario)
        queries.setdefault((scenario, var), Query.make(var, observe, do))
        keys.append((scenario, var, state))
    order = list(queries)
    results = model.engine.run([queries[k] for k in order], strict=False) if order else []
    by_query = {k: r for k, r in zip(order, results)}
    return {(sc, var, state): float(by_query[(sc, var)].probabilities[0, spec.states(var).index(state)])
            for sc, var, state in keys}


def claim_results(model: Model) -> dict:
    """{claim id: ClaimResult or the message of why it cannot be evaluated}."""
    if not model.spec.claims:
        return {}
    try:
        return {r.id: r for r in evaluate_claims(model)}
    except QueryError:
        out = {}
        for cid, claim in model.spec.claims.items():
            single = Model(replace(model.spec, claims={cid: claim}))
            try:
                out[cid] = evaluate_claims(single)[0]
            except QueryError as exc:
                out[cid] = exc.message
        return out


def claim_margin(result) -> float:
    """The number a claim's verdict turns on, on the probability scale: P(if) - P(than), P, or the largest
    difference."""
    if result.kind in ("more_likely", "less_likely"):
        return float(result.p_if - result.p_than)
    if result.kind == "probability":
        return float(result.probability)
    return float(result.max_difference)


def claim_text(result, scale) -> str:
    """'pass: likely (62%) vs unlikely (30%), odds ratio 3.8' and the like."""
    if isinstance(result, str):
        return f"cannot be evaluated: {result}"
    verdict = "pass" if result.passed else "FAIL"
    if result.kind in ("more_likely", "less_likely"):
        numbers = (f"{describe(result.p_if, scale)} vs {describe(result.p_than, scale)}, odds ratio "
                   f"{result.odds_ratio:.3g}")
    elif result.kind == "probability":
        numbers = describe(result.probability, scale)
    else:
        numbers = f"max difference {result.max_difference:.3g}"
    return f"{verdict}: {numbers} (needs {result.required})"
