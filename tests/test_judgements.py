"""The brief as an estimative product (docs/brief.md): the answer in the question's own states, key
judgements with the confidence reading at each of its thresholds, alternatives against pgmpy, signposts
and what-ifs against plain queries, key assumptions against a re-query, brief.json and what changed since
the last brief, starters flagged. Shipped models, a generated one and small hand-computed ones."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

import bayes
from bayes.analysis import judgements as J
from bayes.analysis import watchlist as W
from bayes.exchange.synthetic import write_random_model
from bayes.modelfile.scales import ICD203, PHIA
from test_oracles import PZ1, comparison, confounded, hand_forced

MODELS = ["caucasus_2020", "river_ceasefire", "generated"]


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    out = {name: bayes.load(name) for name in MODELS[:2]}
    out["generated"] = bayes.load(write_random_model(tmp_path_factory.mktemp("gen") / "generated.yaml", seed=3))
    return out


def p_of(model, variable, states, **kw) -> float:
    return sum(model.probability(f"{variable}={s}", **kw) for s in states)


# ------------------------------------------------------------------------------------- the answer

@pytest.mark.parametrize("name", MODELS)
def test_the_answer_is_its_yes_states_by_plain_queries(models, name):
    m = models[name]
    ans = J.answer(m, draws=400, seed=1)
    q = m.spec.question
    assert ans["variable"] == q.variable and ans["states"] == list(q.yes) and q.stated
    assert ans["probability"] == pytest.approx(p_of(m, q.variable, q.yes), abs=1e-12)
    assert ans["lo90"] < ans["probability"] < ans["hi90"]
    assert ans["words"] == m.scale.term(ans["probability"])
    if len(q.yes) > 1:  # each yes state's own share follows, so 'in some form' is not read as 'clean'
        assert [p["state"] for p in ans["parts"]] == list(q.yes)
        for part in ans["parts"]:
            assert part["probability"] == pytest.approx(m.probability(f"{q.variable}={part['state']}"), abs=1e-12)
    else:
        assert ans["parts"] == []


def test_shipped_questions_as_written(models):
    river, flagship = models["river_ceasefire"].spec.question, models["caucasus_2020"].spec.question
    assert (river.variable, river.yes, river.horizon) == ("ceasefire", ("holds", "frays_with_incidents"), "2024-12-31")
    assert (flagship.variable, flagship.yes, flagship.horizon) == (
        "russia_brokered_talks", ("russia_brings_sides_to_table",), None)  # the article sets no time frame


def test_without_a_question_the_first_headline_outcome_answers(write_model):
    m = bayes.load(write_model(confounded(comparison("more_likely", "observation", "strength: more"))))
    assert m.spec.question.variable == "y" and m.spec.question.yes == ("y",) and not m.spec.question.stated
    assert J.answer(m, draws=None)["probability"] == pytest.approx(m.probability("y=y"), abs=1e-12)


BAD_QUESTIONS = [
    ("question: {horizon: 2025-01-01}", 3, "'question' needs 'answer: {variable: VARIABLE, yes: [STATE, ...]}'"),
    ("question: {answer: {variable: w, yes: [y]}}", 3, "answer variable 'w' is not a variable"),
    ("question: {answer: {variable: y, yes: [maybe]}}", 3, "unknown state 'maybe' of 'y' in 'yes'; expected one of: n, y"),
    ("question: {answer: {variable: y, yes: [n, y]}}", 3, "'yes' must list some but not all states of 'y'"),
    ("question: {answer: {variable: y}}", 3, "'answer' needs 'yes'"),
    ("question: {answer: {variable: y, yes: [y]}, when: soon}", 3, "unknown key 'when'"),
]


@pytest.mark.parametrize("line, lineno, message", BAD_QUESTIONS)
def test_a_bad_question_names_its_line(write_model, line, lineno, message):
    text = confounded(comparison("more_likely", "observation", "strength: more")).replace(
        "model: {title: Confounded, source: tests, as_of: 2020-07, author: tests}",
        f"model:\n  title: Confounded\n  {line}\n  source: tests\n  as_of: 2020-07\n  author: tests")
    path = write_model(text)
    with pytest.raises(bayes.ModelFileError) as caught:
        bayes.load(path)
    assert message in caught.value.message and caught.value.line == lineno + 1


def test_stated_confidence_is_read_and_checked(write_model):
    base = confounded(comparison("more_likely", "observation", "strength: more"))
    good = bayes.load(write_model(base + "outcomes:\n  - y: y\n    confidence: High\n    basis: two sources agree\n  - x\n"))
    stated = good.spec.stated_confidence["y"]
    assert (stated.level, stated.basis) == ("high", "two sources agree") and "x" not in good.spec.stated_confidence
    for extra, message in (("    confidence: sure\n", "confidence of outcome 'y' is 'sure'; expected one of: low, moderate, high"),
                           ("    basis: why\n", "outcome 'y' gives a 'basis' without a 'confidence'")):
        with pytest.raises(bayes.ModelFileError) as caught:
            bayes.load(write_model(base + "outcomes:\n  - y: y\n" + extra, "bad.yaml"))
        assert message in caught.value.message and caught.value.line is not None


# ------------------------------------------------------------------------------------- confidence

@pytest.mark.parametrize("lo, hi, bands", [
    (0.21, 0.44, 1), (0.20, 0.44, 2),  # 20% is the top of 'very unlikely' (an edge belongs to the lower band)
    (0.21, 0.45, 1), (0.21, 0.4501, 2), (0.19, 0.46, 3), (0.01, 0.99, 7), (0.5, 0.5, 1)])
def test_bands_spanned_on_icd203(lo, hi, bands):
    assert J.bands_spanned(ICD203, lo, hi) == bands


def test_bands_spanned_skips_phia_gaps():
    """PHIA leaves gaps between its bands (e.g. 0.35-0.40 belongs to none)."""
    gaps = [(b.high, c.low) for b, c in zip(PHIA.bands, PHIA.bands[1:]) if c.low > b.high]
    assert gaps, "PHIA has gaps"
    low_end, high_start = gaps[0]
    inside = (low_end + high_start) / 2
    assert J.bands_spanned(PHIA, inside, inside) == 0
    assert J.bands_spanned(PHIA, inside, high_start + 1e-3) == 1


def claims_frame(shares, passed=None, variable="y"):
    n = len(shares)
    return pd.DataFrame({"id": [f"K{i}" for i in range(n)], "passed": passed or [True] * n,
                         "hold_share": shares, "outcome_variable": [variable] * n})


def swings(low, high):
    return pd.DataFrame([{"parameter": "P(z=z1)", "target_low": low, "target_high": high}])


@pytest.fixture(scope="module")
def plain(tmp_path_factory):
    path = tmp_path_factory.mktemp("conf") / "m.yaml"
    path.write_text(confounded(comparison("more_likely", "observation", "strength: more")))
    return bayes.load(path)


@pytest.mark.parametrize("shares, passed, level", [
    ([0.95, 0.9], None, "high"), ([0.95, 0.8999], None, "moderate"), ([0.8], None, "moderate"),
    ([0.7999, 1.0], None, "low"), ([1.0, 1.0], [True, False], "low"), ([], None, "moderate")])
def test_confidence_from_the_claims_behind_it(plain, shares, passed, level):
    """docs/methods.md#analytic-confidence: all at least 90% high; at least 80% (or none) moderate; below
    80% or failing low (and named)."""
    reading = J.confidence_reading(plain, "y", ("y",), 0.3, 0.25, 0.35, claims_frame(shares, passed), swings(0.3, 0.3))
    assert reading["criteria"]["claims"] == level and reading["confidence"] == level
    fragile = [f"K{i}" for i, s in enumerate(shares) if s < 0.8 or (passed and not passed[i])]
    assert reading["fragile_claims"] == fragile
    other = claims_frame([0.1], variable="x")  # a claim about another variable is not behind the judgement
    assert J.confidence_reading(plain, "y", ("y",), 0.3, 0.25, 0.35, other, swings(0.3, 0.3))["claims"
                                                                                            "_behind"] == []


@pytest.mark.parametrize("lo, hi, low, high, expected", [
    (0.25, 0.35, 0.26, 0.40, {"interval": "high", "swing": "high"}),
    (0.15, 0.35, 0.26, 0.40, {"interval": "moderate", "swing": "high"}),
    (0.10, 0.50, 0.26, 0.40, {"interval": "low", "swing": "high"}),
    (0.25, 0.35, 0.19, 0.40, {"interval": "high", "swing": "moderate"}),
    (0.25, 0.35, 0.19, 0.50, {"interval": "high", "swing": "low"})])
def test_confidence_from_interval_and_swing(plain, lo, hi, low, high, expected):
    """The interval in bands and the bands the top one-way swing reaches; the level is the lowest."""
    reading = J.confidence_reading(plain, "y", ("y",), 0.3, lo, hi, claims_frame([1.0]), swings(low, high))
    assert {k: reading["criteria"][k] for k in expected} == expected
    order = ["low", "moderate", "high"]
    assert reading["confidence"] == min([*expected.values(), "high"], key=order.index)
    assert reading["bands_spanned"] == J.bands_spanned(ICD203, lo, hi)


@pytest.mark.parametrize("name", MODELS)
def test_key_judgements_against_plain_queries(models, name):
    m = models[name]
    frame = J.key_judgements(m, draws=300, seed=2)
    assert list(frame["variable"]) == list(m.spec.headline_states)
    for row in frame.to_dict("records"):
        assert row["probability"] == pytest.approx(p_of(m, row["variable"], row["states"]), abs=1e-12)
        assert row["lo90"] <= row["probability"] <= row["hi90"]
        assert row["confidence"] in ("low", "moderate", "high") and row["horizon"] == m.spec.question.horizon
        behind = [c.id for c in m.spec.claims.values() if c.outcome_variable == row["variable"]]
        assert row["claims_behind"] == behind
        stated = m.spec.stated_confidence.get(row["variable"])
        assert row["disagrees"] == bool(stated and stated.level != row["confidence"])
    if name == "river_ceasefire":  # R01 holds in well under 80% of draws: the lead judgement is low, R01 named
        lead = frame.set_index("variable").loc["ceasefire"]
        assert lead["confidence"] == "low" and "R01" in lead["fragile_claims"]
    if name == "generated":  # the generator states 'high' for its first outcome
        assert frame["stated_confidence"].iloc[0] == "high"


# ------------------------------------------------------------------------------------- alternatives

@pytest.mark.parametrize("name", MODELS)
def test_alternatives_are_the_most_probable_joint_outcomes_by_pgmpy(models, name):
    from pgmpy.inference import VariableElimination

    from bayes.inference.network import to_pgmpy

    m = models[name]
    variables = list(m.spec.headline_states)
    joint = VariableElimination(to_pgmpy(m.spec)).query(variables, joint=True, show_progress=False)
    flat = []
    for index in np.ndindex(*joint.cardinality):
        flat.append(({v: joint.state_names[v][i] for v, i in zip(joint.variables, index)}, float(joint.values[index])))
    flat.sort(key=lambda t: -t[1])
    frame = J.alternatives(m, k=4)
    assert list(frame["rank"]) == [1, 2, 3, 4]
    for (outcome, p), row in zip(flat[:4], frame.to_dict("records")):
        assert row["probability"] == pytest.approx(p, abs=1e-10)
        assert row["outcome"] == outcome or math.isclose(row["probability"], p, abs_tol=1e-10)
    assert frame["covered"].iloc[0] == pytest.approx(sum(p for _, p in flat[:4]), abs=1e-9)


# ------------------------------------------------------------------------------------- signposts, what-ifs

@pytest.mark.parametrize("name", MODELS)
def test_signposts_by_plain_queries(models, name):
    m = models[name]
    q = m.spec.question
    now = p_of(m, q.variable, q.yes)
    frame = W.signposts(m, top=50)
    assert frame["observed"].all() and q.variable not in set(frame["variable"])
    best = {}
    for o, v in m.spec.variables.items():
        if not v.observable or o == q.variable:
            continue
        moves = {s: p_of(m, q.variable, q.yes, given={o: s}) - now for s in v.states if m.probability(f"{o}={s}") > 0}
        best[o] = max(moves.items(), key=lambda kv: abs(kv[1]))
    for row in frame.to_dict("records"):
        state, shift = best[row["variable"]]
        assert row["state"] == state and row["shift"] == pytest.approx(shift, abs=1e-12)
        assert row["now"] == pytest.approx(now, abs=1e-12)
        assert row["probability_of_state"] == pytest.approx(m.probability(f"{row['variable']}={state}"), abs=1e-12)
    assert list(frame["shift"].abs()) == sorted(frame["shift"].abs(), reverse=True)
    assert len(frame) >= 1


@pytest.mark.parametrize("name", MODELS)
def test_what_ifs_are_marked_by_what_they_set(models, name):
    m = models[name]
    q = m.spec.question
    frame = W.what_ifs(m)
    now = p_of(m, q.variable, q.yes)
    for row in frame.to_dict("records"):
        sc = m.spec.scenarios[row["scenario"]]
        assert q.variable not in sc.observe and q.variable not in sc.do
        kind = "bundle" if sc.observe and sc.do else ("forced" if sc.do else "observed")
        assert row["kind"] == kind
        assert row["label"] == f"{sc.display} ({ {'bundle': 'observed and forced'}.get(kind, kind)})"
        assert row["probability"] == pytest.approx(p_of(m, q.variable, q.yes, given=sc.observe, do=sc.do), abs=1e-12)
        assert row["shift"] == pytest.approx(row["probability"] - now, abs=1e-12)
        parts = [(v, s, "observed") for v, s in sc.observe.items()] + [(v, s, "forced") for v, s in sc.do.items()]
        assert len(row["parts"]) == (len(parts) if len(parts) > 1 else 0)
        for part in row["parts"]:
            alone = {"given": {part["variable"]: part["state"]}} if part["kind"] == "observed" else \
                {"do": {part["variable"]: part["state"]}}
            assert part["probability"] == pytest.approx(p_of(m, q.variable, q.yes, **alone), abs=1e-12)
    if name == "generated":
        assert set(frame["kind"]) == {"observed", "forced", "bundle"}


def test_ties_are_said_as_ties(write_model):
    text = confounded(comparison("more_likely", "observation", "strength: more")) + """\
outcomes:
  - y: y
scenarios:
  push_a: {label: Push A, do: {x: x1}}
  push_b: {label: Push B, do: {x: x1}}
  drop_x: {do: {x: x0}}
"""
    m = bayes.load(write_model(text))
    frame = W.what_ifs(m).set_index("scenario")
    assert frame.loc["push_a", "tied_with"] == ["push_b"] and frame.loc["push_b", "tied_with"] == ["push_a"]
    assert frame.loc["drop_x", "tied_with"] == []
    from bayes.analysis.scenarios import scenario_label

    marked = bayes.load(write_model(text.replace("label: Push A,", "label: Push A (forced),"), "marked.yaml"))
    assert scenario_label(marked, "push_a") == "Push A (forced)"  # an author's own mark is not doubled
    assert frame.loc["push_a", "probability"] == pytest.approx(hand_forced("x1"), abs=1e-12)
    from bayes.outputs import narrative

    sentence = narrative.bottom_line(m, m.scenarios())[0]
    # P(y | do(x1)) = 0.45 moves it more than P(y | do(x0)) = 0.22 does from 0.329: the two pushes tie
    assert "; Push A (forced) and Push B (forced) tie for the largest move, to unlikely (45.0%)." in sentence


@pytest.mark.parametrize("name", MODELS)
def test_key_assumptions_rest_on_assumptions_and_swing_the_answer(models, name):
    from bayes.inference.claims import judgement_row
    from bayes.inference.draws import ArrayDraws
    from bayes.inference.engine import Query
    from bayes.modelfile.parameters import elicited_parameters

    m = models[name]
    q = m.spec.question
    idx = [m.spec.states(q.variable).index(s) for s in q.yes]
    params = {p.name: p for p in elicited_parameters(m)}
    frame = W.key_assumptions(m, top=50)
    for row in frame.to_dict("records"):
        prm = params[row["parameter"]]
        rationale = judgement_row(m.spec, prm).rationale
        assert rationale.assumption and not rationale.claims and row["assumption"] == rationale.assumption
        ends = []
        for x in (prm.low, prm.high):
            draws = ArrayDraws(m.engine.net, {prm.variable: prm.table_at(x)[..., None]})
            ends.append(float(m.engine.run([Query.make(q.variable, {}, {})], draws)[0].probabilities[0, idx].sum()))
        assert (row["answer_low"], row["answer_high"]) == pytest.approx(tuple(ends), abs=1e-12)
    assert list(frame["swing"]) == sorted(frame["swing"], reverse=True)


def test_coverage_as_measured(models):
    assert J.coverage_summary(models["caucasus_2020"]) == {
        "measured": False, "reason": "the model names no source text"}
    river = J.coverage_summary(models["river_ceasefire"])
    assert river["measured"] and 0 < river["encoded"] <= river["sentences"]


# ------------------------------------------------------------------------------------- brief.json and changes

def test_brief_json_and_the_change_since_the_last_brief(write_model, tmp_path):
    """A brief writes brief.json with the answer and key judgements as plain queries give them; after one
    edited row the next brief into the same folder reports the move with the right numbers and the reason."""
    from bayes.outputs.brief import build_brief, write_brief

    text = confounded(comparison("more_likely", "observation", "strength: more")) + "outcomes:\n  - y: y\n  - z: z1\n"
    m = bayes.load(write_model(text))
    out = tmp_path / "out"
    first = build_brief(m, draws=200)
    write_brief(first, out)
    record = json.loads((out / "brief.json").read_text())
    for key in ("question", "answer", "key_judgements", "alternatives", "signposts", "what_ifs", "assumptions",
                "changes", "coverage"):
        assert key in record
    assert record["answer"]["probability"] == pytest.approx(m.probability("y=y"), abs=1e-12)
    for k in record["key_judgements"]:
        assert set(k) >= {"text", "variable", "states", "probability", "lo90", "hi90", "words", "horizon",
                          "confidence", "confidence_basis", "stated_confidence"}
        assert k["probability"] == pytest.approx(p_of(m, k["variable"], k["states"]), abs=1e-12)
    assert record["changes"] is None and first.changes is None
    edited = text.replace(f"z0: {1 - PZ1!r}, z1: {PZ1!r}", "z0: 0.5, z1: 0.5")
    assert edited != text
    m2 = bayes.load(write_model(edited, "edited.yaml"))
    second = build_brief(m2, draws=200)
    write_brief(second, out)
    moved = {c["variable"]: c for c in second.changes}
    assert set(moved) == {"y", "z"}
    assert moved["z"]["before"] == pytest.approx(PZ1) and moved["z"]["now"] == pytest.approx(0.5)
    assert moved["y"]["before"] == pytest.approx(m.probability("y=y")) and \
        moved["y"]["now"] == pytest.approx(m2.probability("y=y"))
    assert moved["y"]["because"] == ["P(z=z1): 30% to 50%"]
    html = (out / "brief.html").read_text()
    assert 'id="changes"' in html and "30% to 50%" in html
    for anchor in ("bottom-line", "key-judgements", "alternatives", "signposts", "assumptions", "changes", "sources",
                   "claims"):
        assert f'id="{anchor}"' in html
    third = build_brief(m2, draws=200)
    write_brief(third, out)
    assert third.changes == []


def test_starter_leftovers_are_found(tmp_path):
    from bayes.modelfile.starter import starter_leftovers, starter_text

    path = tmp_path / "fresh.yaml"
    path.write_text(starter_text("fresh"))
    found = starter_leftovers(bayes.load(path).spec)
    assert "the model's title is still the starter's placeholder" in found
    assert any(f.startswith("claim S1") for f in found)
    for name in MODELS[:2]:
        assert starter_leftovers(bayes.load(name).spec) == []


def test_brief_of_a_starter_says_so_and_exits_1(tmp_path, bayes_cli):
    from bayes.modelfile.starter import starter_text

    path = tmp_path / "fresh.yaml"
    path.write_text(starter_text("fresh"))
    code, out, _ = bayes_cli("brief", path, "--out", tmp_path / "out")
    assert code == 1 and "Not an assessment yet" in out
    assert out.startswith("Answer: Outcome: yes is ")  # the starter's own question
    html = (tmp_path / "out" / "brief.html").read_text()
    assert "Not an assessment yet." in html and html.index("Not an assessment yet") < html.index('id="bottom-line"')


# ------------------------------------------------------------------------------------- the analyst's prose

PROSE = """\
key_judgements:
  - "Y will {y=y: WORD} happen; Z is {z=z1}."
  - text: "Either state of x: {x=x0|x1: almost certain}."
"""


def prose_model(write_model, word: str, name: str = "prose.yaml"):
    text = confounded(comparison("more_likely", "observation", "strength: more")) + PROSE.replace("WORD", word)
    return write_model(text, name)


def test_prose_references_are_filled_with_the_models_numbers(write_model):
    from bayes.outputs.estimative import prose_sentence

    m = bayes.load(prose_model(write_model, "unlikely"))  # P(y) = 0.329: unlikely
    items = J.prose_judgements(m)
    assert [i["agrees"] for i in items] == [True, True]
    first = items[0]["references"]
    assert first[0]["probability"] == pytest.approx(m.probability("y=y"), abs=1e-12)
    assert first[1]["word"] is None and first[1]["model_word"] == ICD203.term(PZ1)
    assert prose_sentence(m, items[0]) == "Y will unlikely (33%) happen; Z is unlikely (30%)."
    assert prose_sentence(m, items[1]) == "Either state of x: almost certain (100%)."


def test_a_prose_word_the_number_does_not_bear_out_fails_check(write_model, bayes_cli):
    path = prose_model(write_model, "likely")
    code, out, _ = bayes_cli("check", path)
    assert code == 1
    line = next(ln for ln in out.splitlines() if "key judgement says" in ln)
    assert line.endswith(": key judgement says 'likely' for y=y; the model gives unlikely (33%)")
    lineno = int(line.split(":")[1])
    assert path.read_text().splitlines()[lineno - 1].strip().startswith('- "Y will {y=y: likely}')
    good = prose_model(write_model, "unlikely", "good.yaml")
    assert bayes_cli("check", good)[0] == 0


@pytest.mark.parametrize("prose, message", [
    ('  - "no reference at all"\n', "a key judgement needs at least one reference"),
    ('  - "{w=y} is here"\n', "reference '{w=y}' names unknown variable 'w'"),
    ('  - "{y=maybe} is here"\n', "reference '{y=maybe}' names unknown state 'maybe' of 'y'"),
    ('  - "{y=y: sure} is here"\n', "reference '{y=y: sure}' uses 'sure', which is not a word of the icd203 scale"),
    ('  - "{y} is here"\n', "reference '{y}' must be written {VARIABLE=STATE}"),
])
def test_bad_prose_references_name_their_line(write_model, prose, message):
    text = confounded(comparison("more_likely", "observation", "strength: more")) + "key_judgements:\n" + prose
    with pytest.raises(bayes.ModelFileError) as caught:
        bayes.load(write_model(text))
    assert message in caught.value.message
    assert text.splitlines()[caught.value.line - 1] == prose.rstrip("\n")


def test_the_brief_leads_with_the_analysts_sentences(models):
    from bayes.outputs.brief import brief_html, brief_record, build_brief
    from bayes.outputs.estimative import prose_sentence

    m = models["river_ceasefire"]
    brief = build_brief(m, draws=200)
    html = brief_html(brief)
    bottom = html[html.index('id="bottom-line"'):html.index("</section>", html.index('id="bottom-line"'))]
    sentences = [prose_sentence(m, item) for item in J.prose_judgements(m)]
    assert sentences and all(s in bottom for s in sentences)
    assert bottom.index(sentences[0]) < bottom.index("Headline outcomes:")
    assert "likely (78%)" in sentences[0] and "unlikely (22%)" in sentences[0]
    record = brief_record(brief)
    assert [a["text"] for a in record["analyst_judgements"]] == sentences
    assert all(a["agrees"] for a in record["analyst_judgements"])


def test_thin_coverage_caps_confidence_at_moderate(write_model, tmp_path):
    """Under half of the source's judgements encoded: every judgement at most moderate, and why. By hand: the
    quoted first sentence makes no judgement; the second makes two (likely, unlikely), the third one."""
    from bayes.outputs.estimative import confidence_basis

    (tmp_path / "source.txt").write_text(
        "A claim under test. War is likely this year, and talks are unlikely to resume. A deal will probably fail.\n")
    text = confounded(comparison("more_likely", "observation", "strength: more")).replace(
        "author: tests}", "author: tests, source_file: source.txt}")
    m = bayes.load(write_model(text))
    cov = J.coverage_summary(m)
    assert (cov["measured"], cov["sentences"], cov["judgements"], cov["encoded"]) == (True, 2, 3, 0)
    frame = J.key_judgements(m, draws=200, seed=1)
    for row in frame.to_dict("records"):
        assert row["confidence"] in ("low", "moderate") and row["criteria"]["coverage"] == "moderate"
        assert "the model encodes only 0 of the 3 judgements its source makes" in confidence_basis(m, row)


def test_changes_since_a_git_revision(tmp_path, bayes_cli):
    """--since REV: the model file as it was in REV is the comparison, whatever the folder holds."""
    import subprocess

    from bayes.outputs.brief import build_brief, write_brief

    repo = tmp_path / "repo"
    repo.mkdir()
    text = confounded(comparison("more_likely", "observation", "strength: more")) + "outcomes:\n  - y: y\n"
    path = repo / "model.yaml"
    path.write_text(text)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false"]
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    subprocess.run(git + ["add", "model.yaml"], cwd=repo, check=True)
    subprocess.run(git + ["commit", "-qm", "first"], cwd=repo, check=True)
    before = bayes.load(path).probability("y=y")
    path.write_text(text.replace(f"z0: {1 - PZ1!r}, z1: {PZ1!r}", "z0: 0.5, z1: 0.5"))
    m = bayes.load(path)
    brief = build_brief(m, draws=None)
    write_brief(brief, tmp_path / "out", since="HEAD")
    (change,) = brief.changes
    assert change["variable"] == "y" and change["before"] == pytest.approx(before, abs=1e-12)
    assert change["now"] == pytest.approx(m.probability("y=y"), abs=1e-12)
    assert change["because"] == ["P(z=z1): 30% to 50%"]
    code, _, err = bayes_cli("brief", path, "--out", tmp_path / "out2", "--since", "no-such-rev")
    assert code == 2 and "unknown revision 'no-such-rev'" in err and not (tmp_path / "out2").exists()
