"""`auto`'s boosted trees: on a factory line whose load follows its shifts they earn their
place on validation and move the p50 (every quantile with it), and the exported graph
serves exactly the corrected forecast; on a smooth cycle the ridge serves alone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np
import onnxruntime as ort
import polars as pl
import torch
from hypothesis import given
from hypothesis import strategies as st

from infra.demo.factory import factory_frame, one_line
from loadstar_core.features.align import align_frame
from schemas.feature_plan import FeaturePlan, PlanInput
from training.candidates import build_graph
from training.data import prepare_series
from training.export import export_onnx
from training.graph import ForecastGraph
from training.models import parse_hyperparams
from training.models.boost_fit import (
    DIRECT_SHARE,
    MAX_ROUNDS,
    PARAMS,
    BoostResult,
    _stopped,
    correction,
    fit_booster,
    served_share,
)
from training.models.boosted import MEDIAN_COLUMN, StepFeatures
from training.models.warm_start import fit_linear_starts

from .synthetic import daily_frame, small_plan

mae = st.floats(0.0, 10.0, allow_nan=False)


def _factory() -> tuple[pl.DataFrame, FeaturePlan]:
    """A line of the synthetic factory (shifts, weekends, holidays), its load alone:
    the next hours depend on whether a shift is running, which the lags tell."""
    frame = one_line(factory_frame(days=91, seed=3), "line-a")
    plan = FeaturePlan(
        target="load_kw",
        inputs=[PlanInput(name="load_kw", unit="kW")],
        frequency="1h",
        lookback=168,
        horizon=24,
        timestampColumn="timestamp",
    )
    return frame, plan


def _booster(frame: pl.DataFrame, plan: FeaturePlan) -> tuple[ForecastGraph, BoostResult, Any]:
    series = prepare_series(align_frame(frame, plan), plan, (0.7, 0.1, 0.2))
    graph = build_graph(plan, series, parse_hyperparams("auto", {}))
    train, val = series.windows("train"), series.windows("val")
    held_out, refit = fit_linear_starts(graph, train, val, plan.quantiles)
    graph.forecaster.warm_start(held_out)
    features = StepFeatures(plan, series.stats, graph.uses_calendar)
    return graph, fit_booster(graph, features, train, val, refit), series


def test_trees_earn_their_place_on_a_factory_line() -> None:
    _, result, _ = _booster(*_factory())
    assert result.served and result.rounds >= 10
    assert result.direct_rounds >= 10 and result.direct_share == DIRECT_SHARE
    assert result.boosted_mae < 0.8 * result.ridge_mae  # measured: 0.265 against 0.404


def test_on_a_smooth_cycle_the_ridge_serves_alone() -> None:
    _, result, _ = _booster(daily_frame(days=60), small_plan())
    assert not result.served and result.refit is None


def test_the_exported_graph_serves_the_corrected_p50(tmp_path: Path) -> None:
    graph, result, series = _booster(*_factory())
    assert result.refit is not None
    batch = series.windows("test").batch(torch.arange(64))
    with torch.no_grad():
        ridge = graph.eval()(batch.window, batch.calendar, batch.future).numpy()
        graph.booster = result.refit
        boosted = graph(batch.window, batch.calendar, batch.future).numpy()
    report = export_onnx(graph, batch, tmp_path)  # raises when ONNX drifts from torch
    session = ort.InferenceSession(str(report.path))
    (served,) = session.run(None, {"window": batch.window.numpy()})
    np.testing.assert_allclose(served, boosted, rtol=1e-4, atol=1e-2)
    assert np.abs(boosted[..., 1] - ridge[..., 1]).mean() > 1.0  # kW: the trees moved it
    assert np.all(np.diff(served, axis=-1) >= 0)  # the quantiles stay ordered
    assert np.allclose(boosted - boosted[..., 1:2], ridge - ridge[..., 1:2], atol=1e-3)


def _noisy_rows(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    x = rng.normal(size=(n, 4)).astype(np.float32)
    return x, 0.5 * x[:, 0] + np.sin(2 * x[:, 1]) + rng.standard_t(2, size=n)


def test_the_rounds_kept_are_the_lowest_of_the_whole_validation_curve() -> None:
    """A flat stretch of the validation curve is not its end: the trees run every round and
    keep the one with the lowest validation MAE. On these rows (a signal under heavy-tailed
    noise, few validation rows) the curve is flat from round 143 to 173, and its lowest
    point comes at round 296: stopping after 30 rounds without a new best would keep 143."""
    rng = np.random.default_rng(1)
    x, y = _noisy_rows(rng, 20_000)
    x_val, y_val = _noisy_rows(rng, 300)
    booster = _stopped(x, y, x_val, y_val, seed=0)
    reference = lgb.train(
        {**PARAMS, "seed": 0, "num_threads": torch.get_num_threads()},
        lgb.Dataset(x, y, params={"verbose": -1}),
        num_boost_round=MAX_ROUNDS,
    )
    curve = [
        np.abs(y_val - reference.predict(x_val, num_iteration=k)).mean()
        for k in range(1, MAX_ROUNDS + 1)
    ]
    best = int(np.argmin(curve)) + 1
    assert best > 173  # the plateau really is there
    assert booster.best_iteration == best


def test_the_served_p50_is_the_average_of_the_ridge_corrected_and_the_direct_forecast() -> None:
    """Residual trees forecast the ridge's error, direct trees the target; the module's
    correction moves the ridge's p50 to the average of (ridge + residual) and direct."""
    rng = np.random.default_rng(4)
    x, residual = _noisy_rows(rng, 4000)  # column 1 plays the ridge's p50
    target = residual + x[:, MEDIAN_COLUMN]
    params = {**PARAMS, "min_data_in_leaf": 20, "num_threads": 1, "seed": 0}
    residual_trees, direct_trees = (
        lgb.train(params, lgb.Dataset(x, y, params={"verbose": -1}), num_boost_round=30)
        for y in (residual, target)
    )
    plan = small_plan()
    series = prepare_series(align_frame(daily_frame(days=20), plan), plan, (0.7, 0.1, 0.2))
    features = StepFeatures(plan, series.stats, False)
    module = correction(features, residual_trees, direct_trees, DIRECT_SHARE)
    median = x[:, MEDIAN_COLUMN]
    with torch.no_grad():
        moved = module.trees(torch.from_numpy(x)).double().numpy() - module.direct_share * median
    ridge_corrected = median + np.asarray(residual_trees.predict(x))
    direct = np.asarray(direct_trees.predict(x))
    expected = 0.5 * ridge_corrected + 0.5 * direct
    np.testing.assert_allclose(median + moved, expected, atol=1e-4)
    alone = correction(features, residual_trees)
    assert alone.direct_share == 0.0 and alone.trees.n_trees == 30


@given(ridge=st.floats(0.01, 10.0), residual=mae, average=mae)
def test_the_average_serves_where_it_clears_the_check_else_the_residual_trees(
    ridge: float, residual: float, average: float
) -> None:
    share = served_share({0.0: residual, DIRECT_SHARE: average}, ridge)
    clears = {s: m <= 0.98 * ridge for s, m in ((0.0, residual), (DIRECT_SHARE, average))}
    if clears[DIRECT_SHARE]:
        assert share == DIRECT_SHARE  # even where the residual trees alone score lower
    elif clears[0.0]:
        assert share == 0.0
    else:
        assert share is None
    assert served_share({0.0: residual}, ridge) == (0.0 if clears[0.0] else None)
