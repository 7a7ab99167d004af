"""The seed-003 training call: `POST /api/v1/training-jobs {asset_id, data_url}`.

The CSV at `data_url` (s3:// or a public http(s) URL, see the SSRF rule in
`control_plane/datasets/url_guard.py`) becomes a new dataset of the asset, the default
plan is derived for its target, and a job is queued with the default algorithm. When the
job succeeds its model is registered under the asset's model and moved to Staging (by the
event consumer, and again by a read of the job if that failed).
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from typing import Any

from control_plane.adapters.object_store import ObjectStore
from control_plane.auth.service import AuthUser
from control_plane.training.queue import TrainingQueue
from control_plane.training.schemas import AssetJobOut, AssetTrainingRequest, CreateJob
from control_plane.training.tables import AssetTrainingJob, TrainingJob
from schemas.errors import InvalidInput, NotFound

log = logging.getLogger("loadstar.training.assets")
_ASSET = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")
_TARGETS = ("value", "load", "energy", "power", "consumption")


def model_name_of(asset_id: str) -> str:
    """The asset's registered model: `asset-<id>` with characters a model name allows."""
    return "asset-" + re.sub(r"[^A-Za-z0-9._-]", "-", asset_id)[:120]


def pick_target(numeric: list[str], wanted: str | None) -> str:
    if wanted is not None:
        if wanted not in numeric:
            raise InvalidInput(
                f"target {wanted!r} is not a numeric column of the data",
                {"field": "target", "numericColumns": numeric},
            )
        return wanted
    for name in _TARGETS:
        found = next((c for c in numeric if c.lower() == name), None)
        if found is not None:
            return found
    if not numeric:
        raise InvalidInput("the data has no numeric column to forecast", {"field": "data_url"})
    return numeric[0]


async def start(
    data: AssetTrainingRequest,
    user: AuthUser,
    store: ObjectStore,
    queue: TrainingQueue,
    upload_limit: int,
) -> AssetJobOut:
    from control_plane.datasets.intake import register_dataset
    from control_plane.datasets.schemas import DatasetRegistration
    from control_plane.features.analysis import auto_plan
    from control_plane.features.schemas import AutoPlanRequest
    from control_plane.features.service import create_plan
    from control_plane.training.service import create_job, no_designs

    if not _ASSET.match(data.asset_id):
        raise InvalidInput(
            "asset_id is 1-128 letters, digits, '.', '_', ':' or '-'", {"field": "asset_id"}
        )
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    dataset = await register_dataset(
        store,
        DatasetRegistration(name=f"{data.asset_id}-{stamp}", dataUrl=data.data_url),
        upload_limit,
        user,
    )
    try:
        target = pick_target(dataset.numeric_columns, data.target)
        suggested = await auto_plan(store, AutoPlanRequest(datasetId=dataset.id, target=target))
        plan = await create_plan(suggested.plan, user.username)
        job = await create_job(
            CreateJob(datasetId=dataset.id, featurePlanId=plan.id, hyperparams=data.hyperparams),
            user.username,
            store,
            queue,
            designs=no_designs,
        )
    except InvalidInput:  # data no plan can be made of leaves no dataset behind; a job
        await _forget_dataset(store, dataset.id)  # refused by the quality gate keeps it, and
        raise  # its report says why
    await AssetTrainingJob.insert(
        AssetTrainingJob(
            job_id=job.id,
            asset_id=data.asset_id,
            data_url=data.data_url,
            dataset_id=dataset.id,
            feature_plan_id=plan.id,
            model_name=model_name_of(data.asset_id),
            created_by=user.username,
            created_at=datetime.now(UTC),
        )
    )
    return await get(job.id)


async def _forget_dataset(store: ObjectStore, dataset_id: str) -> None:
    from control_plane.datasets.service import remove_dataset

    try:
        await remove_dataset(store, dataset_id)
    except Exception:
        log.warning("could not remove dataset %s after a refused call", dataset_id, exc_info=True)


async def finish(job_id: str) -> None:
    """Register a succeeded asset job's model and move it to Staging (once)."""
    from control_plane.registry.schemas import StageRequest
    from control_plane.registry.stages import transition_stage
    from control_plane.training.register import register_job
    from control_plane.training.schemas import RegisterRequest

    row = await AssetTrainingJob.select().where(AssetTrainingJob.job_id == job_id).first()
    if row is None or row["model_version"] is not None:
        return
    claimed = await AssetTrainingJob.raw(
        "UPDATE asset_training_job SET model_version = 0 WHERE job_id = {} "
        "AND model_version IS NULL RETURNING job_id",
        job_id,
    )
    if not claimed:
        return  # another caller registers it
    try:
        out = await register_job(
            job_id,
            RegisterRequest(
                modelName=row["model_name"], description=f"trained for asset {row['asset_id']}"
            ),
            row["created_by"],
        )
        version = out.version
        await transition_stage(
            row["model_name"],
            version,
            StageRequest(stage="Staging", comment=f"seed-003 training job {job_id}"),
            row["created_by"],
        )
    except Exception as exc:
        log.exception("registering asset job %s failed", job_id)
        await AssetTrainingJob.update(
            {AssetTrainingJob.model_version: None, AssetTrainingJob.register_error: str(exc)}
        ).where(AssetTrainingJob.job_id == job_id)
        return
    await AssetTrainingJob.update(
        {AssetTrainingJob.model_version: version, AssetTrainingJob.register_error: ""}
    ).where(AssetTrainingJob.job_id == job_id)


async def get(job_id: str) -> AssetJobOut:
    row = await AssetTrainingJob.select().where(AssetTrainingJob.job_id == job_id).first()
    if row is None:
        raise NotFound(f"training job {job_id!r} not found", {"job_id": job_id})
    job = await TrainingJob.select().where(TrainingJob.id == job_id).first()
    if job is None:
        raise NotFound(f"training job {job_id!r} not found", {"job_id": job_id})
    if job["status"] == "succeeded" and row["model_version"] is None:
        await finish(job_id)
        row = await AssetTrainingJob.select().where(AssetTrainingJob.job_id == job_id).first()
        assert row is not None
    return _out(row, job)


def _out(row: dict[str, Any], job: dict[str, Any]) -> AssetJobOut:
    version = row["model_version"] or None
    return AssetJobOut(
        job_id=row["job_id"],
        asset_id=row["asset_id"],
        status=job["status"],
        progress=float(job["progress"]),
        data_url=row["data_url"],
        dataset_id=row["dataset_id"],
        feature_plan_id=row["feature_plan_id"],
        model_name=row["model_name"],
        model_version=version,
        stage="Staging" if version else None,
        error=job["error"] or row["register_error"],
        created_at=row["created_at"],
        finished_at=job["finished_at"],
    )
