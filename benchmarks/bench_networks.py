"""The engine on networks it was not built for: pgmpy's offline copies of the bnlearn repository (asia to
munin) and generated random DAGs at fixed seeds, side by side with pyAgrum's LazyPropagation.

Per network, in a fresh process (so peak memory is the network's own): load time, first query (planning
included) and warm query for bayes and pyAgrum on the same targets and findings, their largest
difference, 1,000 parameter draws, and peak RSS. Prints a table; `--json` prints the rows as JSON.

    python benchmarks/bench_networks.py [--quick] [--json] [--networks alarm,child]

No timing is asserted anywhere: these are figures to watch (issue #15's targets: first query no slower
than 2x pyAgrum or 0.5 s, warm queries faster than pyAgrum up to 100 nodes, equal answers to 1e-12).
"""

from __future__ import annotations

import argparse
import gzip
import json
import multiprocessing as mp
import resource
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

REPOSITORY = ["asia", "cancer", "sachs", "child", "insurance", "alarm", "water", "mildew", "barley", "hailfinder",
              "hepar2", "win95pts", "pathfinder", "andes", "pigs", "link", "munin1", "diabetes", "munin"]
QUICK = ["asia", "child", "alarm", "insurance", "hailfinder", "win95pts"]
GENERATED = [(30, 60, 3, 1), (50, 150, 5, 1), (100, 250, 5, 2), (200, 400, 4, 3)]  # nodes, arcs, max states, seed


def _example_file(name: str) -> Path | None:
    import pgmpy

    path = Path(pgmpy.__file__).parent / "utils" / "example_models" / f"{name}.bif.gz"
    return path if path.is_file() else None


def _load_repository(name: str):
    """Our CompiledNetwork from the gzipped BIF pgmpy ships, read as `bayes import` reads it (our BIF reader,
    pgmpy's for forms it does not take)."""
    from bayes.inference.network import CompiledNetwork, _topological
    from bayes.exchange.formats import _read_bif

    with gzip.open(_example_file(name), "rt", encoding="utf-8") as fh:
        text = fh.read()
    network = _read_bif(text, _example_file(name))
    if network is None:
        from pgmpy.readwrite import BIFReader

        return CompiledNetwork.from_pgmpy(BIFReader(string=text).get_model())
    cpds = {c.variable: c for c in network.get_cpds()}
    order = _topological(list(cpds), {v: cpds[v].variables[1:] for v in cpds})
    index = {v: i for i, v in enumerate(order)}
    return CompiledNetwork(order, [tuple(cpds[v].state_names[v]) for v in order],
                           [tuple(index[p] for p in cpds[v].variables[1:]) for v in order],
                           [np.moveaxis(np.asarray(cpds[v].values, dtype=float), 0, -1).copy() for v in order], name)


def _generated(n: int, arcs: int, max_states: int, seed: int):
    from bayes.inference.network import CompiledNetwork

    rng = np.random.default_rng(seed)
    cards = rng.integers(2, max_states + 1, size=n)
    parents = {i: set() for i in range(n)}
    count = 0
    while count < arcs:
        a, b = sorted(rng.choice(n, 2, replace=False).tolist())
        if a not in parents[b] and len(parents[b]) < 6:
            parents[b].add(a)
            count += 1
    tables = []
    for i in range(n):
        ps = sorted(parents[i])
        shape = [int(cards[p]) for p in ps] + [int(cards[i])]
        rows = int(np.prod(shape[:-1])) if ps else 1
        tables.append(rng.dirichlet(np.ones(int(cards[i])), size=rows).reshape(shape))
    return CompiledNetwork([f"n{i}" for i in range(n)], [tuple(f"s{k}" for k in range(c)) for c in cards],
                           [tuple(sorted(parents[i])) for i in range(n)], tables, f"random({n},{arcs},{max_states},{seed})")


def _pyagrum(net):
    import itertools

    import pyagrum as gum

    bn = gum.BayesNet()
    ids = [bn.add(gum.LabelizedVariable(name, name, list(states))) for name, states in zip(net.names, net.states)]
    for v, ps in enumerate(net.parents):
        for p in ps:
            bn.addArc(ids[p], ids[v])
    for v, ps in enumerate(net.parents):
        cpt = bn.cpt(ids[v])
        for index in itertools.product(*[range(net.cards[p]) for p in ps]):
            cpt[{net.names[p]: int(i) for p, i in zip(ps, index)}] = net.tables[v][index].tolist()
    return bn


def _measure(spec, queries: int, findings: int, seed: int) -> dict:
    from bayes.inference.engine import Engine, Query
    from bayes.inference.draws import dirichlet_draws
    from bayes.errors import QueryError

    from bayes.inference.network import import_pgmpy

    import_pgmpy()  # its import (seconds) is not part of loading a network
    from pgmpy.readwrite import BIFReader  # noqa: F401

    start = time.perf_counter()
    net = _load_repository(spec) if isinstance(spec, str) else _generated(*spec)
    load = time.perf_counter() - start
    name = spec if isinstance(spec, str) else net.source
    params = int(sum(t.size for t in net.tables))
    rng = np.random.default_rng(seed)
    asked = []
    for _ in range(queries):
        target = int(rng.integers(len(net.names)))
        others = [i for i in range(len(net.names)) if i != target]
        chosen = rng.choice(others, size=min(findings, len(others)), replace=False)
        asked.append((target, {int(v): int(rng.integers(net.cards[v])) for v in chosen}))
    row = {"network": name, "nodes": len(net.names), "parameters": params, "load_s": load}
    firsts, warms, gfirsts, gwarms, diffs, refused, answers = [], [], [], [], [], 0, []
    for target, found in asked:  # ours first, so that its peak memory is measured alone
        query = Query.make(net.names[target], {net.names[v]: net.states[v][s] for v, s in found.items()})
        engine = Engine(net)
        try:
            t0 = time.perf_counter()
            answers.append(engine.run([query])[0].probabilities[0])
            firsts.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            engine.run([query])
            warms.append(time.perf_counter() - t0)
        except QueryError:  # impossible findings (zero probability) or past the memory budget
            answers.append(None)
            refused += 1
    try:  # the marginal whose answer needs the most parameters, among those whose exact answer for one draw
        # needs no table over 2^20 numbers (drawing-heavy, not inference-heavy: the dense generated networks
        # have marginals that take seconds for one draw)
        engine = Engine(net)
        needed = []
        for v in net.names:
            prep = engine._prepare(Query.make(v))
            relevant = tuple(engine._requisite(prep))
            if engine._plan_size({**prep, "relevant": relevant})[0] <= 2 ** 20:
                needed.append(sum(net.tables[i].size for i in relevant))
            else:
                needed.append(-1)
        target = int(np.argmax(needed))
        t0 = time.perf_counter()
        engine.run([Query.make(net.names[target])], dirichlet_draws(net, 1000, seed=seed))
        row["draws_1000_s"] = time.perf_counter() - t0
        row["drawn_parameters"] = needed[target]
    except QueryError:
        row["draws_1000_s"] = None
    row["rss_ours_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # queries and draws, before pyAgrum
    try:
        import pyagrum as gum

        bn = _pyagrum(net)
    except ImportError:  # pragma: no cover - pyagrum is in the test extra
        bn = None
    for (target, found), ours in zip(asked, answers):
        if bn is None or ours is None:
            continue
        t0 = time.perf_counter()
        ie = gum.LazyPropagation(bn)
        ie.setEvidence({net.names[v]: s for v, s in found.items()})
        ie.addTarget(net.names[target])
        ie.makeInference()
        theirs = ie.posterior(net.names[target]).toarray()
        gfirsts.append(time.perf_counter() - t0)
        ie.eraseAllEvidence()  # warm: the same engine, the findings entered again
        t0 = time.perf_counter()
        ie.setEvidence({net.names[v]: s for v, s in found.items()})
        ie.makeInference()
        ie.posterior(net.names[target])
        gwarms.append(time.perf_counter() - t0)
        diffs.append(float(np.abs(ours - theirs).max()))
    med = lambda xs: float(np.median(xs)) if xs else None  # noqa: E731
    row.update(first_s=med(firsts), first_max_s=max(firsts) if firsts else None, warm_s=med(warms),
               pyagrum_first_s=med(gfirsts), pyagrum_first_max_s=max(gfirsts) if gfirsts else None,
               pyagrum_warm_s=med(gwarms), max_difference=max(diffs) if diffs else None, refused=refused,
               peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return row


def _child(args):
    spec, queries, findings, seed = args
    try:
        return _measure(spec, queries, findings, seed)
    except Exception as exc:  # a network that cannot be read or run is a row, not a crash of the run
        return {"network": spec if isinstance(spec, str) else str(spec), "error": f"{type(exc).__name__}: {exc}"[:200]}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="six repository networks and two generated ones")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--networks", default=None, help="comma-separated repository names")
    parser.add_argument("--queries", type=int, default=5)
    parser.add_argument("--findings", type=int, default=5)
    args = parser.parse_args(argv)
    names = args.networks.split(",") if args.networks else (QUICK if args.quick else REPOSITORY)
    specs = [n for n in names if _example_file(n)] + ([] if args.networks else GENERATED[:2] if args.quick else GENERATED)
    ctx = mp.get_context("spawn")
    rows = []
    for spec in specs:  # one fresh process per network: its own peak RSS, no cache carried over
        with ctx.Pool(1) as pool:
            rows.append(pool.apply(_child, ((spec, args.queries, args.findings, 7),)))
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    fmt = lambda x, d=4: "-" if x is None else (f"{x:.{d}f}" if isinstance(x, float) else str(x))  # noqa: E731
    ms = lambda x: "-" if x is None else f"{1000 * x:.3f}"  # noqa: E731
    print(f"{'network':<26}{'nodes':>6}{'params':>10}{'load s':>8}{'first ms':>9}{'agrum 1st':>10}{'warm ms':>9}"
          f"{'agrum warm':>11}{'1k draws':>9}{'drawn':>9}{'max diff':>10}{'RSS ours':>9}{'+pyAgrum':>9}")
    for r in rows:
        if "error" in r:
            print(f"{r['network']:<26} error: {r['error']}")
            continue
        print(f"{r['network'][:25]:<26}{r['nodes']:>6}{r['parameters']:>10}{fmt(r['load_s'], 2):>8}{ms(r['first_s']):>9}"
              f"{ms(r['pyagrum_first_s']):>10}{ms(r['warm_s']):>9}{ms(r['pyagrum_warm_s']):>11}"
              f"{fmt(r['draws_1000_s'], 2):>9}{fmt(r.get('drawn_parameters')):>9}"
              f"{'-' if r['max_difference'] is None else format(r['max_difference'], '.1e'):>10}"
              f"{r['rss_ours_mb']:>9.0f}{r['peak_rss_mb']:>9.0f}")
    print("\nfirst = a new engine's first query (planning included), warm = the same query again (ours: the engine's "
          "cache of point answers; pyAgrum: findings entered again on its engine); medians over "
          f"{args.queries} queries with {args.findings} findings each; pyAgrum LazyPropagation with a target set. "
          "1k draws = 1,000 parameter draws (Dirichlet, concentration 50) of the marginal that needs the most "
          "parameters ('drawn').")


if __name__ == "__main__":
    main()
