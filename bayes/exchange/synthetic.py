"""Random discrete networks for tests and benchmarks (ALARM-sized and smaller), built in pgmpy.

Structure: variables in a random order, each with up to `max_parents` parents drawn from earlier ones;
2-4 states; every table row Dirichlet(1), so no structural zeros.
"""

from __future__ import annotations

import numpy as np


def random_network(n_variables: int = 37, max_parents: int = 4, min_states: int = 2, max_states: int = 4,
                   seed: int = 0, edge_probability: float = 0.5):
    """A pgmpy DiscreteBayesianNetwork with state names s0, s1, ... and variables v00, v01, ..."""
    from bayes.inference.network import import_pgmpy

    import_pgmpy()
    from pgmpy.factors.discrete import TabularCPD
    from pgmpy.models import DiscreteBayesianNetwork

    rng = np.random.default_rng(seed)
    names = [f"v{i:02d}" for i in range(n_variables)]
    cards = rng.integers(min_states, max_states + 1, size=n_variables)
    parents: dict[str, list[str]] = {}
    for i, v in enumerate(names):
        candidates = names[max(0, i - 8):i]  # local structure, as in real networks
        k = min(len(candidates), int(rng.binomial(max_parents, edge_probability)))
        parents[v] = sorted(rng.choice(candidates, size=k, replace=False).tolist()) if k else []
    model = DiscreteBayesianNetwork()
    model.add_nodes_from(names)
    model.add_edges_from((p, v) for v in names for p in parents[v])
    cpds = []
    for i, v in enumerate(names):
        pcards = [int(cards[names.index(p)]) for p in parents[v]]
        columns = int(np.prod(pcards)) if pcards else 1
        values = rng.dirichlet(np.ones(int(cards[i])), size=columns).T
        state_names = {v: [f"s{k}" for k in range(int(cards[i]))]}
        state_names.update({p: [f"s{k}" for k in range(c)] for p, c in zip(parents[v], pcards)})
        cpds.append(TabularCPD(v, int(cards[i]), values, evidence=parents[v] or None,
                               evidence_card=pcards or None, state_names=state_names))
    model.add_cpds(*cpds)
    model.check_model()
    return model


# ------------------------------------------------------------------------------------- model files
# A generated analyst's model in the project's YAML format, for testing that notebooks, charts and
# the briefing hold up on a model that is not the flagship: long labels, long state names, every
# table form (full rows, log_odds with a multi-state child, noisy_or), observable variables, observed
# and forced scenarios, outcomes with headline states, and claims that hold on the generated numbers.

_SUBJECTS = ["harbour authority", "grain corridor", "tariff board", "reservoir council", "freight cartel",
             "fishing fleet", "water treaty", "hydropower consortium", "delta farmers", "port workers",
             "rail ministry", "salt marsh commission", "canal operators", "ferry syndicate", "upland cooperative",
             "estuary patrol", "mining guild", "weather service", "orchard growers", "timber exporters"]
_TWO_WAYS = [("keeps_its_current_arrangements_intact", "abandons_its_current_arrangements_entirely"),
             ("stays_open_to_commercial_traffic", "closes_to_all_commercial_traffic"),
             ("honours_the_signed_quota_schedule", "walks_away_from_the_quota_schedule"),
             ("accepts_the_arbitration_panel_ruling", "rejects_the_arbitration_panel_ruling"),
             ("remains_quiet_through_the_season", "stages_a_prolonged_public_campaign")]
_THREE_WAYS = [("falls_back_below_last_seasons_level", "holds_roughly_at_last_seasons_level",
                "rises_sharply_above_last_seasons_level"),
               ("loses_most_of_its_political_weight", "keeps_its_present_political_weight",
                "gains_decisive_political_weight")]
_QUESTIONS = ["whether the {s} {a} or {b} before the end of the monitoring season",
              "how the {s} responds over the coming twelve months: it {a} or {b}",
              "what the {s} does once the spring negotiations open: it {a} or {b}"]
_WORDS_MORE = ["slightly more likely", "more likely", "much more likely", "far more likely"]
_WORDS_LESS = ["slightly less likely", "less likely", "much less likely"]


def _state_names(subject: str, phrases) -> list[str]:
    stem = subject.replace(" ", "_")
    return [f"{stem}_{p}" for p in phrases]


def _row(rng, k: int, lean: int | None = None) -> dict:
    """k probabilities (two decimals, each at least 0.03, summing to 1), tilted towards `lean`."""
    alpha = np.full(k, 2.0)
    if lean is not None:
        alpha[lean % k] += 4.0
    while True:
        p = np.round(rng.dirichlet(alpha), 2)
        p[-1] = round(1.0 - float(p[:-1].sum()), 2)
        if p.min() >= 0.03:
            return [float(x) for x in p]


def random_model_yaml(seed: int = 0, n_variables: int = 9, title: str | None = None) -> str:
    """A valid model file (YAML text) with long labels and state names, every table form, observable
    variables, observed and forced scenarios, outcomes and claims that hold on its numbers.

    Fixed core (7 variables): two roots (2 and 3 states), a full table with a parent, a multi-state
    log_odds builder, a noisy_or builder, an unobserved child, and a 3-state outcome last in the file;
    `n_variables - 7` further full tables sit between them. Numbers and words come from `seed`."""
    import tempfile

    import yaml

    if n_variables < 7:
        raise ValueError("random_model_yaml needs n_variables >= 7 (its fixed core)")
    rng = np.random.default_rng(seed)
    subjects = [str(s) for s in rng.permutation(_SUBJECTS)]
    if n_variables > len(subjects):
        subjects += [f"{s} {i}" for i, s in enumerate(list(subjects) * (n_variables // len(subjects)))]
    names, variables = [], {}

    def add(name, subject, states, parents, observable, body, question=None):
        a, b = states[0].split("_", len(subject.split()))[-1], states[-1].split("_", len(subject.split()))[-1]
        text = (question or _QUESTIONS[int(rng.integers(len(_QUESTIONS)))]).format(
            s=subject, a=a.replace("_", " "), b=b.replace("_", " "))
        label = text[0].upper() + text[1:]
        description = (f"{label}. The generated analyst treats this as a single development for the whole "
                       f"monitoring period; its states run from '{states[0].replace('_', ' ')}' to "
                       f"'{states[-1].replace('_', ' ')}', and every number behind it is a labelled assumption.")
        entry = {"label": label, "description": description, "states": list(states)}
        if parents:
            entry["parents"] = list(parents)
        entry["observable"] = observable
        entry.update(body)
        names.append(name)
        variables[name] = entry

    def full_table(states, parents, lean_parent=None, range_first=False):
        import itertools

        rows = []
        pstates = [variables[p]["states"] for p in parents]
        for combo in itertools.product(*(range(len(s)) for s in pstates)) if parents else [()]:
            lean = None if lean_parent is None else combo[lean_parent] * 2
            probs = _row(rng, len(states), lean)
            row = {}
            if parents:
                row["given"] = {p: pstates[i][c] for i, (p, c) in enumerate(zip(parents, combo))}
            if range_first and len(states) == 2:
                mid = probs[1]
                lo, hi = max(0.02, round(mid - 0.08, 2)), min(0.95, round(mid + 0.08, 2))
                row["probabilities"] = {states[1]: f"{lo * 100:.0f}-{hi * 100:.0f}%", states[0]: "rest"}
            else:
                row["probabilities"] = dict(zip(states, probs))
            row["rationale"] = {"assumption": "generated"}
            rows.append(row)
        return {"table": rows}

    two = lambda: _TWO_WAYS[int(rng.integers(len(_TWO_WAYS)))]  # noqa: E731
    s_a, s_b, s_c, s_d, s_e, s_f, s_o = subjects[:7]
    stem = lambda s: s.replace(" ", "_")  # noqa: E731
    a, b, c, d, e, f, o = (stem(s) + "_development" for s in (s_a, s_b, s_c, s_d, s_e, s_f, s_o))
    a_states = _state_names(s_a, two())
    add(a, s_a, a_states, [], True, {"table": [{"probabilities": {a_states[1]: "unlikely", a_states[0]: "rest"},
                                                "rationale": {"assumption": "generated"}}]})
    b_states = _state_names(s_b, _THREE_WAYS[0])
    add(b, s_b, b_states, [], True, full_table(b_states, []))
    c_states = _state_names(s_c, two())
    add(c, s_c, c_states, [a], True, full_table(c_states, [a], lean_parent=0, range_first=True))
    d_states = _state_names(s_d, _THREE_WAYS[1])
    base = _row(rng, 3, 0)
    pick = lambda words: str(words[int(rng.integers(len(words)))])  # noqa: E731
    add(d, s_d, d_states, [b, c], True, {"builder": {
        "type": "log_odds",
        "baseline": {d_states[0]: "rest", d_states[1]: base[1], d_states[2]: base[2]},
        "effects": {b: {b_states[1]: {d_states[1]: pick(_WORDS_MORE)},
                        b_states[2]: {d_states[2]: pick(_WORDS_MORE[1:]), d_states[1]: pick(_WORDS_LESS)}},
                    c: {c_states[1]: {d_states[2]: pick(_WORDS_MORE[2:])}}},
        "rationale": {"assumption": "generated"}}})
    e_states = _state_names(s_e, two())
    leak = int(rng.integers(3, 9))
    add(e, s_e, e_states, [c, d], True, {"builder": {
        "type": "noisy_or", "present": e_states[1], "leak": f"{leak}-{leak + 8}%",
        "causes": {c: {c_states[1]: f"{int(rng.integers(25, 40))}-{int(rng.integers(45, 60))}%"},
                   d: {d_states[1]: float(round(rng.uniform(0.1, 0.3), 2)),
                       d_states[2]: f"{int(rng.integers(35, 50))}-{int(rng.integers(55, 75))}%"}},
        "rationale": {"assumption": "generated"}}})
    f_states = _state_names(s_f, two())
    add(f, s_f, f_states, [a], False, full_table(f_states, [a], lean_parent=0))
    pool = [a, b, c, d, e, f]
    for i, subject in enumerate(subjects[7:n_variables]):
        name = f"{stem(subject)}_development"
        states = _state_names(subject, two())
        k = int(rng.integers(1, 3))
        parents = sorted(rng.choice(pool, size=k, replace=False).tolist(), key=names.index)
        add(name, subject, states, parents, bool(i % 2 == 0), full_table(states, parents, lean_parent=0,
                                                                          range_first=bool(i % 2)))
        pool.append(name)
    o_states = _state_names(s_o, _THREE_WAYS[int(rng.integers(len(_THREE_WAYS)))])
    add(o, s_o, o_states, [d, e], False, full_table(o_states, [d, e], lean_parent=0))

    doc = {
        "format": "bayes-model/1",
        "model": {
            "title": title or f"Generated assessment {seed}: does the {s_o} shift once the {s_d} moves?",
            "source": f"Generated by bayes.exchange.synthetic.random_model_yaml(seed={seed}); no real source",
            "as_of": "2024-03",
            "author": "bayes.exchange.synthetic (generated for tests)",
            "scale": "icd203",
            "question": {"answer": {"variable": o, "yes": [o_states[1], o_states[2]]}, "horizon": "2024-12-31"},
            "description": (f"A generated network of {n_variables} developments around the {s_o}, written the way "
                            "an analyst's model file is, with long labels and long state names, so that the "
                            "notebooks, charts and briefing can be checked on a model that is not the flagship."),
        },
        "variables": {n: variables[n] for n in names if n != o} | {o: variables[o]},
        "outcomes": [{o: o_states[2], "confidence": "high",
                      "basis": "the generated analyst's own reading, stated to be checked against the measures"},
                     {e: e_states[1]}, {d: d_states[2]}],
        "scenarios": {
            f"{stem(s_a)}_is_seen": {
                "label": f"The {s_a} {a_states[1].split('_', len(s_a.split()))[-1].replace('_', ' ')}",
                "description": f"Observed - {variables[a]['label']}: the second state is reported.",
                "observe": {a: a_states[1]}},
            f"{stem(s_d)}_is_forced": {
                "label": f"The {s_d} is made to gain weight",
                "description": "Intervention - the development is imposed from outside, whatever its causes.",
                "do": {d: d_states[2]}},
            f"{stem(s_b)}_and_{stem(s_c)}": {
                "label": f"The {s_b} rises while the {s_c} is forced to change course",
                "description": "Observed and forced together.",
                "observe": {b: b_states[2]}, "do": {c: c_states[1]}},
        },
    }
    dump = lambda data: yaml.safe_dump(data, sort_keys=False, width=110, allow_unicode=True)  # noqa: E731

    # Claims are written after the numbers exist, so that each one holds on them.
    from bayes.model import load

    with tempfile.TemporaryDirectory() as tmp:
        path = f"{tmp}/generated.yaml"
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(dump(doc))
        model = load(path)
    p_o = model.probability(f"{o}={o_states[2]}")
    p_e = [model.probability(f"{e}={e_states[1]}", do={c: s}) for s in c_states]
    # the observed condition that moves the headline most, written as "less likely if low than if high"
    spread = []
    for cause in (a, b, c):
        p = {s: model.probability(f"{o}={o_states[2]}", given={cause: s}) for s in variables[cause]["states"]}
        spread.append((max(p.values()) - min(p.values()), cause, min(p, key=p.get), max(p, key=p.get)))
    _, cause, low_state, high_state = max(spread)
    ratio = (p_e[1] / (1 - p_e[1])) / (p_e[0] / (1 - p_e[0]))
    more = {"quote": f"the {s_c} changing course drives the {s_e}",
            "says": f"Forcing the {s_c} to change course makes the {s_e} outcome more likely.",
            "form": "more_likely", "reading": "intervention", "outcome": {e: e_states[1]},
            "if": {c: c_states[1]}, "than": {c: c_states[0]}}
    if ratio >= 3:
        more["strength"] = "far_more" if ratio >= 6 else "much_more"
    doc["claims"] = {
        "G01": {"quote": f"the {s_o} is unlikely to move far",
                "says": f"As things stand, the headline state of the {s_o} has about the generated probability.",
                "form": "probability", "outcome": {o: o_states[2]},
                "range": [round(max(0.0, p_o - 0.05) - 0.005, 3), round(min(1.0, p_o + 0.05) + 0.005, 3)]},
        "G02": more,
        "G03": {"quote": f"what the {cause.rsplit('_', 1)[0].replace('_', ' ')} does shapes the {s_o}",
                "says": f"Seeing one course of {cause} makes the {s_o} headline less likely than another.",
                "form": "less_likely", "reading": "observation", "outcome": {o: o_states[2]},
                "if": {cause: low_state}, "than": {cause: high_state}},
        "G04": {"quote": f"the {s_b} has nothing to do with the {s_f}",
                "says": f"Forcing the {s_b} makes no difference to the {s_f}.",
                "form": "no_difference", "reading": "intervention", "outcome": f, "cause": b, "tolerance": 0.01},
        "G05": {"quote": f"the {s_a} changing course is {model.scale.term(model.probability(f'{a}={a_states[1]}'))}",
                "says": f"The {s_a} taking its second course is judged in words.",
                "form": "probability", "outcome": {a: a_states[1]},
                "band": model.scale.term(model.probability(f"{a}={a_states[1]}"))},
    }
    header = (f"# Generated by bayes.exchange.synthetic.random_model_yaml(seed={seed}, n_variables={n_variables}).\n"
              "# Every number is an assumption of the generator; the claims hold on these numbers by construction.\n\n")
    return header + dump(doc)


def write_random_model(path, seed: int = 0, **kwargs):
    """Write `random_model_yaml(seed, ...)` to `path` (parents created) and return the path."""
    from pathlib import Path

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(random_model_yaml(seed, **kwargs), encoding="utf-8")
    return path
