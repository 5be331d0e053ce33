"""The brief as a 16:9 slide deck (brief.pptx, python-pptx): a title slide with the question, the date and
the bottom line, then one slide per chart with its takeaway as the title and the source in the footer; the
headline table is a native, editable table shaded like the heatmap. `brief` is a `bayes.outputs.brief.Brief`.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pandas as pd

from bayes.analysis.scenarios import headline_states, named_scenarios
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
    from pptx.util import Inches, Pt

    model = brief.model
    deck = Presentation()
    deck.slide_width, deck.slide_height = Inches(13.333), Inches(7.5)
    title_only = deck.slide_layouts[5]
    grey = RGBColor(0x55, 0x55, 0x55)

    def textbox(slide, left, top, width, height, paragraphs, size, bold=False, colour=None):
        box = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
        frame = box.text_frame
        frame.word_wrap = True
        for i, text in enumerate(paragraphs):
            para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
            para.text = text
            para.font.size = Pt(size)
            para.font.bold = bold
            if colour is not None:
                para.font.color.rgb = colour
            para.space_after = Pt(6)
        return box

    def footer(slide, text):
        textbox(slide, 0.3, 6.9, 12.73, 0.55, [text], 14 if len(text) < 240 else 12, colour=grey)

    def set_title(slide, text, size=26):
        shape = slide.shapes.title
        shape.left, shape.top, shape.width, shape.height = Inches(0.3), Inches(0.2), Inches(12.73), Inches(1.1)
        shape.text = text
        for para in shape.text_frame.paragraphs:
            para.font.size = Pt(size)
            para.font.bold = True
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
    confidence = dict(zip(brief.judgements["variable"], brief.judgements["confidence"])) if len(brief.judgements) else {}
    lines = [f"As of {brief.as_of}. Answer. {estimative.answer_sentence(model, brief.answer)}" if brief.answer
             else f"As of {brief.as_of}. Bottom line:"]
    for var, sentence in zip(headline_states(model), brief.bottom_line):
        lines.append(sentence + (f" Confidence: {confidence[var]}." if var in confidence else ""))
    if brief.failing:
        lines.insert(0, narrative.failing_claims_warning(model, brief.failing))
    if brief.starter:
        lines.insert(0, "Not an assessment yet: " + "; ".join(brief.starter) + ".")
    size = 18 if sum(len(t) for t in lines) < 700 else (16 if sum(len(t) for t in lines) < 1000 else 14)
    textbox(slide, 0.3, 1.3, 12.73, 4.3 if not named_scenarios(model) else 5.5, lines, size)
    if not named_scenarios(model):
        _native_table(slide, scen, outs, cell, shade, 5.7)
    footer(slide, model.source_line)
    # what to watch and what is assumed: signposts (observed) and key assumptions, in the toolkit's words
    watch = [estimative.signpost_sentence(model, r, brief.answer) for r in brief.signposts.to_dict("records")[:3]] \
        if len(brief.signposts) else []
    assumed = [estimative.assumption_sentence(model, r) for r in brief.assumptions.to_dict("records")[:3]] \
        if len(brief.assumptions) else []
    if watch or assumed:
        slide = deck.slides.add_slide(title_only)
        set_title(slide, "What to watch and what is assumed", 28)
        body = (["Watch for (observed developments):", *watch] if watch else []) + \
               (["Key assumptions (no claim of the source behind them):", *assumed] if assumed else [])
        size = 16 if sum(len(t) for t in body) < 900 else 14
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
            fig = chart.render(SLIDE_CHART_SIZE, titles=False)
            picture = io.BytesIO(png_bytes(fig, 2400))
            slide.shapes.add_picture(picture, Inches(0.3), Inches(1.4), width=Inches(SLIDE_CHART_SIZE[0]))
        footer(slide, chart.source)
    path = Path(path)
    atomic_write(path, lambda tmp: deck.save(tmp))
    return path


def _slide_cell(model, row) -> str:
    """A headline cell for a slide: 'unlikely 26% (11-37%)', or '0% (forced)' where the scenario sets it."""
    if row.set_by:
        return f"{narrative.shown(row.probability)} ({row.set_by})"
    text = f"{model.scale.term(row.probability)} {narrative.shown(row.probability)}"
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
    size = 14 if n_cols <= 6 and n_rows <= 7 else 12
    blues = colormaps["Blues"]
    values = [["Scenario", *outcomes]] + [[s, *(cell.get((s, o), "") for o in outcomes)] for s in scenarios]
    for i, row in enumerate(values):
        grid.rows[i].height = Inches(rows_h)
        for j, value in enumerate(row):
            c = grid.cell(i, j)
            c.text = str(value)
            c.margin_top = c.margin_bottom = Inches(0.03)
            for para in c.text_frame.paragraphs:
                para.font.size = Pt(size if i and j else size - 2)
                para.font.bold = i == 0 or j == 0
            if i and j:
                p, is_set = shade.get((scenarios[i - 1], outcomes[j - 1]), (0.0, False))
                r, g, b, _ = blues(0.08 + 0.8 * p) if not is_set else (0.93, 0.93, 0.93, 1)
                c.fill.solid()
                c.fill.fore_color.rgb = RGBColor(int(r * 255), int(g * 255), int(b * 255))
                for para in c.text_frame.paragraphs:
                    para.font.color.rgb = RGBColor(255, 255, 255) if p > 0.55 and not is_set else RGBColor(0x1b, 0x1b, 0x1b)
