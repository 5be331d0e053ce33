"""Versions of one model: read from a file, a git revision (`git show`, no checkout) or raw YAML;
compared for structure and aligned table by table; written back as a model file (atomically, never
over an existing file without `force`). The other revision modules build on these."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import numpy as np

from bayes.errors import BayesInputError
from bayes.fileio import atomic_write_text, check_output, decode_utf8
from bayes.inference.network import table_array
from bayes.model import Model
from bayes.modelfile.locate import resolve_model_path
from bayes.modelfile.parse import parse_spec
from bayes.modelfile.spec import ARRAY_ROWS, ModelSpec, array_entry
from bayes.modelfile.yamlfile import MAX_YAML_BYTES, load_yaml_file, load_yaml_text

SAME = 1e-12  # two table entries closer than this are the same number
COMMAND_LINE = "command line"


# ------------------------------------------------------------------------------------- reading models

def clip(text, width: int = 240) -> str:
    """Text cut to `width` characters with an ellipsis (rationales in one-line views)."""
    text = "" if text is None else str(text)
    return text if len(text) <= width else text[: width - 1].rstrip() + "\u2026"


def _plain(value):
    """The loader's line-aware containers as plain dicts and lists (what the YAML dumper writes)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _from_raw(raw, filename: str, name: str) -> Model:
    model = Model(parse_spec(raw, filename, name))
    model._revision_raw = _plain(raw)  # the file as written: claims, scenarios and outcomes are copied from it
    return model


def read_model(source) -> Model:
    """A Model from a Model, a name under data/models/ or a path (errors name the file and line)."""
    if isinstance(source, Model):
        return source
    path = resolve_model_path(source)
    return _from_raw(load_yaml_file(path), str(path), path.stem)


def raw_document(model: Model) -> dict:
    raw = getattr(model, "_revision_raw", None)
    if raw is None:
        raw = _plain(load_yaml_file(model.spec.path))
        model._revision_raw = raw
    return raw


def _first_line(data: bytes) -> str:
    text = data.decode("utf-8", "replace").strip().splitlines()
    return text[0].removeprefix("fatal: ").strip() if text else "no message"


def _git(args: list[str], folder: Path, where: str):
    try:
        return subprocess.run(["git", "-C", str(folder), *args], capture_output=True, timeout=120)
    except FileNotFoundError:
        raise BayesInputError("git is not installed (or not on PATH); --rev reads earlier versions with git show",
                              where) from None
    except subprocess.TimeoutExpired:
        raise BayesInputError("git did not answer within 120 seconds", where) from None


def read_revision(source, rev: str) -> Model:
    """The model file as it was in git revision `rev` (HEAD~1, a commit, a tag), read with `git show`
    from the repository the file lives in; the working tree and the index are not touched."""
    path = resolve_model_path(source)
    where = str(path)
    if (not isinstance(rev, str) or not rev.strip() or rev.startswith("-")
            or any(ch.isspace() or not ch.isprintable() for ch in rev)):
        raise BayesInputError(f"'{rev}' is not a git revision (e.g. HEAD~1, a commit or a tag)", where)
    folder = Path(os.path.abspath(path)).parent
    if not folder.is_dir():
        raise BayesInputError(f"the folder '{folder}' does not exist", where)
    top = _git(["rev-parse", "--show-toplevel"], folder, where)
    if top.returncode != 0:
        raise BayesInputError(f"not in a git repository ({_first_line(top.stderr)}); --rev reads the file's "
                              "earlier versions with git show", where)
    commit = _git(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], folder, where)
    if commit.returncode != 0:
        raise BayesInputError(f"unknown revision '{rev}' in the git repository at "
                              f"{top.stdout.decode('utf-8', 'replace').strip()}", where)
    shown = _git(["show", "--no-textconv", f"{rev}:./{path.name}"], folder, where)
    if shown.returncode != 0:
        raise BayesInputError(f"the file is not in revision '{rev}' ({_first_line(shown.stderr)})", where)
    label = f"{path}@{rev}"
    if len(shown.stdout) > MAX_YAML_BYTES:
        raise BayesInputError(f"the model file is {len(shown.stdout):,} bytes in revision '{rev}'; at most "
                              f"{MAX_YAML_BYTES:,} are read", label)
    text = decode_utf8(shown.stdout, "model file", label)
    return _from_raw(load_yaml_text(text, label), label, path.stem)


POOLED = "pooled"  # the pooled model's name beside the analysts' (a file called pooled.yaml becomes pooled_2)


def analyst_names(models: list[Model]) -> list[str]:
    """Each file's name (its stem), made unique with _2, _3 ... when two files share one (or a file is called
    like the pool itself)."""
    names: list[str] = []
    for m in models:
        base, name, k = m.spec.name, m.spec.name, 2
        while name in names or name == POOLED:
            name, k = f"{base}_{k}", k + 1
        names.append(name)
    return names


# ------------------------------------------------------------------------------------- structure

def structure_difference(a: ModelSpec, b: ModelSpec) -> str | None:
    """The first way two files' structures differ (variables, states, parents; order does not matter), or None."""
    for x, y in ((a, b), (b, a)):
        for v in x.variables:
            if v not in y.variables:
                return f"variable '{v}' is in {x.path} but not in {y.path}"
    for v, var in a.variables.items():
        other = b.variables[v]
        if set(var.states) != set(other.states):
            return (f"the states of '{v}' differ: {a.path} has {', '.join(var.states)}; {b.path} has "
                    f"{', '.join(other.states)}")
        if set(var.parents) != set(other.parents):
            return (f"the parents of '{v}' differ: {a.path} has {', '.join(var.parents) or 'none'}; {b.path} has "
                    f"{', '.join(other.parents) or 'none'}")
    return None


def same_shape(a: ModelSpec, b: ModelSpec, variable: str) -> bool:
    """True when `variable` has the same states and parents (with the same states) in both files, so its rows
    can be compared and swapped one by one."""
    if variable not in a.variables or variable not in b.variables:
        return False
    va, vb = a.variables[variable], b.variables[variable]
    if set(va.states) != set(vb.states) or set(va.parents) != set(vb.parents):
        return False
    return all(p in b.variables and set(a.states(p)) == set(b.states(p)) for p in va.parents)


def aligned_table(spec: ModelSpec, variable: str, ref: ModelSpec) -> np.ndarray:
    """`variable`'s table from `spec`, with its axes in `ref`'s parent order and each axis in `ref`'s state
    order, so tables of two files can be compared entry by entry."""
    return aligned(table_array(spec.variables[variable], spec), spec, variable, ref)


def aligned(array: np.ndarray, spec: ModelSpec, variable: str, ref: ModelSpec) -> np.ndarray:
    """A table of `variable` laid out as in `spec`, with its axes and states put in `ref`'s order."""
    var, rv = spec.variables[variable], ref.variables[variable]
    array = np.transpose(array, [var.parents.index(p) for p in rv.parents] + [len(rv.parents)])
    for axis, name in enumerate(list(rv.parents) + [variable]):
        array = np.take(array, [spec.states(name).index(s) for s in ref.states(name)], axis=axis)
    return array


def row_given(spec: ModelSpec, variable: str, index: tuple) -> dict[str, str]:
    v = spec.variables[variable]
    return {p: spec.states(p)[i] for p, i in zip(v.parents, index)}


def given_text(given: dict[str, str]) -> str:
    return ", ".join(f"{p}={s}" for p, s in given.items()) or "(no parents)"


def row_of(spec: ModelSpec, variable: str, given: dict[str, str]):
    """The TableRow of `variable` for the parents' states in `given` (an index per variable, built once)."""
    index = spec.__dict__.setdefault("_revision_rows", {})
    if variable not in index:
        v = spec.variables[variable]
        index[variable] = {tuple(r.given[p] for p in v.parents): r for r in v.rows}
    v = spec.variables[variable]
    return index[variable].get(tuple(given.get(p) for p in v.parents))


def numbers_text(values: dict) -> str:
    return ", ".join(f"{s} {p:.4g}" for s, p in values.items())


# ------------------------------------------------------------------------------------- writing model files

def dump_model(document: dict, header: str = "") -> str:
    import yaml

    return header + yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=110)


def model_document(ref: Model, tables: dict[str, np.ndarray], rationale_of, *, meta: dict | None = None,
              claims: dict | None = None, scenarios: dict | None = None, outcomes: list | None = None,
              out_path=None) -> dict:
    """A model file (as a dict) with `ref`'s variables, states, parents, descriptions and labels, every
    variable written as a full table of numbers from `tables` with `rationale_of(variable, given)` per row (a
    table of more than ARRAY_ROWS rows as one `array:` block, with `rationale_of(variable, None)`)."""
    spec, raw = ref.spec, raw_document(ref)
    raw_meta = raw.get("model") or {}
    head = {"title": spec.title, "source": spec.source, "as_of": spec.as_of, "author": spec.author}
    if spec.description:
        head["description"] = spec.description
    head["scale"] = spec.scale
    if "concentration" in raw_meta:
        head["concentration"] = spec.concentration
    if spec.source_file and out_path is not None:  # kept only where the written model may name it: its folder
        source = Path(os.path.realpath(Path(spec.path).parent / spec.source_file))
        folder = os.path.realpath(Path(os.path.abspath(out_path)).parent)
        if source.is_file() and os.path.commonpath([folder, source]) == folder:
            head["source_file"] = os.path.relpath(source, folder)
    head.update(meta or {})
    variables = {}
    for name, v in spec.variables.items():
        entry = {"description": v.description}
        if v.label:
            entry["label"] = v.label
        entry["states"] = list(v.states)
        if v.parents:
            entry["parents"] = list(v.parents)
        if v.observable:
            entry["observable"] = True
        table = tables[name]
        if table.size // len(v.states) > ARRAY_ROWS:  # a big table as one block of numbers, as bayes import writes
            entry["array"] = array_entry([*v.parents, name], table, rationale_of(name, None))
            variables[name] = entry
            continue
        rows = []
        for index in np.ndindex(*table.shape[:-1]):
            given = row_given(spec, name, index)
            row = {"given": given} if v.parents else {}
            row["probabilities"] = {s: float(x) for s, x in zip(v.states, table[index])}
            row["rationale"] = rationale_of(name, given)
            rows.append(row)
        entry["table"] = rows
        variables[name] = entry
    document = {"format": "bayes-model/1", "model": head, "variables": variables}
    outcomes = raw.get("outcomes") if outcomes is None else outcomes
    scenarios = raw.get("scenarios") if scenarios is None else scenarios
    claims = raw.get("claims") if claims is None else claims
    if outcomes:
        document["outcomes"] = outcomes
    if scenarios:
        document["scenarios"] = scenarios
    if claims:
        document["claims"] = claims
    return document


def loaded_model(text: str, path, name: str) -> Model:
    """What is about to be written, parsed as any model file is (a bug here would be one line, not a file
    that `bayes check` refuses later)."""
    filename = str(path) if path is not None else f"<{name}>"
    try:
        return _from_raw(load_yaml_text(text, filename), filename, Path(path).stem if path is not None else name)
    except BayesInputError as exc:
        raise BayesInputError(f"the written model would not load: {exc.message}", filename, exc.line) from None


def write_model_text(text: str, path, force: bool) -> Path:
    out = check_output(path, force)
    return atomic_write_text(out, text)
