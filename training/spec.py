"""What the control plane hands a worker to train: everything, so the worker reads no database."""

from __future__ import annotations

from typing import Any

import msgspec


class TrainingSpec(msgspec.Struct, kw_only=True):
    jobId: str
    datasetId: str
    featurePlanId: str
    canonicalUri: str  # s3://bucket/key of the dataset's canonical Parquet
    plan: dict[str, Any]  # a FeaturePlan, encoded
    algorithm: str
    hyperparams: dict[str, Any] = msgspec.field(default_factory=dict)
    attempt: int = 1
    resume: bool = False

    def artifact_prefix(self) -> str:
        return f"jobs/{self.jobId}/"
