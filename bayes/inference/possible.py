"""Proving findings possible without computing P(findings): a walk down the findings' ancestors that shows a
configuration of positive probability meets them all. When it shows that, the engine answers a question with
its pruning (findings that do not bear on the answer left out); when it cannot, P(findings) is computed."""

from __future__ import annotations

import numpy as np

from bayes.inference.network import CompiledNetwork

WITNESS_WALKS = 4  # walks with findings added (a witness) before P(findings) is computed instead


def surely_possible(net: CompiledNetwork, ev: dict[int, int], do: dict[int, int], soft: dict) -> bool:
    """True when P(findings) > 0 can be seen without computing it.

    The walk goes down the findings' ancestors in topological order, working out each variable's possible
    states (positive under some possible configuration of its parents; findings and forced variables held at
    their states): when every finding's state is positive under every possible configuration of its parents
    and no soft report rules a state out, choosing a possible state for each variable in turn meets every
    finding, a configuration of positive probability. Where a finding's state is ruled out under some of its
    parents' configurations (a deterministic table), its parents are held at the likeliest configuration that
    allows it, theirs in turn where that is ruled out under some of their own, up the graph (a pedigree's
    alleles, generation after generation), and the walk is tried again: findings that are possible together
    with more findings are possible alone (a witness). After WITNESS_WALKS walks, P(findings) is computed
    instead; the answer is never True for impossible findings."""
    if any(v in do for v in ev) or not all((np.asarray(likelihood) > 0).all() for likelihood in soft.values()):
        return False  # (a finding on a forced variable: the engine settles those before asking)
    if met_everywhere(net, ev, do):
        return True
    net.drop_stale_possible_states()  # (once here, not at each variable the walks visit)
    ev, above_findings = dict(ev), ancestors(net, set(ev), do)  # (findings held below are among these)
    for walk in range(WITNESS_WALKS):
        if walk and met_everywhere(net, ev, do):  # (with the witness held; the findings alone were looked at above)
            return True
        failed = _walk(net, ev, do, above_findings)
        if failed is None:
            return True
        stack, possible = [failed[0]], failed[1]  # a finding some possible configuration of its parents rules out
        while stack:
            v = stack.pop()
            above = [[ev[p]] if p in ev else [do[p]] if p in do else np.flatnonzero(
                possible[p] if p in possible else net.possible_states(p, check_tables=False)) for p in net.parents[v]]
            allowed = net.tables[v][np.ix_(*above, [ev[v]])][..., 0]
            if (allowed > 0).all():
                continue
            if not (allowed > 0).any():  # ruled out by the states held so far: P(findings) decides
                return False
            likeliest = np.unravel_index(int(np.argmax(allowed)), allowed.shape)
            held = {p: int(states[k]) for p, states, k in zip(net.parents[v], above, likeliest)
                    if p not in ev and p not in do}
            ev.update(held)
            stack.extend(held)
    return False


def met_everywhere(net: CompiledNetwork, ev: dict[int, int], do: dict[int, int]) -> bool:
    """Whether every finding's state is positive under every configuration of its parents (findings and forced
    variables held at their states): then choosing any state of positive probability for each other variable in
    turn meets every finding, so the findings are possible, with no walk (a look at one row set per finding)."""
    held = {**ev, **do}
    return all(net.positive_everywhere(v)[s] or (net.tables[v][tuple(held.get(p, slice(None)) for p in net.parents[v])
               + (s,)] > 0).all() for v, s in ev.items())


def _walk(net: CompiledNetwork, ev: dict[int, int], do: dict[int, int], above_findings: list[int]):
    """None when every finding is met whatever possible configuration of its parents comes; else the first
    finding (in topological order) that some rule out, with the possible states worked out so far (of the
    variables below a finding or a forced variable; the others' are net.possible_states). `above_findings`:
    the findings and their ancestors, in topological order."""
    held = {**ev, **do}
    possible: dict[int, np.ndarray] = {}  # those of variables below a finding or a forced variable
    for v in above_findings:  # ancestors first (variables are in topological order)
        parents = net.parents[v]
        if v not in ev and not any(p in possible or p in do for p in parents):
            continue  # as when nothing is known (net.possible_states, kept per network)
        index, arrays = [], 0  # per parent: a held state, every state (a slice), or the possible ones
        for p in parents:
            if p in held:
                index.append(held[p])
                continue
            states = possible[p] if p in possible else net.possible_states(p, check_tables=False)
            if states.all():
                index.append(slice(None))
            else:
                index.append(np.flatnonzero(states))
                arrays += 1
        if arrays > 1:  # each parent's states on an axis of its own
            index = np.ix_(*(range(net.cards[p]) if isinstance(x, slice) else x if isinstance(x, np.ndarray) else [x]
                             for p, x in zip(parents, index)))
        rows = net.tables[v][(*index, slice(None))]  # the variable's states last, parents' in any order before
        if v in ev:
            if not (rows[..., ev[v]] > 0).all():
                return v, possible
            possible[v] = np.arange(net.cards[v]) == ev[v]
        else:
            possible[v] = (rows > 0).reshape(-1, net.cards[v]).any(axis=0)
    return None


def ancestors(net: CompiledNetwork, sources: set[int], do: dict) -> list[int]:
    """Sources and their ancestors in the mutilated graph (forced variables have no parents), in topological
    order."""
    seen, stack = set(), list(sources)
    while stack:
        v = stack.pop()
        if v in seen or v in do:
            continue
        seen.add(v)
        stack.extend(net.parents[v])
    return sorted(seen)
