"""The quick block-style reader (bayes/modelfile/yamlblock.py) against PyYAML itself.

The oracle is PyYAML's composer and constructor with the same loader class: whatever text the quick reader
accepts must come out identical (keys in order, values and their types, the line of every mapping, list,
key and item); text it declines (UNREAD) is read by PyYAML. Generated documents cover what `yaml.safe_dump`
writes at any width (long values folded over lines, as `bayes import` writes them) and hand-edited
variants: comments, odd indents, quotes, tabs, aliases.
"""

import glob
import os
import string

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bayes.errors import ModelFileError
from bayes.modelfile import yamlfile
from bayes.modelfile.yamlblock import UNREAD, read_block_yaml

DEEP = int(os.environ.get("BAYES_FUZZ_EXAMPLES", "0"))
SETTINGS = settings(max_examples=DEEP or 300, deadline=None, derandomize=not DEEP, database=None,
                    suppress_health_check=[HealthCheck.too_slow])
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def pyyaml(text: str):
    """The document as PyYAML's loader builds it (no quick path), or the ModelFileError it raises."""
    loader = yamlfile._LineLoader(text, "f.yaml")
    try:
        node = loader.get_single_node()
        return None if node is None else loader.construct_document(node)
    except (yaml.YAMLError, ModelFileError, RecursionError) as exc:
        return exc
    finally:
        loader.dispose()


def quick(text: str, largest: int = yamlfile.MAX_EXPANDED):
    return read_block_yaml(text, yamlfile._LineLoader, "f.yaml", largest)


def difference(a, b, path="top"):
    """Where two read documents differ (values, types, order or lines), or None."""
    if type(a) is not type(b):
        return f"{path}: {type(a).__name__} {a!r} against {type(b).__name__} {b!r}"
    if isinstance(a, dict):
        if list(a) != list(b) or a.line != b.line or a.key_lines != b.key_lines:
            return f"{path}: keys {list(a)} lines {a.line} {a.key_lines} against {list(b)} {b.line} {b.key_lines}"
        return next((d for k in a if (d := difference(a[k], b[k], f"{path}.{k}"))), None)
    if isinstance(a, list):
        if len(a) != len(b) or a.line != b.line or a.item_lines != b.item_lines:
            return f"{path}: {len(a)} items lines {a.line} {a.item_lines} against {len(b)} {b.line} {b.item_lines}"
        return next((d for i, (x, y) in enumerate(zip(a, b)) if (d := difference(x, y, f"{path}[{i}]"))), None)
    if a != b and not (a != a and b != b):  # NaN reads as NaN in both
        return f"{path}: {a!r} against {b!r}"
    return None


def check_agrees(text: str) -> bool:
    """The quick reader declines the text or reads it exactly as PyYAML does; True when it read it."""
    got = quick(text)
    if got is UNREAD:
        return False
    expected = pyyaml(text)
    assert not isinstance(expected, Exception), f"quick read text PyYAML refuses ({expected}):\n{text}"
    assert difference(got, expected) is None, f"{difference(got, expected)}\n{text}"
    return True


def expanded_size(node) -> int:
    """Values as the alias-bomb guard counts them: a scalar 1 + len/64, a container 1 + its contents."""
    if isinstance(node, yaml.ScalarNode):
        return 1 + len(node.value) // 64
    children = [c for pair in node.value for c in pair] if isinstance(node, yaml.MappingNode) else node.value
    return 1 + sum(expanded_size(c) for c in children)


# ---------------------------------------------------------------------------- every model file we have

def model_texts():
    paths = sorted(glob.glob(os.path.join(ROOT, "data", "**", "*.yaml"), recursive=True))
    return [(os.path.relpath(p, ROOT), open(p, encoding="utf-8").read()) for p in paths]


@pytest.mark.parametrize("name,text", model_texts(), ids=[n for n, _ in model_texts()])
def test_shipped_files_read_alike(name, text):
    check_agrees(text)


def test_imported_and_generated_models_are_read_quickly(tmp_path):
    """What `bayes import` and the generator write (values folded over lines at width 120) stays in the quick
    subset, and reads exactly as PyYAML reads it."""
    from bayes.exchange.formats import import_model
    from bayes.exchange.synthetic import write_random_model

    bif = tmp_path / "net.bif"
    bif.write_text(BIF, encoding="utf-8")
    imported = import_model(str(bif), str(tmp_path / "net.yaml"))
    generated = tmp_path / "gen.yaml"
    write_random_model(generated, seed=3, n_variables=12)
    for path in (imported, generated):
        text = open(path, encoding="utf-8").read()
        assert check_agrees(text), f"{path} left the quick subset"
    assert "\n        0." in open(imported, encoding="utf-8").read()  # a value folded over lines was among them


# a network whose 3-parent table is long enough to be folded over lines, with quoted, renamed states
BIF = """network unknown {}
variable a { type discrete [ 3 ] { low, mid, high }; }
variable b { type discrete [ 2 ] { "1_0", "2_0" }; }
variable c { type discrete [ 2 ] { yes, no }; }
variable d { type discrete [ 3 ] { x, y, z }; }
probability ( a ) { table 0.2, 0.3, 0.5; }
probability ( b ) { table 0.25, 0.75; }
probability ( c ) { table 0.5, 0.5; }
probability ( d | a, b, c ) {
""" + "".join(f"  ({a}, {b}, {c}) 0.123456789, 0.234567891, 0.64197532;\n"
              for a in ("low", "mid", "high") for b in ('"1_0"', '"2_0"') for c in ("yes", "no")) + "}\n"


# ---------------------------------------------------------------------------- hand-picked edges

EDGES = {
    # read quickly, and alike
    "plain words": ("a: some words here\nb: 'yes'\nc: yes\n", True),
    "typed scalars": ("a: 1e-2\nb: 12\nc: true\nd: 2020-07-15\ne: .inf\nf: ~\ng: null\nh: 0x1F\ni: 1_000\n", True),
    "typed keys": ("1: a\ntrue: b\n0.5: c\n", True),
    "quotes": ("a: 'it''s'\nb: \"dq\"\nc: ''\nd: 'x'  # note\n'q k': 1\n", True),
    "empty collections": ("a: []\nb: {}\nc:\n- []\n", True),
    "key with nothing": ("a:\nb:  # a comment\nc:\n", True),
    "comments": ("# head\na: 1  # one\n  # inside\nb:\n  # before\n  c: 2\n", True),
    "list at the key's indent": ("a:\n- 1\n- x\nb: 2\n", True),
    "list deeper": ("a:\n    - 1\n    - k: v\n      j: w\n    - - 3\n", False),
    "mappings in a list": ("a:\n- k: v\n  j: w\n-   k: 2\n    j:\n    - z\n", True),
    "folded plain": ("a: one two\n  three four\n  five\nb: x\n", True),
    "folded single quoted": ("a: 'one ''two''\n  three\n\n  four'\nb: x\n", True),
    "folded double quoted": ('a: "one\n   two"\n', True),
    "quote opened alone": ("a: '\n  x'\n", True),
    "escaped quote at a fold": ("a: 'x ''\n  y'\n", True),
    "blank line inside a quote": ("a: 'one\n\n  two\n  three'\n", True),
    "a known word, then folded": ("a: word\nb: word\n  more\n", True),
    "document marker inside a quote": ("a: 'x\n---'\n", False),
    # declined (or read alike): what PyYAML reads differently or refuses
    "continuation with a dash": ("a: b\n  - c\n", None),
    "continuation after a blank": ("a: b\n\n  c\n", None),
    "comment inside a value": ("a: b\n  # c\n  d\n", None),
    "colon in a continuation": ("a: b\n  c: d\n", None),
    "duplicate key": ("a: 1\na: 2\n", False),
    "tab": ("a:\n\tb: 1\n", False),
    "alias": ("a: &x 1\nb: *x\n", False),
    "flow": ("a: [1, 2]\nb: {c: d}\n", False),
    "block text": ("a: |\n  text\n", False),
    "document marker": ("---\na: 1\n", False),
    "dash alone": ("a:\n-\n  b\n", False),
    "bad indent": ("a:\n    b: 1\n  c: 2\n", False),
    "double quoted escape": ('a: "x\\ty"\n', False),
    "unclosed quote": ("a: 'x\n", False),
    "quote then text": ("a: 'x' y\n", False),
    "control character": ("a: x\x1by\n", False),
    "line separator": ("a: 'x\u2028y'\n", False),
    "CRLF": ("a: 1\r\nb: 2\r\n", False),
    "top-level list": ("- a\n- b\n", False),
    "empty": ("", False),
    "only a comment": ("# nothing\n", False),
    "hash in a plain": ("a: b#c\n", False),
    "too many digits": ("a: " + "9" * 40 + "\n", False),
    # found by review: typed too early, a key too long, nesting PyYAML cannot follow
    "digits, then the scalar goes on": ("a: 9999999999999999\n\n  x\n", False),
    "digits, then a broken line": ("a: 12345678901234567\nb\n", False),
    "digits after a duplicate": ("a: 1\na: 2\nc: 12345678901234567890\n", False),
    "not a number after all": ("a: 0x_\n", False),
    "a key over 1024 characters": ("a" * 1025 + ": 1\n", False),
    "a quoted key over 1024 characters": ("'" + "a" * 1023 + "': 1\n", False),
    "nested 300 deep": ("".join(" " * k + "a:\n" for k in range(300)) + " " * 300 + "b: 1\n", False),
}


@pytest.mark.parametrize("name", EDGES)
def test_edges(name):
    text, read_quickly = EDGES[name]
    if read_quickly is False:
        assert quick(text) is UNREAD
    elif read_quickly is True:
        assert check_agrees(text)
    else:
        check_agrees(text)


def test_size_as_the_alias_guard_counts_it():
    """The reader declines a document past `largest` values exactly where the full loader's guard would
    refuse it, so the guard still has its say."""
    text = "a:\n- " + "x" * 200 + "\n- 'y'\nb:\n  c: d\ne:\n"
    size = expanded_size(yaml.compose(text, Loader=yaml.SafeLoader))
    assert size == 1 + (1 + 1 + (1 + 200 // 64) + 1) + (1 + (1 + 1 + 1)) + (1 + 1)
    assert quick(text, largest=size) is not UNREAD
    assert quick(text, largest=size - 1) is UNREAD


def test_load_yaml_text_words_declined_text_as_before():
    with pytest.raises(ModelFileError, match="duplicate key 'a'"):
        yamlfile.load_yaml_text("a: 1\na: 2\n", "f.yaml")
    deep = "".join(" " * k + "a:\n" for k in range(5000))  # nested past Python's recursion limit
    assert quick(deep) is UNREAD
    with pytest.raises(ModelFileError, match="nesting depth|nested too deeply"):
        yamlfile.load_yaml_text(deep, "f.yaml")
    with pytest.raises(ModelFileError, match="9999999999999999999 |19 digits"):
        yamlfile.load_yaml_text("a: " + "9" * 19 + "\n", "f.yaml")
    assert yamlfile.load_yaml_text("a: 9999999999999999\n\n  x\n", "f.yaml") == {"a": "9999999999999999\nx"}


# ---------------------------------------------------------------------------- generated documents

NAMES = st.from_regex(r"[a-z][a-z0-9_]{0,11}", fullmatch=True)
WORDS = st.lists(st.sampled_from(["yes", "no", "true", "null", "~", "12", "0.5", "1e-3", "2020-07", "it's",
                                  "a: b", "x #y", "-", "- x", "'q'", '"d"', "[x]", "é€", "", "  lead",
                                  "trail  ", "Baku's alignment", "(imported from a.bif)", "0_00_kg"]),
                 min_size=1, max_size=30).map(" ".join)
SCALARS = st.one_of(WORDS, st.integers(-10**6, 10**6), st.floats(allow_nan=False), st.booleans(), st.none(),
                    st.text(string.ascii_letters + " '\"#:-", max_size=40))
DOCUMENTS = st.dictionaries(NAMES, st.recursive(
    SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(NAMES, inner, max_size=4)),
    max_leaves=12), min_size=1, max_size=6)


@SETTINGS
@given(DOCUMENTS, st.sampled_from([20, 40, 80, 120]), st.sampled_from([2, 4]))
def test_dumped_documents_read_alike(document, width, indent):
    text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=width, indent=indent)
    check_agrees(text)
    size = expanded_size(yaml.compose(text, Loader=yaml.SafeLoader))
    assert quick(text, largest=size - 1) is UNREAD


def test_dumped_documents_mostly_read_quickly():
    """The subset is not empty by accident: what safe_dump writes is read quickly nearly always."""
    read = 0
    for seed in range(200):
        import random
        rng = random.Random(seed)
        document = {f"k{i}": {"states": ["yes", "no"], "description": " ".join(rng.choice(["word", "its", "x"])
                    for _ in range(rng.randint(1, 60))), "values": " ".join(str(rng.random())[:6] for _ in
                    range(rng.randint(1, 80))), "n": rng.randint(0, 9), "nested": [{"a": 1, "b": [1, 2]}]}
                    for i in range(3)}
        read += check_agrees(yaml.safe_dump(document, sort_keys=False, width=rng.choice([40, 120])))
    assert read == 200


EDITS = st.sampled_from(["  # c", " # c", "\t", "'", '"', "*a", "&a ", "- ", ": ", "  ", "#", "-", "\n", "\n  ",
                         "\n\n", "[", "{}", "|", "''", "\u2028", "\r", "x", ": x"])


@SETTINGS
@given(DOCUMENTS, st.lists(st.tuples(st.integers(0, 10**6), EDITS), min_size=1, max_size=4),
       st.sampled_from([20, 80]))
def test_edited_documents_read_alike_or_declined(document, edits, width):
    """Hand edits (comments, indents, stray quotes and indicators, tabs): never read differently."""
    text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=width)
    for where, edit in edits:
        at = where % (len(text) + 1)
        text = text[:at] + edit + text[at:]
    check_agrees(text)  # (and never raises: whatever goes wrong is PyYAML's to word)
