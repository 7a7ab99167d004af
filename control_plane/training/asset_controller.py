"""`/api/v1/training-jobs` (seed 003): a user's JWT or a deployment API key with the
`train` scope for the same asset, sent as `Authorization: Bearer ...`."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.params import Body
from litestar.types import ControllerRouterHandler

from control_plane.adapters.object_store import ObjectStore
from control_plane.auth.api_keys import check_key
from control_plane.auth.security import bearer_user
from control_plane.auth.service import AuthUser
from control_plane.training import asset_jobs
from control_plane.training.schemas import AssetJobOut, AssetTrainingRequest
from schemas.errors import Forbidden, Unauthorized


async def _caller(request: Request[Any, Any, Any], asset_id: str | None) -> AuthUser:
    """A signed-in writer, or an API key that may `train` (for its own asset only: a key's
    user is named `key:<name>@<asset>`)."""
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("bearer ") or not header[7:].strip():
        raise Unauthorized("missing Authorization: Bearer <API key or token>")
    raw = header[7:].strip()
    user = await bearer_user(request, raw)
    if user is not None:
        if not user.can_write:
            raise Forbidden("viewers cannot start training", {"role": user.role})
        return user
    key = await check_key(request, raw, "train")
    if key is None:
        raise Unauthorized("unknown, revoked or expired API key, or one without the train scope")
    if asset_id is not None and key.asset_id not in (None, asset_id):
        raise Forbidden(
            "this API key belongs to another asset",
            {"assetId": asset_id, "keyAssetId": key.asset_id},
        )
    own = key.asset_id or ""
    return AuthUser(id=0, username=f"key:{key.name}@{own}"[:64], role="engineer")


@post(
    "/api/v1/training-jobs",
    tags=["training"],
    status_code=202,
    summary="Seed 003: train on the CSV at data_url for an asset; answers at once",
)
async def create_asset_job(
    request: Request[Any, Any, Any], store: ObjectStore, data: AssetTrainingRequest = Body()
) -> AssetJobOut:
    user = await _caller(request, data.asset_id)
    state = request.app.state
    return await asset_jobs.start(
        data, user, store, state.training_queue, state.settings.upload_limit_bytes
    )


@get("/api/v1/training-jobs/{job_id:str}", tags=["training"], summary="Seed 003: job progress")
async def get_asset_job(request: Request[Any, Any, Any], job_id: str) -> AssetJobOut:
    user = await _caller(request, None)
    job = await asset_jobs.get(job_id)
    own = user.username.rpartition("@")[2] if user.username.startswith("key:") else None
    if own and own != job.asset_id:
        raise Forbidden("this API key belongs to another asset", {"assetId": job.asset_id})
    return job


asset_routes: list[ControllerRouterHandler] = [create_asset_job, get_asset_job]
