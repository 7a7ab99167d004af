"""Boosted trees walked as tensors give LightGBM's own predictions and export to ONNX; their
features read the same time of day a day and a week back."""

from __future__ import annotations

import io

import lightgbm as lgb
import numpy as np
import onnxruntime as ort
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from loadstar_core.features.stats import FeatureStats, InputStats
from schemas.feature_plan import FeaturePlan, PlanInput
from training.models.boost_fit import PARAMS
from training.models.boosted import StepFeatures
from training.models.trees import TreeEnsemble, complete_trees, float32_floor, weighted_sum

finite = st.floats(-1e30, 1e30, allow_nan=False, allow_infinity=False)


@given(threshold=finite, value=st.floats(width=32, allow_nan=False, allow_infinity=False))
def test_a_float32_threshold_splits_every_float32_value_as_the_float64_one(
    threshold: float, value: float
) -> None:
    x = np.float32(value)
    assert (x <= float32_floor(threshold)) == (float(x) <= threshold)


def _fitted(seed: int, rows: int, width: int, rounds: int) -> tuple[lgb.Booster, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, width)).astype(np.float32)
    x[:, 0] = np.round(x[:, 0], 1)  # ties at the split points
    y = np.sin(3 * x[:, 0]) + (x[:, -1] > 0.3) * 2.0 + rng.normal(scale=0.1, size=rows)
    params = {**PARAMS, "min_data_in_leaf": 5, "num_threads": 1, "seed": seed}
    model = lgb.train(params, lgb.Dataset(x, y), num_boost_round=rounds)
    test = rng.normal(size=(300, width)).astype(np.float32)
    test[:, 0] = np.round(test[:, 0], 1)
    return model, np.concatenate([test, x[:200]])


@settings(max_examples=12, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    rows=st.integers(40, 600),
    width=st.integers(1, 6),
    rounds=st.integers(1, 30),
)
def test_the_tensor_walk_reproduces_lightgbm(seed: int, rows: int, width: int, rounds: int) -> None:
    model, x = _fitted(seed, rows, width, rounds)
    trees = TreeEnsemble.from_lightgbm(model.dump_model())
    got = trees(torch.from_numpy(x)).double().numpy()
    np.testing.assert_allclose(got, model.predict(x), rtol=1e-5, atol=1e-5)


@settings(max_examples=10, deadline=None)
@given(
    seeds=st.tuples(st.integers(0, 10_000), st.integers(0, 10_000)),
    rounds=st.tuples(st.integers(1, 20), st.integers(1, 20)),
    weights=st.tuples(st.floats(-2, 2), st.floats(-2, 2)),
)
def test_a_weighted_sum_of_two_ensembles_is_one_ensemble(
    seeds: tuple[int, int], rounds: tuple[int, int], weights: tuple[float, float]
) -> None:
    first, x = _fitted(seeds[0], 300, 3, rounds[0])
    second, _ = _fitted(seeds[1], 200, 3, rounds[1])
    merged = weighted_sum([(first.dump_model(), weights[0]), (second.dump_model(), weights[1])])
    trees = TreeEnsemble.from_lightgbm(merged)
    assert trees.n_trees == first.num_trees() + second.num_trees()
    expected = weights[0] * np.asarray(first.predict(x)) + weights[1] * np.asarray(
        second.predict(x)
    )
    np.testing.assert_allclose(trees(torch.from_numpy(x)).double().numpy(), expected, atol=1e-4)


def test_shallow_leaves_are_padded_to_the_deepest_tree() -> None:
    dump = {
        "tree_info": [
            {"tree_structure": {"leaf_value": 1.5}},
            {
                "tree_structure": {
                    "split_feature": 1,
                    "threshold": 0.5,
                    "decision_type": "<=",
                    "left_child": {"leaf_value": -1.0},
                    "right_child": {
                        "split_feature": 0,
                        "threshold": 0.0,
                        "decision_type": "<=",
                        "left_child": {"leaf_value": 2.0},
                        "right_child": {"leaf_value": 3.0},
                    },
                }
            },
        ]
    }
    features, thresholds, leaves = complete_trees(dump)
    assert features.shape == (2, 3) and leaves.shape == (2, 4)
    trees = TreeEnsemble(features, thresholds, leaves)
    x = torch.tensor([[0.0, 0.5], [-1.0, 0.6], [1.0, 0.6]])
    assert trees(x).tolist() == [0.5, 3.5, 4.5]


def test_the_trees_export_to_onnx_with_a_dynamic_batch() -> None:
    model, x = _fitted(seed=3, rows=500, width=4, rounds=20)
    trees = TreeEnsemble.from_lightgbm(model.dump_model()).eval()
    buffer = io.BytesIO()
    torch.onnx.export(
        trees,
        (torch.from_numpy(x[:7]),),
        buffer,
        input_names=["x"],
        output_names=["y"],
        dynamic_axes={"x": {0: "rows"}, "y": {0: "rows"}},
        opset_version=17,
        dynamo=False,
    )
    session = ort.InferenceSession(buffer.getvalue(), providers=["CPUExecutionProvider"])
    (out,) = session.run(None, {"x": x})
    np.testing.assert_allclose(out, model.predict(x), rtol=1e-5, atol=1e-5)


@settings(max_examples=25, deadline=None)
@given(
    lookback=st.integers(24, 200),
    horizon=st.integers(1, 60),
    batch=st.integers(1, 4),
    seed=st.integers(0, 1000),
)
def test_step_features_read_the_same_time_a_day_and_a_week_back(
    lookback: int, horizon: int, batch: int, seed: int
) -> None:
    plan = FeaturePlan(
        target="load",
        inputs=[PlanInput(name="load", unit="kW"), PlanInput(name="temp", unit="degC")],
        frequency="1h",
        lookback=lookback,
        horizon=horizon,
    )
    stats = FeatureStats(
        inputs={
            "load": InputStats(mean=3.0, std=2.0, min=-5.0, max=9.0),
            "temp": InputStats(mean=0.0, std=1.0, min=-3.0, max=3.0),
        }
    )
    features = StepFeatures(plan, stats, uses_calendar=False)
    rng = np.random.default_rng(seed)
    window = torch.from_numpy(rng.normal(size=(batch, lookback, 2)).astype(np.float32))
    median = torch.zeros(batch, horizon)
    rows = features(window, None, None, median)
    assert rows.shape == (batch, horizon, features.width)
    assert torch.isfinite(rows).all()
    target = (window[..., 0] - 3.0) / 2.0
    lags = [p for p in (24, 168) if p <= lookback]
    for k, period in enumerate(lags):
        for h in range(horizon):
            back = lookback + h - period * (h // period + 1)  # same hour, inside the window
            assert 0 <= back < lookback
            assert torch.equal(rows[:, h, 2 + k], target[:, back])
