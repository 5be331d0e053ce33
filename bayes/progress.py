"""Progress bars for the command line, and only there.

A long run (many parameter draws, the briefing notebook) shows a bar on stderr when stderr is a
terminal. Piped or redirected output, notebooks and library calls stay silent: the engine reports
progress only inside `reporting()`, which the CLI opens around a command.
"""

from __future__ import annotations

import contextlib
import contextvars
import sys

_enabled: contextvars.ContextVar[bool] = contextvars.ContextVar("bayes_progress", default=False)

MIN_DRAWS = 20_000  # below this a run takes well under a second: no bar


def wanted() -> bool:
    """Inside `reporting()` and stderr is a terminal."""
    return _enabled.get() and sys.stderr.isatty()


@contextlib.contextmanager
def reporting(enabled: bool = True):
    token = _enabled.set(enabled)
    try:
        yield
    finally:
        _enabled.reset(token)


def bar(total: int):
    """A tqdm bar counting `total` draws on stderr when wanted and the run is big enough, else a no-op
    with the same API."""
    if not wanted() or total < MIN_DRAWS:
        return _Silent()
    from tqdm import tqdm

    return tqdm(total=total, unit="draws", file=sys.stderr, leave=False, dynamic_ncols=True, unit_scale=True)


class _Silent:
    def update(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False
