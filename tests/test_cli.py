import io
import json
import subprocess

import pytest
from brute import posterior

import bayes
from bayes.modelfile.locate import resolve_model_path


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
    b = bayes_cli("query", str(resolve_model_path("caucasus_2020")), "escalation", "--format", "json")[1]
    assert a == b


COMMANDS = ["check", "query", "scenarios", "sensitivity", "indicators", "log", "history", "score", "export", "import",
            "cpt", "describe", "words", "models", "brief", "new", "coverage", "pool", "diff", "disagreement"]


def test_every_command_is_covered():
    from bayes.cli import COMMANDS as registered

    assert set(registered) == set(COMMANDS)


def test_help_examples_work_when_pasted(bayes_cli, tmp_path, monkeypatch):
    """Each command's --help example, pasted as is into a fresh directory, runs and exits 0 (in order, so
    import finds the file export wrote). `brief` runs the whole notebook: `make brief` and the notebook
    tests cover it, so here its example is only checked for the model name."""
    import shlex

    monkeypatch.chdir(tmp_path)
    for command in COMMANDS:
        code, out, _ = bayes_cli(*([command, "--help"] if command != "log" else ["log", "add", "--help"]))
        assert code == 0 and "example:" in out, command
        example = out.split("example:")[1].strip().splitlines()[0]
        args = shlex.split(example)
        assert args[0] == "bayes" and args[1] == command, example
        if command == "brief":
            assert args[2:] == ["caucasus_2020"]
            continue
        code, stdout, err = bayes_cli(*args[1:])
        assert code == 0, (example, err)
        assert stdout.strip(), example
    assert (tmp_path / "my_log.csv").is_file() and (tmp_path / "imported.yaml").is_file()


def test_console_script_runs(bayes_exe):
    proc = subprocess.run([bayes_exe, "check", "caucasus_2020", "--format", "json"], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert len(json.loads(proc.stdout)) >= 12


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def _run_with_stderr(stderr, *args):
    import contextlib

    from bayes.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(stderr):
        code = main(list(args))
    return code, out.getvalue(), stderr.getvalue()


def test_progress_bar_on_a_terminal_only():
    args = ("query", "caucasus_2020", "escalation", "--draws", "60000", "--format", "json")
    code, shown, err = _run_with_stderr(_Terminal(), *args)
    assert code == 0 and "/60.0k" in err and "draws/s" in err  # a bar counting the 60,000 draws
    assert err.rstrip(" ").endswith("\r")  # and wiped at the end, so the results are not interleaved with it
    code, piped, err = _run_with_stderr(io.StringIO(), *args)
    assert code == 0 and err == "" and piped == shown  # piped: same results, nothing else
    code, quiet, err = _run_with_stderr(_Terminal(), "--quiet", *args)
    assert code == 0 and err == "" and quiet == shown
    code, _, err = _run_with_stderr(_Terminal(), "query", "caucasus_2020", "escalation", "--draws", "500")
    assert code == 0 and err == ""  # small runs finish before a bar would help


def test_console_script_is_quiet_when_piped(bayes_exe):
    proc = subprocess.run([bayes_exe, "query", "caucasus_2020", "escalation", "--draws", "60000"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and proc.stderr == "" and "escalation" in proc.stdout


def test_too_few_draws_for_an_interval_is_refused(bayes_cli, flagship):
    code, _, err = bayes_cli("query", "caucasus_2020", "escalation", "--draws", "1")
    assert code == 2 and err.count("\n") == 1 and "at least 20 draws" in err
    with pytest.raises(bayes.errors.QueryError, match="from 20 to"):
        flagship.query(["escalation"], draws=5)
    assert bayes_cli("query", "caucasus_2020", "escalation", "--draws", "20")[0] == 0


def test_a_closed_pipe_is_not_an_error(bayes_exe, tmp_path):
    """`bayes describe big.yaml | head -1`: the reader stops early, with far more than a pipe's buffer
    unread; bayes exits 0 without a message."""
    lines = ["format: bayes-model/1", "model: {title: chain, source: s, as_of: 2020-07, author: a}", "variables:"]
    for i in range(2000):
        given = f"\n    parents: [v{i - 1}]\n    array: {{axes: [v{i - 1}, v{i}], values: '0.9 0.1 0.2 0.8', " \
                "rationale: {assumption: t}}" if i else "\n    table: {probabilities: {a: 0.5, b: 0.5}, rationale: {assumption: t}}"
        lines.append(f"  v{i}:\n    description: a long enough description to fill the pipe\n    states: [a, b]{given}")
    path = tmp_path / "chain.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    proc = subprocess.Popen([bayes_exe, "describe", str(path), "--format", "csv"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    assert proc.stdout.readline().startswith(b"variable,")
    proc.stdout.close()
    assert proc.wait(timeout=120) == 0 and proc.stderr.read() == b""


def test_words_explains_strength_words_and_points_to_the_right_scale(bayes_cli):
    code, out, _ = bayes_cli("words", "much_more", "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["word"] == "much more likely" and (data["low"], data["high"]) == (3.0, 7.0)
    assert data["claim_threshold"] == 3.0 and data["odds_ratio"] == pytest.approx(21 ** 0.5)
    code, out, _ = bayes_cli("words", "slightly less likely")
    assert code == 0 and "0.526-0.833" in out and "direction only (odds ratio below 1)" in out
    code, _, err = bayes_cli("words", "highly unlikely")
    assert code == 2 and "it is a term of --scale phia" in err


def test_a_missing_source_file_points_at_its_line(write_model, bayes_cli):
    from tiny import TINY

    path = write_model(TINY.replace("  author: tests\n", "  author: tests\n  source_file: articel.txt\n"))
    code, _, err = bayes_cli("check", path)
    assert code == 2 and err.startswith(f"ERROR: {path}:7: source_file 'articel.txt' is not a file")
