"""The network chart: each variable a box with its probabilities, causes left of their effects, links
routed in tracks between layers; evidence and interventions marked."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Rectangle

from bayes.modelfile.scales import percent_text
from bayes.outputs.charts.framing import add_titles
from bayes.outputs.charts.style import (BAR_COLOUR, FORCED_COLOUR, OBSERVED_COLOUR, PAD_IN, TEXT_SIZE, line_count,
                                        new_axes, state_texts, text_width, wrap_points)
from bayes.outputs.network_layout import crossing_count, graph_of, isotonic_fit, layered, links_down


def _network_boxes(model, probs, evidence, do, variables, size, text_w, line, pad):
    boxes = {}
    for v in variables:
        var = model.spec.variables[v]
        tag = " [observed]" if v in evidence else (" [forced]" if v in do else "")
        title = wrap_points(var.display + tag, text_w, size, "bold")
        rows = []
        shown = ([var.state_display(s) for s in model.states(v)] if var.state_labels
                 else state_texts(model.states(v)))  # labels as written, else names without their shared start
        for state, words in zip(model.states(v), shown):
            p = float(probs[v].get(state, np.nan)) if v in probs else np.nan
            text = wrap_points(("" if np.isnan(p) else percent_text(p, scale=model.scale) + "  ") + words, text_w, size)
            rows.append((state, p, text))
        height = pad + line_count(title) * line + 2 + sum(line_count(t) * line + 6 for _, _, t in rows) + pad - 2
        boxes[v] = {"title": title, "rows": rows, "h": height}
    return boxes


def _network_geometry(model, probs, evidence, do, size: float, room_w: float, room_h: float):
    """Boxes, their text and the routed arcs at font `size` (points), in points with y growing downward;
    None when it does not fit the room. Columns holding more text get more of the width."""
    graph = graph_of(model)
    graph = graph.without((p, v) for p, v in graph.edges if v in do)
    layers, chains = layered(graph, list(model.variables))
    n = len(layers)
    line = size * 1.12
    pad = 4.0
    gap_y = 6.0
    dummy_h = 2.0
    # arcs per gap between layers: each gets its own vertical track
    per_gap = [0] * max(n - 1, 1)
    for chain in chains.values():
        for a, b in zip(chain, chain[1:]):
            per_gap[_layer_of(layers, a)] += 1
    track, clear = 4.5, 10.0  # points between the tracks in a gap; the room left beside them, split each side
    gaps = [clear + track * k for k in per_gap[: max(n - 1, 0)]]
    usable = room_w - sum(gaps)
    if usable / max(n, 1) < 6 * size:
        return None

    def column(k, w):
        real = [v for v in layers[k] if not isinstance(v, tuple)]
        boxes = _network_boxes(model, probs, evidence, do, real, size, w - 2 * pad - 4, line, pad)
        height = sum(b["h"] for b in boxes.values()) + dummy_h * (len(layers[k]) - len(real)) \
            + gap_y * (len(layers[k]) - 1)
        return boxes, height

    def longest_word(k):
        words = [(w, "bold") for v in layers[k] if not isinstance(v, tuple)
                 for w in model.spec.variables[v].display.split()]
        words += [(w, "normal") for v in layers[k] if not isinstance(v, tuple)
                  for s in state_texts(model.states(v)) for w in s.split()]
        return max((text_width(w, size, b) for w, b in words), default=0.0) + 2 * pad + 4

    floor = [max(6 * size, longest_word(k)) for k in range(n)]
    if sum(floor) > usable:
        return None
    widths = [max(f, min(300.0, usable / max(n, 1))) for f in floor]
    widths = [w * min(1.0, usable / sum(widths)) for w in widths]
    widths = [max(f, w) for f, w in zip(floor, widths)]
    cols = [column(k, widths[k]) for k in range(n)]
    for _ in range(6):  # give width to the tallest columns (their text wraps less), keep the total
        tallest = max(h for _, h in cols)
        if tallest <= room_h or n == 1:
            break
        area = [h * w for (_, h), w in zip(cols, widths)]
        share = [a / sum(area) * min(usable, 300.0 * n) for a in area]
        widths = [min(300.0, max(f, 0.5 * w + 0.5 * s)) for f, w, s in zip(floor, widths, share)]
        if sum(widths) > usable:  # the floors took more: take it back from the widest columns
            extra = sum(widths) - usable
            slack = [w - f for w, f in zip(widths, floor)]
            widths = [w - extra * sl / sum(slack) for w, sl in zip(widths, slack)]
        cols = [column(k, widths[k]) for k in range(n)]
    boxes = {v: b for bx, _ in cols for v, b in bx.items()}
    heights = {v: (boxes[v]["h"] if v in boxes else dummy_h) for lay in layers for v in lay}
    tallest = max(h for _, h in cols)
    if tallest > room_h:
        return None
    # vertical places: each column centred, then each node pulled toward its neighbours (isotonic least
    # squares keeps the order and the spacing); kept only if the drawing still fits the room
    def placed(layers):
        stacked = {}
        for lay, (_, h) in zip(layers, cols):
            top = (tallest - h) / 2
            for v in lay:
                stacked[v] = top + heights[v] / 2
                top += heights[v] + gap_y
        return stacked, _pulled_to_neighbours(layers, chains, dict(stacked), heights, gap_y)

    layers, (stacked, y) = _straightened(layers, chains, placed)
    top = min(y[v] - heights[v] / 2 for v in y)
    bottom = max(y[v] + heights[v] / 2 for v in y)
    if bottom - top > room_h:
        y, top, bottom = stacked, 0.0, tallest
    x = []
    left = 0.0
    for k in range(n):
        x.append(left)
        left += widths[k] + (gaps[k] if k < n - 1 else 0)
    for v in y:
        y[v] -= top
    return {"layers": layers, "chains": chains, "boxes": boxes, "y": y, "heights": heights, "x": x,
            "widths": widths, "gaps": gaps, "width": left, "height": bottom - top, "size": size, "line": line,
            "pad": pad, "track": track}


def _straightened(layers: list[list], chains: dict, placed):
    """The layers with waypoints moved past a neighbour fed by the same cause wherever that crosses no more
    links and shortens the links as drawn (`placed(layers)` gives (first places, final places)). The crossing
    minimiser leaves such ties in file order, which can send a link the long way round a box."""
    down = links_down(chains)
    count = crossing_count(layers, down)
    up: dict = {}
    for a, bs in down.items():
        for b in bs:
            up.setdefault(b, set()).add(a)

    def travel(place):
        return sum(abs(place[a] - place[b]) for chain in chains.values() for a, b in zip(chain, chain[1:]))

    best = placed(layers)
    length = travel(best[1])
    for _ in range(4):
        moved = False
        for k in range(len(layers)):
            for i in range(len(layers[k]) - 1):
                a, b = layers[k][i], layers[k][i + 1]
                if not (isinstance(a, tuple) or isinstance(b, tuple)) or up.get(a) != up.get(b):
                    continue  # only a waypoint and a neighbour fed by the same cause trade places
                trial = [list(lay) for lay in layers]
                trial[k][i], trial[k][i + 1] = trial[k][i + 1], trial[k][i]
                if crossing_count(trial, down) > count:
                    continue
                option = placed(trial)
                if travel(option[1]) < length - 1.0:
                    layers, best, length, moved = trial, option, travel(option[1]), True
        if not moved:
            break
    return layers, best


def _pulled_to_neighbours(layers, chains, place: dict, size: dict, gap: float, room: float | None = None) -> dict:
    """Each node's place along its layer pulled toward the mean place of the nodes it links to (30 sweeps),
    keeping the layer's order and spacing (isotonic least squares); with `room`, each layer is also kept
    within [0, room] (clipping an isotonic fit to bounds is the bounded fit)."""
    place = dict(place)
    nbrs: dict = {v: [] for lay in layers for v in lay}
    for chain in chains.values():
        for a, b in zip(chain, chain[1:]):
            nbrs[a].append(b)
            nbrs[b].append(a)
    for _ in range(30):
        for lay in layers:
            want = [np.mean([place[u] for u in nbrs[v]]) if nbrs[v] else place[v] for v in lay]
            offsets = [0.0]
            for a, b in zip(lay, lay[1:]):
                offsets.append(offsets[-1] + (size[a] + size[b]) / 2 + gap)
            fitted = isotonic_fit([w - o for w, o in zip(want, offsets)])
            low, high = (size[lay[0]] / 2, room - offsets[-1] - size[lay[-1]] / 2) if room else (-np.inf, np.inf)
            for v, f, o in zip(lay, fitted, offsets):
                place[v] = min(max(f, low), high) + o
    return place


def _portrait_geometry(model, probs, evidence, do, size: float, room_w: float, room_h: float):
    """The network top to bottom (a phone's portrait chart): each layer a row of boxes, causes above their
    effects; links leave a box's bottom and enter another's top, each on its own port and its own
    horizontal track in the gap between rows, and cross a row they skip through a slot kept free for them.
    Points, y growing downward; None when it does not fit the room."""
    graph = graph_of(model)
    graph = graph.without((p, v) for p, v in graph.edges if v in do)
    layers, chains = layered(graph, list(model.variables))
    n = len(layers)
    line, pad, gap_x, slot, track = size * 1.12, 4.0, 6.0, 2.0, 5.0
    per_gap = [0] * max(n - 1, 1)
    for chain in chains.values():
        for a, _ in zip(chain, chain[1:]):
            per_gap[_layer_of(layers, a)] += 1
    gaps = [15 + track * k for k in per_gap[: max(n - 1, 0)]]
    boxes, widths, heights = {}, {}, {}
    for lay in layers:
        real = [v for v in lay if not isinstance(v, tuple)]
        room = room_w - slot * (len(lay) - len(real)) - gap_x * (len(lay) - 1)
        if not real:
            continue
        w = room / len(real)
        words = [(word, "bold") for v in real for word in model.spec.variables[v].display.split()]
        if w < 5 * size or max(text_width(t, size, b) for t, b in words) + 2 * pad + 4 > w:
            return None
        for v, b in _network_boxes(model, probs, evidence, do, real, size, w - 2 * pad - 4, line, pad).items():
            boxes[v], widths[v], heights[v] = b, w, b["h"]
    for lay in layers:
        for v in lay:
            if isinstance(v, tuple):
                widths[v], heights[v] = slot, 0.0
    row_h = [max(heights[v] for v in lay) for lay in layers]
    if sum(row_h) + sum(gaps) > room_h:
        return None
    # across: each row packed, then each node pulled toward its neighbours (isotonic least squares keeps
    # the order and the spacing) and the row kept inside the room
    def placed(layers):
        packed = {}
        for lay in layers:
            left = (room_w - sum(widths[v] for v in lay) - gap_x * (len(lay) - 1)) / 2
            for v in lay:
                packed[v] = left + widths[v] / 2
                left += widths[v] + gap_x
        return packed, _pulled_to_neighbours(layers, chains, dict(packed), widths, gap_x, room=room_w)

    layers, (_, x) = _straightened(layers, chains, placed)
    tops, top = [], 0.0
    for k in range(n):
        tops.append(top)
        top += row_h[k] + (gaps[k] if k < n - 1 else 0)
    y = {v: tops[k] + (row_h[k] - heights[v]) / 2 for k, lay in enumerate(layers) for v in lay}  # box tops
    return {"layers": layers, "chains": chains, "boxes": boxes, "x": x, "y": y, "widths": widths, "heights": heights,
            "row_h": row_h, "tops": tops, "gaps": gaps, "width": room_w, "height": top, "size": size, "line": line,
            "pad": pad, "track": track}


def portrait_height(model, width_in: float = 6.5, min_size: float = 10.0, chrome_in: float = 3.8) -> float | None:
    """How tall (inches) a portrait network chart `width_in` wide must be for its text to be at least
    `min_size` points (a phone shows it at its own width and scrolls down it), with `chrome_in` for the titles
    and the source line; None when no row of boxes fits that width at that size."""
    data = model.query(model.variables)
    probs = {v: g.set_index("state")["probability"] for v, g in data.groupby("variable", sort=False)}
    room_w = (width_in - 2 * PAD_IN) * 72
    size = TEXT_SIZE
    while size >= min_size:
        geo = _portrait_geometry(model, probs, {}, {}, size, room_w, float("inf"))
        if geo is not None:
            return max(10.0, geo["height"] / 72 + chrome_in)
        size -= 0.5
    return None


def _portrait_paths(geo) -> dict:
    """Each link's polyline (xs, ys) in the portrait layout: out of the parent's bottom, along its own
    track in each gap, through the slot of each row it skips, into the child's top."""
    layers, chains, x, y, widths, heights = geo["layers"], geo["chains"], geo["x"], geo["y"], geo["widths"], geo["heights"]
    tops, row_h, gaps = geo["tops"], geo["row_h"], geo["gaps"]
    layer_of = {v: k for k, lay in enumerate(layers) for v in lay}
    out_ports: dict = {}
    in_ports: dict = {}
    for key, chain in chains.items():
        out_ports.setdefault(key[0], []).append((chain[1], key))
        in_ports.setdefault(key[1], []).append((chain[-2], key))

    def spread(v, items):
        items = sorted(items, key=lambda it: x[it[0]])
        left = x[v] - widths[v] / 2
        return {key: left + widths[v] * (i + 1) / (len(items) + 1) for i, (_, key) in enumerate(items)}

    start = {k: p for v, items in out_ports.items() for k, p in spread(v, items).items()}
    end = {k: p for v, items in in_ports.items() for k, p in spread(v, items).items()}
    runs: dict = {}
    legs = {}
    for key, chain in chains.items():
        pts = []
        for i, (a, b) in enumerate(zip(chain, chain[1:])):
            xa = start[key] if i == 0 else x[a]
            xb = end[key] if i == len(chain) - 2 else x[b]
            runs.setdefault(layer_of[a], []).append((key, i, xa, xb))
            pts.append((layer_of[a], xa, xb, a, b))
        legs[key] = pts
    track_y = {}
    for k, items in runs.items():
        right = sorted([it for it in items if it[3] >= it[2]], key=lambda it: (-it[2], it[3]))
        left = sorted([it for it in items if it[3] < it[2]], key=lambda it: (it[2], -it[3]))
        ordered = _untangled(right + left)  # the same rule as across: links going one way never cross
        gap_top = tops[k] + row_h[k]
        for j, (key, i, _, _) in enumerate(ordered):
            track_y[(key, i)] = gap_top + 5 + (gaps[k] - 15) * (j + 0.5) / len(ordered) + 2.5
    paths = {}
    for key, pts in legs.items():
        xs, ys = [], []
        for i, (k, xa, xb, a, b) in enumerate(pts):
            bottom_a = y[a] + heights[a] if not isinstance(a, tuple) else tops[k] + row_h[k]
            if isinstance(a, tuple):  # through the row it skips, in its slot
                xs.append(xa)
                ys.append(tops[k])
            top_b = y[b] if not isinstance(b, tuple) else tops[k + 1]
            ty = track_y[(key, i)]
            xs += [xa, xa, xb, xb]
            ys += [bottom_a, ty, ty, top_b]
        paths[key] = (xs, ys)
    return paths


def _untangled(ordered: list) -> list:
    """Tracks in a gap, nearest the gap's start first, as (key, leg, from, to) runs: where one link arrives at
    the place another leaves from (a slot in one layer level with a slot in the next), the leaving one takes
    the earlier track, or the two would run down one line; they cross once instead."""
    ordered = list(ordered)
    for _ in range(len(ordered) ** 2):
        clash = next(((j, m) for j in range(len(ordered)) for m in range(j + 1, len(ordered))
                      if abs(ordered[j][3] - ordered[m][2]) < 1.0), None)
        if clash is None:
            break
        j, m = clash
        ordered.insert(j, ordered.pop(m))
    return ordered


def _layer_of(layers, v) -> int:
    for k, lay in enumerate(layers):
        if v in lay:
            return k
    raise KeyError(v)


def network_chart(model, data: pd.DataFrame | None = None, *, evidence=None, do=None, ax=None,
                  title: str | None = None, subtitle: str | None = None, source: str | None = None,
                  min_size: float = 8.0):
    """The network, causes left of effects, each variable a box with its states' probabilities (a number
    and a bar under each state, GeNIe-style).

    `data` is a tidy query result (variable, state, probability) for all variables; by default the
    model is queried with `evidence` and `do`. Observed boxes are outlined in blue, forced in red (their
    incoming arcs are cut: graph surgery). Labels wrap inside their boxes, never cut; the type is the
    largest (at most 14 pt, at least `min_size`) at which the whole network fits the figure. Arcs leave
    the right side of a box and enter the left side of another, each on its own port and its own
    vertical track in the gap between layers, and cross a layer they skip through a slot kept free for
    them, so no arc passes behind a box.
    """
    evidence = dict(evidence or {})
    do = dict(do or {})
    if data is None:
        data = model.query(model.variables, given=evidence, do=do)
    probs = {v: g.set_index("state")["probability"] for v, g in data.groupby("variable", sort=False)}
    ax = new_axes(ax)
    fig = ax.figure
    ax.set_axis_off()
    add_titles(ax, title, subtitle, source, fit=False)
    frame_bottom, frame_top = getattr(fig, "_bayes_frame", (0.03, 0.97))
    if len(fig.axes) == 1:
        ax.set_position([PAD_IN / fig.get_figwidth(), frame_bottom, 1 - 2 * PAD_IN / fig.get_figwidth(),
                         frame_top - frame_bottom])
    box = ax.get_position()
    room_w = box.width * fig.get_figwidth() * 72
    room_h = box.height * fig.get_figheight() * 72
    if fig.get_figheight() > fig.get_figwidth():  # a portrait figure (a phone): causes above their effects
        size, geo = TEXT_SIZE, None
        while size >= min_size and geo is None:
            geo = _portrait_geometry(model, probs, evidence, do, size, room_w, room_h)
            size -= 0.5
        if geo is not None:
            ax.set_xlim(0, room_w)
            ax.set_ylim(room_h - (room_h - geo["height"]) / 2, -(room_h - geo["height"]) / 2)
            _draw_portrait(ax, model, geo, evidence, do)
            return ax
    size = TEXT_SIZE
    geo = None
    while size >= min_size:
        geo = _network_geometry(model, probs, evidence, do, size, room_w, room_h)
        if geo is not None:
            break
        size -= 0.5
    if geo is None:
        geo = _network_geometry(model, probs, evidence, do, min_size, 1e9, 1e9)
    # one data unit = one point; centre the drawing in the room
    ax.set_xlim(-(room_w - geo["width"]) / 2, geo["width"] + (room_w - geo["width"]) / 2)
    ax.set_ylim(geo["height"] + (room_h - geo["height"]) / 2, -(room_h - geo["height"]) / 2)
    if geo["width"] > room_w or geo["height"] > room_h:  # too big even at the smallest type: scale to fit
        ax.set_xlim(-2, geo["width"] + 2)
        ax.set_ylim(geo["height"] + 2, -2)
    _draw_network(ax, model, geo, evidence, do)
    return ax


def _draw_box(ax, v, spec, left, top, box_w, h, geo, evidence, do):
    """One variable's box: outline (blue observed, red forced), bold title, each state's text and bar."""
    size, line, pad = geo["size"], geo["line"], geo["pad"]
    edge, lw = "#555555", 1.2
    if v in evidence:
        edge, lw = OBSERVED_COLOUR, 3.0
    if v in do:
        edge, lw = FORCED_COLOUR, 3.0
    ax.add_patch(FancyBboxPatch((left, top), box_w, h, boxstyle="round,pad=0,rounding_size=6",
                                facecolor="white", edgecolor=edge, linewidth=lw, zorder=2, gid=f"node:{v}"))
    ax.text(left + box_w / 2, top + pad, spec["title"], ha="center", va="top", fontsize=size, fontweight="bold",
            zorder=3, linespacing=1.0, gid=f"node-title:{v}")
    yy = top + pad + line_count(spec["title"]) * line + 3
    for state, p, text in spec["rows"]:
        ax.text(left + pad, yy, text, ha="left", va="top", fontsize=size, zorder=3, linespacing=1.0,
                gid=f"state:{v}={state}")
        yy += line_count(text) * line + 1
        ax.add_patch(Rectangle((left + pad, yy), (box_w - 2 * pad) * (0 if np.isnan(p) else p), 3,
                               facecolor=BAR_COLOUR, edgecolor="none", zorder=3, gid=f"bar:{v}={state}"))
        yy += 5


def _draw_portrait(ax, model, geo, evidence, do):
    for v, spec in geo["boxes"].items():
        _draw_box(ax, v, spec, geo["x"][v] - geo["widths"][v] / 2, geo["y"][v], geo["widths"][v], geo["heights"][v],
                  geo, evidence, do)
    for (p, c), (xs, ys) in _portrait_paths(geo).items():
        ax.plot(xs, ys[:-1] + [ys[-1] - 7], color="#6b6b6b", lw=1.4, zorder=1, solid_joinstyle="round",
                gid=f"arc:{p}->{c}")
        ax.add_patch(FancyArrowPatch((xs[-1], ys[-1] - 9), (xs[-1], ys[-1]), arrowstyle="-|>", mutation_scale=12,
                                     color="#6b6b6b", lw=1.2, zorder=1, shrinkA=0, shrinkB=0.5,
                                     gid=f"arrow:{p}->{c}"))


def _draw_network(ax, model, geo, evidence, do):
    layers, y, heights, x, widths = geo["layers"], geo["y"], geo["heights"], geo["x"], geo["widths"]
    layer_of = {v: k for k, lay in enumerate(layers) for v in lay}
    for v, spec in geo["boxes"].items():
        k = layer_of[v]
        _draw_box(ax, v, spec, x[k], y[v] - heights[v] / 2, widths[k], heights[v], geo, evidence, do)
    # ports: arcs leave a box's right side and enter the next box's left side, spread along the side in
    # the order of their other ends, so arcs into one box never share a point
    out_ports: dict = {}
    in_ports: dict = {}
    for (p, c), chain in geo["chains"].items():
        out_ports.setdefault(p, []).append((chain[1], (p, c)))
        in_ports.setdefault(c, []).append((chain[-2], (p, c)))

    def spread(v, items):
        h = heights[v]
        items = sorted(items, key=lambda it: y[it[0]])
        top = y[v] - h / 2
        return {key: top + h * (i + 1) / (len(items) + 1) for i, (_, key) in enumerate(items)}

    start = {k: yy for v, items in out_ports.items() for k, yy in spread(v, items).items()}
    end = {k: yy for v, items in in_ports.items() for k, yy in spread(v, items).items()}
    # tracks: within each gap, arcs get x positions ordered so that their vertical runs cross least
    runs: dict = {}
    paths = {}
    for key, chain in geo["chains"].items():
        pts = []
        for i, (a, b) in enumerate(zip(chain, chain[1:])):
            k = layer_of[a]
            ya = start[key] if i == 0 else y[a]
            yb = end[key] if i == len(chain) - 2 else y[b]
            runs.setdefault(k, []).append((key, i, ya, yb))
            pts.append((k, ya, yb))
        paths[key] = pts
    track_x = {}
    for k, items in runs.items():
        gap_left = x[k] + widths[k]
        items = sorted(items, key=lambda it: (min(it[2], it[3]) if it[3] >= it[2] else -max(it[2], it[3]), it[2]))
        # arcs going down take tracks from the left, the one starting lowest first; arcs going up take the
        # tracks right of them, the one starting highest first: nested arcs then never cross (the other
        # orders crossed 56 times over the shipped and eight generated networks; these, 4)
        down = sorted([it for it in items if it[3] >= it[2]], key=lambda it: (-it[2], it[3]))
        upward = sorted([it for it in items if it[3] < it[2]], key=lambda it: (it[2], -it[3]))
        ordered = _untangled(down + upward)
        width = geo["gaps"][k]
        for j, (key, i, _, _) in enumerate(ordered):
            track_x[(key, i)] = gap_left + (width - geo["track"] * len(ordered)) / 2 + geo["track"] * (j + 0.5)
    for key, pts in paths.items():
        xs, ys = [], []
        for i, (k, ya, yb) in enumerate(pts):
            x0 = x[k] + widths[k]
            x1 = x[k + 1]
            tx = track_x[(key, i)]
            if i > 0:  # through the layer it skips, in the slot kept free for it
                xs.append(x[k])
                ys.append(ya)
            xs += [x0, tx, tx, x1]
            ys += [ya, ya, yb, yb]
        p, c = key
        ax.plot(xs[:-1] + [xs[-1] - 7], ys, color="#6b6b6b", lw=1.4, zorder=1, solid_joinstyle="round",
                gid=f"arc:{p}->{c}")
        ax.add_patch(FancyArrowPatch((xs[-1] - 9, ys[-1]), (xs[-1], ys[-1]), arrowstyle="-|>", mutation_scale=12,
                                     color="#6b6b6b", lw=1.2, zorder=1, shrinkA=0, shrinkB=0.5,
                                     gid=f"arrow:{p}->{c}"))
