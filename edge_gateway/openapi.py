"""The gateway's OpenAPI document, served at `GET /schema/openapi.json`.

The inference routes are plain ASGI handlers (the hot path skips the framework's request
parsing), so the framework cannot describe them: the document is built here from the same
Structs the data plane decodes and encodes, once, when it is first asked for. Nothing of
it runs on a request to another route.

    python -m edge_gateway.openapi   # rewrite the committed copy, edge_gateway/openapi.json
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path
from typing import Any

import msgspec

from edge_gateway.wire import DetectInput, Health, Readiness
from schemas.contracts import AnomalyReport, ErrorBody, InferenceInput, InferenceOutput
from schemas.documents import SavedDocument

OPENAPI_PATH = "/schema/openapi.json"
OPENAPI_MEDIA_TYPE = "application/vnd.oai.openapi+json"
SAVED = Path(__file__).resolve().with_name("openapi.json")
_REF = "#/components/schemas/{name}"

# every error answer is the standard body; the status says which kinds can come back
_ERRORS: dict[str, str] = {
    "400": "INVALID_INPUT: the body is not JSON of this shape, or a field is wrong "
    "(`details` names it)",
    "401": "UNAUTHORIZED: no `Authorization: Bearer <apiToken>`, or an unknown, revoked or "
    "expired key",
    "403": "FORBIDDEN: the body's `deploymentId` or the path's asset belongs to another deployment",
    "404": "NOT_FOUND: no live deployment with that `deploymentId` or asset",
    "413": "PAYLOAD_TOO_LARGE: the body is over the gateway's limit",
    "422": "UNIT_INCONSISTENT (a unit that does not convert to the contract's) or "
    "INPUT_MISSING_EXCEEDS (more of the window is missing than the contract allows)",
    "500": "INTERNAL_ERROR",
    "502": "INFERENCE_FAILED: Triton rejected the request or returned nonsense",
    "503": "INFERENCE_FAILED: Triton is unreachable or the model is not loaded",
    "504": "INFERENCE_FAILED: Triton answered slower than the gateway's timeout",
}
_ASSET = {
    "name": "assetId",
    "in": "path",
    "required": True,
    "description": "The asset (line, machine) the caller's deployment serves",
    "schema": {"type": "string", "minLength": 1},
}


def _content(name: str) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": _REF.format(name=name)}}}


def _json(name: str, description: str) -> dict[str, Any]:
    return {"description": description, "content": _content(name)}


def _inference(
    operation_id: str, summary: str, body: str, answer: str, asset: bool
) -> dict[str, Any]:
    described = {"InferenceOutput": "the standard output", "AnomalyReport": "the anomalies"}
    responses = {"200": _json(answer, described[answer])}
    responses.update({status: _json("ErrorBody", text) for status, text in _ERRORS.items()})
    operation: dict[str, Any] = {
        "operationId": operation_id,
        "summary": summary,
        "tags": ["inference"],
        "security": [{"apiToken": []}],
        "requestBody": {"required": True, "content": _content(body)},
        "responses": responses,
    }
    if asset:
        operation["parameters"] = [_ASSET]
    return {"post": operation}


def _operational(operation_id: str, summary: str, responses: dict[str, Any]) -> dict[str, Any]:
    return {"get": {"operationId": operation_id, "summary": summary, "tags": ["operations"],
                    "responses": responses}}  # fmt: skip


@functools.cache
def document() -> dict[str, Any]:
    """The whole document (built once per process)."""
    structs = [InferenceInput, InferenceOutput, DetectInput, AnomalyReport, ErrorBody]
    _, components = msgspec.json.schema_components([*structs, Health, Readiness], ref_template=_REF)
    metrics_text = {"text/plain": {"schema": {"type": "string"}}}
    paths = {
        "/api/inference/predict": _inference(
            "predict",
            "Forecast from raw readings; the deployment is the token's",
            "InferenceInput",
            "InferenceOutput",
            asset=False,
        ),
        "/api/v1/assets/{assetId}/predict": _inference(
            "assetPredict",
            "Forecast for an asset (seed 003: `historical_data`, `forecast_horizon`); "
            "`meta.assetId` is the path's",
            "InferenceInput",
            "InferenceOutput",
            asset=True,
        ),
        "/api/v1/assets/{assetId}/detect_anomalies": _inference(
            "assetDetectAnomalies",
            "Check each observation of `data_stream` against the interval forecast from "
            "the readings before it",
            "DetectInput",
            "AnomalyReport",
            asset=True,
        ),
        "/healthz": _operational("healthz", "Liveness", {"200": _json("Health", "alive")}),
        "/readyz": _operational(
            "readyz",
            "Readiness: a contract is held and Triton answers",
            {"200": _json("Readiness", "ready"), "503": _json("Readiness", "not ready")},
        ),
        "/metrics": _operational(
            "metrics",
            "Prometheus metrics",
            {"200": {"description": "Prometheus text format", "content": metrics_text}},
        ),
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Loadstar edge gateway",
            "version": "0.1.0",
            "description": "Forecasts and anomaly checks from a line's raw readings. Every "
            "answer that is not a forecast is the standard error body `{code, message, "
            "details}`. The WebSocket `/ws/predict?token=<apiToken>` (one answer per "
            "message, the same bodies) is outside what OpenAPI describes.",
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                "apiToken": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "the deployment's API token",
                }
            },
        },
    }


@functools.cache
def document_bytes() -> bytes:
    """The document as the route sends it."""
    return msgspec.json.encode(document())


DOCUMENT = SavedDocument(SAVED, document)
render = DOCUMENT.render

if __name__ == "__main__":
    sys.exit(DOCUMENT.main())
