"""Tables derived from queries, kept apart from plotting so every chart's numbers can be tested."""

from __future__ import annotations

import pandas as pd

from .scales import describe


def headline_rows(model, scenarios: pd.DataFrame | None = None) -> pd.DataFrame:
    """Tidy rows of the headline state of each outcome per scenario (what a briefing reports)."""
    frame = model.scenarios() if scenarios is None else scenarios
    keep = []
    for var, state in model.spec.headline_states.items():
        keep.append(frame[(frame["variable"] == var) & (frame["state"] == state)])
    rows = pd.concat(keep, ignore_index=True) if keep else frame.iloc[0:0]
    rows = rows.copy()
    rows["outcome"] = [f"{v}={s}" for v, s in zip(rows["variable"], rows["state"])]
    rows["words"] = [model.scale.term(p) for p in rows["probability"]]
    return rows


def headline_table(model, scenarios: pd.DataFrame | None = None) -> pd.DataFrame:
    """Scenarios down, headline outcomes across, cells "24% (unlikely)": the table a briefing opens with."""
    rows = headline_rows(model, scenarios)
    if rows.empty:
        return pd.DataFrame()
    if "lo90" in rows:
        rows["cell"] = [describe(p, model.scale, lo, hi) for p, lo, hi in zip(rows["probability"], rows["lo90"], rows["hi90"])]
    else:
        rows["cell"] = [describe(p, model.scale) for p in rows["probability"]]
    order = list(dict.fromkeys(str(s) for s in rows["scenario"]))
    table = rows.assign(scenario=rows["scenario"].astype(str)).pivot(index="scenario", columns="outcome",
                                                                       values="cell")
    columns = [f"{v}={s}" for v, s in model.spec.headline_states.items()]
    table = table.loc[order, columns].rename_axis(index="scenario", columns=None)
    table.attrs["headline_states"] = dict(model.spec.headline_states)
    return table


def scenario_outcome(model, scenarios: pd.DataFrame, variable: str, state: str) -> pd.DataFrame:
    """One outcome state across scenarios, with labels and words: the data of the scenario chart."""
    rows = scenarios[(scenarios["variable"] == variable) & (scenarios["state"] == state)].copy()
    labels = {name: sc.display for name, sc in model.spec.scenarios.items()}
    rows["scenario"] = rows["scenario"].astype(str)
    rows["label"] = [labels.get(s, s.replace("_", " ")) for s in rows["scenario"]]
    rows["words"] = [model.scale.term(p) for p in rows["probability"]]
    return rows.reset_index(drop=True)
