"""Bucket means on the grid against a plain reading of the rule: each window point's mean is
the sum, in row order, of its column's non-null values in [t, t + f) divided by their
count, bit for bit (a sum of -0.0 alone included); and the left neighbour before the
window is the latest grid point there holding a value."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from loadstar_core.postprocess.timegrid import bucket_means, order_rows

F = 900_000_000  # 15 minutes in microseconds

cells = st.one_of(
    st.just(math.nan),
    st.sampled_from([0.0, -0.0, 1e300, -1e300, 5e-324]),
    st.floats(-1e300, 1e300, allow_nan=False),  # no overflow: np.mean would warn
)


def reference(epoch_us: list[int], rows: list[list[float]], lookback: int) -> tuple[
    list[list[float]], list[list[bool]], list[int], list[float]
]:  # fmt: skip
    end = (epoch_us[-1] // F) * F
    start = end - (lookback - 1) * F
    n_cols = len(rows[0])
    sums = [[0.0] * n_cols for _ in range(lookback)]
    counts = [[0] * n_cols for _ in range(lookback)]
    before: list[tuple[int, list[float]]] = [(0, []) for _ in range(n_cols)]
    for t, row in zip(epoch_us, rows, strict=True):
        step = (t - start) // F
        for j, value in enumerate(row):
            if math.isnan(value):
                continue
            if step >= 0:
                sums[step][j] += value
                counts[step][j] += 1
            elif not before[j][1] or step > before[j][0]:
                before[j] = (step, [value])
            elif step == before[j][0]:
                before[j][1].append(value)
    means = [
        [sums[i][j] / counts[i][j] if counts[i][j] else math.nan for j in range(n_cols)]
        for i in range(lookback)
    ]
    gaps = [[not counts[i][j] for j in range(n_cols)] for i in range(lookback)]
    values = [
        float(np.mean(b[1])) if b[1] and gaps[0][j] else math.nan for j, b in enumerate(before)
    ]
    return means, gaps, [sum(g[j] for g in gaps) for j in range(n_cols)], values


@settings(max_examples=200, deadline=None)
@given(
    lookback=st.integers(1, 12),
    n_cols=st.integers(1, 4),
    data=st.data(),
)
def test_bucket_means_follow_the_rule_bit_for_bit(
    lookback: int, n_cols: int, data: st.DataObject
) -> None:
    n = data.draw(st.integers(1, 60))
    epoch_us = sorted(data.draw(st.lists(st.integers(0, 80 * F), min_size=n, max_size=n)))
    rows = [data.draw(st.lists(cells, min_size=n_cols, max_size=n_cols)) for _ in range(n)]
    fortran = data.draw(st.booleans())  # the readers hand over columns one after another
    values = np.array(rows, dtype=np.float64, order="F" if fortran else "C")
    grid = bucket_means(order_rows(np.array(epoch_us, dtype=np.int64), values), F, lookback)
    means, gaps, missing, before = reference(*order_kept(epoch_us, rows), lookback)
    assert grid.means.tobytes() == np.array(means).tobytes()
    assert grid.means.flags["C_CONTIGUOUS"] and grid.gaps.flags["C_CONTIGUOUS"]
    np.testing.assert_array_equal(grid.gaps, np.array(gaps))
    np.testing.assert_array_equal(grid.missing, missing)
    np.testing.assert_array_equal(grid.before_value, before)


def order_kept(epoch_us: list[int], rows: list[list[float]]) -> tuple[list[int], list[list[float]]]:
    """Sorted rows with the last given row of each timestamp kept (as `order_rows`)."""
    last = {t: row for t, row in zip(epoch_us, rows, strict=True)}
    times = sorted(last)
    return times, [last[t] for t in times]
