"""Label placement: a free spot for a label near its anchor, clear of other labels, marks and lines."""

from __future__ import annotations


def clear_spot(ax, anchor, candidates, size_pt, obstacles, placed, fig):
    """The first offset (points) from `anchor` (display pixels) whose text box (width, height in points)
    clears every obstacle segment and every box already placed; the first candidate if none does."""
    k = fig.dpi / 72.0
    w, h = size_pt[0] * k, size_pt[1] * k
    for dx, dy in candidates:
        cx, cy = anchor[0] + dx * k, anchor[1] + dy * k
        box = (cx - w / 2 - 2, cy - h / 2 - 2, cx + w / 2 + 2, cy + h / 2 + 2)
        if any(boxes_overlap(box, other) for other in placed):
            continue
        if any(segment_hits_box(p, q, box) for p, q in obstacles):
            continue
        return (dx, dy), box
    dx, dy = candidates[0]
    cx, cy = anchor[0] + dx * k, anchor[1] + dy * k
    return (dx, dy), (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)


def boxes_overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def segment_hits_box(p, q, box) -> bool:
    """Whether the segment p-q passes through the box (x0, y0, x1, y1): Liang-Barsky clipping."""
    x0, y0, x1, y1 = box
    dx, dy = q[0] - p[0], q[1] - p[1]
    t0, t1 = 0.0, 1.0
    for pk, qk in ((-dx, p[0] - x0), (dx, x1 - p[0]), (-dy, p[1] - y0), (dy, y1 - p[1])):
        if pk == 0:
            if qk < 0:
                return False
        else:
            t = qk / pk
            if pk < 0:
                t0 = max(t0, t)
            else:
                t1 = min(t1, t)
            if t0 > t1:
                return False
    return True
