"""Architectures and augmentation pipelines: stored, checked, and handed to training jobs."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

import msgspec

from control_plane.auth.service import AuthUser
from control_plane.lab import access
from control_plane.lab.schemas import (
    ArchitectureOut,
    AugmentationBody,
    AugmentationOut,
    BlockInfo,
    ShapeReport,
)
from control_plane.lab.tables import Architecture, AugmentationPipeline
from control_plane.row_by_id import row_by_id
from control_plane.training.service import DesignSource
from loadstar_core.architecture import BLOCKS, resolve
from loadstar_core.augmentation import AugmentationStep
from loadstar_core.features.layout import feature_columns
from schemas.architecture import ArchitectureGraph, ShapeContext
from schemas.errors import InvalidInput
from schemas.feature_plan import FeaturePlan


def now() -> datetime:
    return datetime.now(UTC)


def new_id(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(4)}"


def catalogue() -> list[BlockInfo]:
    """Every block the builder offers, with its parameters' defaults."""
    return [
        BlockInfo(
            type=kind,
            description=block.description,
            minInputs=block.inputs[0],
            maxInputs=block.inputs[1],
            defaults={
                k: v
                for k, v in msgspec.to_builtins(_defaults(block.params)).items()
                if k != "label"
            },
        )
        for kind, block in BLOCKS.items()
    ]


def _defaults(params: type[msgspec.Struct]) -> msgspec.Struct:
    """The block's parameters with their defaults; a required width gets a sample value."""
    required = {"out": 64} if "out" in params.__struct_fields__ else {}
    return msgspec.convert(required, params)


def check_graph(graph: ArchitectureGraph, context: ShapeContext | None = None) -> ShapeReport:
    ctx = context or graph.context or ShapeContext()
    resolved = resolve(graph, ctx)
    return ShapeReport(
        context=ctx,
        shapes={n: list(s) for n, s in resolved.shapes.items()},
        order=resolved.order,
    )


def _graph_of(row: dict[str, Any]) -> ArchitectureGraph:
    stored = row["graph"] or {}
    return msgspec.convert(
        {"name": row["name"], "description": row["description"], **stored}, ArchitectureGraph
    )


def _arch_out(row: dict[str, Any]) -> ArchitectureOut:
    graph = _graph_of(row)
    ctx = graph.context or ShapeContext()
    return ArchitectureOut(
        id=row["id"],
        name=row["name"],
        description=row["description"],
        nodes=graph.nodes,
        edges=graph.edges,
        context=ctx,
        shapes=check_graph(graph, ctx).shapes,
        projectId=row.get("project_id"),
        createdBy=row["created_by"],
        createdAt=row["created_at"],
        updatedAt=row["updated_at"],
    )


def _stored(graph: ArchitectureGraph) -> dict[str, Any]:
    return {
        "nodes": msgspec.to_builtins(graph.nodes),
        "edges": msgspec.to_builtins(graph.edges),
        "context": msgspec.to_builtins(graph.context or ShapeContext()),
    }


async def _arch_row(arch_id: str) -> dict[str, Any]:
    return await row_by_id(Architecture, arch_id, "architecture", "architectureId")


async def create_architecture(graph: ArchitectureGraph, user: str) -> ArchitectureOut:
    check_graph(graph)  # refused before anything is stored
    arch_id, stamp = new_id("arch"), now()
    await Architecture(
        id=arch_id,
        name=graph.name,
        description=graph.description,
        graph=_stored(graph),
        project_id=graph.projectId,
        created_by=user,
        created_at=stamp,
        updated_at=stamp,
    ).save()
    return await get_architecture(arch_id)


async def update_architecture(arch_id: str, graph: ArchitectureGraph) -> ArchitectureOut:
    await _arch_row(arch_id)
    check_graph(graph)
    changes: dict[Any, Any] = {
        Architecture.name: graph.name,
        Architecture.description: graph.description,
        Architecture.graph: _stored(graph),
        Architecture.updated_at: now(),
    }
    if graph.projectId:  # moved into a project
        changes[Architecture.project_id] = graph.projectId
    await Architecture.update(changes).where(Architecture.id == arch_id)
    return await get_architecture(arch_id)


async def get_architecture(arch_id: str) -> ArchitectureOut:
    return _arch_out(await _arch_row(arch_id))


async def architecture_graph(arch_id: str) -> ArchitectureGraph:
    return _graph_of(await _arch_row(arch_id))


async def list_architectures(hidden_projects: list[str] | None = None) -> list[ArchitectureOut]:
    """Every architecture but those of the given (private) projects."""
    rows = (
        await Architecture.select()
        .order_by(Architecture.updated_at, ascending=False)
        .output(load_json=True)
    )
    hidden = set(hidden_projects or [])
    return [_arch_out(r) for r in rows if r.get("project_id") not in hidden]


async def delete_architecture(arch_id: str) -> None:
    await _arch_row(arch_id)
    await Architecture.delete().where(Architecture.id == arch_id)


# ---- augmentation pipelines ----------------------------------------------------------


def _aug_out(row: dict[str, Any]) -> AugmentationOut:
    return AugmentationOut(
        id=row["id"],
        name=row["name"],
        desc=row["description"],
        pipeline=msgspec.convert(row["pipeline"] or [], list[AugmentationStep]),
        createdBy=row["created_by"],
        createdAt=row["created_at"],
        updatedAt=row["updated_at"],
    )


async def _aug_row(aug_id: str) -> dict[str, Any]:
    return await row_by_id(AugmentationPipeline, aug_id, "augmentation pipeline", "augmentationId")


def _check_pipeline(body: AugmentationBody) -> None:
    if not body.pipeline:
        raise InvalidInput(
            "an augmentation pipeline needs at least one step", {"field": "pipeline"}
        )


async def create_augmentation(body: AugmentationBody, user: str) -> AugmentationOut:
    _check_pipeline(body)
    aug_id, stamp = new_id("aug"), now()
    await AugmentationPipeline(
        id=aug_id,
        name=body.name,
        description=body.desc,
        pipeline=msgspec.to_builtins(body.pipeline),
        created_by=user,
        created_at=stamp,
        updated_at=stamp,
    ).save()
    return await get_augmentation(aug_id)


async def update_augmentation(aug_id: str, body: AugmentationBody) -> AugmentationOut:
    await _aug_row(aug_id)
    _check_pipeline(body)
    await AugmentationPipeline.update(
        {
            AugmentationPipeline.name: body.name,
            AugmentationPipeline.description: body.desc,
            AugmentationPipeline.pipeline: msgspec.to_builtins(body.pipeline),
            AugmentationPipeline.updated_at: now(),
        }
    ).where(AugmentationPipeline.id == aug_id)
    return await get_augmentation(aug_id)


async def get_augmentation(aug_id: str) -> AugmentationOut:
    return _aug_out(await _aug_row(aug_id))


async def list_augmentations() -> list[AugmentationOut]:
    rows = (
        await AugmentationPipeline.select()
        .order_by(AugmentationPipeline.updated_at, ascending=False)
        .output(load_json=True)
    )
    return [_aug_out(r) for r in rows]


async def delete_augmentation(aug_id: str) -> None:
    await _aug_row(aug_id)
    await AugmentationPipeline.delete().where(AugmentationPipeline.id == aug_id)


# ---- what a training job takes from here ---------------------------------------------


def plan_context(plan: dict[str, Any]) -> ShapeContext:
    """The sizes an architecture meets under a stored feature plan."""
    decoded = msgspec.convert(plan, FeaturePlan)
    return ShapeContext(
        lookback=decoded.lookback,
        horizon=decoded.horizon,
        features=len(feature_columns(decoded)),
        quantiles=len(decoded.quantiles),
    )


async def job_design(
    architecture_id: str | None, augmentation_id: str | None, plan_context: ShapeContext
) -> dict[str, Any]:
    """Hyperparameters a job gets from the lab: the architecture's graph, checked against
    the job's plan (INVALID_INPUT naming the node when it does not fit), and the
    augmentation steps. Stored with the job, so a retry trains the same thing."""
    extra: dict[str, Any] = {}
    if architecture_id:
        graph = await architecture_graph(architecture_id)
        try:
            resolve(graph, plan_context)
        except InvalidInput as error:
            error.details.setdefault("architectureId", architecture_id)
            error.details["context"] = msgspec.to_builtins(plan_context)
            raise
        extra["architecture"] = msgspec.to_builtins(graph)
        extra["architecture_id"] = architecture_id
    if augmentation_id:
        extra["augmentation"] = (await _aug_row(augmentation_id))["pipeline"]
    return extra


async def design_for_plan(
    architecture_id: str | None, augmentation_id: str | None, plan: dict[str, Any]
) -> dict[str, Any]:
    """`job_design` for a job's stored plan."""
    return await job_design(architecture_id, augmentation_id, plan_context(plan))


def designs_for(user: AuthUser) -> DesignSource:
    """What training asks the lab for on `user`'s behalf (wired into
    `app.state.training_designs`, so training never imports the lab): an architecture of a
    private project is FORBIDDEN to a user who is not one of its members."""

    async def design(
        architecture_id: str | None, augmentation_id: str | None, plan: dict[str, Any]
    ) -> dict[str, Any]:
        if architecture_id:
            await access.architecture(architecture_id, user, "read")
        return await design_for_plan(architecture_id, augmentation_id, plan)

    return design
