"""`bayes new`: a starter model file that passes `bayes check` as written, so an analyst edits a working
model instead of facing a blank page; with a source text, the sentences worth encoding as claim stubs.

Every section of the format appears once with a comment saying what to change (docs/model-file.md).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from pathlib import Path

from bayes.errors import BayesInputError
from bayes.fileio import atomic_write_text, check_output
from bayes.modelfile.sources import Candidate, Sentence, candidate_claims, read_source, sentences

NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")

TEMPLATE = """\
# {name}: a starter model. Every line below is an example to replace; `bayes check {check}` must pass
# after each edit. The full guide to this file: docs/model-file.md (every key, with its default).
#
# How to read this file
# - variables: each has a plain-language description, its states, its parents and a table with one row
#   per combination of its parents' states; probabilities are numbers (0.3, 30%), ranges ("10-25%") or
#   words of the scale ("likely"), and one state per row may be `rest`.
# - every row has a rationale: the claims of the ledger it rests on and/or a labelled assumption.
# - claims: the source's statements in formal form; `bayes check` tests each one on the network.

format: bayes-model/1

model:
  # title: the question the model answers; source: author, title, publisher and date of the assessment;
  # as_of: the date the model speaks for (later news goes in the evidence log, never in this file)
  title: {title}
  source: {source}
{source_file}  as_of: {as_of}  # set to the assessment's date: the evidence log accepts only later news
  author: {author}
  scale: icd203  # estimative words: icd203, icd203-probability or phia
  description: >-
    What the model covers and what it leaves out on purpose. Replace this text.

variables:

  driver:                              # rename: a development that pushes the outcome
    description: A development that would make the outcome more likely. Replace this text.
    states: [absent, present]          # at least two states; order matters for charts only
    observable: true                   # true: it could be seen in the news (an indicator to watch)
    table:
      - probabilities: {{present: unlikely, absent: rest}}
        rationale:
          claims: [S1]
          assumption: replace with why this number (or name the claims it rests on)

  outcome:                             # rename: what the assessment is about
    description: The outcome the assessment is about. Replace this text.
    states: [no, yes]
    parents: [driver]                  # one table row per state of each parent
    table:
      - given: {{driver: absent}}
        probabilities: {{yes: 0.2, no: rest}}
        rationale: {{assumption: replace with the reason for this number}}
      - given: {{driver: present}}
        probabilities: {{yes: likely, no: rest}}
        rationale: {{claims: [S2, S3]}}

outcomes:                              # what the briefing reports: variable and the state it charts
  - outcome: yes

scenarios:                             # named what-ifs; `baseline` (no evidence) is always added
  driver_seen:
    label: The driver is seen
    description: We learn that the driver is present.
    observe: {{driver: present}}       # `observe`: seen; `do`: forced (an intervention)

# The four claims below show one of each form. With --source their quotes are phrases of the source's
# first estimative sentences, only so that `bayes check` can verify them at once: they do not say what
# those sentences mean. Replace each with a claim of your own (the stubs at the end list candidates).
claims:                                # the ledger: one entry per statement of the source
  S1:
    quote: {q1}
    says: The driver is unlikely.
    form: probability                  # probability: P(outcome) is in a band or range
    outcome: {{driver: present}}
    band: unlikely                     # a term, a range like "10-25%", or one number with tolerance
  S2:
    quote: {q2}
    says: The outcome is much more likely if the driver is present.
    form: more_likely                  # more_likely / less_likely compare two conditions
    reading: intervention              # observation: P(A | B); intervention: P(A | do(B))
    outcome: {{outcome: yes}}
    if: {{driver: present}}
    than: {{driver: absent}}
    strength: much                     # slightly, more, much, far (odds ratio above 1, 1, 3, 6)
  S3:
    quote: {q3}
    says: Without the driver, the outcome is less likely.
    form: less_likely
    outcome: {{outcome: yes}}
    if: {{driver: absent}}
    than: {{driver: present}}
    strength: less likely
  S4:
    quote: {q4}
    says: Forcing the outcome does not change the driver (effects do not change their causes).
    form: no_difference                # no_difference: a cause (or if/than) makes at most `tolerance` of a difference
    reading: intervention
    outcome: driver
    cause: outcome
    tolerance: 1%
{stubs}"""


def starter_text(name: str, source: Path | None = None, out: Path | None = None, today: dt.date | None = None) -> str:
    """The starter model for `name`; with `source`, its candidate claims as commented stubs."""
    today = today or dt.date.today()
    units = sentences(read_source(source)) if source is not None else []  # the source split once
    candidates: list[Candidate] = candidate_claims(units)
    quotes = _example_quotes(candidates, units)
    placeholders = ["replace with the short phrase of the source this claim rests on"] * 4
    quotes = quotes + placeholders[len(quotes):]
    source_file = "" if source is None else _source_file_line(source, out, quoted=not quotes[0].startswith(PLACEHOLDER))
    return TEMPLATE.format(
        name=name, check=str(out) if out else name, title=json.dumps(f"Replace with the question {name} answers"),
        source=json.dumps(source.name if source else "Replace with the assessment this model encodes"),
        source_file=source_file, as_of=today.strftime("%Y-%m"), author=json.dumps(os.environ.get("USER") or "analyst"),
        q1=_quoted(quotes[0]), q2=_quoted(quotes[1]), q3=_quoted(quotes[2]), q4=_quoted(quotes[3]),
        stubs=_stubs(candidates, source) if source is not None else "")


def _quoted(text: str) -> str:
    """A double-quoted YAML string keeping the source's own characters (a dash, not \\u2013)."""
    return json.dumps(text, ensure_ascii=False)


def _source_file_line(source: Path, out: Path | None, quoted: bool) -> str:
    """The model's `source_file:` naming the text, or the same line commented out, with why, where a
    model file may not name it (outside its folder) or there is nothing to quote."""
    folder = (out or Path.cwd() / "x").resolve().parent
    rel = json.dumps(os.path.relpath(source.resolve(), folder))  # escaped: a file name may hold anything
    if not quoted:
        return f"  # source_file: {rel}   (the source has no sentence to quote)\n"
    if os.path.commonpath([folder, source.resolve()]) != str(folder):  # docs/model-file.md#source-linked-claims
        return (f"  # source_file: the source text is outside this file's folder; move it beside the model and\n"
                f"  # name it here, or check with `--source-dir DIR` or `--source FILE`\n  # source_file: {rel}\n")
    return (f"  # source_file: the source text, relative to this file; `bayes check` verifies every quote\n"
            f"  source_file: {rel}\n")


def _example_quotes(candidates: list[Candidate], units: list[Sentence]) -> list[str]:
    """Quotes for the four example claims, each a phrase the source really holds (so the starter passes
    `check`): the candidate sentences first, then any other sentence, repeated when the source is short;
    none when it has no words at all."""
    import itertools

    taken = {(c.line, c.sentence) for c in candidates}
    others = (Candidate(s.text, s.line, ()) for s in units if (s.line, s.text) not in taken)
    phrases = (q for q in map(_phrase, itertools.chain(candidates, others)) if re.search(r"\w", q))
    quotes = list(itertools.islice(phrases, 4))
    return (quotes * 4)[:4]


# characters a YAML file may not hold (control characters, DEL, C1 but NEL, surrogates, U+FFFE/FFFF): a
# source may, so the starter's quotes and comments leave them out
_NOT_YAML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")


def _phrase(c: Candidate, words: int = 10) -> str:
    """A short phrase of the sentence around its first trigger word (or its start): what a claim's quote
    should be; where it holds a character YAML cannot, its longest stretch without one (still in the source)."""
    phrase = _trigger_phrase(c, words)
    if _NOT_YAML.search(phrase):
        pieces = [p.strip(".,;: ") for p in _NOT_YAML.split(phrase)]
        phrase = max((p for p in pieces if re.search(r"\w", p)), key=len, default="")
    return phrase


def _trigger_phrase(c: Candidate, words: int) -> str:
    tokens = c.sentence.split()
    lowered = [t.lower().strip(".,;:!?\"'’“”()") for t in tokens]
    first = c.triggers[0].split()[0].lower().replace("can't", "can’t") if c.triggers else None
    at = next((i for i, t in enumerate(lowered) if first and (t == first or t.startswith(first))), 0)
    start = max(0, min(at - words // 2, len(tokens) - words))
    return " ".join(tokens[start:start + words]).strip(".,;: ")


def _stubs(candidates: list[Candidate], source: Path) -> str:
    if not candidates:
        return f"\n# {source.name}: no sentence with estimative or conditional language was found.\n"
    lines = [f"\n# Candidate claims: the {len(candidates)} sentences of {source.name} with estimative or conditional",
             "# language (line: trigger words). Uncomment one, fill in its form and terms, and check.",
             "# `bayes coverage MODEL` shows which sentences the ledger quotes."]
    for i, c in enumerate(candidates, 1):
        lines += ["#", f"# line {c.line} ({', '.join(c.triggers)}): {_wrap(_NOT_YAML.sub('?', c.sentence))}",
                  f"#  L{c.line:03d}_{i}:", f"#    quote: {_quoted(_phrase(c))}", "#    says: ...",
                  "#    form: probability | more_likely | less_likely | no_difference", "#    outcome: {variable: state}"]
    return "\n".join(lines) + "\n"


def _wrap(text: str, width: int = 96) -> str:
    import textwrap

    return "\n#   ".join(textwrap.wrap(text, width))


def write_starter(name: str, out: str | os.PathLike | None = None, source: str | os.PathLike | None = None,
                  force: bool = False) -> Path:
    """Write the starter file (data/models/NAME.yaml under the working directory if that folder exists,
    else ./NAME.yaml); never over an existing file unless `force`."""
    if not NAME.match(name):
        raise BayesInputError(f"model name '{name}' must be letters, digits and _, starting with a letter, at most "
                              "64 characters", "command line")
    if out is None:
        folder = Path.cwd() / "data" / "models"
        out = folder / f"{name}.yaml" if folder.is_dir() else Path(f"{name}.yaml")
    out = check_output(out, force)
    text = starter_text(name, Path(source) if source else None, out)
    try:
        return atomic_write_text(out, text)
    except OSError as exc:
        raise BayesInputError(f"cannot write: {exc.strerror}", str(out)) from None


PLACEHOLDER = "replace with"  # how every placeholder of the starter begins ("Replace with ...", "Replace this text")
STARTER_SAYS = frozenset(m.strip() for m in re.findall(r"^\s*says: (.*)$", TEMPLATE, flags=re.MULTILINE))


def starter_leftovers(spec) -> list[str]:
    """What a model still holds of the starter (`bayes new`): placeholder texts and stub claims whose
    meaning is still the starter's. A brief of such a model must say it is not an assessment yet."""
    found = []

    def placeholder(text) -> bool:
        lowered = str(text or "").lower()
        return lowered.startswith(PLACEHOLDER) or "replace this text" in lowered

    for what, text in (("title", spec.title), ("source", spec.source), ("description", spec.description)):
        if placeholder(text):
            found.append(f"the model's {what} is still the starter's placeholder")
    for v in spec.variables.values():
        if placeholder(v.description):
            found.append(f"variable '{v.name}' still has the starter's description")
    for c in spec.claims.values():
        if placeholder(c.quote):
            found.append(f"claim {c.id} still quotes the starter's placeholder")
        elif c.says.strip() in STARTER_SAYS:
            found.append(f"claim {c.id} still says what the starter's stub says")
    return found
