"""Independent oracles for the layers above the engine: numbers computed here by hand (closed forms, the
published scales, brute-force scans), never read back from the code under test.

- claim verdicts of every form, both readings, at and on either side of each threshold, on a confounded
  three-variable model whose probabilities are written out below;
- every band edge of every scale;
- parameter draws of every judgement kind centred on the judgement with the documented spread;
- calibration bins against hand binning;
- `array:` entries as parameters (and the cap, counted);
- the crossing `admissible_deviation` reports is the nearest one a brute-force scan finds;
- fix hints against a brute-force swing of every judgement.
"""

from __future__ import annotations

import math
import threading
from pathlib import Path

import numpy as np
import pytest

import bayes
from bayes.inference.claims import evaluate_claims, fix_hints
from bayes.inference.uncertainty import parameter_draws
from bayes.modelfile.elicitation import fit_beta
from bayes.modelfile.scales import ICD203, ICD203_PROBABILITY, PHIA

# ------------------------------------------------------------------------------------- a confounded model
# Z -> X, Z -> Y, X -> Y. Observing X tells about Z; forcing X does not, so the two readings differ.
PZ1 = 0.3
PX1 = {"z0": 0.2, "z1": 0.9}
PY = {("x0", "z0"): 0.1, ("x0", "z1"): 0.5, ("x1", "z0"): 0.3, ("x1", "z1"): 0.8}


def hand_observed(x: str) -> float:
    """P(Y=y | X=x) by Bayes' rule over Z."""
    pz = {"z0": 1 - PZ1, "z1": PZ1}
    px = {z: PX1[z] if x == "x1" else 1 - PX1[z] for z in pz}
    joint = {z: pz[z] * px[z] for z in pz}
    return sum(joint[z] * PY[(x, z)] for z in pz) / sum(joint.values())


def hand_forced(x: str) -> float:
    """P(Y=y | do(X=x)): Z keeps its prior."""
    return (1 - PZ1) * PY[(x, "z0")] + PZ1 * PY[(x, "z1")]


def odds(p: float) -> float:
    return p / (1 - p)


RATIONALE = "{assumption: test number}"


def confounded(claim: str) -> str:
    return f"""\
format: bayes-model/1
model: {{title: Confounded, source: tests, as_of: 2020-07, author: tests}}
variables:
  z:
    description: z under test
    states: [z0, z1]
    table:
      - probabilities: {{z0: {1 - PZ1!r}, z1: {PZ1!r}}}
        rationale: {RATIONALE}
  x:
    description: x under test
    states: [x0, x1]
    parents: [z]
    table:
      - given: {{z: z0}}
        probabilities: {{x0: {1 - PX1['z0']!r}, x1: {PX1['z0']!r}}}
        rationale: {RATIONALE}
      - given: {{z: z1}}
        probabilities: {{x0: {1 - PX1['z1']!r}, x1: {PX1['z1']!r}}}
        rationale: {RATIONALE}
  y:
    description: y under test
    states: [n, y]
    parents: [x, z]
    table:
""" + "".join(f"""\
      - given: {{x: {x}, z: {z}}}
        probabilities: {{n: {1 - p!r}, y: {p!r}}}
        rationale: {RATIONALE}
""" for (x, z), p in PY.items()) + f"""\
claims:
  K1:
    quote: "a claim under test"
{claim}"""


def verdict(write_model, claim: str):
    (result,) = evaluate_claims(bayes.load(write_model(confounded(claim))))
    return result


def comparison(form: str, reading: str, threshold: str, if_: str = "x1", than: str = "x0") -> str:
    return f"""\
    form: {form}
    reading: {reading}
    outcome: {{y: y}}
    if: {{x: {if_}}}
    than: {{x: {than}}}
    {threshold}
"""


READINGS = {"observation": hand_observed, "intervention": hand_forced}


@pytest.mark.parametrize("reading", READINGS)
def test_comparison_numbers_are_the_hand_computed_ones(write_model, reading):
    p = READINGS[reading]
    r = verdict(write_model, comparison("more_likely", reading, "strength: more"))
    assert r.p_if == pytest.approx(p("x1"), abs=1e-12) and r.p_than == pytest.approx(p("x0"), abs=1e-12)
    assert r.odds_ratio == pytest.approx(odds(p("x1")) / odds(p("x0")), rel=1e-10)
    assert r.passed


def test_the_two_readings_really_differ():
    """The model is built so that a 'much more likely' (odds ratio 3) claim splits the readings."""
    observed = odds(hand_observed("x1")) / odds(hand_observed("x0"))
    forced = odds(hand_forced("x1")) / odds(hand_forced("x0"))
    assert observed > 6 and 1 < forced < 3


@pytest.mark.parametrize("reading", READINGS)
@pytest.mark.parametrize("side", [1 - 1e-9, 1 + 1e-9])
def test_more_likely_at_its_odds_ratio_threshold(write_model, reading, side):
    p = READINGS[reading]
    ratio = odds(p("x1")) / odds(p("x0"))
    r = verdict(write_model, comparison("more_likely", reading, f"min_odds_ratio: {ratio * side!r}"))
    assert r.passed == (side < 1)


@pytest.mark.parametrize("reading", READINGS)
@pytest.mark.parametrize("side", [1 - 1e-9, 1 + 1e-9])
def test_less_likely_at_its_odds_ratio_threshold(write_model, reading, side):
    """P(y | x0) < P(y | x1): the claim needs the odds ratio at most 1 / min_odds_ratio."""
    p = READINGS[reading]
    need = odds(p("x1")) / odds(p("x0"))  # the odds ratio of x0 against x1 is exactly 1 / need
    r = verdict(write_model, comparison("less_likely", reading, f"min_odds_ratio: {need * side!r}", "x0", "x1"))
    assert r.odds_ratio == pytest.approx(1 / need, rel=1e-10)
    assert r.passed == (side < 1)


@pytest.mark.parametrize("strength, observed, forced", [
    ("slightly", True, True), ("more", True, True), ("much", True, False), ("far", True, False)])
def test_strength_words_against_their_thresholds(write_model, strength, observed, forced):
    """Thresholds from docs/model-file.md#strength-words: slightly/more above 1, much 3, far 6; the hand
    odds ratios are about 12.4 observed and 2.9 forced."""
    less = {"more": "less"}.get(strength, strength)  # 'more' has a direction; the other sizes do not
    for reading, expected in (("observation", observed), ("intervention", forced)):
        assert verdict(write_model, comparison("more_likely", reading, f"strength: {strength}")).passed == expected
        assert verdict(write_model, comparison("less_likely", reading, f"strength: {less}", "x0", "x1")
                       ).passed == expected


@pytest.mark.parametrize("form, if_, than", [("more_likely", "x0", "x1"), ("less_likely", "x1", "x0")])
def test_the_wrong_direction_fails_whatever_the_threshold(write_model, form, if_, than):
    for reading in READINGS:
        assert not verdict(write_model, comparison(form, reading, "min_odds_ratio: 1", if_, than)).passed


@pytest.mark.parametrize("reading", READINGS)
def test_probability_claims_at_the_ends_of_their_range(write_model, reading):
    p = READINGS[reading]("x1")

    def claim(low, high):
        return f"""\
    form: probability
    reading: {reading}
    outcome: {{y: y}}
    if: {{x: x1}}
    range: [{low!r}, {high!r}]
"""
    assert verdict(write_model, claim(p - 1e-9, 0.99)).passed
    assert not verdict(write_model, claim(p + 1e-9, 0.99)).passed
    assert verdict(write_model, claim(0.01, p + 1e-9)).passed
    assert not verdict(write_model, claim(0.01, p - 1e-9)).passed
    r = verdict(write_model, claim(0.01, 0.99))
    assert r.probability == pytest.approx(p, abs=1e-12)


def test_probability_claims_in_words_and_single_numbers(write_model):
    """P(y | x1) = 0.629 observed: 'likely' (55-80%) holds, 'unlikely' does not; one number holds within
    its tolerance (0.05 by default) and not beyond it."""
    p = hand_observed("x1")

    def claim(band, extra=""):
        return f"""\
    form: probability
    outcome: {{y: y}}
    if: {{x: x1}}
    band: {band}
{extra}"""
    assert verdict(write_model, claim("likely")).passed
    assert not verdict(write_model, claim("unlikely")).passed
    assert verdict(write_model, claim(repr(p + 0.049))).passed
    assert not verdict(write_model, claim(repr(p + 0.051))).passed
    assert verdict(write_model, claim(repr(p - 0.02), "    tolerance: 0.021\n")).passed
    assert not verdict(write_model, claim(repr(p - 0.02), "    tolerance: 0.019\n")).passed


def test_one_sided_bands_against_their_one_bound(write_model):
    """P(y | x1) = 0.629 observed, P(y | x0) = 0.120. 'at most' a term is the band's top, 'below' a term its
    foot, 'at least' its foot, 'above' its top; a number bounds itself (every bound inclusive)."""
    high, low = hand_observed("x1"), hand_observed("x0")

    def claim(band, x="x1"):
        return f"""\
    form: probability
    outcome: {{y: y}}
    if: {{x: {x}}}
    band: {band}
"""
    assert verdict(write_model, claim("at most likely")).passed  # 0.629 <= 0.80
    assert not verdict(write_model, claim("below likely")).passed  # 0.629 is not under 0.55
    assert verdict(write_model, claim("at least roughly even chance")).passed  # >= 0.45
    assert verdict(write_model, claim("above roughly even chance")).passed  # >= 0.55
    assert not verdict(write_model, claim("at least very likely")).passed  # not >= 0.80
    assert verdict(write_model, claim("at most unlikely", "x0")).passed  # 0.120 <= 0.45: 'low', not 20-45%
    assert not verdict(write_model, claim("unlikely", "x0")).passed  # the two-sided band needs 20-45%
    assert not verdict(write_model, claim("no more than almost no chance", "x0")).passed  # 0.120 > 0.05
    assert low == pytest.approx((0.7 * 0.8 * 0.1 + 0.3 * 0.1 * 0.5) / (0.7 * 0.8 + 0.3 * 0.1), abs=1e-12)
    assert verdict(write_model, claim(f"below {high * 100 + 1e-7}%")).passed
    assert not verdict(write_model, claim(f"below {high * 100 - 1e-7}%")).passed
    assert verdict(write_model, claim(f"at least {high - 1e-9!r}")).passed
    assert not verdict(write_model, claim(f"more than {high + 1e-9!r}")).passed
    r = verdict(write_model, claim("at most unlikely", "x0"))
    assert r.required == "P <= 45%" and (r.low, r.high) == (0.0, 0.45)
    r = verdict(write_model, claim("at least 62.5%"))
    assert r.required == "P >= 62.5%" and r.passed  # 0.629 >= 0.625


def test_a_one_sided_band_is_written_out_and_a_wrong_one_taught(write_model):
    from bayes.errors import ModelFileError
    from bayes.inference.claims import formal_text

    model = bayes.load(write_model(confounded("""\
    form: probability
    outcome: {y: y}
    band: at most  Unlikely
""")))
    assert formal_text(model.spec.claims["K1"], model.scale) == "P(y=y) in 'at most Unlikely' [0%, 45%]"  # as written
    with pytest.raises(ModelFileError, match="'at most unlikelyish' is not a number.*or one side of it: 'at most "
                                             "unlikely', 'at least likely', 'below 45%'"):
        bayes.load(write_model(confounded("    form: probability\n    outcome: {y: y}\n    band: at most unlikelyish\n")))


@pytest.mark.parametrize("reading", READINGS)
@pytest.mark.parametrize("side", [1 - 1e-9, 1 + 1e-9])
def test_no_difference_at_its_tolerance(write_model, reading, side):
    p = READINGS[reading]
    gap = abs(p("x1") - p("x0"))  # both states of y move by the same amount
    claim = f"""\
    form: no_difference
    reading: {reading}
    outcome: y
    cause: x
    tolerance: {gap * side!r}
"""
    r = verdict(write_model, claim)
    assert r.max_difference == pytest.approx(gap, abs=1e-12)
    assert r.passed == (side > 1)


# ------------------------------------------------------------------------------------- band edges

PUBLISHED = {  # docs/methods.md#estimative-scales, bottom band first
    "icd203": ["almost no chance", "very unlikely", "unlikely", "roughly even chance", "likely", "very likely",
               "almost certain"],
    "icd203-probability": ["remote", "highly improbable", "improbable", "roughly even odds", "probable",
                           "highly probable", "nearly certain"],
}
ICD_EDGES = [0.05, 0.20, 0.45, 0.55, 0.80, 0.95]


@pytest.mark.parametrize("scale", [ICD203, ICD203_PROBABILITY], ids=lambda s: s.name)
def test_every_icd203_edge_goes_to_the_lower_band(scale):
    terms = PUBLISHED[scale.name]
    assert scale.term(0.0) == terms[0] and scale.term(1.0) == terms[-1]
    for i, edge in enumerate(ICD_EDGES):
        assert scale.term(edge) == terms[i], edge
        # the word is read from the number as printed: near an edge, to a tenth of a percent
        assert scale.term(edge + 0.0006) == terms[i + 1], edge  # printed edge + 0.1 point
        assert scale.term(edge + 0.0004) == terms[i], edge  # printed as the edge itself
        assert scale.term(edge - 1e-9) == terms[i], edge
        assert scale.term((ICD_EDGES[i - 1] if i else 0.0) / 2 + edge / 2) == terms[i]


@pytest.mark.parametrize("scale", [ICD203, PHIA], ids=lambda s: s.name)
def test_near_an_edge_the_number_is_printed_to_a_tenth_and_the_word_agrees(scale):
    """Within half a point of a band edge a probability is printed to a tenth of a percent, elsewhere to a
    whole one; the word is the band of the number printed (a shared edge goes to the lower band)."""
    from bayes.modelfile.scales import describe, percent_text

    edges = sorted({e for b in scale.bands for e in (b.low, b.high) if 0 < e < 1})
    for edge in edges:
        for offset, printed in ((-0.0036, edge - 0.004), (0.0, edge), (0.0036, edge + 0.004)):
            p = edge + offset
            assert percent_text(p, scale=scale) == f"{printed * 100:.1f}%", p
            assert describe(p, scale) == f"{scale.term(printed)} ({printed * 100:.1f}%)", p
        # half a point away and more: whole percent
        assert percent_text(edge + 0.006, scale=scale) == f"{(edge + 0.006) * 100:.0f}%"
    assert describe(0.1964, ICD203) == "very unlikely (19.6%)"  # not 'very unlikely (20%)' beside a 20% band
    assert describe(0.2051, ICD203) == "unlikely (21%)" and describe(0.62, ICD203) == "likely (62%)"
    assert percent_text(0.1964) == "20%"  # without a scale: whole percent
    assert percent_text(0.1964, sign=False, scale=ICD203) == "19.6"
    assert describe(0.3, ICD203, 0.1996, 0.5502) == "unlikely (30%; 90% interval 20.0-55.0%)"
    assert (ICD203.printed(0.3333), ICD203.printed(0.1964)) == (0.33, 0.196)
    assert ICD203.term(float("nan")) == "no answer"


def test_one_sided_phrases_at_the_ends_of_the_scale():
    assert ICD203.one_sided("at most 0%") == (0.0, 0.0) and ICD203.one_sided("at least 100%") == (1.0, 1.0)
    assert ICD203.one_sided("below 1") == (0.0, 1.0) and ICD203.one_sided("above 0") == (0.0, 1.0)
    assert ICD203.one_sided("at most 150%") is None and ICD203.one_sided("at most 1.5") is None
    assert ICD203.one_sided("at most -0.1") is None and ICD203.one_sided("likely") is None
    assert ICD203.one_sided("  No   MORE than  Unlikely ") == (0.0, 0.45)
    assert PHIA.one_sided("below likely") == (0.0, 0.55) and PHIA.one_sided("over likely") == (0.75, 1.0)


def test_every_phia_edge_and_gap():
    """PHIA (docs/methods.md): terms on their own ranges, edges included; a number in a gap is worded as
    between its neighbours."""
    bands = [("remote chance", 0.0, 0.05), ("highly unlikely", 0.10, 0.20), ("unlikely", 0.25, 0.35),
             ("realistic possibility", 0.40, 0.50), ("likely", 0.55, 0.75), ("highly likely", 0.80, 0.90),
             ("almost certain", 0.95, 1.0)]
    for (term, low, high), nxt in zip(bands, bands[1:] + [None]):
        assert PHIA.term(low) == term and PHIA.term(high) == term and PHIA.term((low + high) / 2) == term
        if nxt is not None:
            assert PHIA.term(high + 0.0006) == f"between {term} and {nxt[0]}"
            assert PHIA.term(high + 0.0004) == term  # printed as the edge: the word of the number shown
            assert PHIA.term(nxt[1] - 0.0006) == f"between {term} and {nxt[0]}"
    assert PHIA.term(0.07) == "between remote chance and highly unlikely"


# ------------------------------------------------------------------------------------- draws

DRAWN = """\
format: bayes-model/1
model: {title: Draws, source: tests, as_of: 2020-07, author: tests, concentration: 40}
variables:
  words:
    description: words under test
    states: [no, yes]
    table:
      - probabilities: {no: rest, yes: likely}
        rationale: {assumption: test number}
  range:
    description: range under test
    states: [no, yes]
    table:
      - probabilities: {no: rest, yes: "10-30%"}
        rationale: {assumption: test number}
  number:
    description: number under test
    states: [no, yes]
    table:
      - probabilities: {no: rest, yes: 0.3}
        rationale: {assumption: test number}
  row:
    description: row under test
    states: [a, b, c]
    table:
      - probabilities: {a: 0.5, b: 0.3, c: 0.2}
        rationale: {assumption: test number}
  big:
    description: big under test
    states: [a, b, c]
    parents: [row]
    array:
      axes: [row, big]
      values: 0.6 0.3 0.1  0.2 0.5 0.3  0.1 0.1 0.8
      rationale: {assumption: test numbers}
  ored:
    description: ored under test
    states: [no, yes]
    parents: [number]
    builder:
      type: noisy_or
      present: yes
      leak: 0
      causes:
        number: {yes: "40-70%"}
      rationale: {assumption: test numbers}
  pair:
    description: pair under test
    states: [no, yes]
    parents: [row]
    table:
      - given: {row: [a, b]}
        probabilities: {no: 0.7, yes: 0.3}
        rationale: {assumption: test number}
      - given: {row: c}
        probabilities: {no: 0.0, yes: 1.0}
        rationale: {assumption: test number}
  small:
    description: small under test
    states: [no, yes]
    parents: [number, range]
    array:
      axes: [number, range, small]
      values: 0.9 0.1  0.8 0.2  0.7 0.3  0.6 0.4
      rationale: {assumption: test numbers}
  worst:
    description: worst under test
    states: [calm, incidents, war]
    parents: [number]
    builder:
      type: noisy_max
      highest: war
      leak: {calm: likely, incidents: rest, war: "1-4%"}
      causes:
        number: {yes: {calm: 0.3, incidents: 0.5, war: 0.2}}
      rationale: {assumption: test numbers}
  plain_or:
    description: plain_or under test
    states: [no, yes]
    parents: [number]
    builder:
      type: log_odds
      state: yes
      baseline: 0.2
      effects:
        number: {yes: 3}
      rationale: {assumption: test numbers}
  logit:
    description: logit under test
    states: [no, yes]
    parents: [range]
    builder:
      type: log_odds
      state: yes
      baseline: 0.4
      effects:
        range: {yes: "2-4"}
      rationale: {assumption: test numbers}
"""

N_DRAWS = 4000  # one block of generated draws


@pytest.fixture  # not module-scoped: `make mutate` runs only the tests that called the code under test
def drawn(tmp_path_factory):
    path = tmp_path_factory.mktemp("draws") / "draws.yaml"
    path.write_text(DRAWN)
    model = bayes.load(path)
    draws = parameter_draws(model, N_DRAWS, seed=7)
    tables = draws.chunk(0, N_DRAWS)
    net = model.engine.net
    return model, {name: tables[net.index[name]] for name in net.names if net.index[name] in tables}


def test_a_plain_number_is_beta_k_p(drawn):
    """Beta(k p, k (1 - p)), k = 40: mean p, variance p (1 - p) / (k + 1)."""
    model, tables = drawn
    yes = tables["number"][1]
    assert yes.mean() == pytest.approx(0.3, abs=4 * math.sqrt(0.3 * 0.7 / 41 / N_DRAWS))
    assert yes.var() == pytest.approx(0.3 * 0.7 / 41, rel=0.1)


def test_a_row_of_numbers_is_dirichlet_k_p(drawn):
    model, tables = drawn
    for k, p in enumerate([0.5, 0.3, 0.2]):
        values = tables["row"][k]
        assert values.mean() == pytest.approx(p, abs=4 * math.sqrt(p * (1 - p) / 41 / N_DRAWS))
        assert values.var() == pytest.approx(p * (1 - p) / 41, rel=0.1)
    np.testing.assert_allclose(tables["row"].sum(axis=0), 1.0, atol=1e-12)


def test_array_rows_are_dirichlet_k_p(drawn):
    model, tables = drawn
    values = np.array([[0.6, 0.3, 0.1], [0.2, 0.5, 0.3], [0.1, 0.1, 0.8]])
    got = tables["big"]  # (row, big, draws)
    np.testing.assert_allclose(got.mean(axis=-1), values, atol=4 * math.sqrt(0.25 / 41 / N_DRAWS))
    np.testing.assert_allclose(got.var(axis=-1), values * (1 - values) / 41, rtol=0.12)


@pytest.mark.parametrize("variable, low, high", [("words", 0.55, 0.80), ("range", 0.10, 0.30)])
def test_a_range_or_word_is_drawn_with_its_ends_as_5_and_95_percent_quantiles(drawn, variable, low, high):
    """A stated range is a 90% interval (docs/methods.md#judgements): 5% of draws below its low end, 5%
    above its high end; the mean is the fitted Beta's, a / (a + b), not the midpoint."""
    model, tables = drawn
    yes = tables[variable][1]
    q05, q95 = np.quantile(yes, [0.05, 0.95])
    assert q05 == pytest.approx(low, abs=0.012) and q95 == pytest.approx(high, abs=0.012)
    assert np.mean(yes < low) == pytest.approx(0.05, abs=0.012)
    a, b = fit_beta(low, high)
    assert yes.mean() == pytest.approx(a / (a + b), abs=4 * math.sqrt(a * b / (a + b) ** 2 / (a + b + 1) / N_DRAWS))


def test_a_noisy_or_strength_is_drawn_from_its_range(drawn):
    """With no leak, P(ored=yes | number=yes) is the link strength itself: its draws span 40-70%."""
    model, tables = drawn
    strength = tables["ored"][1, 1]  # (number, ored, draws)
    assert np.all(tables["ored"][0, 1] < 1e-6)  # no cause, no leak: (almost) never
    q05, q95 = np.quantile(strength, [0.05, 0.95])
    assert q05 == pytest.approx(0.40, abs=0.015) and q95 == pytest.approx(0.70, abs=0.015)


def test_a_log_odds_effect_is_drawn_from_its_range(drawn):
    """The odds ratio between the table's two rows is the drawn effect (the baseline cancels): log-normal
    with 2 and 4 as its 5% and 95% quantiles, so its median is the geometric midpoint sqrt(8)."""
    model, tables = drawn
    t = tables["logit"]  # (range, logit, draws)
    ratio = odds(t[1, 1]) / odds(t[0, 1])
    q05, q50, q95 = np.quantile(ratio, [0.05, 0.5, 0.95])
    assert q05 == pytest.approx(2.0, rel=0.04) and q95 == pytest.approx(4.0, rel=0.04)
    assert q50 == pytest.approx(math.sqrt(8), rel=0.03)
    baseline = t[0, 1]  # range=no: the baseline alone, Beta(k 0.4, k 0.6)
    assert baseline.mean() == pytest.approx(0.4, abs=4 * math.sqrt(0.24 / 41 / N_DRAWS))


def test_draws_leave_no_threads_behind(drawn):
    model, _ = drawn
    before = threading.active_count()
    for _ in range(3):
        model.query("logit", draws=9000, seed=1)
    assert threading.active_count() <= before


# ------------------------------------------------------------------------------------- calibration

def test_calibration_bins_against_hand_binning():
    """docs/methods.md#scoring: equal-width bins, an inner edge goes to the upper bin."""
    from bayes.analysis.scoring import calibration_table

    forecasts = [0.0, 0.19, 0.2, 0.4, 0.59, 0.6, 0.8, 1.0]
    happened = [False, False, True, True, False, True, True, True]
    table = calibration_table(forecasts, happened)
    assert table["bin"].tolist() == ["0%-20%", "20%-40%", "40%-60%", "60%-80%", "80%-100%"]
    assert table["count"].tolist() == [2, 1, 2, 1, 2]
    assert table["mean_forecast"].tolist() == pytest.approx([0.095, 0.2, 0.495, 0.6, 0.9])
    assert table["observed_frequency"].tolist() == pytest.approx([0.0, 1.0, 0.5, 1.0, 1.0])
    ten = calibration_table([0.3, 0.6, 0.7, 0.29], [True, True, False, False], bins=10)
    assert ten["count"].tolist() == [0, 0, 1, 1, 0, 0, 1, 1, 0, 0]


# ------------------------------------------------------------------------------------- parameters

def test_array_entries_are_parameters_and_the_cap_is_counted(drawn, monkeypatch):
    from bayes.analysis.sensitivity import sensitivity
    from bayes.modelfile import parameters

    model, _ = drawn
    names = [p.name for p in parameters.elicited_parameters(model) if p.variable == "big"]
    assert names == [f"P(big={s} | row={r})" for r in "abc" for s in "abc"]
    monkeypatch.setattr(parameters, "MAX_ARRAY_PARAMETERS", 10)  # big's 9 entries, then 1 of small's 4
    ten = parameters.elicited_parameters(model)
    assert [p.name for p in ten if p.variable == "big"] == names and ten.left_out == 3
    assert [p.name for p in ten if p.variable == "small"] == ["P(small=yes | number=no, range=no)"]
    monkeypatch.setattr(parameters, "MAX_ARRAY_NUMBERS", 16)  # big's 9 numbers fit; small's 8 more do not
    assert parameters.elicited_parameters(model).left_out == 4
    monkeypatch.setattr(parameters, "MAX_ARRAY_NUMBERS", 17)
    assert parameters.elicited_parameters(model).left_out == 3
    monkeypatch.setattr(parameters, "MAX_ARRAY_PARAMETERS", 4)
    capped = parameters.elicited_parameters(model)
    assert [p.name for p in capped if p.variable == "big"] == names[:4] and capped.left_out == 5 + 4
    table = sensitivity(model, "big=c", parameters=capped)
    assert table.attrs["left_out"] == 9
    row = table.set_index("parameter").loc["P(big=a | row=b)"]
    # by hand: P(big=c) = sum_r P(row=r) P(c | r); row b's c entry rescales with a moved to a' (c: 0.3 of 0.8 left)
    prior = {"a": 0.5, "b": 0.3, "c": 0.2}
    c_given = {"a": 0.1, "b": 0.3, "c": 0.8}

    def p_c(a_of_b):
        moved = dict(c_given, b=0.3 * (1 - a_of_b) / (1 - 0.2))
        return sum(prior[r] * moved[r] for r in prior)
    assert row["target_low"] == pytest.approx(p_c(0.1), abs=1e-12)
    assert row["target_high"] == pytest.approx(p_c(0.3), abs=1e-12)


def test_admissible_deviation_reports_the_nearest_crossing(flagship):
    """Brute force: scan every judgement over its whole domain (table entries and probabilities over
    [0, 1], odds ratios over 1/100 to 100 times their value, log-spaced), find every point where the target
    crosses either boundary of its band, and check the reported crossing is the nearest one."""
    from bayes.analysis.sensitivity import admissible_deviation
    from bayes.inference.draws import ArrayDraws
    from bayes.inference.engine import Query
    from bayes.modelfile.parameters import elicited_parameters

    var, state = "escalation", "escalates_to_wider_war"
    given = {"caucasus_polarization": "sharply_polarized"}  # evidence makes the functions truly fractional
    frame = admissible_deviation(flagship, f"{var}={state}", given=given).set_index("parameter")
    net = flagship.engine.net
    k = flagship.states(var).index(state)
    band = flagship.scale.band_of(float(flagship.marginals([var], given)[var][k]))
    both, checked = 0, 0
    for prm in elicited_parameters(flagship):
        if "odds ratio" in prm.name:
            xs = np.exp(np.linspace(np.log(prm.value / 100), np.log(prm.value * 100), 1601))
        else:
            xs = np.linspace(0.0, 1.0, 4001 if prm.kind == "table" else 801)
        tables = {prm.variable: np.stack([prm.table_at(float(x)) for x in xs], axis=-1)}
        ys = flagship.engine.run([Query.make(var, given)], ArrayDraws(net, tables))[0].probabilities[:, k]
        crossings = []  # (x, grid step there)
        for boundary in (band.low, band.high):
            flips = np.nonzero(np.sign(ys[:-1] - boundary) * np.sign(ys[1:] - boundary) <= 0)[0]
            crossings += [(xs[i], xs[i + 1] - xs[i]) for i in flips]
        both += len({round(x, 2) for x, _ in crossings}) > 1
        row = frame.loc[prm.name]
        if not crossings:
            assert math.isnan(row["crosses_at"]), prm.name
            continue
        x, step = min(crossings, key=lambda c: abs(c[0] - prm.value))
        assert abs(row["crosses_at"] - prm.value) <= abs(x - prm.value) + step, prm.name
        checked += 1
    assert checked >= 10 and both >= 1  # some judgement crosses both boundaries: nearest and farthest differ


def test_fix_hints_are_the_judgements_that_move_the_claim_most(flagship):
    """Brute force: set every judgement to each end of its range, re-ask the claim's two questions with that
    one table changed, and rank by how far the claim's deciding number moves between the two ends."""
    from bayes.inference.draws import ArrayDraws
    from bayes.inference.engine import Query
    from bayes.modelfile.parameters import elicited_parameters

    claim_id = "C15"
    spec = flagship.spec.claims[claim_id]
    net = flagship.engine.net
    states = flagship.states(spec.outcome_variable)
    idx = [states.index(s) for s in spec.outcome_states]

    def margin(variable=None, table=None):
        draws = ArrayDraws(net, {variable: table[..., None]}) if variable else None
        asked = []
        for condition in (spec.if_, spec.than):
            q = (Query.make(spec.outcome_variable, spec.given, condition) if spec.reading == "intervention"
                 else Query.make(spec.outcome_variable, {**spec.given, **condition}, {}))
            asked.append(flagship.engine.run([q], draws)[0].probabilities[0, idx].sum())
        return asked[0] - asked[1]

    swings = {prm.name: abs(margin(prm.variable, prm.table_at(prm.high)) - margin(prm.variable, prm.table_at(prm.low)))
              for prm in elicited_parameters(flagship)}
    ranked = sorted(swings, key=swings.get, reverse=True)
    hints = fix_hints(flagship, claim_id)
    assert [h["judgement"] for h in hints] == ranked[:3]
    for h in hints:
        assert h["swing"] == pytest.approx(swings[h["judgement"]], abs=1e-12)


def test_scale_words_and_numbers_at_their_ends():
    """docs/methods.md#estimative-scales: whole percent, but never 0% or 100% for a chance that is neither;
    an interval only when both ends are given; a term written with underscores or spaces is one term."""
    from bayes.modelfile.scales import describe, percent_text

    assert describe(0.0) == "almost no chance (0%)" and describe(1.0) == "almost certain (100%)"
    assert percent_text(0.004) == "<1%" and percent_text(0.996) == ">99%" and percent_text(0.26) == "26%"
    assert percent_text(1.0) == "100%" and percent_text(0.0) == "0%" and percent_text(0.3, sign=False) == "30"
    assert describe(0.26, low=0.11, high=0.37) == "unlikely (26%; 90% interval 11-37%)"
    assert describe(0.26, low=None, high=0.37) == describe(0.26, low=0.11, high=None) == "unlikely (26%)"
    assert ICD203.band("very_unlikely") == ICD203.band(" Very  Unlikely ") == ICD203.bands[1]
    assert PHIA.band("probably") == PHIA.band("likely")
    with pytest.raises(KeyError, match="nearly likely"):
        ICD203.band("nearly likely")


# ------------------------------------------------------------------------------------- scoring

def test_every_score_of_the_flagship_by_hand(flagship):
    """score_model against scores written out by hand from their definitions (docs/methods.md#scoring),
    the outcomes file read with the csv module and the base rates by Laplace's rule from the counts."""
    import csv

    import yaml

    from bayes.analysis.scoring import score_model
    from conftest import ROOT

    with open(ROOT / "data" / "outcomes" / "caucasus_2020.csv", newline="", encoding="utf-8") as fh:
        resolved = list(csv.DictReader(fh))
    counts = yaml.safe_load((ROOT / "data" / "base_rates" / "caucasus_2020.yaml").read_text())["questions"]
    frame = score_model(flagship)
    rows = frame.set_index("question")
    assert list(frame["question"]) == [r["question"] for r in resolved] + ["overall"]
    totals = {}
    for r in resolved:
        q, states = r["question"], flagship.states(r["question"])
        k = states.index(r["outcome"])
        forecast = [float(x) for x in flagship.marginals([q])[q]]
        uniform = [1 / len(states)] * len(states)
        c = counts[q]["counts"]
        base = [(c[s] + 1) / (sum(c.values()) + len(states)) for s in states]
        row = rows.loc[q]
        assert (row["outcome"], row["resolved"], row["horizon"], row["source"]) == (
            r["outcome"], r["resolved"], r["horizon"], r["source"])
        for prefix, f in (("", forecast), ("uniform_", uniform), ("base_rate_", base)):
            brier = sum((f[i] - (i == k)) ** 2 for i in range(len(f)))
            log = math.log(f[k])
            cum_f = [sum(f[:i + 1]) for i in range(len(f))]
            rps = sum((cum_f[i] - (1.0 if i >= k else 0.0)) ** 2 for i in range(len(f) - 1)) / (len(f) - 1)
            for name, value in ((f"{prefix}brier", brier), (f"{prefix}log_score", log), (f"{prefix}rps", rps)):
                assert row[name] == pytest.approx(value, abs=1e-12), (q, name)
                totals.setdefault(name, []).append(value)
        assert row["forecast"] == pytest.approx(forecast[k], abs=1e-12)
        assert row["base_rate_forecast"] == pytest.approx(base[k], abs=1e-12)
    overall = rows.loc["overall"]
    for name, values in totals.items():
        assert overall[name] == pytest.approx(sum(values) / len(values), abs=1e-12), name
    for ref in ("uniform", "base_rate"):
        mean = lambda name: sum(totals[name]) / len(totals[name])  # noqa: E731
        assert overall[f"brier_skill_vs_{ref}"] == pytest.approx(1 - mean("brier") / mean(f"{ref}_brier"), abs=1e-12)
    assert overall["outcome"] == f"{len(resolved)} questions"


def test_calibration_pairs_are_every_state_of_every_question(flagship):
    from bayes.analysis.scoring import calibration_pairs
    from bayes.analysis.tracking import load_outcomes

    outcomes = load_outcomes(flagship)
    forecasts = flagship.marginals([o.question for o in outcomes])
    probs, happened = calibration_pairs(flagship, outcomes, forecasts)
    expected = [(float(forecasts[o.question][i]), s == o.outcome) for o in outcomes
                for i, s in enumerate(flagship.states(o.question))]
    assert list(zip(probs, happened)) == expected
    assert sum(happened) == len(outcomes)


# ------------------------------------------------------------------------------------- claims: words and draws

@pytest.mark.parametrize("claim, formal, required", [
    (comparison("more_likely", "observation", "strength: much"),
     "P(y=y | x=x1) > P(y=y | x=x0), odds ratio >= 3", "P(if) > P(than) and odds ratio >= 3"),
    (comparison("more_likely", "intervention", "strength: more"),
     "P(y=y | do(x=x1)) > P(y=y | do(x=x0))", "P(if) > P(than)"),
    (comparison("less_likely", "intervention", "strength: far", "x0", "x1"),
     "P(y=y | do(x=x0)) < P(y=y | do(x=x1)), odds ratio <= 0.167", "P(if) < P(than) and odds ratio <= 0.167"),
    ("    form: probability\n    outcome: {y: [n, y]}\n    if: {x: x1}\n    given: {z: z1}\n    band: likely\n",
     "P(y in {n, y} | x=x1, z=z1) in 'likely' [55%, 80%]", "55% <= P <= 80%"),
    ("    form: no_difference\n    outcome: y\n    cause: x\n    reading: intervention\n    tolerance: 0.02\n",
     "max over states c, c' of x of |P(y | do(x=c)) - P(y | do(x=c'))| <= 0.02", "max difference <= 0.02"),
    ("    form: no_difference\n    outcome: y\n    if: {x: x1}\n    than: {x: x0}\n",
     "|P(y | x=x1) - P(y | x=x0)| <= 0.01", "max difference <= 0.01"),
])
def test_each_claim_is_written_out_with_what_it_needs(write_model, claim, formal, required):
    r = verdict(write_model, claim)
    assert (r.form, r.required) == (formal, required)


def test_hold_share_intervals_and_fragility_against_the_draws(write_model):
    """Each draw judged by hand: the share of draws where P(y | do(x1)) beats P(y | do(x0)) with an odds
    ratio of at least 2.9 (the point estimate's is 2.90: near the line, so the claim is fragile)."""
    from bayes.inference.draws import interval
    from bayes.inference.engine import Query

    need = 2.9
    model = bayes.load(write_model(confounded(comparison("more_likely", "intervention", f"min_odds_ratio: {need}"))))
    (r,) = evaluate_claims(model, draws=400, seed=11)
    batch = model.engine.run([Query.make("y", {}, {"x": "x1"}), Query.make("y", {}, {"x": "x0"})],
                             parameter_draws(model, 400, seed=11))
    p_if, p_than = batch[0].probabilities[:, 1], batch[1].probabilities[:, 1]
    holds = [(a > b) and odds(a) / odds(b) >= need for a, b in zip(p_if, p_than)]
    assert r.passed and r.hold_share == pytest.approx(sum(holds) / 400, abs=1e-12)
    assert 0.2 < r.hold_share < 0.8 and r.fragile
    assert r.intervals["p_if"] == pytest.approx(interval(p_if)) and r.intervals["p_than"] == pytest.approx(
        interval(p_than))
    json = r.to_json()
    assert json["p_if_lo90"] == r.intervals["p_if"][0] and json["hold_share"] == r.hold_share
    frame = model.check(draws=400, seed=11)
    assert list(frame.columns)[-2:] == ["hold_share", "fragile"] and bool(frame.loc[0, "fragile"])
    assert "hold_share" not in model.check().columns


def test_odds_ratio_at_its_ends():
    from bayes.inference.claims import odds_ratio

    assert odds_ratio(0.5, 0.2) == pytest.approx(4.0) and odds_ratio(0.2, 0.5) == pytest.approx(0.25)
    assert odds_ratio(1.0, 0.5) == math.inf and odds_ratio(0.5, 0.0) == math.inf
    assert odds_ratio(0.0, 0.5) == 0.0 and odds_ratio(0.5, 1.0) == 0.0


def test_every_judgement_is_a_parameter_with_its_range(drawn):
    """docs/methods.md#sensitivity-and-indicators: each number the analyst wrote, swung over its own stated
    range (a word or range: its ends; a plain number: +-0.1 within [0, 1]); a word's point is its range's
    midpoint, an odds-ratio range's its geometric midpoint; two-state rows give one number, `rest` none."""
    from bayes.modelfile.parameters import elicited_parameters

    model, _ = drawn
    got = {p.name: (p.variable, p.value, p.low, p.high, p.kind) for p in elicited_parameters(model)}
    expected = {
        "P(words=yes)": ("words", 0.675, 0.55, 0.80, "table"),
        "P(range=yes)": ("range", 0.2, 0.1, 0.3, "table"),
        "P(number=yes)": ("number", 0.3, 0.2, 0.4, "table"),
        "P(row=a)": ("row", 0.5, 0.4, 0.6, "table"), "P(row=b)": ("row", 0.3, 0.2, 0.4, "table"),
        "P(row=c)": ("row", 0.2, 0.1, 0.3, "table"),
        "ored: leak": ("ored", 0.0, 0.0, 0.1, "builder"),
        "ored: link strength of number=yes": ("ored", 0.55, 0.4, 0.7, "builder"),
        "logit: baseline P(yes)": ("logit", 0.4, 0.3, 0.5, "builder"),
        "logit: odds ratio of yes if range=yes": ("logit", math.sqrt(8), 2.0, 4.0, "builder"),
    }
    expected.update({
        "P(pair=yes | row=a|b)": ("pair", 0.3, 0.2, 0.4, "table"),  # one row written for two parent states
        "P(pair=yes | row=c)": ("pair", 1.0, 0.9, 1.0, "table"),
        "worst: leak P(calm)": ("worst", 0.675, 0.55, 0.80, "builder"),  # `rest` is not a judgement
        "worst: leak P(war)": ("worst", 0.025, 0.01, 0.04, "builder"),
        # each state of a cause's row (plain numbers: +-0.1)
        "worst: P(calm) if number=yes": ("worst", 0.3, 0.2, 0.4, "builder"),
        "worst: P(incidents) if number=yes": ("worst", 0.5, 0.4, 0.6, "builder"),
        "worst: P(war) if number=yes": ("worst", 0.2, 0.1, 0.3, "builder"),
        "plain_or: baseline P(yes)": ("plain_or", 0.2, 0.1, 0.3, "builder"),
        # a plain odds ratio is swung from /1.5 to x1.5
        "plain_or: odds ratio of yes if number=yes": ("plain_or", 3.0, 2.0, 4.5, "builder"),
    })
    for i, (n, r) in enumerate([("no", "no"), ("no", "yes"), ("yes", "no"), ("yes", "yes")]):
        v = 0.1 * (i + 1)  # a two-state array: one number per row
        expected[f"P(small=yes | number={n}, range={r})"] = ("small", v, v - 0.1, v + 0.1, "table")
    values = [[0.6, 0.3, 0.1], [0.2, 0.5, 0.3], [0.1, 0.1, 0.8]]
    for r, row in zip("abc", values):
        for s, v in zip("abc", row):
            expected[f"P(big={s} | row={r})"] = ("big", v, max(0.0, v - 0.1), min(1.0, v + 0.1), "table")
    assert set(got) == set(expected)
    for name, (variable, value, low, high, kind) in expected.items():
        assert got[name][0] == variable and got[name][4] == kind, name
        assert got[name][1:4] == pytest.approx((value, low, high), abs=1e-12), name


def test_each_parameter_rebuilds_its_table_by_hand(drawn):
    """table_at(x): a table entry set to x with the rest of its row rescaled; a builder parameter rebuilt
    (noisy-or: 1 - (1 - leak)(1 - strength); log-odds: odds = baseline odds x odds ratio)."""
    from bayes.modelfile.parameters import elicited_parameters

    model, _ = drawn
    params = {p.name: p for p in elicited_parameters(model)}
    np.testing.assert_allclose(params["P(words=yes)"].table_at(0.7), [0.3, 0.7], atol=1e-12)
    np.testing.assert_allclose(params["P(row=a)"].table_at(0.6), [0.6, 0.3 * 0.8, 0.2 * 0.8], atol=1e-12)
    big = params["P(big=b | row=c)"].table_at(0.5)
    np.testing.assert_allclose(big[2], [0.1 * 0.5 / 0.9, 0.5, 0.8 * 0.5 / 0.9], atol=1e-12)
    np.testing.assert_allclose(big[:2], [[0.6, 0.3, 0.1], [0.2, 0.5, 0.3]], atol=1e-12)  # other rows untouched
    np.testing.assert_allclose(params["ored: link strength of number=yes"].table_at(0.9)[1], [0.1, 0.9], atol=1e-9)
    np.testing.assert_allclose(params["ored: leak"].table_at(0.05)[0], [0.95, 0.05], atol=1e-9)

    shared = params["P(pair=yes | row=a|b)"].table_at(0.35)  # both parent states the row was written for
    np.testing.assert_allclose(shared, [[0.65, 0.35], [0.65, 0.35], [0.0, 1.0]], atol=1e-12)
    np.testing.assert_allclose(params["P(pair=yes | row=c)"].table_at(0.9)[2], [0.1, 0.9], atol=1e-12)  # from 1
    small = params["P(small=yes | number=yes, range=no)"].table_at(0.45)
    np.testing.assert_allclose(small, [[[0.9, 0.1], [0.8, 0.2]], [[0.55, 0.45], [0.6, 0.4]]], atol=1e-12)
    worst = params["worst: leak P(war)"].table_at(0.04)[0]  # no cause: the leak row itself
    assert worst[2] == pytest.approx(0.04, abs=1e-9) and worst.sum() == pytest.approx(1.0)
    assert worst[0] == pytest.approx(0.675, abs=1e-9)  # the other judgement stays; `rest` takes up the change

    def p_of(odds_value):
        return odds_value / (1 + odds_value)

    plain = params["plain_or: odds ratio of yes if number=yes"].table_at(4.5)
    np.testing.assert_allclose(plain[:, 1], [0.2, p_of(0.25 * 4.5)], atol=1e-9)

    logit = params["logit: odds ratio of yes if range=yes"].table_at(4.0)
    np.testing.assert_allclose(logit[:, 1], [0.4, p_of(0.4 / 0.6 * 4)], atol=1e-9)
    logit = params["logit: baseline P(yes)"].table_at(0.5)
    np.testing.assert_allclose(logit[:, 1], [0.5, p_of(math.sqrt(8))], atol=1e-9)


# ------------------------------------------------------------------------------------- claims: the edges

def test_equal_sides_are_neither_more_nor_less_likely(write_model):
    """Forcing X leaves Z at its prior: P(z1 | do(x1)) = P(z1 | do(x0)) = 0.3, so no comparison holds, even
    with the weakest threshold (an odds ratio of 1 is not 'more')."""
    for form in ("more_likely", "less_likely"):
        claim = f"""\
    form: {form}
    reading: intervention
    outcome: {{z: z1}}
    if: {{x: x1}}
    than: {{x: x0}}
    min_odds_ratio: 1
"""
        r = verdict(write_model, claim)
        assert r.p_if == pytest.approx(PZ1, abs=1e-12) and r.p_than == pytest.approx(PZ1, abs=1e-12)
        assert not r.passed, form


def test_thresholds_hold_with_equality(write_model):
    """'At least' and 'at most' include the threshold itself: set each threshold to exactly the number the
    claim produces and the claim holds."""
    first = verdict(write_model, comparison("more_likely", "observation", "min_odds_ratio: 1"))
    assert verdict(write_model, comparison("more_likely", "observation",
                                           f"min_odds_ratio: {first.odds_ratio!r}")).passed
    less = verdict(write_model, comparison("less_likely", "observation", "min_odds_ratio: 1", "x0", "x1"))
    need = 1 / less.odds_ratio
    while 1.0 / need != less.odds_ratio:  # a threshold whose reciprocal is exactly the odds ratio
        need = np.nextafter(need, 0 if 1.0 / need < less.odds_ratio else 2 * need)
    assert verdict(write_model, comparison("less_likely", "observation", f"min_odds_ratio: {need!r}", "x0",
                                           "x1")).passed
    gap = verdict(write_model, "    form: no_difference\n    outcome: y\n    cause: x\n    tolerance: 0.5\n"
                  ).max_difference
    assert verdict(write_model, f"    form: no_difference\n    outcome: y\n    cause: x\n    tolerance: {gap!r}\n"
                   ).passed
    assert not verdict(write_model, f"    form: no_difference\n    outcome: y\n    cause: x\n    tolerance: "
                                    f"{gap - 1e-9!r}\n").passed


@pytest.mark.parametrize("claim, formal, required, margin", [
    (comparison("more_likely", "observation", "min_odds_ratio: 1.5"),
     "P(y=y | x=x1) > P(y=y | x=x0), odds ratio >= 1.5", "P(if) > P(than) and odds ratio >= 1.5", "P(if) - P(than)"),
    (comparison("less_likely", "observation", "min_odds_ratio: 1.5", "x0", "x1"),
     "P(y=y | x=x0) < P(y=y | x=x1), odds ratio <= 0.667", "P(if) < P(than) and odds ratio <= 0.667",
     "P(if) - P(than)"),
    (comparison("less_likely", "observation", "strength: slightly", "x0", "x1"),
     "P(y=y | x=x0) < P(y=y | x=x1)", "P(if) < P(than)", "P(if) - P(than)"),
    ("    form: probability\n    outcome: {y: y}\n    range: [0.5, 0.7]\n",
     "P(y=y) in [50%, 70%]", "50% <= P <= 70%", "P"),
    ("    form: no_difference\n    outcome: y\n    cause: x\n    given: {z: z0}\n",
     "max over states c, c' of x of |P(y | (x=c), z=z0) - P(y | (x=c'), z=z0)| <= 0.01", "max difference <= 0.01",
     "max difference"),
])
def test_thresholds_and_margins_in_words(write_model, claim, formal, required, margin):
    from bayes.inference.claims import margin_name

    model = bayes.load(write_model(confounded(claim)))
    (r,) = evaluate_claims(model)
    assert (r.form, r.required) == (formal, required)
    assert margin_name(model.spec.claims["K1"]) == margin


def test_a_claim_that_cannot_be_asked_names_itself_and_its_line(write_model):
    """Observing x=x1 and z=z0 together with a table that rules it out: the claim's question has
    probability zero, and the error names the claim, the file and the claim's line."""
    text = confounded("""\
    form: probability
    says: Y is likely when X is on in a calm year.
    outcome: {y: y}
    if: {x: x1}
    given: {z: z0}
    band: likely
""").replace(f"x0: {1 - PX1['z0']!r}, x1: {PX1['z0']!r}", "x0: 1.0, x1: 0.0")
    path = write_model(text)
    with pytest.raises(bayes.QueryError) as err:
        evaluate_claims(bayes.load(path))
    line = text.splitlines().index("  K1:") + 1
    assert err.value.message.startswith("claim K1: ") and err.value.file == str(path) and err.value.line == line


def test_claim_results_carry_the_ledger_and_a_frame(write_model):
    from bayes.inference.claims import claims_frame

    claim = comparison("more_likely", "intervention", "strength: more") + "    says: Forcing X on raises Y.\n"
    model = bayes.load(write_model(confounded(claim)))
    (r,) = evaluate_claims(model)
    assert (r.id, r.quote, r.says, r.kind, r.reading) == ("K1", "a claim under test", "Forcing X on raises Y.",
                                                           "more_likely", "intervention")
    frame = claims_frame([r])
    assert list(frame.columns) == ["id", "quote", "form", "reading", "p_if", "p_than", "odds_ratio", "probability",
                                   "low", "high", "max_difference", "required", "passed"]
    row = frame.iloc[0]
    assert row["p_if"] == pytest.approx(hand_forced("x1"), abs=1e-12) and bool(row["passed"])
    assert row["odds_ratio"] == pytest.approx(odds(hand_forced("x1")) / odds(hand_forced("x0")), rel=1e-10)
    seeded = evaluate_claims(model, draws=200, seed=None)[0]
    assert seeded.hold_share == evaluate_claims(model, draws=200, seed=2020)[0].hold_share  # the default seed


def test_fix_hints_leave_out_judgements_that_do_not_move_the_claim(write_model):
    """Z's prior moves P(y | do(x1)) - P(y | do(x0)); X's own table cannot (it is forced): only judgements
    with a swing are hinted, each with the line it is written on."""
    text = confounded(comparison("more_likely", "intervention", "strength: more"))
    model = bayes.load(write_model(text))
    hints = fix_hints(model, "K1", top=100)
    assert {h["variable"] for h in hints} == {"z", "y"} and all(h["swing"] > 0 for h in hints)
    assert set(hints[0]) == {"judgement", "variable", "value", "low", "high", "claim_low", "claim_high", "swing",
                             "clipped", "line"}
    lines = text.splitlines()
    for h in hints:
        row = lines[h["line"] - 1]
        assert "probabilities" in row or "given" in row, (h, row)
    by_name = {h["judgement"]: h for h in hints}
    z = by_name["P(z=z1)"]  # the swing by hand: the margin is linear in P(z1)
    slope = (PY[("x1", "z1")] - PY[("x1", "z0")]) - (PY[("x0", "z1")] - PY[("x0", "z0")])
    assert z["swing"] == pytest.approx(abs(slope) * (z["high"] - z["low"]), abs=1e-12)


def test_intervention_with_context_and_its_words(write_model):
    """P(y | do(x1), z=z1): Z is observed, X forced, so the answer is the table's own P(y | x1, z1)."""
    r = verdict(write_model, "    form: probability\n    reading: intervention\n    outcome: {y: y}\n"
                             "    if: {x: x1}\n    given: {z: z1}\n    range: [0.5, 0.9]\n")
    assert r.probability == pytest.approx(PY[("x1", "z1")], abs=1e-12)
    assert r.form == "P(y=y | do(x=x1), z=z1) in [50%, 90%]"
    r = verdict(write_model, "    form: no_difference\n    reading: intervention\n    outcome: y\n"
                             "    if: {x: x1}\n    than: {x: x0}\n    tolerance: 0.5\n")
    assert r.form == "|P(y | do(x=x1)) - P(y | do(x=x0))| <= 0.5"
    assert r.max_difference == pytest.approx(abs(hand_forced("x1") - hand_forced("x0")), abs=1e-12) and r.passed


def test_probability_claims_with_draws_carry_their_interval(write_model):
    from bayes.inference.draws import interval
    from bayes.inference.engine import Query

    model = bayes.load(write_model(confounded("    form: probability\n    outcome: {y: y}\n    band: unlikely\n")))
    (r,) = evaluate_claims(model, draws=300, seed=5)
    draws = model.engine.run([Query.make("y")], parameter_draws(model, 300, seed=5))[0].probabilities[:, 1]
    assert r.intervals == {"probability": pytest.approx(interval(draws))}


def test_fragile_means_under_80_percent_and_the_default_seed_is_2020(write_model):
    """docs/model-file.md: a claim that holds at the point estimate but in under 80% of draws is fragile;
    exactly 80% is not. With no seed, draws use 2020."""
    model = bayes.load(write_model(confounded(comparison("more_likely", "intervention", "min_odds_ratio: 2.9"))))
    shares = {}
    for seed in range(400):
        (r,) = evaluate_claims(model, draws=20, seed=seed)
        shares[seed] = (r.hold_share, r.fragile)
        if r.hold_share == 0.8:
            break
    assert (0.8, False) in shares.values()
    assert any(share < 0.8 and fragile for share, fragile in shares.values())
    (default,) = evaluate_claims(model, draws=50)
    assert default.hold_share == evaluate_claims(model, draws=50, seed=2020)[0].hold_share
    assert default.hold_share != evaluate_claims(model, draws=50, seed=2021)[0].hold_share or \
        evaluate_claims(model, draws=50, seed=7)[0].hold_share != default.hold_share


def test_an_infinite_odds_ratio_is_written_as_null(write_model):
    """P(y | x0) = 0: the odds ratio is infinite; JSON has no infinity, so it is written as null."""
    text = confounded(comparison("more_likely", "observation", "strength: far"))
    for z in ("z0", "z1"):
        p = PY[("x0", z)]
        text = text.replace(f"      - given: {{x: x0, z: {z}}}\n        probabilities: {{n: {1 - p!r}, y: {p!r}}}",
                            f"      - given: {{x: x0, z: {z}}}\n        probabilities: {{n: 1.0, y: 0.0}}")
    (r,) = evaluate_claims(bayes.load(write_model(text)))
    assert r.p_than == 0.0 and r.odds_ratio == math.inf and r.passed
    assert r.to_json()["odds_ratio"] is None


def test_each_judgement_is_traced_to_its_line(drawn, write_model):
    """judgement_line: a table entry to its row's line, a builder's numbers to its `builder:` line."""
    from bayes.inference.claims import judgement_line
    from bayes.modelfile.parameters import elicited_parameters

    model, _ = drawn
    lines = DRAWN.splitlines()

    def line_of(text, start=0):
        return next(i for i, line in enumerate(lines[start:], start) if text in line) + 1

    params = {p.name: p for p in elicited_parameters(model)}
    expected = {
        "P(number=yes)": line_of("probabilities: {no: rest, yes: 0.3}"),
        "P(row=b)": line_of("probabilities: {a: 0.5, b: 0.3, c: 0.2}"),
        "P(pair=yes | row=a|b)": line_of("given: {row: [a, b]}"),
        "P(pair=yes | row=c)": line_of("given: {row: c}"),
        "logit: odds ratio of yes if range=yes": line_of("    builder:", line_of("  logit:")),
        "worst: leak P(war)": line_of("    builder:", line_of("  worst:")),
    }
    for name, line in expected.items():
        assert judgement_line(model.spec, params[name]) == line, name
    confounded_text = confounded(comparison("more_likely", "observation", "strength: more"))
    cmodel = bayes.load(write_model(confounded_text))
    clines = confounded_text.splitlines()
    prm = {p.name: p for p in elicited_parameters(cmodel)}["P(y=y | x=x1, z=z0)"]
    assert clines[judgement_line(cmodel.spec, prm) - 1].strip() == "- given: {x: x1, z: z0}"


# ------------------------------------------------------------------------------------- scenario tables

SCENARIOS = """\
outcomes:
  - y: y
  - z: z1
scenarios:
  forced_on:
    label: X forced on
    do: {x: x1}
  seen_on:
    observe: {x: x1}
  both:
    observe: {z: z1}
    do: {x: x1}
"""


def hand_baseline_y() -> float:
    pz = {"z0": 1 - PZ1, "z1": PZ1}
    return sum(pz[z] * ((1 - PX1[z]) * PY[("x0", z)] + PX1[z] * PY[("x1", z)]) for z in pz)


@pytest.fixture
def scenario_model(write_model):
    return bayes.load(write_model(confounded(comparison("more_likely", "observation", "strength: more")) + SCENARIOS))


def test_headline_table_and_rows_by_hand(scenario_model):
    from bayes.analysis.scenarios import headline_rows, headline_table
    from bayes.modelfile.scales import describe

    p_z1_seen = PZ1 * PX1["z1"] / ((1 - PZ1) * PX1["z0"] + PZ1 * PX1["z1"])
    expected = {"baseline": (hand_baseline_y(), PZ1), "forced_on": (hand_forced("x1"), PZ1),
                "seen_on": (hand_observed("x1"), p_z1_seen), "both": (PY[("x1", "z1")], 1.0)}
    table = headline_table(scenario_model)
    assert list(table.index) == list(expected) and list(table.columns) == ["y=y", "z=z1"]
    for scenario, (y, z) in expected.items():
        assert table.loc[scenario, "y=y"] == describe(y)
        # 'both' observes z=z1 itself: its 100% is marked as set by the scenario, not worded as a finding
        assert table.loc[scenario, "z=z1"] == ("100% (observed)" if scenario == "both" else describe(z))
    rows = headline_rows(scenario_model)
    assert list(rows["outcome"]) == ["y=y"] * 4 + ["z=z1"] * 4
    assert rows["probability"].tolist() == pytest.approx([e[0] for e in expected.values()] +
                                                         [e[1] for e in expected.values()], abs=1e-12)
    assert list(rows["words"]) == [ICD203.term(p) for p in rows["probability"]]
    with_draws = headline_table(scenario_model, scenario_model.scenarios(["y", "z"], draws=100, seed=3))
    assert "90% interval" in with_draws.loc["forced_on", "y=y"]
    assert with_draws.attrs["headline_states"] == {"y": "y", "z": "z1"}


def test_scenario_outcome_and_outcomes_now_by_hand(scenario_model):
    from bayes.analysis.scenarios import outcomes_now, scenario_outcome

    frame = scenario_outcome(scenario_model, scenario_model.scenarios(), "y", "y")
    assert list(frame["scenario"]) == ["baseline", "forced_on", "seen_on", "both"]
    # a label, else the name in words, marked by what the scenario sets (never by its label's wording)
    assert list(frame["label"]) == ["baseline", "X forced on (forced)", "seen on (observed)", "both (observed and forced)"]
    assert frame["probability"].tolist() == pytest.approx(
        [hand_baseline_y(), hand_forced("x1"), hand_observed("x1"), PY[("x1", "z1")]], abs=1e-12)
    assert list(frame["words"]) == [ICD203.term(p) for p in frame["probability"]]
    now = outcomes_now(scenario_model)
    assert list(now["outcome"]) == ["y=y", "z=z1"] and list(now["label"]) == ["y: y", "z: z1"]
    assert now["probability"].tolist() == pytest.approx([hand_baseline_y(), PZ1], abs=1e-12)
    assert list(now["words"]) == [ICD203.term(hand_baseline_y()), ICD203.term(PZ1)]


def test_scenario_drivers_are_shapley_values_by_hand(scenario_model):
    """Two items, observe z=z1 and force x=x1: each item's share is the average of its two marginal
    contributions (added first, added second)."""
    from bayes.analysis.scenarios import scenario_drivers

    v0, vb = hand_baseline_y(), hand_forced("x1")
    va = (1 - PX1["z1"]) * PY[("x0", "z1")] + PX1["z1"] * PY[("x1", "z1")]  # P(y | z1)
    vab = PY[("x1", "z1")]
    phi = {"z=z1": ((va - v0) + (vab - vb)) / 2, "do(x=x1)": ((vb - v0) + (vab - va)) / 2}
    frame = scenario_drivers(scenario_model, "y=y", "both")
    assert sorted(frame["item"]) == sorted(phi)
    assert list(frame["item"]) == sorted(phi, key=lambda k: -abs(phi[k]))
    for _, row in frame.iterrows():
        assert row["contribution"] == pytest.approx(phi[row["item"]], abs=1e-12)
        assert row["baseline"] == pytest.approx(v0, abs=1e-12) and row["scenario_value"] == pytest.approx(vab)
        assert row["scenario"] == "both" and row["target"] == "y=y"
    assert frame["contribution"].sum() == pytest.approx(vab - v0, abs=1e-12)  # efficiency
    with pytest.raises(bayes.QueryError, match="unknown scenario 'nope'"):
        scenario_drivers(scenario_model, "y=y", "nope")


def test_indicators_by_hand(write_model):
    """X and Z observable, target y=y: for each, P(state), P(y | state), the shift and band change from
    now, and the mutual information I(Y; O) = H(Y) - sum_o P(o) H(Y | o) in bits, sorted by it."""
    from bayes.analysis.indicators import indicators

    text = confounded(comparison("more_likely", "observation", "strength: more"))
    for v in ("x", "z"):
        text = text.replace(f"    description: {v} under test\n",
                            f"    description: {v} under test\n    observable: true\n")
    model = bayes.load(write_model(text))

    def h(p):
        return -sum(q * math.log2(q) for q in (p, 1 - p) if q > 0)

    now = hand_baseline_y()
    pz = {"z0": 1 - PZ1, "z1": PZ1}
    px1 = sum(pz[z] * PX1[z] for z in pz)
    y_given = {("x", "x0"): hand_observed("x0"), ("x", "x1"): hand_observed("x1"),
               ("z", "z0"): (1 - PX1["z0"]) * PY[("x0", "z0")] + PX1["z0"] * PY[("x1", "z0")],
               ("z", "z1"): (1 - PX1["z1"]) * PY[("x0", "z1")] + PX1["z1"] * PY[("x1", "z1")]}
    p_state = {("x", "x0"): 1 - px1, ("x", "x1"): px1, ("z", "z0"): 1 - PZ1, ("z", "z1"): PZ1}
    mi = {v: h(now) - sum(p_state[(v, s)] * h(y_given[(v, s)]) for s in (f"{v}0", f"{v}1")) for v in ("x", "z")}
    frame = indicators(model, "y=y")
    order = sorted(mi, key=lambda v: -mi[v])
    assert list(frame["variable"]) == [order[0]] * 2 + [order[1]] * 2
    for _, row in frame.iterrows():
        key = (row["variable"], row["state"])
        assert row["probability_of_state"] == pytest.approx(p_state[key], abs=1e-12)
        assert row["target_if_observed"] == pytest.approx(y_given[key], abs=1e-12)
        assert row["shift"] == pytest.approx(y_given[key] - now, abs=1e-12)
        assert row["target_now"] == pytest.approx(now, abs=1e-12)
        assert row["mutual_information_bits"] == pytest.approx(mi[row["variable"]], abs=1e-12)
        assert row["band_changes"] == (ICD203.term(y_given[key]) != ICD203.term(now))
        assert row["sentence"].startswith(f"If {row['variable']} is observed as '{row['state']}', y = y goes from ")
    given = indicators(model, "y=y", given={"z": "z1"})  # z is known: only x is left to watch
    assert set(given["variable"]) == {"x"}
    assert given["target_now"].iloc[0] == pytest.approx(y_given[("z", "z1")], abs=1e-12)


def test_observing_against_forcing_by_hand(scenario_model):
    """X is the only ancestor of Y with parents: P(y | x) against P(y | do(x)) for both its states, sorted by
    the size of the difference."""
    from bayes.analysis.scenarios import ancestors, observe_versus_force

    assert ancestors(scenario_model, "y") == ["z", "x"] and ancestors(scenario_model, "z") == []
    frame = observe_versus_force(scenario_model, "y=y")
    diffs = {s: hand_observed(s) - hand_forced(s) for s in ("x0", "x1")}
    assert list(frame["state"]) == sorted(diffs, key=lambda s: -abs(diffs[s]))
    assert set(frame["variable"]) == {"x"} and set(frame["target"]) == {"y=y"}
    for _, row in frame.iterrows():
        assert row["observed"] == pytest.approx(hand_observed(row["state"]), abs=1e-12)
        assert row["forced"] == pytest.approx(hand_forced(row["state"]), abs=1e-12)
        assert row["difference"] == pytest.approx(diffs[row["state"]], abs=1e-12)
    assert observe_versus_force(scenario_model, "z=z1").empty  # nothing upstream of z


def test_the_strongest_scenario_by_hand(scenario_model):
    """Shifts from the baseline P(y): forced on 0.45 - P(y), seen on P(y | x1) - P(y), both P(y | x1, z1)
    - P(y); the largest wins. A scenario that sets the target's own variable, or has too many items, is
    left out."""
    from bayes.analysis.scenarios import strongest_scenario

    v0 = hand_baseline_y()
    shifts = {"forced_on": abs(hand_forced("x1") - v0), "seen_on": abs(hand_observed("x1") - v0),
              "both": abs(PY[("x1", "z1")] - v0)}
    assert strongest_scenario(scenario_model, "y=y") == max(shifts, key=shifts.get)
    assert strongest_scenario(scenario_model, "y=y", max_items=1) == max(
        ("forced_on", "seen_on"), key=shifts.get)  # 'both' has two items
    assert strongest_scenario(scenario_model, "x=x1") is None  # every scenario sets x itself
    # for z: forcing x leaves z at its prior (no shift), seeing x1 moves it, 'both' sets z itself
    assert strongest_scenario(scenario_model, "z=z1") == "seen_on"
    assert strongest_scenario(scenario_model, "z=z1", max_items=0) is None


def observable_confounded(write_model):
    text = confounded(comparison("more_likely", "observation", "strength: more"))
    for v in ("x", "z"):
        text = text.replace(f"    description: {v} under test\n", f"    description: {v} under test\n    observable: true\n")
    return bayes.load(write_model(text))


def bits(p: float) -> float:
    return -sum(q * math.log2(q) for q in (p, 1 - p) if q > 0)


def test_indicators_under_a_forced_cause_by_hand(write_model):
    """Forcing x=x1 leaves only z to watch; P(y | do(x1)) now, P(y | z, do(x1)) = PY[x1, z] if z is seen,
    z at its prior; the sentence says it in words."""
    from bayes.analysis.indicators import indicators
    from bayes.modelfile.scales import describe

    model = observable_confounded(write_model)
    frame = indicators(model, "y=y", do={"x": "x1"})
    now = hand_forced("x1")
    pz = {"z0": 1 - PZ1, "z1": PZ1}
    mi = bits(now) - sum(pz[z] * bits(PY[("x1", z)]) for z in pz)
    assert list(frame["variable"]) == ["z", "z"] and list(frame["state"]) == ["z0", "z1"]
    assert list(frame["target"]) == ["y=y", "y=y"]
    for _, row in frame.iterrows():
        z = row["state"]
        assert row["target_now"] == pytest.approx(now, abs=1e-12)
        assert row["probability_of_state"] == pytest.approx(pz[z], abs=1e-12)
        assert row["target_if_observed"] == pytest.approx(PY[("x1", z)], abs=1e-12)
        assert row["mutual_information_bits"] == pytest.approx(mi, abs=1e-12)
        assert row["sentence"] == (f"If z is observed as '{z}', y = y goes from {describe(now)} to "
                                   f"{describe(PY[('x1', z)])}")
    assert list(frame.index) == [0, 1]


WATCH = """\
format: bayes-model/1
model: {title: Watch, source: tests, as_of: 2020-07, author: tests}
variables:
  hidden_cause:
    description: the cause
    states: [calm_spell, tense_spell]
    table:
      - probabilities: {calm_spell: 0.6, tense_spell: 0.4}
        rationale: {assumption: test number}
  early_sign:
    description: the sign
    observable: true
    states: [no_sign, sign_seen]
    parents: [hidden_cause]
    table:
      - given: {hidden_cause: calm_spell}
        probabilities: {no_sign: 1.0, sign_seen: 0.0}
        rationale: {assumption: test number}
      - given: {hidden_cause: tense_spell}
        probabilities: {no_sign: 0.3, sign_seen: 0.7}
        rationale: {assumption: test number}
  big_war:
    description: the war
    states: [no_war, war_breaks_out]
    parents: [hidden_cause]
    table:
      - given: {hidden_cause: calm_spell}
        probabilities: {no_war: 0.9, war_breaks_out: 0.1}
        rationale: {assumption: test number}
      - given: {hidden_cause: tense_spell}
        probabilities: {no_war: 0.4, war_breaks_out: 0.6}
        rationale: {assumption: test number}
"""


def test_indicator_sentences_use_words_and_a_ruled_out_state_says_so(write_model):
    """Names are written with spaces; a state the evidence rules out has no probability and says so."""
    from bayes.analysis.indicators import indicators
    from bayes.modelfile.scales import describe

    model = bayes.load(write_model(WATCH))
    frame = indicators(model, "big_war=war_breaks_out")
    now = 0.6 * 0.1 + 0.4 * 0.6
    p_sign = 0.4 * 0.7
    if_sign, if_none = 0.6, (0.6 * 0.1 + 0.4 * 0.3 * 0.6) / (0.6 + 0.4 * 0.3)
    assert frame["target_if_observed"].tolist() == pytest.approx([if_none, if_sign], abs=1e-12)
    assert frame["probability_of_state"].tolist() == pytest.approx([1 - p_sign, p_sign], abs=1e-12)
    assert frame["sentence"].tolist() == [
        f"If early sign is observed as 'no sign', big war = war breaks out goes from {describe(now)} to "
        f"{describe(if_none)}",
        f"If early sign is observed as 'sign seen', big war = war breaks out goes from {describe(now)} to "
        f"{describe(if_sign)}"]
    calm = indicators(model, "big_war=war_breaks_out", do={"hidden_cause": "calm_spell"})
    seen = calm.set_index("state")
    assert seen.loc["sign_seen", "probability_of_state"] == 0
    assert math.isnan(seen.loc["sign_seen", "target_if_observed"]) and not seen.loc["sign_seen", "band_changes"]
    assert seen.loc["sign_seen", "sentence"] == "early sign = sign seen is ruled out by the evidence"
    assert seen.loc["no_sign", "target_if_observed"] == pytest.approx(0.1, abs=1e-12)
    assert seen.loc["no_sign", "mutual_information_bits"] == 0.0
    drawn = indicators(model, "big_war=war_breaks_out", do={"hidden_cause": "calm_spell"}, draws=50).set_index("state")
    assert math.isnan(drawn.loc["sign_seen", "if_lo90"]) and math.isnan(drawn.loc["sign_seen", "if_hi90"])
    assert drawn.loc["no_sign", "if_lo90"] < 0.1 < drawn.loc["no_sign", "if_hi90"]
    default = indicators(model, "big_war=war_breaks_out", draws=40)
    assert default.equals(indicators(model, "big_war=war_breaks_out", draws=40, seed=2020))  # the default seed
    assert not default.equals(indicators(model, "big_war=war_breaks_out", draws=40, seed=7))
    with pytest.raises(bayes.QueryError, match="nothing observable is left to watch for 'big_war': its observable "
                       r"variables \(early_sign\) are the target") as caught:
        indicators(model, "big_war=war_breaks_out", given={"early_sign": "no_sign"})
    assert caught.value.file == model.spec.path
    hidden = bayes.load(write_model(WATCH.replace("    observable: true\n", ""), "hidden.yaml"))
    with pytest.raises(bayes.QueryError, match="no variable of .* is marked observable: true; mark the developments "
                       "an analyst could see reported with 'observable: true' to rank what to watch") as caught:
        indicators(hidden, "big_war=war_breaks_out")
    assert caught.value.file == hidden.spec.path


def test_indicator_intervals_against_hand_draws(write_model, monkeypatch):
    """Draws in which P(z1) and P(y | x1, z1) vary: the 90% interval of P(y | x, z1) and of I(Y; X | z1)
    over the draws, each computed by hand per draw (quantiles 5% and 95%)."""
    from bayes.analysis import indicators as module
    from bayes.inference.draws import ArrayDraws

    model = observable_confounded(write_model)
    n = 21
    pz1 = np.linspace(0.1, 0.5, n)
    py11 = np.linspace(0.6, 0.95, n)
    tables = {"z": np.stack([1 - pz1, pz1]),
              "x": np.repeat(np.array([[1 - PX1["z0"], PX1["z0"]], [1 - PX1["z1"], PX1["z1"]]])[..., None], n, -1)}
    y = np.empty((2, 2, 2, n))
    for (x, z), p in PY.items():
        p = py11 if (x, z) == ("x1", "z1") else np.full(n, p)
        y[int(x[1]), int(z[1])] = np.stack([1 - p, p])
    tables["y"] = y
    monkeypatch.setattr(module, "parameter_draws", lambda m, count, seed: ArrayDraws(model.engine.net, tables))
    frame = module.indicators(model, "y=y", given={"z": "z1"}, draws=n).set_index("state")
    py_x = {"x0": np.full(n, PY[("x0", "z1")]), "x1": py11}
    px = {"x0": 1 - PX1["z1"], "x1": PX1["z1"]}
    now = px["x0"] * py_x["x0"] + px["x1"] * py_x["x1"]
    h = np.vectorize(bits)
    mi = h(now) - px["x0"] * h(py_x["x0"]) - px["x1"] * h(py_x["x1"])
    for x in ("x0", "x1"):
        lo, hi = np.quantile(py_x[x], [0.05, 0.95])
        assert frame.loc[x, "if_lo90"] == pytest.approx(lo, abs=1e-12)
        assert frame.loc[x, "if_hi90"] == pytest.approx(hi, abs=1e-12)
        assert frame.loc[x, "mi_lo90"] == pytest.approx(np.quantile(mi, 0.05), abs=1e-12)
        assert frame.loc[x, "mi_hi90"] == pytest.approx(np.quantile(mi, 0.95), abs=1e-12)


THREE_LAST = """\
format: bayes-model/1
model: {title: Three, source: tests, as_of: 2020-07, author: tests}
variables:
  first_cause:
    description: a cause
    states: [low, high]
    table:
      - probabilities: {low: 0.7, high: 0.3}
        rationale: {assumption: test number}
  last_outcome:
    description: an outcome
    states: [holds, frays, breaks_down]
    table:
      - probabilities: {holds: 0.5, frays: 0.3, breaks_down: 0.2}
        rationale: {assumption: test number}
"""


def test_scenario_tables_name_what_is_wrong_and_where(scenario_model, write_model):
    """Targets and rows that are not there: each error names the file, the piece of the output it was for
    and what the model has; a model without outcomes reports its last variable in its last state."""
    from bayes.analysis.scenarios import (example_tables, headline_rows, headline_states, headline_table,
                                          outcomes_now, parse_target, scenario_outcome)

    path = scenario_model.spec.path
    cases = [(lambda: parse_target(scenario_model, "y"), "target 'y' must be written VARIABLE=STATE, e.g. y=y"),
             (lambda: parse_target(scenario_model, "w=y"), "target names unknown variable 'w'; known variables: z, x, y"),
             (lambda: parse_target(scenario_model, "y=maybe"),
              "target names unknown state 'maybe' of 'y'; expected one of: n, y"),
             (lambda: scenario_outcome(scenario_model, scenario_model.scenarios(), "y", "maybe"),
              "scenario chart names unknown state 'maybe' of 'y'; expected one of: n, y"),
             (lambda: scenario_outcome(scenario_model, scenario_model.scenarios(["z", "x"]), "y", "y"),
              r"scenario chart: the scenarios table has no rows for 'y' \(it holds z, x\); compute it with "
              r"model.scenarios\(\) or model.scenarios\(\['y'\]\)"),
             (lambda: headline_rows(scenario_model, scenario_model.scenarios(["x"])),
              r"headline outcome: the scenarios table has no rows for 'y' \(it holds x\)")]
    for call, message in cases:
        with pytest.raises(bayes.QueryError, match=message) as caught:
            call()
        assert caught.value.file == path, message
    with pytest.raises(bayes.QueryError, match="headline outcome: the scenarios table has no rows for 'y' "
                       r"\(it holds nothing\)"):
        headline_rows(scenario_model, scenario_model.scenarios(["x"]).iloc[:0])
    three = bayes.load(write_model(THREE_LAST, "three.yaml"))
    assert headline_states(three) == {"last_outcome": "breaks_down"}
    assert example_tables(three) == (None, None)
    now = outcomes_now(three)
    assert list(now["label"]) == ["last outcome: breaks down"] and list(now.index) == [0]
    assert now["probability"].tolist() == pytest.approx([0.2], abs=1e-12)
    drawn = outcomes_now(three, draws=60, seed=5)
    assert drawn["lo90"].iloc[0] < 0.2 < drawn["hi90"].iloc[0]
    assert drawn.equals(outcomes_now(three, draws=60, seed=5)) and not drawn.equals(outcomes_now(three, draws=60, seed=6))
    rows = headline_rows(scenario_model)
    assert list(rows.index) == list(range(len(rows)))
    table = headline_table(scenario_model)
    assert table.index.name == "scenario" and table.columns.name is None
    outcome = scenario_outcome(scenario_model, scenario_model.scenarios(), "y", "y")
    assert list(outcome.index) == list(range(len(outcome)))


# ------------------------------------------------------------------------------------- sensitivity by hand

def hand_joint(pz1=PZ1, px1=None, py=None) -> dict:
    """P(z, x, y) of the confounded model with any of its numbers replaced."""
    px1, py = {**PX1, **(px1 or {})}, {**PY, **(py or {})}
    out = {}
    for z, p_z in (("z0", 1 - pz1), ("z1", pz1)):
        for x, p_x in (("x0", 1 - px1[z]), ("x1", px1[z])):
            out[(z, x, "y")] = p_z * p_x * py[(x, z)]
            out[(z, x, "n")] = p_z * p_x * (1 - py[(x, z)])
    return out


def hand_p_y(joint: dict, **seen) -> float:
    """P(y=y | seen) from a joint, seen written z=..., x=..."""
    keep = {k: p for k, p in joint.items() if all(k[("z", "x").index(v)] == s for v, s in seen.items())}
    return sum(p for k, p in keep.items() if k[2] == "y") / sum(keep.values())


def swung_joint(name: str, value: float) -> dict:
    """The joint with the judgement called `name` set to `value`."""
    if name == "P(z=z1)":
        return hand_joint(pz1=value)
    if name.startswith("P(x=x1 | z="):
        return hand_joint(px1={name[-3:-1]: value})
    x, z = name[len("P(y=y | x="):-1].split(", z=")
    return hand_joint(py={(x, z): value})


def test_sensitivity_table_by_hand(write_model):
    """Every number swung over its range (+-0.1 for a plain number): P(y | x=x1) at each end by enumeration,
    the swing, the order, and the linear-fractional function through a third point."""
    from bayes.analysis.sensitivity import sensitivity, sensitivity_function

    model = bayes.load(write_model(confounded(comparison("more_likely", "observation", "strength: more"))))
    frame = sensitivity(model, "y=y", given={"x": "x1"})
    names = ["P(z=z1)", "P(x=x1 | z=z0)", "P(x=x1 | z=z1)"] + [f"P(y=y | x={x}, z={z})" for x, z in PY]
    values = dict(zip(names, [PZ1, PX1["z0"], PX1["z1"], *PY.values()]))
    assert sorted(frame["parameter"]) == sorted(names)
    swings = {}
    for _, row in frame.iterrows():
        name, v = row["parameter"], values[row["parameter"]]
        low, high = max(0.0, v - 0.1), min(1.0, v + 0.1)
        assert (row["value"], row["low"], row["high"]) == pytest.approx((v, low, high), abs=1e-12), name
        lo, hi = hand_p_y(swung_joint(name, low), x="x1"), hand_p_y(swung_joint(name, high), x="x1")
        assert (row["target_low"], row["target_high"]) == pytest.approx((lo, hi), abs=1e-12), name
        assert row["swing"] == pytest.approx(abs(hi - lo), abs=1e-12)
        assert row["target_now"] == pytest.approx(hand_observed("x1"), abs=1e-12)
        assert row["method"] == "table" and row["variable"] == name[2]
        for x in (0.05, 0.5, 0.95):
            assert sensitivity_function(row)(x) == pytest.approx(hand_p_y(swung_joint(name, x), x="x1"), abs=1e-9)
        swings[name] = abs(hi - lo)
    assert list(frame["parameter"]) == sorted(swings, key=lambda n: -round(swings[n], 12))
    assert list(frame.index) == list(range(7))
    assert frame.loc[frame["parameter"] == "P(y=y | x=x0, z=z0)", "swing"].item() == 0  # x0 is not the evidence
    forced = sensitivity(model, "y=y", do={"x": "x1"}).set_index("parameter")
    assert forced.loc["P(x=x1 | z=z1)", "swing"] == 0 and forced.loc["P(x=x1 | z=z0)", "swing"] == 0
    assert forced.loc["P(z=z1)", "target_high"] == pytest.approx(0.6 * 0.3 + 0.4 * 0.8, abs=1e-12)


def test_admissible_deviation_by_hand(write_model):
    """The value at which one number alone moves P(y | x=x1) across the nearest edge of its band, found by
    bisection on the hand-computed function over [0, 1]; NaN where no value does."""
    from bayes.analysis.sensitivity import admissible_deviation

    model = bayes.load(write_model(confounded(comparison("more_likely", "observation", "strength: more"))))
    now = hand_observed("x1")
    band = ICD203.band_of(now)
    frame = admissible_deviation(model, "y=y", given={"x": "x1"}).set_index("parameter")
    grid = np.linspace(0, 1, 20001)
    for name, row in frame.iterrows():
        f = np.array([hand_p_y(swung_joint(name, x), x="x1") for x in grid])
        roots = []
        for edge in (band.low, band.high):
            for i in np.nonzero(np.sign(f[:-1] - edge) * np.sign(f[1:] - edge) <= 0)[0]:
                a, b = grid[i], grid[i + 1]
                for _ in range(60):
                    m = (a + b) / 2
                    a, b = (m, b) if np.sign(hand_p_y(swung_joint(name, m), x="x1") - edge) == np.sign(f[i] - edge) \
                        else (a, m)
                roots.append(((a + b) / 2, edge))
        if not roots:
            assert math.isnan(row["crosses_at"]) and math.isnan(row["boundary"]) and math.isnan(row["change"]), name
            continue
        x, edge = min(roots, key=lambda r: abs(r[0] - row["value"]))
        assert row["crosses_at"] == pytest.approx(x, abs=1e-9), name
        assert row["boundary"] == edge and row["change"] == pytest.approx(x - row["value"], abs=1e-9)
    crossing = frame.dropna()
    assert len(crossing) >= 3 and frame["crosses_at"].isna().sum() >= 1
    assert list(frame.index[: len(crossing)]) == list(crossing["change"].abs().sort_values().index)


def test_change_the_call_by_hand(write_model):
    """x and z observable, P(y) = 0.329 (unlikely): every single finding moves it to another band, so the
    answer is the four findings of size one, most probable first, each with P(y | finding)."""
    from bayes.analysis.sensitivity import change_the_call
    from bayes.modelfile.scales import describe

    model = observable_confounded(write_model)
    joint = hand_joint()
    now = hand_p_y(joint)
    p_of = {("z", "z0"): 1 - PZ1, ("z", "z1"): PZ1,
            ("x", "x1"): sum(p for k, p in joint.items() if k[1] == "x1")}
    p_of[("x", "x0")] = 1 - p_of[("x", "x1")]
    expected = sorted(p_of, key=p_of.get, reverse=True)
    frame = change_the_call(model, "y=y")
    assert list(frame["findings"]) == [f"{v}={s}" for v, s in expected] and set(frame["size"]) == {1}
    for (v, s), (_, row) in zip(expected, frame.iterrows()):
        p = hand_p_y(joint, **{v: s})
        assert row["target_if"] == pytest.approx(p, abs=1e-12)
        assert row["probability_of_findings"] == pytest.approx(p_of[(v, s)], abs=1e-12)
        assert row["band_now"] == ICD203.term(now) and row["band_if"] == ICD203.term(p) != row["band_now"]
        assert row["target_now"] == pytest.approx(now, abs=1e-12)
        assert row["sentence"] == f"{v} = {s}: {describe(now)} becomes {describe(p)}"
    given = change_the_call(model, "y=y", given={"z": "z1"})  # P(y | z1) = 0.77, likely: only x is left
    assert list(given["findings"]) == ["x=x0"]  # x1 gives 0.8, still likely (an edge goes to the lower band)
    for _, row in given.iterrows():
        p = hand_p_y(joint, z="z1", x=row["findings"][2:])
        assert row["target_if"] == pytest.approx(p, abs=1e-12) and ICD203.term(p) != ICD203.term(0.77)
    empty = change_the_call(model, "y=y", max_size=0)
    assert empty.empty and list(empty.columns) == ["size", "findings", "target", "target_now", "band_now", "target_if",
                                                   "band_if", "probability_of_findings", "sentence"]


# ------------------------------------------------------------------------------------- draws: the corners

MIXED = """\
format: bayes-model/1
model: {title: Mixed rows, source: tests, as_of: 2020-07, author: tests, concentration: 40}
variables:
  numbers_and_rest:
    description: plain numbers beside a rest
    states: [a, b, c]
    table:
      - probabilities: {a: 0.5, b: 0.3, c: rest}
        rationale: {assumption: test number}
  fixed_zero:
    description: an exact zero beside a word
    states: [a, b, c]
    table:
      - probabilities: {a: 0.0, b: likely, c: rest}
        rationale: {assumption: test number}
  fixed_one:
    description: an exact one beside a rest
    states: [a, b]
    table:
      - probabilities: {a: 1.0, b: rest}
        rationale: {assumption: test number}
  leaky:
    description: a noisy-or with a leak
    states: [no, yes]
    parents: [fixed_one]
    builder:
      type: noisy_or
      present: yes
      leak: 0.1
      causes:
        fixed_one: {a: 0.5}
      rationale: {assumption: test numbers}
  graded:
    description: a noisy-max with a drawn link
    states: [calm, incidents, war]
    parents: [fixed_one]
    builder:
      type: noisy_max
      highest: war
      leak: {calm: 0.6, incidents: 0.3, war: 0.1}
      causes:
        fixed_one: {a: {calm: 0.3, incidents: 0.5, war: 0.2}}
      rationale: {assumption: test numbers}
"""


def beta_var(p: float, k: float = 40) -> float:
    return p * (1 - p) / (k + 1)


def test_rows_with_a_rest_draw_each_judgement_on_its_own(write_model):
    """docs/methods.md#judgements: a row with a `rest` draws each judgement from its own Beta and gives
    the rest the remainder, so var(rest) = var(a) + var(b) (independent), not a Dirichlet's p(1-p)/(k+1);
    an exact 0 or 1 stays fixed."""
    model = bayes.load(write_model(MIXED))
    net = model.engine.net
    chunk = parameter_draws(model, N_DRAWS, seed=11).chunk(0, N_DRAWS)
    t = {name: chunk[net.index[name]] for name in net.names}
    a, b, c = t["numbers_and_rest"]
    assert a.mean() == pytest.approx(0.5, abs=4 * math.sqrt(beta_var(0.5) / N_DRAWS))
    assert a.var() == pytest.approx(beta_var(0.5), rel=0.12) and b.var() == pytest.approx(beta_var(0.3), rel=0.12)
    assert c.var() == pytest.approx(beta_var(0.5) + beta_var(0.3), rel=0.15)
    assert abs(np.corrcoef(a, b)[0, 1]) < 0.06  # drawn on their own
    assert c.min() >= 0 and np.allclose(a + b + c, 1.0)
    assert np.all(c[(a + b) > 1] == 0)  # where the judgements pass 1 the rest is 0 and the row is scaled back
    zero = t["fixed_zero"]
    assert np.all(zero[0] == 0) and np.allclose(zero.sum(axis=0), 1.0)
    assert np.quantile(zero[1], 0.05) == pytest.approx(0.55, abs=0.015)
    assert np.all(t["fixed_one"][0] == 1.0) and np.all(t["fixed_one"][1] == 0.0)


def test_builder_leaks_and_links_are_drawn(write_model):
    """A noisy-or's plain leak is Beta(k p); a noisy-max link row is Dirichlet(k p), read back from the
    drawn table: P(<= y | cause) = P_leak(<= y) P_link(<= y)."""
    model = bayes.load(write_model(MIXED))
    net = model.engine.net
    chunk = parameter_draws(model, N_DRAWS, seed=12).chunk(0, N_DRAWS)
    leaky = chunk[net.index["leaky"]]  # (fixed_one, leaky, draws); fixed_one=b never happens: the leak alone
    leak = leaky[1, 1]
    assert leak.mean() == pytest.approx(0.1, abs=4 * math.sqrt(beta_var(0.1) / N_DRAWS))
    assert leak.var() == pytest.approx(beta_var(0.1), rel=0.12)
    strength = 1 - (1 - leaky[0, 1]) / (1 - leak)
    assert strength.mean() == pytest.approx(0.5, abs=4 * math.sqrt(beta_var(0.5) / N_DRAWS))
    assert strength.var() == pytest.approx(beta_var(0.5), rel=0.12)
    graded = chunk[net.index["graded"]]  # (fixed_one, graded, draws)
    leak_cdf = np.cumsum(graded[1], axis=0)
    link_cdf = np.cumsum(graded[0], axis=0) / leak_cdf
    link = np.diff(link_cdf, axis=0, prepend=0.0)
    for k, p in enumerate([0.3, 0.5, 0.2]):
        assert graded[1, k].mean() == pytest.approx([0.6, 0.3, 0.1][k], abs=0.01)
        assert link[k].mean() == pytest.approx(p, abs=4 * math.sqrt(beta_var(p) / N_DRAWS))
        assert link[k].var() == pytest.approx(beta_var(p), rel=0.15)


@pytest.mark.parametrize("first", [False, True])
def test_dirichlet_rows_in_both_layouts_with_zeros_and_tiny_alpha(first):
    """Means are alpha / sum(alpha) in both layouts; a zero stays zero, a row with one positive entry is a
    point mass; with alpha so small that every gamma variate of a row underflows, rows are drawn again
    (no NaN) and keep their means."""
    from bayes.modelfile.elicitation import dirichlet_rows

    p = np.array([[0.6, 0.3, 0.1], [0.0, 0.7, 0.3], [0.0, 1.0, 0.0], [0.2, 0.0, 0.8]])
    m = 6000
    for k, tol in ((40.0, 4 * math.sqrt(0.25 / 41 / m)), (1e-300, 4 * math.sqrt(0.25 / m))):
        out = dirichlet_rows(np.random.default_rng(5), k * p, m, first=first)
        assert out.shape == ((m, 4, 3) if first else (4, 3, m))
        draws_last = np.moveaxis(out, 0, -1) if first else out
        assert not np.isnan(draws_last).any()
        np.testing.assert_allclose(draws_last.sum(axis=1), 1.0, atol=1e-12)
        assert np.all(draws_last[p == 0] == 0) and np.all(draws_last[2, 1] == 1.0)
        np.testing.assert_allclose(draws_last.mean(axis=-1), p, atol=tol)
        if k == 40.0:
            np.testing.assert_allclose(draws_last[0].var(axis=-1), p[0] * (1 - p[0]) / 41, rtol=0.12)
    dense = dirichlet_rows(np.random.default_rng(6), 1e-300 * p[:1], m, first=first)  # the dense path
    dense = np.moveaxis(dense, 0, -1) if first else dense
    assert not np.isnan(dense).any()
    np.testing.assert_allclose(dense.mean(axis=-1), p[:1], atol=4 * math.sqrt(0.25 / m))


def hand_forced_y(name: str | None = None, value: float | None = None, x: str = "x0") -> float:
    """P(y=y | do(x)) with the judgement called `name` set to `value`: z keeps its prior, x's table is cut."""
    pz1 = value if name == "P(z=z1)" else PZ1
    py = dict(PY)
    if name and name.startswith("P(y=y | "):
        xs, zs = name[len("P(y=y | x="):-1].split(", z=")
        py[(xs, zs)] = value
    return (1 - pz1) * py[(x, "z0")] + pz1 * py[(x, "z1")]


def test_sensitivity_and_the_call_under_a_forced_cause_by_hand(write_model):
    """Forcing x=x0: P(y | do(x0)) = 0.7 P(y | x0, z0) + 0.3 P(y | x0, z1) = 0.22. x's own table is cut
    away (no swing, no crossing); the other numbers cross the band edges where the hand formula does."""
    from bayes.analysis.sensitivity import admissible_deviation, change_the_call, sensitivity

    model = observable_confounded(write_model)
    now = hand_forced_y()
    table = sensitivity(model, "y=y", do={"x": "x0"}).set_index("parameter")
    for name, row in table.iterrows():
        lo, hi = hand_forced_y(name, row["low"]), hand_forced_y(name, row["high"])
        if name.startswith("P(x=") or name.startswith("P(y=y | x=x1"):
            lo = hi = now
        assert (row["target_low"], row["target_high"]) == pytest.approx((lo, hi), abs=1e-12), name
        assert row["target_now"] == pytest.approx(now, abs=1e-12)
    band = ICD203.band_of(now)
    frame = admissible_deviation(model, "y=y", do={"x": "x0"}).set_index("parameter")
    expected = {  # solve the (linear) hand formula for each edge, keep the nearest in [0, 1]
        "P(z=z1)": [(e - PY[("x0", "z0")]) / (PY[("x0", "z1")] - PY[("x0", "z0")]) for e in (band.low, band.high)],
        "P(y=y | x=x0, z=z0)": [(e - PZ1 * PY[("x0", "z1")]) / (1 - PZ1) for e in (band.low, band.high)],
        "P(y=y | x=x0, z=z1)": [(e - (1 - PZ1) * PY[("x0", "z0")]) / PZ1 for e in (band.low, band.high)]}
    for name, row in frame.iterrows():
        roots = [x for x in expected.get(name, []) if 0 <= x <= 1]
        if not roots:
            assert math.isnan(row["crosses_at"]), name
            continue
        value = table.loc[name, "value"]
        assert row["crosses_at"] == pytest.approx(min(roots, key=lambda x: abs(x - value)), abs=1e-9), name
    assert frame.dropna().index[0] == min(
        (n for n in expected if any(0 <= x <= 1 for x in expected[n])),
        key=lambda n: min(abs(x - table.loc[n, "value"]) for x in expected[n] if 0 <= x <= 1))
    calls = change_the_call(model, "y=y", do={"x": "x0"})  # z is the only thing left to watch
    for _, row in calls.iterrows():
        z = row["findings"][2:]
        assert row["findings"].startswith("z=") and row["target_if"] == pytest.approx(PY[("x0", z)], abs=1e-12)
    assert set(calls["findings"]) == {f"z={z}" for z in ("z0", "z1") if ICD203.term(PY[("x0", z)]) != ICD203.term(now)}


@pytest.mark.parametrize("call", ["sensitivity", "admissible_deviation", "change_the_call", "indicators",
                                  "watchable"])
def test_analyses_name_bad_evidence_and_interventions(write_model, call):
    """Each analysis checks its evidence and intervention against the model and says which was wrong."""
    from bayes.analysis import indicators as ind
    from bayes.analysis import sensitivity as sens

    model = observable_confounded(write_model)
    fn = getattr(sens, call, None) or getattr(ind, call)
    with pytest.raises(bayes.QueryError, match="evidence names unknown variable 'w'"):
        fn(model, "y=y", given={"w": "x0"})
    with pytest.raises(bayes.QueryError, match="intervention names unknown state 'maybe' of 'x'"):
        fn(model, "y=y", do={"x": "maybe"})
    with pytest.raises(bayes.QueryError, match="target names unknown state 'maybe' of 'y'"):
        fn(model, "y=maybe")


def test_a_row_written_for_several_parent_states_is_drawn_once(drawn):
    """`given: {row: [a, b]}` is one judgement: its draws are the same numbers under both parent states."""
    model, tables = drawn
    pair = tables["pair"]  # (row, pair, draws)
    np.testing.assert_array_equal(pair[0], pair[1])
    assert pair[0, 1].std() > 0.01 and np.all(pair[2, 1] == 1.0)


@pytest.mark.parametrize("text, expected", [
    ("x1=2", (1.0, 2.0)), ("x0=0; x1=3", (0.0, 3.0)), ("x0=0.5", (0.5, 1.0)), ("x0=0.25;x1=0.5", (0.25, 0.5)),
    (" x1 = 4 ;", (1.0, 4.0)), ("", (1.0, 1.0))])
def test_likelihoods_are_read_state_by_state(write_model, text, expected):
    """STATE=RATIO pairs; states left out weigh 1; zero is allowed for some states, ratios below 1 for all."""
    from bayes.analysis.tracking import parse_likelihood

    model = bayes.load(write_model(confounded(comparison("more_likely", "observation", "strength: more"))))
    assert parse_likelihood(text, model, "x", "log.csv", 7) == pytest.approx(expected)


@pytest.mark.parametrize("text, message", [
    ("x0=0;x1=0", "likelihood ratios cannot all be zero"),
    ("x1=-1", "likelihood ratio for x1 must be a non-negative number"),
    ("x1=inf", "likelihood ratio for x1 must be a non-negative number"),
    ("x1=nan", "likelihood ratio for x1 must be a non-negative number"),
    ("x1=two", "likelihood ratio 'two' for x1 is not a number"),
    ("x2=3", "likelihood 'x2=3' must be STATE=RATIO with a state of 'x' (x0, x1)"),
    ("x1", "likelihood 'x1' must be STATE=RATIO with a state of 'x' (x0, x1)")])
def test_a_bad_likelihood_names_the_file_and_line(write_model, text, message):
    from bayes.analysis.tracking import EvidenceLogError, parse_likelihood

    model = bayes.load(write_model(confounded(comparison("more_likely", "observation", "strength: more"))))
    with pytest.raises(EvidenceLogError) as caught:
        parse_likelihood(text, model, "x", "log.csv", 7)
    assert caught.value.message == message and caught.value.file == "log.csv" and caught.value.line == 7


# --- the evidence log and the outcomes file: every refusal names its file, its line and what was expected ---

LOG_HEADER = "date,variable,state,likelihood,source,note\n"


@pytest.fixture
def small_model(write_model):
    return bayes.load(write_model(confounded(comparison("more_likely", "observation", "strength: more"))))


@pytest.mark.parametrize("text, line, message", [
    (LOG_HEADER + "2020-08-01,x,x1,,wire,\n2020-08-02,q,x1,,wire,\n", 3,
     "unknown variable 'q'; known variables: z, x, y"),
    (LOG_HEADER + "2020-08-01,x,x9,,wire,\n", 2, "unknown state 'x9' of 'x'; expected one of: x0, x1"),
    (LOG_HEADER + "2020-08-01,x,,,wire,\n", 2, "give either a state (what was observed) or a likelihood (soft "
     "evidence: STATE=RATIO;...), not both and not neither"),
    (LOG_HEADER + "2020-08-01,x,x1,x1=2,wire,\n", 2, "give either a state (what was observed) or a likelihood (soft "
     "evidence: STATE=RATIO;...), not both and not neither"),
    (LOG_HEADER + "2020-08-01,x,x1,,,\n", 2, "every row needs a source (where the report comes from)"),
    (LOG_HEADER + "2020-08-01,x,x1,,  ,\n", 2, "every row needs a source (where the report comes from)"),
    (LOG_HEADER + "2020-06-30,x,x1,,wire,\n", 2, "date 2020-06-30 is before the model's as_of (2020-07); the model "
     "already speaks for what was known then, so the log holds only later news"),
    (LOG_HEADER + "20200801,x,x1,,wire,\n", 2, "date '20200801' is not a date; expected YYYY-MM-DD"),
    (LOG_HEADER + "2020-02-30,x,x1,,wire,\n", 2, "date '2020-02-30' is not a date; expected YYYY-MM-DD"),
    (LOG_HEADER + "2020-08-01,x,x1,,=cmd,\n", 2, "source starts with '='; spreadsheets run a field starting with "
     "= + - @, tab or CR as a formula: start it with a letter, a digit or a quote mark"),
    (LOG_HEADER + "2020-08-01,x,x1,,wire,@sum\n", 2, "note starts with '@'; spreadsheets run a field starting with "
     "= + - @, tab or CR as a formula: start it with a letter, a digit or a quote mark"),
    (LOG_HEADER + "2020-08-01,x,x1,,wi\x07re,\n", 2, "source holds a control character ('\\x07'); write it on one "
     "line without control characters"),
    (LOG_HEADER + "2020-08-01,x,x1,,wire,a\x85b\n", 2, "note holds a control character ('\\x85'); write it on one "
     "line without control characters"),
    (LOG_HEADER + "2020-08-01,x,x1,,wire,a\u2028b\n", 2, "note holds a control character ('\\u2028'); write it on "
     "one line without control characters"),
    (LOG_HEADER + "2020-08-01,x,,x1=-2,wire,\n", 2, "likelihood ratio for x1 must be a non-negative number"),
    (LOG_HEADER + "2020-08-01,x,x1,,wire,,extra\n", 2, "the row has more fields than the 6 columns (date, variable, "
     "state, likelihood, source, note); quote text that contains commas"),
    ("date,variable,state,likelihood,note\n2020-08-01,x,x1,,n\n", 1, "the header lacks column(s) source; expected: "
     "date, variable, state, likelihood, source, note"),
    ("variable,state,likelihood,note\n", 1, "the header lacks column(s) date, source; expected: "
     "date, variable, state, likelihood, source, note"),
    (LOG_HEADER.strip() + ",weight\n", 1, "unknown column 'weight' in the header; expected: "
     "date, variable, state, likelihood, source, note"),
    (LOG_HEADER + '2020-08-01,x,x1,,"wire,\n', 2, "the file cannot be read as CSV (unexpected end of data); a quoted "
     "field is probably not closed"),
    (LOG_HEADER + '2020-08-01,x,x1,,wire,\n2020-08-02,x,x1,,"wire,\n2020-08-03,x,x1,,wire,\n', 3,
     "the file cannot be read as CSV (unexpected end of data); a quoted field is probably not closed"),
    (LOG_HEADER + '2020-08-01,x,x1,,wire,\n2020-08-02,x,x1,,"wi"re,\n', 3,
     "the file cannot be read as CSV (',' expected after '\"')"),
])
def test_a_bad_log_row_names_the_file_line_and_what_was_expected(small_model, text, line, message):
    from bayes.analysis.tracking import EvidenceLogError, load_evidence_text

    with pytest.raises(EvidenceLogError) as caught:
        load_evidence_text(small_model, text, "log.csv")
    assert (caught.value.message, caught.value.file, caught.value.line) == (message, "log.csv", line)


def test_a_good_log_reads_every_field_in_date_order(small_model):
    """Rows come back sorted by date, then by line; fields are stripped; a likelihood row keeps its ratios."""
    from bayes.analysis.tracking import load_evidence_text

    text = (LOG_HEADER + "2020-09-02,y,y,,  wire A ,late\n2020-07-01,x,, x1=3 ,wire B,\n"
            "2020-09-02,z,z0,,wire C, first \n")
    rows = load_evidence_text(small_model, text, "log.csv")
    assert [(r.line, str(r.date), r.variable, r.state, r.likelihood, r.source, r.note) for r in rows] == [
        (3, "2020-07-01", "x", None, (1.0, 3.0), "wire B", ""),
        (2, "2020-09-02", "y", "y", None, "wire A", "late"),
        (4, "2020-09-02", "z", "z0", None, "wire C", "first")]


def test_a_tab_inside_a_field_is_kept_but_not_at_its_start(small_model):
    from bayes.analysis.tracking import EvidenceLogError, check_field

    check_field("note", "a\tb", "log.csv", 3)  # a tab inside a note is text, not a formula
    with pytest.raises(EvidenceLogError) as caught:
        check_field("note", "\tb", "log.csv", 3)
    assert caught.value.message.startswith("note starts with '\\t'") and caught.value.line == 3


def test_the_first_day_a_model_speaks_for(small_model):
    """as_of YYYY-MM means the 1st of the month; a full date is that day; unreadable text lets every date in."""
    import datetime as dt

    from bayes.analysis.tracking import as_of_date

    class Spec:
        def __init__(self, as_of):
            self.as_of = as_of

    class Model:
        def __init__(self, as_of):
            self.spec = Spec(as_of)

    assert as_of_date(Model("2020-07")) == dt.date(2020, 7, 1)
    assert as_of_date(Model("2020-07-14")) == dt.date(2020, 7, 14)
    assert as_of_date(Model(" 2020-07-14 ")) == dt.date(2020, 7, 14)
    assert as_of_date(Model("July 2020")) == dt.date.min


def test_a_named_log_must_exist_and_the_default_one_may_not(small_model, tmp_path):
    from bayes.analysis.tracking import EvidenceLogError, load_evidence, load_outcomes

    assert load_evidence(small_model) == [] and load_outcomes(small_model) == []
    with pytest.raises(EvidenceLogError) as caught:
        load_evidence(small_model, tmp_path / "none.csv")
    assert (caught.value.message, caught.value.file, caught.value.line) == (
        "evidence log not found (a file named on the command line must exist)", str(tmp_path / "none.csv"), None)
    with pytest.raises(EvidenceLogError) as caught:
        load_outcomes(small_model, tmp_path / "none.csv")
    assert caught.value.message == "outcomes file not found (a file named on the command line must exist)"


OUTCOMES_HEADER = "question,outcome,resolved,horizon,source,note\n"


@pytest.mark.parametrize("text, line, message", [
    (OUTCOMES_HEADER + "y,y,2021-01-01,,wire,\nq,y,2021-01-01,,wire,\n", 3,
     "unknown question 'q': questions are variables of the model"),
    (OUTCOMES_HEADER + "y,maybe,2021-01-01,,wire,\n", 2, "unknown outcome 'maybe' of 'y'; expected one of: n, y"),
    (OUTCOMES_HEADER + "y,y,01/01/2021,,wire,\n", 2, "resolved '01/01/2021' is not a date; expected YYYY-MM-DD"),
    (OUTCOMES_HEADER + "y,y,2021-01-01,2021-13-01,wire,\n", 2, "horizon '2021-13-01' is not a date; expected "
     "YYYY-MM-DD"),
    ("question,outcome,resolved\ny,y,2021-01-01\n", 1, "the header lacks column(s) source; expected: "
     "question, outcome, resolved, horizon, source, note"),
])
def test_a_bad_outcome_names_the_file_line_and_what_was_expected(small_model, tmp_path, text, line, message):
    from bayes.analysis.tracking import EvidenceLogError, load_outcomes

    path = tmp_path / "outcomes.csv"
    path.write_text(text)
    with pytest.raises(EvidenceLogError) as caught:
        load_outcomes(small_model, path)
    assert (caught.value.message, caught.value.file, caught.value.line) == (message, str(path), line)


def test_outcomes_are_read_field_by_field(small_model, tmp_path):
    import datetime as dt

    from bayes.analysis.tracking import load_outcomes

    path = tmp_path / "outcomes.csv"
    path.write_text(OUTCOMES_HEADER + " y , n ,2021-01-01,2020-12-31, wire ,kept\nx,x1,2021-02-01,,desk,\n")
    got = [(o.line, o.question, o.outcome, o.resolved, o.horizon, o.source, o.note) for o in load_outcomes(small_model,
                                                                                                       path)]
    assert got == [(2, "y", "n", dt.date(2021, 1, 1), dt.date(2020, 12, 31), "wire", "kept"),
                   (3, "x", "x1", dt.date(2021, 2, 1), None, "desk", "")]


@pytest.mark.parametrize("row, message, line", [
    ({"date": "2020-08-01", "variable": "x", "state": "x1", "source": "wire", "weight": "2"},
     "unknown field(s) weight", None),
    ({"date": "2020-08-01", "variable": "x", "state": "x7", "source": "wire"},
     "unknown state 'x7' of 'x'; expected one of: x0, x1", 3),
    ({"date": "2020-08-01", "variable": "x", "state": "x1"},
     "every row needs a source (where the report comes from)", 3),
])
def test_a_refused_append_names_the_log_and_the_line_it_would_have_been(small_model, tmp_path, row, message, line):
    """The line a refused row would have taken is the one after the last; the log is left byte for byte."""
    from bayes.analysis.tracking import EvidenceLogError, append_evidence

    log = tmp_path / "log.csv"
    before = LOG_HEADER + "2020-08-01,x,x1,,wire,"  # no newline at the end
    log.write_text(before)
    with pytest.raises(EvidenceLogError) as caught:
        append_evidence(small_model, row, log)
    assert (caught.value.message, caught.value.file, caught.value.line) == (message, str(log), line)
    assert log.read_text() == before


def test_an_append_writes_exactly_one_row(small_model, tmp_path):
    from bayes.analysis.tracking import append_evidence, load_evidence

    log = tmp_path / "log.csv"
    append_evidence(small_model, {"date": "2020-08-01", "variable": "x", "state": "x1", "source": "wire"}, log)
    assert log.read_text() == LOG_HEADER + "2020-08-01,x,x1,,wire,\n"
    log.write_text(log.read_text().rstrip("\n"))  # a log saved without its last newline
    append_evidence(small_model, {"date": "2020-08-02", "variable": "y", "likelihood": "y=2", "source": "a, b",
                                  "note": 'said "yes"'}, log)
    assert log.read_text() == LOG_HEADER + '2020-08-01,x,x1,,wire,\n2020-08-02,y,,y=2,"a, b","said ""yes"""\n'
    assert [(r.line, r.likelihood, r.source, r.note) for r in load_evidence(small_model, log)] == [
        (2, None, "wire", ""), (3, (1.0, 2.0), "a, b", 'said "yes"')]


def test_an_append_refuses_what_is_not_a_log_file(small_model, tmp_path):
    from bayes.analysis.tracking import EvidenceLogError, append_evidence

    row = {"date": "2020-08-01", "variable": "x", "state": "x1", "source": "wire"}
    with pytest.raises(EvidenceLogError) as caught:
        append_evidence(small_model, row, tmp_path)
    assert (caught.value.message, caught.value.file) == ("the evidence log must be a regular file", str(tmp_path))
    with pytest.raises(EvidenceLogError) as caught:
        append_evidence(small_model, row, tmp_path / "missing" / "log.csv")
    assert (caught.value.message, caught.value.file) == ("the folder of the evidence log does not exist",
                                                         str(tmp_path / "missing"))
    assert not (tmp_path / "missing").exists()


def test_history_is_the_forecast_after_each_dated_update(small_model):
    """By hand: the assessment, then x observed, then a report on z (likelihood z1=3) multiplying the prior,
    then a second report on z (z1=2) multiplying again, then z observed, which overrides both reports."""
    import datetime as dt

    from bayes.analysis.tracking import evidence_frame, history, load_evidence_text

    text = (LOG_HEADER + "2020-08-01,x,x1,,wire,\n2020-08-05,z,,z1=3,desk,\n2020-08-09,z,,z1=2,desk,\n"
            "2020-08-12,z,z0,,wire,\n")
    rows = load_evidence_text(small_model, text, "log.csv")
    got = history(small_model, rows, variables=["y"])
    got = got[got.state == "y"].set_index("date")

    def p_y(weight_z1: float, **seen) -> float:
        joint = hand_joint()
        for key in joint:
            if key[0] == "z1":
                joint[key] *= weight_z1
        return hand_p_y(joint, **seen)

    expected = {dt.date(2020, 7, 1): ("assessment", hand_baseline_y()),
                dt.date(2020, 8, 1): ("x=x1", p_y(1, x="x1")),
                dt.date(2020, 8, 5): ("z (report)", p_y(3, x="x1")),
                dt.date(2020, 8, 9): ("z (report)", p_y(6, x="x1")),
                dt.date(2020, 8, 12): ("z=z0", p_y(1, x="x1", z="z0"))}
    assert list(got.index) == list(expected)
    for date, (update, p) in expected.items():
        assert got.loc[date, "update"] == update
        assert got.loc[date, "probability"] == pytest.approx(p, abs=1e-12)
    assert list(evidence_frame(small_model, rows).observed) == ["x1", "report: z1=3", "report: z1=2", "z0"]
    started = history(small_model, rows[:1], variables=["y"], start="2020-07-20")
    assert list(started.date.unique()) == [dt.date(2020, 7, 20), dt.date(2020, 8, 1)]


def test_history_draws_bracket_each_forecast(small_model):
    from bayes.analysis.tracking import history, load_evidence_text

    rows = load_evidence_text(small_model, LOG_HEADER + "2020-08-01,x,x1,,wire,\n", "log.csv")
    got = history(small_model, rows, variables=["y"], draws=400, seed=3)
    assert (got.lo90 < got.probability).all() and (got.probability < got.hi90).all()
    same = history(small_model, rows, variables=["y"], draws=400, seed=3)
    other = history(small_model, rows, variables=["y"], draws=400, seed=4)
    assert same.lo90.tolist() == got.lo90.tolist() and other.lo90.tolist() != got.lo90.tolist()


# --- what a comparison of versions asks of each one: answers, claim margins and their text ---

SCENARIOS_BLOCK = """\
scenarios:
  x_on:
    label: X switched on
    observe: {x: x1}
  x_forced_off:
    do: {x: x0}
"""


def test_a_versions_answers_are_plain_queries_by_hand(write_model):
    from bayes.analysis.revisions import answers

    text = confounded(comparison("more_likely", "observation", "strength: more"))
    model = bayes.load(write_model(text + SCENARIOS_BLOCK))
    got = answers.answer_table(model, [("baseline", "y", "y"), ("x_on", "y", "y"), ("x_forced_off", "y", "n"),
                                       ("x_on", "q", "y"), ("x_on", "y", "maybe"), ("nowhere", "y", "y")])
    assert got.keys() == {("baseline", "y", "y"), ("x_on", "y", "y"), ("x_forced_off", "y", "n")}
    assert got[("baseline", "y", "y")] == pytest.approx(hand_baseline_y(), abs=1e-12)
    assert got[("x_on", "y", "y")] == pytest.approx(hand_observed("x1"), abs=1e-12)
    assert got[("x_forced_off", "y", "n")] == pytest.approx(1 - hand_forced("x0"), abs=1e-12)
    assert answers.answer_table(model, []) == {}
    assert answers.scenario_label_of(model.spec, "x_on") == "X switched on"
    assert answers.scenario_label_of(model.spec, "not_a_scenario") == "not a scenario"
    assert answers.scenario_names(model.spec) == ["baseline", "x_on", "x_forced_off"]


def test_an_answer_under_impossible_evidence_is_nan(write_model):
    from bayes.analysis.revisions import answers

    text = confounded(comparison("more_likely", "observation", "strength: more")).replace(
        f"x0: {1 - PX1['z0']!r}, x1: {PX1['z0']!r}", "x0: 1.0, x1: 0.0").replace(
        f"z0: {1 - PZ1!r}, z1: {PZ1!r}", "z0: 1.0, z1: 0.0")
    model = bayes.load(write_model(text + SCENARIOS_BLOCK))
    got = answers.answer_table(model, [("x_on", "y", "y"), ("baseline", "y", "y")])
    assert np.isnan(got[("x_on", "y", "y")]) and got[("baseline", "y", "y")] == pytest.approx(PY[("x0", "z0")])


def test_claim_margins_and_their_text_for_every_form(write_model):
    from bayes.analysis.revisions import answers
    from bayes.modelfile.scales import ICD203, describe

    p1, p0 = hand_observed("x1"), hand_observed("x0")
    claims = {
        "more": comparison("more_likely", "observation", "strength: more"),
        "less": comparison("less_likely", "observation", "strength: less likely"),
        "prob": "    form: probability\n    outcome: {y: y}\n    if: {x: x1}\n    band: likely\n",
        "none": "    form: no_difference\n    outcome: y\n    if: {x: x1}\n    than: {x: x0}\n    tolerance: 0.01\n"}
    results = {k: answers.claim_results(bayes.load(write_model(confounded(c), f"{k}.yaml")))["K1"]
               for k, c in claims.items()}
    ratio = odds(p1) / odds(p0)
    assert answers.claim_margin(results["more"]) == pytest.approx(p1 - p0, abs=1e-12)
    assert answers.claim_margin(results["less"]) == pytest.approx(p1 - p0, abs=1e-12)
    assert answers.claim_margin(results["prob"]) == pytest.approx(p1, abs=1e-12)
    assert answers.claim_margin(results["none"]) == pytest.approx(abs(p1 - p0), abs=1e-12)
    assert answers.claim_text(results["more"], ICD203) == (
        f"pass: {describe(p1, ICD203)} vs {describe(p0, ICD203)}, odds ratio {ratio:.3g} "
        f"(needs {results['more'].required})")
    assert answers.claim_text(results["less"], ICD203).startswith(f"FAIL: {describe(p1, ICD203)} vs ")
    assert answers.claim_text(results["prob"], ICD203) == f"pass: {describe(p1, ICD203)} (needs 55% <= P <= 80%)"
    assert answers.claim_text(results["none"], ICD203) == (
        f"FAIL: max difference {abs(p1 - p0):.3g} (needs {results['none'].required})")
    assert answers.claim_text("why not", ICD203) == "cannot be evaluated: why not"


def test_one_claim_that_cannot_be_asked_leaves_the_others_answered(write_model):
    """A model whose claims cannot all be asked: each claim is asked alone, and the unaskable one keeps its
    message instead of a result."""
    from bayes.analysis.revisions import answers

    text = confounded("""\
    form: probability
    outcome: {y: y}
    if: {x: x1}
    given: {z: z0}
    band: likely
  K2:
    quote: "another claim under test"
    form: probability
    outcome: {y: y}
    if: {x: x0}
    band: unlikely
""").replace(f"x0: {1 - PX1['z0']!r}, x1: {PX1['z0']!r}", "x0: 1.0, x1: 0.0")
    got = answers.claim_results(bayes.load(write_model(text)))
    assert list(got) == ["K1", "K2"]
    assert isinstance(got["K1"], str) and got["K1"].startswith("claim K1: ")
    assert got["K2"].id == "K2" and got["K2"].probability == pytest.approx(
        ((1 - PZ1) * PY[("x0", "z0")] + PZ1 * (1 - PX1["z1"]) * PY[("x0", "z1")])
        / ((1 - PZ1) + PZ1 * (1 - PX1["z1"])), abs=1e-12)
    assert answers.claim_results(bayes.load(write_model(text.split("claims:")[0], "none.yaml"))) == {}


def test_a_row_with_a_field_no_log_has_is_refused_by_name(small_model):
    from bayes.analysis.tracking import EvidenceLogError, parse_evidence_row

    row = {"date": "2020-08-01", "variable": "x", "state": "x1", "source": "wire", "weight": "2", "score": "1"}
    with pytest.raises(EvidenceLogError) as caught:
        parse_evidence_row(row, small_model, "log.csv", 4)
    assert (caught.value.message, caught.value.file, caught.value.line) == (
        "unknown column(s) score, weight; expected: date, variable, state, likelihood, source, note", "log.csv", 4)
    # a missing field reads as empty, not as text: a row without a note is fine
    assert parse_evidence_row({k: v for k, v in row.items() if k not in ("weight", "score")}, small_model, "log.csv",
                              4).note == ""


def test_the_log_as_the_analyst_wrote_it(small_model):
    from bayes.analysis.tracking import evidence_frame, load_evidence_text

    rows = load_evidence_text(small_model, LOG_HEADER + "2020-08-01,x,,x0=0.5;x1=2,wire A,first\n"
                              "2020-08-02,y,y,,wire B,\n", "log.csv")
    frame = evidence_frame(small_model, rows)
    assert frame.to_dict("records") == [
        {"date": "2020-08-01", "variable": "x", "observed": "report: x0=0.5; x1=2", "source": "wire A", "note": "first"},
        {"date": "2020-08-02", "variable": "y", "observed": "y", "source": "wire B", "note": ""}]
    assert list(evidence_frame(small_model, []).columns) == ["date", "variable", "observed", "source", "note"]


def test_appends_refuse_a_log_that_is_already_bad_by_its_name_and_line(small_model, tmp_path):
    from bayes.analysis.tracking import EvidenceLogError, append_evidence

    row = {"date": "2020-08-03", "variable": "x", "state": "x1", "source": "wire"}
    log = tmp_path / "log.csv"
    log.write_text(LOG_HEADER + "2020-08-01,x,x1,,wire,\n2020-08-02,q,x1,,wire,\n")
    with pytest.raises(EvidenceLogError) as caught:
        append_evidence(small_model, row, log)
    assert (caught.value.message, caught.value.file, caught.value.line) == (
        "unknown variable 'q'; known variables: z, x, y", str(log), 3)
    log.write_bytes(LOG_HEADER.encode() + b"2020-08-01,x,x1,,caf\xe9,\n")
    with pytest.raises(bayes.BayesInputError) as caught:
        append_evidence(small_model, row, log)
    assert caught.value.message.startswith("the evidence log is not UTF-8 (byte 0xe9") and caught.value.line == 2
    fresh = tmp_path / "new.csv"
    with pytest.raises(EvidenceLogError) as caught:
        append_evidence(small_model, {**row, "state": "x9"}, fresh)
    assert caught.value.line == 2 and not fresh.exists()  # the first row of a new log is its line 2


def test_an_append_through_a_symlink_writes_the_file_it_points_to(small_model, tmp_path):
    from bayes.analysis.tracking import append_evidence

    real = tmp_path / "shared" / "log.csv"
    real.parent.mkdir()
    real.write_text(LOG_HEADER)
    link = tmp_path / "log.csv"
    link.symlink_to(real)
    append_evidence(small_model, {"date": "2020-08-01", "variable": "x", "state": "x1", "source": "wire"}, link)
    assert link.is_symlink() and real.read_text() == LOG_HEADER + "2020-08-01,x,x1,,wire,\n"


# ------------------------------------------------------------------------------------- builder rows as parameters

NOISY_MAX = """\
format: bayes-model/1
model: {title: Pushes, source: tests, as_of: 2020-07, author: tests}
variables:
  p:
    description: p under test
    states: [off, on]
    table:
      - probabilities: {off: 0.6, on: 0.4}
        rationale: {assumption: test}
  q:
    description: q under test
    states: [off, on]
    table:
      - probabilities: {off: 0.5, on: 0.5}
        rationale: {assumption: test}
  y:
    description: y under test
    states: [low, mid, high]
    parents: [p, q]
    builder:
      type: noisy_max
      highest: high
      leak: {low: rest, mid: "40-70%", high: 0.4}
      causes:
        p:
          on: {low: 0.2, mid: 0.5, high: 0.3}
        q:
          on: {low: rest, mid: 0.1, high: 0.1}
      rationale: {assumption: test}
claims:
  K1:
    quote: "y is high"
    form: probability
    outcome: {y: high}
    band: almost certain
"""


def test_every_judgement_of_a_noisy_max_is_a_parameter_kept_in_its_row(write_model):
    from bayes.inference.claims import fix_hints
    from bayes.modelfile.parameters import elicited_parameters

    model = bayes.load(write_model(NOISY_MAX))
    params = {p.name: p for p in elicited_parameters(model)}
    # one number per two-state row; every judged state of a builder row, the rest state not
    assert list(params) == ["P(p=on)", "P(q=on)", "y: leak P(mid)", "y: leak P(high)", "y: P(low) if p=on",
                            "y: P(mid) if p=on", "y: P(high) if p=on", "y: P(mid) if q=on", "y: P(high) if q=on"]
    # the leak's mid is 40-70%, but with high at 0.4 the rest (low) runs out at 0.6: the swing stops there;
    # its high (0.3-0.5) stops at 0.45 beside mid's 0.55
    mid, high = params["y: leak P(mid)"], params["y: leak P(high)"]
    assert (mid.value, mid.low, mid.high, mid.clipped) == (pytest.approx(0.55), 0.4, pytest.approx(0.6), True)
    assert (high.low, high.high, high.clipped) == (pytest.approx(0.3), pytest.approx(0.45), True)
    assert [name for name, p in params.items() if p.clipped] == ["y: leak P(mid)", "y: leak P(high)"]
    # p's row with mid set to 0.3, low and high rescaled to fill 0.7 (0.28 and 0.42); at p=on, q=off the
    # child's CDF is the leak's (0.05, 0.6, 1) times that row's (0.28, 0.58, 1)
    table = params["y: P(mid) if p=on"].table_at(0.3)
    cdf = np.array([0.05, 0.6, 1.0]) * np.array([0.28, 0.58, 1.0])
    np.testing.assert_allclose(table[1, 0], np.diff(cdf, prepend=0.0), atol=1e-12)
    # the leak at the edge of its row: low gets nothing, every row of the table still sums to 1
    edge = mid.table_at(mid.high)
    np.testing.assert_allclose(edge.sum(axis=-1), 1.0, atol=1e-12)
    np.testing.assert_allclose(edge[0, 0], [0.0, 0.6, 0.4], atol=1e-12)  # no cause pushing: the leak itself
    for hint in fix_hints(model, "K1", top=9):
        assert 0.0 <= hint["claim_low"] <= 1.0 and 0.0 <= hint["claim_high"] <= 1.0, hint
    assert any(h["judgement"] == "y: P(high) if p=on" for h in fix_hints(model, "K1", top=9))


def test_the_cli_says_where_a_swing_stops_at_its_rows_edge(write_model, bayes_cli):
    path = write_model(NOISY_MAX)
    code, out, err = bayes_cli("sensitivity", path, "y=high")
    assert code == 0, err
    (line,) = [x for x in out.splitlines() if "leak P(high)" in x]
    assert "0.3 to 0.45 (row's edge)" in line
    code, out, _ = bayes_cli("check", path)
    assert code == 1 and "y: leak P(high) (now 0.4, swung 0.3 to 0.45, as high as its row allows): 0.415 to 0.54" in out


def _written_numbers(path) -> int:
    """How many independent numbers a model file's author wrote, counted from the YAML itself: each
    probability of a row (not `rest`; a two-state row without `rest` says one number), each builder's leak,
    link strength, baseline, odds ratio and cause row, each `array:` row (less one entry, as a row sums to 1)."""
    import yaml

    doc = yaml.safe_load(open(path, encoding="utf-8"))

    def row(probabilities, card: int) -> int:
        if not isinstance(probabilities, dict):
            return 1  # a baseline of a two-state child written as one number
        written = [s for s, x in probabilities.items() if str(x).strip() != "rest"]
        return 1 if card == 2 and len(written) == 2 else len(written)

    total = 0
    for v in doc["variables"].values():
        card = len(v["states"])
        if "table" in v:
            total += sum(row(r["probabilities"], card) for r in v["table"])
        elif "array" in v:
            values = v["array"]["values"]
            values = values.split() if isinstance(values, str) else values
            total += len(values) // card * (1 if card == 2 else card)
        else:
            b = v["builder"]
            def count(written):  # a mapping of several numbers, or one (a two-state child's effect, a strength)
                return len(written) if isinstance(written, dict) else 1

            if b["type"] == "log_odds":
                total += row(b["baseline"], card) + sum(count(by_child) for effects in b["effects"].values()
                                                        for by_child in effects.values())
            elif b["type"] == "noisy_or":
                total += 1 + sum(count(strengths) for strengths in b["causes"].values())
            else:
                total += row(b["leak"], card) + sum(row(r, card) for rows in b["causes"].values() for r in rows.values())
    return total


@pytest.mark.parametrize("which", ["caucasus_2020", "river_ceasefire", "generated", "every_kind", "noisy_max"])
def test_every_number_written_is_a_parameter(which, tmp_path, drawn):
    from bayes.exchange.synthetic import write_random_model
    from bayes.modelfile.parameters import elicited_parameters

    if which == "generated":
        path = write_random_model(tmp_path / "generated_long_labels.yaml", seed=3)
    elif which == "every_kind":
        path = drawn[0].spec.path
    elif which == "noisy_max":
        path = tmp_path / "noisy_max.yaml"
        path.write_text(NOISY_MAX, encoding="utf-8")
    else:
        path = Path(__file__).resolve().parent.parent / "data" / "models" / f"{which}.yaml"
    params = elicited_parameters(bayes.load(path))
    assert len(params) + params.left_out == _written_numbers(path)


@pytest.mark.parametrize("p, word, number", [(0.1964, "very unlikely", "19.6%"), (0.2004, "very unlikely", "20.0%"),
                                             (0.2049, "unlikely", "20.5%"), (0.4503, "unlikely", "45.0%"), (0.4506, "roughly even chance", "45.1%"),
                                             (0.7951, "likely", "79.5%"), (0.33, "unlikely", "33%")])
def test_every_output_prints_the_same_word_and_number_at_a_band_edge(p, word, number):
    """The CLI's describe, a chart's bar label, the deck's table cell, the explorer's and the brief's
    numbers: one rule (a tenth of a percent within half a point of an ICD 203 edge, the word from the number
    printed), written out here by hand for values placed at and around the edges."""
    from types import SimpleNamespace

    from bayes.modelfile.scales import describe
    from bayes.outputs import narrative
    from bayes.outputs.charts.framing import value_text
    from bayes.outputs.deck import _slide_cell

    model = SimpleNamespace(scale=ICD203)
    assert describe(p, ICD203) == f"{word} ({number})"
    assert value_text(p, ICD203, 0.1, 0.3) == f"{word} ({number}; 10\u201330%)"
    assert _slide_cell(model, SimpleNamespace(set_by="", probability=p)) == f"{word} {number}"
    assert _slide_cell(model, SimpleNamespace(set_by="forced", probability=p)) == f"{number} (forced)"
    assert narrative.shown(p, ICD203) == number and ICD203.term(p) == word
    # the brief's heatmap cell
    import matplotlib.pyplot as plt
    import pandas as pd

    from bayes.outputs import charts
    cells = pd.DataFrame({"label": ["baseline", "seen"], "outcome": ["x=y", "x=y"], "probability": [p, 0.004]})
    ax = charts.outcomes_heatmap(data=cells, scale=ICD203, column_label=None)
    assert sorted(t.get_text() for t in ax.texts) == sorted([number, "<1%"])
    plt.close(ax.figure)
