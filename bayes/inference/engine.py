"""Batched exact inference: every parameter draw and every query in a few tensor contractions.

Why not loop pgmpy: one VariableElimination query costs about a millisecond, so 10,000 parameter
draws x a handful of scenarios takes minutes. Here each drawn table carries a draw axis, last for
analysts' models, (*parents, child, N), or first for big networks (inference/draws.py), and a few
contractions answer every draw at once:

- pruning: only the target, the evidence, the swept variables and their ancestors enter;
- small point questions: every table they need in one einsum, unplanned (inference/whole.py);
- evidence by slicing the tables, interventions by graph surgery (a forced variable loses its parents
  and its own table; its children are sliced at the forced state);
- sweeps: every combination of several evidence variables stays an output axis instead of a loop;
- the contraction order (the best of three greedy elimination heuristics, inference/planning.py) is computed
  once per query shape and cached; the same plan in every process;
- draws are processed in chunks, so memory is bounded whatever the number of draws; a chunk whose largest
  table would exceed the memory budget is split, and a run whose answers alone would exceed it is refused.

pgmpy is not imported here: it stays the model builder, validator and the tests' reference."""

from __future__ import annotations

import itertools
import math
import time
from dataclasses import replace
from typing import Iterable

import numpy as np
import opt_einsum

from bayes.errors import QueryError, known
from bayes.inference.contraction import Contraction
from bayes.inference.draws import Compact, Draws, GeneratedDraws, blas_threads
from bayes.inference.memory import check_budget_setting, check_result_memory, memory_budget, size_text
from bayes.inference.network import CompiledNetwork
from bayes.inference.planning import (DIRECT_BUCKET, HEURISTICS, QUESTION_BUCKET, SEARCH_WORTH, Buckets,
                                      elimination_order, elimination_path, optimal_path, path_cost)
from bayes.inference.possible import ancestors, met_everywhere, surely_possible
from bayes.inference.query import BatchResult, Query, QueryResult, impossible_evidence
from bayes.inference.whole import whole_joint
from bayes.progress import bar as progress_bar

WALK_WORTH = 500  # numbers in the tables pruning leaves out, per table a walk visits, from which a walk pays
# the draw axis' einsum label: a character opt_einsum.get_symbol, which labels the variables, never gives (it
# gives ASCII letters, then chr(192) onwards; the Greek capital delta used before was variable 776's label, so
# draws of munin3 and munin4, 1,041 variables, crashed or, laid out draws last, would have multiplied wrongly)
DRAW_SYMBOL = "\u00b5"
DEFAULT_CHUNK = 8192  # two generation blocks: one per core here, and bounded memory


# ----------------------------------------------------------------------------------- splitting questions

MAX_CACHED_ANSWERS = 20_000  # point answers an engine keeps, strict and not each (each one question's answer)
MAX_CACHED_NUMBERS = 100_000  # a swept answer larger than this is not kept

MAX_SPLITS = 4096  # cases a question may be split into (cutset conditioning) to fit the memory budget
CUTSET_SECONDS = 3.0  # how long the search for those cases may take before the question is refused
SMALL_NETWORK = 128  # variables: a network this small has its whole elimination order worked out at once
BEYOND_SPLITTING = 256  # a table this many times more than MAX_SPLITS cases can bring under the budget: refused
MAX_WORK = 1e10  # multiplications a split question may cost (tens of seconds here); beyond, one line instead


# ----------------------------------------------------------------------------------- the engine

class Engine:
    """Exact posterior marginals for batches of queries and parameter draws."""

    def __init__(self, net: CompiledNetwork, chunk_size: int = DEFAULT_CHUNK, optimize: str = "elimination"):
        self.net, self.chunk_size = net, chunk_size
        # "elimination": the best of three greedy elimination orders (inference/planning.py), deterministic, cheap;
        # any opt_einsum strategy name ("auto-hq", "dp") may be given instead, e.g. to compare in benchmarks
        self.optimize = optimize
        self._plans, self._paths, self._requisites = {}, {}, {}  # by question shape: plans, paths, requisite tables
        self._queries: dict[Query, dict] = {}
        # point answers (no draws) by strict, then by query without its label: a model's tables do not change,
        # so the explorer, notebooks and scenario tables asking the same question again are answered at once
        self._answers: dict[bool, dict[Query, tuple]] = {True: {}, False: {}}
        self._children = [[] for _ in net.names]
        for v, ps in enumerate(net.parents):
            for p in ps:
                self._children[p].append(v)

    @classmethod
    def from_spec(cls, spec, **kwargs) -> "Engine":
        return cls(CompiledNetwork.from_spec(spec), **kwargs)

    # ------------------------------------------------------------ public API
    def marginals(self, targets, evidence=None, do=None) -> dict[str, np.ndarray]:
        """Point-estimate posteriors by target, in the model's state order (what queries and claims use)."""
        queries = [Query.make(t, evidence, do) for t in targets]
        return {q.target: r.probabilities[0] for q, r in zip(queries, self.run(queries))}

    def run(self, queries: Iterable[Query], draws: Draws | None = None, strict: bool = True) -> BatchResult:
        """Every query for every draw. Without draws, the point estimate (N = 1).

        `strict=False` answers NaN (and evidence probability 0) for impossible evidence combinations
        instead of raising: for sweeps where some states of a swept variable are ruled out."""
        queries = list(queries)
        if draws is not None:
            return BatchResult(self._general([self._prepared(q) for q in queries], draws, strict))
        kept = self._answers[bool(strict)]
        keys, known = [replace(q, label="") if q.label else q for q in queries], []
        for q, answer in zip(queries, map(kept.get, keys)):  # (one loop: asked again, answered in about 1.5 us)
            if answer is None:
                break  # (a result of copies: a caller may change its arrays)
            known.append(QueryResult(q, answer[0], answer[1], answer[2].copy(), answer[3].copy()))
        else:
            return BatchResult(known)
        check_budget_setting()
        prepared = [self._prepared(q) for q in queries]
        results = [self._whole(prep) for prep in prepared]  # small questions, at once (inference/whole.py)
        rest = [k for k, r in enumerate(results) if r is None]
        if rest:
            for k, r in zip(rest, self._general([prepared[k] for k in rest], None, strict)):
                results[k] = r
        for k, r in zip(keys, results):  # kept for the same questions asked again
            if r.probabilities.size <= MAX_CACHED_NUMBERS and len(kept) < MAX_CACHED_ANSWERS:
                kept[k] = (r.states, r.sweep_states, r.probabilities.copy(), r.evidence_probability.copy())
        return BatchResult(results)

    def _whole(self, prep: dict) -> QueryResult | None:
        """A point question small enough to multiply all its tables at once (inference/whole.py); None when it is
        not, or its findings have probability zero: the general path words the refusal (or the NaN answer)."""
        joint = whole_joint(self.net, prep, self._sources(prep))
        if joint is None:
            return None
        if prep["fixed"] is not None:
            joint = self._point_mass(prep, joint)
        pe = joint.sum(axis=-1)
        if not np.all((pe > 0.0) & np.isfinite(pe)):
            return None
        return QueryResult(prep["query"], prep["states"], prep["sweep_states"], joint / pe[..., None],
                           pe * prep["soft_scale"])

    def _general(self, prepared: list[dict], draws: Draws | None, strict: bool) -> list[QueryResult]:
        """Pruned, planned questions, every draw chunk by chunk."""
        n = draws.n if draws is not None else 1
        if isinstance(draws, GeneratedDraws):  # draw only the tables some query needs
            draws = draws.restricted(set().union(*(self._requisite(p) for p in prepared)))
        check_result_memory(n, prepared, self.net.source)
        given = draws is not None and not isinstance(draws, GeneratedDraws)
        try:
            if draws is None:
                prepared = [self._with_all_evidence(prep) for prep in prepared]
            possible = [self._pruned_evidence_possible(prep) for prep in prepared]
            if strict and not all(possible):
                prep = prepared[possible.index(False)]
                raise QueryError(self._zero_message(prep, np.ones((1, *prep["sweep_cards"]))), self.net.source)
            outputs = [np.empty((n, *p["sweep_cards"], p["card"])) for p in prepared]
            pes = [np.empty((n, *p["sweep_cards"])) for p in prepared]
            with progress_bar(n if draws is not None else 0) as progress, blas_threads(draws):
                self._run_chunks(draws, n, prepared, outputs, pes, strict, given, progress)
            for k, ok in enumerate(possible):
                if not ok and not given:  # evidence the answer does not need is impossible: no answer, as under
                    outputs[k][...], pes[k][...] = np.nan, 0.0  # strict (given tables were checked draw by draw)
        except MemoryError:  # the budget is an estimate; the machine (or its cap) decides
            largest = max(self._plan_size({**prep, "relevant": tuple(self._tables_needed(prep))})[0] for prep in prepared)
            raise QueryError(
                f"ran out of memory answering {len(prepared)} question(s) over {n:,} draw(s): the largest table "
                f"needs {8 * largest / 2 ** 20:,.1f} MiB per draw and the memory budget is "
                f"{memory_budget() / 2 ** 20:,.0f} MiB; set BAYES_MEMORY_BUDGET lower (questions are then split into "
                "cases) or ask for fewer draws", self.net.source) from None
        return [QueryResult(prep["query"], prep["states"], prep["sweep_states"], out, pe)
                for prep, out, pe in zip(prepared, outputs, pes)]

    # ------------------------------------------------------------ internals
    def _run_chunks(self, draws, n, prepared, outputs, pes, strict, given, progress) -> None:
        taken = None  # compact tables some plan multiplies as they are: planned while the first blocks are drawn
        for start, stop, tables in self._chunks(draws, n):
            m = stop - start
            if taken is None and any(isinstance(t, Compact) for t in tables.values()):
                taken = self._taken_compact(prepared, draws)
            tables = tables if taken is None else draws.spread(tables, keep=taken)
            for k, prep in enumerate(prepared):
                joint = self._contract(prep, tables, m, getattr(draws, "first", False))
                if not strict and given:
                    joint = self._without_impossible_draws(prep, tables, m, draws.first, joint)
                pe = joint.sum(axis=-1)
                impossible = (pe <= 0.0) | ~np.isfinite(pe)
                if np.any(impossible):
                    if strict:
                        raise QueryError(self._zero_message(prep, pe, drawn=bool(tables)), self.net.source)
                    with np.errstate(invalid="ignore", divide="ignore"):
                        outputs[k][start:stop] = np.where(impossible[..., None], np.nan, joint / pe[..., None])
                    pes[k][start:stop] = np.where(impossible, 0.0, pe * prep["soft_scale"])
                    continue
                outputs[k][start:stop] = joint / pe[..., None]
                pes[k][start:stop] = pe * prep["soft_scale"]
            if isinstance(draws, GeneratedDraws):  # every answer of the chunk is copied out: its arrays are free
                draws.recycle(tables)
            progress.update(m)

    def _without_impossible_draws(self, prep: dict, tables: dict, m: int, first: bool, joint: np.ndarray) -> np.ndarray:
        """Given tables (another analyst's, a swapped row) can make evidence the answer does not need
        impossible in some draws only: those draws answer nothing (their joint is set to zero)."""
        check = self._evidence_check(prep)
        if check is None:
            return joint
        ruled_out = ~(self._contract(check, tables, m, first).sum(axis=-1) > 0)
        if not ruled_out.any():
            return joint
        joint = joint.copy()
        joint[ruled_out] = 0.0
        return joint

    def _taken_compact(self, prepared: list[dict], draws: GeneratedDraws) -> frozenset:
        """Drawn tables some question's plan multiplies compact, as their positive entries (contraction.Contraction):
        those are kept so; the others are spread out once per chunk (GeneratedDraws.spread)."""
        if not (draws.first and draws.compact_samplers):
            return frozenset()
        patterns = {v: pattern for v, (_, pattern, _) in draws.compact_samplers.items()}
        taken = set()
        for prep in prepared:
            try:
                expr, factors = self._plan(prep, draws.drawn, min(draws.block, draws.n), True, patterns)[:2]
            except QueryError:  # asked again chunk by chunk, where it is refused as it would be anyway
                continue
            taken.update(factors[k][0] for k in getattr(expr, "compact", ()))
        return frozenset(taken)

    def _chunks(self, draws: Draws | None, n: int):
        """(start, stop, tables) in order; generated draws are made a few blocks ahead of the contractions, in
        worker threads (GeneratedDraws.ahead)."""
        if draws is None:
            yield 0, 1, {}
        elif isinstance(draws, GeneratedDraws):
            yield from draws.ahead()
        else:
            for start in range(0, n, self.chunk_size):
                stop = min(n, start + self.chunk_size)
                yield start, stop, draws.chunk(start, stop)

    def _prepared(self, q: Query) -> dict:
        """_prepare, remembered per query (a question asked again, as scenarios and sweeps are, skips the
        checks); the cache is cleared when it holds 4,096 questions."""
        prep = self._queries.get(q)
        if prep is None:
            if len(self._queries) >= 4096:
                self._queries.clear()
            prep = self._queries[q] = self._prepare(q)
        return prep

    def _prepare(self, q: Query) -> dict:
        net = self.net
        for name in (q.target, *(v for v, _ in q.evidence), *(v for v, _ in q.do), *q.sweep):
            if name not in net.index:
                raise QueryError(f"query names unknown variable '{name}'; known variables: {known(net.names)}",
                                 net.source)
        ev = {net.index[v]: self._state_index(v, s) for v, s in q.evidence}
        do = {net.index[v]: self._state_index(v, s) for v, s in q.do}
        sweep = tuple(net.index[v] for v in q.sweep)
        if len(set(sweep)) < len(sweep):
            raise QueryError(f"a variable is swept twice: {', '.join(q.sweep)}", net.source)
        for v, s in ev.items():
            if v in do and do[v] != s:
                raise QueryError(f"evidence {net.names[v]}={net.states[v][s]} contradicts the intervention "
                                 f"do({net.names[v]}={net.states[v][do[v]]}); the evidence has probability zero",
                                 net.source)
        if set(sweep) & (set(ev) | set(do)):
            raise QueryError("a swept variable cannot also be observed or forced", net.source)
        ev = {v: s for v, s in ev.items() if v not in do}  # observing a forced state adds nothing
        soft, soft_scale = {}, 1.0
        for name, lik in q.soft:
            if name not in net.index:
                raise QueryError(f"soft evidence names unknown variable '{name}'", net.source)
            v = net.index[name]
            lik = np.asarray(lik, dtype=float)
            if len(lik) != net.cards[v] or not np.all(np.isfinite(lik)) or lik.min() < 0 or lik.max() <= 0:
                raise QueryError(f"soft evidence on '{name}' needs {net.cards[v]} finite non-negative likelihoods, "
                                 "not all zero", net.source)
            if v in ev or v in do:
                continue  # a known state makes a report about it uninformative
            # only ratios matter: the largest is taken as 1, so products of tiny or huge reports cannot underflow or
            # overflow; P(evidence) is reported on the scale given (soft_scale)
            soft_scale *= float(lik.max())
            soft[v] = lik / lik.max()
        t = net.index[q.target]
        fixed = ev.get(t, do.get(t))
        if t in sweep:
            raise QueryError(f"the target '{q.target}' cannot also be swept", net.source)
        return {
            "query": q, "t": t, "fixed": fixed, "ev": ev, "do": do, "sweep": sweep, "soft": soft,
            "soft_scale": soft_scale,
            "card": net.cards[t], "states": net.states[t],
            "sweep_cards": tuple(net.cards[v] for v in sweep),
            "sweep_states": tuple(net.states[v] for v in sweep),
        }

    def _state_index(self, name: str, state: str) -> int:
        states = self.net.states[self.net.index[name]]
        if state not in states:
            raise QueryError(f"query gives '{name}' the state '{state}'; its states: {known(states)}", self.net.source)
        return states.index(state)

    @staticmethod
    def _sources(prep: dict) -> set[int]:
        """The variables whose distribution the query needs: evidence, sweeps, soft reports, the free target."""
        return set(prep["ev"]) | set(prep["sweep"]) | set(prep["soft"]) | ({prep["t"]} if prep["fixed"] is None else set())

    def _requisite(self, prep: dict) -> list[int]:
        """The variables whose tables the answer needs (Bayes-ball, Shachter 1998): the target's, the swept
        and soft-evidence variables' ancestors, minus those d-separated from them by the evidence, minus
        barren descendants; forced variables are observed roots. docs/methods.md#inference."""
        key = (prep["t"] if prep["fixed"] is None else None, frozenset(prep["ev"]), frozenset(prep["do"]),
               frozenset(prep["sweep"]), frozenset(prep["soft"]))
        if key not in self._requisites:
            self._requisites[key] = self._bayes_ball(prep)
        return self._requisites[key]

    def _bayes_ball(self, prep: dict) -> list[int]:
        targets = ({prep["t"]} if prep["fixed"] is None else set()) | set(prep["sweep"]) | set(prep["soft"])
        observed = set(prep["ev"]) | set(prep["do"])
        parents, children = self.net.parents, self._children
        top, bottom = set(), set()
        schedule = [(j, True) for j in targets]  # (node, visited from a child)
        while schedule:
            j, from_child = schedule.pop()
            seen = j in observed
            # the ball goes up to the parents when it comes from a child to an unobserved node or from a
            # parent to an observed one (explaining away); down to the children from any unobserved node
            if from_child != seen and j not in top and j not in prep["do"]:
                top.add(j)
                schedule.extend((p, True) for p in parents[j])
            if not seen and j not in bottom:
                bottom.add(j)
                schedule.extend((c, False) for c in children[j])
        return sorted(top)

    def _with_all_evidence(self, prep: dict) -> dict:
        """A point question whose pruned evidence might be impossible (or that fits one small einsum whole: asia's
        walk cost half its answer), asked over every ancestor of its evidence instead (findings d-separated from the
        target leave its answer as it is): one contraction gives the answer and P(all evidence), where the pruned
        question and its check took two. "checked": no separate check needed (evidence surely possible, nothing
        pruned, or asked whole); unchanged when the evidence may be impossible and the whole question is big."""
        if prep.get("prune", True) is False or prep.get("relevant") is not None or not prep["ev"]:
            return prep
        whole, net = {**prep, "prune": False, "split": False, "checked": True}, self.net
        needed = self._tables_needed(whole)  # (asked whole if small and no product of its numbers can underflow)
        safe = math.prod(net.smallest_positive(v) for v in needed) >= 1e-280
        if safe and math.prod(net.cards[v] for v in needed) <= DIRECT_BUCKET and DIRECT_BUCKET * 8 <= memory_budget():
            return whole  # (the budget read last: syscalls)
        pruned_out = set(needed).difference(self._requisite(prep))
        if not pruned_out:  # nothing pruned: its own contraction refuses impossible evidence
            return {**prep, "checked": True}
        # where the tables pruning leaves out are small, asking whole costs less than a walk over them (a walk
        # costs 20-40 us a variable: link, 1-4 ms; its whole questions 1.5-3.7 ms)
        walk_first = not safe or sum(net.tables[v].size for v in pruned_out) > WALK_WORTH * len(needed)
        # (findings positive under every configuration of their parents need no walk: alarm's, most hailfinder's)
        if (walk_first or met_everywhere(net, prep["ev"], prep["do"])) and self._evidence_surely_possible(prep):
            return {**prep, "checked": True}
        try:
            if self._plan(whole, frozenset(), 1)[4] <= 10_000_000:  # its own contraction refuses impossible evidence
                return whole
        except QueryError:  # too big to ask whole
            pass
        return {**prep, "checked": True} if not walk_first and self._evidence_surely_possible(prep) else prep

    def _pruned_evidence_possible(self, prep: dict) -> bool:
        """Evidence the answer does not need can still be impossible (P = 0): then the question has no
        answer, as when the needed evidence is impossible. Checked on the point tables; the verdict is kept
        per evidence."""
        if prep.get("checked") or self._evidence_surely_possible(prep):
            return True
        check = self._evidence_check(prep)
        if check is None:
            return True
        key = ("possible", check["key"])
        if key not in self._plans:
            self._plans[key] = bool(np.all(self._contract(check, {}, 1).sum(axis=-1) > 0))
        return self._plans[key]

    def _evidence_surely_possible(self, prep: dict) -> bool:
        """True when P(evidence) > 0 can be seen without computing it (possible.surely_possible), kept per
        evidence; else the full check decides."""
        key = ("surely", tuple(sorted(prep["ev"].items())), tuple(sorted(prep["do"].items())),
               tuple(sorted((v, tuple(likelihood)) for v, likelihood in prep["soft"].items())))
        if key not in self._plans:  # asked before planning (_with_all_evidence) and before answering
            self._plans[key] = surely_possible(self.net, prep["ev"], prep["do"], prep["soft"])
        return self._plans[key]

    def _evidence_check(self, prep: dict) -> dict | None:
        """The question P(evidence) for evidence the answer does not need, or None when all of it is needed
        (or the check is unaffordable: its largest table above 10 million numbers)."""
        if not prep["ev"]:
            return None
        key = ("evidence", tuple(sorted(prep["ev"].items())), tuple(sorted(prep["do"].items())),
               tuple(sorted((v, tuple(l)) for v, l in prep["soft"].items())))
        if key not in self._plans:
            check = None
            if set(self._requisite(prep)) != set(ancestors(self.net, self._sources(prep), prep["do"])):
                first = next(iter(prep["ev"]))
                check = {**prep, "t": first, "fixed": prep["ev"][first], "card": self.net.cards[first], "sweep": (),
                         "sweep_cards": (), "prune": False, "split": False, "key": key}
                try:
                    if self._plan(check, frozenset(), 1)[4] > 10_000_000:
                        check = None
                except QueryError:  # too big to afford the check
                    check = None
            self._plans[key] = check
        return self._plans[key]

    def _plan(self, prep: dict, drawn: frozenset, m: int, first: bool = False, compact: dict | None = None):
        t, ev, do, sweep = prep["t"], prep["ev"], prep["do"], prep["sweep"]
        target_free = prep["fixed"] is None
        # a conditioned question ("relevant") keeps the tables of the question it splits
        key = (t if target_free else None, tuple(sorted(ev)), tuple(sorted(do)), sweep, tuple(sorted(prep["soft"])),
               frozenset(drawn), m if drawn else 0, first, prep.get("prune", True), prep.get("relevant"),
               # compact draws: which tables, and where their positive entries are (the plan multiplies them so)
               tuple(sorted((v, hash(p.tobytes())) for v, p in (compact or {}).items())))
        plan = self._plans.get(key)
        if plan is not None:
            return plan
        relevant = self._tables_needed(prep)
        terms, shapes, factors, out, uses_draws = self._terms(prep, relevant, drawn, m, first)
        if not terms:  # nothing random is involved (e.g. target forced, no evidence)
            plan = (None, factors, uses_draws, target_free, 1, None)
        else:
            sizes = {c: n for term, shape in zip(terms, shapes) for c, n in zip(term, shape)}
            # the order is planned once per question, for one draw: the draw axis rides along every drawn table
            # (so a chunk of any size, and either layout, reuses it)
            # (a point question may keep the model's own order; one run over thousands of draws is worth planning)
            path_key = key[:5] + key[8:10] + (bool(drawn),)
            orders, rank = {}, None  # min-fill's order, where it is worked out here; the model's order, if it is kept
            if not uses_draws and self.optimize == "elimination":  # small buckets in the model's order: no planning
                rank = self._symbol_rank(len(sizes))
                buckets = None
                if rank is not None:
                    keep = set(out)
                    buckets = Buckets.build(terms, out, sizes, sorted((c for c in sizes if c not in keep),
                                                                      key=rank.__getitem__))
                if buckets is None:  # else in the question's own min-fill order (the model's order, where
                    # its buckets are too big, makes big tables: munin1 with soft findings, 2^25 numbers, not 2^10)
                    rank, orders[HEURISTICS[0]] = None, elimination_order(terms, out, sizes, HEURISTICS[0])
                    buckets = Buckets.build(terms, out, sizes, orders[HEURISTICS[0]], QUESTION_BUCKET)
                if buckets is not None and buckets.largest * 8 <= memory_budget():
                    self._plans[key] = plan = (buckets, factors, uses_draws, target_free, buckets.largest, None)
                    return plan
            if path_key not in self._paths:
                point_terms, point_out, point_sizes = terms, out, sizes
                if drawn:  # planned for one draw, without the draw axis
                    point_terms, point_shapes, _, point_out, _ = self._terms(prep, relevant, frozenset(), 1)
                    point_sizes = {c: n for term, shape in zip(point_terms, point_shapes) for c, n in zip(term, shape)}
                if drawn or self.optimize != "elimination":
                    rank = None if drawn else self._symbol_rank(len(point_sizes))
                path, most, flops = elimination_path(point_terms, point_out, point_sizes, rank,
                                                     hopeless=self._beyond_splitting(), repeats=m if drawn else 1,
                                                     orders=orders)
                if flops * (m if drawn else 1) >= SEARCH_WORTH and (first or not drawn) and most * 8 <= memory_budget():
                    # one plan carried out over thousands of draws of a big network (matrix products, draws first):
                    # the optimal path is worth a bounded search (analysts' models and mid-sized networks, draws
                    # last, run in well under a second, less than a search that finds nothing: munin1 0.4 -> 0.7 s)
                    better = optimal_path(point_terms, point_out, point_sizes, most)
                    if better is not None and path_cost(point_terms, point_out, point_sizes, better)[1] < flops:
                        path = better
                self._paths[path_key] = (path, most)
            path, per_draw = self._paths[path_key]
            largest = per_draw * m if uses_draws else per_draw
            if per_draw * 8 > memory_budget():  # even one draw does not fit: split the question on some variables
                if not prep.get("split", True):  # an optional check (pruned evidence): not worth a search
                    raise QueryError("too big to check", self.net.source)
                needs = (f"exact inference for {self.net.names[t]} needs a table of {size_text(per_draw * 8)} "
                         f"(2^{math.log2(max(per_draw, 1)):.0f} numbers) even in the best order found")
                if per_draw > self._beyond_splitting():  # no split into MAX_SPLITS cases comes near: no search
                    raise QueryError(
                        f"{needs}, over {BEYOND_SPLITTING * MAX_SPLITS:,} times the memory budget of "
                        f"{size_text(memory_budget())}: splitting into {MAX_SPLITS:,} cases divides a table at most "
                        f"{MAX_SPLITS:,}-fold; the network is too densely connected for exact answers to this "
                        "question (set BAYES_MEMORY_BUDGET to allow more)", self.net.source)
                condition = self._conditioning(prep, relevant)
                if condition is None:
                    raise QueryError(
                        f"{needs} and split on up to {MAX_SPLITS:,} cases (searched for at most {CUTSET_SECONDS:g} s), "
                        f"over the memory budget of "
                        f"{size_text(memory_budget())}; the network is too densely connected for exact answers "
                        "to this question (set BAYES_MEMORY_BUDGET to allow more)", self.net.source)
                cases = math.prod(self.net.cards[v] for v in condition)
                case = {**prep, "ev": {**prep["ev"], **{v: 0 for v in condition}}, "relevant": tuple(relevant)}
                work = cases * self._plan_size(case)[1]
                if work > MAX_WORK:
                    raise QueryError(
                        f"{needs}; split into {cases:,} cases to fit the memory budget of "
                        f"{size_text(memory_budget())} it would take about {work:.1e} multiplications "
                        "(minutes to hours here); the network is too densely connected for exact answers to this "
                        "question",
                        self.net.source)
                plan = (None, factors, uses_draws, target_free, largest, condition)
            else:
                if self.optimize != "elimination":  # an opt_einsum strategy, e.g. to compare in benchmarks
                    path = opt_einsum.contract_path(",".join(terms) + "->" + out, *shapes, shapes=True,
                                                    optimize=self.optimize)[0]
                if uses_draws and not first:  # draws last: products along thousands of draws (numpy's einsum)
                    expr = opt_einsum.contract_expression(",".join(terms) + "->" + out, *shapes, optimize=path)
                else:  # one draw, or a few draws of big tables: matrix products (contraction.Contraction)
                    whole = {k: compact[v] for k, (v, axes) in enumerate(factors)  # compact tables, no state fixed
                             if compact and v in compact and axes != "soft" and not set(axes) & (set(ev) | set(do))}
                    expr = Contraction(terms, out, sizes, path, compact=whole)
                plan = (expr, factors, uses_draws, target_free, largest, None)
        self._plans[key] = plan
        return plan

    @staticmethod
    def _beyond_splitting() -> int:
        """Numbers in a table so far over the memory budget that no split into MAX_SPLITS cases, and no other
        greedy order, could bring it under: the question is refused without searching."""
        return memory_budget() // 8 * MAX_SPLITS * BEYOND_SPLITTING

    def _symbol_rank(self, variables: int) -> dict[str, int] | None:
        """Each variable's einsum label and its position in the model's elimination order; None while that
        order is not yet worked out, the network is over SMALL_NETWORK variables and a question of this many
        variables is under a quarter of them (its own min-fill order costs less than the whole network's:
        munin's takes 100 ms, win95pts' 4 ms)."""
        n = len(self.net.names)
        if not self.net.has_elimination_rank() and n > SMALL_NETWORK and 4 * variables < n:
            return None
        return self.net.elimination_rank()

    def _tables_needed(self, prep: dict) -> list[int]:
        """The variables whose tables a question multiplies: fixed for one case of a split question, else its
        requisite nodes (or, for the evidence check, every ancestor of the evidence)."""
        if prep.get("relevant") is not None:
            return list(prep["relevant"])
        if prep.get("prune", True):
            return self._requisite(prep)
        return ancestors(self.net, self._sources(prep), prep["do"])

    def _terms(self, prep: dict, relevant: list[int], drawn: frozenset, m: int, first: bool = False):
        """(einsum terms, shapes, factors, output, uses draws) of a question over the given tables; evidence
        and forced states are sliced away, so they are not axes."""
        net, ev, do = self.net, prep["ev"], prep["do"]
        symbol = net.symbols().__getitem__
        terms, shapes, factors = [], [], []
        uses_draws = False
        for v in relevant:
            axes = (*net.parents[v], v)
            keep = [a for a in axes if a not in ev and a not in do]
            term = "".join(map(symbol, keep))
            shape = [net.cards[a] for a in keep]
            if v in drawn:  # the draw axis, where the draws' layout has it (class Draws)
                term = DRAW_SYMBOL + term if first else term + DRAW_SYMBOL
                shape.insert(0 if first else len(shape), m)
                uses_draws = True
            terms.append(term)
            shapes.append(tuple(shape))
            factors.append((v, axes))  # sliced per call: evidence states are not part of the plan
        for v in sorted(prep["soft"]):  # virtual evidence: one more factor, the report's likelihood per state
            terms.append(symbol(v))
            shapes.append((net.cards[v],))
            factors.append((v, "soft"))
        out = (DRAW_SYMBOL if uses_draws else "") + "".join(symbol(s) for s in prep["sweep"])
        if prep["fixed"] is None:
            out += symbol(prep["t"])
        return terms, shapes, factors, out, uses_draws

    def _conditioning(self, prep: dict, relevant: list[int]) -> tuple[int, ...] | None:
        """Variables to condition on, one case at a time (cutset conditioning), so that every case's largest
        table fits the memory budget: greedily the variable whose conditioning shrinks the plan most, up to
        MAX_SPLITS cases in all; None when that is not enough."""
        net = self.net
        taken = set(prep["ev"]) | set(prep["do"]) | set(prep["sweep"]) | set(prep["soft"]) | {prep["t"]}
        chosen: list[int] = []
        cases = 1
        budget = memory_budget() // 8
        deadline = time.monotonic() + CUTSET_SECONDS  # each trial re-plans: a hopeless search is cut short
        while True:
            degree = {v: sum(v in net.parents[u] or v == u for u in relevant) for v in relevant if v not in taken}
            candidates = sorted(degree, key=lambda v: (-degree[v], v))[:24]
            best = None
            for v in candidates:
                if time.monotonic() > deadline:
                    return None
                if cases * net.cards[v] > MAX_SPLITS:
                    continue
                trial = {**prep, "ev": {**prep["ev"], **{c: 0 for c in chosen}, v: 0}, "relevant": tuple(relevant)}
                size = self._plan_size(trial, quick=True)[0]
                if best is None or size < best[0]:
                    best = (size, v)
            if best is None:
                return None
            chosen.append(best[1])
            taken.add(best[1])
            cases *= net.cards[best[1]]
            if best[0] <= budget:
                return tuple(chosen)

    def _plan_size(self, prep: dict, quick: bool = False) -> tuple[int, int]:
        """(largest table, multiplications) per draw of a question's plan, without building it; `quick`: of the
        min-fill order alone (the split search compares candidates; the chosen split is planned in full)."""
        terms, shapes, _, out, _ = self._terms(prep, list(prep["relevant"]), frozenset(), 1)
        if not terms:
            return 1, 1
        sizes = {c: n for term, shape in zip(terms, shapes) for c, n in zip(term, shape)}
        return elimination_path(terms, out, sizes, heuristics=HEURISTICS[:1] if quick else HEURISTICS)[1:]

    def _contract(self, prep: dict, tables: dict, m: int, first: bool = False) -> np.ndarray:
        """Unnormalised P(target, evidence) shaped (m, *sweep cards, target card)."""
        drawn = frozenset(tables)
        compact = {v: a.pattern for v, a in tables.items() if isinstance(a, Compact)}
        expr, factors, uses_draws, target_free, largest, condition = self._plan(prep, drawn, m, first, compact)
        if condition is not None:  # one case of the split variables at a time; the cases add up
            relevant = tuple(self._tables_needed(prep))
            total = None
            for states in itertools.product(*(range(self.net.cards[v]) for v in condition)):
                case = {**prep, "ev": {**prep["ev"], **dict(zip(condition, states))}, "relevant": relevant}
                part = self._contract(case, tables, m, first)
                total = part if total is None else total + part
            return total
        if uses_draws and m > 1 and largest * 8 > memory_budget():  # fewer draws at a time fit the budget
            step = max(1, memory_budget() // (8 * max(largest // m, 1)))
            parts = [self._contract(prep, {v: a.draws(start, start + step) if isinstance(a, Compact)
                                           else a[start:start + step] if first else a[..., start:start + step]
                                           for v, a in tables.items()}, min(step, m - start), first)
                     for start in range(0, m, step)]
            return np.concatenate(parts, axis=0)
        sweep_cards, card = prep["sweep_cards"], prep["card"]
        if expr is None:
            joint = np.ones(sweep_cards)
        else:
            ev, do = prep["ev"], prep["do"]
            operands = []
            taken_compact = getattr(expr, "compact", ())
            for v, axes in factors:
                if axes == "soft":
                    operands.append(prep["soft"][v])
                    continue
                index = tuple(ev[a] if a in ev else do[a] if a in do else slice(None) for a in axes)
                if v in tables:
                    table = tables[v]
                    if isinstance(table, Compact):
                        if len(operands) in taken_compact:  # multiplied as it is (contraction.Contraction)
                            operands.append(table)
                            continue
                        table = table.dense()
                    operands.append(table[(slice(None),) + index if first else index + (slice(None),)])
                else:
                    operands.append(self.net.tables[v][index])
            joint = np.asarray(expr(*operands), dtype=float)
        if not uses_draws:
            joint = joint[None] if m == 1 else np.broadcast_to(joint, (m, *joint.shape))
        return joint if target_free else self._point_mass(prep, joint)

    @staticmethod
    def _point_mass(prep: dict, joint: np.ndarray) -> np.ndarray:
        """P(evidence) (..., ) as P(target, evidence) (..., card) for a target observed or forced: a point mass."""
        mass = np.zeros(prep["card"])
        mass[prep["fixed"]] = 1.0
        return joint[..., None] * mass

    def _zero_message(self, prep: dict, pe: np.ndarray, drawn: bool = False) -> str:
        point = self._contract(prep, {}, 1).sum(axis=-1) if drawn else None  # P(evidence) with the point tables
        return impossible_evidence(self.net, prep, pe, point)
