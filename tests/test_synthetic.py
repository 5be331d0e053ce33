"""The generated model file (bayes.exchange.synthetic.random_model_yaml): valid, long-labelled, every table form,
claims that hold, and numbers that match pgmpy's own inference on the compiled network."""

import re
import warnings

import numpy as np
import pytest
import yaml

import bayes
from bayes.exchange.synthetic import random_model_yaml, write_random_model

IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    path = write_random_model(tmp_path_factory.mktemp("models") / "generated.yaml", seed=0)
    return path, bayes.load(path)


def test_the_file_is_deterministic_per_seed():
    assert random_model_yaml(3) == random_model_yaml(3)
    assert random_model_yaml(3) != random_model_yaml(4)


def test_long_labels_and_state_names(generated):
    _, model = generated
    for v in model.spec.variables.values():
        assert v.label and len(v.label) >= 60, v.name
        assert len(v.description) >= 150, v.name
        for s in v.states:
            assert len(s) >= 30 and IDENTIFIER.match(s), s
        assert IDENTIFIER.match(v.name)


def test_every_feature_the_notebooks_need(generated):
    path, model = generated
    spec = model.spec
    kinds = {v.builder for v in spec.variables.values()}
    assert {"log_odds", "noisy_or", None} <= kinds and "noisy_max" not in kinds
    multi = [v for v in spec.variables.values() if v.builder == "log_odds"]
    assert any(len(v.states) >= 3 for v in multi)  # a multi-state log_odds child (baseline row + effects)
    assert any(v.parents and not v.builder for v in spec.variables.values())
    assert sum(v.observable for v in spec.variables.values()) >= 3
    assert any(len(spec.states(o)) == 3 for o in spec.outcomes)
    assert spec.headline_states and set(spec.headline_states) == set(spec.outcomes)
    scenarios = spec.scenarios.values()
    assert len(spec.scenarios) >= 2 and any(s.observe for s in scenarios) and any(s.do for s in scenarios)
    assert {c.form for c in spec.claims.values()} == {"probability", "more_likely", "less_likely", "no_difference"}
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    for name, body in raw["variables"].items():
        rows = body.get("table") or [body["builder"]]
        assert all(r["rationale"] == {"assumption": "generated"} for r in rows), name


def test_claims_hold_and_check_exits_zero(generated, bayes_cli):
    path, model = generated
    claims = model.check()
    assert claims["passed"].all(), claims[~claims["passed"]]
    code, out, err = bayes_cli("check", path)
    assert code == 0, err
    assert "5 of 5 claims pass" in out


@pytest.mark.parametrize("seed,n", [(1, 7), (2, 12)])
def test_other_seeds_and_sizes_are_valid_too(tmp_path, bayes_cli, seed, n):
    path = write_random_model(tmp_path / f"g{seed}.yaml", seed=seed, n_variables=n)
    model = bayes.load(path)
    assert len(model.variables) == n
    code, _, err = bayes_cli("check", path)
    assert code == 0, err


def test_fewer_than_the_core_is_refused():
    with pytest.raises(ValueError, match="n_variables"):
        random_model_yaml(0, n_variables=6)


def test_queries_match_pgmpy(generated):
    from pgmpy.inference import VariableElimination

    _, model = generated
    target = model.spec.outcomes[0]
    observable = [v for v in model.variables if model.spec.variables[v].observable and v != target]
    evidence = {observable[0]: model.states(observable[0])[1], observable[1]: model.states(observable[1])[0]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inference = VariableElimination(model.network)
        for var in model.variables:
            given = {k: s for k, s in evidence.items() if k != var}
            factor = inference.query([var], evidence=given, show_progress=False)
            expected = np.array([factor.get_value(**{var: s}) for s in model.states(var)])
            ours = model.marginals([var], given=given)[var]
            np.testing.assert_allclose(ours, expected, atol=1e-9, rtol=0, err_msg=var)


def test_no_flagship_names_in_the_generated_file(flagship):
    text = random_model_yaml(0).lower()
    names = set(flagship.variables) | {s for v in flagship.variables for s in flagship.states(v)}
    names = (names | set(flagship.spec.scenarios)) - {"baseline"}  # the toolkit's own word (builders, scenarios)
    found = [n for n in names if re.search(rf"\b{re.escape(n.lower())}\b", text)
             or re.search(rf"\b{re.escape(n.replace('_', ' ').lower())}\b", text)]
    assert found == []
