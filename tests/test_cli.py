import json
import subprocess

import pytest
from brute import posterior

import bayes


def test_check_json(bayes_cli):
    code, out, err = bayes_cli("check", "caucasus_2020", "--format", "json")
    assert code == 0, err
    rows = json.loads(out)
    assert len(rows) >= 12
    assert all(r["passed"] is True for r in rows)
    for r in rows:
        assert {"id", "passed", "form"} <= set(r)
        assert r["form"].startswith("P(") or r["form"].startswith("max over")
    comparisons = [r for r in rows if r["kind"] in ("more_likely", "less_likely")]
    assert all(isinstance(r["p_if"], float) and isinstance(r["p_than"], float) for r in comparisons)


def test_check_table_lists_every_claim(bayes_cli, flagship):
    code, out, _ = bayes_cli("check", "caucasus_2020")
    assert code == 0
    for cid in flagship.spec.claims:
        assert cid in out
    assert f"{len(flagship.spec.claims)} of {len(flagship.spec.claims)} claims pass" in out


def test_query_json_and_do_differs_from_plain(bayes_cli, flagship):
    code, out, _ = bayes_cli("query", "caucasus_2020", "escalation", "--format", "json")
    plain = {r["state"]: r["probability"] for r in json.loads(out)}
    assert code == 0
    code, out, _ = bayes_cli("query", "caucasus_2020", "escalation", "--do", "russia_stance=sides_with_armenia",
                             "--format", "json")
    forced = {r["state"]: r["probability"] for r in json.loads(out)}
    assert code == 0
    assert plain["escalates_to_wider_war"] == pytest.approx(posterior(flagship.spec, "escalation")[1], abs=1e-9)
    expected = posterior(flagship.spec, "escalation", {}, {"russia_stance": "sides_with_armenia"})[1]
    assert forced["escalates_to_wider_war"] == pytest.approx(expected, abs=1e-9)
    assert abs(forced["escalates_to_wider_war"] - plain["escalates_to_wider_war"]) > 0.05


def test_query_given_and_do_together_csv(bayes_cli, flagship):
    code, out, _ = bayes_cli("query", "caucasus_2020", "azerbaijan_alignment", "--given",
                             "escalation=escalates_to_wider_war", "--do", "russia_brokered_talks=no_russia_brokered_talks",
                             "--format", "csv")
    assert code == 0
    lines = out.strip().splitlines()
    assert lines[0] == "variable,state,probability"
    value = float(lines[2].split(",")[2])
    expected = posterior(flagship.spec, "azerbaijan_alignment", {"escalation": "escalates_to_wider_war"},
                         {"russia_brokered_talks": "no_russia_brokered_talks"})[1]
    assert value == pytest.approx(expected, abs=1e-9)


def test_query_table_shows_words_and_numbers(bayes_cli, flagship):
    code, out, _ = bayes_cli("query", "caucasus_2020", "russia_brokered_talks")
    assert code == 0
    p = posterior(flagship.spec, "russia_brokered_talks")[0]
    assert f"{flagship.scale.term(p)} ({p:.0%})" in out and f"({1 - p:.0%})" in out


def test_scenarios_json(bayes_cli, flagship):
    code, out, _ = bayes_cli("scenarios", "caucasus_2020", "--format", "json")
    assert code == 0
    rows = json.loads(out)
    assert {"scenario", "variable", "state", "probability"} <= set(rows[0])
    assert [r["scenario"] for r in rows][0] == "baseline"
    assert {r["scenario"] for r in rows} == set(flagship.scenario_names())
    worst = [r for r in rows if r["scenario"] == "worst_case" and r["state"] == "escalates_to_wider_war"][0]
    sc = flagship.spec.scenarios["worst_case"]
    assert worst["probability"] == pytest.approx(posterior(flagship.spec, "escalation", sc.observe, sc.do)[1], abs=1e-9)


def test_scenarios_table_is_headline(bayes_cli, flagship):
    code, out, _ = bayes_cli("scenarios", "caucasus_2020")
    assert code == 0
    p = posterior(flagship.spec, "escalation")[1]
    baseline = [line for line in out.splitlines() if line.startswith("baseline")][0]
    assert f"{flagship.scale.term(p)} ({p:.0%})" in baseline


def test_cpt_rows_are_labelled_by_parent_states(bayes_cli, flagship):
    code, out, _ = bayes_cli("cpt", "caucasus_2020", "armenia_csto_expectations", "--format", "json")
    assert code == 0
    rows = json.loads(out)
    row = [r for r in rows if r["russia_stance"] == "sides_with_azerbaijan"][0]
    assert row["feels_let_down"] == 0.97 and row["expectations_met"] == 0.03
    # a builder's table is shown the same way: escalation's log-odds rows, by parent state names
    code, out, _ = bayes_cli("cpt", "caucasus_2020", "escalation", "--format", "json")
    rows = json.loads(out)
    base = [r for r in rows if r["russia_brokered_talks"] == "russia_brings_sides_to_table"
            and r["turkey_backing_of_baku"] == "political_support"][0]
    assert base["escalates_to_wider_war"] == pytest.approx(0.125)  # "very unlikely": midpoint of 5-20%


def test_describe_and_models(bayes_cli):
    code, out, _ = bayes_cli("describe", "caucasus_2020")
    assert code == 0 and "russia_stance" in out and "worst_case" in out
    code, out, _ = bayes_cli("models", "--format", "json")
    assert code == 0 and "caucasus_2020" in json.loads(out)


def test_model_by_path_and_by_name_agree(bayes_cli):
    a = bayes_cli("query", "caucasus_2020", "escalation", "--format", "json")[1]
    b = bayes_cli("query", str(bayes.modelfile.resolve_model_path("caucasus_2020")), "escalation", "--format", "json")[1]
    assert a == b


@pytest.mark.parametrize("command", ["check", "query", "scenarios", "cpt", "describe", "models", "brief", "words",
                                     "sensitivity", "indicators", "log", "history", "score"])
def test_help_has_an_example(bayes_cli, command):
    code, out, _ = bayes_cli(command, "--help")
    assert code == 0
    assert "example:" in out and f"bayes {command}" in out


def test_console_script_runs(bayes_exe):
    proc = subprocess.run([bayes_exe, "check", "caucasus_2020", "--format", "json"], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert len(json.loads(proc.stdout)) >= 12
