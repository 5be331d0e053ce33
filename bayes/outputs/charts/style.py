"""What every chart shares: slide size, palette, text sizes, the `briefing_style()` context, and text
measured and wrapped by its drawn width (so labels fit at 14 pt on a 16:9 slide)."""

from __future__ import annotations

import contextlib
import functools
import textwrap

import matplotlib.pyplot as plt
from matplotlib.font_manager import FontProperties

SLIDE_SIZE = (13.333, 7.5)  # 16:9 at PowerPoint's default width, inches
SLIDE_PIXELS = ((1920, 1080), (3840, 2160))  # the exported PNG sizes (exactly 16:9)
# seaborn's "colorblind" palette and its "white" style, written out: drawing a brief then does not import
# seaborn, which costs 1.5 s (it imports scipy.stats); notebooks use seaborn itself with the same look.
# The style's default colormap ("rocket") is left out: seaborn registers it on import, and every chart
# here names its colormap.
PALETTE = [tuple(int(h[i:i + 2], 16) / 255 for i in (1, 3, 5)) for h in (
    "#0173b2", "#de8f05", "#029e73", "#d55e00", "#cc78bc", "#ca9161", "#fbafe4", "#949494", "#ece133", "#56b4e9")]
WHITE_STYLE = {
    "figure.facecolor": "white", "axes.facecolor": "white", "axes.edgecolor": ".15", "axes.labelcolor": ".15",
    "axes.grid": False, "axes.axisbelow": True, "text.color": ".15", "xtick.color": ".15", "ytick.color": ".15",
    "xtick.direction": "out", "ytick.direction": "out", "xtick.top": False, "ytick.right": False,
    "xtick.bottom": False, "ytick.left": False, "grid.color": ".8", "grid.linestyle": "-",
    "font.family": ["sans-serif"], "font.sans-serif": ["Arial", "DejaVu Sans", "Liberation Sans",
                                                        "Bitstream Vera Sans", "sans-serif"],
    "lines.solid_capstyle": "round", "patch.edgecolor": "w", "patch.force_edgecolor": True,
    "axes.spines.left": True, "axes.spines.bottom": True, "axes.spines.right": True, "axes.spines.top": True,
}
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


def clip_text(text: str, width: int) -> str:
    """Text cut to `width` characters, with an ellipsis when cut."""
    return text if len(text) <= width else text[: width - 1].rstrip() + "\u2026"


def wrap_name(text: str, width: int, max_lines: int | None = None) -> str:
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


def state_texts(states) -> list[str]:
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
    from cycler import cycler

    palette = {"axes.prop_cycle": cycler(color=PALETTE)}
    with plt.rc_context({**WHITE_STYLE, **palette, **rc}):
        yield


def new_axes(ax, figsize=SLIDE_SIZE):
    if ax is not None:
        return ax
    fig, ax = plt.subplots(figsize=figsize)
    return ax


# ------------------------------------------------------------------------------------- measured text

def renderer_of(fig):
    canvas = fig.canvas
    return canvas.get_renderer() if hasattr(canvas, "get_renderer") else fig._get_renderer()


@functools.lru_cache(maxsize=65536)
def text_width(text: str, size: float = TEXT_SIZE, weight: str = "normal") -> float:
    """Width of one line of text in points, as matplotlib's renderer draws it (the default font)."""
    fig = _measure_figure()
    w, _, _ = renderer_of(fig).get_text_width_height_descent(text, FontProperties(size=size, weight=weight),
                                                           ismath=False)
    return w * 72.0 / fig.dpi


_MEASURE = {}


def _measure_figure():
    if "fig" not in _MEASURE:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

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


def line_count(text: str) -> int:
    return text.count("\n") + 1
