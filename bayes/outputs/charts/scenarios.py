"""Scenario charts: an outcome across named scenarios (bars with intervals over estimative bands), the
outcomes-by-scenario heatmap and a conditional table as a heatmap."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.patches import Rectangle

from bayes.modelfile.scales import ICD203, Scale, percent_text
from bayes.outputs.charts.framing import add_titles, draw_bands, on_layout, value_text
from bayes.outputs.charts.style import (BAR_COLOUR, BASELINE_COLOUR, PAD_IN, SET_COLOUR, TEXT_SIZE, line_count,
                                        new_axes, renderer_of, text_width, wrap_points)


def scenario_chart(data: pd.DataFrame, *, x: str = "probability", y: str = "label", scale: Scale = ICD203,
                   sort: bool = True, ax=None, title: str | None = None, subtitle: str | None = None,
                   source: str | None = None, low: str | None = None, high: str | None = None,
                   set_by: str = "set_by", baseline: str | None = "baseline"):
    """One outcome's probability per scenario as horizontal bars over the scale's bands.

    `data` is one row per scenario (see `bayes.analysis.scenarios.scenario_outcome`). With `low`/`high` columns the
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
    ax = new_axes(ax)
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
            positions.append(cur + line_count(t) * 1.2 + 0.75)
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
    from bayes.modelfile.scales import percent_text

    return percent_text(float(p))


def annotated_heatmap(ax, values: np.ndarray, texts: np.ndarray, size: float):
    """Probabilities as cells shaded on matplotlib's Blues from 0 to 1 (white lines between cells), each with
    its text in dark grey or white, whichever reads on the cell; row 0 at the top, no spines. What
    `seaborn.heatmap` draws here, by hand: importing seaborn costs a brief 1.5 s (scipy.stats)."""
    from matplotlib.colors import to_rgb

    rows, cols = values.shape
    mesh = ax.pcolormesh(np.arange(cols + 1), np.arange(rows + 1), values, cmap="Blues", vmin=0, vmax=1,
                         edgecolors="white", linewidth=1)
    for i in range(rows):
        for j in range(cols):
            light = _luminance(to_rgb(mesh.cmap(mesh.norm(values[i, j])))) > 0.408
            ax.text(j + 0.5, i + 0.5, texts[i, j], ha="center", va="center", fontsize=size,
                    color="0.15" if light else "white")
    ax.set_xlim(0, cols)
    ax.set_ylim(rows, 0)
    for spine in ax.spines.values():
        spine.set_visible(False)


def _luminance(rgb) -> float:
    """WCAG relative luminance of an sRGB colour (components 0-1)."""
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _fit_heatmap_labels(ax, columns: list[str], rows: list[str], row_room: float, upright: bool = False):
    """Wrap column names to the drawn column width (`upright`: turned a quarter, each wrapped to a third of
    the figure's height, for a portrait chart whose columns are narrow), and row names to `row_room`
    (points), widened (up to half the figure) where a wrapped row name would need more lines than its row
    is tall. Cell texts wider than their column are set smaller (down to 9 pt), all numbers alike."""
    def hook(ax):
        fig = ax.figure
        box = ax.get_window_extent(renderer_of(fig))
        width = box.width * 72 / fig.dpi / max(len(columns), 1) - 8
        if upright:
            ax.set_xticks(np.arange(len(columns)) + 0.5, [wrap_points(c, fig.get_figheight() * 72 / 3)
                                                          for c in columns], rotation=90)
        else:
            ax.set_xticks(np.arange(len(columns)) + 0.5, [wrap_points(c, max(width, 40)) for c in columns],
                          rotation=0)
        fitted = {}
        for cell in ax.texts:
            chosen = cell._bayes_size = getattr(cell, "_bayes_size", cell.get_fontsize())  # the size asked for
            widest = max(text_width(line, chosen) for line in cell.get_text().split("\n"))
            fitted[cell] = max(9.0, min(chosen, chosen * (width + 4) / max(widest, 1.0)))
        # one size for every number (the smallest that fits them all: '20.4%' beside '26%' reads as a table);
        # a cell a scenario sets itself ('0%' over '(forced)') may be smaller still
        numbers = min((f for c, f in fitted.items() if "\n" not in c.get_text()), default=None)
        for cell, size in fitted.items():
            cell.set_fontsize(size if numbers is None else min(size, numbers))
        size = max((t.get_fontsize() for t in ax.get_yticklabels()), default=TEXT_SIZE)
        row_height = box.height * 72 / fig.dpi / max(len(rows), 1)
        lines = max(1, int(row_height // (size * 1.3)))
        room, widest = row_room, 0.5 * fig.get_figwidth() * 72
        while room < widest and any(wrap_points(r, room).count("\n") + 1 > lines for r in rows):
            room *= 1.12
        wrapped = [wrap_points(r, min(room, widest)) for r in rows]
        ax.set_yticks(np.arange(len(rows)) + 0.5, wrapped, rotation=0)
        most = max((w.count("\n") + 1 for w in wrapped), default=1)
        if most * size * 1.25 > row_height:  # rows too short for their names (a portrait chart): smaller type
            ax.tick_params(axis="y", labelsize=max(10.0, row_height / (most * 1.25)))

    ax.set_yticks(np.arange(len(rows)) + 0.5, [wrap_points(r, row_room) for r in rows], rotation=0)
    on_layout(ax, hook)


def outcomes_heatmap(data: pd.DataFrame, *, ax=None, title: str | None = None, subtitle: str | None = None,
                     source: str | None = None, row: str = "label", column: str = "outcome",
                     column_label: str | None = "outcome_label", set_by: str = "set_by", scale: Scale | None = None):
    """Several outcomes across scenarios: a heatmap with the probabilities written in (whole percent, and to
    a tenth within half a point of a band edge of `scale`, as everywhere: `percent_text`). Columns are named
    by `column_label` when the table has it (display labels), else by `column` in words. Cells a scenario
    sets itself (`set_by`) are hatched and say so."""
    table = data.pivot_table(index=row, columns=column, values="probability", sort=False)
    names = dict(zip(data[column], data[column_label])) if column_label and column_label in data else {}
    set_cells = {}
    if set_by in data:
        for _, r in data.iterrows():
            if str(r[set_by] or ""):
                set_cells[(r[row], r[column])] = str(r[set_by])
    ax = new_axes(ax)
    upright = ax.figure.get_figheight() > ax.figure.get_figwidth()  # portrait: narrow columns
    annot = table.map(lambda p: percent_text(p, scale=scale))
    for (r, c), how in set_cells.items():
        annot.loc[r, c] = percent_text(table.loc[r, c], scale=scale) + ("\n" if upright else " ") + f"({how})"
    annotated_heatmap(ax, table.to_numpy(dtype=float), annot.to_numpy(), TEXT_SIZE)
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
    _fit_heatmap_labels(ax, columns, [str(r) for r in table.index], 0.28 * ax.figure.get_figwidth() * 72, upright)
    ax.tick_params(length=0)
    add_titles(ax, title, subtitle, source)
    return ax


def cpt_heatmap(data: pd.DataFrame, *, ax=None, title: str | None = None, subtitle: str | None = None,
                source: str | None = None):
    """A conditional table as an annotated heatmap: rows are parent-state combinations, columns the
    child's states (`data` is `Model.cpt(variable)`, rationale column optional)."""
    table = data.drop(columns=[c for c in ("rationale",) if c in data.columns])
    labels = [" / ".join(str(x).replace("_", " ") for x in (k if isinstance(k, tuple) else (k,))) for k in table.index]
    ax = new_axes(ax)
    fig = ax.figure
    rows = len(table)
    size = max(8.0, min(TEXT_SIZE, 0.62 * fig.get_figheight() * 72 / max(rows, 1) / 1.3))
    annotated_heatmap(ax, table.to_numpy(dtype=float), table.map(lambda p: f"{p:.0%}").to_numpy(), size)
    columns = [str(c).replace("_", " ") for c in table.columns]
    _fit_heatmap_labels(ax, columns, labels, 0.4 * fig.get_figwidth() * 72)
    ax.tick_params(axis="y", labelsize=size, length=0)
    ax.tick_params(axis="x", length=0)
    ax.set_xlabel(str(table.columns.name or "").replace("_", " "))
    ax.set_ylabel(wrap_points(" / ".join(str(n).replace("_", " ") for n in table.index.names if n),
                              0.6 * fig.get_figheight() * 72))
    add_titles(ax, title, subtitle, source)
    return ax
