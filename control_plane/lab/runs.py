"""Runs (training jobs, named and grouped here) and the run table: filter, sort, compare."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import msgspec

from control_plane.adapters.object_store import ObjectStore
from control_plane.lab import run_query, summaries
from control_plane.lab.designs import design_for_plan
from control_plane.lab.notebook_runs import (
    merged_page,
    notebook_curves,
    notebook_rows,
    visible_notebook_rows,
)
from control_plane.lab.schemas import Comparison, MetricRange, RunCreate, RunPage, RunRow
from control_plane.lab.tables import Run, RunSummary
from control_plane.lab.weights import init_weights_uri
from control_plane.training import removal, run_view
from control_plane.training import service as training
from control_plane.training.queue import TrainingQueue
from control_plane.training.schemas import CreateJob
from schemas.errors import InvalidInput, NotFound

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


def _row(job: run_view.JobRecord, run: dict[str, Any] | None, summary: dict[str, Any]) -> RunRow:
    run = run or {}
    metrics = {
        k: MetricRange(last=v["last"], min=v["min"], max=v["max"]) for k, v in summary.items()
    }
    return RunRow(
        id=job.id,
        name=run.get("name") or job.id,
        experimentId=run.get("experiment_id"),
        status=job.status,
        algorithm=job.algorithm,
        architectureId=run.get("architecture_id"),
        augmentationId=run.get("augmentation_id"),
        weightId=run.get("weight_id"),
        datasetId=job.dataset_id,
        featurePlanId=job.feature_plan_id,
        params=flat_params(job.hyperparams or {}),
        metrics=metrics,
        createdAt=job.created_at,
        kind=run.get("kind") or "training",
    )


async def run_rows(job_ids: list[str] | None) -> list[RunRow]:
    jobs = await run_view.job_rows(job_ids)
    ids = [j.id for j in jobs]
    runs = {r["job_id"]: r for r in await Run.select().where(Run.job_id.is_in(ids or [""]))}
    folded = await summaries.summaries(jobs)
    return [_row(j, runs.get(j.id), folded.get(j.id, {})) for j in jobs]


async def experiment_job_ids(experiment_id: str) -> list[str]:
    rows = await Run.select(Run.job_id).where(Run.experiment_id == experiment_id)
    return [r["job_id"] for r in rows]


def _scope(
    experiment_id: str | None,
    status: str | None,
    algorithm: str | None,
    q: str | None,
    hidden_projects: list[str],
) -> run_query.Query:
    query = run_query.Query()
    if experiment_id:
        query.add("r.experiment_id = {}", experiment_id)
    if status:
        query.add("j.status = {}", status)
    if algorithm:
        query.add("j.algorithm = {}", algorithm)
    if q:
        query.add(f"({run_query.COLUMNS['name']} ILIKE {{}} OR j.id ILIKE {{}})", *[f"%{q}%"] * 2)
    if hidden_projects:
        query.add("COALESCE(e.project_id, '') <> ALL({})", hidden_projects)
    return query


def _page_row(row: dict[str, Any]) -> RunRow:
    def loaded(value: Any) -> Any:
        return json.loads(value) if isinstance(value, str) else (value or {})

    job = msgspec.convert(row | {"hyperparams": loaded(row["hyperparams"])}, run_view.JobRecord)
    run = {
        "name": row["run_name"],
        "experiment_id": row["experiment_id"],
        "architecture_id": row["architecture_id"],
        "augmentation_id": row["augmentation_id"],
        "weight_id": row["weight_id"],
        "kind": row["kind"],
    }
    return _row(job, run, loaded(row["metrics"]))


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
    where: list[str] | None = None,
    hidden_projects: list[str] | None = None,
) -> RunPage:
    """One page of the run table, filtered, sorted and paged by PostgreSQL (`run_query`);
    summaries missing or older than their run's events are folded first. Runs tracked from
    notebooks live in their own table: when there are any (they are few), the SQL rows up
    to the page's end are merged with them in Python."""
    query = _scope(experiment_id, status, algorithm, q, hidden_projects or [])
    await summaries.refresh(query.clause(), query.args)
    for text in where or []:
        run_query.add_filter(query, text)
    notebook = (
        []
        if where
        else await visible_notebook_rows(experiment_id, status, algorithm, q, hidden_projects or [])
    )
    order, order_args = run_query.column_expr(sort)
    sql = run_query.SELECT.format(
        where=query.clause(), order=order, direction="DESC" if descending else "ASC"
    )
    limit, offset = (page * page_size, 0) if notebook else (page_size, (page - 1) * page_size)
    rows = await Run.raw(sql, *query.args, *order_args, limit, offset)
    names = await Run.raw(run_query.COLUMN_NAMES.format(where=query.clause()), *query.args)
    total = int(rows[0]["total"]) if rows else await _count(query)
    items = [_page_row(r) for r in rows]
    if notebook:
        items = merged_page(items + notebook, sort, descending, page, page_size)
        total += len(notebook)
    params = {n["name"] for n in names if n["kind"] == "param"}
    metrics = {n["name"] for n in names if n["kind"] == "metric"}
    return RunPage(
        items=items,
        total=total,
        page=page,
        pageSize=page_size,
        paramColumns=sorted(params | {k for r in notebook for k in r.params}),
        metricColumns=sorted(metrics | {k for r in notebook for k in r.metrics}),
    )


async def _count(query: run_query.Query) -> int:
    """The total when the page is past the end (no row carries it)."""
    sql = run_query.COUNT.format(where=query.clause())
    return int((await Run.raw(sql, *query.args))[0]["total"])


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
    evaluations = {j.id: j.evaluation for j in await run_view.job_rows(wanted, evaluation=True)}
    per_step = {i: (evaluations.get(i) or {}).get("perStep", {}) for i in wanted}
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
        designs=design_for_plan,
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
