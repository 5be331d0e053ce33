"""What a model file holds once read: the keys it may use, the claim forms and readings, and the parsed
objects (ModelSpec with its variables, table rows, rationales, scenarios and claims). Every other layer
reads a model through these."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bayes.errors import QueryError, known

ROW_SUM_TOLERANCE = 1e-6  # how far a row may sum from 1 unless the model says otherwise
# a model imported from a file printed to few digits may say `row_tolerance` up to this: its numbers are kept
# as written (as other tools use them), not rescaled
LARGEST_ROW_TOLERANCE = 1e-4
# Variable, state, scenario and claim names: identifiers, so they are safe in file names, formulas and
# every exchange format (docs/model-file.md#names).
MAX_NAME = 64
NAME_PATTERN = re.compile(rf"^[A-Za-z_][A-Za-z0-9_]{{0,{MAX_NAME - 1}}}\Z")
MAX_TABLE_ROWS = 100_000
ARRAY_ROWS = 64  # revised and pooled files write tables with more rows as one `array:` block (bayes import: all)
FORMAT_TAG = "bayes-model/1"

TOP_KEYS = {"format", "model", "variables", "outcomes", "scenarios", "claims", "key_judgements"}
MODEL_KEYS = {"title", "source", "as_of", "author", "description", "scale", "notes", "concentration", "source_file",
              "question", "row_tolerance"}
QUESTION_KEYS = {"answer", "horizon"}
ANSWER_KEYS = {"variable", "yes"}
OUTCOME_KEYS = {"confidence", "basis"}  # beside `variable: headline_state` in an outcome written as a mapping
CONFIDENCE_LEVELS = ("low", "moderate", "high")
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


def array_entry(axes: list[str], table, rationale) -> dict:
    """A table as a model file's `array:` block: its numbers in one string, exactly (repr), in the order of
    `axes` (the variable last), as bayes import and revised files write big tables."""
    return {"axes": list(axes), "values": " ".join(map(repr, table.ravel().tolist())), "rationale": rationale}


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
    state_labels: dict[str, str] = field(default_factory=dict)  # `states: {name: Label}` in the file

    @property
    def display(self) -> str:
        """The variable as readers see it: its label, else its name in words (the one place ids become words)."""
        return self.label or self.name.replace("_", " ")

    def state_display(self, state: str) -> str:
        """A state as readers see it: its label, else its name in words."""
        return self.state_labels.get(state) or str(state).replace("_", " ")


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


@dataclass(frozen=True)
class Question:
    """Which states answer the model's question (its title) and by when: `model.question` in the file.
    Without it, the first headline outcome's headline state answers it and no time frame is stated."""

    variable: str
    yes: tuple[str, ...]
    horizon: str | None = None
    stated: bool = False  # written in the file, not the default
    line: int | None = None


@dataclass(frozen=True)
class StatedConfidence:
    """The analyst's own analytic confidence in a headline outcome, and why (an outcome's `confidence:`)."""

    level: str
    basis: str | None = None
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
    source_file: str | None = None  # the source text, relative to the model file (modelfile/sources.py checks quotes)
    source_file_line: int | None = None
    question: Question | None = None
    stated_confidence: dict[str, StatedConfidence] = field(default_factory=dict)
    prose: list = field(default_factory=list)  # modelfile/prose.py ProseJudgement: the analyst's key judgements

    def states(self, variable: str) -> tuple[str, ...]:
        return self.variables[variable].states


BASELINE = "baseline"


def parse_assignments(items, spec: ModelSpec, what: str) -> dict[str, str]:
    """Accept {"var": "state"}, ["var=state", ...] or "var=state"; check names against the model."""
    if items is None:
        return {}
    if isinstance(items, str):
        items = [items]
    if isinstance(items, dict):
        pairs = list(items.items())
    else:
        pairs = []
        for item in items:
            if not isinstance(item, str) or item.count("=") != 1:
                raise QueryError(f"{what} '{item}' must be written VARIABLE=STATE", spec.path)
            var, state = (part.strip() for part in item.split("="))
            pairs.append((var, state))
    result: dict[str, str] = {}
    for var, state in pairs:
        check_variable(spec, var, what)
        if state not in spec.states(var):
            raise QueryError(f"{what} names unknown state '{state}' of '{var}'; expected one of: "
                             f"{', '.join(spec.states(var))}", spec.path)
        if var in result and result[var] != state:
            raise QueryError(f"{what} sets '{var}' twice ({result[var]} and {state})", spec.path)
        result[var] = state
    return result


def check_variable(spec: ModelSpec, var: str, what: str = "query"):
    if var not in spec.variables:
        raise QueryError(f"{what} names unknown variable '{var}'; known variables: {known(spec.variables)}",
                         spec.path)
