"""Proper scores for resolved questions (docs/methods.md#scoring), and a calibration table.

Brier (multi-category, Brier 1950): sum over categories of (f_k - o_k)^2, 0 best, 2 worst; for a binary
question that is twice the one-category form (f - o)^2, which is also reported. Log score: ln of the
probability given to what happened (0 best). Ranked probability score for ordered states: the sum of
squared differences of the cumulative forecasts, divided by K - 1 (0 best, 1 worst).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bayes.analysis.baserates import load_base_rates
from bayes.analysis.tracking import load_outcomes

LOG_FLOOR = 1e-12  # a forecast of exactly 0 for what happened scores ln(1e-12) instead of -inf


def brier(forecast, outcome: int) -> float:
    f = np.asarray(forecast, dtype=float)
    o = np.zeros_like(f)
    o[outcome] = 1.0
    return float(((f - o) ** 2).sum())


def brier_binary(p_event: float, happened: bool) -> float:
    return float((p_event - (1.0 if happened else 0.0)) ** 2)


def log_score(forecast, outcome: int) -> float:
    return float(np.log(max(float(np.asarray(forecast)[outcome]), LOG_FLOOR)))


def ranked_probability_score(forecast, outcome: int) -> float:
    f = np.cumsum(np.asarray(forecast, dtype=float))
    o = np.cumsum(np.eye(len(f))[outcome])
    return float(((f - o) ** 2)[:-1].sum() / (len(f) - 1))


def score_questions(model, outcomes, forecasts: dict[str, np.ndarray], base_rates=None) -> pd.DataFrame:
    """One row per resolved question plus an overall row: the model's scores and the reference
    forecasts' (uniform, and the base rate where `base_rates` (bayes.analysis.baserates) has the question).
    The overall row averages each score over the questions that have it."""
    base_rates = base_rates or {}
    rows = []
    for o in outcomes:
        states = model.spec.states(o.question)
        k = states.index(o.outcome)
        f = forecasts[o.question]
        uniform = np.full(len(states), 1 / len(states))
        row = dict(question=o.question, outcome=o.outcome, resolved=o.resolved.isoformat(),
                   horizon=o.horizon.isoformat() if o.horizon else None, forecast=float(f[k]),
                   brier=brier(f, k), log_score=log_score(f, k), rps=ranked_probability_score(f, k),
                   uniform_brier=brier(uniform, k), uniform_log_score=log_score(uniform, k),
                   uniform_rps=ranked_probability_score(uniform, k), source=o.source)
        if o.question in base_rates:
            base = base_rates[o.question].forecast(states)
            row.update(base_rate_forecast=float(base[k]), base_rate_brier=brier(base, k),
                       base_rate_log_score=log_score(base, k), base_rate_rps=ranked_probability_score(base, k))
        rows.append(row)
    frame = pd.DataFrame(rows)
    if not frame.empty:
        overall = {c: frame[c].mean() for c in frame.columns if c.endswith(("brier", "log_score", "rps"))}
        overall.update(question="overall", outcome=f"{len(frame)} questions")
        # Brier skill: the share of the reference's Brier score the model removes (1 perfect, 0 no better)
        for ref in ("uniform", "base_rate"):
            if f"{ref}_brier" in frame and frame[f"{ref}_brier"].notna().all():
                overall[f"brier_skill_vs_{ref}"] = 1 - overall["brier"] / overall[f"{ref}_brier"]
        frame = pd.concat([frame, pd.DataFrame([overall])], ignore_index=True)
    return frame


def score_model(model, outcomes_file=None, base_rates_file=None) -> pd.DataFrame:
    """Score the model's prior forecast (no evidence: the assessment as written) on its resolved
    questions, against the uniform and base-rate references; files default to data/<kind>/<model>."""
    outcomes = load_outcomes(model, outcomes_file)
    forecasts = model.marginals([o.question for o in outcomes]) if outcomes else {}
    return score_questions(model, outcomes, forecasts, load_base_rates(model, base_rates_file))


def calibration_table(forecasts: list[float], happened: list[bool], bins: int = 5) -> pd.DataFrame:
    """Mean forecast against observed frequency per probability bin, with counts. Bins are equal-width; a
    forecast on an inner edge goes to the upper bin (docs/methods.md#scoring): the edges are k / bins, the
    same floating-point numbers as the forecasts 0.2, 0.6, 0.7 a person writes (np.linspace's 0.6 is not)."""
    edges = np.arange(bins + 1) / bins
    f, h = np.asarray(forecasts, dtype=float), np.asarray(happened, dtype=float)
    index = np.clip(np.digitize(f, edges[1:-1]), 0, bins - 1)
    rows = []
    for b in range(bins):
        mask = index == b
        rows.append(dict(bin=f"{edges[b]:.0%}-{edges[b + 1]:.0%}", count=int(mask.sum()),
                         mean_forecast=float(f[mask].mean()) if mask.any() else np.nan,
                         observed_frequency=float(h[mask].mean()) if mask.any() else np.nan))
    return pd.DataFrame(rows)


def calibration_pairs(model, outcomes, forecasts: dict[str, np.ndarray]) -> tuple[list[float], list[bool]]:
    """Every (question, state) forecast with whether that state happened: the input of a calibration table."""
    probs, happened = [], []
    for o in outcomes:
        for k, state in enumerate(model.spec.states(o.question)):
            probs.append(float(forecasts[o.question][k]))
            happened.append(state == o.outcome)
    return probs, happened
