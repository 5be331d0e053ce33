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
