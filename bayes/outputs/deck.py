"""The brief as a 16:9 slide deck (brief.pptx, python-pptx): a first slide laid out as the question, the
answer, the key judgements with their confidence and what to watch; a slide of signposts and key
assumptions; then one slide per chart with its takeaway as the title and the source in the footer. The
headline table is a native, editable table shaded like the heatmap, at 14 pt with WCAG AA contrast.
Formatting is set on runs. `brief` is a `bayes.outputs.brief.Brief`.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pandas as pd

from bayes.analysis.scenarios import named_scenarios
from bayes.fileio import atomic_write
from bayes.outputs import estimative, narrative
from bayes.outputs.charts.framing import png_bytes

SLIDE_CHART_SIZE = (12.73, 5.45)  # inches: a chart's room on a slide, under the title and above the footer


def brief_pptx(brief, path: str | os.PathLike) -> Path:
    """The brief as a 16:9 slide deck: a title slide with the question, the date and the bottom line, then one
    slide per chart with its takeaway as the slide title, the chart and the source in the footer. The
    headline table is a native (editable) table: on the heatmap's slide, shaded like the heatmap, or on
    the title slide for a model without scenarios (no heatmap)."""
    from pptx import Presentation
    from pptx.dml.color import RGBColor
    from pptx.enum.text import MSO_AUTO_SIZE
    from pptx.oxml.ns import qn
    from pptx.util import Inches, Pt

    model = brief.model
    deck = Presentation()
    deck.slide_width, deck.slide_height = Inches(13.333), Inches(7.5)
    deck.part._element.find(qn("p:sldSz")).set("type", "custom")  # the template says 4:3; the size is 16:9
    title_only = deck.slide_layouts[5]
    grey = RGBColor(0x55, 0x55, 0x55)

    def textbox(slide, left, top, width, height, paragraphs, size, bold=False, colour=None, fill=None):
        """Paragraphs of text; formatting is set on the runs (PowerPoint users can then resize as usual).
        A paragraph given as (text, True) is bold."""
        box = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
        frame = box.text_frame
        frame.word_wrap = True
        frame.auto_size = MSO_AUTO_SIZE.TEXT_TO_FIT_SHAPE  # PowerPoint shrinks rather than spills a long text
        if fill is not None:
            box.fill.solid()
            box.fill.fore_color.rgb = fill
        for i, text in enumerate(paragraphs):
            strong = bold
            if isinstance(text, tuple):
                text, strong = text
            para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
            run = para.add_run()
            run.text = text
            run.font.size = Pt(size)
            run.font.bold = strong
            if colour is not None:
                run.font.color.rgb = colour
            para.space_after = Pt(6)
        return box

    def footer(slide, text):
        textbox(slide, 0.3, 6.9, 12.73, 0.55, [text], 14 if len(text) < 240 else 12, colour=grey)

    def set_title(slide, text, size=26):
        shape = slide.shapes.title
        shape.left, shape.top, shape.width, shape.height = Inches(0.3), Inches(0.2), Inches(12.73), Inches(1.1)
        shape.text = text
        for para in shape.text_frame.paragraphs:
            for run in para.runs:
                run.font.size = Pt(size)
                run.font.bold = True
        shape.text_frame.word_wrap = True

    # the title slide: the question, the date and the bottom line (and, for a model without scenarios,
    # the headline outcomes as a native table: one row)
    table = brief.headline
    scen = list(dict.fromkeys(table["scenario_label"]))
    outs = list(dict.fromkeys(table["outcome_label"]))
    cell = {(r.scenario_label, r.outcome_label): _slide_cell(model, r) for r in table.itertuples()}
    shade = {(r.scenario_label, r.outcome_label): (float(r.probability), bool(r.set_by)) for r in table.itertuples()}
    slide = deck.slides.add_slide(title_only)
    set_title(slide, model.title, 28)
    watch = [estimative.signpost_sentence(model, r, brief.answer) for r in brief.signposts.to_dict("records")[:3]] \
        if len(brief.signposts) else []
    # laid out as a slide: warnings, the answer in a band across the top, key judgements on the left, what to
    # watch on the right
    top = 1.3
    warnings = ([narrative.failing_claims_warning(model, brief.failing)] if brief.failing else []) + \
        (["Not an assessment yet: " + "; ".join(brief.starter) + "."] if brief.starter else [])
    if warnings:
        textbox(slide, 0.3, top, 12.73, 0.8, warnings, 14, bold=True, colour=RGBColor(0x8a, 0x1c, 0x1c))
        top += 0.9
    answer = (f"As of {brief.as_of}. Answer. {estimative.answer_sentence(model, brief.answer)}" if brief.answer
              else f"As of {brief.as_of}.")
    textbox(slide, 0.3, top, 12.73, 1.0, [answer], 18 if len(answer) < 200 else 16, fill=RGBColor(0xf3, 0xf6, 0xf9))
    top += 1.2
    lines = [("Key judgements", True)]  # short: what moves each one is on its chart's slide
    for row in brief.judgements.to_dict("records"):
        lines.append(f"{estimative.judgement_sentence(model, row)} Confidence: {row['confidence']}.")
    room = 6.8 - top - (1.5 if not named_scenarios(model) else 0)
    size = 16 if sum(len(t) for t in lines[1:]) < 600 else 14
    textbox(slide, 0.3, top, 8.2 if watch else 12.73, room, lines, size)
    if watch:
        textbox(slide, 8.8, top, 4.23, room, [("Watch for (if seen)", True), *watch], 14)
    if not named_scenarios(model):
        _native_table(slide, scen, outs, cell, shade, 5.3)
    footer(slide, model.source_line)
    # what to watch and what is assumed: signposts (observed) and key assumptions, in the toolkit's words
    assumed = [estimative.assumption_sentence(model, r) for r in brief.assumptions.to_dict("records")[:3]] \
        if len(brief.assumptions) else []
    if watch or assumed:
        slide = deck.slides.add_slide(title_only)
        set_title(slide, "What to watch and what is assumed", 28)
        body = ([("Watch for (observed developments)", True), *watch] if watch else []) + \
               ([("Key assumptions (no claim of the source behind them)", True), *assumed] if assumed else [])
        size = 16 if sum(len(t if isinstance(t, str) else t[0]) for t in body) < 900 else 14
        textbox(slide, 0.3, 1.3, 12.73, 5.6, body, size)
        footer(slide, model.source_line)
    # one slide per chart: the takeaway as its title, the chart, the source in the footer; the heatmap of
    # the headline outcomes is the headline table itself, as a native table shaded like the chart
    for chart in brief.charts.charts:
        slide = deck.slides.add_slide(title_only)
        set_title(slide, chart.alt, 24 if len(chart.alt) < 110 else 20)
        if chart.name == "outcomes_heatmap":
            _native_table(slide, scen, outs, cell, shade, 1.4)
        else:
            picture = io.BytesIO(slide_image(chart))
            slide.shapes.add_picture(picture, Inches(0.3), Inches(1.4), width=Inches(SLIDE_CHART_SIZE[0]))
        footer(slide, chart.source)
    path = Path(path)
    atomic_write(path, lambda tmp: deck.save(tmp))
    return path


SLIDE_PICTURE_PX = 1920


def slide_image(chart) -> bytes:
    """The chart as its slide shows it: drawn without titles (the slide's title and footer carry them) at
    the picture's size on the slide, 1920 pixels wide (about 150 dpi: a full-HD projector's own sharpness);
    made once per chart."""
    if "slide" not in chart.made:
        chart.made["slide"] = png_bytes(chart.render(SLIDE_CHART_SIZE, titles=False), SLIDE_PICTURE_PX)
    return chart.made["slide"]


def _slide_cell(model, row) -> str:
    """A headline cell for a slide: 'unlikely 26% (11-37%)', or '0% (forced)' where the scenario sets it."""
    if row.set_by:
        return f"{narrative.shown(row.probability, model.scale)} ({row.set_by})"
    text = f"{model.scale.term(row.probability)} {narrative.shown(row.probability, model.scale)}"
    if hasattr(row, "lo90") and not pd.isna(row.lo90):
        text += f" ({narrative.shown(row.lo90)}\u2013{narrative.shown(row.hi90)})"
    return text


def _native_table(slide, scenarios: list[str], outcomes: list[str], cell: dict, shade: dict, top: float):
    """The headline table as a PowerPoint table: scenarios down, outcomes across, each cell shaded by its
    probability as in the heatmap (hatching has no native form: cells a scenario sets say so in words)."""
    from matplotlib import colormaps
    from pptx.dml.color import RGBColor
    from pptx.util import Emu, Inches, Pt

    n_rows, n_cols = len(scenarios) + 1, len(outcomes) + 1
    rows_h = min(0.5, 5.3 / n_rows)
    shape = slide.shapes.add_table(n_rows, n_cols, Inches(0.3), Inches(top), Inches(12.73), Inches(rows_h * n_rows))
    shape.name = "Headline table"
    grid = shape.table
    first = Inches(2.5)
    grid.columns[0].width = first
    for j in range(1, n_cols):
        grid.columns[j].width = Emu(int((Inches(12.73) - first) / (n_cols - 1)))
    size = 14  # at least 14 pt everywhere, headers included
    blues = colormaps["Blues"]
    values = [["Scenario", *outcomes]] + [[s, *(cell.get((s, o), "") for o in outcomes)] for s in scenarios]
    for i, row in enumerate(values):
        grid.rows[i].height = Inches(rows_h)
        for j, value in enumerate(row):
            c = grid.cell(i, j)
            c.text = str(value)
            c.margin_top = c.margin_bottom = Inches(0.03)
            if i and j:
                p, is_set = shade.get((scenarios[i - 1], outcomes[j - 1]), (0.0, False))
                r, g, b, _ = blues(0.08 + 0.8 * p) if not is_set else (0.93, 0.93, 0.93, 1)
                fill = (int(r * 255), int(g * 255), int(b * 255))
            else:
                fill = (0xee, 0xf2, 0xf6)  # headers: the brief's header grey-blue, not the theme's
            ink = best_ink(fill)
            c.fill.solid()
            c.fill.fore_color.rgb = RGBColor(*fill)
            for para in c.text_frame.paragraphs:
                for run in para.runs:
                    run.font.size = Pt(size)
                    run.font.bold = i == 0 or j == 0
                    run.font.color.rgb = RGBColor(*ink)


def relative_luminance(rgb) -> float:
    """WCAG 2 relative luminance of an sRGB colour given as 0-255 integers."""
    def channel(v):
        v = v / 255
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b) -> float:
    """WCAG 2 contrast ratio of two colours (1 to 21)."""
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def best_ink(fill) -> tuple[int, int, int]:
    """Black or white text, whichever contrasts more with the fill (always at least 4.58:1)."""
    return max(((0, 0, 0), (255, 255, 255)), key=lambda ink: contrast(ink, fill))
