"""The brief's estimative sentences (ICD 203; docs/brief.md): the answer in the question's own terms, each
key judgement with its confidence and basis, signposts, what-ifs marked by kind, key assumptions, the
alternatives, what changed since the last brief, and the source coverage as measured. Written from the
tables of `bayes.analysis.judgements` and `bayes.analysis.watchlist`, names through the phrase builder of
`bayes.outputs.narrative`; nothing here computes a probability."""

from __future__ import annotations

import math

from bayes.modelfile.scales import describe, percent_text
from bayes.outputs.phrases import outcome_phrase, parameter_phrase, state_phrase, states_phrase

def _text(value) -> str | None:
    """A text field of a table row: None for missing (pandas turns None into NaN in mixed columns)."""
    return value if isinstance(value, str) and value else None


def time_frame(horizon: str | None) -> str:
    return f"by {horizon}" if horizon else "no time frame stated"


def answer_sentence(model, ans: dict) -> str:
    """One sentence that answers the question in its own states, with its interval and time frame; where
    several states answer yes, each one's own probability follows, so 'in some form' is not read as 'clean'."""
    lo, hi = (ans["lo90"], ans["hi90"]) if not math.isnan(ans["lo90"]) else (None, None)
    when = f" by {ans['horizon']}" if ans["horizon"] else ""
    text = f"{outcome_phrase(model, ans['variable'], ans['states'])}{when} is {describe(ans['probability'], model.scale, lo, hi)}"
    if not ans["horizon"]:
        text += ", no time frame stated"
    if ans["parts"]:
        text += "; of which " + ", ".join(f"{state_phrase(model, ans['variable'], p['state'])} alone "
                                          f"{describe(p['probability'], model.scale)}"
                                          for p in ans["parts"])
    return text + "."


def judgement_sentence(model, row) -> str:
    """'Escalation: escalates to wider war is unlikely (26%; 90% interval 11-37%), no time frame stated.'"""
    lo, hi = (row["lo90"], row["hi90"]) if not math.isnan(row["lo90"]) else (None, None)
    return (f"{outcome_phrase(model, row['variable'], row['states'])} is {describe(row['probability'], model.scale, lo, hi)}"
            f", {time_frame(row['horizon'])}.")


def confidence_basis(model, row) -> str:
    """The measures behind the toolkit's confidence reading, in one line, the one that sets the level first."""
    scale = model.scale
    parts = {}
    if row["bands_spanned"] is not None and not (isinstance(row["bands_spanned"], float) and math.isnan(row["bands_spanned"])):
        n = int(row["bands_spanned"])
        parts["interval"] = (f"the 90% interval stays within one band, {scale.term(row['lo90'])}" if n <= 1 else
                             f"the 90% interval spans {n} bands, {scale.term(row['lo90'])} to {scale.term(row['hi90'])}")
    behind = row["claims_behind"]
    if not behind:
        parts["claims"] = "no claim of the source bears on it directly"
    elif row["fragile_claims"]:
        ids = ", ".join(row["fragile_claims"])
        share = row["min_hold_share"]
        parts["claims"] = (f"claim {ids} behind it holds in only {percent_text(share)} of draws"
                           if share is not None and not math.isnan(share) and share < 0.8
                           else f"claim {ids} behind it fails")
    elif row["min_hold_share"] is not None and not math.isnan(row["min_hold_share"]):
        n = len(behind)
        shown = percent_text(row["min_hold_share"])
        share = ("every draw" if row["min_hold_share"] >= 1 else
                 "over 99% of draws" if shown.startswith(">") else f"{shown} of draws")
        at_least = "" if share == "every draw" or shown.startswith(">") else "at least "
        parts["claims"] = (f"the {n} claims behind it hold in {at_least}{share}" if n > 1
                           else f"the claim behind it holds in {share}")
    else:
        parts["claims"] = f"{len(behind)} claim(s) behind it hold"
    if row["top_judgement"] is not None:
        lo, hi = sorted([row["top_low"], row["top_high"]])
        same = scale.term(lo) == scale.term(hi) == scale.term(row["probability"])
        parts["swing"] = (f"the most influential judgement, over its own range, moves it {percent_text(lo, sign=False)}-"
                          f"{percent_text(hi)}" + (f", still {scale.term(lo)}" if same else ", across a band edge"))
    coverage = row.get("coverage")
    if isinstance(coverage, tuple):
        parts["coverage"] = f"the model encodes only {coverage[0]} of the {coverage[1]} judgements its source makes"
    criteria = row["criteria"]
    order = sorted(parts, key=lambda k: ["low", "moderate", "high"].index(criteria.get(k, "high")))
    return "; ".join(parts[k] for k in order) + "."


def confidence_reason(model, row) -> str:
    """The measure that sets the confidence level, alone: what the first screen shows beside the level."""
    return confidence_basis(model, row).split("; ")[0].rstrip(".")


def confidence_text(model, row) -> str:
    """'Confidence: moderate (toolkit reading); the 90% interval ...', with the analyst's stated level beside
    it and a warning where the two disagree (one colon per clause: the basis follows a semicolon)."""
    text = f"Confidence: {row['confidence']} (toolkit reading); {confidence_basis(model, row)}"
    if _text(row["stated_confidence"]):
        text += f" Analyst's confidence: {row['stated_confidence']}"
        text += f" ({row['stated_basis']})." if _text(row["stated_basis"]) else "."
        if row["disagrees"]:
            text += (f" Check: the analyst says {row['stated_confidence']}; the measures above read "
                     f"{row['confidence']}.")
    return text


def fragile_text(model, row) -> str | None:
    if not row["fragile_claims"]:
        return None
    quotes = [f"{c} (\"{model.spec.claims[c].quote}\")" for c in row["fragile_claims"] if c in model.spec.claims]
    return "Rests on a fragile claim: " + "; ".join(quotes) + "."


def signpost_sentence(model, row, ans: dict) -> str:
    """'If Russia stance: sides with armenia is seen (5% chance now), the answer (...) falls from 69% to 25%.'"""
    verb = "rises" if row["shift"] > 0 else "falls"
    return (f"If {outcome_phrase(model, row['variable'], row['state'])} is seen "
            f"({percent_text(row['probability_of_state'])} chance now), the answer "
            f"({states_phrase(model, ans['variable'], ans['states'])}) {verb} from {percent_text(row['now'])} to {percent_text(row['if_seen'])}.")


def what_if_sentence(model, row, labels: dict[str, str]) -> str:
    """A scenario marked by kind from what it sets; a bundle lists its parts with each one's own effect;
    ties are said as ties."""
    verb = "raises" if row["shift"] > 0 else "lowers"  # the label already carries the kind (scenario_label)
    text = f"{row['label']} {verb} the answer from {percent_text(row['now'])} to {percent_text(row['probability'])}"
    if row["parts"]:
        text += "; alone, its parts give " + "; ".join(
            f"{outcome_phrase(model, p['variable'], p['state'], capitalise=False)} ({p['kind']}) "
            f"{percent_text(p['probability'])}" for p in row["parts"])
    if row["tied_with"]:
        text += f"; tied with {', '.join(labels[s] for s in row['tied_with'])}"
    return text + "."


def assumption_sentence(model, row) -> str:
    lo, hi = sorted([row["answer_low"], row["answer_high"]])
    return (f"{parameter_phrase(model, row['parameter'])} (line {row['line']}), set at {percent_text(row['value'])} on the assumption "
            f"\"{row['assumption']}\": over {percent_text(row['low'], sign=False)}-{percent_text(row['high'])} the "
            f"answer moves {percent_text(lo, sign=False)}-{percent_text(hi)}.")


def alternative_sentence(model, row) -> str:
    outcome = "; ".join(outcome_phrase(model, v, s) for v, s in row["outcome"].items())
    return f"{outcome} ({percent_text(row['probability'])})"


def coverage_text(coverage: dict) -> str:
    """The coverage as measured, never a fixed claim."""
    if not coverage.get("measured"):
        return f"Coverage not measured: {coverage.get('reason', 'no source text')}."
    return (f"{coverage['encoded']} of the {coverage['judgements']} judgements in the source's "
            f"{coverage['sentences']} estimative or conditional sentences are encoded as claims.")


def change_sentence(model, change: dict) -> str:
    if change["kind"] == "new":
        return f"{change['what']}: new since the last brief, {percent_text(change['now'])}."
    delta = (change["now"] - change["before"]) * 100
    text = (f"{change['what']}: {percent_text(change['before'])} to {percent_text(change['now'])} "
            f"({delta:+.0f} points)")
    if change.get("because"):
        text += "; judgements changed: " + "; ".join(
            parameter_phrase(model, b.rsplit(": ", 1)[0]) + ": " + b.rsplit(": ", 1)[1] for b in change["because"])
    return text + "."


def prose_sentence(model, item: dict) -> str:
    """The analyst's sentence with each reference filled: their word (or the model's) and the model's number."""
    text, pos, parts = item["text"], 0, []
    for ref in item["references"]:
        parts.append(text[pos:ref["start"]])
        parts.append(f"{ref['word'] or ref['model_word']} ({percent_text(ref['probability'])})")
        pos = ref["end"]
    parts.append(text[pos:])
    return "".join(parts)


def prose_mismatch(model, item: dict, ref: dict) -> str:
    """One line for `bayes check`: the analyst's word against the model's number, both sides."""
    return (f"{model.spec.path}:{item['line']}: key judgement says '{ref['word']}' for "
            f"{ref['variable']}={'|'.join(ref['states'])}; the model gives {describe(ref['probability'], model.scale)}")
