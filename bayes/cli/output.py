"""How commands print: tables, CSV or JSON of a tidy frame, the headline, and a failing claim with its
numbers and fix hints."""

from __future__ import annotations

import json
import math
import sys

from bayes.modelfile.scales import describe

# ---------------------------------------------------------------------------- output helpers

def json_default(value):
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if hasattr(value, "item"):
        return value.item()
    return str(value)


def clean_records(records):
    cleaned = []
    for rec in records:
        cleaned.append({k: (None if isinstance(v, float) and (math.isnan(v) or math.isinf(v)) else v)
                        for k, v in rec.items()})
    return cleaned


def emit(frame, fmt: str, table_text=None):
    if fmt == "json":
        records = frame.astype(object).where(frame.notna(), None).to_dict(orient="records")
        json.dump(clean_records(records), sys.stdout, indent=2, default=json_default)
        sys.stdout.write("\n")
    elif fmt == "csv":
        frame.to_csv(sys.stdout, index=False)
    else:
        sys.stdout.write((table_text if table_text is not None else frame.to_string(index=False)) + "\n")


def headline_text(model, frame) -> str:
    """The headline table sized for a terminal: short column names, the charted state listed above."""
    import pandas as pd

    from bayes.analysis.scenarios import headline_states, headline_table

    table = headline_table(model, frame)
    table.columns = [c.split("=")[0] for c in table.columns]
    legend = "\n".join(f"  {v}: P({v}={s})" for v, s in headline_states(model).items())
    with pd.option_context("display.width", 250, "display.max_columns", 50):
        return f"{model.title} (as of {model.spec.as_of})\nheadline outcomes:\n{legend}\n\n{table.to_string()}"


def claim_numbers(r, model) -> str:
    iv = r.intervals or {}
    if r.kind in ("more_likely", "less_likely"):
        return (f"{describe(r.p_if, model.scale, *iv.get('p_if', (None, None)))} vs "
                f"{describe(r.p_than, model.scale, *iv.get('p_than', (None, None)))} (odds ratio {r.odds_ratio:.3g})")
    if r.kind == "probability":
        return describe(r.probability, model.scale, *iv.get("probability", (None, None)))
    return f"max difference {r.max_difference:.3g}"


def failure_text(model, r, hints) -> str:
    """A failing claim, pointed at the fix: where it is, both sides, what it needs, what moves it most."""
    from bayes.inference.claims import margin_name

    spec = model.spec.claims[r.id]
    text = (f"{model.spec.path}:{spec.line}: claim {r.id} fails: {claim_numbers(r, model)}; it needs "
            f"{r.required}.")
    if hints:
        text += f"\n  the judgements that move it most ({margin_name(spec)} at the low and high end of each):"
        for h in hints:
            edge = ", as high as its row allows" if h.get("clipped") else ""
            text += (f"\n  - {model.spec.path}:{h['line']}: {h['judgement']} (now {h['value']:.3g}, swung "
                     f"{h['low']:.3g} to {h['high']:.3g}{edge}): {h['claim_low']:.3g} to {h['claim_high']:.3g}")
    return text


def prose_disagreements(model, prose: list | None = None) -> list[str]:
    """One line per word in the analyst's key judgements that the model's number does not bear out (`prose`:
    `analysis.judgements.prose_judgements(model)` when already computed, as a brief has it)."""
    from bayes.analysis.judgements import prose_judgements
    from bayes.outputs.estimative import prose_mismatch

    prose = prose_judgements(model) if prose is None else prose
    return [prose_mismatch(model, item, ref) for item in prose for ref in item["references"] if not ref["agrees"]]
