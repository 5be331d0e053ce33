"""Copies of a model with judgements moved: an alternative reading (every judgement moved within its own
stated range: low, high or random; docs/revisions.md) and revised copies with some rows changed."""

from __future__ import annotations

import copy
import itertools
from dataclasses import replace
from pathlib import Path

import numpy as np

from bayes.analysis.revisions.versions import (COMMAND_LINE, SAME, clip, dump_model, loaded_model, model_document,
                                               raw_document, read_model, row_given, row_of, write_model_text)
from bayes.errors import QueryError, known
from bayes.inference.network import table_array
from bayes.model import Model
from bayes.modelfile.elicitation import (ArrayTable, Judgement, LogOddsTable, NoisyMaxTable, NoisyOrTable, OddsRatio,
                                         Row, RowsTable, number_beta)

# ------------------------------------------------------------------------------------- alternative readings

def _position(position, seed):
    """A function giving each judgement's place within its range: 0 its low end, 1 its high end."""
    if position == "low":
        return lambda: 0.0
    if position == "high":
        return lambda: 1.0
    if position == "random":
        rng = np.random.default_rng(seed)
        return lambda: float(rng.uniform())
    if isinstance(position, (int, float)) and not isinstance(position, bool) and 0.0 <= position <= 1.0:
        return lambda: float(position)
    raise QueryError(f"position '{position}' must be 'low', 'high', 'random' or a number from 0 to 1", COMMAND_LINE)


def moved_probability(judgement, t: float, concentration: float) -> float:
    """A probability judgement moved to position t of its stated range: a range or term by straight
    interpolation between its ends; a plain number p to the quantile 0.05 + 0.9 t of Beta(k p, k (1 - p)), its
    own 90% interval (docs/methods.md); an exact 0 or 1 stays."""
    if judgement.is_range:
        return judgement.low + t * (judgement.high - judgement.low)
    p = judgement.point
    if p <= 0.0 or p >= 1.0:
        return p
    from scipy.stats import beta

    return float(beta.ppf(0.05 + 0.9 * t, *number_beta(p, concentration)))


def _moved_row(row, t_of):
    """A row with every judgement moved; the state written `rest` (or else the row's most likely state)
    takes what the others leave, and the others are scaled down if they would leave less than nothing."""
    point = row.point()
    taker = row.rest if row.rest is not None else row.states[int(np.argmax(point))]
    values = {s: moved_probability(row.judgements[s], t_of(), row.concentration) for s in row.states if s != taker}
    total = sum(values.values())
    if total > 1.0:
        values = {s: v / total for s, v in values.items()}
    values[taker] = max(0.0, 1.0 - sum(values.values()))
    return Row(row.states, {s: Judgement(f"{values[s]:.6g}", values[s]) for s in row.states}, None, row.concentration)


def _moved_odds(ratio, t: float):
    if ratio.low is None or ratio.low == ratio.high:
        return ratio  # a plain odds ratio is held fixed, as in the draws
    value = ratio.low * (ratio.high / ratio.low) ** t
    return OddsRatio(f"{value:.6g}", value)


def _moved_array(values: np.ndarray, concentration: float, t_of) -> np.ndarray:
    """An `array:` table (rows of plain numbers) moved row by row as `_moved_row` moves a row of plain numbers."""
    from scipy.stats import beta

    values = np.asarray(values, dtype=float)
    t = np.array([t_of() for _ in range(values.size)]).reshape(values.shape)
    inner = (values > 0) & (values < 1)
    safe = np.where(inner, values, 0.5)
    moved = np.where(inner, beta.ppf(0.05 + 0.9 * t, *number_beta(safe, concentration)), values)
    taker = np.argmax(values, axis=-1)[..., None] == np.arange(values.shape[-1])
    moved = np.where(taker, 0.0, moved)
    total = moved.sum(axis=-1, keepdims=True)
    moved = np.where(total > 1.0, moved / np.where(total > 0, total, 1.0), moved)
    return np.where(taker, np.clip(1.0 - moved.sum(axis=-1, keepdims=True), 0.0, None), moved)


def _moved_source(source, t_of):
    if isinstance(source, RowsTable):
        moved = {}  # a row written once for several parent states is read once
        for r in source.rows:
            if id(r) not in moved:
                moved[id(r)] = _moved_row(r, t_of)
        return RowsTable(source.shape, [moved[id(r)] for r in source.rows])
    if isinstance(source, ArrayTable):
        return ArrayTable(_moved_array(source.values, source.concentration, t_of), source.concentration)
    if isinstance(source, LogOddsTable):
        effects = [{ps: {cs: _moved_odds(r, t_of()) for cs, r in by.items()} for ps, by in effect.items()}
                   for effect in source.effects]
        return LogOddsTable(source.parent_cards, _moved_row(source.baseline, t_of), effects)
    if isinstance(source, NoisyOrTable):
        def moved(j):
            x = moved_probability(j, t_of(), source.concentration)
            return Judgement(f"{x:.6g}", x)

        return replace(source, leak=moved(source.leak),
                       strengths=[{ps: moved(j) for ps, j in by.items()} for by in source.strengths])
    if isinstance(source, NoisyMaxTable):
        return replace(source, leak=_moved_row(source.leak, t_of),
                       links=[{ps: _moved_row(r, t_of) for ps, r in by.items()} for by in source.links])
    raise TypeError(f"unknown table source {type(source).__name__}")


def reading_tables(model, position="low", seed: int | None = None) -> dict[str, np.ndarray]:
    """Every table of `model` with each judgement moved to `position` within its stated range ('low', 'high',
    a number from 0 to 1, or 'random': each judgement at its own uniform position, reproducible by `seed`)."""
    model = read_model(model)
    t_of = _position(position, seed)
    return {name: _moved_source(v.source, t_of).point() for name, v in model.spec.variables.items()}


def alternative_reading(model, position="low", path=None, label: str | None = None, seed: int | None = None,
                        force: bool = False) -> Model:
    """A second analyst's reading of `model`: same structure, claims and scenarios, every judgement moved to
    `position` within its stated range (see `reading_tables`), written as full tables of numbers whose
    rationales keep the claims and say how the number was read. Written to `path` when given."""
    model = read_model(model)
    label = label or (f"{position}" if isinstance(position, str) else f"position {position:g}")
    tables = reading_tables(model, position, seed)
    where = "at its low end" if position == "low" else "at its high end" if position == "high" else (
        f"at a random point (seed {seed})" if position == "random" else f"at {position:g} of the way from its low end")
    file = Path(model.spec.path).name
    how = (f"{label} reading of {file}: every range, term and odds-ratio range {where}, every plain number at "
           f"that place of its own 90% interval; the row's rest state takes what is left (docs/revisions.md)")

    def rationale_of(variable, given):
        if given is None:  # the whole table (an array block)
            rows = model.spec.variables[variable].rows
            claim_ids = list(dict.fromkeys(c for r in rows for c in r.rationale.claims))
            texts = " / ".join(dict.fromkeys(str(r.rationale) for r in rows))
            return ({"claims": claim_ids} if claim_ids else {}) | {
                "assumption": how, "note": clip(f"as written in {file}: {texts}", 2000)}
        rationale = row_of(model.spec, variable, given).rationale
        out = {"claims": list(rationale.claims)} if rationale.claims else {}
        out["assumption"] = how
        out["note"] = f"as written in {file}: {rationale}"
        return out

    meta = {"author": f"{label} reading of {file} (bayes.analysis.revisions.alternative_reading)", "notes": how}
    document = model_document(model, tables, rationale_of, meta=meta, out_path=path)
    text = dump_model(document, f"# Generated: the {how}.\n\n")
    reading = loaded_model(text, path, label)
    if path is not None:
        write_model_text(text, path, force)
    return reading


# ------------------------------------------------------------------------------------- revised copies

def _raw_combos(row: dict, parents) -> list[tuple]:
    """The parent-state combinations a raw table row covers (a list under `given` stands for several)."""
    given = row.get("given") or {}
    choices = [given[p] if isinstance(given.get(p), list) else [given.get(p)] for p in parents]
    return list(itertools.product(*choices))


def _revised_rows(rows: list, v, spec, old, table, note) -> list:
    """Raw table rows with the changed combinations set to `table`'s numbers (claims kept, `note` as the
    assumption); a row written for several parent states is written out once per state if only some of them
    change, or differently."""
    index_of = {combo: index for index, combo in
                zip(np.ndindex(*old.shape[:-1]), itertools.product(*(spec.states(p) for p in v.parents)))}
    out = []
    for row in rows:
        combos = _raw_combos(row, v.parents)
        changed = [c for c in combos if not np.allclose(old[index_of[c]], table[index_of[c]], rtol=0, atol=SAME)]
        if not changed:
            out.append(row)
            continue
        same = all(np.array_equal(table[index_of[c]], table[index_of[combos[0]]]) for c in combos)
        pieces = [row] if len(changed) == len(combos) and same else [
            {**copy.deepcopy(row), **({"given": dict(zip(v.parents, c))} if v.parents else {})} for c in combos]
        for piece in pieces:
            combo = _raw_combos(piece, v.parents)[0]
            if combo not in changed:
                out.append(piece)
                continue
            claims = list(row_of(spec, v.name, dict(zip(v.parents, combo))).rationale.claims)
            piece["probabilities"] = {s: float(x) for s, x in zip(v.states, table[index_of[combo]])}
            piece["rationale"] = ({"claims": claims} if claims else {}) | {"assumption": note}
            piece.pop("concentration", None)
            out.append(piece)
    return out


def revised_copy(model, tables: dict[str, np.ndarray], path=None, note: str = "revised", force: bool = False) -> Model:
    """A copy of the model file with the given variables' tables replaced (arrays in the file's parent and state
    order): rows of a full table that change get the new numbers and `note` as their assumption (claims kept);
    a builder is replaced by its full table, an `array:` block gets the new numbers and `note` in its rationale.
    Everything else is the file as written (comments are not kept)."""
    model = read_model(model)
    spec = model.spec
    raw = copy.deepcopy(raw_document(model))
    for variable, table in tables.items():
        if variable not in spec.variables:
            raise QueryError(f"unknown variable '{variable}'; known variables: {known(spec.variables)}", spec.path)
        v = spec.variables[variable]
        old = table_array(v, spec)
        table = np.asarray(table, dtype=float)
        if table.shape != old.shape:
            raise QueryError(f"the new table of '{variable}' has shape {table.shape}; expected {old.shape}", spec.path)
        body = raw["variables"][variable]
        if "array" in body:
            block = body["array"]
            block["axes"] = [*v.parents, variable]
            block["values"] = " ".join(map(repr, table.ravel().tolist()))
            why = block.get("rationale") or {}
            why["note"] = f"{why['note']}; {note}" if why.get("note") else note
            block["rationale"] = why
            continue
        if "table" in body:
            rows = body["table"] if isinstance(body["table"], list) else [body["table"]]
        else:  # a builder, written out row by row with its rationale
            builder = body.pop("builder")
            rows = []
            for index in np.ndindex(*old.shape[:-1]):
                row = {"given": row_given(spec, variable, index)} if v.parents else {}
                row["probabilities"] = {s: float(x) for s, x in zip(v.states, old[index])}
                row["rationale"] = copy.deepcopy(builder["rationale"])
                rows.append(row)
        body["table"] = _revised_rows(rows, v, spec, old, table, note)
    text = dump_model(raw, f"# A revised copy of {Path(spec.path).name} ({note}), "
                           "written by bayes.analysis.revisions.\n\n")
    revised = loaded_model(text, path, f"{spec.name}_revised")
    if path is not None:
        write_model_text(text, path, force)
    return revised


def revise_row(model, variable: str, given: dict, probabilities: dict, path=None, note: str = "revised",
               force: bool = False) -> Model:
    """A copy of the model with one row of `variable` (its parents' states in `given`) set to `probabilities`
    ({state: number}, every state, summing to 1); see `revised_copy`."""
    model = read_model(model)
    spec = model.spec
    if variable not in spec.variables:
        raise QueryError(f"unknown variable '{variable}'; known variables: {known(spec.variables)}", spec.path)
    v = spec.variables[variable]
    given = dict(given or {})
    if set(given) != set(v.parents) or any(given[p] not in spec.states(p) for p in v.parents):
        raise QueryError(f"a row of '{variable}' is named by a state of each parent ({', '.join(v.parents) or 'none'})",
                         spec.path)
    if set(probabilities) != set(v.states) or abs(sum(probabilities.values()) - 1.0) > 1e-9:
        raise QueryError(f"the new row of '{variable}' needs a number for each state ({', '.join(v.states)}) "
                         "summing to 1", spec.path)
    table = table_array(v, spec).copy()
    table[tuple(spec.states(p).index(given[p]) for p in v.parents)] = [float(probabilities[s]) for s in v.states]
    return revised_copy(model, {variable: table}, path, note, force)
