"""Judgements in words and ranges, table builders against hand computations, uncertainty through draws."""

import json

import numpy as np
import pytest
from scipy import special
from tiny import TINY

import bayes
from bayes.modelfile.elicitation import (JudgementError, LogOddsTable, NoisyMaxTable, NoisyOrTable, Row, fit_beta,
                               parse_odds_ratio, parse_probability)
from bayes.errors import ModelFileError
from bayes.modelfile.scales import ICD203, PHIA, describe


@pytest.mark.parametrize("lo,hi", [(0.55, 0.80), (0.05, 0.20), (0.01, 0.05), (0.45, 0.55), (0.10, 0.25), (0.80, 0.95)])
def test_beta_quantiles_match_the_range(lo, hi):
    a, b = fit_beta(lo, hi)
    q05, q95 = special.betaincinv(a, b, [0.05, 0.95])
    assert abs(q05 - lo) < 0.005 and abs(q95 - hi) < 0.005
    assert abs(q05 - lo) < 1e-6 and abs(q95 - hi) < 1e-6  # exact matching, not just close


def test_beta_for_likely_is_about_25_12():
    a, b = fit_beta(0.55, 0.80)
    assert a == pytest.approx(25, abs=1) and b == pytest.approx(12, abs=1)


def test_parse_probability_forms():
    assert parse_probability(0.3, ICD203).point == 0.3 and not parse_probability(0.3, ICD203).is_range
    assert parse_probability("30%", ICD203).point == pytest.approx(0.3)
    j = parse_probability("10-25%", ICD203)
    assert (j.low, j.high, j.point) == pytest.approx((0.10, 0.25, 0.175))
    assert parse_probability("0.1-0.25", ICD203).high == pytest.approx(0.25)
    j = parse_probability("likely", ICD203)
    assert (j.low, j.high) == (0.55, 0.80)
    assert parse_probability("probably", PHIA).high == 0.75
    with pytest.raises(JudgementError, match="not a number, a range"):
        parse_probability("quite likely", ICD203)
    with pytest.raises(JudgementError):
        parse_probability("30-10%", ICD203)
    assert parse_odds_ratio("far more likely").low == 6.0
    assert parse_odds_ratio("much less likely").high == pytest.approx(1 / 3)
    assert parse_odds_ratio("2-8").point == pytest.approx(4.0)


def test_scales_words_and_gaps():
    assert ICD203.term(0.62) == "likely" and ICD203.term(0.03) == "almost no chance"
    assert PHIA.term(0.37) == "between unlikely and realistic possibility"
    assert PHIA.term(0.30) == "unlikely" and PHIA.band("remote chance").high == 0.05
    assert describe(0.62, ICD203, 0.48, 0.75) == "likely (62%; 90% interval 48-75%)"
    assert describe(0.001) == "almost no chance (<1%)"


def test_noisy_or_by_hand():
    from bayes.modelfile.elicitation import Judgement

    table = NoisyOrTable((2, 2), 1, Judgement("0.1", 0.1), [{1: Judgement("0.6", 0.6)}, {1: Judgement("0.3", 0.3)}], 50)
    p = table.point()
    assert p[0, 0, 1] == pytest.approx(0.1)
    assert p[1, 0, 1] == pytest.approx(1 - 0.9 * 0.4)
    assert p[0, 1, 1] == pytest.approx(1 - 0.9 * 0.7)
    assert p[1, 1, 1] == pytest.approx(1 - 0.9 * 0.4 * 0.7)
    np.testing.assert_allclose(p.sum(axis=-1), 1.0)


def test_log_odds_by_hand():
    base = Row(("no", "yes"), {"yes": parse_probability(0.2, ICD203)}, "no", 50)
    table = LogOddsTable((2, 2), base, [{1: {1: parse_odds_ratio(3)}}, {1: {1: parse_odds_ratio(2)}}])
    p = table.point()[..., 1]
    assert p[0, 0] == pytest.approx(0.2)
    assert p[1, 0] == pytest.approx(0.6 / 1.4)  # odds 0.25 x 3 = 0.75
    assert p[0, 1] == pytest.approx(0.5 / 1.5)  # odds 0.25 x 2 = 0.5
    assert p[1, 1] == pytest.approx(1.5 / 2.5)  # odds 0.25 x 6 = 1.5


def test_multistate_log_odds_is_a_softmax():
    base = Row(("a", "b", "c"), {s: parse_probability(x, ICD203) for s, x in zip("abc", (0.5, 0.3, 0.2))}, None, 50)
    table = LogOddsTable((2,), base, [{1: {2: parse_odds_ratio(4)}}])
    p = table.point()
    np.testing.assert_allclose(p[0], [0.5, 0.3, 0.2])
    np.testing.assert_allclose(p[1], np.array([0.5, 0.3, 0.8]) / 1.6)


def test_noisy_max_with_highest_state_first_mirrors_last():
    """The same judgements listed highest-first give the same table, states reversed."""
    def row(states, values):
        return Row(states, {s: parse_probability(x, ICD203) for s, x in zip(states, values)}, None, 50)

    up, down = ("low", "mid", "high"), ("high", "mid", "low")
    last = NoisyMaxTable((2,), row(up, (0.9, 0.1, 0.0)), [{1: row(up, (0.2, 0.5, 0.3))}])
    first = NoisyMaxTable((2,), row(down, (0.0, 0.1, 0.9)), [{1: row(down, (0.3, 0.5, 0.2))}], highest_first=True)
    np.testing.assert_allclose(first.point(), last.point()[:, ::-1])
    np.testing.assert_allclose(first.point()[1], [0.30, 0.52, 0.18])


def test_noisy_max_needs_its_order_stated(write_model, bayes_cli):
    text = WORDS_MODEL.replace("RANGE", "unlikely")
    code, _, err = bayes_cli("check", write_model(text.replace("      highest: harsh\n", "")))
    assert code == 2 and "needs 'highest'" in err and "calm or harsh" in err
    code, _, err = bayes_cli("check", write_model(text.replace("highest: harsh", "highest: firm")))
    assert code == 2 and "first or the last" in err and ":27:" in err
    # states listed highest first, judgements unchanged: the same probabilities
    flipped = text.replace("states: [calm, firm, harsh]", "states: [harsh, firm, calm]")
    a = bayes.load(write_model(text, "a.yaml")).query("response").set_index("state")["probability"]
    b = bayes.load(write_model(flipped.replace("highest: harsh", "highest: harsh"), "b.yaml")).query(
        "response").set_index("state")["probability"]
    assert a.to_dict() == pytest.approx(b.to_dict(), abs=1e-12)


def test_noisy_max_by_hand():
    leak = Row(("low", "mid", "high"), {"low": parse_probability(0.9, ICD203), "mid": parse_probability(0.1, ICD203),
                                        "high": parse_probability(0.0, ICD203)}, None, 50)
    link = Row(("low", "mid", "high"), {s: parse_probability(x, ICD203) for s, x in zip(("low", "mid", "high"),
                                                                                       (0.2, 0.5, 0.3))}, None, 50)
    table = NoisyMaxTable((2,), leak, [{1: link}])
    p = table.point()
    np.testing.assert_allclose(p[0], [0.9, 0.1, 0.0])
    np.testing.assert_allclose(p[1], [0.18, 0.52, 0.30])  # cdf 0.9*0.2, 1*0.7, 1*1
    draws = table.sample(np.random.default_rng(0), 1000)
    np.testing.assert_allclose(draws.sum(axis=1), 1.0)


WORDS_MODEL = """\
format: bayes-model/1
model: {title: Words only, source: test, as_of: 2020-07, author: tests}
variables:
  pressure:
    description: Outside pressure.
    states: [low, high]
    table:
      - probabilities: {high: RANGE, low: rest}
        rationale: {assumption: test}
  crisis:
    description: A crisis.
    states: [no, yes]
    parents: [pressure]
    builder:
      type: log_odds
      state: yes
      baseline: very unlikely
      effects:
        pressure: {high: much more likely}
      rationale: {assumption: test}
  response:
    description: The response.
    states: [calm, firm, harsh]
    parents: [crisis, pressure]
    builder:
      type: noisy_max
      highest: harsh
      leak: {calm: likely, firm: rest, harsh: "1-5%"}
      causes:
        crisis: {yes: {calm: 0.2, firm: 0.5, harsh: 0.3}}
        pressure: {high: {calm: 0.6, firm: 0.3, harsh: 0.1}}
      rationale: {assumption: test}
  talks:
    description: Talks.
    states: [none, held]
    parents: [crisis]
    builder:
      type: noisy_or
      present: held
      leak: unlikely
      causes:
        crisis: {yes: "40-70%"}
      rationale: {assumption: test}
outcomes: [crisis, response, talks]
"""


def test_words_only_model_answers_with_intervals(write_model):
    model = bayes.load(write_model(WORDS_MODEL.replace("RANGE", "unlikely")))
    frame = model.query(["crisis", "talks", "response"], draws=4000, seed=1)
    assert {"mean", "median", "lo90", "hi90", "probability"} <= set(frame.columns)
    crisis = frame.set_index(["variable", "state"]).loc[("crisis", "yes")]
    assert crisis["lo90"] < crisis["probability"] < crisis["hi90"]
    # point estimate by hand: P(high) = 0.325 (midpoint of 20-45%), baseline 0.125, much more likely = x sqrt(3 x 7)
    odds = 0.125 / 0.875 * (3 * 7) ** 0.5
    expected = 0.675 * 0.125 + 0.325 * odds / (1 + odds)
    assert crisis["probability"] == pytest.approx(expected, abs=1e-12)
    again = model.query(["crisis", "talks", "response"], draws=4000, seed=1)
    assert again.equals(frame)
    other = model.query(["crisis"], draws=4000, seed=2)
    assert not np.isclose(other["lo90"].iloc[1], crisis["lo90"])


def test_narrower_ranges_give_narrower_answers(write_model):
    wide = bayes.load(write_model(WORDS_MODEL.replace("RANGE", '"10-60%"'), "wide.yaml"))
    narrow = bayes.load(write_model(WORDS_MODEL.replace("RANGE", '"33-37%"'), "narrow.yaml"))

    def width(model):
        row = model.query("pressure", draws=4000, seed=3).set_index("state").loc["high"]
        return row["hi90"] - row["lo90"]

    assert width(narrow) < width(wide) / 5
    # a root judgement's draws reproduce its range
    row = wide.query("pressure", draws=20000, seed=3).set_index("state").loc["high"]
    assert row["lo90"] == pytest.approx(0.10, abs=0.01) and row["hi90"] == pytest.approx(0.60, abs=0.01)


def test_fragile_claim_is_flagged(write_model):
    text = TINY.replace("{no: 0.8, yes: 0.2}", '{no: rest, yes: "20-40%"}')
    model = bayes.load(write_model(text))
    claims = model.check(draws=4000, seed=5).set_index("id")
    t2 = claims.loc["T2"]  # P(rain) in [0.1, 0.3]; the point 0.3 passes, but about half the draws exceed 0.3
    assert bool(t2["passed"]) and t2["hold_share"] < 0.8 and bool(t2["fragile"])
    beta = fit_beta(0.20, 0.40)
    assert t2["hold_share"] == pytest.approx(special.betainc(*beta, 0.3) - special.betainc(*beta, 0.1), abs=0.03)
    assert not bool(claims.loc["T1", "fragile"])


@pytest.mark.parametrize("probabilities,fragment", [
    ("{no: rest, yes: rest}", "at most one may be"),
    ("{no: 0.9, yes: likely}", "sum to 1.575"),
    ("{no: likely, yes: very unlikely}", "ranges and terms count at their midpoints"),
    ("{no: rest, yes: fairly likely}", "not a number, a range"),
    ("{no: 0.9, yes: 0.3, }", "sum to 1.2"),
    ("{no: rest, yes: 0.7, }", None),
])
def test_judgement_errors_are_located(write_model, probabilities, fragment):
    text = TINY.replace("{no: 0.8, yes: 0.2}", probabilities)
    path = write_model(text)
    if fragment is None:
        assert bayes.load(path).probability("rain=no") == pytest.approx(0.3)
        return
    with pytest.raises(ModelFileError) as err:
        bayes.load(path)
    assert fragment in err.value.message
    assert err.value.line == text[: text.index(probabilities)].count("\n") + 1


def test_cli_draws_are_reproducible_and_complete(bayes_cli):
    args = ("query", "caucasus_2020", "escalation", "--draws", "2000", "--seed", "7", "--format", "json")
    code, out, _ = bayes_cli(*args)
    assert code == 0
    rows = json.loads(out)
    assert {"mean", "median", "lo90", "hi90", "probability"} <= set(rows[0])
    assert bayes_cli(*args)[1] == out  # byte-identical
    assert bayes_cli(*args[:-4], "--seed", "8", "--format", "json")[1] != out


def test_cli_check_reports_hold_share(bayes_cli):
    code, out, _ = bayes_cli("check", "caucasus_2020", "--draws", "2000", "--format", "json")
    assert code == 0
    rows = json.loads(out)
    assert all(0 <= r["hold_share"] <= 1 and isinstance(r["fragile"], bool) for r in rows)
    assert all(r["fragile"] == (r["passed"] and r["hold_share"] < 0.8) for r in rows)


def test_cli_words(bayes_cli):
    assert bayes_cli("words", "0.62")[1].strip() == "likely (62%)"
    assert bayes_cli("words", "likely")[1].strip() == "likely: 55%-80% on the ICD 203 (likelihood wording) scale"
    # one side of a term or a number, as a claim's band takes it
    assert bayes_cli("words", "at most unlikely")[1].strip() == (
        "at most unlikely: 0%-45% on the ICD 203 (likelihood wording) scale, as a claim's band (tables need both ends)")
    out = json.loads(bayes_cli("words", "above roughly even chance", "--format", "json")[1])
    assert (out["low"], out["high"]) == (0.55, 1.0)
    out = json.loads(bayes_cli("words", "below 4.5%", "--format", "json")[1])
    assert (out["low"], out["high"]) == (0.0, pytest.approx(0.045))
    out = json.loads(bayes_cli("words", "37%", "--scale", "phia", "--format", "json")[1])
    assert out["gap"] == [0.35, 0.40]
    code, _, err = bayes_cli("words", "sort of likely")
    assert code == 2 and err.startswith("ERROR: command line:")


def test_one_row_for_several_parent_states_is_drawn_once(write_model):
    """`given: {rain: [no, yes]}` writes one judgement for both rows: a 'makes no difference' claim then
    holds in every parameter draw, not only at the point estimate; sensitivity swings both rows together."""
    from tiny import TINY

    from bayes.analysis.sensitivity import sensitivity

    from tiny import TINY_SHARED_ROW

    shared = TINY_SHARED_ROW
    shared += """  T4:
    quote: "rain does not change the sprinkler"
    form: no_difference
    outcome: sprinkler
    cause: rain
"""
    model = bayes.load(write_model(shared))
    assert model.cpt("sprinkler")["on"].tolist() == [0.4, 0.4]
    checked = model.check(draws=500, seed=3).set_index("id")
    assert checked.loc["T4", "passed"] and checked.loc["T4", "hold_share"] == 1.0
    swings = sensitivity(model, "sprinkler=on")
    row = swings[swings["parameter"] == "P(sprinkler=on | rain=no|yes)"].iloc[0]
    assert (row["target_low"], row["target_high"]) == pytest.approx((0.3, 0.5))  # both rows at 0.3, then 0.5
    separate = shared.replace("      - given: {rain: [no, yes]}\n        probabilities: {off: 0.6, on: 0.4}",
                              "      - given: {rain: no}\n        probabilities: {off: 0.6, on: 0.4}\n"
                              "        rationale: {assumption: t}\n      - given: {rain: yes}\n"
                              "        probabilities: {off: 0.6, on: 0.4}")
    checked = bayes.load(write_model(separate, "separate.yaml")).check(draws=500, seed=3).set_index("id")
    assert checked.loc["T4", "passed"] and checked.loc["T4", "hold_share"] < 0.2  # drawn apart: fragile


@pytest.mark.parametrize("first", [False, True])
def test_dirichlet_rows_draw_only_positive_entries_with_dirichlet_moments(first):
    """Zeros stay zero, a row with one positive entry stays 1, every row sums to 1, and the draws have
    the Dirichlet's mean and variance (alpha_i / A and alpha_i (A - alpha_i) / (A^2 (A + 1))), in both
    layouts; a dense table (no zero) takes the same route's moments."""
    from bayes.modelfile.elicitation import dirichlet_rows

    alpha = np.array([[[5.0, 0.0, 15.0], [0.0, 3.0, 0.0]], [[1.0, 2.0, 7.0], [0.0, 0.0, 2.0]]])
    m = 200_000
    draws = dirichlet_rows(np.random.default_rng(0), alpha, m, first=first)
    draws = np.moveaxis(draws, 0, -1) if first else draws
    assert draws.shape == alpha.shape + (m,)
    np.testing.assert_allclose(draws.sum(axis=2), 1.0, atol=1e-12)
    assert np.all(draws[alpha == 0] == 0)
    assert np.all(draws[0, 1, 1] == 1) and np.all(draws[1, 1, 2] == 1)
    for row in [(0, 0), (1, 0)]:
        a = alpha[row]
        total = a.sum()
        np.testing.assert_allclose(draws[row].mean(axis=-1), a / total, atol=3e-3)
        np.testing.assert_allclose(draws[row].var(axis=-1), a * (total - a) / (total ** 2 * (total + 1)), rtol=0.03)
    dense = np.array([[4.0, 6.0], [1.0, 1.0]])
    d = dirichlet_rows(np.random.default_rng(1), dense, m, first=first)
    d = np.moveaxis(d, 0, -1) if first else d
    np.testing.assert_allclose(d.mean(axis=-1), [[0.4, 0.6], [0.5, 0.5]], atol=3e-3)
    np.testing.assert_allclose(d[0].var(axis=-1), 0.24 / 11, rtol=0.03)
