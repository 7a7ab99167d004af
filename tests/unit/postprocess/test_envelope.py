"""format_output: the standard output's shape, units, rounding, crossing and failures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import msgspec
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loadstar_core.postprocess import (
    LegalizedWindow,
    format_output,
    interval_key,
    legalize_window,
    prepare_contract,
    round_significant,
)
from schemas.contracts import DeploymentContract, InferenceInput, InferenceOutput
from schemas.errors import InferenceFailed, InvalidInput

from .builders import START, contract, iso, rows

NOW = datetime(2025, 7, 1, 6, 0, 1, 234_567, tzinfo=UTC)


def legalized(
    dep: DeploymentContract | None = None, **fields: Any
) -> tuple[DeploymentContract, LegalizedWindow]:
    dep = dep or contract()
    series = rows(6, value=1.0, temp=1.0, production=1.0)
    return dep, legalize_window(dep, InferenceInput(series=series, **fields), prepare_contract(dep))


def test_standard_output_shape() -> None:
    dep, legal = legalized()
    raw = [[1.0, 2.0, 3.0], [2.0, 3.0, 4.0], [3.0, 4.0, 5.0], [4.0, 5.0, 6.0]]
    out = format_output(dep, legal, raw, None, NOW)
    body = msgspec.json.decode(msgspec.json.encode(out))
    assert body == {
        "modelId": "line-a-load",
        "version": 3,
        "timestamp": "2025-07-01T06:00:01.234Z",
        "values": [{"t": iso(START + timedelta(hours=6 + i)), "y": 2.0 + i} for i in range(4)],
        "unit": "kW",
        "intervals": {
            "p05": [1.0, 2.0, 3.0, 4.0],
            "p50": [2.0, 3.0, 4.0, 5.0],
            "p95": [3.0, 4.0, 5.0, 6.0],
        },
        "confidence": 0.9,
        "confidenceSource": "hold-out",
        "warnings": [],
        "meta": {"datasetId": "ds-1", "featurePlanId": "fp-1", "deploymentId": "dep-1"},
    }
    msgspec.json.decode(msgspec.json.encode(out), type=InferenceOutput)


def test_requested_horizon_truncates() -> None:
    dep, legal = legalized(horizon=2)
    out = format_output(dep, legal, np.ones((4, 3)), None, NOW)
    assert len(out.values) == 2 and all(len(v) == 2 for v in out.intervals.values())
    assert len(format_output(dep, legal, np.ones((4, 3)), 3, NOW).values) == 3
    with pytest.raises(InvalidInput):
        format_output(dep, legal, np.ones((4, 3)), 5, NOW)


def test_output_in_the_callers_unit_for_the_target() -> None:
    dep, legal = legalized(units={"value": "W"})
    out = format_output(dep, legal, [[1.0, 2.0, 3.0]] * 4, None, NOW)
    assert out.unit == "W" and out.intervals["p50"] == [2000.0] * 4


def test_output_unit_conversion_from_the_model_unit() -> None:
    dep, legal = legalized(contract(target={"name": "temp", "outputUnit": "degF"}))
    out = format_output(dep, legal, [[0.0, 100.0, 37.0]] * 4, None, NOW)
    assert out.unit == "degF"
    assert out.intervals == {"p05": [32.0] * 4, "p50": [98.6] * 4, "p95": [212.0] * 4}


def test_six_significant_digits() -> None:
    dep, legal = legalized()
    out = format_output(dep, legal, [[1e-7 / 3, 1.23456789, 123456.789]] * 4, None, NOW)
    assert out.intervals["p05"][0] == 3.33333e-08
    assert out.intervals["p50"][0] == 1.23457
    assert out.intervals["p95"][0] == 123457.0


def test_crossed_quantiles_are_sorted_with_a_warning() -> None:
    dep, legal = legalized()
    raw = [[1.0, 2.0, 3.0], [3.0, 2.0, 1.0], [1.0, 3.0, 2.0], [1.0, 1.0, 1.0]]
    out = format_output(dep, legal, raw, None, NOW)
    assert out.intervals["p05"] == [1.0, 1.0, 1.0, 1.0]
    assert out.intervals["p95"] == [3.0, 3.0, 3.0, 1.0]
    (warning,) = out.warnings
    assert warning.code == "QUANTILES_CROSSED" and warning.details["steps"] == 2


def test_contract_quantile_order_is_respected() -> None:
    dep, legal = legalized(contract(quantiles=[0.5, 0.95, 0.05]))
    out = format_output(dep, legal, [[2.0, 3.0, 1.0]] * 4, None, NOW)
    assert list(out.intervals) == ["p05", "p50", "p95"]
    assert out.intervals["p05"][0] == 1.0 and out.values[0].y == 2.0 and out.warnings == []


@pytest.mark.parametrize(
    "raw",
    [
        [[1.0, float("nan"), 2.0]] * 4,
        [[1.0, 2.0, float("inf")]] * 4,
        [[1.0, 2.0]] * 4,
        [[1.0, 2.0, 3.0]] * 3,
        [[1.0, 2.0, 3.0], [1.0]],
        "nonsense",
        [[None, 1.0, 2.0]] * 4,
    ],
)
def test_bad_model_output_is_inference_failed_502(raw: object) -> None:
    dep, legal = legalized()
    with pytest.raises(InferenceFailed) as info:
        format_output(dep, legal, raw, None, NOW)
    assert info.value.kind == "bad_output" and info.value.status == 502


def test_a_leading_batch_axis_is_accepted() -> None:
    dep, legal = legalized()
    out = format_output(dep, legal, np.ones((1, 4, 3), dtype=np.float32), None, NOW)
    assert out.intervals["p50"] == [1.0] * 4


@pytest.mark.parametrize(
    ("now", "text"),
    [
        (
            datetime(2025, 7, 1, 8, 0, tzinfo=timezone(timedelta(hours=2))),
            "2025-07-01T06:00:00.000Z",
        ),
        (datetime(2025, 7, 1, 6, 0), "2025-07-01T06:00:00.000Z"),
    ],
)
def test_timestamp_is_utc_with_z(now: datetime, text: str) -> None:
    dep, legal = legalized()
    assert format_output(dep, legal, np.ones((4, 3)), None, now).timestamp == text


@pytest.mark.parametrize(
    ("q", "key"),
    [(0.05, "p05"), (0.5, "p50"), (0.95, "p95"), (0.1, "p10"), (0.025, "p02.5"), (0.975, "p97.5")],
)
def test_interval_keys(q: float, key: str) -> None:
    assert interval_key(q) == key


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=1, max_size=20))
def test_rounding_keeps_six_significant_digits(values: list[float]) -> None:
    rounded = round_significant(np.array(values))
    for original, r in zip(values, rounded.tolist(), strict=True):
        assert float(f"{r:.6g}") == r
        assert r == float(f"{original:.6g}") or abs(r - original) <= abs(original) * 5.000001e-6


def test_a_live_confidence_says_so() -> None:
    dep, legal = legalized()
    dep.confidence, dep.confidenceSource = 0.87, "live"
    raw = [[1.0, 2.0, 3.0], [2.0, 3.0, 4.0], [3.0, 4.0, 5.0], [4.0, 5.0, 6.0]]
    out = format_output(dep, legal, raw, None, NOW)
    assert (out.confidence, out.confidenceSource) == (0.87, "live")
