"""One-way sensitivity (Coupe & van der Gaag 2002; docs/methods.md#sensitivity-and-indicators): vary one
elicited number x, the rest of its row rescaled proportionally; then P(target, evidence) = a x + b and
P(evidence) = c x + d, so P(target | evidence)(x) = (a x + b) / (c x + d) exactly. Two inference runs
per parameter fix a..d; all parameters' runs go through the batched engine as one batch of "draws",
each draw a network with one number changed. Builder parameters (baselines, odds ratios, leaks, link
strengths) are swung the same way, by re-building their table; their effect is not of the
linear-fractional form, so for them only the swing end points are exact re-inference.

Also here: how far each judgement may move before the call changes (admissible deviation), and the
smallest sets of findings that would change it."""

from __future__ import annotations

import numpy as np
import pandas as pd

from bayes.analysis.indicators import watchable
from bayes.analysis.scenarios import parse_target
from bayes.inference.draws import ArrayDraws
from bayes.inference.engine import Query
from bayes.modelfile.parameters import Parameter, elicited_parameters
from bayes.modelfile.scales import describe
from bayes.modelfile.spec import parse_assignments


def sensitivity(model, target: str, given=None, do=None, parameters: list[Parameter] | None = None) -> pd.DataFrame:
    """Tornado table for P(target) (target written VARIABLE=STATE): every elicited number swung over its
    range, one at a time; sorted by swing. Columns: parameter, variable, value, low, high, target_low,
    target_high, swing, method, and a, b, c, d of the sensitivity function for table entries."""
    var, state = parse_target(model, target)
    spec = model.spec
    given = parse_assignments(given, spec, "evidence")
    do = parse_assignments(do, spec, "intervention")
    params = elicited_parameters(model) if parameters is None else parameters
    net = model.engine.net
    n = 2 * len(params)
    tables: dict[str, np.ndarray] = {}
    for k, prm in enumerate(params):
        if prm.variable not in tables:
            base = net.tables[net.index[prm.variable]]
            tables[prm.variable] = np.repeat(base[..., None], n, axis=-1)
        tables[prm.variable][..., 2 * k] = prm.table_at(prm.low)
        tables[prm.variable][..., 2 * k + 1] = prm.table_at(prm.high)
    k_state = spec.states(var).index(state)
    point = model.engine.run([Query.make(var, given, do)])[0].probabilities[0, k_state]
    result = model.engine.run([Query.make(var, given, do)], ArrayDraws(net, tables))[0]
    post = result.probabilities[:, k_state]
    pe = result.evidence_probability
    rows = []
    for k, prm in enumerate(params):
        lo_p, hi_p = post[2 * k], post[2 * k + 1]
        row = dict(parameter=prm.name, variable=prm.variable, value=prm.value, low=prm.low, high=prm.high,
                   target_low=float(lo_p), target_high=float(hi_p), swing=float(abs(hi_p - lo_p)), method=prm.kind,
                   target_now=float(point), clipped=prm.clipped)
        if prm.kind == "table" and prm.high > prm.low:
            j_lo, j_hi = lo_p * pe[2 * k], hi_p * pe[2 * k + 1]
            a = (j_hi - j_lo) / (prm.high - prm.low)
            c = (pe[2 * k + 1] - pe[2 * k]) / (prm.high - prm.low)
            row.update(a=float(a), b=float(j_lo - a * prm.low), c=float(c), d=float(pe[2 * k] - c * prm.low))
        rows.append(row)
    frame = pd.DataFrame(rows).sort_values("swing", ascending=False, kind="stable").reset_index(drop=True)
    frame.attrs["left_out"] = getattr(params, "left_out", 0)  # array entries not swung (modelfile/parameters.py)
    return frame


def sensitivity_function(row) -> object:
    """x -> P(target | evidence) for a table parameter's row of the sensitivity table."""
    a, b, c, d = row["a"], row["b"], row["c"], row["d"]
    return lambda x: (a * x + b) / (c * x + d)


# ------------------------------------------------------------------------------------- the call

def change_the_call(model, target: str, given=None, do=None, max_size: int = 3) -> pd.DataFrame:
    """The smallest sets of observable findings (up to `max_size`) that move the target into another
    estimative band. Sets of the smallest size that works are listed, most probable first."""
    import itertools

    var, state = parse_target(model, target)
    spec = model.spec
    given = parse_assignments(given, spec, "evidence")
    do = parse_assignments(do, spec, "intervention")
    k = spec.states(var).index(state)
    current = model.engine.run([Query.make(var, given, do)])[0]
    now = float(current.probabilities[0, k])
    scale = model.scale
    band_now = scale.term(now)
    candidates = watchable(model, target, given, do)
    for size in range(1, max_size + 1):
        combos = list(itertools.combinations(candidates, size))
        results = model.engine.run([Query.make(var, given, do, sweep=c) for c in combos], strict=False)
        rows = []
        for combo, r in zip(combos, results):
            post = r.probabilities[0]
            pe = r.evidence_probability[0]
            for index in itertools.product(*(range(len(spec.states(v))) for v in combo)):
                if pe[index] <= 0:
                    continue
                p = float(post[index][k])
                if scale.term(p) != band_now:
                    findings = {v: spec.states(v)[i] for v, i in zip(combo, index)}
                    rows.append(dict(size=size, findings=", ".join(f"{v}={s}" for v, s in findings.items()),
                                     target=target, target_now=now, band_now=band_now, target_if=p,
                                     band_if=scale.term(p), probability_of_findings=float(pe[index] / pe.sum()),
                                     sentence=f"{' and '.join(f'{v.replace(chr(95), chr(32))} = {s.replace(chr(95), chr(32))}' for v, s in findings.items())}: "
                                              f"{describe(now, scale)} becomes {describe(p, scale)}"))
        if rows:
            return pd.DataFrame(rows).sort_values("probability_of_findings", ascending=False).reset_index(drop=True)
    return pd.DataFrame(columns=["size", "findings", "target", "target_now", "band_now", "target_if", "band_if",
                                 "probability_of_findings", "sentence"])


def _targets_at(model, prm: Parameter, xs, var: str, k: int, given, do) -> np.ndarray:
    """P(target) with one parameter set to each of `xs`, in one batched engine run."""
    net = model.engine.net
    tables = {prm.variable: np.stack([prm.table_at(float(x)) for x in xs], axis=-1)}
    return model.engine.run([Query.make(var, given, do)], ArrayDraws(net, tables))[0].probabilities[:, k]


def _crossing(model, prm: Parameter, boundary: float, var, k, given, do):
    """The value nearest the parameter's own at which the target crosses `boundary` (grid, then refine)."""
    if prm.kind == "table":
        lo, hi, log = 0.0, 1.0, False
    elif "odds ratio" in prm.name:
        lo, hi, log = np.log(prm.value / 100), np.log(prm.value * 100), True
    else:
        lo, hi, log = 0.0, 1.0, False
    xs = np.linspace(lo, hi, 201)
    values = _targets_at(model, prm, np.exp(xs) if log else xs, var, k, given, do) - boundary
    flips = np.nonzero(np.sign(values[:-1]) * np.sign(values[1:]) < 0)[0]
    if flips.size == 0:
        return None
    here = np.log(prm.value) if log else prm.value
    i = flips[np.argmin(np.abs(xs[flips] - here))]
    a, b = xs[i], xs[i + 1]
    for _ in range(4):  # each round narrows the bracket 50-fold
        grid = np.linspace(a, b, 51)
        vals = _targets_at(model, prm, np.exp(grid) if log else grid, var, k, given, do) - boundary
        j = np.nonzero(np.sign(vals[:-1]) * np.sign(vals[1:]) <= 0)[0][0]
        a, b = grid[j], grid[j + 1]
    x = (a + b) / 2
    return float(np.exp(x) if log else x)


def admissible_deviation(model, target: str, given=None, do=None, sensitivity_table=None) -> pd.DataFrame:
    """For each elicited number: the value at which, alone, it would move the target across the
    nearest band boundary, or NaN if no value does. Table entries solve (a x + b)/(c x + d) = boundary
    exactly; builder parameters (baselines, odds ratios, leaks, strengths) are searched by re-inference."""
    var, state = parse_target(model, target)
    spec = model.spec
    given_d = parse_assignments(given, spec, "evidence")
    do_d = parse_assignments(do, spec, "intervention")
    k = spec.states(var).index(state)
    table = sensitivity(model, target, given, do) if sensitivity_table is None else sensitivity_table
    params = {p.name: p for p in elicited_parameters(model)}
    scale = model.scale
    rows = []
    for _, row in table.iterrows():
        now = row["target_now"]
        band = scale.band_of(now)
        best = None
        for boundary in (band.low, band.high) if band else ():
            if boundary in (0.0, 1.0):
                continue
            if row["method"] == "table":
                denominator = boundary * row["c"] - row["a"]
                x = (row["b"] - boundary * row["d"]) / denominator if abs(denominator) > 1e-15 else None
                x = x if x is not None and 0.0 <= x <= 1.0 else None
            else:
                x = _crossing(model, params[row["parameter"]], boundary, var, k, given_d, do_d)
            if x is not None and (best is None or abs(x - row["value"]) < abs(best[0] - row["value"])):
                best = (x, boundary)
        rows.append(dict(parameter=row["parameter"], method=row["method"], value=row["value"],
                         crosses_at=np.nan if best is None else float(best[0]),
                         boundary=np.nan if best is None else float(best[1]),
                         change=np.nan if best is None else float(best[0] - row["value"])))
    frame = pd.DataFrame(rows, columns=["parameter", "method", "value", "crosses_at", "boundary", "change"])
    frame["distance"] = (frame["change"] / frame["value"].where(frame["method"] == "builder", 1.0)).abs()
    return frame.sort_values("distance", na_position="last").drop(columns="distance").reset_index(drop=True)
