"""Walking order through a turf's doors: an open path, short in meters.

A canvasser walks a street and takes both sides of it as they go, so the route is built from
street runs: the doors of one street that lie close together, in order along the street. The
runs are chained nearest end first, and the door-level path is then improved by 2-opt
(reverse a stretch) and Or-opt (move one to three consecutive doors elsewhere, either way
round) until neither shortens it. Both read a distance matrix, so a turf of a few hundred
doors improves in milliseconds.

Distances are equirectangular meters around the turf's mean latitude: within a turf (a
kilometre or two) they agree with great-circle distances to well under a metre, and the bench
scores the OR-tools baseline with the same function.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

EARTH_RADIUS_M = 6_371_000.0
# Doors of one street further apart than this are separate runs (the street goes on through
# another part of town, or a synthetic file put a street name in two places).
RUN_GAP_M = 150.0
# A safety net against cycling on floating-point ties; a turf converges long before.
MAX_MOVES_PER_DOOR = 20

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]

_HOUSE_NUMBER = re.compile(r"^\s*[0-9][0-9A-Za-z\-/]*\s+")


def project(latitude: FloatArray, longitude: FloatArray) -> FloatArray:
    """(n, 2) meters east and north, equirectangular around the points' mean latitude."""
    if len(latitude) == 0:
        return np.zeros((0, 2))
    cos_lat = np.cos(np.radians(float(np.mean(latitude))))
    x = np.radians(longitude) * EARTH_RADIUS_M * cos_lat
    y = np.radians(latitude) * EARTH_RADIUS_M
    return np.column_stack([x, y])


def street_name(street: str) -> str:
    """The street without its house number: "1204 Oak St" and "1210 Oak St" share "OAK ST"."""
    return _HOUSE_NUMBER.sub("", street).strip().upper()


def door_key(street: str, zip5: str) -> tuple[str, str]:
    """What makes households one door: the same street line (case and spacing aside) in the
    same ZIP code, so the households of one building are visited one after the other."""
    return " ".join(street.upper().split()), zip5


def path_meters(xy: FloatArray, order: Sequence[int] | IntArray) -> float:
    """Length of the open path visiting ``xy`` in ``order``."""
    if len(order) < 2:
        return 0.0
    points = xy[np.asarray(order)]
    return float(np.sum(np.hypot(*np.diff(points, axis=0).T)))


def distance_matrix(xy: FloatArray) -> FloatArray:
    delta = xy[:, None, :] - xy[None, :, :]
    return np.asarray(np.hypot(delta[..., 0], delta[..., 1]))


def route(xy: FloatArray, streets: Sequence[str]) -> IntArray:
    """The walking order of the doors at ``xy`` (meters) on ``streets`` (full street lines)."""
    n = len(xy)
    if n <= 2:
        return np.arange(n)
    dist = distance_matrix(xy)
    order = _chain_runs(xy, dist, _street_runs(xy, streets))
    return _improve(dist, order)


def _street_runs(xy: FloatArray, streets: Sequence[str]) -> list[IntArray]:
    """Doors grouped by street name, each group in order along the street and cut where two
    neighbours are more than ``RUN_GAP_M`` apart."""
    by_street: dict[str, list[int]] = {}
    for index, street in enumerate(streets):
        by_street.setdefault(street_name(street), []).append(index)
    runs: list[IntArray] = []
    for members in by_street.values():
        idx = np.asarray(members, dtype=np.intp)
        if len(idx) > 1:
            points = xy[idx] - xy[idx].mean(axis=0)
            # The street's direction: the principal axis of its doors.
            _, _, axes = np.linalg.svd(points, full_matrices=False)
            idx = idx[np.argsort(points @ axes[0], kind="stable")]
            gaps = np.hypot(*np.diff(xy[idx], axis=0).T)
            runs.extend(np.split(idx, np.flatnonzero(gaps > RUN_GAP_M) + 1))
        else:
            runs.append(idx)
    return runs


def _chain_runs(xy: FloatArray, dist: FloatArray, runs: list[IntArray]) -> IntArray:
    """Chain the runs nearest end first, from the door furthest from the middle (an open path
    is best started at an edge)."""
    starts = np.array([run[0] for run in runs])
    ends = np.array([run[-1] for run in runs])
    far = int(np.argmax(np.hypot(*(xy - xy.mean(axis=0)).T)))
    current = next(i for i, run in enumerate(runs) if far in run)
    # Into the run from its end nearer that door.
    reverse = bool(dist[far, ends[current]] < dist[far, starts[current]])
    left = np.ones(len(runs), dtype=bool)
    pieces: list[IntArray] = []
    while True:
        left[current] = False
        piece = runs[current][::-1] if reverse else runs[current]
        pieces.append(piece)
        if not left.any():
            break
        here = piece[-1]
        to_start = np.where(left, dist[here, starts], np.inf)
        to_end = np.where(left, dist[here, ends], np.inf)
        best_start, best_end = int(np.argmin(to_start)), int(np.argmin(to_end))
        reverse = bool(to_end[best_end] < to_start[best_start])
        current = best_end if reverse else best_start
    return np.concatenate(pieces)


def _improve(dist: FloatArray, order: IntArray) -> IntArray:
    """2-opt and Or-opt on the open path, as a closed tour through a depot at no distance from
    every door (the depot's two edges are the path's free ends)."""
    n = len(order)
    padded = np.zeros((n + 1, n + 1))
    padded[:n, :n] = dist
    tour = np.concatenate([[n], order]).astype(np.intp)
    for _ in range(MAX_MOVES_PER_DOOR * n):
        moved = _two_opt_move(padded, tour)
        if moved is None:
            moved = _or_opt_move(padded, tour)
        if moved is None:
            break
        tour = moved
    # Rotate the depot out: the path starts after it.
    depot = int(np.flatnonzero(tour == n)[0])
    return np.concatenate([tour[depot + 1 :], tour[:depot]])


def _two_opt_move(dist: FloatArray, tour: IntArray) -> IntArray | None:
    m = len(tour)
    nxt = np.roll(tour, -1)
    edge = dist[tour, nxt]
    gain = dist[tour[:, None], tour[None, :]] + dist[nxt[:, None], nxt[None, :]]
    gain -= edge[:, None] + edge[None, :]
    # Only i < j - 1 (adjacent edges share a node), and not the first edge with the last.
    gain[np.tril_indices(m, 1)] = 0.0
    gain[0, m - 1] = 0.0
    i, j = np.unravel_index(int(np.argmin(gain)), gain.shape)
    if gain[i, j] >= -1e-7:
        return None
    out = tour.copy()
    out[i + 1 : j + 1] = tour[i + 1 : j + 1][::-1]
    return out


def _or_opt_move(dist: FloatArray, tour: IntArray) -> IntArray | None:
    """The best move of a stretch of 1-3 doors to another edge, forwards or reversed."""
    m = len(tour)
    nxt = np.roll(tour, -1)
    edge = dist[tour, nxt]
    from_tour = dist[tour]  # row p: distances from the door at position p
    to_next = dist[:, nxt]  # column p: distances to the door after position p
    best: tuple[float, int, int, int, bool] | None = None
    for length in (1, 2, 3):
        if m - 1 <= length + 1:
            break
        # Stretches start after the depot (position 0) and stay clear of wrapping round.
        s = np.arange(1, m - length + 1)
        first, last = tour[s], tour[s + length - 1]
        prev, then = tour[s - 1], tour[(s + length) % m]
        removed = dist[prev, first] + dist[last, then] - dist[prev, then]
        forward = from_tour[:, first].T + to_next[last]
        backward = from_tour[:, last].T + to_next[first]
        reversed_ = backward < forward
        delta = np.where(reversed_, backward, forward) - edge[None, :] - removed[:, None]
        # The stretch cannot go into an edge touching itself (positions s-1 .. s+length-1).
        rows = np.repeat(np.arange(len(s)), length + 1)
        delta[rows, (s[:, None] - 1 + np.arange(length + 1)[None, :]).ravel()] = np.inf
        flat = int(np.argmin(delta))
        k, j = divmod(flat, m)
        if delta[k, j] < -1e-7 and (best is None or delta[k, j] < best[0]):
            best = (float(delta[k, j]), int(s[k]), length, j, bool(reversed_[k, j]))
    if best is None:
        return None
    _, start, size, after, backward_ = best
    stretch = tour[start : start + size]
    if backward_:
        stretch = stretch[::-1]
    rest = np.concatenate([tour[:start], tour[start + size :]])
    # ``after`` was a position in the whole tour; past the stretch it moved back by its size.
    at = after if after < start else after - size
    return np.concatenate([rest[: at + 1], stretch, rest[at + 1 :]])
