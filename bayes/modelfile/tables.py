"""A variable's table read from the file: rows of judgements (words, ranges, numbers), one `array:` block,
or a builder (log_odds, noisy_or, noisy_max) that fills the table from a few judgements."""

from __future__ import annotations

import itertools
import math

from bayes.errors import known
from bayes.modelfile.elicitation import (ArrayTable, Judgement, JudgementError, LogOddsTable, NoisyMaxTable,
                                         NoisyOrTable, Row, RowsTable, parse_odds_ratio, parse_probability)
from bayes.modelfile.spec import (ARRAY_KEYS, BUILDER_KEYS, MAX_TABLE_ROWS, RATIONALE_KEYS, REST, ROW_KEYS,
                                  Rationale, TableRow)
from bayes.modelfile.validation import Checker, format_given
from bayes.modelfile.yamlfile import LineDict, LineList, line_of


def _parse_row(ck: Checker, raw, vname: str, states, context: str, line, scale, concentration) -> Row:
    """A row of judgements keyed by state: numbers, ranges, terms, and at most one `rest`."""
    raw = ck.mapping(raw, f"probabilities of '{vname}'", line)
    judgements: dict[str, Judgement] = {}
    rest = None
    known_states = set(states)  # (a tuple's `in` made imported variables of many states quadratic)
    for key, x in raw.items():
        pline = line_of(raw, key)
        s = ck.name(key, f"state of '{vname}'", pline)
        if s not in known_states:
            ck.fail(f"unknown state '{s}' of '{vname}' in its table; expected one of: {known(states)}", pline)
        if isinstance(x, str) and x.strip().lower() == REST:
            if rest is not None:
                ck.fail(f"two states of '{vname}' are written 'rest' ({rest} and {s}); at most one may be", pline)
            rest = s
            continue
        if isinstance(x, (int, float)) and not isinstance(x, bool):
            ck.probability(x, f"P({vname}={s} | {context})", pline)
        try:
            judgements[s] = parse_probability(x, scale)
        except JudgementError as exc:
            ck.fail(f"P({vname}={s} | {context}): {exc}", pline)
    absent = [s for s in states if s not in judgements and s != rest]
    if absent:
        ck.fail(f"table row of '{vname}' for {context} gives no probability for state(s) {', '.join(absent)}; "
                "every state needs one (or write one state as 'rest')", line)
    total = sum(j.point for j in judgements.values())
    if rest is not None:
        if total > 1.0 + ck.row_tolerance:
            ck.fail(f"probabilities of '{vname}' for {context} already sum to {total:.6g} before 'rest'; "
                    "they must leave something for it", line)
    elif abs(total - 1.0) > ck.row_tolerance:
        hint = " (ranges and terms count at their midpoints; write one state as 'rest')" if any(
            j.is_range for j in judgements.values()) else ""
        ck.fail(f"probabilities of '{vname}' for {context} sum to {total:.6g}; each row must sum to 1 "
                f"(tolerance {ck.row_tolerance:g}){hint}", line)
    return Row(tuple(states), judgements, rest, concentration)


def _row_concentration(ck, mapping, default):
    if "concentration" not in mapping:
        return default
    k = ck.number(mapping["concentration"], "concentration", line_of(mapping, "concentration"), "a positive number")
    if k <= 0:
        ck.fail("concentration must be positive", line_of(mapping, "concentration"))
    return k


def parse_table(ck: Checker, vname: str, shell: dict, shells: dict, scale, concentration):
    body = shell["body"]
    if "table" not in body:
        ck.fail(f"variable '{vname}' needs a 'table' (one row per combination of its parents' states) "
                "or a 'builder'", shell["line"])
    table = body["table"]
    if isinstance(table, dict):  # a root variable may give its single row as a mapping
        table = LineList([table])
        table.line = line_of(body, "table")
        table.item_lines = [table.line]
    table = ck.sequence(table, f"table of '{vname}'", line_of(body, "table"))
    parents = shell["parents"]
    states = shell["states"]
    expected = 1
    for p in parents:
        expected *= len(shells[p]["states"])
    if expected > MAX_TABLE_ROWS:
        ck.fail(f"variable '{vname}' would need a table of {expected:,} rows (one per combination of its "
                f"{len(parents)} parents' states); at most {MAX_TABLE_ROWS:,} are supported; reduce its parents",
                line_of(body, "parents"))

    seen: dict[tuple, int | None] = {}
    rows: list[TableRow] = []
    for i, raw_row in enumerate(table):
        rline = table.line_of(i)
        row = ck.mapping(raw_row, f"row {i + 1} of the table of '{vname}'", rline)
        ck.known_keys(row, ROW_KEYS, f"a table row of '{vname}'")
        given_raw = row.get("given") or LineDict()
        given_raw = ck.mapping(given_raw, f"'given' of a table row of '{vname}'", line_of(row, "given"))
        choices: dict[str, list[str]] = {}
        for key, value in given_raw.items():
            gline = line_of(given_raw, key)
            p = ck.name(key, f"parent of '{vname}'", gline)
            if p not in parents:
                ck.fail(f"table row of '{vname}' gives '{p}', which is not a parent of '{vname}'; "
                        f"parents are: {', '.join(parents) or '(none)'}", gline)
            listed = value if isinstance(value, list) else [value]  # a list: one row for each of these states
            if not listed:
                ck.fail(f"table row of '{vname}' lists no state of '{p}'", gline)
            choices[p] = []
            for s in listed:
                s = ck.name(s, f"state of '{p}'", gline)
                if s not in shells[p]["states"]:
                    ck.fail(f"unknown state '{s}' of '{p}' in the table of '{vname}'; expected one of: "
                            f"{', '.join(shells[p]['states'])}", gline)
                if s in choices[p]:
                    ck.fail(f"state '{s}' of '{p}' listed twice in one row of '{vname}'", gline)
                choices[p].append(s)
        missing = [p for p in parents if p not in choices]
        if missing:
            ck.fail(f"table row of '{vname}' does not say the state of parent(s) {', '.join(missing)}; "
                    "each row needs 'given' with every parent's state", rline)
        expanded = [dict(zip(parents, combo)) for combo in itertools.product(*(choices[p] for p in parents))]
        for given in expanded:
            key = tuple(given[p] for p in parents)
            if key in seen:
                ck.fail(f"duplicate row for {format_given(given) or 'the unconditional row'} in the table of "
                        f"'{vname}' (first at line {seen[key]})", rline)
            seen[key] = rline
        given = expanded[0]
        label = format_given({p: (choices[p][0] if len(choices[p]) == 1 else "|".join(choices[p])) for p in parents})

        if "probabilities" not in row:
            ck.fail(f"table row of '{vname}' needs 'probabilities' (state: number)", rline)
        judged = _parse_row(ck, row["probabilities"], vname, states, label or "the unconditional row",
                            line_of(row, "probabilities"), scale, _row_concentration(ck, row, concentration))
        rationale = _parse_rationale(ck, row, vname, rline)
        point = dict(zip(states, map(float, judged.point())))
        for given in expanded:  # rows written once share one judgement, and so one draw
            rows.append(TableRow(given, point, rationale, rline, line_of(row, "rationale"), judged))

    if len(rows) != expected:
        missing = next((k for k in itertools.product(*(shells[p]["states"] for p in parents)) if k not in seen), ())
        if parents:
            example = ", ".join(f"{p}={s}" for p, s in zip(parents, missing))
            what = f"expected {expected} (one per combination of parent states); missing e.g. {example}"
        else:
            what = "expected 1 (the unconditional row)"
        ck.fail(f"the table of '{vname}' has {len(rows)} row(s); {what}", line_of(body, "table"))
    order = {key: i for i, key in enumerate(itertools.product(*(shells[p]["states"] for p in parents)))}
    rows.sort(key=lambda r: order[tuple(r.given[p] for p in parents)])
    shape = tuple(len(shells[p]["states"]) for p in parents) + (len(states),)
    return rows, RowsTable(shape, [r.judged for r in rows])


class _ArrayRows(list):
    """The rows of an `array:` table, built only when something asks for them (a big imported table
    loads as one array; the engine never needs row objects)."""

    def __init__(self, make, shared):
        super().__init__()
        self._make = make
        self._built = False
        self.shared = shared  # a row standing for all: the block's one rationale and its lines

    def _build(self):
        if not self._built:
            self._built = True
            super().extend(self._make())

    def __iter__(self):
        self._build()
        return super().__iter__()

    def __len__(self):
        self._build()
        return super().__len__()

    def __getitem__(self, i):
        self._build()
        return super().__getitem__(i)

    def __bool__(self):
        return True


def parse_array(ck: Checker, vname: str, shell: dict, shells: dict, concentration):
    """`array: {axes: [parent, ..., self], values: "p p p ..." or [p, ...], rationale: ...}`: the whole table
    as numbers in the order of `axes`, the last axis fastest (docs/model-file.md#array)."""
    body = shell["body"]
    aline = line_of(body, "array")
    spec = ck.mapping(body["array"], f"array of '{vname}'", aline)
    ck.known_keys(spec, ARRAY_KEYS, f"the array of '{vname}'")
    parents, states = shell["parents"], shell["states"]
    for key in ("axes", "values"):
        if key not in spec:
            ck.fail(f"the array of '{vname}' needs '{key}'", aline)
    axes_line = line_of(spec, "axes")
    axes = [ck.name(a, "axis", axes_line) for a in ck.sequence(spec["axes"], "axes", axes_line)]
    if sorted(axes) != sorted([*parents, vname]) or len(set(axes)) != len(axes):
        ck.fail(f"'axes' of the array of '{vname}' must list its parents and itself once each, in the order of the "
                f"values ({', '.join([*parents, vname])})", line_of(spec, "axes"))
    cards = {p: len(shells[p]["states"]) for p in parents} | {vname: len(states)}
    expected = math.prod(cards.values())
    if expected // len(states) > MAX_TABLE_ROWS:
        ck.fail(f"variable '{vname}' would need a table of {expected // len(states):,} rows; at most "
                f"{MAX_TABLE_ROWS:,} are supported", line_of(body, "parents"))
    raw = spec["values"]
    vline = line_of(spec, "values")
    if expected <= SMALL_ARRAY and len(states) < 8 and isinstance(raw, str) and axes == [*parents, vname]:
        table = _small_array(ck, vname, raw, vline, [cards[a] for a in axes], parents, shells)
    else:
        table = _large_array(ck, vname, raw, vline, axes, cards, parents, shells)
    k = _row_concentration(ck, spec, concentration)
    rationale = _parse_rationale(ck, spec, vname, aline, where="the array")
    rline = line_of(spec, "rationale")

    def make_rows():
        return [TableRow({p: shells[p]["states"][i] for p, i in zip(parents, index)}, dict(zip(states, map(float, table[index]))),
                         rationale, aline, rline)
                for index in itertools.product(*(range(cards[p]) for p in parents))]

    return _ArrayRows(make_rows, TableRow({}, {}, rationale, aline, rline)), ArrayTable(table, k)


SMALL_ARRAY = 256  # values checked in plain Python below this (numpy's per-call cost outweighs the work)


def _small_array(ck: Checker, vname: str, raw: str, vline, shape: list[int], parents, shells):
    """A small table written in the order of its rows (the last axis its own states, fewer than 8), read and
    checked as `_large_array` does, in plain Python: the same values, sums (numpy adds fewer than 8 numbers
    in order too), messages and worst row."""
    import numpy as np

    try:
        values = [float(x) for x in raw.split()]
    except ValueError:
        _array_refused(ck, vname, vline, "numbers")
    expected = math.prod(shape)
    if len(values) != expected:
        _array_refused(ck, vname, vline, "count", given=len(values), expected=expected, shape=shape)
    for x in values:
        if not 0.0 <= x <= 1.0:  # (NaN fails too)
            _array_refused(ck, vname, vline, "range")
    width = shape[-1]
    sums = []
    for start in range(0, expected, width):
        total = 0.0  # added in order, as numpy adds fewer than 8 (Python 3.12's sum() compensates: not the same)
        for x in values[start:start + width]:
            total += x
        sums.append(total)
    worst, worst_gap = 0, -1.0
    for row, total in enumerate(sums):
        if abs(total - 1) > worst_gap:
            worst, worst_gap = row, abs(total - 1)
    if worst_gap > ck.row_tolerance:
        index = np.unravel_index(worst, shape[:-1]) if parents else ()
        _array_refused(ck, vname, vline, "row", parents=parents, shells=shells, index=index, total=sums[worst])
    return np.array(values).reshape(shape)


def _large_array(ck: Checker, vname: str, raw, vline, axes, cards, parents, shells):
    """The table in its parents' order, from values in the order of `axes` (any order), checked in numpy."""
    import numpy as np

    expected = math.prod(cards.values())
    try:
        if isinstance(raw, str):
            values = np.array(raw.split(), dtype=float)
        else:
            raw = ck.sequence(raw, "values", vline)
            if any(isinstance(x, bool) or not isinstance(x, (int, float)) for x in raw):
                raise ValueError
            values = np.array(raw, dtype=float)
    except (ValueError, OverflowError):
        _array_refused(ck, vname, vline, "numbers")
    if values.size != expected:
        _array_refused(ck, vname, vline, "count", given=values.size, expected=expected, shape=[cards[a] for a in axes])
    if not np.all(np.isfinite(values)) or values.min() < 0 or values.max() > 1:
        _array_refused(ck, vname, vline, "range")
    table = np.ascontiguousarray(np.transpose(values.reshape([cards[a] for a in axes]),
                                              [axes.index(a) for a in [*parents, vname]]))
    sums = table.sum(axis=-1)
    worst = np.unravel_index(np.argmax(np.abs(sums - 1)), sums.shape) if sums.size else ()
    if sums.size and abs(sums[worst] - 1) > ck.row_tolerance:
        _array_refused(ck, vname, vline, "row", parents=parents, shells=shells, index=worst, total=sums[worst])
    return table


def _array_refused(ck: Checker, vname: str, vline, problem: str, given=0, expected=0, shape=(), parents=(),
                   shells=None, index=(), total=0.0):
    """The one wording of each problem an `array:` block can have, whichever path read it."""
    if problem == "numbers":
        ck.fail(f"'values' of the array of '{vname}' must be numbers separated by spaces (or a list of numbers)", vline)
    if problem == "count":
        ck.fail(f"the array of '{vname}' has {given:,} values; its axes need {expected:,} "
                f"({' x '.join(map(str, shape))})", vline)
    if problem == "range":
        ck.fail(f"the array of '{vname}' holds a value outside 0-1", vline)
    row = ", ".join(f"{p}={shells[p]['states'][i]}" for p, i in zip(parents, index)) or "the unconditional row"
    ck.fail(f"the row of '{vname}' for {row} sums to {total:.9g}; each row must sum to 1 "
            f"(tolerance {ck.row_tolerance:g})", vline)


def parse_builder(ck: Checker, vname: str, shell: dict, shells: dict, scale, concentration):
    """A compact table builder: log_odds, noisy_or or noisy_max (bayes/modelfile/elicitation.py has the formulas)."""
    body = shell["body"]
    bline = line_of(body, "builder")
    spec = ck.mapping(body["builder"], f"builder of '{vname}'", bline)
    kind = str(spec.get("type", ""))
    if kind not in BUILDER_KEYS:
        ck.fail(f"builder of '{vname}' needs a 'type': one of {', '.join(BUILDER_KEYS)}", line_of(spec, "type")
                if "type" in spec else bline)
    ck.known_keys(spec, BUILDER_KEYS[kind], f"the {kind} builder of '{vname}'")
    states, parents = shell["states"], shell["parents"]
    pcards = tuple(len(shells[p]["states"]) for p in parents)
    if math.prod(pcards) > MAX_TABLE_ROWS:  # checked before the builder allocates its table
        ck.fail(f"variable '{vname}' would need a table of {math.prod(pcards):,} rows (one per combination of its "
                f"{len(parents)} parents' states); at most {MAX_TABLE_ROWS:,} are supported; reduce its parents",
                line_of(body, "parents"))
    k = _row_concentration(ck, spec, concentration)
    effects_key = "effects" if kind == "log_odds" else "causes"
    effects_raw = spec.get(effects_key) or LineDict()
    effects_raw = ck.mapping(effects_raw, f"'{effects_key}' of the builder of '{vname}'", line_of(spec, effects_key))
    for key in effects_raw:
        if str(key) not in parents:
            ck.fail(f"the builder of '{vname}' gives {effects_key} for '{key}', which is not a parent; parents are: "
                    f"{', '.join(parents) or '(none)'}", line_of(effects_raw, key))
    for p in parents:
        if p not in effects_raw:
            ck.fail(f"the builder of '{vname}' gives no {effects_key} for its parent '{p}'", line_of(spec, effects_key)
                    if effects_key in spec else bline)

    def per_parent_state(p):
        raw = ck.mapping(effects_raw[p], f"{effects_key} of '{p}' in the builder of '{vname}'", line_of(effects_raw, p))
        out = {}
        for key, value in raw.items():
            line = line_of(raw, key)
            ps = ck.name(key, f"state of '{p}'", line)
            if ps not in shells[p]["states"]:
                ck.fail(f"unknown state '{ps}' of '{p}' in the builder of '{vname}'; expected one of: "
                        f"{', '.join(shells[p]['states'])}", line)
            out[shells[p]["states"].index(ps)] = (value, line)
        if len(out) == len(shells[p]["states"]):
            ck.fail(f"the builder of '{vname}' gives every state of '{p}' an effect; leave its reference state "
                    "out (the state with no effect)", line_of(effects_raw, p))
        return out

    def judgement(value, what, line):
        try:
            return parse_probability(value, scale)
        except JudgementError as exc:
            ck.fail(f"{what}: {exc}", line)

    def odds(value, what, line):
        try:
            return parse_odds_ratio(value)
        except JudgementError as exc:
            ck.fail(f"{what}: {exc}", line)

    if kind == "log_odds":
        if "baseline" not in spec:
            ck.fail(f"the log_odds builder of '{vname}' needs a 'baseline' (the row with every parent in its "
                    "reference state)", bline)
        target = None
        if "state" in spec:
            target = ck.name(spec["state"], "state", line_of(spec, "state"))
            if target not in states or len(states) != 2:
                ck.fail(f"'state' of the builder of '{vname}' must be one of its two states "
                        f"({', '.join(states)})", line_of(spec, "state"))
        if target is not None and not isinstance(spec["baseline"], dict):
            j = judgement(spec["baseline"], f"baseline of '{vname}'", line_of(spec, "baseline"))
            other = next(s for s in states if s != target)
            baseline = Row(tuple(states), {target: j}, other, k)
        else:
            baseline = _parse_row(ck, spec["baseline"], vname, states, "the baseline", line_of(spec, "baseline"),
                                  scale, k)
        effects = []
        for p in parents:
            by_state = {}
            for ps, (value, line) in per_parent_state(p).items():
                if isinstance(value, dict):
                    by_child = {}
                    for ckey, v in value.items():
                        cs = ck.name(ckey, f"state of '{vname}'", line_of(value, ckey))
                        if cs not in states:
                            ck.fail(f"unknown state '{cs}' of '{vname}' in its builder; expected one of: "
                                    f"{', '.join(states)}", line_of(value, ckey))
                        by_child[states.index(cs)] = odds(v, f"odds ratio for {vname}={cs}", line_of(value, ckey))
                elif target is not None:
                    by_child = {states.index(target): odds(value, f"odds ratio for {vname}={target}", line)}
                else:
                    ck.fail(f"the builder of '{vname}' has more than two states: write each effect as "
                            "{child_state: odds ratio}", line)
                by_state[ps] = by_child
            effects.append(by_state)
        source = LogOddsTable(pcards, baseline, effects)
    elif kind == "noisy_or":
        if len(states) != 2:
            ck.fail(f"noisy_or needs a variable with two states; '{vname}' has {len(states)}", bline)
        if "present" not in spec:
            ck.fail(f"the noisy_or builder of '{vname}' needs 'present': the state its causes make more likely "
                    f"(one of: {', '.join(states)})", bline)
        present = ck.name(spec["present"], "present", line_of(spec, "present"))
        if present not in states:
            ck.fail(f"'present' of the noisy_or builder of '{vname}' must be one of: {', '.join(states)}",
                    line_of(spec, "present") if "present" in spec else bline)
        if "leak" not in spec:
            ck.fail(f"the noisy_or builder of '{vname}' needs a 'leak' (P({present}) when no cause is present)", bline)
        leak = judgement(spec["leak"], f"leak of '{vname}'", line_of(spec, "leak"))
        strengths = [{ps: judgement(v, f"link strength of {p}", line) for ps, (v, line) in per_parent_state(p).items()}
                     for p in parents]
        source = NoisyOrTable(pcards, states.index(present), leak, strengths, k)
    else:  # noisy_max
        if "leak" not in spec:
            ck.fail(f"the noisy_max builder of '{vname}' needs a 'leak' row (the child's distribution when every "
                    "parent is in its reference state)", bline)
        if "highest" not in spec:
            ck.fail(f"the noisy_max builder of '{vname}' needs 'highest': the state at the top of the order, "
                    f"the first or the last of its states ({states[0]} or {states[-1]})", bline)
        highest = ck.name(spec["highest"], "highest", line_of(spec, "highest"))
        if highest not in (states[0], states[-1]):
            ck.fail(f"'highest' of the noisy_max builder of '{vname}' is '{highest}'; the states must be listed in "
                    f"order, so the highest is the first or the last: {states[0]} or {states[-1]}",
                    line_of(spec, "highest"))
        leak = _parse_row(ck, spec["leak"], vname, states, "the leak", line_of(spec, "leak"), scale, k)
        links = [{ps: _parse_row(ck, v, vname, states, f"{p}={shells[p]['states'][ps]} alone", line, scale, k)
                  for ps, (v, line) in per_parent_state(p).items()} for p in parents]
        source = NoisyMaxTable(pcards, leak, links, highest_first=(highest == states[0]))

    rationale = _parse_rationale(ck, spec, vname, bline, where=f"the {kind} builder")
    point = source.point()
    rows = []
    for index in itertools.product(*(range(c) for c in pcards)):
        given = {p: shells[p]["states"][i] for p, i in zip(parents, index)}
        rows.append(TableRow(given, dict(zip(states, map(float, point[index])),), rationale, bline,
                             line_of(spec, "rationale")))
    return rows, source, kind


def _parse_rationale(ck: Checker, row: LineDict, vname: str, rline, where: str = "table row") -> Rationale:
    if "rationale" not in row:
        ck.fail(f"{where} of '{vname}' needs a 'rationale': claims from the ledger "
                "(claims: [C01]) or an explicitly labelled analyst assumption (assumption: ...)", rline)
    raw = row["rationale"]
    line = line_of(row, "rationale")
    raw = ck.mapping(raw, f"rationale of a row of '{vname}'", line)
    ck.known_keys(raw, RATIONALE_KEYS, f"a rationale of '{vname}'")
    claims_raw = raw.get("claims") or []
    if isinstance(claims_raw, str):
        claims_raw = [claims_raw]
    claims_raw = ck.sequence(claims_raw, "rationale claims", line_of(raw, "claims"))
    claims = tuple(ck.name(c, "claim id", line_of(raw, "claims")) for c in claims_raw)
    assumption = raw.get("assumption")
    assumption = ck.text(assumption, "assumption", line_of(raw, "assumption"), required=False) or None
    if not claims and not assumption:
        ck.fail(f"rationale of a row of '{vname}' names no claim and states no assumption; "
                "expected 'claims: [id, ...]' and/or 'assumption: text'", line)
    note = ck.text(raw.get("note"), "note", line_of(raw, "note"), required=False) or None
    return Rationale(claims, assumption, note)
