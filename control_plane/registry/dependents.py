"""Which registered versions depend on a training job (other slices ask before deleting)."""

from __future__ import annotations

from control_plane.registry.tables import ModelVersion


async def versions_from_job(job_id: str) -> list[str]:
    """`name vN` of every version registered from the job."""
    rows = await ModelVersion.select(
        ModelVersion.model.name.as_alias("model_name"), ModelVersion.version
    ).where(ModelVersion.source_job_id == job_id)
    return [f"{r['model_name']} v{r['version']}" for r in rows]


async def versions_using_dataset(dataset_id: str, limit: int) -> list[str]:
    """Ids of the versions registered from the dataset (the datasets slice asks before
    deleting it), in id order as text."""
    rows = await ModelVersion.raw(
        "SELECT id::text AS id FROM model_version WHERE dataset_id = {} ORDER BY id LIMIT {}",
        dataset_id,
        limit,
    )
    return [str(r["id"]) for r in rows]
