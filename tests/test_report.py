"""The brief: a bottom line computed from the numbers, display labels, a self-contained HTML page that reads
at 1440 px, at 390 px and printed to A4, and a slide deck.

The browser tests (marked `browser`) open the brief in Debian's chromium with Playwright, every request
routed: anything but the file itself and inline data fails the test (nothing leaves the machine).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import bayes
from bayes.outputs import estimative, narrative
from bayes.analysis.scenarios import headline_states, named_scenarios, scenario_outcome
from bayes.outputs.brief import brief_html, build_brief, write_brief

MODELS = ["caucasus_2020", "river_ceasefire"]
DRAWS = 200


@pytest.fixture(scope="module")
def briefs():
    return {name: build_brief(bayes.load(name), draws=DRAWS, seed=1) for name in MODELS}


@pytest.fixture(scope="module")
def written(briefs, tmp_path_factory):
    out = {}
    for name, brief in briefs.items():
        folder = tmp_path_factory.mktemp(name)
        write_brief(brief, folder, hires=name == "river_ceasefire")  # the @2x files on request only
        out[name] = folder
    return out


def _squash(text: str) -> str:
    """Text without whitespace, ligatures unfolded, case-folded: what survives a PDF's line breaks and fonts."""
    import unicodedata

    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold()


# ------------------------------------------------------------------------------------- bottom line

def test_bottom_line_one_sentence_per_outcome_from_the_numbers(briefs):
    brief = briefs["caucasus_2020"]
    m = brief.model
    assert len(brief.bottom_line) == len(headline_states(m))
    for sentence, (var, state) in zip(brief.bottom_line, headline_states(m).items()):
        rows = scenario_outcome(m, brief.scenarios, var, state)
        base = rows[rows["scenario"] == "baseline"].iloc[0]
        assert sentence.startswith(narrative.outcome_name(m, var, state))
        assert f"({narrative.shown(base['probability'], m.scale)}; 90% interval " in sentence
        assert m.scale.term(base["probability"]) in sentence
    escalation, *_, settlement = brief.bottom_line
    assert "Baku West + Turkey military + outside push (observed) moves it most" in escalation
    assert settlement.endswith("no scenario moves it.")  # eight equal bars: no mover at the precision shown


def test_bottom_line_skips_scenarios_that_set_the_outcome(briefs):
    brief = briefs["caucasus_2020"]
    talks = brief.bottom_line[list(headline_states(brief.model)).index("russia_brokered_talks")]
    assert "No Russian mediation" not in talks  # it forces the outcome itself: true by construction


def test_model_without_scenarios_says_so(tmp_path):
    from tiny import TINY

    path = tmp_path / "bare.yaml"
    path.write_text(TINY.split("outcomes:")[0].replace("rationale: {claims: [T1]}", "rationale: {assumption: textbook number}"),
                    encoding="utf-8")
    m = bayes.load(path)
    if named_scenarios(m):
        pytest.skip("the tiny model's scenarios could not be cut")
    brief = build_brief(m, draws=None)
    assert all(s.endswith("the model names no scenarios to compare.") for s in brief.bottom_line)
    assert [c.name for c in brief.charts.charts] == ["outcomes_now", "network"]


# ------------------------------------------------------------------------------------- HTML

@pytest.mark.parametrize("name", MODELS)
def test_html_is_self_contained_and_labelled(name, briefs):
    brief = briefs[name]
    m = brief.model
    html = brief_html(brief)
    assert "<script" not in html.lower()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html, re.I)
    assert "@import" not in html and "url(" not in html.replace("url(data:", "")
    assert html.index("Bottom line") < html.index("Headline")
    for sentence in brief.bottom_line:
        assert sentence.replace("'", "&#39;") in html
    # display labels in the headline table, never ids
    for var, state in headline_states(m).items():
        assert narrative.outcome_name(m, var, state).replace("'", "&#39;") in html
        assert f"{var}={state}" not in html
    for sc in named_scenarios(m):
        assert f">{sc}<" not in html and m.spec.scenarios[sc].display.replace("'", "&#39;") in html
    # every chart: its takeaway as alt text
    alts = re.findall(r'<img src="data:image/png;base64,[^"]+" alt="([^"]*)"', html)
    assert len(alts) == len(brief.charts.charts)
    for alt, chart in zip(alts, brief.charts.charts):
        assert alt and alt == chart.alt.replace("&", "&amp;").replace("'", "&#39;")


def test_html_marks_set_cells(briefs):
    html = brief_html(briefs["caucasus_2020"])
    assert html.count('class="set"') == 2  # two scenarios force a headline outcome
    assert "0%, forced by the scenario" in html


def test_pptx_title_slide_charts_and_native_table(briefs, written):
    from pptx import Presentation
    from pptx.util import Inches

    for name, folder in written.items():
        brief = briefs[name]
        deck = Presentation(str(folder / "brief.pptx"))
        assert (deck.slide_width, deck.slide_height) == (Inches(13.333), Inches(7.5))
        slides = list(deck.slides)
        watch = len(brief.signposts) or len(brief.assumptions)  # a slide of signposts and key assumptions
        assert len(slides) == len(brief.charts.charts) + 1 + bool(watch)
        first = "\n".join(sh.text_frame.text for sh in slides[0].shapes if sh.has_text_frame)
        assert brief.model.title in first
        for row in brief.judgements.to_dict("records"):  # each key judgement with its confidence
            assert f"{estimative.judgement_sentence(brief.model, row)} Confidence: {row['confidence']}." in first
        assert f"Answer. {estimative.answer_sentence(brief.model, brief.answer)}" in first
        if watch:
            second = "\n".join(sh.text_frame.text for sh in slides[1].shapes if sh.has_text_frame)
            for r in brief.signposts.to_dict("records")[:3]:
                assert estimative.signpost_sentence(brief.model, r, brief.answer) in second
        for slide, chart in zip(slides[1 + bool(watch):], brief.charts.charts):
            assert slide.shapes.title.text == chart.alt
            texts = [sh.text_frame.text for sh in slide.shapes if sh.has_text_frame and sh != slide.shapes.title]
            assert chart.source in texts
            if chart.name == "outcomes_heatmap":  # the headline table, as a native (editable) table
                tables = [sh for sh in slide.shapes if sh.has_table]
                assert len(tables) == 1
                grid = tables[0].table
                assert [grid.cell(0, j).text for j in range(1, len(grid.columns))] == \
                    list(dict.fromkeys(brief.headline["outcome_label"]))
                assert [grid.cell(i, 0).text for i in range(1, len(grid.rows))] == \
                    list(dict.fromkeys(brief.headline["scenario_label"]))
            else:
                assert any(sh.shape_type == 13 for sh in slide.shapes)  # a picture


def test_written_files(written, briefs):
    from PIL import Image

    folder = written["caucasus_2020"]
    for chart in briefs["caucasus_2020"].charts.charts:
        assert Image.open(folder / f"{chart.name}.png").size == (1920, 1080)
        assert not (folder / f"{chart.name}@2x.png").exists()  # written with hires only (next test)
        assert (folder / f"{chart.name}.svg").is_file()
    assert not list(folder.glob(".*"))


# ------------------------------------------------------------------------------------- in a browser

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing (tests/test_browser.py installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        yield b
        b.close()


def _open(browser, path: Path, width: int):
    page = browser.new_page(viewport={"width": width, "height": 900})
    outside = []

    def route(r):
        url = r.request.url
        if url.startswith(("file://", "data:")):
            r.continue_()
        else:
            outside.append(url)
            r.abort()

    page.route("**/*", route)
    page.goto(path.as_uri(), wait_until="load")
    return page, outside


CUT = """() => {
    const cut = [];
    for (const el of document.querySelectorAll('main *')) {
        const style = getComputedStyle(el);
        if (style.display === 'none' || style.display.startsWith('table-') && style.display !== 'table-cell'
            || el.closest('.frame')) continue;
        const head = el.closest('thead');  // on a phone the column names move into each card: the row is hidden
        if (head && getComputedStyle(head).position === 'absolute') continue;
        if (el.scrollWidth > el.clientWidth + 1 && style.overflowX !== 'visible') cut.push(el.tagName + ' ' + el.textContent.slice(0, 40));
        const r = el.getBoundingClientRect();
        if (r.width && (r.right > window.innerWidth + 0.5 || r.left < -0.5)) cut.push('beyond the page: ' + el.tagName + ' ' + el.textContent.slice(0, 40));
    }
    return cut;
}"""


@pytest.mark.browser
def _printed_image_widths(pdf, page, obj=None, ctm=None) -> list[float]:
    """The width, in points, at which each image on a PDF page is drawn (content streams walked by hand,
    forms included, with the transformation matrix tracked)."""
    from pypdf.generic import ContentStream

    def times(m, n):
        a, b, c, d, e, f = m
        A, B, C, D, E, F = n  # noqa: N806
        return [a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F]

    ctm = ctm or [1, 0, 0, 1, 0, 0]
    resources = (obj if obj is not None else page)["/Resources"]
    stack, widths = [], []
    for operands, op in ContentStream(obj if obj is not None else page.get_contents(), pdf).operations:
        if op == b"q":
            stack.append(ctm[:])
        elif op == b"Q":
            ctm = stack.pop()
        elif op == b"cm":
            ctm = times([float(x) for x in operands], ctm)
        elif op == b"Do":
            xobject = resources["/XObject"][operands[0]].get_object()
            if xobject["/Subtype"] == "/Image":
                widths.append(ctm[0])
            elif xobject["/Subtype"] == "/Form":
                inner = times([float(v) for v in xobject.get("/Matrix", [1, 0, 0, 1, 0, 0])], ctm)
                widths += _printed_image_widths(pdf, page, xobject, inner)
    return widths


@pytest.mark.parametrize("name", MODELS)
def test_brief_reads_at_1440_390_and_on_a4(name, browser, written, briefs):
    from io import BytesIO

    from pypdf import PdfReader

    brief = briefs[name]
    m = brief.model
    path = written[name] / "brief.html"
    # wide screen: no sideways scroll, nothing cut, every chart drawn with its takeaway as alt text
    page, outside = _open(browser, path, 1440)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1440
    assert page.evaluate(CUT) == []
    images = page.evaluate("[...document.images].map(i => [i.naturalWidth, i.alt])")
    assert len(images) == len(brief.charts.charts) and all(w > 0 and alt for w, alt in images)
    assert page.evaluate("getComputedStyle(document.querySelector('table.headline tr')).display") == "table-row"
    # printed to A4: every headline outcome's label, every scenario's definition, every claim id
    pdf = PdfReader(BytesIO(page.pdf(format="A4", print_background=True, prefer_css_page_size=True)))
    text = _squash(" ".join(p.extract_text() for p in pdf.pages))
    # each chart on a landscape A4 page, printed large enough that the network's text is at least 9 pt
    placed = [(pg, width) for pg in pdf.pages for width in _printed_image_widths(pdf, pg)]
    assert len(placed) == len(brief.charts.charts)
    for pg, _ in placed:
        assert round(float(pg.mediabox.width)) == 842 and round(float(pg.mediabox.height)) == 595  # A4 landscape
    network = next(c for c in brief.charts.charts if c.name == "network").figure
    drawn = min(t.get_fontsize() for t in network.axes[0].texts if t.get_text().strip())
    assert drawn * placed[-1][1] / (network.get_figwidth() * 72) >= 9.0
    for var, state in headline_states(m).items():
        assert _squash(narrative.outcome_name(m, var, state)) in text
    for row in brief.definitions.itertuples():
        for part in (row.label, row.description, row.observes, row.forces):
            assert _squash(part) in text, part
    for claim in m.spec.claims:
        assert _squash(claim) in text
    page.close()
    # phone: tables become cards, nothing scrolls the page sideways
    page, more = _open(browser, path, 390)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.evaluate("getComputedStyle(document.querySelector('table.headline tr')).display") == "block"
    assert page.evaluate(CUT) == []
    page.close()
    assert outside + more == []


def _luminance(rgb):
    """WCAG 2 relative luminance (written here, apart from the deck's own)."""
    out = []
    for v in rgb:
        c = v / 255
        out.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    return 0.2126 * out[0] + 0.7152 * out[1] + 0.0722 * out[2]


def test_deck_tables_are_14pt_with_aa_contrast_and_runs_carry_the_format(briefs, written):
    """Every native table cell: at least 14 pt and text/background contrast of at least 4.5:1 (WCAG AA),
    from the colours written in the file; sizes on runs, not paragraphs; the slide size says 16:9."""
    from pptx import Presentation
    from pptx.util import Pt

    for name, folder in written.items():
        deck = Presentation(str(folder / "brief.pptx"))
        assert deck.part._element.find(
            "{http://schemas.openxmlformats.org/presentationml/2006/main}sldSz").get("type") != "screen4x3"
        cells = 0
        for slide in deck.slides:
            for shape in slide.shapes:
                if shape.has_text_frame:
                    for para in shape.text_frame.paragraphs:
                        assert para.font.size is None, (name, para.text[:40])  # formatting lives on runs
                if not shape.has_table:
                    continue
                for row in shape.table.rows:
                    for cell in row.cells:
                        fill = tuple(cell.fill.fore_color.rgb)
                        for para in cell.text_frame.paragraphs:
                            for run in para.runs:
                                assert run.font.size >= Pt(14), (name, run.text)
                                ink = tuple(run.font.color.rgb)
                                hi, lo = sorted((_luminance(fill), _luminance(ink)), reverse=True)
                                assert (hi + 0.05) / (lo + 0.05) >= 4.5, (name, run.text, fill, ink)
                                cells += 1
        assert cells > 0  # both shipped models have scenarios: the heatmap slide is a native table


# ------------------------------------------------------------------------------------- chart files and images

def test_each_chart_file_is_its_double_size_drawing_halved(written):
    """stem.png is stem@2x.png with each pixel the mean of the four it covers (one drawing, not two)."""
    import numpy as np
    from PIL import Image

    folder = written["river_ceasefire"]
    charts = {p.name.replace(".svg", "") for p in folder.glob("*.svg")}
    assert charts and {p.name.replace("@2x.png", "") for p in folder.glob("*@2x.png")} == charts
    for big in folder.glob("*@2x.png"):
        large = np.asarray(Image.open(big).convert("RGB"), dtype=float)
        small = np.asarray(Image.open(big.with_name(big.name.replace("@2x", ""))).convert("RGB"), dtype=float)
        assert large.shape == (2160, 3840, 3) and small.shape == (1080, 1920, 3)
        means = large.reshape(1080, 2, 1920, 2, 3).mean(axis=(1, 3))
        assert np.abs(means - small).max() <= 1.0, big.name


def test_the_pages_images_keep_the_band_shades(briefs):
    """128 colours are enough for a chart, if the lightest band shade is not merged into white."""
    import base64
    import io

    from PIL import Image

    from bayes.outputs.charts.style import BAND_SHADES

    html = brief_html(briefs["caucasus_2020"])
    first = re.search(r'<img[^>]*src="data:image/png;base64,([^"]+)"', html).group(1)
    image = Image.open(io.BytesIO(base64.b64decode(first))).convert("RGB")
    assert image.size == (1920, 1080)
    colours = {rgb for _, rgb in image.getcolors(1 << 20)}
    for shade in BAND_SHADES:
        assert tuple(int(shade[i:i + 2], 16) for i in (1, 3, 5)) in colours, shade


def test_charts_drawn_in_forked_processes_are_the_ones_drawn_here(tmp_path, monkeypatch):
    """`bayes brief` draws its charts in processes forked from its own (a fresh interpreter, where no other
    thread runs); the PNGs, the page's images and the slide pictures are byte for byte the ones drawn one
    by one here."""
    import os
    import pickle
    import subprocess
    import sys

    from bayes.outputs import brief_charts as briefing

    if len(os.sched_getaffinity(0)) < 2:
        pytest.skip("one core: chart_outputs draws one chart after another")
    script = (
        "import pickle, sys, threading, bayes\n"
        "from bayes.outputs.brief import build_brief\nfrom bayes.outputs.brief_charts import chart_outputs\n"
        "charts = build_brief(bayes.load('river_ceasefire'), draws=50, seed=1).charts.charts\n"
        "assert threading.active_count() == 1\n"
        "paths = chart_outputs(charts, sys.argv[1])\n"
        "pickle.dump(([p.name for p in paths], [c.made for c in charts]), open(sys.argv[2], 'wb'))\n")
    subprocess.run([sys.executable, "-c", script, str(tmp_path / "forked"), str(tmp_path / "made.pickle")],
                   check=True, cwd=Path(__file__).resolve().parent.parent)
    names, made = pickle.loads((tmp_path / "made.pickle").read_bytes())
    here = build_brief(bayes.load("river_ceasefire"), draws=50, seed=1).charts.charts
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0})  # one core: no fork
    serial = briefing.chart_outputs(here, tmp_path / "here")
    assert names == [p.name for p in serial] and len(names) == 2 * len(here)  # PNG and SVG
    for name in names:
        if name.endswith(".png"):
            assert (tmp_path / "forked" / name).read_bytes() == (tmp_path / "here" / name).read_bytes(), name
    for chart, forked in zip(here, made):
        assert forked == chart.made, chart.name
        assert forked["slide"][:8] == b"\x89PNG\r\n\x1a\n"
