"""The `bayes` command: one subcommand per task (check, query, scenarios, brief, ... see `bayes --help`).

Exit codes: 0 ok, 1 a check failed, 2 bad input (one line on stderr: ERROR: <file>[:<line>]: <message>).
Modules: `parser` (the grammar), `model_commands` (questions of one model), `file_commands` (files beside a
model: logs, exchange formats, sources, revisions, the brief), `output` (how results print). A new
command: its arguments in `parser.build_parser`, its `cmd_*` function in one of the two command modules,
and one entry in COMMANDS below.
"""

from __future__ import annotations

import os
import sys
import warnings

from bayes.cli.file_commands import (cmd_brief, cmd_coverage, cmd_diff, cmd_disagreement, cmd_export, cmd_history,
                                     cmd_import, cmd_log, cmd_models, cmd_new, cmd_pool, cmd_score)
from bayes.cli.model_commands import (cmd_check, cmd_cpt, cmd_describe, cmd_indicators, cmd_query, cmd_scenarios,
                                      cmd_sensitivity, cmd_words)
from bayes.cli.parser import EXIT_BAD_INPUT, EXIT_OK, build_parser
from bayes.errors import BayesInputError

COMMANDS = {"check": cmd_check, "query": cmd_query, "scenarios": cmd_scenarios, "cpt": cmd_cpt,
            "describe": cmd_describe, "words": cmd_words, "models": cmd_models, "brief": cmd_brief,
            "sensitivity": cmd_sensitivity, "indicators": cmd_indicators, "log": cmd_log, "history": cmd_history,
            "score": cmd_score, "export": cmd_export, "import": cmd_import, "coverage": cmd_coverage, "new": cmd_new,
            "diff": cmd_diff, "pool": cmd_pool, "disagreement": cmd_disagreement}


def main(argv=None) -> int:
    from bayes.progress import reporting

    for value in argv if argv is not None else sys.argv[1:]:  # bytes the system could not decode as UTF-8
        if isinstance(value, str) and any("\udc80" <= c <= "\udcff" for c in value):
            shown = value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")[:200]
            sys.stderr.write(f"ERROR: command line: {shown!r} is not UTF-8 text; rename the file or retype the value "
                             "in UTF-8\n")
            return EXIT_BAD_INPUT
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        with reporting(not args.quiet), warnings.catch_warnings():
            # numpy's overflow/invalid-value notes are not for analysts: input is checked where it is read
            warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"numpy\.")
            code = COMMANDS[args.command](args)
    except BayesInputError as exc:
        sys.stderr.write(f"ERROR: {exc.location_message()}\n")
        return EXIT_BAD_INPUT
    except BrokenPipeError:  # e.g. `bayes scenarios ... | head` (before OSError: it is one)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except OSError as exc:  # a path the system refuses: too long, no permission, no space left ...
        from bayes.errors import one_line

        where = exc.filename if exc.filename is not None else "<input>"
        sys.stderr.write(one_line(f"ERROR: {str(where)[:300]}: {exc.strerror or exc}") + "\n")
        return EXIT_BAD_INPUT
    except ImportError as exc:  # a module loaded lazily fails only when memory ran out under a cap (ulimit -v)
        if not _out_of_memory(exc):
            raise
        sys.stderr.write("ERROR: <input>: the question needs more memory than this process may use; ask for fewer "
                         "draws or a smaller query, or set BAYES_MEMORY_BUDGET lower\n")
        return EXIT_BAD_INPUT
    except MemoryError:
        sys.stderr.write("ERROR: <input>: the question needs more memory than this machine has; ask for fewer "
                         "draws or a smaller query\n")
        return EXIT_BAD_INPUT
    sys.stdout.flush()
    return code



def _out_of_memory(exc: BaseException) -> bool:
    """Whether an exception was caused by memory running out (an import fails that way under a cap)."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        text = str(exc).lower()
        if isinstance(exc, MemoryError) or "cannot allocate memory" in text or "failed to map segment" in text:
            return True
        exc = exc.__cause__ or exc.__context__
    return False
