"""Commands that read or write files beside a model: log, history, score, export, import, models, coverage,
new, diff, pool, disagreement, brief."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from bayes.cli.output import emit, failure_text, headline_text, json_default, prose_disagreements
from bayes.cli.parser import EXIT_CHECK_FAILED, EXIT_OK
from bayes.errors import BayesInputError
from bayes.modelfile.scales import describe


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
            emit(frame, "table", wide.to_string())
    else:
        emit(frame, args.format)
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
        emit(frame, "table", frame[cols].to_string(index=False, float_format=lambda x: f"{x:.3f}"))
    else:
        emit(frame, args.format)
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
    rounded = report.get("rounded", 0)
    note = (f"; {rounded} row{'s' if rounded != 1 else ''} sum{'s' if rounded == 1 else ''} to 1 only to rounding (off by up "
            f"to {report['largest_rounding']:.2g}), kept as written" if rounded else "")
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
    source = source_path(model.spec, args.source, args.source_dir)
    if source is None:
        raise BayesInputError("no source text: pass --source FILE, or name it in the model's 'source_file:' "
                              "(a path relative to the model file)", model.spec.path)
    rows = coverage(model.spec, read_source(source))
    covered, judgements = sum(r["covered"] for r in rows), sum(r["judgements"] for r in rows)
    shown = [r for r in rows if not (args.uncovered and r["covered"] == r["judgements"])]
    if args.format == "json":
        json.dump([{k: r[k] for k in ("sentence", "line", "claims", "triggers", "judgements", "covered")} for r in shown],
                  sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
        return EXIT_OK
    import pandas as pd

    frame = pd.DataFrame([{"line": r["line"], "claims": ", ".join(r["claims"]) or "-", "judgements": r["judgements"],
                           "covered": r["covered"], "triggers": ", ".join(r["triggers"]), "sentence": r["sentence"]}
                          for r in shown], columns=["line", "claims", "judgements", "covered", "triggers", "sentence"])
    if args.format == "csv":
        frame.to_csv(sys.stdout, index=False)
        return EXIT_OK
    import textwrap

    share = f"{covered / judgements:.0%}" if rows else "-"
    summary = (f"{covered} of {judgements} judgements in the {len(rows)} estimative or conditional sentences of "
               f"{source} are quoted by a claim ({share}; a sentence making two judgements needs two claims); "
               f"{len(model.spec.claims)} claims in {model.spec.path}")

    def quoted(r):
        found = ", ".join(r["claims"]) or "NOT QUOTED"
        return found if r["judgements"] == 1 else f"{found}; {r['covered']} of {r['judgements']} judgements quoted"
    blocks = [f"line {r['line']}: {quoted(r)} ({', '.join(r['triggers'])})\n"
              + textwrap.fill(r["sentence"], 100, initial_indent="    ", subsequent_indent="    ") for r in shown]
    emit(frame, "table", "\n".join(blocks or ["(no sentence to show)"]) + "\n\n" + summary)
    return EXIT_OK


def cmd_new(args) -> int:
    from bayes.modelfile.starter import write_starter

    path = write_starter(args.name, args.output, args.source, force=args.force)
    print(f"wrote {path}; next: edit it, then `bayes check {path}`")
    return EXIT_OK


def _raw_textconv(path, exc: BayesInputError) -> int:
    """The textconv driver's answer for a file it cannot read as a model: a one-line note, then the bytes."""
    import shutil

    sys.stdout.write(f"# bayes: not read as a model file: {exc.message}\n# the file as written\n")
    sys.stdout.flush()
    if os.path.isfile(path):  # a regular file only: a FIFO or a device would never end
        try:
            with open(path, "rb") as fh:
                if hasattr(sys.stdout, "buffer"):
                    shutil.copyfileobj(fh, sys.stdout.buffer)
                else:  # stdout captured as text (in-process callers)
                    sys.stdout.write(fh.read().decode("utf-8", errors="replace"))
        except OSError:
            pass
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

        try:
            text = read_text_file(args.old, "model file", MAX_YAML_BYTES)
        except BayesInputError as exc:  # not UTF-8, too big ...: git still gets the file's bytes to diff
            return _raw_textconv(args.old, exc)
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
            old_label=old.spec.path, new_label=new.spec.path, model=new), force=args.force)
        sys.stderr.write(f"chart: {path}\n")
    if args.format == "json":
        json.dump(diff_records(frame), sys.stdout, indent=2, default=json_default)
        sys.stdout.write("\n")
    elif args.format == "csv":
        diff_flat(frame).to_csv(sys.stdout, index=False)
    else:
        sys.stdout.write(format_diff(frame, old.spec.path, new.spec.path, show_all=args.all) + "\n")
    # as `check` does: exit 1 when the revision makes a claim that passed fail
    flipped = frame[(frame["kind"] == "check") & (frame["effect_text"] == "pass -> FAIL")]
    if len(flipped):
        sys.stderr.write(f"{len(flipped)} claim{'s' if len(flipped) > 1 else ''} that passed now fail"
                         f"{'' if len(flipped) > 1 else 's'}: {', '.join(flipped['item'])}\n")
        return EXIT_CHECK_FAILED
    return EXIT_OK


def cmd_pool(args) -> int:
    from bayes.analysis.revisions.pooling import write_pool

    result = write_pool(args.models, args.output, args.weights, args.method, force=args.force)
    if result.conflicts:
        from bayes.errors import one_line

        sys.stderr.write(one_line("WARNING: kept the first file's definition where files differ: "
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
        from bayes.errors import one_line

        sys.stderr.write(one_line("WARNING: kept the first file's definition where files differ: "
                                   + "; ".join(result.pooled.conflicts)) + "\n")
    if args.chart:
        from bayes.outputs.charts.revisions import disagreement_chart

        model = result.pooled.model
        path = save_chart(args.chart, lambda: disagreement_chart(
            data=result.values, scale=model.scale, title=f"Where the analysts disagree: {model.title}",
            source=model.source_line, model=model), force=args.force)
        sys.stderr.write(f"chart: {path}\n")
    if args.format == "json":
        json.dump(disagreement_records(result, args.top), sys.stdout, indent=2, default=json_default)
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
    if args.since is not None:  # a bad revision fails here, in one line, before any output exists
        from bayes.analysis.revisions.versions import read_revision

        read_revision(args.model, args.since)
    result = render_brief(args.model, args.out, since=args.since, notebook=args.notebook, hires=args.hires,
                          force=args.force)
    model, brief = result.model, result.brief
    from bayes.outputs.estimative import answer_sentence

    print(f"Answer: {answer_sentence(model, brief.answer)}\n")
    print(headline_text(model, result.scenarios))
    print(f"\nBriefing: {result.html}")
    print(f"Slides:   {result.pptx}")
    if result.notebook is not None:
        print(f"Notebook: {result.notebook}")
    for path in result.charts:
        print(f"Chart:    {path}")
    if brief.starter:  # a starter's brief is written, says so on its first screen, and is not a success
        print("\nNot an assessment yet; the brief says so on its first screen:")
        for item in brief.starter:
            print(f"  {item}")
        return EXIT_CHECK_FAILED
    disagree = prose_disagreements(model, brief.prose)
    if disagree:
        print("\nThe analyst's key judgements disagree with the model; the brief marks them:")
        for line in disagree:
            print(f"  {line}")
        return EXIT_CHECK_FAILED
    # the brief asked every claim already: they are asked again (with their fix hints) only if one fails
    held = brief.claims["passed"].astype(bool).all() if len(brief.claims) else True
    failed = [] if held else [r for r in evaluate_claims(model) if not r.passed]
    if failed:  # the brief is written (and says so on its first screen); the terminal and exit code say so too
        print(f"\n{len(failed)} of {len(model.spec.claims)} claims FAIL; the brief marks them:")
        for r in failed:
            print(failure_text(model, r, fix_hints(model, r.id)))
        return EXIT_CHECK_FAILED
    return EXIT_OK
