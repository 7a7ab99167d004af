"""Sensor sources (the seed's devices): configured here, consumed by `streams.consumer`."""

from __future__ import annotations

from typing import Any

import msgspec
from asyncpg.exceptions import UniqueViolationError

from control_plane.feature_store.registry import get_group, new_id, specs
from control_plane.streams.counters import SourceCounters
from control_plane.streams.schemas import SourceIn, SourceOut
from control_plane.streams.tables import SourceRow
from loadstar_core.feature_store.payload import PayloadMapping, check_mapping
from schemas.errors import Conflict, InvalidInput, NotFound

NOTHING_SEEN = {
    "messages": 0,
    "malformed": 0,
    "messagesPerMinute": 0.0,
    "lastPayload": None,
    "lastMessageAt": None,
    "lastError": None,
}


async def _out(row: dict[str, Any], counters: SourceCounters | None) -> SourceOut:
    seen: dict[str, Any] = (
        dict(NOTHING_SEEN) if counters is None else await counters.read(row["id"])
    )
    return SourceOut(
        id=row["id"],
        name=row["name"],
        kind=row["kind"],
        broker=row["broker"],
        topic=row["topic"],
        groupId=row["group_id"],
        mapping=msgspec.convert(row["mapping"], PayloadMapping),
        createdAt=row["created_at"],
        **seen,
    )


async def create_source(data: SourceIn) -> SourceOut:
    group = await get_group(data.group)
    if group.sourceType != "stream":
        raise InvalidInput(
            f"group {group.name!r} is a batch group: a sensor source feeds a stream group",
            {"field": "group"},
        )
    check_mapping(data.mapping, specs(group.features))
    host, _, port = data.broker.rpartition(":")
    if data.kind == "mqtt" and (not host or not port.isdigit()):
        raise InvalidInput("broker must be host:port", {"field": "broker"})
    source_id = new_id("src")
    try:
        await SourceRow.insert(
            SourceRow(
                id=source_id,
                name=data.name,
                kind=data.kind,
                broker=data.broker if data.kind == "mqtt" else "",
                topic=data.topic,
                group_id=group.id,
                mapping=msgspec.to_builtins(data.mapping),
            )
        )
    except UniqueViolationError as exc:
        raise Conflict(f"a source named {data.name!r} exists", {"field": "name"}) from exc
    return await get_source(source_id, None)


async def _row(ref: str) -> dict[str, Any]:
    rows = (
        await SourceRow.select()
        .where((SourceRow.id == ref) | (SourceRow.name == ref))
        .output(load_json=True)
    )
    if not rows:
        raise NotFound(f"device {ref!r} not found", {"device": ref})
    return rows[0]


async def get_source(ref: str, counters: SourceCounters | None) -> SourceOut:
    return await _out(await _row(ref), counters)


async def list_sources(counters: SourceCounters | None) -> list[SourceOut]:
    rows = await SourceRow.select().order_by(SourceRow.name).output(load_json=True)
    return [await _out(r, counters) for r in rows]
