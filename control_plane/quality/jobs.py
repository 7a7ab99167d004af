"""Validation runs as arq jobs on a queue of their own, and cron schedules that queue them.

The control plane runs a small arq worker for this queue (validation is polars on S3,
minutes at most, and must not wait behind a GPU training run on the training queue), and
a scheduler loop that claims due schedules with a conditional update, so several control
planes run each due schedule once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import msgspec
from arq import ArqRedis, create_pool
from arq.connections import RedisSettings
from arq.worker import Worker, func
from croniter import croniter
from litestar import Litestar

from control_plane.background import stop
from control_plane.quality import reports
from control_plane.quality.schemas import ReportOut
from control_plane.quality.tables import QualitySchedule
from control_plane.settings import Settings
from schemas.errors import InvalidInput

log = logging.getLogger(__name__)
RUN_REPORT = "run_quality_report"


def queue_name(settings: Settings) -> str:
    return f"{settings.namespace}:quality"


def next_run(cron: str, after: datetime) -> datetime:
    """The first time after `after` that `cron` names (five fields, or six with seconds)."""
    if not croniter.is_valid(cron):
        raise InvalidInput(
            f"{cron!r} is not a cron expression (five fields: minute hour day month weekday; "
            "a sixth for seconds)",
            {"field": "cron"},
        )
    return croniter(cron, after).get_next(datetime)  # type: ignore[no-any-return]


class QualityQueue:
    """The typed front of the quality queue: `enqueue_report(report)`."""

    def __init__(self, pool: ArqRedis, queue: str) -> None:
        self.pool = pool
        self.queue = queue

    async def enqueue_report(self, report: ReportOut) -> ReportOut:
        await self.pool.enqueue_job(RUN_REPORT, report.id, _queue_name=self.queue)
        return report


async def _run(ctx: dict[str, Any], report_id: str) -> None:
    await reports.run_report(ctx["settings"], report_id)


async def run_due_schedules(queue: QualityQueue, now: datetime) -> int:
    """Queue a report for every enabled schedule that is due; returns how many."""
    due = await QualitySchedule.select().where(
        QualitySchedule.enabled.eq(True), QualitySchedule.next_run_at <= now
    )
    started = 0
    for row in due:
        claimed = (
            await QualitySchedule.update(
                {
                    QualitySchedule.next_run_at: next_run(row["cron"], now),
                    QualitySchedule.last_run_at: now,
                    QualitySchedule.runs: QualitySchedule.runs + 1,
                }
            )
            .where(
                QualitySchedule.id == row["id"], QualitySchedule.next_run_at == row["next_run_at"]
            )
            .returning(QualitySchedule.id)
        )
        if not claimed:
            continue  # another control plane took it
        try:
            report = await reports.new_report(
                row["dataset_id"], None, row["suite_name"], "schedule", row["created_by"], row["id"]
            )
        except Exception:
            log.exception("schedule %s could not start a report", row["id"])
            continue
        await queue.enqueue_report(report)
        await QualitySchedule.update({QualitySchedule.last_report_id: report.id}).where(
            QualitySchedule.id == row["id"]
        )
        started += 1
    return started


async def _scheduler(queue: QualityQueue, tick: float) -> None:
    while True:
        try:
            await run_due_schedules(queue, datetime.now(UTC))
        except Exception:
            log.exception("quality scheduler tick failed")
        await asyncio.sleep(tick)


@asynccontextmanager
async def quality_lifespan(app: Litestar) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    redis = RedisSettings.from_dsn(settings.redis_url)
    name = queue_name(settings)
    pool = await create_pool(
        redis,
        default_queue_name=name,
        job_serializer=msgspec.msgpack.encode,
        job_deserializer=msgspec.msgpack.decode,
    )
    queue = QualityQueue(pool, name)
    app.state.quality_queue = queue
    worker = Worker(
        functions=[func(_run, name=RUN_REPORT)],
        queue_name=name,
        redis_pool=pool,
        handle_signals=False,
        max_jobs=2,
        job_timeout=3600,
        poll_delay=0.2,
        ctx={"settings": settings},
        job_serializer=msgspec.msgpack.encode,
        job_deserializer=msgspec.msgpack.decode,
    )
    tick = float(os.environ.get("LOADSTAR_QUALITY_TICK_SECONDS", "5"))
    tasks = [asyncio.create_task(worker.async_run()), asyncio.create_task(_scheduler(queue, tick))]
    try:
        yield
    finally:
        await stop(tasks)
        with contextlib.suppress(Exception):
            await worker.close()
        with contextlib.suppress(Exception):
            await pool.aclose()
