"""Tracking an assessment over time: the dated evidence log, the forecast history it implies, and the
resolved outcomes it is scored against.

`data/evidence/<model>.csv`: date, variable, state, likelihood, source, note. A row either observes a
state, or (soft evidence) gives `likelihood` as STATE=RATIO;STATE=RATIO, how much more likely the report
is under each state (states left out count 1). The toolkit never rewrites an analyst's log:
`append_evidence` validates the new row against the whole file, then writes a complete new copy beside
it and renames it into place.

`data/outcomes/<model>.csv`: question (a variable), outcome (the state that happened), resolved (date),
horizon (the date the question was open until), source, note. The base-rate reference forecasts
they are scored against live in `data/base_rates/<model>.yaml` (bayes/analysis/baserates.py).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from bayes.errors import BayesInputError
from bayes.fileio import atomic_write_text, folder_lock, read_text_file
from bayes.inference.draws import interval
from bayes.inference.engine import Query
from bayes.inference.uncertainty import DEFAULT_SEED, parameter_draws

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
    """Where a model's evidence log, outcomes and base rates live: data/<kind>/<model><suffix> for a model in
    a `models` folder (the project's data/ layout); otherwise beside the model file, <model>.<kind><suffix>
    (a model kept at ~/work/blockade.yaml logs to ~/work/blockade.evidence.csv)."""
    folder = Path(model.spec.path).resolve().parent
    if folder.name == "models":
        return folder.parent / kind / f"{model.name}{suffix}"
    return folder / f"{model.name}.{kind}{suffix}"


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _data_file(model, path, kind: str, what: str) -> Path | None:
    """The file to read: a named one must exist; the default place may simply have none yet (None)."""
    if path is None:
        path = data_path(model, kind)
        return path if path.exists() else None
    path = Path(path)
    if not path.exists() and not path.is_symlink():
        raise EvidenceLogError(f"{what} not found (a file named on the command line must exist)", str(path))
    return path


def _parse_date(text: str, where: str, file: str, line: int) -> dt.date:
    """Only YYYY-MM-DD (Python also reads 20200927 and 2020-W39-7; an analyst's log should not)."""
    text = text.strip()
    try:
        if not _ISO_DATE.match(text):
            raise ValueError
        return dt.date.fromisoformat(text)
    except ValueError:
        raise EvidenceLogError(f"{where} '{text}' is not a date; expected YYYY-MM-DD", file, line) from None


def latest_date(model) -> dt.date:
    """The last date a log or outcomes file may carry: the model's horizon (its question's, else its as_of)
    plus ten years; a later date is a typo (9999-12-31), not news."""
    question = model.spec.question
    for text in ((question.horizon if question else None), str(model.spec.as_of)):
        try:
            start = dt.date.fromisoformat(str(text)[:10] if len(str(text)) >= 10 else f"{str(text)[:7]}-01")
        except (ValueError, TypeError):
            continue
        try:
            return start.replace(year=min(start.year + 10, 9999))
        except ValueError:  # 29 February, ten years on
            return start.replace(year=min(start.year + 10, 9999), day=28)
    return dt.date.max


def _check_not_past(date: dt.date, model, where: str, file: str, line: int):
    if date > latest_date(model):
        raise EvidenceLogError(f"{where} {date} is after {latest_date(model)}, ten years past the model's horizon "
                               "(or its as_of where it names none); check the year", file, line)


def as_of_date(model) -> dt.date:
    """The first day the model speaks for: its as_of (YYYY-MM-DD, or YYYY-MM meaning the 1st)."""
    as_of = str(model.spec.as_of).strip()
    try:
        return dt.date.fromisoformat(as_of if len(as_of) == 10 else f"{as_of[:7]}-01")
    except ValueError:
        return dt.date.min


# A field starting with one of these is a formula to Excel and LibreOffice (CSV injection); control
# characters break rows or hide text. Both are refused in every field of a log row.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def check_field(name: str, value: str, file: str, line: int | None):
    bad = next((ch for ch in value if (ord(ch) < 32 and ch != "\t") or 0x7f <= ord(ch) < 0xa0 or ch in "\u2028\u2029"),
               None)
    if bad is not None:
        raise EvidenceLogError(f"{name} holds a control character ({bad!r}); write it on one line without control "
                               "characters", file, line)
    if value.startswith(FORMULA_START):
        raise EvidenceLogError(f"{name} starts with {value[0]!r}; spreadsheets run a field starting with "
                               "= + - @, tab or CR as a formula: start it with a letter, a digit or a quote mark",
                               file, line)


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
    for key in EVIDENCE_COLUMNS:
        check_field(key, record.get(key) or "", file, line)
    get = lambda key: (record.get(key) or "").strip()  # noqa: E731
    date = _parse_date(get("date"), "date", file, line)
    _check_not_past(date, model, "date", file, line)
    if date < as_of_date(model):
        raise EvidenceLogError(f"date {date} is before the model's as_of ({model.spec.as_of}); the model already "
                               "speaks for what was known then, so the log holds only later news", file, line)
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
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    try:
        return _records(reader, columns, file, required)
    except csv.Error as exc:  # e.g. a quote opened and never closed: the rest of the file would be one field
        hint = "; a quoted field is probably not closed" if "end of data" in str(exc) or "EOF" in str(exc) else ""
        # the line the unreadable record starts on: the one after the last record read whole (DictReader's
        # line_num), not where the reader gave up (the end of the file for a quote never closed)
        raise EvidenceLogError(f"the file cannot be read as CSV ({exc}){hint}", file, reader.line_num + 1) from None


def _records(reader, columns, file, required):
    header = reader.fieldnames or []
    missing = [c for c in required if c not in header]
    if missing:
        raise EvidenceLogError(f"the header lacks column(s) {', '.join(missing)}; expected: {', '.join(columns)}",
                               file, 1)
    twice = [c for c in header if header.count(c) > 1]
    if twice:
        raise EvidenceLogError(f"column '{twice[0]}' appears twice in the header; each column once: "
                               f"{', '.join(columns)}", file, 1)
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
    path = _data_file(model, path, "evidence", "evidence log")
    if path is None:
        return []
    return load_evidence_text(model, read_text_file(path, "evidence log", MAX_LOG_BYTES), str(path))


MAX_LOG_BYTES = 20_000_000


def load_evidence_text(model, text: str, file: str) -> list[EvidenceRow]:
    rows = [parse_evidence_row(record, model, file, line)
            for line, record in _read_csv(text, EVIDENCE_COLUMNS, file, ["date", "variable", "source"])]
    return sorted(rows, key=lambda r: (r.date, r.line))


def append_evidence(model, row: dict, path: str | os.PathLike | None = None) -> Path:
    """Append one validated row under an exclusive lock: the log is re-read under the lock and must parse
    cleanly, the new copy is validated before it replaces the old one (through a symlink, keeping the
    mode), and anything wrong leaves the file byte-identical."""
    if path is None:  # the default place: data/evidence/ beside the model's folder, made on the first row
        path = data_path(model, "evidence")
        path.parent.mkdir(parents=True, exist_ok=True)
    path = Path(path)
    fields = {k: "" if row.get(k) is None else str(row.get(k)).strip(" ") for k in EVIDENCE_COLUMNS}  # padding off
    if fields["likelihood"]:  # ' stalled = 2 ; talks=0.5 ' is written 'stalled=2;talks=0.5'
        fields["likelihood"] = ";".join("=".join(x.strip(" ") for x in part.split("=", 1))
                                        for part in fields["likelihood"].split(";") if part.strip(" "))
    unknown = set(row) - set(EVIDENCE_COLUMNS)
    if unknown:
        raise EvidenceLogError(f"unknown field(s) {', '.join(sorted(unknown))}", str(path))
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    if target.exists() and not target.is_file():
        raise EvidenceLogError("the evidence log must be a regular file", str(path))
    if not target.parent.is_dir():
        raise EvidenceLogError("the folder of the evidence log does not exist", str(target.parent))
    with folder_lock(target.parent):
        existing = read_text_file(target, "evidence log", MAX_LOG_BYTES) if target.exists() else ""
        before = load_evidence_text(model, existing, str(path)) if existing.strip() else []
        line = existing.count("\n") + (0 if existing.endswith("\n") or not existing else 1) + 1 if existing else 2
        parse_evidence_row(fields, model, str(path), line)
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        if not existing.strip():
            existing = ""
            writer.writerow(EVIDENCE_COLUMNS)
        elif not existing.endswith("\n"):
            buffer.write("\n")
        writer.writerow([fields[k] for k in EVIDENCE_COLUMNS])

        def complete(tmp):  # the file about to replace the log holds every old row and the new one
            written = read_text_file(tmp, "evidence log", MAX_LOG_BYTES + len(buffer.getvalue()))
            if len(load_evidence_text(model, written, str(path))) != len(before) + 1:
                raise EvidenceLogError("the new row did not read back as one row; nothing was written", str(path))

        return atomic_write_text(target, existing + buffer.getvalue(), check=complete)


def evidence_frame(model, rows: list[EvidenceRow]) -> pd.DataFrame:
    """The log as an analyst wrote it, one row per entry: a finding as its state, a report as its likelihood
    ratios written STATE=RATIO (the states it favours or disfavours)."""
    def what(r):
        if r.state is not None:
            return r.state
        states = model.spec.states(r.variable)
        return "report: " + "; ".join(f"{s}={x:g}" for s, x in zip(states, r.likelihood) if x != 1.0)

    return pd.DataFrame([{"date": r.date.isoformat(), "variable": r.variable, "observed": what(r), "source": r.source,
                          "note": r.note} for r in rows], columns=["date", "variable", "observed", "source", "note"])


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
    path = _data_file(model, path, "outcomes", "outcomes file")
    if path is None:
        return []

    file = str(path)
    out = []
    for line, record in _read_csv(read_text_file(path, "outcomes file", MAX_LOG_BYTES), OUTCOME_COLUMNS, file,
                                  ["question", "outcome", "resolved", "source"]):
        get = lambda key: (record.get(key) or "").strip()  # noqa: E731
        question, outcome = get("question"), get("outcome")
        if question not in model.spec.variables:
            raise EvidenceLogError(f"unknown question '{question}': questions are variables of the model", file, line)
        if outcome not in model.spec.states(question):
            raise EvidenceLogError(f"unknown outcome '{outcome}' of '{question}'; expected one of: "
                                   f"{', '.join(model.spec.states(question))}", file, line)
        horizon = _parse_date(get("horizon"), "horizon", file, line) if get("horizon") else None
        resolved = _parse_date(get("resolved"), "resolved", file, line)
        for where, date in (("resolved", resolved), ("horizon", horizon)):
            if date is not None:
                _check_not_past(date, model, where, file, line)
        out.append(Outcome(line, question, outcome, resolved, horizon, get("source"), get("note")))
    return out
