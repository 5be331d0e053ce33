"""Validation: every problem in a model file named with its line, what is wrong and what was expected;
the first problem of each variable, claim, scenario and outcome is gathered, so one run reports them
together (up to MAX_PROBLEMS), where later steps do not depend on the items that failed."""

from __future__ import annotations

import math

from bayes.errors import ModelFileError, ModelFileErrors
from bayes.modelfile.spec import MAX_NAME, NAME_PATTERN, ROW_SUM_TOLERANCE, ClaimSpec, Variable
from bayes.modelfile.yamlfile import LineDict, LineList, line_of

# --------------------------------------------------------------------------- validation helpers

MAX_PROBLEMS = 20  # problems one run reports; past this the file probably needs a different fix

class Checker:
    """Holds the file name so every error can say where it is."""

    def __init__(self, filename: str):
        self.file = filename
        self.problems: list[ModelFileError] = []
        self.row_tolerance = ROW_SUM_TOLERANCE  # the model's own, once its 'model' section is read

    def gathering(self) -> "_Gathering":
        """Read one item (a variable, a claim, a scenario): its first problem is noted and reading goes on
        with the next item; past MAX_PROBLEMS, or at `stop()`, everything noted is raised at once."""
        return _Gathering(self)

    def stop(self):
        """Raise the problems gathered so far (before a step that needs every item read)."""
        if self.problems:
            problems, self.problems = sorted(self.problems, key=lambda p: p.line or 0), []  # in file order
            raise problems[0] if len(problems) == 1 else ModelFileErrors(problems)

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
        if type(value) is str and value in _GOOD_NAMES:  # a file names each variable and state many times
            return value
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            self.fail(f"{what} must be a name (letters, digits, _), got {_kind(value)}", line)
        text = str(value).strip()
        if not NAME_PATTERN.match(text):
            shown = text if len(text) <= 40 else text[:40] + "..."
            why = f"is {len(text)} characters long" if len(text) > MAX_NAME and NAME_PATTERN.match(text[:MAX_NAME]) \
                else "is not a name"
            self.fail(f"{what} '{shown}' {why}; a name is letters, digits and _, not starting with a digit, at most "
                      f"{MAX_NAME} characters (e.g. turns_to_the_west)", line)
        if text is value and len(_GOOD_NAMES) < 100_000:
            _GOOD_NAMES.add(text)
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
            self.fail(f"{what} is {value}; a probability must be between 0 and 1"
                      + (f" (did you mean {value}%?)" if 1.0 < x <= 100.0 else ""), line)
        return x


_GOOD_NAMES: set[str] = set()  # texts already found to be names exactly as written (no spaces to strip)


class _Gathering:
    """`Checker.gathering()`: a plain context manager (a generator-based one costs more than the check of a
    small variable it wraps)."""

    __slots__ = ("checker",)

    def __init__(self, checker: Checker):
        self.checker = checker

    def __enter__(self):
        return None

    def __exit__(self, kind, exc, traceback):
        if kind is None or not issubclass(kind, ModelFileError) or issubclass(kind, ModelFileErrors):
            return False
        checker = self.checker
        checker.problems.append(exc)
        if len(checker.problems) >= MAX_PROBLEMS:
            checker.stop()
        return True


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


def check_rationales(ck: Checker, variables: dict[str, Variable], claims: dict[str, ClaimSpec]):
    for v in variables.values():
        shared = getattr(v.rows, "shared", None)  # an array block: one rationale for every row
        for row in [shared] if shared is not None else v.rows:
            for c in row.rationale.claims:
                if c not in claims:
                    ck.fail(f"rationale of '{v.name}' cites claim '{c}', which is not in the claims ledger; "
                            f"known claims: {', '.join(claims) or '(none)'}", row.rationale_line or row.line)


def read_assignments(ck: Checker, raw, what: str, line, variables: dict[str, Variable]) -> dict[str, str]:
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


def format_given(given: dict[str, str]) -> str:
    return ", ".join(f"{k}={v}" for k, v in given.items())
