"""`make mutate`'s report: mutmut's results per module, with the equivalent mutants left out and each one's
reason, written to reports/mutation.md and printed. Not a test (pytest collects test_*.py only).

A mutant is equivalent when no input can tell it from the original (a comparison at a point the code never
reaches, a message's wording that reaches no one). Listed here by mutmut's name; a change to the module
renumbers its mutants, so the list is revisited after each change.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = 0.85

EQUIVALENT = {
    "bayes.modelfile.scales.xǁScaleǁband_of__mutmut_3":
        "`<=` to `<` at band.low - 1e-12: a probability exactly 1e-12 below an edge is never computed",
    "bayes.modelfile.scales.xǁScaleǁband_of__mutmut_4":
        "`<=` to `<` at band.high + 1e-12: likewise",
    "bayes.modelfile.scales.xǁScaleǁgap__mutmut_8":
        "`<` to `<=` in gap(): only reached when p is in no band, so never equal to a band's end",
    "bayes.modelfile.scales.xǁScaleǁgap__mutmut_15":
        "`>` to `>=` in gap(): likewise",
    "bayes.modelfile.scales.x_describe__mutmut_10":
        "sign=False to sign=None: both falsy, the same text",
    **{m: "strict=False to strict=None: both falsy, the same answers" for m in (
        "bayes.analysis.revisions.diffs.x__row_effects__mutmut_56", "bayes.analysis.revisions.diffs.x__row_effects__mutmut_68",
        "bayes.analysis.revisions.disagreements.x__run_tables__mutmut_44")},
    **{m: "sort_values' `kind` on several columns: pandas sorts them with a stable lexsort whatever the kind"
       for m in [f"bayes.analysis.revisions.diffs.x_diff__mutmut_{k}" for k in (139, 141, 148, 149)]
       + [f"bayes.analysis.revisions.disagreements.xǁDisagreementǁdrivers__mutmut_{k}" for k in (81, 84, 94, 95)]},
    **{f"bayes.inference.claims.{m}": "_range ignores its scale argument (a claim's range is resolved when the "
       "file is read)" for m in ("x__judge__mutmut_58", "x__required__mutmut_37", "x_formal_text__mutmut_54",
                                 "x_evaluate_claims__mutmut_55")},
    **{f"bayes.inference.claims.{m}": "`<` for `<=` beside a 1e-12 slack: a number exactly 1e-12 past a "
       "threshold is never computed" for m in ("x__judge__mutmut_78", "x__judge__mutmut_79", "x__judge__mutmut_98")},
    **{f"bayes.inference.claims.{m}": "Query.make reads None, or a missing `do`, as no intervention"
       for m in ("x__queries__mutmut_12", "x__queries__mutmut_15")},
    **{f"bayes.inference.claims.{m}": "a comparison that falls through to the no_difference branch asks the "
       "same two questions (if, than)" for m in ("x__queries__mutmut_17", "x__queries__mutmut_18",
                                                  "x__queries__mutmut_19", "x__queries__mutmut_20")},
    **{f"bayes.inference.claims.{m}": "a probability claim that falls through asks its own question first and "
       "one more that is never read" for m in ("x__queries__mutmut_24", "x__queries__mutmut_25")},
    "bayes.inference.claims.x__required__mutmut_8":
        "a comparison always has min_odds_ratio (the default strength 'more' gives 1.0): the fallback is unused",
    "bayes.inference.claims.x_fix_hints__mutmut_46":
        "errstate(all=None) lets numpy warn where 'ignore' is silent; no number changes",
    "bayes.inference.claims.x_fix_hints__mutmut_9":
        "three table copies per parameter instead of two: the third is never read",
    "bayes.inference.claims.x_odds_ratio__mutmut_7":
        "p1 = 0 gives odds 0 through either branch",
    **{f"bayes.modelfile.parameters.{m}": "the rescaling factor when the rest of the row is 0 is overwritten by "
       "the even split below it" for m in ("x__row_entry_table__mutmut_12", "x__row_entry_table__mutmut_16",
                                            "x__row_entry_table__mutmut_18")},
    # elicitation: numerically identical draws or layouts
    "bayes.modelfile.elicitation.xǁJudgementǁbeta__mutmut_18":
        "the upper clamp of a point only matters at 1, which sample_probability fixes before the Beta is built",
    "bayes.modelfile.elicitation.xǁJudgementǁbeta__mutmut_19":
        "the upper clamp of a point only matters at 1, which sample_probability fixes before the Beta is built",
    "bayes.modelfile.elicitation.x_sample_probability__mutmut_2":
        "an exact 0 or 1 sent to the Beta is clamped to 1e-9 from its end: every draw underflows to the same 0 or 1",
    "bayes.modelfile.elicitation.x_sample_probability__mutmut_4":
        "an exact 0 sent to the Beta is clamped to 1e-9: every draw underflows to exactly 0",
    "bayes.modelfile.elicitation.x_sample_probability__mutmut_5":
        "an exact 1 sent to the Beta is clamped to 1 - 1e-9: every draw rounds to exactly 1",
    "bayes.modelfile.elicitation.xǁDirichletRowsǁ__init____mutmut_3": "alpha is always a float array already",
    "bayes.modelfile.elicitation.xǁDirichletRowsǁ__init____mutmut_5": "alpha is always a float array already",
    "bayes.modelfile.elicitation.xǁDirichletRowsǁ__init____mutmut_12": "numpy reads any negative size as 'the rest'",
    "bayes.modelfile.elicitation.xǁDirichletRowsǁ__call____mutmut_1": "every caller passes `first`",
    "bayes.modelfile.elicitation.xǁDirichletRowsǁ__call____mutmut_3": "errstate only silences warnings; no number changes",
    "bayes.modelfile.elicitation.xǁDirichletRowsǁ__call____mutmut_4": "errstate only silences warnings; no number changes",
    "bayes.modelfile.elicitation.xǁDirichletRowsǁ__call____mutmut_5": "errstate only silences warnings; no number changes",
    "bayes.modelfile.elicitation.xǁDirichletRowsǁ__call____mutmut_6": "errstate only silences warnings; no number changes",
    "bayes.modelfile.elicitation.xǁDirichletRowsǁ__call____mutmut_24": "the same alpha broadcast over the draws",
    "bayes.modelfile.elicitation.xǁDirichletRowsǁ__call____mutmut_28": "numpy reads any negative size as 'the rest'",
    "bayes.modelfile.elicitation.xǁDirichletRowsǁ__call____mutmut_107": "`bad` is all False before this one assignment",
    "bayes.modelfile.elicitation.xǁDirichletRowsǁ__call____mutmut_109": "`bad` is all False before this one assignment",
    "bayes.modelfile.elicitation.xǁRowǁsample__mutmut_43": "(card, m) / (m,) broadcasts as (card, m) / (1, m)",
    "bayes.modelfile.elicitation.xǁRowǁsample__mutmut_45": "(card, m) / (m,) broadcasts as (card, m) / (1, m)",
    "bayes.modelfile.elicitation.xǁRowǁsample__mutmut_53": "a row's total is never 0 (the rest takes up to 1)",
    "bayes.modelfile.elicitation.xǁRowǁsample__mutmut_54":
        "with a rest the total is at least 1, so rows at exactly 1 are divided by 1 either way",
    "bayes.modelfile.elicitation.xǁRowǁsample__mutmut_55": "a row's total is never 0 (the rest takes up to 1)",
    "bayes.modelfile.elicitation.xǁNoisyMaxTableǁ_table__mutmut_36": "differences of a cumulative are never below 0 beyond rounding",
    "bayes.modelfile.elicitation.xǁNoisyMaxTableǁ_table__mutmut_37": "differences of a cumulative are never above 1",
    "bayes.modelfile.elicitation.xǁNoisyMaxTableǁ_table__mutmut_49": "differences of a cumulative are never above 1",
    "bayes.modelfile.elicitation.xǁNoisyMaxTableǁpoint__mutmut_8": "the point is the first column either way",
    # tracking: the append's guards that no validated row can reach
    **{f"bayes.analysis.tracking.x_append_evidence__mutmut_{n}": "the default log's folder sits in a folder that "
       "exists (the model's own parent), so `parents=True` is never needed" for n in (9, 11, 13)},
    **{f"bayes.analysis.tracking.x_append_evidence__mutmut_{n}": "a stale temporary file found by glob under the "
       "folder lock is there to unlink: missing_ok is never exercised" for n in (61, 62)},
    **{f"bayes.analysis.tracking.x_append_evidence__mutmut_{n}": "the read-back check of the written copy: every "
       "field is validated before it is written, so the copy always reads back as one more row"
       for n in (130, 135, 136, 137, 141, 142, 143, 144, 145, 146, 147, 150, 153)},
}


def results() -> dict[str, str]:
    out = subprocess.run([str(Path(sys.executable).parent / "mutmut"), "results", "--all", "true"], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    found = {}
    for line in out.splitlines():
        m = re.match(r"^\s*(\S+): (\S.*)$", line)
        if m:
            found[m.group(1)] = m.group(2).strip()
    return found


def module_of(mutant: str) -> str:
    """bayes.analysis.revisions.diffs.x_diff__mutmut_3 -> bayes.analysis.revisions.diffs"""
    return mutant.split(".x")[0] if ".x" in mutant else mutant.rsplit(".", 1)[0]


def main() -> int:
    found = results()
    by_module: dict[str, Counter] = defaultdict(Counter)
    survivors: dict[str, list[str]] = defaultdict(list)
    for name, status in found.items():
        module = module_of(name)
        if name in EQUIVALENT:
            by_module[module]["equivalent"] += 1
            continue
        by_module[module][status] += 1
        if status not in ("killed", "not checked"):
            survivors[module].append(f"{name} ({status})")
    lines = ["# Mutation testing", "",
             "`make mutate` (mutmut); score = killed / (mutants run - equivalent); 'not run': mutants of a run cut",
             "short (`make mutate ONLY=...` runs a subset).", "",
             "| module | mutants | not run | killed | survived | no tests | timeout | equivalent | score |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    failing = []
    for module in sorted(by_module):
        c = by_module[module]
        total = sum(c.values())
        counted = total - c["equivalent"] - c["not checked"]
        score = c["killed"] / counted if counted else float("nan")
        if not score >= TARGET:
            failing.append(module)
        lines.append(f"| {module} | {total} | {c['not checked']} | {c['killed']} | {c['survived']} | {c['no tests']} | "
                     f"{c['timeout']} | {c['equivalent']} | {score:.0%} |")
    lines += ["", "## Equivalent mutants", ""] + [f"- `{k}`: {v}" for k, v in EQUIVALENT.items()]
    lines += ["", "## Survivors", ""]
    for module in sorted(survivors):
        lines += [f"### {module}", ""] + [f"- `{s}`" for s in sorted(survivors[module])] + [""]
    text = "\n".join(lines) + "\n"
    out = ROOT / "reports" / "mutation.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print("\n".join(lines[:7 + len(by_module)]))
    print(f"\nfull report: {out}")
    if failing:
        print(f"below {TARGET:.0%}: {', '.join(failing)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
