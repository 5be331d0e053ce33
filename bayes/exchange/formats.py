"""Export to and import from the formats colleagues open in GeNIe, Netica, Hugin and pyAgrum:
XDSL, BIF, XMLBIF, NET.

XMLBIF goes through pgmpy's writer (exact). BIF, NET and XDSL are written here with 17 significant
digits: pgmpy's writers print about 8. (pyAgrum 3.3.1 parses BIF and NET numbers in single precision,
so a file read there is off by about 1e-8 whatever we write; XMLBIF crosses exactly.) Import reads any
of the four through pgmpy's readers and writes a model file whose every row says where it came from.

XDSL is written here because pgmpy's writer has no layout or descriptions. Its tables follow GeNIe's
(SMILE's) order: the node's own states change fastest, then the LAST parent in <parents>, and the
first parent slowest (C order over the parents, then the node). pgmpy reads and writes that order.
pyAgrum 3.3.1 does not: its XDSL reader and writer take the FIRST parent as the faster one, so for a
node with two or more parents pyAgrum reads any GeNIe-ordered file (ours, pgmpy's, GeNIe's own) with
the parent configurations permuted, and without a warning. For pyAgrum use XMLBIF, which is exact.
"""

from __future__ import annotations

import math
import os
import re
import warnings
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import yaml

from bayes.errors import BayesInputError
from bayes.fileio import atomic_write_text
from bayes.inference.network import import_pgmpy, table_array
from bayes.modelfile.spec import LARGEST_ROW_TOLERANCE, ROW_SUM_TOLERANCE, array_entry

FORMATS = ("bif", "xmlbif", "net", "xdsl")
SUFFIXES = {".bif": "bif", ".xml": "xmlbif", ".bifxml": "xmlbif", ".xmlbif": "xmlbif", ".net": "net",
            ".xdsl": "xdsl"}
GENIE_ID = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
BOX_SLOT = 120  # vertical pixels per layer in GeNIe: room for a four-state bar chart node


def _num(x: float) -> str:
    return format(float(x), ".17g")


def _order(model) -> list[str]:
    return list(model.engine.net.names)  # parents before children


def to_bif(model) -> str:
    spec = model.spec
    lines = [f'network "{spec.name}" {{', "}"]
    for name in _order(model):
        v = spec.variables[name]
        lines += [f"variable {name} {{", f"  type discrete [ {len(v.states)} ] {{ {', '.join(v.states)} }};", "}"]
    for name in _order(model):
        v = spec.variables[name]
        if not v.parents:
            lines += [f"probability ( {name} ) {{",
                      f"  table {', '.join(_num(p) for p in table_array(v, spec))};", "}"]
            continue
        lines.append(f"probability ( {name} | {', '.join(v.parents)} ) {{")
        for row in v.rows:
            key = ", ".join(row.given[p] for p in v.parents)
            lines.append(f"  ({key}) {', '.join(_num(row.probabilities[s]) for s in v.states)};")
        lines.append("}")
    return "\n".join(lines) + "\n"


def _nested(array) -> str:
    if array.ndim == 1:
        return "(" + " ".join(_num(p) for p in array) + ")"
    return "(" + " ".join(_nested(a) for a in array) + ")"


def to_net(model) -> str:
    spec = model.spec
    lines = ["net", "{", "}"]
    for name in _order(model):
        v = spec.variables[name]
        states = " ".join(f'"{s}"' for s in v.states)
        label = v.description.replace('"', "'").replace("\n", " ")
        lines += [f"node {name}", "{", f"  states = ({states});", f'  label = "{label}";', "}"]
    for name in _order(model):
        v = spec.variables[name]
        head = f"potential ( {name} | {' '.join(v.parents)} )" if v.parents else f"potential ( {name} )"
        lines += [head, "{", f"  data = {_nested(table_array(v, spec))};", "}"]
    return "\n".join(lines) + "\n"


def to_xmlbif(model) -> str:
    import_pgmpy()
    from pgmpy.readwrite import XMLBIFWriter

    return str(XMLBIFWriter(model.network))


def genie_boxes(model) -> dict[str, tuple[int, int, int, int]]:
    """GeNIe node boxes (left, top, right, bottom in pixels) from our layered layout, so the network
    opens in GeNIe laid out as in our charts: parents above children, no overlaps."""
    from bayes.outputs.network_layout import network_layout

    layout = network_layout(model)  # layer: causes before effects; order: the rank within the layer
    width = max(110, 7 * max(len(v) for v in model.variables) + 20)
    height, gap_x, gap_y = 44, 30, BOX_SLOT - 44
    boxes = {}
    for row in layout.itertuples():
        left = int(20 + row.order * (width + gap_x))
        top = int(20 + row.layer * (height + gap_y))
        boxes[row.variable] = (left, top, left + width, top + height)
    return boxes


def to_xdsl(model) -> str:
    spec = model.spec
    for name in _order(model):
        for what, label in [(name, "variable")] + [(s, f"state of '{name}'") for s in spec.variables[name].states]:
            if not GENIE_ID.fullmatch(what):
                raise BayesInputError(f"{label} '{what}' is not a GeNIe identifier (a letter, then letters, "
                                      "digits or _); rename it in the model file to export XDSL", spec.path)
    boxes = genie_boxes(model)
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             f"<!-- written by the bayes toolkit from {escape(Path(spec.path).name)}; tables in GeNIe order: "
             "own states fastest, then the last parent -->",
             f'<smile version="1.0" id={quoteattr(model.name if GENIE_ID.fullmatch(model.name) else "model")} '
             'numsamples="10000" discsamples="10000">', "  <nodes>"]
    for name in _order(model):
        v = spec.variables[name]
        lines.append(f'    <cpt id="{name}">')
        lines += [f'      <state id="{s}" />' for s in v.states]
        if v.parents:
            lines.append(f"      <parents>{' '.join(v.parents)}</parents>")
        lines.append(f"      <probabilities>{' '.join(_num(p) for p in table_array(v, spec).ravel())}</probabilities>")
        lines.append("    </cpt>")
    lines += ["  </nodes>", "  <extensions>",
              f'    <genie version="1.0" app="bayes toolkit" name={quoteattr(spec.title)}>',
              f"      <comment>{escape(spec.source)}</comment>"]
    for name in _order(model):
        left, top, right, bottom = boxes[name]
        lines += [f'      <node id="{name}">', f"        <name>{name}</name>",
                  '        <interior color="e5f6f7" />', '        <outline color="000080" />',
                  '        <font color="000000" name="Arial" size="8" />',
                  f"        <position>{left} {top} {right} {bottom}</position>"]
        if spec.variables[name].description:
            lines.append(f"        <comment>{escape(spec.variables[name].description)}</comment>")
        # shown as a bar chart of its marginals, like our network chart; sized to fit its layout slot
        chart_height = min(BOX_SLOT, 22 + 14 * len(spec.variables[name].states))
        lines.append(f'        <barchart active="true" width="{right - left}" height="{chart_height}" />')
        lines.append("      </node>")
    lines += ["    </genie>", "  </extensions>", "</smile>"]
    return "\n".join(lines) + "\n"


WRITERS = {"bif": to_bif, "xmlbif": to_xmlbif, "net": to_net, "xdsl": to_xdsl}


def export_model(model, fmt: str, path: str | os.PathLike, force: bool = False) -> Path:
    """Write the model in `fmt` to `path`, atomically (a failed export leaves no partial file); an existing
    file only with `force`."""
    from bayes.fileio import check_output

    if fmt not in WRITERS:
        raise BayesInputError(f"unknown format '{fmt}'; expected one of: {', '.join(FORMATS)}", "command line")
    path = check_output(path, force)
    return atomic_write_text(path, WRITERS[fmt](model))


def _read(path: Path, fmt: str | None):
    """(network, format, descriptions by variable, title, comment): each file is read and parsed once;
    the descriptions, title and comment are what the format keeps (XDSL, NET), else empty/None."""
    fmt = fmt or SUFFIXES.get(path.suffix.lower())
    if fmt not in FORMATS:
        raise BayesInputError(f"cannot tell the format from '{path.suffix}'; expected one of: "
                              f"{', '.join(sorted(SUFFIXES))}", str(path))
    from bayes.fileio import decode_utf8, read_bytes_file

    text = decode_utf8(read_bytes_file(path, f"{fmt.upper()} file", MAX_IMPORT_BYTES), f"{fmt.upper()} file", str(path))
    if not text.strip():
        raise BayesInputError(f"the file is empty; expected a network in {fmt.upper()}", str(path))
    descriptions = {}
    if fmt == "net":
        text = _net_without_comments(text)
        descriptions = _net_labels(text)
    if fmt in ("bif", "net"):
        _check_braced_syntax(text, path, fmt)
        # bnlearn-style BIF and discrete Hugin NET: read here, without pgmpy or pyparsing (10-50x faster; mildew's
        # NET took 89 s with pgmpy's reader), with lines in errors
        fast = _read_bif(text, path) if fmt == "bif" else _read_net(text, path)
        if fast is not None:
            _check_tables(fast, path)
            return fast, fmt, descriptions, None, None
    import_pgmpy()
    from pgmpy.readwrite import BIFReader, NETReader, XDSLReader, XMLBIFReader

    title, comment = None, None
    if fmt == "xdsl":
        root = _xml_tree(text, path, fmt)
        descriptions, title, comment = _xdsl_descriptions(root)
        text = _xdsl_for_pgmpy(root, path)
        load = lambda: XDSLReader(string=text).get_model()  # noqa: E731
    elif fmt == "xmlbif":
        _xml_tree(text, path, fmt)
        load = lambda: XMLBIFReader(string=text).get_model()  # noqa: E731
    else:  # the forms the fast readers leave to pgmpy (checked above)
        reader = {"bif": BIFReader, "net": NETReader}[fmt]
        load = lambda: reader(string=text).get_model()  # noqa: E731
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            network = load()
    except RecursionError:
        raise BayesInputError(f"not a readable {fmt.upper()} file: nested too deeply", str(path)) from None
    except Exception as exc:  # pgmpy's readers raise many kinds on a bad file; the analyst needs one line
        if _raised_by_us(exc):
            raise  # a bug of ours is a bug, not a bad file
        raise BayesInputError(f"not a readable {fmt.upper()} file: {type(exc).__name__}: {exc}".splitlines()[0],
                              str(path)) from None
    _check_tables(network, path)
    return network, fmt, descriptions, title, comment


def _raised_by_us(exc: BaseException) -> bool:
    """Whether the innermost frame of the exception's traceback is this package's code."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    package = str(Path(__file__).resolve().parents[1])
    return tb is not None and str(Path(tb.tb_frame.f_code.co_filename).resolve()).startswith(package)


def _check_tables(network, path: Path):
    tabled = {str(c.variable) for c in network.get_cpds()}
    untabled = [str(n) for n in network.nodes() if str(n) not in tabled]
    if untabled:
        raise BayesInputError(f"variable '{untabled[0][:100]}' has no probability table; every variable needs one",
                              str(path))


class _Cpd:
    """What import needs of a table: pgmpy's TabularCPD attributes, values shaped (card, *parent cards)."""

    def __init__(self, variable, parents, state_names, values):
        self.variable, self.variables, self.state_names, self.values = variable, [variable, *parents], state_names, values


class _Network:
    def __init__(self, names, cpds):
        self._names, self._cpds = names, cpds

    def nodes(self):
        return list(self._names)

    def get_cpds(self):
        return list(self._cpds)


_BIF_COMMENTS = re.compile(r'"(?:[^"\\\n]|\\.)*"|//[^\n]*|/\*.*?\*/', re.S)
_BIF_VARIABLE = re.compile(r"\bvariable\s+(\S+)\s*\{((?:[^{}]|\{[^{}]*\})*)\}", re.S)  # one level of { } inside
_BIF_TYPE = re.compile(r"type\s+discrete\s*\[\s*(\d+)\s*\]\s*\{(.*?)\}", re.S)
_BIF_PROBABILITY = re.compile(r"\bprobability\s*\(\s*([^)|]+?)\s*(?:\|\s*([^)]*?))?\s*\)\s*\{([^{}]*)\}", re.S)


def _read_bif(text: str, path: Path):
    """The network of a BIF file in the common (bnlearn) form: `variable` blocks with `type discrete`, and
    `probability` blocks of `(parent states) p, p;` rows or a root's `table`. Anything else (a `table` with
    parents, `default` rows, continuous types) returns None and pgmpy's reader takes the file."""
    import numpy as np

    def line_at(pos):
        return text.count("\n", 0, pos) + 1

    clean = _BIF_COMMENTS.sub(lambda m: m.group(0) if m.group(0).startswith('"') else " " * len(m.group(0)), text)
    states: dict[str, list[str]] = {}
    for m in _BIF_VARIABLE.finditer(clean):
        t = _BIF_TYPE.search(m.group(2))
        if t is None:
            return None
        names = [x.strip().strip('"') for x in t.group(2).split(",") if x.strip()]  # as pgmpy: by commas
        if len(set(names)) < len(names):
            twice = next(n for i, n in enumerate(names) if n in names[:i])
            raise BayesInputError(f"variable '{m.group(1)[:100]}' lists state '{twice[:100]}' twice", str(path),
                                  line_at(m.start()))
        states[m.group(1)] = names
    if not states:
        return None
    cpds = []
    for m in _BIF_PROBABILITY.finditer(clean):
        child = m.group(1).strip()
        parents = [p.strip() for p in (m.group(2) or "").split(",") if p.strip()]
        where = line_at(m.start())
        for v in [child, *parents]:
            if v not in states:
                raise BayesInputError(f"probability ( {child} ... ) names '{v[:100]}', which has no variable block",
                                      str(path), where)
        card = len(states[child])
        shape = [len(states[p]) for p in parents]
        values = np.zeros(shape + [card])
        filled = np.zeros(shape, dtype=bool)  # which rows the block gives
        position = {p: {g: i for i, g in enumerate(states[p])} for p in parents}
        body = m.group(3)
        for entry in filter(None, (e.strip() for e in body.split(";"))):
            try:
                if entry.startswith("table"):  # every number, the child's states slowest (pgmpy's reading)
                    numbers = np.array(entry[5:].replace(",", " ").split(), dtype=float)
                    values[...] = np.moveaxis(numbers.reshape([card] + shape), 0, -1)
                    filled[...] = True
                elif entry.startswith("("):
                    key, _, numbers = entry[1:].partition(")")
                    given = [x.strip().strip('"') for x in key.split(",")]
                    if len(given) != len(parents):
                        raise ValueError
                    index = tuple(position[p][g] for p, g in zip(parents, given))
                    values[index] = np.array(numbers.replace(",", " ").split(), dtype=float)
                    filled[index] = True
                else:
                    return None  # `default` rows and other forms: pgmpy's reader
            except (ValueError, KeyError):
                raise BayesInputError(f"not a readable BIF file: a row of the table of '{child[:100]}' does not fit "
                                      f"its {card} states or its parents' states", str(path), where) from None
        if not filled.all():
            raise BayesInputError(f"the table of '{child[:100]}' leaves rows out", str(path), where)
        if not np.isfinite(values).all():
            raise BayesInputError(f"the table of '{child[:100]}' holds {values[~np.isfinite(values)][0]}; every "
                                  "probability must be a number between 0 and 1", str(path), where)
        cpds.append(_Cpd(child, parents, {v: states[v] for v in [child, *parents]}, np.moveaxis(values, -1, 0)))
    return _Network(list(states), cpds)


_NET_NODE = re.compile(r"\b((?:\w+\s+)?)node\s+(\w+)\s*\{([^{}]*)\}", re.S)
_NET_STATES = re.compile(r"\bstates\s*=\s*\(((?:\s*(?:\"(?:[^\"\\]|\\.)*\"|[^\s\"()]+))*)\s*\)")
_NET_POTENTIAL = re.compile(r"\bpotential\s*\(\s*(\w+)\s*(?:\|\s*([\w\s]*?))?\s*\)\s*\{([^{}]*)\}", re.S)
_NET_DATA = re.compile(r"\bdata\s*=\s*([()\s\d.eE+\-]*?)\s*;", re.S)


def _read_net(text: str, path: Path):
    """The network of a Hugin NET file (comments already removed) in its discrete form: `node` blocks with
    `states`, `potential ( child | parents )` blocks with `data`, nested with the first parent slowest
    and the child fastest. Continuous, decision, utility or function nodes, classes and tables given
    by expressions return None, and pgmpy's reader takes the file."""
    import numpy as np

    if re.search(r"\bclass\s+\w+\s*\{", text):
        return None
    states: dict[str, list[str]] = {}
    for m in _NET_NODE.finditer(text):
        if m.group(1).strip() not in ("", "discrete"):
            return None
        found = _NET_STATES.search(m.group(3))
        if found is None:
            return None
        # quoted as Hugin writes them, or bare words as pyAgrum does
        states[m.group(2)] = [q or w for q, w in re.findall(r'"((?:[^"\\]|\\.)*)"|([^\s"()]+)', found.group(1))]
    if not states:
        return None
    cpds = []
    for m in _NET_POTENTIAL.finditer(text):
        child, parents = m.group(1), (m.group(2) or "").split()
        if any(v not in states for v in [child, *parents]):
            return None
        data = _NET_DATA.search(m.group(3))
        if data is None:
            return None
        shape = [len(states[p]) for p in parents] + [len(states[child])]
        words = data.group(1).replace("(", " ").replace(")", " ").split()
        if len(words) != math.prod(shape):
            raise BayesInputError(f"the table of '{child[:100]}' holds {len(words):,} numbers; it needs "
                                  f"{math.prod(shape):,} (its states times its parents' states)", str(path),
                                  text.count("\n", 0, m.start()) + 1)
        try:
            values = np.array(words, dtype=float).reshape(shape)
        except ValueError:
            bad = next(w for w in words if not re.fullmatch(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?", w))
            raise BayesInputError(f"the table of '{child[:100]}' holds '{bad[:40]}', which is not a number",
                                  str(path), text.count("\n", 0, m.start()) + 1) from None
        cpds.append(_Cpd(child, parents, {v: states[v] for v in [child, *parents]}, np.moveaxis(values, -1, 0)))
    return _Network(list(states), cpds)


def _net_without_comments(text: str) -> str:
    """Hugin NET allows `%` comments to the end of a line (pyAgrum writes one after every table row);
    pgmpy's reader does not, so they go before it reads the file. A % inside a quoted string stays."""
    return re.sub(r'("(?:[^"\\\n]|\\.)*")|%[^\n]*', lambda m: m.group(1) or "", text)


MAX_IMPORT_BYTES = 50_000_000
MAX_XML_DEPTH = 64


def _check_braced_syntax(text: str, path: Path, fmt: str):
    """What pgmpy's BIF and NET readers let through silently, with the line: unbalanced braces (and NET's
    brackets), a variable
    or table given twice, a state count that disagrees with the states listed (BIF)."""
    pairs = {"{": "}", "(": ")"} if fmt == "net" else {"{": "}"}
    closing = {v: k for k, v in pairs.items()}
    line, opened = 1, []  # (bracket, line) of each bracket still open
    for m in re.finditer(r'"(?:[^"\\\n]|\\.)*"|[{}()\n"]', text):
        token = m.group(0)
        if token == "\n":
            line += 1
        elif token == '"' and fmt == "net":  # a quote no closing quote follows on its line (BIF: maybe a comment's)
            raise BayesInputError(f"not a readable {fmt.upper()} file: a quote (\") is never closed", str(path), line)
        elif token in pairs:
            opened.append((token, line))
        elif token in closing:
            if not opened or opened[-1][0] != closing[token]:
                problem = (f"'{token}' found where '{pairs[opened[-1][0]]}' (for the '{opened[-1][0]}' of line "
                           f"{opened[-1][1]}) was expected" if opened else f"'{token}' without a matching '{closing[token]}'")
                raise BayesInputError(f"not a readable {fmt.upper()} file: {problem}", str(path), line)
            opened.pop()
    if opened:
        raise BayesInputError(f"not a readable {fmt.upper()} file: '{opened[-1][0]}' is never closed", str(path),
                              opened[-1][1])

    def line_at(pos):
        return text.count("\n", 0, pos) + 1

    declared = r"\bvariable\s+([^\s{]+)" if fmt == "bif" else r"\bnode\s+([^\s{]+)"
    tables = r"\bprobability\s*\(\s*([^\s|)]+)" if fmt == "bif" else r"\bpotential\s*\(\s*([^\s|)]+)"
    for pattern, what in ((declared, "variable"), (tables, "probability table")):
        seen = {}
        for m in re.finditer(pattern, text):
            if m.group(1) in seen:
                raise BayesInputError(f"{what} '{m.group(1)[:100]}' is given twice (first at line {seen[m.group(1)]})",
                                      str(path), line_at(m.start()))
            seen[m.group(1)] = line_at(m.start())
    if fmt == "bif":
        for m in re.finditer(r"\btype\s+discrete\s*\[\s*([^\]{}]*?)\s*\]", text):
            if not re.fullmatch(r"\d+", m.group(1)):
                raise BayesInputError(f"'discrete [ {m.group(1)[:12]} ]': the number of states must be a whole "
                                      "number", str(path), line_at(m.start()))
        for m in re.finditer(r"\btype\s+discrete\s*\[\s*(\d+)\s*\]\s*\{([^}]*)\}", text):
            states = re.findall(r'"[^"]*"|[^,\s]+', m.group(2))
            if len(m.group(1)) > 9 or int(m.group(1)) != len(states):  # 5,000 digits are no count
                raise BayesInputError(f"'discrete [ {m.group(1)[:12]}{'...' if len(m.group(1)) > 12 else ''} ]' lists {len(states)} states", str(path),
                                      line_at(m.start()))


def _net_labels(text: str) -> dict[str, str]:
    """Each node's `label` (where NET keeps a description), unless it only repeats the name."""
    labels = {}
    for name, body in re.findall(r"\bnode\s+(\w+)\s*\{([^{}]*)\}", text):
        found = re.search(r'\blabel\s*=\s*"((?:[^"\\]|\\.)*)"', body)
        if found and found.group(1).strip() and found.group(1).strip() != name:
            labels[name] = " ".join(found.group(1).split())
    return labels


def _xml_tree(text: str, path: Path, fmt: str):
    """Parsed with defusedxml (no DTDs, no entity expansion) and refused past MAX_XML_DEPTH levels."""
    import xml.etree.ElementTree as ET

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    what = f"not a readable {fmt.upper()} file"
    if re.search(r"<!(?:DOCTYPE|ENTITY)", text[:100_000]):
        raise BayesInputError(f"{what}: DTDs and entities are not read", str(path))
    try:
        root = fromstring(re.sub(r"^\s*<\?xml[^>]*\?>", "", text, count=1), forbid_dtd=True)
    except ET.ParseError as exc:
        raise BayesInputError(f"{what}: {exc}", str(path), exc.position[0]) from None
    except (DefusedXmlException, ValueError, LookupError) as exc:
        raise BayesInputError(f"{what}: {type(exc).__name__}: {exc}".splitlines()[0], str(path)) from None
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_XML_DEPTH:
            raise BayesInputError(f"{what}: elements nested more than {MAX_XML_DEPTH} deep", str(path))
        stack.extend((child, depth + 1) for child in node)
    return root


def _xdsl_for_pgmpy(root, path: Path) -> str:
    """The XDSL text with what pgmpy's reader cannot take checked first: it reads only <cpt> nodes (a
    noisy-MAX or equation node would vanish with its arcs) and splits numbers on single spaces."""
    import xml.etree.ElementTree as ET

    import numpy as np

    nodes = root.find("nodes") if root.tag == "smile" else None
    if nodes is None:
        raise BayesInputError("not an XDSL file: expected <smile> with <nodes>", str(path))
    # pyAgrum writes (and reads) the first parent as the faster one; its files say who wrote them
    genie = root.find("extensions/genie")
    first_parent_fastest = genie is not None and genie.get("app", "").startswith("aGrUM")
    cards = {}
    for n in nodes:
        if n.get("id") in cards:
            raise BayesInputError(f"node '{str(n.get('id'))[:100]}' is given twice; every node needs its own id", str(path))
        ids = [st.get("id") for st in n.findall("state")]
        if len(set(ids)) < len(ids):
            raise BayesInputError(f"node '{str(n.get('id'))[:100]}' lists a state twice "
                                  f"('{next(i for k, i in enumerate(ids) if i in ids[:k])}')", str(path))
        cards[n.get("id")] = len(ids)
    for node in nodes:
        if node.tag != "cpt":
            raise BayesInputError(f"node '{node.get('id')}' is a <{node.tag}> node; only plain CPT nodes can be "
                                  "imported (in GeNIe, change its type to a general chance node first)", str(path))
        probabilities = node.find("probabilities")
        if probabilities is None or not (probabilities.text or "").split():
            raise BayesInputError(f"node '{node.get('id')}' has no <probabilities>", str(path))
        probabilities.text = " ".join(probabilities.text.split())
        parents = (node.findtext("parents") or "").split()
        if first_parent_fastest and len(parents) > 1 and all(p in cards for p in parents):
            numbers = probabilities.text.split()
            shape = [cards[p] for p in reversed(parents)] + [cards[node.get("id")]]
            if len(numbers) == int(np.prod(shape)):
                order = np.arange(len(numbers)).reshape(shape)
                order = np.moveaxis(order, list(range(len(parents))), list(reversed(range(len(parents)))))
                probabilities.text = " ".join(numbers[i] for i in order.ravel())
    return ET.tostring(root, encoding="unicode")


def _xdsl_descriptions(root) -> tuple[dict[str, str], str | None, str | None]:
    """Node comments, network name and comment from GeNIe's <extensions>, where XDSL keeps them."""
    genie = root.find("extensions/genie")
    if genie is None:
        return {}, None, None
    comments = {n.get("id"): " ".join((n.findtext("comment") or "").split()) for n in genie.findall("node")}
    comment = " ".join((genie.findtext("comment") or "").split()) or None
    return {k: v for k, v in comments.items() if v}, genie.get("name"), comment


class Renamer:
    """Foreign names onto the model file's identifiers (letters, digits, _, not starting with a digit, at
    most 64 characters), each distinct: '>=7.5' becomes s_ge7_5, '../../x' v_x. The original is kept as
    the variable's label or in its description."""

    SYMBOLS = ((">=", "ge"), ("<=", "le"), (">", "gt"), ("<", "lt"), ("+", "plus"), ("%", "pct"), ("&", "and"))

    def __init__(self, prefix: str):
        self.prefix = prefix
        self.used: set[str] = set()

    def __call__(self, name: str) -> str:
        import re

        from bayes.modelfile.spec import MAX_NAME, NAME_PATTERN

        if NAME_PATTERN.match(name) and name not in self.used:
            self.used.add(name)
            return name
        text = name
        for symbol, word in self.SYMBOLS:
            text = text.replace(symbol, word)
        text = re.sub(r"[^A-Za-z0-9_]+", "_", text).strip("_") or self.prefix
        if not re.match(r"[A-Za-z_]", text):
            text = f"{self.prefix}_{text}"
        text = text[:MAX_NAME]
        candidate, k = text, 2
        while candidate in self.used:
            suffix = f"_{k}"
            candidate, k = text[:MAX_NAME - len(suffix)] + suffix, k + 1
        self.used.add(candidate)
        return candidate


def _tolerance_for(off: float) -> float:
    """The row_tolerance a model file needs for rows up to `off` from summing to 1: the next power of ten."""
    return min(LARGEST_ROW_TOLERANCE, 10.0 ** math.ceil(math.log10(off * 1.01)))  # (sums differ in the last bits)


def import_model(path: str | os.PathLike, out: str | os.PathLike, fmt: str | None = None, force: bool = False,
                 report: dict | None = None) -> Path:
    """Write a model file (format bayes-model/1) for a network read from another tool; an existing file
    only with `force`. Numbers are kept as written; `report`, if given, receives how many rows sum to 1 only
    to rounding ("rounded", up to LARGEST_ROW_TOLERANCE away) and how far at most ("largest_rounding")."""
    import numpy as np

    from bayes.fileio import check_output

    out = check_output(out, force)
    network, fmt, descriptions, title, comment = _read(Path(path), fmt)
    source = Path(path).name
    if not network.get_cpds():
        raise BayesInputError(f"no variables with tables found; is this really a {fmt.upper()} file?", str(path))
    names = Renamer("v")
    variable_names = {str(n): names(str(n)) for n in network.nodes()}
    state_names = {}
    for cpd in network.get_cpds():
        states_of = Renamer("s")
        state_names[str(cpd.variable)] = {str(s): states_of(str(s)) for s in cpd.state_names[cpd.variable]}
    variables = {}
    report = report if report is not None else {}
    report.update(rounded=0, largest_rounding=0.0)
    for cpd in network.get_cpds():
        original = str(cpd.variable)
        name = variable_names[original]
        parents = [variable_names[str(p)] for p in cpd.variables[1:]]
        states = [state_names[original][str(s)] for s in cpd.state_names[cpd.variable]]
        values = np.moveaxis(np.asarray(cpd.values, dtype=float), 0, -1)  # (*parent cards, card)
        outside = ~((values >= 0) & (values <= 1))  # NaN, infinities and 1e308 named before any sum overflows
        if outside.any():
            bad = tuple(int(i) for i in np.argwhere(outside)[0])
            raise BayesInputError(f"the table of '{original[:100]}' holds {values[bad]:g} (state "
                                  f"'{states[bad[-1]]}'); every probability must be between 0 and 1", str(path))
        totals = values.sum(axis=-1, keepdims=True)
        # rows printed to few digits (pyAgrum's XDSL and XMLBIF: 6) are kept as written, as the tools that wrote
        # and read them use them; the model file then says how far its rows may sum from 1 (row_tolerance)
        rounded = (np.abs(totals - 1) > ROW_SUM_TOLERANCE) & (np.abs(totals - 1) <= LARGEST_ROW_TOLERANCE)
        if rounded.any():
            report["rounded"] += int(rounded.sum())
            report["largest_rounding"] = max(report["largest_rounding"], float(np.abs(totals[rounded] - 1).max()))
        # every table as one `array:` block (its numbers in one string, read in one vectorised step): an imported
        # network loads within a few times pyAgrum's loadBN, where rows of YAML mappings took 10-30 times
        note = f"imported from {source}"
        if rounded.any():
            note += (f"; {int(rounded.sum())} row{'s' if rounded.sum() > 1 else ''} sum to 1 only to rounding (up to "
                     f"{float(np.abs(totals[rounded] - 1).max()):.2g} away), kept as written")
        variables[name] = {"description": "", "states": states, **({"parents": parents} if parents else {}),
                           "array": array_entry([*parents, name], values, {"assumption": note})}
        description = descriptions.get(original, f"{original} (imported from {source})")
        renamed = {o: n for o, n in state_names[original].items() if o != n}
        if renamed:
            description += "; states renamed to names: " + ", ".join(f"{o!r} -> {n}" for o, n in renamed.items())
        variables[name]["description"] = description
        if original != name:
            variables[name] = {"label": original[:200], **variables[name]}
    order = [variable_names[str(n)] for n in network.nodes()]
    document = {"format": "bayes-model/1",
                "model": {"title": title or f"{Path(path).stem} (imported)",
                          "source": f"{comment} (imported from {source})" if comment else source,
                          "as_of": "unknown", "author": "imported",
                          **({"row_tolerance": _tolerance_for(report["largest_rounding"])} if report["rounded"] else {})},
                "variables": {n: variables[n] for n in order}}
    text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=120)
    from bayes.modelfile.parse import parse_spec
    from bayes.modelfile.yamlfile import load_yaml_text

    try:  # only a model file that loads is written
        parse_spec(load_yaml_text(text, str(out)), str(out), Path(out).stem)
    except BayesInputError as exc:
        raise BayesInputError(f"cannot be turned into a model file: {exc.message}", str(path)) from None
    return atomic_write_text(Path(out), text)
