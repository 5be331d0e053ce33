"""A quick reader for the plain block style of YAML that model files are written in.

PyYAML builds a node object for every key and value and then a Python object from each node, calling a
Python resolver on every scalar: for an imported network that is most of `bayes.load`'s time (asia: 0.4 of
its 1.1 ms; pyAgrum reads the same network in 0.25 ms). Files written by `bayes import` and most that
analysts write use a small part of YAML: block mappings and `- ` lists, one scalar per line, quoted or
plain. This module reads that part line by line into the same line-aware containers as
`yamlfile._LineLoader` (same values, same lines); anything outside it (flow `[...]`, anchors, tags, block
text, a scalar over two lines, a comment after a value, a duplicate key, ...) returns `UNREAD`, and the
caller reads the text with PyYAML, which then also words any error. Plain scalars are typed by the
loader's own resolvers, so `yes` stays text and `1e-2` is a number exactly as there.
"""

from __future__ import annotations

import re

import yaml

from bayes.modelfile.lines import LineDict, LineList

UNREAD = object()  # returned for text outside the quick subset: read it with the full YAML loader

# a line: its indent, `- ` if an item, a key and its colon if any, the rest without trailing spaces
_LINE = re.compile(r"""( *)(?:(-)(?: +|$))?(?:([A-Za-z0-9_][A-Za-z0-9_.\-]*|'(?:[^']|'')*+'|"[^"\\]*"):(?: +|$))?(.*)""")
_SINGLE_LINE = re.compile(r"'((?:[^']|'')*+)'")
# a quoted scalar's text up to its closing quote, and what follows on the line; or a line inside it
_SINGLE_END = re.compile(r"((?:[^']|'')*+)'(.*)")  # possessive: '' is never split
_DOUBLE_END = re.compile(r'([^"\\]*)"(.*)')
_SINGLE_INSIDE = re.compile(r"(?:[^']|'')*")
_DOUBLE_INSIDE = re.compile(r'[^"\\]*')
_PLAIN_FIRST = frozenset("-?:,[]{}#&*!|>'\"%@` ")
# characters PyYAML refuses or reads as line breaks: leave those texts to it
_AWKWARD = re.compile("[^\x0a\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]|[\u2028\u2029]")
_AWKWARD_ASCII = re.compile("[\x00-\x09\x0b-\x1f\x7f]")
_KNOWN: dict = {}  # per loader class: plain scalar text -> its value (a pure function of the text)
_MOST_KNOWN = 100_000
_STRING_TAGS = frozenset({"tag:yaml.org,2002:str", "tag:yaml.org,2002:timestamp"})  # both built as text here


class _Unread(Exception):
    """The text leaves the quick subset."""


def read_block_yaml(text: str, loader_class, filename: str, largest: int):
    """The document in `text` as `loader_class` would build it, or UNREAD when the text is outside the subset
    or would expand past `largest` values as the full loader counts them (it then words the refusal)."""
    if _AWKWARD_ASCII.search(text) if text.isascii() else _AWKWARD.search(text):
        return UNREAD
    reader = _Reader(loader_class, filename)
    try:
        document = reader.document(text)
    except _Unread:
        return UNREAD
    finally:
        reader.close()
    return UNREAD if reader.size > largest else document


class _Reader:
    def __init__(self, loader_class, filename: str):
        self.loader_class = loader_class
        self.made = None  # a loader, made when a plain scalar is first typed: its resolvers and constructors
        self.filename = filename
        self.known = _KNOWN.setdefault(loader_class, {})  # plain text -> value, kept across files
        self.size = 0  # values as yamlfile._check_expansion counts them: containers, and scalars by length
        self.at = 0

    def close(self):
        if self.made is not None:
            self.made.dispose()

    # ------------------------------------------------------------------ lines -> tokens
    def _tokens(self, text: str) -> list:
        """(indent, kind, key, value, line) per entry: kind 'key' (key: value, or key: with UNREAD for a value
        on the lines below), 'item' (- scalar) or 'dash' (- key: ..., followed by that key's own token at the
        key's column). A scalar folded over several lines takes them with it."""
        tokens = []
        append = tokens.append
        scalar = self._scalar
        value_of = self._value
        known = self.known
        single = _SINGLE_LINE.fullmatch
        line_match = _LINE.match
        lines = self.lines = text.split("\n")
        count = len(lines)
        at = 0
        while at < count:
            match = line_match(lines[at])
            at += 1
            spaces, dash, key_text, rest = match.groups()
            if rest and rest[-1] == " ":
                rest = rest.rstrip(" ")
            if key_text is None:
                if dash is None:
                    if not rest or rest[0] == "#":  # blank, or a comment on its own line
                        continue
                    raise _Unread  # a scalar where a key belongs, `---`, `? `, `-` alone, ...
                number = at
                if not rest:
                    raise _Unread  # `-` alone: its item below
                value, at = value_of(rest, at, len(spaces))
                if value is UNREAD:
                    raise _Unread  # `- ` alone or `- # comment`: its item below
                append((len(spaces), "item", None, value, number))
                continue
            if dash is None:
                indent = len(spaces)
            else:
                append((len(spaces), "dash", None, None, at))
                indent = match.start(3)
            key = known.get(key_text)
            if key is None or type(key) is not str:
                key = scalar(key_text, at)
            else:
                self.size += 1 + len(key_text) // 64
            number = at
            if not rest:
                value = UNREAD
            elif rest[0] == "'" and (quoted := single(rest)) is not None:  # the common case: on one line
                value = quoted.group(1)
                if "''" in value:
                    value = value.replace("''", "'")
                self.size += 1 + len(value) // 64
            elif rest in known and not (at < count and lines[at].startswith(" " * (indent + 1))):
                value = known[rest]  # a plain scalar met before, on one line (the next is no deeper)
                self.size += 1 + len(rest) // 64
            else:
                value, at = value_of(rest, at, indent)
            append((indent, "key", key, value, number))
        return tokens

    def _value(self, text: str, at: int, owner: int):
        """(the scalar starting with `text` on line `at`, the index of the line after it); continuation lines
        must be indented deeper than `owner`, the column of its key or `- `."""
        first = text[0]
        number = at
        if first == "#":
            return UNREAD, at  # `key:  # a comment`: the value is below, or null
        if first == "'" or first == '"':
            return self._quoted(text, at, owner, first), self._quoted_end
        if text == "[]" or text == "{}":
            empty = LineList() if text == "[]" else LineDict()
            empty.line = number
            self.size += 1
            return empty, at
        if first in _PLAIN_FIRST:
            raise _Unread
        cut = text.find(" #")
        if cut >= 0:  # a comment ends the scalar (and it cannot go on below)
            text = text[:cut].rstrip(" ")
        elif at < len(self.lines):
            parts = [text]
            lines = self.lines
            while at < len(lines):
                line = lines[at]
                body = line.lstrip(" ")
                if not body or body[0] == "#" or len(line) - len(body) <= owner:
                    break  # a blank line, a comment or a line no deeper than the key: the scalar ended
                body = body.rstrip(" ")
                if body[0] in _PLAIN_FIRST:
                    raise _Unread
                parts.append(body)
                at += 1
            if len(parts) > 1:
                text = " ".join(parts)  # folded: one line break reads as a space
        if "#" in text or ": " in text or text[-1] == ":":
            raise _Unread
        return self._plain(text, number), at

    def _quoted(self, text: str, at: int, owner: int, quote: str):
        """A quoted scalar, folded as YAML folds one over several lines; sets `_quoted_end`."""
        single = quote == "'"
        closing = _SINGLE_END if single else _DOUBLE_END
        inside = _SINGLE_INSIDE if single else _DOUBLE_INSIDE
        match = closing.match(text, 1)
        parts = []
        breaks = 0
        if match is None:
            if not inside.fullmatch(text, 1):
                raise _Unread
            parts.append(text[1:])
            lines = self.lines
            while match is None:
                if at >= len(lines):
                    raise _Unread  # never closed
                line = lines[at]
                at += 1
                body = line.lstrip(" ")
                if not body:
                    breaks += 1
                    continue
                if len(line) - len(body) <= owner:
                    raise _Unread
                body = body.rstrip(" ")
                match = closing.match(body)
                if match is None:
                    if not inside.fullmatch(body):
                        raise _Unread
                    parts.append(("\n" * breaks if breaks else " ") + body)
                    breaks = 0
            parts.append(("\n" * breaks if breaks else " ") + match.group(1))
        else:
            parts.append(match.group(1))
        after = match.group(2)
        if after and not (after[0] == " " and after.lstrip(" ")[:1] in ("", "#")):
            raise _Unread
        value = "".join(parts)
        if single:
            value = value.replace("''", "'")
        self.size += 1 + len(value) // 64
        self._quoted_end = at
        return value

    def _scalar(self, text: str, number: int):
        """A key's scalar (on one line)."""
        first = text[0]
        if first == "'" or first == '"':
            value = self._quoted(text, number, 0, first)
            if self._quoted_end != number:  # pragma: no cover - a key's closing quote is before its colon
                raise _Unread
            return value
        if first in _PLAIN_FIRST or "#" in text:
            raise _Unread
        return self._plain(text, number)

    def _plain(self, text: str, number: int):
        """A plain scalar typed as the loader types it (`yes` text, `1e-2` a number, `true` a boolean)."""
        self.size += 1 + len(text) // 64
        known = self.known
        if text in known:
            return known[text]
        loader = self.made
        if loader is None:
            loader = self.made = self.loader_class("", self.filename)
        tag = loader.resolve(yaml.ScalarNode, text, (True, False))
        if tag in _STRING_TAGS:
            value = text
        else:
            constructor = loader.yaml_constructors.get(tag)
            if constructor is None:  # pragma: no cover - every implicit tag has a constructor
                raise _Unread
            mark = yaml.Mark(self.filename, 0, number - 1, 0, None, None)
            value = constructor(loader, yaml.ScalarNode(tag, text, mark, mark))
        if len(text) < 64 and len(known) < _MOST_KNOWN:  # key names, states, labels: a file repeats them
            known[text] = value  # the same text gives the same value (a bad one raised above)
        return value

    # ------------------------------------------------------------------ tokens -> containers
    def document(self, text: str):
        tokens = self.tokens = self._tokens(text)
        if not tokens or tokens[0][0] != 0 or tokens[0][1] != "key":
            raise _Unread
        result = self._mapping(0)
        if self.at != len(tokens):
            raise _Unread
        return result

    def _mapping(self, indent: int) -> LineDict:
        tokens = self.tokens
        count = len(tokens)
        result = LineDict()
        result.line = tokens[self.at][4]
        key_lines = result.key_lines
        seen: set = set()
        self.size += 1
        while self.at < count:
            token = tokens[self.at]
            if token[0] != indent:
                if token[0] > indent:
                    raise _Unread
                break
            if token[1] != "key":
                raise _Unread  # a list item among keys
            key, value = token[2], token[3]
            text = key if type(key) is str else str(key)
            if text in seen:
                raise _Unread  # PyYAML's loader words the duplicate
            seen.add(text)
            key_lines[key] = token[4]
            self.at += 1
            if value is UNREAD:  # `key:` with its value on the lines below, or nothing (null)
                value = None
                below = tokens[self.at] if self.at < count else None
                if below is not None and below[0] > indent:
                    value = self._mapping(below[0]) if below[1] == "key" else self._sequence(below[0])
                elif below is not None and below[0] == indent and below[1] != "key":
                    value = self._sequence(indent)
                else:
                    self.size += 1  # the empty scalar PyYAML reads as null
            result[key] = value
        return result

    def _sequence(self, indent: int) -> LineList:
        tokens = self.tokens
        count = len(tokens)
        result = LineList()
        result.line = tokens[self.at][4]
        lines = result.item_lines
        self.size += 1
        while self.at < count:
            token = tokens[self.at]
            if token[0] != indent:
                if token[0] > indent:
                    raise _Unread
                break
            kind = token[1]
            if kind == "item":
                result.append(token[3])
                lines.append(token[4])
                self.at += 1
            elif kind == "dash":
                self.at += 1
                lines.append(token[4])
                result.append(self._mapping(tokens[self.at][0]))
            else:
                break  # a key at the list's indent: the list under `key:` at the same indent ended
        return result
