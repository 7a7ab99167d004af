"""Aliases (`@champion`): one row per (model, alias), moved by a single upsert.

Every move and deletion records an event in the same transaction (`outbox.record_move`);
what follows the alias (deployments publishing to Triton) runs after the commit.
"""

from __future__ import annotations

import re
from typing import Any

from control_plane.registry.outbox import record_move
from control_plane.registry.schemas import AliasOut, ModelVersionOut
from control_plane.registry.service import get_version, model_id, now, transaction
from control_plane.registry.tables import ModelAlias, ModelVersion
from schemas.errors import InvalidInput, NotFound

_ALIAS = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")
_RESERVED = re.compile(r"^(latest|v\d+)$")  # would read like a version selector


def normalize_alias(alias: str) -> str:
    """`@champion` and `champion` are the same alias; reserved and malformed ones refused."""
    bare = alias[1:] if alias.startswith("@") else alias
    if not _ALIAS.match(bare) or _RESERVED.match(bare):
        raise InvalidInput(
            "an alias is 1-64 lowercase letters, digits, '_' or '-', starting with a letter, "
            "and not 'latest' or 'v<number>'",
            {"field": "alias", "alias": alias},
        )
    return bare


def _out(name: str, row: dict[str, Any]) -> AliasOut:
    return AliasOut(
        name=name,
        alias=row["alias"],
        version=row["version"],
        updatedBy=row["updated_by"],
        updatedAt=row["updated_at"],
    )


async def set_alias(name: str, alias: str, version: int, actor: str) -> AliasOut:
    """Point `alias` at `version` (creating it or moving it) in one statement."""
    alias = normalize_alias(alias)
    async with transaction():
        model = await model_id(name)
        if not await ModelVersion.exists().where(
            (ModelVersion.model == model) & (ModelVersion.version == version)
        ):
            raise NotFound(
                f"model {name!r} has no version {version}", {"name": name, "version": version}
            )
        rows = (
            await ModelAlias.insert(
                ModelAlias(
                    model=model, alias=alias, version=version, updated_by=actor, updated_at=now()
                )
            )
            .on_conflict(
                target=(ModelAlias.model, ModelAlias.alias),
                action="DO UPDATE",
                values=[ModelAlias.version, ModelAlias.updated_by, ModelAlias.updated_at],
            )
            .returning(*ModelAlias.all_columns())
        )
        await record_move(name, alias, version, actor)
    return _out(name, rows[0])


async def delete_alias(name: str, alias: str, actor: str) -> None:
    alias = normalize_alias(alias)
    async with transaction():
        model = await model_id(name)
        deleted = (
            await ModelAlias.delete()
            .where((ModelAlias.model == model) & (ModelAlias.alias == alias))
            .returning(ModelAlias.id)
        )
        if not deleted:
            raise NotFound(f"model {name!r} has no alias {alias!r}", {"name": name, "alias": alias})
        await record_move(name, alias, None, actor)


async def list_aliases(name: str) -> list[AliasOut]:
    model = await model_id(name)
    rows = await ModelAlias.select().where(ModelAlias.model == model).order_by(ModelAlias.alias)
    return [_out(name, r) for r in rows]


async def resolve_alias(name: str, alias: str) -> ModelVersionOut:
    """The version `alias` points at."""
    alias = normalize_alias(alias)
    rows = await ModelAlias.select(ModelAlias.version).where(
        (ModelAlias.model.name == name) & (ModelAlias.alias == alias)
    )
    if not rows:
        await model_id(name)
        raise NotFound(f"model {name!r} has no alias {alias!r}", {"name": name, "alias": alias})
    return await get_version(name, int(rows[0]["version"]))
