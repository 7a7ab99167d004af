"""Cron schedules that run a suite on a dataset."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from control_plane.datasets.service import get_dataset
from control_plane.quality.jobs import next_run
from control_plane.quality.schemas import ScheduleIn, ScheduleOut
from control_plane.quality.suites import new_id, suite_for
from control_plane.quality.tables import QualitySchedule
from control_plane.struct_rows import from_row


def to_out(row: dict[str, Any]) -> ScheduleOut:
    return from_row(ScheduleOut, row)


async def create_schedule(data: ScheduleIn, user: str) -> ScheduleOut:
    now = datetime.now(UTC)
    first = next_run(data.cron, now)
    suite = await suite_for(await get_dataset(data.datasetId), None, data.suiteName)
    row = QualitySchedule(
        id=new_id("qsc"),
        dataset_id=data.datasetId,
        suite_name=suite.name,
        cron=data.cron,
        enabled=data.enabled,
        next_run_at=first,
        created_by=user,
        created_at=now,
    )
    await row.save()
    saved = await QualitySchedule.select().where(QualitySchedule.id == row.id).first()
    assert saved is not None
    return to_out(saved)


async def list_schedules(dataset_id: str | None) -> list[ScheduleOut]:
    query = QualitySchedule.select()
    if dataset_id:
        query = query.where(QualitySchedule.dataset_id == dataset_id)
    return [to_out(r) for r in await query.order_by(QualitySchedule.created_at)]


async def delete_schedule(schedule_id: str) -> None:
    await QualitySchedule.delete().where(QualitySchedule.id == schedule_id)
