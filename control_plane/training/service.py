"""Training jobs: create, read, control, metrics and logs. State changes come from events."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import msgspec
import redis.asyncio as aioredis
from piccolo.columns.combination import WhereRaw

from control_plane.adapters.object_store import ObjectStore
from control_plane.quality.reports import record_override, training_gate
from control_plane.row_by_id import row_by_id
from control_plane.training import feature_query
from control_plane.training.queue import TrainingQueue
from control_plane.training.schemas import (
    Artifact,
    CreateJob,
    JobBuild,
    JobOut,
    JobPage,
    LogLine,
    LogPage,
    MetricPoint,
)
from control_plane.training.sources import job_input_uri, load_plan, require_dataset
from control_plane.training.stream import append_event
from control_plane.training.tables import TrainingEventRow, TrainingJob
from loadstar_core.algorithms import ALGORITHMS, DEFAULT_ALGORITHM
from loadstar_core.hyperparams import parse_hyperparams
from schemas.errors import Conflict, InvalidInput
from schemas.feature_plan import FeaturePlan
from schemas.training_job.protocol import (
    ACTIVE,
    FeatureFrame,
    JobStatus,
    TrainingSpec,
    can_move,
    control_key,
)

ARCHITECTURE = "architecture"  # a job that trains a graph of the model lab


def new_job_id() -> str:
    return f"job-{secrets.token_hex(4)}"


def _public_query(stored: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if not stored else {k: v for k, v in stored.items() if k != "frame"}


def to_out(row: dict[str, Any]) -> JobOut:
    return JobOut(
        id=row["id"],
        jobId=row["id"],
        datasetId=row["dataset_id"],
        featurePlanId=row["feature_plan_id"],
        algorithm=row["algorithm"],
        hyperparams=row["hyperparams"] or {},
        status=row["status"],
        progress=row["progress"],
        attempt=row["attempt"],
        maxAttempts=row["max_attempts"],
        error=row["error"],
        evaluation=row["evaluation"] or {},
        artifacts=[msgspec.convert(a, Artifact) for a in row["artifacts"] or []],
        card=row["card"] or {},
        cardMarkdown=row["card_markdown"],
        signature=row["signature"] or {},
        featureQuery=_public_query(row.get("feature_query")),
        createdBy=row["created_by"],
        createdAt=row["created_at"],
        startedAt=row["started_at"],
        finishedAt=row["finished_at"],
        lastSeq=row["last_seq"],
    )


async def get_job_row(job_id: str) -> dict[str, Any]:
    return await row_by_id(TrainingJob, job_id, "training job", "jobId")


async def job_build(job_id: str) -> JobBuild | None:
    """The plan and artifacts of a job; None when there is no such job."""
    row = (
        await TrainingJob.select(TrainingJob.plan, TrainingJob.artifacts)
        .where(TrainingJob.id == job_id)
        .output(load_json=True)
        .first()
    )
    return None if row is None else JobBuild(plan=row["plan"], artifacts=row["artifacts"] or [])


async def get_job(job_id: str) -> JobOut:
    return to_out(await get_job_row(job_id))


async def list_jobs(
    status: str | None, dataset_id: str | None, page: int, page_size: int
) -> JobPage:
    query = (
        TrainingJob.select()
        .output(load_json=True)
        .order_by(TrainingJob.created_at, ascending=False)
    )
    count = TrainingJob.count()
    if status:
        query = query.where(TrainingJob.status == status)
        count = count.where(TrainingJob.status == status)
    if dataset_id:
        query = query.where(TrainingJob.dataset_id == dataset_id)
        count = count.where(TrainingJob.dataset_id == dataset_id)
    rows = await query.limit(page_size).offset((page - 1) * page_size)
    return JobPage(
        items=[to_out(r) for r in rows], total=await count, page=page, pageSize=page_size
    )


# What the model lab adds to a job: (architectureId, augmentationId, the job's stored plan)
# -> hyperparameters (the checked graph, the augmentation steps). The lab provides it (the
# app wires it into `app.state.training_designs`), so training never imports the lab.
DesignSource = Callable[[str | None, str | None, dict[str, Any]], Awaitable[dict[str, Any]]]


async def no_designs(
    architecture_id: str | None, augmentation_id: str | None, plan: dict[str, Any]
) -> dict[str, Any]:
    """For callers that never name an architecture or an augmentation."""
    if architecture_id or augmentation_id:
        raise InvalidInput(
            "architectures and augmentations are chosen in the model lab",
            {"field": "architectureId" if architecture_id else "augmentationId"},
        )
    return {}


async def create_job(
    data: CreateJob,
    user: str,
    store: ObjectStore,
    queue: TrainingQueue,
    *,
    designs: DesignSource,
) -> JobOut:
    algorithm = data.algorithm or DEFAULT_ALGORITHM
    if data.architectureId:
        if data.algorithm not in (None, ARCHITECTURE):
            raise InvalidInput(
                "name an algorithm or an architecture, not both", {"field": "architectureId"}
            )
        algorithm = ARCHITECTURE
    elif algorithm not in ALGORITHMS:
        raise InvalidInput(
            f"unknown algorithm {algorithm!r}",
            {"field": "algorithm", "allowed": sorted(ALGORITHMS)},
        )
    if not 1 <= data.maxAttempts <= 10:
        raise InvalidInput("maxAttempts must be 1..10", {"field": "maxAttempts"})
    if algorithm != ARCHITECTURE:  # refused here, not by a failed job later
        parse_hyperparams(algorithm, data.hyperparams)
    job_id = new_job_id()
    frame: FeatureFrame | None = None
    query_record: dict[str, Any] | None = None
    failed_report = None
    if data.featureQuery is not None:
        plan = await _query_plan(data)
        frame, query_record = await feature_query.prepare(
            job_id, data.featureQuery, msgspec.convert(plan, FeaturePlan), store
        )
        canonical_uri = frame.historiesUri
    else:
        if not data.datasetId or not data.featurePlanId:
            field = "datasetId" if not data.datasetId else "featurePlanId"
            raise InvalidInput(
                "give a datasetId and a featurePlanId, or a featureQuery", {"field": field}
            )
        canonical_uri = await require_dataset(store, data.datasetId)
        failed_report = await training_gate(data.datasetId, data.overrideQuality, user)
        plan = await load_plan(data.featurePlanId)
    design = await designs(data.architectureId, data.augmentationId, plan)
    hyperparams = {**data.hyperparams, **design}
    parse_hyperparams(algorithm, hyperparams)
    if data.featureQuery is None and plan.get("datasetId") not in (None, data.datasetId):
        raise InvalidInput(
            "the feature plan belongs to another dataset",
            {
                "field": "featurePlanId",
                "planDataset": plan.get("datasetId"),
                "datasetId": data.datasetId,
            },
        )
    row = TrainingJob(
        id=job_id,
        dataset_id=data.datasetId,
        feature_plan_id=data.featurePlanId,
        algorithm=algorithm,
        hyperparams=hyperparams,
        plan=plan,
        feature_query=None
        if query_record is None
        else {**query_record, "frame": msgspec.to_builtins(frame)},
        status="queued",
        max_attempts=data.maxAttempts,
        created_by=user,
        created_at=datetime.now(UTC),
    )
    await row.save()
    if failed_report is not None:
        await record_override(data.datasetId, failed_report, job_id, user)
    spec = TrainingSpec(
        jobId=job_id,
        datasetId=data.datasetId,
        featurePlanId=data.featurePlanId,
        canonicalUri=canonical_uri,
        plan=plan,
        algorithm=algorithm,
        hyperparams=hyperparams,
        featureFrame=frame,
    )
    if query_record is not None:
        await feature_query.record_lineage(job_id, query_record, user)
    try:
        await queue.enqueue_training(spec)
    except Exception:
        await TrainingJob.delete().where(TrainingJob.id == job_id)
        raise
    return await get_job(job_id)


async def _query_plan(data: CreateJob) -> dict[str, Any]:
    """The plan of a feature-store job: inline, or a stored plan (its dataset ignored)."""
    if (data.plan is None) == (not data.featurePlanId):
        raise InvalidInput(
            "a featureQuery job takes a plan, inline or as featurePlanId (one of them)",
            {"field": "plan"},
        )
    if data.plan is not None:
        plan: dict[str, Any] = msgspec.to_builtins(data.plan)
        return plan
    stored = await load_plan(data.featurePlanId)
    stored.pop("datasetId", None)
    return stored


def spec_for(
    row: dict[str, Any], canonical_uri: str, *, attempt: int, resume: bool
) -> TrainingSpec:
    return TrainingSpec(
        jobId=row["id"],
        datasetId=row["dataset_id"],
        featurePlanId=row["feature_plan_id"],
        canonicalUri=canonical_uri,
        plan=row["plan"],
        algorithm=row["algorithm"],
        hyperparams=row["hyperparams"] or {},
        attempt=attempt,
        resume=resume,
        featureFrame=None
        if not row.get("feature_query")
        else msgspec.convert(row["feature_query"]["frame"], FeatureFrame),
    )


async def control_job(
    job_id: str, action: str, redis: aioredis.Redis, store: ObjectStore, queue: TrainingQueue
) -> JobOut:
    """stop: cancel (queued and paused jobs at once); pause: checkpoint at the next batch;
    resume: queue the paused job again from its checkpoint. Each transition is a
    conditional update, so two requests racing cannot both make it."""
    row = await get_job_row(job_id)
    status = row["status"]
    if action == "stop":
        if status not in ACTIVE:
            raise Conflict(f"job is {status}; only active jobs can be stopped", {"status": status})
        await redis.set(control_key(job_id), "stop", ex=7 * 86400)
        # a queued or paused job has no worker to say so: announce it, so that live
        # clients see the end of the job
        if status in ("queued", "paused") and await _move(job_id, status, "cancelled"):
            reason = f"stopped {status}"
            await append_event(
                redis, queue.keys, job_id, "status", {"status": "cancelled", "reason": reason}
            )
    elif action == "pause":
        if status != "running":
            raise Conflict(f"job is {status}; only running jobs can be paused", {"status": status})
        await redis.set(control_key(job_id), "pause", ex=7 * 86400)
    elif action == "resume":
        if status != "paused":
            raise Conflict(f"job is {status}; only paused jobs can be resumed", {"status": status})
        canonical_uri = await job_input_uri(store, row)
        if not await _move(job_id, "paused", "queued"):
            raise Conflict(
                "job is no longer paused", {"status": (await get_job_row(job_id))["status"]}
            )
        await redis.set(control_key(job_id), "run", ex=7 * 86400)
        await queue.enqueue_training(
            spec_for(row, canonical_uri, attempt=row["attempt"], resume=True)
        )
    await TrainingJob.update({TrainingJob.requested_action: action}).where(TrainingJob.id == job_id)
    return await get_job(job_id)


async def _move(job_id: str, current: str, new: JobStatus) -> bool:
    """Set the job's status to `new` if it is still `current`; whether it was."""
    if not can_move(current, new):
        raise Conflict(f"a {current} job cannot become {new}", {"status": current})
    changes: dict[Any, Any] = {TrainingJob.status: new}
    if new == "cancelled":
        changes[TrainingJob.finished_at] = datetime.now(UTC)
    moved = (
        await TrainingJob.update(changes)
        .where((TrainingJob.id == job_id) & (TrainingJob.status == current))
        .returning(TrainingJob.id)
    )
    return bool(moved)


async def job_metrics(job_id: str) -> list[MetricPoint]:
    await get_job_row(job_id)
    rows = await (
        TrainingEventRow.select(TrainingEventRow.seq, TrainingEventRow.ts, TrainingEventRow.payload)
        .where((TrainingEventRow.job_id == job_id) & (TrainingEventRow.type == "metric"))
        .order_by(TrainingEventRow.seq)
        .output(load_json=True)
    )
    return [MetricPoint(seq=r["seq"], ts=r["ts"], payload=r["payload"]) for r in rows]


async def job_logs(
    job_id: str, level: str | None, q: str | None, page: int, page_size: int
) -> LogPage:
    await get_job_row(job_id)
    where = (TrainingEventRow.job_id == job_id) & (TrainingEventRow.type == "log")
    if level:
        where &= TrainingEventRow.level == level.upper()
    if q:
        # the message only (not the payload's JSON keys), and `q` taken literally
        literal = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        where &= WhereRaw("payload->>'message' ILIKE {}", f"%{literal}%")
    rows = await (
        TrainingEventRow.select(
            TrainingEventRow.seq,
            TrainingEventRow.ts,
            TrainingEventRow.level,
            TrainingEventRow.payload,
        )
        .where(where)
        .order_by(TrainingEventRow.seq)
        .limit(page_size)
        .offset((page - 1) * page_size)
        .output(load_json=True)
    )
    total = await TrainingEventRow.count().where(where)
    items = [
        LogLine(
            seq=r["seq"], ts=r["ts"], level=r["level"], message=str(r["payload"].get("message", ""))
        )
        for r in rows
    ]
    return LogPage(items=items, total=total, page=page, pageSize=page_size)


async def event_history(job_id: str, after_seq: int = 0) -> list[dict[str, Any]]:
    rows = await (
        TrainingEventRow.select(
            TrainingEventRow.seq,
            TrainingEventRow.type,
            TrainingEventRow.payload,
            TrainingEventRow.ts,
        )
        .where((TrainingEventRow.job_id == job_id) & (TrainingEventRow.seq > after_seq))
        .order_by(TrainingEventRow.seq)
        .output(load_json=True)
    )
    return [
        {
            "type": r["type"],
            "payload": r["payload"],
            "seq": r["seq"],
            "ts": r["ts"],
            "jobId": job_id,
        }
        for r in rows
    ]
