"""Helpers the model lab's integration tests share."""

from __future__ import annotations

from typing import Any

from minio import Minio

from tests.integration.flow_support import run_worker_until_idle, wait_for
from tests.unit.lab.arch_samples import edge, node, skip_graph

__all__ = ["edge", "node", "objects_under", "s3_client", "skip_graph", "train"]


def s3_client(settings: Any) -> Minio:
    return Minio(
        settings.s3_endpoint,
        access_key=settings.s3_access_key,
        secret_key=settings.s3_secret_key,
        secure=settings.s3_secure,
    )


def objects_under(s3: Minio, bucket: str, prefix: str) -> list[str]:
    return [o.object_name or "" for o in s3.list_objects(bucket, prefix=prefix, recursive=True)]


async def train(client: Any, headers: dict[str, str], run_id: str) -> dict[str, Any]:
    """Run the real worker until the queue is empty; the job's final body."""
    await run_worker_until_idle()
    final = await wait_for(
        client, f"/api/training/jobs/{run_id}", headers, {"succeeded", "failed", "cancelled"}
    )
    assert final["status"] == "succeeded", final["error"]
    return final
