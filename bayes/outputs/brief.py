"""The briefing: its content computed from the model (`build_brief`), its charts (`briefing_charts`), and
the files under reports/<model>/ (`write_brief`): brief.html, brief.pptx and every chart as PNG and SVG.

Everything a reader sees is computed here or in `bayes.outputs.narrative` from tidy tables; the HTML is generated
from those tables by a small Jinja2 template (`bayes.outputs.brief_template`), self-contained (styles and charts
inline, no script, nothing fetched), and the slide deck by python-pptx (`bayes.outputs.deck`). `render_brief`
(`bayes brief`) computes and writes the brief in its own process, drawing the charts on every core; with
`notebook=True` it also executes notebooks/briefing.ipynb with papermill (parameters `model`, a path, and
`out_dir`), which shows the same brief. Every file is written to a temporary name first and renamed, so a
failed run never leaves a half-written report.
"""

from __future__ import annotations

import base64
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd

from bayes.analysis.scenarios import (headline_rows, headline_states, named_scenarios, outcomes_now, parse_target,
                                      scenario_label, scenario_outcome)
from bayes.analysis import judgements, watchlist
from bayes.errors import BayesInputError
from bayes.fileio import atomic_write, atomic_write_text, safe_child
from bayes.model import Model, load
from bayes.modelfile.scales import describe
from bayes.modelfile.spec import BASELINE
from bayes.modelfile.starter import starter_leftovers
from bayes.outputs import estimative, narrative
from bayes.outputs.phrases import outcome_phrase
from bayes.outputs.charts.framing import image_png, png_bytes, raster, resized
from bayes.outputs.charts.network import portrait_height
from bayes.outputs.deck import brief_pptx, slide_image

PROJECT_ROOT = Path(__file__).resolve().parents[2]
BRIEFING_NOTEBOOK = PROJECT_ROOT / "notebooks" / "briefing.ipynb"
PHONE_SIZE = (6.5, 10.0)  # inches: the portrait variant of a chart that the HTML shows on narrow screens


def takeaway(model: Model, rows: pd.DataFrame, variable: str, state: str) -> str:
    """A title that states the finding: the outcome as of the model's date in words and numbers, and the
    scenario that moves it most, or that no scenario does at the precision shown (whole percent).

    Scenarios that observe or force the outcome itself are skipped: they answer by construction.
    """
    return narrative.takeaway_title(model, rows, variable, state)


@dataclass
class Chart:
    """One chart of the brief: its file name, its takeaway (title, alt text, slide title) and how to draw it
    on any Axes (`draw(ax, titles)`; without titles for a slide, whose title and footer carry them)."""
    name: str
    title: str
    subtitle: str
    source: str
    draw: Callable
    phone: bool = True  # whether a portrait variant reads better on a phone than the slide-shaped chart
    phone_size: object = None  # inches, or a function giving them (None: no portrait variant); PHONE_SIZE if unset
    laid_out: object = field(default=None, repr=False)  # the figure, laid out on first use of `figure`
    drawn: object = field(default=None, repr=False)  # the figure drawn at FILE_WIDTHS[-1] pixels, once
    made: dict = field(default_factory=dict, repr=False)  # the page's images and the slide's picture, once made

    @property
    def figure(self):
        """The chart at slide size with its titles, laid out when first asked for: `bayes brief` lays its
        charts out in the processes that draw them, a notebook when it shows them."""
        if self.laid_out is None:
            self.laid_out = self.render()
        return self.laid_out

    @property
    def alt(self) -> str:
        return " ".join(self.title.split())

    def render(self, size=None, titles: bool = True):
        """A new figure with the chart at `size` inches (default 16:9 slide size), closed for pyplot."""
        import matplotlib.pyplot as plt

        from bayes.outputs import charts

        with charts.briefing_style():
            fig, ax = plt.subplots(figsize=size or charts.SLIDE_SIZE)
            self.draw(ax, titles)
        plt.close(fig)
        return fig

    def image(self):
        """The chart drawn once at the @2x width (a PIL image); its files and the page's image are cut from it."""
        if self.drawn is None:
            self.drawn = raster(self.figure, FILE_WIDTHS[-1])
        return self.drawn


FILE_WIDTHS = (1920, 3840)  # each chart's PNG files: stem.png and stem@2x.png


def chart_files(chart: Chart, out_dir: str | os.PathLike) -> list[Path]:
    """The chart's files in `out_dir`: PNG 1920x1080 and @2x 3840x2160 (one drawing) and SVG."""
    from bayes.outputs import charts

    return charts.save_figure(chart.figure, safe_child(out_dir, chart.name), widths=FILE_WIDTHS, image=chart.image())


def chart_images(chart: Chart) -> dict:
    """The page's images of the chart as data URIs: `src` (1920 wide, cut from the files' drawing) and
    `phone` (the portrait variant, drawn at 780 wide; None for charts without one)."""
    if "page" not in chart.made:
        desktop = _data_uri(image_png(resized(chart.image(), 1920), compact=True))
        size = chart.phone_size() if callable(chart.phone_size) else (chart.phone_size or PHONE_SIZE)
        phone = _data_uri(png_bytes(chart.render(size), 780, compact=True)) if chart.phone and size else None
        chart.made["page"] = {"src": desktop, "phone": phone}
    return chart.made["page"]


_FORKED_JOB: tuple = ()  # (charts, folder) for the processes forked by chart_outputs


def _one_chart_outputs(index: int):
    charts, out = _FORKED_JOB
    chart = charts[index]
    return [str(p) for p in chart_files(chart, out)], chart_images(chart), slide_image(chart)


def chart_outputs(charts: list[Chart], out_dir: str | os.PathLike) -> list[Path]:
    """Every chart's files, page images and slide picture. Drawing is most of a brief's time, so on Linux,
    with no other thread running (fork is safe then; a notebook's kernel has threads), the charts are drawn
    in processes forked from this one, one per core, which inherit the laid-out figures; else one by one."""
    import threading

    out = Path(out_dir)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    workers = min(len(charts), cores)
    if workers < 2 or sys.platform != "linux" or threading.active_count() > 1:
        paths = []
        for chart in charts:
            paths += chart_files(chart, out)
            chart_images(chart)
            slide_image(chart)
        return paths
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    global _FORKED_JOB
    _FORKED_JOB = (charts, out)
    try:
        # the longest jobs first (a chart with a phone variant is drawn three times, the others twice), so
        # no core is left with a long one at the end
        order = sorted(range(len(charts)), key=lambda i: not charts[i].phone)
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            results = dict(zip(order, pool.map(_one_chart_outputs, order)))
    finally:
        _FORKED_JOB = ()
    paths = []
    for chart, (files, page, slide) in zip(charts, (results[i] for i in range(len(charts)))):
        paths += [Path(f) for f in files]
        chart.made.update(page=page, slide=slide)
    return paths


@dataclass
class BriefingCharts:
    paths: list[Path] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)

    @property
    def figures(self) -> dict:
        """{chart name: figure}, each laid out when first asked for."""
        return {chart.name: chart.figure for chart in self.charts}


def chart_names(model: Model, outcomes: list[str] | None = None, target: str | None = None) -> list[str]:
    """The briefing's chart files (without extension), in the order shown: with named scenarios, one
    scenario chart per headline outcome (the target's first) and the outcomes heatmap; without, one
    chart of the headline outcomes as things stand; then the network."""
    charted = _charted(model, outcomes, target)
    if named_scenarios(model):
        names = [f"scenario_{v}" for v in charted] + ["outcomes_heatmap"]
    else:
        names = ["outcomes_now"]
    return names + ["network"]


def _charted(model: Model, outcomes: list[str] | None, target: str | None) -> dict[str, str]:
    """{variable: state} of the scenario charts: the target first, then the headline outcomes."""
    states = headline_states(model)
    charted = {}
    if target is not None:
        var, state = parse_target(model, target)
        charted[var] = state
    for var in outcomes or list(states):
        charted.setdefault(var, states.get(var, model.states(var)[-1]))
    return charted


def scenario_rows(model: Model, scenarios: pd.DataFrame, variable: str, state: str) -> pd.DataFrame:
    """`bayes.analysis.scenarios.scenario_outcome` plus `set_by`: 'forced' or 'observed' where the scenario
    sets the outcome itself (drawn hatched, never as a finding)."""
    rows = scenario_outcome(model, scenarios, variable, state)
    rows["set_by"] = [narrative.set_by(model, s, variable) for s in rows["scenario"]]
    return rows


def headline_frame(model: Model, scenarios: pd.DataFrame) -> pd.DataFrame:
    """The headline table as tidy rows with display labels: scenario, scenario_label, outcome,
    outcome_label, probability (lo90, hi90 with draws), text (words and numbers) and set_by."""
    rows = headline_rows(model, scenarios).copy()
    rows["scenario"] = rows["scenario"].astype(str)
    rows["scenario_label"] = [scenario_label(model, s) for s in rows["scenario"]]
    rows["outcome_label"] = [narrative.outcome_name(model, v, s) for v, s in zip(rows["variable"], rows["state"])]
    rows["set_by"] = [narrative.set_by(model, s, v) for s, v in zip(rows["scenario"], rows["variable"])]
    if "lo90" in rows:
        text = [describe(p, model.scale, lo, hi) for p, lo, hi in zip(rows["probability"], rows["lo90"], rows["hi90"])]
    else:
        text = [describe(p, model.scale) for p in rows["probability"]]
    rows["text"] = [f"{narrative.shown(p)}, {how} by the scenario" if how == "forced" else
                    (f"{narrative.shown(p)}, observed in the scenario" if how else t)
                    for p, how, t in zip(rows["probability"], rows["set_by"], text)]
    return rows


def _assignment_words(model: Model, assignments: dict) -> str:
    return "; ".join(f"{model.spec.variables[v].display} = {narrative.words(s)}" for v, s in assignments.items())


def scenario_definitions(model: Model) -> pd.DataFrame:
    """Every scenario, baseline first: its label, what it assumes, what it observes and what it forces (in
    display labels and words)."""
    rows = []
    for name in model.scenario_names():
        sc = model.spec.scenarios.get(name)
        rows.append({"scenario": name, "label": scenario_label(model, name) if sc else "Baseline",
                     "description": sc.description if sc else "No evidence: the assessment as written.",
                     "observes": _assignment_words(model, sc.observe) if sc else "",
                     "forces": _assignment_words(model, sc.do) if sc else ""})
    return pd.DataFrame(rows)


def heatmap_title(model: Model, rows: pd.DataFrame) -> str:
    """The heatmap's takeaway: the largest move any scenario makes to a headline outcome (at the precision
    shown, scenarios setting the outcome themselves left out), or that none moves any."""
    best = None
    for var in dict.fromkeys(rows["variable"]):
        sub = rows[rows["variable"] == var]
        top = narrative.biggest_move(model, sub.assign(label=sub["scenario_label"]), var)
        if top is None:
            continue
        p0 = float(sub.loc[sub["scenario"] == BASELINE, "probability"].iloc[0])
        move = abs(float(top["probability"]) - p0)
        if best is None or move > best[0]:
            best = (move, top, p0)
    if best is None:
        return "No scenario moves any headline outcome at the precision shown"
    _, top, p0 = best
    return (f"{top['scenario_label']} moves {top['outcome_label']} most of all the outcomes, from "
            f"{narrative.shown(p0)} to {narrative.shown(float(top['probability']))}")


def briefing_charts(model: Model, scenarios: pd.DataFrame | None = None, out_dir: str | os.PathLike | None = None,
                    outcomes: list[str] | None = None, target: str | None = None, draws: int | None = None) -> BriefingCharts:
    """The briefing's charts (see `chart_names`): one scenario chart per headline outcome (the `target`'s
    first, VARIABLE=STATE), the outcomes heatmap, the network; a model without named scenarios gets one
    chart of its headline outcomes as things stand instead of the scenario charts and heatmap.

    Each chart's title is its takeaway, computed from the numbers. With `out_dir`, each chart is also
    written as PNG (1920x1080 and @2x 3840x2160) and SVG. Each chart is laid out when its `figure` is first
    asked for; figures come back closed, so a notebook shows each exactly once, through `display(fig)`.
    """
    from bayes.outputs import charts

    charted = _charted(model, outcomes, target)
    source = model.source_line
    result = BriefingCharts()
    interval_note = f"90% interval over {draws:,} draws of the judgements" if draws else "90% interval"
    if named_scenarios(model):
        scenarios = model.scenarios(list(dict.fromkeys([*charted, *headline_states(model)]))) \
            if scenarios is None else scenarios
        for var, state in charted.items():
            data = scenario_rows(model, scenarios, var, state)
            interval = {"low": "lo90", "high": "hi90"} if "lo90" in data else {}
            subtitle = (f"How likely is '{narrative.outcome_name(model, var, state)}' in each scenario? "
                        + (f"Whiskers: {interval_note}; " if interval else "")
                        + "dashed line: the baseline; hatched: set by the scenario itself.")

            def draw(ax, titles, data=data, interval=interval, title=takeaway(model, data, var, state),
                     subtitle=subtitle):
                charts.scenario_chart(data=data, scale=model.scale, ax=ax, title=title if titles else None,
                                     subtitle=subtitle if titles else None, source=source if titles else None,
                                     **interval)

            result.charts.append(Chart(f"scenario_{var}", takeaway(model, data, var, state), subtitle, source, draw))
        rows = headline_frame(model, scenarios)
        heat = rows.assign(label=rows["scenario_label"])
        title = heatmap_title(model, rows)
        subtitle = "Probability of each headline outcome, by scenario; hatched cells are set by the scenario itself."

        def draw_heat(ax, titles, heat=heat, title=title, subtitle=subtitle):
            charts.outcomes_heatmap(data=heat, ax=ax, title=title if titles else None,
                                   subtitle=subtitle if titles else None, source=source if titles else None)

        result.charts.append(Chart("outcomes_heatmap", title, subtitle, source, draw_heat))
    else:
        rows = outcomes_now(model)
        rows["label"] = [narrative.outcome_name(model, v, s) for v, s in zip(rows["variable"], rows["state"])]
        title = " ".join(narrative.outcomes_now_title(model, rows).split())
        subtitle = "The model names no scenarios: each headline outcome as things stand."

        def draw_now(ax, titles, rows=rows, title=title, subtitle=subtitle):
            charts.scenario_chart(data=rows, scale=model.scale, ax=ax, title=title if titles else None,
                                 subtitle=subtitle if titles else None, source=source if titles else None)

        result.charts.append(Chart("outcomes_now", title, subtitle, source, draw_now))
    n_arcs = sum(len(model.spec.variables[v].parents) for v in model.variables)
    title = f"The assessment as a network, as of {model.spec.as_of}"
    subtitle = (f"{len(model.variables)} variables, {n_arcs} links from cause to effect; each state's "
                "probability with no evidence entered")

    def draw_net(ax, titles, title=title, subtitle=subtitle):
        charts.network_chart(model, ax=ax, title=title if titles else None, subtitle=subtitle if titles else None,
                            source=source if titles else None)

    def portrait():  # causes above effects, as tall as it needs; None: too wide for a phone at 10 pt
        tall = portrait_height(model, PHONE_SIZE[0])
        return (PHONE_SIZE[0], tall) if tall else None

    result.charts.append(Chart("network", title, subtitle, source, draw_net, phone_size=portrait))
    if out_dir is not None:
        result.paths = chart_outputs(result.charts, out_dir)
    return result


# ------------------------------------------------------------------------------------- the brief

@dataclass
class Brief:
    """Everything the brief shows, computed: the HTML, the slides and the notebook all read this."""
    model: Model
    draws: int | None
    scenarios: pd.DataFrame
    bottom_line: list[str]
    headline: pd.DataFrame
    definitions: pd.DataFrame
    claims: pd.DataFrame
    claims_summary: str
    failing: list[dict]
    charts: BriefingCharts
    answer: dict = field(default_factory=dict)  # analysis/judgements.py answer()
    judgements: pd.DataFrame = field(default_factory=pd.DataFrame)  # key_judgements(), one row per headline outcome
    alternatives: pd.DataFrame = field(default_factory=pd.DataFrame)
    signposts: pd.DataFrame = field(default_factory=pd.DataFrame)
    what_ifs: pd.DataFrame = field(default_factory=pd.DataFrame)
    assumptions: pd.DataFrame = field(default_factory=pd.DataFrame)
    coverage: dict = field(default_factory=dict)
    starter: list[str] = field(default_factory=list)  # what the model still holds of the `bayes new` starter
    changes: list[dict] | None = None  # since the brief.json already in the folder written to; None: no earlier brief
    prose: list[dict] = field(default_factory=list)  # the analyst's key judgements, references read on the model

    @property
    def question(self) -> str:
        return self.model.spec.title

    @property
    def as_of(self) -> str:
        return str(self.model.spec.as_of)

    def headline_table(self) -> pd.DataFrame:
        """Scenarios down (display labels), headline outcomes across (display labels): the cells' text."""
        table = self.headline.pivot(index="scenario_label", columns="outcome_label", values="text")
        order = list(dict.fromkeys(self.headline["scenario_label"]))
        columns = list(dict.fromkeys(self.headline["outcome_label"]))
        return table.loc[order, columns].rename_axis(index="Scenario", columns=None)


def build_brief(model: Model, draws: int | None = 2000, seed: int | None = 2020, target: str | None = None,
                scenarios: pd.DataFrame | None = None) -> Brief:
    """Compute the brief: bottom line, headline table, charts, scenario definitions and the claims ledger
    (with `draws`, 90% intervals and each claim's share of draws in which it holds)."""
    variable = parse_target(model, target)[0] if target else None
    wanted = list(dict.fromkeys([*([variable] if variable else []), *headline_states(model)]))
    if scenarios is None:
        scenarios = model.scenarios(wanted, draws=draws, seed=seed)
    claims = model.check(draws=draws, seed=seed) if model.spec.claims else model.check()
    coverage = judgements.coverage_summary(model)  # reads the source text once
    return Brief(model=model, draws=draws, scenarios=scenarios, bottom_line=narrative.bottom_line(model, scenarios),
                 headline=headline_frame(model, scenarios), definitions=scenario_definitions(model), claims=claims,
                 claims_summary=narrative.claims_text(model, claims), failing=narrative.failing_claims(model),
                 charts=briefing_charts(model, scenarios, target=target, draws=draws),
                 answer=judgements.answer(model, draws, seed),
                 judgements=judgements.key_judgements(model, scenarios, claims, draws, seed, coverage),
                 alternatives=judgements.alternatives(model), signposts=watchlist.signposts(model),
                 what_ifs=watchlist.what_ifs(model), assumptions=watchlist.key_assumptions(model),
                 coverage=coverage, starter=starter_leftovers(model.spec),
                 prose=judgements.prose_judgements(model))


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def brief_html(brief: Brief) -> str:
    """The brief as one self-contained HTML page (styles and charts inline; no script, nothing fetched)."""
    from jinja2 import Environment

    from bayes.outputs.brief_template import CSS, TEMPLATE

    model = brief.model
    charts = []
    for chart in brief.charts.charts:
        charts.append({"name": chart.name, "alt": chart.alt, **chart_images(chart)})
    table = brief.headline_table()
    set_cells = {(r.scenario_label, r.outcome_label) for r in brief.headline.itertuples() if r.set_by}
    claims = []
    for r in brief.claims.to_dict("records") if len(brief.claims) else []:
        share = r.get("hold_share")
        claims.append({"id": r["id"], "says": model.spec.claims[r["id"]].says, "quote": r["quote"],
                       "form": narrative.words(model.spec.claims[r["id"]].form), "holds": "holds" if r["passed"] else "FAILS",
                       "passed": bool(r["passed"]),
                       "share": "" if share is None or pd.isna(share) else f"{share:.0%}",
                       "fragile": bool(r.get("fragile")) if r.get("fragile") is not None and not pd.isna(r.get("fragile")) else False})
    key_lines = []
    for row, sentence in zip(brief.judgements.to_dict("records"), brief.bottom_line):  # both in headline order
        stated = (row["stated_confidence"] + (f": {row['stated_basis']}" if isinstance(row["stated_basis"], str) else "")
                  if isinstance(row["stated_confidence"], str) else "not stated")
        key_lines.append({"sentence": sentence, "confidence": row["confidence"], "reason": estimative.confidence_reason(model, row),
                          "basis": estimative.confidence_basis(model, row),
                          "stated": stated, "fragile": estimative.fragile_text(model, row),
                          "disagrees": (f"The analyst says {row['stated_confidence']}; the measures read "
                                        f"{row['confidence']}.") if row["disagrees"] else None})
    labels = dict(zip(brief.what_ifs["scenario"], brief.what_ifs["label"])) if len(brief.what_ifs) else {}
    groups = []
    for kind, title in (("observed", "If developments are seen (observed scenarios)"),
                        ("forced", "If states are imposed (forced scenarios, what-ifs)"),
                        ("bundle", "Bundles: seen and imposed together")):
        items = [estimative.what_if_sentence(model, r, labels) for r in brief.what_ifs.to_dict("records")
                 if r["kind"] == kind] if len(brief.what_ifs) else []
        if items:
            groups.append((title, items))
    changes = None if brief.changes is None else [estimative.change_sentence(model, c) for c in brief.changes]
    confidence = dict(zip(brief.judgements["variable"], brief.judgements["confidence"])) if len(brief.judgements) else {}
    analyst = []
    for item in brief.prose:  # the analyst's sentences lead the bottom line when the file has them
        levels = [confidence[r["variable"]] for r in item["references"] if r["variable"] in confidence]
        analyst.append({"sentence": estimative.prose_sentence(model, item), "confidence": levels[0] if levels else None,
                        "disagrees": None if item["agrees"] else "; ".join(
                            f"the model gives {describe(r['probability'], model.scale)} for "
                            f"'{r['word']}'" for r in item["references"] if not r["agrees"])})
    env = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
    return env.from_string(TEMPLATE).render(
        css=CSS, title=model.title, question=brief.question, as_of=brief.as_of, source=model.spec.source,
        author=model.spec.author, description=model.spec.description or "",
        warning=narrative.failing_claims_warning(model, brief.failing).split(". ", 1) if brief.failing else None,
        failing=brief.failing, bottom_line=brief.bottom_line, intro=narrative.headline_note(model, brief.draws),
        columns=list(table.columns), rows=[(label, list(zip(table.columns, values))) for label, values in
                                           zip(table.index, table.to_numpy().tolist())],
        set_cells=set_cells, charts=charts, definitions=brief.definitions.to_dict("records"),
        has_scenarios=bool(named_scenarios(model)), scenarios_text=narrative.scenarios_text(model),
        claims=claims, claims_summary=brief.claims_summary, starter=brief.starter,
        answer=estimative.answer_sentence(model, brief.answer), key_lines=key_lines,
        watch=[estimative.signpost_sentence(model, r, brief.answer) for r in brief.signposts.to_dict("records")],
        alternatives=[estimative.alternative_sentence(model, r) for r in brief.alternatives.to_dict("records")],
        alternatives_cover=narrative.shown(float(brief.alternatives["probability"].sum())) if len(brief.alternatives) else "",
        what_ifs=groups, assumptions=[estimative.assumption_sentence(model, r) for r in brief.assumptions.to_dict("records")],
        changes=changes, coverage=estimative.coverage_text(brief.coverage), analyst=analyst)


def _plain(value):
    """A value as JSON has it: numpy numbers as floats, NaN as null."""
    import math

    import numpy as np

    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_plain(v) for v in value]
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(float(value)) else float(value)
    return value


def brief_record(brief: Brief) -> dict:
    """The numbers and judgements behind the brief (written as brief.json; docs/brief.md lists the fields):
    what the next brief compares itself with, and what other tools read."""
    from bayes.modelfile.parameters import elicited_parameters

    model = brief.model
    ans = brief.answer
    key = []
    for row in brief.judgements.to_dict("records"):
        key.append({"text": estimative.judgement_sentence(model, row), "variable": row["variable"],
                    "label": outcome_phrase(model, row["variable"], row["states"]),
                    "states": list(row["states"]), "probability": row["probability"], "lo90": row["lo90"],
                    "hi90": row["hi90"], "words": row["words"], "horizon": row["horizon"],
                    "confidence": row["confidence"], "confidence_basis": estimative.confidence_basis(model, row),
                    "stated_confidence": row["stated_confidence"], "stated_basis": row["stated_basis"],
                    "fragile_claims": list(row["fragile_claims"]), "answers_question": row["answers_question"]})
    labels = dict(zip(brief.what_ifs["scenario"], brief.what_ifs["label"])) if len(brief.what_ifs) else {}
    record = {
        "format": "bayes-brief/1", "model": model.name, "title": model.title, "as_of": brief.as_of,
        "question": model.spec.title,
        "answer": {"text": estimative.answer_sentence(model, ans), "label": outcome_phrase(model, ans["variable"], ans["states"]),
                   "variable": ans["variable"], "states": ans["states"],
                   "probability": ans["probability"], "lo90": ans["lo90"], "hi90": ans["hi90"], "words": ans["words"],
                   "horizon": ans["horizon"], "parts": ans["parts"]},
        "key_judgements": key,
        "alternatives": [{"text": estimative.alternative_sentence(model, r), "outcome": r["outcome"],
                          "probability": r["probability"]} for r in brief.alternatives.to_dict("records")],
        "alternatives_cover": float(brief.alternatives["probability"].sum()) if len(brief.alternatives) else None,
        "signposts": [{"text": estimative.signpost_sentence(model, r, ans), **r} for r in brief.signposts.to_dict("records")],
        "what_ifs": [{"text": estimative.what_if_sentence(model, r, labels), "observed": r["kind"] == "observed", **r}
                     for r in brief.what_ifs.to_dict("records")],
        "assumptions": [{"text": estimative.assumption_sentence(model, r), **r} for r in brief.assumptions.to_dict("records")],
        "coverage": {"text": estimative.coverage_text(brief.coverage), **brief.coverage},
        "starter": list(brief.starter),
        "claims": [{"id": r["id"], "passed": bool(r["passed"]), "hold_share": r.get("hold_share")}
                   for r in brief.claims.to_dict("records")] if len(brief.claims) else [],
        "analyst_judgements": [{"text": estimative.prose_sentence(model, item), "line": item["line"],
                                "agrees": item["agrees"]} for item in brief.prose],
        "parameters": {p.name: p.value for p in elicited_parameters(model)},
        "changes": brief.changes,
    }
    return _plain(record)


def changes_between(previous: dict, record: dict) -> list[dict]:
    """What moved since the previous brief: the answer and each key judgement whose probability shows a
    different whole percent, with the judgements (parameters) whose values changed as the reason; judgements
    new since then are listed as new."""
    from bayes.modelfile.scales import percent_text

    before_params = previous.get("parameters") or {}
    because = [f"{name}: {percent_text(before_params[name])} to {percent_text(value)}"
               for name, value in (record.get("parameters") or {}).items()
               if name in before_params and before_params[name] is not None and value is not None
               and abs(before_params[name] - value) > 1e-12]
    before = {}
    for item in [previous.get("answer") or {}, *(previous.get("key_judgements") or [])]:
        if item.get("variable") is not None and item.get("probability") is not None:
            before.setdefault((item["variable"], tuple(item.get("states") or ())), item["probability"])
    changes = []
    seen = set()
    for what, item in [("answer", record["answer"]), *(("judgement", k) for k in record["key_judgements"])]:
        key = (item["variable"], tuple(item["states"]))
        if key in seen:
            continue
        seen.add(key)
        label = item.get("label") or narrative.words(f"{item['variable']}: {' or '.join(item['states'])}")
        if key not in before:
            changes.append({"what": label, "kind": "new", "variable": key[0], "states": list(key[1]),
                            "before": None, "now": item["probability"], "because": []})
        elif percent_text(before[key]) != percent_text(item["probability"]):
            changes.append({"what": label, "kind": "moved", "variable": key[0], "states": list(key[1]),
                            "before": before[key], "now": item["probability"], "because": because})
    return changes


def read_previous_record(out: Path) -> dict | None:
    """The brief.json an earlier brief left in `out`, or None (absent, unreadable or not a brief)."""
    import json

    path = out / "brief.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("format") == "bayes-brief/1" else None


def comparison_record(model: Model) -> dict:
    """The numbers a later brief compares itself with (answer, key judgements, parameters), without draws
    or charts: what `--since REV` computes for the model file as it was in a git revision."""
    from bayes.modelfile.parameters import elicited_parameters

    ans = judgements.answer(model, draws=None)
    key = [{"variable": v, "states": [s], "probability": judgements.probability_of(model, v, (s,))[0]}
           for v, s in headline_states(model).items()]
    return _plain({"answer": {k: ans[k] for k in ("variable", "states", "probability")}, "key_judgements": key,
                   "parameters": {p.name: p.value for p in elicited_parameters(model)}})


def write_brief(brief: Brief, out_dir: str | os.PathLike, since: str | None = None) -> list[Path]:
    """Write brief.html, brief.pptx, brief.json and each chart (PNG 1920x1080, @2x 3840x2160, SVG) into
    `out_dir`. The brief says what changed since the model file as it was in git revision `since`, else
    since the brief.json already in the folder."""
    import json

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if since:
        from bayes.analysis.revisions.versions import read_revision

        previous = comparison_record(read_revision(brief.model.spec.path, since))
    else:
        previous = read_previous_record(out)
    record = brief_record(brief)
    if previous is not None:
        brief.changes = record["changes"] = changes_between(previous, record)
    paths = chart_outputs(brief.charts.charts, out)
    brief.charts.paths = list(paths)
    atomic_write_text(out / "brief.html", brief_html(brief))
    paths.append(out / "brief.html")
    paths.append(brief_pptx(brief, out / "brief.pptx"))
    atomic_write_text(out / "brief.json", json.dumps(record, indent=1, ensure_ascii=False) + "\n")
    paths.append(out / "brief.json")
    return paths


@dataclass
class BriefResult:
    model: Model
    scenarios: pd.DataFrame
    html: Path
    notebook: Path | None
    charts: list[Path]
    pptx: Path | None = None
    brief: Brief | None = None


def _local_kernel_manager(folder: str):
    """A kernel manager that talks to the kernel over local sockets (IPC, in `folder`) rather than TCP:
    nothing listens on the network, and the kernel has no reason to warn about unencrypted TCP."""
    from jupyter_client.manager import KernelManager

    class LocalKernelManager(KernelManager):
        def __init__(self, **kwargs):
            kwargs.setdefault("transport", "ipc")
            super().__init__(**kwargs)
            self.ip = f"{folder}/kernel"  # the socket files' stem

    return LocalKernelManager


BRIEF_DRAWS, BRIEF_SEED = 2000, 2020  # the briefing notebook's defaults: the command and the notebook agree


def render_brief(model_name: str = "caucasus_2020", out_dir: str | os.PathLike | None = None,
                 since: str | None = None, notebook: bool = False) -> BriefResult:
    """Compute the brief and write brief.html, brief.pptx, brief.json and the charts, in this process (no
    kernel to start: the brief is the same one notebooks/briefing.ipynb shows). With `notebook`, the
    briefing notebook is also executed with papermill into brief.ipynb, for an analyst to open."""
    model = load(model_name)  # bad model files fail here, with file and line, before any output exists
    out = Path(out_dir) if out_dir is not None else Path.cwd() / "reports" / model.name
    out.mkdir(parents=True, exist_ok=True)
    brief = build_brief(model, draws=BRIEF_DRAWS, seed=BRIEF_SEED)
    write_brief(brief, out, since=since)
    executed = _execute_notebook(model, out, since) if notebook else None
    charts = [out / f"{c.name}.png" for c in brief.charts.charts]
    return BriefResult(model, brief.scenarios, out / "brief.html", executed, charts, out / "brief.pptx", brief)


def _execute_notebook(model: Model, out: Path, since: str | None) -> Path:
    """notebooks/briefing.ipynb executed into out/brief.ipynb (it writes the same files again)."""
    import tempfile

    import papermill

    from bayes import progress

    if not BRIEFING_NOTEBOOK.is_file():
        raise BayesInputError("briefing notebook not found; run from a checkout of the project", str(BRIEFING_NOTEBOOK))
    executed = out / "brief.ipynb"
    with tempfile.TemporaryDirectory(prefix="bayes-kernel-") as sockets:
        atomic_write(executed, lambda tmp: papermill.execute_notebook(
            str(BRIEFING_NOTEBOOK), tmp, kernel_name="python3", progress_bar=progress.wanted(), log_output=False,
            cwd=str(BRIEFING_NOTEBOOK.parent), kernel_manager_class=_local_kernel_manager(sockets),
            parameters={"model": str(Path(model.spec.path).resolve()), "out_dir": str(out.resolve()),
                        "since": since, "draws": BRIEF_DRAWS, "seed": BRIEF_SEED}))
    return executed
