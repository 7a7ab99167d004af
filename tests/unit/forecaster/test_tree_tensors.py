"""Boosted trees walked as tensors give LightGBM's own predictions, and export to ONNX."""

from __future__ import annotations

import io

import lightgbm as lgb
import numpy as np
import onnxruntime as ort
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from training.models.boost_fit import PARAMS
from training.models.trees import TreeEnsemble, complete_trees, float32_floor

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
