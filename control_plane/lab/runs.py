"""Runs (training jobs, named and grouped here) and the run table: filter, sort, compare."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import msgspec

from control_plane.adapters.object_store import ObjectStore
from control_plane.lab.notebook_runs import notebook_curves, notebook_rows
from control_plane.lab.schemas import Comparison, MetricRange, RunCreate, RunPage, RunRow
from control_plane.lab.summaries import summaries
from control_plane.lab.tables import Run, RunSummary
from control_plane.lab.weights import init_weights_uri
from control_plane.training import removal, run_view
from control_plane.training import service as training
from control_plane.training.queue import TrainingQueue
from control_plane.training.schemas import CreateJob
from schemas.errors import InvalidInput, NotFound

SORTABLE = ("createdAt", "name", "status", "algorithm")
MAX_COMPARE = 50


def flat_params(hyperparams: dict[str, Any]) -> dict[str, Any]:
    """Hyperparameters as one level: the graph by its name, the augmentation by its kinds,
    other nested values under dotted keys."""
    out: dict[str, Any] = {}
    for key, value in hyperparams.items():
        if key == "architecture" and isinstance(value, dict):
            out[key] = value.get("name", "")
        elif key == "augmentation" and isinstance(value, list):
            out[key] = "+".join(str(step.get("type")) for step in value)
        elif isinstance(value, dict):
            out.update({f"{key}.{k}": v for k, v in flat_params(value).items()})
        else:
            out[key] = value
    return out


def _row(job: dict[str, Any], run: dict[str, Any] | None, summary: dict[str, Any]) -> RunRow:
    run = run or {}
    metrics = {
        k: MetricRange(last=v["last"], min=v["min"], max=v["max"]) for k, v in summary.items()
    }
    return RunRow(
        id=job["id"],
        name=run.get("name") or job["id"],
        experimentId=run.get("experiment_id"),
        status=job["status"],
        algorithm=job["algorithm"],
        architectureId=run.get("architecture_id"),
        augmentationId=run.get("augmentation_id"),
        weightId=run.get("weight_id"),
        datasetId=job["dataset_id"],
        featurePlanId=job["feature_plan_id"],
        params=flat_params(job["hyperparams"] or {}),
        metrics=metrics,
        createdAt=job["created_at"],
    )


async def run_rows(job_ids: list[str] | None) -> list[RunRow]:
    jobs = await run_view.job_rows(job_ids)
    ids = [j["id"] for j in jobs]
    runs = {r["job_id"]: r for r in await Run.select().where(Run.job_id.is_in(ids or [""]))}
    folded = await summaries(jobs)
    return [_row(j, runs.get(j["id"]), folded.get(j["id"], {})) for j in jobs]


async def experiment_job_ids(experiment_id: str) -> list[str]:
    rows = await Run.select(Run.job_id).where(Run.experiment_id == experiment_id)
    return [r["job_id"] for r in rows]


def _sort_key(sort: str) -> tuple[Any, bool]:
    """A key function for `sort` (a column, `param:<name>` or `metric:<name>[:last|min|max]`)
    and whether it is numeric; INVALID_INPUT for anything else."""
    if sort in SORTABLE:
        attr = {"createdAt": "createdAt"}.get(sort, sort)
        return (lambda r: getattr(r, attr)), False
    kind, _, rest = sort.partition(":")
    if kind == "param" and rest:
        return (lambda r: r.params.get(rest)), True
    if kind == "metric" and rest:
        name, _, stat = rest.rpartition(":")
        if stat not in ("last", "min", "max"):
            name, stat = rest, "last"
        return (lambda r: getattr(r.metrics[name], stat) if name in r.metrics else None), True
    raise InvalidInput(
        f"cannot sort by {sort!r}",
        {"field": "sort", "allowed": [*SORTABLE, "param:<name>", "metric:<name>:<last|min|max>"]},
    )


def _ordered(rows: list[RunRow], sort: str, descending: bool) -> list[RunRow]:
    key, _ = _sort_key(sort)
    present = [r for r in rows if key(r) is not None]
    missing = [r for r in rows if key(r) is None]  # runs without the column go last

    def comparable(r: RunRow) -> tuple[int, Any]:
        value = key(r)
        return (0, value) if isinstance(value, int | float) else (1, str(value))

    return sorted(present, key=comparable, reverse=descending) + missing


async def list_runs(
    *,
    experiment_id: str | None,
    status: str | None,
    algorithm: str | None,
    q: str | None,
    sort: str,
    descending: bool,
    page: int,
    page_size: int,
) -> RunPage:
    ids = await experiment_job_ids(experiment_id) if experiment_id else None
    rows = await run_rows(ids)
    rows += await notebook_rows(experiment_id)  # runs tracked from notebooks, beside the jobs
    if status:
        rows = [r for r in rows if r.status == status]
    if algorithm:
        rows = [r for r in rows if r.algorithm == algorithm]
    if q:
        needle = q.lower()
        rows = [r for r in rows if needle in r.name.lower() or needle in r.id]
    rows = _ordered(rows, sort, descending)
    params = sorted({k for r in rows for k in r.params})
    metrics = sorted({k for r in rows for k in r.metrics})
    start = (page - 1) * page_size
    return RunPage(
        items=rows[start : start + page_size],
        total=len(rows),
        page=page,
        pageSize=page_size,
        paramColumns=params,
        metricColumns=metrics,
    )


async def compare_runs(ids: list[str]) -> Comparison:
    wanted = list(dict.fromkeys(i for i in ids if i))
    if not 1 <= len(wanted) <= MAX_COMPARE:
        raise InvalidInput(f"compare 1 to {MAX_COMPARE} runs", {"field": "ids", "got": len(wanted)})
    rows = {r.id: r for r in await run_rows(wanted)}
    from_notebooks = await notebook_rows(ids=[i for i in wanted if i not in rows])
    rows |= {r.id: r for r in from_notebooks}
    missing = [i for i in wanted if i not in rows]
    if missing:
        raise NotFound(f"runs not found: {', '.join(missing)}", {"runIds": missing})
    ordered = [rows[i] for i in wanted]
    keys = sorted({k for r in ordered for k in r.params})
    diff = {
        k: {r.id: r.params.get(k) for r in ordered}
        for k in keys
        if len({msgspec.json.encode(r.params.get(k)) for r in ordered}) > 1
    }
    jobs = {j["id"]: j for j in await run_view.job_rows(wanted, evaluation=True)}
    per_step = {i: ((jobs.get(i) or {}).get("evaluation") or {}).get("perStep", {}) for i in wanted}
    return Comparison(
        runs=ordered,
        paramDiff=diff,
        curves=await run_view.loss_curves(wanted) | await notebook_curves(from_notebooks),
        perStep=per_step,
    )


async def create_run(
    experiment_id: str | None,
    body: RunCreate,
    user: str,
    store: ObjectStore,
    queue: TrainingQueue,
) -> RunRow:
    hyperparams = dict(body.hyperparams)
    if body.weightId:
        hyperparams["init_weights"] = await init_weights_uri(body.weightId)
    job = await training.create_job(
        CreateJob(
            datasetId=body.datasetId,
            featurePlanId=body.featurePlanId,
            algorithm=body.algorithm,
            hyperparams=hyperparams,
            architectureId=body.architectureId,
            augmentationId=body.augmentationId,
        ),
        user,
        store,
        queue,
    )
    await Run(
        job_id=job.id,
        experiment_id=experiment_id,
        name=body.name or job.id,
        architecture_id=body.architectureId,
        augmentation_id=body.augmentationId,
        weight_id=body.weightId,
        created_at=datetime.now(UTC),
    ).save()
    return (await run_rows([job.id]))[0]


async def get_run(job_id: str) -> RunRow:
    rows = await run_rows([job_id]) or await notebook_rows(ids=[job_id])
    if not rows:
        raise NotFound(f"run {job_id!r} not found", {"runId": job_id})
    return rows[0]


async def rename_run(job_id: str, name: str) -> RunRow:
    await get_run(job_id)
    exists = await Run.exists().where(Run.job_id == job_id)
    if exists:
        await Run.update({Run.name: name}).where(Run.job_id == job_id)
    else:  # a job started outside the lab gets its run record now
        await Run(job_id=job_id, name=name, created_at=datetime.now(UTC)).save()
    return await get_run(job_id)


async def delete_run(job_id: str, store: ObjectStore) -> None:
    """The job's rows, events, checkpoints and artifacts, then the run record."""
    await removal.delete_job(job_id, store)
    await Run.delete().where(Run.job_id == job_id)
    await RunSummary.delete().where(RunSummary.job_id == job_id)


async def delete_runs(job_ids: list[str], store: ObjectStore) -> None:
    """Every run or none: all are checked before any is removed."""
    for job_id in job_ids:
        await removal.check_removable(job_id)
    for job_id in job_ids:
        await delete_run(job_id, store)
