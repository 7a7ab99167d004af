"""What a deployment is built from: the registry version, its training job's plan and artifacts."""

from __future__ import annotations

from typing import Any

import msgspec

from control_plane.registry import service as registry
from control_plane.training import service as training
from schemas.errors import InvalidInput, NotFound
from schemas.feature_plan import FeaturePlan


class VersionBasis(msgspec.Struct, kw_only=True):
    model_name: str
    version: int
    artifact_uri: str
    plan: FeaturePlan
    metrics: dict[str, Any]
    artifacts: list[dict[str, Any]]
    dataset_id: str | None
    feature_plan_id: str | None
    stage: str
    signature: dict[str, Any] = {}


async def version_basis(model_name: str, version: int) -> VersionBasis:
    """The registry's version and the plan and artifacts of the job that trained it (or the
    plan in its card, for a version registered without a job)."""
    try:
        found = await registry.get_version(model_name, version)
    except NotFound as missing:
        raise NotFound(
            f"version {version} of {model_name!r} not found",
            {"modelId": model_name, "version": version},
        ) from missing
    plan_data: dict[str, Any] | None = None
    artifacts: list[dict[str, Any]] = []
    if found.sourceJobId:
        job = await training.job_build(found.sourceJobId)
        if job is not None:
            plan_data, artifacts = job.plan, job.artifacts
    if plan_data is None:
        plan_data = found.card.get("plan")
    if not plan_data:
        raise InvalidInput(
            "this version carries no feature plan (neither a source job nor card.plan)",
            {"modelId": model_name, "version": version},
        )
    return VersionBasis(
        model_name=model_name,
        version=version,
        artifact_uri=found.artifactUri,
        plan=msgspec.convert(plan_data, FeaturePlan),
        metrics=found.metrics,
        artifacts=artifacts,
        dataset_id=found.datasetId,
        feature_plan_id=found.featurePlanId,
        stage=found.stage,
        signature=found.signature,
    )


def interval_coverage(metrics: dict[str, Any]) -> float:
    """Empirical coverage of the outer interval on the hold-out, as the output's `confidence`."""
    for path in (("coverage",), ("model", "coverage"), ("test", "coverage")):
        node: Any = metrics
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        if isinstance(node, int | float):
            return float(node)
    return 0.9
