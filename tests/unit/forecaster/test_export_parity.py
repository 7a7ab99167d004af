"""The export's parity rule: rounding passes, a broken graph fails, and a graph with trees
may differ on a few (window, step) pairs where a split took the other branch."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from training.export import MAX_FLIPPED_SHARE, ExportMismatch, compare_outputs


@st.composite
def outputs(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, set[tuple[int, int]]]:
    windows = draw(st.integers(1, 40))
    steps = draw(st.integers(1, 30))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    level = draw(st.floats(1e-2, 1e4))
    expected = (rng.normal(size=(windows, steps, 3)) * level).astype(np.float32)
    scale = float(np.abs(expected).max())
    rounding = rng.uniform(-1, 1, size=expected.shape) * 1e-6 * scale
    got = (expected + rounding).astype(np.float32)
    pairs = draw(
        st.sets(st.tuples(st.integers(0, windows - 1), st.integers(0, steps - 1)), max_size=6)
    )
    for w, h in pairs:  # a leaf's difference: far above rounding
        got[w, h] += np.float32(0.01 * scale)
    return got, expected, pairs


@settings(max_examples=200, deadline=None)
@given(outputs())
def test_a_graph_without_trees_fails_on_any_pair(
    case: tuple[np.ndarray, np.ndarray, set[tuple[int, int]]],
) -> None:
    got, expected, pairs = case
    if pairs:
        with pytest.raises(ExportMismatch):
            compare_outputs(got, expected, trees=False)
    else:
        parity = compare_outputs(got, expected, trees=False)
        assert parity.max_rel_diff < 1e-5 and not parity.flipped.any()


@settings(max_examples=200, deadline=None)
@given(outputs())
def test_trees_may_flip_a_few_pairs_and_no_more(
    case: tuple[np.ndarray, np.ndarray, set[tuple[int, int]]],
) -> None:
    got, expected, pairs = case
    if len(pairs) > MAX_FLIPPED_SHARE * expected.shape[0] * expected.shape[1]:
        with pytest.raises(ExportMismatch):
            compare_outputs(got, expected, trees=True)
        return
    parity = compare_outputs(got, expected, trees=True)
    assert set(zip(*np.nonzero(parity.flipped), strict=True)) == pairs
    assert parity.max_rel_diff < 1e-5  # the pairs that match match to rounding


def test_a_nan_fails_even_with_trees() -> None:
    expected = np.ones((200, 24, 3), dtype=np.float32)
    got = expected.copy()
    got[3, 4, 1] = np.nan
    with pytest.raises(ExportMismatch, match="inf"):
        compare_outputs(got, expected, trees=True)
