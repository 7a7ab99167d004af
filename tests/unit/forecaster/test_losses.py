"""Pinball loss, non-crossing quantiles and interval calibration."""

from __future__ import annotations

import numpy as np
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from training.calibration import choose_spread_power, interval_scale, scaled
from training.models.common import monotone_quantiles, pinball_loss


def test_pinball_loss_weights_under_and_over_prediction_by_the_level() -> None:
    levels = torch.tensor([0.1, 0.5, 0.9])
    target = torch.tensor([[1.0]])
    under = torch.zeros(1, 1, 3)  # prediction 0, error +1
    over = torch.full((1, 1, 3), 2.0)  # prediction 2, error -1
    assert torch.allclose(pinball_loss(under, target, levels), torch.tensor((0.1 + 0.5 + 0.9) / 3))
    assert torch.allclose(pinball_loss(over, target, levels), torch.tensor((0.9 + 0.5 + 0.1) / 3))
    assert float(pinball_loss(torch.ones(1, 1, 3), target, levels)) == 0.0


def test_the_median_minimises_the_half_level_loss() -> None:
    target = torch.tensor([[0.0, 1.0, 2.0, 10.0, 11.0]]).T
    losses = {
        c: float(pinball_loss(torch.full((5, 1, 1), c), target, torch.tensor([0.5])))
        for c in (0.0, 2.0, 5.0)
    }
    assert min(losses, key=losses.__getitem__) == 2.0


@settings(max_examples=50, deadline=None)
@given(
    arrays(np.float32, (3, 4, 5), elements=st.floats(-30, 30, width=32)),
    st.integers(0, 4),
    arrays(np.float32, (3, 1), elements=st.floats(0.125, 10, width=32)),
)
def test_quantiles_never_cross(raw: np.ndarray, median: int, spread: np.ndarray) -> None:
    out = monotone_quantiles(torch.from_numpy(raw), median, torch.from_numpy(spread))
    assert torch.all(out[..., 1:] >= out[..., :-1])
    assert torch.equal(out[..., median], torch.from_numpy(raw)[..., median])


def test_interval_scale_restores_nominal_coverage() -> None:
    rng = np.random.default_rng(0)
    target = rng.normal(0, 2.0, size=(4000, 3))
    # A model whose intervals are half as wide as they should be (sd 1 instead of 2).
    quantiles = np.stack(
        [np.full_like(target, -1.645), np.zeros_like(target), np.full_like(target, 1.645)], axis=-1
    )
    factors = interval_scale(quantiles, target, [0.05, 0.5, 0.95], 1)
    assert factors[1] == 1.0
    np.testing.assert_allclose(factors[[0, 2]], [2.0, 2.0], rtol=0.08)
    lower, upper = -1.645 * factors[0], 1.645 * factors[2]
    assert 0.88 < ((target >= lower) & (target <= upper)).mean() < 0.92


def _gaussian_quantiles(width: np.ndarray) -> np.ndarray:
    """[N, H, 3] p05, p50, p95 of N(0, width) per window."""
    z = np.array([-1.645, 0.0, 1.645])
    return np.broadcast_to(width[:, None, None] * z, (len(width), 4, 3)).copy()


def test_spread_power_follows_the_volatility_only_where_it_predicts_the_errors() -> None:
    rng = np.random.default_rng(1)
    ratio = np.exp(rng.normal(0, 0.6, 6000))
    levels = [0.05, 0.5, 0.95]
    # The model made its widths at power 1 (proportional to the ratio).
    quantiles = _gaussian_quantiles(ratio)
    # Errors that do scale with the window's volatility: keep power 1.
    heteroscedastic = rng.normal(0, 1, (6000, 4)) * ratio[:, None]
    power, _ = choose_spread_power(quantiles, heteroscedastic, ratio, 1.0, levels, 1)
    assert power == 1.0
    # Errors that do not: constant widths, and the calibrated interval covers ~90%.
    constant = rng.normal(0, 1, (6000, 4))
    power, factors = choose_spread_power(quantiles, constant, ratio, 1.0, levels, 1)
    assert power == 0.0
    widths = scaled(_gaussian_quantiles(np.ones_like(ratio)), factors, 1)
    covered = (constant >= widths[..., 0]) & (constant <= widths[..., -1])
    assert 0.88 < covered.mean() < 0.92
