"""docs/model-file.md documents every key the parser accepts, and its examples parse."""

import re
from pathlib import Path

import pytest
import yaml

from bayes.modelfile import spec
from bayes.analysis.baserates import FIELDS as BASE_RATE_FIELDS
from bayes.analysis.tracking import EVIDENCE_COLUMNS, OUTCOME_COLUMNS

GUIDE = Path(__file__).resolve().parent.parent / "docs" / "model-file.md"


def _section(heading: str) -> str:
    text = GUIDE.read_text(encoding="utf-8")
    m = re.search(rf"^(#+) {re.escape(heading)}\n(.*?)(?=^#{{1,{{level}}}} |\Z)".replace("{level}", "3"), text,
                  re.M | re.S)
    assert m, f"docs/model-file.md has no section '{heading}'"
    return m.group(2)


def _table_keys(section: str) -> set[str]:
    return set(re.findall(r"^\| `([a-z_]+)` \|", section, re.M))


@pytest.mark.parametrize("heading, keys", [
    ("Top level", spec.TOP_KEYS),
    ("model", spec.MODEL_KEYS),
    ("variables", spec.VARIABLE_KEYS),
    ("Table rows", spec.ROW_KEYS),
    ("Rationale", spec.RATIONALE_KEYS),
    ("log_odds", spec.BUILDER_KEYS["log_odds"]),
    ("noisy_or", spec.BUILDER_KEYS["noisy_or"]),
    ("noisy_max", spec.BUILDER_KEYS["noisy_max"]),
    ("array", spec.ARRAY_KEYS),
    ("scenarios", spec.SCENARIO_KEYS),
    ("claims", spec.CLAIM_KEYS),
])
def test_every_key_the_parser_accepts_is_in_the_guide(heading, keys):
    documented = _table_keys(_section(heading))
    assert set(keys) - documented == set(), f"undocumented in '{heading}'"
    assert documented - set(keys) == set(), f"documented in '{heading}' but refused by the parser"


def test_forms_builders_files_and_strength_words_are_all_documented():
    from bayes.modelfile.elicitation import STRENGTH_WORDS

    text = GUIDE.read_text(encoding="utf-8")
    assert set(spec.BUILDER_KEYS) <= set(re.findall(r"^### (\w+)$", text, re.M))
    for form in spec.CLAIM_FORMS:
        assert f"**{form}**" in text
    words = set(re.findall(r"^\| `([a-z ]+)` \|", _section("Strength words"), re.M))
    assert words == set(STRENGTH_WORDS)
    for column in EVIDENCE_COLUMNS + OUTCOME_COLUMNS + list(BASE_RATE_FIELDS):
        assert f"`{column}`" in _section("Evidence and outcomes files")
    assert "BAYES_MODELS_DIR" in _section("Where models are found")


def _load(block):
    import json

    from bayes.modelfile.yamlfile import load_yaml_text

    return json.loads(json.dumps(load_yaml_text(block, "docs/model-file.md")))


def test_the_guides_examples_are_valid_yaml_in_the_format(tmp_path):
    """Each example block parses, and the builder and claim examples load inside a model."""
    import bayes

    blocks = re.findall(r"```yaml\n(.*?)```", GUIDE.read_text(encoding="utf-8"), re.S)
    assert len(blocks) >= 10
    builders = [b for b in blocks if "builder:" in b]
    variables = {}
    for block in builders:
        variables.update(_load(block.replace("    table: ...", "")))
    assert {"escalation", "ceasefire", "polarization", "violence"} <= set(variables)
    # give every parent named in the examples a two-state root table so the builders can load
    parents = {p for v in variables.values() for p in v.get("parents", [])}
    states = {}
    for v in variables.values():
        for p, effects in (v["builder"].get("effects") or v["builder"].get("causes")).items():
            states.setdefault(p, set()).update(effects)
    roots = {}
    for p in parents - set(variables):
        names = sorted(states[p]) + [f"not_{sorted(states[p])[0]}"]
        roots[p] = {"description": "stub", "states": names,
                    "table": [{"probabilities": {s: 1 / len(names) for s in names}, "rationale": {"assumption": "t"}}]}
    for v in variables.values():
        v["description"] = "from the guide"
        v["builder"]["rationale"] = {"assumption": "the guide's example"}
    claims = {}
    for block in blocks:
        data = _load(block)
        for cid, body in data.items():
            if isinstance(body, dict) and "form" in body:
                claims[cid] = body
    assert {c["form"] for c in claims.values()} == set(spec.CLAIM_FORMS)
    model = {"format": "bayes-model/1", "model": {"title": "t", "source": "s", "as_of": "2024-03", "author": "a"},
             "variables": {**roots, **variables}}
    spec_path = tmp_path / "guide_examples.yaml"
    spec_path.write_text(yaml.safe_dump(model, sort_keys=False), encoding="utf-8")
    loaded = bayes.load(spec_path)
    assert loaded.spec.variables["violence"].builder == "noisy_max"
    assert loaded.spec.variables["ceasefire"].states == ("holds", "frays", "collapses")
