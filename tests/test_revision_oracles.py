"""bayes diff and disagreement against hand computation: two- and four-variable models whose every number is
written out below, so each row of the diff (what changed, what it did, how it is ranked), each analyst's
value, the pool, every row swap, and each line of the terminal views and of the git summary is known
before the code runs.

The base model: P(a1) = 0.3; P(b=y | a0) = 0.2, P(b=y | a1) = 0.6, so P(b=y) = 0.7 * 0.2 + 0.3 * 0.6 = 0.32."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from bayes.analysis import revisions
from bayes.errors import BayesInputError

BASE = """\
format: bayes-model/1
model: {title: Two, source: tests, as_of: 2020-07, author: tests}
variables:
  a:
    description: a under test
    states: [a0, a1]
    table:
      - probabilities: {a0: rest, a1: 0.3}
        rationale: {assumption: base}
  b:
    description: b under test
    states: [n, y]
    parents: [a]
    table:
      - given: {a: a0}
        probabilities: {n: 0.8, y: 0.2}
        rationale: {assumption: low}
      - given: {a: a1}
        probabilities: {n: 0.4, y: 0.6}
        rationale: {assumption: high}
outcomes:
  - b: y
scenarios:
  seen:
    label: A seen
    description: a1 observed
    observe: {a: a1}
claims:
  K1:
    quote: "b is unlikely"
    form: probability
    outcome: {b: y}
    band: unlikely
  K5:
    quote: "b is likely"
    form: probability
    outcome: {b: y}
    band: likely
"""

# The edit: a new title, a reworded description, b made observable, the row b | a0 raised to 0.4 (so
# P(b=y) = 0.7 * 0.4 + 0.18 = 0.46), the row b | a1 given a new rationale only, a's 0.3 written as 30%,
# the scenario relabelled, a scenario and a claim added.
EDITED = (BASE.replace("title: Two,", "title: Two v2,").replace("a under test", "a reworded")
          .replace("{n: 0.8, y: 0.2}", "{n: 0.6, y: 0.4}").replace("assumption: high", "assumption: higher")
          .replace("label: A seen", "label: A is seen").replace("a1: 0.3}", "a1: 30%}")
          .replace("    parents: [a]\n", "    parents: [a]\n    observable: true\n")
          .replace("claims:\n", "  forced:\n    label: A forced low\n    do: {a: a0}\nclaims:\n")
          + '  K2:\n    quote: "b is likely once a1"\n    form: probability\n    outcome: {b: y}\n'
            "    given: {a: a1}\n    band: likely\n")

UNEXPLAINED = "; the numbers changed, the rationale did not"  # a changed number under the same rationale
COLUMNS = ["kind", "item", "old", "new", "effect", "effect_text", "band_changes", "line"]


def line_of(text: str, marker: str) -> int:
    """The 1-based line of the first line holding `marker`."""
    return next(i for i, line in enumerate(text.splitlines(), 1) if marker in line)


def rows_of(frame: pd.DataFrame) -> list[tuple]:
    """The diff as plain tuples (NaN, NA and None as None) to compare with the hand-written table."""
    def plain(v):
        if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
            return None
        if isinstance(v, float):
            return round(v, 12)
        return v.item() if hasattr(v, "item") else v

    return [tuple(plain(r[c]) for c in COLUMNS) for _, r in frame.iterrows()]


def named_by_item(frame: pd.DataFrame) -> bool:
    """Each row's variable, given, scenario and outcome columns say what its item says (and nothing else)."""
    for _, r in frame.iterrows():
        item, kind = r["item"], r["kind"]
        expected = {"variable": None, "given": None, "scenario": None, "outcome": None}
        if kind in ("variable", "states", "parents", "table", "row", "builder"):
            expected["variable"] = item.split(":")[0].split(" | ")[0]
        if kind == "row":
            expected["given"] = item.split(" | ")[1]
        if kind == "scenario":
            expected["scenario"] = item
        if kind == "outcome":
            expected["outcome"], expected["scenario"] = item.split(" | ")
            expected["variable"] = expected["outcome"].split("=")[0]
        got = {k: (None if pd.isna(r[k]) else r[k]) for k in expected}
        assert got == expected, (item, got)
    return True


@pytest.fixture
def files(tmp_path):
    def write(**texts):
        paths = []
        for name, text in texts.items():
            path = tmp_path / f"{name}.yaml"
            path.write_text(text, encoding="utf-8")
            paths.append(path)
        return paths
    return write


def test_an_edit_of_every_kind_is_named_measured_and_ranked(files):
    old, new = files(base=BASE, edited=EDITED)
    frame = revisions.diff(old, new)
    unlikely_32, even_46, likely_60 = "unlikely (32%)", "roughly even chance (46%)", "likely (60%)"
    needs_unlikely, needs_likely = "(needs 20% <= P <= 45%)", "(needs 55% <= P <= 80%)"
    assert rows_of(frame) == [
        # changes: largest effect first; equal effects in the order row, variable, scenario, model
        ("row", "b | a=a0", {"n": 0.8, "y": 0.2}, {"n": 0.6, "y": 0.4}, 0.14,
         f"alone it moves b=y under baseline by +14.0 points ({unlikely_32} -> {even_46}){UNEXPLAINED}", False,
         line_of(EDITED, "given: {a: a0}")),
        ("row", "a | (no parents)", {"a0": 0.7, "a1": 0.3}, {"a0": 0.7, "a1": 0.3}, 0.0,
         "same numbers; the written judgement changed (and with it the uncertainty in draws); "
         "written {a0: rest, a1: 0.3} -> {a0: rest, a1: 30%}", False, line_of(EDITED, "{a0: rest, a1: 30%}")),
        ("row", "b | a=a1", {"n": 0.4, "y": 0.6}, {"n": 0.4, "y": 0.6}, 0.0, "same numbers; the rationale changed",
         False, line_of(EDITED, "given: {a: a1}")),
        ("variable", "a: description", "a under test", "a reworded", 0.0, "no effect on the numbers", False,
         line_of(EDITED, "  a:")),
        ("scenario", "seen", "A seen", "A is seen", 0.0, "wording only", False, line_of(EDITED, "  seen:")),
        ("model", "title", "Two", "Two v2", 0.0, "no effect on the numbers", False, None),
        # changes whose effect is not one number, in the same kind order
        ("variable", "b: observable", False, True, None, "changes which variables are ranked as indicators", False,
         line_of(EDITED, "  b:")),
        ("scenario", "forced", None, "do a=a0", None, "added", False, line_of(EDITED, "  forced:")),
        ("claim", "K2", None, "P(b=y | a=a1) in 'likely' [55%, 80%]", None, "added", False,
         line_of(EDITED, "  K2:")),
        # effects: largest first (checks before outcomes at equal size)
        ("check", "K1", f"pass: {unlikely_32} {needs_unlikely}", f"FAIL: {even_46} {needs_unlikely}", 0.14,
         "pass -> FAIL", True, line_of(EDITED, "  K1:")),
        ("check", "K5", f"FAIL: {unlikely_32} {needs_likely}", f"FAIL: {even_46} {needs_likely}", 0.14,
         "still fails; its numbers moved", False, line_of(EDITED, "  K5:")),
        ("outcome", "b=y | baseline", 0.32, 0.46, 0.14, f"{unlikely_32} -> {even_46}; the band changes", True, None),
        ("outcome", "b=y | seen", 0.6, 0.6, 0.0, f"{likely_60} -> {likely_60}", False, None),
        ("check", "K2", None, f"pass: {likely_60} {needs_likely}", None, "only in the new file", False,
         line_of(EDITED, "  K2:")),
        ("outcome", "b=y | forced", None, 0.4, None, "not in the old file", False, None),
    ]
    outcome = frame[frame["kind"] == "outcome"].iloc[0]
    assert (outcome["variable"], outcome["scenario"], outcome["outcome"]) == ("b", "baseline", "b=y")
    seen = frame[(frame["kind"] == "outcome") & (frame["scenario"] == "seen")].iloc[0]
    assert seen["scenario_label"] == "A is seen"  # the new file's label
    row = frame.iloc[0]
    assert (row["variable"], row["given"], row["old_rationale"], row["new_rationale"]) == (
        "b", "a=a0", "assumption: low", "assumption: low")
    assert frame.iloc[2]["new_rationale"] == "assumption: higher"
    assert frame["line"].dtype == "Int64" and frame["band_changes"].dtype == bool
    assert list(frame.columns) == revisions.diffs.DIFF_COLUMNS and named_by_item(frame)
    added = frame[frame["item"] == "K2"].iloc[0]
    assert pd.isna(added["old_rationale"]) and added["new_rationale"] == "b is likely once a1"
    removed = revisions.diff(new, old).set_index(["kind", "item"]).loc[("claim", "K2")]
    assert removed["old_rationale"] == "b is likely once a1" and pd.isna(removed["new_rationale"])
    assert removed["line"] == line_of(EDITED, "  K2:")


def test_the_terminal_view_of_that_edit_line_by_line(files):
    frame = revisions.diff(*files(base=BASE, edited=EDITED))
    b0, a_row, b1 = (line_of(EDITED, m) for m in ("given: {a: a0}", "{a0: rest, a1: 30%}", "given: {a: a1}"))
    assert revisions.format_diff(frame, "base", "edited").splitlines() == [
        "bayes diff: base -> edited",
        "",
        "What changed (9), largest effect first:",
        f"  row  P(b | a=a0)  [line {b0}]",
        "      old: n 0.8, y 0.2   (assumption: low)",
        "      new: n 0.6, y 0.4   (assumption: low)",
        "      alone it moves b=y under baseline by +14.0 points (unlikely (32%) -> roughly even chance (46%)); the",
        "        numbers changed, the rationale did not",
        f"  row  P(a | (no parents))  [line {a_row}]",
        "      old: a0 0.7, a1 0.3   (assumption: base)",
        "      new: a0 0.7, a1 0.3   (assumption: base)",
        "      same numbers; the written judgement changed (and with it the uncertainty in draws); written {a0: rest,",
        "        a1: 0.3} -> {a0: rest, a1: 30%}",
        f"  row  P(b | a=a1)  [line {b1}]",
        "      old: n 0.4, y 0.6   (assumption: high)",
        "      new: n 0.4, y 0.6   (assumption: higher)",
        "      same numbers; the rationale changed",
        "  variable  a: description: a under test -> a reworded  (no effect on the numbers)",
        "  scenario  seen: A seen -> A is seen  (wording only)",
        "  model  title: Two -> Two v2  (no effect on the numbers)",
        "  variable  b: observable: False -> True  (changes which variables are ranked as indicators)",
        "  scenario  forced: (none) -> do a=a0  (added)",
        "  claim  K2: (none) -> P(b=y | a=a1) in 'likely' [55%, 80%]  (added)",
        "",
        "What it did:",
        "  claim K1: pass -> FAIL",
        "      old: pass: unlikely (32%) (needs 20% <= P <= 45%)",
        "      new: FAIL: roughly even chance (46%) (needs 20% <= P <= 45%)",
        "  claim K5: still fails; its numbers moved",
        "      old: FAIL: unlikely (32%) (needs 55% <= P <= 80%)",
        "      new: FAIL: roughly even chance (46%) (needs 55% <= P <= 80%)",
        "  claim K2: only in the new file",
        "      old: (none)",
        "      new: pass: likely (60%) (needs 55% <= P <= 80%)",
        "  b=y | baseline: unlikely (32%) -> roughly even chance (46%)  +14.0 points  BAND CHANGES",
        "  b=y | forced: not in the old file",
        "  1 other headline outcome/scenario pair(s) moved by less than 0.05 points (--all lists them)",
    ]
    everything = revisions.format_diff(frame, "base", "edited", show_all=True).splitlines()
    assert everything[-3:] == ["  b=y | baseline: unlikely (32%) -> roughly even chance (46%)  +14.0 points  BAND CHANGES",
                               "  b=y | seen: likely (60%) -> likely (60%)  +0.0 points",
                               "  b=y | forced: not in the old file"]


def test_small_moves_are_counted_not_listed(files):
    # b | a1 raised from 0.6 to 0.6003: P(b=y) moves by 0.3 * 0.0003 = 0.00009, under seen by 0.0003 (both
    # below the 0.05-point line); K1 keeps passing, K5 keeps failing
    old, new = files(base=BASE, nudged=BASE.replace("{n: 0.4, y: 0.6}", "{n: 0.3997, y: 0.6003}"))
    frame = revisions.diff(old, new)
    checks = frame[frame["kind"] == "check"].set_index("item")
    assert checks.loc["K1", "effect_text"] == "still passes; its numbers moved"
    assert checks.loc["K5", "effect_text"] == "still fails; its numbers moved"
    assert checks["effect"].tolist() == pytest.approx([0.3 * 0.0003] * 2, abs=1e-12)
    outcomes = frame[frame["kind"] == "outcome"].set_index("scenario")
    assert outcomes["effect"].to_dict() == pytest.approx({"baseline": 0.3 * 0.0003, "seen": 0.0003}, abs=1e-12)
    text = revisions.format_diff(frame, "base", "nudged").splitlines()
    assert text[text.index("What it did:") + 1:] == [
        "  2 other claim(s) keep their verdict; their numbers moved by less than 0.05 points (--all lists them)",
        "  2 other headline outcome/scenario pair(s) moved by less than 0.05 points (--all lists them)"]
    listed = revisions.format_diff(frame, "base", "nudged", show_all=True)
    assert "  claim K1: still passes; its numbers moved" in listed and "other claim(s)" not in listed
    assert "  b=y | seen: likely (60%) -> likely (60%)  +0.0 points" in listed


def test_the_same_file_twice_changes_nothing(files):
    (path,) = files(base=BASE)
    frame = revisions.diff(path, path)
    assert rows_of(frame) == [("outcome", "b=y | baseline", 0.32, 0.32, 0.0, "unlikely (32%) -> unlikely (32%)",
                               False, None),
                              ("outcome", "b=y | seen", 0.6, 0.6, 0.0, "likely (60%) -> likely (60%)", False, None)]
    assert revisions.format_diff(frame, "base", "base").splitlines()[2:] == [
        "What changed: nothing (same variables, tables, rationales, outcomes, scenarios and claims).",
        "",
        "What it did:",
        "  claims: no verdict or number moved",
        "  2 other headline outcome/scenario pair(s) moved by less than 0.05 points (--all lists them)"]


def test_impossible_evidence_and_claims_that_cannot_be_evaluated(files):
    # a1 made impossible: 'seen' observes it, K2 is asked given it; P(b=y) = 0.4, so K1 passes again
    impossible = EDITED.replace("a1: 30%}", "a1: 0}")
    old, new = files(edited=EDITED, impossible=impossible)
    frame = revisions.diff(old, new)
    outcomes = frame[frame["kind"] == "outcome"].set_index("scenario")
    assert outcomes.loc["seen", "effect_text"] == "the scenario's evidence is impossible in the new file"
    assert outcomes.loc["seen", "old"] == pytest.approx(0.6) and math.isnan(outcomes.loc["seen", "new"])
    assert outcomes.loc["baseline", "effect"] == pytest.approx(0.4 - 0.46, abs=1e-12)
    assert outcomes.loc["forced", "effect"] == 0.0
    checks = frame[frame["kind"] == "check"].set_index("item")
    assert checks.loc["K1", "effect_text"] == "FAIL -> pass" and checks.loc["K1", "band_changes"]
    assert checks.loc["K2", "effect_text"] == "cannot be compared" and not checks.loc["K2", "band_changes"]
    assert checks.loc["K2", "line"] == line_of(impossible, "  K2:") and math.isnan(checks.loc["K2", "effect"])
    assert checks.loc["K2", "new"].startswith("cannot be evaluated: ")
    back = revisions.diff(new, old).set_index("item")
    assert back.loc["b=y | seen", "effect_text"] == "the scenario's evidence is impossible in the old file"
    both = revisions.diff(new, new).set_index("item")
    assert both.loc["b=y | seen", "effect_text"] == "the scenario's evidence is impossible in both files"


# ------------------------------------------------------------------------------------- structure

STRUCTURE_OLD = BASE.split("outcomes:")[0] + """\
  d:
    description: d under test
    states: [d0, d1]
    table:
      - probabilities: {d0: 0.5, d1: 0.5}
        rationale: {assumption: even}
  e:
    description: e under test
    states: [e0, e1]
    parents: [a]
    table:
      - given: {a: a0}
        probabilities: {e0: 0.9, e1: 0.1}
        rationale: {assumption: e low}
      - given: {a: a1}
        probabilities: {e0: 0.5, e1: 0.5}
        rationale: {assumption: e even}
outcomes:
  - b: y
scenarios:
  seen:
    label: A seen
    observe: {a: a1}
  gone:
    label: D seen
    observe: {d: d1}
claims:
  K1:
    quote: "b is unlikely"
    form: probability
    outcome: {b: y}
    band: unlikely
  K3:
    quote: "b more likely with a1"
    form: more_likely
    reading: observation
    outcome: {b: y}
    if: {a: a1}
    than: {a: a0}
  K4:
    quote: "e is very unlikely"
    form: probability
    outcome: {e: e1}
    band: very unlikely
"""

# a's states in the other order; b written as an array over that order (so b | a1 = (0.8, 0.2) and
# b | a0 = (0.4, 0.6): P(b=y) = 0.7 * 0.6 + 0.3 * 0.2 = 0.48); d removed, c added, e's parent now c; a second
# headline outcome; 'seen' now forces a1; 'gone' and K4 removed; K1 reworded
STRUCTURE_NEW = """\
format: bayes-model/1
model: {title: Two, source: tests, as_of: 2020-07, author: tests, concentration: 50}
variables:
  a:
    description: a under test
    states: [a1, a0]
    table:
      - probabilities: {a1: 0.3, a0: rest}
        rationale: {assumption: base}
  b:
    description: b under test
    states: [n, y]
    parents: [a]
    array:
      axes: [a, b]
      values: "0.8 0.2 0.4 0.6"
      rationale: {assumption: low}
  c:
    description: c under test
    states: [c0, c1]
    table:
      - probabilities: {c0: 0.5, c1: 0.5}
        rationale: {assumption: even}
  e:
    description: e under test
    states: [e0, e1]
    parents: [c]
    table:
      - given: {c: c0}
        probabilities: {e0: 0.9, e1: 0.1}
        rationale: {assumption: e low}
      - given: {c: c1}
        probabilities: {e0: 0.5, e1: 0.5}
        rationale: {assumption: e even}
outcomes:
  - b: y
  - a: a1
scenarios:
  seen:
    label: A seen
    do: {a: a1}
claims:
  K1:
    quote: "b is unlikely, reworded"
    form: probability
    outcome: {b: y}
    band: unlikely
  K3:
    quote: "b more likely with a1"
    form: more_likely
    reading: observation
    outcome: {b: y}
    if: {a: a1}
    than: {a: a0}
"""


def test_structure_changes_rows_aligned_by_state_name(files):
    old, new = files(old=STRUCTURE_OLD, new=STRUCTURE_NEW)
    frame = revisions.diff(old, new)
    array_line = line_of(STRUCTURE_NEW, "array:")
    k3 = ("pass: likely (60%) vs very unlikely (20.0%), odds ratio 6 (needs P(if) > P(than))",  # (0.6/0.4)/(0.2/0.8)
          "FAIL: very unlikely (20.0%) vs likely (60%), odds ratio 0.167 (needs P(if) > P(than))")
    assert rows_of(frame) == [
        # b | a1 alone: under 'seen' 0.6 -> 0.2; b | a0 alone: at baseline 0.32 -> 0.7 * 0.6 + 0.18 = 0.60
        ("row", "b | a=a1", {"n": 0.4, "y": 0.6}, {"n": 0.8, "y": 0.2}, -0.4,
         "alone it moves b=y under seen by -40.0 points (likely (60%) -> very unlikely (20.0%))", False, array_line),
        ("row", "b | a=a0", {"n": 0.8, "y": 0.2}, {"n": 0.4, "y": 0.6}, 0.28,
         "alone it moves b=y under baseline by +28.0 points (unlikely (32%) -> likely (60%))" + UNEXPLAINED, False,
         array_line),
        ("outcomes", "headline outcomes", "b=y", "b=y, a=a1", 0.0, "what the briefing reports", False, None),
        ("claim", "K1", "P(b=y) in 'unlikely' [20%, 45%]", "P(b=y) in 'unlikely' [20%, 45%]", 0.0,
         "wording only (quote, says or note)", False, line_of(STRUCTURE_NEW, "  K1:")),
        ("table", "b", "full table", "array table", None, "the table is written another way", False,
         line_of(STRUCTURE_NEW, "  b:")),
        ("states", "a", ["a0", "a1"], ["a1", "a0"], None, "same states, new order", False,
         line_of(STRUCTURE_NEW, "  a:")),
        ("parents", "e", ["a"], ["c"], None, "the parents changed", False, line_of(STRUCTURE_NEW, "  e:")),
        ("variable", "c", None, "c under test", None, "added", False, line_of(STRUCTURE_NEW, "  c:")),
        ("variable", "d", "d under test", None, None, "removed", False, line_of(STRUCTURE_OLD, "  d:")),
        ("scenario", "seen", "observe a=a1", "do a=a1", None, "what it sets changed", False,
         line_of(STRUCTURE_NEW, "  seen:")),
        ("scenario", "gone", "observe d=d1", None, None, "removed", False, line_of(STRUCTURE_OLD, "  gone:")),
        ("claim", "K4", "P(e=e1) in 'very unlikely' [5%, 20%]", None, None, "removed", False,
         line_of(STRUCTURE_OLD, "  K4:")),
        ("check", "K3", *k3, -0.8, "pass -> FAIL", True, line_of(STRUCTURE_NEW, "  K3:")),
        ("outcome", "b=y | seen", 0.6, 0.2, -0.4, "likely (60%) -> very unlikely (20.0%); the band changes", True, None),
        ("check", "K1", "pass: unlikely (32%) (needs 20% <= P <= 45%)",
         "FAIL: roughly even chance (48%) (needs 20% <= P <= 45%)", 0.16, "pass -> FAIL", True,
         line_of(STRUCTURE_NEW, "  K1:")),
        ("outcome", "b=y | baseline", 0.32, 0.48, 0.16, "unlikely (32%) -> roughly even chance (48%); the band changes",
         True, None),
        ("outcome", "a=a1 | baseline", 0.3, 0.3, 0.0, "unlikely (30%) -> unlikely (30%)", False, None),
        ("outcome", "a=a1 | seen", 1.0, 1.0, 0.0, "almost certain (100%) -> almost certain (100%)", False, None),
        # P(e=e1) = 0.7 * 0.1 + 0.3 * 0.5 = 0.22, outside 5-20%
        ("check", "K4", "FAIL: unlikely (22%) (needs 5% <= P <= 20%)", None, None, "only in the old file", False,
         line_of(STRUCTURE_OLD, "  K4:")),
        ("outcome", "b=y | gone", 0.32, None, None, "not in the new file", False, None),
        ("outcome", "a=a1 | gone", 0.3, None, None, "not in the new file", False, None),
    ]
    claim = frame[frame["kind"] == "claim"].iloc[0]
    assert (claim["old_rationale"], claim["new_rationale"]) == ("b is unlikely", "b is unlikely, reworded")
    removed = frame[(frame["kind"] == "claim") & (frame["item"] == "K4")].iloc[0]
    assert removed["old_rationale"] == "e is very unlikely" and pd.isna(removed["new_rationale"])
    gone = frame[frame["item"] == "b=y | gone"].iloc[0]
    assert gone["scenario_label"] == "D seen"  # only the old file has it
    assert named_by_item(frame)
    text = revisions.format_diff(frame, "old", "new")
    assert "  states  a: a0, a1 -> a1, a0  (same states, new order)" in text.splitlines()
    assert "  b=y | gone: not in the new file" in text.splitlines()


def test_model_fields_and_orders_that_change_no_number(files):
    new_order = (BASE.replace("title: Two, source: tests", "title: Two, source: tests v2, scale: phia")
                 .replace("  b:\n    description: b under test\n    states: [n, y]",
                          "  b:\n    description: b under test\n    label: The b\n    states: [n, y]"))
    old, new = files(old=BASE, new=new_order)
    changed = revisions.diff(old, new)
    changed = changed[changed["section"] == "changed"]
    assert rows_of(changed) == [
        ("variable", "b: label", None, "The b", 0.0, "no effect on the numbers", False, line_of(new_order, "  b:")),
        ("model", "source", "tests", "tests v2", 0.0, "no effect on the numbers", False, None),
        # the same words, other ranges on the PHIA yardstick
        ("claim", "K1", "P(b=y) in 'unlikely' [20%, 45%]", "P(b=y) in 'unlikely' [25%, 35%]", None,
         "what it tests changed", False, line_of(new_order, "  K1:")),
        ("claim", "K5", "P(b=y) in 'likely' [55%, 80%]", "P(b=y) in 'likely' [55%, 75%]", None,
         "what it tests changed", False, line_of(new_order, "  K5:")),
        ("model", "scale", "icd203", "phia", None, "the words for numbers change", False, None),
    ]
    concentrated = STRUCTURE_OLD.replace("author: tests}", "author: tests, concentration: 20}")
    changed = revisions.diff(*files(old=STRUCTURE_OLD, concentrated=concentrated))
    assert rows_of(changed[changed["section"] == "changed"]) == [
        ("model", "concentration", 50.0, 20.0, None, "how firmly plain numbers are held in draws", False, None)]


def test_a_row_that_moves_no_headline_outcome_says_so(files):
    # e is no ancestor of b: its row moves K4's number (P(e=e1) = 0.7 * 0.15 + 0.15 = 0.255) and nothing headline
    moved = STRUCTURE_OLD.replace("{e0: 0.9, e1: 0.1}", "{e0: 0.85, e1: 0.15}")
    frame = revisions.diff(*files(old=STRUCTURE_OLD, moved=moved))
    row = frame.iloc[0]
    assert (row["kind"], row["item"], row["effect"]) == ("row", "e | a=a0", 0.0)
    assert row["effect_text"] == "alone it moves no headline outcome under any scenario" + UNEXPLAINED
    check = frame[frame["kind"] == "check"].iloc[0]
    assert (check["item"], check["effect"], check["effect_text"]) == ("K4", pytest.approx(0.035),
                                                                      "still fails; its numbers moved")


def test_a_row_with_no_headline_outcome_in_the_old_file(files):
    # the new file reports b=yes, a state the old file does not have: no pair to measure a's row on
    renamed = (BASE.replace("{n: 0.8, y: 0.2}", "{n: 0.8, yes: 0.2}").replace("{n: 0.4, y: 0.6}", "{n: 0.4, yes: 0.6}")
               .replace("states: [n, y]", "states: [n, yes]").replace("{b: y}", "{b: yes}")
               .replace("- b: y", "- b: yes").replace("a1: 0.3}", "a1: 0.4}"))
    frame = revisions.diff(*files(base=BASE, renamed=renamed))
    row = frame[frame["kind"] == "row"].iloc[0]
    assert (row["item"], row["effect_text"]) == ("a | (no parents)",
                                                 "no headline outcome to measure its effect on" + UNEXPLAINED)
    assert math.isnan(row["effect"])


def test_array_rationale_and_records(files):
    array = STRUCTURE_NEW
    reasoned = array.replace("      rationale: {assumption: low}", "      rationale: {assumption: lower}")
    frame = revisions.diff(*files(array=array, reasoned=reasoned))
    assert rows_of(frame[frame["section"] == "changed"]) == [
        ("table", "b: rationale", "assumption: low", "assumption: lower", 0.0, "the array's rationale changed", False,
         line_of(reasoned, "{assumption: lower}"))]
    records = revisions.diff_records(revisions.diff(*files(base=BASE, edited=EDITED)))
    first, model, added = records[0], records[5], records[7]
    assert first["old"] == {"n": 0.8, "y": 0.2} and first["effect"] == pytest.approx(0.14)
    assert type(first["line"]) is int and type(first["band_changes"]) is bool
    assert model["line"] is None and model["variable"] is None
    assert added["old"] is None and added["effect"] is None and added["new"] == "do a=a0"
    flat = revisions.diff_flat(revisions.diff(*files(base=BASE, edited=EDITED)))
    assert flat["old"].tolist()[:2] == ["n 0.8, y 0.2", "a0 0.7, a1 0.3"]
    assert flat["old"].tolist()[7] == "" and flat["new"].tolist()[7] == "do a=a0"
    outcome = flat[flat["kind"] == "outcome"].iloc[0]
    assert (outcome["old"], outcome["new"]) == (pytest.approx(0.32), pytest.approx(0.46))


def test_the_git_summary_of_a_model_line_by_line(files):
    (path,) = files(base=BASE)
    assert revisions.summary_text(revisions.read_model(path)).splitlines() == [
        "# bayes: Two (as of 2020-07); the effects first, then the file as written",
        "",
        "outcome b=y | baseline: unlikely (32%) [0.3200]",
        "outcome b=y | seen: likely (60%) [0.6000]",
        "claim K1: pass: unlikely (32%) (needs 20% <= P <= 45%)",
        "claim K5: FAIL: unlikely (32%) (needs 55% <= P <= 80%)",
        "row a | (no parents): a0 0.7, a1 0.3",
        "row b | a=a0: n 0.8, y 0.2",
        "row b | a=a1: n 0.4, y 0.6",
    ]
    (impossible,) = files(impossible=BASE.replace("a1: 0.3}", "a1: 0}"))
    assert "outcome b=y | seen: impossible evidence" in revisions.summary_text(revisions.read_model(impossible))


# ------------------------------------------------------------------------------------- disagreement

# Three analysts of BASE: ann as written; ben raises b | a0 to 0.4; cal raises P(a1) to 0.6.
# P(b=y): ann 0.32; ben 0.7 * 0.4 + 0.3 * 0.6 = 0.46; cal 0.4 * 0.2 + 0.6 * 0.6 = 0.44. Under 'seen' (a1
# observed) all three say 0.6. The linear pool, row by row with equal weights: P(a1) = 1.2 / 3 = 0.4,
# b | a0 = 0.8 / 3, b | a1 = 0.6, so P(b=y) = 0.6 * 0.8 / 3 + 0.4 * 0.6 = 0.40.
ANALYSTS = {"ann": BASE, "ben": BASE.replace("{n: 0.8, y: 0.2}", "{n: 0.6, y: 0.4}"),
            "cal": BASE.replace("a1: 0.3}", "a1: 0.6}")}


def test_each_analyst_the_pool_and_the_spread_by_hand(files):
    result = revisions.disagreement(files(**ANALYSTS))
    assert result.analysts == ["ann", "ben", "cal"] and result.method == "linear"
    assert result.weights.tolist() == pytest.approx([1 / 3] * 3)
    values = result.values.set_index(["scenario", "analyst"])["probability"]
    assert values.to_dict() == pytest.approx({
        ("baseline", "ann"): 0.32, ("baseline", "ben"): 0.46, ("baseline", "cal"): 0.44, ("baseline", "pooled"): 0.40,
        ("seen", "ann"): 0.6, ("seen", "ben"): 0.6, ("seen", "cal"): 0.6, ("seen", "pooled"): 0.6}, abs=1e-12)
    assert result.values["pooled"].tolist() == [False, False, False, True] * 2
    assert result.values["scenario_label"].tolist() == ["baseline"] * 4 + ["A seen"] * 4
    base = result.summary.set_index("scenario").loc["baseline"]
    assert (base["pooled"], base["mean"], base["low"], base["high"], base["spread"]) == pytest.approx(
        (0.40, (0.32 + 0.46 + 0.44) / 3, 0.32, 0.46, 0.14), abs=1e-12)
    assert (base["lowest"], base["highest"], base["outside"], base["words"]) == ("ann", "ben", False, "unlikely")
    seen = result.summary.set_index("scenario").loc["seen"]
    assert (seen["spread"], seen["lowest"], seen["highest"], seen["words"]) == (0.0, "ann", "ann", "likely")
    # K1 needs 20-45%: ben's 46% fails; K5 needs 55-80%: all fail. The margin is the probability itself.
    claims = result.claims.set_index(["claim", "analyst"])
    assert claims["passed"].to_dict() == {
        ("K1", "ann"): True, ("K1", "ben"): False, ("K1", "cal"): True, ("K1", "pooled"): True,
        ("K5", "ann"): False, ("K5", "ben"): False, ("K5", "cal"): False, ("K5", "pooled"): False}
    assert claims.loc[("K1", "cal"), "margin"] == pytest.approx(0.44)
    assert claims.loc[("K1", "ben"), "text"] == "FAIL: roughly even chance (46%) (needs 20% <= P <= 45%)"


def test_every_row_swap_between_analysts_by_hand(files):
    result = revisions.disagreement(files(**ANALYSTS))
    swaps = result.swaps[result.swaps["scenario"] == "baseline"]
    # into, source, variable, given: after (each a two-line computation like those above)
    assert [(r["into"], r["source"], r["variable"], r["given"], round(r["before"], 12), round(r["after"], 12))
            for _, r in swaps.iterrows()] == [
        ("ann", "ben", "b", "a=a0", 0.32, 0.46),
        ("ann", "cal", "a", "(no parents)", 0.32, 0.4 * 0.2 + 0.6 * 0.6),
        ("ben", "ann", "b", "a=a0", 0.46, 0.32),
        ("ben", "cal", "a", "(no parents)", 0.46, round(0.4 * 0.4 + 0.6 * 0.6, 12)),
        ("ben", "cal", "b", "a=a0", 0.46, 0.32),
        ("cal", "ann", "a", "(no parents)", 0.44, 0.32),
        ("cal", "ben", "a", "(no parents)", 0.44, 0.32),
        ("cal", "ben", "b", "a=a0", 0.44, round(0.4 * 0.4 + 0.6 * 0.6, 12)),
    ]
    assert swaps["shift"].tolist() == pytest.approx((swaps["after"] - swaps["before"]).tolist(), abs=0)
    # under 'seen' no swap moves anything, so nothing drives it
    assert (result.swaps[result.swaps["scenario"] == "seen"]["shift"].abs() < 1e-12).all()
    drivers = result.drivers(top=3)
    assert [(r["scenario"], r["into"], r["source"], r["variable"], round(r["shift"], 12))
            for _, r in drivers.iterrows()] == [("baseline", "ann", "ben", "b", 0.14), ("baseline", "ann", "cal", "a", 0.12)]
    assert result.drivers(top=1)["variable"].tolist() == ["b"]
    assert result.drivers(scenario="seen").empty and result.drivers(outcome="a=a1").empty


def test_only_the_swaps_whose_rows_differ_most_are_requeried(files, monkeypatch):
    # a's rows differ by 0.3 (0.3 against 0.6), b | a0 rows by 0.2: with room for four, the four swaps of a stay
    monkeypatch.setattr(revisions.disagreements, "MAX_SWAPS", 4)
    result = revisions.disagreement(files(**ANALYSTS))
    assert result.swaps_skipped == 4
    assert set(result.swaps["variable"]) == {"a"} and len(result.swaps) == 4 * 2
    text = revisions.format_disagreement(result)
    assert "  (4 more row swaps, between the rows that differ least, were not re-queried: at most 4 are)" in text


def test_the_terminal_view_and_records_of_a_disagreement(files):
    result = revisions.disagreement(files(**ANALYSTS))
    assert revisions.format_disagreement(result).splitlines() == [
        "3 analysts (ann 0.33, ben 0.33, cal 0.33); pooled: linear pool, row by row",
        "",
        "P(b=y):",
        "  scenario   ann   ben   cal         pooled      spread",
        "  baseline 32.0% 46.0% 44.0% unlikely (40%) 14.0 points",
        "      seen 60.0% 60.0% 60.0%   likely (60%)  0.0 points",
        "",
        "claims each reading satisfies (ann 1, ben 0, cal 1, pooled 1 of 2):",
        "  analyst   ann   ben   cal pooled",
        "  claim                           ",
        "  K1       pass  FAIL  pass   pass",
        "  K5       FAIL  FAIL  FAIL   FAIL",
        "",
        "what drives the spread under baseline: the rows whose swap between analysts moves each outcome most",
        "  b=y:",
        "    b | a=a0: ben's row in ann's model moves it +14.0 points (unlikely (32%) -> roughly even chance (46%))",
        "    a | (no parents): cal's row in ann's model moves it +12.0 points (unlikely (32%) -> unlikely (44%))",
    ]
    doc = revisions.disagreement_records(result, top=1)
    assert [a["name"] for a in doc["analysts"]] == ["ann", "ben", "cal"]
    assert doc["analysts"][1]["file"].endswith("ben.yaml") and doc["analysts"][1]["weight"] == pytest.approx(1 / 3)
    first = doc["outcomes"][0]
    assert (first["scenario"], first["outcome"], first["lowest"], first["highest"]) == ("baseline", "b=y", "ann", "ben")
    assert first["probabilities"] == pytest.approx({"ann": 0.32, "ben": 0.46, "cal": 0.44})
    assert (first["pooled"], first["spread"], first["pooled_outside_range"]) == (pytest.approx(0.4),
                                                                                 pytest.approx(0.14), False)
    assert doc["claims"][0] == {"claim": "K1", "passed": {"ann": True, "ben": False, "cal": True, "pooled": True},
                                "numbers": {"ann": "pass: unlikely (32%) (needs 20% <= P <= 45%)",
                                            "ben": "FAIL: roughly even chance (46%) (needs 20% <= P <= 45%)",
                                            "cal": "pass: unlikely (44%) (needs 20% <= P <= 45%)",
                                            "pooled": "pass: unlikely (40%) (needs 20% <= P <= 45%)"}}
    assert [(d["into"], d["source"], d["variable"]) for d in doc["drivers"]] == [("ann", "ben", "b")]
    assert "scenario_label" not in doc["drivers"][0] and doc["swaps_skipped"] == 0 and doc["method"] == "linear"


def test_a_pool_outside_every_analyst_and_an_impossible_scenario(files):
    # dee: a1 never happens and b | a0 = 0, so P(b=y) = 0 and 'seen' is impossible for her; eve: a1 always and
    # b | a1 = 0, so P(b=y) = 0. Pooled row by row: P(a1) = 0.5, b | a0 = (0 + 0.2) / 2 = 0.1, b | a1 = (0.6 + 0)
    # / 2 = 0.3, so P(b=y) = 0.5 * 0.1 + 0.5 * 0.3 = 0.2: outside both analysts' 0. Under 'seen' the pool says
    # 0.3 against eve's 0 (dee has no answer).
    dee = BASE.replace("a1: 0.3}", "a1: 0}").replace("{n: 0.8, y: 0.2}", "{n: 1, y: 0}")
    eve = BASE.replace("{a0: rest, a1: 0.3}", "{a0: 0, a1: 1}").replace("{n: 0.4, y: 0.6}", "{n: 1, y: 0}")
    result = revisions.disagreement(files(dee=dee, eve=eve))
    summary = result.summary.set_index("scenario")
    assert summary.loc["baseline", "pooled"] == pytest.approx(0.2) and summary.loc["baseline", "outside"]
    assert (summary.loc["baseline", "spread"], summary.loc["baseline", "words"]) == (0.0, "very unlikely")
    seen = summary.loc["seen"]
    assert (seen["pooled"], seen["low"], seen["high"], seen["lowest"], seen["outside"]) == (
        pytest.approx(0.3), 0.0, 0.0, "eve", True)
    table = revisions.format_disagreement(result).splitlines()
    assert "      seen    - 0.0%        unlikely (30%) (outside the analysts' range) 0.0 points" in table
    doc = revisions.disagreement_records(result)
    assert doc["outcomes"][1]["probabilities"] == {"dee": None, "eve": 0.0}


def test_a_disagreement_needs_two_files(files):
    (one,) = files(ann=BASE)
    with pytest.raises(BayesInputError, match="a disagreement needs at least two model files, got 1"):
        revisions.disagreement(one)


# ------------------------------------------------------------------------------------- more diff corners

LOG_ODDS_K = """\
  k:
    description: k under test
    states: [calm, war]
    parents: [a]
    builder:
      type: log_odds
      state: war
      baseline: 0.1
      effects:
        a: {a1: much more likely}
      rationale: {assumption: k}
"""  # a log-odds builder under a, in SHAPES and BUILT

# u: unrelated to b, first in the file; z: a state renamed; c: two parents, written in the other order in
# the new file (rows keyed by names, so no number moves); k: a log-odds builder under a
SHAPES = BASE.split("outcomes:")[0].replace("variables:\n", """\
variables:
  u:
    description: u under test
    states: [u0, u1]
    table:
      - probabilities: {u0: 0.5, u1: 0.5}
        rationale: {assumption: even}
  z:
    description: z under test
    states: [z0, z1]
    table:
      - probabilities: {z0: 0.5, z1: 0.5}
        rationale: {assumption: even}
""") + """\
  c:
    description: c under test
    states: [c0, c1]
    parents: [a, b]
    table:
      - given: {a: a0, b: n}
        probabilities: {c0: 0.9, c1: 0.1}
        rationale: {assumption: c}
      - given: {a: a0, b: y}
        probabilities: {c0: 0.7, c1: 0.3}
        rationale: {assumption: c}
      - given: {a: a1, b: n}
        probabilities: {c0: 0.5, c1: 0.5}
        rationale: {assumption: c}
      - given: {a: a1, b: y}
        probabilities: {c0: 0.2, c1: 0.8}
        rationale: {assumption: c}
""" + LOG_ODDS_K + """outcomes:
  - b: y
"""


def test_shapes_orders_builders_and_the_smallest_change(files):
    # u's row moves nothing headline; z changes shape (skipped, and the rows after it still compared); c's
    # parents change order only; b | a0 moves by 1e-9 (a change: numbers are the same only within 1e-12);
    # k's baseline 0.1 -> 0.2 moves k's rows (a builder's table is computed with the file's states)
    new = (SHAPES.replace("{u0: 0.5, u1: 0.5}", "{u0: 0.4, u1: 0.6}").replace("states: [z0, z1]", "states: [z0, z2]")
           .replace("{z0: 0.5, z1: 0.5}", "{z0: 0.5, z2: 0.5}").replace("parents: [a, b]", "parents: [b, a]")
           .replace("{n: 0.8, y: 0.2}", "{n: 0.799999999, y: 0.200000001}").replace("baseline: 0.1", "baseline: 0.2"))
    frame = revisions.diff(*files(old=SHAPES, new=new))
    assert named_by_item(frame)
    changed = frame[frame["section"] == "changed"].set_index("item")
    assert changed.loc["z", "effect_text"] == "the states changed"
    assert changed.loc["c", "effect_text"] == "same parents, new order"
    assert not any(item.startswith("c | ") for item in changed.index)  # c's rows aligned by name: unchanged
    assert changed.loc["u | (no parents)", "effect_text"] == ("alone it moves no headline outcome under any scenario"
                                                             + UNEXPLAINED)
    b_row = changed.loc["b | a=a0"]
    assert b_row["effect"] == pytest.approx(0.7e-9, rel=1e-3)  # P(a0) * 1e-9
    assert b_row["effect_text"] == ("alone it moves b=y under baseline by +0.0 points "
                                    "(unlikely (32%) -> unlikely (32%))" + UNEXPLAINED)
    # k's builder: its baseline as written, the one judgement that changed (k is no ancestor of b)
    assert (changed.loc["k: baseline P(war)", "old"], changed.loc["k: baseline P(war)", "new"]) == ("0.1", "0.2")
    assert changed.loc["k: baseline P(war)", "effect_text"].startswith("alone it moves no headline outcome")
    assert not any(item.startswith("k | ") for item in changed.index)


def test_words_moved_with_their_numbers_are_said_after_the_effect(files):
    # 'unlikely' (20-45%, read at its middle 32.5%) for b | a1 instead of 0.6: the numbers and the words move
    worded = BASE.replace("{n: 0.4, y: 0.6}", "{n: rest, y: unlikely}")
    frame = revisions.diff(*files(base=BASE, worded=worded))
    row = frame.iloc[0]
    assert row["item"] == "b | a=a1" and row["new"] == pytest.approx({"n": 0.675, "y": 0.325})
    # under 'seen' (a1 observed) b=y is that row: 0.6 -> 0.325 (shown as 32%: half to even)
    assert row["effect_text"] == ("alone it moves b=y under seen by -27.5 points (likely (60%) -> unlikely (32%)); "
                                  "written {n: 0.4, y: 0.6} -> {n: rest, y: unlikely}" + UNEXPLAINED)


def test_a_forced_scenario_the_phia_scale_and_scenarios_of_every_shape(files):
    # in EDITED, 'forced' sets a=a0, so b | a0 (0.4 -> 0.5) moves b=y by 0.1 there and by 0.07 at baseline
    phia = lambda text: text.replace("author: tests}", "author: tests, scale: phia}")  # noqa: E731
    old = phia(EDITED)
    new = phia(EDITED.replace("{n: 0.6, y: 0.4}", "{n: 0.5, y: 0.5}")).replace("claims:\n", """\
  both:
    label: Both
    observe: {b: y}
    do: {a: a1}
  plain:
    label: Plain
claims:
""")
    frame = revisions.diff(*files(old=old, new=new))
    row = frame.iloc[0]
    # under 'forced' b=y is b | a0 itself: 0.4 and 0.5, both a 'realistic possibility' (40-50%) on PHIA
    assert row["effect_text"] == ("alone it moves b=y under forced by +10.0 points "
                                  "(realistic possibility (40.0%) -> realistic possibility (50.0%))" + UNEXPLAINED)
    scenarios = frame[frame["kind"] == "scenario"].set_index("item")
    assert scenarios.loc["both", "new"] == "observe b=y; do a=a1"
    assert scenarios.loc["plain", "new"] == "no evidence"
    outcome = frame[(frame["kind"] == "outcome") & (frame["scenario"] == "baseline")].iloc[0]
    # 0.7 * 0.5 + 0.3 * 0.6 = 0.53 falls in PHIA's gap between 50% and 55%
    assert outcome["effect_text"] == ("realistic possibility (46%) -> between realistic possibility and likely "
                                      "(53%); the band changes")
    k1 = frame[(frame["kind"] == "check") & (frame["item"] == "K1")].iloc[0]
    assert k1["old"].endswith("(needs 25% <= P <= 35%)")  # 'unlikely' on the PHIA yardstick


def test_headline_outcomes_none_listed_and_evidence_impossible_everywhere(files):
    listed = revisions.diff(*files(unlisted=BASE.replace("outcomes:\n  - b: y\n", ""), listed=BASE))
    row = listed[listed["kind"] == "outcomes"].iloc[0]
    assert (row["old"], row["new"]) == ("none listed", "b=y")
    # a file whose own baseline observes what cannot happen: no scenario can measure a row's effect
    blind = BASE.replace("a1: 0.3}", "a1: 0}").replace("  seen:\n    label: A seen\n    description: a1 observed\n"
                                                        "    observe: {a: a1}\n",
                                                        "  baseline:\n    label: Seen\n    observe: {a: a1}\n")
    frame = revisions.diff(*files(blind=blind, moved=blind.replace("{n: 0.8, y: 0.2}", "{n: 0.7, y: 0.3}")))
    row = frame.iloc[0]
    assert (row["item"], row["effect_text"]) == (
        "b | a=a0", "its effect cannot be measured (every scenario's evidence is impossible)" + UNEXPLAINED)


def test_tables_requeried_one_set_at_a_time_give_the_same_answers(files, monkeypatch):
    whole = revisions.disagreement(files(**ANALYSTS))
    monkeypatch.setattr(revisions.disagreements, "TABLE_BUDGET", 1)  # one set of tables per batch
    one_by_one = revisions.disagreement(files(**ANALYSTS))
    assert one_by_one.swaps["after"].tolist() == pytest.approx(whole.swaps["after"].tolist(), abs=1e-15)
    assert one_by_one.values["probability"].tolist() == pytest.approx(whole.values["probability"].tolist(), abs=1e-15)


def test_evidence_no_analyst_can_see_and_analysts_who_agree(files):
    # both analysts rule a1 out, so 'seen' has no answer for either, nor for the pool; their rows of b | a0
    # differ, those of a do not
    zero = BASE.replace("a1: 0.3}", "a1: 0}")
    result = revisions.disagreement(files(zed=zero, zoe=zero.replace("{n: 0.8, y: 0.2}", "{n: 0.5, y: 0.5}")))
    seen = result.summary.set_index("scenario").loc["seen"]
    assert math.isnan(seen["pooled"]) and math.isnan(seen["mean"]) and math.isnan(seen["spread"])
    assert pd.isna(seen["lowest"]) and pd.isna(seen["highest"])
    assert (seen["outside"], seen["words"]) == (False, "impossible evidence")
    assert "      seen     -     - impossible evidence           -" in revisions.format_disagreement(result).splitlines()
    doc = revisions.disagreement_records(result)
    assert doc["outcomes"][1]["pooled"] is None and doc["outcomes"][1]["spread"] is None
    # K2-like questions given a1 cannot be asked: passed None, no margin, '-' in the table
    asked = zero + '  K2:\n    quote: "b given a1"\n    form: probability\n    outcome: {b: y}\n' \
                   '    given: {a: a1}\n    band: likely\n'
    result = revisions.disagreement(files(zed=asked, zoe=asked.replace("{n: 0.8, y: 0.2}", "{n: 0.5, y: 0.5}")))
    k2 = result.claims[result.claims["claim"] == "K2"]
    assert k2["passed"].isna().all() and k2["margin"].isna().all()
    assert k2["text"].str.startswith("cannot be evaluated: ").all()
    assert "  K2          -     -      -" in revisions.format_disagreement(result).splitlines()
    # two analysts who agree on every row: no swap, nothing drives anything
    same = revisions.disagreement(files(one=BASE, two=BASE))
    assert same.swaps.empty and same.swaps_skipped == 0
    lines = revisions.format_disagreement(same).splitlines()
    assert lines[-1] == "  no row differs between the analysts"


def test_files_without_claims_and_with_conflicts(files):
    bare = BASE.split("claims:")[0]
    other = bare.replace("  - b: y\n", "  - b: n\n").replace("a1: 0.3}", "a1: 0.4}")  # b charted in its other state
    result = revisions.disagreement(files(bare=bare, other=other), weights=[3, 1])
    assert result.weights.tolist() == [0.75, 0.25] and result.claims.empty
    lines = revisions.format_disagreement(result).splitlines()
    assert lines[0] == "2 analysts (bare 0.75, other 0.25); pooled: linear pool, row by row"
    assert "claims: none in the files" in lines
    assert lines[-1] == "conflicts: outcome b: bare charts y, other n; kept bare's"
    assert revisions.disagreement_records(result)["conflicts"] == result.pooled.conflicts
    logs = revisions.disagreement(files(bare=bare, other=other), method="log")
    assert logs.method == "log" and logs.values.shape == result.values.shape


BUILT = """\
format: bayes-model/1
model: {title: Built, source: tests, as_of: 2020-07, author: tests}
variables:
  a:
    description: a under test
    states: [a0, a1]
    table:
      - probabilities: {a0: 0.7, a1: 0.3}
        rationale: {assumption: base}
""" + LOG_ODDS_K + """outcomes:
  - k: war
scenarios:
  seen:
    label: A seen
    observe: {a: a1}
"""


def test_a_builder_edit_is_shown_as_written_with_its_effect(files):
    # 'much more likely' is an odds ratio of sqrt(3 * 7), 'far more likely' sqrt(6 * 17): P(war | a1) goes
    # from the odds 0.1/0.9 times the one to the odds times the other; 'seen' (a1 observed) shows it whole
    def p_war(ratio):
        odds = 0.1 / 0.9 * ratio
        return odds / (1 + odds)
    much, far = math.sqrt(21), math.sqrt(102)
    frame = revisions.diff(*files(built=BUILT, far=BUILT.replace("much more likely", "far more likely")))
    changed = frame[frame["section"] == "changed"]
    assert rows_of(changed) == [
        ("builder", "k: odds ratio of war if a=a1", f"much more likely ({much:.3g})", f"far more likely ({far:.3g})",
         round(p_war(far) - p_war(much), 12),
         f"alone it moves k=war under seen by {(p_war(far) - p_war(much)) * 100:+.1f} points (unlikely (34%) -> "
         f"roughly even chance (53%))" + UNEXPLAINED, False, line_of(BUILT, "  k:"))]
    assert named_by_item(frame) and changed.iloc[0]["old_rationale"] == "assumption: k"
    # the same number written another way: a range with the same geometric midpoint, and a new rationale
    same = BUILT.replace("much more likely", '"3-7"').replace("assumption: k}", "assumption: k revised}")
    changed = revisions.diff(*files(built=BUILT, same=same))
    assert rows_of(changed[changed["section"] == "changed"]) == [
        ("builder", "k: odds ratio of war if a=a1", f"much more likely ({much:.3g})", f"3-7 ({much:.3g})", 0.0,
         "the same number, written another way", False, line_of(same, "  k:"))]
    # the same number under the same rationale: nothing to flag
    rewritten = revisions.diff(*files(built=BUILT, rewritten=BUILT.replace("much more likely", '"3-7"')))
    assert rows_of(rewritten[rewritten["section"] == "changed"])[0][5] == "the same number, written another way"
    # only the rationale: said once for the builder
    reasoned = BUILT.replace("assumption: k}", "assumption: k revised}")
    changed = revisions.diff(*files(built=BUILT, reasoned=reasoned))
    assert rows_of(changed[changed["section"] == "changed"]) == [
        ("builder", "k: rationale", "assumption: k", "assumption: k revised", 0.0, "the rationale changed", False,
         line_of(reasoned, "  k:"))]


NOISY = BASE[:BASE.index("    table:\n      - given: {a: a0}")] + """    builder:
      type: noisy_or
      present: y
      leak: LEAK
      causes: {a: {a1: 0.5}}
      rationale: {assumption: one cause and a leak}
""" + BASE[BASE.index("outcomes:"):]


def test_analysts_who_wrote_one_builder_swap_judgements_not_rows(files):
    """ann's leak 10%, ben's 30%, the same cause strength 0.5 and P(a1) = 0.3. By hand: P(b=y | a0) = leak,
    P(b=y | a1) = 1 - (1 - leak) * 0.5; ann: 0.7 * 0.1 + 0.3 * 0.55 = 0.235; ben: 0.7 * 0.3 + 0.3 * 0.65 =
    0.405. Swapping ben's leak into ann's model gives ben's value: one driver, +17.0 points (swapping rows
    would have shown two: +14.0 and +3.0)."""
    result = revisions.disagreement(files(ann=NOISY.replace("LEAK", '"10%"'), ben=NOISY.replace("LEAK", '"30%"')))
    drivers = result.drivers(scenario="baseline")
    assert [(d["into"], d["source"], d["variable"], d["kind"], d["given"], d["written"]) for _, d in
            drivers.iterrows()] == [("ann", "ben", "b", "judgement", "leak", "30%")]  # two equal swaps: the first
    assert (drivers["before"][0], drivers["after"][0]) == pytest.approx((0.235, 0.405))
    back = result.swaps[(result.swaps["into"] == "ben") & (result.swaps["scenario"] == "baseline")]
    assert list(back["shift"]) == pytest.approx([-0.17]) and list(back["written"]) == ["10%"]
    assert ("    b | leak: ben's judgement (30%) in ann's model moves it +17.0 points (unlikely (24%) -> unlikely (40%))"
            in revisions.format_disagreement(result).splitlines())
    # a table against a builder: rows are swapped, as before
    mixed = revisions.disagreement(files(ann=NOISY.replace("LEAK", '"10%"'), cal=BASE))
    assert set(mixed.swaps["kind"]) == {"row"}
