"""Which training jobs use a dataset (the datasets slice asks before deleting it)."""

from __future__ import annotations

from control_plane.training.tables import TrainingJob


async def jobs_using_dataset(dataset_id: str, limit: int) -> list[str]:
    """Ids of the jobs trained on the dataset, in id order."""
    rows = await TrainingJob.raw(
        "SELECT id::text AS id FROM training_job WHERE dataset_id = {} ORDER BY id LIMIT {}",
        dataset_id,
        limit,
    )
    return [str(r["id"]) for r in rows]
