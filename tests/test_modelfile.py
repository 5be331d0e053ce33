import numpy as np
import pytest

import bayes
from bayes.modelfile.locate import resolve_model_path


def test_flagship_covers_the_article(flagship):
    spec = flagship.spec
    assert len(spec.variables) >= 10
    for needed in ("azerbaijan_alignment", "baku_rhetoric_toward_russia", "turkey_backing_of_baku",
                   "outside_powers_challenge", "russia_stance", "armenia_csto_expectations", "russia_brokered_talks",
                   "escalation", "caucasus_polarization", "karabakh_rivalry_theatre", "substantive_settlement"):
        assert needed in spec.variables
    assert set(spec.states("russia_stance")) >= {"balancing_mediator", "sides_with_armenia", "forceful_show_of_strength"}
    assert spec.as_of.startswith("2020-07")
    assert spec.title and spec.source and spec.author
    assert all(v.description for v in spec.variables.values())
    assert len(spec.scenarios) >= 5 and spec.outcomes


def test_compiles_to_pgmpy_and_passes_its_check(flagship):
    from pgmpy.models import DiscreteBayesianNetwork

    network = flagship.network
    assert isinstance(network, DiscreteBayesianNetwork)
    assert network.check_model()
    assert set(network.nodes()) == set(flagship.variables)


def test_pgmpy_tables_equal_the_rows_of_the_file(flagship):
    """The flat pgmpy column order is produced correctly: every entry read back by state names."""
    for v in flagship.spec.variables.values():
        cpd = flagship.network.get_cpds(v.name)
        for row in v.rows:
            for state, p in row.probabilities.items():
                assert cpd.get_value(**{v.name: state, **row.given}) == pytest.approx(p, abs=0)


def test_cpt_frame_is_keyed_by_state_names(flagship):
    table = flagship.cpt("russia_stance")
    assert table.index.names == ["azerbaijan_alignment", "baku_rhetoric_toward_russia", "outside_powers_challenge"]
    assert list(table.columns) == list(flagship.states("russia_stance"))
    np.testing.assert_allclose(table.sum(axis=1), 1.0)
    # the log-odds builder by hand: baseline row, then Baku turning West multiplies the odds of siding
    # with Armenia and of a show of strength by "far more likely" (geometric midpoint of 6-17)
    base = table.loc[("balances_with_moscow", "not_anti_russian", "status_quo_respected")]
    forceful = 0.035  # midpoint of 1-6%
    np.testing.assert_allclose(base.to_numpy(), [1 - 0.05 - 0.03 - forceful, 0.05, 0.03, forceful])
    far = (6 * 17) ** 0.5
    west = table.loc[("turns_to_euro_atlantic", "not_anti_russian", "status_quo_respected")].to_numpy()
    weights = np.array([base.iloc[0], 0.05 * far, 0.03, forceful * far])
    np.testing.assert_allclose(west, weights / weights.sum())
    table = flagship.cpt("armenia_csto_expectations")
    assert table.loc[("sides_with_azerbaijan",), "feels_let_down"].item() == 0.97
    root = flagship.cpt("azerbaijan_alignment", rationale=True)
    assert root.iloc[0]["turns_to_euro_atlantic"] == pytest.approx(0.125) and "C01" in root.iloc[0]["rationale"]


def test_model_by_name_or_path(flagship, tmp_path, monkeypatch):
    path = resolve_model_path("caucasus_2020")
    assert path.name == "caucasus_2020.yaml" and path.is_file()
    by_path = bayes.load(path.resolve())
    assert by_path.spec.variables.keys() == flagship.spec.variables.keys()
    monkeypatch.chdir(tmp_path)  # a name still resolves from another working directory
    assert bayes.load("caucasus_2020").name == "caucasus_2020"


def test_model_files_are_never_written_by_loading(tmp_path):
    source = resolve_model_path("caucasus_2020").read_bytes()
    bayes.load("caucasus_2020").scenarios()
    assert resolve_model_path("caucasus_2020").read_bytes() == source


def test_empty_bodies_found_by_fuzzing(write_model, bayes_cli):
    """An empty scenario, a child row without `given`: once a crash inside the line-number bookkeeping."""
    from tiny import TINY

    from bayes.errors import BayesInputError

    empty_scenario = TINY.replace("  sprinkler_on:\n    observe: {sprinkler: on}\n", "  sprinkler_on:\n")
    model = bayes.load(write_model(empty_scenario))
    table = model.scenarios()
    assert set(table["scenario"]) >= {"sprinkler_on"}
    np.testing.assert_allclose(model.probability("wet_grass=wet"),
                               table[(table.scenario == "sprinkler_on") & (table.state == "wet")]["probability"].iloc[0])
    no_given = TINY.replace("      - given: {rain: no}\n        probabilities: {off: 0.6", "      - probabilities: {off: 0.6")
    with pytest.raises(BayesInputError) as err:
        bayes.load(write_model(no_given, "no_given.yaml"))
    assert err.value.line is not None and "given" in err.value.message


def test_the_quick_cycle_count_agrees_with_graphlib():
    """`parse._acyclic` (Kahn's count, used so graphlib runs only to name a cycle) against graphlib itself on
    random graphs with and without cycles."""
    import random
    from graphlib import CycleError, TopologicalSorter

    from bayes.modelfile.parse import _acyclic

    seen = set()
    for seed in range(400):
        rng = random.Random(seed)
        n = rng.randint(1, 9)
        parents = {f"v{i}": tuple(sorted({f"v{rng.randrange(n)}" for _ in range(rng.randint(0, 3))} - {f"v{i}"}))
                   for i in range(n)}
        try:
            TopologicalSorter(parents).prepare()
            expected = True
        except CycleError:
            expected = False
        seen.add(expected)
        assert _acyclic({v: {"parents": p} for v, p in parents.items()}) is expected, parents
    assert seen == {True, False}


SMALL = """format: bayes-model/1
model: {title: t, source: s, as_of: 2020-07, author: a, row_tolerance: 0.0001}
variables:
  a:
    description: a
    states: [x, y, z]
  b:
    description: b
    states: [p, q]
    parents: [a]
    array:
      axes: [a, b]
      values: VALUES
      rationale: {assumption: stated}
"""


@pytest.mark.parametrize("values", [
    "0.2 0.8 0.5 0.5 1 0", "0.2 0.8 0.5 0.5 1", "0.2 0.8 0.5 0.5 1 0 0", "0.2 0.8 0.5 0.50001 1 0",
    "0.2 0.8 0.5 0.5002 1 0", "0.2 0.8 0.5 0.4 0.9 0.05", "0.2 0.8 nan 0.5 1 0", "0.2 0.8 -0.1 1.1 1 0",
    "0.2 0.8 inf 0.5 1 0", "0.2 0.8 x 0.5 1 0", "1e-1 9e-1 .5 .5 1 0", "0.2 0.8 0.5 0.5 1.0001 0",
    "0.5 0.4 0.5 0.4 1 0"])  # a tie: the first row is named
def test_small_arrays_read_in_python_as_numpy_reads_them(values, tmp_path):
    """A small array (read in plain Python) and the same array with its axes listed the other way round (read
    by the numpy path): the same table, or the same refusal with the same worst row and sum."""
    from bayes.errors import ModelFileError
    from bayes.modelfile.parse import load_spec

    def read(text):
        path = tmp_path / "m.yaml"
        path.write_text(text, encoding="utf-8")
        try:
            return load_spec(path).variables["b"].source.values
        except ModelFileError as exc:
            return str(exc).replace("axes: [b, a]", "axes: [a, b]")

    small = read(SMALL.replace("VALUES", f"'{values}'"))
    numbers = values.split()
    if len(numbers) == 6:  # the same numbers in the other axis order: b's state first
        swapped = " ".join(numbers[i] for i in (0, 2, 4, 1, 3, 5))
        large = read(SMALL.replace("VALUES", f"'{swapped}'").replace("axes: [a, b]", "axes: [b, a]"))
    else:
        large = read(SMALL.replace("VALUES", f"[{', '.join(numbers)}]"))  # a list: the numpy path
    if isinstance(small, str):
        assert small == large
    else:
        np.testing.assert_array_equal(small, large)


@pytest.mark.parametrize("values,tolerance", [("0.6 0.3 0.2 0.0 0.5 0.4", "0.0001"), ("0.5 0.418 0.082 0.5 0.418 0.082", "0")])
def test_small_array_rows_are_summed_in_order_as_numpy_sums_them(values, tolerance, tmp_path):
    """Rows of 3 added in order, as numpy adds them (Python 3.12's sum() compensates, which names another worst
    row here, or passes the second table at tolerance 0): the same verdict as the numpy path (axes swapped)."""
    from bayes.errors import ModelFileError
    from bayes.modelfile.parse import load_spec

    three = (SMALL.replace("states: [x, y, z]", "states: [x, y]").replace("states: [p, q]", "states: [p, q, r]")
             .replace("row_tolerance: 0.0001", f"row_tolerance: {tolerance}"))
    numbers = values.split()
    verdicts = []
    for axes, written in (("[a, b]", numbers), ("[b, a]", [numbers[i] for i in (0, 3, 1, 4, 2, 5)])):
        path = tmp_path / "m.yaml"
        path.write_text(three.replace("axes: [a, b]", f"axes: {axes}").replace("VALUES", "'" + " ".join(written) + "'"),
                        encoding="utf-8")
        try:
            verdicts.append(load_spec(path).variables["b"].source.values.tolist())
        except ModelFileError as exc:
            verdicts.append(str(exc))
    assert verdicts[0] == verdicts[1]


def test_a_file_named_with_a_trailing_slash_or_doubled_slashes_is_read_and_named_plainly(tmp_path):
    from bayes.errors import BayesInputError
    from bayes.fileio import read_bytes_file

    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "m.yaml").write_text("a: 1\n", encoding="utf-8")
    assert read_bytes_file(f"{tmp_path}/d//m.yaml/", "model file", 100) == b"a: 1\n"
    with pytest.raises(BayesInputError) as refused:
        read_bytes_file(f"{tmp_path}/./d//missing.yaml", "model file", 100)
    assert refused.value.file == f"{tmp_path}/d/missing.yaml"
