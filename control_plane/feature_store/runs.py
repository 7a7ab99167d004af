"""A materialization run's life: queued -> running -> succeeded | failed.

A run is recorded before its job is queued, so every run has a record whatever happens
to the job; the worker moves it on with conditional updates (a run that is not `queued`
is not started twice). `progress` goes 0 -> 1 as the run writes; `rows` counts the
values written online, `watermark` the ingestion time an incremental run covered.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from control_plane.feature_store.registry import get_group, new_id
from control_plane.feature_store.schemas import MaterializeRequest, RunOut
from control_plane.feature_store.tables import MaterializationRunRow
from schemas.errors import Conflict, InvalidInput, NotFound

RunStatus = Literal["queued", "running", "succeeded", "failed"]
FINISHED: frozenset[str] = frozenset({"succeeded", "failed"})


def run_out(row: dict[str, Any]) -> RunOut:
    duration = None
    if row["started_at"] is not None and row["finished_at"] is not None:
        duration = (row["finished_at"] - row["started_at"]).total_seconds()
    return RunOut(
        id=row["id"],
        groupId=row["group_id"],
        mode=row["mode"],
        status=row["status"],
        progress=row["progress"],
        rows=row["rows"],
        error=row["error"],
        trigger=row["trigger"],
        start=row["range_start"],
        end=row["range_end"],
        watermark=row["watermark"],
        createdAt=row["created_at"],
        startedAt=row["started_at"],
        finishedAt=row["finished_at"],
        durationSeconds=duration,
    )


async def record_run(request: MaterializeRequest, actor: str, trigger: str = "manual") -> RunOut:
    group = await get_group(request.group)
    if request.mode == "range":
        if request.start is None or request.end is None:
            raise InvalidInput("a range run needs start and end", {"field": "start"})
        if request.start >= request.end:
            raise InvalidInput("start must be before end", {"field": "start"})
    run_id = new_id("mr")
    await MaterializationRunRow.insert(
        MaterializationRunRow(
            id=run_id,
            group_id=group.id,
            mode=request.mode,
            range_start=request.start,
            range_end=request.end,
            trigger=trigger,
            created_by=actor,
        )
    )
    return await get_run(run_id)


async def get_run(run_id: str) -> RunOut:
    rows = await MaterializationRunRow.select().where(MaterializationRunRow.id == run_id)
    if not rows:
        raise NotFound(f"materialization run {run_id!r} not found", {"id": run_id})
    return run_out(rows[0])


async def list_runs(group: str | None, limit: int = 50) -> list[RunOut]:
    query = MaterializationRunRow.select().order_by(
        MaterializationRunRow.created_at, ascending=False
    )
    if group:
        query = query.where(MaterializationRunRow.group_id == (await get_group(group)).id)
    return [run_out(r) for r in await query.limit(limit)]


async def start(run_id: str) -> RunOut:
    moved = (
        await MaterializationRunRow.update(status="running", started_at=datetime.now(UTC))
        .where((MaterializationRunRow.id == run_id) & (MaterializationRunRow.status == "queued"))
        .returning(MaterializationRunRow.id)
    )
    if not moved:
        raise Conflict(f"run {run_id!r} is not queued", {"id": run_id})
    return await get_run(run_id)


async def report(run_id: str, progress: float, rows: int) -> None:
    await MaterializationRunRow.update(progress=progress, rows=rows).where(
        MaterializationRunRow.id == run_id
    )


async def finish(
    run_id: str, rows: int, watermark: datetime | None = None, error: str = ""
) -> None:
    await MaterializationRunRow.update(
        status="failed" if error else "succeeded",
        progress=1.0 if not error else MaterializationRunRow.progress,
        rows=rows,
        watermark=watermark,
        error=error[:2000],
        finished_at=datetime.now(UTC),
    ).where(MaterializationRunRow.id == run_id)


async def last_watermark(group_id: str) -> datetime | None:
    rows = (
        await MaterializationRunRow.select(MaterializationRunRow.watermark)
        .where(
            (MaterializationRunRow.group_id == group_id)
            & (MaterializationRunRow.status == "succeeded")
            & (MaterializationRunRow.mode == "incremental")
        )
        .order_by(MaterializationRunRow.watermark, ascending=False)
        .limit(1)
    )
    return rows[0]["watermark"] if rows else None


def overlap() -> timedelta:
    """How far an incremental run reads back before the last watermark: an ingest
    transaction stamped just before it may commit just after it. Writes are idempotent."""
    return timedelta(seconds=30)
