"""Charts of revisions and second opinions: what a revision moved (diff) and how far analysts' models
disagree on each outcome."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from bayes.modelfile.scales import ICD203, Scale, describe
from bayes.outputs.charts.framing import add_titles, draw_bands
from bayes.outputs.charts.style import BAR_COLOUR, PALETTE, clip_text, new_axes, wrap_name

# ------------------------------------------------------------------------------------- revisions and second opinions

def _outcome_words(outcome: str, model=None) -> str:
    """'Escalation: a wider war' through the phrase builder when the model is given; else the id in words."""
    var, _, state = str(outcome).partition("=")
    if model is not None and var in model.spec.variables and state in model.spec.states(var):
        from bayes.outputs.phrases import outcome_phrase

        return outcome_phrase(model, var, state)
    return str(outcome).replace("=", ": ").replace("_", " ")


def diff_chart(data: pd.DataFrame, *, top: int = 8, scale: Scale = ICD203, ax=None, title: str | None = None,
               subtitle: str | None = None, source: str | None = None, old_label: str = "old",
               new_label: str = "new", model=None):
    """A revision as a dumbbell chart: for each headline outcome under each scenario, a line from its old
    probability (hollow dot) to its new one (filled dot) over the scale's bands, the `top` largest shifts
    from the top down; the new value in words and the shift are written right of the plot, clear of the
    dots (`data` is `revisions.diff(...)`: its rows of kind "outcome" with both numbers are drawn). With
    `model`, outcomes are named by the analyst's labels."""
    frame = data[data["kind"] == "outcome"] if "kind" in data else data
    frame = frame[frame["old"].notna() & frame["new"].notna()]
    olds, news = frame["old"].astype(float), frame["new"].astype(float)
    frame = frame.assign(_old=olds, _new=news, _size=(news - olds).abs())
    frame = frame.sort_values("_size", ascending=False, kind="stable")
    moved = frame[frame["_size"] >= 5e-4]  # half a tenth of a point: what the terminal view counts as moved
    frame = (moved if len(moved) else frame).head(top).reset_index(drop=True)
    ax = new_axes(ax)
    draw_bands(ax, scale, "x")
    positions = np.arange(len(frame))
    olds, news = frame["_old"].to_numpy(), frame["_new"].to_numpy()
    ax.hlines(positions, olds, news, color="#555555", lw=2.5, zorder=2, gid="dumbbell-lines")
    ax.scatter(olds, positions, s=90, facecolor="white", edgecolor=BAR_COLOUR, linewidth=2, zorder=3,
               gid="dumbbell-old")
    ax.scatter(news, positions, s=90, color=BAR_COLOUR, zorder=4, gid="dumbbell-new")
    for pos, a, b in zip(positions, olds, news):
        ax.annotate(f"{describe(b, scale)}, {100 * (b - a):+.1f} points", (1, pos),
                    xycoords=("axes fraction", "data"), xytext=(10, 0), textcoords="offset points", va="center",
                    ha="left", gid="dumbbell-label", annotation_clip=False)
    if "scenario_label" in frame:
        scenarios = frame["scenario_label"].fillna(frame.get("scenario", "")).astype(str)
    else:
        scenarios = frame["scenario"].astype(str)
    names = [f"{clip_text(s, 38)}\n{clip_text(_outcome_words(o, model), 38)}" for o, s in zip(frame["outcome"], scenarios)]
    ax.set_yticks(positions, names)
    _percent_rows(ax, len(frame))
    ax.figure.subplots_adjust(left=0.3, right=0.72)
    subtitle = subtitle if subtitle is not None else f"Hollow dot: {old_label}; filled dot: {new_label}"
    add_titles(ax, title, subtitle, source, top=0.8)
    return ax


def disagreement_chart(data: pd.DataFrame, *, outcome: str | None = None, scale: Scale = ICD203, ax=None,
                       title: str | None = None, subtitle: str | None = None, source: str | None = None,
                       model=None):
    """Where analysts disagree on one outcome: per scenario, one dot per analyst (a colour each, named in
    the legend below; each smaller than the one before, so equal readings show as rings) and a hollow black
    diamond for the pooled model, a line over the analysts' range, over the
    scale's bands; the spread is written right of the plot (`data` is `revisions.disagreement(...).values`;
    `outcome` is VARIABLE=STATE, the first in `data` by default)."""
    outcome = outcome if outcome is not None else str(data["outcome"].iloc[0])
    frame = data[data["outcome"] == outcome]
    scenarios = list(dict.fromkeys(frame["scenario"]))
    labels = dict(zip(frame["scenario"], frame["scenario_label"] if "scenario_label" in frame else frame["scenario"]))
    analysts = list(dict.fromkeys(frame.loc[~frame["pooled"].astype(bool), "analyst"]))
    ax = new_axes(ax)
    draw_bands(ax, scale, "x")
    positions = np.arange(len(scenarios))
    value = {(r.scenario, r.analyst, bool(r.pooled)): float(r.probability) for r in frame.itertuples()}
    own = np.array([[value.get((s, a, False), np.nan) for a in analysts] for s in scenarios]).reshape(len(scenarios), -1)
    pooled = np.array([value.get((s, "pooled", True), np.nan) for s in scenarios])
    with np.errstate(all="ignore"):
        low, high = np.nanmin(own, axis=1), np.nanmax(own, axis=1)
    ax.hlines(positions, low, high, color="#555555", lw=2.5, zorder=2, gid="spread-lines")
    # analysts who agree share a point: each later dot is smaller, so all show as rings around one another;
    # the pool is a hollow diamond over them, hiding none
    for k, name in enumerate(analysts):
        ax.scatter(own[:, k], positions, s=max(170 * 0.72 ** k, 30), color=PALETTE[k % len(PALETTE)],
                   edgecolor="white", linewidth=0.8, zorder=3 + 0.01 * k, gid=f"analyst:{name}",
                   label=name.replace("_", " "))
    ax.scatter(pooled, positions, s=260, marker="D", facecolor="none", edgecolor="#111111", linewidth=2, zorder=4,
               gid="pooled", label="pooled")
    for pos, lo, hi, p in zip(positions, low, high, pooled):
        text = (f"spread {100 * (hi - lo):.1f} points; pooled {describe(p, scale)}" if np.isfinite(p)
                else "impossible evidence")
        ax.annotate(text, (1, pos), xycoords=("axes fraction", "data"), xytext=(10, 0), textcoords="offset points",
                    va="center", ha="left", gid="spread-label", annotation_clip=False)
    ax.set_yticks(positions, [wrap_name(str(labels[s]), 34, max_lines=2) for s in scenarios])
    _percent_rows(ax, len(scenarios))
    ax.legend(loc="upper left", bbox_to_anchor=(0, -0.1), ncol=min(len(analysts) + 1, 5), frameon=False)
    ax.figure.subplots_adjust(left=0.27, right=0.68)
    subtitle = subtitle if subtitle is not None else \
        f"How likely is '{_outcome_words(outcome, model)}' in each scenario, for each analyst and the pool?"
    add_titles(ax, title, subtitle, source, top=0.8)
    return ax


def _percent_rows(ax, rows: int):
    """A 0-100% axis across, one row per item down (first at the top), no axis labels."""
    ax.set_ylim(rows - 0.5, -0.5)
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.tick_params(axis="y", length=0)
