"""Tables derived from queries, kept apart from plotting so every chart's numbers can be tested."""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np
import pandas as pd

from bayes.inference.engine import ArrayDraws, Query
from bayes.modelfile.scales import describe


def headline_states(model) -> dict[str, str]:
    """The outcomes a briefing reports, each with its headline state; a model that lists no outcomes
    reports the last variable of its file, in its last state."""
    if model.spec.headline_states:
        return dict(model.spec.headline_states)
    last = list(model.spec.variables)[-1]
    return {last: model.spec.states(last)[-1]}


def named_scenarios(model) -> list[str]:
    """The model's own scenarios, in file order, without the baseline (a file may list one, empty)."""
    from bayes.modelfile.spec import BASELINE

    return [name for name in model.spec.scenarios if name != BASELINE]


def default_target(model) -> str:
    """VARIABLE=STATE of the first headline outcome (see `headline_states`): what notebooks study when
    no target is given."""
    var, state = next(iter(headline_states(model).items()))
    return f"{var}={state}"


def parse_target(model, target: str | None) -> tuple[str, str]:
    """(variable, state) of a target written VARIABLE=STATE (None: `default_target`); a QueryError names
    what is unknown and lists what the model has."""
    from bayes.errors import QueryError

    if target is None:
        target = default_target(model)
    if not isinstance(target, str) or target.count("=") != 1:
        raise QueryError(f"target '{target}' must be written VARIABLE=STATE, e.g. {default_target(model)}",
                         model.spec.path)
    var, state = (part.strip() for part in target.split("="))
    if var not in model.spec.variables:
        raise QueryError(f"target names unknown variable '{var}'; known variables: {', '.join(model.spec.variables)}",
                         model.spec.path)
    if state not in model.spec.states(var):
        raise QueryError(f"target names unknown state '{state}' of '{var}'; expected one of: "
                         f"{', '.join(model.spec.states(var))}", model.spec.path)
    return var, state


_parse_target = parse_target


def _check_variable_state(model, variable: str, state: str, what: str):
    from bayes.errors import QueryError
    from bayes.modelfile.spec import check_variable

    check_variable(model.spec, variable, what)
    if state not in model.spec.states(variable):
        raise QueryError(f"{what} names unknown state '{state}' of '{variable}'; expected one of: "
                         f"{', '.join(model.spec.states(variable))}", model.spec.path)


def _rows_of(model, frame: pd.DataFrame, variable: str, state: str, what: str) -> pd.DataFrame:
    """The frame's rows for variable=state; a QueryError if the frame holds none (computed for other variables)."""
    from bayes.errors import QueryError

    _check_variable_state(model, variable, state, what)
    rows = frame[(frame["variable"] == variable) & (frame["state"] == state)]
    if rows.empty:
        held = ", ".join(dict.fromkeys(str(v) for v in frame["variable"])) or "nothing"
        raise QueryError(f"{what}: the scenarios table has no rows for '{variable}' (it holds {held}); "
                         f"compute it with model.scenarios() or model.scenarios(['{variable}'])", model.spec.path)
    return rows


def headline_rows(model, scenarios: pd.DataFrame | None = None) -> pd.DataFrame:
    """Tidy rows of the headline state of each outcome per scenario (what a briefing reports)."""
    frame = model.scenarios(list(headline_states(model))) if scenarios is None else scenarios
    keep = [_rows_of(model, frame, var, state, "headline outcome") for var, state in headline_states(model).items()]
    rows = pd.concat(keep, ignore_index=True).copy()
    rows["outcome"] = [f"{v}={s}" for v, s in zip(rows["variable"], rows["state"])]
    rows["words"] = [model.scale.term(p) for p in rows["probability"]]
    return rows


def headline_table(model, scenarios: pd.DataFrame | None = None) -> pd.DataFrame:
    """Scenarios down, headline outcomes across, cells "24% (unlikely)": the table a briefing opens with."""
    rows = headline_rows(model, scenarios)
    if "lo90" in rows:
        rows["cell"] = [describe(p, model.scale, lo, hi) for p, lo, hi in zip(rows["probability"], rows["lo90"], rows["hi90"])]
    else:
        rows["cell"] = [describe(p, model.scale) for p in rows["probability"]]
    order = list(dict.fromkeys(str(s) for s in rows["scenario"]))
    table = rows.assign(scenario=rows["scenario"].astype(str)).pivot(index="scenario", columns="outcome",
                                                                       values="cell")
    columns = [f"{v}={s}" for v, s in headline_states(model).items()]
    table = table.loc[order, columns].rename_axis(index="scenario", columns=None)
    table.attrs["headline_states"] = headline_states(model)
    return table


def scenario_outcome(model, scenarios: pd.DataFrame, variable: str, state: str) -> pd.DataFrame:
    """One outcome state across scenarios, with labels and words: the data of the scenario chart."""
    rows = _rows_of(model, scenarios, variable, state, "scenario chart").copy()
    labels = {name: sc.display for name, sc in model.spec.scenarios.items()}
    rows["scenario"] = rows["scenario"].astype(str)
    rows["label"] = [labels.get(s, s.replace("_", " ")) for s in rows["scenario"]]
    rows["words"] = [model.scale.term(p) for p in rows["probability"]]
    return rows.reset_index(drop=True)


def outcomes_now(model, draws: int | None = None, seed: int | None = None) -> pd.DataFrame:
    """Each headline outcome's probability as the model stands (no evidence), one row per outcome with
    a `label` naming it: the data of a bar chart of what will be tracked and scored."""
    frame = model.query(list(headline_states(model)), draws=draws, seed=seed)
    rows = pd.concat([frame[(frame["variable"] == v) & (frame["state"] == s)] for v, s in headline_states(model).items()],
                     ignore_index=True)
    rows["outcome"] = [f"{v}={s}" for v, s in zip(rows["variable"], rows["state"])]
    rows["label"] = [f"{model.spec.variables[v].display}: {s.replace('_', ' ')}"
                     for v, s in zip(rows["variable"], rows["state"])]
    rows["words"] = [model.scale.term(p) for p in rows["probability"]]
    return rows


# ------------------------------------------------------------------------------------- picking examples

def ancestors(model, variable: str) -> list[str]:
    """Every variable upstream of `variable` (parents, their parents, ...), in file order."""
    seen: set[str] = set()
    stack = list(model.spec.variables[variable].parents)
    while stack:
        v = stack.pop()
        if v not in seen:
            seen.add(v)
            stack.extend(model.spec.variables[v].parents)
    return [v for v in model.spec.variables if v in seen]


def example_tables(model) -> tuple[str | None, str | None]:
    """(the first variable with parents and a full table, the first variable built by a builder); None
    where the model has no such variable."""
    full = next((v.name for v in model.spec.variables.values() if v.parents and not v.builder), None)
    built = next((v.name for v in model.spec.variables.values() if v.builder), None)
    return full, built


def observe_versus_force(model, target: str | None = None) -> pd.DataFrame:
    """P(target | X=x) against P(target | do(X=x)) for every state x of every variable X upstream of the
    target that has parents (only there can seeing and forcing differ). Columns: variable, state,
    target, observed, forced, difference (observed - forced); sorted by |difference|, largest first.
    States that cannot be observed (probability zero) are left out; empty when nothing qualifies."""
    var, state = parse_target(model, target)
    k = model.spec.states(var).index(state)
    baseline = model.engine.marginals(ancestors(model, var), {}, {}) if ancestors(model, var) else {}
    rows = []
    for x in ancestors(model, var):
        if not model.spec.variables[x].parents:
            continue
        for i, s in enumerate(model.spec.states(x)):
            if baseline[x][i] <= 0:
                continue
            seen = float(model.engine.marginals([var], {x: s}, {})[var][k])
            forced = float(model.engine.marginals([var], {}, {x: s})[var][k])
            rows.append(dict(variable=x, state=s, target=f"{var}={state}", observed=seen, forced=forced,
                             difference=seen - forced))
    frame = pd.DataFrame(rows, columns=["variable", "state", "target", "observed", "forced", "difference"])
    return frame.sort_values("difference", key=abs, ascending=False, kind="stable").reset_index(drop=True)


def strongest_scenario(model, target: str | None = None, max_items: int | None = 10) -> str | None:
    """The named scenario that moves P(target) furthest from the baseline, leaving out scenarios that
    set the target's own variable (they answer by construction), empty ones and, with `max_items`,
    those with more items than `scenario_drivers` attributes; None if no scenario is left."""
    var, state = parse_target(model, target)
    k = model.spec.states(var).index(state)
    p0 = float(model.engine.marginals([var], {}, {})[var][k])
    best, best_shift = None, -1.0
    for name, sc in model.spec.scenarios.items():
        items = len(sc.observe) + len(sc.do)
        if var in sc.observe or var in sc.do or items == 0 or (max_items is not None and items > max_items):
            continue
        shift = abs(float(model.engine.marginals([var], sc.observe, sc.do)[var][k]) - p0)
        if shift > best_shift:
            best, best_shift = name, shift
    return best


def watchable(model, target: str | None = None, given=None, do=None) -> list[str]:
    """The observable variables that could still be watched for the target: observable, not the target,
    not already observed or forced. A QueryError says why when there are none."""
    from bayes.errors import QueryError
    from bayes.modelfile.spec import parse_assignments

    var, _ = parse_target(model, target)
    given = parse_assignments(given, model.spec, "evidence")
    do = parse_assignments(do, model.spec, "intervention")
    observable = [v for v, x in model.spec.variables.items() if x.observable]
    if not observable:
        raise QueryError(f"no variable of {model.name} is marked observable: true; mark the developments an analyst "
                         "could see reported with 'observable: true' to rank what to watch", model.spec.path)
    left = [v for v in observable if v != var and v not in given and v not in do]
    if not left:
        raise QueryError(f"nothing observable is left to watch for '{var}': its observable variables "
                         f"({', '.join(observable)}) are the target itself or already set by the evidence",
                         model.spec.path)
    return left


# ------------------------------------------------------------------------------------- sensitivity
# One-way sensitivity (Coupe & van der Gaag 2002; docs/methods.md#sensitivity-and-indicators): vary one elicited number x, the
# rest of its row rescaled proportionally; then P(target, evidence) = a x + b and P(evidence) = c x + d,
# so P(target | evidence)(x) = (a x + b) / (c x + d) exactly. Two inference runs per parameter fix a..d;
# all parameters' runs go through the batched engine as one batch of "draws", each draw a network with
# one number changed. Builder parameters (baselines, odds ratios, leaks, link strengths) are swung the
# same way, by re-building their table; their effect is not of the linear-fractional form, so for them
# only the swing end points are exact re-inference.

@dataclass
class Parameter:
    """One elicited number: where it lives, its value and the range it is swung over."""

    name: str
    variable: str
    value: float
    low: float
    high: float
    kind: str  # "table" (linear-fractional) or "builder" (re-inference)
    table_at: object  # callable x -> the variable's point table with this number set to x


def _row_entry_table(point: np.ndarray, index, state: int):
    """x -> the table with entry `state` of row `index` (or of every row in a list of indices: a row written
    once for several parent states) set to x, the rest of the row rescaled proportionally."""
    indices = index if isinstance(index, list) else [index]

    def table_at(x: float) -> np.ndarray:
        t = point.copy()
        for i in indices:
            row = t[i]
            old = row[state]
            rest = 1.0 - old
            scale = (1.0 - x) / rest if rest > 0 else 0.0
            new = row * scale
            if rest <= 0:
                new[:] = (1.0 - x) / (len(row) - 1)
            new[state] = x
            t[i] = new
        return t
    return table_at


def _swing_range(judgement, value: float) -> tuple[float, float]:
    if judgement is not None and judgement.is_range:
        return judgement.low, judgement.high
    return max(0.0, value - 0.1), min(1.0, value + 0.1)


def elicited_parameters(model) -> list[Parameter]:
    """Every number an analyst wrote, with the range it is swung over (its own, or +-0.1)."""
    import itertools

    from bayes.modelfile.elicitation import LogOddsTable, NoisyMaxTable, NoisyOrTable, RowsTable

    params: list[Parameter] = []
    for name, v in model.spec.variables.items():
        source = v.source
        point = source.point()
        if isinstance(source, RowsTable):
            combos = list(itertools.product(*(range(c) for c in point.shape[:-1])))
            shared: dict[int, list] = {}  # rows written once for several parent states swing together
            for index, row in zip(combos, source.rows):
                shared.setdefault(id(row), []).append(index)
            done: set[int] = set()
            for index, row, table_row in zip(combos, source.rows, v.rows):
                if id(row) in done:
                    continue
                done.add(id(row))
                index = shared[id(row)] if len(shared[id(row)]) > 1 else index
                written = [s for s in v.states if s != row.rest]
                if len(v.states) == 2 and row.rest is None:
                    written = written[-1:]  # in a two-state row one number says it all
                first = index[0] if isinstance(index, list) else index
                rows_given = [dict(zip(v.parents, (model.spec.states(p)[i] for p, i in zip(v.parents, ix))))
                              for ix in (index if isinstance(index, list) else [index])]
                given = ", ".join(f"{p}={'|'.join(dict.fromkeys(g[p] for g in rows_given))}" for p in v.parents)
                for s in written:
                    k = v.states.index(s)
                    value = float(point[first][k])
                    lo, hi = _swing_range(row.judgements.get(s), value)
                    params.append(Parameter(f"P({name}={s}{' | ' + given if given else ''})", name, value, lo, hi,
                                            "table", _row_entry_table(point, index, k)))
            continue

        def rebuilt(setter, source=source):
            def table_at(x):
                clone = copy.deepcopy(source)
                setter(clone, x)
                return clone.point()
            return table_at

        from bayes.modelfile.elicitation import Judgement, OddsRatio

        def prob_param(label, judgement, setter):
            lo, hi = _swing_range(judgement, judgement.point)
            params.append(Parameter(f"{name}: {label}", name, judgement.point, lo, hi, "builder",
                                    rebuilt(lambda c, x: setter(c, Judgement(str(x), x)))))

        def odds_param(label, ratio, setter):
            lo, hi = (ratio.low, ratio.high) if ratio.low is not None else (ratio.point / 1.5, ratio.point * 1.5)
            params.append(Parameter(f"{name}: {label}", name, ratio.point, lo, hi, "builder",
                                    rebuilt(lambda c, x: setter(c, OddsRatio(str(x), x)))))

        parents = v.parents
        if isinstance(source, LogOddsTable):
            for s, j in source.baseline.judgements.items():
                prob_param(f"baseline P({s})", j, lambda c, new, s=s: c.baseline.judgements.__setitem__(s, new))
            for i, effect in enumerate(source.effects):
                pstates = model.spec.states(parents[i])
                for ps, by_child in effect.items():
                    for cs, ratio in by_child.items():
                        label = f"odds ratio of {v.states[cs]} if {parents[i]}={pstates[ps]}"
                        odds_param(label, ratio, lambda c, new, i=i, ps=ps, cs=cs: c.effects[i][ps].__setitem__(cs, new))
        elif isinstance(source, NoisyOrTable):
            prob_param("leak", source.leak, lambda c, new: setattr(c, "leak", new))
            for i, by_state in enumerate(source.strengths):
                pstates = model.spec.states(parents[i])
                for ps, j in by_state.items():
                    prob_param(f"link strength of {parents[i]}={pstates[ps]}", j,
                               lambda c, new, i=i, ps=ps: c.strengths[i].__setitem__(ps, new))
        elif isinstance(source, NoisyMaxTable):
            for s, j in source.leak.judgements.items():
                prob_param(f"leak P({s})", j, lambda c, new, s=s: c.leak.judgements.__setitem__(s, new))
    return params


def sensitivity(model, target: str, given=None, do=None, parameters: list[Parameter] | None = None) -> pd.DataFrame:
    """Tornado table for P(target) (target written VARIABLE=STATE): every elicited number swung over its
    range, one at a time; sorted by swing. Columns: parameter, variable, value, low, high, target_low,
    target_high, swing, method, and a, b, c, d of the sensitivity function for table entries."""
    from bayes.modelfile.spec import parse_assignments

    var, state = _parse_target(model, target)
    spec = model.spec
    given = parse_assignments(given, spec, "evidence")
    do = parse_assignments(do, spec, "intervention")
    params = elicited_parameters(model) if parameters is None else parameters
    net = model.engine.net
    n = 2 * len(params)
    tables: dict[str, np.ndarray] = {}
    for k, prm in enumerate(params):
        if prm.variable not in tables:
            base = net.tables[net.index[prm.variable]]
            tables[prm.variable] = np.repeat(base[..., None], n, axis=-1)
        tables[prm.variable][..., 2 * k] = prm.table_at(prm.low)
        tables[prm.variable][..., 2 * k + 1] = prm.table_at(prm.high)
    k_state = spec.states(var).index(state)
    point = model.engine.run([Query.make(var, given, do)])[0].probabilities[0, k_state]
    result = model.engine.run([Query.make(var, given, do)], ArrayDraws(net, tables))[0]
    post = result.probabilities[:, k_state]
    pe = result.evidence_probability
    rows = []
    for k, prm in enumerate(params):
        lo_p, hi_p = post[2 * k], post[2 * k + 1]
        row = dict(parameter=prm.name, variable=prm.variable, value=prm.value, low=prm.low, high=prm.high,
                   target_low=float(lo_p), target_high=float(hi_p), swing=float(abs(hi_p - lo_p)), method=prm.kind,
                   target_now=float(point))
        if prm.kind == "table" and prm.high > prm.low:
            j_lo, j_hi = lo_p * pe[2 * k], hi_p * pe[2 * k + 1]
            a = (j_hi - j_lo) / (prm.high - prm.low)
            c = (pe[2 * k + 1] - pe[2 * k]) / (prm.high - prm.low)
            row.update(a=float(a), b=float(j_lo - a * prm.low), c=float(c), d=float(pe[2 * k] - c * prm.low))
        rows.append(row)
    frame = pd.DataFrame(rows)
    return frame.sort_values("swing", ascending=False, kind="stable").reset_index(drop=True)


def sensitivity_function(row) -> object:
    """x -> P(target | evidence) for a table parameter's row of the sensitivity table."""
    a, b, c, d = row["a"], row["b"], row["c"], row["d"]
    return lambda x: (a * x + b) / (c * x + d)


# ------------------------------------------------------------------------------------- indicators

def _entropy_bits(p: np.ndarray) -> float:
    p = p[p > 0]
    return float(-(p * np.log2(p)).sum())


def indicators(model, target: str, given=None, do=None, draws: int | None = None, seed: int | None = None) -> pd.DataFrame:
    """Which observable developments would move the target most, given what is already known.

    For every observable variable not yet observed: mutual information with the target variable in
    bits (Netica's "sensitivity to findings"), and per state P(target | that state, evidence), its shift
    from now, whether the estimative band changes, and a sentence for the briefing. One row per state,
    sorted by mutual information, then by state order. With `draws=N`, the target if observed also
    gets its 90% interval over parameter draws (`if_lo90`, `if_hi90`), and so does the mutual
    information (`mi_lo90`, `mi_hi90`).
    """
    from bayes.modelfile.spec import parse_assignments

    var, state = _parse_target(model, target)
    spec = model.spec
    given = parse_assignments(given, spec, "evidence")
    do = parse_assignments(do, spec, "intervention")
    candidates = watchable(model, target, given, do)
    queries = [Query.make(var, given, do, sweep=(o,)) for o in candidates]
    now_dist = model.engine.run([Query.make(var, given, do)])[0].probabilities[0]
    k = spec.states(var).index(state)
    now = float(now_dist[k])
    scale = model.scale
    rows = []
    for o, r in zip(candidates, model.engine.run(queries, strict=False)):
        post = r.probabilities[0]  # (card O, card T)
        p_o = r.evidence_probability[0] / r.evidence_probability[0].sum()
        mi = _entropy_bits(now_dist) - sum(float(w) * _entropy_bits(post[i]) for i, w in enumerate(p_o) if w > 0)
        label = o.replace("_", " ")  # the name, not the label: labels may be whole questions
        for i, s in enumerate(spec.states(o)):
            p_if = float(post[i, k]) if p_o[i] > 0 else float("nan")
            changes = bool(p_o[i] > 0 and scale.term(p_if) != scale.term(now))
            sentence = (f"If {label} is observed as '{s.replace('_', ' ')}', {var.replace('_', ' ')} = "
                        f"{state.replace('_', ' ')} goes from {describe(now, scale)} to {describe(p_if, scale)}"
                        if p_o[i] > 0 else f"{label} = {s.replace('_', ' ')} is ruled out by the evidence")
            rows.append(dict(variable=o, state=s, probability_of_state=float(p_o[i]), target=target, target_now=now,
                             target_if_observed=p_if, shift=p_if - now, band_changes=changes,
                             mutual_information_bits=max(mi, 0.0), sentence=sentence))
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    if draws:
        frame = _indicator_intervals(model, frame, queries, candidates, Query.make(var, given, do), k, draws, seed)
    order = frame.groupby("variable", sort=False)["mutual_information_bits"].first().sort_values(ascending=False)
    frame["variable"] = pd.Categorical(frame["variable"], categories=list(order.index), ordered=True)
    return frame.sort_values(["variable"], kind="stable").reset_index(drop=True).assign(
        variable=lambda f: f["variable"].astype(str))


def _indicator_intervals(model, frame, queries, candidates, now_query, k, draws, seed):
    """90% intervals over parameter draws for each indicator's target-if-observed and mutual information."""
    from bayes.inference.uncertainty import DEFAULT_SEED, interval, parameter_draws

    batch = model.engine.run(queries + [now_query],
                             parameter_draws(model, int(draws), DEFAULT_SEED if seed is None else seed), strict=False)
    now = batch[len(queries)].probabilities  # (N, card T)

    def entropy(p, axis):
        with np.errstate(divide="ignore", invalid="ignore"):
            return -np.nansum(np.where(p > 0, p * np.log2(p), 0.0), axis=axis)

    columns = {"if_lo90": [], "if_hi90": [], "mi_lo90": [], "mi_hi90": []}
    for o, r in zip(candidates, batch):
        post = r.probabilities  # (N, card O, card T)
        weights = r.evidence_probability / r.evidence_probability.sum(axis=1, keepdims=True)
        mi = np.clip(entropy(now, 1) - np.nansum(weights * entropy(post, 2), axis=1), 0.0, None)
        mi_lo, mi_hi = interval(mi)
        for i in range(post.shape[1]):
            values = post[:, i, k][np.isfinite(post[:, i, k])]
            lo, hi = interval(values) if values.size else (np.nan, np.nan)
            columns["if_lo90"].append(float(lo))
            columns["if_hi90"].append(float(hi))
            columns["mi_lo90"].append(float(mi_lo))
            columns["mi_hi90"].append(float(mi_hi))
    return frame.assign(**columns)


# ------------------------------------------------------------------------------------- the call

def change_the_call(model, target: str, given=None, do=None, max_size: int = 3) -> pd.DataFrame:
    """The smallest sets of observable findings (up to `max_size`) that move the target into another
    estimative band. Sets of the smallest size that works are listed, most probable first."""
    import itertools

    from bayes.modelfile.spec import parse_assignments

    var, state = _parse_target(model, target)
    spec = model.spec
    given = parse_assignments(given, spec, "evidence")
    do = parse_assignments(do, spec, "intervention")
    k = spec.states(var).index(state)
    current = model.engine.run([Query.make(var, given, do)])[0]
    now = float(current.probabilities[0, k])
    scale = model.scale
    band_now = scale.term(now)
    candidates = watchable(model, target, given, do)
    for size in range(1, max_size + 1):
        combos = list(itertools.combinations(candidates, size))
        results = model.engine.run([Query.make(var, given, do, sweep=c) for c in combos], strict=False)
        rows = []
        for combo, r in zip(combos, results):
            post = r.probabilities[0]
            pe = r.evidence_probability[0]
            for index in itertools.product(*(range(len(spec.states(v))) for v in combo)):
                if pe[index] <= 0:
                    continue
                p = float(post[index][k])
                if scale.term(p) != band_now:
                    findings = {v: spec.states(v)[i] for v, i in zip(combo, index)}
                    rows.append(dict(size=size, findings=", ".join(f"{v}={s}" for v, s in findings.items()),
                                     target=target, target_now=now, band_now=band_now, target_if=p,
                                     band_if=scale.term(p), probability_of_findings=float(pe[index] / pe.sum()),
                                     sentence=f"{' and '.join(f'{v.replace(chr(95), chr(32))} = {s.replace(chr(95), chr(32))}' for v, s in findings.items())}: "
                                              f"{describe(now, scale)} becomes {describe(p, scale)}"))
        if rows:
            return pd.DataFrame(rows).sort_values("probability_of_findings", ascending=False).reset_index(drop=True)
    return pd.DataFrame(columns=["size", "findings", "target", "target_now", "band_now", "target_if", "band_if",
                                 "probability_of_findings", "sentence"])


def _targets_at(model, prm: Parameter, xs, var: str, k: int, given, do) -> np.ndarray:
    """P(target) with one parameter set to each of `xs`, in one batched engine run."""
    net = model.engine.net
    tables = {prm.variable: np.stack([prm.table_at(float(x)) for x in xs], axis=-1)}
    return model.engine.run([Query.make(var, given, do)], ArrayDraws(net, tables))[0].probabilities[:, k]


def _crossing(model, prm: Parameter, boundary: float, var, k, given, do):
    """The value nearest the parameter's own at which the target crosses `boundary` (grid, then refine)."""
    if prm.kind == "table":
        lo, hi, log = 0.0, 1.0, False
    elif "odds ratio" in prm.name:
        lo, hi, log = np.log(prm.value / 100), np.log(prm.value * 100), True
    else:
        lo, hi, log = 0.0, 1.0, False
    xs = np.linspace(lo, hi, 201)
    values = _targets_at(model, prm, np.exp(xs) if log else xs, var, k, given, do) - boundary
    flips = np.nonzero(np.sign(values[:-1]) * np.sign(values[1:]) < 0)[0]
    if flips.size == 0:
        return None
    here = np.log(prm.value) if log else prm.value
    i = flips[np.argmin(np.abs(xs[flips] - here))]
    a, b = xs[i], xs[i + 1]
    for _ in range(4):  # each round narrows the bracket 50-fold
        grid = np.linspace(a, b, 51)
        vals = _targets_at(model, prm, np.exp(grid) if log else grid, var, k, given, do) - boundary
        j = np.nonzero(np.sign(vals[:-1]) * np.sign(vals[1:]) <= 0)[0][0]
        a, b = grid[j], grid[j + 1]
    x = (a + b) / 2
    return float(np.exp(x) if log else x)


def admissible_deviation(model, target: str, given=None, do=None, sensitivity_table=None) -> pd.DataFrame:
    """For each elicited number: the value at which, alone, it would move the target across the
    nearest band boundary, or NaN if no value does. Table entries solve (a x + b)/(c x + d) = boundary
    exactly; builder parameters (baselines, odds ratios, leaks, strengths) are searched by re-inference."""
    from bayes.modelfile.spec import parse_assignments

    var, state = _parse_target(model, target)
    spec = model.spec
    given_d = parse_assignments(given, spec, "evidence")
    do_d = parse_assignments(do, spec, "intervention")
    k = spec.states(var).index(state)
    table = sensitivity(model, target, given, do) if sensitivity_table is None else sensitivity_table
    params = {p.name: p for p in elicited_parameters(model)}
    scale = model.scale
    rows = []
    for _, row in table.iterrows():
        now = row["target_now"]
        band = scale.band_of(now)
        best = None
        for boundary in (band.low, band.high) if band else ():
            if boundary in (0.0, 1.0):
                continue
            if row["method"] == "table":
                denominator = boundary * row["c"] - row["a"]
                x = (row["b"] - boundary * row["d"]) / denominator if abs(denominator) > 1e-15 else None
                x = x if x is not None and 0.0 <= x <= 1.0 else None
            else:
                x = _crossing(model, params[row["parameter"]], boundary, var, k, given_d, do_d)
            if x is not None and (best is None or abs(x - row["value"]) < abs(best[0] - row["value"])):
                best = (x, boundary)
        rows.append(dict(parameter=row["parameter"], method=row["method"], value=row["value"],
                         crosses_at=np.nan if best is None else float(best[0]),
                         boundary=np.nan if best is None else float(best[1]),
                         change=np.nan if best is None else float(best[0] - row["value"])))
    frame = pd.DataFrame(rows, columns=["parameter", "method", "value", "crosses_at", "boundary", "change"])
    frame["distance"] = (frame["change"] / frame["value"].where(frame["method"] == "builder", 1.0)).abs()
    return frame.sort_values("distance", na_position="last").drop(columns="distance").reset_index(drop=True)


# ------------------------------------------------------------------------------------- drivers

def scenario_drivers(model, target: str, scenario: str) -> pd.DataFrame:
    """How much each evidence item of a scenario contributes to its difference from the baseline:
    exact Shapley values (the average over all orderings of adding the items), up to 10 items."""
    import itertools
    import math

    from bayes.errors import QueryError

    var, state = _parse_target(model, target)
    sc = model.spec.scenarios.get(scenario)
    if sc is None:
        known = ", ".join(model.spec.scenarios) or "(the model names no scenarios)"
        raise QueryError(f"unknown scenario '{scenario}'; known scenarios: {known}", model.spec.path)
    items = [("observe", v, s) for v, s in sc.observe.items()] + [("do", v, s) for v, s in sc.do.items()]
    n = len(items)
    if n == 0:
        raise QueryError(f"scenario '{scenario}' observes and forces nothing, so nothing drives it", model.spec.path,
                         sc.line)
    if n > 10:
        raise QueryError(f"scenario '{scenario}' has {n} items; exact drivers are computed for up to 10", model.spec.path)
    k = model.spec.states(var).index(state)
    value = {}
    for size in range(n + 1):
        for subset in itertools.combinations(range(n), size):
            given = {items[i][1]: items[i][2] for i in subset if items[i][0] == "observe"}
            forced = {items[i][1]: items[i][2] for i in subset if items[i][0] == "do"}
            value[frozenset(subset)] = float(model.engine.marginals([var], given, forced)[var][k])
    rows = []
    for i, (kind, v, s) in enumerate(items):
        others = [j for j in range(n) if j != i]
        phi = 0.0
        for size in range(n):
            weight = math.factorial(size) * math.factorial(n - size - 1) / math.factorial(n)
            for subset in itertools.combinations(others, size):
                phi += weight * (value[frozenset(subset) | {i}] - value[frozenset(subset)])
        rows.append(dict(scenario=scenario, item=f"{'do(' if kind == 'do' else ''}{v}={s}{')' if kind == 'do' else ''}",
                         contribution=phi, target=target, baseline=value[frozenset()], scenario_value=value[frozenset(range(n))]))
    return pd.DataFrame(rows).sort_values("contribution", key=abs, ascending=False).reset_index(drop=True)
