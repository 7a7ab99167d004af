"""Consume the workers' event stream: persist each event, update job state, relay it live.

A Redis consumer group shares the stream between control planes; an event is acknowledged
only after it is in Postgres, and entries a consumer read but never acknowledged (it died
or was stopped mid-batch) are re-claimed by the others, so a restart loses nothing. Events
of one job may therefore be persisted out of order: a job's state folds in only events
newer than the last one folded. A watchdog retries jobs whose worker stopped beating.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
from datetime import UTC, datetime
from typing import Any

import msgspec
import redis.asyncio as aioredis
from piccolo.engine import engine_finder

from control_plane.adapters.object_store import ObjectStore
from control_plane.training.queue import TrainingQueue
from control_plane.training.service import spec_for
from control_plane.training.sources import job_input_uri
from control_plane.training.stream import append_event
from control_plane.training.tables import TrainingEventRow, TrainingJob
from schemas.errors import NotFound
from schemas.training_job.protocol import (
    GROUP,
    TERMINAL,
    DoneEvent,
    ErrorEvent,
    HeartbeatTiming,
    JobEvent,
    LogEvent,
    MetricEvent,
    StatusEvent,
    event_type,
    from_stream,
    handback_key,
    heartbeat_key,
    live_channel,
)

log = logging.getLogger("loadstar.training.consumer")
# An entry read but unacknowledged this long belongs to a consumer that is gone (a live
# one acknowledges a batch within a second); others re-claim it this often.
ORPHAN_IDLE_MS = 5000
RECLAIM_EVERY_S = 2.0


def _changes(event: JobEvent) -> dict[Any, Any]:
    """What one event changes in its job's row."""
    changes: dict[Any, Any] = {TrainingJob.last_seq: event.seq}
    now = datetime.now(UTC)
    if isinstance(event, StatusEvent):
        status = event.payload.status
        if status in ("running", "paused", "cancelled"):
            changes[TrainingJob.status] = status
        if status == "running":
            changes[TrainingJob.started_at] = now
            changes[TrainingJob.attempt] = event.payload.attempt or 1
        if status == "cancelled":
            changes[TrainingJob.finished_at] = now
    elif isinstance(event, MetricEvent) and "progress" in event.payload:
        changes[TrainingJob.progress] = float(event.payload["progress"])
    elif isinstance(event, DoneEvent):
        done = event.payload
        changes.update(
            {
                TrainingJob.status: "succeeded",
                TrainingJob.progress: 1.0,
                TrainingJob.finished_at: now,
                TrainingJob.evaluation: done.evaluation,
                TrainingJob.artifacts: done.artifacts,
                TrainingJob.card: done.card,
                TrainingJob.card_markdown: done.cardMarkdown,
                TrainingJob.signature: done.signature,
            }
        )
    elif isinstance(event, ErrorEvent):
        changes.update(
            {
                TrainingJob.status: "failed",
                TrainingJob.finished_at: now,
                TrainingJob.error: event.payload.message,
            }
        )
    return changes


async def persist(event: JobEvent) -> None:
    """Store one event (idempotent on (job, seq)) and fold it into the job's state."""
    job_id = event.jobId
    engine = engine_finder()
    assert engine is not None
    async with engine.transaction():
        # one job's events are persisted one at a time across consumers: the existence
        # check below is then exact, and state never folds in two events at once
        await TrainingJob.raw("SELECT pg_advisory_xact_lock(hashtext({}))", job_id)
        exists = await TrainingEventRow.exists().where(
            (TrainingEventRow.job_id == job_id) & (TrainingEventRow.seq == event.seq)
        )
        if exists:
            return
        await TrainingEventRow.insert(
            TrainingEventRow(
                job_id=job_id,
                seq=event.seq,
                type=event_type(event),
                payload=msgspec.to_builtins(event.payload),
                ts=event.ts,
                level=event.payload.level.upper() if isinstance(event, LogEvent) else "",
            )
        )
        # never move a finished job back (late events from a superseded attempt), and never
        # fold in an event older than one already folded (another consumer persisted it late)
        await TrainingJob.update(_changes(event)).where(
            (TrainingJob.id == job_id)
            & TrainingJob.status.not_in(list(TERMINAL))
            & (TrainingJob.last_seq < event.seq)
        )


async def _finish_asset_job(job_id: str) -> None:
    """A seed-003 job registers its version when it succeeds (never fails the consumer)."""
    from control_plane.training.asset_jobs import finish

    try:
        await finish(job_id)
    except Exception:
        log.exception("finishing asset job %s failed", job_id)


class EventConsumer:
    def __init__(
        self,
        redis: aioredis.Redis,
        store: ObjectStore,
        queue: TrainingQueue,
        timing: HeartbeatTiming | None = None,
        *,
        stream: str | None = None,
        name: str | None = None,
    ) -> None:
        self.redis = redis
        self.store = store
        self.queue = queue
        self.timing = timing or HeartbeatTiming()
        self.stream = stream or queue.keys.stream
        self.name = name or f"{socket.gethostname()}-{os.getpid()}"
        # set once the backlog is folded in: before that a finished job can still read
        # "running", and the watchdog must not take it for lost
        self.caught_up = asyncio.Event()

    async def ensure_group(self) -> None:
        try:
            await self.redis.xgroup_create(self.stream, GROUP, id="0", mkstream=True)
        except aioredis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    async def handle(self, entries: list[tuple[bytes, dict[bytes, bytes]]]) -> None:
        for entry_id, fields in entries:
            try:
                event = from_stream(fields)
            except (KeyError, ValueError, msgspec.DecodeError, msgspec.ValidationError):
                log.error("dropping malformed event %s: %r", entry_id, fields)
                await self.redis.xack(self.stream, GROUP, entry_id)
                continue
            await persist(event)
            if isinstance(event, DoneEvent):
                await _finish_asset_job(event.jobId)
            await self.redis.xack(self.stream, GROUP, entry_id)
            await self.redis.publish(live_channel(event.jobId), msgspec.json.encode(event))

    async def reclaim(self) -> None:
        """Take over entries another consumer read but never acknowledged, and persist them."""
        start = "0-0"
        while True:
            start, claimed, _ = await self.redis.xautoclaim(
                self.stream,
                GROUP,
                self.name,
                min_idle_time=ORPHAN_IDLE_MS,
                start_id=start,
                count=100,
            )
            await self.handle(claimed)
            if start in (b"0-0", "0-0"):
                break

    async def run(self) -> None:
        await self.ensure_group()
        await self.reclaim()
        # what this consumer (same host and pid: an earlier app in this process) left pending
        pending = await self.redis.xreadgroup(GROUP, self.name, {self.stream: "0"}, count=1000)
        for _, entries in pending:
            await self.handle(entries)
        reclaimed_at = time.monotonic()
        while True:
            try:
                batches = await self.redis.xreadgroup(
                    GROUP, self.name, {self.stream: ">"}, count=100, block=1000
                )
                for _, entries in batches:
                    await self.handle(entries)
                if sum(len(entries) for _, entries in batches) < 100:
                    self.caught_up.set()
                # a consumer that stopped mid-batch must not hold events until the next start
                if time.monotonic() - reclaimed_at >= RECLAIM_EVERY_S:
                    await self.reclaim()
                    reclaimed_at = time.monotonic()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("event consumer error; retrying")
                await asyncio.sleep(1)

    async def watchdog(self) -> None:
        """Running jobs whose heartbeat expired are retried from their checkpoint, then failed."""
        await self.caught_up.wait()
        while True:
            await asyncio.sleep(self.timing.watchdog_every_s)
            try:
                await self.check_heartbeats()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("watchdog error")

    async def check_heartbeats(self) -> None:
        rows = (
            await TrainingJob.select().where(TrainingJob.status == "running").output(load_json=True)
        )
        for row in rows:
            if await self.redis.exists(heartbeat_key(row["id"])):
                continue
            started = row["started_at"]
            age = (datetime.now(UTC) - started).total_seconds() if started else None
            if age is not None and age < self.timing.ttl_s:
                continue  # a fresh start may not have beaten yet
            await self.recover(row)

    async def recover(self, row: dict[str, Any]) -> None:
        """Queue a lost job again from its last checkpoint, or fail it after its last attempt
        (or when its dataset is gone). A job its worker handed back on shutting down (having
        saved its place) is queued again as the same attempt. Each is a conditional update
        on the attempt, so two control planes' watchdogs act once; the event comes after,
        for the history."""
        job_id, attempt, most = row["id"], row["attempt"], row["max_attempts"]
        handed_back = await self.redis.get(handback_key(job_id)) == str(attempt).encode()
        lost = "its worker shut down" if handed_back else "worker lost (no heartbeat)"
        reason = f"{lost} after {attempt} attempts"
        uri = None
        if handed_back or attempt < most:
            try:
                uri = await job_input_uri(self.store, row)
            except NotFound:
                reason = f"{lost} on attempt {attempt}; its dataset is gone"
        if uri is not None:
            again = attempt if handed_back else attempt + 1
            if await self._claim(row, {TrainingJob.status: "queued", TrainingJob.attempt: again}):
                await self.queue.enqueue_training(spec_for(row, uri, attempt=again, resume=True))
                if handed_back:
                    level, message = "INFO", f"{lost}; attempt {attempt} goes on from its place"
                else:
                    level = "WARNING"
                    message = f"{lost}; retry {again} of {most} from the last checkpoint"
                log.log(logging.getLevelNamesMapping()[level], "job %s: %s", job_id, message)
                await append_event(
                    self.redis, self.queue.keys, job_id, "log", {"level": level, "message": message}
                )
        else:
            failed = {
                TrainingJob.status: "failed",
                TrainingJob.error: reason,
                TrainingJob.finished_at: datetime.now(UTC),
            }
            if await self._claim(row, failed):
                log.error("job %s: %s", job_id, reason)
                keys = self.queue.keys
                await append_event(
                    self.redis, keys, job_id, "log", {"level": "ERROR", "message": reason}
                )
                await append_event(self.redis, keys, job_id, "error", {"message": reason})
        if handed_back:
            await self.redis.delete(handback_key(job_id))

    async def _claim(self, row: dict[str, Any], changes: dict[Any, Any]) -> bool:
        """Apply `changes` if the job is still running the attempt the watchdog saw."""
        claimed = (
            await TrainingJob.update(changes)
            .where(
                (TrainingJob.id == row["id"])
                & (TrainingJob.status == "running")
                & (TrainingJob.attempt == row["attempt"])
            )
            .returning(TrainingJob.id)
        )
        return bool(claimed)
