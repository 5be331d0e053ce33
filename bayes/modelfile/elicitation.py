"""Judgements in the analyst's words, turned into numbers and into distributions over numbers.

Wherever a probability goes, a model file may hold a number (0.3), a range ("10-25%") or a term of the
model's scale ("likely", which means its range). Every judgement carries a distribution (second-order
uncertainty, docs/methods.md#judgements-and-their-uncertainty):
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
from functools import cached_property, lru_cache

import numpy as np

from bayes.modelfile.scales import Scale

Z90 = 1.6448536269514722  # standard normal 95% quantile: a range is read as a 90% interval
DEFAULT_CONCENTRATION = 50.0
EDGE = 0.005  # a range that touches 0 or 1 is fitted as if it stopped 0.5% short of it

# The strength ladder: one vocabulary for "how much more likely", shared by builders (which need a number)
# and claims (which need a threshold); docs/model-file.md#strength-words. Each magnitude is an odds-ratio
# range read as a 90% interval, its point value the geometric midpoint (slightly 1.5, more 2.5, much 4.6,
# far 10.1); "less" mirrors it (1 / OR). Claims test the lower end: "slightly" and plain "more" only a
# direction (OR > 1), "much" at least 3, "far" at least 6 (docs/methods.md#the-strength-ladder).
MAGNITUDES = {"slightly": (1.2, 1.9), "more": (1.6, 4.0), "much": (3.0, 7.0), "far": (6.0, 17.0)}
CLAIM_MIN_ODDS_RATIO = {"slightly": 1.0, "more": 1.0, "much": 3.0, "far": 6.0}
NO_EFFECT = ("no effect", "no difference")


@dataclass(frozen=True)
class Strength:
    """A strength word as written: its magnitude (slightly, more, much, far) and direction (+1 more, -1
    less, None when the word gives only a size, e.g. 'much' in a claim whose form says the direction)."""

    magnitude: str
    direction: int | None

    @property
    def words(self) -> str:
        if self.magnitude == "none":
            return "no effect"
        way = {1: "more", -1: "less", None: ""}[self.direction]
        size = "" if self.magnitude == "more" else self.magnitude
        return " ".join(w for w in (size, way) if w) + (" likely" if way else "")


STRENGTH_WORDS = ("slightly more likely", "more likely", "much more likely", "far more likely",
                  "slightly less likely", "less likely", "much less likely", "far less likely", "no effect")


def parse_strength(value) -> Strength:
    """'much more likely', 'much_more', 'much more', 'Much', 'less', 'far_less', 'no effect' ..."""
    if not isinstance(value, str):
        raise JudgementError(f"expected a strength word ({', '.join(STRENGTH_WORDS)})")
    text = " ".join(value.strip().lower().replace("_", " ").replace("-", " ").split())
    if text in NO_EFFECT:
        return Strength("none", 0)
    if text.endswith(" likely"):
        text = text[: -len(" likely")]
    words = text.split()
    direction = None
    if words and words[-1] in ("more", "less"):
        direction = 1 if words[-1] == "more" else -1
        words = words[:-1] or ["more"]
    if len(words) == 1 and words[0] in MAGNITUDES and (direction is not None or words[0] != "more"):
        return Strength(words[0], direction)
    raise JudgementError(f"'{value}' is not a strength word; expected one of: {', '.join(STRENGTH_WORDS)} "
                         "(or just slightly, much, far where the claim's form gives the direction)")


def ladder(strength: Strength) -> tuple[float, float, float]:
    """(point, low, high) odds ratio of a strength word with a direction."""
    if strength.magnitude == "none":
        return 1.0, 1.0, 1.0
    lo, hi = MAGNITUDES[strength.magnitude]
    p = math.sqrt(lo * hi)
    return (p, lo, hi) if strength.direction == 1 else (1 / p, 1 / hi, 1 / lo)


LADDER = {w: ladder(parse_strength(w)) for w in STRENGTH_WORDS}

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
        return number_beta(min(max(self.point, 1e-9), 1 - 1e-9), concentration)


def parse_probability(value, scale: Scale) -> Judgement:
    """0.3, "30%", "10-25%", "0.1-0.25" or a term of the scale."""
    if isinstance(value, bool):
        raise JudgementError("expected a probability, got true/false")
    if isinstance(value, (int, float)):
        x = float(value)
        if math.isnan(x) or not 0.0 <= x <= 1.0:
            raise JudgementError(f"{value} is not a probability between 0 and 1"
                                 + (f"; did you mean {value}%?" if 1.0 < x <= 100.0 else ""))
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
    try:
        strength = parse_strength(text)
    except JudgementError:
        strength = None
    if strength is not None:
        if strength.direction is None:
            raise JudgementError(f"'{value}' gives a size but no direction; write '{value} more likely' or "
                                 f"'{value} less likely'")
        p, lo, hi = ladder(strength)
        return OddsRatio(strength.words, p, lo, hi)
    m = re.match(r"^(\d+(?:\.\d+)?)\s*(?:-|–|to)\s*(\d+(?:\.\d+)?)$", text)
    if m and 0 < float(m.group(1)) < float(m.group(2)):
        lo, hi = float(m.group(1)), float(m.group(2))
        return OddsRatio(text, math.sqrt(lo * hi), lo, hi)
    raise JudgementError(f"'{value}' is not an odds ratio; expected a positive number, a range like '2-4', "
                         f"or one of: {', '.join(STRENGTH_WORDS)}")


def number_beta(p, concentration: float):
    """Beta(k p, k (1 - p)): the distribution of a plain number p written with concentration k (p may be an
    array). Its mean is p and its variance p (1 - p) / (k + 1)."""
    return concentration * p, concentration * (1 - p)


@lru_cache(maxsize=4096)
def fit_beta(low: float, high: float) -> tuple[float, float]:
    """Beta(alpha, beta) whose 5% and 95% quantiles are `low` and `high` (exact quantile matching).

    Starts from the moment approximation (docs/methods.md#judgements-and-their-uncertainty) and solves the two quantile equations in
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


# ----------------------------------------------------------------------------------- rows and builders
# Every table source has `point()` -> array (*parent cards, card) and `sample(rng, m)` -> the same with a
# trailing draw axis. Parameters are drawn per draw; tables are then computed by the builder's formula,
# so a builder's structure (e.g. no interaction in noisy-OR) holds in every draw.

def sample_probability(j: Judgement, rng: np.random.Generator, m: int, concentration: float) -> np.ndarray:
    """Draws of one judgement; an exact 0 or 1 stays fixed."""
    if not j.is_range and j.point in (0.0, 1.0):
        return np.full(m, j.point)
    a, b = j.beta(concentration)
    return rng.beta(a, b, size=m)


def dirichlet_rows(rng: np.random.Generator, alpha: np.ndarray, m: int, first: bool = False) -> np.ndarray:
    """m draws of every row of `alpha` (*shape, card) from Dirichlet(row): (*shape, card, m), or draws
    first, (m, *shape, card), as the engine lays out big tables. See DirichletRows."""
    return DirichletRows(alpha)(rng, m, first)


class DirichletRows:
    """Draws of every row of a table of Dirichlet parameters, its layout worked out once (a table is drawn
    block after block).

    Only positive entries are drawn: a zero stays zero and a row with one positive entry stays a point
    mass, so big imported tables, which are mostly structural zeros (bnlearn's mildew: 7% positive), cost
    what their positive entries cost. Rows are normalised in that compact form before being spread out.
    With tiny alpha (a small concentration) every gamma variate of a row can underflow to 0; those rows
    are drawn again by numpy's Dirichlet sampler, which handles small alpha by stick-breaking."""

    def __init__(self, alpha: np.ndarray):
        self.alpha = np.asarray(alpha, dtype=float)
        self.flat = self.alpha.reshape(-1, self.alpha.shape[-1])
        self.positive = self.flat > 0
        self.dense = bool(self.positive.all())
        if not self.dense:
            count = self.positive.sum(axis=1)
            self.single = np.flatnonzero(self.positive & (count == 1)[:, None])
            live = self.positive & (count > 1)[:, None]
            self.live = np.flatnonzero(live)
            self.live_alpha = self.flat[live]
            self.live_rows = np.repeat(np.flatnonzero(count > 1), count[count > 1])  # the row of each live entry
            self.sizes = count[count > 1]
            self.starts = np.concatenate(([0], np.cumsum(self.sizes)[:-1])).astype(int)

    @cached_property
    def pattern(self) -> np.ndarray:
        """Flat positions of a table's positive entries (it has zeros), in the order `compact` gives their
        draws: the drawn entries, then the point-mass rows' ones."""
        return np.concatenate([self.live, self.single])

    def compact(self, rng: np.random.Generator, m: int) -> np.ndarray:
        """Draws first of the positive entries only, (m, len(pattern)): the numbers `self(rng, m, True)`
        puts at those entries (the same variates), for a table too big and too sparse to spread out (the
        engine multiplies it as it is, contraction.Contraction)."""
        k = self.live.size
        values = np.empty((m, k + self.single.size))
        values[:, k:] = 1.0
        if k:
            values[:, :k] = self._live_first(rng, m)
        return values

    def _live_first(self, rng: np.random.Generator, m: int) -> np.ndarray:
        """(m, drawn entries) of a table with zeros, draws first, each row normalised; rows whose variates
        all underflowed (0 / 0) drawn again by numpy's Dirichlet sampler, row by row."""
        with np.errstate(divide="ignore", invalid="ignore"):
            g = rng.standard_gamma(self.live_alpha[None, :], size=(m, self.live.size))
            g /= np.repeat(np.add.reduceat(g, self.starts, axis=1), self.sizes, axis=1)
        nan = np.isnan(g)
        if nan.any():
            bad = np.zeros((m, self.flat.shape[0]), dtype=bool)
            bad[:, self.live_rows] |= nan
            for r in np.unique(np.nonzero(bad)[1]):
                draws = np.flatnonzero(bad[:, r])
                g[np.ix_(draws, np.flatnonzero(self.live_rows == r))] = rng.dirichlet(
                    self.flat[r, self.positive[r]], size=draws.size)
        return g

    def __call__(self, rng: np.random.Generator, m: int, first: bool = False, out: np.ndarray | None = None) -> np.ndarray:
        """m draws of the table, (*shape, m), or, `first`, (m, *shape). `out` (draws first only): an array
        this sampler filled before with as many draws; its zeros and point-mass rows are still in place, so
        only the drawn entries are written (a big table is mostly those: mildew's, 94% zeros)."""
        rows, card = self.flat.shape
        if out is not None and not first:
            raise ValueError("a reused array is for draws laid out draws first")
        with np.errstate(divide="ignore", invalid="ignore"):
            if self.dense:
                if first:
                    if out is None:
                        out = rng.standard_gamma(self.flat.reshape(1, -1), size=(m, self.flat.size))
                    else:
                        rng.standard_gamma(self.flat.reshape(1, -1), out=out.reshape(m, self.flat.size))
                    out = out.reshape(m, rows, card)
                    out /= out.sum(axis=-1, keepdims=True)
                else:
                    out = rng.standard_gamma(self.flat[..., None], size=self.flat.shape + (m,))
                    out /= out.sum(axis=1, keepdims=True)
                bad = np.isnan(out).any(axis=2) if first else np.isnan(out).any(axis=1)  # (m, rows) or (rows, m)
            else:
                k = self.live.size
                if out is not None:
                    out = out.reshape(m, self.flat.size)
                else:
                    out = np.zeros((m, self.flat.size) if first else (self.flat.size, m))
                    if first:
                        out[:, self.single] = 1.0
                    else:
                        out[self.single] = 1.0
                bad = np.zeros((m, rows) if first else (rows, m), dtype=bool)
                if k and first:  # underflowed rows drawn again there
                    out[:, self.live] = self._live_first(rng, m)
                elif k:
                    g = rng.standard_gamma(self.live_alpha[:, None], size=(k, m))
                    g /= np.repeat(np.add.reduceat(g, self.starts, axis=0), self.sizes, axis=0)
                    bad[self.live_rows] |= np.isnan(g)
                    out[self.live] = g
                out = out.reshape((m, rows, card) if first else (rows, card, m))
        # rows whose variates all underflowed (0 / 0): drawn again, row by row
        for r in np.unique(np.nonzero(bad)[1 if first else 0]):
            draws = np.flatnonzero(bad[:, r] if first else bad[r])
            keep = self.positive[r]
            fresh = np.zeros((draws.size, card))
            fresh[:, keep] = rng.dirichlet(self.flat[r, keep], size=draws.size)
            if first:
                out[draws, r] = fresh
            else:
                out[r][:, draws] = fresh.T
        return out.reshape((m,) + self.alpha.shape) if first else out.reshape(self.alpha.shape + (m,))


@dataclass
class Row:
    """One table row: a judgement per state, at most one state written `rest` (takes what is left)."""

    states: tuple[str, ...]
    judgements: dict  # state -> Judgement (not for the rest state)
    rest: str | None
    concentration: float

    def point(self) -> np.ndarray:
        p = np.array([self.judgements[s].point if s != self.rest else 0.0 for s in self.states])
        if self.rest is not None:
            p[self.states.index(self.rest)] = max(0.0, 1.0 - p.sum())
        return p

    def sample(self, rng: np.random.Generator, m: int) -> np.ndarray:
        """(card, m). All plain numbers: Dirichlet(k p). Otherwise each judgement from its own Beta, the
        rest state takes the remainder (at least 0), and the row is renormalised."""
        if self.rest is None and not any(j.is_range for j in self.judgements.values()):
            return dirichlet_rows(rng, self.concentration * self.point(), m)
        out = np.zeros((len(self.states), m))
        for k, s in enumerate(self.states):
            if s != self.rest:
                out[k] = sample_probability(self.judgements[s], rng, m, self.concentration)
        if self.rest is not None:
            out[self.states.index(self.rest)] = np.clip(1.0 - out.sum(axis=0), 0.0, None)
        total = out.sum(axis=0, keepdims=True)
        return out / np.where(total > 0, total, 1.0)


@dataclass
class RowsTable:
    """A full table: one Row per combination of parent states (parent order, first parent slowest)."""

    shape: tuple[int, ...]  # (*parent cards, card)
    rows: list  # Row, in itertools.product order of the parents' states

    def point(self) -> np.ndarray:
        return np.stack([r.point() for r in self.rows]).reshape(self.shape)

    def sample(self, rng: np.random.Generator, m: int) -> np.ndarray:
        drawn: dict[int, np.ndarray] = {}  # a row written once for several parent states is drawn once
        for r in self.rows:
            if id(r) not in drawn:
                drawn[id(r)] = r.sample(rng, m)
        return np.stack([drawn[id(r)] for r in self.rows]).reshape(self.shape + (m,))


@dataclass
class ArrayTable:
    """A full table given as one array of plain numbers (`array:` in the model file, written by `bayes
    import` for big tables): each row is Dirichlet(k p) under draws, as a row of plain numbers is."""

    values: np.ndarray  # (*parent cards, card), rows summing to 1
    concentration: float

    @property
    def shape(self) -> tuple[int, ...]:
        return self.values.shape

    def point(self) -> np.ndarray:
        return self.values

    def sample(self, rng: np.random.Generator, m: int) -> np.ndarray:
        return self._rows(rng, m)

    def sample_first(self, rng: np.random.Generator, m: int, out: np.ndarray | None = None) -> np.ndarray:
        """Draws laid out draws first, (m, *shape), as the engine multiplies big tables; `out`, an array
        this table's draws filled before (DirichletRows)."""
        return self._rows(rng, m, first=True, out=out)

    @property
    def dirichlet_rows(self) -> "DirichletRows":
        """The table's Dirichlet rows, laid out once (its compact draws: DirichletRows.compact)."""
        return self._rows

    @cached_property
    def _rows(self) -> "DirichletRows":
        return DirichletRows(self.concentration * self.values)


@dataclass
class LogOddsTable:
    """'Baseline plus effects' on the log-odds scale (docs/methods.md#table-builders), as a softmax over child states:
    P(y | x) is proportional to baseline(y) times the odds multipliers of each parent's state for y.
    The baseline is the row with every parent in its reference state (the states with no effect)."""

    parent_cards: tuple[int, ...]
    baseline: Row
    effects: list  # per parent: {parent state index: {child state index: OddsRatio}}

    def _table(self, base: np.ndarray, multipliers) -> np.ndarray:
        # base: (card, m); multipliers[i]: (parent card_i, card, m) log-odds ratios
        n = len(self.parent_cards)
        score = np.log(np.clip(base, 1e-300, None)).reshape((1,) * n + base.shape)
        for i, lm in enumerate(multipliers):
            view = [1] * n + list(lm.shape[1:])
            view[i] = lm.shape[0]
            score = score + lm.reshape(view)
        score = score - score.max(axis=n, keepdims=True)
        e = np.exp(score)
        return e / e.sum(axis=n, keepdims=True)

    def _log_multipliers(self, rng, m):
        card = len(self.baseline.states)
        out = []
        for i, effect in enumerate(self.effects):
            lm = np.zeros((self.parent_cards[i], card, m))
            for ps, by_child in effect.items():
                for cs, ratio in by_child.items():
                    mu, sigma = ratio.log_normal()
                    lm[ps, cs] = mu if rng is None or sigma == 0 else rng.normal(mu, sigma, size=m)
            out.append(lm)
        return out

    def point(self) -> np.ndarray:
        return self._table(self.baseline.point()[:, None], self._log_multipliers(None, 1))[..., 0]

    def sample(self, rng, m):
        return self._table(self.baseline.sample(rng, m), self._log_multipliers(rng, m))


@dataclass
class NoisyOrTable:
    """Leaky noisy-OR, Diez form (docs/methods.md#table-builders): P(present | x) = 1 - (1 - leak) prod (1 - c_i(x_i)).
    Causes are parent states with a link strength; every other parent state has strength 0."""

    parent_cards: tuple[int, ...]
    present: int  # index of the child's "present" state (binary child)
    leak: Judgement
    strengths: list  # per parent: {parent state index: Judgement}
    concentration: float

    def _table(self, leak: np.ndarray, strengths) -> np.ndarray:
        n = len(self.parent_cards)
        absent = (1.0 - leak).reshape((1,) * n + (-1,))
        for i, c in enumerate(strengths):
            view = [1] * n + [c.shape[-1]]
            view[i] = c.shape[0]
            absent = absent * (1.0 - c.reshape(view))
        p_present = 1.0 - absent  # (*parent cards, m)
        out = np.empty(self.parent_cards + (2,) + p_present.shape[-1:])
        out[..., self.present, :] = p_present
        out[..., 1 - self.present, :] = absent
        return out

    def _strengths(self, rng, m):
        arrays = []
        for i, by_state in enumerate(self.strengths):
            c = np.zeros((self.parent_cards[i], m))
            for ps, j in by_state.items():
                c[ps] = j.point if rng is None else sample_probability(j, rng, m, self.concentration)
            arrays.append(c)
        return arrays

    def point(self):
        return self._table(np.array([self.leak.point]), self._strengths(None, 1))[..., 0]

    def sample(self, rng, m):
        return self._table(sample_probability(self.leak, rng, m, self.concentration), self._strengths(rng, m))


@dataclass
class NoisyMaxTable:
    """Noisy-MAX for an ordered child (docs/methods.md#table-builders): Y = max(Y_1, ..., Y_n, Y_leak), so
    P(Y <= y | x) = P(Y_leak <= y) prod_i P(Y_i <= y | x_i). A parent state without a row (its
    reference state) puts all its mass on the child's lowest state. The file says which end of the
    child's states is highest (`highest:`); with the first state highest, the order is reversed here."""

    parent_cards: tuple[int, ...]
    leak: Row
    links: list  # per parent: {parent state index: Row}
    highest_first: bool = False

    def _table(self, leak, links) -> np.ndarray:
        n = len(self.parent_cards)
        if self.highest_first:  # compute lowest-first, hand back in the file's order
            leak, links = leak[::-1], [link[:, ::-1] for link in links]
        cdf = np.cumsum(leak, axis=0).reshape((1,) * n + leak.shape)
        for i, link in enumerate(links):  # link: (parent card, card, m)
            view = [1] * n + list(link.shape[1:])
            view[i] = link.shape[0]
            cdf = cdf * np.cumsum(link, axis=1).reshape(view)
        pmf = np.clip(np.diff(cdf, axis=n, prepend=0.0), 0.0, 1.0)
        return np.flip(pmf, axis=n) if self.highest_first else pmf

    def _links(self, rng, m):
        card = len(self.leak.states)
        lowest = card - 1 if self.highest_first else 0
        arrays = []
        for i, rows in enumerate(self.links):
            link = np.zeros((self.parent_cards[i], card, m))
            link[:, lowest, :] = 1.0
            for ps, row in rows.items():
                link[ps] = row.point()[:, None] if rng is None else row.sample(rng, m)
            arrays.append(link)
        return arrays

    def point(self):
        return self._table(self.leak.point()[:, None], self._links(None, 1))[..., 0]

    def sample(self, rng, m):
        return self._table(self.leak.sample(rng, m), self._links(rng, m))
