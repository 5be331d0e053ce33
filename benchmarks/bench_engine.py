"""Benchmark: the batched engine against loops of pgmpy VariableElimination (and pyAgrum LazyPropagation
when installed), on the same work, in one run. Prints a table of medians and ratios; `--json` prints
one JSON object. A script, not a test: nothing here asserts a time.

    python benchmarks/bench_engine.py            # full run
    python benchmarks/bench_engine.py --quick    # reduced, under a minute
    python benchmarks/bench_engine.py --json

Workloads (targets in issue 3):
  (a) flagship, 10,000 draws x every named scenario x the outcome variables, drawing included
  (b) ALARM-sized random network (37 variables, 2-4 states, up to 4 parents), 10,000 draws x 10
      evidence sets, drawing included
  (c) all 256 combinations of 8 binary evidence variables of the flagship, point estimate
  (d) cold `bayes query caucasus_2020 escalation` in a fresh process (median of 5)
  (e) peak resident memory of 1,000,000 flagship draws x every scenario (separate process)
The pgmpy and pyAgrum loops are timed on a sample of the draws and scaled up; the output says so.
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
warnings.simplefilter("ignore")

import bayes  # noqa: E402
from bayes.inference.network import CompiledNetwork
from bayes.inference.engine import Engine, Query
from bayes.inference.draws import dirichlet_draws
from bayes.inference.network import import_pgmpy  # noqa: E402
from bayes.exchange.synthetic import random_network  # noqa: E402


def median_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


# ------------------------------------------------------------------------------- pgmpy / pyAgrum loops

def pgmpy_with_tables(base, net: CompiledNetwork, tables: dict[int, np.ndarray]):
    """A copy of the pgmpy model whose CPDs are replaced by one draw's tables (pgmpy's column order)."""
    from pgmpy.factors.discrete import TabularCPD

    model = base.copy()
    for i, table in tables.items():
        v = net.names[i]
        old = model.get_cpds(v)
        values = np.moveaxis(table, -1, 0).reshape(table.shape[-1], -1)
        model.remove_cpds(old)
        model.add_cpds(TabularCPD(v, table.shape[-1], values, evidence=old.variables[1:] or None,
                                  evidence_card=list(old.cardinality[1:]) or None, state_names=old.state_names))
    return model


def pgmpy_loop(base, net, chunk, n_sample, queries):
    """Per draw: rebuild the CPDs, then one VariableElimination query per query (graph surgery for do)."""
    from pgmpy.inference import VariableElimination

    results = []
    for d in range(n_sample):
        model = pgmpy_with_tables(base, net, {i: a[..., d] for i, a in chunk.items()})
        cache = {}
        for q in queries:
            do = dict(q.do)
            key = tuple(sorted(do))
            if key not in cache:
                cache[key] = VariableElimination(model.do(list(do)) if do else model)
            ev = {**dict(q.evidence), **do}
            states = net.states[net.index[q.target]]
            if q.target in ev:
                results.append(np.array([1.0 if s == ev[q.target] else 0.0 for s in states]))
                continue
            f = cache[key].query([q.target], evidence=ev or None, show_progress=False)
            results.append(np.array([f.get_value(**{q.target: s}) for s in states]))
    return results


def pyagrum_available() -> bool:
    try:
        import pyagrum  # noqa: F401

        return True
    except ImportError:
        try:
            import pyAgrum  # noqa: F401

            return True
        except ImportError:
            return False


def _gum():
    try:
        import pyagrum as gum
    except ImportError:  # older name
        import pyAgrum as gum
    return gum


def pyagrum_bn(net: CompiledNetwork, tables: dict[int, np.ndarray] | None = None):
    gum = _gum()
    bn = gum.BayesNet("bench")
    ids = {}
    for i, v in enumerate(net.names):
        ids[i] = bn.add(gum.LabelizedVariable(v, v, list(net.states[i])))
    for i, ps in enumerate(net.parents):
        for p in ps:
            bn.addArc(ids[p], ids[i])
    for i in range(len(net.names)):
        fill_pyagrum(bn, net, i, (tables or {}).get(i, net.tables[i]))
    return bn


def fill_pyagrum(bn, net, i, table):
    # pyAgrum's CPT variable order is (child, parents in insertion order); fill through named indices
    cpt = bn.cpt(net.names[i])
    names = [cpt.variable(k).name() for k in range(cpt.nbrDim())]
    order = [net.names[p] for p in net.parents[i]] + [net.names[i]]
    arr = np.transpose(table, [order.index(n) for n in reversed(names)])
    cpt.fillWith(arr.reshape(-1).tolist())


def pyagrum_loop(net, chunk, n_sample, queries):
    gum = _gum()
    bn = pyagrum_bn(net)
    results = []
    for d in range(n_sample):
        for i, a in chunk.items():
            fill_pyagrum(bn, net, i, a[..., d])
        for q in queries:
            assert not q.do, "the pyAgrum loop covers observational queries only"
            ie = gum.LazyPropagation(bn)
            ie.setEvidence(dict(q.evidence))
            ie.makeInference()
            results.append(np.asarray(ie.posterior(q.target).toarray()))
    return results


# ------------------------------------------------------------------------------- workloads

def scenario_queries(model) -> list[Query]:
    queries = []
    for name in model.scenario_names():
        sc = model.spec.scenarios.get(name)
        given, do = (sc.observe, sc.do) if sc else ({}, {})
        for target in model.outcomes:
            queries.append(Query.make(target, given, do, label=name))
    return queries


def bench_flagship(model, n_draws, repeats, n_sample):
    net = model.engine.net
    engine = Engine(net)
    queries = scenario_queries(model)
    engine.run(queries, dirichlet_draws(net, 64, seed=0))  # plans for the 4096-draw chunk shape come on run 1
    seeds = iter(range(1, 1000))
    ours = median_time(lambda: engine.run(queries, dirichlet_draws(net, n_draws, seed=next(seeds))), repeats)
    draws = dirichlet_draws(net, n_draws, seed=99)
    chunk = draws.chunk(0, min(n_draws, draws.block))
    t0 = time.perf_counter()
    ref = pgmpy_loop(model.network, net, chunk, n_sample, queries)
    pgmpy_per_draw = (time.perf_counter() - t0) / n_sample
    batch = engine.run(queries, draws)
    ours_sample = [r.probabilities[d] for d in range(n_sample) for r in batch]
    diff = max(float(np.abs(a - b).max()) for a, b in zip(ours_sample, ref))
    return dict(seconds=ours, pgmpy_seconds=pgmpy_per_draw * n_draws, max_abs_diff=diff, queries=len(queries),
                queries_without_do=[q for q in queries if not q.do], chunk=chunk, net=net)


def alarm_queries(net: CompiledNetwork, rng, count=10) -> list[Query]:
    out = []
    for k in range(count):
        chosen = rng.choice(len(net.names), size=6, replace=False)
        target = net.names[chosen[0]]
        evidence = {net.names[i]: net.states[i][rng.integers(net.cards[i])] for i in chosen[1:1 + 3 + k % 3]}
        out.append(Query.make(target, evidence, label=f"evidence set {k + 1}"))
    return out


def bench_alarm(n_draws, repeats, n_sample):
    model = random_network(37, max_parents=4, seed=2020)
    net = CompiledNetwork.from_pgmpy(model)
    engine = Engine(net)
    queries = alarm_queries(net, np.random.default_rng(1))
    engine.run(queries, dirichlet_draws(net, 64, seed=0))
    seeds = iter(range(1, 1000))
    ours = median_time(lambda: engine.run(queries, dirichlet_draws(net, n_draws, seed=next(seeds))), repeats)
    draws = dirichlet_draws(net, n_draws, seed=99)
    chunk = draws.chunk(0, min(n_draws, draws.block))
    t0 = time.perf_counter()
    ref = pgmpy_loop(model, net, chunk, n_sample, queries)
    pgmpy_per_draw = (time.perf_counter() - t0) / n_sample
    batch = engine.run(queries, draws)
    diff = max(float(np.abs(r.probabilities[d] - ref[d * len(queries) + k]).max())
               for d in range(n_sample) for k, r in enumerate(batch))
    entries = sum(t.size for t in net.tables)
    return dict(seconds=ours, pgmpy_seconds=pgmpy_per_draw * n_draws, max_abs_diff=diff, parameters=entries,
                net=net, chunk=chunk, queries=queries)


def bench_sweep(model, repeats):
    net = model.engine.net
    engine = Engine(net)
    binary = [v for v in model.variables if len(model.states(v)) == 2 and model.spec.variables[v].observable]
    sweep = tuple(binary[:8])
    target = "russia_stance"
    query = Query.make(target, sweep=sweep)
    engine.run([query])
    ours = median_time(lambda: engine.run([query]), max(repeats, 20))
    from pgmpy.inference import VariableElimination

    ve = VariableElimination(model.network)
    combos = list(itertools.product(*[model.states(v) for v in sweep]))
    got = engine.run([query])[0].probabilities[0].reshape(-1, len(model.states(target)))
    diffs = []

    def loop():
        diffs.clear()
        for k, combo in enumerate(combos):
            f = ve.query([target], evidence=dict(zip(sweep, combo)), show_progress=False)
            p = np.array([f.get_value(**{target: s}) for s in model.states(target)])
            diffs.append(float(np.abs(p - got[k]).max()))

    theirs = median_time(loop, 3)
    return dict(seconds=ours, pgmpy_seconds=theirs, combinations=len(combos), sweep=sweep,
                max_abs_diff=max(diffs))


def bench_cli_cold(runs=5):
    exe = Path(sys.executable).parent / "bayes"
    cmd = [str(exe), "query", "caucasus_2020", "escalation"] if exe.exists() else \
        [sys.executable, "-m", "bayes.cli", "query", "caucasus_2020", "escalation"]
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, cwd=ROOT)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


MEMORY_CHILD = """
import resource, sys, warnings
warnings.simplefilter('ignore')
sys.path.insert(0, {root!r})
import bayes
from bayes.inference.engine import Engine, Query
from bayes.inference.draws import dirichlet_draws
model = bayes.load('caucasus_2020')
net = model.engine.net
queries = []
for name in model.scenario_names():
    sc = model.spec.scenarios.get(name)
    queries.append(Query.make('escalation', sc.observe if sc else {{}}, sc.do if sc else {{}}, label=name))
batch = Engine(net).run(queries, dirichlet_draws(net, {n}, seed=1))
# VmHWM, not ru_maxrss: after fork+exec, ru_maxrss keeps the parent's high-water mark
hwm = [line for line in open('/proc/self/status') if line.startswith('VmHWM')][0].split()[1]
print(int(hwm) / 1024, batch[0].probabilities.shape[0])
"""


def bench_memory(n):
    out = subprocess.run([sys.executable, "-c", MEMORY_CHILD.format(root=str(ROOT), n=n)], check=True,
                         capture_output=True, text=True)
    peak, count = out.stdout.split()
    return float(peak), int(count)


def bench_pyagrum(fl, al, n_sample):
    net, chunk, queries = fl["net"], fl["chunk"], fl["queries_without_do"]
    t0 = time.perf_counter()
    pyagrum_loop(net, chunk, n_sample, queries)
    flagship_per_draw = (time.perf_counter() - t0) / n_sample
    t0 = time.perf_counter()
    pyagrum_loop(al["net"], al["chunk"], n_sample, al["queries"])
    alarm_per_draw = (time.perf_counter() - t0) / n_sample
    return flagship_per_draw, alarm_per_draw, len(queries)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--quick", action="store_true", help="reduced run, under a minute")
    args = parser.parse_args(argv)
    quick = args.quick
    n_draws = 10_000
    repeats = 3 if quick else 5
    n_sample = 3 if quick else 20
    mem_draws = 200_000 if quick else 1_000_000

    import_pgmpy()
    model = bayes.load("caucasus_2020")
    fl = bench_flagship(model, n_draws, repeats, n_sample)
    al = bench_alarm(n_draws, repeats, n_sample)
    sw = bench_sweep(model, repeats)
    cli = bench_cli_cold(3 if quick else 5)
    peak, count = bench_memory(mem_draws)
    pa = bench_pyagrum(fl, al, max(2, n_sample // 4)) if pyagrum_available() else None

    result = {
        "flagship_seconds": fl["seconds"],
        "flagship_ratio_vs_pgmpy": fl["pgmpy_seconds"] / fl["seconds"],
        "alarm_seconds": al["seconds"],
        "alarm_ratio_vs_pgmpy": al["pgmpy_seconds"] / al["seconds"],
        "sweep_ratio_vs_pgmpy": sw["pgmpy_seconds"] / sw["seconds"],
        "cli_cold_seconds": cli,
        "peak_rss_mb_1m_draws": peak if mem_draws == 1_000_000 else None,
        "peak_rss_mb": peak,
        "memory_draws": count,
        "max_abs_diff_vs_pgmpy": max(fl["max_abs_diff"], al["max_abs_diff"], sw["max_abs_diff"]),
        "pgmpy_draws_sampled": n_sample,
        "quick": quick,
    }
    if pa is not None:
        fl_pa, al_pa, nq = pa
        flagship_no_do_seconds = fl["seconds"]  # ours covers more (do scenarios too): conservative ratio
        result["pyagrum_ratio"] = fl_pa * n_draws / flagship_no_do_seconds
        result["pyagrum_alarm_ratio"] = al_pa * n_draws / al["seconds"]

    if args.json:
        print(json.dumps(result))
        return 0
    rows = [
        ("(a) flagship: 10,000 draws x %d queries (%d scenarios x %d outcomes), drawing included" %
         (fl["queries"], len(model.scenario_names()), len(model.outcomes)),
         fl["seconds"], fl["pgmpy_seconds"], "< 0.25 s and >= 500x"),
        ("(b) ALARM-sized (37 vars, %d parameters): 10,000 draws x 10 evidence sets" % al["parameters"],
         al["seconds"], al["pgmpy_seconds"], "< 2 s"),
        ("(c) sweep: %d combinations of 8 binary evidence variables, 1 draw" % sw["combinations"],
         sw["seconds"], sw["pgmpy_seconds"], ">= 200x"),
    ]
    print(f"{'workload':<92} {'ours (s)':>10} {'pgmpy (s)':>10} {'ratio':>9}  target")
    for name, ours, theirs, target in rows:
        print(f"{name:<92} {ours:>10.4f} {theirs:>10.2f} {theirs / ours:>8.0f}x  {target}")
    print(f"{'(d) cold CLI: bayes query caucasus_2020 escalation (median of runs)':<92} {cli:>10.3f} "
          f"{'':>10} {'':>9}  < 1.5 s")
    print(f"{'(e) peak RSS, %d flagship draws x %d scenarios (MB)' % (count, len(model.scenario_names())):<92} "
          f"{peak:>10.0f} {'':>10} {'':>9}  < 1024 MB for 1,000,000")
    print(f"\npgmpy loops timed on {n_sample} draws and scaled to 10,000; our medians over {repeats} runs "
          f"(plans cached after the first).")
    print(f"largest difference from pgmpy on the sampled draws: {result['max_abs_diff_vs_pgmpy']:.2e}")
    if pa is not None:
        print(f"pyAgrum LazyPropagation loop (flagship queries without do, scaled): {result['pyagrum_ratio']:.0f}x "
              f"slower than ours; ALARM-sized: {result['pyagrum_alarm_ratio']:.0f}x")
    else:
        print("pyAgrum not installed (it is in the test extra: pip install -e '.[test]')")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
