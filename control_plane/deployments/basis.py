"""What a deployment is built from: the registry version, its training job's plan and artifacts."""

from __future__ import annotations

from typing import Any

import msgspec

from control_plane.registry.tables import ModelVersion, RegisteredModel
from control_plane.training.tables import TrainingJob
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


async def resolve_version(model_name: str, version: int | None, alias: str | None) -> int:
    """A fixed version, an alias (`Production`, `champion`...), or the latest."""
    model = (
        await RegisteredModel.select(RegisteredModel.id)
        .where(RegisteredModel.name == model_name)
        .first()
    )
    if model is None:
        raise NotFound(f"model {model_name!r} not found", {"modelId": model_name})
    if version is not None:
        return version
    if alias:
        from control_plane.registry.aliases import normalize_alias
        from control_plane.registry.tables import ModelAlias

        row = None
        if alias.lstrip("@").islower():
            row = (
                await ModelAlias.select(ModelAlias.version)
                .where(
                    (ModelAlias.model == model["id"]) & (ModelAlias.alias == normalize_alias(alias))
                )
                .first()
            )
        if row is None:
            # a stage name works too: the newest version in that stage ("Production")
            stage = alias.lstrip("@").capitalize()
            staged = (
                await ModelVersion.select(ModelVersion.version)
                .where((ModelVersion.model == model["id"]) & (ModelVersion.stage == stage))
                .order_by(ModelVersion.version, ascending=False)
                .first()
            )
            if staged is None:
                raise NotFound(
                    f"model {model_name!r} has no alias or stage {alias!r}", {"alias": alias}
                )
            return int(staged["version"])
        return int(row["version"])
    latest = (
        await ModelVersion.select(ModelVersion.version)
        .where(ModelVersion.model == model["id"])
        .order_by(ModelVersion.version, ascending=False)
        .first()
    )
    if latest is None:
        raise NotFound(f"model {model_name!r} has no versions", {"modelId": model_name})
    return int(latest["version"])


async def version_basis(model_name: str, version: int) -> VersionBasis:
    row = (
        await ModelVersion.select(
            ModelVersion.version,
            ModelVersion.artifact_uri,
            ModelVersion.metrics,
            ModelVersion.card,
            ModelVersion.signature,
            ModelVersion.source_job_id,
            ModelVersion.dataset_id,
            ModelVersion.feature_plan_id,
            ModelVersion.stage,
        )
        .where((ModelVersion.model.name == model_name) & (ModelVersion.version == version))
        .output(load_json=True)
        .first()
    )
    if row is None:
        raise NotFound(
            f"version {version} of {model_name!r} not found",
            {"modelId": model_name, "version": version},
        )
    plan_data: dict[str, Any] | None = None
    artifacts: list[dict[str, Any]] = []
    if row["source_job_id"]:
        job = (
            await TrainingJob.select(TrainingJob.plan, TrainingJob.artifacts)
            .where(TrainingJob.id == row["source_job_id"])
            .output(load_json=True)
            .first()
        )
        if job is not None:
            plan_data, artifacts = job["plan"], job["artifacts"] or []
    if plan_data is None:
        plan_data = (row["card"] or {}).get("plan")
    if not plan_data:
        raise InvalidInput(
            "this version carries no feature plan (neither a source job nor card.plan)",
            {"modelId": model_name, "version": version},
        )
    return VersionBasis(
        model_name=model_name,
        version=version,
        artifact_uri=row["artifact_uri"],
        plan=msgspec.convert(plan_data, FeaturePlan),
        metrics=row["metrics"] or {},
        artifacts=artifacts,
        dataset_id=row["dataset_id"],
        feature_plan_id=row["feature_plan_id"],
        stage=row["stage"],
        signature=row["signature"] or {},
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
