"""bayes diff, pool and disagreement (bayes/analysis/revisions/): numbers against plain queries of each file, hand
computations and brute-force enumeration; the git paths in a temporary repository; notebook 05 headless."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml
from brute import posterior

import bayes
from bayes.analysis import revisions
from bayes.inference.claims import evaluate_claims
from bayes.errors import BayesInputError
from bayes.modelfile.spec import BASELINE
from bayes.inference.network import table_array
from bayes.modelfile.yamlfile import load_yaml_text

ROOT = Path(__file__).resolve().parent.parent
FLAGSHIP = ROOT / "data" / "models" / "caucasus_2020.yaml"
RIVER = ROOT / "data" / "models" / "river_ceasefire.yaml"
OLD_ROW = "probabilities: {russia_west_cooperation_continues: 0.95, becomes_rivalry_theatre: 0.05}"
NEW_ROW = "probabilities: {russia_west_cooperation_continues: 0.75, becomes_rivalry_theatre: 0.25}"
CHANGED = "karabakh_rivalry_theatre"
GIVEN = "russia_stance=balancing_mediator, caucasus_polarization=no_sharp_polarization"


def _scenario(spec, name):
    sc = spec.scenarios.get(name)
    return (sc.observe, sc.do) if sc else ({}, {})


def _plain(model, outcome, scenario):
    """The plain query: P(outcome) under a scenario of the model's own file."""
    observe, do = _scenario(model.spec, scenario)
    return model.probability(outcome, given=observe, do=do)


def _cell(model, variable, parent_state, state):
    """P(variable=state | its one parent = parent_state) from the model's table."""
    v = model.spec.variables[variable]
    row = model.spec.states(v.parents[0]).index(parent_state)
    return float(table_array(v, model.spec)[row, v.states.index(state)])


@pytest.fixture(scope="module")
def revised(tmp_path_factory):
    """The flagship and a copy of it with one row changed (the text edited, nothing else)."""
    folder = tmp_path_factory.mktemp("revised")
    text = FLAGSHIP.read_text(encoding="utf-8")
    assert text.count(OLD_ROW) == 1
    old, new = folder / "caucasus_2020.yaml", folder / "revised.yaml"
    old.write_text(text, encoding="utf-8")
    new.write_text(text.replace(OLD_ROW, NEW_ROW), encoding="utf-8")
    return old, new


@pytest.fixture(scope="module")
def readings(tmp_path_factory, flagship):
    """Three analysts of the flagship: as written, every judgement at its low end, at its high end."""
    folder = tmp_path_factory.mktemp("readings")
    low, high = folder / "low_reader.yaml", folder / "high_reader.yaml"
    revisions.alternative_reading(flagship, "low", low)
    revisions.alternative_reading(flagship, "high", high)
    return [FLAGSHIP, low, high]


# ------------------------------------------------------------------------------------- diff

def test_diff_of_one_changed_row_names_it_and_its_effects_equal_plain_queries(revised):
    old_path, new_path = revised
    changes = revisions.diff(old_path, new_path)
    old, new = bayes.load(old_path), bayes.load(new_path)

    changed = changes[changes["section"] == "changed"]
    assert len(changed) == 1
    row = changed.iloc[0]
    assert (row["kind"], row["variable"], row["given"]) == ("row", CHANGED, GIVEN)
    assert row["item"] == f"{CHANGED} | {GIVEN}"
    assert row["old"] == {"russia_west_cooperation_continues": 0.95, "becomes_rivalry_theatre": 0.05}
    assert row["new"] == {"russia_west_cooperation_continues": 0.75, "becomes_rivalry_theatre": 0.25}
    assert row["old_rationale"] == row["new_rationale"] == "claims C20, C21"
    assert row["line"] == new.spec.variables[CHANGED].rows[0].line

    outcomes = changes[changes["kind"] == "outcome"]
    assert len(outcomes) == len(old.scenario_names()) * len(old.spec.outcomes)
    for _, r in outcomes.iterrows():
        a, b = _plain(old, r["outcome"], r["scenario"]), _plain(new, r["outcome"], r["scenario"])
        assert r["old"] == pytest.approx(a, abs=1e-12) and r["new"] == pytest.approx(b, abs=1e-12)
        assert r["effect"] == pytest.approx(b - a, abs=1e-12)
        assert r["band_changes"] == (old.scale.term(a) != new.scale.term(b))
    # only the changed row's descendants move; the biggest move is that row's own effect
    moved = outcomes[outcomes["effect"].abs() > 1e-9]
    assert set(moved["outcome"]) == {"karabakh_rivalry_theatre=becomes_rivalry_theatre"}
    assert row["effect"] == pytest.approx(moved["effect"].abs().max(), abs=1e-12)
    assert outcomes["effect"].abs().tolist() == sorted(outcomes["effect"].abs().tolist(), reverse=True)
    base = outcomes[(outcomes["scenario"] == BASELINE) & (outcomes["outcome"] == moved["outcome"].iloc[0])].iloc[0]
    p_old = posterior(old.spec, CHANGED)[1]
    assert base["old"] == pytest.approx(p_old, abs=1e-12)
    assert base["new"] == pytest.approx(posterior(new.spec, CHANGED)[1], abs=1e-12)

    # claims: C20 flips, C21 keeps passing with a new number; each side equals the claims check of its file
    checks = changes[changes["kind"] == "check"].set_index("item")
    before = {r.id: r for r in evaluate_claims(old)}
    after = {r.id: r for r in evaluate_claims(new)}
    assert before["C20"].passed and not after["C20"].passed
    assert checks.loc["C20", "effect_text"] == "pass -> FAIL" and checks.loc["C20", "band_changes"]
    assert checks.loc["C21", "effect"] == pytest.approx(after["C21"].probability - before["C21"].probability,
                                                        abs=1e-12)
    assert set(checks.index) == {c for c in before if (before[c].passed != after[c].passed)
                                 or abs(revisions.claim_margin(before[c]) - revisions.claim_margin(after[c])) > 1e-12}


def test_diff_cli_table_and_json(bayes_cli, revised):
    old_path, new_path = revised
    code, out, err = bayes_cli("diff", old_path, new_path)
    assert code == 1 and err == "1 claim that passed now fails: C20\n"  # as check does: C20 flips to FAIL
    assert f"row  P({CHANGED} |" in out and "claim C20: pass -> FAIL" in out
    assert "old: russia_west_cooperation_continues 0.95, becomes_rivalry_theatre 0.05   (claims C20, C21)" in out
    assert "BAND CHANGES" in out
    code, out, err = bayes_cli("diff", old_path, new_path, "--format", "json")
    assert code == 1, err
    records = json.loads(out)
    assert all({"kind", "item", "old", "new", "effect"} <= set(r) for r in records)
    row = records[0]
    assert row["kind"] == "row" and row["new"]["becomes_rivalry_theatre"] == 0.25 and row["effect"] > 0.1
    assert sum(r["kind"] == "outcome" for r in records) == 8 * 6
    code, out, _ = bayes_cli("diff", old_path, new_path, "--format", "csv")
    assert code == 1 and out.splitlines()[0].startswith("section,kind,item")


def test_diff_of_a_file_with_itself_changes_nothing(revised):
    old_path, _ = revised
    changes = revisions.diff(old_path, old_path)
    assert (changes["section"] == "effect").all()
    assert (changes["kind"] == "outcome").all() and (changes["effect"] == 0).all()


def test_diff_lists_structure_claim_and_scenario_changes(tmp_path, flagship):
    text = FLAGSHIP.read_text(encoding="utf-8")
    changed = (text.replace("    band: very unlikely\n  C02:", "    band: unlikely\n  C02:")
               .replace("    label: Baku turns West\n", "    label: Baku turns to the West\n"))
    path = tmp_path / "changed.yaml"
    path.write_text(changed, encoding="utf-8")
    changes = revisions.diff(FLAGSHIP, path)
    claim = changes[(changes["kind"] == "claim")].iloc[0]
    assert claim["item"] == "C01" and "20%, 45%" in claim["new"] and claim["effect_text"] == "what it tests changed"
    check = changes[(changes["kind"] == "check") & (changes["item"] == "C01")].iloc[0]
    assert check["effect_text"] == "pass -> FAIL"  # 12.5% is not 'unlikely' (20-45%)
    scenario = changes[changes["kind"] == "scenario"].iloc[0]
    assert (scenario["item"], scenario["effect_text"]) == ("baku_turns_west", "wording only")
    # a different model: variables added and removed, outcomes and scenarios only on one side
    other = revisions.diff(FLAGSHIP, RIVER)
    kinds = other.groupby("kind")["item"].apply(set)
    assert "ceasefire" in kinds["variable"] and "escalation" in kinds["variable"]
    only_old = other[(other["kind"] == "outcome") & other["new"].isna()]
    assert len(only_old) and (only_old["effect_text"] == "not in the new file").all()


# ------------------------------------------------------------------------------------- git

def _git(repo, *args):
    env = {"GIT_CONFIG_NOSYSTEM": "1", "HOME": str(repo), "PATH": "/usr/bin:/bin", "GIT_AUTHOR_NAME": "t",
           "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, env=env, timeout=120,
                          check=True).stdout


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """A temporary git repository holding the flagship, committed twice: then one row changed."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    folder = tmp_path / "repo"
    (folder / "models").mkdir(parents=True)
    _git(folder, "init", "-q")
    model = folder / "models" / "m.yaml"
    text = FLAGSHIP.read_text(encoding="utf-8")
    model.write_text(text, encoding="utf-8")
    _git(folder, "add", "models/m.yaml")
    _git(folder, "commit", "-qm", "as written")
    model.write_text(text.replace(OLD_ROW, NEW_ROW), encoding="utf-8")
    _git(folder, "commit", "-qam", "one row revised")
    monkeypatch.setenv("HOME", str(folder))  # no user configuration of the machine gets in
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    return folder, model


def test_diff_rev_reads_the_old_version_with_git_show(repo, bayes_cli, monkeypatch):
    folder, model = repo
    monkeypatch.chdir(folder / "models")
    head = _git(folder, "rev-parse", "HEAD")
    code, out, err = bayes_cli("diff", "m.yaml", "--rev", "HEAD~1", "--format", "json")
    assert code == 1, err  # C20 passed and now fails
    records = json.loads(out)
    assert records[0]["kind"] == "row" and records[0]["variable"] == CHANGED and records[0]["given"] == GIVEN
    old = revisions.read_revision(model, "HEAD~1")
    assert old.spec.path.endswith("m.yaml@HEAD~1")
    assert table_array(old.spec.variables[CHANGED], old.spec)[0, 0].tolist() == [0.95, 0.05]
    baseline = [r for r in records if r["kind"] == "outcome" and r["scenario"] == BASELINE
                and r["outcome"].startswith(CHANGED)][0]
    assert baseline["old"] == pytest.approx(bayes.load(FLAGSHIP).probability(f"{CHANGED}=becomes_rivalry_theatre"))
    # nothing checked out: the working tree, the index and HEAD are as they were
    assert _git(folder, "status", "--porcelain") == "" and _git(folder, "rev-parse", "HEAD") == head
    code, out, _ = bayes_cli("diff", "m.yaml", "--rev", "HEAD")  # the working file is HEAD: nothing flips
    assert code == 0 and "What changed: nothing" in out


@pytest.mark.parametrize("args, message", [
    (["m.yaml", "--rev", "no_such_branch"], "unknown revision 'no_such_branch'"),
    (["m.yaml", "--rev", "HEAD~7"], "unknown revision 'HEAD~7'"),
    (["m.yaml", "--rev", "--all"], "expected one argument"),
    (["m.yaml", "other.yaml", "--rev", "HEAD"], "give two model files"),
    (["m.yaml"], "give two model files"),
])
def test_diff_rev_bad_input_is_one_line(repo, bayes_cli, monkeypatch, args, message):
    folder, _ = repo
    monkeypatch.chdir(folder / "models")
    code, out, err = bayes_cli("diff", *args)
    assert code == 2 and out == "" and err.startswith("ERROR: ") and err.count("\n") == 1
    assert message in err


def test_diff_rev_outside_a_repository_or_for_an_untracked_file(repo, bayes_cli, tmp_path_factory):
    folder, model = repo
    outside = tmp_path_factory.mktemp("not_a_repo") / "m.yaml"
    shutil.copy(model, outside)
    code, _, err = bayes_cli("diff", outside, "--rev", "HEAD~1")
    assert code == 2 and "not in a git repository" in err and err.count("\n") == 1
    untracked = folder / "models" / "new.yaml"
    shutil.copy(model, untracked)
    code, _, err = bayes_cli("diff", untracked, "--rev", "HEAD")
    assert code == 2 and "the file is not in revision 'HEAD'" in err and err.count("\n") == 1


def test_git_diff_driver_shows_the_effects_when_configured(repo):
    """Configured only inside the temporary repository: .gitattributes plus diff.bayes.textconv."""
    folder, model = repo
    (folder / ".gitattributes").write_text("*.yaml diff=bayes\n", encoding="utf-8")
    _git(folder, "config", "diff.bayes.textconv", f"{sys.executable} -m bayes.cli diff --textconv")
    out = _git(folder, "diff", "HEAD~1", "HEAD", "--", "models/m.yaml")
    old, new = bayes.load(FLAGSHIP), bayes.load(model)
    event = f"{CHANGED}=becomes_rivalry_theatre"
    p_old, p_new = old.probability(event), new.probability(event)

    def printed(p):  # a tenth of a percent within half a point of an ICD 203 edge, else whole
        return f"{p:.1%}" if any(abs(p - e) < 0.005 for e in (0.05, 0.2, 0.45, 0.55, 0.8, 0.95)) else f"{p:.0%}"
    assert f"-outcome {event} | baseline: unlikely ({printed(p_old)}) [{p_old:.4f}]" in out
    assert f"+outcome {event} | baseline: unlikely ({printed(p_new)}) [{p_new:.4f}]" in out
    assert "-claim C20: pass" in out and "+claim C20: FAIL" in out
    assert f"-        {OLD_ROW}" in out and f"+        {NEW_ROW}" in out  # the file's own text follows
    plain = _git(folder, "diff", "--no-textconv", "HEAD~1", "HEAD", "--", "models/m.yaml")
    assert "outcome" not in plain and f"+        {NEW_ROW}" in plain


def test_textconv_of_a_broken_file_still_prints_its_text(tmp_path, bayes_cli):
    broken = tmp_path / "broken.yaml"
    broken.write_text("model: {title: x}\nvariables: [\n", encoding="utf-8")
    code, out, err = bayes_cli("diff", "--textconv", broken)
    assert code == 0, err
    assert out.startswith("# bayes: the model does not load: ") and out.endswith("variables: [\n")


def test_textconv_of_an_unreadable_file_prints_a_note_and_its_bytes(tmp_path, bayes_exe):
    """Not UTF-8, over the size cap: git's diff still gets the bytes (exit 0), after one note line."""
    latin = tmp_path / "latin.yaml"
    latin.write_bytes(b"model: {title: caf\xe9}\n")
    big = tmp_path / "big.yaml"
    big.write_bytes(b"# x\n" * 5_500_000)  # 22 MB: over the 20 MB cap
    for path, cause in ((latin, "is not UTF-8"), (big, "at most")):
        run = subprocess.run([bayes_exe, "diff", "--textconv", str(path)], capture_output=True, timeout=120)
        assert run.returncode == 0 and run.stderr == b""
        note, rest = run.stdout.split(b"\n# the file as written\n", 1)
        assert note.startswith(b"# bayes: not read as a model file: ") and cause.encode() in note
        assert rest == path.read_bytes()


# ------------------------------------------------------------------------------------- pool

TWO_VARIABLES = """\
format: bayes-model/1
model: {{title: Two variables, source: tests, as_of: 2024-01, author: {author}}}
variables:
  x:
    description: The cause.
    states: {x_states}
    table:
      - probabilities: {{a: {xa}, b: {xb}}}
        rationale: {{assumption: {author} says so}}
  y:
    description: The effect.
    states: [no, yes]
    parents: [x]
    table:
      - given: {{x: a}}
        probabilities: {{no: {ya_no}, yes: {ya_yes}}}
        rationale: {{claims: [{claim}]}}
      - given: {{x: b}}
        probabilities: {{no: {yb_no}, yes: {yb_yes}}}
        rationale: {{assumption: {author} again}}
outcomes:
  - y: yes
claims:
  {claim}:
    quote: "x makes y"
    form: more_likely
    outcome: {{y: yes}}
    if: {{x: a}}
    than: {{x: b}}
"""


def _two(path, author, xa, ya_yes, yb_yes, claim="K1", reverse=False):
    text = TWO_VARIABLES.format(author=author, xa=xa, xb=round(1 - xa, 10), ya_no=round(1 - ya_yes, 10), ya_yes=ya_yes,
                                yb_no=round(1 - yb_yes, 10), yb_yes=yb_yes, claim=claim,
                                x_states="[b, a]" if reverse else "[a, b]")
    path.write_text(text, encoding="utf-8")
    return path


def test_linear_and_log_pools_match_hand_computation(tmp_path):
    a = _two(tmp_path / "ann.yaml", "ann", 0.2, 0.9, 0.3)
    b = _two(tmp_path / "bob.yaml", "bob", 0.6, 0.5, 0.1, claim="K2", reverse=True)  # states listed b, a
    w = (0.25, 0.75)  # --weights 1,3
    linear = revisions.write_pool([a, b], tmp_path / "linear.yaml", weights="1,3")
    log = revisions.write_pool([a, b], tmp_path / "log.yaml", weights=[1, 3], method="log")

    def lin(p, q):
        return w[0] * p + w[1] * q

    def geo(p, q):  # two-state rows: normalise p^w q^w against the complement
        num = p ** w[0] * q ** w[1]
        return num / (num + (1 - p) ** w[0] * (1 - q) ** w[1])

    for path, f in ((tmp_path / "linear.yaml", lin), (tmp_path / "log.yaml", geo)):
        m = bayes.load(path)
        x = m.cpt("x")
        assert x.loc["(no parents)", "a"] == pytest.approx(f(0.2, 0.6), abs=1e-12)
        assert _cell(m, "y", "a", "yes") == pytest.approx(f(0.9, 0.5), abs=1e-12)
        assert _cell(m, "y", "b", "yes") == pytest.approx(f(0.3, 0.1), abs=1e-12)
        p_y = f(0.2, 0.6) * f(0.9, 0.5) + (1 - f(0.2, 0.6)) * f(0.3, 0.1)
        assert m.probability("y=yes") == pytest.approx(p_y, abs=1e-12)
        assert m.probability("y=yes") == pytest.approx(posterior(m.spec, "y")[1], abs=1e-12)
        assert set(m.spec.claims) == {"K1", "K2"}  # the union of the ledgers
    assert linear.weights.tolist() == [0.25, 0.75] and log.method == "log"
    text = (tmp_path / "linear.yaml").read_text(encoding="utf-8")
    first, second = bayes.load(tmp_path / "linear.yaml").spec.variables["y"].rows
    assert first.rationale.claims == ("K1", "K2") and "linear pool" in first.rationale.assumption
    assert "ann.yaml (weight 0.25)" in first.rationale.assumption
    assert "bob.yaml (weight 0.75)" in first.rationale.assumption
    assert first.rationale.note == "ann: claims K1 | bob: claims K2"  # bob's row for x=a, found by state name
    assert second.rationale.claims == ()
    assert second.rationale.note == "ann: assumption: ann again | bob: assumption: bob again"
    assert "linear pool" in text.splitlines()[0]


def test_log_pool_zeros_veto_and_zero_weights_abstain(tmp_path):
    a = _two(tmp_path / "a.yaml", "a", 0.5, 1.0, 0.5)  # y=no ruled out when x=a
    b = _two(tmp_path / "b.yaml", "b", 0.5, 0.4, 0.5)
    pooled = revisions.pool([a, b], method="log").model
    assert _cell(pooled, "y", "a", "no") == 0.0 and _cell(pooled, "y", "a", "yes") == 1.0
    linear = revisions.pool([a, b]).model
    assert _cell(linear, "y", "a", "yes") == pytest.approx(0.7, abs=1e-12)
    c = _two(tmp_path / "c.yaml", "c", 0.5, 0.0, 0.5)  # y=yes ruled out when x=a: the row is empty
    with pytest.raises(BayesInputError, match="logarithmic pool of the row of 'y' for x=a is empty"):
        revisions.pool([a, c], method="log")
    alone = revisions.pool([b, c], weights=[1, 0], method="log").model  # c abstains, its zero with it
    assert _cell(alone, "y", "a", "yes") == pytest.approx(0.4, abs=1e-12)


@pytest.mark.parametrize("method", ["linear", "log"])
@pytest.mark.parametrize("weights", [None, "1,3"])
def test_pooling_two_copies_gives_the_model_back(tmp_path, method, weights, generated_model):
    for source in (FLAGSHIP, RIVER, generated_model):
        original = bayes.load(source)
        copy = tmp_path / f"copy_of_{Path(source).name}"
        shutil.copy(source, copy)
        out = tmp_path / f"pooled_{Path(source).stem}_{method}.yaml"
        revisions.write_pool([source, copy], out, weights=weights, method=method, force=True)
        pooled = bayes.load(out)
        for v in original.variables:
            np.testing.assert_allclose(table_array(pooled.spec.variables[v], pooled.spec),
                                       table_array(original.spec.variables[v], original.spec), rtol=0, atol=1e-12)
        assert set(pooled.spec.claims) == set(original.spec.claims)
        assert set(pooled.spec.scenarios) == set(original.spec.scenarios)
        assert pooled.spec.headline_states == original.spec.headline_states
        assert [r.passed for r in evaluate_claims(pooled)] == [r.passed for r in evaluate_claims(original)]


@pytest.fixture(scope="module")
def generated_model(tmp_path_factory):
    from bayes.exchange.synthetic import write_random_model

    return write_random_model(tmp_path_factory.mktemp("generated") / "generated_long_labels.yaml", seed=3)


def test_pool_cli_writes_a_file_that_checks(bayes_cli, tmp_path):
    out = tmp_path / "pooled.yaml"
    code, stdout, err = bayes_cli("pool", FLAGSHIP, FLAGSHIP, "--weights", "2,1", "--method", "log", "-o", out)
    assert code == 0, err
    assert f"wrote {out}: log pool of 2 files (weights caucasus_2020 0.667, caucasus_2020_2 0.333)" in stdout
    code, _, err = bayes_cli("check", out)
    assert code == 0, err


def test_pool_conflicts_keep_the_first_definition_and_are_named(tmp_path, bayes_cli):
    from tiny import TINY

    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text(TINY, encoding="utf-8")
    b.write_text(TINY.replace("range: [0.1, 0.3]", "range: [0.15, 0.25]").replace(
        "    observe: {sprinkler: on}", "    observe: {sprinkler: off}"), encoding="utf-8")
    result = revisions.pool([a, b])
    assert result.conflicts == ["claim T2 differs between a and b; kept a's",
                                "scenario sprinkler_on differs between a and b; kept a's"]
    assert result.model.spec.claims["T2"].range == (0.1, 0.3)
    assert result.model.spec.scenarios["sprinkler_on"].observe == {"sprinkler": "on"}
    code, out, err = bayes_cli("pool", a, b, "-o", tmp_path / "p.yaml")
    assert code == 0 and err.count("\n") == 1 and err.startswith("WARNING: ") and "claim T2" in err
    assert "claim T2 differs between a and b" in (tmp_path / "p.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize("args, message", [
    ([str(FLAGSHIP), str(RIVER)], "the files do not share one structure: variable 'azerbaijan_alignment' is in"),
    ([str(FLAGSHIP)], "pooling needs at least two model files, got 1"),
    ([str(FLAGSHIP), str(FLAGSHIP), "--weights", "1"], "1 weight(s) for 2 model files"),
    ([str(FLAGSHIP), str(FLAGSHIP), "--weights", "1,2,3"], "3 weight(s) for 2 model files"),
    ([str(FLAGSHIP), str(FLAGSHIP), "--weights", "0,0"], "the weights must sum to a positive number"),
    ([str(FLAGSHIP), str(FLAGSHIP), "--weights", "2,-1"], "weights must be zero or positive"),
    ([str(FLAGSHIP), str(FLAGSHIP), "--weights", "a,b"], "weight 'a' is not a number"),
    ([str(FLAGSHIP), str(FLAGSHIP), "--weights", "nan,1"], "every weight must be a finite number"),
    ([str(FLAGSHIP), str(FLAGSHIP), "--method", "mean"], "invalid choice: 'mean'"),
    ([str(FLAGSHIP), "no_such_model"], "no model named 'no_such_model'"),
])
@pytest.mark.parametrize("command", ["pool", "disagreement"])
def test_pool_and_disagreement_bad_input_is_one_line(bayes_cli, tmp_path, command, args, message):
    extra = ["-o", str(tmp_path / "out.yaml")] if command == "pool" else []
    code, out, err = bayes_cli(command, *args, *extra)
    if command == "disagreement" and "pooling needs" in message:
        message = "a disagreement needs at least two model files, got 1"
    assert code == 2 and out == "" and err.startswith("ERROR: ") and err.count("\n") == 1, err
    assert message in err
    assert not (tmp_path / "out.yaml").exists()


def test_pool_states_in_another_order_and_a_parent_with_other_states(tmp_path):
    a = _two(tmp_path / "a.yaml", "a", 0.2, 0.9, 0.3)
    b = tmp_path / "b.yaml"
    b.write_text(a.read_text(encoding="utf-8").replace("states: [a, b]", "states: [a, c]").replace("b: 0.8", "c: 0.8")
                 .replace("{x: b}", "{x: c}"), encoding="utf-8")
    with pytest.raises(BayesInputError, match="the states of 'x' differ"):
        revisions.pool([a, b])
    existing = tmp_path / "exists.yaml"
    existing.write_text("keep me", encoding="utf-8")
    with pytest.raises(BayesInputError, match="already exists"):
        revisions.write_pool([a, a], existing)
    assert existing.read_text(encoding="utf-8") == "keep me"


# ------------------------------------------------------------------------------------- disagreement

def test_disagreement_table_matches_per_file_queries(readings):
    result = revisions.disagreement(readings)
    models = [bayes.load(p) for p in readings]
    pooled = revisions.pool(readings).model
    assert result.analysts == ["caucasus_2020", "low_reader", "high_reader"]
    spec = models[0].spec
    assert len(result.summary) == len(models[0].scenario_names()) * len(spec.outcomes)
    for _, row in result.summary.iterrows():
        own = [_plain(m, row["outcome"], row["scenario"]) for m in models]
        values = result.values[(result.values["scenario"] == row["scenario"])
                               & (result.values["outcome"] == row["outcome"])].set_index("analyst")["probability"]
        for name, p in zip(result.analysts, own):
            assert values[name] == pytest.approx(p, abs=1e-12)
        assert row["pooled"] == pytest.approx(_plain(pooled, row["outcome"], row["scenario"]), abs=1e-12)
        assert values["pooled"] == row["pooled"]
        assert row["spread"] == pytest.approx(max(own) - min(own), abs=1e-12)
        assert (row["low"], row["high"]) == (pytest.approx(min(own), abs=1e-12), pytest.approx(max(own), abs=1e-12))
        assert row["lowest"] == result.analysts[int(np.argmin(own))]
        assert row["outside"] == (row["pooled"] < min(own) - 1e-9 or row["pooled"] > max(own) + 1e-9)
    # every analyst's claims, as `bayes check` of that file says
    for name, m in zip(result.analysts, models):
        verdicts = result.claims[result.claims["analyst"] == name].set_index("claim")["passed"]
        assert verdicts.to_dict() == {r.id: r.passed for r in evaluate_claims(m)}
    assert not result.claims[result.claims["analyst"] == "caucasus_2020"]["passed"].isna().any()


def test_disagreement_drivers_are_row_swaps_requeried(readings):
    result = revisions.disagreement(readings)
    models = {name: bayes.load(p) for name, p in zip(result.analysts, readings)}
    drivers = result.drivers(top=3, scenario=BASELINE)
    assert set(drivers["outcome"]) == {f"{v}={s}" for v, s in models["caucasus_2020"].spec.headline_states.items()}
    assert (drivers.groupby("outcome").size() <= 3).all()
    for _, d in drivers.head(4).iterrows():
        into, source = models[d["into"]], models[d["source"]]
        table = table_array(into.spec.variables[d["variable"]], into.spec).copy()
        index = tuple(into.spec.states(p).index(s) for p, s in
                      (part.split("=") for part in d["given"].split(", ") if "=" in part))
        table[index] = table_array(source.spec.variables[d["variable"]], source.spec)[index]
        swapped = revisions.revised_copy(into, {d["variable"]: table})
        var, state = d["outcome"].split("=")
        assert d["before"] == pytest.approx(posterior(into.spec, var)[into.spec.states(var).index(state)], abs=1e-12)
        assert d["after"] == pytest.approx(posterior(swapped.spec, var)[into.spec.states(var).index(state)], abs=1e-12)
        assert d["shift"] == pytest.approx(d["after"] - d["before"], abs=1e-12)
    # the largest driver of each outcome is the largest swap of any row for it
    swaps = result.swaps[result.swaps["scenario"] == BASELINE]
    for outcome, group in drivers.groupby("outcome"):
        assert group["shift"].abs().max() == pytest.approx(swaps[swaps["outcome"] == outcome]["shift"].abs().max())


def test_disagreement_cli_json_table_and_csv(bayes_cli, readings, tmp_path):
    code, out, err = bayes_cli("disagreement", *readings, "--format", "json", "--top", "2")
    assert code == 0, err
    doc = json.loads(out)
    assert [a["name"] for a in doc["analysts"]] == ["caucasus_2020", "low_reader", "high_reader"]
    assert sum(a["weight"] for a in doc["analysts"]) == pytest.approx(1)
    first = doc["outcomes"][0]
    assert set(first["probabilities"]) == {"caucasus_2020", "low_reader", "high_reader"}
    assert first["spread"] == pytest.approx(max(first["probabilities"].values()) - min(first["probabilities"].values()))
    assert len(doc["claims"]) == 25 and {"C05", "C08"} <= {c["claim"] for c in doc["claims"]
                                                            if not c["passed"]["low_reader"]}
    chart = tmp_path / "spread.png"
    code, out, err = bayes_cli("disagreement", *readings, "--chart", chart)
    assert code == 0, err
    assert "P(escalation=escalates_to_wider_war):" in out and "what drives the spread under baseline" in out
    assert chart.stat().st_size > 10_000 and f"chart: {chart}" in err
    code, out, _ = bayes_cli("disagreement", *readings, "--format", "csv")
    assert code == 0 and out.splitlines()[0].startswith("scenario,scenario_label,outcome")


# ------------------------------------------------------------------------------------- alternative readings

READER = """\
format: bayes-model/1
model: {title: Reader, source: tests, as_of: 2024-01, author: tests}
variables:
  a:
    description: A root written with a range and a term.
    states: [one, two, three]
    table:
      - probabilities: {one: "20-40%", two: unlikely, three: rest}
        rationale: {assumption: written}
  b:
    description: A child of plain numbers, one of them zero.
    states: [no, yes]
    parents: [a]
    table:
      - given: {a: one}
        probabilities: {no: 0.7, yes: 0.3}
        rationale: {assumption: written}
      - given: {a: two}
        probabilities: {no: 1.0, yes: 0.0}
        rationale: {assumption: written}
      - given: {a: three}
        probabilities: {no: 0.45, yes: 0.55}
        rationale: {assumption: written}
  c:
    description: A log-odds child.
    states: [calm, war]
    parents: [b]
    builder:
      type: log_odds
      state: war
      baseline: 0.1
      effects:
        b: {yes: much more likely}
      rationale: {assumption: written}
"""


def test_alternative_readings_move_each_judgement_to_the_end_of_its_range(tmp_path):
    from scipy.stats import beta

    source = tmp_path / "reader.yaml"
    source.write_text(READER, encoding="utf-8")
    for position, t in (("low", 0.0), ("high", 1.0)):
        m = revisions.alternative_reading(source, position, tmp_path / f"{position}.yaml")
        a = m.cpt("a").iloc[0]
        one, two = 0.2 + 0.2 * t, 0.2 + 0.25 * t  # "20-40%", unlikely = 20-45%
        assert (a["one"], a["two"], a["three"]) == pytest.approx((one, two, 1 - one - two), abs=1e-12)
        # a plain number at that quantile of Beta(k p, k (1 - p)), k = 50; the row's most likely state takes the rest
        q = 0.05 + 0.9 * t
        assert _cell(m, "b", "one", "yes") == pytest.approx(beta.ppf(q, 15, 35), abs=1e-12)
        assert _cell(m, "b", "two", "yes") == 0.0  # an exact zero stays
        assert _cell(m, "b", "three", "no") == pytest.approx(beta.ppf(q, 22.5, 27.5), abs=1e-12)
        ratio = 3.0 if position == "low" else 7.0  # much more likely: 3-7
        base = beta.ppf(q, 5, 45)  # the plain baseline 0.1
        odds = base / (1 - base) * ratio
        assert _cell(m, "c", "yes", "war") == pytest.approx(odds / (1 + odds), abs=1e-12)
        assert _cell(m, "c", "no", "war") == pytest.approx(base, abs=1e-12)
        rationale = m.spec.variables["a"].rows[0].rationale
        assert f"at its {position} end" in rationale.assumption and rationale.note.endswith("assumption: written")
    with pytest.raises(BayesInputError, match="already exists"):
        revisions.alternative_reading(source, "low", tmp_path / "low.yaml")
    mid = revisions.reading_tables(source, 0.5)
    assert mid["a"].tolist() == pytest.approx([0.3, 0.325, 0.375], abs=1e-12)
    assert revisions.reading_tables(source, "random", seed=1)["a"].tolist() == \
        revisions.reading_tables(source, "random", seed=1)["a"].tolist()


def test_revised_copy_changes_only_the_rows_given(tmp_path, flagship):
    table = table_array(flagship.spec.variables["escalation"], flagship.spec).copy()  # a builder
    table[0, 0] = [0.5, 0.5]
    out = tmp_path / "revised.yaml"
    revised = revisions.revised_copy(flagship, {"escalation": table}, out, note="test revision")
    assert bayes.load(out).spec.variables["escalation"].builder is None
    for v in flagship.variables:
        expected = table if v == "escalation" else table_array(flagship.spec.variables[v], flagship.spec)
        np.testing.assert_allclose(table_array(revised.spec.variables[v], revised.spec), expected, rtol=0, atol=0)
    rows = {r.rationale.assumption for r in revised.spec.variables["escalation"].rows}
    assert "test revision" in rows and len(rows) == 2
    changes = revisions.diff(flagship, out)
    assert set(changes.loc[changes["section"] == "changed", "kind"]) == {"table", "row"}
    one = revisions.revise_row(flagship, "sides_ready_to_compromise", {}, {"not_ready": 0.5, "ready": 0.5})
    assert one.cpt("sides_ready_to_compromise").iloc[0].tolist() == [0.5, 0.5]


# ------------------------------------------------------------------------------------- other models

@pytest.mark.parametrize("which", ["generated", "river_ceasefire"])
def test_everything_runs_on_other_models(which, generated_model, tmp_path, bayes_cli):
    source = generated_model if which == "generated" else RIVER
    m = bayes.load(source)
    low = revisions.alternative_reading(m, "low", tmp_path / "low.yaml")
    high = revisions.alternative_reading(m, "random", tmp_path / "random.yaml", seed=7)
    changes = revisions.diff(source, tmp_path / "low.yaml")
    outcomes = changes[changes["kind"] == "outcome"]
    for _, r in outcomes.sample(5, random_state=1).iterrows():
        assert r["old"] == pytest.approx(_plain(m, r["outcome"], r["scenario"]), abs=1e-12)
        assert r["new"] == pytest.approx(_plain(low, r["outcome"], r["scenario"]), abs=1e-12)
    files = [source, tmp_path / "low.yaml", tmp_path / "random.yaml"]
    result = revisions.disagreement(files, weights=[2, 1, 1], method="log")
    for _, r in result.values[~result.values["pooled"]].sample(6, random_state=2).iterrows():
        model = {"low": low, "random": high}.get(r["analyst"], m)
        assert r["probability"] == pytest.approx(_plain(model, r["outcome"], r["scenario"]), abs=1e-12)
    for method in ("linear", "log"):
        code, _, err = bayes_cli("pool", *files, "--method", method, "-o", tmp_path / f"{method}.yaml")
        assert code == 0, err
        code, _, err = bayes_cli("check", tmp_path / f"{method}.yaml")
        assert code in (0, 1) and "ERROR" not in err
    assert revisions.summary_text(m).count("\noutcome ") == len(m.scenario_names()) * len(m.spec.outcomes)
    code, out, err = bayes_cli("diff", source, tmp_path / "low.yaml", "--chart", tmp_path / "diff.svg")
    flips = changes[(changes["kind"] == "check") & (changes["effect_text"] == "pass -> FAIL")]["item"].tolist()
    assert code == (1 if flips else 0) and (tmp_path / "diff.svg").is_file(), err
    assert all(f in err for f in flips)


# ------------------------------------------------------------------------------------- charts

def test_diff_chart_draws_old_and_new_of_each_moved_outcome(revised):
    import matplotlib.pyplot as plt

    from bayes.outputs import charts

    changes = revisions.diff(*revised)
    ax = charts.diff_chart(data=changes, top=5)
    olds = [c for c in ax.collections if c.get_gid() == "dumbbell-old"][0].get_offsets()
    news = [c for c in ax.collections if c.get_gid() == "dumbbell-new"][0].get_offsets()
    moved = changes[changes["kind"] == "outcome"]
    moved = moved.assign(size=(moved["new"].astype(float) - moved["old"].astype(float)).abs())
    top = moved.sort_values("size", ascending=False, kind="stable").head(5)
    np.testing.assert_allclose(olds[:, 0], top["old"].astype(float), atol=1e-12)
    np.testing.assert_allclose(news[:, 0], top["new"].astype(float), atol=1e-12)
    labels = [t.get_text() for t in ax.texts if t.get_gid() == "dumbbell-label"]
    assert labels[0].endswith(f"{(top['new'].iloc[0] - top['old'].iloc[0]) * 100:+.1f} points")
    plt.close(ax.figure)


def test_disagreement_chart_one_dot_per_analyst_and_scenario(readings):
    import matplotlib.pyplot as plt

    from bayes.outputs import charts

    result = revisions.disagreement(readings)
    outcome = "escalation=escalates_to_wider_war"
    ax = charts.disagreement_chart(data=result.values, outcome=outcome)
    frame = result.values[result.values["outcome"] == outcome]
    for name in result.analysts:
        dots = [c for c in ax.collections if c.get_gid() == f"analyst:{name}"][0].get_offsets()
        np.testing.assert_allclose(dots[:, 0], frame[frame["analyst"] == name]["probability"], atol=1e-12)
    pooled = [c for c in ax.collections if c.get_gid() == "pooled"][0].get_offsets()
    np.testing.assert_allclose(pooled[:, 0], frame[frame["pooled"]]["probability"], atol=1e-12)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["caucasus 2020", "low reader", "high reader",
                                                                   "pooled"]
    plt.close(ax.figure)


# ------------------------------------------------------------------------------------- notebook 05

@pytest.mark.notebooks
@pytest.mark.parametrize("which", ["caucasus_2020", "river_ceasefire", "generated"])
def test_notebook_05_runs_headless_and_writes_only_under_its_folder(which, generated_model, tmp_path):
    import nbformat
    import papermill

    model = str(generated_model) if which == "generated" else which
    notebook = ROOT / "notebooks" / "05_revisions_and_second_opinions.ipynb"
    before = sorted(p for p in (ROOT / "data").rglob("*"))
    out = tmp_path / "out.ipynb"
    papermill.execute_notebook(str(notebook), str(out), kernel_name="python3", progress_bar=False, log_output=False,
                               parameters={"model": model, "draws": 200, "out_dir": str(tmp_path / "written")},
                               cwd=str(notebook.parent), execution_timeout=300)
    nb = nbformat.read(out, as_version=4)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert errors == []
    images = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if "image/png" in o.get("data", {})]
    assert len(images) >= 2
    name = bayes.load(model).name
    written = sorted(p.name for p in (tmp_path / "written").iterdir())
    assert written == sorted([f"{name}_revised.yaml", "low_reader.yaml", "high_reader.yaml", "pooled.yaml"])
    for path in (tmp_path / "written").iterdir():
        bayes.load(path)
    assert sorted(p for p in (ROOT / "data").rglob("*")) == before


def test_notebook_05_is_committed_clean_with_a_parameters_cell():
    nb = json.loads((ROOT / "notebooks" / "05_revisions_and_second_opinions.ipynb").read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert "parameters" in code[0]["metadata"]["tags"]
    assert 'model = os.environ.get("BAYES_MODEL", "caucasus_2020")' in "".join(code[0]["source"])
    assert all(c["outputs"] == [] and c["execution_count"] is None for c in code)
    text = "".join("".join(c["source"]) for c in nb["cells"]).lower()
    flagship = bayes.load("caucasus_2020")
    assert [v for v in flagship.variables if v in text or v.replace("_", " ") in text] == []


# ------------------------------------------------------------------------------------- big and shared tables

def _array_model(path, seed=5):
    """Three roots and a child whose 75-row table is one `array:` block (as bayes import writes big tables)."""
    rng = np.random.default_rng(seed)
    roots = {"a": 5, "b": 5, "c": 3}
    lines = ["format: bayes-model/1", "model: {title: Array, source: tests, as_of: 2024-01, author: tests}",
             "variables:"]
    for name, k in roots.items():
        states = [f"{name}{i}" for i in range(k)]
        p = rng.dirichlet(np.ones(k) * 3)
        probs = ", ".join(f"{s}: {float(x)!r}" for s, x in zip(states, p))
        lines += [f"  {name}:", f"    description: Root {name}.", f"    states: [{', '.join(states)}]",
                  "    table:", f"      - probabilities: {{{probs}}}", "        rationale: {assumption: drawn}"]
    values = rng.dirichlet(np.ones(3) * 2, size=75)
    lines += ["  z:", "    description: The child.", "    states: [lo, mid, hi]", "    parents: [a, b, c]",
              "    array:", "      axes: [a, b, c, z]", f"      values: \"{' '.join(map(repr, values.ravel().tolist()))}\"",
              "      rationale: {assumption: an imported table}", "outcomes:", "  - z: hi",
              "scenarios:", "  seen_a0:", "    observe: {a: a0}"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_array_tables_pool_read_revise_and_disagree(tmp_path, monkeypatch):
    from scipy.stats import beta

    source = _array_model(tmp_path / "arr.yaml")
    m = bayes.load(source)
    copy = tmp_path / "copy.yaml"
    shutil.copy(source, copy)
    for method in ("linear", "log"):
        out = tmp_path / f"pooled_{method}.yaml"
        revisions.write_pool([source, copy], out, method=method)
        assert "  z:\n" in out.read_text() and "    array:\n" in out.read_text()
        pooled = bayes.load(out)
        np.testing.assert_allclose(table_array(pooled.spec.variables["z"], pooled.spec),
                                   table_array(m.spec.variables["z"], m.spec), rtol=0, atol=1e-12)
        assert "assumption: " + ("linear" if method == "linear" else "logarithmic") in str(
            pooled.spec.variables["z"].rows[0].rationale)
    low = revisions.alternative_reading(m, "low", tmp_path / "low.yaml")
    z, moved = table_array(m.spec.variables["z"], m.spec), table_array(low.spec.variables["z"], low.spec)
    for index in [(0, 0, 0), (4, 2, 1)]:
        row, taker = z[index], int(np.argmax(z[index]))
        for k in range(3):
            if k != taker:
                assert moved[index][k] == pytest.approx(beta.ppf(0.05, 50 * row[k], 50 * (1 - row[k])), abs=1e-12)
        assert moved[index].sum() == pytest.approx(1, abs=1e-12)
    table = z.copy()
    table[1, 2, 0] = [0.2, 0.3, 0.5]
    revised = revisions.revised_copy(m, {"z": table}, tmp_path / "revised.yaml", note="one row revised")
    np.testing.assert_array_equal(table_array(revised.spec.variables["z"], revised.spec), table)
    assert revised.spec.variables["z"].rows[0].rationale.note == "one row revised"  # no note before: the note alone
    again = revisions.revised_copy(tmp_path / "revised.yaml", {"z": z}, note="and back")
    assert again.spec.variables["z"].rows[0].rationale.note == "one row revised; and back"  # appended to the last
    changes = revisions.diff(m, revised)
    row = changes[changes["section"] == "changed"]
    assert row["kind"].tolist() == ["row", "table"] and row["given"].iloc[0] == "a=a1, b=b2, c=c0"
    monkeypatch.setattr("bayes.analysis.revisions.disagreements.MAX_SWAPS", 10)
    result = revisions.disagreement([source, tmp_path / "low.yaml"])
    pairs = result.swaps.drop_duplicates(["into", "source", "variable", "given"])
    assert len(pairs) == 10 and result.swaps_skipped == 2 * (1 + 1 + 1 + 75) - 10
    for _, r in result.values[~result.values["pooled"]].iterrows():
        model = m if r["analyst"] == "arr" else low
        assert r["probability"] == pytest.approx(_plain(model, r["outcome"], r["scenario"]), abs=1e-12)


def test_revised_copy_splits_a_row_written_for_several_parent_states(tmp_path):
    from tiny import TINY_SHARED_ROW

    shared = TINY_SHARED_ROW
    source = tmp_path / "shared.yaml"
    source.write_text(shared, encoding="utf-8")
    m = bayes.load(source)
    one = revisions.revise_row(m, "sprinkler", {"rain": "yes"}, {"off": 0.9, "on": 0.1}, tmp_path / "one.yaml")
    assert table_array(one.spec.variables["sprinkler"], one.spec).tolist() == [[0.6, 0.4], [0.9, 0.1]]
    assert [r.rationale.assumption for r in one.spec.variables["sprinkler"].rows] == ["the rain does not change the sprinkler", "revised"]
    both = revisions.revised_copy(m, {"sprinkler": np.array([[0.5, 0.5], [0.5, 0.5]])}, tmp_path / "both.yaml")
    written = load_yaml_text((tmp_path / "both.yaml").read_text(encoding="utf-8"), "both.yaml")
    assert written["variables"]["sprinkler"]["table"][0]["given"] == {"rain": ["no", "yes"]}  # still one row
    rows = both.spec.variables["sprinkler"].rows
    assert rows[0].judged is rows[1].judged and rows[0].probabilities == {"off": 0.5, "on": 0.5}


# ------------------------------------------------------------------------------------- pool, field by field

def test_a_pool_says_who_contributed_how_in_every_place(tmp_path):
    """The pooled file's header, author, notes, rationales, outcomes and name, each read back in full."""
    a = _two(tmp_path / "ann.yaml", "ann", 0.2, 0.9, 0.3)
    b = _two(tmp_path / "bob.yaml", "bob", 0.6, 0.5, 0.1, claim="K2")
    out = tmp_path / "pooled.yaml"
    result = revisions.write_pool([a, b], out, weights="1,3", method="log")
    contributors = "ann.yaml (weight 0.25), bob.yaml (weight 0.75)"
    label = "logarithmic pool (weighted geometric mean, renormalised)"
    header = result.text.splitlines()[:2]
    assert header == [f"# Written by `bayes pool --method log`: every row is the {label} of {contributors}.",
                      "# Each row's rationale names the contributors and the method; docs/revisions.md explains both."]
    m = bayes.load(out)
    assert m.spec.author == "log pool of ann.yaml, bob.yaml (bayes pool)"
    assert yaml.safe_load(out.read_text(encoding="utf-8"))["model"]["notes"] == (f"Pooled with `bayes pool --method log` from {contributors}. Every row is the {label} of "
                            "the same row in each file; claims and scenarios are the union of the files'. "
                            "No conflicts.")
    x_row = m.spec.variables["x"].rows[0]
    assert x_row.rationale.assumption == f"{label} of {contributors}"
    assert x_row.rationale.note == "ann: assumption: ann says so | bob: assumption: bob says so"
    assert m.spec.headline_states == {"y": "yes"}
    assert (result.names, result.method, result.path, result.conflicts) == (["ann", "bob"], "log", out, [])
    assert result.model.spec.path == str(out) and result.model.name == "pooled"
    assert [Path(f).name for f in result.files] == ["ann.yaml", "bob.yaml"]
    unwritten = revisions.pool([a, b])
    assert unwritten.model.name == "pooled" and unwritten.model.spec.path == "<pooled>" and unwritten.path is None


def test_a_pool_of_one_reading_everywhere_says_every_contributor(tmp_path):
    a = _two(tmp_path / "ann.yaml", "same", 0.2, 0.9, 0.3)
    b = _two(tmp_path / "bob.yaml", "same", 0.2, 0.9, 0.3)
    m = revisions.pool([a, b]).model
    assert m.spec.variables["x"].rows[0].rationale.note == "every contributor: assumption: same says so"


def test_pool_conflicts_on_outcomes_and_scales_are_named(tmp_path):
    a = _two(tmp_path / "ann.yaml", "ann", 0.2, 0.9, 0.3)
    b = tmp_path / "bob.yaml"
    b.write_text(a.read_text(encoding="utf-8").replace("  - y: yes", "  - y: 'no'").replace(
        "as_of: 2024-01,", "as_of: 2024-01, scale: phia,"), encoding="utf-8")
    assert bayes.load(b).spec.scale == "phia"
    result = revisions.pool([a, b])
    assert result.conflicts == ["outcome y: ann charts yes, bob no; kept ann's",
                                "the files use different scales (icd203, phia); kept ann's (icd203)"]
    assert result.model.spec.headline_states == {"y": "yes"}
    assert yaml.safe_load(result.text)["model"]["notes"].endswith("Conflicts: outcome y: ann charts yes, bob no; kept ann's; the files use "
                                            "different scales (icd203, phia); kept ann's (icd203).")


@pytest.mark.parametrize("call, message, file", [
    (lambda a, b: revisions.pool(a), "pooling needs at least two model files, got 1", "command line"),
    (lambda a, b: revisions.pool([a, b], method="median"),
     "unknown pooling method 'median'; expected one of: linear, log", "command line"),
    (lambda a, b: revisions.pool([a, b], weights="1"),
     "1 weight(s) for 2 model files; give one weight per file, e.g. --weights 1,1", "command line"),
    (lambda a, b: revisions.pool([a, b], weights="1, x"),
     "weight 'x' is not a number; write --weights as numbers separated by commas, e.g. 1,1", "command line"),
    (lambda a, b: revisions.pool([a, b], weights=[1, float("inf")]), "every weight must be a finite number",
     "command line"),
    (lambda a, b: revisions.pool([a, b], weights=[1, -1]), "weights must be zero or positive", "command line"),
    (lambda a, b: revisions.pool([a, b], weights=[0, 0]), "the weights must sum to a positive number", "command line"),
    (lambda a, b: revisions.pool_rows([[0.5, 0.5]], [1.0], method="median"),
     "unknown pooling method 'median'; expected one of: linear, log", "command line"),
])
def test_pool_refusals_name_what_and_where(tmp_path, call, message, file):
    a = _two(tmp_path / "ann.yaml", "ann", 0.2, 0.9, 0.3)
    b = _two(tmp_path / "bob.yaml", "bob", 0.6, 0.5, 0.1)
    with pytest.raises(BayesInputError) as caught:
        call(a, b)
    assert (caught.value.message, caught.value.file) == (message, file)


def test_pools_of_different_structures_name_the_second_file(tmp_path):
    a = _two(tmp_path / "ann.yaml", "ann", 0.2, 0.9, 0.3)
    with pytest.raises(BayesInputError) as caught:
        revisions.pool([a, RIVER])
    assert caught.value.message.startswith("the files do not share one structure: ")
    assert caught.value.file == str(RIVER)


def test_weights_are_normalised_as_given():
    np.testing.assert_allclose(revisions.check_weights("1, 2,1", 3), [0.25, 0.5, 0.25])
    np.testing.assert_allclose(revisions.check_weights([0, 3], 2), [0.0, 1.0])
    np.testing.assert_allclose(revisions.check_weights(None, 4), [0.25] * 4)


def test_pooled_rows_by_hand_with_three_states_and_an_abstainer():
    """Linear: the weighted mean. Log: the weighted geometric mean renormalised; an analyst with weight 0
    neither votes nor vetoes; a zero from a voter vetoes the state."""
    rows = [[0.2, 0.3, 0.5], [0.6, 0.0, 0.4], [0.0, 0.5, 0.5]]
    w = [0.25, 0.75, 0.0]
    np.testing.assert_allclose(revisions.pool_rows(rows, w, "linear"),
                               [0.25 * 0.2 + 0.75 * 0.6, 0.25 * 0.3, 0.25 * 0.5 + 0.75 * 0.4])
    geo = np.array([0.2 ** 0.25 * 0.6 ** 0.75, 0.0, 0.5 ** 0.25 * 0.4 ** 0.75])
    np.testing.assert_allclose(revisions.pool_rows(rows, w, "log"), geo / geo.sum(), rtol=1e-12)
    assert np.isnan(revisions.pool_rows([[1.0, 0.0], [0.0, 1.0]], [0.5, 0.5], "log")).all()


# ------------------------------------------------------------------------------------- git, message by message

@pytest.mark.parametrize("rev", ["", "  ", "-p", "HEAD 1", "HEAD\x07", 7])
def test_a_revision_that_is_no_revision_is_refused_before_git_runs(repo, rev, monkeypatch):
    _, model = repo
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: pytest.fail("git ran"))
    with pytest.raises(BayesInputError) as caught:
        revisions.read_revision(model, rev)
    assert (caught.value.message, caught.value.file) == (
        f"'{rev}' is not a git revision (e.g. HEAD~1, a commit or a tag)", str(model))


def test_every_git_refusal_names_the_file_and_why(repo, tmp_path_factory, monkeypatch):
    from bayes.analysis.revisions import versions

    folder, model = repo
    with pytest.raises(BayesInputError) as caught:
        revisions.read_revision(model, "nope")
    assert (caught.value.message, caught.value.file) == (
        f"unknown revision 'nope' in the git repository at {folder.resolve()}", str(model))
    untracked = folder / "models" / "new.yaml"
    shutil.copy(model, untracked)
    with pytest.raises(BayesInputError) as caught:
        revisions.read_revision(untracked, "HEAD")
    assert caught.value.message == "the file is not in revision 'HEAD' (path 'models/new.yaml' exists on disk, but " \
                                   "not in 'HEAD')" and caught.value.file == str(untracked)
    outside = tmp_path_factory.mktemp("not_a_repo") / "m.yaml"
    shutil.copy(model, outside)
    with pytest.raises(BayesInputError) as caught:
        revisions.read_revision(outside, "HEAD")
    assert caught.value.message == ("not in a git repository (not a git repository (or any of the parent "
                                    "directories): .git); --rev reads the file's earlier versions with git show")
    monkeypatch.setattr(versions, "MAX_YAML_BYTES", 1000)
    with pytest.raises(BayesInputError) as caught:
        revisions.read_revision(model, "HEAD")
    size = len(model.read_bytes())
    assert (caught.value.message, caught.value.file) == (
        f"the model file is {size:,} bytes in revision 'HEAD'; at most 1,000 are read", f"{model}@HEAD")


def test_git_missing_or_silent_is_one_line(repo, monkeypatch):
    from bayes.analysis.revisions import versions

    _, model = repo

    def missing(*args, **kwargs):
        raise FileNotFoundError("git")

    def silent(*args, **kwargs):
        raise subprocess.TimeoutExpired("git", 120)

    for fake, message in ((missing, "git is not installed (or not on PATH); --rev reads earlier versions with git show"),
                          (silent, "git did not answer within 120 seconds")):
        monkeypatch.setattr(versions.subprocess, "run", fake)
        with pytest.raises(BayesInputError) as caught:
            revisions.read_revision(model, "HEAD")
        assert (caught.value.message, caught.value.file) == (message, str(model))


def test_a_revision_read_is_that_version_named_by_file_and_revision(repo):
    folder, model = repo
    old = revisions.read_revision(model, "HEAD~1")
    assert old.spec.path == f"{model}@HEAD~1" and old.name == "m"
    (folder / "models" / "m.yaml").write_bytes(b"format: bayes-model/1\nmodel: {title: caf\xe9}\n")
    _git(folder, "commit", "-qam", "latin-1")
    with pytest.raises(BayesInputError) as caught:
        revisions.read_revision(model, "HEAD")
    assert caught.value.message.startswith("the model file is not UTF-8 (byte 0xe9") and caught.value.line == 2
    assert caught.value.file == f"{model}@HEAD"


def test_first_line_of_gits_message():
    from bayes.analysis.revisions.versions import _first_line

    assert _first_line(b"fatal: bad revision 'x'\nmore\n") == "bad revision 'x'"
    assert _first_line(b"  \n") == "no message"
    assert _first_line(b"\nwarning: one\n") == "warning: one"
    assert _first_line(b"fatal: caf\xe9") == "caf\ufffd"


# ------------------------------------------------------------------------------------- readings, by hand

def test_an_array_table_read_high_row_by_row_by_hand():
    """Each plain number but the row's largest moves to its Beta(k p, k (1 - p)) quantile 0.05 + 0.9 t (t = 1:
    the 95% one), 0 and 1 stay put, the largest takes what is left; others summing past 1 are scaled to 1."""
    from scipy.stats import beta

    from bayes.analysis.revisions.readings import _moved_array

    k = 20.0
    values = np.array([[[0.2, 0.8], [0.0, 1.0]], [[0.3, 0.3], [0.45, 0.55]]])  # (parent, parent, state)
    moved = _moved_array(values, k, lambda: 1.0)

    def q95(p):
        return q95_k(p, k)

    assert moved.shape == values.shape
    np.testing.assert_allclose(moved[0, 0], [q95(0.2), 1 - q95(0.2)], rtol=1e-12)
    np.testing.assert_allclose(moved[0, 1], [0.0, 1.0])
    np.testing.assert_allclose(moved[1, 0], [1 - q95(0.3), q95(0.3)], rtol=1e-12)  # a tie: the first takes the rest
    np.testing.assert_allclose(moved[1, 1], [q95(0.45), 1 - q95(0.45)], rtol=1e-12)
    three = _moved_array(np.array([[0.5, 0.45, 0.05]]), 2.0, lambda: 1.0)  # the others reach past 1: scaled
    big = np.array([q95_k(0.45, 2.0), q95_k(0.05, 2.0)])
    assert big.sum() > 1  # the case this checks
    expected = big / big.sum()
    np.testing.assert_allclose(three[0], [max(0.0, 1 - expected.sum()), *expected], rtol=1e-12)
    low = _moved_array(values, k, lambda: 0.0)
    assert low[0, 0, 0] == pytest.approx(beta.ppf(0.05, k * 0.2, k * 0.8), rel=1e-12)


def q95_k(p, k):
    from scipy.stats import beta

    return beta.ppf(0.95, k * p, k * (1 - p))


@pytest.mark.parametrize("variable, given, probabilities, message", [
    ("nothing", {}, {"a": 1.0}, "unknown variable 'nothing'; known variables: x, y"),
    ("y", {}, {"no": 0.5, "yes": 0.5}, "a row of 'y' is named by a state of each parent (x)"),
    ("y", {"x": "c"}, {"no": 0.5, "yes": 0.5}, "a row of 'y' is named by a state of each parent (x)"),
    ("y", {"x": "a", "z": "b"}, {"no": 0.5, "yes": 0.5}, "a row of 'y' is named by a state of each parent (x)"),
    ("x", {"y": "no"}, {"a": 0.5, "b": 0.5}, "a row of 'x' is named by a state of each parent (none)"),
    ("y", {"x": "a"}, {"no": 0.5}, "the new row of 'y' needs a number for each state (no, yes) summing to 1"),
    ("y", {"x": "a"}, {"no": 0.5, "yes": 0.5 + 2e-9}, "the new row of 'y' needs a number for each state (no, yes) "
     "summing to 1"),
])
def test_a_revised_row_must_name_a_row_and_fill_it(tmp_path, variable, given, probabilities, message):
    a = _two(tmp_path / "ann.yaml", "ann", 0.2, 0.9, 0.3)
    with pytest.raises(bayes.QueryError) as caught:
        revisions.revise_row(a, variable, given, probabilities, tmp_path / "out.yaml")
    assert (caught.value.message, caught.value.file) == (message, str(a))
    assert not (tmp_path / "out.yaml").exists()


def test_a_revised_row_changes_that_row_only_and_keeps_its_claims(tmp_path):
    a = _two(tmp_path / "ann.yaml", "ann", 0.2, 0.9, 0.3)
    out = tmp_path / "out.yaml"
    m = revisions.revise_row(a, "y", {"x": "a"}, {"no": 0.4, "yes": 0.6 + 5e-10}, out, note="moved by hand")
    assert _cell(m, "y", "a", "yes") == pytest.approx(0.6) and _cell(m, "y", "b", "yes") == pytest.approx(0.3)
    first, second = bayes.load(out).spec.variables["y"].rows
    assert first.rationale.claims == ("K1",) and first.rationale.assumption == "moved by hand"
    assert second.rationale.assumption == "ann again"
    with pytest.raises(BayesInputError, match="already exists"):
        revisions.revise_row(a, "y", {"x": "a"}, {"no": 0.4, "yes": 0.6}, out)


@pytest.mark.parametrize("position, label, where", [
    ("low", "low", "at its low end"), ("high", "high", "at its high end"),
    (0.25, "position 0.25", "at 0.25 of the way from its low end"),
    ("random", "random", "at a random point (seed 7)")])
def test_an_alternative_reading_says_how_it_was_read_everywhere(tmp_path, position, label, where):
    a = _two(tmp_path / "ann.yaml", "ann", 0.2, 0.9, 0.3)
    out = tmp_path / "reading.yaml"
    reading = revisions.alternative_reading(a, position, out, seed=7)
    how = (f"{label} reading of ann.yaml: every range, term and odds-ratio range {where}, every plain number at "
           "that place of its own 90% interval; the row's rest state takes what is left (docs/revisions.md)")
    text = out.read_text(encoding="utf-8")
    assert text.startswith(f"# Generated: the {how}.\n\n")
    document = yaml.safe_load(text)
    assert document["model"]["author"] == f"{label} reading of ann.yaml (bayes.analysis.revisions.alternative_reading)"
    assert document["model"]["notes"] == how
    first, second = reading.spec.variables["y"].rows
    assert (first.rationale.claims, first.rationale.assumption, first.rationale.note) == (
        ("K1",), how, "as written in ann.yaml: claims K1")
    assert (second.rationale.claims, second.rationale.note) == ((), "as written in ann.yaml: assumption: ann again")
    assert reading.name == "reading" and reading.spec.path == str(out)
    unwritten = revisions.alternative_reading(a, position, seed=7)
    assert unwritten.name == label and unwritten.spec.path == f"<{label}>"
    with pytest.raises(BayesInputError, match="already exists"):
        revisions.alternative_reading(a, position, out, seed=7)


def test_a_revised_copy_refuses_what_it_cannot_place(tmp_path):
    a = _two(tmp_path / "ann.yaml", "ann", 0.2, 0.9, 0.3)
    with pytest.raises(bayes.QueryError) as caught:
        revisions.revised_copy(a, {"q": np.zeros(2)})
    assert (caught.value.message, caught.value.file) == ("unknown variable 'q'; known variables: x, y", str(a))
    with pytest.raises(bayes.QueryError) as caught:
        revisions.revised_copy(a, {"y": np.full((3, 2), 0.5)})
    assert (caught.value.message, caught.value.file) == (
        "the new table of 'y' has shape (3, 2); expected (2, 2)", str(a))
    copy_ = revisions.revised_copy(a, {"y": [[0.5, 0.5], [0.8, 0.2]]}, tmp_path / "rev.yaml", note="both rows")
    assert copy_.name == "rev" and (tmp_path / "rev.yaml").read_text(encoding="utf-8").startswith(
        "# A revised copy of ann.yaml (both rows), written by bayes.analysis.revisions.\n\n")
    assert revisions.revised_copy(a, {"y": [[0.5, 0.5], [0.8, 0.2]]}).name == "ann_revised"


def test_clip_cuts_at_the_width_with_an_ellipsis():
    from bayes.analysis.revisions.versions import clip

    assert clip(None) == "" and clip("abc", 3) == "abc" and clip(12345, 5) == "12345"
    assert clip("abcd", 3) == "ab\u2026" and clip("ab  cdef", 4) == "ab\u2026"  # the cut keeps no trailing space
    assert len(clip("x" * 300)) == 240 and clip("x" * 300).endswith("x\u2026")


def test_two_files_that_differ_in_structure_say_how(tmp_path):
    from bayes.analysis.revisions.versions import structure_difference

    a = _two(tmp_path / "ann.yaml", "ann", 0.2, 0.9, 0.3)
    ann = bayes.load(a).spec
    states = tmp_path / "states.yaml"
    states.write_text(a.read_text(encoding="utf-8").replace("states: [no, yes]", "states: [no, maybe]")
                      .replace("yes:", "maybe:").replace("- y: yes", "- y: maybe").replace("{y: yes}", "{y: maybe}"),
                      encoding="utf-8")
    assert structure_difference(ann, bayes.load(states).spec) == (
        f"the states of 'y' differ: {a} has no, yes; {states} has no, maybe")
    root = tmp_path / "root.yaml"
    root.write_text("""\
format: bayes-model/1
model: {title: Two variables, source: tests, as_of: 2024-01, author: root}
variables:
  x:
    description: The cause.
    states: [a, b]
    table:
      - probabilities: {a: 0.2, b: 0.8}
        rationale: {assumption: root}
  y:
    description: The effect.
    states: [no, yes]
    table:
      - probabilities: {no: 0.4, yes: 0.6}
        rationale: {assumption: root}
""", encoding="utf-8")
    assert structure_difference(ann, bayes.load(root).spec) == (
        f"the parents of 'y' differ: {a} has x; {root} has none")
    assert structure_difference(bayes.load(root).spec, ann) == (
        f"the parents of 'y' differ: {root} has none; {a} has x")
    assert structure_difference(ann, ann) is None


def test_analysts_are_named_by_their_files_made_unique(tmp_path):
    from bayes.analysis.revisions.versions import analyst_names

    a = bayes.load(_two(tmp_path / "ann.yaml", "ann", 0.2, 0.9, 0.3))
    pooled = bayes.load(_two(tmp_path / "pooled.yaml", "p", 0.2, 0.9, 0.3))
    assert analyst_names([a, a, a, pooled]) == ["ann", "ann_2", "ann_3", "pooled_2"]


def test_a_written_model_that_would_not_load_is_named(tmp_path):
    from bayes.analysis.revisions.versions import loaded_model

    with pytest.raises(BayesInputError) as caught:
        loaded_model("format: bayes-model/1\nmodel: {title: t}\nvariables: {}\nsurprise: 1\n", tmp_path / "w.yaml", "w")
    assert caught.value.message.startswith("the written model would not load: ")
    assert (caught.value.file, caught.value.line) == (str(tmp_path / "w.yaml"), 4)
    with pytest.raises(BayesInputError) as caught:
        loaded_model("format: bayes-model/1\nmodel: {title: t}\nvariables: {}\nsurprise: 1\n", None, "pooled")
    assert caught.value.file == "<pooled>"
