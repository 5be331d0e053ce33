"""Commands that ask one model a question: check, query, scenarios, cpt, describe, words, sensitivity,
indicators."""

from __future__ import annotations

import json
import sys

from bayes.cli.output import (claim_numbers, clean_records, emit, failure_text, headline_text, json_default,
                              prose_disagreements)
from bayes.cli.parser import EXIT_CHECK_FAILED, EXIT_OK
from bayes.errors import BayesInputError
from bayes.modelfile.scales import describe

# ---------------------------------------------------------------------------- commands

def cmd_check(args) -> int:
    from bayes.inference.claims import claims_frame, evaluate_claims, fix_hints
    from bayes.model import load
    from bayes.analysis.revisions.versions import clip
    from bayes.modelfile.sources import SourceIndex, missing_quotes, nearest_passage, read_source, source_path

    model = load(args.model)
    spec = model.spec
    if not spec.claims:
        raise BayesInputError("the model has no claims to check; add a 'claims:' section (docs/model-file.md#claims, "
                              "or `bayes new` for an example of each form)", spec.path)
    model.check_scenarios()  # a scenario whose evidence is impossible is bad input: exit 2, naming it
    source = source_path(spec, args.source, args.source_dir)
    source_index = SourceIndex.of(read_source(source)) if source else None  # split once, for every quote
    missing = {c.id for c in missing_quotes(spec, source_index)} if source else set()
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
        json.dump(records, sys.stdout, indent=2, default=json_default)
        sys.stdout.write("\n")
    elif args.format == "csv":
        frame.to_csv(sys.stdout, index=False)
    else:
        import shutil
        import textwrap

        width = max(60, min(shutil.get_terminal_size((100, 24)).columns, 140))
        blocks = []
        for r in results:  # one block per claim, wrapped to the terminal: id, verdict, numbers; form; quote
            head = f"{r.id:<6} {'pass' if r.passed else 'FAIL'}  {claim_numbers(r, model)}"
            if r.hold_share is not None:
                head += f"; holds in {r.hold_share:.0%} of draws" + (" FRAGILE" if r.fragile else "")
            body = [textwrap.fill(head, width, subsequent_indent=" " * 13),
                    textwrap.fill(r.form, width, initial_indent=" " * 7, subsequent_indent=" " * 9),
                    textwrap.fill(f'"{r.quote}"', width, initial_indent=" " * 7, subsequent_indent=" " * 8)]
            blocks.append("\n".join(body))
        text = "\n".join(blocks)
        passed = sum(r.passed for r in results)
        text += f"\n\n{passed} of {len(results)} claims pass ({spec.path})"
        if missing:  # the summary says every reason for the exit code
            text += f"; {len(missing)} quote{'s' if len(missing) > 1 else ''} not found in the source"
        if args.draws:
            fragile = [r.id for r in results if r.fragile]
            text += (f"; over {args.draws} parameter draws (seed {args.seed}), "
                     + (f"fragile (hold in under 80% of draws): {', '.join(fragile)}" if fragile else "none is fragile"))
        if not any(v.observable for v in spec.variables.values()):
            text += ("\nnote: no variable is marked 'observable: true', so `bayes indicators` has nothing to rank "
                     "(docs/model-file.md#variables)")
        for r in results:
            if not r.passed:
                text += "\n\n" + failure_text(model, r, hints[r.id])
        if source:
            text += (f"\n\nquotes: all {len(results)} occur in {source}" if not missing else "")
            for cid in sorted(missing, key=lambda c: spec.claims[c].line or 0):
                text += (f"\n{spec.path}:{spec.claims[cid].line}: claim {cid}: quote not found in {source}: "
                         f"{json.dumps(spec.claims[cid].quote, ensure_ascii=False)}")
                near = nearest_passage(spec.claims[cid].quote, source_index)
                if near is not None:
                    sentence, share = near
                    text += (f"\n  nearest passage, {source}:{sentence.line} (similarity {share:.0%}): "
                             f"{json.dumps(clip(sentence.text, 200), ensure_ascii=False)}")
        emit(frame, "table", text)
    disagree = prose_disagreements(model)
    for line in disagree:  # the analyst's prose against the model's numbers: on stdout with the text, else stderr
        print(line, file=sys.stdout if args.format not in ("json", "csv") else sys.stderr)
    return EXIT_OK if all(r.passed for r in results) and not missing and not disagree else EXIT_CHECK_FAILED


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
        emit(frame, "table", header + "\n" + shown.to_string(index=False))
    else:
        emit(frame, args.format)
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
        emit(frame, "table", headline_text(model, frame))
    elif args.format == "table":
        emit(frame, "table", _with_words(frame, model).to_string(index=False))
    else:
        emit(frame, args.format)
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
            emit(table, "table", f"P({args.variable} | {', '.join(v.parents) or 'nothing'}), {how}\n"
                  + shown.to_string())
    else:
        emit(table.reset_index(), args.format)
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
        emit(frame, "table", text)
    else:
        emit(frame, args.format)
    return EXIT_OK


def cmd_words(args) -> int:
    from bayes.errors import BayesInputError
    from bayes.modelfile.elicitation import JudgementError, parse_probability
    from bayes.inference.claims import percent_bound
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
    bounds = scale.one_sided(text)
    if scale.is_term(text):
        band = scale.band(text)
        result = {"term": band.term, "low": band.low, "high": band.high, "scale": scale.name}
        line = f"{band.term}: {band.low:.0%}-{band.high:.0%} on the {scale.title} scale"
    elif bounds is not None:  # one side of a term or number, as claims accept it
        phrase = " ".join(text.split())
        result = {"term": phrase, "low": bounds[0], "high": bounds[1], "scale": scale.name}
        line = (f"{phrase}: {percent_bound(bounds[0])}-{percent_bound(bounds[1])} on the {scale.title} scale, as a "
                "claim's band (tables need both ends)")
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
    if frame.attrs.get("left_out"):
        from bayes.modelfile.parameters import MAX_ARRAY_NUMBERS, MAX_ARRAY_PARAMETERS

        print(f"note: {frame.attrs['left_out']:,} numbers of array: tables are not swung (at most "
              f"{MAX_ARRAY_PARAMETERS} are, from array tables of {MAX_ARRAY_NUMBERS:,} numbers in all)",
              file=sys.stderr)
    if args.top:
        frame = frame.head(args.top)
    if args.format == "table":
        import pandas as pd

        shown = pd.DataFrame({
            "judgement": frame["parameter"],
            "swung over": [f"{lo:.3g} to {hi:.3g}" + (" (row's edge)" if cut else "")
                           for lo, hi, cut in zip(frame["low"], frame["high"], frame["clipped"])],
            "target goes from": [describe(p, model.scale) for p in frame["target_low"]],
            "to": [describe(p, model.scale) for p in frame["target_high"]],
            "swing": [f"{w * 100:.1f} points" for w in frame["swing"]],
        })
        now = frame["target_now"].iloc[0] if len(frame) else float("nan")
        with pd.option_context("display.max_colwidth", 110, "display.width", 250):
            emit(frame, "table", f"P({args.target}) now: {describe(now, model.scale)}\n" + shown.to_string(index=False))
    else:
        emit(frame, args.format)
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
                        "states": clean_records(group[[c for c in ("state", "probability_of_state", "target_if_observed",
                                                            "if_lo90", "if_hi90", "shift", "band_changes", "sentence")
                                                if c in group]].to_dict(orient="records"))})
            if "mi_lo90" in group:
                out[-1].update(mi_lo90=float(group["mi_lo90"].iloc[0]), mi_hi90=float(group["mi_hi90"].iloc[0]))
        json.dump(out, sys.stdout, indent=2, default=json_default)
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
        emit(frame, "table", text)
    return EXIT_OK
