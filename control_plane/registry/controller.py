"""`/api/registry/models`: models, versions, stage transitions, aliases, latest."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, delete, get, patch, post, put
from litestar.datastructures import State
from litestar.params import Body, Parameter

from control_plane.adapters.object_store import ObjectStore
from control_plane.auth.security import writer_guard
from control_plane.auth.service import AuthUser
from control_plane.registry import aliases, edits, outbox, service, stages
from control_plane.registry.schemas import (
    AliasEventOut,
    AliasOut,
    AliasRequest,
    CreateModel,
    CreateVersion,
    ModelPage,
    ModelPatch,
    ModelVersionOut,
    RegisteredModelOut,
    Stage,
    StageRequest,
    StageResult,
    StageTransitionOut,
    VersionPage,
    VersionPatch,
)
from control_plane.registry.serving import STATE_KEY, ModelServing

PageNo = Annotated[int, Parameter(ge=1, le=1_000_000, default=1)]
PageSize = Annotated[int, Parameter(ge=1, le=500, default=50, query="pageSize")]
# versions are stored as PostgreSQL integers
VersionNo = Annotated[int, Parameter(ge=1, le=2_147_483_647)]
StageFilter = Annotated[Stage | None, Parameter(query="stage", default=None)]


def _serving(request: Request[Any, Any, Any]) -> ModelServing:
    """Who serves a model, filled in by the deployments slice at start-up."""
    return request.app.state[STATE_KEY]  # type: ignore[no-any-return]


class RegistryController(Controller):
    path = "/api/registry/models"
    tags = ["registry"]

    @post("/", guards=[writer_guard], status_code=201, summary="Create a registered model")
    async def create_model(self, user: AuthUser, data: CreateModel = Body()) -> RegisteredModelOut:
        return await service.create_model(data.name, data.description, user.username)

    @get("/", summary="List registered models (search by name or description)")
    async def list_models(
        self,
        page: PageNo,
        page_size: PageSize,
        q: Annotated[str | None, Parameter(query="q", default=None)],
    ) -> ModelPage:
        return await service.list_models(q, page, page_size)

    @get("/{name:str}", summary="A registered model, its latest version and aliases")
    async def get_model(self, name: str) -> RegisteredModelOut:
        return await service.get_model(name)

    @patch("/{name:str}", guards=[writer_guard], summary="Rename, describe or tag a model")
    async def edit_model(
        self, request: Request[Any, Any, Any], name: str, user: AuthUser, data: ModelPatch = Body()
    ) -> RegisteredModelOut:
        return await edits.edit_model(name, data, _serving(request), user.username)

    @delete(
        "/{name:str}",
        guards=[writer_guard],
        summary="Delete a model, its versions and artifacts (refused while deployed)",
    )
    async def delete_model(
        self, request: Request[Any, Any, Any], name: str, user: AuthUser, store: ObjectStore
    ) -> None:
        await edits.delete_model(name, store, _serving(request), user.username)

    @post(
        "/{name:str}/versions",
        guards=[writer_guard],
        status_code=201,
        summary="Register the next version (the artifact must exist in S3)",
    )
    async def register(
        self, name: str, user: AuthUser, store: ObjectStore, data: CreateVersion = Body()
    ) -> ModelVersionOut:
        return await service.register_version(name, data, user.username, store=store)

    @get("/{name:str}/versions", summary="Versions, newest first, optionally in one stage")
    async def list_versions(
        self, name: str, page: PageNo, page_size: PageSize, stage: StageFilter
    ) -> VersionPage:
        return await service.list_versions(name, stage, page, page_size)

    @get("/{name:str}/versions/{version:int}", summary="One version")
    async def get_version(self, name: str, version: VersionNo) -> ModelVersionOut:
        return await service.get_version(name, version)

    @patch(
        "/{name:str}/versions/{version:int}",
        guards=[writer_guard],
        summary="Edit a version's description and tags",
    )
    async def edit_version(
        self, name: str, version: VersionNo, user: AuthUser, data: VersionPatch = Body()
    ) -> ModelVersionOut:
        return await edits.edit_version(name, version, data, user.username)

    @delete(
        "/{name:str}/versions/{version:int}",
        guards=[writer_guard],
        summary="Delete a version and its artifacts (refused while a deployment serves it)",
    )
    async def delete_version(
        self,
        request: Request[Any, Any, Any],
        name: str,
        version: VersionNo,
        user: AuthUser,
        store: ObjectStore,
    ) -> None:
        await edits.delete_version(name, version, store, _serving(request), user.username)

    @get("/{name:str}/latest", summary="The highest version, optionally in one stage")
    async def latest(self, name: str, stage: StageFilter) -> ModelVersionOut:
        return await service.latest_version(name, stage)

    @post(
        "/{name:str}/versions/{version:int}/stage",
        guards=[writer_guard],
        status_code=200,
        summary="Move a version to a stage; every move is kept in the history",
    )
    async def transition(
        self, name: str, version: VersionNo, user: AuthUser, data: StageRequest = Body()
    ) -> StageResult:
        return await stages.transition_stage(name, version, data, user.username)

    @get(
        "/{name:str}/versions/{version:int}/stage-history",
        summary="Stage transitions of a version, oldest first",
    )
    async def version_history(self, name: str, version: VersionNo) -> list[StageTransitionOut]:
        return await stages.stage_history(name, version)

    @get("/{name:str}/stage-history", summary="Stage transitions of every version of a model")
    async def model_history(self, name: str) -> list[StageTransitionOut]:
        return await stages.stage_history(name)

    @get("/{name:str}/aliases", summary="Aliases of a model")
    async def list_aliases(self, name: str) -> list[AliasOut]:
        return await aliases.list_aliases(name)

    @put(
        "/{name:str}/aliases/{alias:str}",
        guards=[writer_guard],
        summary="Point an alias (`champion` or `@champion`) at a version, moving it atomically",
    )
    async def set_alias(
        self, name: str, alias: str, user: AuthUser, state: State, data: AliasRequest = Body()
    ) -> AliasOut:
        moved = await aliases.set_alias(name, alias, data.version, user.username)
        outbox.wake(state)
        return moved

    @delete("/{name:str}/aliases/{alias:str}", guards=[writer_guard], summary="Remove an alias")
    async def delete_alias(self, name: str, alias: str, user: AuthUser, state: State) -> None:
        await aliases.delete_alias(name, alias, user.username)
        outbox.wake(state)

    @get("/{name:str}/alias-events", summary="Alias moves and how following each one went")
    async def alias_events(self, name: str) -> list[AliasEventOut]:
        return await outbox.list_events(name)

    @get("/{name:str}/versions/by-alias/{alias:str}", summary="The version an alias points at")
    async def by_alias(self, name: str, alias: str) -> ModelVersionOut:
        return await aliases.resolve_alias(name, alias)
