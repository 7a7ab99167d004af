"""The missing-data policy: refuse a window with too many gaps, else fill them.

The threshold test is `missing / L > maxMissingRatio`, exactly as written, so a ratio
equal to the threshold passes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import numpy.typing as npt

from schemas.errors import InputMissingExceeds

try:  # the compiled loop (np.interp's arithmetic); without a C compiler, numpy's way below
    from loadstar_core.postprocess._hotpath import fill_linear as compiled_fill
except ImportError:
    compiled_fill = None

FillPolicy = Literal["linear", "ffill"]


def check_missing_ratio(
    missing: Sequence[int],
    names: Sequence[str],
    considered: Sequence[bool],
    lookback: int,
    threshold: float,
) -> None:
    """INPUT_MISSING_EXCEEDS for the input with the most missing points (the first of
    equals), if over threshold; inputs not considered are left out."""
    counts = [int(m) if here else -1 for m, here in zip(missing, considered, strict=True)]
    if not counts or max(counts) < 0:
        return
    worst = counts.index(max(counts))
    ratio = counts[worst] / lookback
    if ratio > threshold:
        raise InputMissingExceeds(
            f"input '{names[worst]}' misses {counts[worst]} of {lookback} points "
            f"({ratio:.1%}), more than the deployment allows ({threshold:.1%})",
            {
                "input": names[worst],
                "missing": counts[worst],
                "total": lookback,
                "ratio": ratio,
                "threshold": threshold,
            },
        )


def fill_gaps(
    window: npt.NDArray[np.float64],
    policy: FillPolicy,
    before_offset: npt.NDArray[np.int64],
    before_value: npt.NDArray[np.float64],
    gaps: npt.NDArray[np.bool_] | None = None,
) -> npt.NDArray[np.float64]:
    """Fills the NaNs (or the `gaps` when given) of an [L, n] window; each column has a
    known value in the window or a left neighbour before it.

    Column j's left neighbour from before the window is `before_value[j]` at grid index
    `-before_offset[j]` (NaN: none). `linear` interpolates in time between the nearest
    known neighbours, `ffill` carries the last known value; points with no left neighbour
    take the first known value, and in `linear` mode points with no right neighbour take
    the last known value.
    """
    if gaps is None:
        gaps = np.isnan(window)
    if not gaps.any():
        return window
    if policy == "linear":
        return _interpolate(window, gaps, before_offset, before_value)
    rows = np.arange(window.shape[0])[:, None]
    cols = np.arange(window.shape[1])
    last = np.maximum.accumulate(np.where(gaps, -1, rows), axis=0)  # last known at or before
    has_left = (last >= 0) | ~np.isnan(before_value)
    left_value = np.where(last >= 0, window[np.maximum(last, 0), cols], before_value)
    first_known = window[np.argmax(~gaps, axis=0), cols]
    filled = np.where(has_left, left_value, first_known)
    return np.where(gaps, filled, window)


def _interpolate(
    window: npt.NDArray[np.float64],
    gaps: npt.NDArray[np.bool_],
    before_offset: npt.NDArray[np.int64],
    before_value: npt.NDArray[np.float64],
) -> npt.NDArray[np.float64]:
    """`linear`, one np.interp per column with gaps: it interpolates between the known
    neighbours and holds the first (last) known value beyond them, as the policy says."""
    if compiled_fill is not None and window.dtype == np.float64 and window.ndim == 2:
        filled = np.array(window, order="C")  # a copy, filled in place
        compiled_fill(
            filled,
            np.ascontiguousarray(gaps, dtype=np.bool_),
            np.ascontiguousarray(before_offset, dtype=np.int64),
            np.ascontiguousarray(before_value, dtype=np.float64),
        )
        return filled
    filled = window.copy()
    rows = np.arange(window.shape[0])
    for j in np.flatnonzero(gaps.any(axis=0)).tolist():
        gap = gaps[:, j]
        known = rows[~gap]
        values = window[known, j]
        if not np.isnan(before_value[j]):
            known = np.concatenate(([-before_offset[j]], known))
            values = np.concatenate(([before_value[j]], values))
        elif not known.size:
            continue  # nothing to go by (an absent optional input): left as it is
        filled[gap, j] = np.interp(rows[gap], known, values)
    return filled
