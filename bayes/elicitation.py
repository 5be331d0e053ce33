"""Judgements in the analyst's words, turned into numbers and into distributions over numbers.

Wherever a probability goes, a model file may hold a number (0.3), a range ("10-25%") or a term of the
model's scale ("likely", which means its range). Every judgement carries a distribution (second-order
uncertainty, REFERENCE.md s.5):
- a range or term: a Beta whose 5% and 95% quantiles are the range's ends (exact quantile matching);
- a plain number: Beta(k p, k (1 - p)) with the model's concentration k; a full row of plain numbers:
  Dirichlet(k p);
- an odds ratio (a number or a word of the strength ladder): log-normal whose 90% interval is its range.
The point estimate of a range is its midpoint; of an odds-ratio range, its geometric midpoint.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .scales import Scale

Z90 = 1.6448536269514722  # standard normal 95% quantile: a range is read as a 90% interval
DEFAULT_CONCENTRATION = 50.0
EDGE = 0.005  # a range that touches 0 or 1 is fitted as if it stopped 0.5% short of it

# The strength ladder: words for "how much more likely", each an odds ratio with a range. The lower ends
# of "much more" (3) and "far more" (6) are the thresholds claims use (modelfile.STRENGTH_ODDS_RATIO).
LADDER = {
    "slightly more likely": (1.5, 1.1, 2.0),
    "more likely": (2.5, 1.5, 4.0),
    "much more likely": (4.5, 3.0, 7.0),
    "far more likely": (10.0, 6.0, 20.0),
}
LADDER.update({w.replace("more", "less"): (1 / p, 1 / hi, 1 / lo) for w, (p, lo, hi) in list(LADDER.items())})
LADDER["no effect"] = (1.0, 1.0, 1.0)

_RANGE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*%?\s*(?:-|–|to)\s*(\d+(?:\.\d+)?)\s*(%?)\s*$")
_PERCENT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*%\s*$")


class JudgementError(ValueError):
    """A judgement that cannot be read; modelfile turns it into a located ModelFileError."""


@dataclass(frozen=True)
class Judgement:
    """A probability as the analyst wrote it: `text`, its point estimate, and its 90% range if any."""

    text: str
    point: float
    low: float | None = None
    high: float | None = None

    @property
    def is_range(self) -> bool:
        return self.low is not None

    def beta(self, concentration: float) -> tuple[float, float]:
        """(alpha, beta) of the judgement's distribution."""
        if self.is_range:
            return fit_beta(self.low, self.high)
        p = min(max(self.point, 1e-9), 1 - 1e-9)
        return concentration * p, concentration * (1 - p)


def parse_probability(value, scale: Scale) -> Judgement:
    """0.3, "30%", "10-25%", "0.1-0.25" or a term of the scale."""
    if isinstance(value, bool):
        raise JudgementError("expected a probability, got true/false")
    if isinstance(value, (int, float)):
        x = float(value)
        if math.isnan(x) or not 0.0 <= x <= 1.0:
            raise JudgementError(f"{value} is not a probability between 0 and 1")
        return Judgement(str(value), x)
    if not isinstance(value, str):
        raise JudgementError(f"expected a number, a range like '10-25%' or a term of the {scale.title} scale")
    text = value.strip()
    m = _PERCENT.match(text)
    if m:
        x = float(m.group(1)) / 100
        if not 0 <= x <= 1:
            raise JudgementError(f"'{text}' is not a percentage between 0% and 100%")
        return Judgement(text, x)
    m = _RANGE.match(text)
    if m:
        lo, hi = float(m.group(1)), float(m.group(2))
        if m.group(3) == "%" or lo > 1 or hi > 1:
            lo, hi = lo / 100, hi / 100
        if not 0 <= lo < hi <= 1:
            raise JudgementError(f"range '{text}' must have 0 <= low < high <= 100%")
        return Judgement(text, (lo + hi) / 2, lo, hi)
    try:
        band = scale.band(text)
    except KeyError:
        raise JudgementError(
            f"'{text}' is not a number, a range like '10-25%', or a term of the {scale.title} scale "
            f"({', '.join(scale.terms)})") from None
    return Judgement(text, (band.low + band.high) / 2, band.low, band.high)


@dataclass(frozen=True)
class OddsRatio:
    """An odds multiplier as written: a number, "2-4" (a range), or a word of the strength ladder."""

    text: str
    point: float
    low: float | None = None
    high: float | None = None

    def log_normal(self) -> tuple[float, float]:
        """(mu, sigma) of ln(OR): the range is its 90% interval; a plain number is held fixed."""
        if self.low is None or self.low == self.high:
            return math.log(self.point), 0.0
        lo, hi = math.log(self.low), math.log(self.high)
        return (lo + hi) / 2, (hi - lo) / (2 * Z90)


def parse_odds_ratio(value) -> OddsRatio:
    if isinstance(value, bool):
        raise JudgementError("expected an odds ratio, got true/false")
    if isinstance(value, (int, float)):
        if not value > 0 or math.isinf(value):
            raise JudgementError(f"odds ratio {value} must be a positive number")
        return OddsRatio(str(value), float(value))
    if not isinstance(value, str):
        raise JudgementError("expected an odds ratio: a number, a range like '2-4', or a word of the ladder")
    text = " ".join(value.strip().lower().split())
    if text in LADDER:
        p, lo, hi = LADDER[text]
        return OddsRatio(text, p, lo, hi)
    m = re.match(r"^(\d+(?:\.\d+)?)\s*(?:-|–|to)\s*(\d+(?:\.\d+)?)$", text)
    if m and 0 < float(m.group(1)) < float(m.group(2)):
        lo, hi = float(m.group(1)), float(m.group(2))
        return OddsRatio(text, math.sqrt(lo * hi), lo, hi)
    raise JudgementError(f"'{value}' is not an odds ratio; expected a positive number, a range like '2-4', "
                         f"or one of: {', '.join(LADDER)}")


@lru_cache(maxsize=4096)
def fit_beta(low: float, high: float) -> tuple[float, float]:
    """Beta(alpha, beta) whose 5% and 95% quantiles are `low` and `high` (exact quantile matching).

    Starts from the moment approximation of REFERENCE.md s.5 and solves the two quantile equations in
    log-parameters. Ends at 0 or 1 are moved in by 0.5%: no Beta has a 5% quantile of exactly 0.
    """
    from scipy import optimize, special

    lo, hi = max(low, EDGE), min(high, 1 - EDGE)
    if not lo < hi:
        raise JudgementError(f"range {low}-{high} is too narrow to fit")
    m, s = (lo + hi) / 2, (hi - lo) / (2 * Z90)
    k = max(m * (1 - m) / s ** 2 - 1, 2.0)
    x0 = np.log([m * k, (1 - m) * k])

    def equations(x):
        a, b = np.exp(x)
        return [special.betaincinv(a, b, 0.05) - lo, special.betaincinv(a, b, 0.95) - hi]

    solution, info, status, _ = optimize.fsolve(equations, x0, full_output=True, xtol=1e-12)
    a, b = (float(v) for v in np.exp(solution))
    if status != 1 or max(abs(v) for v in equations(solution)) > 1e-6:
        raise JudgementError(f"no Beta distribution has 5% and 95% quantiles {lo:.3f} and {hi:.3f}")
    return a, b


# ----------------------------------------------------------------------------------- builders

def logit(p):
    return np.log(p) - np.log1p(-p)


def noisy_or(leak, strengths, active):
    """Leaky noisy-OR (Diez form): P(present | x) = 1 - (1 - leak) prod over active causes (1 - c_i).

    `strengths`: list of arrays (one per parent, indexed by that parent's state; 0 where the state is
    not a cause); returns P(present) shaped (*parent cards, *batch).
    """
    q = 1.0 - np.asarray(leak, dtype=float)
    shape = tuple(len(a) for a in active)
    total = np.ones(shape + np.shape(q)) * q
    for i, c in enumerate(strengths):
        view = [1] * len(shape) + [1] * np.ndim(q)
        view[i] = shape[i]
        total = total * (1.0 - np.asarray(c, dtype=float).reshape(view[: len(shape)] + list(np.shape(c)[1:])))
    return 1.0 - total


def noisy_max(leak_cdf, link_cdfs):
    """Noisy-MAX: P(Y <= y | x) = P_leak(Y <= y) prod_i P_i(Y <= y | x_i).

    `leak_cdf`: (card, *batch) cumulative; `link_cdfs`: per parent (parent card, card, *batch) cumulative.
    Returns P(Y = y | x) shaped (*parent cards, card, *batch).
    """
    n = len(link_cdfs)
    cdf = leak_cdf
    shape_parents = [c.shape[0] for c in link_cdfs]
    cdf = np.broadcast_to(cdf, tuple(shape_parents) + cdf.shape).copy()
    for i, c in enumerate(link_cdfs):
        view = [1] * n + list(c.shape[1:])
        view[i] = c.shape[0]
        cdf = cdf * c.reshape(view)
    pmf = np.diff(cdf, axis=n, prepend=0.0)
    return np.clip(pmf, 0.0, 1.0)


def softmax_scores(scores, axis):
    scores = scores - scores.max(axis=axis, keepdims=True)
    e = np.exp(scores)
    return e / e.sum(axis=axis, keepdims=True)
