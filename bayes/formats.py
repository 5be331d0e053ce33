"""Export to and import from the formats colleagues open in Netica, Hugin and pyAgrum: BIF, XMLBIF, NET.

XMLBIF goes through pgmpy's writer (exact). BIF and NET are written here with 17 significant digits:
pgmpy's writers print about 8. (pyAgrum 3.3.1 parses BIF and NET numbers in single precision, so a file
read there is off by about 1e-8 whatever we write; XMLBIF crosses exactly.) Import reads any of the
three through pgmpy's readers and writes a model file whose every row says where it came from.

XDSL (GeNIe) is not offered yet: pgmpy's writer and pyAgrum's reader disagree on the order of parent
configurations, and which one matches GeNIe's documented order is still to be settled.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import yaml

from .errors import BayesInputError
from .fileio import atomic_write_text
from .network import import_pgmpy, table_array

FORMATS = ("bif", "xmlbif", "net")
SUFFIXES = {".bif": "bif", ".xml": "xmlbif", ".bifxml": "xmlbif", ".xmlbif": "xmlbif", ".net": "net"}


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


WRITERS = {"bif": to_bif, "xmlbif": to_xmlbif, "net": to_net}


def export_model(model, fmt: str, path: str | os.PathLike) -> Path:
    """Write the model in `fmt` to `path`, atomically (a failed export leaves no partial file)."""
    if fmt not in WRITERS:
        raise BayesInputError(f"unknown format '{fmt}'; expected one of: {', '.join(FORMATS)}", "command line")
    return atomic_write_text(Path(path), WRITERS[fmt](model))


def read_network(path: str | os.PathLike, fmt: str | None = None):
    """A pgmpy network from a BIF, XMLBIF or NET file (format from the suffix unless given)."""
    path = Path(path)
    fmt = fmt or SUFFIXES.get(path.suffix.lower())
    if fmt not in FORMATS:
        raise BayesInputError(f"cannot tell the format from '{path.suffix}'; expected one of: "
                              f"{', '.join(sorted(SUFFIXES))}", str(path))
    if not path.is_file():
        raise BayesInputError("file not found", str(path))
    import_pgmpy()
    from pgmpy.readwrite import BIFReader, NETReader, XMLBIFReader

    reader = {"bif": BIFReader, "xmlbif": XMLBIFReader, "net": NETReader}[fmt]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return reader(path=str(path)).get_model()
    except Exception as exc:  # the readers raise many kinds; the analyst needs one line
        raise BayesInputError(f"not a readable {fmt.upper()} file: {type(exc).__name__}: {exc}".splitlines()[0],
                              str(path)) from None


def import_model(path: str | os.PathLike, out: str | os.PathLike, fmt: str | None = None) -> Path:
    """Write a model file (format bayes-model/1) for a network read from another tool."""
    import itertools

    import numpy as np

    network = read_network(path, fmt)
    source = Path(path).name
    if not network.get_cpds():
        raise BayesInputError("no variables with tables found; is this really a "
                              f"{(fmt or SUFFIXES.get(Path(path).suffix.lower(), '')).upper()} file?", str(path))
    variables = {}
    for cpd in network.get_cpds():
        name = cpd.variable
        parents = list(cpd.variables[1:])
        states = [str(s) for s in cpd.state_names[name]]
        values = np.moveaxis(np.asarray(cpd.values, dtype=float), 0, -1)  # (*parent cards, card)
        rows = []
        for index in itertools.product(*(range(n) for n in values.shape[:-1])):
            row = {"probabilities": {s: float(p) for s, p in zip(states, values[index])},
                   "rationale": {"assumption": f"imported from {source}"}}
            if parents:
                row = {"given": {p: str(cpd.state_names[p][i]) for p, i in zip(parents, index)}, **row}
            rows.append(row)
        variables[name] = {"description": f"{name} (imported from {source})", "states": states,
                           **({"parents": parents} if parents else {}), "table": rows}
    order = list(network.nodes())
    document = {"format": "bayes-model/1",
                "model": {"title": f"{Path(path).stem} (imported)", "source": source, "as_of": "unknown",
                          "author": "imported"},
                "variables": {n: variables[n] for n in order}}
    text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=120)
    from .modelfile import parse_spec
    from .yamlfile import load_yaml_text

    try:  # only a model file that loads is written
        parse_spec(load_yaml_text(text, str(out)), str(out), Path(out).stem)
    except BayesInputError as exc:
        raise BayesInputError(f"cannot be turned into a model file: {exc.message}", str(path)) from None
    return atomic_write_text(Path(out), text)
