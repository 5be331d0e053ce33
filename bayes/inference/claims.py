"""Check the article's claims against the compiled network.

Each claim is a sentence of the assessment in formal form. Comparisons ("A more likely if B than if
B'") are tested at the point estimate, as observation P(A | B) or as intervention P(A | do(B)),
optionally with a minimum odds ratio for "much / far more likely" (thresholds in bayes/modelfile/claimspecs.py).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from bayes.errors import QueryError
from bayes.inference.draws import ArrayDraws, interval
from bayes.inference.uncertainty import DEFAULT_SEED, FRAGILE_SHARE, parameter_draws
from bayes.inference.engine import Query
from bayes.modelfile.parameters import elicited_parameters
from bayes.modelfile.spec import ClaimSpec


@dataclass
class ClaimResult:
    id: str
    quote: str
    says: str
    form: str
    kind: str
    reading: str
    passed: bool
    p_if: float | None = None
    p_than: float | None = None
    odds_ratio: float | None = None
    probability: float | None = None
    low: float | None = None
    high: float | None = None
    max_difference: float | None = None
    required: str = ""
    hold_share: float | None = None
    fragile: bool | None = None
    intervals: dict | None = None  # with draws: {"p_if": (lo90, hi90), ...} for the claim's probabilities

    def to_json(self) -> dict:
        data = asdict(self)
        intervals = data.pop("intervals") or {}
        for name, (lo, hi) in intervals.items():
            data[f"{name}_lo90"], data[f"{name}_hi90"] = lo, hi
        if self.hold_share is None:
            data.pop("hold_share")
            data.pop("fragile")
        return {k: (None if isinstance(v, float) and math.isinf(v) else v) for k, v in data.items()}


def odds_ratio(p1: float, p2: float) -> float:
    """Odds of p1 over odds of p2; infinite when p1's odds are infinite or p2's are zero."""
    if p1 >= 1.0 or p2 <= 0.0:
        return math.inf
    if p1 <= 0.0 or p2 >= 1.0:
        return 0.0
    return (p1 / (1 - p1)) / (p2 / (1 - p2))


def _event(spec: ClaimSpec) -> str:
    states = spec.outcome_states
    if len(states) == 1:
        return f"{spec.outcome_variable}={states[0]}"
    return f"{spec.outcome_variable} in {{{', '.join(states)}}}"


def _condition(assign: dict, given: dict, reading: str) -> str:
    parts = []
    for k, v in assign.items():
        parts.append(f"do({k}={v})" if reading == "intervention" else f"{k}={v}")
    parts += [f"{k}={v}" for k, v in given.items()]
    return " | " + ", ".join(parts) if parts else ""


def formal_text(spec: ClaimSpec, scale) -> str:
    ev = _event(spec)
    if spec.form in ("more_likely", "less_likely"):
        op = ">" if spec.form == "more_likely" else "<"
        text = (f"P({ev}{_condition(spec.if_, spec.given, spec.reading)}) {op} "
                f"P({ev}{_condition(spec.than, spec.given, spec.reading)})")
        if spec.min_odds_ratio and spec.min_odds_ratio > 1:
            bound = spec.min_odds_ratio if spec.form == "more_likely" else 1 / spec.min_odds_ratio
            text += f", odds ratio {'>=' if spec.form == 'more_likely' else '<='} {bound:.3g}"
        return text
    if spec.form == "probability":
        lo, hi = _range(spec, scale)
        label = f"'{spec.band}' " if spec.band else ""
        return (f"P({ev}{_condition(spec.if_, spec.given, spec.reading)}) in {label}"
                f"[{percent_bound(lo)}, {percent_bound(hi)}]")
    if spec.cause is None:  # no_difference between two conditions
        return (f"|P({spec.outcome_variable}{_condition(spec.if_, spec.given, spec.reading)}) - "
                f"P({spec.outcome_variable}{_condition(spec.than, spec.given, spec.reading)})| <= {spec.tolerance:g}")
    cond = "do" if spec.reading == "intervention" else ""
    given = ", " + ", ".join(f"{k}={v}" for k, v in spec.given.items()) if spec.given else ""
    return (f"max over states c, c' of {spec.cause} of |P({spec.outcome_variable} | {cond}({spec.cause}=c){given}) - "
            f"P({spec.outcome_variable} | {cond}({spec.cause}=c'){given})| <= {spec.tolerance:g}")


def _range(spec: ClaimSpec, scale) -> tuple[float, float]:
    return spec.range


def _queries(spec: ClaimSpec, model) -> list[Query]:
    """The posterior queries a claim needs, in a fixed order."""
    def q(condition):
        if spec.reading == "intervention":
            return Query.make(spec.outcome_variable, spec.given, condition)
        return Query.make(spec.outcome_variable, {**spec.given, **condition}, {})

    if spec.form in ("more_likely", "less_likely"):
        return [q(spec.if_), q(spec.than)]
    if spec.form == "probability":
        return [q(spec.if_)]
    if spec.cause is None:
        return [q(spec.if_), q(spec.than)]
    return [q({spec.cause: c}) for c in model.spec.states(spec.cause)]


def _judge(model, spec: ClaimSpec, posteriors: list[np.ndarray]) -> dict:
    """Numbers and verdicts for one claim; each posterior is (N, card), so N = 1 gives the point estimate."""
    states = model.spec.states(spec.outcome_variable)
    idx = [states.index(s) for s in spec.outcome_states]
    events = [p[:, idx].sum(axis=1) for p in posteriors]
    if spec.form in ("more_likely", "less_likely"):
        p_if, p_than = events
        ratio = np.array([odds_ratio(a, b) for a, b in zip(p_if, p_than)])
        need = spec.min_odds_ratio or 1.0
        if spec.form == "more_likely":
            holds = (p_if > p_than) & (ratio >= need)
        else:
            holds = (p_if < p_than) & (ratio <= 1.0 / need)
        return dict(holds=holds, p_if=p_if, p_than=p_than, odds_ratio=ratio)
    if spec.form == "probability":
        lo, hi = _range(spec, model.scale)
        p = events[0]
        return dict(holds=(lo - 1e-12 <= p) & (p <= hi + 1e-12), probability=p, low=lo, high=hi)
    diff = np.max([np.abs(a - b).max(axis=1) for a in posteriors for b in posteriors], axis=0)
    return dict(holds=diff <= spec.tolerance + 1e-12, max_difference=diff)


def percent_bound(p: float) -> str:
    """A claim's bound as a percent, to a tenth where a whole percent would move it (4.5%, not 4%)."""
    text = f"{p:.0%}"
    return text if abs(round(p * 100) - p * 100) < 1e-9 else f"{p:.1%}"


def _required(spec: ClaimSpec, model) -> str:
    if spec.form in ("more_likely", "less_likely"):
        need = spec.min_odds_ratio or 1.0
        if spec.form == "more_likely":
            return "P(if) > P(than)" + (f" and odds ratio >= {need:g}" if need > 1 else "")
        return "P(if) < P(than)" + (f" and odds ratio <= {1 / need:.3g}" if need > 1 else "")
    if spec.form == "probability":
        lo, hi = _range(spec, model.scale)
        if lo <= 0.0 < hi < 1.0:
            return f"P <= {percent_bound(hi)}"
        if 0.0 < lo < 1.0 <= hi:
            return f"P >= {percent_bound(lo)}"
        return f"{percent_bound(lo)} <= P <= {percent_bound(hi)}"
    return f"max difference <= {spec.tolerance:g}"


def evaluate_claims(model, draws: int | None = None, seed: int | None = None) -> list[ClaimResult]:
    """Every claim at the point estimate; with `draws`, also the share of parameter draws where it holds."""
    specs = list(model.spec.claims.values())
    plans = [_queries(spec, model) for spec in specs]
    results = []
    for spec, queries in zip(specs, plans):
        try:
            point = model.engine.run(queries)
        except QueryError as exc:
            raise QueryError(f"claim {spec.id}: {exc.message}", model.spec.path, spec.line) from None
        numbers = _judge(model, spec, [r.probabilities for r in point])
        scalar = {k: (float(v[0]) if isinstance(v, np.ndarray) else v) for k, v in numbers.items() if k != "holds"}
        results.append(ClaimResult(id=spec.id, quote=spec.quote, says=spec.says, form=formal_text(spec, model.scale),
                                   kind=spec.form, reading=spec.reading, passed=bool(numbers["holds"][0]),
                                   required=_required(spec, model), **scalar))
    if draws:
        flat = [q for queries in plans for q in queries]
        batch = model.engine.run(flat, parameter_draws(model, int(draws), DEFAULT_SEED if seed is None else seed))
        k = 0
        for spec, queries, result in zip(specs, plans, results):
            posteriors = [batch[k + j].probabilities for j in range(len(queries))]
            k += len(queries)
            judged = _judge(model, spec, posteriors)
            result.hold_share = float(judged["holds"].mean())
            result.intervals = {name: tuple(float(x) for x in interval(judged[name]))
                                for name in ("p_if", "p_than", "probability") if name in judged}
            result.fragile = bool(result.passed and result.hold_share < FRAGILE_SHARE)
    return results


def claims_frame(results: list[ClaimResult]) -> pd.DataFrame:
    columns = ["id", "quote", "form", "reading", "p_if", "p_than", "odds_ratio", "probability", "low", "high",
               "max_difference", "required", "passed"]
    if results and results[0].hold_share is not None:
        columns += ["hold_share", "fragile"]
    return pd.DataFrame([r.to_json() for r in results], columns=columns)


def _margin(spec: ClaimSpec, judged: dict) -> np.ndarray:
    """The number a claim's verdict turns on: the gap between its two sides, its probability, or its largest
    difference."""
    if spec.form in ("more_likely", "less_likely"):
        return judged["p_if"] - judged["p_than"]
    if spec.form == "probability":
        return judged["probability"]
    return judged["max_difference"]


def fix_hints(model, claim_id: str, top: int = 3) -> list[dict]:
    """The judgements that move a claim's deciding number most, each swung over its own range (or +-0.1),
    with the file and line where it is written: where to look when a claim fails.

    One batched run: every elicited number set to its low and high end, one at a time (the sensitivity
    analysis of bayes/analysis/sensitivity.py, on the claim's own queries)."""
    spec = model.spec.claims[claim_id]
    params = elicited_parameters(model)
    if not params:
        return []
    net = model.engine.net
    n = 2 * len(params)
    tables: dict[str, np.ndarray] = {}
    for k, prm in enumerate(params):
        if prm.variable not in tables:
            tables[prm.variable] = np.repeat(net.tables[net.index[prm.variable]][..., None], n, axis=-1)
        tables[prm.variable][..., 2 * k] = prm.table_at(prm.low)
        tables[prm.variable][..., 2 * k + 1] = prm.table_at(prm.high)
    queries = _queries(spec, model)
    batch = model.engine.run(queries, ArrayDraws(net, tables))
    with np.errstate(all="ignore"):
        margin = _margin(spec, _judge(model, spec, [r.probabilities for r in batch]))
    rows = []
    for k, prm in enumerate(params):
        lo, hi = float(margin[2 * k]), float(margin[2 * k + 1])
        if not (math.isfinite(lo) and math.isfinite(hi)):
            continue
        rows.append({"judgement": prm.name, "variable": prm.variable, "value": prm.value, "low": prm.low,
                     "high": prm.high, "claim_low": lo, "claim_high": hi, "swing": abs(hi - lo),
                     "clipped": prm.clipped, "line": judgement_line(model.spec, prm)})
    rows.sort(key=lambda r: -r["swing"])
    return [r for r in rows if r["swing"] > 0][:top]


def judgement_row(spec, prm):
    """The table row a swung judgement is written in (a builder's judgements: its variable's first row, which
    carries the builder's rationale); None for a variable without rows."""
    v = spec.variables[prm.variable]
    if v.builder is None:
        for row in v.rows:
            given = ", ".join(f"{p}={g}" for p, g in row.given.items())
            if prm.name.endswith(f" | {given})" if given else ")") and (given or " | " not in prm.name):
                return row
    return v.rows[0] if v.rows else None


def judgement_line(spec, prm) -> int | None:
    """Where a swung judgement is written: its table row, or its variable's builder."""
    row = judgement_row(spec, prm)
    return row.line if row is not None else spec.variables[prm.variable].line


def margin_name(spec: ClaimSpec) -> str:
    return {"more_likely": "P(if) - P(than)", "less_likely": "P(if) - P(than)",
            "probability": "P"}.get(spec.form, "max difference")
