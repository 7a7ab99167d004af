"""Which records use a dataset: feature plans, training jobs, registry versions.

Those records belong to slices that build on datasets, so the datasets slice asks them
through `DatasetReferrers`, which the app puts into `app.state[STATE_KEY]` at assembly:
each slice answers from its own table, and none of them is imported here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import msgspec
from litestar import Request

from control_plane.datasets.schemas import DatasetReferences

STATE_KEY = "dataset_referrers"
_LISTED = 50

# (dataset id, at most how many) -> ids of the records that use it, in id order
Referrer = Callable[[str, int], Awaitable[list[str]]]


class DatasetReferrers(msgspec.Struct, frozen=True, kw_only=True):
    feature_plans: Referrer
    training_jobs: Referrer
    model_versions: Referrer


def referrers(request: Request[Any, Any, Any]) -> DatasetReferrers:
    return request.app.state[STATE_KEY]  # type: ignore[no-any-return]


async def dataset_references(dataset_id: str, using: DatasetReferrers) -> DatasetReferences:
    """Ids (at most 50 per kind) of the records whose `dataset_id` is this dataset."""
    return DatasetReferences(
        featurePlans=await using.feature_plans(dataset_id, _LISTED),
        trainingJobs=await using.training_jobs(dataset_id, _LISTED),
        modelVersions=await using.model_versions(dataset_id, _LISTED),
    )
