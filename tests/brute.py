"""Independent reference: exact inference by enumerating the full joint from the model file's rows.

Shares nothing with the toolkit's engine or pgmpy: it reads the validated spec's rows (state-name
dicts) and sums products. do(X=x) replaces X's table by a point mass at x (the mutilated network).
"""

import itertools

import numpy as np


def joint(spec, do=None):
    do = do or {}
    names = list(spec.variables)
    states = [spec.variables[v].states for v in names]
    lookup = {}
    for v in names:
        var = spec.variables[v]
        lookup[v] = {tuple(r.given[p] for p in var.parents): r.probabilities for r in var.rows}
    table = {}
    for combo in itertools.product(*states):
        a = dict(zip(names, combo))
        p = 1.0
        for v in names:
            if v in do:
                p *= 1.0 if a[v] == do[v] else 0.0
            else:
                var = spec.variables[v]
                p *= lookup[v][tuple(a[q] for q in var.parents)][a[v]]
            if p == 0.0:
                break
        table[combo] = p
    return names, table


def posterior(spec, target, evidence=None, do=None, _cache={}):
    evidence = evidence or {}
    key = (id(spec), tuple(sorted((do or {}).items())))
    if key not in _cache or _cache[key][0] is not spec:  # the cache holds the spec: its id stays its own
        _cache[key] = (spec, joint(spec, do))
    names, table = _cache[key][1]
    idx = {v: i for i, v in enumerate(names)}
    out = np.zeros(len(spec.variables[target].states))
    for combo, p in table.items():
        if all(combo[idx[k]] == s for k, s in evidence.items()):
            out[spec.variables[target].states.index(combo[idx[target]])] += p
    total = out.sum()
    return out / total
