"""A deployment's default caller units (`sourceUnits`) apply when a request names none."""

from __future__ import annotations

import msgspec
import pytest

from loadstar_core.postprocess import format_output, legalize_window, prepare_contract
from schemas.contracts import DeploymentContract, InferenceInput
from schemas.errors import InvalidInput, UnitInconsistent


def contract(**extra: object) -> DeploymentContract:
    body = {
        "deploymentId": "dep-1",
        "modelId": "m",
        "version": 1,
        "frequency": "1h",
        "lookback": 4,
        "horizon": 2,
        "quantiles": [0.05, 0.5, 0.95],
        "inputs": [{"name": "load", "source": "value", "unit": "kW"}],
        "target": {"name": "load", "outputUnit": "kW"},
        **extra,
    }
    return msgspec.convert(body, DeploymentContract)


def series(values: list[float]) -> InferenceInput:
    rows = [{"timestamp": f"2026-01-01T0{k}:00:00Z", "value": v} for k, v in enumerate(values)]
    return InferenceInput(series=rows)


def test_default_caller_unit_converts_and_answers_in_it() -> None:
    c = contract(sourceUnits={"value": "W"})
    legal = legalize_window(c, series([1000.0, 2000.0, 3000.0, 4000.0]), prepare_contract(c))
    assert legal.window[:, 0].tolist() == [1.0, 2.0, 3.0, 4.0]
    out = format_output(c, legal, [[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]])
    assert out.unit == "W" and out.intervals["p50"] == [2000.0, 2000.0]


def test_request_units_win_over_the_default() -> None:
    c = contract(sourceUnits={"value": "W"})
    payload = msgspec.structs.replace(series([1.0, 2.0, 3.0, 4.0]), units={"value": "kW"})
    legal = legalize_window(c, payload, prepare_contract(c))
    assert legal.window[:, 0].tolist() == [1.0, 2.0, 3.0, 4.0]


def test_bad_default_units_are_refused_when_the_contract_is_prepared() -> None:
    with pytest.raises(UnitInconsistent):
        prepare_contract(contract(sourceUnits={"value": "degC"}))
    with pytest.raises(InvalidInput):
        prepare_contract(contract(sourceUnits={"value": "kw"}))
