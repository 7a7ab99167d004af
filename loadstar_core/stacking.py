"""Ensemble weights from backtest errors: the convex combination with the least squared error.

`cross[i][j]` is the sum over backtest windows of candidate i's error times candidate j's
(so the diagonal holds each candidate's own squared error). A weighted forecast
sum_i w_i f_i with sum_i w_i = 1 has error sum_i w_i e_i, hence squared error w' C w.
The weights minimise it over the simplex (w >= 0, sum 1), exactly, by trying every
support: with a few candidates that is a handful of tiny solves.
"""

from __future__ import annotations

import itertools

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


def simplex_weights(cross: FloatArray) -> FloatArray:
    """Weights w >= 0, sum 1, minimising w' cross w (cross symmetric, positive semidefinite)."""
    size = cross.shape[0]
    sym = (cross + cross.T) / 2
    best = np.zeros(size)
    best[int(np.argmin(np.diag(sym)))] = 1.0  # a vertex is always feasible
    best_value = float(best @ sym @ best)
    jitter = 1e-12 * max(float(np.abs(np.diag(sym)).max()), 1e-300)
    for count in range(2, size + 1):
        for support in itertools.combinations(range(size), count):
            index = list(support)
            block = sym[np.ix_(index, index)] + jitter * np.eye(count)
            try:
                direction = np.linalg.solve(block, np.ones(count))
            except np.linalg.LinAlgError:
                continue
            total = float(direction.sum())
            if total <= 0 or not np.all(direction >= 0):
                continue
            weights = np.zeros(size)
            weights[index] = direction / total
            value = float(weights @ sym @ weights)
            if value < best_value - 1e-12 * abs(best_value):
                best, best_value = weights, value
    return best
