import json
import math

import pytest
from brute import posterior
from tiny import P_WET_DO_OFF, P_WET_DO_ON, TINY

import bayes
from bayes.inference.claims import evaluate_claims, odds_ratio


def test_odds_ratio_by_hand():
    assert odds_ratio(0.5, 0.5) == 1.0
    assert odds_ratio(0.8, 0.5) == pytest.approx(4.0)
    assert odds_ratio(0.2, 0.5) == pytest.approx(0.25)
    assert odds_ratio(1.0, 0.5) == math.inf
    assert odds_ratio(0.0, 0.5) == 0.0


def test_tiny_claims_numbers_by_hand(write_model):
    model = bayes.load(write_model(TINY))
    results = {r.id: r for r in evaluate_claims(model)}
    t1 = results["T1"]
    assert t1.p_if == pytest.approx(P_WET_DO_ON, abs=1e-12)
    assert t1.p_than == pytest.approx(P_WET_DO_OFF, abs=1e-12)
    assert t1.odds_ratio == pytest.approx((0.918 / 0.082) / (0.16 / 0.84))
    assert t1.passed and "do(sprinkler=on)" in t1.form and "odds ratio >= 6" in t1.form
    assert results["T2"].probability == pytest.approx(0.2) and results["T2"].passed
    # grass colour cannot change the rain under intervention: exactly no difference
    assert results["T3"].max_difference == pytest.approx(0.0, abs=1e-12) and results["T3"].passed


def test_failing_claims_are_reported_and_exit_1(write_model, bayes_cli):
    text = TINY.replace("    strength: far_more", "    min_odds_ratio: 100")  # true OR is about 58.8
    text = text.replace("range: [0.1, 0.3]", "band: likely")
    text = text.replace("    reading: intervention\n    outcome: rain", "    reading: observation\n    outcome: rain")
    path = write_model(text)
    code, out, err = bayes_cli("check", path, "--format", "json")
    assert code == 1, err
    rows = {r["id"]: r for r in json.loads(out)}
    assert rows["T1"]["passed"] is False and rows["T1"]["odds_ratio"] == pytest.approx(58.77, abs=0.01)
    assert rows["T2"]["passed"] is False and rows["T2"]["low"] == 0.55 and rows["T2"]["high"] == 0.80
    # observing wet grass does tell us about rain: P(rain=yes | dry) vs P(rain=yes | wet)
    model = bayes.load(path)
    p_dry = posterior(model.spec, "rain", {"wet_grass": "dry"})
    p_wet = posterior(model.spec, "rain", {"wet_grass": "wet"})
    assert rows["T3"]["passed"] is False
    assert rows["T3"]["max_difference"] == pytest.approx(abs(p_wet - p_dry).max(), abs=1e-12)


def test_flagship_passes_every_claim(flagship):
    results = evaluate_claims(flagship)
    assert len(results) >= 12
    failed = [r.id for r in results if not r.passed]
    assert failed == []
    forms = {r.kind for r in results}
    assert forms == {"more_likely", "less_likely", "probability", "no_difference"}
    assert {r.reading for r in results} == {"observation", "intervention"}


def test_flagship_claim_numbers_match_enumeration(flagship):
    spec = flagship.spec
    for r in evaluate_claims(flagship):
        c = spec.claims[r.id]
        idx = [spec.states(c.outcome_variable).index(s) for s in c.outcome_states]

        def p(cond):
            if c.reading == "intervention":
                return posterior(spec, c.outcome_variable, c.given, cond)[idx].sum()
            return posterior(spec, c.outcome_variable, {**c.given, **cond}, {})[idx].sum()

        if r.kind in ("more_likely", "less_likely"):
            assert r.p_if == pytest.approx(p(c.if_), abs=1e-9)
            assert r.p_than == pytest.approx(p(c.than), abs=1e-9)
        elif r.kind == "probability":
            assert r.probability == pytest.approx(p(c.if_), abs=1e-9)


def test_every_number_has_a_rationale_that_resolves(flagship):
    spec = flagship.spec
    cited = set()
    for v in spec.variables.values():
        for row in v.rows:
            assert row.rationale.claims or row.rationale.assumption
            cited.update(row.rationale.claims)
    assert cited <= set(spec.claims)
    # the ledger is not decoration: most claims back at least one table row
    assert len(cited) >= 0.75 * len(spec.claims)


def test_claims_quote_the_article_briefly(flagship, flagship_article):
    text = flagship_article.read_text(encoding="utf-8").replace("\u2019", "'")
    for claim in flagship.spec.claims.values():
        assert len(claim.quote.split()) <= 15, claim.id
        for part in claim.quote.replace("\u2019", "'").split(" ... "):
            assert part in text, f"{claim.id}: '{part}' is not in the article"
