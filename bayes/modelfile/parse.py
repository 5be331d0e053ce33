"""The analyst's model file: read, validate and turn into plain Python objects.

The file is data (safe YAML, never executed). Every check here names the file, the line and what was
expected, because the person fixing it is an analyst with the file open, not a developer with a
traceback. Compiling to arrays and to pgmpy lives in `bayes/inference/network.py`; this module knows nothing
about inference."""

from __future__ import annotations

import os
from graphlib import CycleError, TopologicalSorter
from types import SimpleNamespace

from bayes.modelfile.claimspecs import parse_claims
from bayes.modelfile.elicitation import DEFAULT_CONCENTRATION
from bayes.modelfile.locate import resolve_model_path
from bayes.modelfile.prose import parse_prose
from bayes.modelfile.scales import DEFAULT_SCALE, SCALES
from bayes.modelfile.spec import (ANSWER_KEYS, CONFIDENCE_LEVELS, FORMAT_TAG, LARGEST_ROW_TOLERANCE, MODEL_KEYS,
                                  OUTCOME_KEYS, QUESTION_KEYS, SCENARIO_KEYS, TOP_KEYS, VARIABLE_KEYS, ModelSpec, Question, Scenario, StatedConfidence,
                                  Variable)
from bayes.modelfile.tables import parse_array, parse_builder, parse_table
from bayes.modelfile.validation import Checker, check_rationales, read_assignments
from bayes.modelfile.yamlfile import LineDict, LineList, line_of, load_yaml_file

# --------------------------------------------------------------------------- parsing

def load_spec(name_or_path: str | os.PathLike) -> ModelSpec:
    """Read and validate a model file; raises ModelFileError with file and line on the first problem."""
    path = resolve_model_path(name_or_path)
    raw = load_yaml_file(path)
    return parse_spec(raw, str(path), name=path.stem)


def parse_spec(raw, filename: str, name: str) -> ModelSpec:
    ck = Checker(filename)
    if raw is None:
        ck.fail("the file is empty; expected a model with 'model', 'variables', 'outcomes', "
                "'scenarios' and 'claims' sections", 1)
    top = ck.mapping(raw, "the model file", 1)
    ck.known_keys(top, TOP_KEYS, "the top level of the model file")
    for key in ("model", "variables"):
        if key not in top:
            ck.fail(f"missing section '{key}' at the top level", 1)
    fmt = top.get("format", FORMAT_TAG)
    if fmt != FORMAT_TAG:
        ck.fail(f"format is '{fmt}'; this toolkit reads '{FORMAT_TAG}'", line_of(top, "format"))

    meta = ck.mapping(top["model"], "the 'model' section", line_of(top, "model"))
    ck.known_keys(meta, MODEL_KEYS, "the 'model' section")
    for key in ("title", "source", "as_of", "author"):
        if key not in meta:
            ck.fail(f"the 'model' section needs '{key}'", meta.line)
    scale = str(meta.get("scale", DEFAULT_SCALE))
    if scale not in SCALES:
        ck.fail(f"unknown scale '{scale}'; expected one of: {', '.join(SCALES)}", line_of(meta, "scale"))

    concentration = DEFAULT_CONCENTRATION
    if "concentration" in meta:
        concentration = ck.number(meta["concentration"], "concentration", line_of(meta, "concentration"),
                                  "a positive number (how firmly plain numbers are held; 50 by default)")
        if concentration <= 0:
            ck.fail("concentration must be positive", line_of(meta, "concentration"))
    if "row_tolerance" in meta:
        ck.row_tolerance = ck.number(meta["row_tolerance"], "row_tolerance", line_of(meta, "row_tolerance"),
                                     f"how far a row may sum from 1, at most {LARGEST_ROW_TOLERANCE:g}")
        if not 0 <= ck.row_tolerance <= LARGEST_ROW_TOLERANCE:
            ck.fail(f"row_tolerance is {ck.row_tolerance:g}; expected a number from 0 to {LARGEST_ROW_TOLERANCE:g} (rows "
                    "rounded in print; a row further from 1 is a mistake to mend, not to tolerate)",
                    line_of(meta, "row_tolerance"))
    # Claims, outcomes and scenarios need only each variable's states, so they are read even where a
    # variable's table failed: one run of `check` names every problem of the file (up to a cap).
    variables, states_of = _parse_variables(ck, top, SCALES[scale], concentration)
    claims = parse_claims(ck, top.get("claims"), line_of(top, "claims"), states_of, scale)
    outcomes, headline_states, stated = _parse_outcomes(ck, top.get("outcomes"), line_of(top, "outcomes"), states_of)
    scenarios = _parse_scenarios(ck, top.get("scenarios"), line_of(top, "scenarios"), states_of)
    ck.stop()
    check_rationales(ck, variables, claims)
    question = _parse_question(ck, meta, variables, headline_states)
    prose = parse_prose(ck, top.get("key_judgements"), line_of(top, "key_judgements"), variables, SCALES[scale])

    return ModelSpec(
        name=name,
        path=filename,
        title=ck.text(meta["title"], "model title", line_of(meta, "title")),
        source=ck.text(meta["source"], "model source", line_of(meta, "source")),
        as_of=ck.text(meta["as_of"], "model as_of date", line_of(meta, "as_of")),
        author=ck.text(meta["author"], "model author", line_of(meta, "author")),
        description=ck.text(meta.get("description"), "model description", line_of(meta, "description"),
                            required=False),
        scale=scale,
        concentration=concentration,
        variables=variables,
        outcomes=outcomes,
        headline_states=headline_states,
        scenarios=scenarios,
        claims=claims,
        source_file=ck.text(meta.get("source_file"), "source_file", line_of(meta, "source_file"),
                            required=False) or None,
        source_file_line=line_of(meta, "source_file") if "source_file" in meta else None,
        question=question,
        stated_confidence=stated,
        prose=prose,
    )


def _parse_question(ck, meta, variables, headline_states) -> Question | None:
    """`question: {answer: {variable: v, yes: [states]}, horizon: DATE}`; without it the first headline
    outcome answers the question (None when the model has no variable to stand in)."""
    if "question" not in meta:
        if headline_states:
            var, state = next(iter(headline_states.items()))
        else:
            var = list(variables)[-1]
            state = variables[var].states[-1]
        return Question(var, (state,))
    qline = line_of(meta, "question")
    body = ck.mapping(meta["question"], "'question' of the 'model' section", qline)
    ck.known_keys(body, QUESTION_KEYS, "'question'")
    if "answer" not in body:
        ck.fail("'question' needs 'answer: {variable: VARIABLE, yes: [STATE, ...]}': the states that answer the "
                "question yes", qline)
    aline = line_of(body, "answer")
    answer = ck.mapping(body["answer"], "'answer' of 'question'", aline)
    ck.known_keys(answer, ANSWER_KEYS, "'answer'")
    for key in ("variable", "yes"):
        if key not in answer:
            ck.fail(f"'answer' needs '{key}' (e.g. answer: {{variable: ceasefire, yes: [holds]}})", aline)
    var = ck.name(answer["variable"], "answer variable", line_of(answer, "variable"))
    if var not in variables:
        ck.fail(f"answer variable '{var}' is not a variable; known variables: {', '.join(variables)}",
                line_of(answer, "variable"))
    raw_yes = answer["yes"] if isinstance(answer["yes"], list) else [answer["yes"]]
    yes: list[str] = []
    for item in raw_yes:
        state = ck.name(item, f"a 'yes' state of '{var}'", line_of(answer, "yes"))
        if state not in variables[var].states:
            ck.fail(f"unknown state '{state}' of '{var}' in 'yes'; expected one of: {', '.join(variables[var].states)}",
                    line_of(answer, "yes"))
        if state in yes:
            ck.fail(f"state '{state}' listed twice in 'yes'", line_of(answer, "yes"))
        yes.append(state)
    if not yes or len(yes) == len(variables[var].states):
        ck.fail(f"'yes' must list some but not all states of '{var}' ({', '.join(variables[var].states)}): the "
                "rest answer no", line_of(answer, "yes"))
    horizon = ck.text(body.get("horizon"), "question horizon", line_of(body, "horizon"), required=False) or None
    return Question(var, tuple(s for s in variables[var].states if s in yes), horizon, True, qline)


def _parse_variables(ck: Checker, top: LineDict, scale, concentration: float) -> tuple[dict[str, Variable], dict]:
    """(the variables read, each variable's states by name): a variable whose table fails is left out of the
    first (its problem is gathered in `ck`) and kept in the second, for claims and scenarios to name."""
    section = top["variables"]
    if section is None or (isinstance(section, dict) and not section):
        ck.fail("the 'variables' section is empty; expected at least one variable", line_of(top, "variables"))
    section = ck.mapping(section, "the 'variables' section", line_of(top, "variables"))

    # First pass: names, states, parents (tables need every variable's states).
    shells: dict[str, dict] = {}
    for raw_name, body in section.items():
        with ck.gathering():
            vline = line_of(section, raw_name)
            vname = ck.name(raw_name, "variable name", vline)
            body = ck.mapping(body, f"variable '{vname}'", vline)
            ck.known_keys(body, VARIABLE_KEYS, f"variable '{vname}'")
            if "states" not in body:
                ck.fail(f"variable '{vname}' needs 'states' (a list of at least two state names)", vline)
            state_labels: dict[str, str] = {}
            if isinstance(body["states"], dict):  # {name: Label, ...}: the states in order, each with its label
                labelled = body["states"]
                states_raw = LineList(labelled.keys())
                states_raw.line = labelled.line
                states_raw.item_lines = [labelled.line_of(k) for k in labelled]
            else:
                labelled = None
                states_raw = ck.sequence(body["states"], f"states of '{vname}'", line_of(body, "states"))
            if len(states_raw) < 2:
                ck.fail(f"variable '{vname}' has {len(states_raw)} state(s); expected at least two",
                        line_of(body, "states"))
            states: list[str] = []
            seen: set[str] = set()  # (a list's `in` made 200,000 imported states quadratic)
            state_what = f"state of '{vname}'"
            for i, s in enumerate(states_raw):
                sline = states_raw.line_of(i)
                sname = ck.name(s, state_what, sline)
                if sname in seen:
                    ck.fail(f"duplicate state '{sname}' in variable '{vname}'; state names must be unique", sline)
                states.append(sname)
                seen.add(sname)
                if labelled is not None and labelled[s] is not None:
                    state_labels[sname] = ck.text(labelled[s], f"label of state '{sname}' of '{vname}'", sline)
            parents_raw = body.get("parents")
            if parents_raw is None:
                parents_raw = []
            if isinstance(parents_raw, str):
                parents_raw = [parents_raw]
            parents_raw = ck.sequence(parents_raw, f"parents of '{vname}'", line_of(body, "parents"))
            parents: list[str] = []
            parent_what, parent_line = f"parent of '{vname}'", line_of(body, "parents")
            for p in parents_raw:
                pname = ck.name(p, parent_what, parent_line)
                if pname in parents:
                    ck.fail(f"parent '{pname}' listed twice for variable '{vname}'", line_of(body, "parents"))
                if pname == vname:
                    ck.fail(f"variable '{vname}' lists itself as a parent", line_of(body, "parents"))
                parents.append(pname)
            description = ck.text(body.get("description"), f"description of '{vname}'",
                                  line_of(body, "description"), required=False)
            if not description:
                ck.fail(f"variable '{vname}' needs a plain-language 'description'", line_of(body, "description")
                        if "description" in body else vline)
            observable = body.get("observable", False)
            if not isinstance(observable, bool):
                ck.fail(f"'observable' of '{vname}' must be true or false", line_of(body, "observable"))
            label = ck.text(body.get("label"), f"label of '{vname}'", line_of(body, "label"), required=False) or None
            shells[vname] = dict(body=body, line=vline, states=tuple(states), parents=tuple(parents),
                                 description=description, observable=observable, label=label, state_labels=state_labels)

    ck.stop()
    for vname, shell in shells.items():
        for p in shell["parents"]:
            if p not in shells:
                with ck.gathering():
                    ck.fail(f"variable '{vname}' has unknown parent '{p}'; known variables: "
                            f"{', '.join(shells)}", line_of(shell["body"], "parents"))
    ck.stop()

    if not _acyclic(shells):  # graphlib finds the cycle to name; counting is cheaper when there is none
        try:
            TopologicalSorter({v: s["parents"] for v, s in shells.items()}).prepare()
        except CycleError as exc:
            cycle = exc.args[1]
            first = cycle[0]
            ck.fail("the parents form a cycle: " + " -> ".join(cycle) + " (each arrow points from a parent to its "
                    "child); a Bayesian network must have no directed cycles", line_of(shells[first]["body"], "parents"))

    variables: dict[str, Variable] = {}
    for vname, shell in shells.items():
        body = shell["body"]
        with ck.gathering():
            given = [k for k in ("table", "builder", "array") if k in body]
            if len(given) > 1:
                ck.fail(f"variable '{vname}' has both a '{given[0]}' and a '{given[1]}'; give one", line_of(body, given[1]))
            if "array" in body:
                rows, source = parse_array(ck, vname, shell, shells, concentration)
                kind = None
            elif "builder" in body:
                rows, source, kind = parse_builder(ck, vname, shell, shells, scale, concentration)
            else:
                rows, source = parse_table(ck, vname, shell, shells, scale, concentration)
                kind = None
            variables[vname] = Variable(vname, shell["description"], shell["states"], shell["parents"], rows,
                                        shell["observable"], shell["label"], shell["line"], source, kind,
                                        shell["state_labels"])
    return variables, {v: variables.get(v) or SimpleNamespace(states=shell["states"]) for v, shell in shells.items()}


def _acyclic(shells: dict) -> bool:
    """Whether every variable can be ordered after its parents (Kahn's count; the parents are all known)."""
    waiting = {v: len(shell["parents"]) for v, shell in shells.items()}
    children: dict[str, list[str]] = {}
    for v, shell in shells.items():
        for p in shell["parents"]:
            children.setdefault(p, []).append(v)
    ready = [v for v, n in waiting.items() if n == 0]
    done = 0
    while ready:
        v = ready.pop()
        done += 1
        for child in children.get(v, ()):
            waiting[child] -= 1
            if waiting[child] == 0:
                ready.append(child)
    return done == len(shells)


def _parse_outcomes(ck, raw, line, variables) -> tuple[list[str], dict[str, str], dict[str, StatedConfidence]]:
    """Outcomes a briefing reports: `- variable` or `- variable: headline_state` (the state charted), the
    latter optionally with the analyst's `confidence: low|moderate|high` and its `basis`."""
    if raw is None:
        return [], {}, {}
    raw = ck.sequence(raw, "'outcomes'", line)
    result: list[str] = []
    headline: dict[str, str] = {}
    stated: dict[str, StatedConfidence] = {}
    for i, item in enumerate(raw):
        with ck.gathering():
            vline = raw.line_of(i)
            state = None
            extra = {}
            if isinstance(item, dict):
                extra = {k: item[k] for k in item if k in OUTCOME_KEYS}
                rest = [k for k in item if k not in OUTCOME_KEYS]
                if len(rest) != 1:
                    ck.fail("an outcome is written 'variable' or 'variable: headline_state', optionally with "
                            "'confidence: low|moderate|high' and 'basis: ...'", vline)
                item, state = rest[0], item[rest[0]]
            v = ck.name(item, "outcome", vline)
            if v not in variables:
                ck.fail(f"outcome '{v}' is not a variable; known variables: {', '.join(variables)}", vline)
            if v in result:
                ck.fail(f"outcome '{v}' listed twice", vline)
            if state is not None:
                state = ck.name(state, f"headline state of outcome '{v}'", vline)
                if state not in variables[v].states:
                    ck.fail(f"unknown state '{state}' of '{v}' in 'outcomes'; expected one of: "
                            f"{', '.join(variables[v].states)}", vline)
            result.append(v)
            headline[v] = state if state is not None else variables[v].states[-1]
            if "basis" in extra and "confidence" not in extra:
                ck.fail(f"outcome '{v}' gives a 'basis' without a 'confidence' (low, moderate or high)", vline)
            if "confidence" in extra:
                level = ck.text(extra["confidence"], f"confidence of outcome '{v}'", vline).lower()
                if level not in CONFIDENCE_LEVELS:
                    ck.fail(f"confidence of outcome '{v}' is '{level}'; expected one of: {', '.join(CONFIDENCE_LEVELS)}",
                            vline)
                basis = ck.text(extra.get("basis"), f"basis of outcome '{v}'", vline, required=False) or None
                stated[v] = StatedConfidence(level, basis, vline)
    return result, headline, stated


def _parse_scenarios(ck, raw, line, variables) -> dict[str, Scenario]:
    if raw is None:
        return {}
    raw = ck.mapping(raw, "'scenarios'", line)
    result = {}
    for sname, body in raw.items():
        with ck.gathering():
            sline = line_of(raw, sname)
            sname = ck.name(sname, "scenario name", sline)
            body = ck.mapping(body or LineDict(), f"scenario '{sname}'", sline)
            ck.known_keys(body, SCENARIO_KEYS, f"scenario '{sname}'")
            observe = read_assignments(ck, body.get("observe"), f"'observe' of scenario '{sname}'",
                                         line_of(body, "observe"), variables)
            do = read_assignments(ck, body.get("do"), f"'do' of scenario '{sname}'", line_of(body, "do"), variables)
            both = set(observe) & set(do)
            if both:
                ck.fail(f"scenario '{sname}' both observes and forces {', '.join(sorted(both))}; "
                        "a variable is either observed or forced", sline)
            description = ck.text(body.get("description"), f"description of scenario '{sname}'",
                                  line_of(body, "description"), required=False)
            label = ck.text(body.get("label"), f"label of scenario '{sname}'", line_of(body, "label"), required=False)
            result[sname] = Scenario(sname, description, observe, do, label or None, sline)
    return result
