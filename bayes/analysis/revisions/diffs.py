"""What changed between two versions of a model and what it did: model fields, variables, states,
parents, table rows with their rationales, outcomes, scenarios and claims, ranked by size of effect;
a changed row's own effect is measured by putting that row alone into the old model."""

from __future__ import annotations

import math
import textwrap

import numpy as np
import pandas as pd

from bayes.analysis.revisions.answers import (answer_table, claim_margin, claim_results, claim_text, headline_outcomes,
                                              scenario_label_of, scenario_names, scenario_of)
from bayes.analysis.revisions.versions import (SAME, aligned_table, clip, given_text, numbers_text, read_model,
                                               row_given, row_of, same_shape)
from bayes.inference.claims import formal_text
from bayes.inference.draws import ArrayDraws
from bayes.inference.engine import Query
from bayes.inference.network import table_array
from bayes.model import Model
from bayes.modelfile.elicitation import ArrayTable
from bayes.modelfile.scales import describe
from bayes.modelfile.spec import ModelSpec

MOVED = 5e-4  # an outcome that moves by less than 0.05 points is shown as unchanged in the table views


# ------------------------------------------------------------------------------------- diff

DIFF_COLUMNS = ["section", "kind", "item", "variable", "given", "scenario", "scenario_label", "outcome", "old", "new",
                "effect", "effect_text", "band_changes", "old_rationale", "new_rationale", "line"]
_CHANGE_ORDER = ["row", "builder", "table", "states", "parents", "variable", "outcomes", "scenario", "claim", "model"]


def _change(kind, item, old, new, effect, text, **extra) -> dict:
    row = {"section": "changed", "kind": kind, "item": item, "old": old, "new": new, "effect": effect,
           "effect_text": text}
    row.update(extra)
    return row


def _meta_changes(old: ModelSpec, new: ModelSpec) -> list[dict]:
    rows = []
    for key in ("title", "source", "as_of", "author", "description", "scale", "concentration", "source_file"):
        a, b = getattr(old, key), getattr(new, key)
        if a != b:
            text = "the words for numbers change" if key == "scale" else (
                "how firmly plain numbers are held in draws" if key == "concentration" else "no effect on the numbers")
            rows.append(_change("model", key, a, b, 0.0 if key not in ("scale", "concentration") else math.nan, text))
    return rows


def _form(v) -> str:
    if v.builder:
        return f"{v.builder} builder"
    return "array table" if isinstance(v.source, ArrayTable) else "full table"


def _variable_changes(old: ModelSpec, new: ModelSpec) -> list[dict]:
    rows = []
    for name, v in new.variables.items():
        if name not in old.variables:
            rows.append(_change("variable", name, None, v.description, math.nan, "added", variable=name, line=v.line))
    for name, v in old.variables.items():
        if name not in new.variables:
            rows.append(_change("variable", name, v.description, None, math.nan, "removed", variable=name, line=v.line))
            continue
        w = new.variables[name]
        for key in ("description", "label", "observable"):
            if getattr(v, key) != getattr(w, key):
                text = ("changes which variables are ranked as indicators" if key == "observable"
                        else "no effect on the numbers")
                rows.append(_change("variable", f"{name}: {key}", getattr(v, key), getattr(w, key),
                                    0.0 if key != "observable" else math.nan, text, variable=name, line=w.line))
        if v.states != w.states:
            text = "same states, new order" if set(v.states) == set(w.states) else "the states changed"
            rows.append(_change("states", name, list(v.states), list(w.states), math.nan, text, variable=name,
                                line=w.line))
        if v.parents != w.parents:
            text = "same parents, new order" if set(v.parents) == set(w.parents) else "the parents changed"
            rows.append(_change("parents", name, list(v.parents), list(w.parents), math.nan, text, variable=name,
                                line=w.line))
        if _form(v) != _form(w):
            rows.append(_change("table", name, _form(v), _form(w), math.nan, "the table is written another way",
                                variable=name, line=w.line))
    return rows


def _written(row) -> dict | None:
    """The judgements of a full-table row as written ('likely', '10-20%', 'rest'), or None for a builder row."""
    judged = row.judged
    if judged is None:
        return None
    return {s: ("rest" if s == judged.rest else judged.judgements[s].text) for s in judged.states}


def _builder_changes(old: Model, new: Model) -> tuple[list[dict], list[tuple], set[str]]:
    """A builder's judgements that changed, as written ('far more likely' -> 'much more likely') under the
    builder's own names, for each variable built the same way in both files (the same judgements); (change,
    variable, None, the old table with that one judgement changed) for each; and the variables so compared."""
    from bayes.modelfile.parameters import builder_judgements

    rows, moved, compared = [], [], set()
    if not any(v.builder for v in old.spec.variables.values()):
        return rows, moved, compared
    olds, news = builder_judgements(old), builder_judgements(new)
    for name, v in old.spec.variables.items():
        w = new.spec.variables.get(name)
        if w is None or not v.builder or v.builder != w.builder or not same_shape(old.spec, new.spec, name):
            continue
        po, pn = olds.get(name, {}), news.get(name, {})
        if list(po) != list(pn):
            continue  # judgements added or removed: compared row by row
        compared.add(name)
        why_old, why_new = str(v.rows[0].rationale), str(w.rows[0].rationale)
        for key, p in po.items():
            q = pn[key]
            if p.text == q.text and abs(p.value - q.value) <= SAME:
                continue
            rec = _change("builder", key, _as_written(p), _as_written(q), math.nan, "",
                          variable=name, old_rationale=why_old, new_rationale=why_new, line=w.line)
            same_number = abs(p.value - q.value) <= SAME
            rec["written"] = "the numbers changed, the rationale did not" if why_old == why_new and not same_number else ""
            if same_number:
                rec["effect"] = 0.0
                _say(rec, "the same number, written another way")
            else:
                moved.append((rec, name, None, p.table_at(q.value)))
            rows.append(rec)
        if why_old != why_new and not any(r["variable"] == name for r in rows):
            rows.append(_change("builder", f"{name}: rationale", why_old, why_new, 0.0, "the rationale changed",
                                variable=name, line=w.line))
    return rows, moved, compared


def _as_written(param) -> str:
    """A builder judgement as written, with the number it stands for unless it is that number."""
    try:
        float(str(param.text).strip().rstrip("%"))
        return str(param.text)
    except ValueError:
        return f"{param.text} ({param.value:.3g})"


def _row_changes(old: Model, new: Model, skip: set[str] = frozenset()) -> tuple[list[dict], list[tuple]]:
    """Changed rows of every variable whose rows can be compared (but those in `skip`), and (row dict,
    variable, index, new row in the old file's order) for the rows whose numbers moved."""
    rows, moved = [], []
    for name, v in old.spec.variables.items():
        if name in skip or not same_shape(old.spec, new.spec, name):
            continue
        a, b = table_array(v, old.spec), aligned_table(new.spec, name, old.spec)
        w = new.spec.variables[name]
        blocks = isinstance(v.source, ArrayTable) and isinstance(w.source, ArrayTable)
        if blocks and str(v.rows[0].rationale) != str(w.rows[0].rationale):  # one rationale for the whole block
            rows.append(_change("table", f"{name}: rationale", str(v.rows[0].rationale), str(w.rows[0].rationale),
                                0.0, "the array's rationale changed", variable=name, line=w.rows[0].rationale_line))
        for index in np.ndindex(*a.shape[:-1]):
            given = row_given(old.spec, name, index)
            r_old = row_of(old.spec, name, given)
            r_new = row_of(new.spec, name, given)
            numbers = not np.allclose(a[index], b[index], rtol=0, atol=SAME)
            why = not blocks and str(r_old.rationale) != str(r_new.rationale)
            w_old, w_new = _written(r_old), _written(r_new)
            words = w_old is not None and w_new is not None and w_old != w_new
            if not (numbers or why or words):
                continue
            rec = _change("row", f"{name} | {given_text(given)}",
                          dict(zip(v.states, map(float, a[index]))), dict(zip(v.states, map(float, b[index]))),
                          math.nan if numbers else 0.0, "", variable=name, given=given_text(given),
                          old_rationale=str(r_old.rationale), new_rationale=str(r_new.rationale),
                          line=r_new.line)
            # the written words (ranges and terms say more than the midpoints shown), said after whatever the
            # row's effect turns out to be (_row_effects)
            ranged = any(j.is_range for r in (r_old, r_new) for j in r.judged.judgements.values()) if words else False
            rec["written"] = (f"written {_numbers_words(w_old)} -> {_numbers_words(w_new)}"
                              if words and (ranged or not numbers) else "")
            if numbers and not blocks and str(r_old.rationale) == str(r_new.rationale):
                rec["written"] = "; ".join(p for p in (rec["written"], "the numbers changed, the rationale did not") if p)
            _say(rec, "" if numbers else "same numbers; the written judgement changed (and with it the uncertainty "
                 "in draws)" if words else "same numbers; the rationale changed")
            rows.append(rec)
            if numbers:
                moved.append((rec, name, index, b[index]))
    return rows, moved


def _say(rec: dict, text: str) -> None:
    """A changed row's effect text, with the change of its written words after it."""
    rec["effect_text"] = "; ".join(part for part in (text, rec["written"]) if part)


def _numbers_words(written: dict) -> str:
    return "{" + ", ".join(f"{s}: {t}" for s, t in written.items()) + "}"


def _row_effects(old: Model, moved: list[tuple], outcomes: dict[str, str]):
    """Each moved row or builder judgement alone put into the old model: its largest shift of any headline
    outcome under any scenario."""
    if not moved:
        return
    spec = old.spec
    pairs = [(sc, v, s) for sc in scenario_names(spec) for v, s in outcomes.items()
             if v in spec.variables and s in spec.states(v)]
    if not pairs:
        for rec, *_ in moved:
            _say(rec, "no headline outcome to measure its effect on")
        return
    net = old.engine.net
    n = len(moved)
    tables = {}
    for k, (_, name, index, values) in enumerate(moved):  # a row at its index, or a whole table (index None)
        if name not in tables:
            tables[name] = np.repeat(net.tables[net.index[name]][..., None], n, axis=-1)
        tables[name][((Ellipsis,) if index is None else index) + (slice(None), k)] = values
    queries = {}
    for sc, v, _ in pairs:
        observe, do = scenario_of(spec, sc)
        queries.setdefault((sc, v), Query.make(v, observe, do))
    keys = list(queries)
    base = dict(zip(keys, old.engine.run([queries[k] for k in keys], strict=False)))
    swapped = dict(zip(keys, old.engine.run([queries[k] for k in keys], ArrayDraws(net, tables), strict=False)))
    for k, (rec, *_rest) in enumerate(moved):
        best = None
        for sc, v, s in pairs:
            i = spec.states(v).index(s)
            before = base[(sc, v)].probabilities[0, i]
            after = swapped[(sc, v)].probabilities[k, i]
            shift = after - before
            if np.isfinite(shift) and (best is None or abs(shift) > abs(best[0])):
                best = (float(shift), sc, v, s, float(before), float(after))
        if best is None:
            _say(rec, "its effect cannot be measured (every scenario's evidence is impossible)")
            continue
        shift, sc, v, s, before, after = best
        rec["effect"] = shift
        if abs(shift) <= SAME:
            _say(rec, "alone it moves no headline outcome under any scenario")
            continue
        _say(rec, f"alone it moves {v}={s} under {sc} by {shift * 100:+.1f} points "
                  f"({describe(before, old.scale)} -> {describe(after, old.scale)})")


def _scenario_changes(old: ModelSpec, new: ModelSpec) -> list[dict]:
    rows = []

    def text(sc):
        if sc is None:
            return None
        parts = [f"observe {given_text(sc.observe)}" if sc.observe else "",
                 f"do {given_text(sc.do)}" if sc.do else ""]
        return "; ".join(p for p in parts if p) or "no evidence"

    for name in dict.fromkeys([*old.scenarios, *new.scenarios]):
        a, b = old.scenarios.get(name), new.scenarios.get(name)
        if a is None or b is None:
            rows.append(_change("scenario", name, text(a), text(b), math.nan, "added" if a is None else "removed",
                                scenario=name, line=(b or a).line))
        elif (a.observe, a.do) != (b.observe, b.do):
            rows.append(_change("scenario", name, text(a), text(b), math.nan, "what it sets changed", scenario=name,
                                line=b.line))
        elif (a.label, a.description) != (b.label, b.description):
            rows.append(_change("scenario", name, a.display, b.display, 0.0, "wording only", scenario=name,
                                line=b.line))
    return rows


def _claim_changes(old: Model, new: Model) -> list[dict]:
    from dataclasses import asdict

    rows = []
    for cid in dict.fromkeys([*old.spec.claims, *new.spec.claims]):
        a, b = old.spec.claims.get(cid), new.spec.claims.get(cid)
        if a is None or b is None:
            c = a or b
            model = old if b is None else new
            rows.append(_change("claim", cid, formal_text(a, old.scale) if a else None,
                                formal_text(b, new.scale) if b else None, math.nan, "added" if a is None else "removed",
                                line=c.line, new_rationale=c.quote if model is new else None,
                                old_rationale=c.quote if model is old else None))
            continue
        da, db = asdict(a), asdict(b)
        da.pop("line"), db.pop("line")
        if da == db:
            continue
        fa, fb = formal_text(a, old.scale), formal_text(b, new.scale)
        rows.append(_change("claim", cid, fa, fb, math.nan if fa != fb else 0.0,
                            "what it tests changed" if fa != fb else "wording only (quote, says or note)",
                            old_rationale=a.quote, new_rationale=b.quote, line=b.line))
    return rows


def _check_effects(old: Model, new: Model) -> list[dict]:
    rows = []
    a, b = claim_results(old), claim_results(new)
    for cid in dict.fromkeys([*a, *b]):
        ra, rb = a.get(cid), b.get(cid)
        ok_a, ok_b = ra is not None and not isinstance(ra, str), rb is not None and not isinstance(rb, str)
        if ok_a and ok_b:
            shift = claim_margin(rb) - claim_margin(ra)
            if ra.passed == rb.passed and abs(shift) <= SAME:
                continue
            verdict = ("pass -> FAIL" if ra.passed and not rb.passed else "FAIL -> pass" if rb.passed and not ra.passed
                       else ("still passes" if rb.passed else "still fails") + "; its numbers moved")
            line = new.spec.claims[cid].line
        elif ra is None or rb is None:
            shift, verdict = math.nan, "only in the new file" if ra is None else "only in the old file"
            line = (new.spec.claims.get(cid) or old.spec.claims.get(cid)).line
        else:
            claim = new.spec.claims.get(cid) or old.spec.claims.get(cid)
            shift, verdict, line = math.nan, "cannot be compared", claim.line if claim else None
        rows.append({"section": "effect", "kind": "check", "item": cid,
                     "old": claim_text(ra, old.scale) if ra is not None else None,
                     "new": claim_text(rb, new.scale) if rb is not None else None, "effect": shift,
                     "effect_text": verdict, "band_changes": ok_a and ok_b and ra.passed != rb.passed, "line": line})
    return rows


def _outcome_effects(old: Model, new: Model, outcomes: dict[str, str]) -> list[dict]:
    scenarios = list(dict.fromkeys([*scenario_names(new.spec), *scenario_names(old.spec)]))
    pairs = [(sc, v, s) for sc in scenarios for v, s in outcomes.items()]
    a, b = answer_table(old, pairs), answer_table(new, pairs)
    rows = []
    for sc, v, s in pairs:
        pa, pb = a.get((sc, v, s)), b.get((sc, v, s))
        spec = new.spec if sc in new.spec.scenarios or sc not in old.spec.scenarios else old.spec
        label = scenario_label_of(spec, sc)
        if pa is None and pb is None:
            continue  # a question neither file can ask (an outcome of one under a scenario of the other)
        if pa is None or pb is None:
            text, shift, bands = ("not in the old file" if pa is None else "not in the new file"), math.nan, False
        elif not (np.isfinite(pa) and np.isfinite(pb)):
            text, shift, bands = "the scenario's evidence is impossible in " + (
                "both files" if not (np.isfinite(pa) or np.isfinite(pb)) else "the old file" if not np.isfinite(pa)
                else "the new file"), math.nan, False
        else:
            shift = pb - pa
            bands = old.scale.term(pa) != new.scale.term(pb)
            text = f"{describe(pa, old.scale)} -> {describe(pb, new.scale)}" + ("; the band changes" if bands else "")
        rows.append({"section": "effect", "kind": "outcome", "item": f"{v}={s} | {sc}", "variable": v,
                     "scenario": sc, "scenario_label": label, "outcome": f"{v}={s}", "old": pa, "new": pb,
                     "effect": shift, "effect_text": text, "band_changes": bands})
    return rows


def diff(old, new) -> pd.DataFrame:
    """What changed between two versions of a model and what it did, one row per item, ranked.

    Columns: section ('changed' or 'effect'), kind (model, variable, states, parents, table, row, outcomes,
    scenario, claim; check, outcome), item, variable, given, scenario, scenario_label, outcome, old, new,
    effect (a probability shift: for a row, the largest shift it causes alone in the old model; for an
    outcome, new - old; for a claim check, the shift of the number it turns on), effect_text, band_changes,
    old_rationale, new_rationale, line (in the new file). Changes come first, largest effect first; then
    effects, largest first."""
    old, new = read_model(old), read_model(new)
    new_outcomes = headline_outcomes(new)
    outcomes = {**new_outcomes, **{v: s for v, s in headline_outcomes(old).items() if v not in new_outcomes}}
    rows = _meta_changes(old.spec, new.spec) + _variable_changes(old.spec, new.spec)
    builder_rows, builder_moved, compared = _builder_changes(old, new)
    row_rows, moved = _row_changes(old, new, compared)
    _row_effects(old, moved + builder_moved, outcomes)
    rows += row_rows + builder_rows
    if old.spec.headline_states != new.spec.headline_states:
        text = lambda h: ", ".join(f"{v}={s}" for v, s in h.items()) or "none listed"  # noqa: E731
        rows.append(_change("outcomes", "headline outcomes", text(old.spec.headline_states),
                            text(new.spec.headline_states), 0.0, "what the briefing reports"))
    rows += _scenario_changes(old.spec, new.spec) + _claim_changes(old, new)
    rows += _check_effects(old, new) + _outcome_effects(old, new, outcomes)
    frame = pd.DataFrame(rows, columns=DIFF_COLUMNS)
    frame["band_changes"] = frame["band_changes"].fillna(False).astype(bool)
    frame["line"] = frame["line"].astype("Int64")
    kind_rank = frame["kind"].map({k: i for i, k in enumerate(_CHANGE_ORDER)})  # checks and outcomes: NaN, in turn
    frame = frame.assign(_section=frame["section"].eq("effect"), _size=-frame["effect"].abs(), _kind=kind_rank)
    frame = frame.sort_values(["_section", "_size", "_kind"], kind="stable")  # NaN (no one number) last
    frame = frame.drop(columns=["_section", "_size", "_kind"])
    return frame.reset_index(drop=True)


def _show(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "(none)"
    if isinstance(value, dict):
        return numbers_text(value)
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value))
    return str(value)


def diff_records(frame: pd.DataFrame) -> list[dict]:
    """The diff as JSON-ready records (kind, item, old, new, effect, ... ; NaN as None)."""
    def clean(v):
        if v is None or isinstance(v, (dict, list, tuple, str, bool)):
            return v
        if pd.isna(v):
            return None
        return v.item() if hasattr(v, "item") else v

    return [{k: clean(v) for k, v in rec.items()} for rec in frame.to_dict(orient="records")]


def diff_flat(frame: pd.DataFrame) -> pd.DataFrame:
    """The diff with old and new as text (for CSV)."""
    out = frame.copy()
    for col in ("old", "new"):
        out[col] = [v if isinstance(v, float) else _show(v) if v is not None else "" for v in out[col]]
    return out


def format_diff(frame: pd.DataFrame, old_name: str, new_name: str, show_all: bool = False) -> str:
    """The terminal view of a diff: what changed (with old and new numbers and rationales), then what it did."""
    def wrap(text, indent):
        return textwrap.fill(text, 110, initial_indent=indent, subsequent_indent=indent + "  ")

    changed = frame[frame["section"] == "changed"]
    effects = frame[frame["section"] == "effect"]
    lines = [f"bayes diff: {old_name} -> {new_name}", ""]
    if changed.empty:
        lines.append("What changed: nothing (same variables, tables, rationales, outcomes, scenarios and claims).")
    else:
        lines.append(f"What changed ({len(changed)}), largest effect first:")
    for _, r in changed.iterrows():
        if r["kind"] == "row":
            lines.append(wrap(f"row  P({r['variable']} | {r['given']})" + (f"  [line {int(r['line'])}]"
                                                                          if pd.notna(r["line"]) else ""), "  "))
            lines.append(wrap(f"old: {_show(r['old'])}   ({clip(r['old_rationale'])})", "      "))
            lines.append(wrap(f"new: {_show(r['new'])}   ({clip(r['new_rationale'])})", "      "))
            if r["effect_text"]:
                lines.append(wrap(r["effect_text"], "      "))
        else:
            lines.append(wrap(f"{r['kind']}  {r['item']}: {_show(r['old'])} -> {_show(r['new'])}"
                              + (f"  ({r['effect_text']})" if r["effect_text"] else ""), "  "))
    checks = effects[effects["kind"] == "check"]
    outcomes = effects[effects["kind"] == "outcome"]
    moved = outcomes[outcomes["effect"].abs() >= MOVED] if not show_all else outcomes
    missing = outcomes[outcomes["effect"].isna()]
    lines += ["", "What it did:"]
    if checks.empty:
        lines.append("  claims: no verdict or number moved")
    small = checks[~checks["band_changes"] & (checks["effect"].abs() < MOVED)] if not show_all else checks.iloc[:0]
    checks = checks.drop(index=small.index)
    for _, r in checks.iterrows():
        lines.append(wrap(f"claim {r['item']}: {r['effect_text']}", "  "))
        lines.append(wrap(f"old: {_show(r['old'])}", "      "))
        lines.append(wrap(f"new: {_show(r['new'])}", "      "))
    if len(small):
        lines.append(f"  {len(small)} other claim(s) keep their verdict; their numbers moved by less than "
                     f"{MOVED * 100:.2f} points (--all lists them)")
    shown = pd.concat([moved, missing]).drop_duplicates(subset="item") if show_all is False else moved
    for _, r in shown.iterrows():
        shift = f"  {r['effect'] * 100:+.1f} points" if pd.notna(r["effect"]) else ""
        flag = "  BAND CHANGES" if r["band_changes"] else ""
        text = r["effect_text"].replace("; the band changes", "")
        lines.append(wrap(f"{r['outcome']} | {r['scenario']}: {text}{shift}{flag}", "  "))
    rest = len(outcomes) - len(shown)
    if rest > 0:
        lines.append(f"  {rest} other headline outcome/scenario pair(s) moved by less than "
                     f"{MOVED * 100:.2f} points (--all lists them)")
    return "\n".join(lines)


def summary_text(model: Model) -> str:
    """One model's effects as lines for `git diff` (the diff driver, docs/revisions.md): every headline outcome
    under every scenario, every claim's verdict and numbers, every table row as numbers."""
    spec, scale = model.spec, model.scale
    lines = [f"# bayes: {spec.title} (as of {spec.as_of}); the effects first, then the file as written", ""]
    outcomes = headline_outcomes(model)
    answers = answer_table(model, [(sc, v, s) for sc in scenario_names(spec) for v, s in outcomes.items()])
    for sc in scenario_names(spec):
        for v, s in outcomes.items():
            p = answers.get((sc, v, s), math.nan)
            text = f"{describe(p, scale)} [{p:.4f}]" if np.isfinite(p) else "impossible evidence"
            lines.append(f"outcome {v}={s} | {sc}: {text}")
    for cid, result in claim_results(model).items():
        lines.append(f"claim {cid}: {claim_text(result, scale)}")
    for name, v in spec.variables.items():
        table = table_array(v, spec)
        for index in np.ndindex(*table.shape[:-1]):
            given = row_given(spec, name, index)
            lines.append(f"row {name} | {given_text(given)}: {numbers_text(dict(zip(v.states, table[index])))}")
    return "\n".join(lines) + "\n"
