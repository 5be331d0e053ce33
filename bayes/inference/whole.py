"""Small point questions answered by one product of all the tables they need.

Why: where a question's findings, target and their ancestors span some thousands of combinations of states (any
question on cancer, asia or survey; most on sachs or child; many on alarm or insurance; a root's prior anywhere),
pruning, planning and proving findings possible cost more than multiplying everything: one einsum over every
ancestor's table, with findings and forced states sliced in, gives the answer and P(all findings) at once (so a
finding ruled out shows as zero and the engine's general path, which words the refusal, takes over). Barren
tables below stay out, as pruning leaves them out."""

from __future__ import annotations

import math

import numpy as np

# combinations of the free states times tables multiplied: numpy's plain einsum takes 50-150 us at this size,
# about what pruning and planning the question cost on their own (the general path won only past 90,000 in a
# scan of 70 questions on bnlearn's sachs, child, alarm, insurance, hailfinder, win95pts and water)
WHOLE_WORK = 65536
SAFE_PRODUCT = 1e-280  # a product of one positive number per table at least this cannot underflow


def whole_joint(net, prep: dict, sources: set[int]) -> np.ndarray | None:
    """Unnormalised P(target, every finding) shaped (1, *sweep cards, target card), or (1, *sweep cards) where the
    target is observed or forced (the engine makes that a point mass), over the ancestors of `sources`
    (Engine._sources); None where the question is too big to multiply at once or a product of its numbers could
    underflow (a zero would then not be a true zero). Forced variables lose their tables (graph surgery); soft
    reports are factors."""
    ev, do, soft, t = prep["ev"], prep["do"], prep["soft"], prep["t"]
    cards, known = net.cards, {**ev, **do}
    seen, stack, combinations = set(), list(sources), 1  # the sources' ancestors, given up on once too many
    while stack:
        v = stack.pop()
        if v in seen or v in do:
            continue
        seen.add(v)
        combinations *= 1 if v in known else cards[v]
        # (at most 40 tables: einsum's labels, and one-state variables that pass the size test)
        if combinations * (len(seen) + len(soft)) > WHOLE_WORK or len(seen) + len(soft) > 40:
            return None
        stack.extend(net.parents[v])
    needed = sorted(seen)
    # (soft reports are not counted: their largest likelihood is 1 (Engine._prepare), and a tiny ratio within one
    # is multiplied as it is on the general path too)
    if math.prod(net.smallest_positive(v) for v in needed) < SAFE_PRODUCT:
        return None
    label = {}  # einsum's sublist labels must be below 52: the free variables numbered afresh
    operands = []
    for v in needed:
        axes = (*net.parents[v], v)
        operands.append(net.tables[v][tuple(known.get(a, slice(None)) for a in axes)])
        operands.append([label.setdefault(a, len(label)) for a in axes if a not in known])
    for v, likelihood in soft.items():
        operands += [likelihood, [label.setdefault(v, len(label))]]
    out = list(prep["sweep"]) + ([t] if prep["fixed"] is None else [])
    if operands:
        joint = np.einsum(*operands, [label[v] for v in out], dtype=float)
    else:  # nothing random is involved (the target forced, no findings)
        joint = np.ones([cards[v] for v in out])
    return joint[None]
