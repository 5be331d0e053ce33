"""The analyst's model file: read, validate and turn into plain Python objects.

The file is data (safe YAML, never executed). Every check here names the file, the line and what was
expected, because the person fixing it is an analyst with the file open, not a developer with a
traceback. Compiling to pgmpy lives in `network.py`; this module knows nothing about inference.
"""

from __future__ import annotations

import itertools
import math
import os
import re
from dataclasses import dataclass, field
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

from bayes.errors import ModelFileError
from bayes.modelfile.elicitation import (CLAIM_MIN_ODDS_RATIO, DEFAULT_CONCENTRATION, ArrayTable, Judgement,
                                         JudgementError, LogOddsTable, NoisyMaxTable, NoisyOrTable, Row, RowsTable,
                                         parse_odds_ratio, parse_probability, parse_strength)
from bayes.modelfile.scales import DEFAULT_SCALE, SCALES
from bayes.modelfile.yamlfile import LineDict, LineList, line_of, load_yaml_file

ROW_SUM_TOLERANCE = 1e-6
# Variable, state, scenario and claim names: identifiers, so they are safe in file names, formulas and
# every exchange format (docs/model-file.md#names).
MAX_NAME = 64
NAME_PATTERN = re.compile(rf"^[A-Za-z_][A-Za-z0-9_]{{0,{MAX_NAME - 1}}}\Z")
MAX_TABLE_ROWS = 100_000
FORMAT_TAG = "bayes-model/1"

TOP_KEYS = {"format", "model", "variables", "outcomes", "scenarios", "claims"}
MODEL_KEYS = {"title", "source", "as_of", "author", "description", "scale", "notes", "concentration", "source_file"}
VARIABLE_KEYS = {"description", "states", "parents", "table", "builder", "array", "observable", "label"}
ARRAY_KEYS = {"axes", "values", "rationale", "concentration"}
ROW_KEYS = {"given", "probabilities", "rationale", "concentration"}
BUILDER_KEYS = {
    "log_odds": {"type", "state", "baseline", "effects", "rationale", "concentration"},
    "noisy_or": {"type", "present", "leak", "causes", "rationale", "concentration"},
    "noisy_max": {"type", "highest", "leak", "causes", "rationale", "concentration"},
}
REST = "rest"
RATIONALE_KEYS = {"claims", "assumption", "note"}
SCENARIO_KEYS = {"description", "observe", "do", "label"}
CLAIM_KEYS = {
    "quote", "says", "form", "reading", "outcome", "if", "than", "given", "band", "range",
    "strength", "min_odds_ratio", "cause", "tolerance", "note",
}
CLAIM_FORMS = ("more_likely", "less_likely", "probability", "no_difference")
READINGS = ("observation", "intervention")

# A single-number probability claim ("about 30%") holds within this many points unless it says otherwise;
# a no_difference claim's default tolerance is ClaimSpec.tolerance (1 point).
POINT_CLAIM_TOLERANCE = 0.05


@dataclass(frozen=True)
class Rationale:
    """Why a number is what it is: claims from the ledger, an analyst assumption, or both."""

    claims: tuple[str, ...] = ()
    assumption: str | None = None
    note: str | None = None

    def __str__(self) -> str:
        parts = []
        if self.claims:
            parts.append("claims " + ", ".join(self.claims))
        if self.assumption:
            parts.append("assumption: " + self.assumption)
        if self.note:
            parts.append(self.note)
        return "; ".join(parts)


@dataclass(frozen=True)
class TableRow:
    given: dict[str, str]
    probabilities: dict[str, float]
    rationale: Rationale
    line: int | None = None
    rationale_line: int | None = None
    judged: object = None  # elicitation.Row: the judgements as written (numbers, ranges, terms, rest)


@dataclass
class Variable:
    name: str
    description: str
    states: tuple[str, ...]
    parents: tuple[str, ...]
    rows: list[TableRow]
    observable: bool = False
    label: str | None = None
    line: int | None = None
    source: object = None  # elicitation.RowsTable / LogOddsTable / NoisyOrTable / NoisyMaxTable
    builder: str | None = None  # the builder's type, or None for a full table

    @property
    def display(self) -> str:
        return self.label or self.name.replace("_", " ")


@dataclass
class Scenario:
    name: str
    description: str
    observe: dict[str, str]
    do: dict[str, str]
    label: str | None = None
    line: int | None = None

    @property
    def display(self) -> str:
        return self.label or self.name.replace("_", " ")


@dataclass
class ClaimSpec:
    id: str
    quote: str
    says: str
    form: str
    reading: str
    outcome_variable: str
    outcome_states: tuple[str, ...]
    if_: dict[str, str] = field(default_factory=dict)
    than: dict[str, str] = field(default_factory=dict)
    given: dict[str, str] = field(default_factory=dict)
    band: str | None = None
    range: tuple[float, float] | None = None
    min_odds_ratio: float | None = None
    cause: str | None = None
    tolerance: float = 0.01
    note: str | None = None
    line: int | None = None


@dataclass
class ModelSpec:
    name: str
    path: str
    title: str
    source: str
    as_of: str
    author: str
    description: str
    scale: str
    concentration: float
    variables: dict[str, Variable]
    outcomes: list[str]
    headline_states: dict[str, str]
    scenarios: dict[str, Scenario]
    claims: dict[str, ClaimSpec]
    source_file: str | None = None  # the source text, relative to the model file (sources.py checks quotes)
    source_file_line: int | None = None

    def states(self, variable: str) -> tuple[str, ...]:
        return self.variables[variable].states


# --------------------------------------------------------------------------- locating model files

def models_dirs() -> list[Path]:
    """Where a bare model name is looked up: $BAYES_MODELS_DIR, ./data/models, the project's data/models."""
    dirs = []
    env = os.environ.get("BAYES_MODELS_DIR")
    if env:
        dirs.append(Path(env))
    dirs.append(Path.cwd() / "data" / "models")
    dirs.append(Path(__file__).resolve().parents[2] / "data" / "models")
    seen, unique = set(), []
    for d in dirs:
        key = d.resolve() if d.exists() else d
        if key not in seen:
            seen.add(key)
            unique.append(d)
    return unique


def resolve_model_path(name_or_path: str | os.PathLike) -> Path:
    """A path that exists wins; otherwise `name` means data/models/<name>.yaml."""
    candidate = Path(name_or_path)
    if candidate.is_file() or candidate.suffix in (".yaml", ".yml") or os.sep in str(name_or_path):
        return candidate
    for d in models_dirs():
        for ext in (".yaml", ".yml"):
            path = d / f"{name_or_path}{ext}"
            if path.is_file():
                return _short(path)
    known = sorted({p.stem for d in models_dirs() if d.is_dir() for p in d.glob("*.y*ml")})
    raise ModelFileError(
        f"no model named '{name_or_path}'; expected a path to a .yaml file or one of: "
        + (", ".join(known) if known else "(no models found under data/models)"),
        str(name_or_path),
    )


def _short(path: Path) -> Path:
    """Relative to the working directory when inside it, so messages show data/models/x.yaml."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return path


def available_models() -> list[str]:
    return sorted({p.stem for d in models_dirs() if d.is_dir() for p in d.glob("*.y*ml")})


# --------------------------------------------------------------------------- validation helpers

class _Checker:
    """Holds the file name so every error can say where it is."""

    def __init__(self, filename: str):
        self.file = filename

    def fail(self, message: str, line: int | None = None):
        raise ModelFileError(message, self.file, line)

    def mapping(self, value, what: str, line: int | None) -> LineDict:
        if not isinstance(value, dict):
            self.fail(f"{what} must be a mapping of name: value, got {_kind(value)}", line)
        return value

    def sequence(self, value, what: str, line: int | None) -> LineList:
        if not isinstance(value, list):
            self.fail(f"{what} must be a list, got {_kind(value)}", line)
        return value

    def text(self, value, what: str, line: int | None, required: bool = True) -> str:
        if value is None and not required:
            return ""
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.fail(f"{what} must be text, got {_kind(value)}", line)
        text = str(value).strip()
        if required and not text:
            self.fail(f"{what} must not be empty", line)
        return text

    def name(self, value, what: str, line: int | None) -> str:
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            self.fail(f"{what} must be a name (letters, digits, _), got {_kind(value)}", line)
        text = str(value).strip()
        if not NAME_PATTERN.match(text):
            shown = text if len(text) <= 40 else text[:40] + "..."
            why = f"is {len(text)} characters long" if len(text) > MAX_NAME and NAME_PATTERN.match(text[:MAX_NAME]) \
                else "is not a name"
            self.fail(f"{what} '{shown}' {why}; a name is letters, digits and _, not starting with a digit, at most "
                      f"{MAX_NAME} characters (e.g. turns_to_the_west)", line)
        return text

    def known_keys(self, mapping: LineDict, allowed: set[str], what: str):
        for key in mapping:
            if key not in allowed:
                shown = "~ (null)" if key is None else key
                self.fail(f"unknown key '{shown}' in {what}; expected one of: {', '.join(sorted(allowed))}",
                          line_of(mapping, key))

    def number(self, value, what: str, line: int | None, expected: str = "a number") -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            shown = f" '{value}'" if isinstance(value, str) else ""
            self.fail(f"{what} must be {expected}, got {_kind(value)}{shown}", line)
        try:
            x = float(value)
        except OverflowError:
            self.fail(f"{what} is far too large; expected {expected}", line)
        if not math.isfinite(x):
            self.fail(f"{what} is {value}; expected {expected}", line)
        return x

    def probability(self, value, what: str, line: int | None) -> float:
        x = self.number(value, what, line, "a number between 0 and 1")
        if x < 0.0 or x > 1.0:
            self.fail(f"{what} is {value}; a probability must be between 0 and 1", line)
        return x


def _kind(value) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bytes):
        return "binary data"
    if isinstance(value, (set, frozenset)):
        return "a set"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, (int, float)):
        return "a number"
    return "text"


# --------------------------------------------------------------------------- parsing

def load_spec(name_or_path: str | os.PathLike) -> ModelSpec:
    """Read and validate a model file; raises ModelFileError with file and line on the first problem."""
    path = resolve_model_path(name_or_path)
    raw = load_yaml_file(path)
    return parse_spec(raw, str(path), name=path.stem)


def parse_spec(raw, filename: str, name: str) -> ModelSpec:
    ck = _Checker(filename)
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
    variables = _parse_variables(ck, top, SCALES[scale], concentration)
    claims = _parse_claims(ck, top.get("claims"), line_of(top, "claims"), variables, scale)
    _check_rationales(ck, variables, claims)
    outcomes, headline_states = _parse_outcomes(ck, top.get("outcomes"), line_of(top, "outcomes"), variables)
    scenarios = _parse_scenarios(ck, top.get("scenarios"), line_of(top, "scenarios"), variables)

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
    )


def _parse_variables(ck: _Checker, top: LineDict, scale, concentration: float) -> dict[str, Variable]:
    section = top["variables"]
    if section is None or (isinstance(section, dict) and not section):
        ck.fail("the 'variables' section is empty; expected at least one variable", line_of(top, "variables"))
    section = ck.mapping(section, "the 'variables' section", line_of(top, "variables"))

    # First pass: names, states, parents (tables need every variable's states).
    shells: dict[str, dict] = {}
    for raw_name, body in section.items():
        vline = line_of(section, raw_name)
        vname = ck.name(raw_name, "variable name", vline)
        body = ck.mapping(body, f"variable '{vname}'", vline)
        ck.known_keys(body, VARIABLE_KEYS, f"variable '{vname}'")
        if "states" not in body:
            ck.fail(f"variable '{vname}' needs 'states' (a list of at least two state names)", vline)
        states_raw = ck.sequence(body["states"], f"states of '{vname}'", line_of(body, "states"))
        if len(states_raw) < 2:
            ck.fail(f"variable '{vname}' has {len(states_raw)} state(s); expected at least two",
                    line_of(body, "states"))
        states: list[str] = []
        for i, s in enumerate(states_raw):
            sline = states_raw.line_of(i)
            sname = ck.name(s, f"state of '{vname}'", sline)
            if sname in states:
                ck.fail(f"duplicate state '{sname}' in variable '{vname}'; state names must be unique", sline)
            states.append(sname)
        parents_raw = body.get("parents")
        if parents_raw is None:
            parents_raw = []
        if isinstance(parents_raw, str):
            parents_raw = [parents_raw]
        parents_raw = ck.sequence(parents_raw, f"parents of '{vname}'", line_of(body, "parents"))
        parents: list[str] = []
        for p in parents_raw:
            pname = ck.name(p, f"parent of '{vname}'", line_of(body, "parents"))
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
                             description=description, observable=observable, label=label)

    for vname, shell in shells.items():
        for p in shell["parents"]:
            if p not in shells:
                ck.fail(f"variable '{vname}' has unknown parent '{p}'; known variables: "
                        f"{', '.join(shells)}", line_of(shell["body"], "parents"))

    sorter = TopologicalSorter({v: s["parents"] for v, s in shells.items()})
    try:
        sorter.prepare()
    except CycleError as exc:
        cycle = exc.args[1]
        first = cycle[0]
        ck.fail("the parents form a cycle: " + " -> ".join(cycle) + " (each arrow points from a parent to its "
                "child); a Bayesian network must have no directed cycles", line_of(shells[first]["body"], "parents"))

    variables: dict[str, Variable] = {}
    for vname, shell in shells.items():
        body = shell["body"]
        given = [k for k in ("table", "builder", "array") if k in body]
        if len(given) > 1:
            ck.fail(f"variable '{vname}' has both a '{given[0]}' and a '{given[1]}'; give one", line_of(body, given[1]))
        if "array" in body:
            rows, source = _parse_array(ck, vname, shell, shells, concentration)
            kind = None
        elif "builder" in body:
            rows, source, kind = _parse_builder(ck, vname, shell, shells, scale, concentration)
        else:
            rows, source = _parse_table(ck, vname, shell, shells, scale, concentration)
            kind = None
        variables[vname] = Variable(vname, shell["description"], shell["states"], shell["parents"], rows,
                                    shell["observable"], shell["label"], shell["line"], source, kind)
    return variables


def _parse_row(ck: _Checker, raw, vname: str, states, context: str, line, scale, concentration) -> Row:
    """A row of judgements keyed by state: numbers, ranges, terms, and at most one `rest`."""
    raw = ck.mapping(raw, f"probabilities of '{vname}'", line)
    judgements: dict[str, Judgement] = {}
    rest = None
    for key, x in raw.items():
        pline = line_of(raw, key)
        s = ck.name(key, f"state of '{vname}'", pline)
        if s not in states:
            ck.fail(f"unknown state '{s}' of '{vname}' in its table; expected one of: {', '.join(states)}", pline)
        if isinstance(x, str) and x.strip().lower() == REST:
            if rest is not None:
                ck.fail(f"two states of '{vname}' are written 'rest' ({rest} and {s}); at most one may be", pline)
            rest = s
            continue
        if isinstance(x, (int, float)) and not isinstance(x, bool):
            ck.probability(x, f"P({vname}={s} | {context})", pline)
        try:
            judgements[s] = parse_probability(x, scale)
        except JudgementError as exc:
            ck.fail(f"P({vname}={s} | {context}): {exc}", pline)
    absent = [s for s in states if s not in judgements and s != rest]
    if absent:
        ck.fail(f"table row of '{vname}' for {context} gives no probability for state(s) {', '.join(absent)}; "
                "every state needs one (or write one state as 'rest')", line)
    total = sum(j.point for j in judgements.values())
    if rest is not None:
        if total > 1.0 + ROW_SUM_TOLERANCE:
            ck.fail(f"probabilities of '{vname}' for {context} already sum to {total:.6g} before 'rest'; "
                    "they must leave something for it", line)
    elif abs(total - 1.0) > ROW_SUM_TOLERANCE:
        hint = " (ranges and terms count at their midpoints; write one state as 'rest')" if any(
            j.is_range for j in judgements.values()) else ""
        ck.fail(f"probabilities of '{vname}' for {context} sum to {total:.6g}; each row must sum to 1 "
                f"(tolerance {ROW_SUM_TOLERANCE:g}){hint}", line)
    return Row(tuple(states), judgements, rest, concentration)


def _row_concentration(ck, mapping, default):
    if "concentration" not in mapping:
        return default
    k = ck.number(mapping["concentration"], "concentration", line_of(mapping, "concentration"), "a positive number")
    if k <= 0:
        ck.fail("concentration must be positive", line_of(mapping, "concentration"))
    return k


def _parse_table(ck: _Checker, vname: str, shell: dict, shells: dict, scale, concentration):
    body = shell["body"]
    if "table" not in body:
        ck.fail(f"variable '{vname}' needs a 'table' (one row per combination of its parents' states) "
                "or a 'builder'", shell["line"])
    table = body["table"]
    if isinstance(table, dict):  # a root variable may give its single row as a mapping
        table = LineList([table])
        table.line = line_of(body, "table")
        table.item_lines = [table.line]
    table = ck.sequence(table, f"table of '{vname}'", line_of(body, "table"))
    parents = shell["parents"]
    states = shell["states"]
    expected = 1
    for p in parents:
        expected *= len(shells[p]["states"])
    if expected > MAX_TABLE_ROWS:
        ck.fail(f"variable '{vname}' would need a table of {expected:,} rows (one per combination of its "
                f"{len(parents)} parents' states); at most {MAX_TABLE_ROWS:,} are supported; reduce its parents",
                line_of(body, "parents"))

    seen: dict[tuple, int | None] = {}
    rows: list[TableRow] = []
    for i, raw_row in enumerate(table):
        rline = table.line_of(i)
        row = ck.mapping(raw_row, f"row {i + 1} of the table of '{vname}'", rline)
        ck.known_keys(row, ROW_KEYS, f"a table row of '{vname}'")
        given_raw = row.get("given") or LineDict()
        given_raw = ck.mapping(given_raw, f"'given' of a table row of '{vname}'", line_of(row, "given"))
        choices: dict[str, list[str]] = {}
        for key, value in given_raw.items():
            gline = line_of(given_raw, key)
            p = ck.name(key, f"parent of '{vname}'", gline)
            if p not in parents:
                ck.fail(f"table row of '{vname}' gives '{p}', which is not a parent of '{vname}'; "
                        f"parents are: {', '.join(parents) or '(none)'}", gline)
            listed = value if isinstance(value, list) else [value]  # a list: one row for each of these states
            if not listed:
                ck.fail(f"table row of '{vname}' lists no state of '{p}'", gline)
            choices[p] = []
            for s in listed:
                s = ck.name(s, f"state of '{p}'", gline)
                if s not in shells[p]["states"]:
                    ck.fail(f"unknown state '{s}' of '{p}' in the table of '{vname}'; expected one of: "
                            f"{', '.join(shells[p]['states'])}", gline)
                if s in choices[p]:
                    ck.fail(f"state '{s}' of '{p}' listed twice in one row of '{vname}'", gline)
                choices[p].append(s)
        missing = [p for p in parents if p not in choices]
        if missing:
            ck.fail(f"table row of '{vname}' does not say the state of parent(s) {', '.join(missing)}; "
                    "each row needs 'given' with every parent's state", rline)
        expanded = [dict(zip(parents, combo)) for combo in itertools.product(*(choices[p] for p in parents))]
        for given in expanded:
            key = tuple(given[p] for p in parents)
            if key in seen:
                ck.fail(f"duplicate row for {_fmt_given(given) or 'the unconditional row'} in the table of "
                        f"'{vname}' (first at line {seen[key]})", rline)
            seen[key] = rline
        given = expanded[0]
        label = _fmt_given({p: (choices[p][0] if len(choices[p]) == 1 else "|".join(choices[p])) for p in parents})

        if "probabilities" not in row:
            ck.fail(f"table row of '{vname}' needs 'probabilities' (state: number)", rline)
        judged = _parse_row(ck, row["probabilities"], vname, states, label or "the unconditional row",
                            line_of(row, "probabilities"), scale, _row_concentration(ck, row, concentration))
        rationale = _parse_rationale(ck, row, vname, rline)
        point = dict(zip(states, map(float, judged.point())))
        for given in expanded:  # rows written once share one judgement, and so one draw
            rows.append(TableRow(given, point, rationale, rline, line_of(row, "rationale"), judged))

    if len(rows) != expected:
        missing = next((k for k in itertools.product(*(shells[p]["states"] for p in parents)) if k not in seen), ())
        if parents:
            example = ", ".join(f"{p}={s}" for p, s in zip(parents, missing))
            what = f"expected {expected} (one per combination of parent states); missing e.g. {example}"
        else:
            what = "expected 1 (the unconditional row)"
        ck.fail(f"the table of '{vname}' has {len(rows)} row(s); {what}", line_of(body, "table"))
    order = {key: i for i, key in enumerate(itertools.product(*(shells[p]["states"] for p in parents)))}
    rows.sort(key=lambda r: order[tuple(r.given[p] for p in parents)])
    shape = tuple(len(shells[p]["states"]) for p in parents) + (len(states),)
    return rows, RowsTable(shape, [r.judged for r in rows])


class _ArrayRows(list):
    """The rows of an `array:` table, built only when something asks for them (a big imported table
    loads as one array; the engine never needs row objects)."""

    def __init__(self, make):
        super().__init__()
        self._make = make
        self._built = False

    def _build(self):
        if not self._built:
            self._built = True
            super().extend(self._make())

    def __iter__(self):
        self._build()
        return super().__iter__()

    def __len__(self):
        self._build()
        return super().__len__()

    def __getitem__(self, i):
        self._build()
        return super().__getitem__(i)

    def __bool__(self):
        return True


def _parse_array(ck: _Checker, vname: str, shell: dict, shells: dict, concentration):
    """`array: {axes: [parent, ..., self], values: "p p p ..." or [p, ...], rationale: ...}`: the whole table
    as numbers in the order of `axes`, the last axis fastest (docs/model-file.md#array)."""
    import numpy as np

    body = shell["body"]
    aline = line_of(body, "array")
    spec = ck.mapping(body["array"], f"array of '{vname}'", aline)
    ck.known_keys(spec, ARRAY_KEYS, f"the array of '{vname}'")
    parents, states = shell["parents"], shell["states"]
    for key in ("axes", "values"):
        if key not in spec:
            ck.fail(f"the array of '{vname}' needs '{key}'", aline)
    axes = [ck.name(a, "axis", line_of(spec, "axes")) for a in ck.sequence(spec["axes"], "axes", line_of(spec, "axes"))]
    if sorted(axes) != sorted([*parents, vname]) or len(set(axes)) != len(axes):
        ck.fail(f"'axes' of the array of '{vname}' must list its parents and itself once each, in the order of the "
                f"values ({', '.join([*parents, vname])})", line_of(spec, "axes"))
    cards = {p: len(shells[p]["states"]) for p in parents} | {vname: len(states)}
    expected = math.prod(cards.values())
    if expected // len(states) > MAX_TABLE_ROWS:
        ck.fail(f"variable '{vname}' would need a table of {expected // len(states):,} rows; at most "
                f"{MAX_TABLE_ROWS:,} are supported", line_of(body, "parents"))
    raw = spec["values"]
    vline = line_of(spec, "values")
    try:
        if isinstance(raw, str):
            values = np.array(raw.split(), dtype=float)
        else:
            raw = ck.sequence(raw, "values", vline)
            if any(isinstance(x, bool) or not isinstance(x, (int, float)) for x in raw):
                raise ValueError
            values = np.array(raw, dtype=float)
    except (ValueError, OverflowError):
        ck.fail(f"'values' of the array of '{vname}' must be numbers separated by spaces (or a list of numbers)", vline)
    if values.size != expected:
        ck.fail(f"the array of '{vname}' has {values.size:,} values; its axes need {expected:,} "
                f"({' x '.join(str(cards[a]) for a in axes)})", vline)
    if not np.all(np.isfinite(values)) or values.min() < 0 or values.max() > 1:
        ck.fail(f"the array of '{vname}' holds a value outside 0-1", vline)
    table = np.ascontiguousarray(np.transpose(values.reshape([cards[a] for a in axes]),
                                              [axes.index(a) for a in [*parents, vname]]))
    sums = table.sum(axis=-1)
    worst = np.unravel_index(np.argmax(np.abs(sums - 1)), sums.shape) if sums.size else ()
    if sums.size and abs(sums[worst] - 1) > ROW_SUM_TOLERANCE:
        given = ", ".join(f"{p}={shells[p]['states'][i]}" for p, i in zip(parents, worst)) or "the unconditional row"
        ck.fail(f"the row of '{vname}' for {given} sums to {sums[worst]:.9g}; each row must sum to 1", vline)
    k = _row_concentration(ck, spec, concentration)
    rationale = _parse_rationale(ck, spec, vname, aline, where="the array")
    rline = line_of(spec, "rationale")

    def make_rows():
        return [TableRow({p: shells[p]["states"][i] for p, i in zip(parents, index)}, dict(zip(states, map(float, table[index]))),
                         rationale, aline, rline)
                for index in itertools.product(*(range(cards[p]) for p in parents))]

    return _ArrayRows(make_rows), ArrayTable(table, k)


def _parse_builder(ck: _Checker, vname: str, shell: dict, shells: dict, scale, concentration):
    """A compact table builder: log_odds, noisy_or or noisy_max (elicitation.py has the formulas)."""
    body = shell["body"]
    bline = line_of(body, "builder")
    spec = ck.mapping(body["builder"], f"builder of '{vname}'", bline)
    kind = str(spec.get("type", ""))
    if kind not in BUILDER_KEYS:
        ck.fail(f"builder of '{vname}' needs a 'type': one of {', '.join(BUILDER_KEYS)}", line_of(spec, "type")
                if "type" in spec else bline)
    ck.known_keys(spec, BUILDER_KEYS[kind], f"the {kind} builder of '{vname}'")
    states, parents = shell["states"], shell["parents"]
    pcards = tuple(len(shells[p]["states"]) for p in parents)
    if math.prod(pcards) > MAX_TABLE_ROWS:  # checked before the builder allocates its table
        ck.fail(f"variable '{vname}' would need a table of {math.prod(pcards):,} rows (one per combination of its "
                f"{len(parents)} parents' states); at most {MAX_TABLE_ROWS:,} are supported; reduce its parents",
                line_of(body, "parents"))
    k = _row_concentration(ck, spec, concentration)
    effects_key = "effects" if kind == "log_odds" else "causes"
    effects_raw = spec.get(effects_key) or LineDict()
    effects_raw = ck.mapping(effects_raw, f"'{effects_key}' of the builder of '{vname}'", line_of(spec, effects_key))
    for key in effects_raw:
        if str(key) not in parents:
            ck.fail(f"the builder of '{vname}' gives {effects_key} for '{key}', which is not a parent; parents are: "
                    f"{', '.join(parents) or '(none)'}", line_of(effects_raw, key))
    for p in parents:
        if p not in effects_raw:
            ck.fail(f"the builder of '{vname}' gives no {effects_key} for its parent '{p}'", line_of(spec, effects_key)
                    if effects_key in spec else bline)

    def per_parent_state(p):
        raw = ck.mapping(effects_raw[p], f"{effects_key} of '{p}' in the builder of '{vname}'", line_of(effects_raw, p))
        out = {}
        for key, value in raw.items():
            line = line_of(raw, key)
            ps = ck.name(key, f"state of '{p}'", line)
            if ps not in shells[p]["states"]:
                ck.fail(f"unknown state '{ps}' of '{p}' in the builder of '{vname}'; expected one of: "
                        f"{', '.join(shells[p]['states'])}", line)
            out[shells[p]["states"].index(ps)] = (value, line)
        if len(out) == len(shells[p]["states"]):
            ck.fail(f"the builder of '{vname}' gives every state of '{p}' an effect; leave its reference state "
                    "out (the state with no effect)", line_of(effects_raw, p))
        return out

    def judgement(value, what, line):
        try:
            return parse_probability(value, scale)
        except JudgementError as exc:
            ck.fail(f"{what}: {exc}", line)

    def odds(value, what, line):
        try:
            return parse_odds_ratio(value)
        except JudgementError as exc:
            ck.fail(f"{what}: {exc}", line)

    if kind == "log_odds":
        if "baseline" not in spec:
            ck.fail(f"the log_odds builder of '{vname}' needs a 'baseline' (the row with every parent in its "
                    "reference state)", bline)
        target = None
        if "state" in spec:
            target = ck.name(spec["state"], "state", line_of(spec, "state"))
            if target not in states or len(states) != 2:
                ck.fail(f"'state' of the builder of '{vname}' must be one of its two states "
                        f"({', '.join(states)})", line_of(spec, "state"))
        if target is not None and not isinstance(spec["baseline"], dict):
            j = judgement(spec["baseline"], f"baseline of '{vname}'", line_of(spec, "baseline"))
            other = next(s for s in states if s != target)
            baseline = Row(tuple(states), {target: j}, other, k)
        else:
            baseline = _parse_row(ck, spec["baseline"], vname, states, "the baseline", line_of(spec, "baseline"),
                                  scale, k)
        effects = []
        for p in parents:
            by_state = {}
            for ps, (value, line) in per_parent_state(p).items():
                if isinstance(value, dict):
                    by_child = {}
                    for ckey, v in value.items():
                        cs = ck.name(ckey, f"state of '{vname}'", line_of(value, ckey))
                        if cs not in states:
                            ck.fail(f"unknown state '{cs}' of '{vname}' in its builder; expected one of: "
                                    f"{', '.join(states)}", line_of(value, ckey))
                        by_child[states.index(cs)] = odds(v, f"odds ratio for {vname}={cs}", line_of(value, ckey))
                elif target is not None:
                    by_child = {states.index(target): odds(value, f"odds ratio for {vname}={target}", line)}
                else:
                    ck.fail(f"the builder of '{vname}' has more than two states: write each effect as "
                            "{child_state: odds ratio}", line)
                by_state[ps] = by_child
            effects.append(by_state)
        source = LogOddsTable(pcards, baseline, effects)
    elif kind == "noisy_or":
        if len(states) != 2:
            ck.fail(f"noisy_or needs a variable with two states; '{vname}' has {len(states)}", bline)
        if "present" not in spec:
            ck.fail(f"the noisy_or builder of '{vname}' needs 'present': the state its causes make more likely "
                    f"(one of: {', '.join(states)})", bline)
        present = ck.name(spec["present"], "present", line_of(spec, "present"))
        if present not in states:
            ck.fail(f"'present' of the noisy_or builder of '{vname}' must be one of: {', '.join(states)}",
                    line_of(spec, "present") if "present" in spec else bline)
        if "leak" not in spec:
            ck.fail(f"the noisy_or builder of '{vname}' needs a 'leak' (P({present}) when no cause is present)", bline)
        leak = judgement(spec["leak"], f"leak of '{vname}'", line_of(spec, "leak"))
        strengths = [{ps: judgement(v, f"link strength of {p}", line) for ps, (v, line) in per_parent_state(p).items()}
                     for p in parents]
        source = NoisyOrTable(pcards, states.index(present), leak, strengths, k)
    else:  # noisy_max
        if "leak" not in spec:
            ck.fail(f"the noisy_max builder of '{vname}' needs a 'leak' row (the child's distribution when every "
                    "parent is in its reference state)", bline)
        if "highest" not in spec:
            ck.fail(f"the noisy_max builder of '{vname}' needs 'highest': the state at the top of the order, "
                    f"the first or the last of its states ({states[0]} or {states[-1]})", bline)
        highest = ck.name(spec["highest"], "highest", line_of(spec, "highest"))
        if highest not in (states[0], states[-1]):
            ck.fail(f"'highest' of the noisy_max builder of '{vname}' is '{highest}'; the states must be listed in "
                    f"order, so the highest is the first or the last: {states[0]} or {states[-1]}",
                    line_of(spec, "highest"))
        leak = _parse_row(ck, spec["leak"], vname, states, "the leak", line_of(spec, "leak"), scale, k)
        links = [{ps: _parse_row(ck, v, vname, states, f"{p}={shells[p]['states'][ps]} alone", line, scale, k)
                  for ps, (v, line) in per_parent_state(p).items()} for p in parents]
        source = NoisyMaxTable(pcards, leak, links, highest_first=(highest == states[0]))

    rationale = _parse_rationale(ck, spec, vname, bline, where=f"the {kind} builder")
    point = source.point()
    rows = []
    for index in itertools.product(*(range(c) for c in pcards)):
        given = {p: shells[p]["states"][i] for p, i in zip(parents, index)}
        rows.append(TableRow(given, dict(zip(states, map(float, point[index])),), rationale, bline,
                             line_of(spec, "rationale")))
    return rows, source, kind


def _parse_rationale(ck: _Checker, row: LineDict, vname: str, rline, where: str = "table row") -> Rationale:
    if "rationale" not in row:
        ck.fail(f"{where} of '{vname}' needs a 'rationale': claims from the ledger "
                "(claims: [C01]) or an explicitly labelled analyst assumption (assumption: ...)", rline)
    raw = row["rationale"]
    line = line_of(row, "rationale")
    raw = ck.mapping(raw, f"rationale of a row of '{vname}'", line)
    ck.known_keys(raw, RATIONALE_KEYS, f"a rationale of '{vname}'")
    claims_raw = raw.get("claims") or []
    if isinstance(claims_raw, str):
        claims_raw = [claims_raw]
    claims_raw = ck.sequence(claims_raw, "rationale claims", line_of(raw, "claims"))
    claims = tuple(ck.name(c, "claim id", line_of(raw, "claims")) for c in claims_raw)
    assumption = raw.get("assumption")
    assumption = ck.text(assumption, "assumption", line_of(raw, "assumption"), required=False) or None
    if not claims and not assumption:
        ck.fail(f"rationale of a row of '{vname}' names no claim and states no assumption; "
                "expected 'claims: [id, ...]' and/or 'assumption: text'", line)
    note = ck.text(raw.get("note"), "note", line_of(raw, "note"), required=False) or None
    return Rationale(claims, assumption, note)


def _check_rationales(ck: _Checker, variables: dict[str, Variable], claims: dict[str, ClaimSpec]):
    for v in variables.values():
        for row in v.rows:
            for c in row.rationale.claims:
                if c not in claims:
                    ck.fail(f"rationale of '{v.name}' cites claim '{c}', which is not in the claims ledger; "
                            f"known claims: {', '.join(claims) or '(none)'}", row.rationale_line or row.line)


def _parse_assignments(ck: _Checker, raw, what: str, line, variables: dict[str, Variable]) -> dict[str, str]:
    if raw is None:
        return {}
    raw = ck.mapping(raw, what, line)
    result = {}
    for key, state in raw.items():
        vline = line_of(raw, key)
        var = ck.name(key, f"variable in {what}", vline)
        if var not in variables:
            ck.fail(f"{what} names unknown variable '{var}'; known variables: {', '.join(variables)}", vline)
        state = ck.name(state, f"state of '{var}' in {what}", vline)
        if state not in variables[var].states:
            ck.fail(f"unknown state '{state}' of '{var}' in {what}; expected one of: "
                    f"{', '.join(variables[var].states)}", vline)
        result[var] = state
    return result


def _parse_outcomes(ck, raw, line, variables) -> tuple[list[str], dict[str, str]]:
    """Outcomes a briefing reports: `- variable` or `- variable: headline_state` (the state charted)."""
    if raw is None:
        return [], {}
    raw = ck.sequence(raw, "'outcomes'", line)
    result: list[str] = []
    headline: dict[str, str] = {}
    for i, item in enumerate(raw):
        vline = raw.line_of(i)
        state = None
        if isinstance(item, dict):
            if len(item) != 1:
                ck.fail("an outcome is written 'variable' or 'variable: headline_state'", vline)
            (item, state), = item.items()
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
    return result, headline


def _parse_scenarios(ck, raw, line, variables) -> dict[str, Scenario]:
    if raw is None:
        return {}
    raw = ck.mapping(raw, "'scenarios'", line)
    result = {}
    for sname, body in raw.items():
        sline = line_of(raw, sname)
        sname = ck.name(sname, "scenario name", sline)
        body = ck.mapping(body or LineDict(), f"scenario '{sname}'", sline)
        ck.known_keys(body, SCENARIO_KEYS, f"scenario '{sname}'")
        observe = _parse_assignments(ck, body.get("observe"), f"'observe' of scenario '{sname}'",
                                     line_of(body, "observe"), variables)
        do = _parse_assignments(ck, body.get("do"), f"'do' of scenario '{sname}'", line_of(body, "do"), variables)
        both = set(observe) & set(do)
        if both:
            ck.fail(f"scenario '{sname}' both observes and forces {', '.join(sorted(both))}; "
                    "a variable is either observed or forced", sline)
        description = ck.text(body.get("description"), f"description of scenario '{sname}'",
                              line_of(body, "description"), required=False)
        label = ck.text(body.get("label"), f"label of scenario '{sname}'", line_of(body, "label"), required=False)
        result[sname] = Scenario(sname, description, observe, do, label or None, sline)
    return result


def _parse_outcome_event(ck, raw, cid, line, variables, whole_variable_ok: bool):
    if isinstance(raw, str) and whole_variable_ok:
        if raw not in variables:
            ck.fail(f"claim {cid}: outcome names unknown variable '{raw}'", line)
        return raw, variables[raw].states
    raw = ck.mapping(raw, f"'outcome' of claim {cid} (variable: state or [states])", line)
    if len(raw) != 1:
        ck.fail(f"claim {cid}: 'outcome' must name exactly one variable, got {len(raw)}", line)
    (key, states_raw), = raw.items()
    vline = line_of(raw, key)
    var = ck.name(key, f"outcome variable of claim {cid}", vline)
    if var not in variables:
        ck.fail(f"claim {cid}: outcome names unknown variable '{var}'; known variables: {', '.join(variables)}",
                vline)
    if isinstance(states_raw, (str, int)) and not isinstance(states_raw, bool):
        states_raw = [states_raw]
    states_raw = ck.sequence(states_raw, f"outcome states of claim {cid}", vline)
    states = []
    for s in states_raw:
        s = ck.name(s, f"outcome state of claim {cid}", vline)
        if s not in variables[var].states:
            ck.fail(f"claim {cid}: unknown state '{s}' of '{var}'; expected one of: "
                    f"{', '.join(variables[var].states)}", vline)
        states.append(s)
    if not states:
        ck.fail(f"claim {cid}: outcome lists no state of '{var}'", vline)
    return var, tuple(states)


def _parse_claims(ck: _Checker, raw, line, variables, scale_name) -> dict[str, ClaimSpec]:
    if raw is None:
        return {}
    raw = ck.mapping(raw, "'claims'", line)
    scale = SCALES[scale_name]
    claims = {}
    for cid, body in raw.items():
        cline = line_of(raw, cid)
        cid = ck.name(cid, "claim id", cline)
        body = ck.mapping(body, f"claim {cid}", cline)
        ck.known_keys(body, CLAIM_KEYS, f"claim {cid}")
        for key in ("quote", "form", "outcome"):
            if key not in body:
                ck.fail(f"claim {cid} needs '{key}'", cline)
        form = str(body["form"])
        if form not in CLAIM_FORMS:
            ck.fail(f"claim {cid}: unknown form '{form}'; expected one of: {', '.join(CLAIM_FORMS)}",
                    line_of(body, "form"))
        reading = str(body.get("reading", "observation"))
        if reading not in READINGS:
            ck.fail(f"claim {cid}: reading '{reading}' must be 'observation' or 'intervention'",
                    line_of(body, "reading"))
        out_var, out_states = _parse_outcome_event(ck, body["outcome"], cid, line_of(body, "outcome"), variables,
                                                   whole_variable_ok=(form == "no_difference"))
        if_ = _parse_assignments(ck, body.get("if"), f"'if' of claim {cid}", line_of(body, "if"), variables)
        than = _parse_assignments(ck, body.get("than"), f"'than' of claim {cid}", line_of(body, "than"), variables)
        given = _parse_assignments(ck, body.get("given"), f"'given' of claim {cid}", line_of(body, "given"),
                                   variables)
        spec = ClaimSpec(
            id=cid,
            quote=ck.text(body["quote"], f"quote of claim {cid}", line_of(body, "quote")),
            says=ck.text(body.get("says"), f"'says' of claim {cid}", line_of(body, "says"), required=False),
            form=form, reading=reading, outcome_variable=out_var, outcome_states=out_states,
            if_=if_, than=than, given=given,
            note=ck.text(body.get("note"), "note", line_of(body, "note"), required=False) or None,
            line=cline,
        )
        if out_var in if_ or out_var in given:
            ck.fail(f"claim {cid}: the outcome '{out_var}' cannot also be a condition", cline)
        both = set(if_) & set(given)
        if both:
            ck.fail(f"claim {cid}: {', '.join(sorted(both))} is set in both 'if' and 'given'; the compared "
                    "condition goes in 'if'/'than', the shared context in 'given'", line_of(body, "given"))
        if form in ("more_likely", "less_likely") or (form == "no_difference" and "cause" not in body):
            if not if_ or not than:
                ck.fail(f"claim {cid}: form {form} compares two conditions; give both 'if' and 'than'"
                        + (" (or 'cause', a variable none of whose states makes a difference)"
                           if form == "no_difference" else ""), cline)
            if set(if_) != set(than):
                ck.fail(f"claim {cid}: 'if' and 'than' must set the same variables", line_of(body, "than"))
            if if_ == than:
                ck.fail(f"claim {cid}: 'if' and 'than' are the same condition", line_of(body, "than"))
        if form in ("more_likely", "less_likely"):
            if "strength" in body and "min_odds_ratio" in body:
                ck.fail(f"claim {cid}: give 'strength' or 'min_odds_ratio', not both", cline)
            if "strength" in body:
                spec.min_odds_ratio = _claim_strength(ck, body["strength"], cid, form, line_of(body, "strength"))
            if "min_odds_ratio" in body:
                x = ck.number(body["min_odds_ratio"], f"claim {cid}: min_odds_ratio", line_of(body, "min_odds_ratio"),
                              "a number of at least 1")
                if x < 1:
                    ck.fail(f"claim {cid}: min_odds_ratio must be a number of at least 1", line_of(body, "min_odds_ratio"))
                spec.min_odds_ratio = x
        elif form == "probability":
            if ("band" in body) == ("range" in body):
                ck.fail(f"claim {cid}: form probability needs one of 'band' or 'range' (the same thing: a term of "
                        f"the {scale.title} scale, a range like '10-25%' or [0.1, 0.25], or a number with a "
                        "tolerance)", cline)
            key = "band" if "band" in body else "range"
            tolerance = POINT_CLAIM_TOLERANCE
            if "tolerance" in body:
                tolerance = _tolerance(ck, body["tolerance"], cid, line_of(body, "tolerance"), scale)
            spec.band, spec.range, spec.tolerance = _claim_range(ck, body[key], cid, key, line_of(body, key), scale,
                                                                 tolerance)
            if than:
                ck.fail(f"claim {cid}: form probability takes no 'than'", line_of(body, "than"))
        elif form == "no_difference":
            if "cause" in body:
                if if_ or than:
                    ck.fail(f"claim {cid}: give 'cause' (every state of a variable) or 'if'/'than' (two "
                            "conditions), not both", line_of(body, "cause"))
                cause = ck.name(body["cause"], "cause", line_of(body, "cause"))
                if cause not in variables:
                    ck.fail(f"claim {cid}: cause '{cause}' is not a variable; known variables: "
                            f"{', '.join(variables)}", line_of(body, "cause"))
                if cause == out_var:
                    ck.fail(f"claim {cid}: cause and outcome are the same variable", line_of(body, "cause"))
                if cause in given:
                    ck.fail(f"claim {cid}: 'given' fixes the cause '{cause}', so it cannot be compared across its "
                            "states", line_of(body, "given"))
                spec.cause = cause
            if "tolerance" in body:
                spec.tolerance = _tolerance(ck, body["tolerance"], cid, line_of(body, "tolerance"), scale)
        for key, allowed in (("band", ("probability",)), ("range", ("probability",)), ("cause", ("no_difference",)),
                             ("tolerance", ("no_difference", "probability"))):
            if key in body and form not in allowed:
                ck.fail(f"claim {cid}: '{key}' belongs to form {' or '.join(allowed)}, not {form}", line_of(body, key))
        if form != "more_likely" and form != "less_likely":
            for key in ("strength", "min_odds_ratio"):
                if key in body:
                    ck.fail(f"claim {cid}: '{key}' belongs to forms more_likely/less_likely", line_of(body, key))
        claims[cid] = spec
    return claims


def _claim_strength(ck: _Checker, raw, cid: str, form: str, line) -> float:
    """A strength word of the shared ladder as the claim's minimum odds ratio (its direction, if it gives
    one, must agree with the form)."""
    try:
        strength = parse_strength(raw if isinstance(raw, str) else str(raw))
    except JudgementError as exc:
        ck.fail(f"claim {cid}: strength: {exc}", line)
    want = 1 if form == "more_likely" else -1
    if strength.magnitude == "none":
        ck.fail(f"claim {cid}: strength '{raw}' says no effect; use form no_difference", line)
    if strength.direction not in (None, want):
        fixed = f"{'' if strength.magnitude == 'more' else strength.magnitude + ' '}{'more' if want == 1 else 'less'} likely"
        bare = "" if strength.magnitude == "more" else f" (or just '{strength.magnitude}')"
        ck.fail(f"claim {cid}: strength '{raw}' points the other way from form {form}; write '{fixed}'{bare}", line)
    return CLAIM_MIN_ODDS_RATIO[strength.magnitude]


def _one_number(ck: _Checker, raw, what: str, line, scale) -> float:
    """One probability written as a number or percentage (not a range or term): a tolerance, a range's end."""
    try:
        j = parse_probability(raw, scale)
    except JudgementError as exc:
        ck.fail(f"{what}: {exc}", line)
    if j.is_range:
        ck.fail(f"{what} must be one number (0.03 or 3%), not a range or term", line)
    return j.point


def _tolerance(ck: _Checker, raw, cid: str, line, scale) -> float:
    return _one_number(ck, raw, f"claim {cid}: tolerance", line, scale)


def _claim_range(ck: _Checker, raw, cid: str, key: str, line, scale, tolerance: float):
    """(band term or None, (low, high), tolerance) from the same probability language tables accept: a term,
    a range ('10-25%' or [0.1, 0.25]), or one number held within the tolerance."""
    if isinstance(raw, list):
        if len(raw) != 2:
            ck.fail(f"claim {cid}: {key} written as a list must be [low, high]", line)
        ends = [_one_number(ck, x, f"claim {cid}: each end of {key} [low, high]", line, scale) for x in raw]
        if ends[0] > ends[1]:
            ck.fail(f"claim {cid}: {key} low {ends[0]:g} is above high {ends[1]:g}", line)
        return None, (ends[0], ends[1]), tolerance
    try:
        j = parse_probability(raw, scale)
    except JudgementError as exc:
        ck.fail(f"claim {cid}: {key}: {exc}", line)
    if isinstance(raw, str) and scale.is_term(raw):
        return scale.band(raw).term, (j.low, j.high), tolerance
    if j.is_range:
        return None, (j.low, j.high), tolerance
    return None, (max(0.0, j.point - tolerance), min(1.0, j.point + tolerance)), tolerance


def _fmt_given(given: dict[str, str]) -> str:
    return ", ".join(f"{k}={v}" for k, v in given.items())


