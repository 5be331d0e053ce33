"""Briefing charts. Each function takes the tidy table the compute layer returns (`data=`), accepts
`ax=`, returns the Axes, and leaves matplotlib's global state alone: styling comes from the
`briefing_style()` context, never from rcParams edits at import time.

Every chart is laid out for a 16:9 slide (13.33 x 7.5 in, `SLIDE_SIZE`) with text of at least 14 pt at
that size: titles, labels and notes are wrapped by their measured width, and `fit_axes` places the plot
so that everything drawn (tick labels, band names, value labels) stays inside the figure. `save_figure`
exports exactly 1920x1080 and 3840x2160 pixels (no tight cropping, which would change the ratio).
`tests/test_geometry.py` checks every chart on drawn extents: no two texts overlap, no text crosses a bar,
whisker, line or arrow, and nothing leaves the figure.

Adding a chart (as the tornado, timeline and calibration charts were): compute a tidy table in the
analysis, tracking or scoring layer, test its numbers there, then write `name_chart(data=..., ax=None,
title=, subtitle=, source=)` here that draws it over `draw_bands` where probabilities are shown, labels
with `scales.describe`, tags drawn marks with `gid` so tests can read them back, and finishes with
`add_titles` (which also fits the plot into the figure); `save_figure` exports it. Run it through
`tests/test_geometry.py`.
"""

from __future__ import annotations

import contextlib
import functools
import os
import textwrap
from pathlib import Path

import matplotlib
import matplotlib.dates
import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.font_manager import FontProperties
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Rectangle

from bayes.fileio import atomic_write
from bayes.modelfile.scales import ICD203, Scale, describe

SLIDE_SIZE = (13.333, 7.5)  # 16:9 at PowerPoint's default width, inches
SLIDE_PIXELS = ((1920, 1080), (3840, 2160))  # the exported PNG sizes (exactly 16:9)
PALETTE = sns.color_palette("colorblind")
OBSERVED_COLOUR = PALETTE[0]
FORCED_COLOUR = PALETTE[3]
BAR_COLOUR = PALETTE[0]
BASELINE_COLOUR = "#0a3d62"
SET_COLOUR = "#8c8c8c"  # outcomes a scenario sets itself: hatched, not drawn as findings
BAND_SHADES = ("#f2f2f2", "#e3e3e3")
TEXT_SIZE = 14  # points: the smallest text on a chart (legible on a slide)
TITLE_SIZE = 22
SUBTITLE_SIZE = 16
PAD_IN = 0.2  # figure margin, inches
LABEL_WIDTH = 45  # characters per line of a bar label before it wraps (notebook tables)
BOX_LABEL_CHARS = 36


def _clip(text: str, width: int) -> str:
    """Text cut to `width` characters, with an ellipsis when cut."""
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


def _state_texts(states) -> list[str]:
    """State names in words, without the words every state starts with (often the variable's subject)."""
    split = [s.split("_") for s in states]
    common = 0
    while all(len(w) > common + 1 for w in split) and len({w[common] for w in split}) == 1:
        common += 1
    return [" ".join(w[common:]) for w in split]


@contextlib.contextmanager
def briefing_style(font_scale: float = 1.0):
    """Slide-ready look (colour-blind-safe palette, large type, 16:9) for the charts drawn inside."""
    rc = {
        "figure.figsize": SLIDE_SIZE,
        "figure.dpi": 100,
        "savefig.dpi": 144,
        "font.size": TEXT_SIZE * font_scale,
        "axes.titlesize": 18 * font_scale,
        "axes.titleweight": "bold",
        "axes.labelsize": TEXT_SIZE * font_scale,
        "xtick.labelsize": TEXT_SIZE * font_scale,
        "ytick.labelsize": TEXT_SIZE * font_scale,
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


# ------------------------------------------------------------------------------------- measured text

def _renderer(fig):
    canvas = fig.canvas
    return canvas.get_renderer() if hasattr(canvas, "get_renderer") else fig._get_renderer()


@functools.lru_cache(maxsize=65536)
def text_width(text: str, size: float = TEXT_SIZE, weight: str = "normal") -> float:
    """Width of one line of text in points, as matplotlib's renderer draws it (the default font)."""
    fig = _measure_figure()
    w, _, _ = _renderer(fig).get_text_width_height_descent(text, FontProperties(size=size, weight=weight),
                                                           ismath=False)
    return w * 72.0 / fig.dpi


_MEASURE = {}


def _measure_figure():
    if "fig" not in _MEASURE:
        from matplotlib.figure import Figure
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        fig = Figure(dpi=100)
        FigureCanvasAgg(fig)
        _MEASURE["fig"] = fig
    return _MEASURE["fig"]


def wrap_points(text: str, width: float, size: float = TEXT_SIZE, weight: str = "normal",
                break_words: bool = True) -> str:
    """Wrap text so that no line is wider than `width` points (measured). A word longer than a line is
    broken after an underscore or hyphen, else anywhere (unless `break_words` is false: it then keeps
    its own line)."""
    out = []
    for paragraph in str(text).split("\n"):
        line = ""
        for word in paragraph.split():
            trial = f"{line} {word}" if line else word
            if text_width(trial, size, weight) <= width:
                line = trial
                continue
            if line:
                out.append(line)
            line = word
            while break_words and text_width(line, size, weight) > width and len(line) > 1:
                cut = len(line) - 1
                while cut > 1 and text_width(line[:cut], size, weight) > width:
                    cut -= 1
                soft = max(line.rfind("_", 0, cut), line.rfind("-", 0, cut))
                cut = soft + 1 if soft > 0 else cut
                out.append(line[:cut])
                line = line[cut:]
        out.append(line)
    return "\n".join(out)


def _lines(text: str) -> int:
    return text.count("\n") + 1


# ------------------------------------------------------------------------------------- layout

def add_titles(ax, title: str | None = None, subtitle: str | None = None, source: str | None = None,
               top: float | None = None, fit: bool = True):
    """Takeaway title, the question as subtitle and a source line at the foot of the figure, each wrapped
    to the figure's width; then the plot is fitted into the room left (see `fit_axes`)."""
    fig = ax.figure
    width_in, height_in = fig.get_size_inches()
    pad = PAD_IN * 72
    room = width_in * 72 - 2 * pad
    y = height_in * 72 - pad  # points from the bottom of the figure
    size = TITLE_SIZE
    if title:
        wrapped = wrap_points(title, room, size, "bold")
        while _lines(wrapped) > 2 and size > 18:
            size -= 2
            wrapped = wrap_points(title, room, size, "bold")
        fig.text(pad / 72 / width_in, y / 72 / height_in, wrapped, ha="left", va="top", fontsize=size,
                 fontweight="bold", gid="title")
        y -= _lines(wrapped) * size * 1.22 + 6
    if subtitle:
        wrapped = wrap_points(subtitle, room, SUBTITLE_SIZE)
        fig.text(pad / 72 / width_in, y / 72 / height_in, wrapped, ha="left", va="top", fontsize=SUBTITLE_SIZE,
                 color="#444444", gid="subtitle")
        y -= _lines(wrapped) * SUBTITLE_SIZE * 1.22 + 6
    bottom = pad
    if source:
        wrapped = wrap_points(source, room, TEXT_SIZE)
        fig.text(pad / 72 / width_in, pad / 72 / height_in, wrapped, ha="left", va="bottom", fontsize=TEXT_SIZE,
                 color="#555555", gid="source")
        bottom += _lines(wrapped) * TEXT_SIZE * 1.22 + 8
    frame_top = y - 8 if top is None else min(top * height_in * 72, y - 8)
    fig._bayes_frame = (bottom / 72 / height_in, frame_top / 72 / height_in)
    if fit:
        fit_axes(ax)
    return ax


def _on_layout(ax, hook):
    """Run `hook(ax)` before each step of `fit_axes` (for labels whose place depends on the plot's size)."""
    hooks = getattr(ax, "_bayes_hooks", [])
    hooks.append(hook)
    ax._bayes_hooks = hooks


def fit_axes(ax, iterations: int = 5):
    """Place the Axes so that it and everything drawn with it (tick labels, band names, value labels)
    fill the room between the titles and the source line, inside the figure margins. Only charts that
    own their figure (one Axes) are moved."""
    fig = ax.figure
    if len(fig.axes) != 1:
        return ax
    renderer = _renderer(fig)
    width, height = fig.bbox.width, fig.bbox.height
    pad = PAD_IN * fig.dpi
    bottom, top = getattr(fig, "_bayes_frame", (PAD_IN / fig.get_figheight(), 1 - PAD_IN / fig.get_figheight()))
    target = (pad, bottom * height, width - pad, top * height)
    for _ in range(iterations):
        for hook in getattr(ax, "_bayes_hooks", []):
            hook(ax)
        pos = ax.get_position().transformed(fig.transFigure)
        tight = ax.get_tightbbox(renderer)
        left = target[0] + (pos.x0 - tight.x0)
        right = target[2] - (tight.x1 - pos.x1)
        low = target[1] + (pos.y0 - tight.y0)
        high = target[3] - (tight.y1 - pos.y1)
        if right - left < 40 or high - low < 40:
            right, high = max(right, left + 40), max(high, low + 40)
        new = [left / width, low / height, (right - left) / width, (high - low) / height]
        if np.allclose(new, ax.get_position().bounds, atol=0.5 / max(width, height)):
            break
        ax.set_position(new)
    for hook in getattr(ax, "_bayes_hooks", []):
        hook(ax)
    return ax


def _extent_pt(artist, fig):
    """An artist's drawn box in points (x0, y0, x1, y1)."""
    box = artist.get_window_extent(_renderer(fig))
    k = 72.0 / fig.dpi
    return box.x0 * k, box.y0 * k, box.x1 * k, box.y1 * k


def _stack(boxes, axis: int, gap: float = 3.0) -> list[int]:
    """Rows (or columns) for labels so that none overlaps another on the same row: greedy, in order."""
    rows: list[list[tuple]] = []
    out = []
    for box in boxes:
        lo, hi = (box[0], box[2]) if axis == 0 else (box[1], box[3])
        for i, row in enumerate(rows):
            if all(hi + gap <= a or lo - gap >= b for a, b in row):
                row.append((lo, hi))
                out.append(i)
                break
        else:
            rows.append([(lo, hi)])
            out.append(len(rows) - 1)
    return out


def draw_bands(ax, scale: Scale = ICD203, orient: str = "x", label: bool = True, limits: tuple | None = None):
    """Shade the estimative-probability bands behind the data and name them along the top (orient "x") or
    the right (orient "y"). With `limits` (the axis range the chart will show), only the bands in view are
    named, each at the middle of its visible part. Names that would overlap go on a second row."""
    labels = []
    for i, band in enumerate(scale.bands):
        shade = BAND_SHADES[i % 2]
        if orient == "x":
            ax.axvspan(band.low, band.high, color=shade, zorder=0, lw=0)
        else:
            ax.axhspan(band.low, band.high, color=shade, zorder=0, lw=0)
        low, high = (band.low, band.high) if limits is None else (max(band.low, limits[0]), min(band.high, limits[1]))
        if label and high > low:
            mid = (low + high) / 2
            if orient == "x":
                labels.append(ax.annotate(band.term, (mid, 1), xycoords=ax.get_xaxis_transform(), xytext=(0, 4),
                                          textcoords="offset points", ha="center", va="bottom", fontsize=TEXT_SIZE,
                                          color="#555555", gid=f"band-label:{band.term}", annotation_clip=False))
            else:
                labels.append(ax.annotate(band.term, (1, mid), xycoords=ax.get_yaxis_transform(), xytext=(6, 0),
                                          textcoords="offset points", ha="left", va="center", fontsize=TEXT_SIZE,
                                          color="#555555", gid=f"band-label:{band.term}", annotation_clip=False))

    def restack(ax, labels=labels, orient=orient):
        fig = ax.figure
        if not labels:
            return
        for t in labels:
            t.xyann = (0, 4) if orient == "x" else (6, 0)
        boxes = [_extent_pt(t, fig) for t in labels]
        rows = _stack(boxes, 0 if orient == "x" else 1)
        if orient == "x":
            h = max(b[3] - b[1] for b in boxes)
            for t, r in zip(labels, rows):
                t.xyann = (0, 4 + r * (h + 2))
        else:
            w = max(b[2] - b[0] for b in boxes)
            for t, r in zip(labels, rows):
                t.xyann = (6 + r * (w + 8), 0)

    ax._bayes_band_labels = labels
    _on_layout(ax, restack)
    return ax


def _band_block_width(ax) -> float:
    """How far (points) the band names reach right of the axes (orient "y")."""
    labels = getattr(ax, "_bayes_band_labels", [])
    if not labels:
        return 0.0
    fig = ax.figure
    right = ax.get_window_extent(_renderer(fig)).x1 * 72 / fig.dpi
    return max(_extent_pt(t, fig)[2] for t in labels) - right


# ------------------------------------------------------------------------------------- charts

def value_text(p: float, scale: Scale = ICD203, lo: float | None = None, hi: float | None = None) -> str:
    """'likely (78%; 69-88%)': the words and number a bar is labelled with (the interval, when given)."""
    if lo is None or hi is None or np.isnan(lo) or np.isnan(hi):
        return describe(p, scale)
    return f"{scale.term(p)} ({p:.0%}; {lo:.0%}\u2013{hi:.0%})"


def scenario_chart(data: pd.DataFrame, *, x: str = "probability", y: str = "label", scale: Scale = ICD203,
                   sort: bool = True, ax=None, title: str | None = None, subtitle: str | None = None,
                   source: str | None = None, low: str | None = None, high: str | None = None,
                   set_by: str = "set_by", baseline: str | None = "baseline"):
    """One outcome's probability per scenario as horizontal bars over the scale's bands.

    `data` is one row per scenario (see `analysis.scenario_outcome`). With `low`/`high` columns the
    bars get interval whiskers. Each bar's value is written in a column right of the plot, where no bar
    or whisker can reach it (on a narrow figure, under 9 in, the scenario and its value go on a line of
    their own above each bar instead, and the bands are shaded but not named). Rows whose `set_by`
    column says "forced" or "observed" (the scenario sets the outcome itself) are drawn hatched, without
    whiskers, and labelled as set, not as findings; they go last. The `baseline` scenario's bar is
    darker and a dashed line marks its value. Sorted highest first unless `sort=False`.
    """
    frame = data.reset_index(drop=True)
    is_set = frame[set_by].fillna("").astype(str).ne("") if set_by in frame else pd.Series(False, index=frame.index)
    if sort:
        frame = pd.concat([frame[~is_set].sort_values(x, ascending=False, kind="stable"), frame[is_set]])
        is_set = is_set.loc[frame.index]
    ax = _new_axes(ax)
    fig = ax.figure
    narrow = fig.get_figwidth() < 9
    draw_bands(ax, scale, "x", label=not narrow)
    mid = frame[x].to_numpy(dtype=float)
    setv = is_set.to_numpy()
    lo = hi = None
    if low and high:
        lo, hi = frame[low].to_numpy(dtype=float), frame[high].to_numpy(dtype=float)
    values = []
    for i in range(len(frame)):
        if setv[i]:
            how = str(frame[set_by].iloc[i])
            values.append(f"{_pct_text(mid[i])}: {how} {'by' if how == 'forced' else 'in'} the scenario")
        else:
            values.append(value_text(mid[i], scale, None if lo is None else lo[i], None if hi is None else hi[i]))
    labels = [str(v) for v in frame[y]]
    scenario_names = frame["scenario"].astype(str).tolist() if "scenario" in frame else [""] * len(frame)
    base_rows = [i for i, s in enumerate(scenario_names) if baseline and s == baseline]
    if narrow:
        # each row: a line (or two) naming the scenario and its value, then the bar in a lane of its own;
        # y is counted in text lines, so a row is as tall as its text needs
        room = (fig.get_figwidth() - 2 * PAD_IN) * 72 - 8
        texts = [wrap_points(f"{a}: {b}", room) for a, b in zip(labels, values)]
        positions, tops, cur = [], [], 0.0
        for t in texts:
            tops.append(cur)
            positions.append(cur + _lines(t) * 1.2 + 0.75)
            cur = positions[-1] + 0.45 + 0.55
        positions = np.array(positions)
        height = 0.9
    else:
        positions = np.arange(len(frame), dtype=float)
        height = 0.6
    bars = ax.barh(positions, mid, height=height, color=BAR_COLOUR, zorder=2, gid="scenario-bars")
    for i in base_rows:
        bars[i].set_facecolor(BASELINE_COLOUR)
    if base_rows and len(frame) > 1:
        if narrow:  # only across the bars' lanes, never through the text lines
            ax.vlines([mid[base_rows[0]]] * len(frame), positions - 0.6, positions + 0.6, colors=BASELINE_COLOUR,
                      lw=1.5, linestyles=(0, (4, 3)), zorder=3, gid="baseline-line")
        else:
            ax.axvline(mid[base_rows[0]], color=BASELINE_COLOUR, lw=1.5, ls=(0, (4, 3)), zorder=3,
                       gid="baseline-line")
    for i in np.flatnonzero(setv):
        bars[i].set_facecolor("white")
        bars[i].set_edgecolor(SET_COLOUR)
        bars[i].set_hatch("///")
        bars[i].set_gid("set-bar")
    if lo is not None:
        keep = ~setv
        ax.errorbar(mid[keep], positions[keep], xerr=[mid[keep] - lo[keep], hi[keep] - mid[keep]], fmt="none",
                    ecolor="#222222", elinewidth=1.5, capsize=4 if narrow else 5, zorder=3, gid="whiskers")
    if narrow:
        for i, top in enumerate(tops):
            ax.annotate(texts[i], (0, top), xycoords=("axes fraction", "data"), xytext=(0, 0),
                        textcoords="offset points", va="top", ha="left", fontsize=TEXT_SIZE, linespacing=1.15,
                        fontweight="bold" if i in base_rows else "normal",
                        color="#555555" if setv[i] else "#111111", gid="bar-label", annotation_clip=False)
        ax.set_yticks([])
        ax.set_ylim(cur - 0.3, -0.2)
    else:
        for i, pos in enumerate(positions):
            ax.annotate(values[i], (1, pos), xycoords=("axes fraction", "data"), xytext=(10, 0),
                        textcoords="offset points", va="center", ha="left", fontsize=TEXT_SIZE,
                        color="#555555" if setv[i] else "#111111", gid="bar-label", annotation_clip=False)
        label_room = 0.3 * fig.get_figwidth() * 72
        ax.set_yticks(positions, [wrap_points(v, label_room) for v in labels])
        for i, tick in enumerate(ax.get_yticklabels()):
            if i in base_rows:
                tick.set_fontweight("bold")
            if setv[i]:
                tick.set_color("#666666")
        ax.set_ylim(len(frame) - 0.5, -0.5)
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.spines["left"].set_visible(False)
    ax.tick_params(axis="y", length=0)
    add_titles(ax, title, subtitle, source)
    return ax


def _pct_text(p: float) -> str:
    from bayes.modelfile.scales import _pct

    return _pct(float(p))


def _fit_heatmap_labels(ax, columns: list[str], rows: list[str], row_room: float):
    """Wrap column names to the drawn column width and row names to `row_room` (points)."""
    def hook(ax):
        fig = ax.figure
        width = ax.get_window_extent(_renderer(fig)).width * 72 / fig.dpi / max(len(columns), 1) - 8
        ax.set_xticks(np.arange(len(columns)) + 0.5, [wrap_points(c, max(width, 40)) for c in columns], rotation=0)

    ax.set_yticks(np.arange(len(rows)) + 0.5, [wrap_points(r, row_room) for r in rows], rotation=0)
    _on_layout(ax, hook)


def outcomes_heatmap(data: pd.DataFrame, *, ax=None, title: str | None = None, subtitle: str | None = None,
                     source: str | None = None, row: str = "label", column: str = "outcome",
                     column_label: str | None = "outcome_label", set_by: str = "set_by"):
    """Several outcomes across scenarios: a heatmap with the probabilities written in. Columns are named by
    `column_label` when the table has it (display labels), else by `column` in words. Cells a scenario
    sets itself (`set_by`) are hatched and say so."""
    table = data.pivot_table(index=row, columns=column, values="probability", sort=False)
    names = dict(zip(data[column], data[column_label])) if column_label and column_label in data else {}
    set_cells = {}
    if set_by in data:
        for _, r in data.iterrows():
            if str(r[set_by] or ""):
                set_cells[(r[row], r[column])] = str(r[set_by])
    ax = _new_axes(ax)
    annot = table.map(lambda p: f"{p:.0%}")
    for (r, c), how in set_cells.items():
        annot.loc[r, c] = f"{table.loc[r, c]:.0%} ({how})"
    sns.heatmap(table, vmin=0, vmax=1, cmap="Blues", annot=annot, fmt="", cbar=False, linewidths=1,
                linecolor="white", annot_kws={"fontsize": TEXT_SIZE}, ax=ax)
    # a cell the scenario sets itself is true by construction: grey and hatched, not shaded as a finding
    labels = {(round(t.get_position()[0] - 0.5), round(t.get_position()[1] - 0.5)): t for t in ax.texts}
    for (r, c) in set_cells:
        i, j = list(table.index).index(r), list(table.columns).index(c)
        ax.add_patch(Rectangle((j, i), 1, 1, facecolor="#eeeeee", hatch="//", edgecolor="#bbbbbb", lw=0, zorder=1.5,
                               gid="set-cell"))
        if (j, i) in labels:
            labels[(j, i)].set_color("#333333")
            labels[(j, i)].set_zorder(3)
    ax.set_xlabel("")
    ax.set_ylabel("")
    columns = [names.get(c, str(c).replace("=", ": ").replace("_", " ")) for c in table.columns]
    _fit_heatmap_labels(ax, columns, [str(r) for r in table.index], 0.28 * ax.figure.get_figwidth() * 72)
    ax.tick_params(length=0)
    add_titles(ax, title, subtitle, source)
    return ax


def cpt_heatmap(data: pd.DataFrame, *, ax=None, title: str | None = None, subtitle: str | None = None,
                source: str | None = None):
    """A conditional table as an annotated heatmap: rows are parent-state combinations, columns the
    child's states (`data` is `Model.cpt(variable)`, rationale column optional)."""
    table = data.drop(columns=[c for c in ("rationale",) if c in data.columns])
    labels = [" / ".join(str(x).replace("_", " ") for x in (k if isinstance(k, tuple) else (k,))) for k in table.index]
    ax = _new_axes(ax)
    fig = ax.figure
    rows = len(table)
    size = max(8.0, min(TEXT_SIZE, 0.62 * fig.get_figheight() * 72 / max(rows, 1) / 1.3))
    sns.heatmap(table.to_numpy(dtype=float), vmin=0, vmax=1, cmap="Blues",
                annot=table.map(lambda p: f"{p:.0%}").to_numpy(), fmt="", cbar=False, linewidths=1,
                linecolor="white", annot_kws={"fontsize": size}, ax=ax)
    columns = [str(c).replace("_", " ") for c in table.columns]
    _fit_heatmap_labels(ax, columns, labels, 0.4 * fig.get_figwidth() * 72)
    ax.tick_params(axis="y", labelsize=size, length=0)
    ax.tick_params(axis="x", length=0)
    ax.set_xlabel(str(table.columns.name or "").replace("_", " "))
    ax.set_ylabel(wrap_points(" / ".join(str(n).replace("_", " ") for n in table.index.names if n),
                              0.6 * fig.get_figheight() * 72))
    add_titles(ax, title, subtitle, source)
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
    fig = ax.figure
    names = [str(p) for p in frame["parameter"]]
    room = 0.42 * fig.get_figwidth() * 72

    def fit_rows(ax, names=names, room=room):
        # long names take smaller type (never under 9 pt) where the rows would run into each other
        rows_pt = ax.get_window_extent(_renderer(fig)).height * 72 / fig.dpi / max(len(names), 1)

        def fits(wrapped, size):
            return max((_lines(w) for w in wrapped), default=1) * size * 1.3 <= rows_pt

        # names wrap at spaces; only names that cannot fit so (long identifiers) also break after '_'
        tries = [(s, False) for s in np.arange(TEXT_SIZE, 8.5, -0.5)] + [(s, True) for s in np.arange(TEXT_SIZE, 6.5, -0.5)]
        for size, breaking in tries:
            wrapped = [wrap_points(n, room, size, break_words=breaking) for n in names]
            if fits(wrapped, size) and (breaking or max(text_width(line, size) for w in wrapped
                                                         for line in w.split("\n")) <= room * 1.15):
                break
        ax.set_yticks(positions, wrapped)
        for tick in ax.get_yticklabels():
            tick.set_fontsize(size)

    fit_rows(ax)
    _on_layout(ax, fit_rows)
    ax.set_ylim(len(frame) - 0.5, -0.5)
    ax.set_xlim(lo, hi)
    ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
    ax.tick_params(axis="y", length=0)
    add_titles(ax, title, subtitle, source)
    return ax


def _clear_spot(ax, anchor, candidates, size_pt, obstacles, placed, fig):
    """The first offset (points) from `anchor` (display pixels) whose text box (width, height in points)
    clears every obstacle segment and every box already placed; the first candidate if none does."""
    k = fig.dpi / 72.0
    w, h = size_pt[0] * k, size_pt[1] * k
    for dx, dy in candidates:
        cx, cy = anchor[0] + dx * k, anchor[1] + dy * k
        box = (cx - w / 2 - 2, cy - h / 2 - 2, cx + w / 2 + 2, cy + h / 2 + 2)
        if any(_boxes_overlap(box, other) for other in placed):
            continue
        if any(_segment_hits_box(p, q, box) for p, q in obstacles):
            continue
        return (dx, dy), box
    dx, dy = candidates[0]
    cx, cy = anchor[0] + dx * k, anchor[1] + dy * k
    return (dx, dy), (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)


def _boxes_overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _segment_hits_box(p, q, box) -> bool:
    """Whether the segment p-q passes through the box (x0, y0, x1, y1): Liang-Barsky clipping."""
    x0, y0, x1, y1 = box
    dx, dy = q[0] - p[0], q[1] - p[1]
    t0, t1 = 0.0, 1.0
    for pk, qk in ((-dx, p[0] - x0), (dx, x1 - p[0]), (-dy, p[1] - y0), (dy, y1 - p[1])):
        if pk == 0:
            if qk < 0:
                return False
        else:
            t = qk / pk
            if pk < 0:
                t0 = max(t0, t)
            else:
                t1 = min(t1, t)
            if t0 > t1:
                return False
    return True


def timeline_chart(data: pd.DataFrame, *, variable: str, state: str, scale: Scale = ICD203, ax=None,
                   title: str | None = None, subtitle: str | None = None, source: str | None = None):
    """The forecast for one outcome state after each dated update (`data` is `tracking.history(...)`),
    over the scale's bands, each update numbered on the line (placed clear of the line and of each other)
    and explained in a numbered key right of the band labels."""
    frame = data[(data["variable"] == variable) & (data["state"] == state)].reset_index(drop=True)
    ax = _new_axes(ax)
    fig = ax.figure
    draw_bands(ax, scale, "y")
    dates = pd.to_datetime(frame["date"])
    if "lo90" in frame:
        ax.fill_between(dates, frame["lo90"], frame["hi90"], step="post", color=BAR_COLOUR, alpha=0.2, lw=0,
                        zorder=2, gid="forecast-interval")
    ax.step(dates, frame["probability"], where="post", color=BAR_COLOUR, lw=2.5, zorder=3, gid="forecast-line")
    ax.scatter(dates, frame["probability"], color=BAR_COLOUR, zorder=4, s=30, gid="forecast-points")
    numbers = [ax.annotate(str(i + 1), (d, p), xytext=(0, 12), textcoords="offset points", ha="center",
                           va="center", fontsize=TEXT_SIZE, fontweight="bold", color="#333333", zorder=5,
                           gid="update-number")
               for i, (d, p) in enumerate(zip(dates, frame["probability"]))]
    key_width = 0.24 * fig.get_figwidth() * 72
    key = [ax.annotate(wrap_points(f"{i + 1}. {d:%Y-%m-%d}: {str(what).replace('_', ' ')}", key_width),
                       (1, 1), xycoords="axes fraction", xytext=(0, 0), textcoords="offset points", va="top",
                       ha="left", fontsize=TEXT_SIZE, color="#333333", gid="update-label", annotation_clip=False)
           for i, (d, what) in enumerate(zip(dates, frame["update"]))]
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
    locator = matplotlib.dates.AutoDateLocator(minticks=3, maxticks=7)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(matplotlib.dates.ConciseDateFormatter(locator))
    ax.set_xlabel("")
    ax.set_ylabel(wrap_points(f"P({variable.replace('_', ' ')} = {state.replace('_', ' ')})", 0.5 * 72 * 5))

    def place(ax):
        # the key: a column right of the band names, entries top to bottom
        x = _band_block_width(ax) + 14
        y = 0.0
        for t in key:
            t.xyann = (x, y)
            y -= (_lines(t.get_text()) * TEXT_SIZE * 1.22) + 6
        # the numbers: above, below, right or left of their point, clear of the line and of each other
        renderer = _renderer(fig)
        line = ax.get_lines()[0]
        xy = line.get_transform().transform(line.get_path().vertices)  # the drawn steps, in pixels
        segments = list(zip(xy[:-1], xy[1:]))
        placed = []
        for t, d, p in zip(numbers, dates, frame["probability"]):
            box = t.get_window_extent(renderer)
            anchor = ax.transData.transform((plt.matplotlib.dates.date2num(d), p))
            size = (box.width * 72 / fig.dpi, box.height * 72 / fig.dpi)
            cands = [(0, 14), (0, -14), (14, 0), (-14, 0), (12, 14), (-12, 14), (12, -14), (-12, -14),
                     (0, 26), (0, -26), (22, 22), (-22, 22), (22, -22), (-22, -22)]
            offset, spot = _clear_spot(ax, anchor, cands, size, segments, placed, fig)
            t.xyann = offset
            placed.append(spot)

    _on_layout(ax, place)
    add_titles(ax, title, subtitle, source)
    return ax


def calibration_chart(data: pd.DataFrame, *, ax=None, title: str | None = None, subtitle: str | None = None,
                      source: str | None = None):
    """Mean forecast against observed frequency per bin (`data` is `scoring.calibration_table(...)`),
    point size by count, the diagonal for perfect calibration; each point's count sits where it clears
    the point, the diagonal and the axes."""
    frame = data.dropna(subset=["mean_forecast"])
    ax = _new_axes(ax)
    fig = ax.figure
    ax.plot([0, 1], [0, 1], color="#999999", lw=1, ls="--", zorder=1, gid="diagonal")
    sizes = 40 + 30 * frame["count"].to_numpy(dtype=float)
    ax.scatter(frame["mean_forecast"], frame["observed_frequency"], s=sizes, color=BAR_COLOUR, zorder=3,
               gid="calibration-points")
    counts = [ax.annotate(f"n={row['count']}", (row["mean_forecast"], row["observed_frequency"]), xytext=(0, 0),
                          textcoords="offset points", ha="center", va="center", fontsize=TEXT_SIZE, gid="count-label")
              for _, row in frame.iterrows()]
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.02, 1.02)
    ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
    ax.set_xlabel("mean forecast")
    ax.set_ylabel("observed frequency")

    def place(ax):
        renderer = _renderer(fig)
        inner = ax.get_window_extent(renderer)
        diag = ax.transData.transform([(0, 0), (1, 1)])
        walls = [((inner.x0, inner.y0), (inner.x1, inner.y0)), ((inner.x0, inner.y0), (inner.x0, inner.y1)),
                 ((inner.x1, inner.y0), (inner.x1, inner.y1)), ((inner.x0, inner.y1), (inner.x1, inner.y1))]
        points = []
        for (_, row), s in zip(frame.iterrows(), sizes):
            c = ax.transData.transform((row["mean_forecast"], row["observed_frequency"]))
            r = np.sqrt(s) / 2 * fig.dpi / 72 + 2
            points.append(((c[0] - r, c[1]), (c[0] + r, c[1])))
            points.append(((c[0], c[1] - r), (c[0], c[1] + r)))
        placed = []
        for t, s in zip(counts, sizes):
            box = t.get_window_extent(renderer)
            size = (box.width * 72 / fig.dpi, box.height * 72 / fig.dpi)
            anchor = ax.transData.transform(t.xy)
            r = np.sqrt(s) / 2 + 4
            w = size[0] / 2 + r
            cands = [(w, 0), (-w, 0), (0, r + size[1] / 2), (0, -r - size[1] / 2), (w, r), (-w, r), (w, -r), (-w, -r)]
            offset, spot = _clear_spot(ax, anchor, cands, size, [tuple(diag), *walls, *points], placed, fig)
            t.xyann = offset
            placed.append(spot)

    _on_layout(ax, place)
    add_titles(ax, title, subtitle, source)
    return ax


# ------------------------------------------------------------------------------------- network

def network_layout(model) -> pd.DataFrame:
    """Layered layout, causes left of effects (a Sugiyama layout in pure Python): each variable's layer is
    the longest path from a root (a root sits just before its first effect), an arc that skips layers
    passes through one waypoint per layer it crosses, and the order within each layer comes from
    barycentre sweeps that keep the fewest crossings. Returns one row per variable: variable, layer and
    order (its rank within the layer, waypoints counted)."""
    graph = _graph(model)
    layers, _ = _layered(graph, list(model.variables))
    rows = []
    for depth, layer in enumerate(layers):
        for i, v in enumerate(layer):
            if not isinstance(v, tuple):
                rows.append({"variable": v, "layer": depth, "order": i, "x": depth, "y": -i})
    return pd.DataFrame(rows)


def _graph(model) -> nx.DiGraph:
    graph = nx.DiGraph()
    graph.add_nodes_from(model.variables)
    graph.add_edges_from((p, v) for v in model.variables for p in model.spec.variables[v].parents)
    return graph


def _layered(graph: nx.DiGraph, file_order: list[str]):
    """(layers of node ids with ('dummy', parent, child, k) waypoints, {edge: [nodes along it]})."""
    layer = {}
    for depth, generation in enumerate(nx.topological_generations(graph)):
        for v in generation:
            layer[v] = depth
    for v in reversed(list(nx.topological_sort(graph))):  # roots move right, next to their first effect
        if graph.in_degree(v) == 0 and graph.out_degree(v) > 0:
            layer[v] = min(layer[c] for c in graph.successors(v)) - 1
    n_layers = max(layer.values(), default=0) + 1
    layers: list[list] = [[] for _ in range(n_layers)]
    rank = {v: i for i, v in enumerate(file_order)}
    for v in sorted(graph, key=rank.get):
        layers[layer[v]].append(v)
    chains = {}
    up: dict = {v: [] for v in graph}
    down: dict = {v: [] for v in graph}
    for p, c in sorted(graph.edges, key=lambda e: (rank[e[0]], rank[e[1]])):
        chain = [p]
        for k in range(layer[p] + 1, layer[c]):
            dummy = ("dummy", p, c, k)
            layers[k].append(dummy)
            up[dummy], down[dummy] = [], []
            chain.append(dummy)
        chain.append(c)
        for a, b in zip(chain, chain[1:]):
            down[a].append(b)
            up[b].append(a)
        chains[(p, c)] = chain

    def crossings(layers):
        total = 0
        for left, right in zip(layers, layers[1:]):
            pos = {v: i for i, v in enumerate(right)}
            pairs = [(i, pos[b]) for i, a in enumerate(left) for b in down[a]]
            for i, (a1, b1) in enumerate(pairs):
                for a2, b2 in pairs[i + 1:]:
                    total += (a1 - a2) * (b1 - b2) < 0
        return total

    best, best_count = [list(lay) for lay in layers], crossings(layers)
    for sweep in range(12):
        order = range(1, n_layers) if sweep % 2 == 0 else range(n_layers - 2, -1, -1)
        for k in order:
            ref = layers[k - 1] if sweep % 2 == 0 else layers[k + 1]
            pos = {v: i for i, v in enumerate(ref)}
            links = up if sweep % 2 == 0 else down
            current = {v: i for i, v in enumerate(layers[k])}

            def bary(v, pos=pos, links=links, current=current):
                linked = [pos[u] for u in links[v] if u in pos]
                return (np.mean(linked) if linked else current[v], current[v])

            layers[k].sort(key=bary)
        count = crossings(layers)
        if count < best_count:
            best, best_count = [list(lay) for lay in layers], count
    return best, chains


def _isotonic(targets: list[float], weights: list[float] | None = None) -> list[float]:
    """Pool-adjacent-violators: the non-decreasing sequence closest to `targets` (least squares)."""
    weights = weights or [1.0] * len(targets)
    blocks: list[list[float]] = []  # [value, weight, count]
    for t, w in zip(targets, weights):
        blocks.append([t, w, 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            v2, w2, n2 = blocks.pop()
            v1, w1, n1 = blocks.pop()
            blocks.append([(v1 * w1 + v2 * w2) / (w1 + w2), w1 + w2, n1 + n2])
    out = []
    for v, _, n in blocks:
        out += [v] * n
    return out


def _network_boxes(model, probs, evidence, do, variables, size, text_w, line, pad):
    boxes = {}
    for v in variables:
        var = model.spec.variables[v]
        tag = " [observed]" if v in evidence else (" [forced]" if v in do else "")
        title = wrap_points(var.display + tag, text_w, size, "bold")
        rows = []
        for state, words in zip(model.states(v), _state_texts(model.states(v))):
            p = float(probs[v].get(state, np.nan)) if v in probs else np.nan
            text = wrap_points(("" if np.isnan(p) else f"{p:.0%}  ") + words, text_w, size)
            rows.append((state, p, text))
        height = pad + _lines(title) * line + 2 + sum(_lines(t) * line + 6 for _, _, t in rows) + pad - 2
        boxes[v] = {"title": title, "rows": rows, "h": height}
    return boxes


def _network_geometry(model, probs, evidence, do, size: float, room_w: float, room_h: float):
    """Boxes, their text and the routed arcs at font `size` (points), in points with y growing downward;
    None when it does not fit the room. Columns holding more text get more of the width."""
    graph = _graph(model)
    cut = {(p, v) for p, v in graph.edges if v in do}
    graph.remove_edges_from(cut)
    layers, chains = _layered(graph, list(model.variables))
    n = len(layers)
    line = size * 1.12
    pad = 4.0
    gap_y = 6.0
    dummy_h = 2.0
    # arcs per gap between layers: each gets its own vertical track
    per_gap = [0] * max(n - 1, 1)
    for chain in chains.values():
        for a, b in zip(chain, chain[1:]):
            per_gap[_layer_of(layers, a)] += 1
    track = 4.0
    gaps = [10 + track * k for k in per_gap[: max(n - 1, 0)]]
    usable = room_w - sum(gaps)
    if usable / max(n, 1) < 6 * size:
        return None

    def column(k, w):
        real = [v for v in layers[k] if not isinstance(v, tuple)]
        boxes = _network_boxes(model, probs, evidence, do, real, size, w - 2 * pad - 4, line, pad)
        height = sum(b["h"] for b in boxes.values()) + dummy_h * (len(layers[k]) - len(real)) \
            + gap_y * (len(layers[k]) - 1)
        return boxes, height

    def longest_word(k):
        words = [(w, "bold") for v in layers[k] if not isinstance(v, tuple)
                 for w in model.spec.variables[v].display.split()]
        words += [(w, "normal") for v in layers[k] if not isinstance(v, tuple)
                  for s in _state_texts(model.states(v)) for w in s.split()]
        return max((text_width(w, size, b) for w, b in words), default=0.0) + 2 * pad + 4

    floor = [max(6 * size, longest_word(k)) for k in range(n)]
    if sum(floor) > usable:
        return None
    widths = [max(f, min(300.0, usable / max(n, 1))) for f in floor]
    widths = [w * min(1.0, usable / sum(widths)) for w in widths]
    widths = [max(f, w) for f, w in zip(floor, widths)]
    cols = [column(k, widths[k]) for k in range(n)]
    for _ in range(6):  # give width to the tallest columns (their text wraps less), keep the total
        tallest = max(h for _, h in cols)
        if tallest <= room_h or n == 1:
            break
        area = [h * w for (_, h), w in zip(cols, widths)]
        share = [a / sum(area) * min(usable, 300.0 * n) for a in area]
        widths = [min(300.0, max(f, 0.5 * w + 0.5 * s)) for f, w, s in zip(floor, widths, share)]
        if sum(widths) > usable:  # the floors took more: take it back from the widest columns
            extra = sum(widths) - usable
            slack = [w - f for w, f in zip(widths, floor)]
            widths = [w - extra * sl / sum(slack) for w, sl in zip(widths, slack)]
        cols = [column(k, widths[k]) for k in range(n)]
    boxes = {v: b for bx, _ in cols for v, b in bx.items()}
    heights = {v: (boxes[v]["h"] if v in boxes else dummy_h) for lay in layers for v in lay}
    tallest = max(h for _, h in cols)
    if tallest > room_h:
        return None
    # vertical places: each column centred, then each node pulled toward its neighbours (isotonic least
    # squares keeps the order and the spacing); kept only if the drawing still fits the room
    stacked = {}
    for lay, (_, h) in zip(layers, cols):
        top = (tallest - h) / 2
        for v in lay:
            stacked[v] = top + heights[v] / 2
            top += heights[v] + gap_y
    y = dict(stacked)
    nbrs: dict = {v: [] for lay in layers for v in lay}
    for chain in chains.values():
        for a, b in zip(chain, chain[1:]):
            nbrs[a].append(b)
            nbrs[b].append(a)
    for _ in range(30):
        for lay in layers:
            want = [np.mean([y[u] for u in nbrs[v]]) if nbrs[v] else y[v] for v in lay]
            offsets = [0.0]
            for a, b in zip(lay, lay[1:]):
                offsets.append(offsets[-1] + (heights[a] + heights[b]) / 2 + gap_y)
            fitted = _isotonic([w - o for w, o in zip(want, offsets)])
            for v, f, o in zip(lay, fitted, offsets):
                y[v] = f + o
    top = min(y[v] - heights[v] / 2 for v in y)
    bottom = max(y[v] + heights[v] / 2 for v in y)
    if bottom - top > room_h:
        y, top, bottom = stacked, 0.0, tallest
    x = []
    left = 0.0
    for k in range(n):
        x.append(left)
        left += widths[k] + (gaps[k] if k < n - 1 else 0)
    for v in y:
        y[v] -= top
    return {"layers": layers, "chains": chains, "boxes": boxes, "y": y, "heights": heights, "x": x,
            "widths": widths, "gaps": gaps, "width": left, "height": bottom - top, "size": size, "line": line,
            "pad": pad, "track": track}


def _layer_of(layers, v) -> int:
    for k, lay in enumerate(layers):
        if v in lay:
            return k
    raise KeyError(v)


def network_chart(model, data: pd.DataFrame | None = None, *, evidence=None, do=None, ax=None,
                  title: str | None = None, subtitle: str | None = None, source: str | None = None,
                  min_size: float = 8.0):
    """The network, causes left of effects, each variable a box with its states' probabilities (a number
    and a bar under each state, GeNIe-style).

    `data` is a tidy query result (variable, state, probability) for all variables; by default the
    model is queried with `evidence` and `do`. Observed boxes are outlined in blue, forced in red (their
    incoming arcs are cut: graph surgery). Labels wrap inside their boxes, never cut; the type is the
    largest (at most 14 pt, at least `min_size`) at which the whole network fits the figure. Arcs leave
    the right side of a box and enter the left side of another, each on its own port and its own
    vertical track in the gap between layers, and cross a layer they skip through a slot kept free for
    them, so no arc passes behind a box.
    """
    evidence = dict(evidence or {})
    do = dict(do or {})
    if data is None:
        data = model.query(model.variables, given=evidence, do=do)
    probs = {v: g.set_index("state")["probability"] for v, g in data.groupby("variable", sort=False)}
    ax = _new_axes(ax)
    fig = ax.figure
    ax.set_axis_off()
    add_titles(ax, title, subtitle, source, fit=False)
    frame_bottom, frame_top = getattr(fig, "_bayes_frame", (0.03, 0.97))
    if len(fig.axes) == 1:
        ax.set_position([PAD_IN / fig.get_figwidth(), frame_bottom, 1 - 2 * PAD_IN / fig.get_figwidth(),
                         frame_top - frame_bottom])
    box = ax.get_position()
    room_w = box.width * fig.get_figwidth() * 72
    room_h = box.height * fig.get_figheight() * 72
    size = TEXT_SIZE
    geo = None
    while size >= min_size:
        geo = _network_geometry(model, probs, evidence, do, size, room_w, room_h)
        if geo is not None:
            break
        size -= 0.5
    if geo is None:
        geo = _network_geometry(model, probs, evidence, do, min_size, 1e9, 1e9)
    # one data unit = one point; centre the drawing in the room
    ax.set_xlim(-(room_w - geo["width"]) / 2, geo["width"] + (room_w - geo["width"]) / 2)
    ax.set_ylim(geo["height"] + (room_h - geo["height"]) / 2, -(room_h - geo["height"]) / 2)
    if geo["width"] > room_w or geo["height"] > room_h:  # too big even at the smallest type: scale to fit
        ax.set_xlim(-2, geo["width"] + 2)
        ax.set_ylim(geo["height"] + 2, -2)
    _draw_network(ax, model, geo, evidence, do)
    return ax


def _draw_network(ax, model, geo, evidence, do):
    size, line, pad = geo["size"], geo["line"], geo["pad"]
    layers, y, heights, x, widths = geo["layers"], geo["y"], geo["heights"], geo["x"], geo["widths"]
    layer_of = {v: k for k, lay in enumerate(layers) for v in lay}
    for v, spec in geo["boxes"].items():
        k = layer_of[v]
        box_w = widths[k]
        left, top, h = x[k], y[v] - heights[v] / 2, heights[v]
        edge, lw = "#555555", 1.2
        if v in evidence:
            edge, lw = OBSERVED_COLOUR, 3.0
        if v in do:
            edge, lw = FORCED_COLOUR, 3.0
        ax.add_patch(FancyBboxPatch((left, top), box_w, h, boxstyle="round,pad=0,rounding_size=6",
                                    facecolor="white", edgecolor=edge, linewidth=lw, zorder=2, gid=f"node:{v}"))
        ax.text(left + box_w / 2, top + pad, spec["title"], ha="center", va="top", fontsize=size, fontweight="bold",
                zorder=3, linespacing=1.0, gid=f"node-title:{v}")
        yy = top + pad + _lines(spec["title"]) * line + 3
        for state, p, text in spec["rows"]:
            ax.text(left + pad, yy, text, ha="left", va="top", fontsize=size, zorder=3, linespacing=1.0,
                    gid=f"state:{v}={state}")
            yy += _lines(text) * line + 1
            ax.add_patch(Rectangle((left + pad, yy), (box_w - 2 * pad) * (0 if np.isnan(p) else p), 3,
                                   facecolor=BAR_COLOUR, edgecolor="none", zorder=3, gid=f"bar:{v}={state}"))
            yy += 5
    # ports: arcs leave a box's right side and enter the next box's left side, spread along the side in
    # the order of their other ends, so arcs into one box never share a point
    out_ports: dict = {}
    in_ports: dict = {}
    for (p, c), chain in geo["chains"].items():
        out_ports.setdefault(p, []).append((chain[1], (p, c)))
        in_ports.setdefault(c, []).append((chain[-2], (p, c)))

    def spread(v, items):
        h = heights[v]
        items = sorted(items, key=lambda it: y[it[0]])
        top = y[v] - h / 2
        return {key: top + h * (i + 1) / (len(items) + 1) for i, (_, key) in enumerate(items)}

    start = {k: yy for v, items in out_ports.items() for k, yy in spread(v, items).items()}
    end = {k: yy for v, items in in_ports.items() for k, yy in spread(v, items).items()}
    # tracks: within each gap, arcs get x positions ordered so that their vertical runs cross least
    runs: dict = {}
    paths = {}
    for key, chain in geo["chains"].items():
        pts = []
        for i, (a, b) in enumerate(zip(chain, chain[1:])):
            k = layer_of[a]
            ya = start[key] if i == 0 else y[a]
            yb = end[key] if i == len(chain) - 2 else y[b]
            runs.setdefault(k, []).append((key, i, ya, yb))
            pts.append((k, ya, yb))
        paths[key] = pts
    track_x = {}
    for k, items in runs.items():
        gap_left = x[k] + widths[k]
        items = sorted(items, key=lambda it: (min(it[2], it[3]) if it[3] >= it[2] else -max(it[2], it[3]), it[2]))
        # arcs going down take tracks left to right in order of start; arcs going up, right to left
        down = sorted([it for it in items if it[3] >= it[2]], key=lambda it: (it[2], -it[3]))
        upward = sorted([it for it in items if it[3] < it[2]], key=lambda it: (-it[2], it[3]))
        ordered = down + upward
        width = geo["gaps"][k]
        for j, (key, i, _, _) in enumerate(ordered):
            track_x[(key, i)] = gap_left + 5 + (width - 15) * (j + 0.5) / len(ordered)
    for key, pts in paths.items():
        xs, ys = [], []
        for i, (k, ya, yb) in enumerate(pts):
            x0 = x[k] + widths[k]
            x1 = x[k + 1]
            tx = track_x[(key, i)]
            if i > 0:  # through the layer it skips, in the slot kept free for it
                xs.append(x[k])
                ys.append(ya)
            xs += [x0, tx, tx, x1]
            ys += [ya, ya, yb, yb]
        p, c = key
        ax.plot(xs[:-1] + [xs[-1] - 7], ys, color="#6b6b6b", lw=1.4, zorder=1, solid_joinstyle="round",
                gid=f"arc:{p}->{c}")
        ax.add_patch(FancyArrowPatch((xs[-1] - 9, ys[-1]), (xs[-1], ys[-1]), arrowstyle="-|>", mutation_scale=12,
                                     color="#6b6b6b", lw=1.2, zorder=1, shrinkA=0, shrinkB=0.5,
                                     gid=f"arrow:{p}->{c}"))


# ------------------------------------------------------------------------------------- export

def save_figure(fig, stem: str | os.PathLike, formats=("png", "svg"), dpi: int | None = None,
                widths: tuple[int, ...] = (1920, 3840)) -> list[Path]:
    """Write the figure as PNG and SVG in one call; each file appears whole or not at all.

    The figure is saved as laid out (no tight cropping), so a 16:9 chart gives exactly 16:9 files:
    `stem.png` at `widths[0]` pixels wide (1920x1080) and `stem@2x.png` at `widths[1]` (3840x2160).
    With `dpi`, one PNG at that resolution instead."""
    stem = Path(stem)
    paths = []
    for fmt in formats:
        if fmt == "png":
            sizes = [(stem.with_suffix(".png"), dpi)] if dpi else \
                [(stem.with_name(stem.name + ("" if i == 0 else f"@{w // widths[0]}x") + ".png"),
                  w / fig.get_figwidth()) for i, w in enumerate(widths)]
            for path, res in sizes:
                atomic_write(path, lambda tmp, res=res: fig.savefig(tmp, format="png", dpi=res))
                paths.append(path)
            continue
        path = stem.with_suffix(f".{fmt}")
        atomic_write(path, lambda tmp, fmt=fmt: fig.savefig(tmp, format=fmt))
        paths.append(path)
    return paths


# ------------------------------------------------------------------------------------- revisions and second opinions

def _outcome_words(outcome: str) -> str:
    return str(outcome).replace("=", ": ").replace("_", " ")


def diff_chart(data: pd.DataFrame, *, top: int = 8, scale: Scale = ICD203, ax=None, title: str | None = None,
               subtitle: str | None = None, source: str | None = None, old_label: str = "old",
               new_label: str = "new"):
    """A revision as a dumbbell chart: for each headline outcome under each scenario, a line from its old
    probability (hollow dot) to its new one (filled dot) over the scale's bands, the `top` largest shifts
    from the top down; the new value in words and the shift are written right of the plot, clear of the
    dots (`data` is `revisions.diff(...)`: its rows of kind "outcome" with both numbers are drawn)."""
    frame = data[data["kind"] == "outcome"] if "kind" in data else data
    frame = frame[frame["old"].notna() & frame["new"].notna()]
    olds, news = frame["old"].astype(float), frame["new"].astype(float)
    frame = frame.assign(_old=olds, _new=news, _size=(news - olds).abs())
    frame = frame.sort_values("_size", ascending=False, kind="stable")
    moved = frame[frame["_size"] >= 5e-4]  # half a tenth of a point: what the terminal view counts as moved
    frame = (moved if len(moved) else frame).head(top).reset_index(drop=True)
    ax = _new_axes(ax)
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
    names = [f"{_clip(s, 38)}\n{_clip(_outcome_words(o), 38)}" for o, s in zip(frame["outcome"], scenarios)]
    ax.set_yticks(positions, names)
    _percent_rows(ax, len(frame))
    ax.figure.subplots_adjust(left=0.3, right=0.72)
    subtitle = subtitle if subtitle is not None else f"Hollow dot: {old_label}; filled dot: {new_label}"
    add_titles(ax, title, subtitle, source, top=0.8)
    return ax


def disagreement_chart(data: pd.DataFrame, *, outcome: str | None = None, scale: Scale = ICD203, ax=None,
                       title: str | None = None, subtitle: str | None = None, source: str | None = None):
    """Where analysts disagree on one outcome: per scenario, one dot per analyst (a colour each, named in
    the legend below) and a black diamond for the pooled model, a line over the analysts' range, over the
    scale's bands; the spread is written right of the plot (`data` is `revisions.disagreement(...).values`;
    `outcome` is VARIABLE=STATE, the first in `data` by default)."""
    outcome = outcome if outcome is not None else str(data["outcome"].iloc[0])
    frame = data[data["outcome"] == outcome]
    scenarios = list(dict.fromkeys(frame["scenario"]))
    labels = dict(zip(frame["scenario"], frame["scenario_label"] if "scenario_label" in frame else frame["scenario"]))
    analysts = list(dict.fromkeys(frame.loc[~frame["pooled"].astype(bool), "analyst"]))
    ax = _new_axes(ax)
    draw_bands(ax, scale, "x")
    positions = np.arange(len(scenarios))
    value = {(r.scenario, r.analyst, bool(r.pooled)): float(r.probability) for r in frame.itertuples()}
    own = np.array([[value.get((s, a, False), np.nan) for a in analysts] for s in scenarios]).reshape(len(scenarios), -1)
    pooled = np.array([value.get((s, "pooled", True), np.nan) for s in scenarios])
    with np.errstate(all="ignore"):
        low, high = np.nanmin(own, axis=1), np.nanmax(own, axis=1)
    ax.hlines(positions, low, high, color="#555555", lw=2.5, zorder=2, gid="spread-lines")
    for k, name in enumerate(analysts):
        ax.scatter(own[:, k], positions, s=90, color=PALETTE[k % len(PALETTE)], edgecolor="white", linewidth=0.8,
                   zorder=3, gid=f"analyst:{name}", label=name.replace("_", " "))
    ax.scatter(pooled, positions, s=80, marker="D", color="#111111", zorder=4, gid="pooled", label="pooled")
    for pos, lo, hi, p in zip(positions, low, high, pooled):
        text = (f"spread {100 * (hi - lo):.1f} points; pooled {describe(p, scale)}" if np.isfinite(p)
                else "impossible evidence")
        ax.annotate(text, (1, pos), xycoords=("axes fraction", "data"), xytext=(10, 0), textcoords="offset points",
                    va="center", ha="left", gid="spread-label", annotation_clip=False)
    ax.set_yticks(positions, [_wrap_name(str(labels[s]), 34, max_lines=2) for s in scenarios])
    _percent_rows(ax, len(scenarios))
    ax.legend(loc="upper left", bbox_to_anchor=(0, -0.1), ncol=min(len(analysts) + 1, 5), frameon=False)
    ax.figure.subplots_adjust(left=0.27, right=0.68)
    subtitle = subtitle if subtitle is not None else f"P({_outcome_words(outcome)}) per scenario: each analyst and the pool"
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
