"""16:9 framing: titles, subtitle and source line, the plot fitted inside the figure, estimative bands
behind probabilities, value labels, and export at exactly 1920x1080 and 3840x2160 pixels."""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np

from bayes.errors import BayesInputError
from bayes.fileio import atomic_write, check_output
from bayes.modelfile.scales import ICD203, Scale, describe, percent_text
from bayes.outputs.charts.style import (BAND_SHADES, PAD_IN, SUBTITLE_SIZE, TEXT_SIZE, TITLE_SIZE, briefing_style,
                                        line_count, renderer_of, wrap_points)

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
        while line_count(wrapped) > 2 and size > 18:
            size -= 2
            wrapped = wrap_points(title, room, size, "bold")
        fig.text(pad / 72 / width_in, y / 72 / height_in, wrapped, ha="left", va="top", fontsize=size,
                 fontweight="bold", gid="title")
        y -= line_count(wrapped) * size * 1.22 + 6
    if subtitle:
        wrapped = wrap_points(subtitle, room, SUBTITLE_SIZE)
        fig.text(pad / 72 / width_in, y / 72 / height_in, wrapped, ha="left", va="top", fontsize=SUBTITLE_SIZE,
                 color="#444444", gid="subtitle")
        y -= line_count(wrapped) * SUBTITLE_SIZE * 1.22 + 6
    bottom = pad
    if source:
        wrapped = wrap_points(source, room, TEXT_SIZE)
        fig.text(pad / 72 / width_in, pad / 72 / height_in, wrapped, ha="left", va="bottom", fontsize=TEXT_SIZE,
                 color="#555555", gid="source")
        bottom += line_count(wrapped) * TEXT_SIZE * 1.22 + 8
    frame_top = y - 8 if top is None else min(top * height_in * 72, y - 8)
    fig._bayes_frame = (bottom / 72 / height_in, frame_top / 72 / height_in)
    if fit:
        fit_axes(ax)
    return ax


def on_layout(ax, hook):
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
    renderer = renderer_of(fig)
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
    box = artist.get_window_extent(renderer_of(fig))
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


BAND_NAME_GAP = 12.0  # points between two band names on one row: less reads as one phrase


def draw_bands(ax, scale: Scale = ICD203, orient: str = "x", label: bool = True, limits: tuple | None = None):
    """Shade the estimative-probability bands behind the data and name them along the top (orient "x") or
    the right (orient "y"). With `limits` (the axis range the chart will show), only the bands in view are
    named, each at the middle of its visible part, slid inward where it would reach past the plot's end.
    Names closer than BAND_NAME_GAP go on another row."""
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
        # a name wider than its band's end of the axis is slid along it to stay over the plot, not beyond
        axis = 0 if orient == "x" else 1
        frame = _extent_pt(ax, fig)
        shifts = [max(frame[axis] - b[axis], 0.0) if b[axis] < frame[axis] else
                  min(frame[axis + 2] - b[axis + 2], 0.0) for b in boxes]
        boxes = [tuple(v + (d if k % 2 == axis else 0.0) for k, v in enumerate(b)) for b, d in zip(boxes, shifts)]
        rows = _stack(boxes, axis, gap=BAND_NAME_GAP)
        if orient == "x":
            h = max(b[3] - b[1] for b in boxes)
            for t, r, d in zip(labels, rows, shifts):
                t.xyann = (d, 4 + r * (h + 2))
        else:
            w = max(b[2] - b[0] for b in boxes)
            for t, r, d in zip(labels, rows, shifts):
                t.xyann = (6 + r * (w + 8), d)

    ax._bayes_band_labels = labels
    on_layout(ax, restack)
    return ax


def band_block_width(ax) -> float:
    """How far (points) the band names reach right of the axes (orient "y")."""
    labels = getattr(ax, "_bayes_band_labels", [])
    if not labels:
        return 0.0
    fig = ax.figure
    right = ax.get_window_extent(renderer_of(fig)).x1 * 72 / fig.dpi
    return max(_extent_pt(t, fig)[2] for t in labels) - right


# ------------------------------------------------------------------------------------- value labels

def value_text(p: float, scale: Scale = ICD203, lo: float | None = None, hi: float | None = None) -> str:
    """'likely (78%; 69-88%)': the words and number a bar is labelled with (the interval, when given)."""
    if lo is None or hi is None or np.isnan(lo) or np.isnan(hi):
        return describe(p, scale)
    return (f"{scale.term(p)} ({percent_text(p, scale=scale)}; {percent_text(lo, sign=False, scale=scale)}\u2013"
            f"{percent_text(hi, scale=scale)})")


# ------------------------------------------------------------------------------------- export

def raster(fig, width_px: int):
    """The figure drawn once by Agg at `width_px` pixels wide, as a PIL image (RGB where every pixel is
    opaque, which the briefing style's white figures are): every PNG of one size or smaller is cut from it."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    dpi = fig.dpi
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    try:
        fig.set_dpi(width_px / fig.get_figwidth())
        canvas.draw()
        pixels = np.asarray(canvas.buffer_rgba())
        image = Image.fromarray(pixels[..., :3].copy() if pixels[..., 3].min() == 255 else pixels.copy())
    finally:
        fig.set_dpi(dpi)
    return image


def resized(image, width_px: int):
    """`image` at `width_px` wide: a chart drawn at twice the size and halved (each pixel the mean of four;
    Lanczos for other ratios) is as sharp as one drawn at that size, and costs one drawing instead of two."""
    from PIL import Image

    if image.width == width_px:
        return image
    if image.width == 2 * width_px and image.height % 2 == 0:  # exactly half: each pixel the mean of four
        return image.reduce(2)
    return image.resize((width_px, round(image.height * width_px / image.width)), Image.Resampling.LANCZOS)


def image_png(image, compact: bool = False, dpi: float | None = None) -> bytes:
    """PNG bytes of a PIL image, fastest zlib level (level 6 took four times as long for a tenth less); `compact`:
    256 colours by maximum coverage (about half the size, for the HTML; twice as fast as median cut, and unlike
    the octree it keeps the lightest band shade, #f2f2f2)."""
    from PIL import Image

    out = io.BytesIO()
    if compact:
        image = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MAXCOVERAGE, dither=Image.Dither.NONE)
    image.save(out, "PNG", compress_level=1, **({"dpi": (dpi, dpi)} if dpi else {}))
    return out.getvalue()


def save_figure(fig, stem: str | os.PathLike, formats=("png", "svg"), dpi: int | None = None,
                widths: tuple[int, ...] = (1920, 3840), image=None) -> list[Path]:
    """Write the figure as PNG and SVG in one call; each file appears whole or not at all.

    The figure is saved as laid out (no tight cropping), so a 16:9 chart gives exactly 16:9 files:
    `stem.png` at `widths[0]` pixels wide (1920x1080) and `stem@2x.png` at `widths[1]` (3840x2160), both
    from one drawing at the largest width (or from `image`, that drawing made already). With `dpi`, one PNG
    at that resolution instead."""
    stem = Path(stem)
    paths = []
    for fmt in formats:
        if fmt == "png":
            if dpi:
                sizes = [(stem.with_suffix(".png"), round(fig.get_figwidth() * dpi))]
            else:
                sizes = [(stem.with_name(stem.name + ("" if i == 0 else f"@{w // widths[0]}x") + ".png"), w)
                         for i, w in enumerate(widths)]
            largest = max(w for _, w in sizes)
            image = image if image is not None and image.width == largest else raster(fig, largest)
            for path, width in sizes:
                png = image_png(resized(image, width), dpi=width / fig.get_figwidth())
                atomic_write(path, lambda tmp, png=png: Path(tmp).write_bytes(png))
                paths.append(path)
            continue
        path = stem.with_suffix(f".{fmt}")
        atomic_write(path, lambda tmp, fmt=fmt: fig.savefig(tmp, format=fmt))
        paths.append(path)
    return paths


def save_chart(path, draw, force: bool = False) -> Path:
    """Draw a chart with `draw()` (which returns its Axes) in the briefing style and write it to `path` (.png,
    .svg or .pdf; an existing file only with `force`), atomically; the figure is closed after."""
    import matplotlib.pyplot as plt

    out = check_output(path, force, flag="--chart")
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in ("png", "svg", "pdf"):
        raise BayesInputError("a chart file must end in .png, .svg or .pdf", str(out))
    with briefing_style():
        ax = draw()
        try:
            return atomic_write(out, lambda tmp: ax.figure.savefig(tmp, format=fmt))
        finally:
            plt.close(ax.figure)


def png_bytes(fig, width_px: int, compact: bool = False) -> bytes:
    """The figure as PNG bytes, `width_px` wide; `compact`: 256 colours (under half the size, for the HTML)."""
    return image_png(raster(fig, width_px), compact, dpi=width_px / fig.get_figwidth())
