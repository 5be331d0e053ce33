"""Safe YAML reading that keeps line numbers and refuses duplicate keys.

PyYAML's safe loader silently keeps the last of two equal keys; for a model file that would lose a
variable or a table row without a word, so duplicates are an error here. Mappings and lists come back
as `dict`/`list` subclasses that remember the line of each key or item, so validation can point the
analyst at the exact line.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from bayes.errors import BayesInputError, ModelFileError
from bayes.fileio import decode_utf8, read_bytes_file
from bayes.modelfile.lines import LineDict, LineList, line_of  # noqa: F401 (the containers' home for readers)
from bayes.modelfile.yamlblock import UNREAD, read_block_yaml


# libyaml's parser when the wheel has it (about 10x faster on a model file); same safe constructor.
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_MERGE = "tag:yaml.org,2002:merge"


class _LineLoader(_BaseLoader):
    """Safe loader (no object construction, no code) that records lines and rejects duplicate keys."""

    def __init__(self, stream, filename: str):
        super().__init__(stream)
        self.filename = filename

    def construct_mapping(self, node, deep=False):
        if not isinstance(node, yaml.MappingNode):  # pragma: no cover - guarded by PyYAML
            return super().construct_mapping(node, deep=deep)
        if all(key_node.tag != _MERGE for key_node, _ in node.value):
            return self._plain_mapping(node)
        own = sum(1 for key_node, _ in node.value if key_node.tag != _MERGE)
        self.flatten_mapping(node)
        merged = len(node.value) - own  # merged pairs come first; an explicit key may override them
        result = LineDict()
        result.line = node.start_mark.line + 1
        result.key_lines = {}
        seen: dict[str, bool] = {}  # key as text -> came from a merge
        for position, (key_node, value_node) in enumerate(node.value):
            key = self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                raise ModelFileError(
                    "a mapping key must be a plain name, not a list or mapping",
                    self.filename, key_node.start_mark.line + 1,
                ) from None
            key_line = key_node.start_mark.line + 1
            text = str(key)
            from_merge = position < merged
            if text in seen and not (seen[text] and not from_merge):
                first = next(k for k in result if str(k) == text)
                raise ModelFileError(
                    f"duplicate key '{text}' (it first appears at line {result.key_lines[first]}); "
                    "each name may appear only once in a mapping",
                    self.filename, key_line,
                )
            if text in seen:  # an explicit key overriding one brought in by a merge (<<)
                first = next(k for k in result if str(k) == text)
                del result[first]
            seen[text] = from_merge
            result[key] = self.construct_object(value_node, deep=True)
            result.key_lines[key] = key_line
        return result

    def _plain_mapping(self, node) -> "LineDict":
        """A mapping without merge keys (<<), as nearly every model file's are: each key once, in one pass;
        scalars built by their type's constructor directly (a model file's many small values load faster)."""
        result = LineDict()
        result.line = node.start_mark.line + 1
        key_lines = result.key_lines = {}
        seen: dict[str, object] = {}
        scalar = self._scalar
        for key_node, value_node in node.value:
            key = scalar(key_node) if type(key_node) is yaml.ScalarNode else self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                raise ModelFileError("a mapping key must be a plain name, not a list or mapping", self.filename,
                                     key_node.start_mark.line + 1) from None
            text = key if type(key) is str else str(key)
            if text in seen:
                raise ModelFileError(
                    f"duplicate key '{text}' (it first appears at line {key_lines[seen[text]]}); "
                    "each name may appear only once in a mapping", self.filename, key_node.start_mark.line + 1)
            seen[text] = key
            result[key] = scalar(value_node) if type(value_node) is yaml.ScalarNode else self.construct_object(
                value_node, deep=True)
            key_lines[key] = key_node.start_mark.line + 1
        return result

    def _scalar(self, node):
        """A scalar node's value by its tag's constructor (no alias bookkeeping: a scalar is never a container)."""
        construct = self.yaml_constructors.get(node.tag)
        return construct(self, node) if construct is not None else self.construct_object(node, deep=True)

    def construct_sequence(self, node, deep=False):
        result = LineList(self.construct_object(child, deep=True) for child in node.value)
        result.line = node.start_mark.line + 1
        result.item_lines = [child.start_mark.line + 1 for child in node.value]
        return result


def _construct_map(loader, node):
    return loader.construct_mapping(node)


def _construct_seq(loader, node):
    return loader.construct_sequence(node)


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_map)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_seq)
# YAML 1.2 booleans: only true/false. YAML 1.1 also reads yes/no/on/off as booleans, which would turn
# an analyst's states [yes, no] or [on, off] into true/false without a word.
_LineLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_LineLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
# YAML 1.2 floats: 1e-2 is a number (YAML 1.1 wanted 1.0e-2); ints still resolve first
_LineLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float", re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$"),
    list("-+0123456789."))
# Dates stay as text: an analyst's "2020-07" and "2020-07-15" should be treated alike.
_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str)


MAX_EXPANDED = 1_000_000  # values a document may expand to through aliases (an alias bomb expands to billions)
MAX_DIGITS = 15  # a whole number with more digits than a double holds exactly is a typo or an attack


def _check_expansion(root, filename: str):
    """Refuse a document whose aliases (*name) expand it past MAX_EXPANDED values, before anything is built:
    PyYAML shares aliased nodes, but every walk of the result (validation, printing) pays the full size."""
    sizes: dict[int, int] = {}
    in_progress: set[int] = set()
    referenced: set[int] = set()
    aliased = False  # whether any node is reached twice: only then is a size an expansion
    stack = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if key in sizes:
            continue
        if isinstance(node, yaml.ScalarNode):
            sizes[key] = 1 + len(node.value) // 64
            continue
        children = [c for pair in node.value for c in pair] if isinstance(node, yaml.MappingNode) else list(node.value)
        if children_done:
            in_progress.discard(key)
            sizes[key] = 1 + sum(sizes[id(c)] for c in children)
            if sizes[key] > MAX_EXPANDED and aliased:
                raise ModelFileError(f"the aliases (*name) here expand to more than {MAX_EXPANDED:,} values; "
                                     "write the values out instead of nesting aliases", filename,
                                     node.start_mark.line + 1)
            if sizes[key] > MAX_EXPANDED:
                raise ModelFileError(f"this list holds more than {MAX_EXPANDED:,} values, the most a model file may "
                                     "hold as YAML items; write a large table as an `array:` block with its values in "
                                     'one string (values: "0.1 0.9 ...")', filename, node.start_mark.line + 1)
            continue
        if key in in_progress:
            raise ModelFileError("an alias refers to the mapping or list it is inside (a loop)", filename,
                                 node.start_mark.line + 1)
        in_progress.add(key)
        stack.append((node, True))
        for child in children:
            aliased = aliased or id(child) in referenced
            referenced.add(id(child))
            if id(child) in in_progress:
                raise ModelFileError("an alias refers to the mapping or list it is inside (a loop)", filename,
                                     child.start_mark.line + 1)
            if id(child) not in sizes:
                stack.append((child, False))


def _construct_int(loader, node):
    digits = node.value.lstrip("+-").replace("_", "")
    if len(digits) > MAX_DIGITS:
        raise ModelFileError(f"a number with {len(digits):,} digits; at most {MAX_DIGITS} are read",
                             loader.filename, node.start_mark.line + 1)
    return yaml.SafeLoader.construct_yaml_int(loader, node)


_LineLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)


def load_yaml_text(text: str, filename: str):
    """Parse YAML text with line-aware containers; any parse problem becomes a ModelFileError."""
    quick = read_block_yaml(text, _LineLoader, filename, MAX_EXPANDED)  # the plain block style, line by line
    if quick is not UNREAD:
        return quick
    loader = _LineLoader(text, filename)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        # without an alias (*name) nothing expands, and a text this short cannot hold MAX_EXPANDED values (each
        # takes at least two characters): no walk needed
        if "*" in text or len(text) >= 2 * MAX_EXPANDED:
            _check_expansion(node, filename)
        return loader.construct_document(node)
    except ModelFileError:
        raise
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1 if isinstance(exc.position, int) else None
        char = f"U+{exc.character:04X}" if isinstance(exc.character, int) else repr(exc.character)
        raise ModelFileError(f"not valid YAML: character {char} ({exc.reason}) is not allowed in a model file",
                             filename, line) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or "unreadable YAML"
        if mark is not None and "\t" in (text.splitlines()[mark.line] if mark.line < len(text.splitlines()) else ""):
            problem = "a tab: tabs are not allowed in YAML; indent with spaces"
        raise ModelFileError(f"not valid YAML: {problem}", filename, line) from None
    except yaml.YAMLError as exc:
        raise ModelFileError(f"not valid YAML: {exc}", filename) from None
    except RecursionError:
        raise ModelFileError("not valid YAML: nested too deeply", filename) from None
    finally:
        loader.dispose()


MAX_YAML_BYTES = 20_000_000


def load_yaml_file(path: str | Path, what: str = "model file"):
    """Read a YAML file (a regular UTF-8 file of bounded size) and parse it safely."""
    try:
        text = decode_utf8(read_bytes_file(path, what, MAX_YAML_BYTES), what, str(path))
    except BayesInputError as exc:
        raise ModelFileError(exc.message, exc.file, exc.line) from None
    return load_yaml_text(text, str(path))
