"""The exported model answers to its covariates and its calendar, and is better for them.

On the synthetic factory (shifts, weekends, holidays, a production plan and the ambient
temperature known in advance) and on ETTm1 (HUFL with the other load channels), the
default algorithm is trained twice: with the plan `features/auto` suggests and with the
target alone. Perturbing an input of the exported graph moves its p50; using the inputs
lowers the test MAE by the margins asserted below (measured: see each test).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnxruntime as ort
import polars as pl
import pytest

from infra.demo.factory import factory_frame, one_line
from loadstar_core.features.auto import suggest_plan
from schemas.feature_plan import FeaturePlan, PlanInput
from training.data import read_frame
from training.pipeline import TrainingResult, train_forecaster

DATA = Path(__file__).resolve().parents[3] / "infra" / "demo" / "data"


def _train(frame: pl.DataFrame, plan: FeaturePlan, workdir: Path) -> TrainingResult:
    return train_forecaster(frame, plan, "auto", {}, workdir=workdir, emit=lambda *_: None)


def _target_only(plan: FeaturePlan) -> FeaturePlan:
    target = next(i for i in plan.inputs if i.name == plan.target)
    return FeaturePlan(
        target=plan.target,
        inputs=[PlanInput(name=target.name, unit=target.unit)],
        frequency=plan.frequency,
        lookback=plan.lookback,
        horizon=plan.horizon,
        timestampColumn=plan.timestampColumn,
    )


def _median(session: ort.InferenceSession, feeds: dict[str, np.ndarray]) -> np.ndarray:
    out = session.run(["quantiles"], feeds)[0]
    return np.asarray(out[..., 1])


def _parity_feeds(result: TrainingResult) -> dict[str, np.ndarray]:
    saved = np.load(result.parity_path)
    return {k: saved[k] for k in saved.files if k != "quantiles"}


@pytest.fixture(scope="module")
def factory(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    frame = one_line(factory_frame(days=91, seed=3), "line-a")
    plan, _ = suggest_plan(
        frame,
        "load_kw",
        frequency="1h",
        known=["production_plan", "ambient_temp_c"],
        holidays="DE-BW",
    )
    full = _train(frame, plan, tmp_path_factory.mktemp("full"))
    alone = _train(frame, _target_only(plan), tmp_path_factory.mktemp("alone"))
    return {"plan": plan, "full": full, "alone": alone}


def test_factory_forecast_follows_the_plan_the_weather_and_the_holidays(
    factory: dict[str, object],
) -> None:
    result = factory["full"]
    plan = factory["plan"]
    assert isinstance(result, TrainingResult) and isinstance(plan, FeaturePlan)
    session = ort.InferenceSession(str(result.model_path))
    assert [i.name for i in session.get_inputs()] == ["window", "calendar", "future"]
    feeds = _parity_feeds(result)
    base = _median(session, feeds)
    production = plan.known_inputs.index("production_plan")
    more = {**feeds, "future": feeds["future"].copy()}
    more["future"][..., production] += 50.0  # 50 more units per hour planned
    assert (_median(session, more) - base).mean() > 10.0  # kW: the plan drives the load
    hot = {**feeds, "future": feeds["future"].copy()}
    hot["future"][..., plan.known_inputs.index("ambient_temp_c")] += 20.0
    assert np.abs(_median(session, hot) - base).max() > 1.0
    holiday = {**feeds, "calendar": feeds["calendar"].copy()}
    holiday["calendar"][:, plan.lookback :, 2] = 1.0  # the whole horizon a public holiday
    assert (_median(session, holiday) - base).mean() < -50.0  # the plant stands still


def test_factory_covariates_and_calendar_cut_the_error(factory: dict[str, object]) -> None:
    full, alone = factory["full"], factory["alone"]
    assert isinstance(full, TrainingResult) and isinstance(alone, TrainingResult)
    with_inputs, target_only = full.metrics["model"]["mae"], alone.metrics["model"]["mae"]
    # measured: 60.9 kW against 94.6 kW for the target alone (1h grid, 91 days, seed 3;
    # 63 against 126 before the boosted trees, which read the weekly lag's regime too)
    assert with_inputs < 0.7 * target_only
    assert full.metrics["bestBaseline"] and full.metrics["maeImprovementPct"] > 25.0


def test_factory_intervals_are_calibrated_on_unseen_weeks(factory: dict[str, object]) -> None:
    """The [p05, p95] interval covers 90% +- 4% of the test targets, with and without the
    inputs (measured: 0.901 and 0.921, widths following the last week's spread)."""
    for name in ("full", "alone"):
        result = factory[name]
        assert isinstance(result, TrainingResult)
        assert 0.86 <= result.metrics["coverage"] <= 0.94, (name, result.metrics["coverage"])
        assert result.metrics["intervalSpreadPower"] in (0.0, 0.5, 1.0)


def test_ettm1_oil_temperature_answers_to_the_load_channels(tmp_path: Path) -> None:
    """ETTm1, 8 months on a 1h grid, OT from the six load channels and the calendar.

    A ridge that fits the inputs (algorithm `linear`, one epoch) answers to a load channel
    and to the calendar. On ETT the inputs do not lower the test error (measured: MAE 1.74
    with them, 1.71 without), so the default's backtest leaves them out and stays within
    a few percent of the target-only model.
    """
    frame = read_frame(DATA / "ETTm1.csv").rename({"date": "timestamp"}).head(8 * 30 * 96)
    plan, _ = suggest_plan(frame, "OT", frequency="1h")
    assert len(plan.inputs) == 7 and plan.uses_calendar
    fitted = train_forecaster(
        frame, plan, "linear", {"epochs": 1}, workdir=tmp_path / "in", emit=lambda *_: None
    )
    session = ort.InferenceSession(str(fitted.model_path))
    feeds = _parity_feeds(fitted)
    base = _median(session, feeds)
    moved = {**feeds, "window": feeds["window"].copy()}
    moved["window"][:, -24:, plan.input_names.index("MUFL")] += 3.0  # a day of more load
    assert np.abs(_median(session, moved) - base).max() > 0.01
    calendar = {**feeds, "calendar": feeds["calendar"].copy()}
    calendar["calendar"][:, plan.lookback :, 1] = 6.5 / 7  # the whole horizon a Sunday
    assert np.abs(_median(session, calendar) - base).max() > 0.01
    default = _train(frame, plan, tmp_path / "default")
    alone = _train(frame, _target_only(plan), tmp_path / "alone")
    assert default.metrics["model"]["mae"] < 1.03 * alone.metrics["model"]["mae"]


def test_the_card_says_whether_the_boosted_trees_serve(factory: dict[str, object]) -> None:
    alone = factory["alone"]
    assert isinstance(alone, TrainingResult)
    trees = alone.metrics["candidates"]["trees"]
    # the target alone: the trees read the shifts from the lags (94.6 kW against 126)
    assert trees["served"] and alone.metrics["candidates"]["chosen"].endswith("+trees")
    assert "Boosted trees on the ridge's residuals" in alone.card_md_path.read_text()
