"""A weight's ONNX signature against a feature plan's serving contract."""

from __future__ import annotations

import msgspec
import pytest

from control_plane.lab.weight_contract import checked_signature, expected_signature
from schemas.errors import InvalidInput
from schemas.feature_plan import FeaturePlan


def _plan() -> FeaturePlan:
    return msgspec.convert(
        {
            "target": "load",
            "frequency": "1h",
            "inputs": [{"name": "load", "unit": "kW"}, {"name": "temp", "unit": "degC"}],
            "ops": [],
            "lookback": 24,
            "horizon": 6,
        },
        FeaturePlan,
    )


def _graph(horizon: int = 6, extra: bool = False) -> dict:
    inputs = [{"name": "window", "dtype": "float32", "shape": [-1, 24, 2]}]
    if extra:
        inputs.append({"name": "mask", "dtype": "float32", "shape": [-1, 24]})
    return {
        "inputs": inputs,
        "outputs": [{"name": "quantiles", "dtype": "float32", "shape": [-1, horizon, 3]}],
    }


def test_a_graph_of_the_contract_gets_the_plan_signature() -> None:
    plan = _plan()
    signature = checked_signature(_graph(), plan, None)
    assert signature == expected_signature(plan)
    assert signature["outputs"][0]["labels"] == ["p05", "p50", "p95"]
    assert [f["unit"] for f in signature["inputs"][0]["fields"]] == ["kW", "degC"]


def test_mismatches_are_named_by_tensor() -> None:
    with pytest.raises(InvalidInput) as refused:
        checked_signature(_graph(horizon=7), _plan(), None)
    assert "'quantiles'" in refused.value.message
    assert refused.value.details["mismatches"] == [
        {"tensor": "quantiles", "expected": [-1, 6, 3], "got": [-1, 7, 3]}
    ]
    with pytest.raises(InvalidInput) as extra:
        checked_signature(_graph(extra=True), _plan(), None)
    assert extra.value.details["mismatches"][0]["tensor"] == "mask"


def test_a_declared_signature_must_fit_graph_and_contract() -> None:
    plan = _plan()
    declared = expected_signature(plan)
    assert checked_signature(_graph(), plan, declared) is declared
    wrong = {**declared, "outputs": [{**declared["outputs"][0], "shape": [-1, 12, 3]}]}
    with pytest.raises(InvalidInput):
        checked_signature(_graph(), plan, wrong)
