"""The brief's charts: which charts a brief shows (`briefing_charts`, `chart_names`), the tables they draw,
each chart's files (PNG 1920x1080, SVG, and with `hires` @2x), its images on the page (desktop and phone) and its slide
picture, drawn on every core (`chart_outputs`). `bayes.outputs.brief` composes them into the brief."""

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
from bayes.fileio import safe_child
from bayes.model import Model
from bayes.modelfile.scales import describe
from bayes.modelfile.spec import BASELINE
from bayes.outputs import narrative
from bayes.outputs.charts.framing import image_png, png_bytes, raster, resized
from bayes.outputs.charts.network import portrait_height
from bayes.outputs.deck import slide_image


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


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
    drawn: object = field(default=None, repr=False)  # the figure drawn at its widest file's width, once
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

    def image(self, width: int | None = None):
        """The chart drawn once (a PIL image), `width` pixels wide (default: as drawn already, else 1920); its
        files and the page's image are cut from it."""
        if self.drawn is None or (width is not None and self.drawn.width != width):
            self.drawn = raster(self.figure, width or FILE_WIDTHS[-1])
        return self.drawn


FILE_WIDTHS = (1920,)  # each chart's PNG file: stem.png
HIRES_WIDTHS = (1920, 3840)  # with `hires`, stem@2x.png too: both from one drawing (SVG is the scalable file;
#                              the 4K drawing and its PNG cost about 0.2 s a chart, a quarter of the brief)


def chart_files(chart: Chart, out_dir: str | os.PathLike, widths: tuple[int, ...] = FILE_WIDTHS) -> list[Path]:
    """The chart's files in `out_dir`: PNG 1920x1080 (with HIRES_WIDTHS also @2x 3840x2160, one drawing) and
    SVG."""
    from bayes.outputs import charts

    return charts.save_figure(chart.figure, safe_child(out_dir, chart.name), widths=widths,
                              image=chart.image(widths[-1]))


def chart_images(chart: Chart) -> dict:
    """The page's images of the chart as data URIs: `src` (1920 wide, cut from the files' drawing) and
    `phone` (the portrait variant, drawn at 780 wide; None for charts without one)."""
    if "page" not in chart.made:
        desktop = _data_uri(image_png(resized(chart.image(), 1920), compact=True))
        size = chart.phone_size() if callable(chart.phone_size) else (chart.phone_size or PHONE_SIZE)
        phone = _data_uri(png_bytes(chart.render(size), 780, compact=True)) if chart.phone and size else None
        chart.made["page"] = {"src": desktop, "phone": phone}
    return chart.made["page"]


_FORKED_JOB: tuple = ()  # (charts, folder, file widths) for the processes forked by chart_outputs


def _one_chart_outputs(index: int):
    charts, out, widths = _FORKED_JOB
    chart = charts[index]
    return [str(p) for p in chart_files(chart, out, widths)], chart_images(chart), slide_image(chart)


def chart_outputs(charts: list[Chart], out_dir: str | os.PathLike, hires: bool = False) -> list[Path]:
    """Every chart's files, page images and slide picture (see `ChartJob`), waited for."""
    return ChartJob(charts, out_dir, hires).paths()


def _die_with_parent(parent: int) -> None:
    """In a chart worker: end when the brief's process ends, even by `kill -9` (Linux's parent-death
    signal), so no idle worker outlives it."""
    import ctypes
    import signal

    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the signal was asked for
        os._exit(1)


class ChartJob:
    """Every chart's files, page images and slide picture, started now and collected by `paths()`. Drawing is
    most of a brief's time, so on Linux, with no other thread running (fork is safe then; a notebook's kernel
    has threads), the charts are drawn in processes forked from this one, one per core, which inherit the
    laid-out figures, while this process goes on (`bayes brief` computes the rest of the brief meanwhile);
    else they are drawn one by one when `paths()` is called."""

    def __init__(self, charts: list[Chart], out_dir: str | os.PathLike, hires: bool = False):
        import threading

        self.charts, self.out, self.pool, self.futures = charts, Path(out_dir), None, {}
        self.widths = HIRES_WIDTHS if hires else FILE_WIDTHS
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
        workers = min(len(charts), cores)
        if workers < 2 or sys.platform != "linux" or threading.active_count() > 1:
            return
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        global _FORKED_JOB
        _FORKED_JOB = (charts, self.out, self.widths)  # every worker is forked at the first submit, holding these
        self.pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                                        initializer=_die_with_parent, initargs=(os.getpid(),))
        # the longest jobs first (a chart with a phone variant is drawn three times, the others twice), so
        # no core is left with a long one at the end
        for i in sorted(range(len(charts)), key=lambda i: not charts[i].phone):
            self.futures[i] = self.pool.submit(_one_chart_outputs, i)

    def cancel(self):
        """Stop the charts not yet started (the ones being drawn finish): the brief failed meanwhile."""
        global _FORKED_JOB
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)
            self.pool, _FORKED_JOB = None, ()

    def paths(self) -> list[Path]:
        global _FORKED_JOB
        if self.pool is None:
            paths = []
            for chart in self.charts:
                paths += chart_files(chart, self.out, self.widths)
                chart_images(chart)
                slide_image(chart)
            return paths
        try:
            results = {i: future.result() for i, future in self.futures.items()}
        finally:
            self.pool.shutdown(cancel_futures=True)
            _FORKED_JOB = ()
        paths = []
        for i, chart in enumerate(self.charts):
            files, page, slide = results[i]
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
    rows["text"] = [f"{narrative.shown(p, model.scale)}, {how} by the scenario" if how == "forced" else
                    (f"{narrative.shown(p, model.scale)}, observed in the scenario" if how else t)
                    for p, how, t in zip(rows["probability"], rows["set_by"], text)]
    return rows


def _assignment_words(model: Model, assignments: dict) -> str:
    """What a scenario sets, in the analyst's labels (the phrase builder), never in ids."""
    return "; ".join(narrative.event(v, s, model=model) for v, s in assignments.items())


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
    written as PNG (1920x1080) and SVG. Each chart is laid out when its `figure` is first
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
            charts.outcomes_heatmap(data=heat, ax=ax, title=title if titles else None, scale=model.scale,
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
