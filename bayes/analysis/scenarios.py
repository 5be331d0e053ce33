"""Tables derived from queries, kept apart from plotting so every chart's numbers can be tested."""

from __future__ import annotations

import pandas as pd

from bayes.errors import QueryError
from bayes.modelfile.scales import describe, percent_text
from bayes.modelfile.spec import BASELINE, check_variable


def headline_states(model) -> dict[str, str]:
    """The outcomes a briefing reports, each with its headline state; a model that lists no outcomes
    reports the last variable of its file, in its last state."""
    if model.spec.headline_states:
        return dict(model.spec.headline_states)
    last = list(model.spec.variables)[-1]
    return {last: model.spec.states(last)[-1]}


def named_scenarios(model) -> list[str]:
    """The model's own scenarios, in file order, without the baseline (a file may list one, empty)."""
    return [name for name in model.spec.scenarios if name != BASELINE]


def default_target(model) -> str:
    """VARIABLE=STATE of the first headline outcome (see `headline_states`): what notebooks study when
    no target is given."""
    var, state = next(iter(headline_states(model).items()))
    return f"{var}={state}"


def parse_target(model, target: str | None) -> tuple[str, str]:
    """(variable, state) of a target written VARIABLE=STATE (None: `default_target`); a QueryError names
    what is unknown and lists what the model has."""
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


def _check_variable_state(model, variable: str, state: str, what: str):
    check_variable(model.spec, variable, what)
    if state not in model.spec.states(variable):
        raise QueryError(f"{what} names unknown state '{state}' of '{variable}'; expected one of: "
                         f"{', '.join(model.spec.states(variable))}", model.spec.path)


def _rows_of(model, frame: pd.DataFrame, variable: str, state: str, what: str) -> pd.DataFrame:
    """The frame's rows for variable=state; a QueryError if the frame holds none (computed for other variables)."""
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
    """Scenarios down, headline outcomes across, cells "unlikely (24%)": the table a briefing opens with. An
    outcome a scenario sets itself is marked, not worded: "100% (observed)", "0% (forced)" (true by
    construction, not a finding)."""
    rows = headline_rows(model, scenarios)
    if "lo90" in rows:
        rows["cell"] = [describe(p, model.scale, lo, hi) for p, lo, hi in zip(rows["probability"], rows["lo90"], rows["hi90"])]
    else:
        rows["cell"] = [describe(p, model.scale) for p in rows["probability"]]
    for k, (name, var, p) in enumerate(zip(rows["scenario"], rows["variable"], rows["probability"])):
        how = set_by(model, name, var)
        if how:
            rows.loc[rows.index[k], "cell"] = f"{percent_text(p, scale=model.scale)} ({how})"
    order = list(dict.fromkeys(str(s) for s in rows["scenario"]))
    table = rows.assign(scenario=rows["scenario"].astype(str)).pivot(index="scenario", columns="outcome",
                                                                       values="cell")
    columns = [f"{v}={s}" for v, s in headline_states(model).items()]
    table = table.loc[order, columns].rename_axis(index="scenario", columns=None)
    table.attrs["headline_states"] = headline_states(model)
    return table


def set_by(model, scenario: str, variable: str) -> str:
    """'forced' or 'observed' when the scenario sets `variable` itself (its answer is then true by
    construction, not a finding), else ''."""
    spec = model.spec.scenarios.get(str(scenario))
    if spec is None:
        return ""
    return "forced" if variable in spec.do else ("observed" if variable in spec.observe else "")


KIND_MARKS = {"observed": "observed", "forced": "forced", "bundle": "observed and forced"}


def scenario_kind(scenario) -> str:
    """'observed' (it conditions on developments being seen), 'forced' (it imposes them), 'bundle' (both at
    once) or '' (it sets nothing: the baseline), from what the scenario sets, never from its label."""
    if scenario.observe and scenario.do:
        return "bundle"
    return "forced" if scenario.do else ("observed" if scenario.observe else "")


def scenario_label(model, name: str) -> str:
    """The scenario's display label marked with its kind: 'Baku turns West (observed)', 'Moscow honours CSTO
    (forced)'; the baseline, which sets nothing, unmarked. Every table, chart and sentence names scenarios so."""
    sc = model.spec.scenarios.get(str(name))
    if sc is None:
        return str(name).replace("_", " ")
    kind = scenario_kind(sc)
    if not kind:
        return sc.display
    mark = f"({KIND_MARKS[kind]})"
    bare = sc.display[: -len(mark)].rstrip() if sc.display.lower().endswith(mark) else sc.display  # no double mark
    return f"{bare} {mark}"


def scenario_outcome(model, scenarios: pd.DataFrame, variable: str, state: str) -> pd.DataFrame:
    """One outcome state across scenarios, with labels (marked observed or forced) and words: the data of
    the scenario chart."""
    rows = _rows_of(model, scenarios, variable, state, "scenario chart").copy()
    rows["scenario"] = rows["scenario"].astype(str)
    rows["label"] = [scenario_label(model, s) for s in rows["scenario"]]
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


# ------------------------------------------------------------------------------------- drivers

def scenario_drivers(model, target: str, scenario: str) -> pd.DataFrame:
    """How much each evidence item of a scenario contributes to its difference from the baseline:
    exact Shapley values (the average over all orderings of adding the items), up to 10 items."""
    import itertools
    import math

    var, state = parse_target(model, target)
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
                         kind="forced" if kind == "do" else "observed", variable=v, state=s, contribution=phi, target=target, baseline=value[frozenset()], scenario_value=value[frozenset(range(n))]))
    return pd.DataFrame(rows).sort_values("contribution", key=abs, ascending=False).reset_index(drop=True)
