"""Where each variable sits in a drawing of the network: layers (causes before effects) and an order
within each layer that keeps links short. Pure graph work, no matplotlib: the network chart and the
GeNIe (XDSL) export both use it."""

from __future__ import annotations

import numpy as np
import pandas as pd


def network_layout(model) -> pd.DataFrame:
    """Layered layout, causes left of effects (a Sugiyama layout in pure Python): each variable's layer is
    the longest path from a root (a root sits just before its first effect), an arc that skips layers
    passes through one waypoint per layer it crosses, and the order within each layer comes from
    barycentre sweeps that keep the fewest crossings. Returns one row per variable: variable, layer and
    order (its rank within the layer, waypoints counted)."""
    graph = graph_of(model)
    layers, _ = layered(graph, list(model.variables))
    rows = []
    for depth, layer in enumerate(layers):
        for i, v in enumerate(layer):
            if not isinstance(v, tuple):
                rows.append({"variable": v, "layer": depth, "order": i, "x": depth, "y": -i})
    return pd.DataFrame(rows)


class Graph:
    """The variables and their links (parent, child) in file order: all a drawing needs of the network (plain
    Python: the brief does not wait for a graph library to import)."""

    def __init__(self, nodes, edges):
        self.nodes, self.edges = list(nodes), list(edges)

    def without(self, cut) -> Graph:
        """The graph without the links in `cut` (a forced variable's links from its parents)."""
        cut = set(cut)
        return Graph(self.nodes, [e for e in self.edges if e not in cut])


def graph_of(model) -> Graph:
    return Graph(model.variables, [(p, v) for v in model.variables for p in model.spec.variables[v].parents])


def _depths(graph: Graph) -> dict:
    """Each node's layer: the longest path to it from a root (Kahn's generations), then each root moved right,
    next to its first effect."""
    children: dict = {v: [] for v in graph.nodes}
    waiting = dict.fromkeys(graph.nodes, 0)  # parents not yet placed
    for p, c in graph.edges:
        children[p].append(c)
        waiting[c] += 1
    layer, generation, depth = {}, [v for v in graph.nodes if waiting[v] == 0], 0
    while generation:
        following = []
        for v in generation:
            layer[v] = depth
            for c in children[v]:
                waiting[c] -= 1
                if waiting[c] == 0:
                    following.append(c)
        generation, depth = following, depth + 1
    has_parents = {c for _, c in graph.edges}
    for v in graph.nodes:
        if v not in has_parents and children[v]:
            layer[v] = min(layer[c] for c in children[v]) - 1
    return layer


def layered(graph: Graph, file_order: list[str]):
    """(layers of node ids with ('dummy', parent, child, k) waypoints, {edge: [nodes along it]})."""
    layer = _depths(graph)
    n_layers = max(layer.values(), default=0) + 1
    layers: list[list] = [[] for _ in range(n_layers)]
    rank = {v: i for i, v in enumerate(file_order)}
    for v in sorted(graph.nodes, key=rank.get):
        layers[layer[v]].append(v)
    chains = {}
    up: dict = {v: [] for v in graph.nodes}
    down: dict = {v: [] for v in graph.nodes}
    for p, c in sorted(graph.edges, key=lambda e: (rank[e[0]], rank[e[1]])):
        chain = [p]
        for k in range(layer[p] + 1, layer[c]):
            dummy = ("dummy", p, c, k)
            layers[k].append(dummy)
            up[dummy], down[dummy] = [], []
            chain.append(dummy)
        chain.append(c)
        for a, b in zip(chain, chain[1:]):
            down[a].append(b)
            up[b].append(a)
        chains[(p, c)] = chain

    best, best_count = [list(lay) for lay in layers], crossing_count(layers, down)
    for sweep in range(12):
        order = range(1, n_layers) if sweep % 2 == 0 else range(n_layers - 2, -1, -1)
        for k in order:
            ref = layers[k - 1] if sweep % 2 == 0 else layers[k + 1]
            pos = {v: i for i, v in enumerate(ref)}
            links = up if sweep % 2 == 0 else down
            current = {v: i for i, v in enumerate(layers[k])}

            def bary(v, pos=pos, links=links, current=current):
                linked = [pos[u] for u in links[v] if u in pos]
                return (np.mean(linked) if linked else current[v], current[v])

            layers[k].sort(key=bary)
        count = crossing_count(layers, down)
        if count < best_count:
            best, best_count = [list(lay) for lay in layers], count
    return best, chains


def crossing_count(layers: list[list], down: dict) -> int:
    """How many pairs of links cross between neighbouring layers, given each node's links to the next layer
    (`down`, as `links_down` builds it from the chains); links from one node or into one node never cross."""
    total = 0
    for left, right in zip(layers, layers[1:]):
        pos = {v: i for i, v in enumerate(right)}
        pairs = [(i, pos[b]) for i, a in enumerate(left) for b in down.get(a, ())]
        for i, (a1, b1) in enumerate(pairs):
            for a2, b2 in pairs[i + 1:]:
                total += (a1 - a2) * (b1 - b2) < 0
    return total


def links_down(chains: dict) -> dict:
    """{node: the nodes of the next layer it links to} from the chains `layered` returns."""
    down: dict = {}
    for chain in chains.values():
        for a, b in zip(chain, chain[1:]):
            down.setdefault(a, []).append(b)
    return down


def isotonic_fit(targets: list[float], weights: list[float] | None = None) -> list[float]:
    """Pool-adjacent-violators: the non-decreasing sequence closest to `targets` (least squares)."""
    weights = weights or [1.0] * len(targets)
    blocks: list[list[float]] = []  # [value, weight, count]
    for t, w in zip(targets, weights):
        blocks.append([t, w, 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            v2, w2, n2 = blocks.pop()
            v1, w1, n1 = blocks.pop()
            blocks.append([(v1 * w1 + v2 * w2) / (w1 + w2), w1 + w2, n1 + n2])
    out = []
    for v, _, n in blocks:
        out += [v] * n
    return out
