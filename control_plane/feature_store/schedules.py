"""Materialization schedules: cron expressions (croniter reads them), fired by the worker."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from croniter import croniter

from control_plane.feature_store import runs
from control_plane.feature_store.queue import MaterializationQueue
from control_plane.feature_store.registry import get_group, new_id
from control_plane.feature_store.schemas import MaterializeRequest, ScheduleIn, ScheduleOut
from control_plane.feature_store.tables import ScheduleRow
from schemas.errors import InvalidInput


def next_fire(cron: str, after: datetime) -> datetime:
    return croniter(cron, after).get_next(datetime)  # type: ignore[no-any-return]


def _out(row: dict[str, Any]) -> ScheduleOut:
    base = row["last_run_at"] or row["created_at"]
    return ScheduleOut(
        id=row["id"],
        groupId=row["group_id"],
        cron=row["cron"],
        enabled=row["enabled"],
        lastRunAt=row["last_run_at"],
        nextRunAt=next_fire(row["cron"], base),
    )


async def create_schedule(data: ScheduleIn) -> ScheduleOut:
    group = await get_group(data.group)
    if not croniter.is_valid(data.cron):
        raise InvalidInput(
            f"{data.cron!r} is not a cron expression (minute hour day month weekday)",
            {"field": "cron"},
        )
    schedule_id = new_id("ms")
    await ScheduleRow.insert(ScheduleRow(id=schedule_id, group_id=group.id, cron=data.cron))
    rows = await ScheduleRow.select().where(ScheduleRow.id == schedule_id)
    return _out(rows[0])


async def list_schedules(group: str | None) -> list[ScheduleOut]:
    query = ScheduleRow.select().order_by(ScheduleRow.created_at)
    if group:
        query = query.where(ScheduleRow.group_id == (await get_group(group)).id)
    return [_out(r) for r in await query]


async def fire_due(queue: MaterializationQueue, now: datetime | None = None) -> list[str]:
    """Queues an incremental run for every enabled schedule that is due; returns run ids.
    A schedule is claimed with a conditional update, so two workers never both fire it."""
    now = now or datetime.now(UTC)
    fired = []
    for row in await ScheduleRow.select().where(ScheduleRow.enabled == True):  # noqa: E712
        base = row["last_run_at"] or row["created_at"]
        if next_fire(row["cron"], base) > now:
            continue
        claimed = (
            await ScheduleRow.update(last_run_at=now)
            .where(
                (ScheduleRow.id == row["id"])
                & (
                    ScheduleRow.last_run_at.is_null()
                    if row["last_run_at"] is None
                    else ScheduleRow.last_run_at == row["last_run_at"]
                )
            )
            .returning(ScheduleRow.id)
        )
        if not claimed:
            continue
        run = await runs.record_run(
            MaterializeRequest(group=row["group_id"]), "scheduler", f"schedule:{row['id']}"
        )
        await queue.enqueue_materialization(run.id)
        fired.append(run.id)
    return fired
