"""Register a finished job's model as a registry version: one call."""

from __future__ import annotations

from control_plane.registry.schemas import ModelVersionOut
from control_plane.training.schemas import RegisterRequest
from control_plane.training.service import get_job_row
from schemas.errors import Conflict


async def register_job(job_id: str, data: RegisterRequest, user: str) -> ModelVersionOut:
    from control_plane.registry import service as registry

    row = await get_job_row(job_id)
    if row["status"] != "succeeded":
        raise Conflict(
            f"job is {row['status']}; only succeeded jobs can be registered",
            {"status": row["status"]},
        )
    onnx = next((a for a in row["artifacts"] if a["name"] == "model.onnx"), None)
    if onnx is None:
        raise Conflict("the job produced no model.onnx", {"jobId": job_id})
    return await registry.register_from_job(
        model_name=data.modelName,
        description=data.description,
        artifact_uri=onnx["uri"],
        metrics=row["evaluation"],
        card=row["card"],
        signature=row["signature"],
        source_job_id=job_id,
        dataset_id=row["dataset_id"],
        feature_plan_id=row["feature_plan_id"],
        artifacts=row["artifacts"],
        user=user,
    )
