"""The scenario explorer: pick observed or forced states, see the outcome chart follow.

The computing part (`explorer_data`) is a plain function the tests call; the widget only wires
ipywidgets dropdowns to it and redraws the chart.
"""

from __future__ import annotations

import textwrap

import pandas as pd


ANY = "(not set)"


def explorer_data(model, outcome: str, state: str, observe: dict | None = None, do: dict | None = None) -> pd.DataFrame:
    """The baseline against the chosen evidence, for one outcome state: the chart's rows. Unknown
    variables or states raise a QueryError that names them and lists the known ones."""
    from .analysis import parse_target
    from .model import parse_assignments

    parse_target(model, f"{outcome}={state}")
    observe = parse_assignments({k: v for k, v in (observe or {}).items() if v and v != ANY}, model.spec, "observe")
    do = parse_assignments({k: v for k, v in (do or {}).items() if v and v != ANY}, model.spec, "force")
    rows = []
    for label, given, forced in (("Baseline (no evidence)", {}, {}), ("Your scenario", observe, do)):
        p = model.probability({outcome: [state]}, given=given, do=forced)
        rows.append({"scenario": label, "label": label, "variable": outcome, "state": state, "probability": p})
    frame = pd.DataFrame(rows)
    frame["words"] = [model.scale.term(p) for p in frame["probability"]]
    return frame


def scenario_explorer(model, outcome: str | None = None):
    """An ipywidgets box: one dropdown per observable variable (observe or force), the chart below.

    `outcome` is a variable or VARIABLE=STATE (default: the first headline outcome). A model with no
    observable variable other than the outcome raises a QueryError saying so (nothing to set)."""
    import ipywidgets as widgets
    import matplotlib.pyplot as plt
    from IPython.display import display

    from . import plots
    from .analysis import headline_states, parse_target, watchable

    if outcome is not None and "=" not in outcome:
        from .model import check_variable

        check_variable(model.spec, outcome, "explorer outcome")
        outcome = f"{outcome}={headline_states(model).get(outcome, model.states(outcome)[-1])}"
    outcome, state = parse_target(model, outcome)
    candidates = watchable(model, f"{outcome}={state}")
    choices = list(dict.fromkeys([outcome, *headline_states(model)]))
    observe = {v: widgets.Dropdown(options=[ANY, *model.states(v)], value=ANY, description=v.replace("_", " "),
                                   style={"description_width": "16em"}, layout={"width": "32em"})
               for v in candidates}
    mode = {v: widgets.ToggleButtons(options=["observe", "force"], value="observe", style={"button_width": "6.5em"})
            for v in candidates}
    target = widgets.Dropdown(options=[f"{v}={s}" for v in choices for s in model.states(v)],
                              value=f"{outcome}={state}", description="outcome", layout={"width": "40em"})
    out = widgets.Output()

    def redraw(*_):
        var, st = target.value.split("=")
        seen = {v: w.value for v, w in observe.items() if mode[v].value == "observe"}
        forced = {v: w.value for v, w in observe.items() if mode[v].value == "force"}
        data = explorer_data(model, var, st, seen, forced)
        with out:
            out.clear_output(wait=True)
            with plots.briefing_style():
                fig, ax = plt.subplots(figsize=(11, 5))
                title = textwrap.fill(f"{model.spec.variables[var].display}: {st.replace('_', ' ')}", 75)
                plots.scenario_chart(data=data, scale=model.scale, sort=False, ax=ax, title=title,
                                     subtitle="Baseline against the states you set", source=model.source_line)
                display(ax.figure)
                plt.close(ax.figure)

    for w in [target, *observe.values(), *mode.values()]:
        w.observe(redraw, names="value")
    redraw()
    rows = [widgets.HBox([observe[v], mode[v]]) for v in candidates]
    return widgets.VBox([target, *rows, out])
