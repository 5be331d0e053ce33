"""The assessment's text: its estimative and conditional sentences, and whether claims quote it faithfully.

An analyst's claims should rest on what the source says. Two jobs here: find the sentences that carry
estimative language (ICD 203 / PHIA terms, "more likely", "if", "unless", "can't be ruled out") so
none is overlooked, and check that every claim's quote occurs in the source, with whitespace, quote
marks, case and "..." elisions normalised (docs/model-file.md#source-linked-claims).
"""

from __future__ import annotations

import bisect
import functools
import os
import re
from dataclasses import dataclass
from pathlib import Path

from bayes.errors import BayesInputError
from bayes.fileio import read_text_file
from bayes.modelfile.scales import SCALES

# Trigger words, as (label, pattern). Estimative terms come from the scales themselves, so a new scale
# brings its words along; the rest are the conditional and hedging words analysts encode as claims.
_TERMS = sorted({t for s in SCALES.values() for t in s.terms} | {"probably", "probable", "possibly", "unlikely",
                                                                 "likely"}, key=len, reverse=True)
_WORDS = [
    ("more likely", r"\bmore\s+likely\b"), ("less likely", r"\bless\s+likely\b"),
    ("can't be ruled out", r"\b(?:can(?:no|['’])t|could\s*n(?:o|['’])t|cannot|can\s+not)\s+be\s+(?:entirely\s+|completely\s+)?ruled\s+out\b"),
    ("risk of", r"\brisks?\s+(?:of|that)\b"), ("as long as", r"\bas\s+long\s+as\b"),
    ("if", r"\bif\b"), ("unless", r"\bunless\b"), ("until", r"\buntil\b"), ("provided that", r"\bprovided\s+that\b"),
    ("would", r"\bwould(?:n['’]t)?\b"), ("could", r"\bcould(?:n['’]t)?\b"), ("might", r"\bmight\b"),
    ("chance", r"\bchances?\b"), ("expect", r"\bexpect(?:s|ed)?\b"),
    ("regardless of", r"\bregardless\s+of\b"), ("no difference", r"\b(?:makes?|made)\s+no\s+difference\b"),
    ("may", r"(?-i:\bmay\b)"),  # lower case only: not the month
    ("plausible", r"\b(?:im)?plausibl[ey]\b"), ("possible", r"\b(?:im)?possible\b"),
    ("depends on", r"\bdepends?\s+(?:up)?on\b"), ("not fully", r"\bnot\s+(?:fully|entirely|completely)\b"),
]
TRIGGERS = [(t, r"\b" + r"\s+".join(map(re.escape, t.split())) + r"\b") for t in _TERMS] + _WORDS
_TRIGGER_RE = [(label, re.compile(pattern, re.IGNORECASE)) for label, pattern in TRIGGERS]
# A lower-case piece every match of a trigger contains: a sentence without it skips that pattern (a
# substring test costs a fraction of a regex scan, and most sentences hold few triggers).
_KEY_OVERRIDES = {"not fully": "not"}
_TRIGGER_KEYS = [(label, pattern, _KEY_OVERRIDES.get(label) or max(re.findall(r"[a-z]+", label.lower()), key=len)[:5])
                 for label, pattern in _TRIGGER_RE]
_COVERED_BY_LONGER = {"likely": ("more likely", "less likely", "very likely", "unlikely", "very unlikely"),
                      "unlikely": ("very unlikely", "highly unlikely")}

# A sentence ends at . ! ? (and closing quotes/brackets) before whitespace, unless the word is a
# common abbreviation or an initial; a blank line ends one too.
_ABBREVIATIONS = {"mr", "mrs", "ms", "dr", "st", "vs", "etc", "e.g", "i.e", "u.s", "u.k", "u.n", "no", "gen", "col",
                  "lt", "sen", "rep", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov",
                  "dec", "approx", "fig"}
_END = re.compile(r"([.!?…]+)([\"'”’)\]]*)(\s+)")
MAX_SOURCE_BYTES = 5_000_000


@dataclass(frozen=True)
class Sentence:
    text: str
    line: int  # 1-based line where the sentence starts


@dataclass(frozen=True)
class Candidate:
    sentence: str
    line: int
    triggers: tuple[str, ...]


def read_source(path: str | Path) -> str:
    """The source text (UTF-8, a regular file of at most 5 MB); one clear error otherwise."""
    return read_text_file(path, "source text", MAX_SOURCE_BYTES)


def sentences(text: str) -> list[Sentence]:
    """Split into sentences, each with the line it starts on. A line that ends without a full stop is a unit
    of its own when it reads as a heading, a title, a URL or a bullet (see `_units`); a sentence wrapped
    over several lines stays one. Linear in the length of the text."""
    out: list[Sentence] = []
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
    for unit_start, unit in _units(text):
        start = 0
        for m in _END.finditer(unit + " "):
            end = m.end(2)
            word = re.findall(r"[\w.]+$", unit[max(0, m.start(1) - 64):m.start(1)])  # slices stay short: linear
            previous = word[0].lower() if word else ""
            near = max(0, m.start(1) - 16)  # a numbered item's '1.' starts its line: look back a little only
            newline = unit.rfind("\n", near, m.start(1))
            line_so_far = unit[newline + 1 if newline >= 0 else near:m.start(1)] if newline >= 0 or near == 0 else "-"
            if m.group(1) == "." and (previous in _ABBREVIATIONS or (len(previous) == 1 and previous.isalpha()) or re.fullmatch(r"\d+", previous)
                                      and m.end(3) < len(unit) and unit[m.end(3)].isdigit()
                                      or re.fullmatch(r"\s*\d{1,3}", line_so_far)):  # '3.1', or a numbered item's '1.'
                continue
            _add(out, unit, start, min(end, len(unit)), unit_start, line_starts)
            start = m.end(3)
        _add(out, unit, start, len(unit), unit_start, line_starts)
    return out


_BULLET = re.compile(r"^\s*(?:[-*\u2022\u2013\u2014>#]+|\d{1,3}[.)])\s+")
_OPEN_END = re.compile(r"[,;:(\[\u2013\u2014-]$|\b(?:and|or|but|the|a|an|of|to|in|on|for|with|that|which|by)$",
                       re.IGNORECASE)


def _units(text: str):
    """Paragraphs (split at blank lines), each split again after a line that stands alone: a line that ends
    without . ! ? and either starts with a bullet or heading mark, or comes before one, or is a URL, or is
    short beside its paragraph's longest line and followed by a line starting with a capital (a title or
    heading) -- and does not end on a comma or a word that needs more. With offsets in the text."""
    pos = 0
    for part in re.split(r"(\n\s*\n)", text):
        if part.strip() and not re.fullmatch(r"\n\s*\n", part):
            lines = part.split("\n")
            widest = max(len(line.rstrip()) for line in lines)
            start, offset = 0, 0
            for i, line in enumerate(lines):
                offset_end = offset + len(line)
                stripped = line.strip()
                following = lines[i + 1].strip() if i + 1 < len(lines) else ""
                alone = bool(stripped) and following and not re.search(r"[.!?…][\"'”’)\]]*$", stripped) \
                    and not _OPEN_END.search(stripped) and (
                        _BULLET.match(line) or _BULLET.match(lines[i + 1]) or re.match(r"https?://\S+$", stripped)
                        or re.match(r"https?://\S+$", following)
                        or (len(stripped) < 0.7 * widest and following[:1].isupper()))
                if alone:
                    yield pos + start, part[start:offset_end]
                    start = offset_end + 1
                offset = offset_end + 1
            if start < len(part):
                yield pos + start, part[start:]
        pos += len(part)


def _add(out, block, start, end, block_start, line_starts):
    chunk = block[start:end]
    stripped = chunk.strip()
    if not stripped:
        return
    offset = block_start + start + (len(chunk) - len(chunk.lstrip()))
    out.append(Sentence(" ".join(stripped.split()), bisect.bisect_right(line_starts, offset)))


def triggers(sentence: str) -> tuple[str, ...]:
    """The estimative and conditional words a sentence carries, in reading order, without repeats."""
    return _labels(_matches(sentence))


def _matches(sentence: str) -> list[tuple[int, int, str]]:
    """Every trigger occurrence in a sentence: (start, end, label); one scan serves labels and counts."""
    lowered = sentence.lower()
    return [(m.start(), m.end(), label) for label, pattern, key in _TRIGGER_KEYS if key in lowered
            for m in pattern.finditer(sentence)]


def _labels(matches: list[tuple[int, int, str]]) -> tuple[str, ...]:
    """The labels in reading order, without repeats, leaving out a short one ("likely") wherever each of
    its occurrences is part of a longer one ("more likely") that is also found."""
    spans: dict[str, list[tuple[int, int]]] = {}
    for a, b, label in matches:
        spans.setdefault(label, []).append((a, b))

    def inside(short: str, longer: str) -> bool:
        return all(any(a <= s and e <= b for a, b in spans[longer]) for s, e in spans[short])

    seen, ordered = set(), []
    for _, _, label in sorted(matches):
        if label in seen or any(longer in spans and inside(label, longer)
                                for longer in _COVERED_BY_LONGER.get(label, ())):
            continue
        seen.add(label)
        ordered.append(label)
    return tuple(ordered)


# Triggers that condition or hedge a judgement rather than make one: a sentence holds one judgement per
# other trigger ("likely", "more likely", "can't be ruled out", ...), and at least one.
CONDITIONAL_TRIGGERS = frozenset({"if", "unless", "until", "as long as", "provided that", "would", "could", "might",
                                  "may", "regardless of", "depends on", "not fully"})


def judgement_count(sentence: str) -> int:
    """How many judgements a sentence makes: its estimative triggers, each counted once where it sits inside
    a longer one ("very unlikely" is one, not three), at least one. "X is likely, but Y is unlikely" is
    two, and needs two claims to be covered."""
    return _judgements(_matches(sentence))


def _judgements(matches: list[tuple[int, int, str]]) -> int:
    spans = sorted({(a, b) for a, b, label in matches if label not in CONDITIONAL_TRIGGERS},
                   key=lambda ab: (ab[0], -ab[1]))
    count, reach = 0, -1
    for a, b in spans:  # longest first at each start: a span inside the last counted one adds nothing
        if b > reach:
            count, reach = count + (a >= reach), max(reach, b)
    return max(1, count)


def candidate_claims(text: str | list[Sentence]) -> list[Candidate]:
    """Every sentence carrying estimative or conditional language, with its line and trigger words (of a
    text, or of its sentences already split)."""
    out = []
    for s in sentences(text) if isinstance(text, str) else text:
        found = triggers(s.text)
        if found:
            out.append(Candidate(s.text, s.line, found))
    return out


# ------------------------------------------------------------------------------------------ quotes

_QUOTE_MARKS = str.maketrans({c: "" for c in "\"'“”‘’«»„‚`´"})
_ELLIPSIS = re.compile(r"\s*(?:\.\s*\.\s*\.|…|\[\s*(?:\.\.\.|…)\s*\])\s*")


def normalise(text: str) -> str:
    """Lower case, quote marks dropped, dashes unified, whitespace collapsed: what 'the same words' means."""
    text = text.translate(_QUOTE_MARKS).replace("–", "-").replace("—", "-").lower()
    return " ".join(text.split())


def quote_fragments(quote: str) -> list[str]:
    """The pieces of a quote between its '...' elisions, normalised."""
    return [f for f in (normalise(part) for part in _ELLIPSIS.split(quote)) if f]


def find_quote(quote: str, normalised_source: str) -> tuple[int, int] | None:
    """(start, end) of the quote in the normalised source, its fragments in order; None if absent."""
    fragments = quote_fragments(quote)
    if not fragments:
        return None
    pos, start = 0, None
    for fragment in fragments:
        at = normalised_source.find(fragment, pos)
        if at < 0:
            return None
        start = at if start is None else start
        pos = at + len(fragment)
    return start, pos


@dataclass
class SourceIndex:
    """The source's sentences, normalised and laid end to end, so a quote can be placed in a sentence."""

    sentences: list[Sentence]
    text: str
    spans: list[tuple[int, int]]

    @classmethod
    def of(cls, text: str) -> SourceIndex:
        parts, spans, pos = [], [], 0
        found = sentences(text)
        for s in found:
            n = normalise(s.text)
            spans.append((pos, pos + len(n)))
            parts.append(n)
            pos += len(n) + 1
        return cls(found, " ".join(parts), spans)

    @functools.cached_property
    def normalised(self) -> list[str]:
        return [self.text[a:b] for a, b in self.spans]

    @functools.cached_property
    def words(self) -> list[set[str]]:
        return [set(n.split()) for n in self.normalised]

    def locate(self, quote: str) -> list[int] | None:
        """Indexes of the sentences the quote falls in; None when it is not in the source."""
        span = find_quote(quote, self.text)
        if span is None:
            return None
        return [i for i, (a, b) in enumerate(self.spans) if a < span[1] and span[0] < b]


def nearest_passage(quote: str, text: str | SourceIndex) -> tuple[Sentence, float] | None:
    """The source sentence closest to a quote that is not in it, and their similarity: 2M / (len(quote) +
    len(passage)), M the characters difflib matches in order, the passage the stretch of the sentence they
    span (1 for the quote itself). Sentences sharing the most words with the quote are compared (at most
    25), so a long source costs little; pass a SourceIndex to place several quotes in one source."""
    import difflib
    import heapq

    wanted = normalise(" ".join(quote_fragments(quote)))
    words = set(wanted.split())
    if not words:
        return None
    index = text if isinstance(text, SourceIndex) else SourceIndex.of(text)
    found, normal = index.sentences, index.normalised
    shared = index.words
    ranked = heapq.nsmallest(25, range(len(found)), key=lambda i: (-len(words & shared[i]), i))
    best = None
    for i in ranked:
        stretch = normal[i]
        if len(stretch) > 4 * len(wanted) + 200:  # a very long sentence: compare the stretch around the quote's words
            at = min([at for at in (stretch.find(w) for w in words if len(w) > 2) if at >= 0] or [0])
            stretch = stretch[max(0, at - len(wanted)):at + 2 * len(wanted)]
        blocks = [b for b in difflib.SequenceMatcher(None, wanted, stretch, autojunk=False).get_matching_blocks()
                  if b.size]
        if not blocks:
            continue
        matched = sum(b.size for b in blocks)
        passage = blocks[-1].b + blocks[-1].size - blocks[0].b
        similarity = 2 * matched / (len(wanted) + passage)
        if best is None or similarity > best[1]:
            best = (found[i], similarity)
    return best


def missing_quotes(spec, text: str | SourceIndex) -> list:
    """The claims whose quote does not occur in the source text."""
    index = text if isinstance(text, SourceIndex) else SourceIndex.of(text)
    return [c for c in spec.claims.values() if index.locate(c.quote) is None]


def coverage(spec, text: str) -> list[dict]:
    """Each estimative or conditional sentence of the source with the claims that quote it, the judgements it
    makes (`judgement_count`) and how many of them are covered (one claim each)."""
    index = SourceIndex.of(text)
    by_sentence: dict[int, list[str]] = {}
    for claim in spec.claims.values():
        for i in index.locate(claim.quote) or []:
            by_sentence.setdefault(i, []).append(claim.id)
    rows = []
    for i, s in enumerate(index.sentences):
        matches = _matches(s.text)  # one scan for both the trigger words and the judgement count
        found = _labels(matches)
        if found:
            claims = by_sentence.get(i, [])
            judgements = _judgements(matches)
            rows.append({"line": s.line, "sentence": s.text, "triggers": list(found), "claims": claims,
                         "judgements": judgements, "covered": min(judgements, len(set(claims)))})
    return rows


def source_path(spec, override: str | None = None, source_dirs=()) -> Path | None:
    """The source text named on the command line (`--source FILE`: free, the analyst chose it), or by the
    model's `source_file:`; None when neither names one.

    A model file is data from whoever wrote it, so its `source_file:` may only name a regular file inside
    the model's own folder, or inside a folder the analyst names (`--source-dir`): an absolute path, a
    `..` or a symlink that leaves those folders is refused, so a received model cannot make the toolkit
    read (and report on) any other file. The path checked is the path returned and read."""
    if override:
        path = Path(override)
        if not path.is_file():
            raise BayesInputError(f"source text '{path}' (--source) is not a file", str(path))
        return path
    if not spec.source_file:
        return None
    name, line = spec.source_file, spec.source_file_line
    model_dir = Path(os.path.abspath(spec.path)).parent
    roots = [model_dir] + [Path(os.path.abspath(d)) for d in source_dirs]
    where = "the model's folder" + (" or --source-dir" if source_dirs else "")
    for d in source_dirs:
        if not os.path.isdir(d):
            raise BayesInputError(f"--source-dir '{d}' is not a folder", str(d))
    if "\0" in name:
        raise BayesInputError(f"source_file {name!r} holds a NUL character; write the file's name", spec.path, line)
    if name.endswith(("/", os.sep)):
        raise BayesInputError(f"source_file '{name}' ends with '/'; it must name a file, not a folder", spec.path, line)
    if os.path.isabs(name) or name.startswith("~"):
        raise BayesInputError(f"source_file '{name}' is an absolute path; it must be a path inside {where} "
                              "(relative to the model file)", spec.path, line)
    real_roots = [os.path.realpath(root) for root in roots]
    missing = None
    for root in roots:  # relative to the model's folder first, then to each --source-dir
        candidate = os.path.realpath(root / name)
        if not any(os.path.commonpath([r, candidate]) == r for r in real_roots):
            continue
        if os.path.isfile(candidate):
            return Path(candidate)
        if os.path.exists(candidate):
            raise BayesInputError(f"source_file '{name}' must be a regular file of text, not a folder, FIFO or device "
                                  f"({candidate})", spec.path, line)
        missing = missing or candidate
    if missing:
        raise BayesInputError(f"source_file '{name}' is not a file (looked for {missing}); the path is relative to "
                              "the model file", spec.path, line)
    raise BayesInputError(f"source_file '{name}' leaves {where} ({model_dir}); a model file may only name a source "
                          "text inside its own folder: keep the text beside the model, pass --source FILE, or name "
                          "the text's folder with --source-dir DIR", spec.path, line)
