"""Watching: store what gateways ship, list and acknowledge events, policies per deployment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec

from control_plane.deployments import service as deployments
from control_plane.watching import alerting
from control_plane.watching.schemas import CommentOut, EventOut
from control_plane.watching.tables import AnomalyEventRow, EventComment, WatchPolicy
from schemas.errors import InvalidInput, NotFound
from schemas.watching import AnomalyPolicy, EventRecord, RecordBatch


def instant(text: str) -> datetime:
    try:
        stamp = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise InvalidInput(f"not an ISO 8601 time: {text!r}", {"value": text}) from exc
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


_EVENT_UPSERT = """
INSERT INTO anomaly_event (deployment_id, asset_id, kind, start_at, end_at, readings,
    duration_minutes, peak, peak_at, expected, energy_kwh, score, unit, reason, created_at)
VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, now())
ON CONFLICT (deployment_id, kind, start_at) DO UPDATE SET
    end_at = EXCLUDED.end_at, readings = EXCLUDED.readings,
    duration_minutes = EXCLUDED.duration_minutes, peak = EXCLUDED.peak,
    peak_at = EXCLUDED.peak_at, expected = EXCLUDED.expected,
    energy_kwh = EXCLUDED.energy_kwh, score = EXCLUDED.score, reason = EXCLUDED.reason
WHERE EXCLUDED.end_at >= anomaly_event.end_at
RETURNING id, (xmax = 0) AS inserted
"""
_READINGS = """
INSERT INTO watch_reading (deployment_id, t, value)
SELECT {}, unnest({}::timestamptz[]), unnest({}::float8[])
ON CONFLICT (deployment_id, t) DO NOTHING
"""
_RECEIVED = """
INSERT INTO watch_state (deployment_id, received_at) VALUES ({}, now())
ON CONFLICT (deployment_id) DO UPDATE SET received_at = EXCLUDED.received_at
"""
_FORECASTS = """
INSERT INTO watch_forecast (deployment_id, origin, step, t, p05, p50, p95)
SELECT {}, {}, generate_subscripts({}::timestamptz[], 1), unnest({}::timestamptz[]),
    unnest({}::float8[]), unnest({}::float8[]), unnest({}::float8[])
ON CONFLICT (deployment_id, origin, step) DO NOTHING
"""


async def ingest(batch: RecordBatch) -> dict[str, int]:
    """Stores a gateway's batch in one transaction; a batch sent twice is stored once.
    New events then go to the deployment's alert rules (after the commit)."""
    new: list[tuple[int, EventRecord]] = []
    async with AnomalyEventRow._meta.db.transaction():
        for r in batch.readings:
            start = instant(r.start)
            stamps = [start + timedelta(seconds=i * r.frequencyS) for i in range(len(r.value))]
            await AnomalyEventRow.raw(_READINGS, r.deploymentId, stamps, r.value)
        for deployment_id in sorted({r.deploymentId for r in batch.readings if r.value}):
            await AnomalyEventRow.raw(_RECEIVED, deployment_id)
        for f in batch.forecasts:
            if not len(f.p05) == len(f.p50) == len(f.p95):
                raise InvalidInput("forecasts: 'p05', 'p50', 'p95' differ in length", {})
            origin = instant(f.origin)
            stamps = [
                origin + timedelta(seconds=k * f.frequencyS) for k in range(1, len(f.p50) + 1)
            ]
            await AnomalyEventRow.raw(
                _FORECASTS, f.deploymentId, origin, stamps, stamps, f.p05, f.p50, f.p95
            )
        for record in batch.events:
            e = record.event
            stored = await AnomalyEventRow.raw(
                _EVENT_UPSERT,
                record.deploymentId,
                record.assetId,
                e.kind,
                instant(e.start),
                instant(e.end),
                e.readings,
                e.durationMinutes,
                e.peak,
                None if e.peakAt is None else instant(e.peakAt),
                e.expected,
                e.energyAboveExpectedKWh,
                e.score,
                e.unit,
                e.reason,
            )
            if stored and stored[0]["inserted"]:
                new.append((int(stored[0]["id"]), record))
    alerting.notify(new)
    return {
        "events": len(batch.events),
        "forecasts": len(batch.forecasts),
        "readings": sum(len(r.value) for r in batch.readings),
    }


def _event_out(row: dict[str, Any], comments: list[CommentOut]) -> EventOut:
    return EventOut(
        id=row["id"],
        deploymentId=row["deployment_id"],
        assetId=row["asset_id"],
        kind=row["kind"],
        start=row["start_at"],
        end=row["end_at"],
        readings=row["readings"],
        durationMinutes=row["duration_minutes"],
        peak=row["peak"],
        peakAt=row["peak_at"],
        expected=row["expected"],
        energyAboveExpectedKWh=row["energy_kwh"],
        score=row["score"],
        unit=row["unit"],
        reason=row["reason"],
        acknowledgedBy=row["acknowledged_by"],
        acknowledgedAt=row["acknowledged_at"],
        comments=comments,
    )


async def list_events(
    deployment_id: str | None,
    asset_id: str | None,
    kind: str | None,
    unacknowledged: bool,
    limit: int,
) -> list[EventOut]:
    """Newest first."""
    query = AnomalyEventRow.select()
    if deployment_id is not None:
        query = query.where(AnomalyEventRow.deployment_id == deployment_id)
    if asset_id is not None:
        query = query.where(AnomalyEventRow.asset_id == asset_id)
    if kind is not None:
        query = query.where(AnomalyEventRow.kind == kind)
    if unacknowledged:
        query = query.where(AnomalyEventRow.acknowledged_at.is_null())
    rows = await query.order_by(AnomalyEventRow.start_at, ascending=False).limit(limit)
    ids = [r["id"] for r in rows]
    comments: dict[int, list[CommentOut]] = {i: [] for i in ids}
    if ids:
        found = await (
            EventComment.select()
            .where(EventComment.event_id.is_in(ids))
            .order_by(EventComment.created_at)
        )
        for c in found:
            comments[c["event_id"]].append(
                CommentOut(
                    id=c["id"], author=c["author"], text=c["text"], createdAt=c["created_at"]
                )
            )
    return [_event_out(r, comments[r["id"]]) for r in rows]


async def get_event(event_id: int) -> EventOut:
    row = await AnomalyEventRow.select().where(AnomalyEventRow.id == event_id).first()
    if row is None:
        raise NotFound(f"anomaly event {event_id} not found", {"eventId": event_id})
    found = await (
        EventComment.select()
        .where(EventComment.event_id == event_id)
        .order_by(EventComment.created_at)
    )
    comments = [
        CommentOut(id=c["id"], author=c["author"], text=c["text"], createdAt=c["created_at"])
        for c in found
    ]
    return _event_out(row, comments)


async def acknowledge(event_id: int, actor: str) -> EventOut:
    """Marks the event seen; acknowledging it again keeps the first who did."""
    await get_event(event_id)
    await AnomalyEventRow.update(
        {AnomalyEventRow.acknowledged_by: actor, AnomalyEventRow.acknowledged_at: datetime.now(UTC)}
    ).where((AnomalyEventRow.id == event_id) & AnomalyEventRow.acknowledged_at.is_null())
    return await get_event(event_id)


async def comment(event_id: int, actor: str, text: str) -> EventOut:
    await get_event(event_id)
    await EventComment.insert(
        EventComment(event_id=event_id, author=actor, text=text, created_at=datetime.now(UTC))
    )
    return await get_event(event_id)


async def get_policy(deployment_id: str) -> AnomalyPolicy:
    await deployments.get_row(deployment_id)
    row = (
        await WatchPolicy.select()
        .where(WatchPolicy.deployment_id == deployment_id)
        .output(load_json=True)
        .first()
    )
    return AnomalyPolicy() if row is None else msgspec.convert(row["policy"], AnomalyPolicy)


async def put_policy(deployment_id: str, policy: AnomalyPolicy, actor: str) -> AnomalyPolicy:
    """Stores the policy and bumps the config revision, so gateways alarm by it at once."""
    await deployments.get_row(deployment_id)
    now = datetime.now(UTC)
    await WatchPolicy.raw(
        "INSERT INTO watch_policy (deployment_id, policy, updated_by, updated_at) "
        "VALUES ({}, {}::jsonb, {}, {}) ON CONFLICT (deployment_id) DO UPDATE SET "
        "policy = EXCLUDED.policy, updated_by = EXCLUDED.updated_by, "
        "updated_at = EXCLUDED.updated_at",
        deployment_id,
        msgspec.json.encode(policy).decode(),
        actor,
        now,
    )
    await deployments.bump_revision()
    return policy


async def policies() -> dict[str, AnomalyPolicy]:
    """Every deployment's own policy (those on the default are absent)."""
    rows = await WatchPolicy.select(WatchPolicy.deployment_id, WatchPolicy.policy).output(
        load_json=True
    )
    return {r["deployment_id"]: msgspec.convert(r["policy"], AnomalyPolicy) for r in rows}
