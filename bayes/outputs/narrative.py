"""Sentences the notebooks and the briefing show, built from a model's metadata and its numbers.

Nothing here names a particular model: every sentence is assembled from the model file (labels,
descriptions, states, scenarios, claims) and from query results passed in, so the notebooks read
right for any analyst's model. Functions return plain text or Markdown; they compute nothing that
`bayes.analysis` does not already compute, except the light look-ups a sentence needs.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd

from bayes.analysis.scenarios import headline_states, named_scenarios, parse_target, set_by
from bayes.modelfile.scales import describe
from bayes.outputs.phrases import outcome_phrase, variable_phrase


def words(name: str) -> str:
    """An identifier as words: 'escalates_to_wider_war' -> 'escalates to wider war'."""
    return str(name).replace("_", " ")


def event(var: str, state: str, model=None) -> str:
    """An outcome the way sentences name it mid-sentence: through the phrase builder (`phrases.outcome_phrase`)
    given the model, else 'variable = state' in words."""
    if model is not None:
        return outcome_phrase(model, var, state, capitalise=False)
    return f"{words(var)} = {words(state)}"


def _named(model, variable: str) -> str:
    """A variable mid-sentence, in the analyst's label (phrases.variable_phrase), never its id."""
    return variable_phrase(model, variable, capitalise=False)


def wrap(text: str, width: int = 45) -> str:
    """Words of an identifier or a sentence, wrapped for a chart title or axis."""
    return textwrap.fill(words(text), width)


def outcome_label(outcome: str, width: int = 32) -> str:
    """'variable=state' as 'variable: state' in words, wrapped (chart panels and axes)."""
    return textwrap.fill(words(outcome).replace("=", ": "), width)


def pct(p: float) -> str:
    """A probability to one decimal of a percent, the precision the notebooks' comparisons show."""
    return f"{p:.1%}"


def _counts(model) -> str:
    spec = model.spec
    observable = sum(v.observable for v in spec.variables.values())
    return (f"{len(spec.variables)} variables ({observable} observable), {len(named_scenarios(model))} named scenarios, "
            f"{len(spec.claims)} claims")


# ------------------------------------------------------------------------------------- the model

def introduction(model, target: str | None = None) -> str:
    """Markdown: title, date, source, description, what the file holds and the target studied."""
    spec = model.spec
    var, state = parse_target(model, target)
    text = (f"**{spec.title}**\n\n*As of {spec.as_of}. Source: {spec.source}. Author: {spec.author}.*\n\n"
            f"{spec.description or '(The model file gives no description.)'}\n\n"
            f"Model file `{spec.path}`: {_counts(model)}. ")
    if spec.outcomes:
        text += f"The headline outcomes are {'; '.join(event(v, s, model=model) for v, s in spec.headline_states.items())}. "
    else:
        text += "The file lists no outcomes, so its last variable stands in as the headline. "
    return text + f"The target studied below is **{event(var, state, model=model)}** (the `target` parameter)."


def target_line(model, target: str | None = None) -> str:
    """'The target is Escalation: a wider war, unlikely (24%) as things stand.' (one colon: the outcome's)"""
    var, state = parse_target(model, target)
    return (f"The target is {event(var, state, model=model)}, "
            f"{describe(model.probability(f'{var}={state}'), model.scale)} as things stand.")


def table_title(model, variable: str) -> str:
    """'P(child | parent, parent)' in words, wrapped for a chart title."""
    parents = model.spec.variables[variable].parents
    given = f" | {', '.join(_named(model, p) for p in parents)}" if parents else ""
    return textwrap.fill(f"P({_named(model, variable)}{given})", 75)


def full_table_text(model, variable: str) -> str:
    """Markdown introducing a variable written as a full table."""
    v = model.spec.variables[variable]
    rows = int(np.prod([len(model.spec.states(p)) for p in v.parents])) if v.parents else 1
    return (f"**{v.display}** (`{variable}`) is written out in full: one row for each combination of "
            f"{', '.join(_named(model, p) for p in v.parents)} ({rows} rows), each with the rationale behind its numbers.")


def builder_text(model, variable: str) -> str:
    """Markdown explaining how a builder variable's table is made, quoting one of its own judgements."""
    from bayes.modelfile.elicitation import LogOddsTable, NoisyMaxTable, NoisyOrTable

    v = model.spec.variables[variable]
    source = v.source
    head = f"**{v.display}** is not written out; its table is built by a *{words(v.builder)}* builder"
    if isinstance(source, LogOddsTable):
        example = ""
        for i, effect in enumerate(source.effects):
            for ps, by_child in effect.items():
                for cs, ratio in by_child.items():
                    example = (f" For example, {event(v.parents[i], model.spec.states(v.parents[i])[ps], model=model)} makes "
                               f"'{v.state_display(v.states[cs])}' {ratio.text} (odds multiplied by {ratio.point:.3g}).")
                    break
                break
            if example:
                break
        return (head + ": a baseline row (every parent in its reference state) and, for the parent states that "
                "matter, odds ratios in words of the strength ladder ('far more likely' is an odds ratio of 6-17)."
                + example)
    if isinstance(source, NoisyOrTable):
        present = v.state_display(v.states[source.present])
        example = ""
        for i, by_state in enumerate(source.strengths):
            for ps, j in by_state.items():
                example = (f" For example, {event(v.parents[i], model.spec.states(v.parents[i])[ps], model=model)} alone brings "
                           f"it about with probability {j.text}.")
                break
            if example:
                break
        return (head + f": each cause independently brings about '{present}', and a leak of {source.leak.text} "
                "covers causes left out of the model." + example)
    if isinstance(source, NoisyMaxTable):
        return (head + ": a leak row and, for each cause, the child's distribution when that cause alone is "
                "active; the child takes the highest state any cause produces.")
    return head + "."


def no_example(model, what: str) -> str:
    """One sentence for a model without an example of `what` ('full' or 'builder')."""
    if what == "full":
        return f"No variable of {model.name} has parents and a full table, so there is no conditional table to show."
    return f"No variable of {model.name} uses a table builder: every table is written out in full."


def uncertainty_text(model, frame: pd.DataFrame, draws: int) -> str:
    """Markdown: how wide the intervals of a `query(..., draws=N)` result are, widest first."""
    frame = frame.assign(width=frame["hi90"] - frame["lo90"]).sort_values("width", ascending=False)
    top = frame.iloc[0]
    return (f"Over {draws:,} draws of every judgement, the widest 90% interval among these is "
            f"{event(top['variable'], top['state'], model=model)}, {describe(top['probability'], model.scale, top['lo90'], top['hi90'])}.")


# ------------------------------------------------------------------------------------- claims and scenarios

def claims_text(model, claims: pd.DataFrame) -> str:
    """One sentence on the claims ledger: how many hold (and which are fragile, with draws)."""
    if claims.empty:
        return (f"{model.name} has no claims ledger, so there is nothing to check the network against; "
                "add claims to the file to test that it says what its source says.")
    failed = claims.loc[~claims["passed"].astype(bool), "id"].tolist()
    text = f"{int(claims['passed'].sum())} of {len(claims)} claims hold at the model's numbers"
    text += f"; failing: {', '.join(failed)}." if failed else "."
    if "fragile" in claims:
        fragile = claims.loc[claims["fragile"].fillna(False).astype(bool), "id"].tolist()
        text += f" Fragile (hold in under 80% of parameter draws): {', '.join(fragile) or 'none'}."
    return text


def failing_claims(model) -> list[dict]:
    """The claims that fail at the model's numbers: id, line, what the model gives, what the claim needs,
    the quote (what the brief's first-screen warning lists)."""
    from bayes.inference.claims import evaluate_claims

    items = []
    for r in evaluate_claims(model):
        if r.passed:
            continue
        if r.kind in ("more_likely", "less_likely"):
            got = f"{pct(r.p_if)} vs {pct(r.p_than)}, odds ratio {r.odds_ratio:.3g}"
        elif r.kind == "probability":
            got = pct(r.probability)
        else:
            got = f"largest difference {r.max_difference:.3g}"
        items.append({"id": r.id, "line": model.spec.claims[r.id].line, "got": got, "required": r.required,
                      "quote": r.quote})
    return items


def failing_claims_warning(model, failed: list[dict]) -> str:
    """The warning's opening sentence (plain text)."""
    return (f"Warning: {len(failed)} of {len(model.spec.claims)} claims fail. The model does not yet say what its "
            "source says on these points; treat the numbers below with care until they are fixed "
            f"(bayes check {model.name} shows the judgements that move each one).")


def failing_claims_banner(model) -> str | None:
    """The brief's first-screen warning when claims fail at the model's numbers: which ones, both sides and
    what each needs, so nobody briefs from a model that contradicts its source without knowing it."""
    failed = failing_claims(model)
    if not failed:
        return None
    items = [f"- **{f['id']}** (line {f['line']}): {f['got']}; needs {f['required']}. *\"{f['quote']}\"*"
             for f in failed]
    return (f"> **Warning: {len(failed)} of {len(model.spec.claims)} claims fail.** The model does not yet say what "
            "its source says on these points; treat the numbers below with care until they are fixed "
            f"(`bayes check {model.name}` shows the judgements that move each one).\n\n" + "\n".join(items))


def scenarios_text(model) -> str:
    """One sentence on the named scenarios: how many, and how many observe or force."""
    scs = [model.spec.scenarios[n] for n in named_scenarios(model)]
    if not scs:
        return (f"{model.name} names no scenarios: only the baseline (no evidence) can be shown, so the "
                "comparisons by scenario are skipped.")
    observe = sum(bool(s.observe) for s in scs)
    force = sum(bool(s.do) for s in scs)
    return (f"{len(scs)} named scenarios besides the baseline: {observe} observe a development, "
            f"{force} force one (an intervention).")


def no_scenarios(model, what: str) -> str:
    """One sentence for a section that needs named scenarios the model does not have."""
    return f"{model.name} names no scenarios, so {what} is skipped (only the baseline exists)."


def observe_force_text(model, pairs: pd.DataFrame, target: str | None = None) -> str:
    """Markdown on observing against forcing, from `bayes.analysis.scenarios.observe_versus_force`: the
    pair that differs most, and whether the two answers differ at the precision shown (one decimal of a percent)."""
    var, state = parse_target(model, target)
    if pairs.empty:
        return (f"No variable upstream of {event(var, state, model=model)} has causes of its own in the model, so observing a "
                "state and forcing it give the same answer here; there is nothing to contrast.")
    top = pairs.iloc[0]
    x = model.spec.variables[top["variable"]]
    parents = ", ".join(model.spec.variables[p].display for p in x.parents)
    text = (f"Observing that {event(top['variable'], top['state'], model=model)} also tells us something about *why* "
            f"(its causes are {parents}); forcing it (graph surgery) cuts it from them and tells us nothing about them. "
            f"For {event(var, state, model=model)}, observed {pct(top['observed'])} and forced {pct(top['forced'])}")
    if pct(top["observed"]) == pct(top["forced"]):
        return text + (". The two answers agree to the precision shown; in this model the causes of any upstream "
                       "variable bear on the target only through it.")
    return text + (f". The two answers differ by {abs(top['difference']) * 100:.1f} percentage points; this is the "
                   "pair, among the variables upstream of the target, where the difference is largest.")


# ------------------------------------------------------------------------------------- sensitivity, indicators

def tornado_title(model, table: pd.DataFrame, target: str | None = None) -> str:
    """A takeaway title for the tornado chart: the target now and the judgement that swings it most."""
    var, state = parse_target(model, target)
    top = table.iloc[0]
    return textwrap.fill(f"{outcome_name(model, var, state)} is {describe(top['target_now'], model.scale)} now; the "
                         f"judgement that moves it most swings it {top['swing'] * 100:.0f} points", 75)


def indicator_lines(model, ind: pd.DataFrame, target: str | None = None) -> list[str]:
    """The briefing sentences of observations that would change the estimative band (or one sentence
    saying that none would)."""
    var, state = parse_target(model, target)
    lines = ind.loc[ind["band_changes"], "sentence"].tolist()
    if lines:
        return lines
    band = model.scale.term(float(ind["target_now"].iloc[0]))
    return [f"No single observation of {', '.join(_named(model, v) for v in dict.fromkeys(ind['variable']))} would move "
            f"{event(var, state, model=model)} out of '{band}'."]


def change_text(model, calls: pd.DataFrame, target: str | None = None, max_size: int = 3) -> str:
    """One sentence on `bayes.analysis.sensitivity.change_the_call`: the most probable set of findings that
    changes the band."""
    var, state = parse_target(model, target)
    if calls.empty:
        now = model.probability(f"{var}={state}")
        return (f"No set of up to {max_size} observable findings moves {event(var, state, model=model)} out of "
                f"'{model.scale.term(now)}' ({describe(now, model.scale)} now).")
    top = calls.iloc[0]
    findings = "; ".join(event(*item.split("="), model=model) for item in str(top["findings"]).split(", "))
    return (f"The most probable findings that change the call (probability {top['probability_of_findings']:.0%} as "
            f"things stand) are {findings}; together they take {event(var, state, model=model)} from "
            f"{describe(top['target_now'], model.scale)} to {describe(top['target_if'], model.scale)}.")


def no_drivers_text(model, target: str | None = None) -> str:
    """Why there is no scenario to take apart for the target."""
    var, _ = parse_target(model, target)
    if not named_scenarios(model):
        return f"{model.name} names no scenarios, so there is no scenario to take apart."
    return (f"Every named scenario of {model.name} either sets {_named(model, var)} itself, sets nothing, or has more "
            "than 10 items, so there is no scenario whose drivers can be attributed.")


def drivers_text(model, drivers: pd.DataFrame, scenario: str) -> str:
    """Markdown on `bayes.analysis.scenarios.scenario_drivers`: the scenario's move and the item that carries
    most of it."""
    from bayes.analysis.scenarios import scenario_label

    top = drivers.iloc[0]
    var, state = str(top["target"]).split("=")
    return (f"The scenario that moves {event(var, state, model=model)} most is **{scenario_label(model, scenario)}**, from "
            f"{describe(top['baseline'], model.scale)} to {describe(top['scenario_value'], model.scale)}. "
            f"The largest share of that move comes from {event(top['variable'], top['state'], model=model)} "
            f"({top['kind']}) ({top['contribution'] * 100:+.1f} points).")


# ------------------------------------------------------------------------------------- tracking

def missing_file_text(model, path, what: str, skipped: str) -> str:
    """One line naming the file looked for (or found empty) and what is skipped without it."""
    from pathlib import Path

    if Path(path).exists():
        return f"The {what} of {model.name} ({path}) has no rows yet; {skipped} skipped."
    return f"No {what} for {model.name}: looked for {path}; {skipped} skipped."


def timeline_title(model, hist: pd.DataFrame, target: str | None = None) -> str:
    """A takeaway title for the timeline: the target at the assessment and after the last update."""
    var, state = parse_target(model, target)
    rows = hist[(hist["variable"] == var) & (hist["state"] == state)]
    first, last = rows.iloc[0], rows.iloc[-1]
    return textwrap.fill(f"{outcome_name(model, var, state)}: {describe(first['probability'], model.scale)} at the "
                         f"assessment, {describe(last['probability'], model.scale)} after the last update "
                         f"({pd.Timestamp(last['date']):%Y-%m-%d})", 75)


def outcomes_now_title(model, rows: pd.DataFrame) -> str:
    """A takeaway title for the chart of headline outcomes as the model stands."""
    top = rows.loc[rows["probability"].idxmax()]
    return textwrap.fill(f"As of {model.spec.as_of}, the likeliest headline outcome is {event(top['variable'], top['state'], model=model)}, "
                         f"{describe(top['probability'], model.scale)}", 75)


# ------------------------------------------------------------------------------------- the briefing

def briefing_header(model) -> str:
    """Markdown opening the briefing: title, date, source and description."""
    spec = model.spec
    return (f"# Briefing: {spec.title}\n\n*As of {spec.as_of}. Source: {spec.source}.*\n\n"
            f"{spec.description}")


def headline_note(model, draws: int | None = None) -> str:
    """Plain text above the brief's headline table: what a cell says, on the model's own scale."""
    text = (f"Each cell: how likely the outcome at the head of the column is under the scenario on the left, in "
            f"words and numbers, on the {model.scale.title} scale")
    if draws:
        text += f", with the 90% interval over {draws:,} draws of the judgements behind the model"
    text += (". Observed scenarios condition on a development being seen; forced ones are interventions (what "
             "would follow if the state were imposed). Shaded cells are set by the scenario itself: true by "
             "construction, not findings.")
    if not model.spec.outcomes:
        text += " The model file lists no outcomes, so its last variable stands in as the headline."
    if not named_scenarios(model):
        text += " " + scenarios_text(model)
    return text


def headline_intro(model, draws: int | None = None) -> str:
    """Markdown above the headline table: what the cells are, on the model's own scale."""
    outcomes = "; ".join(event(v, s, model=model) for v, s in headline_states(model).items())  # each has its colon
    text = (f"Probability of each headline outcome ({outcomes}) under each named scenario, in words and numbers "
            f"on the {model.scale.title} scale")
    if draws:
        text += f", with the 90% interval over {draws:,} draws of the judgements behind the model"
    text += ". *Observed* scenarios condition on a development being seen; *forced* ones are interventions (what would follow if the state were imposed)."
    if not model.spec.outcomes:
        text += " The model file lists no outcomes, so its last variable stands in as the headline."
    if not named_scenarios(model):
        text += " " + scenarios_text(model)
    return text


# ------------------------------------------------------------------------------------- bottom line

def outcome_name(model, variable: str, state: str) -> str:
    """'Escalation: escalates to a wider war': an outcome as a title or a sentence opens with it."""
    return outcome_phrase(model, variable, state)


def shown(p: float, scale=None) -> str:
    """A probability at the precision the brief shows it, as `scales.describe` writes it: whole percent, or
    with the model's `scale`, a tenth of one near a band edge (where the word beside it is read)."""
    from bayes.modelfile.scales import percent_text

    return percent_text(float(p), scale=scale)


def biggest_move(model, rows: pd.DataFrame, variable: str):
    """The scenario row that moves the outcome most from the baseline, among scenarios that do not set the
    outcome themselves; None when no scenario moves it at the precision shown (a whole percent:
    0.134 against 0.1339999 is no move). `rows` is one outcome state across scenarios
    (`bayes.analysis.scenarios.scenario_outcome`)."""
    from bayes.modelfile.spec import BASELINE

    scen = rows["scenario"].astype(str)
    base = rows[scen == BASELINE]
    if base.empty:
        return None
    p0 = float(base["probability"].iloc[0])
    keep = (scen != BASELINE).to_numpy() & np.array([not set_by(model, s, variable) for s in scen], dtype=bool)
    others = rows[keep]
    others = others[np.array([shown(p) != shown(p0) for p in others["probability"]], dtype=bool)]
    if others.empty:
        return None
    return others.loc[(others["probability"] - p0).abs().idxmax()]


def move_phrase(model, rows: pd.DataFrame, variable: str) -> str:
    """'Baku turns West (observed) moves it most, to likely (58%)', ties named as ties, or 'no scenario moves it'."""
    top = biggest_move(model, rows, variable)
    if top is None:
        return "no scenario moves it"
    tied = [r for _, r in rows.iterrows() if str(r["scenario"]) not in (str(top["scenario"]), "baseline")
            and not set_by(model, str(r["scenario"]), variable)
            and shown(float(r["probability"])) == shown(float(top["probability"]))]
    named = [r["label"] for r in [top, *tied]]  # marked observed or forced (analysis/scenarios.py scenario_label)
    if len(named) > 1:
        return f"{', '.join(named[:-1])} and {named[-1]} tie for the largest move, to " \
               f"{describe(float(top['probability']), model.scale)}"
    return f"{named[0]} moves it most, to {describe(float(top['probability']), model.scale)}"


def bottom_line(model, scenarios: pd.DataFrame) -> list[str]:
    """One sentence per headline outcome, from the numbers: the outcome, its probability in words and
    percent (with the 90% interval when `scenarios` has draws), and the scenario that moves it most, or
    that no scenario moves it (at the precision shown) or that the model names no scenarios."""
    from bayes.analysis.scenarios import scenario_outcome
    from bayes.modelfile.spec import BASELINE

    question = model.spec.question
    horizon = question.horizon if question is not None else None  # every judgement shows its time frame
    sentences = []
    for var, state in headline_states(model).items():
        rows = scenario_outcome(model, scenarios, var, state)
        base = rows[rows["scenario"] == BASELINE].iloc[0]
        lo, hi = (base["lo90"], base["hi90"]) if "lo90" in rows else (None, None)
        text = f"{outcome_name(model, var, state)} is {describe(float(base['probability']), model.scale, lo, hi)}"
        if horizon:
            text += f" by {horizon}"
        if named_scenarios(model):
            text += f"; {move_phrase(model, rows, var)}."
        else:
            text += "; the model names no scenarios to compare."
        sentences.append(text)
    return sentences


def takeaway_title(model, rows: pd.DataFrame, variable: str, state: str, width: int | None = None) -> str:
    """A chart title that states the finding: the outcome as of the model's date, in words and numbers,
    and the scenario that moves it most (or that none does, at the precision shown)."""
    from bayes.modelfile.spec import BASELINE

    name = outcome_name(model, variable, state)
    base = rows[rows["scenario"].astype(str) == BASELINE]
    if base.empty:
        return name
    p0 = float(base["probability"].iloc[0])
    text = f"{name} is {describe(p0, model.scale)} as of {model.spec.as_of}"
    top = biggest_move(model, rows, variable)
    if top is None:
        text += "; no scenario moves it"
    else:
        verb = "raises" if float(top["probability"]) > p0 else "lowers"
        text += f"; {top['label']} {verb} it most, to {shown(float(top['probability']))}"
    return textwrap.fill(text, width) if width else text


def readable(frame: pd.DataFrame, wide: tuple[str, ...] = ("description",)):
    """A table as notebooks show it: long text columns get room (at least 28em) and wrap, instead of being
    squeezed to a few characters at JupyterLab's default width; the index is hidden."""
    styler = frame.style.hide(axis="index").set_properties(**{"text-align": "left", "vertical-align": "top"})
    columns = [c for c in wide if c in frame.columns]
    if columns:
        styler = styler.set_properties(subset=columns, **{"min-width": "28em", "white-space": "normal"})
    return styler
