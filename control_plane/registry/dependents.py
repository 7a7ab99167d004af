"""Which registered versions depend on a training job (other slices ask before deleting)."""

from __future__ import annotations

from control_plane.registry.tables import ModelVersion


async def versions_from_job(job_id: str) -> list[str]:
    """`name vN` of every version registered from the job."""
    rows = await ModelVersion.select(
        ModelVersion.model.name.as_alias("model_name"), ModelVersion.version
    ).where(ModelVersion.source_job_id == job_id)
    return [f"{r['model_name']} v{r['version']}" for r in rows]
