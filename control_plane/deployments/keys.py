"""Named API keys per deployment: create (secret shown once), list, revoke, last use.

Only a key's SHA-256 is stored. Every change bumps the config revision, so gateways get
the new key list within one long-poll round trip; expiry is checked by the gateway on
each request (no change is needed when a key runs out).
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

import msgspec

from control_plane.auth.api_keys import KeyCaller
from control_plane.deployments.schemas import CreateKey, KeyCreated, KeyOut
from control_plane.deployments.tables import Deployment, DeploymentKey
from loadstar_core.digests import token_digest
from schemas.errors import Conflict, InvalidInput, NotFound
from schemas.gateway import GatewayKey

ALL_SCOPES = ["detect", "predict"]
DEFAULT_NAME = "default"


def new_secret() -> str:
    return secrets.token_urlsafe(32)  # 256 random bits


class StoredKey(msgspec.Struct, kw_only=True):
    """A row of `deployment_key`, as this module reads and writes it."""

    id: str
    deployment_id: str
    name: str
    scopes: list[str]
    token_sha256: str
    hint: str
    created_by: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None
    revoked_by: str


def _status(key: StoredKey, now: datetime) -> str:
    if key.revoked_at is not None:
        return "revoked"
    if key.expires_at is not None and key.expires_at <= now:
        return "expired"
    return "active"


def to_out(key: StoredKey, now: datetime | None = None) -> KeyOut:
    return KeyOut(
        id=key.id,
        deploymentId=key.deployment_id,
        name=key.name,
        scopes=list(key.scopes),
        hint=key.hint,
        status=_status(key, now or datetime.now(UTC)),  # type: ignore[arg-type]
        createdBy=key.created_by,
        createdAt=key.created_at,
        expiresAt=key.expires_at,
        lastUsedAt=key.last_used_at,
        revokedAt=key.revoked_at,
    )


async def insert_key(
    deployment_id: str,
    name: str,
    scopes: list[str],
    expires_at: datetime | None,
    actor: str,
) -> tuple[str, StoredKey]:
    """Store a new key; returns its secret and row (the caller bumps the revision)."""
    secret = new_secret()
    key = StoredKey(
        id=f"key-{secrets.token_hex(6)}",
        deployment_id=deployment_id,
        name=name,
        scopes=scopes,
        token_sha256=token_digest(secret),
        hint=secret[-4:],
        created_by=actor,
        created_at=datetime.now(UTC),
        expires_at=expires_at,
        last_used_at=None,
        revoked_at=None,
        revoked_by="",
    )
    await DeploymentKey.insert(DeploymentKey(**msgspec.structs.asdict(key)))
    return secret, key


def check_new_key(data: CreateKey, taken: list[str]) -> tuple[str, list[str]]:
    name = data.name.strip()
    if not name:
        raise InvalidInput("a key needs a name", {"field": "name"})
    if name in taken:
        raise Conflict(
            f"this deployment already has a live key named {name!r}; revoke it or pick "
            "another name",
            {"field": "name", "name": name},
        )
    scopes: list[str] = sorted(set(data.scopes))
    if not scopes:
        raise InvalidInput("a key needs at least one scope", {"field": "scopes"})
    if data.expiresAt is not None:
        if data.expiresAt.tzinfo is None:
            raise InvalidInput("expiresAt needs a time zone (e.g. Z)", {"field": "expiresAt"})
        if data.expiresAt <= datetime.now(UTC):
            raise InvalidInput("expiresAt is in the past", {"field": "expiresAt"})
    return name, scopes


def _stored(row: dict[str, Any]) -> StoredKey:
    return msgspec.convert(row, StoredKey)


async def rows_of(deployment_id: str) -> list[StoredKey]:
    rows = (
        await DeploymentKey.select()
        .where(DeploymentKey.deployment_id == deployment_id)
        .order_by(DeploymentKey.created_at, ascending=False)
        .output(load_json=True)
    )
    return [_stored(r) for r in rows]


async def live_names(deployment_id: str) -> list[str]:
    now = datetime.now(UTC)
    return [k.name for k in await rows_of(deployment_id) if _status(k, now) == "active"]


async def create_key(deployment_id: str, data: CreateKey, actor: str) -> KeyCreated:
    name, scopes = check_new_key(data, await live_names(deployment_id))
    secret, row = await insert_key(deployment_id, name, scopes, data.expiresAt, actor)
    return KeyCreated(key=to_out(row), secret=secret)


async def list_keys(deployment_id: str) -> list[KeyOut]:
    now = datetime.now(UTC)
    return [to_out(r, now) for r in await rows_of(deployment_id)]


async def revoke_key(deployment_id: str, key_id: str, actor: str) -> str:
    """Revoke one key (a revoked one stays as it was); returns its name."""
    row = (
        await DeploymentKey.select()
        .where((DeploymentKey.id == key_id) & (DeploymentKey.deployment_id == deployment_id))
        .first()
    )
    if row is None:
        raise NotFound(f"no key {key_id!r} on this deployment", {"keyId": key_id})
    if row["revoked_at"] is None:
        await DeploymentKey.update(
            {DeploymentKey.revoked_at: datetime.now(UTC), DeploymentKey.revoked_by: actor}
        ).where(DeploymentKey.id == key_id)
    return str(row["name"])


async def revoke_named(deployment_id: str, name: str | None, actor: str) -> None:
    """Revoke the live keys of a deployment (those named `name`, or all of them)."""
    where = (DeploymentKey.deployment_id == deployment_id) & (DeploymentKey.revoked_at.is_null())
    if name is not None:
        where = where & (DeploymentKey.name == name)
    await DeploymentKey.update(
        {DeploymentKey.revoked_at: datetime.now(UTC), DeploymentKey.revoked_by: actor}
    ).where(where)


async def gateway_keys() -> dict[str, list[GatewayKey]]:
    """Every deployment's keys as the gateway serves them (revoked ones flagged)."""
    rows = await DeploymentKey.select().output(load_json=True)
    out: dict[str, list[GatewayKey]] = {}
    for r in rows:
        expires = r["expires_at"]
        out.setdefault(r["deployment_id"], []).append(
            GatewayKey(
                id=r["id"],
                sha256=r["token_sha256"],
                scopes=list(r["scopes"]),
                expiresAt=None if expires is None else expires.timestamp(),
                revoked=r["revoked_at"] is not None,
            )
        )
    return out


async def note_use(used: dict[str, float]) -> int:
    """Move each key's `last_used_at` forward to what a gateway saw; returns keys updated."""
    updated = 0
    for key_id, at in list(used.items())[:10_000]:
        when = datetime.fromtimestamp(at, UTC)
        rows = await DeploymentKey.raw(
            "UPDATE deployment_key SET last_used_at = {} WHERE id = {} "
            "AND (last_used_at IS NULL OR last_used_at < {}) RETURNING id",
            when,
            key_id,
            when,
        )
        updated += len(rows)
    return updated


async def live_key(secret: str, scope: str) -> KeyCaller | None:
    """The live key with `secret` and `scope` on an active deployment; None if none."""
    row = (
        await DeploymentKey.select()
        .where(DeploymentKey.token_sha256 == token_digest(secret))
        .output(load_json=True)
        .first()
    )
    if row is None:
        return None
    key = _stored(row)
    if _status(key, datetime.now(UTC)) != "active" or scope not in key.scopes:
        return None
    dep = (
        await Deployment.select(Deployment.asset_id, Deployment.status)
        .where(Deployment.id == key.deployment_id)
        .first()
    )
    if dep is None or dep["status"] != "active":
        return None
    return KeyCaller(name=key.name, deployment_id=key.deployment_id, asset_id=dep["asset_id"])
