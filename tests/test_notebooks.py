"""Every notebook runs headless, for any analyst's model, without a cell error; the briefing renders HTML
without code for each model.

Notebooks with a `parameters` cell that sets `model` run (with papermill, `draws` kept small) against the
flagship, a generated model with long labels (bayes.exchange.synthetic), the second shipped model river_ceasefire
and a bare model with no outcomes, scenarios, claims or observable variables. For every model but the
flagship, no flagship variable, state or scenario name may appear in any output.
"""

import json
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
DRAWS = 200  # enough for intervals (the toolkit refuses fewer than 20), small enough for a quick suite

pytestmark = pytest.mark.notebooks


def _parameters_cell(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    if code and "parameters" in code[0].get("metadata", {}).get("tags", []):
        return "".join(code[0]["source"])
    return None


PARAMETERISED = [p for p in NOTEBOOKS if re.search(r"^model\s*=", _parameters_cell(p) or "", re.M)]
OTHERS = [p for p in NOTEBOOKS if p not in PARAMETERISED]
OURS = ["01_model_and_claims", "02_scenarios", "03_indicators_and_sensitivity", "04_tracking", "briefing"]


def test_there_are_notebooks():
    names = [p.name for p in NOTEBOOKS]
    assert "01_model_and_claims.ipynb" in names and "briefing.ipynb" in names
    assert {p.stem for p in PARAMETERISED} >= set(OURS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_is_committed_without_outputs(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell.get("outputs") == [] and cell.get("execution_count") is None
    # no kernel metadata churn: the plain python3 kernelspec and the full language_info a kernel reports, so
    # opening the notebook in JupyterLab leaves nothing to fill in (it would otherwise mark it modified)
    assert nb["metadata"]["kernelspec"] == {"display_name": "Python 3 (ipykernel)", "language": "python",
                                            "name": "python3"}
    info = nb["metadata"]["language_info"]
    assert info["name"] == "python" and {"version", "mimetype", "file_extension", "codemirror_mode", "pygments_lexer",
                                         "nbconvert_exporter"} <= set(info)
    assert set(nb["metadata"]) == {"kernelspec", "language_info"}


@pytest.mark.parametrize("name", OURS)
def test_first_code_cell_holds_the_parameters(name):
    source = _parameters_cell(ROOT / "notebooks" / f"{name}.ipynb")
    assert source is not None, "the first code cell must be tagged 'parameters'"
    assert 'model = os.environ.get("BAYES_MODEL", "caucasus_2020")' in source
    assert re.search(r"^target = None$", source, re.M)
    assert re.search(r"^draws = 2000", source, re.M) and re.search(r"^seed = 2020$", source, re.M)


@pytest.mark.parametrize("name", OURS)
def test_notebook_sources_name_no_flagship_variable_state_or_scenario(name, flagship):
    nb = json.loads((ROOT / "notebooks" / f"{name}.ipynb").read_text(encoding="utf-8"))
    text = "\n".join("".join(c["source"]) for c in nb["cells"])
    assert _flagship_names_in(text, _flagship_names(flagship)) == []


# ------------------------------------------------------------------------------------- models

@pytest.fixture(scope="session")
def model_paths(tmp_path_factory):
    """name -> path (or shipped name) of each model the notebooks run against; None when not available."""
    from tiny import TINY

    from bayes.exchange.synthetic import write_random_model

    folder = tmp_path_factory.mktemp("models")
    bare = folder / "bare_model.yaml"
    bare.write_text(TINY.split("outcomes:")[0].replace("rationale: {claims: [T1]}",
                                                       "rationale: {assumption: textbook number}"), encoding="utf-8")
    river = ROOT / "data" / "models" / "river_ceasefire.yaml"
    return {"caucasus_2020": "caucasus_2020",
            "generated": str(write_random_model(folder / "generated_long_labels.yaml", seed=0)),
            "river_ceasefire": "river_ceasefire" if river.is_file() else None,
            "bare": str(bare)}


MODELS = ["caucasus_2020", "generated", "river_ceasefire", "bare"]


def _model_or_skip(model_paths, key):
    if model_paths[key] is None:
        pytest.skip(f"data/models/{key}.yaml does not exist yet (another change adds it)")
    return model_paths[key]


def _flagship_names(flagship) -> set[str]:
    names = {*flagship.variables, *(s for v in flagship.variables for s in flagship.states(v)),
             *flagship.spec.scenarios}
    return names - {"baseline"}  # the toolkit's own word for the no-evidence scenario


def _flagship_names_in(text: str, names) -> list[str]:
    """Flagship names in `text`, as identifiers or in words (underscores as spaces), case-insensitive."""
    text = text.lower()
    return sorted(n for n in names if re.search(rf"\b{re.escape(n.lower())}\b", text)
                  or re.search(rf"\b{re.escape(n.replace('_', ' ').lower())}\b", text))


def _forbidden(flagship, key, model) -> set[str]:
    """Flagship names that must not show for `model`: all of them, but for words the model's own file uses."""
    if key == "caucasus_2020":
        return set()
    from bayes.modelfile.locate import resolve_model_path

    own = resolve_model_path(model).read_text(encoding="utf-8")
    names = _flagship_names(flagship)
    return names - set(_flagship_names_in(own, names))


def _outputs_text(nb) -> str:
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                parts.append(out.get("text", ""))
            for mime in ("text/plain", "text/html", "text/markdown"):
                value = out.get("data", {}).get(mime)
                if value:
                    parts.append(value if isinstance(value, str) else "".join(value))
    return "\n".join(parts)


@pytest.mark.parametrize("key", MODELS)
@pytest.mark.parametrize("path", PARAMETERISED, ids=[p.stem for p in PARAMETERISED])
def test_notebook_runs_for_any_model(path, key, model_paths, flagship, tmp_path):
    import papermill

    model = _model_or_skip(model_paths, key)
    out = tmp_path / path.name
    params = {"model": model}
    if re.search(r"^draws\s*=", _parameters_cell(path), re.M):
        params["draws"] = DRAWS
    # papermill raises PapermillExecutionError, naming the cell, on any cell error
    papermill.execute_notebook(str(path), str(out), parameters=params, kernel_name="python3", progress_bar=False,
                               log_output=False, cwd=str(path.parent), execution_timeout=300)
    nb = nbformat.read(out, as_version=4)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert errors == []
    images = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if "image/png" in o.get("data", {})]
    assert images, "the notebook should draw at least one chart"
    leaked = _flagship_names_in(_outputs_text(nb), _forbidden(flagship, key, model))
    assert leaked == [], f"flagship names in the outputs for {key}: {leaked}"
    _check_headline_numbers(path.stem, model, _outputs_text(nb))
    if key in ("caucasus_2020", "river_ceasefire"):  # labels written for readers (a generated label may hold a colon)
        assert _narrative_problems(nb, model) == []


def _narrative_problems(nb, model) -> list[str]:
    """The notebook's narrative (its Markdown outputs) reads like the brief: no id, doubled word pair, two
    colons in a clause or nested brackets in what the toolkit composes. Code spans (`a_file.yaml`, an id
    named so it can be found in the file) are the analyst's handles, and the analyst's own free text is
    shown as written: both are left out. Tables and printed logs are data views."""
    import bayes
    from test_labels import masked, problems

    m = bayes.load(model)
    found = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            text = out.get("data", {}).get("text/markdown")
            if text:
                text = re.sub(r"`[^`]*`", "", text if isinstance(text, str) else "".join(text))
                found += problems(masked(text.replace("*", ""), m))
    return found


# what each notebook prints of the headline outcomes (04_tracking shows them only in its charts, whose
# numbers tests/test_tracking.py checks)
PRINTS_HEADLINE = {"01_model_and_claims": "all", "02_scenarios": "all", "briefing": "all",
                   "03_indicators_and_sensitivity": "target"}


def _check_headline_numbers(stem, model, text):
    """The numbers a notebook prints are the model's: each headline outcome's baseline probability, from a
    plain query, appears in the outputs in words and whole percent ('unlikely (26%')."""
    import bayes
    from bayes.analysis.scenarios import headline_states
    from bayes.modelfile.scales import describe

    if stem not in PRINTS_HEADLINE:
        return
    m = bayes.load(model)
    outcomes = list(headline_states(m).items())
    for var, state in outcomes if PRINTS_HEADLINE[stem] == "all" else outcomes[:1]:
        expected = describe(m.probability(f"{var}={state}"), m.scale).split(")")[0]
        assert expected in text, f"{stem} does not print P({var}={state}) as {expected!r}"


@pytest.mark.parametrize("path", OTHERS, ids=[p.stem for p in OTHERS])
def test_other_notebooks_run_headless(path):
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert errors == []
    images = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if "image/png" in o.get("data", {})]
    assert images, "the notebook should draw at least one chart"


# ------------------------------------------------------------------------------------- the briefing

def test_brief_renders_html_without_code_and_pngs(tmp_path, bayes_cli, flagship):
    from bayes.modelfile.scales import describe

    code, out, err = bayes_cli("brief", "caucasus_2020", "--out", tmp_path)
    assert code == 0, err
    html = (tmp_path / "brief.html").read_text(encoding="utf-8")
    assert "Briefing: Can Russia mediate" in html
    assert "import bayes" not in html and "briefing_charts(" not in html
    assert "claims fail" not in html  # every flagship claim holds: no warning banner
    baseline = describe(flagship.probability("escalation=escalates_to_wider_war"), flagship.scale)
    assert baseline.split(")")[0] in html  # baseline escalation in the headline table, e.g. "unlikely (26%"
    pngs = sorted(p.name for p in tmp_path.glob("*.png"))
    assert "scenario_escalation.png" in pngs and "network.png" in pngs
    assert "Briefing:" in out and "baseline" in out
    assert not list(tmp_path.glob(".*"))


@pytest.mark.parametrize("key", ["generated", "river_ceasefire", "bare"])
def test_brief_renders_for_other_models(key, model_paths, flagship, tmp_path, bayes_cli):
    import bayes
    from bayes.outputs.brief_charts import chart_names

    model = _model_or_skip(model_paths, key)
    hires = ("--hires",) if key == "bare" else ()  # @2x files on request
    code, out, err = bayes_cli("brief", model, "--out", tmp_path, *hires)
    assert code == 0, err
    m = bayes.load(model)
    html = (tmp_path / "brief.html").read_text(encoding="utf-8")
    assert f"Briefing: {m.title}" in html and "import bayes" not in html
    expected = chart_names(m)
    assert "network" in expected and len(expected) >= 2
    for name in expected:
        assert (tmp_path / f"{name}.png").stat().st_size > 10_000, name
        assert (tmp_path / f"{name}.svg").is_file(), name
        assert (tmp_path / f"{name}@2x.png").is_file() == bool(hires), name
    leaked = _flagship_names_in(html, _forbidden(flagship, key, model))
    assert leaked == [], f"flagship names in the briefing of {key}: {leaked}"


def test_brief_with_failing_claims_is_written_marked_and_exits_1(tmp_path, bayes_cli):
    """A failing claim does not stop the brief: it is written, says so on its first screen, the terminal
    lists each failure with its fix, and the exit code is 1."""
    from tiny import TINY

    model = tmp_path / "sprinkler.yaml"
    model.write_text(TINY.replace("range: [0.1, 0.3]", 'band: "25-40%"'), encoding="utf-8")
    out_dir = tmp_path / "out"
    code, out, err = bayes_cli("brief", model, "--out", out_dir)
    assert code == 1, err
    assert "1 of 3 claims FAIL" in out and f"{model}:" in out and "claim T2 fails: very unlikely (20.0%)" in out
    html = (out_dir / "brief.html").read_text(encoding="utf-8")
    warning = html.index("Warning: 1 of 3 claims fail")
    assert warning < html.index("Headline")  # on the first screen, above the headline table
    assert "T2" in html[warning:warning + 2000] and "25% &lt;= P &lt;= 40%" in html[warning:warning + 2000]


def test_brief_is_quiet_on_stderr_when_piped(bayes_exe, tmp_path):
    """No kernel chatter ("Kernel is running over TCP without encryption") in an analyst's terminal: with
    `--notebook` the briefing kernel talks over local sockets, and piped output has no progress bar. The
    executed notebook shows the brief the command wrote, without an error."""
    import json
    import subprocess

    proc = subprocess.run([bayes_exe, "brief", "river_ceasefire", "--out", str(tmp_path / "b"), "--notebook"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    assert (tmp_path / "b" / "brief.html").is_file() and f"Notebook: {tmp_path / 'b' / 'brief.ipynb'}" in proc.stdout
    cells = json.loads((tmp_path / "b" / "brief.ipynb").read_text())["cells"]
    outputs = [o for c in cells if c["cell_type"] == "code" for o in c.get("outputs", [])]
    assert outputs and not [o for o in outputs if o.get("output_type") == "error"]
    assert any("Vessa river ceasefire" in "".join(o.get("data", {}).get("text/markdown", "")) for o in outputs)
    # what the notebook shows a reader is in the analyst's labels: no variable or state id (the claims table
    # once showed each check's formula, 'P(amnesty_law=passed | kardan_politics=coalition_holds) ...')
    import html as html_lib
    import re

    import bayes

    model = bayes.load("river_ceasefire")
    ids = {v for v in model.variables if "_" in v} | {s for v in model.variables for s in model.states(v) if "_" in s}
    shown = " ".join(html_lib.unescape(re.sub(r"<style.*?</style>|<[^>]+>", " ", "".join(o.get("data", {}).get(kind, ""))
                                                                   , flags=re.S))
                     for o in outputs for kind in ("text/html", "text/markdown"))
    assert ids and not sorted(i for i in ids if re.search(rf"\b{i}\b", shown))


def test_brief_without_notebook_starts_no_kernel(bayes_cli, tmp_path):
    """The brief is computed in the command's own process: no brief.ipynb, no kernel's temporary files."""
    code, out, err = bayes_cli("brief", "river_ceasefire", "--out", tmp_path)
    assert code == 0, err
    assert not (tmp_path / "brief.ipynb").exists() and "Notebook:" not in out
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix in (".html", ".pptx", ".json")) == [
        "brief.html", "brief.json", "brief.pptx"]


def test_a_brief_that_fails_while_its_charts_are_drawn_stops_them_and_says_why(bayes_cli, tmp_path):
    """`bayes brief` starts drawing its charts before it asks the claims; a claim that cannot be asked (its
    condition has probability 0) ends the command in one line, and no drawing process is left behind."""
    import multiprocessing

    text = """\
format: bayes-model/1
model: {title: Impossible, source: tests, as_of: 2024-01, author: tests}
variables:
  x:
    description: the cause
    states: [a, b]
    table:
      - probabilities: {a: 1.0, b: 0.0}
        rationale: {assumption: b never happens}
  y:
    description: the effect
    states: ['no', 'yes']
    parents: [x]
    table:
      - given: {x: a}
        probabilities: {'no': 0.7, 'yes': 0.3}
        rationale: {assumption: a}
      - given: {x: b}
        probabilities: {'no': 0.2, 'yes': 0.8}
        rationale: {claims: [K1]}
outcomes:
  - y: 'yes'
scenarios:
  seen_a:
    observe: {x: a}
claims:
  K1:
    quote: "if b, then yes"
    form: probability
    outcome: {y: 'yes'}
    if: {x: b}
    band: likely
"""
    path = tmp_path / "impossible.yaml"
    path.write_text(text, encoding="utf-8")
    code, out, err = bayes_cli("brief", path, "--out", tmp_path / "out")
    assert code == 2 and err.startswith("ERROR: ") and err.count("\n") == 1 and "claim K1" in err, err
    assert multiprocessing.active_children() == []
    assert not (tmp_path / "out" / "brief.html").exists()
