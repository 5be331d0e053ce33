"""Check the article's claims against the compiled network.

Each claim is a sentence of the assessment in formal form. Comparisons ("A more likely if B than if
B'") are tested at the point estimate, as observation P(A | B) or as intervention P(A | do(B)),
optionally with a minimum odds ratio for "much / far more likely" (thresholds in modelfile.py).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import pandas as pd

from .errors import QueryError
from .modelfile import ClaimSpec


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
    numbers: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        data = asdict(self)
        data.pop("numbers")
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
        return f"P({ev}{_condition(spec.if_, spec.given, spec.reading)}) in {label}[{lo:.0%}, {hi:.0%}]"
    # no_difference
    cond = "do" if spec.reading == "intervention" else ""
    given = ", " + ", ".join(f"{k}={v}" for k, v in spec.given.items()) if spec.given else ""
    return (f"max over states c, c' of {spec.cause} of |P({spec.outcome_variable} | {cond}({spec.cause}=c){given}) - "
            f"P({spec.outcome_variable} | {cond}({spec.cause}=c'){given})| <= {spec.tolerance:g}")


def _range(spec: ClaimSpec, scale) -> tuple[float, float]:
    if spec.band:
        band = scale.band(spec.band)
        return band.low, band.high
    return spec.range


def _p(model, spec: ClaimSpec, condition: dict) -> float:
    if spec.reading == "intervention":
        given, do = dict(spec.given), dict(condition)
    else:
        given, do = {**spec.given, **condition}, {}
    return model.probability({spec.outcome_variable: spec.outcome_states}, given=given, do=do)


def evaluate_claim(model, spec: ClaimSpec) -> ClaimResult:
    scale = model.scale
    base = dict(id=spec.id, quote=spec.quote, says=spec.says, form=formal_text(spec, scale), kind=spec.form,
                reading=spec.reading)
    if spec.form in ("more_likely", "less_likely"):
        p_if, p_than = _p(model, spec, spec.if_), _p(model, spec, spec.than)
        ratio = odds_ratio(p_if, p_than)
        need = spec.min_odds_ratio or 1.0
        if spec.form == "more_likely":
            passed = p_if > p_than and ratio >= need
            required = "P(if) > P(than)" + (f" and odds ratio >= {need:g}" if need > 1 else "")
        else:
            passed = p_if < p_than and ratio <= 1.0 / need
            required = "P(if) < P(than)" + (f" and odds ratio <= {1 / need:.3g}" if need > 1 else "")
        return ClaimResult(**base, passed=bool(passed), p_if=p_if, p_than=p_than, odds_ratio=ratio,
                           required=required)
    if spec.form == "probability":
        p = _p(model, spec, spec.if_)
        lo, hi = _range(spec, scale)
        passed = lo - 1e-12 <= p <= hi + 1e-12
        return ClaimResult(**base, passed=bool(passed), probability=p, low=lo, high=hi,
                           required=f"{lo:.0%} <= P <= {hi:.0%}")
    # no_difference: compare the whole outcome distribution across every state of the cause
    states = model.spec.states(spec.cause)
    dists = []
    for c in states:
        if spec.reading == "intervention":
            dist = model.marginals([spec.outcome_variable], given=spec.given, do={spec.cause: c})
        else:
            dist = model.marginals([spec.outcome_variable], given={**spec.given, spec.cause: c})
        dists.append(dist[spec.outcome_variable])
    diff = max(float(abs(a - b).max()) for a in dists for b in dists)
    return ClaimResult(**base, passed=diff <= spec.tolerance + 1e-12, max_difference=diff,
                       required=f"max difference <= {spec.tolerance:g}")


def evaluate_claims(model) -> list[ClaimResult]:
    results = []
    for spec in model.spec.claims.values():
        try:
            results.append(evaluate_claim(model, spec))
        except QueryError as exc:
            raise QueryError(f"claim {spec.id}: {exc.message}", model.spec.path, spec.line) from None
    return results


def claims_frame(results: list[ClaimResult]) -> pd.DataFrame:
    columns = ["id", "quote", "form", "reading", "p_if", "p_than", "odds_ratio", "probability", "low", "high",
               "max_difference", "required", "passed"]
    return pd.DataFrame([r.to_json() for r in results], columns=columns)
