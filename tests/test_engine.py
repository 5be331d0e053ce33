"""The batched engine against pgmpy's VariableElimination (the reference), to 1e-9."""

import os
import warnings
from pathlib import Path

import numpy as np
import pytest

from bayes.inference.draws import ArrayDraws, GeneratedDraws, dirichlet_draws

from bayes.inference.network import CompiledNetwork
from bayes.inference.engine import Engine, Query
from bayes.errors import QueryError
from bayes.exchange.synthetic import random_network


@pytest.fixture(autouse=True)
def general_path(monkeypatch):
    """These tests are about the general path (pruning, plans, walks, splits): small questions are not multiplied
    whole here (inference/whole.py), except where a test asks for it."""
    monkeypatch.setattr("bayes.inference.whole.WHOLE_WORK", 0)


def _ve(model):
    from pgmpy.inference import VariableElimination

    return VariableElimination(model)


def reference(model, target, evidence=None, do=None):
    """pgmpy VE on the mutilated network (model.do), evidence on the forced variables: the definition."""
    evidence = dict(evidence or {})
    do = dict(do or {})
    if target in do:
        states = model.get_cpds(target).state_names[target]
        return np.array([1.0 if s == do[target] else 0.0 for s in states])
    net = model.do(list(do)) if do else model
    ev = {**evidence, **do}
    if target in ev:
        states = model.get_cpds(target).state_names[target]
        return np.array([1.0 if s == ev[target] else 0.0 for s in states])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        factor = _ve(net).query([target], evidence=ev or None, show_progress=False)
    return np.array([factor.get_value(**{target: s}) for s in model.get_cpds(target).state_names[target]])


def random_queries(model, rng, count):
    names = sorted(model.nodes())
    states = {v: model.get_cpds(v).state_names[v] for v in names}
    out = []
    for k in range(count):
        kind = k % 4  # plain, evidence, intervention, intervention with evidence
        chosen = rng.choice(names, size=min(len(names), 7), replace=False).tolist()
        target = chosen[0]
        evidence = {v: str(rng.choice(states[v])) for v in chosen[1:4]} if kind in (1, 3) else {}
        do = {v: str(rng.choice(states[v])) for v in chosen[4:6]} if kind in (2, 3) else {}
        out.append((target, evidence, do))
    return out


@pytest.mark.parametrize("n_vars,seed", [(5, 1), (12, 2), (25, 3), (37, 4), (37, 5)])
def test_random_networks_match_pgmpy(n_vars, seed):
    model = random_network(n_vars, seed=seed)
    engine = Engine(CompiledNetwork.from_pgmpy(model))
    rng = np.random.default_rng(seed)
    for target, evidence, do in random_queries(model, rng, 12):
        ours = engine.marginals([target], evidence, do)[target]
        np.testing.assert_allclose(ours, reference(model, target, evidence, do), atol=1e-9, rtol=0,
                                   err_msg=f"{target} | {evidence} do {do}")


def test_flagship_matches_pgmpy_every_variable_every_scenario(flagship):
    for name in flagship.scenario_names():
        sc = flagship.spec.scenarios.get(name)
        given, do = (sc.observe, sc.do) if sc else ({}, {})
        ours = flagship.marginals(flagship.variables, given=given, do=do)
        for var in flagship.variables:
            np.testing.assert_allclose(ours[var], reference(flagship.network, var, given, do), atol=1e-9, rtol=0)


@pytest.mark.parametrize("first_above", [65536, 0])
def test_every_draw_matches_pgmpy_with_those_tables(first_above, monkeypatch):
    """Both layouts of drawn tables (class Draws): draws last (einsum along the draws) and, as for big
    networks, draws first (a matrix product per draw, contraction.Contraction)."""
    monkeypatch.setattr("bayes.inference.draws.FIRST_ABOVE", first_above)
    model = random_network(12, seed=7)
    net = CompiledNetwork.from_pgmpy(model)
    engine = Engine(net, chunk_size=2)  # several chunks, including a short last one
    rng = np.random.default_rng(0)
    n = 5
    tables = {}
    for i, v in enumerate(net.names[:8]):
        t = net.tables[i]
        tables[v] = rng.dirichlet(np.ones(t.shape[-1]), size=t.shape[:-1] + (n,)).swapaxes(-1, -2)
    queries = [Query.make("v11", {"v03": "s0"}), Query.make("v09", {"v10": "s1"}, {"v05": "s0"}), Query.make("v02")]
    draws = ArrayDraws(net, tables)
    assert draws.first == (first_above == 0)
    batch = engine.run(queries, draws)
    from pgmpy.factors.discrete import TabularCPD

    for d in range(n):
        drawn = model.copy()
        for v, arr in tables.items():
            old = drawn.get_cpds(v)
            values = np.moveaxis(arr[..., d], -1, 0).reshape(old.variable_card, -1)
            evidence = old.variables[1:]
            drawn.remove_cpds(old)
            drawn.add_cpds(TabularCPD(v, old.variable_card, values, evidence=evidence or None,
                                      evidence_card=[old.cardinality[k] for k in range(1, len(old.variables))] or None,
                                      state_names=old.state_names))
        for q, r in zip(queries, batch):
            expected = reference(drawn, q.target, dict(q.evidence), dict(q.do))
            np.testing.assert_allclose(r.probabilities[d], expected, atol=1e-9, rtol=0)


def test_sweep_equals_one_query_per_combination(flagship):
    engine = flagship.engine
    sweep = ("azerbaijan_alignment", "turkey_backing_of_baku", "armenia_csto_expectations")
    result = engine.run([Query.make("escalation", do={"outside_powers_challenge": "status_quo_respected"},
                                    sweep=sweep)])[0]
    assert result.probabilities.shape == (1, 2, 2, 2, 2)
    for combo in np.ndindex(2, 2, 2):
        evidence = {v: flagship.states(v)[i] for v, i in zip(sweep, combo)}
        expected = reference(flagship.network, "escalation", evidence, {"outside_powers_challenge": "status_quo_respected"})
        np.testing.assert_allclose(result.probabilities[(0, *combo)], expected, atol=1e-9, rtol=0)
    frame = engine.run([Query.make("escalation", sweep=sweep[:2])]).to_frame()
    assert list(frame.columns) == ["query", "variable", "draw", *sweep[:2], "state", "probability"]
    assert len(frame) == 2 * 2 * 2


def test_generated_draws_reproducible_and_chunk_independent(flagship):
    net = flagship.engine.net
    queries = [Query.make("escalation"), Query.make("russia_stance", {"escalation": "escalates_to_wider_war"})]
    a = Engine(net, chunk_size=4096).run(queries, dirichlet_draws(net, 10000, seed=3))
    b = Engine(net, chunk_size=8192 * 2).run(queries, dirichlet_draws(net, 10000, seed=3))
    c = Engine(net).run(queries, dirichlet_draws(net, 10000, seed=4))
    for ra, rb, rc in zip(a, b, c):
        np.testing.assert_array_equal(ra.probabilities, rb.probabilities)
        assert not np.allclose(ra.probabilities, rc.probabilities)
        np.testing.assert_allclose(ra.probabilities.sum(axis=-1), 1.0, atol=1e-12)
    # the draws scatter around the point estimate
    point = flagship.marginals(["escalation"])["escalation"]
    assert abs(a[0].probabilities.mean(axis=0)[1] - point[1]) < 0.01
    assert a[0].probabilities[:, 1].std() > 0.01
    summary = a.summary()
    row = summary[(summary["variable"] == "escalation") & (summary["state"] == "escalates_to_wider_war")].iloc[0]
    assert row["low"] < row["median"] < row["high"]
    assert row["mean"] == pytest.approx(a[0].probabilities[:, 1].mean())


def test_generated_draws_one_draw_each_block():
    net = CompiledNetwork.from_pgmpy(random_network(6, seed=9))
    draws = dirichlet_draws(net, 5000, seed=1)
    first = draws.chunk(0, 4096)
    again = draws.chunk(0, 4096 + 904)
    for i in first:
        np.testing.assert_array_equal(first[i], again[i][..., :4096])
    with pytest.raises(ValueError):
        draws.chunk(100, 200)
    assert isinstance(draws, GeneratedDraws)


def test_zero_probability_evidence_names_it(write_model):
    from tiny import TINY

    import bayes

    engine = bayes.load(write_model(TINY)).engine
    with pytest.raises(QueryError) as err:
        engine.run([Query.make("rain", {"sprinkler": "off", "wet_grass": "wet", "rain": "no"})])
    assert "sprinkler=off" in str(err.value) and "wet_grass=wet" in str(err.value) and "probability zero" in str(err.value)
    # in a sweep, the message names the impossible combination
    net = CompiledNetwork(["a", "b", "c"], [("x", "y"), ("x", "y"), ("x", "y")], [(), (0,), (0,)],
                          [np.array([0.5, 0.5]), np.array([[1.0, 0.0], [0.5, 0.5]]), np.array([[0.3, 0.7], [0.6, 0.4]])])
    with pytest.raises(QueryError, match=r"a=x, b=y"):
        Engine(net).run([Query.make("c", {"a": "x"}, sweep=("b",))])
    ok = Engine(net).run([Query.make("c", {"a": "y"}, sweep=("b",))])[0]
    np.testing.assert_allclose(ok.probabilities[0], [[0.6, 0.4], [0.6, 0.4]])


def test_no_pgmpy_import_on_the_query_path():
    import subprocess
    import sys

    code = ("import sys, bayes; m = bayes.load('caucasus_2020'); m.query('escalation'); m.scenarios(); m.check(); "
            "print('pgmpy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


def test_draws_beyond_the_memory_budget_are_one_line(bayes_cli, monkeypatch):
    """The answers of 40,000 draws of the flagship's claims take about 39 MB; a 10 MB budget refuses them
    before anything is allocated and says how many draws fit."""
    monkeypatch.setenv("BAYES_MEMORY_BUDGET", "10M")
    code, out, err = bayes_cli("check", "caucasus_2020", "--draws", "40000")
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "over the memory budget of 10.0 MiB" in err and "draws fit" in err
    fit = int(err.split("at most ")[1].split(" draws")[0].replace(",", ""))
    assert 5_000 < fit < 40_000
    assert bayes_cli("check", "caucasus_2020", "--draws", str(fit))[0] == 0


PLAN_SCRIPT = """
import sys
sys.path.insert(0, 'tests')
import bayes.inference.engine as e
from bayes.inference.network import CompiledNetwork
from bayes.inference.engine import Engine, Query
from bayes.exchange.synthetic import random_network
net = CompiledNetwork.from_pgmpy(random_network(60, max_parents=4, seed=5))
engine = Engine(net)
q = Query.make(net.names[-1], {net.names[3]: net.states[3][0], net.names[20]: net.states[20][1]})
prep = engine._prepare(q)
expr, _, _, _, largest, _ = engine._plan(prep, frozenset(), 1)
print(largest, expr)
"""


def test_plans_are_the_same_in_every_process():
    """Plan choice must not follow Python's hash seed (it once changed the largest intermediate 5-fold)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    plans = set()
    for seed in ("0", "1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        proc = subprocess.run([sys.executable, "-c", PLAN_SCRIPT], capture_output=True, text=True, env=env, cwd=root,
                              timeout=120)
        assert proc.returncode == 0, proc.stderr
        plans.add(proc.stdout)
    assert len(plans) == 1


def test_a_long_chain_is_planned_in_linear_time_and_answers_exactly():
    """A 3,000-variable chain (the contraction planner once took minutes on 5,000): the stationary answer."""
    from bayes.inference.network import CompiledNetwork
    from bayes.inference.engine import Engine, Query

    n = 3000
    names = [f"v{i}" for i in range(n)]
    step = np.array([[0.9, 0.1], [0.2, 0.8]])
    tables = [np.array([1.0, 0.0])] + [step] * (n - 1)
    net = CompiledNetwork(names, [("a", "b")] * n, [()] + [(i - 1,) for i in range(1, n)], tables)
    engine = Engine(net)
    (result,) = engine.run([Query.make(names[-1])])
    np.testing.assert_allclose(result.probabilities[0], [2 / 3, 1 / 3], atol=1e-12)
    (result,) = engine.run([Query.make(names[5], {names[-1]: "b"})])
    # by Bayes' rule with the 5-step and (n-6)-step transition matrices
    p5 = np.linalg.matrix_power(step, 5)[0]
    likelihood = np.linalg.matrix_power(step, n - 6)[:, 1]
    np.testing.assert_allclose(result.probabilities[0], p5 * likelihood / (p5 @ likelihood), atol=1e-12)


def test_a_question_too_big_for_memory_is_split_or_refused_in_one_line(bayes_cli, monkeypatch, flagship):
    """P(escalation | russia_stance) needs a table of 8 numbers. With room for 4 the question is split on a
    variable (cutset conditioning) and the cases add up to the same answer; where splitting is not allowed
    (or not enough) it cannot fit: one line. With room for one draw but not a chunk of them, the draws are split: same numbers."""
    expected = flagship.query("escalation", given={"russia_stance": "sides_with_armenia"})["probability"].to_numpy()
    monkeypatch.setenv("BAYES_MEMORY_BUDGET", "32")
    import bayes

    split = bayes.load("caucasus_2020")
    np.testing.assert_allclose(split.query("escalation", given={"russia_stance": "sides_with_armenia"})["probability"],
                               expected, atol=1e-14)
    prep = split.engine._prepare(Query.make("escalation", {"russia_stance": "sides_with_armenia"}))
    assert split.engine._plan(prep, frozenset(), 1)[5] is not None  # it was split
    monkeypatch.setattr("bayes.inference.engine.MAX_SPLITS", 1)  # no split allowed: the same question cannot fit
    code, out, err = bayes_cli("query", "caucasus_2020", "escalation", "--given", "russia_stance=sides_with_armenia")
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "exact inference for escalation needs a table of" in err and "too densely connected" in err
    monkeypatch.setattr("bayes.inference.engine.MAX_SPLITS", 4096)  # splits allowed, but no time to search them
    monkeypatch.setattr("bayes.inference.engine.CUTSET_SECONDS", -1.0)
    code, out, err = bayes_cli("query", "caucasus_2020", "escalation", "--given", "russia_stance=sides_with_armenia")
    assert code == 2 and "(searched for at most -1 s)" in err and "too densely connected" in err
    monkeypatch.setenv("BAYES_MEMORY_BUDGET", "400K")
    frame = bayes.load("caucasus_2020").query("escalation", draws=3000, seed=4)
    monkeypatch.delenv("BAYES_MEMORY_BUDGET")
    again = bayes.load("caucasus_2020").query("escalation", draws=3000, seed=4)
    np.testing.assert_allclose(frame[["mean", "lo90", "hi90"]].to_numpy(), again[["mean", "lo90", "hi90"]].to_numpy(),
                               atol=1e-12)


def test_draws_touch_only_the_tables_a_query_needs_and_agree_with_drawing_all(flagship):
    """A query about a root draws one table; its numbers equal those of a run that draws every table."""
    from bayes.inference.uncertainty import parameter_draws

    drawn = []
    draws = parameter_draws(flagship, 5000, seed=11)
    for i, sampler in list(draws.samplers.items()):
        draws.samplers[i] = lambda rng, m, i=i, s=sampler: (drawn.append(i), s(rng, m))[1]
    root = Query.make("azerbaijan_alignment")
    (alone,) = flagship.engine.run([root], draws)
    net = flagship.engine.net
    assert set(drawn) == {net.index["azerbaijan_alignment"]}
    together = flagship.engine.run([root, Query.make("escalation")], parameter_draws(flagship, 5000, seed=11))
    np.testing.assert_array_equal(alone.probabilities, together[0].probabilities)


def test_requisite_nodes_only_and_impossible_pruned_evidence_still_refused():
    """Chain a -> b -> c -> d: P(c | b, a) needs only c's table (a is d-separated by b, d is barren); the
    answer is c's row. Evidence a=x, b=y with P(b=y | a=x) = 0 is refused although a is pruned."""
    net = CompiledNetwork(["a", "b", "c", "d"], [("x", "y")] * 4, [(), (0,), (1,), (2,)],
                          [np.array([0.5, 0.5]), np.array([[1.0, 0.0], [0.3, 0.7]]),
                           np.array([[0.2, 0.8], [0.6, 0.4]]), np.array([[0.9, 0.1], [0.1, 0.9]])])
    engine = Engine(net)
    prep = engine._prepare(Query.make("c", {"b": "y", "a": "y"}))
    assert engine._requisite(prep) == [2]
    (r,) = engine.run([Query.make("c", {"b": "y", "a": "y"})])
    np.testing.assert_allclose(r.probabilities[0], [0.6, 0.4], atol=1e-15)
    # d observed: explaining away brings c's and d's tables in, not a's or b's (b is observed)
    prep = engine._prepare(Query.make("c", {"b": "y", "d": "x"}))
    assert engine._requisite(prep) == [2, 3]
    with pytest.raises(QueryError, match="probability zero"):
        engine.run([Query.make("c", {"a": "x", "b": "y"})])
    # b=y alone: a zero in b's row under a possible a, but a held at y (b=y: 0.7) is a witness that the pruned
    # evidence is possible, so the question keeps its pruning: c's row y (when no witness is found: below)
    prep = engine._prepare(Query.make("c", {"b": "y"}))
    assert engine._evidence_surely_possible(prep)
    (r,) = engine.run([Query.make("c", {"b": "y"})])
    np.testing.assert_allclose(r.probabilities[0], [0.6, 0.4], atol=1e-15)
    # the same impossible evidence inside a sweep is an answer of NaN, not an error
    (r,) = engine.run([Query.make("c", {"a": "x"}, sweep=("b",))], strict=False)
    assert np.isnan(r.probabilities[0, 1]).all() and np.allclose(r.probabilities[0, 0], [0.2, 0.8])
    # outside a sweep, strict=False answers NaN (evidence probability 0) where strict refuses
    (r,) = engine.run([Query.make("c", {"a": "x", "b": "y"})], strict=False)
    assert np.isnan(r.probabilities).all() and r.evidence_probability.tolist() == [0.0]
    # answers kept for a question asked again are kept apart by strictness: the NaN answer just kept is not
    # the strict one, which still refuses; asked again, each is given as first given, under its own label
    with pytest.raises(QueryError, match="probability zero"):
        engine.run([Query.make("c", {"a": "x", "b": "y"})])
    (r,) = engine.run([Query.make("c", {"a": "x", "b": "y"}, label="again")], strict=False)
    assert np.isnan(r.probabilities).all() and r.query.label == "again"
    (r, again) = engine.run([Query.make("c", {"a": "x", "b": "y"}, label="more"), Query.make("c", {"b": "y"})],
                            strict=False)  # (one answer kept, one not)
    assert np.isnan(r.probabilities).all() and r.query.label == "more"
    np.testing.assert_allclose(again.probabilities[0], [0.6, 0.4], atol=1e-15)
    for _ in range(2):  # a caller's change to an answer asked again stays in its result
        again.probabilities[:], again.evidence_probability[:] = 7.0, 7.0
        (again,) = engine.run([Query.make("c", {"b": "y"})], strict=False)
    np.testing.assert_allclose(again.probabilities[0], [0.6, 0.4], atol=1e-15)
    assert 0 < again.evidence_probability[0] < 1
    # given tables: only the draw whose b-table rules the evidence out has no answer (a's row x is
    # (1, 0) in the first draw, (0.5, 0.5) in the second, whose answer is c's row y)
    b_tables = np.stack([net.tables[1], np.array([[0.5, 0.5], [0.3, 0.7]])], axis=-1)
    (r,) = engine.run([Query.make("c", {"a": "x", "b": "y"})], ArrayDraws(net, {"b": b_tables}), strict=False)
    assert np.isnan(r.probabilities[0]).all()
    np.testing.assert_allclose(r.probabilities[1], [0.6, 0.4], atol=1e-15)


def test_evidence_possible_by_its_tables_skips_the_check_and_a_soft_report_can_still_rule_it_out():
    """P(evidence) > 0 needs no computation when each finding's state is possible under every possible parent
    configuration (here every table positive) and no soft report has a zero; a zero in a finding's row under a
    possible parent state (b=y impossible given a=x, and a is x for sure) or a soft report that rules out the
    only possible state of a pruned root falls back to the check, which refuses both. A zero under a parent
    state that cannot occur does not."""
    net = CompiledNetwork(["a", "b", "c"], [("x", "y")] * 3, [(), (0,), ()],
                          [np.array([1.0, 0.0]), np.array([[0.6, 0.4], [0.3, 0.7]]), np.array([0.3, 0.7])])
    engine = Engine(net)
    assert engine._evidence_surely_possible(engine._prepare(Query.make("c", {"b": "y"})))
    assert not engine._evidence_surely_possible(engine._prepare(Query.make("c", {"b": "y"}, soft={"a": [0.0, 1.0]})))
    with pytest.raises(QueryError, match="the soft report on a has probability zero"):
        engine.run([Query.make("c", {"b": "y"}, soft={"a": [0.0, 1.0]})])
    (r,) = engine.run([Query.make("c", {"b": "y"}, soft={"a": [0.5, 1.0]})])
    np.testing.assert_allclose(r.probabilities[0], [0.3, 0.7], atol=1e-15)  # c is independent of a and b
    net.tables[1] = np.array([[1.0, 0.0], [0.3, 0.7]])
    engine = Engine(net)
    assert not engine._evidence_surely_possible(engine._prepare(Query.make("c", {"b": "y"})))
    with pytest.raises(QueryError, match="b=y has probability zero"):
        engine.run([Query.make("c", {"b": "y"})])
    # a zero under a parent state that cannot occur (a is x for sure) does not stop the shortcut
    net.tables[1] = np.array([[0.6, 0.4], [1.0, 0.0]])
    engine = Engine(net)
    assert engine._evidence_surely_possible(engine._prepare(Query.make("c", {"b": "y"})))
    # nor does one under a parent state the evidence holds elsewhere: a=y observed rules b=y out
    assert not engine._evidence_surely_possible(engine._prepare(Query.make("c", {"a": "y", "b": "y"})))
    with pytest.raises(QueryError, match="probability zero"):
        engine.run([Query.make("c", {"a": "y", "b": "y"})])


@pytest.mark.parametrize("seed", [8, 15])
def test_split_questions_give_the_same_answers_on_random_networks(seed, monkeypatch):
    """Cutset conditioning on generated networks (30 variables, up to 5 parents, 3-4 states; at these seeds
    the best elimination order found needs a table bigger than any input table): with a budget of a quarter of
    that, the question is split, and the point estimate and 200 draws come out the same to 1e-12."""
    from bayes.inference.draws import dirichlet_draws

    net = CompiledNetwork.from_pgmpy(random_network(30, max_parents=5, min_states=3, max_states=4, seed=seed))
    query = Query.make(net.names[-1])
    whole = Engine(net)
    expected = whole.run([query])[0].probabilities
    expected_draws = whole.run([query], dirichlet_draws(net, 200, seed=seed))[0].probabilities
    prep = whole._prepare(query)
    largest = whole._plan_size({**prep, "relevant": tuple(whole._requisite(prep))})[0]  # the best order's
    assert largest > max(t.size for t in net.tables)
    monkeypatch.setenv("BAYES_MEMORY_BUDGET", str(8 * largest // 4))
    split = Engine(net)
    condition = split._plan(split._prepare(query), frozenset(), 1)[5]
    assert condition  # split on at least one variable
    np.testing.assert_allclose(split.run([query])[0].probabilities, expected, atol=1e-12)
    np.testing.assert_allclose(split.run([query], dirichlet_draws(net, 200, seed=seed))[0].probabilities,
                               expected_draws, atol=1e-12)


@pytest.mark.parametrize("concentration", [50.0, 0.002])
def test_arrays_handed_back_are_refilled_with_the_same_draws(concentration, monkeypatch):
    """Draws first, a block's arrays handed back (recycle) are reused by later blocks, which write only
    their drawn entries: every block equals the same block drawn into fresh arrays, zeros, point-mass rows
    (written once) and dense tables included; at concentration 0.002 some rows' variates all underflow and
    are drawn again row by row (DirichletRows), and still match. Compact draws of the sparse table (its
    positive entries only) are the same numbers at its positive entries."""
    monkeypatch.setattr("bayes.inference.draws.SPARSE_SIZE", 0)  # the 2,430-number table counts as big
    monkeypatch.setattr("bayes.inference.draws.SPARSE_SHARE", 1.0)
    rng = np.random.default_rng(11)
    sparse = rng.dirichlet(np.full(30, 0.3), size=(9, 9))
    sparse[sparse < 0.03] = 0.0
    sparse[0, 0] = np.eye(30)[4]
    sparse /= sparse.sum(axis=-1, keepdims=True)
    tables = [np.full(9, 1 / 9), rng.dirichlet(np.ones(9), size=9), sparse]
    net = CompiledNetwork(["a", "b", "c"], [tuple(f"s{k}" for k in range(9))] * 2 + [tuple(f"t{k}" for k in range(30))],
                          [(), (0,), (0, 1)], tables)

    def made(recycled: bool):
        draws = dirichlet_draws(net, 40, concentration, seed=3)
        draws.first, draws.block = True, 8  # as for a big network, in blocks of 8 draws
        blocks = []
        for start, stop in draws.spans():
            chunk = draws.chunk(start, stop)
            blocks.append({i: a.copy() for i, a in chunk.items()})
            if recycled:
                draws.recycle(chunk)
        return blocks, draws

    fresh, _ = made(False)
    reused, draws = made(True)
    assert draws.refills == {0, 1, 2} and all(draws._spare[(i, 8)] for i in range(3))
    for a, b in zip(fresh, reused):
        for i in a:
            np.testing.assert_array_equal(a[i], b[i])
    assert np.all(reused[-1][2][:, sparse == 0] == 0) and np.all(reused[-1][2][:, 0, 0, 4] == 1)
    np.testing.assert_allclose(reused[-1][2].sum(axis=-1), 1.0, atol=1e-12)
    assert set(draws.compact_samplers) == {2}  # the dense tables are never compact
    positive = np.count_nonzero(sparse, axis=-1)
    for (start, stop), block in zip(draws.spans(), fresh):
        compact = draws.chunk(start, stop, compact={2})[2]
        assert compact.pattern.size == np.count_nonzero(sparse)
        assert compact.drawn == positive[positive > 1].sum()  # the point-mass rows' ones come last
        np.testing.assert_array_equal(compact.dense(), block[2])
        # spread out into an array of an earlier block (engine: a compact table no plan multiplies as it is):
        # only its drawn entries are written, and it holds the same numbers
        spare = len(draws._spare[(2, 8)])
        spread = draws.spread({2: compact})[2]
        assert len(draws._spare[(2, 8)]) == spare - 1
        np.testing.assert_array_equal(spread, block[2])
        draws.recycle({2: spread})


@pytest.mark.parametrize("mode", ["plain", "searched", "compact"])
def test_big_tables_are_drawn_draws_first_and_each_draw_is_exact(mode, monkeypatch):
    """A table of 3 parents of 12 states and 40 states (69,120 numbers, mostly structural zeros, as in
    bnlearn's mildew): its draws are laid out draws first, zeros stay zero, and every draw's answer, with
    and without evidence, equals a point query on that draw's tables. `searched`: every drawn question's
    plan also goes through the bounded optimal search (planning.optimal_path), as mildew's does.
    `compact`: the big table is drawn as its positive entries only and multiplied so wherever a plan can
    (contraction.Contraction), spread out where evidence fixes one of its variables."""
    import bayes.inference.engine as engine_module

    searched = mode == "searched"
    compact_products = []
    if mode == "compact":
        from bayes.inference.contraction import Contraction

        monkeypatch.setattr("bayes.inference.draws.SPARSE_SHARE", 1.0)
        monkeypatch.setattr("bayes.inference.contraction.COMPACT_WORTH", 0)
        real_product = Contraction._compact_product
        monkeypatch.setattr(Contraction, "_compact_product",
                            staticmethod(lambda *a: compact_products.append(1) or real_product(*a)))
    searches = []
    if searched:
        real = engine_module.optimal_path
        monkeypatch.setattr(engine_module, "SEARCH_WORTH", 0)
        monkeypatch.setattr(engine_module, "optimal_path", lambda *a, **k: searches.append(real(*a, **k)) or searches[-1])
    rng = np.random.default_rng(3)
    big = rng.dirichlet(np.full(40, 0.3), size=(12, 12, 12))
    big[big < 0.02] = 0.0
    big[0, 0, 0] = np.eye(40)[5]  # a row with one positive entry stays a point mass
    big /= big.sum(axis=-1, keepdims=True)
    states12 = tuple(f"s{k}" for k in range(12))
    tables = [np.full(12, 1 / 12), rng.dirichlet(np.ones(12), size=12), rng.dirichlet(np.ones(12), size=12), big,
              rng.dirichlet(np.ones(3), size=40)]
    net = CompiledNetwork(["a", "b", "c", "big", "leaf"], [states12] * 3 + [tuple(f"t{k}" for k in range(40)),
                                                                          ("x", "y", "z")],
                          [(), (0,), (1,), (0, 1, 2), (3,)], tables)
    draws = dirichlet_draws(net, 40, seed=5)
    assert draws.first and draws.block < 256
    draws.block = 8  # five blocks: later ones refill (or spread compact tables into) arrays handed back
    chunk = draws.chunk(0, 40)
    assert chunk[3].shape == (40, 12, 12, 12, 40)
    assert np.all(chunk[3][:, big == 0] == 0) and np.all(chunk[3][:, 0, 0, 0, 5] == 1)
    np.testing.assert_allclose(chunk[3].sum(axis=-1), 1.0, atol=1e-12)
    queries = [Query.make("leaf"), Query.make("big", {"leaf": "y"}), Query.make("a", {"leaf": "z", "c": "s3"}),
               Query.make("c", {"leaf": "x"})]
    engine = Engine(net)
    batch = engine.run(queries, draws)
    for d in (0, 17, 39):
        point = Engine(CompiledNetwork(net.names, net.states, net.parents,
                                       [chunk[i][d] if i in chunk else t for i, t in enumerate(tables)]))
        for q, r in zip(queries, batch):
            np.testing.assert_allclose(r.probabilities[d], point.run([q])[0].probabilities[0], atol=1e-12, rtol=0)
    # the searched path is cheaper for 'leaf' (71,112 multiplications against min-fill's 75,144) and is used
    assert any(path in searches for path, _ in engine._paths.values()) == searched
    if mode == "compact":  # 'c | leaf' multiplies it as it is; 'a | c' spreads it out (c fixed)
        assert engine._taken_compact([engine._prepare(q) for q in queries], draws) == {3}
        assert len(compact_products) >= 5  # in each of the five blocks, as drawn, not spread out first
    else:
        assert not compact_products


def test_a_split_too_slow_to_finish_and_running_out_of_memory_are_one_line(monkeypatch, flagship):
    """Split into cases that would take too long: refused in one line naming the work. A MemoryError from
    the machine becomes a one-line QueryError naming the table size and the budget."""
    monkeypatch.setenv("BAYES_MEMORY_BUDGET", "32")
    monkeypatch.setattr("bayes.inference.engine.MAX_WORK", 1)
    engine = Engine(flagship.engine.net)
    with pytest.raises(QueryError) as info:
        engine.run([Query.make("escalation", {"russia_stance": "sides_with_armenia"})])
    assert "split into" in str(info.value) and "multiplications" in str(info.value)
    assert "\n" not in str(info.value)
    monkeypatch.delenv("BAYES_MEMORY_BUDGET")

    def out_of_memory(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(Engine, "_run_chunks", out_of_memory)
    with pytest.raises(QueryError) as info:
        Engine(flagship.engine.net).run([Query.make("escalation")], dirichlet_draws(flagship.engine.net, 10, seed=1))
    assert "ran out of memory" in str(info.value) and "MiB per draw" in str(info.value)


def test_the_memory_budget_follows_a_memory_cap():
    """Under `ulimit -v` (here 3 GiB) the default budget is a quarter of the cap, not 1 GiB."""
    import subprocess
    import sys

    script = ("import resource; resource.setrlimit(resource.RLIMIT_AS, (3 * 2 ** 30, resource.RLIM_INFINITY)); "
              "from bayes.inference.memory import memory_budget; print(memory_budget())")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                         env={k: v for k, v in __import__("os").environ.items() if k != "BAYES_MEMORY_BUDGET"})
    assert out.returncode == 0, out.stderr
    limits = [3 * 2 ** 30, os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")] + _cgroup_limit()
    assert int(out.stdout) == min(2 ** 30, min(limits) // 4)  # docs: 1 GiB or a quarter of what may be used


def _cgroup_limit() -> list[int]:
    try:
        text = Path("/sys/fs/cgroup/memory.max").read_text().strip()
    except OSError:
        return []
    return [int(text)] if text.isdigit() else []


def test_the_memory_budget_is_read_when_asked(monkeypatch):
    """An explicit budget is taken as written, and the machine's limits are read at each call (a process
    that lowers its own limit gets a smaller budget at once)."""
    from bayes.inference import memory

    monkeypatch.setenv("BAYES_MEMORY_BUDGET", "4G")
    assert memory.memory_budget() == 4 * 2 ** 30
    monkeypatch.setenv("BAYES_MEMORY_BUDGET", "500M")
    assert memory.memory_budget() == 500 * 2 ** 20
    monkeypatch.delenv("BAYES_MEMORY_BUDGET")
    real = os.sysconf
    monkeypatch.setattr(os, "sysconf", lambda name: {"SC_PAGE_SIZE": 4096, "SC_PHYS_PAGES": 10_000}.get(name) or
                        real(name))
    assert memory.memory_budget() == 4096 * 10_000 // 4


def test_sweeps_soft_evidence_and_interventions_in_both_draw_layouts(monkeypatch):
    """Each draw of a sweep with soft evidence under an intervention equals point queries on that draw's
    tables, one per swept state, whether the draws are laid out last or first."""
    model = random_network(10, seed=4)
    net = CompiledNetwork.from_pgmpy(model)
    rng = np.random.default_rng(2)
    n = 6
    tables = {v: rng.dirichlet(np.ones(net.tables[i].shape[-1]), size=net.tables[i].shape[:-1] + (n,)).swapaxes(-1, -2)
              for i, v in enumerate(net.names)}
    target, swept, soft_var, forced = net.names[9], net.names[6], net.names[7], net.names[2]
    soft = {soft_var: [0.2 + 0.3 * k for k in range(net.cards[net.index[soft_var]])]}
    query = Query.make(target, do={forced: net.states[net.index[forced]][0]}, sweep=(swept,), soft=soft)
    answers = {}
    for first_above in (65536, 0):
        monkeypatch.setattr("bayes.inference.draws.FIRST_ABOVE", first_above)
        draws = ArrayDraws(net, tables)
        assert draws.first == (first_above == 0)
        answers[first_above] = Engine(net, chunk_size=4).run([query], draws)[0].probabilities
    np.testing.assert_allclose(answers[0], answers[65536], atol=1e-13, rtol=0)
    for d in range(n):
        point = Engine(CompiledNetwork(net.names, net.states, net.parents, [tables[v][..., d] for v in net.names]))
        for k, state in enumerate(net.states[net.index[swept]]):
            single = Query.make(target, {swept: state}, {forced: net.states[net.index[forced]][0]}, soft=soft)
            np.testing.assert_allclose(answers[0][d, k], point.run([single])[0].probabilities[0], atol=1e-12, rtol=0)


def test_small_concentrations_never_draw_an_empty_row_and_say_which_draws_rule_evidence_out():
    """Concentration 0.005: every gamma variate of a row can underflow to 0, which made the row 0/0; such
    rows are drawn again (numpy's Dirichlet), so no table holds NaN and every row sums to 1. Evidence that
    some drawn tables rule out is named as such, with the count, not as impossible in the model."""
    net = CompiledNetwork(["A", "B"], [("a0", "a1", "a2"), ("b0", "b1")], [(), (0,)],
                          [np.array([0.2, 0.3, 0.5]), np.array([[0.9, 0.1], [0.5, 0.5], [0.2, 0.8]])])
    for first in (False, True):
        draws = GeneratedDraws(2000, dirichlet_draws(net, 1, concentration=0.005).samplers, {0: (3,), 1: (3, 2)},
                               seed=1, first=first,
                               first_samplers=dirichlet_draws(net, 1, concentration=0.005).first_samplers)
        for i, a in draws.chunk(0, 2000).items():
            assert not np.isnan(a).any()
            np.testing.assert_allclose(a.sum(axis=-1 if first else -2), 1.0, atol=1e-12)
    with pytest.raises(QueryError) as info:
        Engine(net).run([Query.make("A", {"B": "b1"})], dirichlet_draws(net, 2000, concentration=0.005, seed=1))
    assert "parameter draws (the point estimate allows it)" in str(info.value)
    assert "in the model" not in str(info.value)


def test_many_impossible_findings_make_a_short_message():
    """400 findings: the message names six and counts the rest, and says a probability below 1e-308 cannot
    be told from zero."""
    rng = np.random.default_rng(0)
    n = 400
    names = ["R"] + [f"c{k}" for k in range(n)]
    tables = [np.array([0.2, 0.3, 0.5])] + [rng.dirichlet(np.ones(8), size=3) for _ in range(n)]
    net = CompiledNetwork(names, [("r0", "r1", "r2")] + [tuple(f"s{j}" for j in range(8))] * n,
                          [()] + [(0,)] * n, tables)
    evidence = {f"c{k}": f"s{int(rng.integers(8))}" for k in range(n)}
    with pytest.raises(QueryError) as info:
        Engine(net).run([Query.make("R", evidence)])
    message = str(info.value)
    assert "and 394 more findings" in message and "below 1e-308" in message and len(message) < 500


def test_a_repeated_point_question_is_answered_from_the_cache_with_the_same_numbers(write_model):
    """The sprinkler's P(wet) = 0.44838 by hand (tests/tiny.py), asked twice: the second answer is the
    cached one (the planner is not consulted again), equal to the hand value, and a caller changing the
    arrays it was given does not change the next answer. Draws and labels do not share the cache."""
    from tiny import P_RAIN_GIVEN_WET, P_WET, TINY

    import bayes

    model = bayes.load(write_model(TINY))
    engine = model.engine
    questions = [Query.make("wet_grass"), Query.make("rain", {"wet_grass": "wet"}, label="why")]
    first = engine.run(questions)
    calls = []
    engine._prepared = lambda q, real=engine._prepared: calls.append(q) or real(q)
    second = engine.run([Query.make("wet_grass", label="again"), Query.make("rain", {"wet_grass": "wet"})])
    assert calls == []
    assert second.results[0].probabilities[0, 1] == pytest.approx(P_WET, abs=1e-12)
    assert second.results[1].probabilities[0, 1] == pytest.approx(P_RAIN_GIVEN_WET, abs=1e-12)
    assert second.results[0].query.label == "again" and first.results[1].query.label == "why"
    second.results[0].probabilities[...] = 7.0
    assert engine.run([Query.make("wet_grass")]).results[0].probabilities[0, 1] == pytest.approx(P_WET, abs=1e-12)
    engine.run([Query.make("wet_grass")], draws=dirichlet_draws(engine.net, 3, seed=1))
    assert calls  # draws are computed, never cached
    # a question's hash is kept on it, but not pickled (string hashes differ between processes)
    import pickle

    asked = Query.make("rain", {"wet_grass": "wet"})
    assert hash(asked) == hash(Query.make("rain", {"wet_grass": "wet"})) and "_hash" in vars(asked)
    again = pickle.loads(pickle.dumps(asked))
    assert "_hash" not in vars(again) and again == asked and hash(again) == hash(asked)
    assert hash(Query.make("rain", {"wet_grass": "dry"})) != hash(asked)


def test_a_table_far_beyond_what_splitting_can_save_is_refused_without_a_search(monkeypatch):
    """A question whose best order needs a table more than BEYOND_SPLITTING x MAX_SPLITS times the budget is
    refused at once, the search for splits never run: here the budget holds 100 numbers and MAX_SPLITS x
    BEYOND_SPLITTING = 8, and seed 8's question (see above) needs thousands; with the factor raised to that
    table's size, the same question is within reach of a split and the search runs."""
    import bayes.inference.engine as engine_module

    net = CompiledNetwork.from_pgmpy(random_network(30, max_parents=5, min_states=3, max_states=4, seed=8))
    monkeypatch.setenv("BAYES_MEMORY_BUDGET", "800")
    monkeypatch.setattr(engine_module, "MAX_SPLITS", 4)
    monkeypatch.setattr(engine_module, "BEYOND_SPLITTING", 2)
    monkeypatch.setattr(Engine, "_conditioning", lambda *a: pytest.fail("searched for splits"))
    engine = Engine(net)
    prep = engine._prepare(Query.make(net.names[-1]))
    largest = engine._plan_size({**prep, "relevant": tuple(engine._requisite(prep))})[0]
    assert largest > 100 * 4 * 2
    with pytest.raises(QueryError, match="over 8 times the memory budget of 800 bytes: splitting into 4 cases"):
        engine.run([Query.make(net.names[-1])])
    monkeypatch.setattr(engine_module, "BEYOND_SPLITTING", largest)  # within reach of a split: searched
    with pytest.raises(pytest.fail.Exception, match="searched for splits"):
        Engine(net).run([Query.make(net.names[-1])])


def test_states_positive_under_every_parent_configuration_by_brute_force():
    """CompiledNetwork.positive_everywhere (the shortcut that proves a finding possible without a walk)
    against a loop over every parent configuration, on tables with zeros; a replaced table is looked at
    afresh."""
    import itertools

    rng = np.random.default_rng(5)
    for _ in range(60):
        shape = tuple(int(k) for k in rng.integers(1, 4, size=int(rng.integers(0, 3)))) + (int(rng.integers(2, 4)),)
        table = rng.random(shape) * (rng.random(shape) > 0.15)
        net = CompiledNetwork(["v"], [tuple(f"s{k}" for k in range(shape[-1]))], [()], [table])
        expected = tuple(all(table[config + (s,)] > 0 for config in itertools.product(*map(range, shape[:-1])))
                         for s in range(shape[-1]))
        assert net.positive_everywhere(0) == expected
        assert net.smallest_positive(0) == (min(x for x in table.flat if x > 0) if (table > 0).any() else 1.0)
        net.tables[0] = np.ones(shape)
        assert net.positive_everywhere(0) == (True,) * shape[-1]


def test_a_small_question_is_not_asked_whole_where_its_products_could_underflow():
    """Asking a small question whole multiplies in findings pruning would leave out; with P(x=a) = P(y=a) =
    1e-200 their product (1e-400) would underflow to zero and refuse a possible question (1e-160: lose
    digits). Such a question keeps its pruning: t depends on x alone, so P(t | x=a, y=a) is t's row for x=a."""
    for tiny in (1e-200, 1e-160, 1e-100):
        net = CompiledNetwork(["x", "y", "t"], [("a", "b")] * 3, [(), (), (0,)],
                              [np.array([tiny, 1 - tiny]), np.array([tiny, 1 - tiny]),
                               np.array([[0.3, 0.7], [0.5, 0.5]])])
        for strict in (True, False):
            (r,) = Engine(net).run([Query.make("t", {"x": "a", "y": "a"})], strict=strict)
            np.testing.assert_allclose(r.probabilities[0], [0.3, 0.7], rtol=1e-14)
        assert net.smallest_positive(0) == tiny and net.smallest_positive(2) == 0.3


def test_findings_impossible_whatever_the_swept_states_are_refused_in_one_line_under_draws():
    """x=a is impossible (P = 0) and pruned from P(t | x=a) swept over s: with draws given, the refusal names
    the findings (no swept state to name: every one is ruled out alike) instead of failing to find one."""
    from bayes.inference.draws import ArrayDraws

    net = CompiledNetwork(["x", "t", "s"], [("a", "b")] * 3, [(), (), (1,)],
                          [np.array([0.0, 1.0]), np.array([0.4, 0.6]), np.array([[0.3, 0.7], [0.5, 0.5]])])
    query = Query.make("t", {"x": "a"}, sweep=("s",))
    for draws in (None, ArrayDraws(net, {"t": np.repeat(net.tables[1][..., None], 3, axis=-1)})):
        with pytest.raises(QueryError, match=r"the evidence x=a(, s=a)? has probability zero"):
            Engine(net).run([query], draws)


@pytest.mark.parametrize("own_buckets", [True, False])
def test_questions_the_models_order_fits_badly_are_eliminated_in_their_own_order(own_buckets, monkeypatch):
    """Where the model's elimination order makes a point question's buckets too big (findings prune the network
    into another graph), the question is eliminated bucket by bucket in its own min-fill order; where those
    buckets are too big as well (`own_buckets` False), it is planned afresh as pairwise products, min-fill's
    order worked out once. Either way the answers equal pgmpy's."""
    import bayes.inference.engine as engine_module
    import bayes.inference.planning as planning
    from bayes.inference.contraction import Contraction

    real_build, real_order = planning.Buckets.build.__func__, planning.elimination_order
    tried, orders = [], []

    def build(cls, terms, out, sizes, order, most=planning.SMALL_BUCKET):
        tried.append(most)
        if most == planning.SMALL_BUCKET:  # the model's order: its buckets taken as too big
            return None
        return real_build(cls, terms, out, sizes, order, most)

    def order(terms, out, sizes, heuristic):
        orders.append((heuristic, tuple(terms), out))
        return real_order(terms, out, sizes, heuristic)

    monkeypatch.setattr(planning.Buckets, "build", classmethod(build))
    monkeypatch.setattr(planning, "elimination_order", order)
    monkeypatch.setattr(engine_module, "elimination_order", order)
    if not own_buckets:
        monkeypatch.setattr(engine_module, "QUESTION_BUCKET", 1)
    model = random_network(25, seed=3)
    net = CompiledNetwork.from_pgmpy(model)
    rng = np.random.default_rng(11)
    products = 0
    for target, evidence, do in random_queries(model, rng, 12):
        engine = Engine(net)
        tried.clear()
        orders.clear()
        ours = engine.marginals([target], evidence, do)[target]
        np.testing.assert_allclose(ours, reference(model, target, evidence, do), atol=1e-9, rtol=0,
                                   err_msg=f"{target} | {evidence} do {do}")
        plans = [p[0] for p in engine._plans.values() if isinstance(p, tuple) and p[0] is not None]
        if not plans:  # nothing to multiply (the target forced)
            continue
        if tried[:1] == [planning.SMALL_BUCKET]:  # the model's order was tried: its own order next
            assert tried[1:2] == [1 if not own_buckets else planning.QUESTION_BUCKET]
        assert len(set(orders)) == len(orders)  # no question's order worked out twice
        if own_buckets:
            assert all(isinstance(p, planning.Buckets) for p in plans)
        elif len(tried) > 1:  # pairwise products, but for a question small enough to be one einsum
            assert orders[0][0] == "min_fill"
            assert all(isinstance(p, Contraction) or p.largest <= planning.DIRECT_BUCKET for p in plans)
            products += sum(isinstance(p, Contraction) for p in plans)
    assert own_buckets or products >= 3


def _zeros_network(rng, n: int, tree: bool) -> CompiledNetwork:
    """n variables of 2-3 states, each with up to two earlier parents (one, for a tree), tables with zeros."""
    cards = [int(rng.integers(2, 4)) for _ in range(n)]
    parents = []
    for v in range(n):
        k = 0 if v == 0 else int(rng.integers(0, 2 if tree else 3))
        parents.append(tuple(sorted(rng.choice(v, size=min(k, v), replace=False).tolist())) if k else ())
    tables = []
    for v in range(n):
        shape = tuple(cards[p] for p in parents[v]) + (cards[v],)
        table = rng.random(shape) * (rng.random(shape) > 0.4)
        table[..., 0] += (table.sum(axis=-1) == 0)  # no row all zeros
        tables.append(table / table.sum(axis=-1, keepdims=True))
    return CompiledNetwork([f"v{k}" for k in range(n)], [tuple(f"s{j}" for j in range(c)) for c in cards], parents,
                           tables)


def test_possible_states_against_the_joint_by_brute_force():
    """CompiledNetwork.possible_states (what the walk proving findings possible starts from) against the
    marginals of the full joint: a state with positive probability is never ruled out, and on trees (one parent
    each, so parents' states are never ruled out jointly) the possible states are exactly those; a replaced
    table is looked at afresh, its descendants too."""
    from opt_einsum import get_symbol

    rng = np.random.default_rng(8)
    for case in range(60):
        tree = case % 2 == 0
        net = _zeros_network(rng, int(rng.integers(2, 8)), tree)
        for replaced in (False, True):
            if replaced:  # a root's table now rules its first state out
                root = np.zeros(net.cards[0])
                root[1:] = 1.0 / (net.cards[0] - 1)
                net.tables[0] = root
            terms = ["".join(get_symbol(u) for u in (*net.parents[v], v)) for v in range(len(net.names))]
            for v in range(len(net.names)):
                marginal = np.einsum(",".join(terms) + "->" + get_symbol(v), *net.tables)
                possible = net.possible_states(v)
                assert possible[marginal > 0].all(), (case, v)
                if tree:
                    np.testing.assert_array_equal(possible, marginal > 0)


def test_a_finding_ruled_out_below_a_forced_state_the_model_never_takes_is_refused():
    """x is never b, z copies x (whatever u, of 5,000 states: too many to ask the question whole) and y copies
    z: forced to b, x makes y = a impossible, though y = a is all the model allows when nothing is forced. The
    walk that proves findings possible starts from what the model allows (possible_states) only above findings
    and forced variables: this question about w, which y does not bear on, is refused, and y = b under the same
    intervention is answered."""
    identity = np.eye(2)
    net = CompiledNetwork(["w", "x", "u", "z", "y"], [("a", "b"), ("a", "b"), tuple(f"u{k}" for k in range(5000)),
                                                       ("a", "b"), ("a", "b")], [(), (), (), (1, 2), (3,)],
                          [np.array([0.3, 0.7]), np.array([1.0, 0.0]), np.full(5000, 1 / 5000),
                           np.repeat(identity[:, None, :], 5000, axis=1), identity])
    with pytest.raises(QueryError, match="probability zero"):
        Engine(net).run([Query.make("w", {"y": "a"}, {"x": "b"})])
    (r,) = Engine(net).run([Query.make("w", {"y": "b"}, {"x": "b"})])
    np.testing.assert_allclose(r.probabilities[0], [0.3, 0.7])


def test_findings_no_witness_shows_possible_are_asked_whole_or_refused():
    """p and q copy a; b = y is allowed only where p and q differ (0.9), which never happens, or where both are y
    (0.1). The likeliest witness (p = x, q = y) fails, so P(b = y) is computed: the question about c (whose other
    parent u has 5,000 states: too many to ask it whole anyway) is asked over every ancestor of the evidence,
    c's row y with P(b = y) = 0.5 x 0.1 by hand. Where b = y is allowed only where p and q differ, it is
    impossible and refused, though b's table alone allows it."""
    copy, half = np.eye(2), np.array([0.5, 0.5])
    c_given_bu = np.repeat(np.array([[0.2, 0.8], [0.6, 0.4]])[:, None, :], 5000, axis=1)
    for allowed, possible in (([[0.0, 0.9], [0.0, 0.1]], True), ([[0.0, 0.9], [0.9, 0.0]], False)):
        b_given_pq = np.stack([1 - np.array(allowed), np.array(allowed)], axis=-1)
        net = CompiledNetwork(["a", "p", "q", "b", "u", "c"], [("x", "y")] * 4 + [tuple(map(str, range(5000))), ("x", "y")],
                              [(), (0,), (0,), (1, 2), (), (3, 4)],
                              [half, copy, copy, b_given_pq, np.full(5000, 1 / 5000), c_given_bu])
        engine = Engine(net)
        prep = engine._prepare(Query.make("c", {"b": "y"}))
        assert not engine._evidence_surely_possible(prep)
        if possible:
            assert engine._with_all_evidence(prep)["prune"] is False
            (r,) = engine.run([Query.make("c", {"b": "y"})])
            np.testing.assert_allclose(r.probabilities[0], [0.6, 0.4], atol=1e-15)
            np.testing.assert_allclose(r.evidence_probability, [0.5 * 0.1], rtol=1e-12)  # (summed over 5,000 u)
        else:
            with pytest.raises(QueryError, match="probability zero"):
                engine.run([Query.make("c", {"b": "y"})])


def test_findings_shown_possible_have_positive_probability_by_brute_force():
    """possible.surely_possible (the walk, with witnesses) never says True for findings of probability zero:
    random networks full of zeros, 1-3 findings and up to one forced variable, against the mutilated joint;
    and it says True for nearly all possible ones (else it saves nothing)."""
    from opt_einsum import get_symbol

    from bayes.inference.possible import surely_possible

    rng = np.random.default_rng(12)
    shown = possible_count = 0
    for case in range(150):
        net = _zeros_network(rng, int(rng.integers(3, 8)), tree=case % 3 == 0)
        n = len(net.names)
        chosen = rng.choice(n, size=min(n, int(rng.integers(1, 5))), replace=False).tolist()
        do = {chosen[0]: int(rng.integers(net.cards[chosen[0]]))} if case % 2 and len(chosen) > 1 else {}
        ev = {v: int(rng.integers(net.cards[v])) for v in chosen if v not in do}
        tables = [net.tables[v] if v not in do else np.eye(net.cards[v])[do[v]] for v in range(n)]
        terms = ["".join(get_symbol(u) for u in ((*net.parents[v], v) if v not in do else (v,))) for v in range(n)]
        joint = np.einsum(",".join(terms) + "->" + "".join(get_symbol(v) for v in range(n)), *tables)
        p_findings = joint[tuple(ev.get(v, slice(None)) for v in range(n))].sum()
        verdict = surely_possible(net, ev, do, {})
        assert not verdict or p_findings > 0, (case, ev, do)
        possible_count += p_findings > 0
        shown += verdict
    assert shown >= 0.9 * possible_count  # 70 of 71 here; 55 without witnesses


@pytest.mark.parametrize("states,everywhere", [(2, False), (40, False), (2, True), (40, True)])
def test_a_walk_is_tried_only_where_the_pruned_tables_are_big(states, everywhere, monkeypatch):
    """t <- x -> y -> z with a finding on z and x: pruning leaves out y's and z's tables (x observed blocks
    them from t). Where z = s1 is ruled out under y = s0, small tables (2 states: 4 numbers each) are
    multiplied, the question asked whole, no walk; big ones (40 states: 1,600 numbers each, over WALK_WORTH per
    table) are proven possible by a walk and left out. Where z = s1 is positive under every y (`everywhere`),
    the findings are possible with no walk and no whole question, whatever the size. The answer is t's row
    under x either way."""
    import bayes.inference.engine as engine_module
    import bayes.inference.possible as possible_module

    asked, walks = [], []
    real, real_walk = engine_module.surely_possible, possible_module._walk
    monkeypatch.setattr(engine_module, "surely_possible", lambda *a: asked.append(1) or real(*a))
    monkeypatch.setattr(possible_module, "_walk", lambda *a: walks.append(1) or real_walk(*a))
    rng = np.random.default_rng(states)
    card = [states, states, states, 2]
    parents = [(), (0,), (1,), (0,)]
    tables = [rng.dirichlet(np.ones(card[v]), size=tuple(card[p] for p in parents[v])) if parents[v]
              else rng.dirichlet(np.ones(card[v])) for v in range(4)]
    if not everywhere:
        tables[2][0, 1] = 0.0  # z = s1 ruled out under y = s0: shown possible by a walk or by asking whole
        tables[2] /= tables[2].sum(axis=-1, keepdims=True)
    names = ["x", "y", "z", "t"]
    net = CompiledNetwork(names, [tuple(f"s{k}" for k in range(c)) for c in card], parents, tables)
    monkeypatch.setattr(engine_module, "DIRECT_BUCKET", 1)  # never small enough to be asked whole at once
    engine = Engine(net)
    (r,) = engine.run([Query.make("t", {"x": "s1", "z": "s1"})])
    np.testing.assert_allclose(r.probabilities[0], tables[3][1], rtol=1e-12)
    prep = engine._prepare(Query.make("t", {"x": "s1", "z": "s1"}))
    assert engine._requisite(prep) == [3]
    walked = states == 40 and not everywhere
    assert bool(walks) == walked and len(asked) == (1 if walked or everywhere else 0)  # (a walk, then one with y held)
    whole = engine._with_all_evidence(engine._prepared(Query.make("t", {"x": "s1", "z": "s1"})))
    assert (whole.get("prune") is False) == (states == 2 and not everywhere)


def test_the_walk_on_a_forced_finding_and_numpy_states():
    """surely_possible called directly (the engine settles findings on forced variables before asking): y = b
    forced to a is not called possible; states given as numpy integers walk as Python ones do, where two
    restricted parents need an axis each (a and b never take their third state)."""
    from bayes.inference.possible import surely_possible

    copy = np.eye(2)
    net = CompiledNetwork(["x", "y"], [("a", "b")] * 2, [(), (0,)], [np.array([0.5, 0.5]), copy])
    assert not surely_possible(net, {1: 1}, {1: 0}, {})
    third_ruled_out = np.array([0.5, 0.5, 0.0])
    y = np.random.default_rng(0).random((3, 3, 2, 2))
    y[0, 0, :, 1] = 0.0
    y /= y.sum(axis=-1, keepdims=True)
    net = CompiledNetwork(["a", "b", "r", "y"], [("0", "1", "2")] * 2 + [("0", "1")] * 2, [(), (), (), (0, 1, 2)],
                          [third_ruled_out, third_ruled_out, np.array([0.5, 0.5]), y])
    assert surely_possible(net, {2: 1, 3: 1}, {}, {}) is surely_possible(net, {2: np.int64(1), 3: np.int64(1)}, {}, {})


@pytest.mark.parametrize("whole", [True, False])
def test_small_questions_multiplied_whole_against_the_joint(whole, monkeypatch):
    """Point questions of at most WHOLE_WORK combinations times tables are one einsum of every table they need
    (inference/whole.py): findings, soft reports, do(), sweeps, an observed or forced target, on random networks
    full of zeros, against the mutilated joint by brute force; findings of probability zero are refused in the
    general path's words, or answered NaN when not strict. The same questions through the general path, as a
    check that both agree with the joint."""
    from opt_einsum import get_symbol

    from bayes.inference import whole as whole_module

    monkeypatch.setattr(whole_module, "WHOLE_WORK", 8192 if whole else 0)
    general = []
    original = Engine._general
    monkeypatch.setattr(Engine, "_general", lambda self, prepared, *a: general.append(len(prepared)) or
                        original(self, prepared, *a))
    rng = np.random.default_rng(21)
    refused = answered = 0
    for case in range(120):
        net = _zeros_network(rng, int(rng.integers(2, 7)), tree=case % 3 == 0)
        n = len(net.names)
        order = rng.permutation(n).tolist()
        target = order[0]
        do = {order[1]: int(rng.integers(net.cards[order[1]]))} if case % 2 and n > 2 else {}
        rest = [v for v in order[1:] if v not in do] if case % 5 else order[:1] + order[2:]  # target observed
        ev = {v: int(rng.integers(net.cards[v])) for v in rest[:int(rng.integers(0, 3))] if v not in do}
        free = [v for v in range(n) if v not in ev and v not in do and v != target]
        sweep = free[:1] if case % 4 == 1 else []
        soft = {v: rng.random(net.cards[v]) + 0.01 for v in free[len(sweep):len(sweep) + 1]} if case % 3 == 2 else {}
        tables = [net.tables[v] if v not in do else np.eye(net.cards[v])[do[v]] for v in range(n)]
        terms = ["".join(get_symbol(u) for u in ((*net.parents[v], v) if v not in do else (v,))) for v in range(n)]
        joint = np.einsum(",".join(terms) + "->" + "".join(get_symbol(v) for v in range(n)), *tables)
        for v, likelihood in soft.items():
            joint = joint * likelihood.reshape([-1 if u == v else 1 for u in range(n)])
        joint = joint[tuple(ev.get(v, slice(None)) for v in range(n))]
        kept = [v for v in range(n) if v not in ev]  # the axes left, in variable order
        wanted = [*sweep, target] if target in kept else sweep
        expected = np.einsum(joint, kept, wanted)
        if target not in kept:
            expected = expected[..., None] * np.eye(net.cards[target])[ev[target]]
        names = net.names
        query = Query.make(names[target], {names[v]: net.states[v][s] for v, s in ev.items()},
                           {names[v]: net.states[v][s] for v, s in do.items()}, sweep=[names[v] for v in sweep],
                           soft={names[v]: list(lik) for v, lik in soft.items()})
        pe = expected.sum(axis=-1)
        general.clear()
        if np.all(pe > 0):
            result = Engine(net).run([query])[0]
            np.testing.assert_allclose(result.probabilities[0], expected / pe[..., None], atol=1e-12, rtol=0)
            np.testing.assert_allclose(result.evidence_probability[0], pe, atol=1e-15, rtol=1e-12)
            assert general == ([] if whole else [1])  # (the general path's P(findings) may be of fewer findings)
            answered += 1
            continue
        refused += 1
        with pytest.raises(QueryError, match="probability zero|impossible|ruled out"):
            Engine(net).run([query])
        loose = Engine(net).run([query], strict=False)[0]
        assert np.all(np.isnan(loose.probabilities[0][pe <= 0]))
        assert np.all(loose.evidence_probability[0][pe <= 0] == 0)
        if np.any(pe > 0):
            np.testing.assert_allclose(loose.probabilities[0][pe > 0],
                                       (expected / np.where(pe > 0, pe, 1)[..., None])[pe > 0], atol=1e-12, rtol=0)
    assert answered >= 60 and refused >= 10, (answered, refused)


def test_a_question_too_big_or_whose_products_could_underflow_is_not_multiplied_whole(monkeypatch):
    """whole_joint: a question is multiplied whole only up to WHOLE_WORK combinations times tables, and only where
    no product of one positive number per table it needs can underflow (a zero there would refuse a possible
    question); barren tables below the target are left out of both counts."""
    from bayes.inference.whole import whole_joint

    monkeypatch.setattr("bayes.inference.whole.WHOLE_WORK", 8192)

    def fits(net, target):
        prep = Engine(net)._prepared(Query.make(target))
        return whole_joint(net, prep, Engine._sources(prep)) is not None

    def chain(n, smallest, card=2):
        first = np.full(card, (1 - smallest) / (card - 1))
        first[-1] = smallest
        tables = [first] + [np.array([[1 - smallest, smallest], [0.5, 0.5]])] * (n - 1)
        states = [tuple(f"s{j}" for j in range(card))] + [("a", "b")] * (n - 1)
        return CompiledNetwork([f"v{k}" for k in range(n)], states, [()] + [(k,) for k in range(n - 1)], tables)

    assert fits(chain(1, 0.1, card=8192), "v0") and not fits(chain(1, 0.1, card=8193), "v0")
    assert fits(chain(9, 0.1), "v8") and not fits(chain(10, 0.1), "v9")  # 512 x 9 tables; 1,024 x 10
    assert fits(chain(13, 0.1), "v3")  # the nine tables below v3 are barren
    observed = chain(10, 0.1)  # a finding is no axis: 512 x 10 tables
    prep = Engine(observed)._prepared(Query.make("v9", {"v0": "s1"}))
    assert whole_joint(observed, prep, Engine._sources(prep)) is not None
    assert fits(chain(1, 1e-280), "v0") and not fits(chain(1, 0.99e-280), "v0")  # SAFE_PRODUCT itself passes
    assert fits(chain(4, 1e-60), "v3") and not fits(chain(4, 1e-75), "v3")  # a product of four tables


@pytest.mark.parametrize("whole", [True, False])
def test_soft_reports_on_any_scale_and_malformed_questions(whole, monkeypatch):
    """Only a soft report's ratios matter: the same report at 1e-300 answers as at 1 (by hand: P(a0 | e0) =
    0.5e-23 / (0.5e-23 + 0.7e-23) = 1/2.4), and P(evidence) is on the scale given. Unknown states, a variable swept
    twice and a likelihood that is not a finite number are one QueryError each; integer or float32 tables
    answer in float64."""
    from bayes.inference import whole as whole_module

    monkeypatch.setattr(whole_module, "WHOLE_WORK", 65536 if whole else 0)
    net = CompiledNetwork(["A", "E", "B"], [("a0", "a1"), ("e0", "e1"), ("b0", "b1", "b2")], [(), (0,), (0,)],
                          [np.array([0.5, 0.5]), np.array([[1e-23, 1 - 1e-23], [1.4e-23, 1 - 1.4e-23]]),
                           np.array([[0.2, 0.3, 0.5], [0.1, 0.1, 0.8]])])
    for scale in (1e-300, 1.0, 2.0, 1e300):
        result = Engine(net).run([Query.make("A", {"E": "e0"}, soft={"B": [scale] * 3})])[0]
        np.testing.assert_allclose(result.probabilities[0], [1 / 2.4, 1.4 / 2.4], rtol=1e-12)
        if scale >= 1:
            assert result.evidence_probability[0] == pytest.approx(1.2e-23 * scale, rel=1e-12)
    for query, words in [(Query.make("A", {"E": "zz"}), "the state 'zz'"), (Query.make("A", do={"E": "zz"}), "'zz'"),
                         (Query("A", sweep=("B", "B")), "swept twice"),
                         (Query.make("A", soft={"B": [float("nan"), 1, 1]}), "finite"),
                         (Query.make("A", soft={"B": [float("inf"), 1, 1]}), "finite")]:
        with pytest.raises(QueryError, match=words):
            Engine(net).run([query])
    for kind in (int, np.float32):
        counted = CompiledNetwork(["A", "B"], [("a0", "a1"), ("b0", "b1")], [(), (0,)],
                                  [np.array([1, 0], dtype=kind), np.array([[0, 1], [1, 0]], dtype=kind)])
        result = Engine(counted).run([Query.make("A", {"B": "b1"})])[0]
        assert result.evidence_probability.dtype == np.float64 and result.evidence_probability[0] == 1.0
        assert result.probabilities.dtype == np.float64


@pytest.mark.parametrize("first_above", [65536, 0])
def test_draws_of_a_network_past_776_variables(first_above, monkeypatch):
    """The draw axis' label is no variable's: opt_einsum's label of variable 776 was the one the draw axis had,
    so draws of bigger networks (bnlearn's munin3 and munin4) crashed. A chain of 800 two-state variables, every
    draw given the point tables, against the chain's distribution by matrix powers, in both draw layouts."""
    from bayes.inference import draws as draws_module

    monkeypatch.setattr(draws_module, "FIRST_ABOVE", first_above)
    step = np.array([[0.9, 0.1], [0.3, 0.7]])
    n = 800
    net = CompiledNetwork([f"v{k}" for k in range(n)], [("a", "b")] * n, [()] + [(k,) for k in range(n - 1)],
                          [np.array([0.2, 0.8])] + [step] * (n - 1))
    target = 790
    given = ArrayDraws(net, {net.names[v]: np.repeat(net.tables[v][..., None], 3, axis=-1) for v in range(target + 1)})
    result = Engine(net).run([Query.make(net.names[target])], draws=given)[0]
    expected = np.array([0.2, 0.8]) @ np.linalg.matrix_power(step, target)
    np.testing.assert_allclose(result.probabilities, np.tile(expected, (3, 1)), atol=1e-12)
