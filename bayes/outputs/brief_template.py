"""The brief's HTML template and style sheet (used by `bayes.outputs.brief.brief_html`).

One self-contained page: no script, no web font, no external style sheet or image, so it opens offline
and a copy sent by mail reads the same. Read three ways:

- on a wide screen (1440 px), the tables fit the width: cells wrap, nothing scrolls sideways or is cut;
- on a phone (390 px), every table reflows into one card per row, each value under its column's name,
  and the charts switch to a portrait variant (the network top to bottom, as tall as it needs; a network
  too wide for a phone at 10 pt scrolls inside its own frame);
- printed (A4), tables keep every column and wrap, rows and figures are not split across pages, and
  headings stay with what follows them; each chart prints on a landscape page of its own, at 0.8 of its
  slide size, so 14 pt chart text prints at 11 pt and a network drawn at 11.2 pt or more at 9 pt or more.
"""

CSS = r"""
:root { --ink: #1b1b1b; --muted: #555; --line: #d0d0d0; --accent: #0a3d62; --warn: #8a1c1c; --warn-bg: #fdf1f1; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body { margin: 0; color: var(--ink); background: #fff;
       font: 17px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Liberation Sans", sans-serif; }
main { max-width: 1200px; margin: 0 auto; padding: 24px 32px 48px; }
h1 { font-size: 1.9rem; line-height: 1.2; margin: 0 0 .4rem; }
h2 { font-size: 1.35rem; margin: 2.2rem 0 .6rem; padding-bottom: .2rem; border-bottom: 2px solid var(--accent);
     break-after: avoid; page-break-after: avoid; }
h1, h2, h3 { overflow-wrap: anywhere; }
p, li, td, th, figcaption { overflow-wrap: anywhere; }
.meta { color: var(--muted); margin: 0 0 .3rem; }
.lede { margin: .8rem 0 0; }
.keep { break-inside: avoid; page-break-inside: avoid; break-after: avoid; page-break-after: avoid; }
.warning { border: 2px solid var(--warn); background: var(--warn-bg); padding: 12px 18px; margin: 18px 0; border-radius: 6px; }
.warning strong { color: var(--warn); }
.bottom-line { background: #f3f6f9; border-left: 6px solid var(--accent); padding: 14px 20px; margin: 18px 0; }
.bottom-line h2 { margin-top: 0; border: none; }
.bottom-line ul { margin: .4rem 0 0; padding-left: 1.2rem; }
.bottom-line li { margin: .35rem 0; }
.question { font-weight: 600; margin: 0; }
table { width: 100%; border-collapse: collapse; table-layout: fixed; font-size: .92rem; margin: .6rem 0 1rem; }
th, td { border: 1px solid var(--line); padding: 6px 8px; text-align: left; vertical-align: top; }
thead th { background: #eef2f6; font-weight: 600; }
tbody th { font-weight: 600; background: #fafafa; }
tr { break-inside: avoid; page-break-inside: avoid; }
thead { display: table-header-group; }
td.set { color: var(--muted); font-style: italic;
         background: repeating-linear-gradient(135deg, #fff 0 6px, #f0f0f0 6px 12px); }
td.fails { color: var(--warn); font-weight: 700; }
table.headline col.first { width: 17%; }
table.scenarios col.c1 { width: 20%; } table.scenarios col.c2 { width: 38%; }
table.judgements col.c1 { width: 34%; } table.judgements col.c2 { width: 11%; } table.judgements col.c4 { width: 15%; }
.answer { font-size: 1.1rem; margin: .5rem 0; }
.fragile { color: var(--warn); }
.watch { margin: .6rem 0 0; }
table.claims col.c1 { width: 7%; } table.claims col.c2 { width: 33%; } table.claims col.c3 { width: 32%; }
table.claims col.c4 { width: 12%; } table.claims col.c5 { width: 8%; } table.claims col.c6 { width: 8%; }
figure { margin: 1.4rem 0; break-inside: avoid; page-break-inside: avoid; }
figure img { display: block; width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: var(--muted); font-size: .9rem; margin-top: .3rem; }
.frame { overflow-x: auto; }
.scroll-cue { display: none; }
footer { color: var(--muted); font-size: .85rem; margin-top: 2.5rem; border-top: 1px solid var(--line); padding-top: .6rem; }
@media screen and (max-width: 760px) {
  main { padding: 14px 14px 32px; }
  body { font-size: 16px; }
  h1 { font-size: 1.45rem; }
  table.cards, table.cards tbody, table.cards tr, table.cards th, table.cards td { display: block; width: auto; }
  table.cards colgroup { display: none; }
  table.cards thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
  table.cards tr { border: 1px solid var(--line); border-radius: 8px; margin: 0 0 12px; padding: 6px 12px; }
  table.cards th, table.cards td { border: none; padding: 4px 0; background: none; }
  table.cards tbody th { font-size: 1.05rem; border-bottom: 1px solid var(--line); padding-bottom: 6px; }
  table.cards td::before { content: attr(data-label); display: block; font-weight: 600; color: var(--muted); font-size: .85rem; }
  table.cards td:empty { display: none; }
  .frame img.wide { width: 960px; max-width: none; }
  .scroll-cue { display: block; }
}
@media print {
  @page { size: A4; margin: 14mm 12mm; }
  @page chart { size: A4 landscape; margin: 12mm; }
  figure.chart { page: chart; break-inside: avoid; }
  body { font-size: 10.5pt; }
  main { max-width: none; padding: 0; }
  h2 { margin-top: 1.2rem; }
  table { font-size: 8.5pt; }
  th, td { padding: 3px 4px; }
  .frame { overflow: visible; }
  figure img { border: none; }
  .bottom-line, .warning { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  td.set { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""

TEMPLATE = r"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Briefing: {{ title }}</title>
<style>{{ css | safe }}</style>
</head>
<body>
<main>
<header>
<h1>Briefing: {{ title }}</h1>
<p class="meta">As of {{ as_of }}. Source: {{ source }}. Author: {{ author }}.</p>
</header>
{% if warning %}
<section class="warning" role="alert">
<p><strong>{{ warning[0] }}.</strong> {{ warning[1] }}</p>
<ul>
{% for f in failing %}
<li><strong>{{ f.id }}</strong> (line {{ f.line }}): {{ f.got }}; needs {{ f.required }}. <em>"{{ f.quote }}"</em></li>
{% endfor %}
</ul>
</section>
{% endif %}
{% if starter %}
<section class="warning" role="alert">
<p><strong>Not an assessment yet.</strong> This model still holds the starter's placeholders; its numbers are examples, not judgements.</p>
<ul>
{% for s in starter %}
<li>{{ s }}</li>
{% endfor %}
</ul>
</section>
{% endif %}
<section class="bottom-line keep" aria-labelledby="bottom-line">
<h2 id="bottom-line">Bottom line</h2>
<p class="question">Question: {{ question }} As of {{ as_of }}.</p>
<p class="answer"><strong>Answer.</strong> {{ answer }}</p>
{% if analyst %}
<ul class="analyst">
{% for j in analyst %}
<li>{{ j.sentence }}{% if j.confidence %} <span class="confidence">Confidence: {{ j.confidence }}.</span>{% endif %}{% if j.disagrees %} <strong class="fragile">Check: {{ j.disagrees }}.</strong>{% endif %}</li>
{% endfor %}
</ul>
<p class="watch"><strong>Headline outcomes:</strong></p>
{% endif %}
<ul>
{% for j in key_lines %}
<li>{{ j.sentence }} <span class="confidence">Confidence: {{ j.confidence }}; {{ j.reason }}.</span>{% if j.fragile %} <strong class="fragile">{{ j.fragile }}</strong>{% endif %}{% if j.disagrees %} <strong class="fragile">{{ j.disagrees }}</strong>{% endif %}</li>
{% endfor %}
</ul>
{% if watch %}
<p class="watch"><strong>Watch for (observed developments):</strong></p>
<ul>
{% for w in watch[:3] %}
<li>{{ w }}</li>
{% endfor %}
</ul>
{% endif %}
</section>
{% if description %}<p class="lede">{{ description }}</p>{% endif %}

<section aria-labelledby="headline">
<div class="keep">
<h2 id="headline">Headline</h2>
<p>{{ intro }}</p>
</div>
<table class="headline cards">
<colgroup><col class="first">{% for c in columns %}<col>{% endfor %}</colgroup>
<thead><tr><th scope="col">Scenario</th>{% for c in columns %}<th scope="col">{{ c }}</th>{% endfor %}</tr></thead>
<tbody>
{% for label, cells in rows %}
<tr><th scope="row">{{ label }}</th>{% for c, text in cells %}<td data-label="{{ c }}"{% if (label, c) in set_cells %} class="set"{% endif %}>{{ text }}</td>{% endfor %}</tr>
{% endfor %}
</tbody>
</table>
</section>

<section aria-labelledby="key-judgements">
<div class="keep">
<h2 id="key-judgements">Key judgements and confidence</h2>
<p>Confidence is the toolkit's reading of what it can measure (docs/methods.md#analytic-confidence): the 90% interval's width in bands, how firmly the claims behind a judgement hold over the draws, and how far the most influential single judgement moves it within its stated range; the lowest of the three. The analyst's own level is shown beside it where the model file states one.</p>
</div>
<table class="judgements cards">
<colgroup><col class="c1"><col class="c2"><col class="c3"><col class="c4"></colgroup>
<thead><tr><th scope="col">Judgement</th><th scope="col">Confidence</th><th scope="col">Basis</th><th scope="col">Analyst's confidence</th></tr></thead>
<tbody>
{% for j in key_lines %}
<tr><th scope="row">{{ j.sentence }}</th><td data-label="Confidence">{{ j.confidence }}</td><td data-label="Basis">{{ j.basis }}</td><td data-label="Analyst's confidence">{{ j.stated }}</td></tr>
{% endfor %}
</tbody>
</table>
</section>

<section aria-labelledby="alternatives">
<h2 id="alternatives">Alternatives and what-ifs</h2>
{% if alternatives %}
<p>The most probable joint outcomes of the headline questions; together they cover {{ alternatives_cover }} of the probability.</p>
<ol>
{% for a in alternatives %}
<li>{{ a }}</li>
{% endfor %}
</ol>
{% endif %}
{% for title, items in what_ifs %}
<h3>{{ title }}</h3>
<ul>
{% for w in items %}
<li>{{ w }}</li>
{% endfor %}
</ul>
{% endfor %}
{% if not what_ifs %}<p>{{ scenarios_text }}</p>{% endif %}
</section>

<section aria-labelledby="signposts">
<h2 id="signposts">Signposts: what to watch</h2>
{% if watch %}
<p>Observable developments that would move the answer most if seen (observations, not interventions).</p>
<ul>
{% for w in watch %}
<li>{{ w }}</li>
{% endfor %}
</ul>
{% else %}
<p>No observable development moves the answer at the precision shown (or no variable is marked observable).</p>
{% endif %}
</section>

<section aria-labelledby="assumptions">
<h2 id="assumptions">Key assumptions</h2>
{% if assumptions %}
<p>Judgements that rest on an analyst's assumption rather than a claim of the source, by how far each moves the answer over its stated range.</p>
<ul>
{% for a in assumptions %}
<li>{{ a }}</li>
{% endfor %}
</ul>
{% else %}
<p>No judgement resting on an assumption alone moves the answer at the precision shown.</p>
{% endif %}
</section>

<section aria-labelledby="changes">
<h2 id="changes">Changed since the last brief</h2>
{% if changes is none %}
<p>First brief in this folder: nothing to compare with.</p>
{% elif not changes %}
<p>Nothing moved at the precision shown since the last brief.</p>
{% else %}
<ul>
{% for c in changes %}
<li>{{ c }}</li>
{% endfor %}
</ul>
{% endif %}
</section>

<section aria-labelledby="charts">
<h2 id="charts">Charts</h2>
{% for c in charts %}
<figure id="chart-{{ c.name }}" class="chart">
<div class="frame">
<picture>
{% if c.phone %}<source media="screen and (max-width: 760px)" srcset="{{ c.phone }}">{% endif %}
<img src="{{ c.src }}" alt="{{ c.alt }}" width="1920" height="1080"{% if not c.phone %} class="wide"{% endif %}>
</picture>
</div>
{% if not c.phone %}<p class="scroll-cue">Scroll sideways to see the whole chart.</p>{% endif %}
<figcaption>{{ c.alt }}</figcaption>
</figure>
{% endfor %}
</section>

<section aria-labelledby="scenarios">
<div class="keep">
<h2 id="scenarios">Scenarios</h2>
<p>{% if has_scenarios %}What each scenario assumes: what it observes (a development seen) and what it forces (an intervention).{% else %}{{ scenarios_text }}{% endif %}</p>
</div>
<table class="scenarios cards">
<colgroup><col class="c1"><col class="c2"><col><col></colgroup>
<thead><tr><th scope="col">Scenario</th><th scope="col">What it assumes</th><th scope="col">Observes</th><th scope="col">Forces</th></tr></thead>
<tbody>
{% for d in definitions %}
<tr><th scope="row">{{ d.label }}</th><td data-label="What it assumes">{{ d.description }}</td><td data-label="Observes">{{ d.observes }}</td><td data-label="Forces">{{ d.forces }}</td></tr>
{% endfor %}
</tbody>
</table>
</section>

<section aria-labelledby="claims">
<div class="keep">
<h2 id="claims">Does the model say what its source says?</h2>
<p>The source's conditional and probabilistic statements that the model encodes are claims, each checked on the network. <strong>{{ claims_summary }}</strong></p>
</div>
{% if claims %}
<table class="claims cards">
<colgroup><col class="c1"><col class="c2"><col class="c3"><col class="c4"><col class="c5"><col class="c6"></colgroup>
<thead><tr><th scope="col">Claim</th><th scope="col">What it says</th><th scope="col">Quote</th><th scope="col">Form</th><th scope="col">Holds?</th><th scope="col">Share of draws</th></tr></thead>
<tbody>
{% for c in claims %}
<tr><th scope="row">{{ c.id }}</th><td data-label="What it says">{{ c.says }}</td><td data-label="Quote">"{{ c.quote }}"</td><td data-label="Form">{{ c.form }}</td><td data-label="Holds?"{% if not c.passed %} class="fails"{% endif %}>{{ c.holds }}{% if c.fragile %} (fragile){% endif %}</td><td data-label="Share of draws">{{ c.share }}</td></tr>
{% endfor %}
</tbody>
</table>
{% endif %}
</section>
<section aria-labelledby="sources">
<h2 id="sources">Sources</h2>
<p>{{ source }}</p>
<p>{{ coverage }}</p>
</section>
<footer>Generated by the bayes toolkit from the model file; every number above is computed from it.</footer>
</main>
</body>
</html>
"""
