"""Outputs never clobber: an existing file needs --force; a bad -o is one line and writes nothing."""

import os

import pytest


@pytest.mark.parametrize("command", ["export", "import", "new"])
def test_outputs_refuse_to_overwrite_without_force(tmp_path, bayes_cli, command):
    source = tmp_path / "model.bifxml"
    assert bayes_cli("export", "caucasus_2020", "--format", "xmlbif", "-o", source)[0] == 0
    args = {"export": ["export", "caucasus_2020", "--format", "bif"], "import": ["import", source],
            "new": ["new", "mine"]}[command]
    out = tmp_path / "out.file"
    out.write_text("the analyst's own file\n", encoding="utf-8")
    code, stdout, err = bayes_cli(*args, "-o", out)
    assert code == 2 and stdout == "" and err.count("\n") == 1 and "already exists" in err and "--force" in err
    assert out.read_text(encoding="utf-8") == "the analyst's own file\n"
    code, _, err = bayes_cli(*args, "-o", out, "--force")
    assert code == 0, err
    assert out.read_text(encoding="utf-8") != "the analyst's own file\n"


@pytest.mark.parametrize("where, message", [
    ("folder", "names a folder"), ("under_file", "which is a file"), ("missing", "does not exist"),
    ("read_only", "cannot be written"),
])
def test_bad_output_places_are_one_line(tmp_path, bayes_cli, where, message):
    if where == "read_only" and os.geteuid() == 0:
        pytest.skip("root can write into a read-only folder")
    (tmp_path / "a_file").write_text("x")
    (tmp_path / "ro").mkdir(mode=0o555)
    out = {"folder": tmp_path, "under_file": tmp_path / "a_file" / "x.bif", "missing": tmp_path / "no" / "x.bif",
           "read_only": tmp_path / "ro" / "x.bif"}[where]
    for args in (["export", "caucasus_2020", "--format", "bif", "-o", out], ["new", "mine", "-o", out]):
        code, _, err = bayes_cli(*args)
        assert code == 2 and err.count("\n") == 1 and message in err, (args, err)


def test_brief_out_must_be_a_folder(tmp_path, bayes_cli):
    target = tmp_path / "brief.html"
    target.write_text("keep me")
    code, _, err = bayes_cli("brief", "caucasus_2020", "--out", target)
    assert code == 2 and "must be a folder" in err and target.read_text() == "keep me"


@pytest.mark.parametrize("name", ["../../../x", "/etc/passwd", "a/../../b", "..", "", "scenario_escalation",
                                  "x" * 300, "name with spaces\n"])
def test_output_file_names_stay_inside_the_folder(tmp_path, name):
    from bayes.fileio import safe_child

    path = safe_child(tmp_path, name)
    assert path.parent == tmp_path and path.name not in ("", ".", "..") and "/" not in path.name
    assert len(path.name) <= 100
    if name == "scenario_escalation":
        assert path.name == name  # a model's names are identifiers already: unchanged


def test_a_model_file_named_dots_briefs_into_its_own_folder(tmp_path, bayes_cli, monkeypatch):
    """'...yaml' has the stem '..': its brief goes to reports/model, not into the working directory."""
    from tiny import TINY

    work = tmp_path / "work"
    work.mkdir()
    (work / "...yaml").write_text(TINY, encoding="utf-8")
    monkeypatch.chdir(work)
    code, out, err = bayes_cli("brief", work / "...yaml")
    assert code == 0, err
    assert sorted(p.name for p in work.iterdir()) == ["...yaml", "reports"]
    assert (work / "reports" / "model" / "brief.html").is_file()
    assert sorted(p.name for p in (work / "reports").iterdir()) == ["model"]


def test_a_brief_replaces_only_what_a_brief_wrote(tmp_path, bayes_cli):
    """A folder holding an earlier brief (brief.json) is updated in place; a file of a brief's name in any
    other folder is refused, untouched, unless --force."""
    from tiny import TINY

    model = tmp_path / "sprinkler.yaml"
    model.write_text(TINY, encoding="utf-8")
    folder = tmp_path / "slides"
    folder.mkdir()
    (folder / "network.png").write_bytes(b"someone else's picture")
    code, _, err = bayes_cli("brief", model, "--out", folder)
    assert code == 2 and "already holds network.png, not written by a brief" in err and "--force" in err
    assert (folder / "network.png").read_bytes() == b"someone else's picture"
    assert sorted(p.name for p in folder.iterdir()) == ["network.png"]
    code, _, err = bayes_cli("brief", model, "--out", folder, "--force")
    assert code == 0, err
    assert (folder / "brief.json").is_file() and (folder / "network.png").read_bytes()[:4] == b"\x89PNG"
    code, _, err = bayes_cli("brief", model, "--out", folder)  # an earlier brief's folder: updated in place
    assert code == 0, err


def test_a_brief_never_writes_through_a_link_or_over_what_it_did_not_write(tmp_path, bayes_cli):
    """Links of a brief's names are refused (with --force the link itself is replaced, its target kept); a
    brief.json that is not a brief's does not make the folder a brief's; a folder of a brief's name is
    refused; a brief stopped half-way (its started mark) is run again into its folder."""
    import json

    from tiny import TINY

    import bayes
    from bayes.errors import BayesInputError
    from bayes.outputs.brief import _mark_started, _refuse_to_replace, read_previous_record

    model_path = tmp_path / "tiny.yaml"
    model_path.write_text(TINY, encoding="utf-8")
    model = bayes.load(model_path)
    victim, out = tmp_path / "victim.html", tmp_path / "out"
    out.mkdir()
    victim.write_text("mine", encoding="utf-8")
    (out / "brief.html").symlink_to(victim)
    code, _, err = bayes_cli("brief", model_path, "--out", out)
    assert code == 2 and "brief.html is a link" in err and victim.read_text(encoding="utf-8") == "mine"
    code, _, err = bayes_cli("brief", model_path, "--out", out, "--force")
    assert code == 0, err
    assert victim.read_text(encoding="utf-8") == "mine" and not (out / "brief.html").is_symlink()
    other = tmp_path / "other"
    other.mkdir()
    (other / "brief.json").write_text('{"not": "a brief"}', encoding="utf-8")
    (other / "brief.html").write_text("my notes", encoding="utf-8")
    with pytest.raises(BayesInputError, match="not written by a brief"):
        _refuse_to_replace(model, other, force=False)
    (other / "brief.html").unlink()
    (other / "brief.html").mkdir()
    with pytest.raises(BayesInputError, match="'brief.html' is a folder"):
        _refuse_to_replace(model, other, force=True)
    half = tmp_path / "half"
    half.mkdir()
    _mark_started(half)
    (half / "network.png").write_bytes(b"half a brief")
    _refuse_to_replace(model, half, force=False)  # no error: a brief started here
    assert read_previous_record(half) is None  # and nothing to compare with
    assert json.loads((half / "brief.json").read_text(encoding="utf-8")) == {"format": "bayes-brief/1", "complete": False}
