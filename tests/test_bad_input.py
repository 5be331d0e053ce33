"""Every kind of bad model file gives one message naming the file, the line and what was expected;
the CLI exits 2 with that one line and no traceback."""

import json
import subprocess

import pytest
from tiny import TINY

import bayes
from bayes.errors import ModelFileError

WET_LAST_ROW = """      - given: {rain: yes, sprinkler: on}
        probabilities: {dry: 0.01, wet: 0.99}
        rationale: {assumption: textbook number}
"""

# (id, text, marker whose line the error must name (None: line not checked), message fragment)
CASES = [
    ("not_yaml", TINY.replace("states: [no, yes]", "states: [no, yes"), None, "not valid YAML"),
    ("empty_file", "", None, "the file is empty"),
    ("only_comments", "# nothing here\n", None, "the file is empty"),
    ("top_not_mapping", "- a\n- b\n", None, "must be a mapping"),
    ("python_tag_not_executed", "model: !!python/object/apply:os.system ['echo pwned']\n", "model:",
     "could not determine a constructor"),
    ("unknown_top_key", TINY + "extras: 1\n", "extras:", "unknown key 'extras'"),
    ("unknown_variable_key", TINY.replace("    description: Whether it rains.", "    descripton: Whether it rains."),
     "descripton", "unknown key 'descripton' in variable 'rain'"),
    ("unknown_row_key", TINY.replace("        rationale: {claims: [T1]}", "        reason: {claims: [T1]}"),
     "reason:", "unknown key 'reason'"),
    ("unknown_claim_key", TINY.replace("    strength: far_more", "    strenght: far_more"), "strenght",
     "unknown key 'strenght' in claim T1"),
    ("cycle", TINY.replace("    description: Whether it rains.\n",
                           "    description: Whether it rains.\n    parents: [wet_grass]\n"),
     "parents: [wet_grass]", "cycle"),
    ("unknown_parent", TINY.replace("parents: [rain]", "parents: [rian]"), "parents: [rian]",
     "unknown parent 'rian'"),
    ("unknown_state_in_given", TINY.replace("given: {rain: yes}", "given: {rain: maybe}"), "rain: maybe",
     "unknown state 'maybe' of 'rain'"),
    ("unknown_state_in_probabilities", TINY.replace("{off: 0.6, on: 0.4}", "{off: 0.6, onn: 0.4}"), "onn: 0.4",
     "unknown state 'onn' of 'sprinkler'"),
    ("unknown_state_in_scenario", TINY.replace("observe: {sprinkler: on}", "observe: {sprinkler: maybe}"),
     "sprinkler: maybe", "unknown state 'maybe' of 'sprinkler'"),
    ("unknown_variable_in_scenario", TINY.replace("observe: {sprinkler: on}", "observe: {sprinklr: on}"),
     "sprinklr: on", "unknown variable 'sprinklr'"),
    ("unknown_state_in_claim", TINY.replace("outcome: {wet_grass: wet}", "outcome: {wet_grass: soaked}"),
     "wet_grass: soaked", "unknown state 'soaked' of 'wet_grass'"),
    ("unknown_variable_in_claim", TINY.replace("if: {sprinkler: on}", "if: {sprinkle: on}"), "sprinkle: on",
     "unknown variable 'sprinkle'"),
    ("row_missing", TINY.replace(WET_LAST_ROW, ""), "    table:\n      - given: {rain: no, sprinkler: off}",
     "missing e.g. rain=yes, sprinkler=on"),
    ("row_duplicated", TINY.replace("given: {rain: yes, sprinkler: on}", "given: {rain: yes, sprinkler: off}"),
     "{rain: yes, sprinkler: off}\n        probabilities: {dry: 0.01", "duplicate row"),
    ("row_not_summing_to_one", TINY.replace("{no: 0.8, yes: 0.2}", "{no: 0.8, yes: 0.3}"), "{no: 0.8, yes: 0.3}",
     "sum to 1.1"),
    ("probability_below_zero", TINY.replace("{dry: 0.1, wet: 0.9}", "{dry: -0.1, wet: 1.1}"), "dry: -0.1",
     "between 0 and 1"),
    ("probability_above_one", TINY.replace("{dry: 1.0, wet: 0.0}", "{dry: 1.5, wet: -0.5}"), "dry: 1.5",
     "between 0 and 1"),
    ("probability_not_a_number", TINY.replace("{no: 0.8, yes: 0.2}", "{no: high, yes: 0.2}"), "no: high",
     "is not a number, a range"),
    ("duplicate_states", TINY.replace("states: [no, yes]", "states: [no, no]"), "states: [no, no]",
     "duplicate state 'no'"),
    ("duplicate_variable", TINY.replace("outcomes:", "  rain:\n    description: again\n    states: [a, b]\noutcomes:"),
     "  rain:\n    description: again", "duplicate key 'rain'"),
    ("missing_rationale", TINY.replace("        rationale: {claims: [T1]}\n", ""), "given: {rain: no, sprinkler: on}",
     "needs a 'rationale'"),
    ("rationale_cites_unknown_claim", TINY.replace("rationale: {claims: [T1]}", "rationale: {claims: [T9]}"),
     "rationale: {claims: [T9]}", "cites claim 'T9'"),
    ("single_state", TINY.replace("states: [no, yes]", "states: [no]"), "states: [no]", "at least two"),
]


def _line_of(text, marker):
    return text[: text.index(marker)].count("\n") + 1


@pytest.mark.parametrize("case_id,text,marker,fragment", CASES, ids=[c[0] for c in CASES])
def test_bad_model_file_names_file_line_and_problem(write_model, case_id, text, marker, fragment):
    path = write_model(text)
    with pytest.raises(ModelFileError) as err:
        bayes.load(path)
    exc = err.value
    assert exc.file == str(path)
    assert fragment in exc.message
    if marker is not None:
        assert exc.line == _line_of(text, marker), exc.location_message()
    else:
        assert exc.line is not None


@pytest.mark.parametrize("case_id,text,marker,fragment", CASES[:6] + CASES[9:12] + CASES[17:21],
                         ids=[c[0] for c in CASES[:6] + CASES[9:12] + CASES[17:21]])
def test_cli_reports_one_line_and_exits_2(write_model, bayes_cli, case_id, text, marker, fragment):
    path = write_model(text)
    code, out, err = bayes_cli("check", path)
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"ERROR: {path}:")
    assert fragment in lines[0]


def test_cli_subprocess_has_no_traceback(write_model, bayes_exe):
    path = write_model(TINY.replace("{no: 0.8, yes: 0.2}", "{no: 0.8, yes: 0.3}"))
    for args in (["check", str(path)], ["query", str(path), "rain"], ["scenarios", str(path)]):
        proc = subprocess.run([bayes_exe, *args], capture_output=True, text=True, timeout=120)
        assert proc.returncode == 2
        assert "Traceback" not in proc.stderr
        assert proc.stderr.count("\n") == 1
        assert proc.stderr.startswith(f"ERROR: {path}:")


def test_query_naming_unknown_variable(bayes_cli):
    code, out, err = bayes_cli("query", "caucasus_2020", "escalatoin")
    assert code == 2 and out == ""
    assert err.count("\n") == 1
    assert "unknown variable 'escalatoin'" in err
    assert err.startswith("ERROR: ") and "caucasus_2020.yaml" in err


def test_unknown_model_name(bayes_cli):
    code, _, err = bayes_cli("check", "no_such_model")
    assert code == 2
    assert "no model named 'no_such_model'" in err and "caucasus_2020" in err


def test_missing_file(bayes_cli, tmp_path):
    code, _, err = bayes_cli("check", tmp_path / "absent.yaml")
    assert code == 2 and "file not found" in err


def test_bad_arguments_exit_2_with_one_line(bayes_cli):
    code, out, err = bayes_cli("query")
    assert code == 2 and err.count("\n") == 1 and err.startswith("ERROR: command line:")
    code, out, err = bayes_cli("query", "caucasus_2020", "escalation", "--format", "xml")
    assert code == 2 and err.startswith("ERROR: command line:")


def test_yes_no_on_off_stay_state_names(write_model):
    model = bayes.load(write_model(TINY))
    assert model.states("rain") == ("no", "yes")
    assert model.states("sprinkler") == ("off", "on")


MORE_CASES = [
    ("huge_integer", TINY.replace("{no: 0.8, yes: 0.2}", "{no: " + "9" * 400 + ", yes: 0.2}"), "{no: 999",
     "400 digits; at most 15"),
    ("nan_odds_ratio", TINY.replace("    strength: far_more", "    min_odds_ratio: .nan"), "min_odds_ratio",
     "is nan"),
    ("control_character", TINY.replace("Whether it rains.", "Whether it\x07 rains."), "Whether it", "U+0007"),
    ("int_and_text_keys_collide", TINY.replace("outcomes:", "  1:\n    description: a\n    states: [a, b]\n"
                                                "  '1':\n    description: b\noutcomes:"), "  '1':",
     "duplicate key '1'"),
    ("parents_not_a_list", TINY.replace("parents: [rain]", "parents: 0"), "parents: 0", "must be a list"),
    ("label_not_text", TINY.replace("    description: Whether it rains.", "    description: Whether it rains.\n"
                                    "    label: {en: Rain}"), "label:", "label of 'rain' must be text"),
    ("if_and_given_same_variable", TINY.replace("    than: {sprinkler: off}", "    than: {sprinkler: off}\n"
                                                "    given: {sprinkler: on}"), "given: {sprinkler: on}",
     "set in both 'if' and 'given'"),
    ("too_many_parents", TINY, None, None),  # replaced below
]
MORE_CASES[-1:-1] = [
    # messages that teach: a percent written without '%', a tab where spaces go
    ("percent_without_sign", TINY.replace("{no: 0.8, yes: 0.2}", "{no: rest, yes: 20}"), "{no: rest, yes: 20}",
     "is 20; a probability must be between 0 and 1 (did you mean 20%?)"),
    ("percent_without_sign_in_a_band", TINY.replace("range: [0.1, 0.3]", "band: 12"), "band: 12",
     "12 is not a probability between 0 and 1; did you mean 12%?"),
    ("tab_indent", TINY.replace("    description: Whether it rains.", "\tdescription: Whether it rains."),
     "\tdescription", "tabs are not allowed in YAML; indent with spaces"),
]
_big = "".join(f"  p{i}:\n    description: p\n    states: [a, b]\n    table:\n      - probabilities: {{a: 0.5, b: 0.5}}\n"
               f"        rationale: {{assumption: x}}\n" for i in range(18))
MORE_CASES[-1] = ("too_many_parents", TINY.replace("outcomes:", _big + "  big:\n    description: big\n    states: [a, b]\n"
                  "    parents: [" + ", ".join(f"p{i}" for i in range(18)) + "]\n    table: []\noutcomes:"),
                  "    parents: [p0", "at most 100,000")


@pytest.mark.parametrize("case_id,text,marker,fragment", MORE_CASES, ids=[c[0] for c in MORE_CASES])
def test_more_bad_model_files(write_model, bayes_cli, case_id, text, marker, fragment):
    path = write_model(text)
    code, out, err = bayes_cli("check", path)
    assert code == 2 and out == "" and err.count("\n") == 1, err
    assert fragment in err
    assert err.startswith(f"ERROR: {path}:{_line_of(text, marker)}: ")


def test_zero_probability_scenario_is_named_with_its_line(write_model, bayes_cli):
    text = TINY.replace("observe: {sprinkler: on}", "observe: {sprinkler: off, wet_grass: wet, rain: no}")
    path = write_model(text)
    code, out, err = bayes_cli("check", path)
    assert code == 2 and out == ""
    assert err.startswith(f"ERROR: {path}:{_line_of(text, '  sprinkler_on:')}: scenario 'sprinkler_on': ")
    assert "probability zero" in err


def test_accepted_spellings(write_model):
    """Things analysts write that are valid: 1e-2, merge keys with an override."""
    text = TINY.replace("{no: 0.8, yes: 0.2}", "{no: 8e-1, yes: 2e-1}")
    assert bayes.load(write_model(text)).probability("rain=yes") == pytest.approx(0.2)
    text = TINY.replace("      - given: {rain: no}\n        probabilities: {off: 0.6, on: 0.4}",
                        "      - &row\n        given: {rain: no}\n        probabilities: {off: 0.6, on: 0.4}")
    text = text.replace("      - given: {rain: yes}\n        probabilities: {off: 0.99, on: 0.01}\n"
                        "        rationale: {assumption: textbook number}",
                        "      - <<: *row\n        given: {rain: yes}\n        probabilities: {off: 0.99, on: 0.01}")
    model = bayes.load(write_model(text, "merge.yaml"))
    assert model.spec.variables["sprinkler"].rows[1].probabilities["on"] == 0.01
    assert str(model.spec.variables["sprinkler"].rows[1].rationale) == "assumption: textbook number"


def test_zero_probability_scenario_is_flagged_by_query_describe_and_cpt(write_model, bayes_cli):
    text = TINY.replace("observe: {sprinkler: on}", "observe: {sprinkler: off, wet_grass: wet, rain: no}")
    path = write_model(text)
    for args in (("query", path, "rain"), ("describe", path), ("cpt", path, "rain")):
        code, out, err = bayes_cli(*args)
        assert code == 0 and out, args  # the answer is still given
        assert err.count("\n") == 1 and err.startswith(f"WARNING: {path}:{_line_of(text, '  sprinkler_on:')}: ")
        assert "probability zero" in err
    code, out, err = bayes_cli("query", write_model(TINY, "fine.yaml"), "rain")
    assert code == 0 and err == ""


def test_degenerate_models_get_one_line(write_model, bayes_cli, tmp_path):
    no_outcomes = TINY.replace("outcomes:\n  - wet_grass: wet\n", "")
    code, out, err = bayes_cli("scenarios", write_model(no_outcomes))
    assert code == 2 and out == "" and err.count("\n") == 1 and "lists no outcomes" in err
    code, out, _ = bayes_cli("scenarios", write_model(no_outcomes), "--variables", "rain", "--format", "json")
    assert code == 0 and {r["scenario"] for r in json.loads(out)} == {"baseline", "sprinkler_on", "sprinkler_forced_on"}
    models = tmp_path / "data" / "models"
    models.mkdir(parents=True)
    path = models / "lonely.yaml"
    path.write_text(TINY, encoding="utf-8")
    code, out, err = bayes_cli("score", path)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "no resolved questions" in err and str(tmp_path / "data" / "outcomes" / "lonely.csv") in err


ALIAS_BOMB = ("[&a0 [x, x, x, x, x, x, x, x, x]" + "".join(f", &a{i} [*a{i - 1}" + f", *a{i - 1}" * 8 + "]"
                                                          for i in range(1, 9)) + "]")


FILE_KINDS = ["utf16", "latin1", "fifo", "dev_zero", "folder", "too_big"]
YAML_KINDS = ["alias_bomb", "alias_loop", "huge_int"]


@pytest.mark.parametrize("role, kind", [(r, k) for r in ("model", "base_rates") for k in YAML_KINDS + FILE_KINDS]
                         + [(r, k) for r in ("evidence", "outcomes") for k in FILE_KINDS])
def test_hostile_files_in_every_role_are_one_line(tmp_path, bayes_cli, kind, role):
    """Whatever the file, wherever it is given: exit 2 with one line naming it, within seconds."""
    import os

    path = tmp_path / ("x.yaml" if role in ("model", "base_rates") else "x.csv")
    yaml_text = {"alias_bomb": f"format: bayes-model/1\nmodel: {{title: t, source: s, as_of: 2020-07, author: a, "
                               f"scale: {ALIAS_BOMB}}}\nvariables: {{}}\n",
                 "alias_loop": "format: &x [1, *x]\n", "huge_int": "format: " + "9" * 5000 + "\n"}
    if kind in yaml_text:
        path.write_text(yaml_text[kind], encoding="utf-8")
    elif kind == "utf16":
        path.write_bytes("date,variable\n".encode("utf-16"))
    elif kind == "latin1":
        path.write_bytes("question,outcome\ncaf\xe9,x\n".encode("latin-1"))
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "dev_zero":
        path.symlink_to("/dev/zero")
    elif kind == "folder":
        path.mkdir()
    else:
        with open(path, "wb") as fh:
            fh.truncate(21_000_000)  # sparse: past every size cap
    args = {"model": ["check", path], "base_rates": ["score", "caucasus_2020", "--base-rates", path],
            "evidence": ["history", "caucasus_2020", "--file", path],
            "outcomes": ["score", "caucasus_2020", "--file", path]}[role]
    code, out, err = bayes_cli(*args)
    assert code == 2 and out == "" and err.count("\n") == 1 and err.startswith("ERROR: "), err
    assert str(path) in err


def test_builders_count_against_the_row_cap_before_allocating(write_model, bayes_cli):
    roots = "".join(f"  r{i}:\n    description: d\n    states: [a, b]\n    table:\n      - probabilities: {{a: 0.5, b: 0.5}}\n"
                    f"        rationale: {{assumption: t}}\n" for i in range(20))
    parents = ", ".join(f"r{i}" for i in range(20))
    text = (f"format: bayes-model/1\nmodel: {{title: t, source: s, as_of: 2020-07, author: a}}\nvariables:\n{roots}"
            f"  child:\n    description: d\n    states: [no, yes]\n    parents: [{parents}]\n    builder:\n"
            f"      type: noisy_or\n      present: yes\n      leak: 0.1\n      causes: {{"
            + ", ".join(f"r{i}: {{b: 0.2}}" for i in range(20)) + "}\n      rationale: {assumption: t}\n")
    code, _, err = bayes_cli("check", write_model(text))
    assert code == 2 and "1,048,576 rows" in err and "at most 100,000" in err


# ----------------------------------------------------------------------------- second round of attacks (#25)

def _source_model(folder, source_file):
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "model.yaml"
    path.write_text(TINY.replace("  author: tests\n", f"  author: tests\n  source_file: {json.dumps(source_file)}\n"),
                    encoding="utf-8")
    return path


def test_a_model_file_reads_no_source_outside_its_folder(tmp_path, bayes_cli):
    """`source_file:` names a regular file inside the model's folder; an absolute path, `..` or a symlink
    leaving it is refused in one line, and the secret's text never reaches the output."""
    secret = tmp_path / "secret.txt"
    secret.write_text("db_password=hunter2. It is likely that rain is not rare.\n", encoding="utf-8")
    secret.chmod(0o600)
    models = tmp_path / "models"
    (models / "inside").mkdir(parents=True)
    (models / "link_out.txt").symlink_to(secret)
    (models / "inside" / "ok.txt").write_text("It is likely that rain is not rare here.\n", encoding="utf-8")
    (models / "link_in.txt").symlink_to(models / "inside" / "ok.txt")
    for name, cause in [(str(secret), "is an absolute path"), ("../secret.txt", "leaves the model's folder"),
                        ("inside/ok.txt/", "must name a file, not a folder"), ("in\0side", "holds a NUL character"),
                        ("inside/../../secret.txt", "leaves the model's folder"),
                        ("link_out.txt", "leaves the model's folder"), ("/proc/self/environ", "is an absolute path"),
                        ("~/secret.txt", "is an absolute path")]:
        model = _source_model(models, name)
        for command in ("check", "coverage"):
            code, out, err = bayes_cli(command, model)
            assert code == 2 and out == "" and err.count("\n") == 1 and cause in err, (name, err)
            assert f"{model}:7: source_file" in err and "hunter2" not in err
    # inside the folder (a subfolder, a symlink staying inside) is read
    for name in ("inside/ok.txt", "link_in.txt", "inside/../inside/ok.txt"):
        code, out, err = bayes_cli("coverage", _source_model(models, name))
        assert code == 0 and "1 of 1 judgements in the 1 estimative or conditional sentences" in out, (name, err)
    # the analyst may widen it on the command line: --source-dir, or --source FILE
    model = _source_model(models, "../secret.txt")
    code, out, err = bayes_cli("coverage", model, "--source-dir", tmp_path)
    assert code == 0 and "1 of 1 judgements" in out, err
    assert bayes_cli("coverage", model, "--source", secret)[0] == 0
    code, _, err = bayes_cli("coverage", model, "--source-dir", tmp_path / "nowhere")
    assert code == 2 and "--source-dir" in err and "is not a folder" in err
    # a FIFO inside the folder is refused, not read (no hang)
    import os
    os.mkfifo(models / "pipe.txt")
    code, _, err = bayes_cli("check", _source_model(models, "pipe.txt"))
    assert code == 2 and "regular file" in err
    # the brief does not measure against it, and says why
    from bayes.analysis.judgements import coverage_summary
    summary = coverage_summary(bayes.load(_source_model(models, "../secret.txt")))
    assert summary["measured"] is False and "leaves the model's folder" in summary["reason"]


@pytest.mark.parametrize("value", ["inf", "1e400", "abc", "nan", "1.5G", "-1", "0", "1TB", "4 G B", "9" * 16, "1e9",
                                   "4\nG", "\uff15G", "4  G"])
def test_a_memory_budget_in_no_documented_form_is_one_line(bayes_cli, monkeypatch, value):
    monkeypatch.setenv("BAYES_MEMORY_BUDGET", value)
    code, out, err = bayes_cli("query", "caucasus_2020")
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "BAYES_MEMORY_BUDGET is" in err and "500M or 4G" in err
    assert ("more bytes than any machine has" in err) == (value == "9" * 16)


def test_the_memory_budget_reads_binary_units_and_never_exceeds_a_quarter_of_the_cap(monkeypatch):
    from bayes.inference import memory

    monkeypatch.setattr(memory, "_memory_limit", lambda: 8 * 2 ** 30)
    for text, expected in [("1k", 1024), ("500M", 500 * 2 ** 20), (" 2 GiB ", 2 * 2 ** 30), ("123", 123),
                           ("3kib", 3072), ("2G", 2 * 2 ** 30), ("3G", 2 * 2 ** 30), ("999999999999999", 2 * 2 ** 30)]:
        monkeypatch.setenv("BAYES_MEMORY_BUDGET", text)
        assert memory.memory_budget() == expected, text
    monkeypatch.delenv("BAYES_MEMORY_BUDGET")
    assert memory.memory_budget() == 2 ** 30
    monkeypatch.setattr(memory, "_memory_limit", lambda: 2 * 2 ** 30)
    assert memory.memory_budget() == 2 ** 29


def test_an_argument_that_is_not_utf8_is_one_line(tmp_path, bayes_exe):
    """A file name with a Latin-1 byte reaches Python as a surrogate: refused before anything is written."""
    import os

    run = subprocess.run([os.fsencode(bayes_exe), b"new", b"m", b"--source", b"caf\xe9.txt", b"-o",
                          os.fsencode(tmp_path / "m.yaml")], capture_output=True, timeout=120)
    assert run.returncode == 2 and run.stderr.count(b"\n") == 1 and b"is not UTF-8 text" in run.stderr
    assert b"Traceback" not in run.stderr and not (tmp_path / "m.yaml").exists()


def test_pool_weights_near_the_float_limit_are_ratios(bayes_cli, tmp_path):
    code, out, err = bayes_cli("pool", "caucasus_2020", "caucasus_2020", "--weights", "1e308,1e308", "-o",
                             tmp_path / "p.yaml")
    assert code == 0 and "Warning" not in err and "weights caucasus_2020 0.5, caucasus_2020_2 0.5" in out


def _dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def test_temp_files_of_killed_writers_are_removed_by_the_next_write(tmp_path):
    """A writer killed mid-write leaves `.NAME.<pid>-xxxx.SUFFIX`; the next write of that file removes it
    (its process is gone), never a live writer's, and an older pid-less one only once it is an hour old."""
    import os
    import time

    from bayes.fileio import atomic_write_text

    dead = _dead_pid()
    left = {name: tmp_path / name for name in (f".brief.html.{dead}-ab12cd34.html", f".brief.html.{os.getpid()}-cd34ef56.html",
                                               ".brief.html.q8z1x0ab.html", ".brief.html.k3j4h5gg.html",
                                               f".other.html.{dead}-ef56gh78.html")}
    for path in left.values():
        path.write_text("half a brief", encoding="utf-8")
    two_hours_ago = time.time() - 7200
    os.utime(left[".brief.html.q8z1x0ab.html"], (two_hours_ago, two_hours_ago))
    atomic_write_text(tmp_path / "brief.html", "<html></html>")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["brief.html", f".brief.html.{os.getpid()}-cd34ef56.html", ".brief.html.k3j4h5gg.html",
         f".other.html.{dead}-ef56gh78.html"])  # this process's, a recent pid-less one, another file's
    from bayes.fileio import remove_stale_temps
    kernel = tmp_path / f"bayes-kernel-{dead}-x1y2z3w4"
    kernel.mkdir()
    (kernel / "kernel.sock").write_text("", encoding="utf-8")
    assert remove_stale_temps(tmp_path, "bayes-kernel-", folders=True) == [kernel] and not kernel.exists()
    # what an analyst keeps under similar names is never touched, however old: editor files, backups, folders
    keep = [tmp_path / n for n in (".notes.swp", ".notes.orig", ".x.bif.backup.bif", f".x.bif.{dead}-mydir", ".x.bif.abcdefgh")]
    for path in keep[:3]:
        path.write_text("mine", encoding="utf-8")
        os.utime(path, (two_hours_ago, two_hours_ago))
    keep[3].mkdir()
    (keep[3] / "data").write_text("precious", encoding="utf-8")
    keep[4].mkdir()
    os.utime(keep[4], (two_hours_ago, two_hours_ago))
    for prefix, suffix in ((".notes.", ""), (".x.bif.", ".bif"), (".x.bif.", "")):
        assert remove_stale_temps(tmp_path, prefix, suffix) == []
    assert all(p.exists() for p in keep) and (keep[3] / "data").read_text(encoding="utf-8") == "precious"


def test_an_append_keeps_the_logs_group_and_mode(tmp_path, bayes_cli):
    import os

    log = tmp_path / "log.csv"
    assert bayes_cli("log", "add", "caucasus_2020", "--file", log, "--date", "2020-09-27", "--variable",
                     "escalation", "--state", "escalates_to_wider_war", "--source", "wire")[0] == 0
    others = [g for g in ([4242] if os.geteuid() == 0 else os.getgroups()) if g != os.stat(log).st_gid]
    if not others:
        pytest.skip("this user belongs to no second group to share the log with")
    os.chown(log, -1, others[0])
    log.chmod(0o640)
    code, _, err = bayes_cli("log", "add", "caucasus_2020", "--file", log, "--date", "2020-09-28", "--variable",
                             "escalation", "--state", "escalates_to_wider_war", "--source", "wire 2")
    assert code == 0, err
    info = os.stat(log)
    assert info.st_gid == others[0] and info.st_mode & 0o7777 == 0o640 and log.read_text().count("\n") == 3


def test_log_rows_are_written_unpadded_and_dated_within_the_horizon(tmp_path, bayes_cli):
    log = tmp_path / "log.csv"

    def add(date, state="escalates_to_wider_war ", source=" wire "):
        return bayes_cli("log", "add", "caucasus_2020", "--file", log, "--date", date, "--variable", " escalation",
                         "--state", state, "--source", source)

    assert add(" 2020-09-27")[0] == 0
    assert log.read_text(encoding="utf-8").splitlines()[1] == "2020-09-27,escalation,escalates_to_wider_war,,wire,"
    soft = tmp_path / "soft.csv"
    assert bayes_cli("log", "add", "caucasus_2020", "--file", soft, "--date", "2020-08-10", "--variable", "escalation",
                     "--likelihood", " escalates_to_wider_war = 2 ; contained=0.5 ; ", "--source", "s")[0] == 0
    assert soft.read_text(encoding="utf-8").splitlines()[1] == "2020-08-10,escalation,,escalates_to_wider_war=2;contained=0.5,s,"
    # as_of 2020-07: ten years on is 2030-07-01, the last date accepted
    assert add("2030-07-01")[0] == 0
    for late in ("2030-07-02", "9999-12-31"):
        code, out, err = add(late)
        assert code == 2 and f"date {late} is after 2030-07-01" in err and err.count("\n") == 1
    assert log.read_text(encoding="utf-8").count("\n") == 3
    outcomes = tmp_path / "outcomes.csv"
    outcomes.write_text("question,outcome,resolved,horizon,source,note\nescalation,escalates_to_wider_war,2020-11-10,"
                        "9999-12-31,wire,\n", encoding="utf-8")
    code, _, err = bayes_cli("score", "caucasus_2020", "--file", outcomes)
    assert code == 2 and f"{outcomes}:2: horizon 9999-12-31 is after 2030-07-01" in err
    # river_ceasefire's horizon is 2024-12-31: ten calendar years on, 2034-12-31, is still accepted
    river = tmp_path / "river.csv"
    assert bayes_cli("log", "add", "river_ceasefire", "--file", river, "--date", "2034-12-31", "--variable",
                     "ceasefire", "--state", "holds", "--source", "s")[0] == 0
    code, _, err = bayes_cli("log", "add", "river_ceasefire", "--file", river, "--date", "2035-01-01", "--variable",
                             "ceasefire", "--state", "holds", "--source", "s")
    assert code == 2 and "is after 2034-12-31" in err
    from types import SimpleNamespace

    from bayes.analysis.tracking import latest_date
    leap = SimpleNamespace(spec=SimpleNamespace(question=SimpleNamespace(horizon="2024-02-29"), as_of="2024-01"))
    assert str(latest_date(leap)) == "2034-02-28"


def test_a_column_named_twice_is_refused(tmp_path, bayes_cli):
    log = tmp_path / "log.csv"
    log.write_text("date,variable,state,likelihood,source,source,note\n2020-09-27,escalation,escalates_to_wider_war,,"
                   "wire,x,\n", encoding="utf-8")
    code, out, err = bayes_cli("history", "caucasus_2020", "--file", log)
    assert code == 2 and out == "" and f"{log}:1: column 'source' appears twice in the header" in err


def test_refusals_name_the_option_and_the_real_cause(tmp_path, bayes_cli):
    folder = tmp_path / "charts"
    folder.mkdir()
    code, _, err = bayes_cli("diff", "caucasus_2020", "caucasus_2020", "--chart", folder)
    assert code == 2 and err.endswith(": --chart names a folder; give a file name\n")
    # a plain list of a million numbers is not an alias bomb: the message says what to write instead
    items = ", ".join(["0.5"] * 1_000_001)
    path = tmp_path / "big.yaml"
    path.write_text(f"format: bayes-model/1\nmodel: {{title: t, source: s, as_of: 2020-07, author: a}}\nnotes: [{items}]\n",
                    encoding="utf-8")
    code, _, err = bayes_cli("check", path)
    assert code == 2 and "holds more than 1,000,000 values" in err and "array:" in err and "alias" not in err


def test_a_100000_line_source_is_read_in_linear_time(tmp_path, bayes_cli):
    """Sentence splitting, triggers, quote placement and nearest passages stay linear: a 3.6 MB source of
    100,000 lines goes through coverage, new and check (each took minutes to hours when quadratic). The
    counts are known by construction: every fifth line starts a likely-sentence, and every wrapped
    if-sentence is one sentence; headings and URLs are units without triggers."""
    kinds = ["It is likely that talks resume in round {i}.", "A heading without a stop {i}",
             "If the army moves, escalation would follow in sector {i}, and", "the line holds. http://example.org/{i}", ""]
    source = tmp_path / "long.txt"
    source.write_text("\n".join(kinds[i % 5].format(i=i) for i in range(100_000)), encoding="utf-8")
    code, out, err = bayes_cli("coverage", "river_ceasefire", "--source", source, "--format", "json")
    rows = json.loads(out)
    assert code == 0 and len(rows) == 40_000
    assert rows[1] == {"sentence": "If the army moves, escalation would follow in sector 2, and the line holds.", "line": 3,
                       "claims": [], "triggers": ["if", "would"], "judgements": 1, "covered": 0}
    code, out, _ = bayes_cli("check", "river_ceasefire", "--source", source)
    assert code == 1 and out.count("nearest passage, ") == out.count("quote not found in")
    assert bayes_cli("new", "m", "--source", source, "-o", tmp_path / "m.yaml")[0] == 0
    assert (tmp_path / "m.yaml").read_text(encoding="utf-8").count("#    quote: ") == 40_000


def test_check_reports_every_problem_of_a_file_in_one_run(write_model, bayes_cli):
    """A misspelt state in one table, a row in another that does not sum to 1, a strength word pointing
    the wrong way (an older form) and a scenario naming an unknown state: four lines, in file order, each
    with its own line number, from one run."""
    text = (TINY.replace("probabilities: {no: 0.8, yes: 0.2}", "probabilities: {no: 0.8, yse: 0.2}")
            .replace("probabilities: {off: 0.99, on: 0.01}", "probabilities: {off: 0.9, on: 0.01}")
            .replace("strength: far_more", "strength: far_less_likely")
            .replace("observe: {sprinkler: on}", "observe: {sprinkler: onn}"))
    path = write_model(text)
    lines = text.splitlines()

    def at(fragment):
        return next(i for i, line in enumerate(lines, 1) if fragment in line)

    code, out, err = bayes_cli("check", path)
    found = err.splitlines()
    assert code == 2 and out == "" and len(found) == 4, err
    expected = [at("yse: 0.2"), at("off: 0.9, on: 0.01"), at("observe: {sprinkler: onn}"), at("far_less_likely")]
    assert [int(line.split(":")[2]) for line in found] == expected
    assert "'yse'" in found[0] and "sum" in found[1] and "'onn'" in found[2] and "write 'far more likely'" in found[3]
    assert all(line.startswith(f"ERROR: {path}:") for line in found)
    # a file with one problem still gives one line
    code, _, err = bayes_cli("check", write_model(TINY.replace("observe: {sprinkler: on}", "observe: {sprinkler: onn}")))
    assert code == 2 and err.count("\n") == 1


def test_problems_past_the_cap_stop_the_reading(write_model, bayes_cli):
    from bayes.modelfile.validation import MAX_PROBLEMS

    claims = "".join(f"  X{i}:\n    quote: q\n    form: probability\n    outcome: {{rain: maybe}}\n    range: [0.1, 0.3]\n"
                     for i in range(MAX_PROBLEMS + 5))
    code, _, err = bayes_cli("check", write_model(TINY + claims))
    assert code == 2 and err.count("\n") == MAX_PROBLEMS and "unknown state 'maybe'" in err


def test_one_long_line_of_abbreviations_and_a_giant_sentence_stay_linear(tmp_path, bayes_cli):
    """A 960 KB line of 'Dr. e.g. x. ' (every full stop an abbreviation: one sentence) took 18 s when each
    stop looked back to the line's start; a 1 MB sentence without stops made the nearest-passage search
    compare the whole of it. Both are one sentence, with no trigger in the first and one in the second."""
    line = tmp_path / "abbreviations.txt"
    line.write_text("Dr. e.g. x. " * 80_000, encoding="utf-8")
    code, out, _ = bayes_cli("coverage", "river_ceasefire", "--source", line, "--format", "json")
    assert code == 0 and json.loads(out) == []
    giant = tmp_path / "giant.txt"
    giant.write_text(" ".join(["war talks river front"] * 50_000) + " it is likely", encoding="utf-8")
    code, out, _ = bayes_cli("check", "river_ceasefire", "--source", giant)
    assert code == 1 and out.count("nearest passage, ") == out.count("quote not found in") > 0
