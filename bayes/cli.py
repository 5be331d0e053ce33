"""The `bayes` command: check, query, scenarios, cpt, describe, models, brief.

Exit codes: 0 ok, 1 a check failed, 2 bad input (one line on stderr: ERROR: <file>[:<line>]: <message>).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from pathlib import Path

from bayes.errors import BayesInputError
from bayes.modelfile.scales import describe

EXIT_OK, EXIT_CHECK_FAILED, EXIT_BAD_INPUT = 0, 1, 2

EPILOG = """\
exit codes: 0 ok, 1 a claim check failed, 2 bad input (model file, query or arguments)
MODEL is a name under data/models/ (e.g. caucasus_2020) or a path to a .yaml model file.
Long runs (20,000+ draws, brief) show a progress bar on stderr when it is a terminal; piped output
stays clean, and `bayes --quiet ...` turns the bar off.
"""


class _Parser(argparse.ArgumentParser):
    """argparse that reports bad arguments as one ERROR line and exit 2, like every other bad input."""

    def error(self, message):  # noqa: D401 - argparse API
        from bayes.errors import _one_line

        sys.stderr.write(_one_line(f"ERROR: command line: {message} (see '{self.prog} --help')") + "\n")
        raise SystemExit(EXIT_BAD_INPUT)


def _add_format(p, choices=("table", "csv", "json")):
    p.add_argument("--format", choices=choices, default="table", help="output format (default: table)")


def _draw_count(text):
    from bayes.model import MAX_DRAWS, MIN_DRAWS

    value = _positive_int(text)
    if not MIN_DRAWS <= value <= MAX_DRAWS:
        raise argparse.ArgumentTypeError(f"must be from {MIN_DRAWS} to {MAX_DRAWS:,} (a 90% interval needs at least "
                                         f"{MIN_DRAWS} draws; 1,000 or more gives steady intervals)")
    return value


def _seed(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if not 0 <= value < 2 ** 63:
        raise argparse.ArgumentTypeError("a seed is a whole number from 0 to 2**63 - 1")
    return value


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _add_conditions(p):
    p.add_argument("--given", action="append", default=[], metavar="VAR=STATE", help="observed evidence (repeatable)")
    p.add_argument("--do", action="append", default=[], metavar="VAR=STATE",
                   help="intervention: force a state by graph surgery (repeatable)")


def _add_target(p):
    p.add_argument("model", metavar="MODEL")
    p.add_argument("target", metavar="TARGET", help="VARIABLE=STATE")
    _add_conditions(p)


def _add_draws(p):
    p.add_argument("--draws", type=_draw_count, metavar="N",
                   help="draw every judgement N times from its distribution and report mean, median and 90%% interval")
    p.add_argument("--seed", type=_seed, default=2020, metavar="S", help="random seed for --draws (default: 2020)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="bayes", description="Scenario-forecasting toolkit: query and check an analyst's "
                     "Bayesian-network model.", epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-q", "--quiet", action="store_true",
                        help="no progress bars (they only ever show when stderr is a terminal)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    def command(name, help_text, example):
        return sub.add_parser(name, help=help_text, description=help_text, epilog=f"example:\n  {example}\n\n{EPILOG}",
                              formatter_class=argparse.RawDescriptionHelpFormatter)

    p = command("check", "Evaluate every claim of the model's ledger on the network (and, with a source text, "
                "that every quote occurs in it).", "bayes check caucasus_2020 --format json")
    p.add_argument("model", metavar="MODEL")
    p.add_argument("--source", metavar="FILE", default=None,
                   help="the source text to verify quotes against (default: the model's source_file, if any)")
    _add_draws(p)
    _add_format(p)

    p = command("coverage", "The source's estimative and conditional sentences, and the claims that quote each.",
                "bayes coverage river_ceasefire --format json")
    p.add_argument("model", metavar="MODEL")
    p.add_argument("--source", metavar="FILE", default=None, help="the source text (default: the model's source_file)")
    p.add_argument("--uncovered", action="store_true", help="list only the sentences no claim quotes")
    _add_format(p)

    p = command("new", "Write a starter model that passes `bayes check` (with --source: candidate claims as stubs).",
                "bayes new my_assessment -o my_assessment.yaml")
    p.add_argument("name", metavar="NAME", help="the model's name: letters, digits, _")
    p.add_argument("--source", metavar="FILE", default=None,
                   help="the assessment's text: list its estimative and conditional sentences as claim stubs")
    p.add_argument("-o", "--output", metavar="PATH", default=None,
                   help="where to write (default data/models/NAME.yaml if that folder exists, else ./NAME.yaml)")
    p.add_argument("--force", action="store_true", help="replace an existing file")

    p = command("query", "Posterior probabilities of variables given observed and/or forced states.",
                "bayes query caucasus_2020 escalation --do russia_stance=sides_with_armenia")
    p.add_argument("model", metavar="MODEL")
    p.add_argument("variables", metavar="VARIABLE", nargs="*", help="variables to report (default: the outcomes)")
    _add_conditions(p)
    p.add_argument("--soft", action="append", default=[], metavar="VAR:STATE=RATIO[;STATE=RATIO]",
                   help="soft evidence: a report RATIO times as likely under STATE (other states 1; repeatable)")
    _add_draws(p)
    _add_format(p)

    p = command("scenarios", "Outcome probabilities under every named scenario, baseline first.",
                "bayes scenarios caucasus_2020 --format csv")
    p.add_argument("model", metavar="MODEL")
    p.add_argument("--variables", nargs="+", metavar="VARIABLE", help="variables to report (default: the outcomes)")
    _add_draws(p)
    _add_format(p)

    p = command("sensitivity", "Swing every elicited number over its range: which judgements the target hinges on.",
                "bayes sensitivity caucasus_2020 escalation=escalates_to_wider_war --format json")
    _add_target(p)
    p.add_argument("--top", type=_positive_int, default=None, metavar="K", help="show the K largest swings only")
    _add_format(p)

    p = command("indicators", "Observable developments ranked by how much they would move the target.",
                "bayes indicators caucasus_2020 escalation=escalates_to_wider_war --given turkey_backing_of_baku=political_support")
    _add_target(p)
    _add_draws(p)
    _add_format(p)

    p = command("log", "The dated evidence log (data/evidence/<model>.csv): add a validated row.",
                "bayes log add caucasus_2020 --file my_log.csv --date 2020-09-27 --variable escalation "
                "--state escalates_to_wider_war --source 'wide reporting'")
    p.add_argument("action", choices=["add"], help="add: append one row (the file is untouched if it is invalid)")
    p.add_argument("model", metavar="MODEL")
    p.add_argument("--date", required=True, metavar="YYYY-MM-DD")
    p.add_argument("--variable", required=True)
    p.add_argument("--state", default="", help="the state observed")
    p.add_argument("--likelihood", default="", metavar="STATE=RATIO;...", help="soft evidence instead of a state")
    p.add_argument("--source", required=True)
    p.add_argument("--note", default="")
    p.add_argument("--file", default=None, help="another log file (default data/evidence/<model>.csv)")

    p = command("history", "The forecast after each dated update of the evidence log.",
                "bayes history caucasus_2020 --format json")
    p.add_argument("model", metavar="MODEL")
    p.add_argument("--file", default=None, help="another log file (default data/evidence/<model>.csv)")
    _add_draws(p)
    _add_format(p)

    p = command("score", "Score the assessment against resolved questions (data/outcomes/<model>.csv).",
                "bayes score caucasus_2020 --format json")
    p.add_argument("model", metavar="MODEL")
    p.add_argument("--file", default=None, help="another outcomes file (default data/outcomes/<model>.csv)")
    p.add_argument("--base-rates", default=None, metavar="FILE",
                   help="another base-rates file (default data/base_rates/<model>.yaml)")
    _add_format(p)

    p = command("export", "Write the model as XDSL (GeNIe), NET (Hugin, Netica), BIF or XMLBIF (pyAgrum, pgmpy).",
                "bayes export caucasus_2020 --format xmlbif -o caucasus_2020.bifxml")
    p.add_argument("model", metavar="MODEL")
    p.add_argument("--format", choices=["bif", "xmlbif", "net", "xdsl"], required=True)
    p.add_argument("-o", "--output", required=True, metavar="FILE")
    p.add_argument("--force", action="store_true", help="replace an existing file")

    p = command("import", "Turn an XDSL, BIF, XMLBIF or NET file into a model file (every number labelled as imported).",
                "bayes import caucasus_2020.bifxml -o imported.yaml")
    p.add_argument("file", metavar="FILE")
    p.add_argument("-o", "--output", required=True, metavar="MODEL.yaml")
    p.add_argument("--force", action="store_true", help="replace an existing file")
    p.add_argument("--format", choices=["bif", "xmlbif", "net", "xdsl"], default=None, help="default: from the suffix")

    p = command("cpt", "Show a variable's conditional table, rows labelled by parent states.",
                "bayes cpt caucasus_2020 russia_brokered_talks")
    p.add_argument("model", metavar="MODEL")
    p.add_argument("variable", metavar="VARIABLE")
    p.add_argument("--rationale", action="store_true", help="add each row's rationale")
    _add_format(p)

    p = command("describe", "List the model's variables, states, parents and scenarios.",
                "bayes describe caucasus_2020")
    p.add_argument("model", metavar="MODEL")
    _add_format(p)

    p = command("words", "Translate a probability into the scale's words, or a word into its range.",
                "bayes words 0.62 --scale phia")
    p.add_argument("value", metavar="P_OR_TERM", help="a probability (0.62 or 62%%) or a term ('likely')")
    p.add_argument("--scale", default="icd203", help="icd203 (default), icd203-probability or phia")
    _add_format(p, ("table", "json"))

    p = command("models", "List the models under data/models/.", "bayes models")
    _add_format(p, ("table", "json"))

    p = command("diff", "What changed between two versions of a model (variables, states, table rows with their "
                "rationales, claims, scenarios) and what it did (claims, every headline outcome under every scenario), "
                "ranked by size of effect.", "bayes diff caucasus_2020 pooled.yaml")
    p.add_argument("old", metavar="OLD", help="the earlier version (with --rev: the model file, read as of REV)")
    p.add_argument("new", metavar="NEW", nargs="?", default=None, help="the later version")
    p.add_argument("--rev", metavar="REV", default=None,
                   help="compare OLD as it was in git revision REV (e.g. HEAD~1; read with git show, no checkout) "
                        "with the file as it is now")
    p.add_argument("--textconv", action="store_true",
                   help="print OLD's effects and its text, for git's diff driver (docs/revisions.md)")
    p.add_argument("--all", action="store_true", help="table: also list outcomes that did not move")
    p.add_argument("--chart", metavar="FILE", default=None, help="also draw the dumbbell chart (.png, .svg or .pdf)")
    p.add_argument("--force", action="store_true", help="replace an existing --chart file")
    _add_format(p)

    p = command("pool", "Pool several analysts' files of one model structure into one model file (linear or "
                "logarithmic opinion pool, row by row; claims and scenarios the union).",
                "bayes pool caucasus_2020 imported.yaml --weights 2,1 -o pooled.yaml")
    p.add_argument("models", metavar="MODEL", nargs="+", help="two or more model files (or names)")
    p.add_argument("--weights", metavar="W1,W2,...", default=None, help="one weight per file (default: equal)")
    p.add_argument("--method", choices=["linear", "log"], default="linear",
                   help="linear: weighted mean (default); log: weighted geometric mean, renormalised")
    p.add_argument("-o", "--output", required=True, metavar="FILE")
    p.add_argument("--force", action="store_true", help="replace an existing file")

    p = command("disagreement", "Where analysts' files of one model structure disagree: each analyst's headline "
                "outcomes under every scenario, the pooled value, the spread, the claims each satisfies and the rows "
                "that drive the spread.", "bayes disagreement caucasus_2020 imported.yaml pooled.yaml")
    p.add_argument("models", metavar="MODEL", nargs="+", help="two or more model files (or names)")
    p.add_argument("--weights", metavar="W1,W2,...", default=None, help="one weight per file for the pool (default: "
                   "equal)")
    p.add_argument("--method", choices=["linear", "log"], default="linear", help="how the pooled value is pooled")
    p.add_argument("--top", type=_positive_int, default=3, metavar="K",
                   help="row swaps shown per outcome and scenario (default 3)")
    p.add_argument("--chart", metavar="FILE", default=None,
                   help="also draw the first headline outcome's disagreement chart (.png, .svg or .pdf)")
    p.add_argument("--force", action="store_true", help="replace an existing --chart file")
    _add_format(p)

    p = command("brief", "Render the briefing (HTML without code, charts as PNG/SVG) under reports/<model>/.",
                "bayes brief caucasus_2020")
    p.add_argument("model", metavar="MODEL", nargs="?", default="caucasus_2020")
    p.add_argument("--out", metavar="DIR", default=None, help="output folder (default: reports/<model>)")
    return parser


# ---------------------------------------------------------------------------- output helpers

def _json_default(value):
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if hasattr(value, "item"):
        return value.item()
    return str(value)


def _clean(records):
    cleaned = []
    for rec in records:
        cleaned.append({k: (None if isinstance(v, float) and (math.isnan(v) or math.isinf(v)) else v)
                        for k, v in rec.items()})
    return cleaned


def _emit(frame, fmt: str, table_text=None):
    if fmt == "json":
        records = frame.astype(object).where(frame.notna(), None).to_dict(orient="records")
        json.dump(_clean(records), sys.stdout, indent=2, default=_json_default)
        sys.stdout.write("\n")
    elif fmt == "csv":
        frame.to_csv(sys.stdout, index=False)
    else:
        sys.stdout.write((table_text if table_text is not None else frame.to_string(index=False)) + "\n")


def _headline_text(model, frame) -> str:
    """The headline table sized for a terminal: short column names, the charted state listed above."""
    import pandas as pd

    from bayes.analysis.scenarios import headline_states, headline_table

    table = headline_table(model, frame)
    table.columns = [c.split("=")[0] for c in table.columns]
    legend = "\n".join(f"  {v}: P({v}={s})" for v, s in headline_states(model).items())
    with pd.option_context("display.width", 250, "display.max_columns", 50):
        return f"{model.title} (as of {model.spec.as_of})\nheadline outcomes:\n{legend}\n\n{table.to_string()}"


# ---------------------------------------------------------------------------- commands

def cmd_check(args) -> int:
    from bayes.inference.claims import claims_frame, evaluate_claims, fix_hints
    from bayes.model import load
    from bayes.modelfile.sources import missing_quotes, read_source, source_path

    model = load(args.model)
    spec = model.spec
    if not spec.claims:
        raise BayesInputError("the model has no claims to check; add a 'claims:' section (docs/model-file.md#claims, "
                              "or `bayes new` for an example of each form)", spec.path)
    model.check_scenarios()  # a scenario whose evidence is impossible is bad input: exit 2, naming it
    source = source_path(spec, args.source)
    missing = {c.id for c in missing_quotes(spec, read_source(source))} if source else set()
    results = evaluate_claims(model, draws=args.draws, seed=args.seed)
    hints = {r.id: fix_hints(model, r.id) for r in results if not r.passed}
    frame = claims_frame(results)
    if source:
        frame["quote_in_source"] = [r.id not in missing for r in results]
    if args.format == "json":
        records = []
        for r in results:
            rec = r.to_json()
            rec["line"] = spec.claims[r.id].line
            if source:
                rec["quote_in_source"] = r.id not in missing
            if r.id in hints:
                rec["fix"] = hints[r.id]
            records.append(rec)
        json.dump(records, sys.stdout, indent=2, default=_json_default)
        sys.stdout.write("\n")
    elif args.format == "csv":
        frame.to_csv(sys.stdout, index=False)
    else:
        import shutil
        import textwrap

        width = max(60, min(shutil.get_terminal_size((100, 24)).columns, 140))
        blocks = []
        for r in results:  # one block per claim, wrapped to the terminal: id, verdict, numbers; form; quote
            head = f"{r.id:<6} {'pass' if r.passed else 'FAIL'}  {_claim_numbers(r, model)}"
            if r.hold_share is not None:
                head += f"; holds in {r.hold_share:.0%} of draws" + (" FRAGILE" if r.fragile else "")
            body = [textwrap.fill(head, width, subsequent_indent=" " * 13),
                    textwrap.fill(r.form, width, initial_indent=" " * 7, subsequent_indent=" " * 9),
                    textwrap.fill(f'"{r.quote}"', width, initial_indent=" " * 7, subsequent_indent=" " * 8)]
            blocks.append("\n".join(body))
        text = "\n".join(blocks)
        passed = sum(r.passed for r in results)
        text += f"\n\n{passed} of {len(results)} claims pass ({spec.path})"
        if args.draws:
            fragile = [r.id for r in results if r.fragile]
            text += (f"; over {args.draws} parameter draws (seed {args.seed}), "
                     + (f"fragile (hold in under 80% of draws): {', '.join(fragile)}" if fragile else "none is fragile"))
        if not any(v.observable for v in spec.variables.values()):
            text += ("\nnote: no variable is marked 'observable: true', so `bayes indicators` has nothing to rank "
                     "(docs/model-file.md#variables)")
        for r in results:
            if not r.passed:
                text += "\n\n" + _failure_text(model, r, hints[r.id])
        if source:
            text += (f"\n\nquotes: all {len(results)} occur in {source}" if not missing else "")
            for cid in sorted(missing, key=lambda c: spec.claims[c].line or 0):
                text += (f"\n{spec.path}:{spec.claims[cid].line}: claim {cid}: quote not found in {source}: "
                         f"{json.dumps(spec.claims[cid].quote, ensure_ascii=False)}")
        _emit(frame, "table", text)
    return EXIT_OK if all(r.passed for r in results) and not missing else EXIT_CHECK_FAILED


def _claim_numbers(r, model) -> str:
    iv = r.intervals or {}
    if r.kind in ("more_likely", "less_likely"):
        return (f"{describe(r.p_if, model.scale, *iv.get('p_if', (None, None)))} vs "
                f"{describe(r.p_than, model.scale, *iv.get('p_than', (None, None)))} (odds ratio {r.odds_ratio:.3g})")
    if r.kind == "probability":
        return describe(r.probability, model.scale, *iv.get("probability", (None, None)))
    return f"max difference {r.max_difference:.3g}"


def _failure_text(model, r, hints) -> str:
    """A failing claim, pointed at the fix: where it is, both sides, what it needs, what moves it most."""
    from bayes.inference.claims import margin_name

    spec = model.spec.claims[r.id]
    text = (f"{model.spec.path}:{spec.line}: claim {r.id} fails: {_claim_numbers(r, model)}; it needs "
            f"{r.required}.")
    if hints:
        text += f"\n  the judgements that move it most ({margin_name(spec)} at the low and high end of each):"
        for h in hints:
            text += (f"\n  - {model.spec.path}:{h['line']}: {h['judgement']} (now {h['value']:.3g}, swung "
                     f"{h['low']:.3g} to {h['high']:.3g}): {h['claim_low']:.3g} to {h['claim_high']:.3g}")
    return text


def _with_words(frame, model):
    """The table view: one `probability` column in words and numbers (with the 90% interval if drawn)."""
    out = frame[[c for c in frame.columns if c not in ("probability", "mean", "median", "lo90", "hi90")]].copy()
    if "lo90" in frame:
        out["probability"] = [describe(p, model.scale, lo, hi) for p, lo, hi in
                              zip(frame["probability"], frame["lo90"], frame["hi90"])]
    else:
        out["probability"] = [describe(p, model.scale) for p in frame["probability"]]
    return out


def _warn_impossible_scenarios(model):
    """query, describe and cpt still answer for a file whose scenarios cannot happen, but say so (one line)."""
    from bayes.errors import QueryError

    try:
        model.check_scenarios()
    except QueryError as exc:
        if "probability zero" in exc.message:  # other trouble (e.g. memory) is the command's own error to give
            sys.stderr.write(f"WARNING: {exc.location_message()}\n")


def cmd_query(args) -> int:
    from bayes.model import load

    model = load(args.model)
    _warn_impossible_scenarios(model)
    soft = _parse_soft(args.soft, model)
    frame = model.query(args.variables or None, given=args.given, do=args.do, draws=args.draws, seed=args.seed,
                        soft=soft)
    if args.format == "table":
        shown = _with_words(frame, model)
        cond = [f"{g}" for g in args.given] + [f"do({d})" for d in args.do] + [f"report({r})" for r in args.soft]
        header = f"P(. | {', '.join(cond)})" if cond else "P(.) with no evidence"
        if args.draws:
            header += f"; {args.draws} parameter draws, seed {args.seed}"
        _emit(frame, "table", header + "\n" + shown.to_string(index=False))
    else:
        _emit(frame, args.format)
    return EXIT_OK


def _parse_soft(items, model) -> dict:
    """--soft VAR:STATE=RATIO[;STATE=RATIO], repeatable, as {variable: {state: ratio}}."""
    from bayes.analysis.tracking import parse_likelihood
    from bayes.modelfile.spec import check_variable

    soft: dict[str, dict[str, float]] = {}
    for item in items:
        var, colon, rest = item.partition(":")
        var = var.strip()
        if not colon:
            raise BayesInputError(f"soft evidence '{item}' must be written VAR:STATE=RATIO[;STATE=RATIO]", "command line")
        check_variable(model.spec, var, "soft evidence")
        ratios = parse_likelihood(rest, model, var, "command line", None)
        soft.setdefault(var, {}).update({s: r for s, r in zip(model.spec.states(var), ratios) if r != 1.0})
    return soft


def cmd_scenarios(args) -> int:
    from bayes.model import load

    model = load(args.model)
    if not model.spec.outcomes and not args.variables:
        raise BayesInputError("the model lists no outcomes to report; add an 'outcomes:' section "
                              "(docs/model-file.md#outcomes) or name them with --variables", model.spec.path)
    frame = model.scenarios(args.variables, draws=args.draws, seed=args.seed)
    frame["scenario"] = frame["scenario"].astype(str)
    if args.format == "table" and args.variables is None:
        _emit(frame, "table", _headline_text(model, frame))
    elif args.format == "table":
        _emit(frame, "table", _with_words(frame, model).to_string(index=False))
    else:
        _emit(frame, args.format)
    return EXIT_OK


def cmd_cpt(args) -> int:
    from bayes.model import load

    model = load(args.model)
    _warn_impossible_scenarios(model)
    table = model.cpt(args.variable, rationale=args.rationale)
    if args.format == "table":
        import pandas as pd

        shown = table.copy()
        for state in model.states(args.variable):
            shown[state] = [describe(p, model.scale) for p in table[state]]
        v = model.spec.variables[args.variable]
        how = f"built by the {v.builder} builder" if v.builder else "written as a full table"
        with pd.option_context("display.max_colwidth", 120, "display.width", 250):
            _emit(table, "table", f"P({args.variable} | {', '.join(v.parents) or 'nothing'}), {how}\n"
                  + shown.to_string())
    else:
        _emit(table.reset_index(), args.format)
    return EXIT_OK


def cmd_describe(args) -> int:
    from bayes.model import load

    model = load(args.model)
    _warn_impossible_scenarios(model)
    frame = model.describe()
    if args.format == "table":
        import pandas as pd

        with pd.option_context("display.max_colwidth", 80, "display.width", 250):
            text = (f"{model.title}\nas of {model.spec.as_of}; source: {model.spec.source}\n\n"
                    + frame.drop(columns="description").to_string(index=False)
                    + "\n\nscenarios:\n" + model.scenario_table().to_string(index=False))
        _emit(frame, "table", text)
    else:
        _emit(frame, args.format)
    return EXIT_OK


def cmd_words(args) -> int:
    from bayes.errors import BayesInputError
    from bayes.modelfile.elicitation import JudgementError, parse_probability
    from bayes.modelfile.scales import SCALES

    if args.scale not in SCALES:
        raise BayesInputError(f"unknown scale '{args.scale}'; expected one of: {', '.join(SCALES)}", "command line")
    scale = SCALES[args.scale]
    text = args.value.strip()
    strength = _strength_word(text)
    if strength is not None:
        if args.format == "json":
            json.dump(strength, sys.stdout)
            sys.stdout.write("\n")
        else:
            print(strength["text"])
        return EXIT_OK
    if scale.is_term(text):
        band = scale.band(text)
        result = {"term": band.term, "low": band.low, "high": band.high, "scale": scale.name}
        line = f"{band.term}: {band.low:.0%}-{band.high:.0%} ({scale.title})"
    else:
        try:
            j = parse_probability(float(text) if text.replace(".", "", 1).isdigit() else text, scale)
        except (JudgementError, ValueError):
            other = [s.name for s in SCALES.values() if s is not scale and s.is_term(text)]
            hint = f"; it is a term of --scale {other[0]}" if other else ""
            raise BayesInputError(f"'{text}' is neither a probability nor a term of the {scale.title} scale "
                                  f"({', '.join(scale.terms)}){hint}", "command line") from None
        if j.is_range:
            raise BayesInputError(f"'{text}' is a range; give one probability or one term", "command line")
        result = {"probability": j.point, "term": scale.term(j.point), "scale": scale.name}
        line = describe(j.point, scale)
        gap = scale.gap(j.point)
        if gap:
            result["gap"] = [gap[0].high, gap[1].low]
            line += f": in the {scale.title}'s deliberate {gap[0].high:.0%}-{gap[1].low:.0%} gap, no single term"
    if args.format == "json":
        json.dump(result, sys.stdout)
        sys.stdout.write("\n")
    else:
        print(line)
    return EXIT_OK


def _strength_word(text: str) -> dict | None:
    """A word of the strength ladder explained: its odds-ratio range in builders, its threshold in claims."""
    from bayes.modelfile.elicitation import CLAIM_MIN_ODDS_RATIO, JudgementError, ladder, parse_strength

    try:
        s = parse_strength(text)
    except JudgementError:
        return None
    if s.magnitude == "none":
        return {"word": "no effect", "odds_ratio": 1.0, "text": "no effect: odds ratio 1 (in a claim, use form "
                "no_difference)"}
    way = {1: "more", -1: "less", None: "more"}[s.direction]
    word = (s.words if s.direction is not None else f"{s.magnitude} {way} likely")
    p, lo, hi = ladder(type(s)(s.magnitude, s.direction or 1))
    need = CLAIM_MIN_ODDS_RATIO[s.magnitude]
    claim = ("a direction only (odds ratio above 1)" if need == 1 else f"odds ratio at least {need:g}")
    if s.direction == -1:
        claim = "a direction only (odds ratio below 1)" if need == 1 else f"odds ratio at most 1/{need:g}"
    return {"word": word, "odds_ratio": p, "low": lo, "high": hi, "claim_threshold": need,
            "text": f"{word}: in a builder an odds ratio of {lo:.3g}-{hi:.3g} (point {p:.3g}); in a claim, {claim}"
                    + (" (the claim's form gives the direction)" if s.direction is None else "")}


def cmd_sensitivity(args) -> int:
    from bayes.analysis.sensitivity import sensitivity
    from bayes.model import load

    model = load(args.model)
    frame = sensitivity(model, args.target, given=args.given, do=args.do)
    if args.top:
        frame = frame.head(args.top)
    if args.format == "table":
        import pandas as pd

        shown = pd.DataFrame({
            "judgement": frame["parameter"],
            "swung over": [f"{lo:.3g} to {hi:.3g}" for lo, hi in zip(frame["low"], frame["high"])],
            "target goes from": [describe(p, model.scale) for p in frame["target_low"]],
            "to": [describe(p, model.scale) for p in frame["target_high"]],
            "swing": [f"{w * 100:.1f} points" for w in frame["swing"]],
        })
        now = frame["target_now"].iloc[0] if len(frame) else float("nan")
        with pd.option_context("display.max_colwidth", 110, "display.width", 250):
            _emit(frame, "table", f"P({args.target}) now: {describe(now, model.scale)}\n" + shown.to_string(index=False))
    else:
        _emit(frame, args.format)
    return EXIT_OK


def cmd_indicators(args) -> int:
    from bayes.analysis.indicators import indicators
    from bayes.model import load

    model = load(args.model)
    frame = indicators(model, args.target, given=args.given, do=args.do, draws=args.draws, seed=args.seed)
    if args.format == "json":
        out = []
        for var, group in frame.groupby("variable", sort=False):
            out.append({"variable": var, "mutual_information_bits": float(group["mutual_information_bits"].iloc[0]),
                        "target": args.target, "target_now": float(group["target_now"].iloc[0]),
                        "states": _clean(group[[c for c in ("state", "probability_of_state", "target_if_observed",
                                                            "if_lo90", "if_hi90", "shift", "band_changes", "sentence")
                                                if c in group]].to_dict(orient="records"))})
            if "mi_lo90" in group:
                out[-1].update(mi_lo90=float(group["mi_lo90"].iloc[0]), mi_hi90=float(group["mi_hi90"].iloc[0]))
        json.dump(out, sys.stdout, indent=2, default=_json_default)
        sys.stdout.write("\n")
    elif args.format == "csv":
        frame.to_csv(sys.stdout, index=False)
    else:
        import pandas as pd

        shown = frame[["variable", "state", "mutual_information_bits"]].copy()
        lows = frame["if_lo90"] if "if_lo90" in frame else [None] * len(frame)
        highs = frame["if_hi90"] if "if_hi90" in frame else [None] * len(frame)
        shown["target if observed"] = [describe(p, model.scale, lo, hi) if p == p else "ruled out"
                                       for p, lo, hi in zip(frame["target_if_observed"], lows, highs)]
        shown["band changes"] = frame["band_changes"].map({True: "yes", False: ""})
        now = frame["target_now"].iloc[0] if len(frame) else float("nan")
        with pd.option_context("display.width", 250):
            text = (f"P({args.target}) now: {describe(now, model.scale)}\n" + shown.to_string(index=False)
                    + "\n\n" + "\n".join(frame.loc[frame["band_changes"], "sentence"]))
        _emit(frame, "table", text)
    return EXIT_OK


def cmd_log(args) -> int:
    from bayes.analysis.tracking import append_evidence
    from bayes.model import load

    model = load(args.model)
    path = append_evidence(model, {"date": args.date, "variable": args.variable, "state": args.state,
                                   "likelihood": args.likelihood, "source": args.source, "note": args.note},
                           args.file)
    print(f"added to {path}")
    return EXIT_OK


def cmd_history(args) -> int:
    from bayes.analysis.tracking import history, load_evidence
    from bayes.model import load

    model = load(args.model)
    frame = history(model, load_evidence(model, args.file), draws=args.draws, seed=args.seed)
    frame["date"] = frame["date"].astype(str)
    if args.format == "table":
        shown = frame[[(s == model.spec.headline_states[v]) for v, s in zip(frame["variable"], frame["state"])]]
        lows = shown["lo90"] if "lo90" in shown else [None] * len(shown)
        highs = shown["hi90"] if "hi90" in shown else [None] * len(shown)
        cells = [describe(p, model.scale, lo, hi) for p, lo, hi in zip(shown["probability"], lows, highs)]
        wide = shown.assign(p=cells).pivot_table(
            index=["date", "update"], columns="variable", values="p", aggfunc="first", sort=False)
        import pandas as pd

        with pd.option_context("display.width", 250, "display.max_colwidth", 60):
            _emit(frame, "table", wide.to_string())
    else:
        _emit(frame, args.format)
    return EXIT_OK


def cmd_score(args) -> int:
    from bayes.analysis.scoring import score_model
    from bayes.analysis.tracking import data_path
    from bayes.model import load

    model = load(args.model)
    frame = score_model(model, args.file, args.base_rates)
    if frame.empty or "question" not in frame or not (frame["question"] != "overall").any():
        looked = args.file or data_path(model, "outcomes")
        raise BayesInputError("no resolved questions to score: the outcomes file is missing or empty (columns "
                              "question, outcome, resolved, horizon, source; docs/model-file.md#evidence-and-outcomes)",
                              str(looked))
    if args.format == "table":
        cols = [c for c in ("question", "outcome", "forecast", "base_rate_forecast", "brier", "uniform_brier",
                            "base_rate_brier", "log_score", "uniform_log_score", "base_rate_log_score", "rps")
                if c in frame]
        _emit(frame, "table", frame[cols].to_string(index=False, float_format=lambda x: f"{x:.3f}"))
    else:
        _emit(frame, args.format)
    return EXIT_OK


def cmd_export(args) -> int:
    from bayes.exchange.formats import export_model
    from bayes.model import load

    path = export_model(load(args.model), args.format, args.output, force=args.force)
    print(f"wrote {path}")
    return EXIT_OK


def cmd_import(args) -> int:
    from bayes.exchange.formats import import_model
    from bayes.model import load

    report: dict = {}
    path = import_model(args.file, args.output, args.format, force=args.force, report=report)
    model = load(path)  # what was written must load
    rescaled = report.get("rescaled", 0)
    note = (f"; {rescaled} row{'s' if rescaled != 1 else ''} rescaled to sum to 1 (off by up to "
            f"{report['largest_rescale']:.2g}, rounding in the file)" if rescaled else "")
    print(f"wrote {path} ({len(model.variables)} variables{note})")
    return EXIT_OK


def cmd_models(args) -> int:
    from bayes.modelfile.locate import available_models

    names = available_models()
    if args.format == "json":
        json.dump(names, sys.stdout)
        sys.stdout.write("\n")
    else:
        sys.stdout.write("\n".join(names) + "\n")
    return EXIT_OK


def cmd_coverage(args) -> int:
    from bayes.model import load
    from bayes.modelfile.sources import coverage, read_source, source_path

    model = load(args.model)
    source = source_path(model.spec, args.source)
    if source is None:
        raise BayesInputError("no source text: pass --source FILE, or name it in the model's 'source_file:' "
                              "(a path relative to the model file)", model.spec.path)
    rows = coverage(model.spec, read_source(source))
    covered = sum(bool(r["claims"]) for r in rows)
    shown = [r for r in rows if not (args.uncovered and r["claims"])]
    if args.format == "json":
        json.dump([{k: r[k] for k in ("sentence", "line", "claims", "triggers")} for r in shown], sys.stdout, indent=2,
                  ensure_ascii=False)
        sys.stdout.write("\n")
        return EXIT_OK
    import pandas as pd

    frame = pd.DataFrame([{"line": r["line"], "claims": ", ".join(r["claims"]) or "-",
                           "triggers": ", ".join(r["triggers"]), "sentence": r["sentence"]} for r in shown],
                         columns=["line", "claims", "triggers", "sentence"])
    if args.format == "csv":
        frame.to_csv(sys.stdout, index=False)
        return EXIT_OK
    import textwrap

    share = f"{covered / len(rows):.0%}" if rows else "-"
    summary = (f"{covered} of {len(rows)} estimative or conditional sentences of {source} are quoted by a claim "
               f"({share}); {len(model.spec.claims)} claims in {model.spec.path}")
    blocks = [f"line {r['line']}: {', '.join(r['claims']) or 'NOT QUOTED'} ({', '.join(r['triggers'])})\n"
              + textwrap.fill(r["sentence"], 100, initial_indent="    ", subsequent_indent="    ") for r in shown]
    _emit(frame, "table", "\n".join(blocks or ["(no sentence to show)"]) + "\n\n" + summary)
    return EXIT_OK


def cmd_new(args) -> int:
    from bayes.modelfile.starter import write_starter

    path = write_starter(args.name, args.output, args.source, force=args.force)
    print(f"wrote {path}; next: edit it, then `bayes check {path}`")
    return EXIT_OK


def cmd_diff(args) -> int:
    from bayes.analysis.revisions.diffs import diff, diff_flat, diff_records, format_diff, summary_text
    from bayes.analysis.revisions.versions import read_model, read_revision
    from bayes.outputs.charts.framing import save_chart

    if args.textconv:  # git's diff driver: never fail, always print something git can diff
        if args.new is not None or args.rev is not None:
            raise BayesInputError("--textconv takes one file (git passes it) and no NEW or --rev", "command line")
        from bayes.fileio import read_text_file
        from bayes.modelfile.yamlfile import MAX_YAML_BYTES

        text = read_text_file(args.old, "model file", MAX_YAML_BYTES)
        try:
            sys.stdout.write(summary_text(read_model(args.old)))
        except BayesInputError as exc:
            sys.stdout.write(f"# bayes: the model does not load: {exc.message}\n")
        sys.stdout.write("\n# the file as written\n" + text + ("" if text.endswith("\n") else "\n"))
        return EXIT_OK
    if (args.new is None) == (args.rev is None):
        raise BayesInputError("give two model files (OLD NEW) or one model file and --rev REV", "command line")
    if args.rev is not None:
        old, new = read_revision(args.old, args.rev), read_model(args.old)
    else:
        old, new = read_model(args.old), read_model(args.new)
    frame = diff(old, new)
    if args.chart:
        from bayes.outputs.charts.revisions import diff_chart

        path = save_chart(args.chart, lambda: diff_chart(
            data=frame, scale=new.scale, title=f"What the revision did: {new.title}", source=new.source_line,
            old_label=old.spec.path, new_label=new.spec.path), force=args.force)
        sys.stderr.write(f"chart: {path}\n")
    if args.format == "json":
        json.dump(diff_records(frame), sys.stdout, indent=2, default=_json_default)
        sys.stdout.write("\n")
    elif args.format == "csv":
        diff_flat(frame).to_csv(sys.stdout, index=False)
    else:
        sys.stdout.write(format_diff(frame, old.spec.path, new.spec.path, show_all=args.all) + "\n")
    return EXIT_OK


def cmd_pool(args) -> int:
    from bayes.analysis.revisions.pooling import write_pool

    result = write_pool(args.models, args.output, args.weights, args.method, force=args.force)
    if result.conflicts:
        from bayes.errors import _one_line

        sys.stderr.write(_one_line("WARNING: kept the first file's definition where files differ: "
                                   + "; ".join(result.conflicts)) + "\n")
    parts = ", ".join(f"{n} {w:.3g}" for n, w in zip(result.names, result.weights))
    print(f"wrote {result.path}: {args.method} pool of {len(result.names)} files (weights {parts}); "
          f"{len(result.model.spec.variables)} variables, {len(result.model.spec.claims)} claims, "
          f"{len(result.model.spec.scenarios)} scenarios; next: `bayes check {result.path}`")
    return EXIT_OK


def cmd_disagreement(args) -> int:
    from bayes.analysis.revisions.disagreements import disagreement, disagreement_records, format_disagreement
    from bayes.outputs.charts.framing import save_chart

    result = disagreement(args.models, args.weights, args.method)
    if result.pooled.conflicts:
        from bayes.errors import _one_line

        sys.stderr.write(_one_line("WARNING: kept the first file's definition where files differ: "
                                   + "; ".join(result.pooled.conflicts)) + "\n")
    if args.chart:
        from bayes.outputs.charts.revisions import disagreement_chart

        model = result.pooled.model
        path = save_chart(args.chart, lambda: disagreement_chart(
            data=result.values, scale=model.scale, title=f"Where the analysts disagree: {model.title}",
            source=model.source_line), force=args.force)
        sys.stderr.write(f"chart: {path}\n")
    if args.format == "json":
        json.dump(disagreement_records(result, args.top), sys.stdout, indent=2, default=_json_default)
        sys.stdout.write("\n")
    elif args.format == "csv":
        result.values.to_csv(sys.stdout, index=False)
    else:
        sys.stdout.write(format_disagreement(result, args.top) + "\n")
    return EXIT_OK


def cmd_brief(args) -> int:
    from bayes.inference.claims import evaluate_claims, fix_hints
    from bayes.outputs.brief import render_brief

    if args.out is not None and Path(args.out).exists() and not Path(args.out).is_dir():
        raise BayesInputError("--out must be a folder (the brief writes several files into it)", args.out)
    result = render_brief(args.model, args.out)
    model = result.model
    print(_headline_text(model, result.scenarios))
    print(f"\nBriefing: {result.html}")
    if result.pptx is not None:
        print(f"Slides:   {result.pptx}")
    for path in result.charts:
        print(f"Chart:    {path}")
    failed = [r for r in evaluate_claims(model) if not r.passed]
    if failed:  # the brief is written (and says so on its first screen); the terminal and exit code say so too
        print(f"\n{len(failed)} of {len(model.spec.claims)} claims FAIL; the brief marks them:")
        for r in failed:
            print(_failure_text(model, r, fix_hints(model, r.id)))
        return EXIT_CHECK_FAILED
    return EXIT_OK


COMMANDS = {"check": cmd_check, "query": cmd_query, "scenarios": cmd_scenarios, "cpt": cmd_cpt,
            "describe": cmd_describe, "words": cmd_words, "models": cmd_models, "brief": cmd_brief,
            "sensitivity": cmd_sensitivity, "indicators": cmd_indicators, "log": cmd_log, "history": cmd_history,
            "score": cmd_score, "export": cmd_export, "import": cmd_import, "coverage": cmd_coverage, "new": cmd_new,
            "diff": cmd_diff, "pool": cmd_pool, "disagreement": cmd_disagreement}


def main(argv=None) -> int:
    from bayes.errors import BayesInputError
    from bayes.progress import reporting

    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        with reporting(not args.quiet):
            code = COMMANDS[args.command](args)
    except BayesInputError as exc:
        sys.stderr.write(f"ERROR: {exc.location_message()}\n")
        return EXIT_BAD_INPUT
    except BrokenPipeError:  # e.g. `bayes scenarios ... | head` (before OSError: it is one)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except OSError as exc:  # a path the system refuses: too long, no permission, no space left ...
        from bayes.errors import _one_line

        where = exc.filename if exc.filename is not None else "<input>"
        sys.stderr.write(_one_line(f"ERROR: {str(where)[:300]}: {exc.strerror or exc}") + "\n")
        return EXIT_BAD_INPUT
    except MemoryError:
        sys.stderr.write("ERROR: <input>: the question needs more memory than this machine has; ask for fewer "
                         "draws or a smaller query\n")
        return EXIT_BAD_INPUT
    sys.stdout.flush()
    return code


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
