"""The memory budget a question's tables and answers may use: $BAYES_MEMORY_BUDGET, else a share of what
this process may use (physical memory, ulimit, cgroup); sizes in words a person reads."""

from __future__ import annotations

import functools
import math
import os

from bayes.errors import BayesInputError, QueryError


BUDGET_UNITS = {"": 1, "K": 2 ** 10, "KIB": 2 ** 10, "M": 2 ** 20, "MIB": 2 ** 20, "G": 2 ** 30, "GIB": 2 ** 30}
BUDGET_FORMS = "a whole number of bytes, or with K, M, G (or KiB, MiB, GiB), e.g. 500M or 4G"


def memory_budget() -> int:
    """Bytes one table of a plan (and the per-draw answers of one run) may hold: $BAYES_MEMORY_BUDGET (e.g.
    4G, 500M), else 1 GiB; never more than a quarter of the memory this process may use (a product holds
    its two inputs, their rearranged copies and its result at once, and summaries copy the answers, so the
    process needs a few times this). Anything but the documented forms is one clear error."""
    cap = _memory_limit() // 4
    text = os.environ.get("BAYES_MEMORY_BUDGET", "").strip()
    if not text:
        return min(2 ** 30, cap)
    return min(parse_budget(text), cap)


def check_budget_setting() -> None:
    """A malformed $BAYES_MEMORY_BUDGET is one clear error even for questions too small to consult the budget
    (inference/whole.py), so a typo is not noticed only by the first big question."""
    text = os.environ.get("BAYES_MEMORY_BUDGET", "").strip()
    if text:
        parse_budget(text)


@functools.lru_cache(maxsize=16)  # read at every question; a malformed value raises every time (not cached)
def parse_budget(text: str) -> int:
    """BAYES_MEMORY_BUDGET's value in bytes: a positive whole number with an optional binary unit."""
    import re

    match = re.fullmatch(r"([0-9]+) ?([A-Za-z]*)", text.strip(" "))
    unit = match and match.group(2).upper()
    if not match or unit not in BUDGET_UNITS or int(match.group(1)[:16]) == 0:
        raise BayesInputError(f"BAYES_MEMORY_BUDGET is {text[:40]!r}; expected {BUDGET_FORMS}", "environment")
    if len(match.group(1)) > 15:
        raise BayesInputError(f"BAYES_MEMORY_BUDGET is {text[:40]!r}: more bytes than any machine has; expected "
                              f"{BUDGET_FORMS}", "environment")
    return int(match.group(1)) * BUDGET_UNITS[unit]


def _memory_limit() -> int:
    """The least of: physical memory, the address-space and data limits (ulimit -v, -d) and the cgroup's
    memory.max (containers, systemd-run -p MemoryMax=...). A run under a cap sizes its plans to fit it."""
    limits = []
    try:
        limits.append(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        pass
    try:
        import resource

        for which in (resource.RLIMIT_AS, resource.RLIMIT_DATA):
            soft = resource.getrlimit(which)[0]
            if soft != resource.RLIM_INFINITY:
                limits.append(soft)
    except (ImportError, ValueError, OSError):
        pass
    limits += _cgroup_limits()
    return min(limits) if limits else 2 ** 32


@functools.cache
def _cgroup_limits() -> tuple[int, ...]:
    """The cgroup's memory limit, read once per process (a process does not change cgroup; reading the files
    for every query cost more than a small network's whole answer)."""
    limits = []
    for path in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            with open(path) as fh:
                value = fh.read().strip()
            if value.isdigit() and int(value) < 2 ** 60:
                limits.append(int(value))
        except OSError:
            pass
    return tuple(limits)


def size_text(n: float) -> str:
    """A size the way a person reads it: 3.2 GiB, 512.0 MiB, 40.0 KiB, 32 bytes."""
    if n >= 2 ** 50:  # beyond any machine: the power of two says it plainly
        return f"2^{math.log2(n):.0f} bytes"
    for unit, size in (("GiB", 2 ** 30), ("MiB", 2 ** 20), ("KiB", 2 ** 10)):
        if n >= size:
            return f"{n / size:,.1f} {unit}"
    return f"{int(n)} bytes"


def check_result_memory(n: int, prepared, source):
    """Refuse, before allocating, a run whose answers alone would exceed the memory budget, naming how many
    draws would fit."""
    per_draw = 8 * sum(math.prod(p["sweep_cards"]) * (p["card"] + 1) for p in prepared)
    if n * per_draw < 2 ** 20:  # a megabyte always fits
        return
    budget = memory_budget()
    if n * per_draw > budget:
        fit = max(budget // per_draw, 0)
        raise QueryError(f"{n:,} draws of these {len(prepared)} questions would hold {size_text(n * per_draw)} of "
                         f"answers, over the memory budget of {size_text(budget)}; at most {fit:,} draws fit "
                         "(set BAYES_MEMORY_BUDGET, e.g. 4G, to allow more)", source)
