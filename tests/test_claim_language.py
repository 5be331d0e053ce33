"""Claims speak the same language as tables: one strength vocabulary, the same probability words."""

import json

import pytest
from tiny import P_RAIN_GIVEN_WET, P_WET, TINY

import bayes
from bayes.modelfile.elicitation import CLAIM_MIN_ODDS_RATIO, STRENGTH_WORDS, parse_odds_ratio, parse_strength

P_RAIN_GIVEN_DRY = 0.2 * (0.99 * 0.2 + 0.01 * 0.01) / (1 - P_WET)


@pytest.mark.parametrize("word", ["far more likely", "far_more", "far", "Far More Likely", "far-more"])
def test_every_spelling_of_a_strength_word_means_the_same(write_model, word):
    model = bayes.load(write_model(TINY.replace("strength: far_more", f"strength: {word}")))
    assert model.spec.claims["T1"].min_odds_ratio == 6.0
    assert model.check().set_index("id").loc["T1", "passed"]


def test_strength_words_are_one_list_for_builders_and_claims():
    for word in STRENGTH_WORDS:
        s = parse_strength(word)
        ratio = parse_odds_ratio(word)
        assert ratio.text == s.words == word
        if s.magnitude != "none":
            lo, hi = sorted((ratio.low, ratio.high))
            # a claim's threshold is the low end of the word's range, or a bare direction for slightly/more
            threshold = CLAIM_MIN_ODDS_RATIO[s.magnitude]
            assert threshold == (1.0 if s.magnitude in ("slightly", "more") else (lo if s.direction > 0 else 1 / hi))
    assert parse_odds_ratio("much_more").point == pytest.approx(21 ** 0.5)
    assert parse_odds_ratio("slightly_less").point == pytest.approx(1 / (1.2 * 1.9) ** 0.5)


def test_a_strength_against_the_form_is_refused_with_the_fix(write_model, bayes_cli):
    code, _, err = bayes_cli("check", write_model(TINY.replace("strength: far_more", "strength: far less likely")))
    assert code == 2 and ":57:" in err and "points the other way" in err and "'far more likely'" in err
    code, _, err = bayes_cli("check", write_model(TINY.replace("strength: far_more", "strength: hugely")))
    assert code == 2 and "not a strength word" in err and "slightly more likely" in err


def test_a_builder_needs_a_direction(write_model, bayes_cli):
    text = TINY.replace("""    table:
      - probabilities: {no: 0.8, yes: 0.2}
        rationale: {assumption: textbook number}
  sprinkler:""", """    table:
      - probabilities: {no: 0.8, yes: 0.2}
        rationale: {assumption: textbook number}
  cloud:
    description: Clouds.
    states: [clear, cloudy]
    parents: [rain]
    builder: {type: log_odds, state: cloudy, baseline: 0.3, effects: {rain: {yes: EFFECT}}, rationale: {assumption: t}}
  sprinkler:""")
    code, _, err = bayes_cli("check", write_model(text.replace("EFFECT", "much")))
    assert code == 2 and "no direction" in err and "much more likely" in err
    model = bayes.load(write_model(text.replace("EFFECT", "much_more"), "ok.yaml"))
    odds = 0.3 / 0.7 * 21 ** 0.5
    assert model.cpt("cloud")["cloudy"].iloc[1] == pytest.approx(odds / (1 + odds), abs=1e-12)


@pytest.mark.parametrize("written, holds, low, high", [
    ('band: "10-30%"', True, 0.10, 0.30),
    ('range: "10-30%"', True, 0.10, 0.30),
    ("range: [10%, 30%]", True, 0.10, 0.30),
    ("band: very unlikely", True, 0.05, 0.20),
    ('range: "25-40%"', False, 0.25, 0.40),
    ("range: 20%", True, 0.15, 0.25),            # one number: within 5 points by default
    ("range: 30%\n    tolerance: 3%", False, 0.27, 0.33),
    ("range: 0.3\n    tolerance: 0.1", True, 0.2, 0.4),
])
def test_probability_claims_take_the_tables_language(write_model, written, holds, low, high):
    model = bayes.load(write_model(TINY.replace("range: [0.1, 0.3]", written)))
    row = model.check().set_index("id").loc["T2"]
    assert row["probability"] == pytest.approx(0.2)
    assert (row["low"], row["high"]) == pytest.approx((low, high))
    assert bool(row["passed"]) is holds


def test_no_difference_between_two_conditions(write_model, bayes_cli):
    text = TINY.replace("    cause: wet_grass", "    if: {wet_grass: wet}\n    than: {wet_grass: dry}")
    model = bayes.load(write_model(text))
    assert model.check().set_index("id").loc["T3", "max_difference"] == pytest.approx(0.0, abs=1e-12)
    seen = text.replace("    reading: intervention\n    outcome: rain", "    reading: observation\n    outcome: rain")
    code, out, _ = bayes_cli("check", write_model(seen, "seen.yaml"), "--format", "json")
    t3 = {r["id"]: r for r in json.loads(out)}["T3"]
    assert code == 1 and not t3["passed"]
    assert t3["max_difference"] == pytest.approx(P_RAIN_GIVEN_WET - P_RAIN_GIVEN_DRY, abs=1e-12)
    code, _, err = bayes_cli("check", write_model(text.replace("    if: {wet_grass: wet}\n", ""), "half.yaml"))
    assert code == 2 and "give both 'if' and 'than'" in err and "'cause'" in err
