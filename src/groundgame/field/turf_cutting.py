"""Cutting doors into turfs: compact groups of about the target number of doors.

Recursive coordinate bisection: a group that should make ``k`` turfs is cut across its longer
side near the point that leaves ``k // 2`` turfs' worth of doors on one side (at the widest
gap close to it, so that cuts fall between streets and neighbourhoods), and each side is cut
again until it makes one turf. Every turf then holds about ``n / k`` doors, and cuts across
the longer side keep turfs close to square, which is what keeps a walk short.

A few rounds of balanced Lloyd refinement follow: two neighbouring turfs exchange doors in
pairs when each door is nearer the other turf's centre, so shapes straighten where a straight
cut went through a cluster, and door counts do not move.

When a boundary is asked for, each boundary group (a ZIP code, a county) is cut on its own,
so no turf crosses it; a group smaller than a turf becomes one small turf.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from groundgame.field.walking_routes import FloatArray, IntArray

REFINE_ROUNDS = 2
# How far from an even cut a bisection may move to cut at a gap, as a share of one turf's
# doors; added up over the levels of cuts, a turf ends up within about 12% of the target.
SPLIT_SLACK = 0.06
# Neighbouring turfs for the exchange: each turf looks at this many nearest centres.
NEIGHBOURS = 4


def cut(xy: FloatArray, groups: npt.NDArray[np.int64], target: int) -> IntArray:
    """A turf number (0..) for each door at ``xy`` (meters); doors of different ``groups``
    never share a turf."""
    labels = np.full(len(xy), -1, dtype=np.intp)
    turf_groups: list[int] = []
    order = np.argsort(groups, kind="stable")
    bounds = np.flatnonzero(np.diff(groups[order])) + 1
    for members in np.split(order, bounds):
        if len(members) == 0:
            continue
        turfs = max(1, round(len(members) / target))
        _bisect(xy, members, turfs, labels, len(turf_groups))
        turf_groups.extend([int(groups[members[0]])] * turfs)
    _refine(xy, labels, np.asarray(turf_groups))
    return labels


def _bisect(xy: FloatArray, members: IntArray, turfs: int, labels: IntArray, label: int) -> None:
    stack = [(members, turfs)]
    while stack:
        idx, k = stack.pop()
        if k == 1:
            labels[idx] = label
            label += 1
            continue
        points = xy[idx]
        axis = int(np.argmax(points.max(axis=0) - points.min(axis=0)))
        left_turfs = k // 2
        order = np.argsort(points[:, axis], kind="stable")
        split = _split_at_gap(points[order, axis], round(len(idx) * left_turfs / k), len(idx) / k)
        stack.append((idx[order[split:]], k - left_turfs))
        stack.append((idx[order[:split]], left_turfs))


def _split_at_gap(coords: FloatArray, balanced: int, turf_doors: float) -> int:
    """Where to cut sorted coordinates: at the widest gap within ``SPLIT_SLACK`` of a turf's
    doors from the balanced cut, so a line falls between streets or neighbourhoods rather
    than through them."""
    slack = int(SPLIT_SLACK * turf_doors)
    low, high = max(1, balanced - slack), min(len(coords) - 1, balanced + slack)
    if high <= low:
        return balanced
    gaps = np.diff(coords[low - 1 : high + 1])
    return low + int(np.argmax(gaps))


def _refine(xy: FloatArray, labels: IntArray, turf_groups: IntArray) -> None:
    """Pairwise exchanges between neighbouring turfs of one boundary group that bring each
    door nearer its turf's centre."""
    turfs = len(turf_groups)
    if turfs < 2:
        return
    order = np.argsort(labels, kind="stable")
    members = np.split(order, np.cumsum(np.bincount(labels, minlength=turfs))[:-1])
    for _ in range(REFINE_ROUNDS):
        centres = np.array([xy[m].mean(axis=0) for m in members])
        own = _dist(xy, centres[labels])
        swapped = 0
        for a, b in _neighbour_pairs(centres, turf_groups):
            swapped += _exchange(xy, members, centres, own, a, b)
        if not swapped:
            break
        for turf, idx in enumerate(members):
            labels[idx] = turf


def _neighbour_pairs(centres: FloatArray, turf_groups: IntArray) -> list[tuple[int, int]]:
    """Pairs of turfs of one group whose centres are among each other's nearest: found by
    sorting centres along x and comparing each with a window of its sort neighbours (no
    spatial index needed at a few tens of thousands of turfs)."""
    order = np.argsort(centres[:, 0])
    window = 4 * NEIGHBOURS
    pairs: set[tuple[int, int]] = set()
    for pos, a in enumerate(order):
        candidates = order[max(0, pos - window) : pos + window + 1]
        candidates = candidates[(candidates != a) & (turf_groups[candidates] == turf_groups[a])]
        near = np.hypot(*(centres[candidates] - centres[a]).T)
        for b in candidates[np.argsort(near)[:NEIGHBOURS]]:
            pairs.add((min(int(a), int(b)), max(int(a), int(b))))
    return sorted(pairs)


def _exchange(
    xy: FloatArray,
    members: list[IntArray],
    centres: FloatArray,
    own: FloatArray,
    a: int,
    b: int,
) -> int:
    """Swap doors between turfs ``a`` and ``b`` in pairs while a pair brings its two doors
    nearer their new centres than their old ones, taken together; counts stay as they are.
    ``own`` is each door's distance to its turf's centre, kept up to date."""
    in_a, in_b = members[a], members[b]
    # How much nearer the other centre each door is (positive: it would rather move).
    gain_a = own[in_a] - _dist(xy[in_a], centres[b])
    gain_b = own[in_b] - _dist(xy[in_b], centres[a])
    if gain_a.max() + gain_b.max() <= 0:
        return 0
    order_a, order_b = np.argsort(-gain_a), np.argsort(-gain_b)
    pairs = min(len(in_a), len(in_b))
    swaps = int(np.sum(gain_a[order_a][:pairs] + gain_b[order_b][:pairs] > 0))
    leave_a, leave_b = in_a[order_a[:swaps]], in_b[order_b[:swaps]]
    own[leave_a] -= gain_a[order_a[:swaps]]
    own[leave_b] -= gain_b[order_b[:swaps]]
    members[a] = np.concatenate([in_a[order_a[swaps:]], leave_b])
    members[b] = np.concatenate([in_b[order_b[swaps:]], leave_a])
    return swaps


def _dist(points: FloatArray, centre: FloatArray) -> FloatArray:
    delta = points - centre
    return np.asarray(np.hypot(delta[:, 0], delta[:, 1]))


def split_in_two(xy: FloatArray) -> IntArray:
    """0 or 1 for each door: halves of a turf, cut across its longer side."""
    labels = np.zeros(len(xy), dtype=np.intp)
    _bisect(xy, np.arange(len(xy)), 2, labels, 0)
    return labels
