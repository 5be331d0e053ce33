"""Evidence log, soft evidence, forecast history and scores."""

import json
import math
import re

import numpy as np
import pytest
from brute import joint
from tiny import TINY

import bayes
from bayes.errors import BayesInputError
from bayes.analysis.scoring import brier, brier_binary, calibration_table, log_score, ranked_probability_score
from bayes.analysis.tracking import history, load_evidence


@pytest.fixture
def tiny(write_model):
    return bayes.load(write_model(TINY))


def test_soft_evidence_by_hand(tiny):
    # a report three times as likely if the grass is wet: weight the joint by 3 where wet
    p_yes_wet, p_wet = 0.2 * (0.99 * 0.8 + 0.01 * 0.99), 0.44838
    expected = (3 * p_yes_wet + (0.2 - p_yes_wet)) / (3 * p_wet + (1 - p_wet))
    got = tiny.marginals(["rain"], soft={"wet_grass": {"wet": 3}})["rain"][1]
    assert got == pytest.approx(expected, abs=1e-12)
    # soft evidence with a likelihood of 0 on one state is hard evidence on the other
    np.testing.assert_allclose(tiny.marginals(["rain"], soft={"wet_grass": {"dry": 0}})["rain"],
                               tiny.marginals(["rain"], given={"wet_grass": "wet"})["rain"], atol=1e-12)


def test_scores_by_hand():
    assert brier([0.7, 0.3], 0) == pytest.approx(0.18)
    assert brier_binary(0.7, True) == pytest.approx(0.09)
    assert log_score([0.7, 0.3], 0) == pytest.approx(math.log(0.7))
    assert ranked_probability_score([0.2, 0.5, 0.3], 2) == pytest.approx((0.2 ** 2 + 0.7 ** 2) / 2)
    assert ranked_probability_score([0, 0, 1], 2) == 0.0
    table = calibration_table([0.1, 0.15, 0.9, 0.95], [False, True, True, True], bins=2)
    assert table["count"].tolist() == [2, 2]
    assert table["observed_frequency"].tolist() == [0.5, 1.0]


LOG = """date,variable,state,likelihood,source,note
2020-08-01,sprinkler,on,,neighbour,seen running
2020-08-02,wet_grass,,wet=3,drone photo,blurry
"""


@pytest.mark.parametrize("bad,line,fragment", [
    ("2020-08-03,wet_grass,wet,wet=3,x,\n", 4, "not both"),
    ("2020-13-03,wet_grass,wet,,x,\n", 4, "is not a date"),
    ("2020-08-03,snow,yes,,x,\n", 4, "unknown variable 'snow'"),
    ("2020-08-03,wet_grass,soaked,,x,\n", 4, "unknown state 'soaked'"),
    ("2020-08-03,wet_grass,,soaked=2,x,\n", 4, "STATE=RATIO"),
    ("2020-08-03,wet_grass,wet,,,\n", 4, "needs a source"),
    ("2020-08-03,wet_grass,wet,,x,note,extra\n", 4, "more fields"),
])
def test_malformed_rows_name_their_line(tiny, tmp_path, bad, line, fragment):
    path = tmp_path / "log.csv"
    path.write_text(LOG + bad)
    with pytest.raises(BayesInputError) as err:
        load_evidence(tiny, path)
    assert err.value.line == line and fragment in err.value.message and err.value.file == str(path)


def test_append_validates_and_never_half_writes(tiny, tmp_path, bayes_cli):
    path = tmp_path / "log.csv"
    path.write_text(LOG)
    before = path.read_bytes()
    code, out, err = bayes_cli("log", "add", tiny.spec.path, "--file", path, "--date", "2020-08-05",
                               "--variable", "rain", "--state", "maybe", "--source", "x")
    assert code == 2 and err.count("\n") == 1 and f"{path}:4:" in err
    assert path.read_bytes() == before
    code, out, err = bayes_cli("log", "add", tiny.spec.path, "--file", path, "--date", "2020-08-05",
                               "--variable", "rain", "--state", "yes", "--source", "radio, evening news")
    assert code == 0, err
    assert path.read_bytes() == before + b'2020-08-05,rain,yes,,"radio, evening news",\n'
    assert len(load_evidence(tiny, path)) == 3
    assert not list(tmp_path.glob(".*"))


def test_history_replays_the_log(tiny, tmp_path):
    path = tmp_path / "log.csv"
    path.write_text(LOG)
    rows = load_evidence(tiny, path)
    frame = history(tiny, rows, variables=["rain"])
    assert frame["date"].astype(str).unique().tolist() == ["2020-07-01", "2020-08-01", "2020-08-02"]
    p = frame[frame["state"] == "yes"]["probability"].to_numpy()
    assert p[0] == pytest.approx(0.2)
    assert p[1] == pytest.approx(0.2 * 0.01 / (0.2 * 0.01 + 0.8 * 0.4))  # sprinkler seen on
    # then a report 3x as likely if wet: weight P(rain, sprinkler=on, wet) by 3
    w_yes = 0.2 * 0.01 * (3 * 0.99 + 0.01)
    w_no = 0.8 * 0.4 * (3 * 0.9 + 0.1)
    assert p[2] == pytest.approx(w_yes / (w_yes + w_no))
    assert history(tiny, rows, variables=["rain"]).equals(frame)


def test_flagship_retrospective_scores(flagship, bayes_cli):
    code, out, err = bayes_cli("score", "caucasus_2020", "--format", "json")
    assert code == 0, err
    rows = json.loads(out)
    overall = rows[-1]
    assert overall["question"] == "overall"
    esc = [r for r in rows if r["question"] == "escalation"][0]
    p = flagship.probability("escalation=escalates_to_wider_war")
    assert esc["brier"] == pytest.approx(2 * (1 - p) ** 2) and esc["log_score"] == pytest.approx(math.log(p))
    assert esc["uniform_brier"] == pytest.approx(0.5) and esc["uniform_log_score"] == pytest.approx(math.log(0.5))
    questions = [r for r in rows if r["question"] != "overall"]
    assert overall["brier"] == pytest.approx(np.mean([r["brier"] for r in questions]))
    assert bayes_cli("score", "caucasus_2020", "--format", "json")[1] == out  # re-running gives the same table


def test_flagship_history_json(flagship, bayes_cli):
    code, out, _ = bayes_cli("history", "caucasus_2020", "--format", "json")
    rows = json.loads(out)
    assert code == 0 and {"date", "variable", "state", "probability"} <= set(rows[0])
    esc = [r for r in rows if r["variable"] == "escalation" and r["state"] == "escalates_to_wider_war"]
    assert esc[0]["probability"] == pytest.approx(flagship.probability("escalation=escalates_to_wider_war"))
    # after the 2020-08-10 report (twice as likely under direct military backing), by the full joint
    names, table = joint(flagship.spec)
    i_t, i_e = names.index("turkey_backing_of_baku"), names.index("escalation")
    num = sum(p * (2 if c[i_t] == "direct_military_backing" else 1) for c, p in table.items()
              if c[i_e] == "escalates_to_wider_war")
    den = sum(p * (2 if c[i_t] == "direct_military_backing" else 1) for c, p in table.items())
    assert esc[1]["probability"] == pytest.approx(num / den, abs=1e-9)


def test_model_file_encodes_july_2020_only():
    """Later events are for scoring; the model file must not cite them."""
    from bayes.modelfile.locate import resolve_model_path

    text = resolve_model_path("caucasus_2020").read_text()
    assert not re.search(r"\b(2020-(0[89]|1[0-2])|202[1-9])", text)
    for word in ("Second Karabakh", "44-day", "trilateral", "peacekeeper", "EUMA"):
        assert word.lower() not in text.lower()


def test_timeline_points_are_the_history(flagship):
    import matplotlib.pyplot as plt

    from bayes.outputs import charts

    frame = history(flagship)
    ax = charts.timeline_chart(data=frame, variable="escalation", state="escalates_to_wider_war")
    points = [c for c in ax.collections if c.get_gid() == "forecast-points"][0].get_offsets()[:, 1]
    expected = frame[(frame["variable"] == "escalation") & (frame["state"] == "escalates_to_wider_war")]["probability"]
    np.testing.assert_allclose(points, expected.to_numpy())
    labels = [" ".join(t.get_text().split()) for t in ax.texts if t.get_gid() == "update-label"]
    numbers = [t.get_text() for t in ax.texts if t.get_gid() == "update-number"]
    updates = frame[(frame["variable"] == "escalation") & (frame["state"] == "escalates_to_wider_war")]
    assert numbers == [str(i + 1) for i in range(len(expected))]
    assert labels == [f"{i + 1}. {d}: {u.replace('_', ' ')}" for i, (d, u) in
                      enumerate(zip(updates["date"].astype(str), updates["update"]))]
    # the key's entries do not overlap one another (drawn extents, top to bottom)
    ax.figure.canvas.draw()
    boxes = [t.get_window_extent() for t in ax.texts if t.get_gid() == "update-label"]
    assert all(upper.y0 > lower.y1 for upper, lower in zip(boxes, boxes[1:]))
    bands = [t.get_window_extent() for t in ax.texts if str(t.get_gid()).startswith("band-label")]
    figure_box = ax.figure.bbox
    assert min(b.x0 for b in boxes) > max(b.x1 for b in bands)  # the key sits clear of the band labels
    assert all(b.x1 <= figure_box.x1 and b.y0 >= figure_box.y0 for b in boxes)  # and inside the figure
    plt.close(ax.figure)


def test_cli_soft_evidence_by_hand(flagship, bayes_cli):
    """'This report is 3 times more likely if Russia is siding with Armenia.'"""
    code, out, _ = bayes_cli("query", "caucasus_2020", "russia_stance", "--soft", "russia_stance:sides_with_armenia=3",
                             "--format", "json")
    assert code == 0
    got = {r["state"]: r["probability"] for r in json.loads(out)}
    prior = flagship.marginals(["russia_stance"])["russia_stance"]
    weights = prior * np.array([1, 3, 1, 1])
    np.testing.assert_allclose([got[s] for s in flagship.states("russia_stance")], weights / weights.sum(), atol=1e-12)
    code, _, err = bayes_cli("query", "caucasus_2020", "russia_stance", "--soft", "russia_stance=3")
    assert code == 2 and err.startswith("ERROR: command line:")


def test_history_with_draws_matches_queries_with_the_same_draws(flagship):
    frame = history(flagship, draws=500, seed=9)
    first = frame[(frame["variable"] == "escalation") & (frame["state"] == "escalates_to_wider_war")].iloc[0]
    q = flagship.query("escalation", draws=500, seed=9).set_index("state").loc["escalates_to_wider_war"]
    assert first["lo90"] == pytest.approx(q["lo90"], abs=1e-12) and first["hi90"] == pytest.approx(q["hi90"], abs=1e-12)


def test_calibration_chart_points_are_the_table():
    import matplotlib.pyplot as plt

    from bayes.outputs import charts

    table = calibration_table([0.1, 0.15, 0.9, 0.95, 0.6], [False, True, True, True, False], bins=5)
    ax = charts.calibration_chart(data=table)
    points = [c for c in ax.collections if c.get_gid() == "calibration-points"][0].get_offsets()
    filled = table.dropna(subset=["mean_forecast"])
    np.testing.assert_allclose(points[:, 0], filled["mean_forecast"])
    np.testing.assert_allclose(points[:, 1], filled["observed_frequency"])
    plt.close(ax.figure)


# ------------------------------------------------------------------------------------- base rates

BASE_RATES = """format: bayes-base-rates/1
as_of: 2020-07
questions:
  rain:
    reference_class: days in July
    counts: {yes: 6, no: 25}
    source: almanac
    rests_on: "it rarely rains"
"""


def _outcomes(tmp_path, text="question,outcome,resolved,source\nrain,yes,2020-07-02,radio\n"):
    path = tmp_path / "outcomes.csv"
    path.write_text(text)
    return path


def test_base_rate_scores_by_hand(tiny, tmp_path):
    from bayes.analysis.baserates import load_base_rates
    from bayes.analysis.scoring import score_questions
    from bayes.analysis.tracking import load_outcomes

    path = tmp_path / "base.yaml"
    path.write_text(BASE_RATES)
    rates = load_base_rates(tiny, path)
    # Laplace: (6 + 1) / (31 + 2) for yes, in the order asked for
    np.testing.assert_allclose(rates["rain"].forecast(["yes", "no"]), [7 / 33, 26 / 33], atol=1e-15)
    np.testing.assert_allclose(rates["rain"].forecast(["no", "yes"]), [26 / 33, 7 / 33], atol=1e-15)
    outcomes = load_outcomes(tiny, _outcomes(tmp_path))
    frame = score_questions(tiny, outcomes, {"rain": np.array([0.8, 0.2])}, rates)
    row, overall = frame.iloc[0], frame.iloc[-1]
    assert row["base_rate_forecast"] == pytest.approx(7 / 33)
    assert row["base_rate_brier"] == pytest.approx(2 * (26 / 33) ** 2)
    assert row["base_rate_log_score"] == pytest.approx(math.log(7 / 33))
    assert row["brier"] == pytest.approx(2 * 0.8 ** 2)
    assert overall["brier_skill_vs_base_rate"] == pytest.approx(1 - 2 * 0.8 ** 2 / (2 * (26 / 33) ** 2))
    assert overall["brier_skill_vs_uniform"] == pytest.approx(1 - 2 * 0.8 ** 2 / 0.5)


@pytest.mark.parametrize("edit,line,fragment", [
    (("yes: 6, no: 25", "yes: 6"), 6, "leave out no"),
    (("yes: 6", "yes: -1"), 6, "whole number"),
    (("yes: 6", "yes: 2.5"), 6, "whole number"),
    (("yes: 6", "maybe: 6"), 6, "unknown state 'maybe'"),
    (("  rain:", "  snow:"), 4, "unknown question 'snow'"),
    (("    source: almanac\n", ""), 4, "needs 'source'"),
    (("bayes-base-rates/1", "bayes-base-rates/9"), 1, "expected 'bayes-base-rates/1'"),
    (("    source: almanac", "    source: almanac\n    sauce: x"), 8, "unknown key 'sauce'"),
])
def test_bad_base_rates_name_file_and_line(tiny, tmp_path, edit, line, fragment):
    from bayes.analysis.baserates import load_base_rates

    path = tmp_path / "base.yaml"
    path.write_text(BASE_RATES.replace(*edit))
    with pytest.raises(BayesInputError) as err:
        load_base_rates(tiny, path)
    assert err.value.file == str(path) and err.value.line == line and fragment in err.value.message


@pytest.mark.parametrize("text,line,fragment", [
    ("question,outcome,resolved,source,base_rate\nrain,yes,2020-07-02,radio,0.2\n", 1, "unknown column 'base_rate'"),
    ("question,outcome,resolved,source\nrain,yes,2020-07-02,radio,extra\n", 2, "more fields"),
    ("question,outcome,resolved,source\nrain,hail,2020-07-02,radio\n", 2, "unknown outcome 'hail'"),
])
def test_bad_outcomes_name_their_line(tiny, tmp_path, text, line, fragment):
    from bayes.analysis.tracking import load_outcomes

    with pytest.raises(BayesInputError) as err:
        load_outcomes(tiny, _outcomes(tmp_path, text))
    assert err.value.line == line and fragment in err.value.message


def test_flagship_base_rates_follow_from_counts_and_july_2020(flagship, bayes_cli):
    from pathlib import Path

    from bayes.analysis.baserates import base_rates_path, load_base_rates
    from bayes.analysis.tracking import load_outcomes

    rates = load_base_rates(flagship)
    assert set(rates) == {o.question for o in load_outcomes(flagship)}  # every resolved question has one
    text = base_rates_path(flagship).read_text()
    assert not re.search(r"\b(2020-(0[89]|1[0-2])|202[1-9])", text.split("questions:")[1])
    from conftest import FLAGSHIP_ARTICLE, source_dir

    article = source_dir() / FLAGSHIP_ARTICLE
    if article.is_file():  # the article is not shipped: where it is, every base rate's quote is in it
        article = article.read_text(encoding="utf-8").replace("\u2019", "'")
        for rate in rates.values():
            for piece in rate.rests_on.split(" ... "):
                assert piece in article, piece
    rows = {r["question"]: r for r in json.loads(bayes_cli("score", "caucasus_2020", "--format", "json")[1])}
    # escalation: 1 wider war in 52 half-year windows -> (1 + 1) / (52 + 2)
    assert rows["escalation"]["base_rate_forecast"] == pytest.approx(2 / 54)
    assert rows["escalation"]["base_rate_brier"] == pytest.approx(2 * (52 / 54) ** 2)
    # russia_stance: 2 of 2 balancing, four states -> 3 / 6; the other three get 1/6 each
    assert rows["russia_stance"]["base_rate_brier"] == pytest.approx(0.5 ** 2 + 3 * (1 / 6) ** 2)
    assert rows["overall"]["base_rate_brier"] == pytest.approx(
        np.mean([r["base_rate_brier"] for q, r in rows.items() if q != "overall"]))


def test_soft_evidence_with_draws_reweights_every_draw(flagship, bayes_cli):
    """'3 times more likely if Russia sides with Armenia', with parameter uncertainty: in each draw the
    posterior is that draw's prior times the likelihood, renormalised."""
    from bayes.inference.engine import Query
    from bayes.inference.uncertainty import run_with_draws
    from bayes.inference.draws import summarise

    lik = [1.0, 3.0, 1.0, 1.0]
    plain = Query.make("russia_stance")
    soft = Query.make("russia_stance", soft={"russia_stance": lik})
    _, batch = run_with_draws(flagship, [plain, soft], 2000, 7)
    prior, post = batch[0].probabilities, batch[1].probabilities
    expected = prior * lik / (prior * lik).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(post, expected, atol=1e-12)
    frame = flagship.query(["russia_stance"], draws=2000, seed=7, soft={"russia_stance": {"sides_with_armenia": 3}})
    np.testing.assert_allclose(frame["mean"], summarise(expected)["mean"], atol=1e-12)
    code, out, err = bayes_cli("query", "caucasus_2020", "russia_stance", "--soft", "russia_stance:sides_with_armenia=3",
                               "--draws", "2000", "--seed", "7", "--format", "json")
    assert code == 0, err
    np.testing.assert_allclose([r["lo90"] for r in json.loads(out)], frame["lo90"], atol=1e-12)


def test_the_log_reads_as_written(flagship):
    from bayes.analysis.tracking import evidence_frame, load_evidence

    frame = evidence_frame(flagship, load_evidence(flagship))
    first = frame.iloc[0]
    assert (first["date"], first["variable"], first["observed"]) == ("2020-08-10", "turkey_backing_of_baku",
                                                                     "report: direct_military_backing=2")
    assert "escalates_to_wider_war" in frame["observed"].tolist()
