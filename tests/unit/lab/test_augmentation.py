"""Augmentations: shape kept, input untouched, probability 0 a no-op, noise on history only."""

from __future__ import annotations

import msgspec
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from loadstar_core.augmentation import (
    KINDS,
    AugmentationStep,
    Jitter,
    Mixup,
    Scaling,
    SyntheticGaps,
    TimeWarp,
    WindowSlice,
    augment,
    fill_gaps,
)

LOOKBACK = 12
windows = arrays(
    np.float64,
    st.tuples(st.integers(1, 6), st.just(LOOKBACK + 4), st.integers(1, 3)),
    elements=st.floats(-1e3, 1e3, allow_nan=False),
)
steps = st.sampled_from(sorted(KINDS)).map(
    lambda kind: msgspec.convert({"type": kind}, AugmentationStep)
)


@given(windows, st.lists(steps, max_size=4), st.integers(0, 2**32 - 1))
@settings(max_examples=150, deadline=None)
def test_shape_and_finiteness_are_kept_and_the_input_is_not_touched(
    x: np.ndarray, pipeline: list[AugmentationStep], seed: int
) -> None:
    before = x.copy()
    out = augment(x, pipeline, LOOKBACK, np.random.default_rng(seed))
    assert out.shape == x.shape and np.isfinite(out).all()
    assert np.array_equal(x, before)


@given(windows, st.lists(steps, min_size=1, max_size=4), st.integers(0, 2**32 - 1))
@settings(max_examples=100, deadline=None)
def test_probability_zero_changes_nothing(
    x: np.ndarray, pipeline: list[AugmentationStep], seed: int
) -> None:
    off = [msgspec.structs.replace(s, probability=0.0) for s in pipeline]
    assert np.array_equal(augment(x, off, LOOKBACK, np.random.default_rng(seed)), x)


@given(windows, st.integers(0, 2**32 - 1))
@settings(max_examples=100, deadline=None)
def test_noise_and_gaps_leave_the_targets_as_measured(x: np.ndarray, seed: int) -> None:
    pipeline: list[AugmentationStep] = [
        Jitter(probability=1.0, sigma=0.5),
        SyntheticGaps(probability=1.0, rate=0.3, fill="ffill"),
    ]
    out = augment(x, pipeline, LOOKBACK, np.random.default_rng(seed))
    assert np.array_equal(out[:, LOOKBACK:], x[:, LOOKBACK:])


@given(windows, st.integers(0, 2**32 - 1))
@settings(max_examples=100, deadline=None)
def test_scaling_keeps_each_windows_mean(x: np.ndarray, seed: int) -> None:
    out = augment(x, [Scaling(probability=1.0, sigma=0.5)], LOOKBACK, np.random.default_rng(seed))
    assert np.allclose(out.mean(axis=1), x.mean(axis=1), atol=1e-6 * (1 + np.abs(x).max()))


@given(windows, st.integers(0, 2**32 - 1))
@settings(max_examples=100, deadline=None)
def test_warps_slices_and_mixup_stay_within_the_batchs_range(x: np.ndarray, seed: int) -> None:
    for step in (TimeWarp(probability=1.0), WindowSlice(probability=1.0), Mixup(probability=1.0)):
        out = augment(x, [step], LOOKBACK, np.random.default_rng(seed))
        tol = 1e-9 * (1 + np.abs(x).max())
        assert out.min() >= x.min() - tol and out.max() <= x.max() + tol


@given(
    arrays(
        np.float64,
        st.tuples(st.integers(2, 30), st.just(2)),
        elements=st.floats(-100, 100, allow_nan=False),
    ),
    st.data(),
)
def test_filled_gaps_keep_known_points_and_fill_between_neighbours(
    series: np.ndarray, data: st.DataObject
) -> None:
    missing = np.array(
        data.draw(st.lists(st.booleans(), min_size=len(series), max_size=len(series)))
    )
    missing[0] = False
    for fill in ("ffill", "linear"):
        out = fill_gaps(series, missing, fill)
        assert np.array_equal(out[~missing], series[~missing])
        lo, hi = series[~missing].min(axis=0), series[~missing].max(axis=0)
        assert (out >= lo - 1e-9).all() and (out <= hi + 1e-9).all()


def test_jitter_changes_the_history() -> None:
    x = np.random.default_rng(0).normal(size=(4, LOOKBACK + 4, 2))
    out = augment(x, [Jitter(probability=1.0, sigma=0.1)], LOOKBACK, np.random.default_rng(1))
    assert not np.array_equal(out[:, :LOOKBACK], x[:, :LOOKBACK])


def test_an_unknown_kind_or_parameter_is_refused() -> None:
    with pytest.raises(msgspec.ValidationError):
        msgspec.convert({"type": "rotate"}, AugmentationStep)
    with pytest.raises(msgspec.ValidationError):
        msgspec.convert({"type": "jitter", "sigma": -1}, AugmentationStep)
