"""The default's backtest-weighted ensemble: one linear forecast, weights from the backtest.

Every member (a ridge fit of the raw or the last-value-normalised history, with or without
the calendar and covariates) is linear in the history and the exogenous features, so their
weighted sum is one linear forecast: the exported graph's p50 is exactly the weighted sum
of the members' p50, at no cost when serving.
"""

from __future__ import annotations

from pathlib import Path

import msgspec
import numpy as np
import onnxruntime as ort
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from loadstar_core.features.align import align_frame
from loadstar_core.stacking import simplex_weights
from training.data import SeriesData, prepare_series
from training.export import export_onnx
from training.graph import ForecastGraph
from training.models import parse_hyperparams
from training.models.selection import (
    ENSEMBLE,
    MEMBERS,
    NORMS,
    candidate_name,
    choose,
    out_of_fold_error,
)
from training.models.warm_start import fit_linear_starts, shift_to_median
from training.pipeline import build_graph

from .synthetic import daily_frame, small_plan


@settings(max_examples=60, deadline=None)
@given(
    st.integers(min_value=1, max_value=5).flatmap(
        lambda n: st.lists(
            st.floats(min_value=-3, max_value=3, allow_nan=False), min_size=n * 7, max_size=n * 7
        )
    )
)
def test_simplex_weights_minimise_the_combined_error(values: list[float]) -> None:
    errors = np.asarray(values).reshape(7, -1)  # 7 windows, n candidates
    cross = errors.T @ errors
    weights = simplex_weights(cross)
    assert np.all(weights >= 0)
    assert weights.sum() == pytest.approx(1.0)
    best = weights @ cross @ weights
    size = cross.shape[0]
    rng = np.random.default_rng(0)
    others = [np.eye(size)[i] for i in range(size)] + list(rng.dirichlet(np.ones(size), 50))
    for other in others:
        assert best <= other @ cross @ other + 1e-9 * (1 + abs(best))


def _series() -> tuple[SeriesData, dict[str, ForecastGraph]]:
    plan = small_plan()
    series = prepare_series(align_frame(daily_frame(days=60), plan), plan, (0.7, 0.15, 0.15))
    params = parse_hyperparams("auto", {})
    graphs = {
        norm: build_graph(plan, series, msgspec.structs.replace(params, instance_norm=norm))
        for norm in NORMS
    }
    return series, graphs


def _p50(graph: ForecastGraph, series: SeriesData) -> torch.Tensor:
    test = series.windows("test")
    batch = test.batch(torch.arange(len(test)))
    with torch.no_grad():
        out: torch.Tensor = graph.eval()(batch.window, batch.calendar, batch.future)
    return out[..., graph.forecaster.median_index]


def test_the_ensemble_graph_is_the_weighted_sum_of_its_members(tmp_path: Path) -> None:
    series, graphs = _series()
    train, val = series.windows("train"), series.windows("val")
    weights = {("none", True): 0.5, ("last", True): 0.3, ("last", False): 0.2}
    plan = small_plan()
    params = parse_hyperparams("auto", {})
    mixed = build_graph(plan, series, msgspec.structs.replace(params, instance_norm="none"))
    start, _ = fit_linear_starts(
        mixed, train, val, plan.quantiles, blend=graphs["last"], mixture=weights, refit=False
    )
    mixed.forecaster.warm_start(start)
    expected = torch.zeros(1)
    for (norm, exogenous), weight in weights.items():
        member = build_graph(plan, series, msgspec.structs.replace(params, instance_norm=norm))
        member.forecaster.warm_start(
            fit_linear_starts(member, train, val, plan.quantiles, exogenous=exogenous, refit=False)[
                0
            ]
        )
        expected = expected + weight * _p50(member, series)
    actual = _p50(mixed, series)
    # up to each one's shift to the median of its training errors: one number per step
    shift = (actual - expected).mean(0, keepdim=True)
    torch.testing.assert_close(actual, expected + shift, rtol=1e-4, atol=1e-3)
    # and so does the exported graph
    test = series.windows("test")
    sample = test.batch(torch.arange(min(16, len(test))))
    report = export_onnx(mixed, sample, tmp_path)
    session = ort.InferenceSession(str(report.path), providers=["CPUExecutionProvider"])
    feeds = {"window": sample.window.numpy(), "calendar": sample.calendar.numpy()}
    wanted = {i.name for i in session.get_inputs()}
    onnx_p50 = session.run(["quantiles"], {k: v for k, v in feeds.items() if k in wanted})[0]
    np.testing.assert_allclose(
        onnx_p50[..., mixed.forecaster.median_index],
        actual[: len(sample.window)].numpy(),
        rtol=1e-3,
        atol=1e-2,
    )


def test_the_ensemble_weights_come_from_the_backtest() -> None:
    series, graphs = _series()
    choice = choose(graphs, series.windows("train"), series.windows("val"))
    members = [candidate_name(n, e) for n, e in MEMBERS]
    assert set(members) | {"ridge-mix", "ridge-mix+inputs", ENSEMBLE} == set(choice.scores)
    assert np.isfinite(choice.scores[ENSEMBLE])  # two folds: scored out of fold
    assert not choice.weights or choice.name == ENSEMBLE
    if choice.weights:
        assert set(choice.weights) <= set(members)
        assert sum(choice.weights.values()) == pytest.approx(1.0)
        assert choice.scores[ENSEMBLE] <= min(choice.scores.values()) + 1e-12


def _cross(errors: np.ndarray) -> np.ndarray:
    cross: np.ndarray = errors.T @ errors / len(errors)
    return cross


def test_out_of_fold_weights_do_not_score_the_fold_they_were_fitted_on() -> None:
    rng = np.random.default_rng(3)
    # member 0 is good on fold 0 only, member 1 on fold 1 only: in-fold weights would pick
    # each fold's winner, out of fold each fold is scored with the other fold's winner
    fold0 = rng.normal(size=(200, 2)) * [0.5, 2.0]
    fold1 = rng.normal(size=(200, 2)) * [2.0, 0.5]
    crosses = [_cross(fold0), _cross(fold1)]
    honest = out_of_fold_error(crosses)
    in_fold = np.mean([w @ c @ w for c in crosses for w in [simplex_weights(c)]])
    assert honest > 2 * in_fold
    assert honest == pytest.approx(
        np.mean(
            [
                simplex_weights(crosses[1 - k]) @ c @ simplex_weights(crosses[1 - k])
                for k, c in enumerate(crosses)
            ]
        )
    )


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=0, max_value=10_000), st.integers(min_value=2, max_value=4))
def test_out_of_fold_error_is_never_below_the_in_fold_optimum(seed: int, folds: int) -> None:
    rng = np.random.default_rng(seed)
    crosses = [_cross(rng.normal(size=(30, 3)) * rng.uniform(0.2, 3, 3)) for _ in range(folds)]
    in_fold = np.mean([w @ c @ w for c in crosses for w in [simplex_weights(c)]])
    assert out_of_fold_error(crosses) >= in_fold - 1e-9


def test_a_single_fold_cannot_score_an_ensemble() -> None:
    assert out_of_fold_error([np.eye(2)]) == float("inf")


@settings(max_examples=60, deadline=None)
@given(
    st.integers(min_value=0, max_value=10_000),
    st.floats(min_value=-2, max_value=2),
    st.floats(min_value=0.0, max_value=3.0),
)
def test_the_median_shift_serves_only_when_validation_says_so(
    seed: int, offset: float, skew: float
) -> None:
    rng = np.random.default_rng(seed)

    def errors(count: int) -> torch.Tensor:
        draws = rng.normal(size=(count, 4)) + skew * rng.exponential(size=(count, 4)) + offset
        return torch.from_numpy(draws - draws.mean())  # least-squares errors: mean zero

    train, val = errors(200), errors(80)
    shift = shift_to_median(train, val)
    before = float(val.abs().mean())
    if bool(shift.abs().sum() > 0):
        torch.testing.assert_close(shift, torch.quantile(train, 0.5, dim=0))
        assert float((val - shift).abs().mean()) < before
    else:
        median = torch.quantile(train, 0.5, dim=0)
        assert float((val - median).abs().mean()) >= before


def test_a_skewed_error_moves_the_forecast_to_its_median() -> None:
    rng = np.random.default_rng(0)
    draws = rng.exponential(size=(600, 3))
    draws -= draws.mean()  # mean zero, median below it
    shift = shift_to_median(torch.from_numpy(draws[:400]), torch.from_numpy(draws[400:]))
    assert bool((shift < -0.2).all())
