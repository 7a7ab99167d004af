"""fill_gaps (all columns at once) against a plain per-column reference of the fill rules."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from loadstar_core.postprocess.missing import fill_gaps


def reference(column: list[float], policy: str, before: tuple[int, float] | None) -> list[float]:
    """The issue's rules, point by point."""
    known = [(i, v) for i, v in enumerate(column) if not math.isnan(v)]
    if before is not None:
        known.insert(0, (-before[0], before[1]))
    out = []
    for i, v in enumerate(column):
        if not math.isnan(v):
            out.append(v)
            continue
        left = [(p, x) for p, x in known if p < i]
        right = [(p, x) for p, x in known if p > i]
        if not left:
            out.append(right[0][1])  # no left neighbour: the first known value
        elif policy == "ffill" or not right:
            out.append(left[-1][1])  # carry, or no right neighbour: the last known value
        else:
            (lp, lv), (rp, rv) = left[-1], right[0]
            out.append(float(np.interp(i, [lp, rp], [lv, rv])))
    return out


@settings(max_examples=200, deadline=None)
@given(
    data=st.data(),
    length=st.integers(min_value=1, max_value=30),
    n_cols=st.integers(min_value=1, max_value=4),
    policy=st.sampled_from(["linear", "ffill"]),
)
def test_vectorised_fill_equals_the_rules(
    data: st.DataObject, length: int, n_cols: int, policy: str
) -> None:
    value = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)
    columns, befores = [], []
    for _ in range(n_cols):
        cells = data.draw(
            st.lists(st.one_of(st.just(math.nan), value), min_size=length, max_size=length)
        )
        before = data.draw(st.one_of(st.none(), st.tuples(st.integers(1, 5), value)))
        if before is None and all(math.isnan(c) for c in cells):
            cells[data.draw(st.integers(0, length - 1))] = data.draw(value)
        columns.append(cells)
        befores.append(before)
    window = np.array(columns, dtype=np.float64).T.copy()
    offsets = np.array([b[0] if b else 0 for b in befores], dtype=np.int64)
    values = np.array([b[1] if b else math.nan for b in befores])
    filled = fill_gaps(window, policy, offsets, values)  # type: ignore[arg-type]
    for j in range(n_cols):
        expected = reference(columns[j], policy, befores[j])
        assert np.allclose(filled[:, j], expected, rtol=1e-12, atol=1e-9), (
            j,
            columns[j],
            befores[j],
        )
