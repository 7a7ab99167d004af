"""The feature registry: groups and their versioned features, on PostgreSQL."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

from asyncpg.exceptions import UniqueViolationError

from control_plane.feature_store.schemas import FeatureIn, FeatureOut, GroupIn, GroupOut, GroupPage
from control_plane.feature_store.tables import FeatureGroupRow, FeatureRow
from control_plane.struct_rows import from_row
from loadstar_core.feature_store.rows import NUMERIC, FeatureSpec
from loadstar_core.postprocess.units import check_unit
from schemas.errors import Conflict, InvalidInput, NotFound


def new_id(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(4)}"


def _check_feature(feature: FeatureIn, field: str) -> None:
    if feature.unit is not None:
        if feature.dtype not in NUMERIC:
            raise InvalidInput(
                f"feature {feature.name!r} is {feature.dtype}: only numbers have a unit",
                {"field": f"{field}.unit"},
            )
        check_unit(feature.unit, f"{field}.unit")  # the platform's unit check (pint)
    low, high = feature.minValue, feature.maxValue
    if low is not None and high is not None and low > high:
        raise InvalidInput("minValue is above maxValue", {"field": f"{field}.minValue"})


def _feature_out(row: dict[str, Any]) -> FeatureOut:
    return from_row(FeatureOut, row)


async def current_features(group_id: str) -> list[FeatureOut]:
    """Each feature's highest version, by name."""
    rows = (
        await FeatureRow.select()
        .where(FeatureRow.group_id == group_id)
        .order_by(FeatureRow.name)
        .order_by(FeatureRow.version)
    )
    latest = {r["name"]: r for r in rows}
    return [_feature_out(r) for r in latest.values()]


def specs(features: list[FeatureOut]) -> dict[str, FeatureSpec]:
    return {
        f.name: FeatureSpec(dtype=f.dtype, unit=f.unit, min_value=f.minValue, max_value=f.maxValue)
        for f in features
    }


async def _out(row: dict[str, Any]) -> GroupOut:
    return GroupOut(
        id=row["id"],
        name=row["name"],
        description=row["description"],
        owner=row["owner"],
        sourceType=row["source_type"],
        sourceUri=row["source_uri"],
        entity=row["entity"],
        lookback=row["lookback"],
        features=await current_features(row["id"]),
        createdAt=row["created_at"],
        updatedAt=row["updated_at"],
    )


async def _row(ref: str) -> dict[str, Any]:
    rows = await FeatureGroupRow.select().where(
        (FeatureGroupRow.id == ref) | (FeatureGroupRow.name == ref)
    )
    if not rows:
        raise NotFound(f"feature group {ref!r} not found", {"group": ref})
    return rows[0]


async def get_group(ref: str) -> GroupOut:
    """A group by id or by name."""
    return await _out(await _row(ref))


async def list_groups(q: str | None = None) -> GroupPage:
    query = FeatureGroupRow.select().order_by(FeatureGroupRow.name)
    if q:
        query = query.where(FeatureGroupRow.name.ilike(f"%{q}%"))
    rows = await query
    return GroupPage(items=[await _out(r) for r in rows], total=len(rows))


def _feature_row(group_id: str, feature: FeatureIn, version: int) -> FeatureRow:
    return FeatureRow(
        group_id=group_id,
        name=feature.name,
        dtype=feature.dtype,
        unit=feature.unit,
        description=feature.description,
        version=version,
        min_value=feature.minValue,
        max_value=feature.maxValue,
    )


async def create_group(data: GroupIn, owner: str) -> GroupOut:
    names = [f.name for f in data.features]
    for i, feature in enumerate(data.features):
        _check_feature(feature, f"features[{i}]")
        if feature.name in names[:i]:
            raise InvalidInput(
                f"feature {feature.name!r} is listed twice", {"field": f"features[{i}].name"}
            )
    group_id = new_id("fg")
    try:
        async with FeatureGroupRow._meta.db.transaction():
            await FeatureGroupRow.insert(
                FeatureGroupRow(
                    id=group_id,
                    name=data.name,
                    description=data.description,
                    owner=owner,
                    source_type=data.sourceType,
                    source_uri=data.sourceUri,
                    entity=data.entity,
                    lookback=data.lookback,
                )
            )
            if data.features:
                await FeatureRow.insert(*[_feature_row(group_id, f, 1) for f in data.features])
    except UniqueViolationError as exc:
        raise Conflict(
            f"a feature group named {data.name!r} exists", {"field": "name", "name": data.name}
        ) from exc
    return await get_group(group_id)


async def add_feature(ref: str, feature: FeatureIn) -> GroupOut:
    """Adds a feature, or the next version of one the group has (history is kept)."""
    group = await _row(ref)
    _check_feature(feature, "body")
    existing = await FeatureRow.select(FeatureRow.version).where(
        (FeatureRow.group_id == group["id"]) & (FeatureRow.name == feature.name)
    )
    version = max((r["version"] for r in existing), default=0) + 1
    await FeatureRow.insert(_feature_row(group["id"], feature, version))
    await FeatureGroupRow.update(updated_at=datetime.now(UTC)).where(
        FeatureGroupRow.id == group["id"]
    )
    return await get_group(group["id"])
