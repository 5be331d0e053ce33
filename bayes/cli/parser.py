"""The command line's grammar: every command, its arguments and their checks (argparse), with bad
arguments reported as one ERROR line and exit 2 like every other bad input."""

from __future__ import annotations

import argparse
import sys

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
        from bayes.errors import one_line

        sys.stderr.write(one_line(f"ERROR: command line: {message} (see '{self.prog} --help')") + "\n")
        raise SystemExit(EXIT_BAD_INPUT)


def _add_source_dir(p):
    p.add_argument("--source-dir", metavar="DIR", action="append", default=[],
                   help="a folder the model's source_file may also name a file in (by default only the model's own "
                        "folder: a model file cannot make the toolkit read elsewhere); repeatable")


def _add_format(p, choices=("table", "csv", "json")):
    p.add_argument("--format", choices=choices, default="table", help="output format (default: table)")


def _draw_count(text):
    from bayes.model import MAX_DRAWS, MIN_DRAWS

    value = _positive_int(text)
    if not MIN_DRAWS <= value <= MAX_DRAWS:
        raise argparse.ArgumentTypeError(f"must be from {MIN_DRAWS} to {MAX_DRAWS:,} (a 90% interval needs at least "
                                         f"{MIN_DRAWS} draws; 1,000 or more gives steady intervals)")
    return value


def _whole_number(text) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None


def _seed(text):
    value = _whole_number(text)
    if not 0 <= value < 2 ** 63:
        raise argparse.ArgumentTypeError("a seed is a whole number from 0 to 2**63 - 1")
    return value


def _positive_int(text):
    value = _whole_number(text)
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
    _add_source_dir(p)
    _add_draws(p)
    _add_format(p)

    p = command("coverage", "The source's estimative and conditional sentences, and the claims that quote each.",
                "bayes coverage river_ceasefire --format json")
    p.add_argument("model", metavar="MODEL")
    p.add_argument("--source", metavar="FILE", default=None, help="the source text (default: the model's source_file)")
    _add_source_dir(p)
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
    p.add_argument("--since", metavar="REV", default=None,
                   help="say what changed since the model file as it was in git revision REV (default: since the "
                        "brief.json already in the output folder)")
    p.add_argument("--notebook", action="store_true",
                   help="also execute notebooks/briefing.ipynb into DIR/brief.ipynb, to open in JupyterLab (starts "
                        "a kernel: a few seconds more)")
    p.add_argument("--hires", action="store_true",
                   help="also write each chart as NAME@2x.png, 3840x2160 (about 2 s more; NAME.svg scales already)")
    p.add_argument("--force", action="store_true",
                   help="replace files of the brief's names in a folder that holds no earlier brief (brief.json)")
    return parser
