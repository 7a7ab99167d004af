"""Registered models and their numbered versions.

Version numbers: the model row's `last_version` is bumped with `UPDATE ... RETURNING`
inside the registering transaction, so concurrent registrations queue on that row and
each gets the next number; a failed registration rolls its number back with it.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

import msgspec
from piccolo.custom_types import Combinable
from piccolo.engine.postgres import PostgresEngine, PostgresTransaction

from control_plane.adapters.object_store import ObjectStore
from control_plane.registry.references import check_artifact, resolve_sources
from control_plane.registry.schemas import (
    CreateVersion,
    ModelPage,
    ModelVersionOut,
    RegisteredModelOut,
    Stage,
    VersionArtifact,
    VersionPage,
)
from control_plane.registry.tables import ModelAlias, ModelVersion, RegisteredModel
from schemas.errors import Conflict, InvalidInput, NotFound

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


def tag_list(raw: Any) -> list[str]:
    """Tags as stored (JSONB comes back as text unless the query loads JSON)."""
    if isinstance(raw, str):
        raw = json.loads(raw)
    return [str(t) for t in raw or []]


def now() -> datetime:
    return datetime.now(UTC)


def transaction() -> PostgresTransaction:
    """A transaction, or the caller's when one is open (piccolo nests by joining)."""
    engine = RegisteredModel._meta.db
    assert isinstance(engine, PostgresEngine)
    return engine.transaction()


def check_model_name(name: str, field: str = "name") -> None:
    if not _NAME.match(name):
        raise InvalidInput(
            "a model name is 1-128 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit",
            {"field": field, field: name},
        )


async def model_id(name: str) -> int:
    rows = await RegisteredModel.select(RegisteredModel.id).where(RegisteredModel.name == name)
    if not rows:
        raise NotFound(f"model {name!r} not found", {"name": name})
    return int(rows[0]["id"])


async def _aliases(model_ids: list[int]) -> dict[int, dict[str, int]]:
    if not model_ids:
        return {}
    rows = await ModelAlias.select(ModelAlias.model, ModelAlias.alias, ModelAlias.version).where(
        ModelAlias.model.is_in(model_ids)
    )
    found: dict[int, dict[str, int]] = {i: {} for i in model_ids}
    for r in rows:
        found[r["model"]][r["alias"]] = r["version"]
    return found


def _model_out(row: dict[str, Any], aliases: dict[str, int]) -> RegisteredModelOut:
    return RegisteredModelOut(
        name=row["name"],
        description=row["description"],
        latestVersion=row["last_version"] or None,
        aliases=aliases,
        tags=tag_list(row.get("tags")),
        createdBy=row["created_by"],
        createdAt=row["created_at"],
        updatedAt=row["updated_at"],
    )


async def create_model(name: str, description: str, actor: str) -> RegisteredModelOut:
    check_model_name(name)
    created = (
        await RegisteredModel.insert(
            RegisteredModel(name=name, description=description, created_by=actor)
        )
        .on_conflict(target=RegisteredModel.name, action="DO NOTHING")
        .returning(RegisteredModel.id)
    )
    if not created:
        raise Conflict(f"model {name!r} exists", {"name": name})
    return await get_model(name)


async def get_model(name: str) -> RegisteredModelOut:
    rows = await RegisteredModel.select().where(RegisteredModel.name == name)
    if not rows:
        raise NotFound(f"model {name!r} not found", {"name": name})
    return _model_out(rows[0], (await _aliases([rows[0]["id"]]))[rows[0]["id"]])


async def list_models(q: str | None, page: int, page_size: int) -> ModelPage:
    where: Combinable = RegisteredModel.id.is_not_null()
    if q:
        where = RegisteredModel.name.ilike(f"%{q}%") | RegisteredModel.description.ilike(f"%{q}%")
    total = await RegisteredModel.count().where(where)
    rows = (
        await RegisteredModel.select()
        .where(where)
        .order_by(RegisteredModel.name)
        .limit(page_size)
        .offset((page - 1) * page_size)
    )
    aliases = await _aliases([r["id"] for r in rows])
    items = [_model_out(r, aliases[r["id"]]) for r in rows]
    return ModelPage(items=items, total=total, page=page, pageSize=page_size)


async def register_version(
    name: str,
    data: CreateVersion,
    actor: str,
    *,
    store: ObjectStore | None = None,
    create_model: bool = False,
    model_description: str = "",
) -> ModelVersionOut:
    """Register the next version of `name` (created first when `create_model`).

    The sources are checked and completed (a job names its plan and dataset, a plan its
    dataset); with a `store`, the artifact must exist there.
    """
    if create_model:
        check_model_name(name)
    sources = await resolve_sources(data.sourceJobId, data.featurePlanId, data.datasetId)
    if store is not None:
        await check_artifact(store, data.artifactUri)
    async with transaction():
        if create_model:
            await RegisteredModel.insert(
                RegisteredModel(name=name, description=model_description, created_by=actor)
            ).on_conflict(target=RegisteredModel.name, action="DO NOTHING")
        bumped = (
            await RegisteredModel.update(
                {RegisteredModel.last_version: RegisteredModel.last_version + 1},
                updated_at=now(),
            )
            .where(RegisteredModel.name == name)
            .returning(RegisteredModel.id, RegisteredModel.last_version)
        )
        if not bumped:
            raise NotFound(f"model {name!r} not found", {"name": name})
        number = int(bumped[0]["last_version"])
        await ModelVersion.insert(
            ModelVersion(
                model=bumped[0]["id"],
                version=number,
                artifact_uri=data.artifactUri,
                artifacts=msgspec.to_builtins(data.artifacts),
                metrics=data.metrics,
                card=data.card,
                signature=data.signature,
                description=data.description,
                dataset_id=sources.dataset_id,
                feature_plan_id=sources.feature_plan_id,
                source_job_id=sources.source_job_id,
                created_by=actor,
            )
        )
    return await get_version(name, number)


async def register_from_job(
    *,
    model_name: str,
    description: str,
    artifact_uri: str,
    metrics: dict[str, Any],
    card: dict[str, Any],
    signature: dict[str, Any],
    source_job_id: str,
    dataset_id: str | None,
    feature_plan_id: str | None,
    artifacts: list[dict[str, Any]],
    user: str,
) -> ModelVersionOut:
    """A finished job's model as the next version of `model_name` (created if new)."""
    check_model_name(model_name, "modelName")
    data = CreateVersion(
        artifactUri=artifact_uri,
        signature=signature,
        metrics=metrics,
        card=card,
        artifacts=msgspec.convert(artifacts, list[VersionArtifact]),
        description=description,
        sourceJobId=source_job_id,
        datasetId=dataset_id,
        featurePlanId=feature_plan_id,
    )
    return await register_version(
        model_name, data, user, create_model=True, model_description=description
    )


_VERSION_SELECT = (*ModelVersion.all_columns(), ModelVersion.model.name.as_alias("model_name"))


def _version_out(row: dict[str, Any], aliases: list[str]) -> ModelVersionOut:
    return ModelVersionOut(
        name=row["model_name"],
        version=row["version"],
        stage=row["stage"],
        artifactUri=row["artifact_uri"],
        artifacts=msgspec.convert(row["artifacts"] or [], list[VersionArtifact]),
        metrics=row["metrics"] or {},
        card=row["card"] or {},
        signature=row["signature"] or {},
        description=row["description"],
        sourceJobId=row["source_job_id"],
        datasetId=row["dataset_id"],
        featurePlanId=row["feature_plan_id"],
        aliases=aliases,
        tags=tag_list(row.get("tags")),
        createdBy=row["created_by"],
        createdAt=row["created_at"],
        updatedAt=row["updated_at"],
    )


async def _version_aliases(rows: list[dict[str, Any]]) -> list[list[str]]:
    if not rows:
        return []
    found = (
        await ModelAlias.select(ModelAlias.alias, ModelAlias.version)
        .where(ModelAlias.model == rows[0]["model"])
        .order_by(ModelAlias.alias)
    )
    return [[a["alias"] for a in found if a["version"] == r["version"]] for r in rows]


async def get_version(name: str, version: int) -> ModelVersionOut:
    rows = (
        await ModelVersion.select(*_VERSION_SELECT)
        .where((ModelVersion.model.name == name) & (ModelVersion.version == version))
        .output(load_json=True)
    )
    if not rows:
        await model_id(name)  # NOT_FOUND naming the model when it is the model that is missing
        raise NotFound(
            f"model {name!r} has no version {version}", {"name": name, "version": version}
        )
    return _version_out(rows[0], (await _version_aliases(rows))[0])


async def list_versions(name: str, stage: Stage | None, page: int, page_size: int) -> VersionPage:
    where: Combinable = ModelVersion.model == await model_id(name)
    if stage is not None:
        where &= ModelVersion.stage == stage
    total = await ModelVersion.count().where(where)
    rows = (
        await ModelVersion.select(*_VERSION_SELECT)
        .where(where)
        .order_by(ModelVersion.version, ascending=False)
        .limit(page_size)
        .offset((page - 1) * page_size)
        .output(load_json=True)
    )
    aliases = await _version_aliases(rows)
    items = [_version_out(r, a) for r, a in zip(rows, aliases, strict=True)]
    return VersionPage(items=items, total=total, page=page, pageSize=page_size)


async def latest_version(name: str, stage: Stage | None = None) -> ModelVersionOut:
    """The highest version of `name`, or of its versions in `stage`."""
    page = await list_versions(name, stage, 1, 1)
    if not page.items:
        where = f" in stage {stage}" if stage else ""
        raise NotFound(f"model {name!r} has no version{where}", {"name": name, "stage": stage})
    return page.items[0]
