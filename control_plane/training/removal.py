"""Deleting a run: its job row, events and every object under its S3 prefix.

Refused (CONFLICT, naming them) while a registered model version was made from it, and
while it is still active: a worker would write to it again.
"""

from __future__ import annotations

from control_plane.adapters.object_store import ObjectStore
from control_plane.registry.dependents import versions_from_job
from control_plane.training.tables import TrainingEventRow, TrainingJob
from schemas.errors import Conflict, NotFound
from schemas.training_job.protocol import ACTIVE, TrainingSpec


def job_prefix(job_id: str) -> str:
    """Where a job's checkpoints and artifacts live (the worker's `artifact_prefix`)."""
    return TrainingSpec(
        jobId=job_id, datasetId="", featurePlanId="", canonicalUri="", plan={}, algorithm=""
    ).artifact_prefix()


async def check_removable(job_id: str) -> None:
    row = await TrainingJob.select(TrainingJob.status).where(TrainingJob.id == job_id).first()
    if row is None:
        raise NotFound(f"training job {job_id!r} not found", {"jobId": job_id})
    if row["status"] in ACTIVE:
        raise Conflict(
            f"run {job_id} is {row['status']}; stop it before deleting it",
            {"jobId": job_id, "status": row["status"]},
        )
    versions = await versions_from_job(job_id)
    if versions:
        raise Conflict(
            f"run {job_id} is the source of registered versions {', '.join(versions)}",
            {"jobId": job_id, "versions": versions},
        )


async def delete_job(job_id: str, store: ObjectStore) -> int:
    """Remove the job's rows, then its objects; returns how many objects went."""
    await check_removable(job_id)
    async with TrainingJob._meta.db.transaction():
        await TrainingEventRow.delete().where(TrainingEventRow.job_id == job_id)
        await TrainingJob.delete().where(TrainingJob.id == job_id)
    return await store.remove_prefix(job_prefix(job_id))
