"""What a training job reads from other slices: the dataset's canonical Parquet and the plan."""

from __future__ import annotations

from typing import Any

import msgspec

from control_plane.adapters.object_store import ObjectStore
from control_plane.training.tables import TrainingJob
from schemas.errors import InvalidInput, NotFound
from schemas.feature_plan import FeaturePlan


def canonical_key(dataset_id: str) -> str:
    return f"datasets/{dataset_id}/canonical.parquet"


async def require_dataset(store: ObjectStore, dataset_id: str) -> str:
    """The dataset's canonical Parquet URI; NOT_FOUND when it has none."""
    key = canonical_key(dataset_id)
    if not await store.exists(key):
        raise NotFound(f"dataset {dataset_id!r} not found", {"datasetId": dataset_id})
    return store.uri(key)


async def load_plan(plan_id: str) -> dict[str, Any]:
    """The stored feature plan, validated, as the dict a worker decodes."""
    rows = await TrainingJob.raw("SELECT plan, dataset_id FROM feature_plan WHERE id = {}", plan_id)
    if not rows:
        raise NotFound(f"feature plan {plan_id!r} not found", {"featurePlanId": plan_id})
    raw = rows[0]["plan"]
    plan = msgspec.json.decode(raw) if isinstance(raw, str | bytes) else raw
    try:
        decoded = msgspec.convert(plan, FeaturePlan)
    except msgspec.ValidationError as exc:
        raise InvalidInput(
            f"stored feature plan is invalid: {exc}", {"featurePlanId": plan_id}
        ) from exc
    out: dict[str, Any] = msgspec.to_builtins(decoded)
    out.setdefault("datasetId", rows[0]["dataset_id"])
    return out
