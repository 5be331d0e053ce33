"""The object analysts hold in a notebook: a loaded model whose answers are tidy DataFrames."""

from __future__ import annotations

import functools
import os

import numpy as np
import pandas as pd

from bayes.errors import QueryError
from bayes.inference.claims import claims_frame, evaluate_claims
from bayes.inference.engine import Engine, Query
from bayes.inference.network import table_array, to_pgmpy
from bayes.inference.uncertainty import DEFAULT_SEED, tidy_with_intervals
from bayes.modelfile.parse import load_spec
from bayes.modelfile.scales import get_scale
from bayes.modelfile.spec import BASELINE, ModelSpec, check_variable, parse_assignments


class Model:
    """A compiled model: tables, queries, scenarios and the claims check."""

    def __init__(self, spec: ModelSpec):
        self.spec = spec
        self.engine = Engine.from_spec(spec)
        self._network = None
        self._columns: dict[tuple, tuple] = {}  # text columns of query frames, by the variables asked (_tidy)

    # ------------------------------------------------------------------ what the model holds
    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def title(self) -> str:
        return self.spec.title

    @property
    def scale(self):
        return get_scale(self.spec.scale)

    @property
    def variables(self) -> list[str]:
        return list(self.spec.variables)

    @property
    def outcomes(self) -> list[str]:
        return list(self.spec.outcomes) or self.variables

    @property
    def network(self):
        """The pgmpy DiscreteBayesianNetwork, built on first use (importing pgmpy takes seconds, so
        queries do not need it); it passes pgmpy's check_model."""
        if self._network is None:
            self._network = to_pgmpy(self.spec)
        return self._network

    def states(self, variable: str) -> tuple[str, ...]:
        check_variable(self.spec, variable)
        return self.spec.states(variable)

    @property
    def source_line(self) -> str:
        return f"Model: {self.spec.title} (as of {self.spec.as_of}). Source: {self.spec.source}"

    def describe(self) -> pd.DataFrame:
        """One row per variable: what it means, its states, its parents, whether it can be observed."""
        rows = []
        for v in self.spec.variables.values():
            rows.append({
                "variable": v.name,
                "description": v.description,
                "states": ", ".join(v.states),
                "parents": ", ".join(v.parents),
                "observable": v.observable,
                "outcome": v.name in self.spec.outcomes,
                "table": f"{v.builder} builder" if v.builder else "full table",
            })
        return pd.DataFrame(rows)

    def cpt(self, variable: str, rationale: bool = False) -> pd.DataFrame:
        """The conditional table, one row per combination of parent states, columns are child states."""
        check_variable(self.spec, variable, "cpt")
        v = self.spec.variables[variable]
        array = table_array(v, self.spec).reshape(-1, len(v.states))
        if v.parents:
            index = pd.MultiIndex.from_product([self.spec.states(p) for p in v.parents], names=list(v.parents))
        else:
            index = pd.Index(["(no parents)"], name="given")
        frame = pd.DataFrame(array, index=index, columns=pd.Index(list(v.states), name=variable))
        if rationale:
            by_key = {tuple(r.given[p] for p in v.parents): str(r.rationale) for r in v.rows}
            keys = list(index) if v.parents else [()]
            frame["rationale"] = [by_key[k if isinstance(k, tuple) else (k,)] for k in keys]
        return frame

    # ------------------------------------------------------------------ queries
    def marginals(self, variables=None, given=None, do=None, soft=None) -> dict[str, np.ndarray]:
        """Posterior arrays by variable, in the model's state order (for code that wants numbers).

        `soft`: virtual evidence, {variable: {state: likelihood ratio}} (states left out count 1), e.g. a
        report "3 times more likely if Russia is siding with Armenia"."""
        variables = self._targets(variables)
        given = parse_assignments(given, self.spec, "evidence")
        do = parse_assignments(do, self.spec, "intervention")
        if not soft:
            return self.engine.marginals(variables, given, do)

        queries = [Query.make(v, given, do, soft=self._likelihoods(soft)) for v in variables]
        return {q.target: r.probabilities[0] for q, r in zip(queries, self.engine.run(queries))}

    def _likelihoods(self, soft) -> dict[str, list[float]]:
        """{variable: {state: ratio}} as the engine's per-state likelihood lists (states left out: 1)."""
        likelihoods = {}
        for var, ratios in (soft or {}).items():
            check_variable(self.spec, var, "soft evidence")
            for s in ratios:
                if s not in self.spec.states(var):
                    raise QueryError(f"soft evidence names unknown state '{s}' of '{var}'", self.spec.path)
            likelihoods[var] = [float(ratios.get(s, 1.0)) for s in self.spec.states(var)]
        return likelihoods

    def query(self, variables=None, given=None, do=None, draws: int | None = None,
              seed: int | None = None, soft=None) -> pd.DataFrame:
        """Tidy posterior: columns variable, state, probability (one row per state).

        With `draws=N`, every judgement is drawn N times from its distribution and the table gains
        mean, median, lo90 and hi90 (the equal-tailed 90% interval), reproducible for a `seed`.
        """
        if not draws:
            return _tidy(self.marginals(variables, given, do, soft=soft), self.spec, self._columns)

        variables = self._targets(variables)
        given = parse_assignments(given, self.spec, "evidence")
        do = parse_assignments(do, self.spec, "intervention")
        queries = [Query.make(v, given, do, soft=self._likelihoods(soft)) for v in variables]
        return tidy_with_intervals(self, queries, _draw_count(draws, self.spec), DEFAULT_SEED if seed is None else seed)

    def probability(self, event: str | dict, given=None, do=None) -> float:
        """P(variable in states | ...): event as "var=state" or {"var": [states]}."""
        if isinstance(event, str):
            var, _, state = event.partition("=")
            event = {var.strip(): [state.strip()]}
        (var, states), = event.items()
        states = [states] if isinstance(states, str) else list(states)
        check_variable(self.spec, var, "event")
        for s in states:
            if s not in self.spec.states(var):
                raise QueryError(f"event names unknown state '{s}' of '{var}'", self.spec.path)
        p = self.marginals([var], given, do)[var]
        return float(sum(p[self.spec.states(var).index(s)] for s in states))

    def _targets(self, variables) -> list[str]:
        if variables is None:
            return self.outcomes
        if isinstance(variables, str):
            variables = [variables]
        variables = list(variables)
        for v in variables:
            check_variable(self.spec, v)
        return variables

    # ------------------------------------------------------------------ scenarios
    def scenario_names(self) -> list[str]:
        names = list(self.spec.scenarios)
        return names if BASELINE in names else [BASELINE] + names

    def scenario_table(self) -> pd.DataFrame:
        """The named scenarios as a table: what each observes and what it forces."""
        rows = []
        for name in self.scenario_names():
            sc = self.spec.scenarios.get(name)
            rows.append({
                "scenario": name,
                "description": sc.description if sc else "No evidence: the assessment as written.",
                "observed": ", ".join(f"{k}={v}" for k, v in sc.observe.items()) if sc else "",
                "forced": ", ".join(f"{k}={v}" for k, v in sc.do.items()) if sc else "",
            })
        return pd.DataFrame(rows)

    def scenarios(self, variables=None, names=None, draws: int | None = None, seed: int | None = None) -> pd.DataFrame:
        """Every named scenario (baseline first) in one tidy table: scenario, variable, state, probability
        (and mean, median, lo90, hi90 with `draws=N`)."""
        variables = self._targets(variables)
        names = self.scenario_names() if names is None else list(names)
        if draws:
            return self._scenarios_with_draws(variables, names, _draw_count(draws, self.spec), seed)
        frames = []
        for name in names:
            if name == BASELINE and name not in self.spec.scenarios:
                observe, do = {}, {}
            elif name in self.spec.scenarios:
                sc = self.spec.scenarios[name]
                observe, do = sc.observe, sc.do
            else:
                raise QueryError(f"unknown scenario '{name}'; known scenarios: {', '.join(self.scenario_names())}",
                                 self.spec.path)
            try:
                frame = _tidy(self.engine.marginals(variables, observe, do), self.spec, self._columns)
            except QueryError as exc:
                sc = self.spec.scenarios.get(name)
                raise QueryError(f"scenario '{name}': {exc.message}", self.spec.path, sc.line if sc else None) from None
            frame.insert(0, "scenario", name)
            frames.append(frame)
        out = pd.concat(frames, ignore_index=True)
        out["scenario"] = pd.Categorical(out["scenario"], categories=names, ordered=True)
        return out

    def check_scenarios(self):
        """Raise a QueryError naming the first scenario (with its line) whose observations cannot happen
        together; one small query per scenario, whatever the size of the model."""
        for name, sc in self.spec.scenarios.items():
            if not sc.observe:
                continue
            target = next(iter(sc.observe))
            try:
                self.engine.marginals([target], sc.observe, sc.do)
            except QueryError as exc:
                raise QueryError(f"scenario '{name}': {exc.message}", self.spec.path, sc.line) from None

    def _scenarios_with_draws(self, variables, names, draws, seed):
        queries = []
        for name in names:
            sc = self.spec.scenarios.get(name)
            if sc is None and name != BASELINE:
                raise QueryError(f"unknown scenario '{name}'; known scenarios: {', '.join(self.scenario_names())}",
                                 self.spec.path)
            queries += [Query.make(v, sc.observe if sc else {}, sc.do if sc else {}, label=name) for v in variables]
        self.scenarios(variables, names)  # impossible evidence is reported per scenario, with its line
        out = tidy_with_intervals(self, queries, draws, DEFAULT_SEED if seed is None else seed, key="scenario")
        out["scenario"] = pd.Categorical(out["scenario"], categories=names, ordered=True)
        return out

    # ------------------------------------------------------------------ claims
    def check(self, draws: int | None = None, seed: int | None = None) -> pd.DataFrame:
        """Evaluate every claim in the ledger on the compiled network (bayes/inference/claims.py); with `draws=N`,
        also the share of parameter draws in which each claim holds."""
        return claims_frame(evaluate_claims(self, draws=draws, seed=seed))

    def __repr__(self) -> str:
        return (f"<Model {self.name!r}: {len(self.spec.variables)} variables, {len(self.spec.claims)} claims, "
                f"{len(self.spec.scenarios)} scenarios>")


MAX_DRAWS = 10_000_000
MIN_DRAWS = 20  # a 90% interval leaves 5% on each side: with fewer than 20 draws its ends are just min and max


def _draw_count(draws, spec) -> int:
    if isinstance(draws, bool) or not isinstance(draws, (int, np.integer)) or not MIN_DRAWS <= draws <= MAX_DRAWS:
        raise QueryError(f"draws must be a whole number from {MIN_DRAWS} to {MAX_DRAWS:,} (1,000 or more gives "
                         f"steady intervals), got {draws!r}", spec.path)
    return int(draws)


def _tidy(result: dict[str, np.ndarray], spec: ModelSpec, kept: dict | None = None) -> pd.DataFrame:
    """One row per state of each variable asked: variable, state, probability. `kept`: the text columns by the
    variables asked, made once per model (a question asked again gets copies of them, not pandas' inference)."""
    key = tuple(result)
    text = kept.get(key) if kept is not None else None
    if text is None:
        variables: list[str] = []
        states: list[str] = []
        for var in result:
            names = spec.states(var)
            variables += [var] * len(names)
            states += names
        text = (_text_column(variables), _text_column(states))
        if kept is not None and len(kept) < MAX_KEPT_COLUMNS:
            kept[key] = text
    probability = np.concatenate([np.asarray(p, dtype=float).reshape(-1) for p in result.values()]) if result \
        else np.empty(0)
    return _frame(text[0].copy(), text[1].copy(), probability)


MAX_KEPT_COLUMNS = 1000  # sets of variables asked whose text columns a model keeps


@functools.cache
def _layout() -> tuple:
    """(the dtype pandas gives a column of text: object, pandas 3's str; the column names, an immutable Index
    the frames share), found on first use rather than at import."""
    return pd.Series(["text"]).dtype, pd.Index(["variable", "state", "probability"])


def _text_column(values: list[str]):
    """A column of text as pandas would type it from rows."""
    dtype = _layout()[0]
    return np.array(values, dtype=object) if dtype == object else pd.array(values, dtype=dtype)


def _frame(variables, states, probability: np.ndarray) -> pd.DataFrame:
    """The tidy frame as pd.DataFrame would build it from rows, made from its columns directly (pandas' inference
    row by row took 100 us, against 4 us for the engine's answer to a question asked again)."""
    make = getattr(pd.DataFrame, "_from_arrays", None)
    if make is None:  # pragma: no cover - a pandas without it: the public constructor
        return pd.DataFrame({"variable": variables, "state": states, "probability": probability})
    return make([variables, states, probability], columns=_layout()[1], index=pd.RangeIndex(len(probability)),
                verify_integrity=False)


def load(name_or_path: str | os.PathLike) -> Model:
    """Load a model by name (data/models/<name>.yaml) or by path; errors name the file and line."""
    return Model(load_spec(name_or_path))
