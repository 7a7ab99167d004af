"""Bodies only the gateway reads or writes (the shared ones live in `schemas/`)."""

from __future__ import annotations

from typing import Any, Literal

import msgspec

from schemas.base import Wire
from schemas.contracts import InferenceInput

Row = dict[str, Any]


class DetectInput(Wire):
    """Seed 003 `detect_anomalies`: readings to check, oldest first or in any order."""

    data_stream: list[Row] = msgspec.field(name="data_stream")
    units: dict[str, str] | None = None
    deploymentId: str | None = None


class StreamMessage(Wire):
    """One WebSocket message: new readings, and optionally units, a horizon or the known
    inputs' rows for the forecast period (`future`, as in a predict request) from now on."""

    series: list[Row] | None = None
    units: dict[str, str] | None = None
    horizon: int | None = None
    future: list[Row] | None = None


class Health(Wire):
    """`GET /healthz`: the process answers."""

    status: Literal["ok"]


class Readiness(Wire):
    """`GET /readyz`: 200 when a contract is held and Triton answers, else 503."""

    ready: bool
    contractSource: str  # "controlPlane", "file" or "none"
    controlPlane: str  # "ok", "not contacted", "unreachable: ..." or "error: ..."
    stateFile: str  # "ok", "not written" or "error: ..."
    triton: str  # "ok" or why not
    deployments: int
    revision: int
    models: dict[str, str]  # deploymentId -> "ok" or why its model is not ready


decode_input = msgspec.json.Decoder(InferenceInput).decode
decode_detect = msgspec.json.Decoder(DetectInput).decode
encode = msgspec.json.Encoder().encode
