"""A quick reader for the plain block style of YAML that model files are written in.

PyYAML builds a node object for every key and value and then a Python object from each node, calling a
Python resolver on every scalar: that was most of `bayes.load`'s time for an imported network (asia: 0.4 of
its 1.1 ms; pyAgrum reads the same network in 0.2 ms). Files written by `bayes import` and most files
analysts write use a small part of YAML: block mappings and `- ` lists, scalars quoted or plain, long ones
folded over lines, comments. This module reads that part line by line into the same line-aware containers
as `yamlfile._LineLoader` (same values and types, same lines); anything outside it (flow `[a, b]` and
`{a: b}` beyond the empty ones, anchors and aliases, tags, block text `|` `>`, double-quoted escapes,
tabs, a duplicate key, text PyYAML would refuse) returns `UNREAD`, and the caller reads the text with PyYAML,
which then also words any error. Plain scalars are typed by the loader's own resolvers and constructors, so
`yes` stays text and `1e-2` is a number exactly as there. tests/test_yamlblock.py holds it to PyYAML.
"""

from __future__ import annotations

import re

import yaml

from bayes.modelfile.lines import LineDict, LineList

UNREAD = object()  # returned for text outside the quick subset: read it with the full YAML loader

# a line: its indent, `- ` if an item, a key and its colon if any, the rest without trailing spaces
_LINES = re.compile(r"""^( *)(-(?: +|$))?(?:([A-Za-z0-9_][A-Za-z0-9_.\-]*|'(?:[^']|'')*+'|"[^"\\]*"):(?: +|$))?(.*)$""",
                    re.MULTILINE)
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
_LONGEST_KEY = 1000  # characters of a key on its line, quotes included (YAML's limit is 1024)
_DEEPEST = 64  # mappings and lists inside each other: deeper is PyYAML's to read (it may run out of stack there)
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
    reader = None
    try:
        reader = _Reader(loader_class, filename)
        document = reader.document(text)
    except _Unread:
        return UNREAD
    finally:
        if reader is not None:
            reader.close()
    return UNREAD if reader.size > largest else document


_RESOLVERS: dict = {}


def _resolver(loader_class):
    """A resolver with `loader_class`'s implicit types (making a loader costs more than typing a scalar)."""
    if loader_class not in _RESOLVERS:
        if loader_class.yaml_path_resolvers:  # pragma: no cover - ours types by value only
            raise _Unread
        _RESOLVERS[loader_class] = type("Resolver", (yaml.resolver.BaseResolver,), {
            "yaml_implicit_resolvers": loader_class.yaml_implicit_resolvers, "yaml_path_resolvers": {}})()
    return _RESOLVERS[loader_class]


class _Reader:
    def __init__(self, loader_class, filename: str):
        self.loader_class = loader_class
        self.made = None  # a loader, made when a plain scalar is first built as other than text
        self.resolver = _resolver(loader_class)
        self.filename = filename
        self.known = _KNOWN.setdefault(loader_class, {})  # plain text -> value, kept across files
        self.size = 0  # values as yamlfile._check_expansion counts them: containers, and scalars by length

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
        lines = self.lines = text.split("\n")
        rows = _LINES.findall(text)  # (indent, `- `, key, rest) for every line, in one pass
        count = len(lines)
        if len(rows) != count:  # pragma: no cover - the pattern matches every line once
            raise _Unread
        at = 0
        while at < count:
            spaces, dash, key_text, rest = rows[at]
            at += 1
            if rest and rest[-1] == " ":
                rest = rest.rstrip(" ")
            if not key_text:
                if not dash:
                    if not rest or rest[0] == "#":  # blank, or a comment on its own line
                        continue
                    raise _Unread  # a scalar where a key belongs, `---`, `? `, `-` alone, ...
                number = at
                if not rest:
                    raise _Unread  # `-` alone: its item below
                if rest[0] == "'" and (quoted := single(rest)) is not None:  # a quoted state, say
                    value = quoted.group(1)
                    if "''" in value:
                        value = value.replace("''", "'")
                    self.size += 1 + len(value) // 64
                elif rest in known and not (at < count and lines[at].startswith(" " * (len(spaces) + 1))):
                    value = known[rest]
                    self.size += 1 + len(rest) // 64
                else:
                    value, at = value_of(rest, at, len(spaces))
                    if value is UNREAD:
                        raise _Unread  # `- # comment`: its item below
                append((len(spaces), "item", None, value, number))
                continue
            if not dash:
                indent = len(spaces)
            else:
                append((len(spaces), "dash", None, None, at))
                indent = len(spaces) + len(dash)
            if len(key_text) > _LONGEST_KEY:
                raise _Unread  # YAML allows an implicit key at most 1024 characters: PyYAML refuses longer
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
        tag = self.resolver.resolve(yaml.ScalarNode, text, (True, False))
        if tag in _STRING_TAGS:
            value = text
        else:
            loader = self.made
            if loader is None:
                loader = self.made = self.loader_class("", self.filename)
            constructor = loader.yaml_constructors.get(tag)
            if constructor is None:  # pragma: no cover - every implicit tag has a constructor
                raise _Unread
            mark = yaml.Mark(self.filename, 0, number - 1, 0, None, None)
            try:
                value = constructor(loader, yaml.ScalarNode(tag, text, mark, mark))
            except Exception:  # too many digits, `0x_`: the scalar may yet go on, or the text fail before it;
                raise _Unread from None  # PyYAML's path reads it all and says which (tests/test_yamlblock.py)
        if len(text) < 64 and len(known) < _MOST_KNOWN:  # key names, states, labels: a file repeats them
            known[text] = value  # the same text gives the same value (a bad one raised above)
        return value

    # ------------------------------------------------------------------ tokens -> containers
    def document(self, text: str):
        tokens = self.tokens = self._tokens(text)
        if not tokens or tokens[0][0] != 0 or tokens[0][1] != "key":
            raise _Unread
        result, at = self._mapping(0, 0, 1)
        if at != len(tokens):
            raise _Unread
        return result

    def _opened(self, container, at: int, depth: int):
        """A new mapping or list starting at token `at`, `depth` levels in (past _DEEPEST: PyYAML's to read)."""
        if depth > _DEEPEST:
            raise _Unread
        result = container()
        result.line = self.tokens[at][4]
        return result

    def _mapping(self, at: int, indent: int, depth: int) -> tuple[LineDict, int]:
        """The mapping whose keys are at column `indent`, from token `at`; and the token after it."""
        result = self._opened(LineDict, at, depth)
        tokens, count, key_lines = self.tokens, len(self.tokens), result.key_lines
        others = None  # keys not read as text, as text: `1:` and `'1':` are the same key to PyYAML's loader
        size = 1
        while at < count and tokens[at][0] >= indent:  # (a shallower line ends the mapping)
            column, kind, key, value, line = tokens[at]
            if column > indent or kind != "key":
                raise _Unread  # deeper than its keys, or a list item among them
            if type(key) is str:
                if key in result or (others is not None and key in others):
                    raise _Unread  # a duplicate: PyYAML's loader words it
            else:
                text = str(key)
                if text in result or (others is not None and text in others):
                    raise _Unread
                others = others or set()
                others.add(text)
            key_lines[key] = line
            at += 1
            if value is UNREAD:  # `key:` with its value on the lines below, or nothing (null)
                below = tokens[at] if at < count else None
                if below is not None and below[0] > indent:
                    value, at = (self._mapping(at, below[0], depth + 1) if below[1] == "key"
                                 else self._sequence(at, below[0], depth + 1))
                elif below is not None and below[0] == indent and below[1] != "key":
                    value, at = self._sequence(at, indent, depth + 1)
                else:
                    value = None
                    size += 1  # the empty scalar PyYAML reads as null
            result[key] = value
        self.size += size
        return result, at

    def _sequence(self, at: int, indent: int, depth: int) -> tuple[LineList, int]:
        """The list whose `- ` are at column `indent`, from token `at`; and the token after it."""
        result = self._opened(LineList, at, depth)
        tokens, count, append, add_line = self.tokens, len(self.tokens), result.append, result.item_lines.append
        while at < count and tokens[at][0] >= indent:  # (a shallower line ends the list)
            kind, value, line = tokens[at][1], tokens[at][3], tokens[at][4]
            if tokens[at][0] > indent:
                raise _Unread
            if kind == "item":
                append(value)
                add_line(line)
                at += 1
            elif kind == "dash":
                add_line(line)
                value, at = self._mapping(at + 1, tokens[at + 1][0], depth + 1)
                append(value)
            else:
                break  # a key at the list's indent: the list under `key:` at the same indent ended
        self.size += 1
        return result, at
