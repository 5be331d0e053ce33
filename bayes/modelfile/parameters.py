"""Every number an analyst wrote, as a parameter with the range it is swung over (its own stated range,
or +-0.1, cut where its row would stop summing to 1): table entries, and each builder's baselines, odds
ratios, leaks, link strengths and noisy-MAX cause rows.
Sensitivity, admissible deviation and the claims check's fix hints all swing these."""

from __future__ import annotations

import copy
import itertools
import math
from dataclasses import dataclass

import numpy as np

from bayes.modelfile.elicitation import (ArrayTable, Judgement, LogOddsTable, NoisyMaxTable, NoisyOrTable, OddsRatio,
                                         RowsTable)

# `array:` tables (written by `bayes import`) can hold millions of numbers, and every swung number costs two
# copies of its table in a sensitivity run: their entries are swung in file order while at most this many
# are taken and the array tables touched hold at most this many numbers in all; the rest are counted.
MAX_ARRAY_PARAMETERS = 256
MAX_ARRAY_NUMBERS = 16_384


class Parameters(list):
    """The parameters, in file order, with `left_out`: how many `array:` entries the cap left unswung."""

    left_out: int = 0


@dataclass
class Parameter:
    """One elicited number: where it lives, its value and the range it is swung over."""

    name: str
    variable: str
    value: float
    low: float
    high: float
    kind: str  # "table" (linear-fractional) or "builder" (re-inference)
    table_at: object  # callable x -> the variable's point table with this number set to x
    clipped: bool = False  # the swing was cut short where its row would stop summing to 1 (`high` is that edge)
    text: str = ""  # a builder's judgement as written ('far more likely', '10-25%', 0.3)


def _row_entry_table(point: np.ndarray, index, state: int):
    """x -> the table with entry `state` of row `index` (or of every row in a list of indices: a row written
    once for several parent states) set to x, the rest of the row rescaled proportionally."""
    indices = index if isinstance(index, list) else [index]

    def table_at(x: float) -> np.ndarray:
        t = point.copy()
        for i in indices:
            row = t[i]
            old = row[state]
            rest = 1.0 - old
            scale = (1.0 - x) / rest if rest > 0 else 0.0
            new = row * scale
            if rest <= 0:
                new[:] = (1.0 - x) / (len(row) - 1)
            new[state] = x
            t[i] = new
        return t
    return table_at


def set_in_row(row, state: str, x: float) -> None:
    """A builder row's judgement of `state` set to x, the row still summing to 1: its `rest` state takes up
    the change; a row without one has its other judgements rescaled, as a table row's entries are."""
    row.judgements[state] = Judgement(str(x), x)
    if row.rest is not None:
        return
    others = [s for s in row.judgements if s != state]
    total = sum(row.judgements[s].point for s in others)
    for s in others:
        share = row.judgements[s].point / total if total > 0 else 1.0 / len(others)
        row.judgements[s] = Judgement(str(share * (1.0 - x)), share * (1.0 - x))


def _row_room(row, state: str) -> float:
    """The largest value `state` can take in a row with a `rest` state (what the other judgements leave)."""
    if row.rest is None:
        return 1.0
    return max(0.0, 1.0 - sum(j.point for s, j in row.judgements.items() if s != state))


def _swing_range(judgement, value: float) -> tuple[float, float]:
    if judgement is not None and judgement.is_range:
        return judgement.low, judgement.high
    return max(0.0, value - 0.1), min(1.0, value + 0.1)


def elicited_parameters(model) -> Parameters:
    """Every number an analyst wrote, with the range it is swung over (its own, or +-0.1); entries of
    `array:` tables up to the cap above, the rest counted in `left_out`."""
    params = Parameters()
    array_numbers = array_entries = 0
    for name, v in model.spec.variables.items():
        source = v.source
        point = source.point()
        if isinstance(source, ArrayTable):
            written = v.states[-1:] if len(v.states) == 2 else v.states  # two states: one number says it all
            count = math.prod(point.shape[:-1]) * len(written)
            fits = array_numbers + point.size <= MAX_ARRAY_NUMBERS
            room = max(0, min(count, MAX_ARRAY_PARAMETERS - array_entries)) if fits else 0
            if room:
                array_numbers += point.size
                array_entries += room
            entries = ((index, s) for index in itertools.product(*(range(c) for c in point.shape[:-1])) for s in written)
            for index, s in itertools.islice(entries, room):
                k = v.states.index(s)
                value = float(point[index][k])
                given = ", ".join(f"{p}={model.spec.states(p)[i]}" for p, i in zip(v.parents, index))
                params.append(Parameter(f"P({name}={s}{' | ' + given if given else ''})", name, value,
                                        *_swing_range(None, value), "table", _row_entry_table(point, index, k)))
            params.left_out += count - room
            continue
        if isinstance(source, RowsTable):
            combos = list(itertools.product(*(range(c) for c in point.shape[:-1])))
            shared: dict[int, list] = {}  # rows written once for several parent states swing together
            for index, row in zip(combos, source.rows):
                shared.setdefault(id(row), []).append(index)
            done: set[int] = set()
            for index, row, table_row in zip(combos, source.rows, v.rows):
                if id(row) in done:
                    continue
                done.add(id(row))
                index = shared[id(row)] if len(shared[id(row)]) > 1 else index
                written = [s for s in v.states if s != row.rest]
                if len(v.states) == 2 and row.rest is None:
                    written = written[-1:]  # in a two-state row one number says it all
                first = index[0] if isinstance(index, list) else index
                rows_given = [dict(zip(v.parents, (model.spec.states(p)[i] for p, i in zip(v.parents, ix))))
                              for ix in (index if isinstance(index, list) else [index])]
                given = ", ".join(f"{p}={'|'.join(dict.fromkeys(g[p] for g in rows_given))}" for p in v.parents)
                for s in written:
                    k = v.states.index(s)
                    value = float(point[first][k])
                    lo, hi = _swing_range(row.judgements.get(s), value)
                    params.append(Parameter(f"P({name}={s}{' | ' + given if given else ''})", name, value, lo, hi,
                                            "table", _row_entry_table(point, index, k)))
            continue

        def rebuilt(setter, source=source):
            def table_at(x):
                clone = copy.deepcopy(source)
                setter(clone, x)
                return clone.point()
            return table_at

        def prob_param(label, judgement, setter):
            lo, hi = _swing_range(judgement, judgement.point)
            params.append(Parameter(f"{name}: {label}", name, judgement.point, lo, hi, "builder",
                                    rebuilt(lambda c, x: setter(c, Judgement(str(x), x))), text=judgement.text))

        def row_params(label, row, find):
            """Each judgement of a builder row (`find(clone)` is that row in a copy of the builder)."""
            judged = list(row.judgements.items())
            if len(row.states) == 2 and row.rest is None:
                judged = judged[-1:]  # in a two-state row one number says it all
            for s, j in judged:
                lo, hi = _swing_range(j, j.point)
                room = _row_room(row, s)
                params.append(Parameter(f"{name}: {label.format(state=s)}", name, j.point, lo, min(hi, room), "builder",
                                        rebuilt(lambda c, x, s=s: set_in_row(find(c), s, x)), clipped=hi > room + 1e-12,
                                        text=j.text))

        def odds_param(label, ratio, setter):
            lo, hi = (ratio.low, ratio.high) if ratio.low is not None else (ratio.point / 1.5, ratio.point * 1.5)
            params.append(Parameter(f"{name}: {label}", name, ratio.point, lo, hi, "builder",
                                    rebuilt(lambda c, x: setter(c, OddsRatio(str(x), x))), text=ratio.text))

        parents = v.parents
        if isinstance(source, LogOddsTable):
            row_params("baseline P({state})", source.baseline, lambda c: c.baseline)
            for i, effect in enumerate(source.effects):
                pstates = model.spec.states(parents[i])
                for ps, by_child in effect.items():
                    for cs, ratio in by_child.items():
                        label = f"odds ratio of {v.states[cs]} if {parents[i]}={pstates[ps]}"
                        odds_param(label, ratio, lambda c, new, i=i, ps=ps, cs=cs: c.effects[i][ps].__setitem__(cs, new))
        elif isinstance(source, NoisyOrTable):
            prob_param("leak", source.leak, lambda c, new: setattr(c, "leak", new))
            for i, by_state in enumerate(source.strengths):
                pstates = model.spec.states(parents[i])
                for ps, j in by_state.items():
                    prob_param(f"link strength of {parents[i]}={pstates[ps]}", j,
                               lambda c, new, i=i, ps=ps: c.strengths[i].__setitem__(ps, new))
        elif isinstance(source, NoisyMaxTable):
            row_params("leak P({state})", source.leak, lambda c: c.leak)
            for i, rows in enumerate(source.links):
                pstates = model.spec.states(parents[i])
                for ps, row in rows.items():
                    row_params(f"P({{state}}) if {parents[i]}={pstates[ps]}", row,
                               lambda c, i=i, ps=ps: c.links[i][ps])
    return params


def builder_judgements(model) -> dict[str, dict[str, Parameter]]:
    """Each builder variable's judgements as written, by name ({variable: {name: Parameter}}, file order):
    what `bayes diff` and `bayes disagreement` compare where two files wrote the same builder."""
    out: dict[str, dict[str, Parameter]] = {}
    for p in elicited_parameters(model):
        if p.kind == "builder":
            out.setdefault(p.variable, {})[p.name] = p
    return out
