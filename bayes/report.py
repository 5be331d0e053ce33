"""The briefing: charts with takeaway titles, and the rendered HTML report under reports/<model>/.

`render_brief` executes notebooks/briefing.ipynb with papermill (parameters `model`, a path, and
`out_dir`), then exports it without code cells. Every file is written to a temporary name first and
renamed, so a failed run never leaves a half-written report.
"""

from __future__ import annotations

import os
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .analysis import headline_rows, headline_states, named_scenarios, outcomes_now, parse_target, scenario_outcome
from .errors import BayesInputError
from .fileio import atomic_write, atomic_write_text, safe_child
from .model import BASELINE, Model, load
from .scales import describe

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BRIEFING_NOTEBOOK = PROJECT_ROOT / "notebooks" / "briefing.ipynb"


def takeaway(model: Model, rows: pd.DataFrame, variable: str, state: str) -> str:
    """A title that states the finding: the baseline in words and numbers, and the scenario that moves it most.

    Scenarios that observe or force the outcome itself are skipped: they answer by construction.
    """
    outcome = f"{variable.replace('_', ' ').capitalize()} ({state.replace('_', ' ')})"
    base = rows[rows["scenario"] == BASELINE]
    if base.empty:
        return outcome
    p0 = float(base["probability"].iloc[0])
    trivial = {name for name, sc in model.spec.scenarios.items() if variable in sc.observe or variable in sc.do}
    others = rows[(rows["scenario"] != BASELINE) & (~rows["scenario"].isin(trivial))]
    text = f"{outcome}: {describe(p0, model.scale)} as things stand"
    if not others.empty:
        top = others.loc[(others["probability"] - p0).abs().idxmax()]
        text += f"; {top['label']}: {top['probability']:.0%}"
    return textwrap.fill(text, 75)


@dataclass
class BriefingCharts:
    figures: dict = field(default_factory=dict)
    paths: list[Path] = field(default_factory=list)


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


def briefing_charts(model: Model, scenarios: pd.DataFrame | None = None, out_dir: str | os.PathLike | None = None,
                    outcomes: list[str] | None = None, target: str | None = None) -> BriefingCharts:
    """The briefing's charts (see `chart_names`): one scenario chart per headline outcome (the `target`'s
    first, VARIABLE=STATE), the outcomes heatmap, the network; a model without named scenarios gets one
    chart of its headline outcomes as things stand instead of the scenario charts and heatmap.

    With `out_dir`, each chart is also written as PNG (200 dpi) and SVG. Figures come back closed so a
    notebook shows each exactly once, through `display(fig)`.
    """
    import matplotlib.pyplot as plt

    from . import plots

    charted = _charted(model, outcomes, target)
    result = BriefingCharts()
    with plots.briefing_style():
        if named_scenarios(model):
            scenarios = model.scenarios(list(dict.fromkeys([*charted, *headline_states(model)]))) \
                if scenarios is None else scenarios
            for var, state in charted.items():
                data = scenario_outcome(model, scenarios, var, state)
                interval = {"low": "lo90", "high": "hi90"} if "lo90" in data else {}
                subtitle = textwrap.fill(f"How likely is '{state.replace('_', ' ')}' ({var.replace('_', ' ')}) "
                                         "in each scenario?", 120)
                ax = plots.scenario_chart(
                    data=data, scale=model.scale, title=takeaway(model, data, var, state), **interval,
                    subtitle=subtitle, source=model.source_line)
                result.figures[f"scenario_{var}"] = ax.figure
            rows = headline_rows(model, scenarios)
            labels = {n: s.display for n, s in model.spec.scenarios.items()}
            rows["label"] = [labels.get(str(s), str(s).replace("_", " ")) for s in rows["scenario"]]
            ax = plots.outcomes_heatmap(data=rows, title="Where each scenario moves the outcomes",
                                        subtitle="Probability of each headline outcome, by scenario",
                                        source=model.source_line)
            result.figures["outcomes_heatmap"] = ax.figure
        else:
            from .narrative import outcomes_now_title

            rows = outcomes_now(model)
            ax = plots.scenario_chart(data=rows, scale=model.scale, title=outcomes_now_title(model, rows),
                                      subtitle="The model names no scenarios: each headline outcome as things stand",
                                      source=model.source_line)
            result.figures["outcomes_now"] = ax.figure
        ax = plots.network_chart(model, title="The assessment as a network, with today's probabilities",
                                 source=model.source_line)
        result.figures["network"] = ax.figure
        if out_dir is not None:
            for name, fig in result.figures.items():
                result.paths += plots.save_figure(fig, safe_child(out_dir, name))
    for fig in result.figures.values():
        plt.close(fig)  # shown once, by whoever displays them (notebooks: display(fig))
    return result


@dataclass
class BriefResult:
    model: Model
    scenarios: pd.DataFrame
    html: Path
    notebook: Path
    charts: list[Path]


def render_brief(model_name: str = "caucasus_2020", out_dir: str | os.PathLike | None = None) -> BriefResult:
    """Execute the briefing notebook for a model and write brief.html (no code) plus charts."""
    import nbformat
    import papermill
    from nbconvert import HTMLExporter

    from . import progress

    model = load(model_name)  # bad model files fail here, with file and line, before any output exists
    out = Path(out_dir) if out_dir is not None else Path.cwd() / "reports" / model.name
    out.mkdir(parents=True, exist_ok=True)
    if not BRIEFING_NOTEBOOK.is_file():
        raise BayesInputError("briefing notebook not found; run from a checkout of the project", str(BRIEFING_NOTEBOOK))
    executed = out / "brief.ipynb"
    atomic_write(executed, lambda tmp: papermill.execute_notebook(
        str(BRIEFING_NOTEBOOK), tmp, kernel_name="python3", progress_bar=progress.wanted(), log_output=False,
        cwd=str(BRIEFING_NOTEBOOK.parent),
        parameters={"model": str(Path(model.spec.path).resolve()), "out_dir": str(out.resolve())}))
    nb = nbformat.read(executed, as_version=4)
    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    html, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": f"Briefing: {model.title}"}})
    atomic_write_text(out / "brief.html", html)
    charts = [out / f"{n}.png" for n in chart_names(model) if (out / f"{n}.png").is_file()]
    return BriefResult(model, model.scenarios(), out / "brief.html", executed, charts)
