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

import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from bayes.analysis import judgements, watchlist
from bayes.analysis.scenarios import headline_states, named_scenarios, parse_target
from bayes.errors import BayesInputError
from bayes.fileio import atomic_write, atomic_write_text, remove_stale_temps, safe_child
from bayes.model import Model, load
from bayes.modelfile.scales import describe
from bayes.modelfile.starter import starter_leftovers
from bayes.outputs import estimative, narrative
from bayes.outputs.brief_charts import (BriefingCharts, ChartJob, briefing_charts, chart_images, chart_names,
                                        chart_outputs, headline_frame, scenario_definitions)
from bayes.outputs.deck import brief_pptx
from bayes.outputs.phrases import outcome_phrase

PROJECT_ROOT = Path(__file__).resolve().parents[2]
BRIEFING_NOTEBOOK = PROJECT_ROOT / "notebooks" / "briefing.ipynb"
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

    def claims_table(self) -> pd.DataFrame:
        """The claims as a reader sees them (the page and the briefing notebook): what each says, its quote,
        its form in words, whether it holds and in what share of the draws; the check's formula (ids) stays
        in `claims`, for the analyst's own notebooks."""
        claims = self.model.spec.claims
        rows = []
        for r in self.claims.to_dict("records") if len(self.claims) else []:
            share, fragile = r.get("hold_share"), r.get("fragile")
            rows.append({"id": r["id"], "says": claims[r["id"]].says, "quote": r["quote"],
                         "form": narrative.words(claims[r["id"]].form), "holds": "holds" if r["passed"] else "FAILS",
                         "passed": bool(r["passed"]), "share": "" if share is None or pd.isna(share) else f"{share:.0%}",
                         "fragile": bool(fragile) if fragile is not None and not pd.isna(fragile) else False})
        return pd.DataFrame(rows, columns=["id", "says", "quote", "form", "holds", "passed", "share", "fragile"])

    def headline_table(self) -> pd.DataFrame:
        """Scenarios down (display labels), headline outcomes across (display labels): the cells' text."""
        table = self.headline.pivot(index="scenario_label", columns="outcome_label", values="text")
        order = list(dict.fromkeys(self.headline["scenario_label"]))
        columns = list(dict.fromkeys(self.headline["outcome_label"]))
        return table.loc[order, columns].rename_axis(index="Scenario", columns=None)


def brief_scenarios(model: Model, draws: int | None = 2000, seed: int | None = 2020,
                    target: str | None = None) -> pd.DataFrame:
    """The scenarios table a brief shows: the target's and the headline outcomes under each scenario."""
    variable = parse_target(model, target)[0] if target else None
    wanted = list(dict.fromkeys([*([variable] if variable else []), *headline_states(model)]))
    return model.scenarios(wanted, draws=draws, seed=seed)


def build_brief(model: Model, draws: int | None = 2000, seed: int | None = 2020, target: str | None = None,
                scenarios: pd.DataFrame | None = None, charts: BriefingCharts | None = None) -> Brief:
    """Compute the brief: bottom line, headline table, charts, scenario definitions and the claims ledger
    (with `draws`, 90% intervals and each claim's share of draws in which it holds). `scenarios` and `charts`,
    when given, are the ones `brief_scenarios` and `briefing_charts` would make."""
    if scenarios is None:
        scenarios = brief_scenarios(model, draws, seed, target)
    claims = model.check(draws=draws, seed=seed) if model.spec.claims else model.check()
    coverage = judgements.coverage_summary(model)  # reads the source text once
    return Brief(model=model, draws=draws, scenarios=scenarios, bottom_line=narrative.bottom_line(model, scenarios),
                 headline=headline_frame(model, scenarios), definitions=scenario_definitions(model), claims=claims,
                 claims_summary=narrative.claims_text(model, claims), failing=narrative.failing_claims(model),
                 charts=charts or briefing_charts(model, scenarios, target=target, draws=draws),
                 answer=judgements.answer(model, draws, seed),
                 judgements=judgements.key_judgements(model, scenarios, claims, draws, seed, coverage),
                 alternatives=judgements.alternatives(model), signposts=watchlist.signposts(model),
                 what_ifs=watchlist.what_ifs(model), assumptions=watchlist.key_assumptions(model),
                 coverage=coverage, starter=starter_leftovers(model.spec),
                 prose=judgements.prose_judgements(model))


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
    claims = brief.claims_table().to_dict("records")
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
        label = item["label"]  # the phrase builder's, written into the record (brief_record)
        if key not in before:
            changes.append({"what": label, "kind": "new", "variable": key[0], "states": list(key[1]),
                            "before": None, "now": item["probability"], "because": []})
        elif percent_text(before[key]) != percent_text(item["probability"]):
            changes.append({"what": label, "kind": "moved", "variable": key[0], "states": list(key[1]),
                            "before": before[key], "now": item["probability"], "because": because})
    return changes


def read_previous_record(out: Path) -> dict | None:
    """The brief.json an earlier finished brief left in `out`, or None (absent, unreadable, not a brief, or
    the mark of a brief that never finished)."""
    data = _brief_marker(out)
    return data if data is not None and data.get("complete", True) else None


def comparison_record(model: Model) -> dict:
    """The numbers a later brief compares itself with (answer, key judgements, parameters), without draws
    or charts: what `--since REV` computes for the model file as it was in a git revision."""
    from bayes.modelfile.parameters import elicited_parameters

    ans = judgements.answer(model, draws=None)
    key = [{"variable": v, "states": [s], "probability": judgements.probability_of(model, v, (s,))[0]}
           for v, s in headline_states(model).items()]
    return _plain({"answer": {k: ans[k] for k in ("variable", "states", "probability")}, "key_judgements": key,
                   "parameters": {p.name: p.value for p in elicited_parameters(model)}})


def write_brief(brief: Brief, out_dir: str | os.PathLike, since: str | None = None,
                job: ChartJob | None = None, hires: bool = False) -> list[Path]:
    """Write brief.html, brief.pptx, brief.json and each chart (PNG 1920x1080 and SVG; with `hires` also
    @2x 3840x2160) into `out_dir`. The brief says what changed since the model file as it was in git
    revision `since`, else since the brief.json already in the folder."""
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
    paths = job.paths() if job is not None else chart_outputs(brief.charts.charts, out, hires)  # or a job started earlier
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
    nothing listens on the network, and the kernel has no reason to warn about unencrypted TCP. The kernel's
    own log goes to `folder`/kernel.log, not the analyst's terminal (a kernel slow to stop under load logs
    "KeyboardInterrupt caught in kernel"); a cell's error is in the executed notebook and in papermill's."""
    from jupyter_client.manager import KernelManager

    class LocalKernelManager(KernelManager):
        def __init__(self, **kwargs):
            kwargs.setdefault("transport", "ipc")
            super().__init__(**kwargs)
            self.ip = f"{folder}/kernel"  # the socket files' stem

        def start_kernel(self, **kwargs):
            kwargs.setdefault("stderr", open(f"{folder}/kernel.log", "ab"))  # noqa: SIM115 (the kernel holds it)
            return super().start_kernel(**kwargs)

    return LocalKernelManager


BRIEF_DRAWS, BRIEF_SEED = 2000, 2020  # the briefing notebook's defaults: the command and the notebook agree


def render_brief(model_name: str = "caucasus_2020", out_dir: str | os.PathLike | None = None,
                 since: str | None = None, notebook: bool = False, hires: bool = False,
                 force: bool = False) -> BriefResult:
    """Compute the brief and write brief.html, brief.pptx, brief.json and the charts, in this process (no
    kernel to start: the brief is the same one notebooks/briefing.ipynb shows). With `notebook`, the
    briefing notebook is also executed with papermill into brief.ipynb, for an analyst to open."""
    model = load(model_name)  # bad model files fail here, with file and line, before any output exists
    # reports/<model name>, the name made safe: a file called '...yaml' (stem '..') must not write into the
    # working directory
    out = Path(out_dir) if out_dir is not None else safe_child(Path.cwd() / "reports", model.name, "model")
    _refuse_to_replace(model, out, force)
    out.mkdir(parents=True, exist_ok=True)
    _mark_started(out)
    # the charts need only the scenarios: they are drawn in other processes while this one computes the rest
    scenarios = brief_scenarios(model, BRIEF_DRAWS, BRIEF_SEED)
    charts = briefing_charts(model, scenarios, draws=BRIEF_DRAWS)
    job = ChartJob(charts.charts, out, hires)
    try:
        brief = build_brief(model, draws=BRIEF_DRAWS, seed=BRIEF_SEED, scenarios=scenarios, charts=charts)
    except BaseException:
        job.cancel()
        raise
    write_brief(brief, out, since=since, job=job)
    executed = _execute_notebook(model, out, since) if notebook else None
    charts = [out / f"{c.name}.png" for c in brief.charts.charts]
    return BriefResult(model, brief.scenarios, out / "brief.html", executed, charts, out / "brief.pptx", brief)


def _refuse_to_replace(model: Model, out: Path, force: bool) -> None:
    """A brief never replaces a file it did not write, and never writes through a link: a folder holding an
    earlier brief (a brief.json a brief wrote, finished or not) is updated in place; any other file of a
    name the brief writes is refused unless `force`; a link of such a name is refused (with `force`, the link
    itself is replaced, not what it points to); a folder of such a name is always refused."""
    if not out.is_dir():
        return
    names = {"brief.html", "brief.pptx", "brief.json", "brief.ipynb"}
    for chart in chart_names(model):
        stem = safe_child(out, chart).name  # as chart_files names the files
        names |= {f"{stem}.png", f"{stem}@2x.png", f"{stem}.svg"}
    present = [p for p in out.iterdir() if p.name in names]
    folders = sorted(p.name for p in present if p.is_dir() and not p.is_symlink())
    if folders:
        raise BayesInputError(f"'{folders[0]}' is a folder; a brief writes a file of that name: choose another --out",
                              str(out))
    links = sorted(p for p in present if p.is_symlink())
    if links and not force:
        raise BayesInputError(f"{links[0].name} is a link (to {os.path.realpath(links[0])}); a brief does not write "
                              "through links: choose another --out or pass --force to replace the links themselves",
                              str(out))
    for link in links:
        link.unlink()
    if force or _brief_marker(out) is not None:
        return
    taken = sorted(p.name for p in present if not p.is_symlink())
    if taken:
        shown = ", ".join(taken[:4]) + (f" and {len(taken) - 4} more" if len(taken) > 4 else "")
        raise BayesInputError(f"the folder already holds {shown}, not written by a brief (no brief.json of a brief); "
                              "choose another --out or pass --force to replace them", str(out))


def _brief_marker(out: Path) -> dict | None:
    """The brief.json a brief wrote into `out` (finished, or the mark of one started), else None."""
    import json

    try:
        data = json.loads((out / "brief.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("format") == "bayes-brief/1" else None


def _mark_started(out: Path) -> None:
    """Before any chart is written: a brief.json saying a brief writes here, so that a run stopped half-way
    (killed, or failed) can be run again into the same folder; an earlier finished record is kept (the
    next brief compares itself with it)."""
    import json

    if _brief_marker(out) is None:
        atomic_write_text(out / "brief.json", json.dumps({"format": "bayes-brief/1", "complete": False}) + "\n")


def _execute_notebook(model: Model, out: Path, since: str | None) -> Path:
    """notebooks/briefing.ipynb executed into out/brief.ipynb (it writes the same files again)."""
    import tempfile

    import papermill

    from bayes import progress

    if not BRIEFING_NOTEBOOK.is_file():
        raise BayesInputError("briefing notebook not found; run from a checkout of the project", str(BRIEFING_NOTEBOOK))
    executed = out / "brief.ipynb"
    remove_stale_temps(tempfile.gettempdir(), "bayes-kernel-", folders=True)  # left by a brief killed mid-run
    with tempfile.TemporaryDirectory(prefix=f"bayes-kernel-{os.getpid()}-") as sockets:
        atomic_write(executed, lambda tmp: papermill.execute_notebook(
            str(BRIEFING_NOTEBOOK), tmp, kernel_name="python3", progress_bar=progress.wanted(), log_output=False,
            cwd=str(BRIEFING_NOTEBOOK.parent), kernel_manager_class=_local_kernel_manager(sockets),
            parameters={"model": str(Path(model.spec.path).resolve()), "out_dir": str(out.resolve()),
                        "since": since, "draws": BRIEF_DRAWS, "seed": BRIEF_SEED}))
    return executed
