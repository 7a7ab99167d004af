"""Which records use a dataset: feature plans, training jobs, registry versions.

Those tables belong to other slices and may not exist yet in a given database, so they
are read with plain SQL, and only once `to_regclass` says the table is there.
"""

from __future__ import annotations

from control_plane.datasets.schemas import DatasetReferences
from control_plane.datasets.tables import Dataset

# Table -> field of DatasetReferences; every one has `id` and `dataset_id` columns.
_REFERRERS = {
    "feature_plan": "featurePlans",
    "training_job": "trainingJobs",
    "model_version": "modelVersions",
}
_LISTED = 50
# The referring tables that exist here and have a `dataset_id` column.
_PRESENT = """
SELECT c.relname AS name
FROM pg_class c
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'dataset_id' AND NOT a.attisdropped
WHERE c.oid = ANY(ARRAY[
    to_regclass('feature_plan')::oid,
    to_regclass('training_job')::oid,
    to_regclass('model_version')::oid
])
"""


async def dataset_references(dataset_id: str) -> DatasetReferences:
    """Ids (at most 50 per kind) of the records whose `dataset_id` is this dataset."""
    present = await Dataset.raw(_PRESENT)
    found: dict[str, list[str]] = {}
    for row in present:
        table = str(row["name"])
        if table not in _REFERRERS:
            continue
        query = f"SELECT id::text AS id FROM {table} WHERE dataset_id = {{}} ORDER BY id"
        rows = await Dataset.raw(f"{query} LIMIT {_LISTED}", dataset_id)
        found[_REFERRERS[table]] = [str(r["id"]) for r in rows]
    return DatasetReferences(**found)
