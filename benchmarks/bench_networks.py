"""The engine on networks it was not built for: pgmpy's offline copies of the bnlearn repository (asia to
munin) and generated random DAGs at fixed seeds, side by side with pyAgrum's LazyPropagation.

Per network, in a fresh process (so peak memory is the network's own):
- load: `bayes.load` of the model `bayes import` wrote, against `gum.loadBN` of the same BIF file;
- four query patterns, each on the same targets for both engines, timed interleaved in one process (ours,
  pyAgrum's and pyAgrum's again, ours again): no findings, 5 hard findings, 1 hard finding and 2 soft reports,
  do() on one variable with 2 findings (pyAgrum on the network after graph surgery, built untimed). "first" is a
  new engine's first query (planning included; ours: a new Engine on the loaded model's network, whose
  model-wide elimination order is worked out once, by the first); "again" is the same query asked again of the
  same engine, the mean of 20 (ours: its cache of point answers; pyAgrum: the findings entered again, its
  posteriors kept when they are the same);
- the largest difference between the two engines' answers; where ours took over GUARD_AFTER, pyAgrum is asked in
  a child process capped at GUARD_MEMORY and GUARD_TIME, and a question it cannot answer there is listed;
- 1,000 parameter draws of the marginal that needs the most parameters, and peak RSS.
Then, for generated networks too dense to answer, the time to refuse a hopeless question under a 2 GB
address-space cap (`ulimit -v 2000000`, as the issue measures it).

    python benchmarks/bench_networks.py [--quick] [--json] [--networks alarm,child] [--no-refusals]

No timing is asserted anywhere: these are figures to watch (issue #26's targets: first query at least as fast as
pyAgrum's on every repository network, within 2x on generated ones; load within 3x gum.loadBN; refusals within
5 s; answers equal to 1e-12).
"""

from __future__ import annotations

import argparse
import gc
import gzip
import json
import multiprocessing as mp
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# every discrete network pgmpy ships (its offline copies of the bnlearn repository)
REPOSITORY = ["asia", "cancer", "earthquake", "survey", "sachs", "child", "insurance", "alarm", "water", "mildew",
              "barley", "hailfinder", "hepar2", "win95pts", "pathfinder", "andes", "pigs", "link", "munin1", "munin2",
              "munin3", "munin4", "diabetes", "munin"]
QUICK = ["asia", "child", "alarm", "insurance", "hailfinder", "win95pts"]
GENERATED = [(30, 60, 3, 1), (50, 150, 5, 1), (100, 250, 5, 2), (200, 400, 4, 3)]  # nodes, arcs, max states, seed
HOPELESS = [(300, 1200, 4, 5), (200, 1000, 5, 6)]  # dense enough that some questions cannot fit in 2 GB
PATTERNS = ("none", "hard", "soft", "do")
REPEATS = 20  # a query asked again takes microseconds: timed as the mean of this many
MEMORY_CAP = 2_000_000 * 1024  # bytes: `ulimit -v 2000000`


def _example_file(name: str) -> Path | None:
    import pgmpy

    path = Path(pgmpy.__file__).parent / "utils" / "example_models" / f"{name}.bif.gz"
    return path if path.is_file() else None


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


def _pyagrum(net, forced: dict[int, int] | None = None):
    """pyAgrum's network with our numbers; `forced` {variable: state} applies graph surgery (do())."""
    import itertools

    import pyagrum as gum

    forced = forced or {}
    bn = gum.BayesNet()
    ids = [bn.add(gum.LabelizedVariable(name, name, list(states))) for name, states in zip(net.names, net.states)]
    for v, ps in enumerate(net.parents):
        if v not in forced:
            for p in ps:
                bn.addArc(ids[p], ids[v])
    for v, ps in enumerate(net.parents):
        cpt = bn.cpt(ids[v])
        if v in forced:
            cpt.fillWith([1.0 if s == forced[v] else 0.0 for s in range(net.cards[v])])
            continue
        if not ps:
            cpt.fillWith(net.tables[v].tolist())
            continue
        for index in itertools.product(*[range(net.cards[p]) for p in ps]):
            cpt[{net.names[p]: int(i) for p, i in zip(ps, index)}] = net.tables[v][index].tolist()
    return bn


def _load_both(name: str, folder: Path) -> tuple[object, dict]:
    """The model `bayes import` writes from pgmpy's BIF copy, and load times: bayes.load against gum.loadBN."""
    import bayes
    from bayes.exchange.formats import import_model

    bif = folder / f"{name}.bif"
    with gzip.open(_example_file(name), "rt", encoding="utf-8") as fh:
        bif.write_text(fh.read(), encoding="utf-8")
    t0 = time.perf_counter()
    yaml_path = import_model(bif, folder / f"{name}.yaml")
    imported = time.perf_counter() - t0
    ours, theirs = [], []
    try:
        import pyagrum as gum
    except ImportError:  # pragma: no cover - pyagrum is in the test extra
        gum = None
    for attempt in range(15):  # interleaved, the best of each: three for a big network, fifteen for a small one
        if attempt == 3 and min(ours) > 0.05:  # (one sub-millisecond load swings by half with the machine)
            break
        t0 = time.perf_counter()
        model = bayes.load(yaml_path)
        ours.append(time.perf_counter() - t0)
        if gum is not None:
            t0 = time.perf_counter()
            try:
                gum.loadBN(str(bif))
            except Exception:  # pyAgrum 3.3.1 cannot read some of bnlearn's files (child: a state named 'Asy/Patch')
                gum = None
                continue
            theirs.append(time.perf_counter() - t0)
    return model, {"import_s": imported, "load_s": min(ours), "pyagrum_load_s": min(theirs) if theirs else None}


def _asked(net, pattern: str, rng, queries: int):
    """(target, hard findings, soft likelihoods, forced) per query of a pattern, as variable indices."""
    asked = []
    for _ in range(queries):
        target = int(rng.integers(len(net.names)))
        others = [int(i) for i in rng.permutation(len(net.names)) if i != target]
        pick = lambda k: others[:k] if len(others) >= k else others  # noqa: E731
        hard, soft, forced = {}, {}, {}
        if pattern == "hard":
            hard = {v: int(rng.integers(net.cards[v])) for v in pick(5)}
        elif pattern == "soft":
            chosen = pick(3)
            hard = {v: int(rng.integers(net.cards[v])) for v in chosen[:1]}
            soft = {v: (0.2 + rng.random(net.cards[v])).tolist() for v in chosen[1:]}
        elif pattern == "do":
            chosen = pick(3)
            forced = {v: int(rng.integers(net.cards[v])) for v in chosen[:1]}
            hard = {v: int(rng.integers(net.cards[v])) for v in chosen[1:]}
        asked.append((target, hard, soft, forced))
    return asked


def _patterns(net, queries: int, seed: int) -> dict:
    """Per pattern: medians and worst of first and repeated queries, ours and pyAgrum's, interleaved."""
    from bayes.errors import QueryError
    from bayes.inference.engine import Engine, Query

    try:
        import pyagrum as gum
    except ImportError:  # pragma: no cover
        gum = None
    rng = np.random.default_rng(seed)
    row, diffs, refused, their_failures = {}, [], 0, []
    bn = _pyagrum(net) if gum is not None else None
    for pattern in PATTERNS:
        gc.collect()  # (what earlier patterns left is not collected inside this one's timings)
        times = {k: [] for k in ("first", "again", "pyagrum_first", "pyagrum_again", "ratio_first", "ratio_again")}
        for target, hard, soft, forced in _asked(net, pattern, rng, queries):
            name = net.names[target]
            query = Query.make(name, {net.names[v]: net.states[v][s] for v, s in hard.items()},
                               {net.names[v]: net.states[v][s] for v, s in forced.items()},
                               soft={net.names[v]: lik for v, lik in soft.items()})
            engine = Engine(net)
            try:
                t0 = time.perf_counter()
                ours = engine.run([query])[0].probabilities[0]
                first = time.perf_counter() - t0
            except QueryError:  # impossible findings (zero probability) or past the memory budget
                refused += 1
                continue
            if gum is None:
                continue
            network = _pyagrum(net, forced) if forced else bn
            evidence = {net.names[v]: int(s) for v, s in hard.items()}
            evidence.update({net.names[v]: lik for v, lik in soft.items()})
            # a question ours takes long over may be past pyAgrum's memory (random(50,150,5,1) at seed 101: ours
            # 1.3 s, pyAgrum filled 24 GB and was killed, with the whole run): asked in a capped child process
            theirs = (_pyagrum_asked if first < GUARD_AFTER else _pyagrum_guarded)(gum, network, evidence, name)
            if isinstance(theirs, str):
                their_failures.append(f"{pattern} {name}: {theirs} (ours {first:.2f} s)")
                continue
            theirs, their_first, their_again = theirs
            t0 = time.perf_counter()
            for _ in range(REPEATS):
                engine.run([query])
            again = (time.perf_counter() - t0) / REPEATS
            diffs.append(float(np.abs(ours - theirs).max()))
            for k, x in (("first", first), ("again", again), ("pyagrum_first", their_first),
                         ("pyagrum_again", their_again), ("ratio_first", first / their_first),
                         ("ratio_again", again / their_again)):
                times[k].append(x)
        for k, xs in times.items():
            row[f"{pattern}_{k}"] = float(np.median(xs)) if xs else None
        row[f"{pattern}_worst_ratio_first"] = max(times["ratio_first"]) if times["ratio_first"] else None
    row.update(max_difference=max(diffs) if diffs else None, refused=refused, compared=len(diffs),
               pyagrum_failed=their_failures)
    return row


GUARD_AFTER = 0.5  # seconds of our first answer past which pyAgrum is asked in a child process with limits
GUARD_MEMORY = 8 * 2 ** 30  # bytes of address space that child may take
GUARD_TIME = 60  # seconds it may take


def _pyagrum_asked(gum, network, evidence: dict, name: str):
    """(posterior, first query's time, the same query again's mean time) of pyAgrum's LazyPropagation."""
    t0 = time.perf_counter()
    ie = gum.LazyPropagation(network)
    ie.setEvidence(evidence)
    ie.addTarget(name)
    ie.makeInference()
    theirs = ie.posterior(name).toarray()
    first = time.perf_counter() - t0
    t0 = time.perf_counter()
    for _ in range(REPEATS):
        ie.setEvidence(evidence)
        ie.makeInference()
        ie.posterior(name)
    return theirs, first, (time.perf_counter() - t0) / REPEATS


def _pyagrum_guarded(gum, network, evidence: dict, name: str):
    """_pyagrum_asked in a forked child capped at GUARD_MEMORY and GUARD_TIME: its answer, or what stopped it."""
    import os
    import pickle
    import select
    import signal

    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.close(read)
        try:
            resource.setrlimit(resource.RLIMIT_AS, (GUARD_MEMORY, GUARD_MEMORY))
            out = _pyagrum_asked(gum, network, evidence, name)
        except BaseException as exc:  # noqa: BLE001 - reported to the parent as text
            out = f"failed: {type(exc).__name__}: {str(exc)[:100]}"
        with os.fdopen(write, "wb") as pipe:
            pipe.write(pickle.dumps(out))
        os._exit(0)
    os.close(write)
    ready, _, _ = select.select([read], [], [], GUARD_TIME)
    if not ready:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(read)
        return f"no answer in {GUARD_TIME} s (capped at {GUARD_MEMORY / 2 ** 30:.0f} GB)"
    with os.fdopen(read, "rb") as pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    if not data:
        return f"died (status {status}, capped at {GUARD_MEMORY / 2 ** 30:.0f} GB)"
    return pickle.loads(data)


def _draws(net, seed: int) -> dict:
    """1,000 parameter draws of the marginal whose answer needs the most parameters, among those whose exact
    answer for one draw needs no table over 2^20 numbers (drawing-heavy, not inference-heavy)."""
    from bayes.errors import QueryError
    from bayes.inference.draws import dirichlet_draws
    from bayes.inference.engine import Engine, Query

    engine = Engine(net)
    needed = []
    for v in net.names:
        prep = engine._prepare(Query.make(v))
        relevant = tuple(engine._requisite(prep))
        fits = engine._plan_size({**prep, "relevant": relevant})[0] <= 2 ** 20
        needed.append(sum(net.tables[i].size for i in relevant) if fits else -1)
    target = int(np.argmax(needed))
    try:
        t0 = time.perf_counter()
        engine.run([Query.make(net.names[target])], dirichlet_draws(net, 1000, seed=seed))
        return {"draws_1000_s": time.perf_counter() - t0, "drawn_parameters": needed[target]}
    except QueryError:
        return {"draws_1000_s": None, "drawn_parameters": needed[target]}


def _measure(spec, queries: int, seed: int) -> dict:
    from bayes.inference.network import import_pgmpy

    import_pgmpy()  # its import (seconds) is not part of loading a network: `bayes import` of BIF does not need it
    with tempfile.TemporaryDirectory() as folder:
        if isinstance(spec, str):
            model, row = _load_both(spec, Path(folder))
            net = model.engine.net
            name = spec
        else:
            net, row = _generated(*spec), {"import_s": None, "load_s": None, "pyagrum_load_s": None}
            name = net.source
    row = {"network": name, "nodes": len(net.names), "parameters": int(sum(t.size for t in net.tables)), **row}
    # the loads' leftovers collected now, not by a full collection inside a timed query (pgmpy imported, one
    # took 146 ms of a 4 ms munin1 question after fifteen loads)
    gc.collect()
    row.update(_patterns(net, queries, seed))
    row.update(_draws(net, seed))
    row["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return row


def _refusal(spec, seed: int) -> dict:
    """Under a 2 GB address-space cap: the first question on a dense generated network that cannot be answered
    exactly (ten findings, a target), timed to its one-line refusal."""
    from bayes.errors import QueryError
    from bayes.inference.engine import Engine, Query

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))
    net = _generated(*spec)
    rng = np.random.default_rng(seed)
    row = {"network": net.source, "nodes": len(net.names)}
    for attempt in range(5):
        target = net.names[int(rng.integers(len(net.names) // 2, len(net.names)))]
        found = {net.names[int(v)]: net.states[int(v)][0] for v in rng.choice(len(net.names), 10, replace=False)}
        t0 = time.perf_counter()
        try:
            Engine(net).run([Query.make(target, found)])
        except QueryError as exc:
            row.update(refusal_s=time.perf_counter() - t0, message=exc.message[:160], attempts=attempt + 1)
            return row
        except MemoryError:
            row.update(refusal_s=time.perf_counter() - t0, message="MemoryError (not a refusal)", attempts=attempt + 1)
            return row
    row.update(refusal_s=None, message="every question answered", attempts=5)
    return row


def _child(args):
    kind, spec, queries, seed = args
    try:
        return _refusal(spec, seed) if kind == "refusal" else _measure(spec, queries, seed)
    except Exception as exc:  # a network that cannot be read or run is a row, not a crash of the run
        return {"network": spec if isinstance(spec, str) else str(spec), "error": f"{type(exc).__name__}: {exc}"[:200]}


def _in_fresh_process(job):
    with mp.get_context("spawn").Pool(1) as pool:  # its own peak RSS and cap, no cache carried over
        return pool.apply(_child, (job,))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="six repository networks and two generated ones")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--networks", default=None, help="comma-separated repository names")
    parser.add_argument("--queries", type=int, default=5, help="queries per pattern")
    parser.add_argument("--no-refusals", action="store_true", help="skip the timed refusals under a memory cap")
    parser.add_argument("--seed", type=int, default=7, help="seed of the questions asked and the draws (another seed, "
                        "other questions: the same comparison on questions the code was not tuned on)")
    args = parser.parse_args(argv)
    names = args.networks.split(",") if args.networks else (QUICK if args.quick else REPOSITORY)
    specs = [n for n in names if _example_file(n)] + ([] if args.networks else GENERATED[:2] if args.quick else GENERATED)
    rows = [_in_fresh_process(("network", spec, args.queries, args.seed)) for spec in specs]
    refusals = [] if args.no_refusals or args.networks else [_in_fresh_process(("refusal", s, 0, args.seed))
                                                             for s in HOPELESS]
    if args.json:
        print(json.dumps({"networks": rows, "refusals": refusals}, indent=2))
        return
    ms = lambda x: "-" if x is None else f"{1000 * x:.2f}"  # noqa: E731
    ratio = lambda x: "-" if x is None else f"{x:.2f}"  # noqa: E731
    print(f"{'network':<24}{'nodes':>6}{'params':>9}{'load ms':>9}{'agrum':>8}"
          + "".join(f"{p + ' 1st':>10}{'x':>6}" for p in PATTERNS)
          + f"{'again x':>8}{'worst x':>8}{'1k draws':>9}{'max diff':>9}{'RSS MB':>7}")
    for r in rows:
        if "error" in r:
            print(f"{r['network']:<24} error: {r['error']}")
            continue
        agains = [r[f"{p}_ratio_again"] for p in PATTERNS if r.get(f"{p}_ratio_again") is not None]
        worst = [r[f"{p}_worst_ratio_first"] for p in PATTERNS if r.get(f"{p}_worst_ratio_first") is not None]
        print(f"{r['network'][:23]:<24}{r['nodes']:>6}{r['parameters']:>9}{ms(r['load_s']):>9}{ms(r['pyagrum_load_s']):>8}"
              + "".join(f"{ms(r[f'{p}_first']):>10}{ratio(r[f'{p}_ratio_first']):>6}" for p in PATTERNS)
              + f"{ratio(max(agains) if agains else None):>8}{ratio(max(worst) if worst else None):>8}"
              f"{'-' if r['draws_1000_s'] is None else format(r['draws_1000_s'], '.2f'):>9}"
              f"{'-' if r['max_difference'] is None else format(r['max_difference'], '.0e'):>9}{r['peak_rss_mb']:>7.0f}")
    for r in rows:
        for failure in r.get("pyagrum_failed") or ():
            print(f"pyAgrum gave no answer on {r['network']}, {failure}")
    for r in refusals:
        if "error" in r:
            print(f"refusal {r['network']}: error: {r['error']}")
        else:
            shown = "-" if r["refusal_s"] is None else f"{r['refusal_s']:.2f} s"
            print(f"refusal under a 2 GB cap, {r['network']}: {shown} ({r['message']})")
    print(f"\n<pattern> 1st = median ms of a new engine's first query ({args.queries} per pattern: none = no findings, "
          "hard = 5 findings, soft = 1 finding and 2 soft reports, do = do() on one variable and 2 findings); x = the "
          "median of ours / pyAgrum's per query (LazyPropagation, target set), measured interleaved; again x = the "
          "largest median ratio for the same query asked again; worst x = the largest single first-query ratio. "
          "load = bayes.load of the imported model and gum.loadBN of the same BIF (best of 3, of 15 under 50 ms). 1k draws = 1,000 "
          "parameter draws (Dirichlet, concentration 50) of the marginal needing the most parameters, in seconds.")


if __name__ == "__main__":
    main()
