"""Charts of what moves an outcome and how it moved: the sensitivity tornado, the tracking timeline and
the calibration chart of scored forecasts."""

from __future__ import annotations

import matplotlib
import matplotlib.dates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from bayes.modelfile.scales import ICD203, Scale
from bayes.outputs.charts.framing import add_titles, band_block_width, draw_bands, on_layout
from bayes.outputs.charts.placement import clear_spot
from bayes.outputs.charts.style import BAR_COLOUR, TEXT_SIZE, line_count, new_axes, renderer_of, text_width, wrap_points


def tornado_chart(data: pd.DataFrame, *, top: int = 12, scale: Scale = ICD203, ax=None, title: str | None = None,
                  subtitle: str | None = None, source: str | None = None):
    """One-way sensitivity as a tornado: each judgement's bar runs from the target at its low end to the
    target at its high end, largest swing on top (`data` is `bayes.analysis.sensitivity.sensitivity(...)`)."""
    frame = data.sort_values("swing", ascending=False, kind="stable").head(top)
    ax = new_axes(ax)
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
        rows_pt = ax.get_window_extent(renderer_of(fig)).height * 72 / fig.dpi / max(len(names), 1)

        def fits(wrapped, size):
            return max((line_count(w) for w in wrapped), default=1) * size * 1.3 <= rows_pt

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
    on_layout(ax, fit_rows)
    ax.set_ylim(len(frame) - 0.5, -0.5)
    ax.set_xlim(lo, hi)
    ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
    ax.tick_params(axis="y", length=0)
    add_titles(ax, title, subtitle, source)
    return ax


def timeline_chart(data: pd.DataFrame, *, variable: str, state: str, scale: Scale = ICD203, ax=None,
                   title: str | None = None, subtitle: str | None = None, source: str | None = None):
    """The forecast for one outcome state after each dated update (`data` is `tracking.history(...)`),
    over the scale's bands, each update numbered on the line (placed clear of the line and of each other)
    and explained in a numbered key right of the band labels."""
    frame = data[(data["variable"] == variable) & (data["state"] == state)].reset_index(drop=True)
    ax = new_axes(ax)
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
        x = band_block_width(ax) + 14
        y = 0.0
        for t in key:
            t.xyann = (x, y)
            y -= (line_count(t.get_text()) * TEXT_SIZE * 1.22) + 6
        # the numbers: above, below, right or left of their point, clear of the line and of each other
        renderer = renderer_of(fig)
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
            offset, spot = clear_spot(ax, anchor, cands, size, segments, placed, fig)
            t.xyann = offset
            placed.append(spot)

    on_layout(ax, place)
    add_titles(ax, title, subtitle, source)
    return ax


def calibration_chart(data: pd.DataFrame, *, ax=None, title: str | None = None, subtitle: str | None = None,
                      source: str | None = None):
    """Mean forecast against observed frequency per bin (`data` is `scoring.calibration_table(...)`),
    point size by count, the diagonal for perfect calibration; each point's count sits where it clears
    the point, the diagonal and the axes."""
    frame = data.dropna(subset=["mean_forecast"])
    ax = new_axes(ax)
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
        renderer = renderer_of(fig)
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
            offset, spot = clear_spot(ax, anchor, cands, size, [tuple(diag), *walls, *points], placed, fig)
            t.xyann = offset
            placed.append(spot)

    on_layout(ax, place)
    add_titles(ax, title, subtitle, source)
    return ax
