"""Experiments group runs (seed 004's `/experiments` routes act on an experiment's runs)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import msgspec
import redis.asyncio as aioredis

from control_plane.adapters.object_store import ObjectStore
from control_plane.lab import runs, weights
from control_plane.lab.designs import new_id
from control_plane.lab.schemas import (
    ExperimentControl,
    ExperimentCreate,
    ExperimentOut,
    Rename,
    RunCreate,
    RunMetrics,
    RunRow,
    SaveRequest,
    WeightOut,
)
from control_plane.lab.tables import Experiment, Run
from control_plane.row_by_id import row_by_id
from control_plane.struct_rows import from_row
from control_plane.training import run_view
from control_plane.training import service as training
from control_plane.training.queue import TrainingQueue
from schemas.errors import Conflict, InvalidInput, NotFound
from schemas.training_job.protocol import ACTIVE


async def _row(experiment_id: str) -> dict[str, Any]:
    return await row_by_id(Experiment, experiment_id, "experiment", "experimentId")


async def check_experiment(experiment_id: str) -> None:
    """NOT_FOUND unless the experiment exists: what a notebook run that names one asks (the
    app hands this to the notebooks slice, which never imports the lab)."""
    if not await Experiment.exists().where(Experiment.id == experiment_id):
        raise NotFound(
            f"experiment {experiment_id!r} not found",
            {"field": "experimentId", "experimentId": experiment_id},
        )


async def _newest_runs(ids: list[str]) -> dict[str, tuple[int, str]]:
    """experimentId -> (number of runs, the newest run's status)."""
    rows = (
        await Run.select(Run.job_id, Run.experiment_id)
        .where(Run.experiment_id.is_in(ids or [""]))
        .order_by(Run.created_at, ascending=False)
    )
    statuses = {r.id: r.status for r in await runs.run_rows([r["job_id"] for r in rows])}
    out: dict[str, tuple[int, str]] = {}
    for r in rows:
        count, status = out.get(r["experiment_id"], (0, ""))
        out[r["experiment_id"]] = (count + 1, status or statuses.get(r["job_id"], ""))
    return out


def _out(row: dict[str, Any], summary: tuple[int, str]) -> ExperimentOut:
    return from_row(ExperimentOut, row, status=summary[1] or "empty", runs=summary[0])


async def get_experiment(experiment_id: str) -> ExperimentOut:
    row = await _row(experiment_id)
    return _out(row, (await _newest_runs([experiment_id])).get(experiment_id, (0, "")))


async def list_experiments(status: str | None, project_id: str | None) -> list[ExperimentOut]:
    query = Experiment.select().order_by(Experiment.created_at, ascending=False)
    if project_id:
        query = query.where(Experiment.project_id == project_id)
    rows = await query
    summaries = await _newest_runs([r["id"] for r in rows])
    out = [_out(r, summaries.get(r["id"], (0, ""))) for r in rows]
    return [e for e in out if e.status == status] if status else out


async def create_experiment(
    body: ExperimentCreate, user: str, store: ObjectStore, queue: TrainingQueue
) -> ExperimentOut:
    if bool(body.datasetId) != bool(body.featurePlanId):
        raise InvalidInput(
            "a first run needs both datasetId and featurePlanId", {"field": "featurePlanId"}
        )
    experiment_id, stamp = new_id("exp"), datetime.now(UTC)
    await Experiment(
        id=experiment_id,
        project_id=body.projectId,
        name=body.name,
        description=body.description,
        created_by=user,
        created_at=stamp,
        updated_at=stamp,
    ).save()
    if body.datasetId and body.featurePlanId:
        first = RunCreate(
            datasetId=body.datasetId,
            featurePlanId=body.featurePlanId,
            name=body.name,
            algorithm=body.algorithm,
            architectureId=body.architectureId,
            augmentationId=body.augmentationId,
            weightId=body.weightId,
            hyperparams=body.hyperparams,
        )
        try:
            await runs.create_run(experiment_id, first, user, store, queue)
        except Exception:
            await Experiment.delete().where(Experiment.id == experiment_id)
            raise
    return await get_experiment(experiment_id)


async def add_run(
    experiment_id: str, body: RunCreate, user: str, store: ObjectStore, queue: TrainingQueue
) -> RunRow:
    await _row(experiment_id)
    return await runs.create_run(experiment_id, body, user, store, queue)


async def rename_experiment(experiment_id: str, body: Rename) -> ExperimentOut:
    await _row(experiment_id)
    changes: dict[Any, Any] = {Experiment.updated_at: datetime.now(UTC)}
    if body.name is not msgspec.UNSET:
        changes[Experiment.name] = body.name
    if body.description is not msgspec.UNSET:
        changes[Experiment.description] = body.description
    await Experiment.update(changes).where(Experiment.id == experiment_id)
    return await get_experiment(experiment_id)


async def delete_experiment(experiment_id: str, store: ObjectStore) -> None:
    """Every run (rows, events, checkpoints, artifacts), then the experiment; nothing is
    removed while one run cannot be (CONFLICT naming the registered versions)."""
    await _row(experiment_id)
    await runs.delete_runs(await runs.experiment_job_ids(experiment_id), store)
    await Experiment.delete().where(Experiment.id == experiment_id)


async def _pick_run(experiment_id: str, run_id: str | None, active: bool) -> RunRow:
    rows = await runs.run_rows(await runs.experiment_job_ids(experiment_id))
    if run_id:
        match = [r for r in rows if r.id == run_id]
        if not match:
            raise NotFound(
                f"run {run_id!r} is not in experiment {experiment_id}", {"runId": run_id}
            )
        return match[0]
    candidates = [r for r in rows if r.status in ACTIVE] if active else rows
    if not candidates:
        raise Conflict(f"experiment {experiment_id} has no {'active ' if active else ''}run", {})
    return candidates[0]


async def control(
    experiment_id: str,
    body: ExperimentControl,
    redis: aioredis.Redis,
    store: ObjectStore,
    queue: TrainingQueue,
) -> RunRow:
    await _row(experiment_id)
    run = await _pick_run(experiment_id, body.runId, active=body.action != "resume")
    await training.control_job(run.id, body.action, redis, store, queue)
    return await runs.get_run(run.id)


async def metrics(experiment_id: str) -> list[RunMetrics]:
    await _row(experiment_id)
    ids = await runs.experiment_job_ids(experiment_id)
    curves = await run_view.loss_curves(ids)
    return [RunMetrics(runId=i, points=curves.get(i, [])) for i in ids]


async def save(experiment_id: str, body: SaveRequest, user: str, store: ObjectStore) -> WeightOut:
    """The run's exported model (the newest succeeded run unless named) into the library."""
    await _row(experiment_id)
    rows = await runs.run_rows(await runs.experiment_job_ids(experiment_id))
    done = [r for r in rows if r.status == "succeeded" and (not body.runId or r.id == body.runId)]
    if not done:
        raise Conflict("no succeeded run to save", {"experimentId": experiment_id})
    run = done[0]
    job = await training.get_job(run.id)
    model = next((a for a in job.artifacts if a.name == "model.onnx"), None)
    if model is None:
        raise Conflict(f"run {run.id} has no exported model", {"runId": run.id})
    _, _, key = model.uri.removeprefix("s3://").partition("/")
    return await weights.save_file(
        store,
        source_key=key,
        fmt="onnx",
        name=body.name or run.name,
        metrics=job.evaluation.get("model", {}),
        signature=job.signature,
        source_run=run.id,
        architecture_id=run.architectureId,
        tags=body.tags,
        user=user,
    )
