"""Contracts and request rows for the postprocessing tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec

from schemas.contracts import DeploymentContract, InferenceInput
from schemas.errors import LoadstarError

LISTED_CODES = {"INVALID_INPUT", "UNIT_INCONSISTENT", "INPUT_MISSING_EXCEEDS", "INFERENCE_FAILED"}
START = datetime(2025, 7, 1, tzinfo=UTC)


def contract(**overrides: Any) -> DeploymentContract:
    """The issue's example contract (load kW, temp degC, optional production), overridable."""
    base: dict[str, Any] = {
        "deploymentId": "dep-1",
        "modelId": "line-a-load",
        "version": 3,
        "frequency": "1h",
        "lookback": 6,
        "horizon": 4,
        "quantiles": [0.05, 0.5, 0.95],
        "timestampField": "timestamp",
        "inputs": [
            {"name": "load", "source": "value", "unit": "kW", "required": True},
            {"name": "temp", "source": "temp", "unit": "degC", "required": True},
            {"name": "production", "source": "production", "unit": "1", "required": False},
        ],
        "target": {"name": "load", "outputUnit": "kW"},
        "fill": "linear",
        "maxMissingRatio": 0.5,
        "confidence": 0.9,
        "meta": {"datasetId": "ds-1", "featurePlanId": "fp-1"},
    }
    base.update(overrides)
    return msgspec.convert(base, DeploymentContract)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def rows(
    n: int,
    step: timedelta = timedelta(hours=1),
    start: datetime = START,
    **columns: Any,
) -> list[dict[str, Any]]:
    """n rows `step` apart; each column is a list (one value per row) or a constant."""
    out = []
    for i in range(n):
        row: dict[str, Any] = {"timestamp": iso(start + i * step)}
        for name, value in columns.items():
            row[name] = value[i] if isinstance(value, list) else value
        out.append(row)
    return out


def payload(series: list[dict[str, Any]], **fields: Any) -> InferenceInput:
    return InferenceInput(series=series, **fields)


def codes(exc: LoadstarError) -> str:
    return exc.code
