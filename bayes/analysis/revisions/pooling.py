"""Several analysts' readings of one model structure pooled row by row (linear or logarithmic opinion
pool, docs/revisions.md#pooling) into one model file whose every row names its contributors."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bayes.analysis.revisions.versions import (COMMAND_LINE, aligned_table, analyst_names, clip, dump_model, given_text,
                                               loaded_model, model_document, raw_document, read_model, row_given,
                                               row_of, structure_difference, write_model_text)
from bayes.errors import BayesInputError
from bayes.fileio import check_output
from bayes.model import Model

METHODS = ("linear", "log")


# ------------------------------------------------------------------------------------- pooling

def check_weights(weights, n: int) -> np.ndarray:
    """Weights as given (`"1,2,1"` or a list), one per file, zero or positive, summing to a positive number;
    returned normalised to sum to 1. None means equal weights."""
    if weights is None:
        return np.full(n, 1.0 / n)
    if isinstance(weights, str):
        items = [w.strip() for w in weights.split(",")]
        values = []
        for w in items:
            try:
                values.append(float(w))
            except ValueError:
                raise BayesInputError(f"weight '{w}' is not a number; write --weights as numbers separated by commas, "
                                      f"e.g. {','.join(['1'] * n)}", COMMAND_LINE) from None
    else:
        values = [float(w) for w in weights]
    if len(values) != n:
        raise BayesInputError(f"{len(values)} weight(s) for {n} model files; give one weight per file, e.g. "
                              f"--weights {','.join(['1'] * n)}", COMMAND_LINE)
    w = np.asarray(values, dtype=float)
    if not np.isfinite(w).all():
        raise BayesInputError("every weight must be a finite number", COMMAND_LINE)
    if (w < 0).any():
        raise BayesInputError("weights must be zero or positive", COMMAND_LINE)
    w = w / w.max() if w.max() > 0 else w  # only ratios matter: 1e308,1e308 is 1,1 (their sum would overflow)
    if not w.sum() > 0:
        raise BayesInputError("the weights must sum to a positive number", COMMAND_LINE)
    return w / w.sum()


def pool_rows(arrays, weights, method: str = "linear") -> np.ndarray:
    """Pool probability rows (the last axis) of several analysts' tables of one shape.

    linear: the weighted arithmetic mean. log: the weighted geometric mean, renormalised; a state that any
    analyst with positive weight gives probability 0 gets 0. A row that the log pool leaves empty (every
    state ruled out by someone) comes back as NaN, for the caller to name."""
    stack = np.stack([np.asarray(a, dtype=float) for a in arrays])
    w = np.asarray(weights, dtype=float)
    if method == "linear":
        return np.tensordot(w, stack, axes=1)
    if method != "log":
        raise BayesInputError(f"unknown pooling method '{method}'; expected one of: {', '.join(METHODS)}", COMMAND_LINE)
    active = w > 0
    stack, w = stack[active], w[active] / w[active].sum()
    zero = (stack <= 0).any(axis=0)
    score = np.tensordot(w, np.log(np.where(stack > 0, stack, 1.0)), axes=1)
    score = np.where(zero, -np.inf, score)
    top = score.max(axis=-1, keepdims=True)
    weight = np.where(zero, 0.0, np.exp(score - np.where(np.isfinite(top), top, 0.0)))
    total = weight.sum(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return weight / np.where(total > 0, total, np.nan)


@dataclass
class Pooled:
    """A pooled model: the Model, the text of its file, who contributed with what weight, and the conflicts
    between the files' claims, scenarios and outcomes (the first file's definition is kept)."""

    model: Model
    text: str
    names: list[str]
    files: list[str]
    weights: np.ndarray
    method: str
    conflicts: list[str]
    tables: dict
    path: Path | None = None


def pooled_tables(models: list[Model], weights=None, method: str = "linear") -> dict[str, np.ndarray]:
    """Every variable's pooled table, in the first model's order of parents and states."""
    w = check_weights(weights, len(models))
    ref = models[0].spec
    tables = {}
    for v in ref.variables:
        pooled = pool_rows([aligned_table(m.spec, v, ref) for m in models], w, method)
        bad = ~np.isfinite(pooled).all(axis=-1)
        if bad.any():
            index = tuple(int(i) for i in np.argwhere(bad)[0])
            row = given_text(row_given(ref, v, index))
            raise BayesInputError(f"the logarithmic pool of the row of '{v}' for {row} "
                                  "is empty: every state has probability 0 in at least one file with positive weight; "
                                  "use --method linear or change the weights", ref.path)
        tables[v] = pooled
    return tables


def _union(models, names, key: str, same) -> tuple[dict, list[str]]:
    """The union of a mapping section (claims, scenarios) across files; the first definition of an id wins and
    a different later one is named as a conflict."""
    union, origin, conflicts = {}, {}, []
    for m, name in zip(models, names):
        for item, body in (raw_document(m).get(key) or {}).items():
            if item not in union:
                union[item], origin[item] = body, name
            elif not same(union[item], body):
                what = "claim" if key == "claims" else "scenario"
                conflicts.append(f"{what} {item} differs between {origin[item]} and {name}; kept {origin[item]}'s")
    return union, conflicts


def _scenario_core(body) -> tuple:
    body = body or {}
    return (body.get("observe") or {}, body.get("do") or {})


def pool(sources, weights=None, method: str = "linear", path=None) -> Pooled:
    """Pool several analysts' files of one structure (same variables, states and parents, in any order) into
    one model: every row pooled by `method`, claims and scenarios the union (conflicts named, the first
    file's kept), outcomes the union of the headline outcomes. Nothing is written (see `write_pool`)."""
    if isinstance(sources, (str, os.PathLike, Model)):
        sources = [sources]
    models = [read_model(s) for s in sources]
    if len(models) < 2:
        raise BayesInputError(f"pooling needs at least two model files, got {len(models)}", COMMAND_LINE)
    if method not in METHODS:
        raise BayesInputError(f"unknown pooling method '{method}'; expected one of: {', '.join(METHODS)}", COMMAND_LINE)
    w = check_weights(weights, len(models))
    ref = models[0]
    for m in models[1:]:
        why = structure_difference(ref.spec, m.spec)
        if why:
            raise BayesInputError(f"the files do not share one structure: {why}", m.spec.path)
    names = analyst_names(models)
    files = [Path(m.spec.path).name for m in models]
    tables = pooled_tables(models, w, method)
    claims, conflicts = _union(models, names, "claims", lambda a, b: a == b)
    scenarios, more = _union(models, names, "scenarios", lambda a, b: _scenario_core(a) == _scenario_core(b))
    conflicts += more
    outcomes: dict[str, str] = {}
    outcome_origin: dict[str, str] = {}
    for m, name in zip(models, names):
        for v, s in m.spec.headline_states.items():
            if v not in outcomes:
                outcomes[v], outcome_origin[v] = s, name
            elif outcomes[v] != s:
                conflicts.append(f"outcome {v}: {outcome_origin[v]} charts {outcomes[v]}, {name} {s}; kept "
                                 f"{outcome_origin[v]}'s")
    scales = {m.spec.scale for m in models}
    if len(scales) > 1:
        conflicts.append(f"the files use different scales ({', '.join(sorted(scales))}); kept {names[0]}'s "
                         f"({ref.spec.scale})")
    contributors = ", ".join(f"{f} (weight {x:.3g})" for f, x in zip(files, w))
    label = ("linear pool (weighted mean)" if method == "linear"
             else "logarithmic pool (weighted geometric mean, renormalised)")

    def rationale_of(variable, given):
        if given is None:  # the whole table at once (an array block): every row's rationale, once each
            rows = [r for m in models for r in m.spec.variables[variable].rows]
            claim_ids = list(dict.fromkeys(c for r in rows for c in r.rationale.claims))
            out = {"claims": claim_ids} if claim_ids else {}
            out["assumption"] = f"{label}, row by row, of {contributors}"
            out["note"] = clip(" | ".join(f"{n}: {' / '.join(dict.fromkeys(str(r.rationale) for r in m.spec.variables[variable].rows))}"
                                           for n, m in zip(names, models)), 2000)
            return out
        rows = [row_of(m.spec, variable, given) for m in models]
        claim_ids = list(dict.fromkeys(c for r in rows for c in r.rationale.claims))
        texts = [str(r.rationale) for r in rows]
        out = {"claims": claim_ids} if claim_ids else {}
        out["assumption"] = f"{label} of {contributors}"
        out["note"] = (f"every contributor: {texts[0]}" if len(set(texts)) == 1
                       else " | ".join(f"{n}: {t}" for n, t in zip(names, texts)))
        return out

    meta = {"author": f"{method} pool of {', '.join(files)} (bayes pool)",
            "notes": (f"Pooled with `bayes pool --method {method}` from {contributors}. Every row is the {label} of "
                      "the same row in each file; claims and scenarios are the union of the files'. "
                      + ("Conflicts: " + "; ".join(conflicts) + "." if conflicts else "No conflicts."))}
    document = model_document(ref, tables, rationale_of, meta=meta, claims=claims, scenarios=scenarios,
                         outcomes=[{v: s} for v, s in outcomes.items()], out_path=path)
    header = (f"# Written by `bayes pool --method {method}`: every row is the {label} of {contributors}.\n"
              "# Each row's rationale names the contributors and the method; docs/revisions.md explains both.\n\n")
    text = dump_model(document, header)
    model = loaded_model(text, path, "pooled")
    return Pooled(model, text, names, [m.spec.path for m in models], w, method, conflicts, tables)


def write_pool(sources, path, weights=None, method: str = "linear", force: bool = False) -> Pooled:
    """`pool(...)` written to `path` (an existing file only with `force`); the file loads as any model does."""
    out = check_output(path, force)
    result = pool(sources, weights, method, path=out)
    result.path = write_model_text(result.text, out, True)
    return result
