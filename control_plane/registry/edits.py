"""Edit and delete models and versions.

A version is deleted only when no deployment serves it, neither by number nor through an
alias that points at it (CONFLICT names them); its S3 objects and its Triton repository
folder go with it, except objects another version still lists. A model is deleted only
when no deployment serves any of its versions, and renamed only then too (deployments and
the Triton model are named after it).
"""

from __future__ import annotations

import logging
from typing import Any

from control_plane.adapters.object_store import ObjectStore
from control_plane.registry import service
from control_plane.registry.schemas import (
    ModelPatch,
    ModelVersionOut,
    RegisteredModelOut,
    VersionPatch,
)
from control_plane.registry.serving import ModelServing
from control_plane.registry.tables import ModelAlias, ModelVersion, RegisteredModel
from loadstar_core.s3_uri import split_s3_uri
from schemas.errors import Conflict, NotFound
from triton_repo.publisher import triton_model_name

log = logging.getLogger("loadstar.registry.edits")


async def _deployments_of(
    serving: ModelServing, name: str, version: int | None = None
) -> list[str]:
    """Deployments serving the model (or one version of it, by number or by alias)."""
    aliases: list[str] = []
    if version is not None:
        rows = await ModelAlias.select(ModelAlias.alias).where(
            (ModelAlias.model.name == name) & (ModelAlias.version == version)
        )
        aliases = [a["alias"].lower() for a in rows]
    return await serving.served_by(name, version, aliases)


def _tags(tags: list[str]) -> list[str]:
    seen: list[str] = []
    for tag in (t.strip() for t in tags):
        if tag and tag not in seen:
            seen.append(tag)
    return seen


async def edit_model(
    name: str, patch: ModelPatch, serving: ModelServing, actor: str
) -> RegisteredModelOut:
    await service.model_id(name)
    values: dict[Any, Any] = {RegisteredModel.updated_at: service.now()}
    if patch.description is not None:
        values[RegisteredModel.description] = patch.description
    if patch.tags is not None:
        values[RegisteredModel.tags] = _tags(patch.tags)
    new_name = name
    if patch.name is not None and patch.name != name:
        service.check_model_name(patch.name)
        used = await _deployments_of(serving, name)
        if used:
            raise Conflict(
                f"model {name!r} is served by {', '.join(used)}; delete those deployments "
                "before renaming it",
                {"name": name, "deployments": used},
            )
        if await RegisteredModel.exists().where(RegisteredModel.name == patch.name):
            raise Conflict(f"model {patch.name!r} exists", {"name": patch.name})
        values[RegisteredModel.name] = new_name = patch.name
    await RegisteredModel.update(values).where(RegisteredModel.name == name)
    log.info("model %s edited by %s", name, actor)
    return await service.get_model(new_name)


async def edit_version(name: str, version: int, patch: VersionPatch, actor: str) -> ModelVersionOut:
    await service.get_version(name, version)  # NOT_FOUND for either
    values: dict[Any, Any] = {ModelVersion.updated_at: service.now()}
    if patch.description is not None:
        values[ModelVersion.description] = patch.description
    if patch.tags is not None:
        values[ModelVersion.tags] = _tags(patch.tags)
    model = await service.model_id(name)
    await ModelVersion.update(values).where(
        (ModelVersion.model == model) & (ModelVersion.version == version)
    )
    log.info("%s v%d edited by %s", name, version, actor)
    return await service.get_version(name, version)


def _uris(row: dict[str, Any]) -> set[str]:
    return {row["artifact_uri"], *(a["uri"] for a in row["artifacts"] or [] if a.get("uri"))}


async def _remove_objects(store: ObjectStore, uris: set[str]) -> int:
    removed = 0
    for uri in sorted(uris):
        try:
            bucket, key = split_s3_uri(uri)
            await store.remove(key, bucket=bucket)
            removed += 1
        except Exception:  # an object gone already, or in a bucket we may not touch
            log.warning("could not remove %s", uri, exc_info=True)
    return removed


def _unpublish(serving: ModelServing, name: str, versions: list[int]) -> None:
    triton_model = triton_model_name(name)
    for version in versions:
        if serving.publisher.has_version(triton_model, version):
            serving.publisher.remove_version(triton_model, version)
    if not serving.publisher.versions(triton_model):
        serving.publisher.remove_model(triton_model)


async def delete_version(
    name: str, version: int, store: ObjectStore, serving: ModelServing, actor: str
) -> int:
    """Delete the version; returns how many of its S3 objects were removed."""
    await service.get_version(name, version)
    used = await _deployments_of(serving, name, version)
    if used:
        raise Conflict(
            f"{name} v{version} is served by {', '.join(used)}; delete or move those "
            "deployments first",
            {"name": name, "version": version, "deployments": used},
        )
    model = await service.model_id(name)
    rows = await ModelVersion.select().where(ModelVersion.model == model).output(load_json=True)
    mine = next(r for r in rows if r["version"] == version)
    others: set[str] = set()
    for r in rows:
        if r["version"] != version:
            others |= _uris(r)
    async with service.transaction():
        await ModelAlias.delete().where(
            (ModelAlias.model == model) & (ModelAlias.version == version)
        )
        await ModelVersion.delete().where(ModelVersion.id == mine["id"])
    removed = await _remove_objects(store, _uris(mine) - others)
    _unpublish(serving, name, [version])
    if await _deployments_of(serving, name):  # Triton drops the folder's version at the next load
        try:
            await serving.repository.load(triton_model_name(name))
        except Exception:
            log.warning("reload of %s after deleting v%d failed", name, version, exc_info=True)
    log.info("%s v%d deleted by %s (%d objects)", name, version, actor, removed)
    return removed


async def delete_model(name: str, store: ObjectStore, serving: ModelServing, actor: str) -> None:
    model = await service.model_id(name)
    used = await _deployments_of(serving, name)
    if used:
        raise Conflict(
            f"model {name!r} is served by {', '.join(used)}; delete those deployments first",
            {"name": name, "deployments": used},
        )
    rows = await ModelVersion.select().where(ModelVersion.model == model).output(load_json=True)
    if not await RegisteredModel.exists().where(RegisteredModel.id == model):
        raise NotFound(f"model {name!r} not found", {"name": name})
    await RegisteredModel.delete().where(RegisteredModel.id == model)  # versions cascade
    uris: set[str] = set()
    for r in rows:
        uris |= _uris(r)
    await _remove_objects(store, uris)
    _unpublish(serving, name, [r["version"] for r in rows])
    log.info("model %s deleted by %s", name, actor)
