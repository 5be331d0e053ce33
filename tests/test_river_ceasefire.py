"""The second shipped model, river_ceasefire (a fictional teaching example, the worked example of
notebooks/00_your_first_model): its claims hold, its quotes are the source's words, its numbers agree
with an independent computation, and its evidence log (with soft rows) replays."""

from pathlib import Path

import numpy as np
import pytest

import bayes
from bayes.analysis.tracking import load_evidence

ROOT = Path(__file__).resolve().parent.parent
MODEL_FILE = ROOT / "data" / "models" / "river_ceasefire.yaml"
SOURCE_FILE = ROOT / "data" / "models" / "sources" / "river_ceasefire.txt"


@pytest.fixture(scope="module")
def river():
    return bayes.load(MODEL_FILE)


def _squash(text: str) -> str:
    return " ".join(text.split())


def test_check_exits_zero(bayes_cli):
    code, out, err = bayes_cli("check", "river_ceasefire")
    assert code == 0, out + err
    assert "14 of 14 claims pass" in out


def test_every_quote_is_in_the_source(river):
    source = SOURCE_FILE.read_text(encoding="utf-8")
    assert source.startswith("FICTIONAL TEACHING EXAMPLE")
    assert (MODEL_FILE.parent / river.spec.source_file).resolve() == SOURCE_FILE.resolve()
    text = _squash(source)
    missing = {cid: c.quote for cid, c in river.spec.claims.items() if _squash(c.quote) not in text}
    assert missing == {}


def test_structure_is_as_documented(river):
    spec = river.spec
    assert len(spec.variables) == 9
    assert {len(v.states) for v in spec.variables.values()} == {2, 3, 4}
    assert spec.outcomes[0] == "ceasefire" and spec.states("ceasefire") == ("holds", "frays_with_incidents", "collapses")
    builders = {v.name: v.builder for v in spec.variables.values()}
    assert builders["ceasefire"] == "log_odds" and builders["hardliners"] == "noisy_or"
    assert builders["river_incidents"] == "noisy_max"
    forms = {c.form for c in spec.claims.values()}
    assert forms == {"probability", "more_likely", "less_likely", "no_difference"}


def test_headline_against_pgmpy_variable_elimination(river):
    from pgmpy.inference import VariableElimination

    ve = VariableElimination(river.network)
    states = list(river.states("ceasefire"))
    expected = ve.query(["ceasefire"], show_progress=False)
    ours = river.marginals(["ceasefire"])["ceasefire"]
    reference = np.array([expected.get_value(ceasefire=s) for s in states])
    np.testing.assert_allclose(ours, reference, atol=1e-9, rtol=0)
    assert river.probability("ceasefire=collapses") == pytest.approx(reference[states.index("collapses")], abs=1e-9)
    # and with evidence (the spring_clashes scenario)
    given = {"river_incidents": "frequent"}
    expected = ve.query(["ceasefire"], evidence=given, show_progress=False)
    reference = np.array([expected.get_value(ceasefire=s) for s in states])
    np.testing.assert_allclose(river.marginals(["ceasefire"], given=given)["ceasefire"], reference, atol=1e-9, rtol=0)


def test_noisy_max_row_by_hand(river):
    """P(Y <= y | x) = P(Y_leak <= y) * prod_i P(Y_i <= y | x_i), for one row, with the file's point values."""
    # states: quiet < isolated < frequent < heavy_fighting (highest: heavy_fighting)
    leak = [0.04, 1 - 0.04 - 0.05 - 0.01, 0.05, 0.01]            # quiet "2-6%" -> 4%, isolated rest
    probing_raids = [0.20, 0.30, 0.45, 0.05]                      # army_posture=probing_raids
    ascendant = [0.30, 0.25, 0.35, 0.10]                          # hardliners=hardliners_ascendant
    steady = [1 - 0.20 - 0.08 - 0.02, 0.20, 0.08, 0.02]           # patron_support=steady, quiet rest
    understrength = [1 - 0.30 - 0.15 - 0.0, 0.30, 0.15, 0.0]      # mission_strength=understrength, "10-20%" -> 15%
    cdf = np.ones(4)
    for row in (leak, probing_raids, ascendant, steady, understrength):
        assert sum(row) == pytest.approx(1.0)
        cdf = cdf * np.cumsum(row)
    expected = np.diff(cdf, prepend=0.0)

    table = river.cpt("river_incidents")
    got = table.loc[("probing_raids", "hardliners_ascendant", "steady", "understrength")].to_numpy(dtype=float)
    np.testing.assert_allclose(got, expected, atol=1e-12, rtol=0)
    # a parent in its reference state pushes nothing: with every parent there, the row is the leak
    base = table.loc[("defensive", "political_wing_leads", "held_back", "full_strength")].to_numpy(dtype=float)
    np.testing.assert_allclose(base, leak, atol=1e-12, rtol=0)


def test_noisy_or_and_log_odds_rows(river):
    """The other two builders at one row each, by their formulas."""
    # noisy-OR: 1 - (1 - leak) (1 - c_surging) (1 - c_stalled), leak "5-15%", surging "35-60%", stalled "20-40%"
    p = 1 - (1 - 0.10) * (1 - 0.475) * (1 - 0.30)
    assert river.cpt("hardliners").loc[("surging", "stalled"), "hardliners_ascendant"] == pytest.approx(p, abs=1e-12)
    # log-odds, multi-state: baseline (holds rest, frays "20-30%", collapses "5-12%") times the effects
    much, more = np.sqrt(3 * 7), np.sqrt(1.6 * 4)
    score = np.array([1 - 0.25 - 0.085, 0.25 * much, 0.085 * much * more])  # frequent incidents, talks stalled
    score[1] *= np.sqrt(1.2 * 1.9)  # stalled: frays slightly more likely
    expected = score / score.sum()
    got = river.cpt("ceasefire").loc[("frequent", "defensive", "stalled")].to_numpy(dtype=float)
    np.testing.assert_allclose(got, expected, atol=1e-12, rtol=0)


def test_history_replays_the_log_with_soft_rows(bayes_cli, river):
    rows = load_evidence(river)
    soft = [r for r in rows if r.likelihood is not None]
    assert len(soft) >= 2 and len(rows) >= 4
    assert all(r.date.isoformat() > "2024-03" for r in rows)
    assert all("illustrative" in r.source.lower() for r in rows)
    code, out, err = bayes_cli("history", "river_ceasefire")
    assert code == 0, err
    assert "patron_support (report)" in out and "river_incidents (report)" in out


def test_scenarios_and_score_run(bayes_cli, river):
    frame = river.scenarios()
    assert set(frame["scenario"]) == {"baseline", "coalition_splits", "spring_clashes", "ostravia_surge", "political_track"}
    kinds = [(bool(s.observe), bool(s.do)) for s in river.spec.scenarios.values()]
    assert (True, False) in kinds and (True, True) in kinds
    code, out, err = bayes_cli("score", "river_ceasefire")
    assert code == 0, err
    assert "ceasefire" in out and "frays_with_incidents" in out

