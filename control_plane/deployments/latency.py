"""Scrape Triton's metrics endpoint for one deployment's model."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from control_plane.deployments.runtime import DeploymentRuntime
from control_plane.deployments.schemas import DeploymentMetrics, DeploymentOut
from control_plane.deployments.triton_metrics import parse_triton_metrics


async def deployment_metrics(
    deployment: DeploymentOut, runtime: DeploymentRuntime
) -> DeploymentMetrics:
    now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    try:
        async with httpx.AsyncClient(timeout=2.0) as client:
            resp = await client.get(runtime.settings.triton_metrics_url)
            resp.raise_for_status()
    except httpx.HTTPError as exc:
        return DeploymentMetrics(
            deploymentId=deployment.id,
            scrapedAt=now,
            available=False,
            message=f"Triton metrics unreachable: {exc}",
            series=[],
        )
    series = parse_triton_metrics(resp.text, deployment.tritonModel)
    return DeploymentMetrics(
        deploymentId=deployment.id,
        scrapedAt=now,
        available=True,
        message="" if series else "no requests recorded for this model yet",
        series=series,
    )
