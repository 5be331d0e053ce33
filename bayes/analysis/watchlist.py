"""What a reader should watch and what the answer leans on, as tables: signposts (observable developments
that would move the answer most if seen), what-ifs (the model's scenarios, each marked observed, forced or
a bundle of both by what it sets, never by its label), and key assumptions (judgements that rest on an
analyst's assumption rather than a claim of the source, ranked by how far they swing the answer)."""

from __future__ import annotations

import pandas as pd

from bayes.analysis.judgements import question, swing_of
from bayes.analysis.scenarios import named_scenarios, scenario_kind, scenario_label
from bayes.inference.claims import judgement_row
from bayes.inference.engine import Query
from bayes.modelfile.parameters import elicited_parameters
from bayes.modelfile.scales import percent_text

SIGNPOST_COLUMNS = ["variable", "state", "probability_of_state", "now", "if_seen", "shift", "observed"]
WHAT_IF_COLUMNS = ["scenario", "label", "kind", "parts", "probability", "now", "shift", "tied_with"]
ASSUMPTION_COLUMNS = ["parameter", "variable", "line", "assumption", "value", "low", "high", "answer_low",
                      "answer_high", "swing"]


def _p_yes(model, given: dict, do: dict) -> float:
    q = question(model)
    idx = [model.spec.states(q.variable).index(s) for s in q.yes]
    r = model.engine.run([Query.make(q.variable, given, do)], strict=False)[0]
    return float(r.probabilities[0, idx].sum())


def signposts(model, top: int = 5) -> pd.DataFrame:
    """For each observable variable other than the question's own: the state whose sighting would move
    P(answer yes) most, with the probability of seeing it, the answer now and if seen; the `top` largest
    moves, largest first. Every row is an observation (`observed` is True): seeing, not imposing."""
    q = question(model)
    idx = [model.spec.states(q.variable).index(s) for s in q.yes]
    now = _p_yes(model, {}, {})
    rows = []
    for o, v in model.spec.variables.items():
        if not v.observable or o == q.variable:
            continue
        r = model.engine.run([Query.make(q.variable, {}, {}, sweep=(o,))], strict=False)[0]
        p_state = r.evidence_probability[0] / r.evidence_probability[0].sum()
        best = None
        for i, s in enumerate(v.states):
            if p_state[i] <= 0:
                continue
            p_if = float(r.probabilities[0][i, idx].sum())
            if best is None or abs(p_if - now) > abs(best["shift"]):
                best = dict(variable=o, state=s, probability_of_state=float(p_state[i]), now=now, if_seen=p_if,
                            shift=p_if - now, observed=True)
        if best is not None and percent_text(best["if_seen"]) != percent_text(now):
            rows.append(best)
    frame = pd.DataFrame(rows, columns=SIGNPOST_COLUMNS)
    return frame.reindex(frame["shift"].abs().sort_values(ascending=False, kind="stable").index) \
        .head(top).reset_index(drop=True)


def what_ifs(model) -> pd.DataFrame:
    """Each named scenario that does not set the question's own variable: its kind, P(answer yes) under it
    and its shift from now, and for a scenario that sets several variables each part's own effect alone
    (`parts`: list of {variable, state, kind, probability}). Sorted by the size of the shift; scenarios whose
    answer shows the same whole percent are `tied_with` each other."""
    q = question(model)
    now = _p_yes(model, {}, {})
    rows = []
    for name in named_scenarios(model):
        sc = model.spec.scenarios[name]
        if q.variable in sc.observe or q.variable in sc.do:
            continue
        p = _p_yes(model, sc.observe, sc.do)
        items = [(v, s, "observed") for v, s in sc.observe.items()] + [(v, s, "forced") for v, s in sc.do.items()]
        parts = []
        if len(items) > 1:
            for v, s, kind in items:
                alone = _p_yes(model, {v: s} if kind == "observed" else {}, {v: s} if kind == "forced" else {})
                parts.append(dict(variable=v, state=s, kind=kind, probability=alone))
        rows.append(dict(scenario=name, label=scenario_label(model, name), kind=scenario_kind(sc), parts=parts, probability=p, now=now,
                         shift=p - now))
    frame = pd.DataFrame(rows, columns=WHAT_IF_COLUMNS[:-1])
    frame = frame.reindex(frame["shift"].abs().sort_values(ascending=False, kind="stable").index).reset_index(drop=True)
    shown = [percent_text(p) for p in frame["probability"]]
    frame["tied_with"] = [[frame["scenario"][j] for j in range(len(frame)) if j != i and shown[j] == shown[i]]
                          for i in range(len(frame))]
    return frame


def key_assumptions(model, top: int = 5) -> pd.DataFrame:
    """The judgements written on an analyst's assumption alone (no claim of the source behind their row),
    ranked by how far each, swung over its own range, moves P(answer yes); judgements that do not move it at
    the precision shown are left out."""
    q = question(model)
    by_name = {p.name: p for p in elicited_parameters(model)}
    swings = swing_of(model, q.variable, q.yes)
    rows = []
    for r in swings.itertuples():
        prm = by_name.get(r.parameter)
        row = judgement_row(model.spec, prm) if prm is not None else None
        if row is None or row.rationale.claims or not row.rationale.assumption:
            continue
        if percent_text(r.target_low) == percent_text(r.target_high):
            continue
        rows.append(dict(parameter=r.parameter, variable=prm.variable, line=row.line,
                         assumption=row.rationale.assumption, value=r.value, low=r.low, high=r.high,
                         answer_low=float(r.target_low), answer_high=float(r.target_high), swing=float(r.swing)))
    return pd.DataFrame(rows, columns=ASSUMPTION_COLUMNS).head(top)
