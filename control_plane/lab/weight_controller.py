"""`/api/models/weights` (also under `/api/v1`): the weights library."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, delete, get, post, put
from litestar.params import Body, Parameter
from litestar.types import ControllerRouterHandler

from control_plane.adapters.object_store import ObjectStore
from control_plane.auth.security import writer_guard
from control_plane.auth.service import AuthUser
from control_plane.datasets.transfer import request_body
from control_plane.lab import weight_register, weights
from control_plane.lab.schemas import RegisterWeight, WeightOut, WeightPatch
from control_plane.registry.schemas import ModelVersionOut
from control_plane.settings import Settings
from schemas.errors import InvalidInput

W = "/models/weights"


@get(W, tags=["lab"], summary="The weights library, newest first")
async def list_weights(tag: Annotated[str | None, Parameter(default=None)]) -> list[WeightOut]:
    return await weights.list_weights(tag)


@post(
    W,
    tags=["lab"],
    guards=[writer_guard],
    status_code=201,
    request_max_body_size=None,
    summary="Upload a .onnx or .pt weight (multipart: file, name, tags, notes, architectureId)",
    description="Streamed with the upload limit; .onnx is checked with onnx.checker and its "
    "signature read; .pt must be a torch.save state dict (a pickled payload is refused).",
)
async def upload_weight(
    request: Request[Any, Any, Any], store: ObjectStore, settings: Settings, user: AuthUser
) -> WeightOut:
    media, options = request.content_type
    if media != "multipart/form-data":
        raise InvalidInput("send multipart/form-data with a `file` part", {"contentType": media})
    limit = settings.upload_limit_bytes
    return await weights.upload_weight(
        store, request_body(request, limit), options.get("boundary", ""), limit, user.username
    )


@get(W + "/{weight_id:str}", tags=["lab"], summary="A weight's metadata")
async def get_weight(weight_id: str) -> WeightOut:
    return await weights.get_weight(weight_id)


@put(
    W + "/{weight_id:str}",
    tags=["lab"],
    guards=[writer_guard],
    summary="Edit a weight's name, tags or notes",
)
async def update_weight(weight_id: str, data: WeightPatch = Body()) -> WeightOut:
    return await weights.update_weight(weight_id, data)


@get(
    W + "/{weight_id:str}/download",
    tags=["lab"],
    summary="Download the file",
    media_type="application/octet-stream",
)
async def download_weight(weight_id: str, store: ObjectStore) -> Response[bytes]:
    content, filename = await weights.download(store, weight_id)
    return Response(
        content,
        media_type="application/octet-stream",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@delete(
    W + "/{weight_id:str}",
    tags=["lab"],
    guards=[writer_guard],
    summary="Delete a weight and its file",
)
async def delete_weight(weight_id: str, store: ObjectStore) -> None:
    await weights.delete_weight(store, weight_id)


@post(
    W + "/{weight_id:str}/register",
    tags=["lab"],
    guards=[writer_guard],
    status_code=201,
    summary="Register an .onnx weight as a model version (deployable like a trained one)",
    description="The graph's signature is checked against the feature plan's serving "
    "contract (window, calendar, future -> quantiles); a mismatch is INVALID_INPUT naming "
    "each tensor. The version's card names the weight and lineage links weight -> version.",
)
async def register_weight(
    weight_id: str, user: AuthUser, store: ObjectStore, data: RegisterWeight = Body()
) -> ModelVersionOut:
    return await weight_register.register_weight(store, weight_id, data, user.username)


weight_routes: list[ControllerRouterHandler] = [
    list_weights,
    upload_weight,
    get_weight,
    update_weight,
    download_weight,
    delete_weight,
    register_weight,
]
