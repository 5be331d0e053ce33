"""Charts are checked by what is drawn: bar lengths against the query, labels and their order."""

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
from pathlib import Path
import pandas as pd
import pytest

from bayes.outputs import charts
from bayes.analysis.scenarios import headline_rows, headline_table, scenario_outcome
from bayes.outputs.brief_charts import briefing_charts, takeaway


@pytest.fixture(scope="module")
def scenarios(flagship):
    return flagship.scenarios()


def test_scenario_chart_bars_equal_query(flagship, scenarios):
    data = scenario_outcome(flagship, scenarios, "escalation", "escalates_to_wider_war")
    ax = charts.scenario_chart(data=data, scale=flagship.scale, title="t", subtitle="s", source="src")
    bars = list(ax.containers[0])
    expected = data.sort_values("probability", ascending=False)
    np.testing.assert_allclose([b.get_width() for b in bars], expected["probability"].to_numpy(), atol=1e-12)
    labels = [t.get_text().replace("\n", " ") for t in ax.get_yticklabels()]
    assert labels == expected["label"].tolist()
    # sorted highest first, drawn top to bottom
    ys = [b.get_y() for b in bars]
    assert ys == sorted(ys)
    band_labels = [t.get_gid().split(":", 1)[1] for t in ax.texts if (t.get_gid() or "").startswith("band-label:")]
    assert band_labels == flagship.scale.terms
    bar_labels = [t.get_text() for t in ax.texts if t.get_gid() == "bar-label"]
    top = expected["probability"].iloc[0]
    assert bar_labels[0] == f"{flagship.scale.term(top)} ({top:.0%})"
    # the values sit right of the plot, where no bar or whisker reaches
    ax.figure.canvas.draw()
    right = ax.get_window_extent().x1
    assert all(t.get_window_extent().x0 > right for t in ax.texts if t.get_gid() == "bar-label")
    plt.close(ax.figure)


def test_scenario_chart_draws_set_outcomes_hatched_and_last(flagship, scenarios):
    from bayes.outputs.brief_charts import scenario_rows

    data = scenario_rows(flagship, scenarios, "russia_stance", "balancing_mediator")
    assert data.set_index("scenario").loc["russia_sides_with_armenia", "set_by"] == "forced"
    ax = charts.scenario_chart(data=data, scale=flagship.scale)
    bars = list(ax.containers[0])
    assert bars[-1].get_hatch() == "///" and bars[-1].get_gid() == "set-bar"
    assert sum(b.get_hatch() is not None for b in bars) == 1
    assert [t.get_text() for t in ax.texts if t.get_gid() == "bar-label"][-1] == "0%: forced by the scenario"
    assert ax.get_yticklabels()[-1].get_text() == "Moscow honours CSTO (forced)"
    plt.close(ax.figure)


def test_scenario_chart_with_interval_whiskers(flagship, scenarios):
    data = scenario_outcome(flagship, scenarios, "escalation", "escalates_to_wider_war")
    data["lo"], data["hi"] = data["probability"] - 0.05, data["probability"] + 0.1
    ax = charts.scenario_chart(data=data, low="lo", high="hi", sort=False)
    whiskers = ax.containers[1].lines[2][0].get_segments()
    for seg, (_, row) in zip(whiskers, data.iterrows()):
        assert seg[0][0] == pytest.approx(row["lo"]) and seg[1][0] == pytest.approx(row["hi"])
    plt.close(ax.figure)


def test_heatmap_numbers_are_the_probabilities(flagship, scenarios):
    rows = headline_rows(flagship, scenarios)
    rows["label"] = rows["scenario"].astype(str)
    ax = charts.outcomes_heatmap(data=rows)
    texts = [t.get_text() for t in ax.texts]
    assert len(texts) == len(rows)
    mesh = ax.collections[0].get_array().reshape(len(flagship.scenario_names()), -1)
    table = rows.pivot_table(index="label", columns="outcome", values="probability", sort=False)
    np.testing.assert_allclose(mesh, table.to_numpy(), atol=1e-12)
    plt.close(ax.figure)


def test_network_chart_one_box_per_variable_and_bars(flagship):
    given = {"azerbaijan_alignment": "turns_to_euro_atlantic"}
    do = {"russia_brokered_talks": "no_russia_brokered_talks"}
    ax = charts.network_chart(flagship, evidence=given, do=do)
    boxes = [p for p in ax.patches if (p.get_gid() or "").startswith("node:")]
    assert sorted(p.get_gid()[5:] for p in boxes) == sorted(flagship.variables)
    marg = flagship.marginals(flagship.variables, given=given, do=do)
    full = max(p.get_width() for p in ax.patches if (p.get_gid() or "").startswith("bar:azerbaijan_alignment="))
    for p in ax.patches:
        gid = p.get_gid() or ""
        if gid.startswith("bar:"):
            var, state = gid[4:].split("=")
            assert p.get_width() == pytest.approx(full * marg[var][flagship.states(var).index(state)], abs=1e-12)
    colours = {p.get_gid()[5:]: p.get_edgecolor() for p in boxes}
    assert colours["azerbaijan_alignment"] != colours["escalation"] != colours["russia_brokered_talks"]
    plt.close(ax.figure)


def test_network_chart_prints_a_tenth_at_a_band_edge(write_model):
    """P(rain=yes) = 0.2 and P(rain=no) = 0.8 sit on ICD 203's edges: printed to a tenth (the rule
    everywhere); P(sprinkler=off) = 0.8 * 0.6 + 0.2 * 0.99 = 0.678 is whole."""
    from tiny import TINY

    import bayes
    ax = charts.network_chart(bayes.load(write_model(TINY)))
    texts = [t.get_text() for t in ax.texts]
    assert {"20.0% yes", "80.0% no", "68% off", "32% on"} <= set(texts), texts
    plt.close(ax.figure)


def test_network_layout_is_layered_causes_first(flagship):
    layout = charts.network_layout(flagship).set_index("variable")
    for v in flagship.variables:
        for p in flagship.spec.variables[v].parents:
            assert layout.loc[p, "layer"] < layout.loc[v, "layer"]


def test_network_states_its_date_wraps_labels_and_routes_arcs_around_boxes(flagship):
    ax = charts.network_chart(flagship, title="The assessment as a network, as of 2020-07")
    fig = ax.figure
    fig.canvas.draw()
    texts = {t.get_gid(): t.get_text() for t in ax.texts}
    # never cut: every state's label is there in full (wrapped lines joined)
    for v in flagship.spec.variables.values():
        for s in v.states:
            shown = " ".join(texts[f"state:{v.name}={s}"].split())
            assert shown.endswith(v.state_labels[s]), (shown, v.state_labels[s])
    assert "\u2026" not in "".join(texts.values())
    assert min(t.get_fontsize() for t in ax.texts) >= 12
    boxes = {p.get_gid()[5:]: p.get_window_extent() for p in ax.patches if (p.get_gid() or "").startswith("node:")}
    for line in ax.lines:
        src, dst = line.get_gid()[4:].split("->")
        xy = line.get_transform().transform(line.get_path().vertices)
        for (x0, y0), (x1, y1) in zip(xy[:-1], xy[1:]):
            for name, b in boxes.items():
                inside_x = max(min(x0, x1), b.x0 + 2) < min(max(x0, x1), b.x1 - 2)
                inside_y = max(min(y0, y1), b.y0 + 2) < min(max(y0, y1), b.y1 - 2)
                assert not (inside_x and inside_y), f"arc {src}->{dst} passes behind {name}"
    plt.close(fig)


def test_charts_leave_global_state_alone(flagship, scenarios, tmp_path):
    before = dict(matplotlib.rcParams)
    charts = briefing_charts(flagship, scenarios, out_dir=tmp_path, outcomes=["escalation"])
    after = dict(matplotlib.rcParams)
    assert before == after
    assert {p.name for p in charts.paths} == {"scenario_escalation.png", "scenario_escalation.svg", "network.png",
                                              "network.svg", "outcomes_heatmap.png", "outcomes_heatmap.svg"}
    png = (tmp_path / "network.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert not list(tmp_path.glob(".*"))  # no temp files left behind


def test_charts_are_exported_at_exactly_16_9(flagship, scenarios, tmp_path):
    from PIL import Image

    briefing_charts(flagship, scenarios, out_dir=tmp_path, outcomes=["escalation"])
    for png in sorted(tmp_path.glob("*.png")):
        assert Image.open(png).size == (1920, 1080), png.name


def test_takeaway_title_states_the_finding(flagship, scenarios):
    data = scenario_outcome(flagship, scenarios, "escalation", "escalates_to_wider_war")
    title = takeaway(flagship, data, "escalation", "escalates_to_wider_war")
    base = data.set_index("scenario").loc["baseline", "probability"]
    assert f"({base:.0%})" in title and flagship.scale.term(base) in title
    assert "as of 2020-07" in title and title.startswith("Escalation: a wider war is unlikely")
    assert "Baku West + Turkey military + outside push (observed) raises it most" in title.replace("\n", " ")


def test_takeaway_ignores_moves_below_the_precision_shown(flagship, scenarios):
    """0.13400000000000001 against 0.13399999999999998 is no mover, nor is 13.4% against 13.2%."""
    data = scenario_outcome(flagship, scenarios, "substantive_settlement", "substantive_settlement")
    assert data["probability"].round(2).nunique() == 1  # every scenario leaves it as it is
    assert takeaway(flagship, data, "substantive_settlement", "substantive_settlement").endswith("no scenario moves it")
    fake = data.copy()
    fake["probability"] = [0.13400000000000001] + [0.13399999999999998] * (len(fake) - 2) + [0.132]
    assert takeaway(flagship, fake, "substantive_settlement", "substantive_settlement").endswith("no scenario moves it")
    fake.loc[fake.index[-1], "probability"] = 0.124
    assert takeaway(flagship, fake, "substantive_settlement", "substantive_settlement").endswith(
        f"{fake['label'].iloc[-1]} lowers it most, to 12%")


def test_headline_table_cells(flagship, scenarios):
    table = headline_table(flagship, scenarios)
    p = flagship.probability("escalation=escalates_to_wider_war")
    assert table.loc["baseline", "escalation=escalates_to_wider_war"] == f"{flagship.scale.term(p)} ({p:.0%})"
    assert list(table.index) == flagship.scenario_names()


def test_cpt_heatmap_cells_are_the_table(flagship):
    table = flagship.cpt("escalation")
    ax = charts.cpt_heatmap(data=table)
    mesh = ax.collections[0].get_array().reshape(table.shape)
    np.testing.assert_allclose(mesh, table.to_numpy(), atol=1e-12)
    assert [t.get_text() for t in ax.texts][:2] == [f"{table.iloc[0, 0]:.0%}", f"{table.iloc[0, 1]:.0%}"]
    assert [t.get_text() for t in ax.get_yticklabels()][0] == "russia brings sides to table / political support"
    plt.close(ax.figure)


def test_explorer_data_follows_the_widgets(flagship):
    from bayes.outputs.explorer import ANY, explorer_data

    data = explorer_data(flagship, "escalation", "escalates_to_wider_war",
                         observe={"azerbaijan_alignment": "turns_to_euro_atlantic", "turkey_backing_of_baku": ANY},
                         do={"russia_brokered_talks": "no_russia_brokered_talks"})
    assert data["probability"].iloc[0] == pytest.approx(flagship.probability("escalation=escalates_to_wider_war"))
    expected = flagship.probability("escalation=escalates_to_wider_war", given={"azerbaijan_alignment":
                                    "turns_to_euro_atlantic"}, do={"russia_brokered_talks": "no_russia_brokered_talks"})
    assert data["probability"].iloc[1] == pytest.approx(expected)
    ax = charts.scenario_chart(data=data, sort=False)
    np.testing.assert_allclose([b.get_width() for b in ax.containers[0]], data["probability"])
    plt.close(ax.figure)


def test_network_draws_every_arc_and_cuts_forced_ones(flagship):
    do = {"russia_stance": "sides_with_armenia"}
    ax = charts.network_chart(flagship, do=do)
    drawn = {a.get_gid()[4:] for a in [*ax.patches, *ax.lines] if (a.get_gid() or "").startswith("arc:")}
    expected = {f"{p}->{v}" for v in flagship.variables for p in flagship.spec.variables[v].parents if v not in do}
    assert drawn == expected
    plt.close(ax.figure)


def test_the_briefing_look_is_seaborns_colorblind_palette_and_white_style():
    """Written out so a brief does not import seaborn; seaborn itself is the oracle."""
    import seaborn as sns

    from bayes.outputs.charts.style import PALETTE, WHITE_STYLE

    assert np.allclose(PALETTE, sns.color_palette("colorblind"))
    seaborns = dict(sns.axes_style("white"))
    assert seaborns.pop("image.cmap") == "rocket"  # registered by seaborn's import: every chart names its own
    assert WHITE_STYLE == seaborns


def test_heatmap_text_reads_on_its_cell_as_seaborn_decides():
    """Dark text on light cells, white on dark ones, at seaborn's luminance threshold (.408)."""
    import seaborn as sns
    from matplotlib.colors import to_rgb

    data = pd.DataFrame({"label": ["a", "b", "c", "d"], "outcome": ["o"] * 4, "probability": [0.05, 0.45, 0.55, 0.95]})
    ours = charts.outcomes_heatmap(data=data)
    theirs = sns.heatmap(data.pivot_table(index="label", columns="outcome", values="probability", sort=False),
                         vmin=0, vmax=1, cmap="Blues", annot=True, cbar=False, ax=plt.figure().gca())
    assert [to_rgb(t.get_color()) for t in ours.texts] == [to_rgb(t.get_color()) for t in theirs.texts]
    assert [to_rgb(t.get_color()) for t in ours.texts][0] != [to_rgb(t.get_color()) for t in ours.texts][-1]
    assert [t.get_position() for t in ours.texts] == [(0.5, 0.5), (0.5, 1.5), (0.5, 2.5), (0.5, 3.5)]
    assert ours.get_ylim() == (4, 0)
    plt.close("all")


def test_a_brief_does_not_import_seaborn():
    """1.5 s of every brief was seaborn's import (scipy.stats); checked in a fresh interpreter."""
    import subprocess
    import sys

    code = ("import sys, bayes\nfrom bayes.outputs.brief import build_brief\n"
            "build_brief(bayes.load('river_ceasefire'), draws=50)\nprint('seaborn' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False,
                         cwd=Path(__file__).resolve().parent.parent)
    assert out.returncode == 0 and out.stdout.strip() == "False", out.stderr


def test_no_disagreement_marker_hides_another():
    """Four readings and the pool at the same point: each marker drawn later is smaller or hollow."""
    from matplotlib.colors import to_rgba

    rows = [{"scenario": "baseline", "scenario_label": "Baseline", "outcome": "y=y", "analyst": a, "pooled": a == "pooled",
             "probability": 0.4} for a in ("ann", "bob", "cy", "dee", "pooled")]
    ax = charts.disagreement_chart(data=pd.DataFrame(rows))
    marks = sorted(ax.collections[1:], key=lambda c: c.get_zorder())
    assert [c.get_gid() for c in marks] == ["analyst:ann", "analyst:bob", "analyst:cy", "analyst:dee", "pooled"]
    for before, after in zip(marks, marks[1:]):
        hollow = to_rgba(after.get_facecolor()[0])[3] == 0 if len(after.get_facecolor()) else True
        assert hollow or after.get_sizes()[0] < before.get_sizes()[0], after.get_gid()
    assert to_rgba(marks[-1].get_facecolor()[0])[3] == 0 if len(marks[-1].get_facecolor()) else True
    plt.close(ax.figure)


def test_heatmap_numbers_share_one_size_when_a_column_is_narrow():
    """On a phone-shaped figure '20.4%' (a band edge's tenth) needs a smaller size than '26%': every number
    takes that one size, and the size fits the widest number in its column."""
    import pandas as pd

    from bayes.modelfile.scales import ICD203
    from bayes.outputs.charts.style import text_width

    cells = pd.DataFrame({"label": ["a", "a", "b", "b"] * 3, "outcome": [f"x{i}=y" for i in range(6)] * 2,
                          "probability": [0.26, 0.204, 0.5, 0.4, 0.3, 0.2, 0.1, 0.9, 0.454, 0.33, 0.72, 0.13]})
    fig, ax = plt.subplots(figsize=(3.9, 6))
    charts.outcomes_heatmap(data=cells, ax=ax, scale=ICD203, column_label=None)
    fig.canvas.draw()
    sizes = {t.get_text(): t.get_fontsize() for t in ax.texts}
    assert "20.4%" in sizes and len(set(sizes.values())) == 1, sizes
    column = ax.get_window_extent().width * 72 / fig.dpi / 6 - 8
    assert text_width("45.4%", next(iter(sizes.values()))) <= column + 4 + 1e-6
    plt.close(fig)
