"""`POST /api/inference/predict` on the control plane, for testing from the console."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, post
from litestar.params import Body
from litestar.types import ControllerRouterHandler

from control_plane.deployments.service import get_row
from control_plane.inference.service import predict
from schemas.contracts import DeploymentContract, InferenceInput, InferenceOutput
from schemas.errors import Conflict, InvalidInput


@post(
    "/api/inference/predict",
    tags=["inference"],
    status_code=200,
    summary="Standard input -> standard output",
)
async def predict_route(
    request: Request[Any, Any, Any], data: InferenceInput = Body()
) -> InferenceOutput:
    if not data.deploymentId:
        raise InvalidInput("deploymentId is required here", {"field": "deploymentId"})
    row = await get_row(data.deploymentId)
    if row["status"] != "active":
        raise Conflict("the deployment is revoked", {"deploymentId": data.deploymentId})
    contract = msgspec.convert(row["contract"], DeploymentContract)
    runtime = request.app.state.deployments
    return await predict(
        contract, row["triton_model"], row["model_version"], data, runtime.inference
    )


inference_routes: list[ControllerRouterHandler] = [predict_route]
