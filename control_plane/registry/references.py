"""Where a version came from: the job, plan and dataset it names must exist and agree."""

from __future__ import annotations

from dataclasses import dataclass

from control_plane.adapters.object_store import ObjectStore
from control_plane.lineage.records import NodeType, Record, Ref, fetch
from loadstar_core.s3_uri import split_s3_uri
from schemas.errors import InvalidInput


@dataclass(frozen=True)
class VersionSources:
    source_job_id: str | None
    feature_plan_id: str | None
    dataset_id: str | None


def _referenced(record: Record, node_type: NodeType) -> str | None:
    return next((r.id for r in record.refs if r.type == node_type), None)


def _agree(field: str, given: str | None, derived: str | None, source: str) -> str | None:
    if given and derived and given != derived:
        raise InvalidInput(
            f"{field} {given!r} differs from the {source}'s {derived!r}",
            {"field": field, "given": given, "expected": derived},
        )
    return given or derived


async def _existing(node_type: NodeType, node_id: str, field: str) -> Record:
    record = await fetch(Ref(node_type, node_id))
    if record is None:
        raise InvalidInput(f"{field} {node_id!r} does not exist", {"field": field, field: node_id})
    return record


async def resolve_sources(
    source_job_id: str | None, feature_plan_id: str | None, dataset_id: str | None
) -> VersionSources:
    """Fill the plan and dataset from the job, the dataset from the plan; refuse mismatches."""
    if source_job_id:
        job = await _existing("trainingJob", source_job_id, "sourceJobId")
        job_plan = _referenced(job, "featurePlan")
        feature_plan_id = _agree("featurePlanId", feature_plan_id, job_plan, "training job")
        dataset_id = _agree("datasetId", dataset_id, _referenced(job, "dataset"), "training job")
    if feature_plan_id:
        plan = await _existing("featurePlan", feature_plan_id, "featurePlanId")
        dataset_id = _agree("datasetId", dataset_id, _referenced(plan, "dataset"), "feature plan")
    if dataset_id:
        await _existing("dataset", dataset_id, "datasetId")
    return VersionSources(source_job_id or None, feature_plan_id or None, dataset_id or None)


async def check_artifact(store: ObjectStore, uri: str) -> None:
    """The artifact must be in the store: an object, or a folder with objects under it."""
    bucket, key = split_s3_uri(uri)
    try:
        found = await store.exists(key, bucket)
    except ValueError as exc:  # the store's client refuses the bucket or key as named
        raise InvalidInput(
            f"{uri} is not a valid object address: {exc}",
            {"field": "artifactUri", "artifactUri": uri},
        ) from exc
    if found:
        return
    if bucket == store.bucket and await store.list_keys(key.rstrip("/") + "/"):
        return
    raise InvalidInput(f"no artifact at {uri}", {"field": "artifactUri", "artifactUri": uri})
