"""The ridge's algebra on sufficient statistics, block by block, against the windows
themselves: squared errors, the normal matrix times weights, and the ridge solve."""

from __future__ import annotations

import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from training.models.warm_start import Moments, _solve, _sse, gram_times


def _data(seed: int, b: int, d: int, h: int, e: int) -> tuple[torch.Tensor, ...]:
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(b, d, generator=generator, dtype=torch.float64)
    x[:, -1] = 1.0  # the intercept column
    ex = torch.randn(b, h, e, generator=generator, dtype=torch.float64)
    y = torch.randn(b, h, generator=generator, dtype=torch.float64)
    return x, ex, y


def _moments(x: torch.Tensor, ex: torch.Tensor, y: torch.Tensor) -> Moments:
    return Moments(
        xx=x.T @ x,
        xe=torch.einsum("bd,bhe->hde", x, ex),
        ee=torch.einsum("bhe,bhf->hef", ex, ex),
        xy=x.T @ y,
        ey=torch.einsum("bhe,bh->he", ex, y),
        yy=(y * y).sum(0),
        count=x.shape[0],
    )


SIZES = {
    "seed": st.integers(0, 2**16),
    "d": st.integers(2, 9),
    "h": st.integers(1, 5),
    "e": st.integers(0, 6),
}


@settings(max_examples=40, deadline=None)
@given(**SIZES)
def test_squared_errors_from_moments_are_those_of_the_windows(
    seed: int, d: int, h: int, e: int
) -> None:
    x, ex, y = _data(seed, 40, d, h, e)
    generator = torch.Generator().manual_seed(seed + 1)
    history = torch.randn(d, h, generator=generator, dtype=torch.float64)
    exog = torch.randn(h, e, generator=generator, dtype=torch.float64)
    forecast = x @ history + (ex * exog).sum(-1)
    expected = float(((y - forecast) ** 2).sum())
    got = _sse(_moments(x, ex, y), history, exog)
    assert abs(got - expected) <= 1e-8 * max(1.0, expected)


@settings(max_examples=40, deadline=None)
@given(**SIZES, strength=st.sampled_from([1e-3, 1e-1, 1.0]))
def test_the_ridge_solves_its_normal_equations(
    seed: int, d: int, h: int, e: int, strength: float
) -> None:
    x, ex, y = _data(seed, 60, d, h, e)
    m = _moments(x, ex, y)
    keep = d - 1  # every history point
    history, exog = _solve(m, keep, strength)
    # the gradient of the penalised squared error vanishes at the solution
    level = float(torch.diagonal(m.xx)[:-1].mean())
    energy = torch.diagonal(m.ee, dim1=1, dim2=2).mean(0).clamp(min=1e-9)
    penalty = torch.cat(
        [
            torch.full((d - 1,), strength * level, dtype=torch.float64),
            torch.zeros(1, dtype=torch.float64),
            strength * energy + 1e-9 * level,
        ]
    )
    w = torch.cat([history.T, exog], dim=1)  # [H, K]
    rhs = torch.cat([m.xy.T, m.ey], dim=1)
    residual = gram_times(m, history, exog) + penalty * w - rhs
    assert float(residual.abs().max()) <= 1e-7 * max(1.0, float(rhs.abs().max()))
