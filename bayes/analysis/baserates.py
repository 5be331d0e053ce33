"""Base-rate reference forecasts: what a forecaster who knew only the history would have said.

A base rate is only worth comparing against if it is traceable, so the file does not hold
probabilities: it holds a reference class and a count per state, and the forecast is Laplace's rule
of succession, (count + 1) / (cases + number of states). That keeps a never-seen state above zero
(so the log score stays finite) and lets a reader redo every number by hand.

`data/base_rates/<model>.yaml`:

    format: bayes-base-rates/1
    as_of: 2020-07            # the reference classes use nothing later than this
    questions:
      escalation:
        reference_class: half-year windows since the May 1994 ceasefire
        counts: {contained: 56, escalates_to_wider_war: 1}
        source: the article
        rests_on: "the biggest since their Four-Day War back in April 2016"
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bayes.analysis.tracking import data_path
from bayes.errors import ModelFileError
from bayes.modelfile.yamlfile import line_of, load_yaml_file

FORMAT_TAG = "bayes-base-rates/1"
FIELDS = ("reference_class", "counts", "source", "rests_on")


@dataclass(frozen=True)
class BaseRate:
    question: str
    line: int | None
    reference_class: str
    counts: dict[str, int]
    source: str
    rests_on: str

    @property
    def cases(self) -> int:
        return sum(self.counts.values())

    def forecast(self, states: list[str]) -> np.ndarray:
        """Laplace's rule of succession over the question's states, in the model's state order."""
        counts = np.array([self.counts[s] for s in states], dtype=float)
        return (counts + 1) / (counts.sum() + len(states))


def base_rates_path(model) -> Path:
    return data_path(model, "base_rates", ".yaml")


def load_base_rates(model, path: str | os.PathLike | None = None) -> dict[str, BaseRate]:
    """The base rates for the model's questions; an empty dict when the model has no file."""
    path = Path(path) if path is not None else base_rates_path(model)
    if not path.exists():
        return {}
    file = str(path)

    def fail(message, line=None):
        raise ModelFileError(message, file, line)

    top = load_yaml_file(path, "base-rates file")
    if not isinstance(top, dict):
        fail("a base-rates file is a mapping with 'format' and 'questions'", getattr(top, "line", None))
    if top.get("format") != FORMAT_TAG:
        fail(f"format is '{top.get('format')}'; expected '{FORMAT_TAG}'", line_of(top, "format"))
    unknown = set(top) - {"format", "as_of", "questions"}
    if unknown:
        key = sorted(map(str, unknown))[0]
        fail(f"unknown key '{key}'; expected format, as_of, questions", line_of(top, key))
    questions = top.get("questions")
    if not isinstance(questions, dict) or not questions:
        fail("'questions' must map each question (a variable) to its reference class", line_of(top, "questions"))
    out = {}
    for question, entry in questions.items():
        qline = line_of(questions, question)
        if question not in model.spec.variables:
            fail(f"unknown question '{question}'; questions are variables of the model", qline)
        if not isinstance(entry, dict):
            fail(f"'{question}' needs {', '.join(FIELDS)}", qline)
        for key in entry:
            if key not in FIELDS:
                fail(f"unknown key '{key}' in '{question}'; expected {', '.join(FIELDS)}", line_of(entry, key))
        for key in FIELDS:
            if key not in entry:
                fail(f"'{question}' needs '{key}'", qline)
            if key != "counts" and (not isinstance(entry[key], str) or not entry[key].strip()):
                fail(f"'{key}' of '{question}' must be text", line_of(entry, key))
        counts = entry["counts"]
        cline = line_of(entry, "counts")
        states = model.spec.states(question)
        if not isinstance(counts, dict):
            fail(f"counts of '{question}' must map each state to a whole number of cases", cline)
        for state, n in counts.items():
            if state not in states:
                fail(f"unknown state '{state}' of '{question}'; expected one of: {', '.join(states)}",
                     line_of(counts, state))
            if isinstance(n, bool) or not isinstance(n, int) or n < 0:
                fail(f"count of '{state}' must be a whole number of cases, 0 or more; got {n!r}",
                     line_of(counts, state))
        missing = [s for s in states if s not in counts]
        if missing:
            fail(f"counts of '{question}' leave out {', '.join(missing)}; give every state (0 if never seen)", cline)
        out[question] = BaseRate(question, qline, entry["reference_class"].strip(), dict(counts),
                                 entry["source"].strip(), entry["rests_on"].strip())
    return out
