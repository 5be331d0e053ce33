"""Briefing charts. Each function takes the tidy table the compute layer returns (`data=`), accepts
`ax=`, returns the Axes, and leaves matplotlib's global state alone: styling comes from the
`briefing_style()` context, never from rcParams edits at import time.

Adding a chart (as the tornado, timeline and calibration charts were): compute a tidy table in the
analysis, tracking or scoring layer, test its numbers there, then write `name_chart(data=..., ax=None, title=, subtitle=, source=)` here that draws
it over `draw_bands` where probabilities are shown, labels with `scales.describe`, tags drawn marks
with `gid` so tests can read them back, and finishes with `add_titles`; `save_figure` exports it.
"""

from __future__ import annotations

import contextlib
import os
import textwrap
from pathlib import Path

import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Rectangle

from .fileio import atomic_write
from .scales import ICD203, Scale, describe

SLIDE_SIZE = (13.333, 7.5)  # 16:9 at PowerPoint's default width, inches
PALETTE = sns.color_palette("colorblind")
OBSERVED_COLOUR = PALETTE[0]
FORCED_COLOUR = PALETTE[3]
BAR_COLOUR = PALETTE[0]
BAND_SHADES = ("#f2f2f2", "#e3e3e3")
LABEL_WIDTH = 45  # characters per line of a bar label before it wraps
BOX_LABEL_CHARS = 36  # a network box holds this many characters of a variable's label


def _clip(text: str, width: int) -> str:
    """Text cut to `width` characters, with an ellipsis when cut (for fixed-size boxes)."""
    return text if len(text) <= width else text[: width - 1].rstrip() + "\u2026"


def _wrap_name(text: str, width: int, max_lines: int | None = None) -> str:
    """Wrap at spaces; a word longer than a line (a long identifier) breaks after an underscore. With
    `max_lines`, the rest is cut with an ellipsis."""
    lines = []
    for line in textwrap.wrap(text, width, break_long_words=False):
        while len(line) > width:
            cut = line.rfind("_", 0, width) + 1 or width
            lines.append(line[:cut])
            line = line[cut:]
        lines.append(line)
    if max_lines and len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: width - 2].rstrip() + " \u2026"
    return "\n".join(lines)


def _box_title(variable, width: int) -> str:
    """A network box's title: the label if it fits, else the name in words if that fits, else the label cut."""
    name = variable.name.replace("_", " ")
    if len(variable.display) <= width or len(name) > width:
        return _clip(variable.display, width)
    return name


def _state_texts(states, width: int) -> list[str]:
    """State names in words for a box, without the words every state starts with (often the variable's
    subject), cut to `width` characters."""
    split = [s.split("_") for s in states]
    common = 0
    while all(len(w) > common + 1 for w in split) and len({w[common] for w in split}) == 1:
        common += 1
    return [_clip(" ".join(w[common:]), width) for w in split]


@contextlib.contextmanager
def briefing_style(font_scale: float = 1.0):
    """Slide-ready look (colour-blind-safe palette, large type, 16:9) for the charts drawn inside."""
    rc = {
        "figure.figsize": SLIDE_SIZE,
        "figure.dpi": 100,
        "savefig.dpi": 200,
        "font.size": 13 * font_scale,
        "axes.titlesize": 18 * font_scale,
        "axes.titleweight": "bold",
        "axes.labelsize": 13 * font_scale,
        "xtick.labelsize": 12 * font_scale,
        "ytick.labelsize": 12 * font_scale,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "svg.fonttype": "none",
    }
    with sns.axes_style("white"), sns.color_palette("colorblind"), plt.rc_context(rc):
        yield


def _new_axes(ax, figsize=SLIDE_SIZE):
    if ax is not None:
        return ax
    fig, ax = plt.subplots(figsize=figsize)
    return ax


def add_titles(ax, title: str | None = None, subtitle: str | None = None, source: str | None = None,
               top: float | None = None):
    """Takeaway title, the question as subtitle, and a source line at the foot of the figure."""
    fig = ax.figure
    height = fig.get_figheight()
    line = 0.38 / height  # one 20-pt title line, in figure fraction
    y = 0.985
    if title:
        fig.suptitle(title, x=0.02, y=y, ha="left", va="top", fontsize=20, fontweight="bold")
        y -= line * (title.count("\n") + 1) + 0.01
    if subtitle:
        fig.text(0.02, y, subtitle, ha="left", va="top", fontsize=13, color="#444444")
        y -= 0.3 / height * (subtitle.count("\n") + 1)
    if source:
        fig.text(0.02, 0.012, source, ha="left", va="bottom", fontsize=9, color="#666666", wrap=True)
    top = y - 0.02 if top is None else min(top, y - 0.02)
    fig.subplots_adjust(top=top, bottom=0.12 if source else 0.06)
    return ax


def draw_bands(ax, scale: Scale = ICD203, orient: str = "x", label: bool = True, limits: tuple | None = None):
    """Shade the estimative-probability bands behind the data and name them along the top. With
    `limits` (the axis range the chart will show), only the bands in view are named, each at the middle
    of its visible part."""
    for i, band in enumerate(scale.bands):
        shade = BAND_SHADES[i % 2]
        if orient == "x":
            ax.axvspan(band.low, band.high, color=shade, zorder=0, lw=0)
        else:
            ax.axhspan(band.low, band.high, color=shade, zorder=0, lw=0)
        low, high = (band.low, band.high) if limits is None else (max(band.low, limits[0]), min(band.high, limits[1]))
        if label and high > low:
            mid = (low + high) / 2
            text = band.term.replace(" ", "\n") if high - low < 0.12 * (1 if limits is None else limits[1] - limits[0]) \
                else band.term
            if orient == "x":
                ax.text(mid, 1.01, text, transform=ax.get_xaxis_transform(), ha="center", va="bottom",
                        fontsize=9, color="#555555", gid=f"band-label:{band.term}")
            else:
                ax.text(1.01, mid, text, transform=ax.get_yaxis_transform(), ha="left", va="center",
                        fontsize=9, color="#555555", gid=f"band-label:{band.term}")
    return ax


def scenario_chart(data: pd.DataFrame, *, x: str = "probability", y: str = "label", scale: Scale = ICD203,
                   sort: bool = True, ax=None, title: str | None = None, subtitle: str | None = None,
                   source: str | None = None, low: str | None = None, high: str | None = None):
    """One outcome's probability per scenario as horizontal bars over the scale's bands.

    `data` is one row per scenario (see `analysis.scenario_outcome`). With `low`/`high` columns the
    bars get interval whiskers. Sorted highest first unless `sort=False`.
    """
    frame = data.sort_values(x, ascending=False) if sort else data
    ax = _new_axes(ax)
    draw_bands(ax, scale, "x")
    positions = np.arange(len(frame))
    mid = frame[x].to_numpy()
    ax.barh(positions, mid, height=0.6, color=BAR_COLOUR, zorder=2, gid="scenario-bars")
    if low and high:
        lo, hi = frame[low].to_numpy(), frame[high].to_numpy()
        ax.errorbar(mid, positions, xerr=[mid - lo, hi - mid], fmt="none", ecolor="#222222", capsize=4, zorder=3)
        labels = [describe(p, scale, a, b) for p, a, b in zip(mid, lo, hi)]
        ends = hi
    else:
        labels = [describe(p, scale) for p in mid]
        ends = mid
    for pos, end, text in zip(positions, ends, labels):
        ax.text(min(end + 0.01, 0.70), pos, text, va="center", ha="left", fontsize=11, zorder=4, gid="bar-label",
                bbox={"facecolor": "white", "alpha": 0.7, "edgecolor": "none", "pad": 1})
    ax.set_yticks(positions, [textwrap.fill(str(label), LABEL_WIDTH) for label in frame[y]])
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
    ax.set_xlabel("")
    ax.set_ylabel("")
    add_titles(ax, title, subtitle, source)
    fig = ax.figure
    fig.subplots_adjust(top=fig.subplotpars.top - 0.08)  # room for the band names above the plot
    return ax


def outcomes_heatmap(data: pd.DataFrame, *, ax=None, title: str | None = None, subtitle: str | None = None,
                     source: str | None = None, row: str = "label", column: str = "outcome"):
    """Several outcomes across scenarios: a heatmap with the probabilities written in."""
    table = data.pivot_table(index=row, columns=column, values="probability", sort=False)
    ax = _new_axes(ax)
    sns.heatmap(table, vmin=0, vmax=1, cmap="Blues", annot=table.map(lambda p: f"{p:.0%}"), fmt="",
                cbar_kws={"label": "probability", "format": plt.FuncFormatter(lambda v, _: f"{v:.0%}")},
                linewidths=0.5, linecolor="white", ax=ax)
    ax.set_xlabel("")
    ax.set_ylabel("")
    names = [textwrap.fill(c.replace("=", ": ").replace("_", " "), 16) for c in table.columns]
    ax.set_xticks(ax.get_xticks(), names, rotation=0, fontsize=10)
    ax.set_yticks(ax.get_yticks(), [textwrap.fill(str(r), 30) for r in table.index], rotation=0)
    add_titles(ax, title, subtitle, source)
    lines = max(n.count("\n") + 1 for n in names)  # room below for the wrapped outcome names
    ax.figure.subplots_adjust(bottom=min(0.5, (0.09 if source else 0.05) + 0.2 * lines / ax.figure.get_figheight()))
    return ax


def cpt_heatmap(data: pd.DataFrame, *, ax=None, title: str | None = None, subtitle: str | None = None,
                source: str | None = None):
    """A conditional table as an annotated heatmap: rows are parent-state combinations, columns the
    child's states (`data` is `Model.cpt(variable)`, rationale column optional)."""
    table = data.drop(columns=[c for c in ("rationale",) if c in data.columns])
    labels = [textwrap.fill(" / ".join(str(x).replace("_", " ") for x in (k if isinstance(k, tuple) else (k,))), 60)
              for k in table.index]
    ax = _new_axes(ax)
    columns = [textwrap.fill(str(c).replace("_", " "), 24) for c in table.columns]
    sns.heatmap(table.to_numpy(dtype=float), vmin=0, vmax=1, cmap="Blues", annot=table.map(lambda p: f"{p:.0%}").to_numpy(),
                fmt="", cbar=False, linewidths=0.5, linecolor="white", ax=ax, xticklabels=columns, yticklabels=labels)
    ax.set_xlabel(str(table.columns.name or "").replace("_", " "))
    ax.set_ylabel(textwrap.fill(" / ".join(str(n).replace("_", " ") for n in table.index.names if n), 60))
    ax.tick_params(axis="x", rotation=0)
    add_titles(ax, title, subtitle, source)
    lines = max(c.count("\n") + 1 for c in columns)  # room below for the wrapped state names and the axis label
    ax.figure.subplots_adjust(bottom=min(0.5, (0.09 if source else 0.05) + 0.22 * (lines + 1.5) / ax.figure.get_figheight()))
    return ax


def tornado_chart(data: pd.DataFrame, *, top: int = 12, scale: Scale = ICD203, ax=None, title: str | None = None,
                  subtitle: str | None = None, source: str | None = None):
    """One-way sensitivity as a tornado: each judgement's bar runs from the target at its low end to the
    target at its high end, largest swing on top (`data` is `analysis.sensitivity(...)`)."""
    frame = data.sort_values("swing", ascending=False, kind="stable").head(top)
    ax = _new_axes(ax)
    positions = np.arange(len(frame))
    left = np.minimum(frame["target_low"], frame["target_high"]).to_numpy()
    width = np.abs(frame["target_high"] - frame["target_low"]).to_numpy()
    lo = max(0.0, float(left.min()) - 0.1) if len(frame) else 0.0
    hi = min(1.0, float((left + width).max()) + 0.1) if len(frame) else 1.0
    draw_bands(ax, scale, "x", limits=(lo, hi))
    ax.barh(positions, width, left=left, height=0.6, color=BAR_COLOUR, zorder=2, gid="tornado-bars")
    if len(frame):
        now = float(frame["target_now"].iloc[0])
        ax.axvline(now, color="#222222", lw=1.2, zorder=3, gid="target-now")
    labels = [_wrap_name(p, 80, max_lines=3) for p in frame["parameter"]]
    ax.set_yticks(positions, labels, fontsize=9)
    ax.invert_yaxis()
    ax.set_xlim(lo, hi)
    ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
    add_titles(ax, title, subtitle, source)
    fig = ax.figure
    fig.subplots_adjust(top=fig.subplotpars.top - 0.08, left=0.38)
    # long names (long variable and state names) take smaller type where the rows would run into each other
    lines = max((t.count("\n") + 1 for t in labels), default=1)
    room = ax.get_position().height * fig.get_figheight() * 72 / max(len(frame), 1)  # points per row
    for tick in ax.get_yticklabels():
        tick.set_fontsize(max(5.0, min(9.0, room / (lines * 1.45))))
    return ax


def timeline_chart(data: pd.DataFrame, *, variable: str, state: str, scale: Scale = ICD203, ax=None,
                   title: str | None = None, subtitle: str | None = None, source: str | None = None):
    """The forecast for one outcome state after each dated update (`data` is `tracking.history(...)`),
    over the scale's bands, each update annotated with what was learned."""
    frame = data[(data["variable"] == variable) & (data["state"] == state)].reset_index(drop=True)
    own_figure = ax is None
    ax = _new_axes(ax)
    draw_bands(ax, scale, "y")
    dates = pd.to_datetime(frame["date"])
    if "lo90" in frame:
        ax.fill_between(dates, frame["lo90"], frame["hi90"], step="post", color=BAR_COLOUR, alpha=0.2, lw=0,
                        zorder=2, gid="forecast-interval")
    ax.step(dates, frame["probability"], where="post", color=BAR_COLOUR, lw=2.5, zorder=3, gid="forecast-line")
    ax.scatter(dates, frame["probability"], color=BAR_COLOUR, zorder=4, s=30, gid="forecast-points")
    # Updates can be days apart on a years-long axis, so the points carry numbers (alternately above and
    # below) and the wording goes in a numbered key right of the band labels, where it cannot collide.
    fontsize = 8.5
    axes_height_pt = ax.figure.get_figheight() * ax.get_position().height * 72
    y = 1.0
    for i, (d, p, what) in enumerate(zip(dates, frame["probability"], frame["update"])):
        ax.annotate(str(i + 1), (d, p), xytext=(0, 8 if i % 2 == 0 else -16), textcoords="offset points",
                    ha="center", fontsize=9, fontweight="bold", color="#333333", zorder=5, gid="update-number")
        text = textwrap.fill(f"{i + 1}. {d:%Y-%m-%d}: {str(what).replace('_', ' ')}", 34,
                             subsequent_indent="    ")
        ax.text(1.13, y, text, transform=ax.transAxes, va="top", ha="left", fontsize=fontsize, color="#333333",
                gid="update-label")
        y -= (text.count("\n") + 1.35) * fontsize * 1.25 / axes_height_pt
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
    ax.set_xlabel("")
    ax.set_ylabel(textwrap.fill(f"P({variable.replace('_', ' ')} = {state.replace('_', ' ')})", 50))
    add_titles(ax, title, subtitle, source)
    if own_figure:
        ax.figure.subplots_adjust(right=0.70)
    return ax


def calibration_chart(data: pd.DataFrame, *, ax=None, title: str | None = None, subtitle: str | None = None,
                      source: str | None = None):
    """Mean forecast against observed frequency per bin (`data` is `scoring.calibration_table(...)`),
    point size by count, the diagonal for perfect calibration."""
    frame = data.dropna(subset=["mean_forecast"])
    ax = _new_axes(ax, figsize=(7.5, 7.5))
    ax.plot([0, 1], [0, 1], color="#999999", lw=1, ls="--", zorder=1)
    ax.scatter(frame["mean_forecast"], frame["observed_frequency"], s=40 + 30 * frame["count"], color=BAR_COLOUR,
               zorder=3, gid="calibration-points")
    for _, row in frame.iterrows():
        ax.annotate(f"n={row['count']}", (row["mean_forecast"], row["observed_frequency"]), xytext=(8, -4),
                    textcoords="offset points", fontsize=9)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
    ax.set_xlabel("mean forecast")
    ax.set_ylabel("observed frequency")
    add_titles(ax, title, subtitle, source)
    return ax


# ------------------------------------------------------------------------------------- network

def network_layout(model) -> pd.DataFrame:
    """Layered top-down layout from the graph alone (no graphviz): parents above children,
    each layer ordered by the mean position of its parents to keep arcs from crossing."""
    graph = nx.DiGraph()
    graph.add_nodes_from(model.variables)
    graph.add_edges_from((p, v) for v in model.variables for p in model.spec.variables[v].parents)
    layers = [list(layer) for layer in nx.topological_generations(graph)]
    file_order = {v: i for i, v in enumerate(model.variables)}
    x: dict[str, float] = {}
    rows = []
    for depth, layer in enumerate(layers):
        def key(v):
            parents = list(graph.predecessors(v))
            return (np.mean([x[p] for p in parents]) if parents else file_order[v], file_order[v])

        layer.sort(key=key)
        width = len(layer)
        for i, v in enumerate(layer):
            x[v] = i - (width - 1) / 2
            rows.append({"variable": v, "layer": depth, "x": x[v], "y": -depth})
    return pd.DataFrame(rows)


def network_chart(model, data: pd.DataFrame | None = None, *, evidence=None, do=None, ax=None,
                  title: str | None = None, subtitle: str | None = None, source: str | None = None):
    """The network with each variable's marginals as small bars inside its box (GeNIe-style).

    `data` is a tidy query result (variable, state, probability) for all variables; by default the
    model is queried with `evidence` and `do`. Observed boxes are outlined in blue, forced in red.
    """
    evidence = dict(evidence or {})
    do = dict(do or {})
    if data is None:
        data = model.query(model.variables, given=evidence, do=do)
    layout = network_layout(model).set_index("variable")
    probs = {v: g.set_index("state")["probability"] for v, g in data.groupby("variable", sort=False)}
    box_w, gap_x, gap_y = 3.0, 0.35, 0.55
    heights = {v: 0.42 + 0.27 * len(model.states(v)) for v in model.variables}
    layer_h = {}
    for v, row in layout.iterrows():
        layer_h[row["layer"]] = max(layer_h.get(row["layer"], 0), heights[v])
    y_top, y = {}, 0.0
    for layer in sorted(layer_h):
        y_top[layer] = y
        y -= layer_h[layer] + gap_y
    pos = {v: ((row["x"]) * (box_w + gap_x), y_top[row["layer"]]) for v, row in layout.iterrows()}

    ax = _new_axes(ax)
    ax.set_axis_off()
    for v in model.variables:
        cx, top = pos[v]
        h = heights[v]
        left = cx - box_w / 2
        edge, lw = "#555555", 1.0
        if v in evidence:
            edge, lw = OBSERVED_COLOUR, 3.0
        if v in do:
            edge, lw = FORCED_COLOUR, 3.0
        ax.add_patch(FancyBboxPatch((left, top - h), box_w, h, boxstyle="round,pad=0.02,rounding_size=0.08",
                                    facecolor="white", edgecolor=edge, linewidth=lw, zorder=2, gid=f"node:{v}"))
        tag = " [observed]" if v in evidence else (" [forced]" if v in do else "")
        ax.text(cx, top - 0.06, _box_title(model.spec.variables[v], BOX_LABEL_CHARS - len(tag)) + tag, ha="center",
                va="top", fontsize=8.5, fontweight="bold", zorder=3)
        bar_left, bar_max = left + box_w * 0.58, box_w * 0.27
        for i, (state, text) in enumerate(zip(model.states(v), _state_texts(model.states(v), 30))):
            p = float(probs[v].get(state, np.nan)) if v in probs else np.nan
            yy = top - 0.42 - 0.27 * i
            ax.text(left + 0.06, yy, text, ha="left", va="center", fontsize=6.5, zorder=3)
            ax.add_patch(Rectangle((bar_left, yy - 0.09), bar_max * (0 if np.isnan(p) else p), 0.18,
                                   facecolor=BAR_COLOUR, edgecolor="none", zorder=3, gid=f"bar:{v}={state}"))
            ax.text(bar_left + bar_max + 0.05, yy, "" if np.isnan(p) else f"{p:.0%}", ha="left", va="center",
                    fontsize=6.5, zorder=3)
    lanes: dict[float, int] = {}
    for v in model.variables:
        for p in model.spec.variables[v].parents:
            if v in do:
                continue  # graph surgery: a forced variable's incoming arcs are cut
            (px, ptop), (cx, ctop) = pos[p], pos[v]
            pbottom = ptop - heights[p]
            style = dict(arrowstyle="-|>", mutation_scale=10, color="#888888", lw=0.9, zorder=1, shrinkA=0, shrinkB=1)
            if layout.loc[v, "layer"] - layout.loc[p, "layer"] == 1:
                ax.add_patch(FancyArrowPatch((px, pbottom), (cx, ctop), gid=f"arc:{p}->{v}", **style))
                continue
            # an arc that skips layers goes round the boxes in between: down the lane beside its column
            side = 1.0 if cx >= px else -1.0
            lane = px + side * (box_w + gap_x) / 2
            k = lanes.get(lane, 0)
            lanes[lane] = k + 1
            lane += side * 0.06 * k
            x0, x1 = px + side * box_w * 0.3, cx - side * box_w * 0.3 if cx != px else cx + side * box_w * 0.3
            y0, y1 = pbottom - gap_y * (0.35 + 0.1 * k), ctop + gap_y * (0.35 + 0.1 * k)
            ax.plot([x0, x0, lane, lane, x1], [pbottom, y0, y0, y1, y1], color="#888888", lw=0.9, zorder=1,
                    solid_joinstyle="round", gid=f"arc:{p}->{v}")
            ax.add_patch(FancyArrowPatch((x1, y1), (x1, ctop), **style))
    xs = [x for x, _ in pos.values()]
    ax.set_xlim(min(xs) - box_w / 2 - 0.2, max(xs) + box_w / 2 + 0.2)
    ax.set_ylim(y + gap_y - 0.2, 0.2)
    add_titles(ax, title, subtitle, source)
    return ax


# ------------------------------------------------------------------------------------- export

def save_figure(fig, stem: str | os.PathLike, formats=("png", "svg"), dpi: int = 200) -> list[Path]:
    """Write the figure as PNG (200 dpi) and SVG in one call; each file appears whole or not at all."""
    stem = Path(stem)
    paths = []
    for fmt in formats:
        path = stem.with_suffix(f".{fmt}")
        atomic_write(path, lambda tmp, fmt=fmt: fig.savefig(tmp, format=fmt, dpi=dpi, bbox_inches="tight"))
        paths.append(path)
    return paths
