"""Source-linked claims: candidate sentences with their lines, quotes verified, coverage, `bayes new`."""

import json

import pytest
from tiny import TINY

import bayes
from bayes.modelfile.sources import candidate_claims, find_quote, nearest_passage, normalise, sentences, triggers

TEXT = """\
A fictional assessment, written for the tests.

Talks resumed in March. The ceasefire is likely to hold through the summer,
although a breach can't be ruled out.
If the rebels rearm, fighting would be more likely. Dr. Vance said so on 3 March.

Nothing here is hedged. Unless donors pay, the mission ends; the risk of collapse
is real. It could last until May.
"""


def test_sentences_keep_the_line_they_start_on():
    found = [(s.line, s.text[:30]) for s in sentences(TEXT)]
    assert found == [(1, "A fictional assessment, writte"), (3, "Talks resumed in March."),
                     (3, "The ceasefire is likely to hol"), (5, "If the rebels rearm, fighting "),
                     (5, "Dr. Vance said so on 3 March."), (7, "Nothing here is hedged."),
                     (7, "Unless donors pay, the mission"), (8, "It could last until May.")]


HEADED = """\
Red Sea shipping: an assessment
https://example.org/red-sea
Houthi attacks are unlikely to stop soon. Transits may recover
slowly, though the risk of escalation is real.

Key judgements
- Attacks will probably continue
- Insurers may return if talks hold
1. A ceasefire is possible
Talks resumed in May. The ceasefire is likely to hold through the summer,
although a breach can't be ruled out. See section 3.1 for more.
"""


def test_headings_titles_urls_and_bullets_are_their_own_sentences():
    """A line without a full stop stands alone when it is a title, a URL, a heading or a bullet; a sentence
    wrapped over lines stays one; '1.' of a numbered item and '3.1' end nothing."""
    assert [(s.line, s.text) for s in sentences(HEADED)] == [
        (1, "Red Sea shipping: an assessment"), (2, "https://example.org/red-sea"),
        (3, "Houthi attacks are unlikely to stop soon."),
        (3, "Transits may recover slowly, though the risk of escalation is real."),
        (6, "Key judgements"), (7, "- Attacks will probably continue"), (8, "- Insurers may return if talks hold"),
        (9, "1. A ceasefire is possible"), (10, "Talks resumed in May."),
        (10, "The ceasefire is likely to hold through the summer, although a breach can't be ruled out."),
        (11, "See section 3.1 for more.")]
    # the hedges analysts encode: 'may' (not the month), 'probably', 'possible', 'plausible', 'depends on'
    assert [(c.line, c.triggers) for c in candidate_claims(HEADED)][:5] == [
        (3, ("unlikely",)), (3, ("may", "risk of")), (7, ("probably",)), (8, ("may", "if")), (9, ("possible",))]
    assert triggers("It depends on Moscow, and is not fully settled; a plausible path.") == (
        "depends on", "not fully", "plausible")


def test_candidate_claims_name_their_trigger_words():
    got = [(c.line, c.triggers) for c in candidate_claims(TEXT)]
    assert got == [(3, ("likely", "can't be ruled out")), (5, ("if", "would", "more likely")),
                   (7, ("unless", "risk of")), (8, ("could", "until"))]
    assert triggers("It is very unlikely, and almost certainly not.") == ("very unlikely",)
    assert triggers("A realistic possibility; it cannot be ruled out") == ("realistic possibility", "can't be ruled out")
    assert triggers("It can\u2019t be ruled out") == ("can't be ruled out",)


def test_quotes_match_with_elisions_quote_marks_and_spacing():
    source = normalise(TEXT)
    assert find_quote("the ceasefire is LIKELY to hold", source)
    assert find_quote("If the rebels rearm, ... more likely", source)
    assert find_quote("“a breach can’t be ruled   out”", source.replace("'", "’"))
    assert find_quote("the rebels ... Talks resumed", source) is None  # fragments must come in order
    assert find_quote("the ceasefire will hold", source) is None


def test_article_candidates_and_lines(flagship_article):
    found = {}
    for c in candidate_claims(flagship_article.read_text(encoding="utf-8")):
        found[c.line] = found.get(c.line, ()) + c.triggers
    assert "likely" in found[29] and "can't be ruled out" in found[31] and "if" in found[27]
    lines = flagship_article.read_text(encoding="utf-8").splitlines()
    assert "It’s likely" in lines[28] and "ruled out" in lines[30]


def test_flagship_quotes_all_occur_in_the_article_and_coverage(bayes_cli, flagship_article):
    code, out, err = bayes_cli("check", "caucasus_2020", "--source", flagship_article)
    assert code == 0, err
    assert f"quotes: all 25 occur in {flagship_article}" in out
    code, out, _ = bayes_cli("coverage", "caucasus_2020", "--source", flagship_article, "--format", "json")
    rows = json.loads(out)
    assert code == 0 and {"sentence", "line", "claims"} <= set(rows[0])
    by_line = {}
    for r in rows:
        by_line.setdefault(r["line"], []).extend(r["claims"])
    assert "C12" in by_line[29] and "C08" in by_line[31]


def _line(path, text):
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if line.startswith(text))


def _with_source(write_model, tmp_path, quote_of_t2="rain is not rare"):
    (tmp_path / "src.txt").write_text("The sprinkler wets the grass. Rain is not rare here, and it is likely\n"
                                      "that grass colour does not change the rain.\n", encoding="utf-8")
    text = TINY.replace("  author: tests\n", "  author: tests\n  source_file: src.txt\n")
    return write_model(text.replace('"rain is not rare"', json.dumps(quote_of_t2)))


def test_check_reports_quotes_missing_from_the_source(write_model, tmp_path, bayes_cli):
    code, out, _ = bayes_cli("check", _with_source(write_model, tmp_path))
    assert code == 0 and "quotes: all 3 occur in" in out
    assert "note: no variable is marked 'observable: true'" in out  # the sprinkler has no indicator to watch
    code, out, _ = bayes_cli("check", _with_source(write_model, tmp_path, "rain is rare"), "--format", "json")
    found = {r["id"]: r["quote_in_source"] for r in json.loads(out)}
    assert code == 1 and found == {"T1": True, "T2": False, "T3": True}
    path = _with_source(write_model, tmp_path, "rain is rare")
    code, out, _ = bayes_cli("check", path)
    assert code == 1 and f"model.yaml:{_line(path, '  T2:')}: claim T2: quote not found in" in out
    assert '"rain is rare"' in out
    # the summary says every reason for the exit code, and a missing quote points at the passage it is nearest
    assert "3 of 3 claims pass" in out or "claims pass" in out
    assert "; 1 quote not found in the source" in out
    near = nearest_passage("the ceasefire is likly to hold thru the summer", TEXT)
    assert near is not None and near[0].line == 3 and near[0].text.startswith("The ceasefire is likely")
    # by hand: all 46 characters of the quote occur in order in 'the ceasefire is likely to hold through the
    # summer' (50 characters): similarity 2 * 46 / (46 + 50)
    assert near[1] == pytest.approx(2 * 46 / (46 + 50))
    assert "nearest passage, " in out and ":1 (similarity " in out  # 'rain is rare' is nearest the first line
    assert nearest_passage("...", TEXT) is None  # nothing to look for
    code, out, _ = bayes_cli("coverage", _with_source(write_model, tmp_path))
    assert code == 0 and "1 of 1 judgements in the 1 estimative or conditional sentences" in out and "line 1: T2, T3 (likely)" in out


def test_a_missing_source_file_is_one_error(write_model, bayes_cli):
    path = write_model(TINY.replace("  author: tests\n", "  author: tests\n  source_file: nowhere.txt\n"))
    code, _, err = bayes_cli("check", path)
    assert code == 2 and err.count("\n") == 1 and "nowhere.txt" in err and "is not a file" in err
    code, _, err = bayes_cli("coverage", write_model(TINY, "plain.yaml"))
    assert code == 2 and "no source text" in err


def test_a_failing_claim_points_at_its_line_numbers_and_judgements(write_model, bayes_cli):
    path = write_model(TINY.replace("range: [0.1, 0.3]", 'band: "25-40%"'))
    code, out, _ = bayes_cli("check", path)
    assert code == 1
    t2_line, rain_row = _line(path, "  T2:"), _line(path, "      - probabilities: {no: 0.8, yes: 0.2}")
    assert f"{path}:{t2_line}: claim T2 fails: very unlikely (20.0%); it needs 25% <= P <= 40%." in out
    assert f"- {path}:{rain_row}: P(rain=yes) (now 0.2, swung 0.1 to 0.3): 0.1 to 0.3" in out
    code, out, _ = bayes_cli("check", path, "--format", "json")
    t2 = {r["id"]: r for r in json.loads(out)}["T2"]
    assert t2["line"] == t2_line and t2["fix"][0]["line"] == rain_row and t2["fix"][0]["claim_high"] == pytest.approx(0.3)
    # a comparison: the gap between its sides moves; the sprinkler's own row moves it most
    path = write_model(TINY.replace("strength: far_more", "min_odds_ratio: 100"), "or.yaml")
    t1 = {r["id"]: r for r in json.loads(bayes_cli("check", path, "--format", "json")[1])}["T1"]
    top = t1["fix"][0]
    wet_rows = {_line(path, "      - given: {rain: %s, sprinkler: %s}" % k) for k in
                [("no", "off"), ("no", "on"), ("yes", "off"), ("yes", "on")]}
    assert not t1["passed"] and len(t1["fix"]) == 3 and top["line"] in wet_rows and top["variable"] == "wet_grass"
    assert [h["swing"] for h in t1["fix"]] == sorted((h["swing"] for h in t1["fix"]), reverse=True)
    # by hand: P(wet | do(on)) - P(wet | do(off)) = 0.8 x + 0.2 * 0.99 - (0.8 * 0 + 0.2 * 0.8), x = P(wet | no rain,
    # on) swung 0.9 -+ 0.1; nothing else moves the gap as much (0.16)
    assert top["line"] == _line(path, "      - given: {rain: no, sprinkler: on}")
    assert (top["claim_low"], top["claim_high"]) == pytest.approx((0.8 * 0.8 + 0.038, 0.8 * 1.0 + 0.038), abs=1e-12)


def test_no_claims_is_one_line(write_model, bayes_cli):
    text = TINY.split("\nclaims:")[0].replace("        rationale: {claims: [T1]}", "        rationale: {assumption: t}")
    code, _, err = bayes_cli("check", write_model(text))
    assert code == 2 and err.count("\n") == 1 and "no claims to check" in err


def test_new_writes_a_model_that_passes_check(tmp_path, bayes_cli, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, _ = bayes_cli("new", "my_model")
    assert code == 0 and "my_model.yaml" in out
    code, out, err = bayes_cli("check", "my_model.yaml")
    assert code == 0, out + err
    spec = bayes.load("my_model.yaml").spec
    assert {c.form for c in spec.claims.values()} == {"probability", "more_likely", "less_likely", "no_difference"}
    assert spec.scenarios and spec.outcomes and any(v.observable for v in spec.variables.values())
    before = (tmp_path / "my_model.yaml").read_bytes()
    code, _, err = bayes_cli("new", "my_model")
    assert code == 2 and "already exists" in err and "--force" in err
    assert (tmp_path / "my_model.yaml").read_bytes() == before
    assert bayes_cli("new", "my_model", "--force")[0] == 0
    for bad in ("../escape", "9lives", "a b"):
        code, _, err = bayes_cli("new", bad)
        assert code == 2 and "model name" in err
    assert not (tmp_path.parent / "escape.yaml").exists()


def test_new_with_a_source_lists_candidate_claims(tmp_path, bayes_cli):
    source = tmp_path / "models" / "texts" / "article.txt"
    source.parent.mkdir(parents=True)
    source.write_text(TEXT, encoding="utf-8")
    out = tmp_path / "models" / "m.yaml"
    code, _, err = bayes_cli("new", "m", "--source", source, "-o", out)
    assert code == 0, err
    text = out.read_text(encoding="utf-8")
    assert '\n  source_file: "texts/article.txt"\n' in text
    assert "# line 3 (likely, can't be ruled out): The ceasefire is likely to hold" in text
    assert "# line 5 (if, would, more likely): If the rebels rearm" in text
    assert "# line 8 (could, until)" in text and "#  L008_4:" in text
    code, out_text, err = bayes_cli("check", out)
    assert code == 0 and "quotes: all 4 occur in" in out_text, out_text + err


def test_a_starter_never_names_a_source_outside_its_folder(tmp_path, bayes_cli):
    (tmp_path / "article.txt").write_text(TEXT, encoding="utf-8")
    out = tmp_path / "models" / "m.yaml"
    out.parent.mkdir()
    assert bayes_cli("new", "m", "--source", tmp_path / "article.txt", "-o", out)[0] == 0
    text = out.read_text(encoding="utf-8")
    assert '\n  # source_file: "../article.txt"\n' in text and "\n  source_file:" not in text
    assert bayes_cli("check", out)[0] == 0
    code, out_text, _ = bayes_cli("check", out, "--source-dir", tmp_path)  # the model does not name it: no quote check
    assert code == 0 and "quotes:" not in out_text
    code, out_text, _ = bayes_cli("check", out, "--source", tmp_path / "article.txt")
    assert code == 0 and "quotes: all 4 occur in" in out_text


def test_stubs_keep_the_sources_own_characters(tmp_path, bayes_cli):
    source = tmp_path / "dash.txt"
    source.write_text("Talks \u2013 if they resume \u2013 would make a truce likely.\nIt may fail.\n"
                      "A breach can\u2019t be ruled out.\nThe risk of collapse is real.\n", encoding="utf-8")
    out = tmp_path / "dash.yaml"
    code, _, err = bayes_cli("new", "dash", "--source", source, "-o", out)
    assert code == 0, err
    text = out.read_text(encoding="utf-8")
    assert "\u2013 if they resume \u2013" in text and "\\u2013" not in text and "can\u2019t" in text


@pytest.mark.parametrize("sentence, judgements", [
    ("X is likely, but Y is unlikely.", 2), ("It is very unlikely.", 1), ("If it rains, war would follow.", 1),
    ("Escalation is more likely if talks fail.", 1), ("A roughly even chance, and it can't be ruled out.", 2),
    ("Likely, likely, likely.", 3), ("It is almost certain and highly unlikely to be probable.", 3),
])
def test_a_sentence_counts_one_judgement_per_estimative_trigger(sentence, judgements):
    from bayes.modelfile.sources import judgement_count

    assert judgement_count(sentence) == judgements


def test_a_sentence_with_two_judgements_needs_two_claims(write_model, tmp_path, bayes_cli):
    """T2 and T3 quote the one sentence of src.txt that makes two judgements (likely, not rare ... likely):
    covered twice; with T3 quoting elsewhere, one of two."""
    (tmp_path / "src.txt").write_text("Rain is likely here, and it is unlikely that grass colour changes the rain.\n"
                                      "The sprinkler wets the grass.\n", encoding="utf-8")
    text = TINY.replace("  author: tests\n", "  author: tests\n  source_file: src.txt\n")
    text = text.replace('"rain is not rare"', '"rain is likely here"').replace(
        '"grass colour does not change the rain"', '"unlikely that grass colour changes the rain"')
    code, out, _ = bayes_cli("coverage", write_model(text), "--format", "json")
    rows = json.loads(out)
    assert code == 0 and [(r["line"], r["judgements"], r["covered"], r["claims"]) for r in rows] == [(1, 2, 2, ["T2", "T3"])]
    once = text.replace('"unlikely that grass colour changes the rain"', '"the sprinkler wets the grass"')
    code, out, _ = bayes_cli("coverage", write_model(once, "once.yaml"))
    assert code == 0 and "line 1: T2; 1 of 2 judgements quoted (likely, unlikely)" in out
    assert "1 of 2 judgements in the 1 estimative or conditional sentences" in out and "(50%;" in out
    code, out, _ = bayes_cli("coverage", write_model(once, "once.yaml"), "--uncovered", "--format", "json")
    assert [r["line"] for r in json.loads(out)] == [1]
