"""Every word a reader sees is the analyst's: the brief's page, its deck and every chart of both shipped
models and a generated one, scanned for ids (a name with `_`), doubled word pairs ("Talks: talks"), two
colons in one clause ("Escalation: a wider war: unlikely") and nested brackets."""

from __future__ import annotations

import html as html_lib
import re

import matplotlib.text
import pytest

import bayes
from bayes.exchange.synthetic import write_random_model

MODELS = ["caucasus_2020", "river_ceasefire", "generated"]
ID = re.compile(r"\b[a-z0-9]+_[a-z0-9_]+\b")
NESTED = re.compile(r"\([^()]*\(")  # "(unlikely (26%))": a bracket opened inside another
DOUBLED = re.compile(r"\b(\w+(?: \w+)?): \1\b", re.IGNORECASE)


def clauses(text: str):
    """Clauses of a text: split at sentence ends, semicolons and line breaks (a colon starts a list item
    or names an outcome; two in one clause read as a stutter)."""
    for part in re.split(r"(?<=[.!?])\s+|;|\n|\|", text):
        if part.strip():
            yield part.strip()


def problems(text: str) -> list[str]:
    found = []
    for clause in clauses(text):
        found += [f"id '{m.group(0)}' in: {clause}" for m in ID.finditer(clause)]
        found += [f"doubled '{m.group(0)}' in: {clause}" for m in DOUBLED.finditer(clause)]
        if clause.count(": ") >= 2:
            found.append(f"two colons in: {clause}")
        if NESTED.search(clause):
            found.append(f"nested brackets in: {clause}")
    return found


def worded_ids(text: str, model) -> list[str]:
    """A state named by its id in words where the analyst gave it another label: 'Kardan coalition = coalition
    splits' for the state `coalition_splits` labelled 'splits' (an id the underscore scan cannot see)."""
    found = []
    for name, v in model.spec.variables.items():
        for state in model.spec.states(name):
            said, label = state.replace("_", " "), v.state_display(state)
            if said != label and not label.startswith(said):
                pattern = rf"{re.escape(v.display)}(?::| =) {re.escape(said)}\b"
                found += [f"state id '{state}' in words: {m.group(0)}" for m in re.finditer(pattern, text)]
    return found


def analyst_texts(model) -> list[str]:
    """The analyst's own free text (title, source, author, descriptions, rationales, claims, prose): their
    words, shown as written; the scan checks what the toolkit composes around them."""
    spec = model.spec
    texts = [spec.title, spec.source, spec.author, spec.description or ""]
    for v in spec.variables.values():
        texts.append(v.description)
        for row in v.rows:
            texts += [row.rationale.assumption or "", row.rationale.note or ""]
    for c in spec.claims.values():
        texts += [c.quote, c.says, c.note or ""]
    texts += [sc.description or "" for sc in spec.scenarios.values()]
    return sorted({t for t in texts if t and len(t) > 3}, key=len, reverse=True)


def masked(text: str, model) -> str:
    """The text with the analyst's own words blanked, line by line (a chart wraps a long source line, so
    whitespace is compared collapsed)."""
    out = []
    for line in text.split("\n"):
        line = " ".join(line.split())
        for t in analyst_texts(model):
            line = line.replace(" ".join(t.split()), " ANALYST ")
        out.append(line)
    return "\n".join(out)


def visible_html_text(page: str) -> str:
    page = re.sub(r"<style>.*?</style>", " ", page, flags=re.S)
    page = re.sub(r'src="data:[^"]*"|srcset="data:[^"]*"', " ", page)
    page = re.sub(r"<[^>]+>", "\n", page)
    return html_lib.unescape(page)


@pytest.fixture(scope="module")
def briefs(tmp_path_factory):
    from bayes.outputs.brief import build_brief, write_brief

    out = {}
    for name in MODELS:
        m = bayes.load(name) if name != "generated" else bayes.load(
            write_random_model(tmp_path_factory.mktemp("gen") / "generated.yaml", seed=1))
        brief = build_brief(m, draws=200)
        folder = tmp_path_factory.mktemp(name)
        write_brief(brief, folder)
        out[name] = (brief, folder)
    return out


@pytest.mark.parametrize("name", MODELS)
def test_the_brief_page_speaks_in_labels(briefs, name):
    brief, folder = briefs[name]
    text = visible_html_text((folder / "brief.html").read_text(encoding="utf-8"))
    found = problems(masked(text, brief.model)) + worded_ids(" ".join(text.split()), brief.model)
    assert not found, "\n".join(found[:20])


@pytest.mark.parametrize("name", MODELS)
def test_the_deck_speaks_in_labels(briefs, name):
    from pptx import Presentation

    brief, folder = briefs[name]
    texts = []
    for slide in Presentation(str(folder / "brief.pptx")).slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                texts.append(shape.text_frame.text)
            if shape.has_table:
                texts += [cell.text for row in shape.table.rows for cell in row.cells]
    found = problems(masked("\n".join(texts), brief.model)) + worded_ids(" ".join(" ".join(texts).split()), brief.model)
    assert not found, "\n".join(found[:20])


@pytest.mark.parametrize("name", MODELS)
def test_every_chart_speaks_in_labels(briefs, name):
    brief, _ = briefs[name]
    texts = []
    for chart in brief.charts.charts:
        texts.append(chart.alt)
        texts += [" ".join(t.get_text().split()) for t in chart.figure.findobj(matplotlib.text.Text)
                  if t.get_text().strip()]
    found = problems(masked("\n".join(texts), brief.model))
    assert not found, "\n".join(found[:20])


def test_the_scan_catches_what_it_is_for():
    river = bayes.load("river_ceasefire")
    assert worded_ids("Observes: Kardan coalition = coalition splits.", river)
    assert not worded_ids("Observes: Kardan coalition: splits; Monitoring mission: at full strength.", river)
    assert problems("Escalation: escalates_to_wider_war is likely")
    assert problems("Talks: talks held")
    assert problems("Escalation: a wider war: unlikely (26%)")
    assert problems("the answer (likely (78%)) holds")
    assert not problems("Escalation: a wider war is unlikely (26%); Talks: political talks.")


def test_describe_is_readable_in_a_notebook():
    """describe()'s description column gets room and wraps (it was squeezed to six characters)."""
    from bayes.outputs.narrative import readable

    html = readable(bayes.load("caucasus_2020").describe()).to_html()
    assert "min-width: 28em" in html and "white-space: normal" in html
    first = bayes.load("caucasus_2020").spec.variables["azerbaijan_alignment"].description
    assert html_lib.escape(first.split(",")[0]) in html


def test_the_explorer_agrees_with_the_scenario_chart():
    """Given the notebook's draws and seed (as notebook 02 passes them), the explorer's baseline interval is
    the one the scenario chart above it shows."""
    import ipywidgets as widgets

    from bayes.modelfile.scales import describe
    from bayes.outputs.explorer import scenario_explorer

    m = bayes.load("caucasus_2020")
    chart = m.scenarios(["escalation"], draws=2000, seed=2020)
    base = chart[(chart["scenario"].astype(str) == "baseline") & (chart["state"] == "escalates_to_wider_war")].iloc[0]

    def walk(w):
        yield w
        for child in getattr(w, "children", ()):
            yield from walk(child)

    box = scenario_explorer(m, "escalation", draws=2000, seed=2020)
    caption = next(w for w in walk(box) if isinstance(w, widgets.HTML) and "at baseline" in w.value).value
    assert describe(base["probability"], m.scale, base["lo90"], base["hi90"]) in html_lib.unescape(caption)
    import json
    from pathlib import Path

    notebook = json.loads((Path(__file__).parent.parent / "notebooks" / "02_scenarios.ipynb").read_text())
    code = "".join("".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code")
    assert "scenario_explorer(m, target, draws=draws, seed=seed)" in code  # the notebook's own draws and seed


@pytest.mark.parametrize("name", ["caucasus_2020", "river_ceasefire"])
def test_revision_charts_speak_in_labels(name, tmp_path):
    """The diff and disagreement charts of notebook 05 and `bayes diff/disagreement --chart`, given the
    model, name outcomes by the analyst's labels."""
    from pathlib import Path

    import matplotlib.pyplot as plt

    from bayes.analysis import revisions
    from bayes.outputs import charts

    m = bayes.load(name)
    readers = [Path(m.spec.path), tmp_path / "low.yaml", tmp_path / "high.yaml"]
    revisions.alternative_reading(m, "low", readers[1], label="low", force=True)
    high = revisions.alternative_reading(m, "high", readers[2], label="high", force=True)
    spread = revisions.disagreement(readers)
    outcome = next(iter(spread.values["outcome"]))
    with charts.briefing_style():
        figures = [charts.diff_chart(data=revisions.diff(m, high), scale=m.scale, title="t", model=m).figure,
                   charts.disagreement_chart(data=spread.values, outcome=outcome, scale=m.scale, title="t",
                                             model=m).figure]
    texts = [" ".join(t.get_text().split()) for fig in figures for t in fig.findobj(matplotlib.text.Text)
             if t.get_text().strip() and t.get_gid() not in ("source",)]
    found = [p for t in texts for p in problems(masked(t, m))]
    for fig in figures:
        plt.close(fig)
    assert found == []
    from bayes.outputs.phrases import outcome_phrase

    label = outcome_phrase(m, *outcome.split("="))
    disagreement_texts = [t.get_text() for t in figures[1].findobj(matplotlib.text.Text)]
    assert any(label in " ".join(t.split()) for t in disagreement_texts), label  # the subtitle, by its label
