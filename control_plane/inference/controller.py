"""`POST /api/inference/predict` on the control plane, for testing from the console: through
a deployment (`deploymentId`), or a registered version by model id (`modelId`)."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, post
from litestar.params import Body
from litestar.types import ControllerRouterHandler

from control_plane.deployments.predict import predict
from control_plane.deployments.service import get_row
from control_plane.inference.by_model import predict_by_model
from control_plane.inference.schemas import BatchPrediction, ModelPredict
from schemas.contracts import DeploymentContract, InferenceInput, InferenceOutput
from schemas.errors import Conflict, InvalidInput

_BODY = (
    "Either the standard input with `deploymentId` (InferenceInput), or "
    "`{modelId, version|alias, series|batch}` (ModelPredict) for a registered version with "
    "no deployment yet: the version is published to Triton if needed and each window goes "
    "through the same legalization. A `batch` answers `{modelId, version, outputs}` from one "
    "Triton call."
)


def _decode(body: dict[str, Any]) -> InferenceInput | ModelPredict:
    kind: type[InferenceInput] | type[ModelPredict] = (
        ModelPredict if "modelId" in body else InferenceInput
    )
    try:
        return msgspec.convert(body, kind)
    except msgspec.ValidationError as exc:
        raise InvalidInput(f"invalid body: {exc}", {"body": kind.__name__}) from exc


@post(
    "/api/inference/predict",
    tags=["inference"],
    status_code=200,
    summary="Standard input -> standard output",
    description=_BODY,
)
async def predict_route(
    request: Request[Any, Any, Any], data: dict[str, Any] = Body(description=_BODY)
) -> InferenceOutput | BatchPrediction:
    payload = _decode(data)
    runtime = request.app.state.deployments
    if isinstance(payload, ModelPredict):
        return await predict_by_model(payload, runtime)
    if not payload.deploymentId:
        raise InvalidInput("deploymentId (or modelId) is required", {"field": "deploymentId"})
    row = await get_row(payload.deploymentId)
    if row["status"] != "active":
        raise Conflict("the deployment is revoked", {"deploymentId": payload.deploymentId})
    contract = msgspec.convert(row["contract"], DeploymentContract)
    return await predict(
        contract, row["triton_model"], row["model_version"], payload, runtime.inference
    )


inference_routes: list[ControllerRouterHandler] = [predict_route]
