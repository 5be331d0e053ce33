"""One error type for everything an analyst can get wrong, so the CLI can print one line and exit 2."""

from __future__ import annotations


class BayesInputError(Exception):
    """Bad input: carries the file and line it comes from, so the message points at the fix."""

    def __init__(self, message: str, file: str | None = None, line: int | None = None):
        self.message = message
        self.file = file
        self.line = line
        super().__init__(self.location_message())

    def location_message(self) -> str:
        """One line, always: control characters from the file or the arguments are shown escaped."""
        where = self.file or "<input>"
        if self.line is not None:
            where = f"{where}:{self.line}"
        return one_line(f"{where}: {self.message}")


def one_line(text: str) -> str:
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


class ModelFileError(BayesInputError):
    """A model file that cannot be loaded as written."""


class ModelFileErrors(ModelFileError):
    """Several problems of one model file, each with its line, so one run of `bayes check` shows them all:
    printed one per line, each after the CLI's `ERROR: `; `message` is the first with a count of the rest."""

    def __init__(self, problems: list[ModelFileError]):
        self.problems = list(problems)
        first, more = self.problems[0], len(self.problems) - 1
        super().__init__(f"{first.message} (and {more} more problem{'s' if more > 1 else ''})", first.file, first.line)

    def location_message(self) -> str:
        return "\nERROR: ".join(p.location_message() for p in self.problems)


class QueryError(BayesInputError):
    """A query, scenario or claim that names something the model does not have."""


def known(names, limit: int = 30) -> str:
    """A list of valid names for an error message, cut after `limit` (an imported network has hundreds)."""
    names = [str(n) for n in names]
    shown = ", ".join(names[:limit])
    return shown + (f", ... ({len(names)} in all)" if len(names) > limit else "") if names else "(none)"
