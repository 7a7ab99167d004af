"""Observations onto the model grid: sort, drop duplicates, bucket means over [t, t + f).

The grid is anchored at the Unix epoch in UTC, so every deployment with the same
frequency shares grid points; the window ends at the floor of the last observation.
"""

from __future__ import annotations

from functools import lru_cache

import msgspec
import numpy as np
import numpy.typing as npt

from schemas.contracts import OutputWarning

try:  # the compiled loop; without a C compiler at install, numpy's way below
    from loadstar_core.postprocess._hotpath import bucket
except ImportError:
    bucket = None


class Ordered(msgspec.Struct, frozen=True):
    """Rows sorted by time with duplicate timestamps resolved (the last given row wins)."""

    epoch_us: npt.NDArray[np.int64]
    values: npt.NDArray[np.float64]
    duplicates: int


class Gridded(msgspec.Struct, frozen=True):
    """Bucket means on the window, plus the last known grid value before it, per column."""

    end_us: int
    means: npt.NDArray[np.float64]  # [L, n_columns], NaN where no observation
    gaps: npt.NDArray[np.bool_]  # [L, n_columns], True where no observation
    missing: npt.NDArray[np.int64]  # per column: number of gaps
    before_offset: npt.NDArray[np.int64]  # per column: grid steps before the window start
    before_value: npt.NDArray[np.float64]  # per column: that point's mean (NaN if none)


def order_rows(epoch_us: npt.NDArray[np.int64], values: npt.NDArray[np.float64]) -> Ordered:
    """Sorts rows by time (stable) and keeps the last given row of each timestamp."""
    if epoch_us.size < 2 or bool((epoch_us[1:] > epoch_us[:-1]).all()):
        return Ordered(epoch_us=epoch_us, values=values, duplicates=0)
    order = np.argsort(epoch_us, kind="stable")
    times = epoch_us[order]
    keep = np.empty(times.size, dtype=np.bool_)
    keep[-1] = True
    np.not_equal(times[1:], times[:-1], out=keep[:-1])
    kept = order[keep]
    return Ordered(
        epoch_us=times[keep], values=values[kept], duplicates=int(times.size - kept.size)
    )


@lru_cache(maxsize=64)
def _column_base(n_cols: int, lookback: int) -> npt.NDArray[np.int64]:
    """[n_cols, 1]: the first slot of each column."""
    base: npt.NDArray[np.int64] = np.arange(n_cols, dtype=np.int64)[:, None] * lookback
    return base


def grid_end(last_us: int, frequency_us: int) -> int:
    """The grid point at or before `last_us` (floor on an epoch-anchored grid)."""
    return (last_us // frequency_us) * frequency_us


def bucket_means(rows: Ordered, frequency_us: int, lookback: int) -> Gridded:
    """Means of each column's non-null observations in [t, t + f) for the L window points.

    For each column it also finds the latest grid point before the window holding a
    value, which the fill policy may use as the left neighbour of the first points.
    """
    if bucket is not None and rows.values.shape[1]:
        n_cols = rows.values.shape[1]
        by_column = np.ascontiguousarray(rows.values.T, dtype=np.float64)
        epoch_us = np.ascontiguousarray(rows.epoch_us, dtype=np.int64)
        compiled = compiled_grid(
            epoch_us, by_column, tuple(range(n_cols)), (None,) * n_cols, frequency_us, lookback
        )
        if compiled is not None:
            return compiled
    n_cols = rows.values.shape[1]
    end = grid_end(int(rows.epoch_us[-1]), frequency_us)
    start = end - (lookback - 1) * frequency_us
    step = (rows.epoch_us - start) // frequency_us  # grid index, negative before the window
    first_in = int(np.searchsorted(step, 0, side="left"))
    # column after column, slot j * L + grid index: every pass below is contiguous, and each
    # slot still adds its values in row order. A NaN adds -0.0, which changes no sum (a
    # sum of -0.0 alone included: the sums start at +0.0), so no value is picked out.
    inside = np.ascontiguousarray(rows.values[first_in:].T)
    known = ~np.isnan(inside)
    slots = (step[first_in:] + _column_base(n_cols, lookback)).ravel()
    size = lookback * n_cols
    sums = np.bincount(slots, weights=np.where(known, inside, -0.0).ravel(), minlength=size)
    counts = np.bincount(slots, weights=known.ravel(), minlength=size)
    observed = counts > 0
    means = np.divide(sums, counts, out=np.full(size, np.nan), where=observed)
    missing_by_column = ~observed.reshape(n_cols, lookback)
    means = np.ascontiguousarray(means.reshape(n_cols, lookback).T)
    gaps = np.ascontiguousarray(missing_by_column.T)
    before = rows.values[:first_in]
    before_offset, before_value = _before(before, step[:first_in], gaps[0])
    return Gridded(
        end_us=end,
        means=means,
        gaps=gaps,
        missing=missing_by_column.sum(axis=1),
        before_offset=before_offset,
        before_value=before_value,
    )


def _before(
    values: npt.NDArray[np.float64], step: npt.NDArray[np.int64], first_gaps: npt.NDArray[np.bool_]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """Per column whose first window point is a gap: how many grid steps before the window
    its latest known point lies, and that point's mean (0 and NaN when there is none), from
    the rows before the window (`values`, at grid indexes `step`)."""
    n_cols = values.shape[1]
    before_offset = np.zeros(n_cols, dtype=np.int64)
    before_value = np.full(n_cols, np.nan)
    if values.shape[0]:
        for j in range(n_cols):
            if not first_gaps[j]:
                continue  # the first point is known: no left neighbour needed
            before = values[:, j]
            idx = np.flatnonzero(~np.isnan(before))
            if idx.size:
                last_step = step[idx[-1]]
                same = idx[step[idx] == last_step]
                before_offset[j] = -int(last_step)
                before_value[j] = float(before[same].mean())
    return before_offset, before_value


Scale = tuple[float, float] | None  # a conversion's (factor, offset), None for none


def compiled_grid(
    epoch_us: npt.NDArray[np.int64],
    by_source: npt.NDArray[np.float64],
    picks: tuple[int, ...],
    scales: tuple[Scale, ...],
    frequency_us: int,
    lookback: int,
) -> Gridded | None:
    """`bucket_means` of the picked source columns ([sources, n]), each converted by its
    scale as `Conversion.apply` converts, by the compiled loop (the same bits); None where
    it is not built or the times are not strictly increasing (numpy's way then sorts)."""
    if bucket is None or not epoch_us.size or not picks:
        return None
    got = bucket(epoch_us, by_source, frequency_us, lookback, picks, scales)
    if got is None:
        return None
    end, first_in, means, gaps, missing = got
    n_cols = len(picks)
    grid_gaps = np.frombuffer(gaps, dtype=np.bool_).reshape(lookback, n_cols)
    if first_in and grid_gaps[0].any():
        start = end - (lookback - 1) * frequency_us
        step = (epoch_us[:first_in] - start) // frequency_us
        before = np.empty((first_in, n_cols))
        for j, (source, scale) in enumerate(zip(picks, scales, strict=True)):
            column = by_source[source, :first_in]
            before[:, j] = column if scale is None else column * scale[0] + scale[1]
        before_offset, before_value = _before(before, step, grid_gaps[0])
    else:
        before_offset, before_value = np.zeros(n_cols, dtype=np.int64), np.full(n_cols, np.nan)
    return Gridded(
        end_us=end,
        means=np.frombuffer(means, dtype=np.float64).reshape(lookback, n_cols),
        gaps=grid_gaps,
        missing=np.frombuffer(missing, dtype=np.int64),
        before_offset=before_offset,
        before_value=before_value,
    )


def time_warnings(naive: int, duplicates: int) -> list[OutputWarning]:
    """NAIVE_TIMESTAMP and DUPLICATE_TIMESTAMPS warnings, for the counts that are not zero."""
    warnings: list[OutputWarning] = []
    if naive:
        message = f"{naive} timestamps had no offset and were read as UTC"
        warnings.append(
            OutputWarning(code="NAIVE_TIMESTAMP", message=message, details={"count": naive})
        )
    if duplicates:
        message = f"{duplicates} rows repeated an earlier timestamp; the last row was kept"
        details = {"count": duplicates}
        warnings.append(
            OutputWarning(code="DUPLICATE_TIMESTAMPS", message=message, details=details)
        )
    return warnings
