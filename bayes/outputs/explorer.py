"""The scenario explorer: pick observed or forced states, see the outcome chart follow.

The computing part (`explorer_data`, `explorer_figure`, `explorer_caption`) is plain functions the tests
call; the widget only wires ipywidgets dropdowns to them.

Redraws are serialised: a change while a chart is being drawn does not start a second drawing (two
drawings at once on different kernel threads used to blank the output); it marks the chart stale, and
the drawing under way starts again from the widgets' latest values when it ends. The chart is an Image
widget whose picture is replaced in one message, never cleared first, so the explorer always shows a
whole chart, and the last one matches the last change; the caption under it is set after the picture
and names the states it was drawn for.
"""

from __future__ import annotations

import html
import io
import threading

import pandas as pd

ANY = "(not set)"
EXPLORER_SIZE = (11.0, 5.5)  # inches
EXPLORER_DRAWS = 500  # parameter draws behind the explorer's 90% intervals


def explorer_data(model, outcome: str, state: str, observe: dict | None = None, do: dict | None = None,
                  draws: int | None = None, seed: int | None = None) -> pd.DataFrame:
    """The baseline against the chosen evidence, for one outcome state: the chart's rows (with `draws`,
    also lo90 and hi90, the 90% interval over that many parameter draws). Unknown variables or states
    raise a QueryError that names them and lists the known ones."""
    from bayes.analysis.scenarios import parse_target
    from bayes.modelfile.spec import parse_assignments

    parse_target(model, f"{outcome}={state}")
    observe = parse_assignments({k: v for k, v in (observe or {}).items() if v and v != ANY}, model.spec, "observe")
    do = parse_assignments({k: v for k, v in (do or {}).items() if v and v != ANY}, model.spec, "force")
    rows = []
    for label, given, forced in (("Baseline (no evidence)", {}, {}), ("Your scenario", observe, do)):
        row = {"scenario": "baseline" if label.startswith("Baseline") else "yours",
               "label": label, "variable": outcome, "state": state}
        if draws:
            q = model.query(outcome, given=given, do=forced, draws=draws, seed=seed).set_index("state").loc[state]
            row.update(probability=float(q["probability"]), lo90=float(q["lo90"]), hi90=float(q["hi90"]))
        else:
            row["probability"] = model.probability({outcome: [state]}, given=given, do=forced)
        rows.append(row)
    frame = pd.DataFrame(rows)
    frame["words"] = [model.scale.term(p) for p in frame["probability"]]
    return frame


def _set_text(model, observe: dict, do: dict) -> str:
    variables = model.spec.variables
    items = [f"{variables[v].display} = {variables[v].state_display(s)} (observed)" for v, s in observe.items()
             if s and s != ANY]
    items += [f"{variables[v].display} = {variables[v].state_display(s)} (forced)" for v, s in do.items()
              if s and s != ANY]
    return "; ".join(items)


def explorer_caption(model, data: pd.DataFrame, outcome: str, state: str, observe: dict, do: dict) -> str:
    """One sentence naming the states set and both answers (with their 90% intervals when drawn): the
    chart's subtitle, and the caption the widget shows under it."""
    from bayes.modelfile.scales import describe
    from bayes.outputs.narrative import outcome_name

    def said(row):
        return describe(row["probability"], model.scale, row.get("lo90"), row.get("hi90"))

    base, yours = data.iloc[0], data.iloc[1]
    chosen = _set_text(model, observe, do)
    name = outcome_name(model, outcome, state)
    if not chosen:
        return f"Nothing set yet: {name} is {said(base)} at baseline. Choose states below to compare."
    return f"Set: {chosen}. {name} is {said(yours)} with these, against {said(base)} at baseline."


def explorer_figure(model, data: pd.DataFrame, outcome: str, state: str, observe: dict, do: dict):
    """The explorer's chart: baseline and your scenario, with whiskers for the 90% interval when `data`
    has them, titled with the outcome and subtitled with the states set. Returned closed."""
    import matplotlib.pyplot as plt

    from bayes.outputs import charts
    from bayes.outputs.narrative import outcome_name, shown

    base, yours = data["probability"].iloc[0], data["probability"].iloc[1]
    title = (f"{outcome_name(model, outcome, state)}: {shown(base, model.scale)} at baseline, "
             f"{shown(yours, model.scale)} with what you set")
    interval = {"low": "lo90", "high": "hi90"} if "lo90" in data else {}
    with charts.briefing_style():
        fig, ax = plt.subplots(figsize=EXPLORER_SIZE)
        charts.scenario_chart(data=data, scale=model.scale, sort=False, ax=ax, title=title,
                             subtitle=explorer_caption(model, data, outcome, state, observe, do),
                             source=model.source_line, **interval)
    plt.close(fig)
    return fig


def scenario_explorer(model, outcome: str | None = None, draws: int | None = EXPLORER_DRAWS, seed: int | None = 2020):
    """An ipywidgets box: one dropdown per observable variable (observe or force), the chart below.

    `outcome` is a variable or VARIABLE=STATE (default: the first headline outcome). A model with no
    observable variable other than the outcome raises a QueryError saying so (nothing to set)."""
    import ipywidgets as widgets

    from bayes.analysis.indicators import watchable
    from bayes.analysis.scenarios import headline_states, parse_target
    from bayes.outputs.phrases import outcome_phrase

    if outcome is not None and "=" not in outcome:
        from bayes.modelfile.spec import check_variable

        check_variable(model.spec, outcome, "explorer outcome")
        outcome = f"{outcome}={headline_states(model).get(outcome, model.states(outcome)[-1])}"
    outcome, state = parse_target(model, outcome)
    candidates = watchable(model, f"{outcome}={state}")
    choices = list(dict.fromkeys([outcome, *headline_states(model)]))
    spec = model.spec  # options show the analyst's labels; their values stay the names the model uses
    observe = {v: widgets.Dropdown(options=[(ANY, ANY), *[(spec.variables[v].state_display(s), s) for s in model.states(v)]],
                                   value=ANY, description=spec.variables[v].display,
                                   style={"description_width": "16em"}, layout={"width": "32em"})
               for v in candidates}
    mode = {v: widgets.ToggleButtons(options=["observe", "force"], value="observe", style={"button_width": "6.5em"})
            for v in candidates}
    target = widgets.Dropdown(options=[(outcome_phrase(model, v, s), f"{v}={s}") for v in choices for s in model.states(v)],
                              value=f"{outcome}={state}", description="outcome", layout={"width": "40em"})
    chart = widgets.Image(format="png", layout={"width": "100%", "max_width": "1100px"})
    chart.add_class("bayes-explorer-chart")
    caption = widgets.HTML()
    caption.add_class("bayes-explorer-caption")
    lock = threading.Lock()
    state_flags = {"stale": False, "drawing": False}

    def draw_once():
        var, st = target.value.split("=")
        seen = {v: w.value for v, w in observe.items() if mode[v].value == "observe"}
        forced = {v: w.value for v, w in observe.items() if mode[v].value == "force"}
        data = explorer_data(model, var, st, seen, forced, draws=draws, seed=seed)
        fig = explorer_figure(model, data, var, st, seen, forced)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=100)
        text = explorer_caption(model, data, var, st, seen, forced)
        chart.value = buffer.getvalue()  # replaced in one message, never cleared first
        caption.value = f"<p>{html.escape(text)}</p>"  # after the picture: the caption names what is drawn

    def redraw(*_):
        with lock:
            state_flags["stale"] = True
            if state_flags["drawing"]:
                return  # the drawing under way will start again with the latest values
            state_flags["drawing"] = True
        try:
            while True:
                with lock:
                    if not state_flags["stale"]:
                        state_flags["drawing"] = False
                        return
                    state_flags["stale"] = False
                draw_once()
        except BaseException:
            with lock:
                state_flags["drawing"] = False
            raise

    for w in [target, *observe.values(), *mode.values()]:
        w.observe(redraw, names="value")
    redraw()
    rows = [widgets.HBox([observe[v], mode[v]]) for v in candidates]
    return widgets.VBox([target, *rows, chart, caption])
