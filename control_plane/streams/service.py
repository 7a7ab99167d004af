"""Live streams: a deployment bound to one entity of a sensor source.

Life: `running` (the runner forecasts at every new grid point) -> `stopped`. One running
stream per deployment; starting again restarts it where it stopped. The runner lives in
the sensor-consumer process, so a control-plane restart does not interrupt it, and a
runner restart resumes from `last_point` (see `loadstar_core.feature_store.grid`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import msgspec

from control_plane.deployments.service import get_row
from control_plane.feature_store.registry import new_id
from control_plane.streams.schemas import StreamEvent, StreamOut, StreamStart
from control_plane.streams.sources import get_source
from control_plane.streams.tables import StreamResultRow, StreamRow
from control_plane.struct_rows import from_row
from schemas.errors import Conflict, NotFound


def stream_out(row: dict[str, Any]) -> StreamOut:
    return from_row(StreamOut, row)


async def start_stream(data: StreamStart) -> StreamOut:
    deployment = await get_row(data.deploymentId)
    if deployment["status"] != "active":
        raise Conflict("the deployment is revoked", {"deploymentId": data.deploymentId})
    source = await get_source(data.deviceId, None)
    running = await StreamRow.select().where(
        (StreamRow.deployment_id == data.deploymentId) & (StreamRow.status == "running")
    )
    if running:
        raise Conflict(
            "the deployment already has a running stream; stop it first",
            {"deploymentId": data.deploymentId, "streamId": running[0]["id"]},
        )
    stream_id = new_id("st")
    await StreamRow.insert(
        StreamRow(
            id=stream_id,
            deployment_id=data.deploymentId,
            source_id=source.id,
            entity=data.entity,
        )
    )
    return await get_stream(stream_id)


async def stop_stream(deployment_id: str) -> StreamOut:
    stopped = (
        await StreamRow.update(status="stopped", stopped_at=datetime.now(UTC))
        .where((StreamRow.deployment_id == deployment_id) & (StreamRow.status == "running"))
        .returning(StreamRow.id)
    )
    if not stopped:
        raise NotFound("the deployment has no running stream", {"deploymentId": deployment_id})
    return await get_stream(stopped[0]["id"])


async def get_stream(stream_id: str) -> StreamOut:
    rows = await StreamRow.select().where(StreamRow.id == stream_id)
    if not rows:
        raise NotFound(f"stream {stream_id!r} not found", {"id": stream_id})
    return stream_out(rows[0])


async def list_streams() -> list[StreamOut]:
    rows = await StreamRow.select().order_by(StreamRow.created_at, ascending=False)
    return [stream_out(r) for r in rows]


async def recent_events(deployment_id: str, limit: int = 200) -> list[StreamEvent]:
    """The deployment's last stored results, oldest first (what the Live page replays)."""
    rows = (
        await StreamResultRow.select(StreamResultRow.event)
        .where(StreamResultRow.deployment_id == deployment_id)
        .order_by(StreamResultRow.point, ascending=False)
        .limit(limit)
        .output(load_json=True)
    )
    return [msgspec.convert(r["event"], StreamEvent) for r in reversed(rows)]
