"""Set-up files agree with each other: environment.yml declares what pyproject.toml declares."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def _normalise(requirement: str) -> tuple[str, str]:
    m = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", requirement)
    name = m.group(1).lower().replace("_", "-").replace(".", "-")
    return name, m.group(2).replace(" ", "")


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    wanted = [*project["dependencies"], *extras["test"]]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    declared = [d for d in env["dependencies"] if isinstance(d, str) and not re.match(r"(python|pip)([=<>!~ ]|$)", d)]
    assert sorted(map(_normalise, declared)) == sorted(map(_normalise, wanted))
    assert "conda-forge" in env["channels"]


def test_makefile_targets_and_ci():
    makefile = (ROOT / "Makefile").read_text()
    for target in ("brief:", "test:", "lab:"):
        assert re.search(rf"^{target}", makefile, re.M), target
    assert "-m venv" in makefile and "pip install" in makefile
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in ci


def test_readme_shows_the_two_commands_first():
    readme = (ROOT / "README.md").read_text()
    first_block = readme.split("```")[1]
    assert "make brief" in first_block and "make test" in first_block
