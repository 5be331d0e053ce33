"""The notebooks' generated sentences (bayes.outputs.narrative) against the numbers they report, the pickers that
choose what a notebook shows for any model (bayes.analysis.scenarios), and clear errors for unknown names."""

import re

import pytest
from tiny import TINY

import bayes
from bayes.outputs import narrative
from bayes.analysis.sensitivity import change_the_call, sensitivity
from bayes.analysis.scenarios import default_target, example_tables, headline_rows, headline_states, named_scenarios, observe_versus_force, outcomes_now, parse_target, scenario_drivers, scenario_outcome, strongest_scenario
from bayes.analysis.indicators import indicators, watchable
from bayes.errors import QueryError
from bayes.modelfile.scales import describe
from bayes.exchange.synthetic import write_random_model

TARGET = "escalation=escalates_to_wider_war"

# TINY without outcomes, scenarios, claims or anything observable: every notebook must still run on it
BARE = TINY.split("outcomes:")[0].replace("rationale: {claims: [T1]}", "rationale: {assumption: textbook number}")

CHAIN = """\
format: bayes-model/1
model: {title: Chain, source: tests, as_of: 2024-01, author: tests}
variables:
  cause:
    description: The root.
    states: [low, high]
    table:
      - probabilities: {low: 0.7, high: 0.3}
        rationale: {assumption: test}
  middle:
    description: Caused by the root, the only way it reaches the end.
    states: [off, on]
    parents: [cause]
    observable: true
    table:
      - given: {cause: low}
        probabilities: {off: 0.8, on: 0.2}
        rationale: {assumption: test}
      - given: {cause: high}
        probabilities: {off: 0.3, on: 0.7}
        rationale: {assumption: test}
  end:
    description: The outcome.
    states: [no, yes]
    parents: [middle]
    table:
      - given: {middle: off}
        probabilities: {no: 0.9, yes: 0.1}
        rationale: {assumption: test}
      - given: {middle: on}
        probabilities: {no: 0.4, yes: 0.6}
        rationale: {assumption: test}
outcomes:
  - end: yes
"""


@pytest.fixture
def bare(write_model):
    return bayes.load(write_model(BARE, "bare.yaml"))


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    return bayes.load(write_random_model(tmp_path_factory.mktemp("gen") / "generated.yaml", seed=0))


# ------------------------------------------------------------------------------------- targets

def test_default_target_is_the_first_headline_outcome(flagship, generated, bare):
    assert default_target(flagship) == TARGET
    first = generated.spec.outcomes[0]
    assert default_target(generated) == f"{first}={generated.spec.headline_states[first]}"
    # no outcomes listed: the last variable of the file, in its last state
    assert default_target(bare) == "wet_grass=wet"
    assert headline_states(bare) == {"wet_grass": "wet"}
    assert parse_target(bare, None) == ("wet_grass", "wet")


def test_unknown_names_are_named_with_the_known_ones(flagship):
    with pytest.raises(QueryError, match=r"unknown variable 'weather'; known variables: azerbaijan_alignment, "):
        parse_target(flagship, "weather=rain")
    with pytest.raises(QueryError, match=r"unknown state 'maybe' of 'escalation'; expected one of: contained, "
                                         r"escalates_to_wider_war"):
        parse_target(flagship, "escalation=maybe")
    with pytest.raises(QueryError, match="VARIABLE=STATE"):
        parse_target(flagship, "escalation")
    for helper in (sensitivity, indicators, change_the_call, observe_versus_force, strongest_scenario, watchable):
        with pytest.raises(QueryError, match="unknown state 'maybe' of 'escalation'"):
            helper(flagship, "escalation=maybe")
        with pytest.raises(QueryError, match="unknown variable 'weather'"):
            helper(flagship, "weather=rain")


def test_scenario_helpers_refuse_unknown_names(flagship):
    scenarios = flagship.scenarios()
    with pytest.raises(QueryError, match="unknown variable 'weather'; known variables:"):
        scenario_outcome(flagship, scenarios, "weather", "rain")
    with pytest.raises(QueryError, match="unknown state 'maybe' of 'escalation'; expected one of: contained"):
        scenario_outcome(flagship, scenarios, "escalation", "maybe")
    # a scenarios table computed for other variables is not silently empty
    with pytest.raises(QueryError, match="no rows for 'escalation'.*holds russia_stance"):
        scenario_outcome(flagship, flagship.scenarios(["russia_stance"]), "escalation", "escalates_to_wider_war")
    with pytest.raises(QueryError, match="no rows for 'escalation'"):
        headline_rows(flagship, flagship.scenarios(["russia_stance"]))
    with pytest.raises(QueryError, match="unknown scenario 'nope'; known scenarios: baseline, baku_turns_west"):
        scenario_drivers(flagship, TARGET, "nope")
    with pytest.raises(QueryError, match="scenario 'baseline' observes and forces nothing"):
        scenario_drivers(flagship, TARGET, "baseline")


def test_explorer_data_refuses_unknown_names(flagship):
    from bayes.outputs.explorer import explorer_data

    with pytest.raises(QueryError, match="unknown variable 'weather'"):
        explorer_data(flagship, "weather", "rain")
    with pytest.raises(QueryError, match="unknown state 'maybe' of 'escalation'"):
        explorer_data(flagship, "escalation", "maybe")
    with pytest.raises(QueryError, match="unknown variable 'weather'"):
        explorer_data(flagship, "escalation", "contained", observe={"weather": "rain"})
    with pytest.raises(QueryError, match="unknown state 'maybe' of 'russia_stance'"):
        explorer_data(flagship, "escalation", "contained", do={"russia_stance": "maybe"})


def test_nothing_observable_is_a_clear_error(bare, bayes_cli):
    for helper in (indicators, change_the_call, watchable):
        with pytest.raises(QueryError, match="no variable of bare is marked observable: true"):
            helper(bare, "wet_grass=wet")
    code, out, err = bayes_cli("indicators", bare.spec.path, "wet_grass=wet")
    assert code == 2 and out == ""
    assert "no variable of bare is marked observable: true" in err and "Traceback" not in err
    assert err.count("\n") == 1


def test_nothing_left_to_watch_says_why(write_model):
    model = bayes.load(write_model(CHAIN, "chain.yaml"))
    with pytest.raises(QueryError, match=r"nothing observable is left to watch for 'end': .*\(middle\)"):
        indicators(model, "end=yes", given={"middle": "on"})


# ------------------------------------------------------------------------------------- pickers

def test_example_tables_and_named_scenarios(flagship, generated, bare):
    assert example_tables(flagship) == ("baku_rhetoric_toward_russia", "russia_stance")
    full, built = example_tables(generated)
    assert generated.spec.variables[full].parents and not generated.spec.variables[full].builder
    assert generated.spec.variables[built].builder == "log_odds"
    assert example_tables(bare) == ("sprinkler", None)
    assert "baseline" not in named_scenarios(flagship) and len(named_scenarios(flagship)) == 7
    assert named_scenarios(bare) == []


def test_observe_versus_force_against_queries(flagship):
    pairs = observe_versus_force(flagship, TARGET)
    assert set(pairs["variable"]) <= {"baku_rhetoric_toward_russia", "outside_powers_challenge", "russia_stance",
                                      "russia_brokered_talks"}
    assert pairs["difference"].abs().is_monotonic_decreasing
    for _, row in pairs.head(3).iterrows():
        assert row["observed"] == pytest.approx(flagship.probability(TARGET, given={row["variable"]: row["state"]}),
                                                abs=1e-12)
        assert row["forced"] == pytest.approx(flagship.probability(TARGET, do={row["variable"]: row["state"]}),
                                              abs=1e-12)
    text = narrative.observe_force_text(flagship, pairs, TARGET)
    top = pairs.iloc[0]
    assert f"observed {top['observed']:.1%} and forced {top['forced']:.1%}" in text
    assert f"differ by {abs(top['difference']) * 100:.1f} percentage points" in text


def test_observing_and_forcing_agree_in_a_chain(write_model):
    """A -> X -> T: seeing X and forcing X give the same P(T), and the text must not claim a difference."""
    model = bayes.load(write_model(CHAIN, "chain.yaml"))
    pairs = observe_versus_force(model, "end=yes")
    assert list(pairs["variable"]) == ["middle", "middle"]
    assert pairs["difference"].abs().max() < 1e-12
    text = narrative.observe_force_text(model, pairs, "end=yes")
    assert "agree to the precision shown" in text and "differ" not in text
    assert "observed 60.0% and forced 60.0%" in text or "observed 10.0% and forced 10.0%" in text


def test_observe_versus_force_with_nothing_upstream(bare, write_model):
    roots_only = BARE.replace("    parents: [rain]\n", "").replace("      - given: {rain: no}\n        probabilities: {off: 0.6, on: 0.4}\n        rationale: {assumption: textbook number}\n      - given: {rain: yes}\n        probabilities: {off: 0.99, on: 0.01}", "      - probabilities: {off: 0.6, on: 0.4}")
    model = bayes.load(write_model(roots_only, "roots.yaml"))
    pairs = observe_versus_force(model, "wet_grass=wet")
    assert pairs.empty
    assert "No variable upstream of wet grass has causes of its own" in narrative.observe_force_text(model, pairs)


def test_strongest_scenario_moves_the_target_most(flagship):
    var, state = TARGET.split("=")
    p0 = flagship.probability(TARGET)
    shifts = {name: abs(flagship.probability(TARGET, given=sc.observe, do=sc.do) - p0)
              for name, sc in flagship.spec.scenarios.items()
              if (sc.observe or sc.do) and var not in sc.observe and var not in sc.do}
    assert strongest_scenario(flagship, TARGET) == max(shifts, key=shifts.get)
    assert strongest_scenario(flagship, "russia_stance=balancing_mediator") not in ("russia_sides_with_armenia", None)


def test_outcomes_now_are_the_prior_marginals(flagship, bare):
    rows = outcomes_now(flagship)
    assert list(rows["outcome"]) == [f"{v}={s}" for v, s in flagship.spec.headline_states.items()]
    for _, r in rows.iterrows():
        assert r["probability"] == pytest.approx(flagship.probability(r["outcome"]), abs=1e-12)
    assert list(outcomes_now(bare)["outcome"]) == ["wet_grass=wet"]
    title = narrative.outcomes_now_title(flagship, rows)
    top = rows.loc[rows["probability"].idxmax()]
    assert describe(top["probability"], flagship.scale) in title.replace("\n", " ")


# ------------------------------------------------------------------------------------- sentences

def test_introduction_and_counts(flagship, bare):
    text = narrative.introduction(flagship)
    assert flagship.spec.title in text and "25 claims" in text and "7 named scenarios" in text
    assert "13 variables (13 observable)" in text and "**Escalation: a wider war**" in text
    text = narrative.introduction(bare)
    assert "0 named scenarios, 0 claims" in text and "lists no outcomes" in text and "**wet grass**" in text


def test_table_texts_quote_the_file(flagship, generated, bare):
    assert "one row for each combination of Baku's alignment (2 rows)" in \
        narrative.full_table_text(flagship, "baku_rhetoric_toward_russia")
    text = narrative.builder_text(flagship, "russia_stance")
    assert "log odds" in text and "Baku's alignment: turns West makes 'sides with Armenia' " \
                                  "far more likely" in text
    text = narrative.builder_text(flagship, "caucasus_polarization")
    assert "noisy or" in text and "'sharply polarized'" in text and "leak of 4-12%" in text
    text = narrative.builder_text(flagship, "escalation")
    assert "For example, Russian-brokered talks: no talks makes 'a wider war' much more likely" in text
    _, built = example_tables(generated)
    assert generated.spec.variables[built].display in narrative.builder_text(generated, built)
    assert narrative.no_example(bare, "builder") == ("No variable of bare uses a table builder: every table is "
                                                     "written out in full.")


def test_claims_and_scenarios_sentences(flagship, bare):
    claims = flagship.check()
    assert narrative.claims_text(flagship, claims) == f"{int(claims['passed'].sum())} of 25 claims hold at the model's numbers."
    drawn = flagship.check(draws=200, seed=1)
    fragile = ", ".join(drawn.loc[drawn["fragile"], "id"]) or "none"
    assert narrative.claims_text(flagship, drawn).endswith(f"Fragile (hold in under 80% of parameter draws): {fragile}.")
    assert narrative.claims_text(bare, bare.check()).startswith("bare has no claims ledger")
    assert narrative.claims_text(bare, bare.check(draws=200)).startswith("bare has no claims ledger")
    assert narrative.scenarios_text(flagship) == ("7 named scenarios besides the baseline: 5 observe a development, "
                                                  "2 force one (an intervention).")
    assert narrative.scenarios_text(bare).startswith("bare names no scenarios")


def test_uncertainty_text_names_the_widest_interval(flagship):
    q = flagship.query(["escalation", "russia_stance"], draws=300, seed=3)
    widest = q.assign(w=q["hi90"] - q["lo90"]).sort_values("w", ascending=False).iloc[0]
    text = narrative.uncertainty_text(flagship, q, 300)
    assert describe(widest["probability"], flagship.scale, widest["lo90"], widest["hi90"]) in text
    assert text.startswith("Over 300 draws")


def test_sensitivity_and_call_sentences(flagship):
    table = sensitivity(flagship, TARGET)
    title = narrative.tornado_title(flagship, table, TARGET).replace("\n", " ")
    assert describe(flagship.probability(TARGET), flagship.scale) in title
    assert f"swings it {table['swing'].iloc[0] * 100:.0f} points" in title
    ind = indicators(flagship, TARGET)
    lines = narrative.indicator_lines(flagship, ind, TARGET)
    assert lines == ind.loc[ind["band_changes"], "sentence"].tolist() and lines
    calls = change_the_call(flagship, TARGET)
    top = calls.iloc[0]
    text = narrative.change_text(flagship, calls, TARGET)
    assert f"{describe(top['target_now'], flagship.scale)} to {describe(top['target_if'], flagship.scale)}" in text
    empty = narrative.change_text(flagship, calls.iloc[0:0], TARGET)
    assert empty.startswith("No set of up to 3 observable findings moves Escalation: a wider war out of 'unlikely'")


def test_indicator_lines_when_no_band_changes(write_model):
    # P(end=yes | middle) = 0.25 or 0.35: 'unlikely' (20-45%) whatever is seen, and 0.285 now
    weak = CHAIN.replace("probabilities: {no: 0.9, yes: 0.1}", "probabilities: {no: 0.75, yes: 0.25}")
    weak = weak.replace("probabilities: {no: 0.4, yes: 0.6}", "probabilities: {no: 0.65, yes: 0.35}")
    model = bayes.load(write_model(weak, "weak.yaml"))
    ind = indicators(model, "end=yes")
    assert not ind["band_changes"].any()
    assert ind["target_now"].iloc[0] == pytest.approx(0.65 * 0.25 + 0.35 * 0.35)
    assert narrative.indicator_lines(model, ind, "end=yes") == [
        "No single observation of middle would move end: yes out of 'unlikely'."]


def test_drivers_sentence(flagship, bare):
    scenario = strongest_scenario(flagship, TARGET)
    drivers = scenario_drivers(flagship, TARGET, scenario)
    text = narrative.drivers_text(flagship, drivers, scenario)
    sc = flagship.spec.scenarios[scenario]
    assert sc.display in text and describe(drivers["scenario_value"].iloc[0], flagship.scale) in text
    assert f"({drivers['contribution'].iloc[0] * 100:+.1f} points)" in text
    assert strongest_scenario(bare, "wet_grass=wet") is None
    assert narrative.no_drivers_text(bare) == "bare names no scenarios, so there is no scenario to take apart."


def test_tracking_sentences(flagship, bare, tmp_path):
    from bayes.analysis.tracking import data_path, history

    path = data_path(bare, "evidence")
    assert narrative.missing_file_text(bare, path, "evidence log", "the timeline is") == \
        f"No evidence log for bare: looked for {path}; the timeline is skipped."
    empty = tmp_path / "empty.csv"
    empty.write_text("date,variable,state,likelihood,source,note\n")
    assert "has no rows yet" in narrative.missing_file_text(bare, empty, "evidence log", "the timeline is")
    hist = history(flagship, variables=["escalation"])
    rows = hist[hist["state"] == "escalates_to_wider_war"]
    title = narrative.timeline_title(flagship, hist, TARGET).replace("\n", " ")
    assert f"{describe(rows['probability'].iloc[0], flagship.scale)} at the assessment" in title
    assert f"{describe(rows['probability'].iloc[-1], flagship.scale)} after the last update" in title


def test_briefing_texts(flagship, bare):
    assert narrative.briefing_header(flagship).startswith(f"# Briefing: {flagship.title}")
    text = narrative.headline_intro(flagship, 2000)
    assert "ICD 203" in text and "2,000 draws" in text and "Escalation: a wider war" in text
    text = narrative.headline_intro(bare)
    assert "lists no outcomes" in text and "names no scenarios" in text


def test_no_flagship_names_in_sentences_about_another_model(flagship, generated):
    """Every sentence about the generated model is built from its own file: no flagship name leaks in."""
    target = default_target(generated)
    full, built = example_tables(generated)
    scenario = strongest_scenario(generated, target)
    texts = [narrative.introduction(generated), narrative.full_table_text(generated, full),
             narrative.builder_text(generated, built), narrative.claims_text(generated, generated.check()),
             narrative.scenarios_text(generated), narrative.target_line(generated),
             narrative.observe_force_text(generated, observe_versus_force(generated), target),
             narrative.tornado_title(generated, sensitivity(generated, target), target),
             *narrative.indicator_lines(generated, indicators(generated, target), target),
             narrative.change_text(generated, change_the_call(generated, target), target),
             narrative.drivers_text(generated, scenario_drivers(generated, target, scenario), scenario),
             narrative.headline_intro(generated), narrative.briefing_header(generated),
             narrative.outcomes_now_title(generated, outcomes_now(generated))]
    names = {*flagship.variables, *(s for v in flagship.variables for s in flagship.states(v)),
             *flagship.spec.scenarios} - {"baseline"}
    text = "\n".join(texts).lower()
    leaked = [n for n in names if re.search(rf"\b{re.escape(n)}\b", text)
              or re.search(rf"\b{re.escape(n.replace('_', ' '))}\b", text)]
    assert leaked == []
