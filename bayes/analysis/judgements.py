"""The estimative core of a brief, as numbers: the question's answer in its own states, each headline
outcome as a key judgement with the toolkit's reading of analytic confidence (docs/methods.md#analytic-
confidence), and the alternative futures (the most probable joint outcomes, exact). Sentences are written
from these tables by `bayes.outputs.narrative`; nothing here writes prose."""

from __future__ import annotations

import numpy as np
import pandas as pd

from bayes.analysis.scenarios import headline_states
from bayes.analysis.sensitivity import sensitivity
from bayes.inference.draws import interval
from bayes.inference.engine import Query
from bayes.inference.uncertainty import DEFAULT_SEED, parameter_draws
from bayes.modelfile.spec import BASELINE, CONFIDENCE_LEVELS, Question

HIGH_HOLD_SHARE = 0.9  # claims behind a judgement that hold in at least this share of draws support high confidence
FRAGILE_HOLD_SHARE = 0.8  # below this a claim is fragile (inference/uncertainty.py FRAGILE_SHARE): low confidence
THIN_COVERAGE = 0.5  # a model that encodes under this share of its source's judgements: at most moderate
MAX_ALTERNATIVE_CELLS = 200_000  # joint outcomes enumerated for the alternatives at most


def question(model) -> Question:
    """The states that answer the model's question (its title) and its time frame; the first headline
    outcome's headline state when the file says nothing (models built in code have no `question`)."""
    if model.spec.question is not None:
        return model.spec.question
    var, state = next(iter(headline_states(model).items()))
    return Question(var, (state,))


def probability_of(model, variable: str, states, draws: int | None = None, seed: int | None = DEFAULT_SEED):
    """P(variable in states) as the model stands, with its 90% interval over `draws` parameter draws:
    (point, lo90, hi90); the interval is (nan, nan) without draws."""
    idx = [model.spec.states(variable).index(s) for s in states]
    query = Query.make(variable, {}, {})
    point = float(model.engine.run([query])[0].probabilities[0, idx].sum())
    if not draws:
        return point, float("nan"), float("nan")
    drawn = model.engine.run([query], parameter_draws(model, int(draws), DEFAULT_SEED if seed is None else seed))[0]
    lo, hi = interval(drawn.probabilities[:, idx].sum(axis=1))
    return point, float(lo), float(hi)


def answer(model, draws: int | None = 2000, seed: int | None = DEFAULT_SEED) -> dict:
    """The question answered in its own states: P(yes) with its interval and words, and each yes state's
    own probability when several states answer yes (a reader must not take 'holds in some form' for a
    clean hold)."""
    q = question(model)
    p, lo, hi = probability_of(model, q.variable, q.yes, draws, seed)
    parts = []
    if len(q.yes) > 1:
        for s in q.yes:
            parts.append({"state": s, "probability": probability_of(model, q.variable, (s,))[0]})
    return {"question": model.spec.title, "variable": q.variable, "states": list(q.yes), "probability": p,
            "lo90": lo, "hi90": hi, "words": model.scale.term(p), "horizon": q.horizon, "stated": q.stated,
            "parts": parts}


# ------------------------------------------------------------------------------------- confidence

def bands_spanned(scale, lo: float, hi: float) -> int:
    """How many bands of the scale an interval [lo, hi] touches, each point read as `scale.band_of` reads
    it (a shared edge belongs to the lower band; a deliberate gap counts for no band)."""
    grid = np.unique(np.concatenate([np.linspace(lo, hi, 2001), [lo, hi]]))
    return len({b.term for b in (scale.band_of(float(x)) for x in grid) if b is not None})


def _level(i: int) -> str:
    return CONFIDENCE_LEVELS[max(0, min(2, i))]


def confidence_reading(model, variable: str, states, p: float, lo: float, hi: float, claims: pd.DataFrame,
                       swings: pd.DataFrame | None) -> dict:
    """The toolkit's reading of analytic confidence in P(variable in states) = p, from what it can measure
    (docs/methods.md#analytic-confidence): the width of the 90% interval in bands, how firmly the claims
    behind the judgement hold over the draws, and how far the most influential single judgement moves it
    within the analyst's own range. The reading is the lowest of the three. Returns level, the measures,
    each criterion's level and the fragile claims behind the judgement."""
    scale = model.scale
    levels: dict[str, int] = {}
    if np.isfinite(lo) and np.isfinite(hi):
        span = bands_spanned(scale, lo, hi)
        levels["interval"] = 2 if span <= 1 else (1 if span == 2 else 0)
    else:
        span = None
    behind = claims[claims["outcome_variable"] == variable] if len(claims) else claims
    fragile: list[str] = []
    min_share = None
    if len(behind) == 0:
        levels["claims"] = 1  # nothing of the source bears on it directly: at most moderate
    else:
        failing = [str(i) for i in behind.loc[~behind["passed"].astype(bool), "id"]]
        if "hold_share" in behind and behind["hold_share"].notna().any():
            shares = behind["hold_share"].astype(float)
            min_share = float(shares.min())
            fragile = [str(i) for i, s in zip(behind["id"], shares) if s < FRAGILE_HOLD_SHARE]
        fragile = list(dict.fromkeys(failing + fragile))
        if fragile:
            levels["claims"] = 0
        elif min_share is not None and min_share < HIGH_HOLD_SHARE:
            levels["claims"] = 1
        else:
            levels["claims"] = 2
    top = None
    if swings is not None and len(swings):
        top = swings.iloc[0]
        reached = {scale.term(float(top["target_low"])), scale.term(float(top["target_high"])), scale.term(p)}
        levels["swing"] = 2 if len(reached) == 1 else (1 if len(reached) == 2 else 0)
    level = min(levels.values()) if levels else 1
    return {"confidence": _level(level), "bands_spanned": span, "claims_behind": [str(i) for i in behind["id"]]
            if len(behind) else [], "min_hold_share": min_share, "fragile_claims": fragile,
            "top_judgement": None if top is None else str(top["parameter"]),
            "top_low": None if top is None else float(top["target_low"]),
            "top_high": None if top is None else float(top["target_high"]),
            "criteria": {k: _level(v) for k, v in levels.items()}}


def swing_of(model, variable: str, states) -> pd.DataFrame:
    """One-way swings of P(variable in states): the sum of each state's swing ends (the same perturbed
    network per parameter, so the sum is the union's probability), sorted by swing."""
    frames = [sensitivity(model, f"{variable}={s}") for s in states]
    if len(frames) == 1:
        return frames[0]
    keyed = [f.set_index("parameter") for f in frames]
    out = keyed[0][["variable", "value", "low", "high", "method"]].copy()
    for col in ("target_low", "target_high", "target_now"):
        out[col] = sum(k[col] for k in keyed)
    out["swing"] = (out["target_high"] - out["target_low"]).abs()
    return out.reset_index().sort_values("swing", ascending=False, kind="stable").reset_index(drop=True)


def _baseline(scenarios: pd.DataFrame | None, variable: str, state: str):
    """(p, lo90, hi90) of variable=state in a scenarios table's baseline rows drawn with intervals, else None."""
    if scenarios is None or "lo90" not in scenarios:
        return None
    rows = scenarios[(scenarios["scenario"].astype(str) == BASELINE) & (scenarios["variable"] == variable)
                     & (scenarios["state"] == state)]
    return None if rows.empty else tuple(float(rows.iloc[0][c]) for c in ("probability", "lo90", "hi90"))


def key_judgements(model, scenarios: pd.DataFrame | None = None, claims: pd.DataFrame | None = None,
                   draws: int | None = 2000, seed: int | None = DEFAULT_SEED, coverage: dict | None = None) -> pd.DataFrame:
    """One row per headline outcome: its probability now with the 90% interval, the question's time frame,
    the toolkit's confidence reading and its measures, and the analyst's stated confidence where the file
    gives one (`disagrees` when the two differ). `claims` is `model.check(draws=...)` (with hold shares);
    `scenarios`, a `model.scenarios(..., draws=draws, seed=seed)` table, gives the intervals already drawn
    (the same numbers: a seed means the same draws everywhere); `coverage` is `coverage_summary(model)`."""
    if claims is None:
        claims = model.check(draws=draws, seed=seed) if model.spec.claims else model.check()
    claims = claims.assign(outcome_variable=[model.spec.claims[i].outcome_variable for i in claims["id"]]) \
        if len(claims) else claims.assign(outcome_variable=[])
    q = question(model)
    coverage = coverage_summary(model) if coverage is None else coverage
    thin = coverage["measured"] and coverage["judgements"] and coverage["encoded"] / coverage["judgements"] < THIN_COVERAGE
    rows = []
    for var, state in headline_states(model).items():
        p, lo, hi = _baseline(scenarios, var, state) or probability_of(model, var, (state,), draws, seed)
        reading = confidence_reading(model, var, (state,), p, lo, hi, claims, swing_of(model, var, (state,)))
        if thin:  # the model encodes under half of its source's judgements: at most moderate
            reading["criteria"]["coverage"] = "moderate"
            reading["coverage"] = (coverage["encoded"], coverage["judgements"])
            if reading["confidence"] == "high":
                reading["confidence"] = "moderate"
        stated = model.spec.stated_confidence.get(var)
        rows.append(dict(variable=var, states=[state], probability=p, lo90=lo, hi90=hi, words=model.scale.term(p),
                         horizon=q.horizon, answers_question=(var == q.variable), **reading,
                         stated_confidence=stated.level if stated else None,
                         stated_basis=stated.basis if stated else None,
                         disagrees=bool(stated and stated.level != reading["confidence"])))
    return pd.DataFrame(rows)


# ------------------------------------------------------------------------------------- alternatives

def alternatives(model, k: int = 5) -> pd.DataFrame:
    """The k most probable joint outcomes of the headline variables (exact), with the share of probability
    they cover together (`covered`, on every row). Empty when the joint is too big to enumerate."""
    variables = list(headline_states(model))
    cards = [len(model.spec.states(v)) for v in variables]
    if int(np.prod(cards)) > MAX_ALTERNATIVE_CELLS:
        return pd.DataFrame(columns=["rank", "outcome", "probability", "covered"])
    if len(variables) == 1:
        joint = model.engine.run([Query.make(variables[0], {}, {})])[0].probabilities[0]
    else:
        r = model.engine.run([Query.make(variables[-1], {}, {}, sweep=tuple(variables[:-1]))])[0]
        joint = r.evidence_probability[0][..., None] * np.nan_to_num(r.probabilities[0])
    flat = joint.reshape(-1)
    order = np.argsort(-flat, kind="stable")[:k]
    rows = []
    for rank, i in enumerate(order, start=1):
        index = np.unravel_index(i, joint.shape)
        outcome = {v: model.spec.states(v)[j] for v, j in zip(variables, index)}
        rows.append(dict(rank=rank, outcome=outcome, probability=float(flat[i])))
    frame = pd.DataFrame(rows)
    frame["covered"] = float(frame["probability"].sum())
    return frame



# ------------------------------------------------------------------------------------- sources

def coverage_summary(model) -> dict:
    """How much of its source the model encodes, as measured on the source text (`source_file:`): the
    estimative or conditional sentences, the judgements they make and how many of those a claim quotes
    (one claim per judgement: `sources.judgement_count`); `measured` is False, with the
    reason, when there is no source text to measure against."""
    from bayes.errors import BayesInputError
    from bayes.modelfile.sources import coverage, read_source, source_path

    try:
        path = source_path(model.spec)
        text = read_source(path) if path is not None else None
    except BayesInputError as e:  # outside the folder, not a file, not UTF-8 ...: the brief says why
        return {"measured": False, "reason": e.message}
    if path is None:
        return {"measured": False, "reason": "the model names no source text"}
    rows = coverage(model.spec, text)
    return {"measured": True, "sentences": len(rows), "judgements": sum(r["judgements"] for r in rows),
            "encoded": sum(r["covered"] for r in rows),
            "source_file": model.spec.source_file}


# ------------------------------------------------------------------------------------- the analyst's prose

def prose_judgements(model) -> list[dict]:
    """The analyst's key judgements (`key_judgements:`), each reference read on the model: P(variable in
    states), the model's word for it, and the analyst's word where one is written (`agrees` False when the
    two differ: `bayes check` then fails on the judgement's line)."""
    out = []
    for item in model.spec.prose:
        refs = []
        for ref in item.references:
            p = probability_of(model, ref.variable, ref.states)[0]
            word = model.scale.term(p)
            refs.append({"variable": ref.variable, "states": list(ref.states), "probability": p, "model_word": word,
                         "word": ref.word, "agrees": ref.word is None or ref.word == word,
                         "start": ref.start, "end": ref.end})
        out.append({"text": item.text, "line": item.line, "references": refs,
                    "agrees": all(r["agrees"] for r in refs)})
    return out
