"""What a training job reads from other slices: the dataset's canonical Parquet and the plan."""

from __future__ import annotations

from typing import Any

import msgspec

from control_plane.adapters.object_store import ObjectStore
from control_plane.datasets.storage import canonical_key
from control_plane.features.service import get_plan
from schemas.errors import InvalidInput, NotFound


async def require_dataset(store: ObjectStore, dataset_id: str) -> str:
    """The dataset's canonical Parquet URI; NOT_FOUND when it has none."""
    key = canonical_key(dataset_id)
    if not await store.exists(key):
        raise NotFound(f"dataset {dataset_id!r} not found", {"datasetId": dataset_id})
    return store.uri(key)


async def job_input_uri(store: ObjectStore, row: dict[str, Any]) -> str:
    """What a job's worker reads: its feature-store snapshot, or its dataset's Parquet."""
    query = row.get("feature_query")
    if query:
        return str(query["frame"]["historiesUri"])
    return await require_dataset(store, row["dataset_id"])


async def load_plan(plan_id: str) -> dict[str, Any]:
    """The stored feature plan, through the features slice, as the dict a worker decodes."""
    try:
        stored = await get_plan(plan_id)
    except NotFound as exc:
        raise NotFound(f"feature plan {plan_id!r} not found", {"featurePlanId": plan_id}) from exc
    except msgspec.ValidationError as exc:
        raise InvalidInput(
            f"stored feature plan is invalid: {exc}", {"featurePlanId": plan_id}
        ) from exc
    out: dict[str, Any] = msgspec.to_builtins(stored.plan)
    out.setdefault("datasetId", stored.datasetId)
    return out
