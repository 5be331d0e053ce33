"""Sensitivity and indicators against independent computations (pgmpy re-inference, the full joint)."""

import json
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pytest
from brute import joint

from bayes.outputs import charts
from bayes.modelfile.parameters import elicited_parameters
from bayes.analysis.indicators import indicators
from bayes.analysis.sensitivity import sensitivity, sensitivity_function

TARGET = "escalation=escalates_to_wider_war"
GIVEN = {"caucasus_polarization": "sharply_polarized"}  # evidence makes the functions truly fractional


def pgmpy_posterior(model, variable, table, target, given):
    """Re-inference from scratch in pgmpy with one table replaced."""
    from pgmpy.factors.discrete import TabularCPD
    from pgmpy.inference import VariableElimination

    net = model.network.copy()
    old = net.get_cpds(variable)
    values = np.moveaxis(table, -1, 0).reshape(table.shape[-1], -1)
    net.remove_cpds(old)
    net.add_cpds(TabularCPD(variable, table.shape[-1], values, evidence=old.variables[1:] or None,
                            evidence_card=list(old.cardinality[1:]) or None, state_names=old.state_names))
    var, state = target.split("=")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        f = VariableElimination(net).query([var], evidence=given, show_progress=False)
    return f.get_value(**{var: state})


@pytest.fixture(scope="module")
def table(flagship):
    return sensitivity(flagship, TARGET, given=GIVEN)


def test_every_elicited_number_is_swung(flagship, table):
    params = elicited_parameters(flagship)
    assert len(table) == len(params) >= 40
    assert table["swing"].is_monotonic_decreasing
    assert {"table", "builder"} == set(table["method"])


def test_sensitivity_functions_match_reinference(flagship, table):
    params = {p.name: p for p in elicited_parameters(flagship)}
    checked = 0
    for _, row in table[table["method"] == "table"].iterrows():
        prm = params[row["parameter"]]
        f = sensitivity_function(row)
        for x in (0.37, (prm.low + prm.high) / 2):
            expected = pgmpy_posterior(flagship, prm.variable, prm.table_at(x), TARGET, GIVEN)
            assert f(x) == pytest.approx(expected, abs=1e-9), row["parameter"]
        checked += 1
    assert checked >= 15


def test_builder_swings_match_reinference(flagship, table):
    params = {p.name: p for p in elicited_parameters(flagship)}
    for _, row in table[table["method"] == "builder"].head(6).iterrows():
        prm = params[row["parameter"]]
        assert row["target_low"] == pytest.approx(pgmpy_posterior(flagship, prm.variable, prm.table_at(prm.low),
                                                                  TARGET, GIVEN), abs=1e-9)
        assert row["target_high"] == pytest.approx(pgmpy_posterior(flagship, prm.variable, prm.table_at(prm.high),
                                                                   TARGET, GIVEN), abs=1e-9)


def test_tornado_order_and_bars_match_the_table(table):
    ax = charts.tornado_chart(data=table, top=10)
    labels = [t.get_text().replace("\n", " ") for t in ax.get_yticklabels()]
    assert labels == table["parameter"].head(10).tolist()
    bars = list(ax.containers[0])
    for bar, (_, row) in zip(bars, table.head(10).iterrows()):
        assert bar.get_x() == pytest.approx(min(row["target_low"], row["target_high"]))
        assert bar.get_width() == pytest.approx(row["swing"])
    plt.close(ax.figure)


def test_mutual_information_from_the_joint(flagship):
    frame = indicators(flagship, TARGET, given={"turkey_backing_of_baku": "political_support"})
    names, table = joint(flagship.spec)
    idx = {v: i for i, v in enumerate(names)}
    t_var = "escalation"
    for var, group in frame.groupby("variable", sort=False):
        pj = {}
        for combo, p in table.items():
            if combo[idx["turkey_backing_of_baku"]] != "political_support":
                continue
            key = (combo[idx[var]], combo[idx[t_var]])
            pj[key] = pj.get(key, 0.0) + p
        total = sum(pj.values())
        po, pt = {}, {}
        for (o, t), p in pj.items():
            po[o] = po.get(o, 0) + p / total
            pt[t] = pt.get(t, 0) + p / total
        mi = sum(p / total * np.log2((p / total) / (po[o] * pt[t])) for (o, t), p in pj.items() if p > 0)
        assert group["mutual_information_bits"].iloc[0] == pytest.approx(mi, abs=1e-9), var
        for _, row in group.iterrows():
            expected = pj[(row["state"], "escalates_to_wider_war")] / (po[row["state"]] * total)
            assert row["target_if_observed"] == pytest.approx(expected, abs=1e-9)
    ranked = frame.groupby("variable", sort=False)["mutual_information_bits"].first().to_numpy()
    assert (np.diff(ranked) <= 1e-15).all()
    assert "turkey_backing_of_baku" not in set(frame["variable"])


def test_cli_interfaces(bayes_cli):
    code, out, _ = bayes_cli("sensitivity", "caucasus_2020", TARGET, "--format", "json")
    rows = json.loads(out)
    assert code == 0 and {"parameter", "low", "high", "swing"} <= set(rows[0])
    assert [r["swing"] for r in rows] == sorted((r["swing"] for r in rows), reverse=True)
    code, out, _ = bayes_cli("indicators", "caucasus_2020", TARGET, "--format", "json")
    rows = json.loads(out)
    assert code == 0 and {"variable", "mutual_information_bits", "states"} <= set(rows[0])
    assert all("target_if_observed" in s for s in rows[0]["states"])
    code, _, err = bayes_cli("indicators", "caucasus_2020", "escalation")
    assert code == 2 and "VARIABLE=STATE" in err


def _tiny_observable(write_model):
    from tiny import TINY

    import bayes

    text = TINY.replace("    description: Whether it rains.\n", "    description: Whether it rains.\n    observable: true\n")
    text = text.replace("    description: Whether the sprinkler is on.\n",
                        "    description: Whether the sprinkler is on.\n    observable: true\n")
    text = text.replace("  sprinkler_forced_on:\n    do: {sprinkler: on}",
                        "  sprinkler_forced_on:\n    do: {sprinkler: on}\n  both:\n    observe: {rain: yes, sprinkler: on}")
    return bayes.load(write_model(text))


def test_smallest_band_changing_findings_worked_on_paper(write_model):
    from bayes.analysis.sensitivity import change_the_call

    model = _tiny_observable(write_model)
    # P(wet) = 0.44838: 'unlikely'. Seeing rain: 0.2*0.8019/0.2 = 0.8019 ('very likely'); seeing the sprinkler
    # on: (0.8*0.4*0.9 + 0.2*0.01*0.99) / 0.322 = 0.9006 ('very likely'); rain=no (0.36) and sprinkler=off
    # (0.1584/0.678 = 0.2336) stay 'unlikely'. So the smallest sets are single findings, the sprinkler first
    # (P = 0.322 against 0.2).
    calls = change_the_call(model, "wet_grass=wet")
    assert calls["findings"].tolist() == ["sprinkler=on", "rain=yes"]
    assert calls["target_if"].tolist() == pytest.approx([0.28998 / 0.322, 0.8019])
    assert calls["probability_of_findings"].tolist() == pytest.approx([0.322, 0.2])
    assert set(calls["band_if"]) == {"very likely"} and set(calls["size"]) == {1}


def test_scenario_drivers_are_exact_shapley_values(write_model):
    from bayes.analysis.scenarios import scenario_drivers

    model = _tiny_observable(write_model)
    v0, v_rain, v_on, v_both = 0.44838, 0.8019, 0.28998 / 0.322, 0.99
    drivers = scenario_drivers(model, "wet_grass=wet", "both").set_index("item")["contribution"]
    assert drivers["rain=yes"] == pytest.approx(0.5 * (v_rain - v0) + 0.5 * (v_both - v_on))
    assert drivers["sprinkler=on"] == pytest.approx(0.5 * (v_on - v0) + 0.5 * (v_both - v_rain))
    assert drivers.sum() == pytest.approx(v_both - v0)


def test_admissible_deviation_solves_the_sensitivity_function(flagship):
    from bayes.analysis.sensitivity import admissible_deviation

    table = sensitivity(flagship, TARGET, given=GIVEN)
    frame = admissible_deviation(flagship, TARGET, given=GIVEN, sensitivity_table=table)
    rows = table.set_index("parameter")
    found = frame[frame["method"] == "table"].dropna(subset=["crosses_at"])
    assert len(found) >= 1
    for _, row in found.iterrows():
        f = sensitivity_function(rows.loc[row["parameter"]])
        assert f(row["crosses_at"]) == pytest.approx(row["boundary"], abs=1e-9)


def test_indicator_intervals_match_queries_with_the_same_draws(flagship):
    frame = indicators(flagship, TARGET, draws=800, seed=4)
    row = frame[(frame["variable"] == "russia_brokered_talks") & (frame["state"] == "no_russia_brokered_talks")].iloc[0]
    q = flagship.query("escalation", given={"russia_brokered_talks": "no_russia_brokered_talks"}, draws=800, seed=4)
    q = q.set_index("state").loc["escalates_to_wider_war"]
    assert row["if_lo90"] == pytest.approx(q["lo90"], abs=1e-12) and row["if_hi90"] == pytest.approx(q["hi90"], abs=1e-12)
    assert 0 <= row["mi_lo90"] <= row["mutual_information_bits"] <= row["mi_hi90"]


def test_admissible_deviation_for_builder_judgements(flagship):
    from bayes.analysis.sensitivity import admissible_deviation

    frame = admissible_deviation(flagship, TARGET)
    params = {p.name: p for p in elicited_parameters(flagship)}
    builders = frame[(frame["method"] == "builder")].dropna(subset=["crosses_at"])
    assert len(builders) >= 1
    for _, row in builders.iterrows():
        prm = params[row["parameter"]]
        p = pgmpy_posterior(flagship, prm.variable, prm.table_at(row["crosses_at"]), TARGET, None)
        assert p == pytest.approx(row["boundary"], abs=1e-6), row["parameter"]
