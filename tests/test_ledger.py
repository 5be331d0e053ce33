"""The evidence log is a ledger: concurrent appends all land, a killed writer loses nothing, hostile fields are
refused with the reason, links and permissions survive."""

import os
import signal
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import bayes
from bayes.analysis.tracking import load_evidence

ROOT = Path(__file__).resolve().parent.parent
HEADER = "date,variable,state,likelihood,source,note\n"


def _add(bayes_cli, log, *extra, date="2020-09-27", source="wide reporting"):
    return bayes_cli("log", "add", "caucasus_2020", "--file", log, "--date", date, "--variable", "escalation",
                     "--state", "escalates_to_wider_war", f"--source={source}", *extra)


APPENDER = textwrap.dedent("""
    import sys
    import bayes
    from bayes.analysis.tracking import append_evidence
    model = bayes.load("caucasus_2020")
    who, n, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    print("ready", flush=True)
    sys.stdin.readline()
    for i in range(n):
        append_evidence(model, {"date": "2020-09-27", "variable": "escalation", "state": "escalates_to_wider_war",
                                "source": f"{who} {i}"}, path)
        print(f"done {i}", flush=True)
""")


def _start(who, n, log):
    proc = subprocess.Popen([sys.executable, "-c", APPENDER, who, str(n), str(log)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert proc.stdout.readline().strip() == "ready"
    return proc


def test_two_concurrent_appenders_lose_no_row(tmp_path, flagship):
    log = tmp_path / "log.csv"
    procs = [_start(who, 60, log) for who in ("a", "b")]
    for p in procs:  # both start appending at the same moment
        p.stdin.write("go\n")
        p.stdin.flush()
    for p in procs:
        assert p.wait(timeout=120) == 0
    rows = load_evidence(flagship, log)
    sources = [r.source for r in sorted(rows, key=lambda r: r.line)]
    assert len(rows) == 120 and len(set(sources)) == 120
    for who in ("a", "b"):  # each writer's rows land in its own order
        mine = [int(s.split()[1]) for s in sources if s.startswith(who)]
        assert mine == list(range(60))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["log.csv"]  # no temp or lock file left


def test_a_writer_killed_mid_append_loses_nothing(tmp_path, flagship, bayes_cli):
    log = tmp_path / "log.csv"
    proc = _start("k", 100_000, log)
    proc.stdin.write("go\n")
    proc.stdin.flush()
    for _ in range(20):  # kill it mid-stream, after 20 appends it reported done
        assert proc.stdout.readline().startswith("done")
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    done = 20 + sum(line.startswith("done") for line in proc.stdout.read().splitlines())
    rows = load_evidence(flagship, log)  # whatever was renamed into place is complete and parses
    # every append reported done is there, in order; at most one more (renamed, killed before it said so)
    assert [int(r.source.split()[1]) for r in sorted(rows, key=lambda r: r.line)] == list(range(len(rows)))
    assert done <= len(rows) <= done + 1
    code, _, err = _add(bayes_cli, log)  # the next append clears any temp file the killed writer left
    assert code == 0, err
    assert len(load_evidence(flagship, log)) == len(rows) + 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["log.csv"]


@pytest.mark.parametrize("source, reason", [
    ("=HYPERLINK(\"http://x\")", "formula"), ("+cmd|' /C calc'!A0", "formula"), ("@SUM(A1)", "formula"),
    ("-2+3", "formula"), ("\tindent", "formula"), ("a\rb", "control character"), ("line\nbreak", "control character"),
    ("bell\x07", "control character"),
])
def test_hostile_fields_are_refused_and_the_log_kept(tmp_path, bayes_cli, source, reason):
    log = tmp_path / "log.csv"
    assert _add(bayes_cli, log)[0] == 0
    before = log.read_bytes()
    code, out, err = _add(bayes_cli, log, source=source)
    assert code == 2 and out == "" and err.count("\n") == 1 and reason in err and "source" in err
    code, _, err = _add(bayes_cli, log, f"--note={source}")
    assert code == 2 and reason in err and "note" in err
    assert log.read_bytes() == before


def test_a_log_with_an_open_quote_refuses_new_rows(tmp_path, bayes_cli):
    log = tmp_path / "log.csv"
    log.write_text(HEADER + '2020-09-27,escalation,escalates_to_wider_war,,"wide reporting,unfinished\n',
                   encoding="utf-8")
    before = log.read_bytes()
    code, _, err = _add(bayes_cli, log)
    assert code == 2 and "quoted field is probably not closed" in err and log.read_bytes() == before


@pytest.mark.parametrize("date, message", [("20200927", "expected YYYY-MM-DD"), ("2020-W39-7", "expected YYYY-MM-DD"),
                                           ("2020-06-30", "before the model's as_of")])
def test_dates_are_iso_and_not_before_the_assessment(tmp_path, bayes_cli, date, message):
    code, _, err = _add(bayes_cli, tmp_path / "log.csv", date=date)
    assert code == 2 and message in err and not (tmp_path / "log.csv").exists()


def test_symlinked_log_is_written_through_and_keeps_its_mode(tmp_path, bayes_cli):
    real = tmp_path / "real.csv"
    assert _add(bayes_cli, real)[0] == 0
    os.chmod(real, 0o600)
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    code, _, err = _add(bayes_cli, link, date="2020-10-10")
    assert code == 0, err
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert stat.S_IMODE(real.stat().st_mode) == 0o600
    assert real.read_text(encoding="utf-8").count("\n") == 3


def test_fifo_as_a_log_is_refused_without_hanging(tmp_path, bayes_cli):
    fifo = tmp_path / "log.csv"
    os.mkfifo(fifo)
    code, _, err = bayes_cli("history", "caucasus_2020", "--file", fifo)
    assert code == 2 and "regular file" in err
    code, _, err = _add(bayes_cli, fifo)
    assert code == 2 and "regular file" in err


def test_a_huge_field_in_the_log_is_one_line(tmp_path, bayes_cli):
    log = tmp_path / "log.csv"
    log.write_text(HEADER + "2020-09-27,escalation,escalates_to_wider_war,,wide reporting," + "x" * 200_000 + "\n",
                   encoding="utf-8")
    before = log.read_bytes()
    code, _, err = bayes_cli("history", "caucasus_2020", "--file", log)
    assert code == 2 and err.count("\n") == 1 and "field larger than field limit" in err and f"{log}:" in err
    assert _add(bayes_cli, log)[0] == 2 and log.read_bytes() == before


def test_the_first_row_of_a_new_model_creates_its_evidence_folder(tmp_path, bayes_cli):
    from tiny import TINY

    models = tmp_path / "work" / "models"
    models.mkdir(parents=True)
    (models / "sprinkler.yaml").write_text(TINY, encoding="utf-8")
    code, out, err = bayes_cli("log", "add", models / "sprinkler.yaml", "--date", "2020-08-01", "--variable", "rain",
                               "--state", "yes", "--source", "weather service")
    assert code == 0, err
    assert (tmp_path / "work" / "evidence" / "sprinkler.csv").read_text(encoding="utf-8").splitlines()[1] == \
        "2020-08-01,rain,yes,,weather service,"


def test_a_model_outside_data_keeps_its_log_beside_it_and_a_named_log_must_exist(tmp_path, bayes_cli):
    from tiny import TINY

    model = tmp_path / "sprinkler.yaml"
    model.write_text(TINY, encoding="utf-8")
    code, _, err = bayes_cli("log", "add", model, "--date", "2020-08-01", "--variable", "rain", "--state", "yes",
                             "--source", "weather service")
    assert code == 0, err
    assert (tmp_path / "sprinkler.evidence.csv").is_file() and not (tmp_path.parent / "evidence").exists()
    code, out, _ = bayes_cli("history", model, "--format", "json")
    assert code == 0 and "rain=yes" in out
    code, _, err = bayes_cli("history", model, "--file", tmp_path / "typo.csv")
    assert code == 2 and "evidence log not found" in err and "typo.csv" in err
