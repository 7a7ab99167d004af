"""`/api/deployments`: create, read, map, roll back, token, contract, metrics."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, delete, get, post, put
from litestar.params import Body, Parameter
from litestar.types import ControllerRouterHandler

from control_plane.auth.security import writer_guard
from control_plane.auth.service import AuthUser
from control_plane.deployments import service
from control_plane.deployments.examples import contract_examples
from control_plane.deployments.latency import deployment_metrics
from control_plane.deployments.online_window import (
    OnlineWindowIn,
    clear_online_window,
    set_online_window,
)
from control_plane.deployments.runtime import DeploymentRuntime
from control_plane.deployments.schemas import (
    ChangeOut,
    ContractOut,
    CreateDeployment,
    CreateKey,
    DeploymentCreated,
    DeploymentMetrics,
    DeploymentOut,
    KeyCreated,
    KeyOut,
    Mapping,
    RollbackRequest,
    TokenOut,
)
from schemas.gateway import OnlineWindow


def _runtime(request: Request[Any, Any, Any]) -> DeploymentRuntime:
    return request.app.state.deployments  # type: ignore[no-any-return]


class DeploymentController(Controller):
    path = "/api/deployments"
    tags = ["deployments"]

    @post(
        "/",
        guards=[writer_guard],
        status_code=201,
        summary="Publish (if needed) and deploy a model version",
    )
    async def create(
        self, request: Request[Any, Any, Any], user: AuthUser, data: CreateDeployment = Body()
    ) -> DeploymentCreated:
        return await service.create(data, user.username, _runtime(request))

    @get("/", summary="List deployments")
    async def list_all(
        self,
        request: Request[Any, Any, Any],
        model: Annotated[str | None, Parameter(query="modelId", default=None)],
    ) -> list[DeploymentOut]:
        return await service.list_deployments(_runtime(request), model)

    @get("/{deployment_id:str}", summary="One deployment")
    async def get_one(self, request: Request[Any, Any, Any], deployment_id: str) -> DeploymentOut:
        return await service.get(deployment_id, _runtime(request))

    @put(
        "/{deployment_id:str}/mapping",
        guards=[writer_guard],
        summary="Input mapping, units, fill policy, missing threshold",
    )
    async def mapping(
        self,
        request: Request[Any, Any, Any],
        deployment_id: str,
        user: AuthUser,
        data: Mapping = Body(),
    ) -> DeploymentOut:
        return await service.update_mapping(deployment_id, data, _runtime(request), user.username)

    @post(
        "/{deployment_id:str}/rollback",
        guards=[writer_guard],
        status_code=200,
        summary="Serve another version, in one step",
    )
    async def rollback(
        self,
        request: Request[Any, Any, Any],
        deployment_id: str,
        user: AuthUser,
        data: RollbackRequest = Body(),
    ) -> DeploymentOut:
        return await service.rollback(deployment_id, data.version, _runtime(request), user.username)

    @post(
        "/{deployment_id:str}/token",
        guards=[writer_guard],
        status_code=200,
        summary="Rotate the API token (shown once)",
    )
    async def rotate(self, deployment_id: str, user: AuthUser) -> TokenOut:
        return await service.rotate_token(deployment_id, user.username)

    @delete(
        "/{deployment_id:str}/token",
        guards=[writer_guard],
        status_code=204,
        summary="Revoke the API token",
    )
    async def revoke(self, deployment_id: str, user: AuthUser) -> None:
        await service.revoke(deployment_id, user.username)

    @post(
        "/{deployment_id:str}/keys",
        guards=[writer_guard],
        status_code=201,
        summary="Create a named API key with scopes and an expiry (the secret is shown once)",
    )
    async def create_key(
        self, deployment_id: str, user: AuthUser, data: CreateKey = Body()
    ) -> KeyCreated:
        return await service.create_key(deployment_id, data, user.username)

    @get("/{deployment_id:str}/keys", summary="API keys: name, scopes, expiry, last used")
    async def list_keys(self, deployment_id: str) -> list[KeyOut]:
        return await service.list_keys(deployment_id)

    @delete(
        "/{deployment_id:str}/keys/{key_id:str}",
        guards=[writer_guard],
        status_code=204,
        summary="Revoke one API key (gateways refuse it within a sync round trip)",
    )
    async def revoke_key(self, deployment_id: str, key_id: str, user: AuthUser) -> None:
        await service.revoke_key(deployment_id, key_id, user.username)

    @delete(
        "/{deployment_id:str}",
        guards=[writer_guard],
        status_code=204,
        summary="Delete; unloads the model when unused",
    )
    async def remove(
        self, request: Request[Any, Any, Any], deployment_id: str, user: AuthUser
    ) -> None:
        await service.delete(deployment_id, _runtime(request), user.username)

    @put(
        "/{deployment_id:str}/online-window",
        guards=[writer_guard],
        summary="Read the window from the feature store's online store",
        description=(
            "The gateway then fills a predict request's window from the stream group's "
            "online store: the request may name only `entity` (or the asset path) or send "
            "only its newest readings. An incomplete or stale window is INVALID_INPUT with "
            "`details.reason`."
        ),
    )
    async def online_window(
        self, deployment_id: str, user: AuthUser, data: OnlineWindowIn = Body()
    ) -> OnlineWindow:
        return await set_online_window(deployment_id, data, user.username)

    @delete(
        "/{deployment_id:str}/online-window",
        guards=[writer_guard],
        status_code=204,
        summary="Requests carry their whole window again",
    )
    async def no_online_window(self, deployment_id: str, user: AuthUser) -> None:
        await clear_online_window(deployment_id, user.username)

    @get("/{deployment_id:str}/history", summary="Every config change with its revision")
    async def history(self, deployment_id: str) -> list[ChangeOut]:
        return await service.history(deployment_id)

    @get(
        "/{deployment_id:str}/contract", summary="The served contract, a real example, and snippets"
    )
    async def contract(self, request: Request[Any, Any, Any], deployment_id: str) -> ContractOut:
        return await contract_examples(
            await service.get(deployment_id, _runtime(request)), _runtime(request)
        )

    @get("/{deployment_id:str}/metrics", summary="Triton latency for this deployment's model")
    async def metrics(
        self, request: Request[Any, Any, Any], deployment_id: str
    ) -> DeploymentMetrics:
        return await deployment_metrics(
            await service.get(deployment_id, _runtime(request)), _runtime(request)
        )


deployment_routes: list[ControllerRouterHandler] = [DeploymentController]
