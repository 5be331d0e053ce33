"""Every notebook runs headless without a cell error; the briefing renders HTML without code."""

import json
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))

pytestmark = pytest.mark.notebooks


def test_there_are_notebooks():
    names = [p.name for p in NOTEBOOKS]
    assert "01_model_and_claims.ipynb" in names and "briefing.ipynb" in names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_is_committed_without_outputs(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell.get("outputs") == [] and cell.get("execution_count") is None


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_headless(path):
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert errors == []
    images = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if "image/png" in o.get("data", {})]
    assert images, "the notebook should draw at least one chart"


def test_brief_renders_html_without_code_and_pngs(tmp_path, bayes_cli):
    code, out, err = bayes_cli("brief", "caucasus_2020", "--out", tmp_path)
    assert code == 0, err
    html = (tmp_path / "brief.html").read_text(encoding="utf-8")
    assert "Briefing: Can Russia mediate" in html
    assert "import bayes" not in html and "briefing_charts(" not in html
    assert "unlikely (24%" in html  # baseline escalation in the headline table
    pngs = sorted(p.name for p in tmp_path.glob("*.png"))
    assert "scenario_escalation.png" in pngs and "network.png" in pngs
    assert "Briefing:" in out and "baseline" in out
    assert not list(tmp_path.glob(".*"))
