"""The analyst's own key judgements, in prose with references the toolkit fills and checks:
`key_judgements:` in the model file, each a sentence such as "Russia will {russia_stance=balancing_mediator:
likely} keep up its balancing act". A reference `{VARIABLE=STATE}` (several states joined by `|`) is filled
with the model's number in words; with `: WORD` the analyst's word is kept and checked against the model's
number (`bayes check` fails, naming the line, when they disagree)."""

from __future__ import annotations

import re
from dataclasses import dataclass

REFERENCE = re.compile(r"\{([^{}]*)\}")


@dataclass(frozen=True)
class Reference:
    variable: str
    states: tuple[str, ...]
    word: str | None  # the analyst's estimative word, checked against the model's number; None: filled in
    start: int
    end: int


@dataclass(frozen=True)
class ProseJudgement:
    text: str
    references: tuple[Reference, ...]
    line: int | None = None


def parse_prose(ck, raw, line, variables, scale) -> list[ProseJudgement]:
    """Each item a sentence (or `{text: ...}`) with at least one reference; unknown names and words that are
    not on the model's scale fail with the item's line."""
    if raw is None:
        return []
    items = ck.sequence(raw, "'key_judgements'", line)
    out = []
    terms = [b.term for b in scale.bands]
    for i, item in enumerate(items):
        iline = items.line_of(i)
        if isinstance(item, dict):
            if set(item) != {"text"}:
                ck.fail("a key judgement is a sentence, or 'text: SENTENCE'", iline)
            item = item["text"]
        text = ck.text(item, "key judgement", iline)
        refs = []
        for m in REFERENCE.finditer(text):
            body = m.group(1)
            target, _, word = body.partition(":")
            if target.count("=") != 1:
                ck.fail(f"reference '{{{body}}}' must be written {{VARIABLE=STATE}} or {{VARIABLE=STATE: WORD}}", iline)
            var, states = (part.strip() for part in target.split("="))
            if var not in variables:
                ck.fail(f"reference '{{{body}}}' names unknown variable '{var}'; known variables: "
                        f"{', '.join(variables)}", iline)
            wanted = tuple(s.strip() for s in states.split("|"))
            for s in wanted:
                if s not in variables[var].states:
                    ck.fail(f"reference '{{{body}}}' names unknown state '{s}' of '{var}'; expected one of: "
                            f"{', '.join(variables[var].states)}", iline)
            word = word.strip() or None
            if word is not None and word.lower() not in terms:
                ck.fail(f"reference '{{{body}}}' uses '{word}', which is not a word of the {scale.name} scale; "
                        f"expected one of: {', '.join(terms)}", iline)
            refs.append(Reference(var, wanted, word.lower() if word else None, m.start(), m.end()))
        if not refs:
            ck.fail("a key judgement needs at least one reference such as {variable=state} or "
                    "{variable=state: likely}, so its number comes from the model", iline)
        out.append(ProseJudgement(text, tuple(refs), iline))
    return out
