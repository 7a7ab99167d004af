"""Per-series scaling of a global model: each series z-scored by its own training rows."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from loadstar_core.features.series_scaling import (
    asset_index,
    fit_series_scaling,
    scale,
    unscale,
)
from schemas.errors import InvalidInput

values = st.floats(-1e4, 1e4, allow_nan=False, width=32)
series = arrays(np.float64, st.tuples(st.integers(2, 40), st.just(3)), elements=values)
assets = st.dictionaries(st.text("abcxyz-0123", min_size=1, max_size=6), series, min_size=1)


@settings(max_examples=60, deadline=None)
@given(assets)
def test_each_series_is_z_scored_by_its_own_rows_and_comes_back(train: dict) -> None:
    scaling = fit_series_scaling(train)
    assert scaling.assets == sorted(train)
    for asset, rows in train.items():
        z = scale(rows, scaling, asset)
        spread = rows.std(axis=0)
        varied = spread > 1e-6 * np.maximum(1.0, np.abs(rows.mean(axis=0)))
        np.testing.assert_allclose(z.mean(axis=0), 0.0, atol=1e-6)
        np.testing.assert_allclose(z.std(axis=0)[varied], 1.0, rtol=1e-6)
        for column in range(rows.shape[1]):
            back = unscale(z[:, column], scaling, asset, column)
            np.testing.assert_allclose(back, rows[:, column], rtol=1e-9, atol=1e-6)


@settings(max_examples=40, deadline=None)
@given(series, st.floats(1e-3, 1e3), st.floats(-1e3, 1e3))
def test_scaled_windows_do_not_depend_on_a_series_level_or_unit(
    rows: np.ndarray, factor: float, shift: float
) -> None:
    """Two meters with the same shape on other scales look alike to the global model."""
    scaling = fit_series_scaling({"a": rows, "b": rows * factor + shift})
    a, b = scale(rows, scaling, "a"), scale(rows * factor + shift, scaling, "b")
    varied = rows.std(axis=0) > 1e-3 * np.maximum(1.0, np.abs(rows).max(axis=0))
    np.testing.assert_allclose(a[:, varied], b[:, varied], atol=1e-4)


def test_missing_values_are_ignored_and_a_constant_input_is_only_shifted() -> None:
    rows = np.array([[1.0, 5.0], [np.nan, 5.0], [3.0, 5.0]])
    scaling = fit_series_scaling({"m1": rows})
    assert scaling.mean == [[2.0, 5.0]] and scaling.std == [[1.0, 1.0]]
    np.testing.assert_allclose(scale(rows, scaling, "m1")[[0, 2]], [[-1.0, 0.0], [1.0, 0.0]])


def test_an_unknown_or_missing_asset_is_refused_naming_the_known_ones() -> None:
    assert asset_index(["line-a", "line-b"], "line-b") == 1
    with pytest.raises(InvalidInput) as unknown:
        asset_index(["line-a", "line-b"], "line-z")
    assert "line-z" in unknown.value.message and "line-a, line-b" in unknown.value.message
    assert unknown.value.details["knownAssets"] == ["line-a", "line-b"]
    with pytest.raises(InvalidInput) as missing:
        asset_index(["line-a"], None)
    assert "assetId" in missing.value.message
