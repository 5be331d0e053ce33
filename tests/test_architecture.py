"""The package's layers, read from its code: every import (module level or inside a function) goes down or
stays in its own folder, no modules import each other in a circle, no module grows past about 600 lines
without saying why, and docs/architecture.md names exactly the modules that exist.

The layers, bottom to top (docs/architecture.md explains each):
  base       bayes/errors.py, bayes/fileio.py, bayes/progress.py
  modelfile  bayes/modelfile/   what the analyst writes
  inference  bayes/inference/   answers from a model
  model      bayes/model.py     the Model facade notebooks hold
  analysis   bayes/analysis/    what analysts ask of a model
  outputs    bayes/outputs/     what readers see
  exchange   bayes/exchange/    other tools' formats, generated models
  cli        bayes/cli/         the `bayes` command
  package    bayes/__init__.py  `import bayes`
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "bayes"
LAYERS = ["base", "modelfile", "inference", "model", "analysis", "outputs", "exchange", "cli", "package"]
BASE = {"bayes.errors", "bayes.fileio", "bayes.progress"}
MAX_LINES = 650  # "about 600"; a longer module says in its docstring why it reads better whole
WHOLE = "reads better whole"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def layer_of(module: str) -> str:
    """The layer a module belongs to; an unknown top-level module is a test failure, not a guess."""
    if module == "bayes":
        return "package"
    if module in BASE:
        return "base"
    if module == "bayes.model":
        return "model"
    first = module.split(".")[1]
    if first in ("modelfile", "inference", "analysis", "outputs", "exchange", "cli"):
        return first
    raise AssertionError(f"{module} belongs to no layer: put it in a layer folder, or add it to the map in "
                         "docs/architecture.md and to tests/test_architecture.py")


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py")) if p.name != "__main__.py"}


def imports_of(path: Path, known: set[str]) -> list[tuple[str, int]]:
    """(imported bayes module, line) for every import in the file, at any depth. `from bayes.x import y`
    names the submodule bayes.x.y when there is one, else bayes.x."""
    tree = ast.parse(path.read_text())
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}:{node.lineno}: relative import (the package imports absolutely)"
            if node.module and (node.module == "bayes" or node.module.startswith("bayes.")):
                for alias in node.names:
                    sub = f"{node.module}.{alias.name}"
                    found.append((sub if sub in known else node.module, node.lineno))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "bayes" or alias.name.startswith("bayes."):
                    found.append((alias.name, node.lineno))
    return found


def import_graph() -> dict[str, list[tuple[str, int]]]:
    mods = modules()
    known = set(mods)
    return {m: [(t, line) for t, line in imports_of(p, known) if t != m] for m, p in mods.items()}


def upward_imports(graph) -> list[str]:
    """Imports from a higher layer (within a layer, a folder's modules may import each other)."""
    bad = []
    for mod, targets in graph.items():
        here = LAYERS.index(layer_of(mod))
        for target, line in targets:
            there = LAYERS.index(layer_of(target))
            if there > here:
                bad.append(f"{mod} (line {line}, layer {layer_of(mod)}) imports {target} (layer {layer_of(target)})")
    return bad


def circles(graph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each sorted."""
    index, low, stack, on_stack, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w, _ in graph.get(v, []):
            if w not in graph:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_every_module_has_a_layer():
    for mod in modules():
        layer_of(mod)


def test_imports_only_go_down():
    bad = upward_imports(import_graph())
    assert not bad, "upward imports:\n" + "\n".join(bad)


def test_no_import_circles():
    found = circles(import_graph())
    assert not found, "modules that import each other in a circle: " + "; ".join(" <-> ".join(c) for c in found)


def test_the_checks_catch_a_planted_upward_import_and_circle():
    """The two rules on a made-up graph: an engine that reaches up to the charts, and two modules in a circle."""
    graph = {"bayes.inference.engine": [("bayes.outputs.charts", 3), ("bayes.errors", 4)],
             "bayes.outputs.charts": [("bayes.inference.engine", 9)],
             "bayes.errors": []}
    assert upward_imports(graph) == ["bayes.inference.engine (line 3, layer inference) imports bayes.outputs.charts "
                                     "(layer outputs)"]
    assert circles(graph) == [["bayes.inference.engine", "bayes.outputs.charts"]]
    with pytest.raises(AssertionError, match="belongs to no layer"):
        layer_of("bayes.helpers")


def test_no_module_over_about_600_lines_without_its_reason():
    long = []
    for mod, path in modules().items():
        lines = len(path.read_text().splitlines())
        doc = ast.get_docstring(ast.parse(path.read_text())) or ""
        if lines > MAX_LINES and WHOLE not in doc:
            long.append(f"{mod}: {lines} lines")
    assert not long, f"split these, or say in the docstring why each {WHOLE}: " + ", ".join(long)


def test_every_module_has_a_docstring():
    missing = [m for m, p in modules().items() if not ast.get_docstring(ast.parse(p.read_text()))]
    assert not missing, "modules without a docstring saying what they hold: " + ", ".join(missing)


def test_architecture_map_matches_the_tree():
    text = (ROOT / "docs" / "architecture.md").read_text()
    named = set(re.findall(r"`(bayes/[\w/]+\.py)`", text)) | {p + "/__init__.py" for p in
                                                                re.findall(r"`(bayes/[\w/]+)/`", text)}
    files = {str(p.relative_to(ROOT)) for p in PACKAGE.rglob("*.py")}
    missing = sorted(f for f in files if f not in named and not f.endswith("__init__.py")
                     and not f.endswith("__main__.py"))
    stale = sorted(f for f in named if f not in files)
    assert not missing, f"docs/architecture.md does not name: {missing}"
    assert not stale, f"docs/architecture.md names files that do not exist: {stale}"
