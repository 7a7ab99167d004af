"""`/models/architectures` and `/augmentation` (mounted under `/api` and `/api/v1`)."""

from __future__ import annotations

from litestar import delete, get, post, put
from litestar.params import Body
from litestar.types import ControllerRouterHandler

from control_plane.adapters.object_store import ObjectStore
from control_plane.auth.security import writer_guard
from control_plane.auth.service import AuthUser
from control_plane.lab import access, designs, preview
from control_plane.lab.schemas import (
    ArchitectureOut,
    AugmentationBody,
    AugmentationOut,
    BlockInfo,
    PreviewOut,
    PreviewRequest,
    ShapeReport,
)
from schemas.architecture import ArchitectureGraph

ARCH = "/models/architectures"
AUG = "/augmentation"
_REFUSAL = (
    "A graph that does not check out is INVALID_INPUT with `details.node` naming the node "
    "and `expected`/`got` the mismatch; nothing is stored."
)


@get(ARCH + "/blocks", tags=["lab"], summary="The blocks an architecture is drawn from")
async def list_blocks() -> list[BlockInfo]:
    return designs.catalogue()


@post(
    ARCH + "/validate",
    tags=["lab"],
    status_code=200,
    summary="Check a graph and resolve each node's output shape",
    description=_REFUSAL,
)
async def validate_architecture(data: ArchitectureGraph = Body()) -> ShapeReport:
    return designs.check_graph(data)


@get(ARCH, tags=["lab"], summary="List architectures")
async def list_architectures(user: AuthUser) -> list[ArchitectureOut]:
    return await designs.list_architectures(await access.hidden_projects(user))


@post(
    ARCH,
    tags=["lab"],
    guards=[writer_guard],
    status_code=201,
    summary="Save an architecture (create / save as)",
    description=_REFUSAL,
)
async def create_architecture(user: AuthUser, data: ArchitectureGraph = Body()) -> ArchitectureOut:
    await access.require(data.projectId, user, "edit")
    return await designs.create_architecture(data, user.username)


@get(ARCH + "/{arch_id:str}", tags=["lab"], summary="An architecture with its shapes")
async def get_architecture(arch_id: str, user: AuthUser) -> ArchitectureOut:
    await access.architecture(arch_id, user, "read")
    return await designs.get_architecture(arch_id)


@put(
    ARCH + "/{arch_id:str}",
    tags=["lab"],
    guards=[writer_guard],
    summary="Replace an architecture",
    description=_REFUSAL,
)
async def update_architecture(
    arch_id: str, user: AuthUser, data: ArchitectureGraph = Body()
) -> ArchitectureOut:
    await access.architecture(arch_id, user, "edit")
    await access.require(data.projectId, user, "edit")
    return await designs.update_architecture(arch_id, data)


@delete(
    ARCH + "/{arch_id:str}",
    tags=["lab"],
    guards=[writer_guard],
    summary="Delete an architecture",
)
async def delete_architecture(arch_id: str, user: AuthUser) -> None:
    await access.architecture(arch_id, user, "edit")
    await designs.delete_architecture(arch_id)


@get(AUG, tags=["lab"], summary="List augmentation pipelines")
async def list_augmentations() -> list[AugmentationOut]:
    return await designs.list_augmentations()


@post(
    AUG,
    tags=["lab"],
    guards=[writer_guard],
    status_code=201,
    summary="Create an augmentation pipeline",
)
async def create_augmentation(user: AuthUser, data: AugmentationBody = Body()) -> AugmentationOut:
    return await designs.create_augmentation(data, user.username)


@post(
    AUG + "/preview",
    tags=["lab"],
    status_code=200,
    summary="A few windows before and after a pipeline",
)
async def preview_augmentation(store: ObjectStore, data: PreviewRequest = Body()) -> PreviewOut:
    return await preview.preview(store, data)


@get(AUG + "/{aug_id:str}", tags=["lab"], summary="An augmentation pipeline")
async def get_augmentation(aug_id: str) -> AugmentationOut:
    return await designs.get_augmentation(aug_id)


@put(
    AUG + "/{aug_id:str}",
    tags=["lab"],
    guards=[writer_guard],
    summary="Replace an augmentation pipeline",
)
async def update_augmentation(aug_id: str, data: AugmentationBody = Body()) -> AugmentationOut:
    return await designs.update_augmentation(aug_id, data)


@delete(
    AUG + "/{aug_id:str}",
    tags=["lab"],
    guards=[writer_guard],
    summary="Delete an augmentation pipeline",
)
async def delete_augmentation(aug_id: str) -> None:
    await designs.delete_augmentation(aug_id)


design_routes: list[ControllerRouterHandler] = [
    list_blocks,
    validate_architecture,
    list_architectures,
    create_architecture,
    get_architecture,
    update_architecture,
    delete_architecture,
    list_augmentations,
    create_augmentation,
    preview_augmentation,
    get_augmentation,
    update_augmentation,
    delete_augmentation,
]
