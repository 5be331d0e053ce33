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
title=, subtitle=, source=)` in the module of its family (or a new one) and re-export it here. It draws
over `draw_bands` where probabilities are shown, labels with `scales.describe`, tags drawn marks with `gid` so tests can read them back, and finishes with
`add_titles` (which also fits the plot into the figure); `save_figure` exports it. Run it through
`tests/test_geometry.py`.

Modules: `style` (sizes, palette, measured text), `framing` (titles, fitting, bands, export), `placement`
(labels clear of marks), and one module per chart family: `scenarios`, `sensitivity` (tornado, timeline,
calibration), `network`, `revisions`. Notebooks use the names below: `from bayes.outputs import charts`.
"""

from bayes.outputs.charts.framing import add_titles, draw_bands, fit_axes, save_figure, value_text
from bayes.outputs.charts.network import network_chart
from bayes.outputs.charts.revisions import diff_chart, disagreement_chart
from bayes.outputs.charts.scenarios import cpt_heatmap, outcomes_heatmap, scenario_chart
from bayes.outputs.charts.sensitivity import calibration_chart, timeline_chart, tornado_chart
from bayes.outputs.charts.style import (BAR_COLOUR, PALETTE, SLIDE_PIXELS, SLIDE_SIZE, TEXT_SIZE, briefing_style,
                                        text_width, wrap_points)
from bayes.outputs.network_layout import network_layout

__all__ = ["add_titles", "draw_bands", "fit_axes", "save_figure", "value_text", "network_chart", "diff_chart",
           "disagreement_chart", "cpt_heatmap", "outcomes_heatmap", "scenario_chart", "calibration_chart",
           "timeline_chart", "tornado_chart", "BAR_COLOUR", "PALETTE", "SLIDE_PIXELS", "SLIDE_SIZE", "TEXT_SIZE",
           "briefing_style", "text_width", "wrap_points", "network_layout"]
