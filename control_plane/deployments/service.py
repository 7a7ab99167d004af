"""Deployments: create (publish if needed), mapping, rollback, tokens, delete, gateway view."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

import msgspec

from control_plane.deployments import keys
from control_plane.deployments.basis import VersionBasis, version_basis
from control_plane.deployments.contract import build_contract, merge_inputs
from control_plane.deployments.publishing import publish_version
from control_plane.deployments.runtime import DeploymentRuntime
from control_plane.deployments.schemas import (
    ChangeOut,
    CreateDeployment,
    CreateKey,
    DeploymentCreated,
    DeploymentOut,
    KeyCreated,
    KeyOut,
    Mapping,
    TokenOut,
)
from control_plane.deployments.tables import (
    ConfigRevision,
    Deployment,
    DeploymentChange,
    DeploymentKey,
)
from control_plane.deployments.units import validate_contract_units
from control_plane.registry.resolve import resolve_version
from control_plane.struct_rows import from_row
from schemas.contracts import DeploymentContract
from schemas.errors import Conflict, InvalidInput, NotFound
from schemas.gateway import GatewayDeployment, GatewaySnapshot, OnlineWindow
from triton_repo.publisher import triton_model_name


async def bump_revision() -> int:
    rows = await ConfigRevision.raw(
        "INSERT INTO config_revision (id, value, note) VALUES (1, 1, '') "
        "ON CONFLICT (id) DO UPDATE SET value = config_revision.value + 1 RETURNING value"
    )
    return int(rows[0]["value"])


async def current_revision() -> int:
    row = await ConfigRevision.select(ConfigRevision.value).where(ConfigRevision.id == 1).first()
    return int(row["value"]) if row else 0


def api_url(runtime: DeploymentRuntime) -> str:
    return f"{runtime.settings.gateway_public_url.rstrip('/')}/api/inference/predict"


def to_out(row: dict[str, Any], runtime: DeploymentRuntime) -> DeploymentOut:
    return DeploymentOut(
        id=row["id"],
        name=row["name"],
        modelId=row["model_name"],
        version=row["model_version"],
        followAlias=row["follow_alias"],
        assetId=row["asset_id"],
        tritonModel=row["triton_model"],
        status=row["status"],
        apiUrl=api_url(runtime),
        revision=row["revision"],
        contract=msgspec.convert(row["contract"], DeploymentContract),
        createdBy=row["created_by"],
        createdAt=row["created_at"],
        updatedAt=row["updated_at"],
    )


async def get_row(deployment_id: str) -> dict[str, Any]:
    row = (
        await Deployment.select()
        .where(Deployment.id == deployment_id)
        .output(load_json=True)
        .first()
    )
    if row is None:
        raise NotFound(f"deployment {deployment_id!r} not found", {"deploymentId": deployment_id})
    return row


async def record(
    deployment_id: str, revision: int, kind: str, details: dict[str, Any], actor: str
) -> None:
    await DeploymentChange.insert(
        DeploymentChange(
            deployment_id=deployment_id,
            revision=revision,
            kind=kind,
            details=details,
            actor=actor,
            created_at=datetime.now(UTC),
        )
    )


def _contract(
    deployment_id: str, basis: VersionBasis, inputs: list[dict[str, Any]], row: dict[str, Any]
) -> DeploymentContract:
    contract = build_contract(
        deployment_id=deployment_id,
        basis=basis,
        inputs=inputs,
        fill=row["fill"],
        max_missing_ratio=row["max_missing_ratio"],
        timestamp_field=row.get("timestamp_field", "timestamp"),
        asset_id=row["asset_id"],
        out_of_range=row.get("out_of_range", "warn"),
    )
    validate_contract_units(contract)
    return contract


async def ensure_published(runtime: DeploymentRuntime, basis: VersionBasis) -> str:
    triton_model = triton_model_name(basis.model_name)
    async with runtime.repository.model_lock(triton_model):  # no catch-up load inside
        await publish_version(
            store=runtime.store,
            publisher=runtime.publisher,
            repository=runtime.repository,
            inference=runtime.inference,
            triton_model=triton_model,
            version=basis.version,
            artifact_uri=basis.artifact_uri,
            artifacts=basis.artifacts,
        )
    return triton_model


async def create(
    data: CreateDeployment, user: str, runtime: DeploymentRuntime
) -> DeploymentCreated:
    if data.version is not None and data.alias is not None:
        raise InvalidInput(
            "give either version or alias, not both", {"fields": ["version", "alias"]}
        )
    version = await resolve_version(data.modelId, data.version, data.alias)
    basis = await version_basis(data.modelId, version)
    deployment_id = f"dep-{secrets.token_hex(4)}"
    mapping = data.mapping or Mapping()
    settings_row = {
        "fill": mapping.fill or "linear",
        "max_missing_ratio": 0.2 if mapping.maxMissingRatio is None else mapping.maxMissingRatio,
        "timestamp_field": mapping.timestampField or "timestamp",
        "asset_id": data.assetId,
        "out_of_range": mapping.outOfRange or "warn",
    }
    inputs = merge_inputs(basis, [], mapping)
    contract = _contract(deployment_id, basis, inputs, settings_row)  # validates before publishing
    triton_model = await ensure_published(runtime, basis)
    token, _ = await keys.insert_key(deployment_id, keys.DEFAULT_NAME, keys.ALL_SCOPES, None, user)
    now = datetime.now(UTC)
    revision = await bump_revision()
    await Deployment.insert(
        Deployment(
            id=deployment_id,
            name=data.name or f"{data.modelId} v{version}",
            model_name=data.modelId,
            model_version=version,
            follow_alias=data.alias.lstrip("@").lower() if data.alias else None,
            asset_id=data.assetId,
            triton_model=triton_model,
            status="active",
            inputs=inputs,
            fill=settings_row["fill"],
            max_missing_ratio=settings_row["max_missing_ratio"],
            contract=msgspec.to_builtins(contract),
            revision=revision,
            created_by=user,
            created_at=now,
            updated_at=now,
        )
    )
    await record(
        deployment_id, revision, "created", {"version": version, "alias": data.alias}, user
    )
    out = to_out(await get_row(deployment_id), runtime)
    return DeploymentCreated(
        id=deployment_id, apiUrl=out.apiUrl, apiToken=token, status=out.status, deployment=out
    )


async def list_deployments(runtime: DeploymentRuntime, model: str | None) -> list[DeploymentOut]:
    query = (
        Deployment.select().output(load_json=True).order_by(Deployment.created_at, ascending=False)
    )
    if model:
        query = query.where(Deployment.model_name == model)
    return [to_out(r, runtime) for r in await query]


async def get(deployment_id: str, runtime: DeploymentRuntime) -> DeploymentOut:
    return to_out(await get_row(deployment_id), runtime)


async def repoint(
    row: dict[str, Any],
    version: int,
    runtime: DeploymentRuntime,
    mapping: Mapping | None,
    kind: str,
    actor: str,
) -> DeploymentOut:
    """Change version and/or mapping: validate, publish, then switch in one update."""
    basis = await version_basis(row["model_name"], version)
    inputs = merge_inputs(basis, row["inputs"], mapping)
    settings_row = dict(row)
    if mapping is not None:
        if mapping.fill is not None:
            settings_row["fill"] = mapping.fill
        if mapping.maxMissingRatio is not None:
            settings_row["max_missing_ratio"] = mapping.maxMissingRatio
        if mapping.timestampField is not None:
            settings_row["timestamp_field"] = mapping.timestampField
        if mapping.outOfRange is not None:
            settings_row["out_of_range"] = mapping.outOfRange
    settings_row.setdefault("timestamp_field", row["contract"].get("timestampField", "timestamp"))
    settings_row.setdefault("out_of_range", row["contract"].get("outOfRange", "warn"))
    contract = _contract(row["id"], basis, inputs, settings_row)
    if version != row["model_version"]:
        await ensure_published(runtime, basis)
    revision = await bump_revision()
    await Deployment.update(
        {
            Deployment.model_version: version,
            Deployment.inputs: inputs,
            Deployment.fill: settings_row["fill"],
            Deployment.max_missing_ratio: settings_row["max_missing_ratio"],
            Deployment.contract: msgspec.to_builtins(contract),
            Deployment.revision: revision,
            Deployment.updated_at: datetime.now(UTC),
        }
    ).where(Deployment.id == row["id"])
    details: dict[str, Any] = {"from": row["model_version"], "to": version}
    if mapping is not None:
        details["mapping"] = msgspec.to_builtins(mapping)
    await record(row["id"], revision, kind, details, actor)
    return to_out(await get_row(row["id"]), runtime)


async def update_mapping(
    deployment_id: str, mapping: Mapping, runtime: DeploymentRuntime, actor: str
) -> DeploymentOut:
    row = await get_row(deployment_id)
    return await repoint(row, row["model_version"], runtime, mapping, "mapping", actor)


async def rollback(
    deployment_id: str, version: int, runtime: DeploymentRuntime, actor: str
) -> DeploymentOut:
    row = await get_row(deployment_id)
    if version == row["model_version"]:
        raise Conflict(f"deployment already serves version {version}", {"version": version})
    return await repoint(row, version, runtime, None, "rollback", actor)


async def rotate_token(deployment_id: str, actor: str) -> TokenOut:
    row = await get_row(deployment_id)
    if row["status"] != "active":
        raise Conflict("the deployment is revoked", {"status": row["status"]})
    await keys.revoke_named(deployment_id, keys.DEFAULT_NAME, actor)
    token, _ = await keys.insert_key(deployment_id, keys.DEFAULT_NAME, keys.ALL_SCOPES, None, actor)
    revision = await bump_revision()
    await Deployment.update(
        {
            Deployment.revision: revision,
            Deployment.updated_at: datetime.now(UTC),
        }
    ).where(Deployment.id == deployment_id)
    await record(deployment_id, revision, "token", {}, actor)
    return TokenOut(apiToken=token, revision=revision)


async def revoke(deployment_id: str, actor: str) -> None:
    await get_row(deployment_id)
    await keys.revoke_named(deployment_id, None, actor)
    revision = await bump_revision()
    await Deployment.update(
        {
            Deployment.status: "revoked",
            Deployment.token_sha256: "",
            Deployment.revision: revision,
            Deployment.updated_at: datetime.now(UTC),
        }
    ).where(Deployment.id == deployment_id)
    await record(deployment_id, revision, "revoked", {}, actor)


async def delete(deployment_id: str, runtime: DeploymentRuntime, actor: str) -> None:
    """Remove the deployment, then unpublish what no other deployment uses."""
    row = await get_row(deployment_id)
    await Deployment.delete().where(Deployment.id == deployment_id)
    await DeploymentKey.delete().where(DeploymentKey.deployment_id == deployment_id)
    revision = await bump_revision()
    await record(deployment_id, revision, "deleted", {}, actor)
    await unpublish_unused(runtime, row["triton_model"], row["model_version"])


async def unpublish_unused(runtime: DeploymentRuntime, triton_model: str, version: int) -> None:
    """No deployment left on the model: unload it. Others on other versions only: take this
    version out of the repository and reload, so Triton drops it and keeps serving theirs."""
    async with runtime.repository.model_lock(triton_model):
        users = await Deployment.select(Deployment.model_version).where(
            Deployment.triton_model == triton_model
        )
        if not users:
            await runtime.repository.unload(triton_model)
        elif all(u["model_version"] != version for u in users):
            runtime.publisher.remove_version(triton_model, version)
            await runtime.repository.load(triton_model)


async def history(deployment_id: str) -> list[ChangeOut]:
    await get_row(deployment_id)
    rows = (
        await DeploymentChange.select()
        .where(DeploymentChange.deployment_id == deployment_id)
        .order_by(DeploymentChange.revision)
        .output(load_json=True)
    )
    return [from_row(ChangeOut, r) for r in rows]


async def follow_alias(
    model: str, alias: str, version: int, runtime: DeploymentRuntime
) -> list[str]:
    """Deployments that follow `alias` move to `version` (called when the alias moves)."""
    rows = (
        await Deployment.select()
        .where(
            (Deployment.model_name == model)
            & (Deployment.follow_alias == alias)
            & (Deployment.status == "active")
        )
        .output(load_json=True)
    )
    moved = []
    for row in rows:
        if row["model_version"] != version:
            await repoint(row, version, runtime, None, "alias", f"alias:{alias}")
            moved.append(row["id"])
    return moved


async def snapshot() -> GatewaySnapshot:
    rows = await Deployment.select().where(Deployment.status == "active").output(load_json=True)
    by_deployment = await keys.gateway_keys()
    deployments = [
        GatewayDeployment(
            contract=msgspec.convert(r["contract"], DeploymentContract),
            tokenSha256=r["token_sha256"],
            tritonModel=r["triton_model"],
            tritonVersion=r["model_version"],
            revision=r["revision"],
            assetId=r["asset_id"],
            keys=by_deployment.get(r["id"], []),
            onlineWindow=None
            if not r.get("online_window")
            else msgspec.convert(r["online_window"], OnlineWindow),
        )
        for r in rows
    ]
    return GatewaySnapshot(revision=await current_revision(), deployments=deployments)


async def create_key(deployment_id: str, data: CreateKey, actor: str) -> KeyCreated:
    row = await get_row(deployment_id)
    if row["status"] != "active":
        raise Conflict("the deployment is revoked", {"status": row["status"]})
    created = await keys.create_key(deployment_id, data, actor)
    revision = await bump_revision()
    await record(
        deployment_id,
        revision,
        "key",
        {"created": created.key.id, "name": created.key.name, "scopes": created.key.scopes},
        actor,
    )
    return created


async def list_keys(deployment_id: str) -> list[KeyOut]:
    await get_row(deployment_id)
    return await keys.list_keys(deployment_id)


async def revoke_key(deployment_id: str, key_id: str, actor: str) -> None:
    await get_row(deployment_id)
    name = await keys.revoke_key(deployment_id, key_id, actor)
    revision = await bump_revision()
    details = {"revoked": key_id, "keyId": key_id, "name": name}
    await record(deployment_id, revision, "key", details, actor)
