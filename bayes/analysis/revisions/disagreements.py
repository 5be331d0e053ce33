"""Where analysts' readings disagree: each analyst's headline outcomes under every scenario beside the
pooled value, the spread, the claims each analyst's numbers satisfy, and the row swaps between analysts
that move an outcome most."""

from __future__ import annotations

import itertools
import math
import os
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from bayes.analysis.revisions.answers import (claim_margin, claim_results, claim_text, headline_outcomes,
                                              scenario_label_of, scenario_names, scenario_of)
from bayes.analysis.revisions.pooling import Pooled, pool
from bayes.analysis.revisions.versions import (COMMAND_LINE, POOLED, SAME, aligned, aligned_table, given_text,
                                               read_model, row_given)
from bayes.errors import BayesInputError
from bayes.inference.draws import ArrayDraws
from bayes.inference.engine import Query
from bayes.model import Model
from bayes.modelfile.parameters import builder_judgements
from bayes.modelfile.scales import describe
from bayes.modelfile.spec import BASELINE, ModelSpec

MAX_SWAPS = 2000  # swaps a disagreement re-queries at most: the rows (judgements) on which two analysts differ most
TABLE_BUDGET = 5_000_000  # numbers of tables re-queried in one batch (sets of tables as parameter draws)


# ------------------------------------------------------------------------------------- disagreement

@dataclass
class Disagreement:
    """Several analysts' readings of one model structure, side by side.

    values: scenario, scenario_label, outcome, variable, state, analyst, probability, pooled (True on the
    pooled model's rows). summary: per scenario and outcome the pooled value, the analysts' mean, low, high
    and spread (high - low), who is lowest and highest, and whether the pooled value lies outside the analysts'
    range. claims: claim, analyst, passed, text, margin (each analyst's numbers against the union ledger).
    swaps: one row of analyst `source` put into analyst `into`'s model (kind "row", `given` its parents'
    states), or, where both wrote one builder, one judgement of it (kind "judgement", `given` its name,
    `written` the source's words): outcome, scenario, before, after, shift."""

    analysts: list[str]
    files: list[str]
    weights: np.ndarray
    method: str
    pooled: Pooled
    values: pd.DataFrame
    summary: pd.DataFrame
    claims: pd.DataFrame
    swaps: pd.DataFrame
    swaps_skipped: int = 0  # row swaps not re-queried (beyond MAX_SWAPS, those whose rows differ least)

    def drivers(self, top: int = 3, scenario: str | None = None, outcome: str | None = None) -> pd.DataFrame:
        """The rows whose swap between analysts moves each outcome most, per scenario and outcome (largest
        first, at most `top` rows each, none that moves it at all): variable, given, the swap that moved it
        most and the shift."""
        frame = self.swaps
        if scenario is not None:
            frame = frame[frame["scenario"] == scenario]
        if outcome is not None:
            frame = frame[frame["outcome"] == outcome]
        if frame.empty:
            return frame.assign(size=[]).reset_index(drop=True)
        frame = frame.assign(size=frame["shift"].abs()).dropna(subset=["size"])
        frame = frame[frame["size"] > SAME]  # a swap that moves nothing drives nothing
        best = frame.sort_values("size", ascending=False, kind="stable").drop_duplicates(
            ["scenario", "outcome", "variable", "given"])
        best = best.groupby(["scenario", "outcome"], sort=False).head(top)
        scenarios = {s: i for i, s in enumerate(self.summary["scenario"].unique())}
        outcomes = {s: i for i, s in enumerate(self.summary["outcome"].unique())}
        best = best.assign(_s=best["scenario"].map(scenarios), _o=best["outcome"].map(outcomes))
        best = best.sort_values(["_s", "_o", "size"], ascending=[True, True, False], kind="stable")
        return best.drop(columns=["_s", "_o"]).reset_index(drop=True)


def disagreement(sources, weights=None, method: str = "linear") -> Disagreement:
    """Every analyst's headline outcomes (the union of the files') under every scenario (the union), the
    pooled model's value, the spread; each analyst's claims (the union ledger); and every row swap between
    every two analysts (at most MAX_SWAPS: those whose rows differ most), re-queried in batches on the pooled
    model's network, each set of tables as one parameter draw."""
    if isinstance(sources, (str, os.PathLike, Model)):
        sources = [sources]
    models = [read_model(s) for s in sources]
    if len(models) < 2:
        raise BayesInputError(f"a disagreement needs at least two model files, got {len(models)}", COMMAND_LINE)
    pooled = pool(models, weights, method)
    spec = pooled.model.spec
    names = pooled.names
    n = len(models)
    tables = [{v: aligned_table(m.spec, v, spec) for v in spec.variables} for m in models]
    judgements = [builder_judgements(m) for m in models]  # where two wrote one builder, judgements are swapped
    swaps = []  # (into, from, variable, what was swapped, how much the two differ, the swapped table)
    for a, b in itertools.permutations(range(n), 2):
        for v in spec.variables:
            mine, theirs = judgements[a].get(v), judgements[b].get(v)
            if mine is not None and theirs is not None and mine.keys() == theirs.keys():
                # one builder, written twice: swap what the analysts wrote, one judgement at a time
                for name, p in mine.items():
                    q = theirs[name]
                    if abs(p.value - q.value) > SAME:
                        swaps.append((a, b, v, ("judgement", name.split(": ", 1)[-1], q.text or f"{q.value:g}"),
                                      abs(p.value - q.value), lambda p=p, q=q, a=a, v=v: aligned(
                                          p.table_at(q.value), models[a].spec, v, spec)))
                continue
            gap = np.abs(tables[a][v] - tables[b][v]).max(axis=-1)
            for index in np.argwhere(gap > SAME):
                index = tuple(int(i) for i in index)
                swaps.append((a, b, v, ("row", given_text(row_given(spec, v, index)), None), float(gap[index]),
                              lambda a=a, b=b, v=v, index=index: _row_swapped(tables[a][v], tables[b][v], index)))
    swaps, skipped = _chosen(swaps, MAX_SWAPS)
    outcomes = headline_outcomes(pooled.model)
    scenarios = scenario_names(spec)
    keys = [(sc, v) for sc in scenarios for v in outcomes]
    queries = [Query.make(v, *scenario_of(spec, sc)) for sc, v in keys]
    own_tables = [*tables, pooled.tables]  # the analysts, then the pool
    p_all = _run_tables(pooled.model, queries, own_tables, spec)
    swapped = [{**tables[a], v: table()} for a, b, v, what, gap, table in swaps]
    p_swaps = _run_tables(pooled.model, queries, swapped, spec)

    values, summary, swap_rows = [], [], []
    for q, (sc, v) in enumerate(keys):
        s = outcomes[v]
        i = spec.states(v).index(s)
        p = np.concatenate([p_all[q][:, i], p_swaps[q][:, i]])
        label = scenario_label_of(spec, sc)
        common = {"scenario": sc, "scenario_label": label, "outcome": f"{v}={s}", "variable": v, "state": s}
        for k, name in enumerate(names):
            values.append({**common, "analyst": name, "probability": float(p[k]), "pooled": False})
        values.append({**common, "analyst": POOLED, "probability": float(p[n]), "pooled": True})
        own = p[:n]
        finite = np.isfinite(own)
        if finite.any():
            lo, hi = float(np.nanmin(own)), float(np.nanmax(own))
            lowest, highest = names[int(np.nanargmin(own))], names[int(np.nanargmax(own))]
        else:
            lo = hi = math.nan
            lowest = highest = None
        summary.append({**common, "pooled": float(p[n]), "mean": float(np.nanmean(own)) if finite.any() else math.nan,
                        "low": lo, "high": hi, "spread": hi - lo, "lowest": lowest, "highest": highest,
                        "outside": bool(np.isfinite(p[n]) and finite.any() and (p[n] < lo - 1e-9 or p[n] > hi + 1e-9)),
                        "words": pooled.model.scale.term(p[n]) if np.isfinite(p[n]) else "impossible evidence"})
        for k, (a, b, var, (kind, what, written), *_) in enumerate(swaps):
            before, after = float(p[a]), float(p[n + 1 + k])
            swap_rows.append({**common, "into": names[a], "source": names[b], "swapped_variable": var, "kind": kind,
                              "given": what, "written": written, "before": before, "after": after,
                              "shift": after - before})
    swaps_frame = pd.DataFrame(swap_rows, columns=["scenario", "scenario_label", "outcome", "variable", "state", "into",
                                                   "source", "swapped_variable", "kind", "given", "written", "before",
                                                   "after", "shift"])
    # the swapped row's variable is the driver; the outcome's own variable is kept in `outcome`
    swaps_frame = swaps_frame.drop(columns=["variable", "state"]).rename(columns={"swapped_variable": "variable"})

    claim_rows = []
    if spec.claims:
        for name, model in [*zip(names, models), (POOLED, pooled.model)]:
            judged = model if model is pooled.model else Model(replace(model.spec, claims=spec.claims))
            for cid, result in claim_results(judged).items():
                ok = not isinstance(result, str)
                claim_rows.append({"claim": cid, "analyst": name, "passed": bool(result.passed) if ok else None,
                                   "text": claim_text(result, pooled.model.scale),
                                   "margin": claim_margin(result) if ok else math.nan})
    return Disagreement(names, pooled.files, pooled.weights, method, pooled, pd.DataFrame(values),
                        pd.DataFrame(summary), pd.DataFrame(claim_rows, columns=["claim", "analyst", "passed", "text",
                                                                                  "margin"]), swaps_frame, skipped)


def _row_swapped(mine: np.ndarray, theirs: np.ndarray, index: tuple) -> np.ndarray:
    t = mine.copy()
    t[index] = theirs[index]
    return t


def _chosen(swaps: list, limit: int) -> tuple[list, int]:
    """At most `limit` swaps: those whose two rows differ most (largest entry difference), in their order."""
    if len(swaps) <= limit:
        return swaps, 0
    keep = set(sorted(range(len(swaps)), key=lambda k: -swaps[k][4])[:limit])
    return [sw for k, sw in enumerate(swaps) if k in keep], len(swaps) - limit


def _run_tables(model: Model, queries: list, sets: list[dict], spec: ModelSpec):
    """Each query's probabilities under each set of tables ({variable: table}, as parameter draws on the
    model's network), in chunks whose tables hold at most TABLE_BUDGET numbers. One (len(sets), card) array
    per query."""
    if not sets:
        return [np.empty((0, len(spec.states(q.target)))) for q in queries]
    net = model.engine.net
    size = sum(sets[0][v].size for v in spec.variables)
    chunk = max(1, min(len(sets), TABLE_BUDGET // max(size, 1)))
    out = [[] for _ in queries]
    for start in range(0, len(sets), chunk):
        part = sets[start:start + chunk]
        arrays = {v: np.stack([t[v] for t in part], axis=-1) for v in spec.variables}
        for k, r in enumerate(model.engine.run(queries, ArrayDraws(net, arrays), strict=False)):
            out[k].append(r.probabilities)
    return [np.concatenate(parts) for parts in out]


def disagreement_records(result: Disagreement, top: int = 3) -> dict:
    """The disagreement as one JSON-ready document: analysts, outcomes (every analyst's value, pooled, spread),
    claims (each analyst's verdict) and drivers (the top row swaps per scenario and outcome)."""
    def clean(x):
        return None if isinstance(x, float) and not math.isfinite(x) else x

    outcomes = []
    for _, r in result.summary.iterrows():
        own = result.values[(result.values["scenario"] == r["scenario"]) & (result.values["outcome"] == r["outcome"])
                            & ~result.values["pooled"]]
        outcomes.append({"scenario": r["scenario"], "outcome": r["outcome"],
                         "probabilities": {a: clean(p) for a, p in zip(own["analyst"], own["probability"])},
                         "pooled": clean(r["pooled"]), "spread": clean(r["spread"]), "lowest": r["lowest"],
                         "highest": r["highest"], "pooled_outside_range": bool(r["outside"])})
    claims = []
    for cid, group in result.claims.groupby("claim", sort=False):
        claims.append({"claim": cid, "passed": dict(zip(group["analyst"], group["passed"])),
                       "numbers": dict(zip(group["analyst"], group["text"]))})
    drivers = [{k: clean(v) for k, v in rec.items() if k != "scenario_label"}
               for rec in result.drivers(top).to_dict(orient="records")]
    return {"method": result.method,
            "analysts": [{"name": n, "file": f, "weight": float(w)} for n, f, w in
                         zip(result.analysts, result.files, result.weights)],
            "conflicts": result.pooled.conflicts, "outcomes": outcomes, "claims": claims, "drivers": drivers,
            "swaps_skipped": result.swaps_skipped}


def format_disagreement(result: Disagreement, top: int = 3) -> str:
    """The terminal view: per outcome a scenario-by-analyst table with the pooled value and the spread, the
    claims each analyst's numbers satisfy, and the row swaps that move each outcome most (baseline)."""
    scale = result.pooled.model.scale
    names = result.analysts
    weights = ", ".join(f"{n} {w:.2g}" for n, w in zip(names, result.weights))
    lines = [f"{len(names)} analysts ({weights}); pooled: {result.method} pool, row by row", ""]
    for outcome, group in result.summary.groupby("outcome", sort=False):
        lines.append(f"P({outcome}):")
        table = []
        for _, r in group.iterrows():
            own = result.values[(result.values["scenario"] == r["scenario"]) & (result.values["outcome"] == outcome)]
            row = {"scenario": r["scenario"]}
            row.update({a: (f"{p:.1%}" if np.isfinite(p) else "-") for a, p, pooled in
                        zip(own["analyst"], own["probability"], own["pooled"]) if not pooled})
            row["pooled"] = describe(r["pooled"], scale) if np.isfinite(r["pooled"]) else "impossible evidence"
            if r["outside"]:
                row["pooled"] += " (outside the analysts' range)"
            row["spread"] = f"{r['spread'] * 100:.1f} points" if np.isfinite(r["spread"]) else "-"
            table.append(row)
        frame = pd.DataFrame(table, columns=["scenario", *names, "pooled", "spread"])
        with pd.option_context("display.width", 250, "display.max_colwidth", 60):
            lines += ["  " + line for line in frame.to_string(index=False).splitlines()]
        lines.append("")
    if result.claims.empty:
        lines.append("claims: none in the files")
    else:
        wide = result.claims.pivot(index="claim", columns="analyst", values="passed")
        wide = wide[[*names, POOLED]].reindex(result.claims["claim"].unique())
        wide = wide.map(lambda x: "pass" if x is True else "FAIL" if x is False else "-")
        held = result.claims[result.claims["passed"].astype(object).eq(True)].groupby("analyst").size()
        counts = ", ".join(f"{a} {int(held.get(a, 0))}" for a in [*names, POOLED])
        lines.append(f"claims each reading satisfies ({counts} of {len(wide)}):")
        with pd.option_context("display.width", 250):
            lines += ["  " + line for line in wide.to_string().splitlines()]
    drivers = result.drivers(top, scenario=BASELINE)
    lines += ["", f"what drives the spread under {BASELINE}: the rows whose swap between analysts moves each "
              "outcome most"]
    if drivers.empty:
        lines.append("  no row differs between the analysts")
    for outcome, group in drivers.groupby("outcome", sort=False):
        lines.append(f"  {outcome}:")
        for _, r in group.iterrows():
            swapped = (f"{r['source']}'s row" if r["kind"] == "row" else
                       f"{r['source']}'s judgement ({r['written']})")
            lines.append(f"    {r['variable']} | {r['given']}: {swapped} in {r['into']}'s model moves it "
                         f"{r['shift'] * 100:+.1f} points ({describe(r['before'], scale)} -> "
                         f"{describe(r['after'], scale)})")
    if result.swaps_skipped:
        lines.append(f"  ({result.swaps_skipped:,} more row swaps, between the rows that differ least, were not "
                     f"re-queried: at most {MAX_SWAPS:,} are)")
    if result.pooled.conflicts:
        lines += ["", "conflicts: " + "; ".join(result.pooled.conflicts)]
    return "\n".join(lines)
