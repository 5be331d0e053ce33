"""Tracking an assessment over time: the dated evidence log, the forecast history it implies, and the
resolved outcomes it is scored against.

`data/evidence/<model>.csv`: date, variable, state, likelihood, source, note. A row either observes a
state, or (soft evidence) gives `likelihood` as STATE=RATIO;STATE=RATIO, how much more likely the report
is under each state (states left out count 1). The toolkit never rewrites an analyst's log:
`append_evidence` validates the new row against the whole file, then writes a complete new copy beside
it and renames it into place.

`data/outcomes/<model>.csv`: question (a variable), outcome (the state that happened), resolved (date),
horizon (the date the question was open until), source, note. The base-rate reference forecasts
they are scored against live in `data/base_rates/<model>.yaml` (bayes/baserates.py).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .engine import Query
from .errors import BayesInputError
from .fileio import atomic_write_text

EVIDENCE_COLUMNS = ["date", "variable", "state", "likelihood", "source", "note"]
OUTCOME_COLUMNS = ["question", "outcome", "resolved", "horizon", "source", "note"]


class EvidenceLogError(BayesInputError):
    """A malformed evidence or outcomes file (names the file and row)."""


@dataclass(frozen=True)
class EvidenceRow:
    line: int
    date: dt.date
    variable: str
    state: str | None
    likelihood: tuple[float, ...] | None
    source: str
    note: str


def data_path(model, kind: str, suffix: str = ".csv") -> Path:
    """data/<kind>/<model><suffix> beside the model's data/models folder."""
    return Path(model.spec.path).resolve().parent.parent / kind / f"{model.name}{suffix}"


def _parse_date(text: str, where: str, file: str, line: int) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise EvidenceLogError(f"{where} '{text}' is not a date; expected YYYY-MM-DD", file, line) from None


def parse_likelihood(text: str, model, variable: str, file: str, line: int | None) -> tuple[float, ...]:
    """STATE=RATIO;STATE=RATIO as one likelihood per state of `variable` (states left out: 1); the
    evidence log's `likelihood` column and `bayes query --soft` write it the same way."""
    states = model.spec.states(variable)
    ratios = {s: 1.0 for s in states}
    for part in text.split(";"):
        if not part.strip():
            continue
        name, eq, value = part.partition("=")
        name = name.strip()
        if not eq or name not in states:
            raise EvidenceLogError(f"likelihood '{part.strip()}' must be STATE=RATIO with a state of '{variable}' "
                                   f"({', '.join(states)})", file, line)
        try:
            ratio = float(value)
        except ValueError:
            raise EvidenceLogError(f"likelihood ratio '{value.strip()}' for {name} is not a number", file, line) from None
        if not np.isfinite(ratio) or ratio < 0:
            raise EvidenceLogError(f"likelihood ratio for {name} must be a non-negative number", file, line)
        ratios[name] = ratio
    if max(ratios.values()) <= 0:
        raise EvidenceLogError("likelihood ratios cannot all be zero", file, line)
    return tuple(ratios[s] for s in states)


def parse_evidence_row(record: dict, model, file: str, line: int) -> EvidenceRow:
    extra = set(record) - set(EVIDENCE_COLUMNS)
    if extra:
        raise EvidenceLogError(f"unknown column(s) {', '.join(sorted(map(str, extra)))}; expected: "
                               f"{', '.join(EVIDENCE_COLUMNS)}", file, line)
    get = lambda key: (record.get(key) or "").strip()  # noqa: E731
    date = _parse_date(get("date"), "date", file, line)
    variable = get("variable")
    if variable not in model.spec.variables:
        raise EvidenceLogError(f"unknown variable '{variable}'; known variables: {', '.join(model.spec.variables)}",
                               file, line)
    state, likelihood = get("state") or None, get("likelihood") or None
    if (state is None) == (likelihood is None):
        raise EvidenceLogError("give either a state (what was observed) or a likelihood (soft evidence: "
                               "STATE=RATIO;...), not both and not neither", file, line)
    if state is not None and state not in model.spec.states(variable):
        raise EvidenceLogError(f"unknown state '{state}' of '{variable}'; expected one of: "
                               f"{', '.join(model.spec.states(variable))}", file, line)
    ratios = parse_likelihood(likelihood, model, variable, file, line) if likelihood else None
    if not get("source"):
        raise EvidenceLogError("every row needs a source (where the report comes from)", file, line)
    return EvidenceRow(line, date, variable, state, ratios, get("source"), get("note"))


def _read_csv(text: str, columns: list[str], file: str, required: list[str]) -> list[tuple[int, dict]]:
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    missing = [c for c in required if c not in header]
    if missing:
        raise EvidenceLogError(f"the header lacks column(s) {', '.join(missing)}; expected: {', '.join(columns)}",
                               file, 1)
    unknown = [c for c in header if c not in columns]
    if unknown:
        raise EvidenceLogError(f"unknown column '{unknown[0]}' in the header; expected: {', '.join(columns)}", file, 1)
    rows = []
    for record in reader:
        if None in record:
            raise EvidenceLogError(f"the row has more fields than the {len(header)} columns ({', '.join(header)}); "
                                   "quote text that contains commas", file, reader.line_num)
        rows.append((reader.line_num, record))
    return rows


def load_evidence(model, path: str | os.PathLike | None = None) -> list[EvidenceRow]:
    """Validate the whole log; the first problem is reported with its line number."""
    path = Path(path) if path is not None else data_path(model, "evidence")
    if not path.exists():
        return []
    text = path.read_text(encoding="utf-8")
    rows = [parse_evidence_row(record, model, str(path), line)
            for line, record in _read_csv(text, EVIDENCE_COLUMNS, str(path), ["date", "variable", "source"])]
    return sorted(rows, key=lambda r: (r.date, r.line))


def append_evidence(model, row: dict, path: str | os.PathLike | None = None) -> Path:
    """Append one validated row; the file is left byte-identical if anything is wrong."""
    path = Path(path) if path is not None else data_path(model, "evidence")
    existing = path.read_text(encoding="utf-8") if path.exists() else ""
    if existing:
        load_evidence(model, path)  # never build on a log that is already broken
        line = existing.count("\n") + (0 if existing.endswith("\n") else 1) + 1
    else:
        line = 2
    parse_evidence_row({k: row.get(k, "") for k in EVIDENCE_COLUMNS}, model, str(path), line)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if not existing:
        writer.writerow(EVIDENCE_COLUMNS)
    elif not existing.endswith("\n"):
        buffer.write("\n")
    writer.writerow([row.get(k, "") or "" for k in EVIDENCE_COLUMNS])
    return atomic_write_text(path, existing + buffer.getvalue())


def evidence_up_to(rows: list[EvidenceRow], date: dt.date) -> tuple[dict, dict]:
    """Hard evidence (latest observation wins) and soft evidence (likelihoods multiply) up to a date."""
    hard: dict[str, str] = {}
    soft: dict[str, np.ndarray] = {}
    for r in rows:
        if r.date > date:
            break
        if r.state is not None:
            hard[r.variable] = r.state
        else:
            soft[r.variable] = soft.get(r.variable, np.ones(len(r.likelihood))) * np.asarray(r.likelihood)
    return hard, {v: lik for v, lik in soft.items() if v not in hard}


def history(model, rows: list[EvidenceRow] | None = None, variables=None, start: str | None = None,
            draws: int | None = None, seed: int | None = None) -> pd.DataFrame:
    """The forecast after each dated update: date, update (what was learned), variable, state, probability.
    The first date is the assessment itself (`start`, default the model's as_of). With `draws=N`, each
    row also has lo90 and hi90 over parameter draws (the same draws at every date)."""
    rows = load_evidence(model) if rows is None else rows
    variables = list(variables) if variables is not None else list(model.spec.headline_states)
    as_of = start or model.spec.as_of
    first = dt.date.fromisoformat(as_of if len(as_of) == 10 else f"{as_of}-01")
    dates = [first] + sorted({r.date for r in rows})
    frames = []
    for date in dates:
        hard, soft = evidence_up_to(rows, date)
        learned = "; ".join(f"{r.variable}={r.state}" if r.state else f"{r.variable} (report)"
                            for r in rows if r.date == date) or "assessment"
        queries = [Query.make(v, hard, soft=soft) for v in variables]
        drawn = None
        if draws:
            from .uncertainty import DEFAULT_SEED, interval, parameter_draws

            drawn = model.engine.run(queries, parameter_draws(model, int(draws), DEFAULT_SEED if seed is None else seed))
        for j, (q, r) in enumerate(zip(queries, model.engine.run(queries))):
            for k, state in enumerate(r.states):
                row = dict(date=date, update=learned, variable=q.target, state=state,
                           probability=float(r.probabilities[0, k]))
                if drawn is not None:
                    lo, hi = interval(drawn[j].probabilities[:, k])
                    row.update(lo90=float(lo), hi90=float(hi))
                frames.append(row)
    return pd.DataFrame(frames)


# ------------------------------------------------------------------------------------- outcomes

@dataclass(frozen=True)
class Outcome:
    line: int
    question: str
    outcome: str
    resolved: dt.date
    horizon: dt.date | None
    source: str
    note: str


def load_outcomes(model, path: str | os.PathLike | None = None) -> list[Outcome]:
    path = Path(path) if path is not None else data_path(model, "outcomes")
    if not path.exists():
        return []
    file = str(path)
    out = []
    for line, record in _read_csv(path.read_text(encoding="utf-8"), OUTCOME_COLUMNS, file,
                                  ["question", "outcome", "resolved", "source"]):
        get = lambda key: (record.get(key) or "").strip()  # noqa: E731
        question, outcome = get("question"), get("outcome")
        if question not in model.spec.variables:
            raise EvidenceLogError(f"unknown question '{question}': questions are variables of the model", file, line)
        if outcome not in model.spec.states(question):
            raise EvidenceLogError(f"unknown outcome '{outcome}' of '{question}'; expected one of: "
                                   f"{', '.join(model.spec.states(question))}", file, line)
        horizon = _parse_date(get("horizon"), "horizon", file, line) if get("horizon") else None
        out.append(Outcome(line, question, outcome, _parse_date(get("resolved"), "resolved", file, line), horizon,
                           get("source"), get("note")))
    return out
